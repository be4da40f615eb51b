"""Build stage: a validated spec -> the immutable IR (`ir.Api`) plus located warnings.

The conversion runs twice (see `Namer`): the first pass records the name every named type wants, collisions are
then resolved all at once, and the second pass builds the final IR with those names.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from generator import ir
from generator.diagnostics import Diagnostic
from generator.naming import Claim, assign_unique, snake_case
from generator.refs import DocumentSet
from generator.translate.context import Namer, Node, Report, SchemaKey, text
from generator.translate.directions import split_directions
from generator.translate.operations import HTTP_METHODS, OperationBuilder, is_http_token
from generator.translate.schemas import SchemaConverter
from generator.translate.security import security_requirements, security_schemes

_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
# Keyword arguments of the generated `Client`; a server variable may not take one of their names.
_CLIENT_ARGUMENTS = frozenset(
    {
        "self",
        "base_url",
        "environment",
        "timeout",
        "max_retries",
        "http_client",
        "headers",
        "verify",
        "idempotency_header",
        "request_hooks",
        "response_hooks",
        "strict",
        "api_key",
        "token",
        "username",
        "password",
    }
)


def build_api(docs: DocumentSet, *, package: str) -> tuple[ir.Api, list[Diagnostic]]:
    recording = Namer(docs)
    _Builder(docs, recording).run(package)
    builder = _Builder(docs, recording.resolved())
    return builder.run(package), builder.report.diagnostics


class _Builder:
    def __init__(self, docs: DocumentSet, namer: Namer) -> None:
        self.docs = docs
        self.namer = namer
        self.report = Report(docs)
        self.schemas = SchemaConverter(docs, namer, self.report)
        self.operations = OperationBuilder(self.schemas, self.report)

    def run(self, package: str) -> ir.Api:
        root = Node(self.docs.root, "", self.docs.root.data)
        found = self._operation_nodes(root)
        names = self.operations.function_names(
            [(node, method, path) for node, _, method, path in found]
        )
        operations = [
            self.operations.build(node, item, method, path, names[node.pointer])
            for node, item, method, path in found
        ]
        self._component_schemas(root)
        self._unsupported(root)
        named = self.schemas.finish()
        models = {m.name: m for m in named.values() if isinstance(m, ir.Model)}
        components = root.get("components")
        schemes = security_schemes(
            components.get("securitySchemes") if components else None,
            self.report,
            self.schemas.resolve,
        )
        global_security = security_requirements(root.get("security"), schemes, self.report)
        operations = [
            dataclasses.replace(
                operation,
                security=security_requirements(node.get("security"), schemes, self.report)
                if node.get("security") is not None
                else global_security,
                pagination=self.operations.pagination(node, operation, models),
            )
            for operation, (node, _, _, _) in zip(operations, found, strict=True)
        ]
        named, operations = split_directions(named, operations, self.namer)
        return self._assemble(root, package, named, schemes, operations)

    def _operation_nodes(self, root: Node) -> list[tuple[Node, Node, str, str]]:
        paths = root.get("paths")
        found = []
        for path in sorted(paths.mapping() if paths else {}):
            item = self.schemas.resolve(paths.child(path))  # type: ignore[union-attr]
            for method in HTTP_METHODS:
                if isinstance(item.mapping().get(method), dict):
                    found.append((item.child(method), item, method.upper(), str(path)))
            found += self._additional_operations(item, str(path))
        return found

    def _additional_operations(self, item: Node, path: str) -> list[tuple[Node, Node, str, str]]:
        """OpenAPI 3.2 `additionalOperations`: other methods, keyed by the method name as it is sent."""
        holder = item.get("additionalOperations")
        found = []
        for method in sorted(holder.mapping() if holder else {}):
            node = self.schemas.resolve(holder.child(method))  # type: ignore[union-attr]
            if not is_http_token(str(method)):  # the validator refuses it; reachable with --lenient
                self.report.warn(node, f"{method!r} is not an HTTP method; not generated")
            elif isinstance(node.value, dict):
                found.append((node, item, str(method), path))
        return found

    def _component_schemas(self, root: Node) -> None:
        """Every component schema becomes a type even if no operation uses it: users import them."""
        components = root.get("components")
        schemas = components.get("schemas") if components else None
        for name in sorted(schemas.mapping() if schemas else {}):
            node = schemas.child(name)  # type: ignore[union-attr]
            self.schemas.convert(node)

    def _unsupported(self, root: Node) -> None:
        webhooks = root.get("webhooks")
        if webhooks is not None and webhooks.mapping():
            self.report.warn(
                webhooks, "webhooks describe requests the API sends; no client code is generated"
            )
        # OpenAPI 3.2 fields with no meaning for the generated code.
        if "$self" in root.mapping():
            message = "$self is not used: references resolve against the file's own location"
            self.report.warn(root.child("$self"), message)
        tags = root.get("tags")
        for index, tag in enumerate(tags.value if tags and isinstance(tags.value, list) else []):
            for key in ("parent", "kind"):
                if isinstance(tag, dict) and key in tag:
                    message = f"tag `{key}` is not used: API modules are named after the first tag"
                    self.report.warn(tags.child(index, key), message)  # type: ignore[union-attr]

    def _assemble(
        self,
        root: Node,
        package: str,
        named: dict[SchemaKey, ir.Model | ir.EnumType | ir.Union],
        schemes: dict[str, ir.SecurityScheme],
        operations: list[ir.Operation],
    ) -> ir.Api:
        # One module per named type; names compared case-insensitively so they also differ on macOS and Windows.
        modules = assign_unique(
            (
                Claim(item.name, snake_case(item.name, fallback="model"), item.name)
                for item in named.values()
            ),
            taken=("__init__",),
            fold_case=True,
        )
        by_name = sorted(named.values(), key=lambda item: item.name)
        placed = [dataclasses.replace(item, module=modules[item.name]) for item in by_name]
        # Tag modules share the `api` package's namespace with the functions it re-exports: a module that would
        # shadow a function gets a suffix, whatever order they come in.
        function_names = {operation.function_name for operation in operations}
        tag_modules = assign_unique(
            (
                Claim(tag, snake_case(tag, fallback="default"), tag)
                for tag in {_module_tag(op) for op in operations}
            ),
            taken=function_names | {"__init__"},
            fold_case=True,
        )
        info = root.get("info")
        return ir.Api(
            title=text(info.mapping() if info else {}, "title"),
            version=text(info.mapping() if info else {}, "version"),
            description=text(info.mapping() if info else {}),
            spec_path=self.docs.root.display,
            package=package,
            servers=self._servers(root),
            security_schemes=tuple(schemes[name] for name in sorted(schemes)),
            models=tuple(item for item in placed if isinstance(item, ir.Model)),
            enums=tuple(item for item in placed if isinstance(item, ir.EnumType)),
            unions=tuple(item for item in placed if isinstance(item, ir.Union)),
            operations=tuple(
                sorted(
                    (
                        dataclasses.replace(op, module=tag_modules[_module_tag(op)])
                        for op in operations
                    ),
                    key=lambda op: op.function_name,
                )
            ),
        )

    def _servers(self, root: Node) -> tuple[ir.Server, ...]:
        """Servers with an http(s) URL (relative ones cannot be a client's base URL), each named for the client's
        `environment` argument: OpenAPI 3.2's `name`, else its description, else its URL."""
        servers = root.get("servers")
        found: list[tuple[str, dict[str, Any]]] = []
        for server in servers.value if servers and isinstance(servers.value, list) else []:
            url = server.get("url") if isinstance(server, dict) else None
            if isinstance(url, str) and url.startswith(("http://", "https://", "{")):
                wanted = text(server, "name") or text(server) or url.split("://", 1)[-1]
                found.append((snake_case(wanted, fallback="server"), server))
        names = assign_unique(
            Claim(index, name, server["url"]) for index, (name, server) in enumerate(found)
        )
        return tuple(
            ir.Server(names[index], server["url"], text(server), _server_variables(server))
            for index, (_, server) in enumerate(found)
        )


def _module_tag(operation: ir.Operation) -> str:
    return operation.tags[0] if operation.tags else "default"


def _server_variables(server: dict[str, Any]) -> tuple[ir.ServerVariable, ...]:
    """The variables the URL uses, sorted by name; a placeholder without a declaration keeps its name as value."""
    declared = server.get("variables")
    declared = declared if isinstance(declared, dict) else {}
    used = sorted(set(_SERVER_VARIABLE.findall(server["url"])))
    py_names = assign_unique(
        (Claim(name, snake_case(name, fallback="variable"), name) for name in used),
        taken=_CLIENT_ARGUMENTS,
    )
    variables = []
    for name in used:
        spec = declared.get(name)
        spec = spec if isinstance(spec, dict) else {}
        enum = spec.get("enum")
        values = tuple(str(value) for value in enum) if isinstance(enum, list) else ()
        default = str(spec["default"]) if "default" in spec else name
        variables.append(ir.ServerVariable(name, py_names[name], default, values, text(spec)))
    return tuple(variables)

"""Views of the package-level files: the client module, `__init__`s and the README."""

from __future__ import annotations

from dataclasses import dataclass

from generator import ir
from generator.quoting import header_token, markdown_text, py_literal, py_literal_block
from generator.render.docs import docstring
from generator.render.imports import Imports, from_import, isort_key
from generator.render.operations import OperationView
from generator.render.runtime import ERROR_CLASSES
from generator.render.types import TypeRenderer, union_decoder_name

ENV_PREFIX = "OAPIGEN_"


@dataclass(frozen=True, slots=True)
class SchemeView:
    """One entry of `SECURITY_SCHEMES`: the runtime class and its arguments, already quoted."""

    cls: str
    args: list[str]


@dataclass(frozen=True, slots=True)
class KeywordView:
    """A credential keyword of `Client(...)` and `AsyncClient(...)`."""

    name: str
    literal: str
    sync_annotation: str
    async_annotation: str
    env: str  # the environment variable it falls back to, unquoted; "" for a callable
    env_literal: str
    scheme: str  # the scheme's name, as Markdown text


@dataclass(frozen=True, slots=True)
class VariableView:
    py_name: str
    annotation: str
    default: str
    wire_literal: str


@dataclass(frozen=True, slots=True)
class ClientView:
    doc: str
    imports: list[str]
    base_url: str
    has_default_base_url: bool
    environments: list[
        tuple[str, str, str]
    ]  # name, URL template and defaults, quoted; empty for one plain URL
    environment_annotation: str
    default_environment: str
    variables: list[VariableView]
    user_agent: str
    schemes: list[SchemeView]
    keywords: list[KeywordView]


@dataclass(frozen=True, slots=True)
class ReexportView:
    doc: str
    modules: list[tuple[str, list[str]]]  # module -> the names it exports
    type_checking_imports: list[str]  # `from .module import names`, for type checkers
    exports: list[str]  # quoted, for __all__
    lookup: list[tuple[str, str]]  # quoted name -> quoted module, for the lazy __getattr__


def reexport_view(doc: str, modules: list[tuple[str, list[str]]]) -> ReexportView:
    """A package `__init__` that re-exports `modules`' names lazily (templates/reexports.py.jinja)."""
    owner = {name: module for module, names in modules for name in names}
    exports = sorted(owner, key=isort_key)
    return ReexportView(
        docstring(doc),
        modules,
        [from_import(f".{module}", names, indent=4) for module, names in modules],
        [py_literal(name) for name in exports],
        [(py_literal(name), py_literal(owner[name])) for name in exports],
    )


@dataclass(frozen=True, slots=True)
class PackageInitView:
    """The package's `__init__`: like a `ReexportView` (every name imported on first use, so that `import pkg`
    does not import httpx), plus the version."""

    doc: str
    version: str
    client_imports: list[str]  # what the package exports from `_client`
    errors: list[str]
    exports: list[str]
    modules: list[tuple[str, list[str]]]  # module -> the names it exports
    type_checking_imports: list[str]  # `from .module import names`, for type checkers
    lookup: list[tuple[str, str]]  # quoted name -> quoted module, for the lazy __getattr__


def env_var(package: str, keyword: str) -> str:
    """`galileo_client`, `api_key` -> `OAPIGEN_GALILEO_CLIENT_API_KEY`.

    The prefix keeps a client from reading another tool's secret: named after the package alone, a client
    generated from `github.json` would send `$GITHUB_TOKEN` to whatever server its spec names.
    """
    return f"{ENV_PREFIX}{package}_{keyword}".upper()


def _scheme_view(scheme: ir.SecurityScheme) -> SchemeView:
    args = [py_literal(scheme.name)]
    if isinstance(scheme, ir.ApiKeyScheme):
        cls = "ApiKeyScheme"
        args += [py_literal(scheme.location), py_literal(scheme.parameter)]
    elif isinstance(scheme, ir.BasicScheme):
        cls = "BasicScheme"
    elif isinstance(scheme, ir.AuthorizationScheme):
        cls = "AuthorizationScheme"
    else:
        cls = "TokenScheme"
    args += [f"{role}={py_literal(keyword)}" for role, keyword in scheme.keywords]
    if isinstance(scheme, ir.TokenScheme):
        args += [
            f"{name}={py_literal(url)}"
            for name, url in (("token_url", scheme.token_url), ("refresh_url", scheme.refresh_url))
            if url
        ]
    return SchemeView(cls, args)


def _keyword_views(api: ir.Api) -> list[KeywordView]:
    views = []
    for scheme in api.security_schemes:
        for role, keyword in scheme.keywords:
            provider = role == "token_provider"
            env = "" if provider else env_var(api.package, keyword)
            views.append(
                KeywordView(
                    name=keyword,
                    literal=py_literal(keyword),
                    sync_annotation="TokenProvider | None" if provider else "str | None",
                    async_annotation="AsyncTokenProvider | None" if provider else "str | None",
                    env=env,
                    env_literal=py_literal(env),
                    scheme=markdown_text(scheme.name),
                )
            )
    return views


def _default_base_url(api: ir.Api) -> str:
    return next(
        (s.default_url for s in api.servers if s.default_url.startswith(("http://", "https://"))),
        "",
    )


def _literal_annotation(values: list[str]) -> str:
    return f"Literal[{', '.join(py_literal(value) for value in dict.fromkeys(values))}]"


def _servers_doc(servers: tuple[ir.Server, ...]) -> str:
    if not servers:
        return ""
    listed = "; ".join(
        f"`{server.name}`: {server.url}"
        + (f" ({server.description})" if server.description else "")
        for server in servers
    )
    return (
        f"`environment` selects the server ({listed}); server variables are keyword arguments. "
        "`base_url` overrides both."
    )


def _variable_views(servers: tuple[ir.Server, ...]) -> list[VariableView]:
    """One keyword argument per server variable name. Its type lists every server's `enum` values (`str` when a
    server has none); its default is the servers' common default, else None for each server's own."""
    by_name: dict[str, list[ir.ServerVariable]] = {}
    for server in servers:
        for variable in server.variables:
            by_name.setdefault(variable.name, []).append(variable)
    views = []
    for name in sorted(by_name):
        declared = by_name[name]
        enums = [value for variable in declared for value in variable.enum]
        closed = all(variable.enum for variable in declared)
        annotation = _literal_annotation(enums) if closed else "str"
        defaults = {variable.default for variable in declared}
        if len(defaults) == 1:
            default = py_literal(defaults.pop())
        else:
            annotation, default = f"{annotation} | None", "None"
        views.append(VariableView(declared[0].py_name, annotation, default, py_literal(name)))
    return views


def client_view(api: ir.Api) -> ClientView:
    schemes = [_scheme_view(scheme) for scheme in api.security_schemes]
    keywords = _keyword_views(api)
    imports = Imports()
    imports.add("ssl")
    imports.add("httpx")
    imports.add("collections.abc", "Mapping", "Sequence")
    imports.add(
        "._base_client",
        "DEFAULT_LIMITS",
        "DEFAULT_MAX_RETRIES",
        "DEFAULT_TIMEOUT",
        "AsyncBaseClient",
        "AsyncRequestHook",
        "AsyncResponseHook",
        "Limits",
        "RequestHook",
        "ResponseHook",
        "SyncClient",
    )
    imports.add("._auth", "Scheme", *sorted({scheme.cls for scheme in schemes}))
    if any(not keyword.env for keyword in keywords):
        imports.add("._auth", "AsyncTokenProvider", "TokenProvider")
    base_url = _default_base_url(api)
    env_names = [f"`{keyword.env}`" for keyword in keywords if keyword.env]
    auth = (
        "Credentials come from the keyword arguments or, for a scheme given none, from the environment "
        f"({', '.join(env_names)})."
        if env_names
        else ""
    )
    servers = api.servers if len(api.servers) > 1 or any(s.variables for s in api.servers) else ()
    if servers:
        imports.add("typing", "Literal")
        imports.add("._base_client", "server_url")
    return ClientView(
        doc=docstring(
            f"A client for {api.title or api.package}.", _servers_doc(servers), auth, indent=4
        ),
        imports=imports.lines(),
        base_url=py_literal(base_url),
        has_default_base_url=bool(base_url),
        environments=[
            (
                py_literal(server.name),
                py_literal(server.url),
                py_literal({variable.name: variable.default for variable in server.variables}),
            )
            for server in servers
        ],
        environment_annotation=_literal_annotation([server.name for server in servers]),
        default_environment=py_literal(servers[0].name) if servers else "",
        variables=_variable_views(servers),
        user_agent=py_literal(f"{api.package}/{header_token(api.version, fallback='0')} (oapigen)"),
        schemes=schemes,
        keywords=keywords,
    )


def package_init_view(api: ir.Api, client_classes: tuple[str, str]) -> PackageInitView:
    client_imports = sorted(["DEFAULT_BASE_URL", *client_classes], key=isort_key)
    codec = ["UNSET", "DecodeError", "Drift", "EncodeError", "File", "Unset", "drift"]
    modules = [
        ("_base_client", ["Limits"]),
        ("_client", client_imports),
        ("_codec", codec),
        ("_http", ["ApiResponse", "RequestOptions"]),
        ("errors", list(ERROR_CLASSES)),
    ]
    doc = f"A typed client for {api.title or api.package} {api.version}."
    reexports = reexport_view(doc, modules)
    return PackageInitView(
        doc=docstring(doc, api.description),
        version=py_literal(api.version),
        client_imports=client_imports,
        errors=list(ERROR_CLASSES),
        exports=reexports.exports,
        modules=reexports.modules,
        type_checking_imports=reexports.type_checking_imports,
        lookup=reexports.lookup,
    )


def models_init_view(api: ir.Api) -> ReexportView:
    modules: list[tuple[str, list[str]]] = []
    for model in api.models:
        modules.append((model.module, [model.name]))
    for enum in api.enums:
        modules.append((enum.module, [enum.name]))
    for union in api.unions:
        modules.append(
            (union.module, sorted([union.name, union_decoder_name(union.module)], key=isort_key))
        )
    return reexport_view("Every model, enum and union of the API.", sorted(modules))


def api_init_view(modules: dict[str, list[OperationView]]) -> ReexportView:
    entries = []
    for module in sorted(modules):
        names: list[str] = []
        for op in modules[module]:
            names += op.public_functions
        entries.append((module, sorted(names, key=isort_key)))
    return reexport_view("Every endpoint function of the API.", entries)


# --- README ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExampleView:
    title: str
    imports: list[str]
    call: str
    stream: bool  # the call returns a stream of items, iterated inside `with`


@dataclass(frozen=True, slots=True)
class ReadmeView:
    title: str
    description: str
    package: str
    spec_path: str
    base_url: str
    keywords: list[KeywordView]
    examples: list[ExampleView]
    streams: bool  # some operation returns a stream or a binary body
    # (response, request) class names of one split schema, if any
    request_form: tuple[str, str] | None


def readme_view(api: ir.Api, examples: list[ExampleView]) -> ReadmeView:
    return ReadmeView(
        title=markdown_text(api.title or api.package),
        description=markdown_text(api.description),
        package=api.package,
        spec_path=markdown_text(api.spec_path),
        base_url=markdown_text(_default_base_url(api)),
        keywords=_keyword_views(api),
        examples=examples,
        streams=any(
            response.kind in ("stream", "binary")
            for operation in api.operations
            for response in operation.success_responses
        ),
        request_form=_request_form(api),
    )


def _request_form(api: ir.Api) -> tuple[str, str] | None:
    """One split schema for the README's example, preferably one split for its own properties."""
    by_name = {model.name: model for model in api.models}
    pairs = [(by_name[m.request_of], m) for m in api.models if m.request_of]
    own = [
        (response, request)
        for response, request in pairs
        if any(f.read_only for f in response.fields) or any(f.write_only for f in request.fields)
    ]
    return next(((response.name, request.name) for response, request in own + pairs), None)


def example_view(
    operation: ir.Operation, types: TypeRenderer, package: str, client_class: str
) -> ExampleView:
    """A runnable call of one endpoint, with example values where the spec gives them."""
    imports = [
        f"from {package} import {client_class}",
        f"from {package}.api import {operation.function_name}",
    ]
    args = []
    for param in operation.parameters:
        if param.required and not param.has_default:
            args.append(f"{param.py_name}={_example_literal(param.type, param.wire_name)}")
    body = operation.body
    if body is not None and body.required:
        if isinstance(body.type, ir.ModelRef) and isinstance(body.example, dict):
            module = types.named[body.type.name].module
            imports.append(f"from {package}.models.{module} import {body.type.name}")
            example = _markdown_safe(py_literal_block(body.example, indent=4))
            args.append(f"body={body.type.name}.from_dict({example})")
        elif body.kind in ir.SEQUENCE_BODY_KINDS:  # an iterable of items
            args.append(f"body=[{_example_literal(body.type, 'body')}]")
        else:
            args.append(f"body={_example_literal(body.type, 'body')}")
    call = f"{operation.function_name}(client{''.join(', ' + arg for arg in args)})"
    stream = any(response.stream for response in operation.success_responses)
    title = markdown_text(operation.summary or operation.function_name)
    return ExampleView(title, imports, call, stream)


def _example_literal(expr: ir.TypeExpr, wire_name: str) -> str:
    examples: dict[str, str] = {"int": "1", "float": "1.0", "bool": "True"}
    if isinstance(expr, ir.Primitive) and expr.kind in examples:
        return examples[expr.kind]
    return _markdown_safe(py_literal(wire_name))


def _markdown_safe(literal: str) -> str:
    # Backticks only occur inside string literals here; as escapes they cannot close the Markdown code fence.
    return literal.replace("`", "\\x60")

"""One side of a diff: the built API with its documents, which types requests and responses use, and the raw spec
behind each generated symbol (for what the IR does not keep: constraints, locations)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator import ir
from generator.diagnostics import SpecError, join_pointer
from generator.load import Document, split_pointer
from generator.refs import DocumentSet
from generator.render.types import TypeRenderer

OriginKey = tuple[
    str, str
]  # (file relative to the spec's folder, "" for the spec itself; JSON pointer)
Named = ir.Model | ir.EnumType | ir.Union


@dataclass
class Side:
    api: ir.Api
    docs: DocumentSet
    types: TypeRenderer = field(init=False)
    named: dict[str, Named] = field(init=False)
    requests: frozenset[str] = field(init=False)  # named types a request argument or body reaches
    responses: frozenset[str] = field(init=False)  # named types a response reaches

    def __post_init__(self) -> None:
        self.types = TypeRenderer(self.api)
        items: list[Named] = [*self.api.models, *self.api.enums, *self.api.unions]
        self.named = {item.name: item for item in items}
        request_roots: list[ir.TypeExpr] = []
        response_roots: list[ir.TypeExpr] = []
        for operation in self.api.operations:
            request_roots += [param.type for param in operation.parameters]
            request_roots += [operation.body.type] if operation.body else []
            response_roots += [r.type for r in operation.responses if r.type is not None]
        self.requests = self._reached(request_roots)
        self.responses = self._reached(response_roots)

    # --- where things come from ---------------------------------------------------------------------------------

    def origin_key(self, origin: ir.Origin) -> OriginKey:
        """Where a symbol comes from, independent of where the spec was read (a file, a git revision)."""
        if origin.file == self.api.spec_path:
            return ("", origin.pointer)
        folder = posixpath.dirname(self.api.spec_path) or "."
        return (posixpath.relpath(origin.file, folder), origin.pointer)

    def document(self, file: str) -> Document:
        return next((doc for doc in self.docs.documents() if doc.display == file), self.docs.root)

    def location(self, origin: ir.Origin) -> str:
        line = self.document(origin.file).line_of(origin.pointer)
        return f"{origin.file}:{line}" if line else origin.file

    # --- what the IR leaves out ---------------------------------------------------------------------------------

    def value(self, origin: ir.Origin) -> tuple[ir.Origin, Any]:
        """The spec value at `origin`, references followed (to the place they lead to)."""
        doc = self.document(origin.file)
        node: Any = doc.data
        for token in split_pointer(origin.pointer):
            node = node.get(token) if isinstance(node, dict) else _index(node, token)
        return self._follow(doc, origin.pointer, node)

    def property_schema(self, model: ir.Model, wire: str) -> tuple[ir.Origin, Any]:
        """A model field's own schema, searched through the model's allOf parts like the builder merges them."""
        found = self._property(model.origin, wire, set())
        return found if found is not None else (model.origin, {})

    def parameter_schema(
        self, operation: ir.Operation, param: ir.Parameter
    ) -> tuple[ir.Origin, Any]:
        """A parameter's declaration (operation-level first, then path-level) and its schema."""
        path_item = ir.Origin(operation.origin.file, operation.origin.pointer.rsplit("/", 1)[0])
        for holder in (operation.origin, path_item):
            listed_at = ir.Origin(holder.file, join_pointer(holder.pointer, "parameters"))
            _, listed = self.value(listed_at)
            for index in range(len(listed) if isinstance(listed, list) else 0):
                at, spec = self.value(
                    ir.Origin(holder.file, join_pointer(listed_at.pointer, index))
                )
                if isinstance(spec, dict) and (spec.get("in"), spec.get("name")) == (
                    param.location,
                    param.wire_name,
                ):
                    schema_at = ir.Origin(at.file, join_pointer(at.pointer, "schema"))
                    return self.value(schema_at) if "schema" in spec else (at, {})
        return operation.origin, {}

    def _property(
        self, at: ir.Origin, wire: str, seen: set[ir.Origin]
    ) -> tuple[ir.Origin, Any] | None:
        at, schema = self.value(at)
        if at in seen or not isinstance(schema, dict):
            return None
        seen.add(at)
        properties = schema.get("properties")
        if isinstance(properties, dict) and wire in properties:
            return self.value(ir.Origin(at.file, join_pointer(at.pointer, "properties", wire)))
        parts = schema.get("allOf")
        for index in range(len(parts) if isinstance(parts, list) else 0):
            found = self._property(
                ir.Origin(at.file, join_pointer(at.pointer, "allOf", index)), wire, seen
            )
            if found is not None:
                return found
        return None

    def _follow(self, doc: Document, pointer: str, node: Any) -> tuple[ir.Origin, Any]:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            try:
                doc, pointer, node = self.docs.resolve(node["$ref"], doc, pointer)
            except SpecError:
                return ir.Origin(doc.display, pointer), {}
        return ir.Origin(doc.display, pointer), node

    def _reached(self, roots: Iterable[ir.TypeExpr]) -> frozenset[str]:
        reached: set[str] = set()
        pending = list(roots)
        while pending:
            expr = pending.pop()
            for name in self.types.referenced(expr):
                if name in reached or name not in self.named:
                    continue
                reached.add(name)
                item = self.named[name]
                if isinstance(item, ir.Model):
                    pending += [f.type for f in item.fields] + [item.extra]
                elif isinstance(item, ir.Union):
                    pending += list(item.variants)
        return frozenset(reached)


def _index(node: Any, token: str) -> Any:
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return None

"""JSON Schema (OpenAPI 3.0, 3.1 and 3.2 dialects) -> IR types.

Objects with properties, enums and unions become named types (classes); everything else is a type expression.
Named types are converted once each, from a work list, so recursive schemas terminate: a reference to a named
type is just its name. Cycles through unnamed schemas (an array of itself) are cut with `Any` and a warning.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from generator import ir
from generator.diagnostics import SpecError
from generator.naming import assign_unique, constant_case, snake_case, spelled_claim
from generator.refs import DocumentSet
from generator.translate.context import Namer, Node, Report, SchemaKey, text

_COMPONENT_SCHEMA = re.compile(r"^/components/schemas/([^/]+)$")
_PRIMITIVES: dict[str, ir.PrimitiveKind] = {
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "string": "str",
}
_STRING_FORMATS: dict[str, ir.PrimitiveKind] = {
    "date-time": "datetime",
    "date": "date",
    "binary": "file",
}
_UNION_KEYWORDS = ("oneOf", "anyOf")
_ENUM_VALUE_KINDS: dict[type, Literal["str", "int", "float", "mixed"]] = {
    str: "str",
    int: "int",
    float: "float",
}
# Field names that would shadow what a generated class body uses (annotations, `field(...)`, the codec methods).
_RESERVED_FIELDS = frozenset(
    {
        "additional_properties",
        "from_dict",
        "to_dict",
        "field",
        "datetime",
        "list",
        "dict",
        "str",
        "int",
        "float",
    }
) | frozenset({"bool", "bytes", "object", "date"})
# Keywords of an allOf part that would narrow the type of the first part (validation keywords do not change it).
_NARROWING = ("enum", "const", "oneOf", "anyOf", "items", "prefixItems", "not")
_SHAPES = (*_NARROWING, "type", "properties", "additionalProperties", "allOf")


def _is_binary_media(media_type: str) -> bool:
    media = media_type.split(";")[0].strip().lower()
    textual = media.startswith("text/") or media.endswith(("json", "xml"))
    return bool(media) and not textual and media != "application/x-www-form-urlencoded"


def _unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [item for item in declared if isinstance(item, str)]
    return []


def _has_shape(schema: dict[str, Any]) -> bool:
    return any(key in schema for key in _SHAPES)


def _narrows(part: dict[str, Any], first: dict[str, Any]) -> bool:
    return any(key in part for key in _NARROWING) or (
        "type" in part and _types(part) != _types(first)
    )


def _is_null_schema(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if _types(schema) == ["null"]:
        return True
    return ("enum" in schema and schema["enum"] == [None]) or (
        "const" in schema and schema["const"] is None
    )


class SchemaConverter:
    def __init__(self, docs: DocumentSet, namer: Namer, report: Report) -> None:
        self._docs = docs
        self._namer = namer
        self._report = report
        self._named: dict[SchemaKey, ir.Model | ir.EnumType | ir.Union] = {}
        self._pending: list[tuple[Node, str]] = []
        self._queued: set[SchemaKey] = set()
        self._inline_stack: list[SchemaKey] = []

    # --- entry points ---------------------------------------------------------------------------------------------

    def convert(self, node: Node) -> ir.TypeExpr:
        """The IR type of the schema at `node` (named types are named from their place: `translate.places`)."""
        if not isinstance(node.value, dict):
            return ir.ANY
        key = node.key
        if key in self._inline_stack:
            self._report.warn(
                node, "schema refers to itself without an object in between; typed as Any"
            )
            return ir.ANY
        self._inline_stack.append(key)
        try:
            return self._convert(node)
        finally:
            self._inline_stack.pop()

    def finish(self) -> dict[SchemaKey, ir.Model | ir.EnumType | ir.Union]:
        """Convert every named type reached so far (and those they reach)."""
        while self._pending:
            node, kind = self._pending.pop()
            self._named[node.key] = self._build_named(node, kind)
        return self._named

    def resolve(self, node: Node) -> Node:
        """Follow `$ref` (and chains of refs) to the schema it names."""
        ref = node.mapping().get("$ref")
        if not isinstance(ref, str):
            return node
        doc, pointer, value = self._docs.resolve(ref, node.doc, node.pointer)
        return Node(doc, pointer, value)

    # --- classification -------------------------------------------------------------------------------------------

    def _convert(self, node: Node) -> ir.TypeExpr:
        schema = node.value
        if isinstance(schema.get("$ref"), str):
            target = self.resolve(node)
            inner = self.convert(target)
            # OpenAPI 3.0 ignores siblings of $ref, but `nullable: true` beside it is common and meant.
            return (
                ir.Nullable(inner)
                if schema.get("nullable") is True and not _is_nullable(inner)
                else inner
            )
        inner = self._convert_non_null(node)
        if self._is_nullable_schema(schema) and not _is_nullable(inner):
            return ir.Nullable(inner)
        return inner

    def _is_nullable_schema(self, schema: dict[str, Any]) -> bool:
        if schema.get("nullable") is True or "null" in _types(schema):
            return True
        if isinstance(schema.get("enum"), list) and None in schema["enum"]:
            return True
        return any(
            isinstance(schema.get(keyword), list)
            and any(_is_null_schema(item) for item in schema[keyword])
            for keyword in _UNION_KEYWORDS
        )

    def _convert_non_null(self, node: Node) -> ir.TypeExpr:
        schema = node.value
        if "const" in schema:
            return self._const(node, schema["const"])
        if isinstance(schema.get("enum"), list):
            return self._enum_type(node)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return self._all_of(node)
        for keyword in _UNION_KEYWORDS:
            if isinstance(schema.get(keyword), list) and schema[keyword]:
                return self._union_type(node, keyword)
        if "not" in schema:
            self._report.warn(
                node.child("not"), "`not` cannot be expressed as a Python type; typed as Any"
            )
        types = [kind for kind in _types(schema) if kind != "null"]
        if len(types) > 1:
            return self._named_ref(node, "union")
        return self._single_type(node, types[0] if types else None)

    def _single_type(self, node: Node, kind: str | None) -> ir.TypeExpr:
        schema = node.value
        if kind == "array" or (kind is None and "items" in schema):
            return self._array(node)
        if kind == "object" or (
            kind is None and ("properties" in schema or "additionalProperties" in schema)
        ):
            return self._object(node)
        if kind == "string":
            if (
                _is_binary_media(text(schema, "contentMediaType"))
                and "contentEncoding" not in schema
            ):
                return ir.Primitive("file")  # OpenAPI 3.1's spelling of `format: binary`
            return ir.Primitive(_STRING_FORMATS.get(text(schema, "format"), "str"))
        if kind in _PRIMITIVES:
            return ir.Primitive(_PRIMITIVES[kind])
        if kind == "null":
            return ir.Const(None)
        return ir.ANY

    def _const(self, node: Node, value: Any) -> ir.TypeExpr:
        if isinstance(value, dict | list):
            self._report.warn(node.child("const"), "object and array constants are typed as Any")
            return ir.ANY
        return ir.Const(value)

    def _enum_type(self, node: Node) -> ir.TypeExpr:
        values = [value for value in node.value["enum"] if value is not None]
        if not values:
            return ir.Const(None)
        if all(isinstance(value, bool) for value in values):
            return ir.Primitive("bool") if len(set(values)) > 1 else ir.Const(values[0])
        if any(isinstance(value, dict | list) for value in values):
            self._report.warn(node.child("enum"), "enums of objects or arrays are typed as Any")
            return ir.ANY
        if len(values) == 1 and not _COMPONENT_SCHEMA.match(node.pointer):
            return ir.Const(
                values[0]
            )  # an inline one-value enum is a tag (often a discriminator), not a class
        return self._named_ref(node, "enum")

    def _all_of(self, node: Node) -> ir.TypeExpr:
        # Parts that only annotate (a description, an example, an extension) change nothing about the type.
        shaped = [
            child
            for child in self._children(node, "allOf")
            if _has_shape(self.resolve(child).value)
        ]
        if any(key in node.value for key in ("properties", "additionalProperties")):
            return self._named_ref(node, "model")
        if not shaped:
            return ir.ANY
        if len(shaped) == 1:
            return self.convert(shaped[0])  # a $ref plus a description, say: the referenced type
        parts = [self.resolve(child).value for child in shaped]
        if any(self._is_object_like(part) for part in parts):
            return self._named_ref(node, "model")
        if any(_narrows(part, parts[0]) for part in parts[1:]):
            self._report.warn(
                node.child("allOf"), "allOf of several non-object schemas: typed as the first one"
            )
        return self.convert(shaped[0])

    def _union_type(self, node: Node, keyword: str) -> ir.TypeExpr:
        options = self._non_null_options(node, keyword)
        if not options:
            return ir.Const(None)
        if len(options) == 1 and "discriminator" not in node.value:
            return self.convert(options[0])
        if node.value.get("properties"):
            self._report.warn(
                node.child("properties"), f"properties beside `{keyword}` are ignored"
            )
        return self._named_ref(node, "union")

    def _array(self, node: Node) -> ir.TypeExpr:
        schema = node.value
        if "prefixItems" in schema:
            self._report.warn(
                node.child("prefixItems"), "tuples (prefixItems) are typed as lists of Any"
            )
            return ir.ListOf(ir.ANY)
        items = node.get("items")
        if items is None or not isinstance(items.value, dict):
            return ir.ListOf(ir.ANY)
        return ir.ListOf(self.convert(items))

    def _object(self, node: Node) -> ir.TypeExpr:
        schema = node.value
        if schema.get("properties"):
            return self._named_ref(node, "model")
        additional = node.get("additionalProperties")
        if additional is not None and isinstance(additional.value, dict) and additional.value:
            return ir.MapOf(self.convert(additional))
        return ir.MapOf(ir.ANY)

    def _is_object_like(self, schema: Any) -> bool:
        if not isinstance(schema, dict):
            return False
        if schema.get("properties") or "object" in _types(schema) or schema.get("allOf"):
            return True
        return any(keyword in schema for keyword in _UNION_KEYWORDS)

    # --- named types ----------------------------------------------------------------------------------------------

    def _named_ref(self, node: Node, kind: str) -> ir.TypeExpr:
        name = self._namer.class_name(node)
        if node.key not in self._queued:
            self._queued.add(node.key)
            self._pending.append((node, kind))
        if kind == "model":
            return ir.ModelRef(name)
        return ir.EnumRef(name) if kind == "enum" else ir.UnionRef(name)

    def _build_named(self, node: Node, kind: str) -> ir.Model | ir.EnumType | ir.Union:
        name = self._namer.class_name(node)
        origin = ir.Origin(node.doc.display, node.pointer)
        if kind == "enum":
            return self._build_enum(node, name, origin)
        if kind == "union":
            return self._build_union(node, name, origin)
        return self._build_model(node, name, origin)

    def _build_enum(self, node: Node, name: str, origin: ir.Origin) -> ir.EnumType:
        values = [value for value in node.value["enum"] if value is not None]
        names = node.value.get("x-enum-varnames") or node.value.get("x-enumNames")
        if not (
            isinstance(names, list)
            and len(names) == len(values)
            and all(isinstance(n, str) for n in names)
        ):
            names = [str(value) if isinstance(value, str) else f"VALUE_{value}" for value in values]
        # A member is identified by its value (spelled with its JSON type), not by its position in the list.
        claims = [
            spelled_claim(index, constant_case(label, fallback="VALUE"), json.dumps(value), label)
            for index, (label, value) in enumerate(zip(names, values, strict=True))
        ]
        member_names = assign_unique(claims, taken=("UNKNOWN",))
        members = tuple(
            ir.EnumMember(member_names[index], value) for index, value in enumerate(values)
        )
        kinds = {type(value) for value in values}
        value_kind = _ENUM_VALUE_KINDS.get(kinds.pop(), "mixed") if len(kinds) == 1 else "mixed"
        return ir.EnumType(name, "", origin, text(node.value), members, value_kind)

    def _build_union(self, node: Node, name: str, origin: ir.Origin) -> ir.Union:
        schema = node.value
        keyword = next((key for key in _UNION_KEYWORDS if isinstance(schema.get(key), list)), None)
        if keyword is None:  # a type array such as [string, integer]
            variants = [self._single_type(node, kind) for kind in _types(schema) if kind != "null"]
        else:
            options = self._non_null_options(node, keyword)
            variants = [self.convert(option) for option in options]
        unique: list[ir.TypeExpr] = []
        for variant in variants:
            inner = variant.inner if isinstance(variant, ir.Nullable) else variant
            if inner not in unique:
                unique.append(inner)
        discriminator = self._discriminator(node, keyword) if keyword else None
        if discriminator is not None and discriminator.default:
            default = ir.ModelRef(discriminator.default)
            if default not in unique:  # what the decoder may return belongs in the type
                unique.append(default)
        return ir.Union(name, "", origin, text(schema), tuple(unique), discriminator)

    def _discriminator(self, node: Node, keyword: str) -> ir.Discriminator | None:
        spec = node.get("discriminator")
        if spec is None or not isinstance(spec.value.get("propertyName"), str):
            return None
        mapping: list[tuple[str, str]] = []
        explicit = spec.get("mapping")
        for value, ref in (explicit.mapping() if explicit else {}).items():
            target = self._ref_target(spec, ref)
            if target is not None:
                mapping.append((str(value), target))
        mapped = {model for _, model in mapping}
        for option in self._children(node, keyword):
            target_node = self.resolve(option)
            match = _COMPONENT_SCHEMA.match(target_node.pointer)
            converted = self.convert(option)
            if match and isinstance(converted, ir.ModelRef) and converted.name not in mapped:
                mapping.append((_unescape_token(match.group(1)), converted.name))
        default = spec.value.get("defaultMapping")  # 3.2
        target = self._ref_target(spec, default) if default is not None else None
        return ir.Discriminator(spec.value["propertyName"], tuple(mapping), target or "")

    def _ref_target(self, spec: Node, ref: Any) -> str | None:
        if not isinstance(ref, str):
            return None
        if not ref.startswith("#") and "/" not in ref and "." not in ref:
            ref = f"#/components/schemas/{ref}"  # a bare schema name is allowed in mappings
        try:
            doc, pointer, value = self._docs.resolve(ref, spec.doc, spec.pointer)
        except SpecError as error:
            self._report.diagnostics.extend(error.diagnostics)
            return None
        target = self.convert(Node(doc, pointer, value))
        if isinstance(target, ir.ModelRef):
            return target.name
        self._report.warn(
            spec, f"discriminator mapping {ref!r} does not name an object schema; ignored"
        )
        return None

    def _build_model(self, node: Node, name: str, origin: ir.Origin) -> ir.Model:
        properties: dict[str, Node] = {}
        required: list[str] = []
        additional: list[Node] = []
        self._collect_object(node, properties, required, additional, set())
        wire_names = list(properties) + [wire for wire in required if wire not in properties]
        py_names = assign_unique(
            (
                spelled_claim(wire, snake_case(wire, fallback="field"), wire, wire)
                for wire in wire_names
            ),
            taken=_RESERVED_FIELDS,
        )
        fields = [
            self._field(wire, properties.get(wire), wire in required, py_names[wire], node)
            for wire in wire_names
        ]
        extra: ir.TypeExpr = ir.ANY
        typed_additional = [
            item for item in additional if isinstance(item.value, dict) and item.value
        ]
        if typed_additional:
            extra = self.convert(typed_additional[0])
        schema = node.value
        if isinstance(schema.get("discriminator"), dict) and not any(
            key in schema for key in _UNION_KEYWORDS
        ):
            # Inheritance by discriminator (the base names its subtypes): a base class cannot decode them.
            self._report.warn(
                node.child("discriminator"),
                "discriminator without oneOf/anyOf: subtypes decode as this model",
            )
        return ir.Model(
            name=name,
            module="",
            origin=origin,
            title=text(schema, "title"),
            description=text(schema),
            fields=tuple(fields),
            extra=extra,
            deprecated=schema.get("deprecated") is True,
        )

    def _collect_object(
        self,
        node: Node,
        properties: dict[str, Node],
        required: list[str],
        additional: list[Node],
        seen: set[SchemaKey],
    ) -> None:
        """Merge an object schema and everything it is allOf'd with (depth first, own properties last win)."""
        node = self.resolve(node)
        if node.key in seen or not isinstance(node.value, dict):
            return
        seen.add(node.key)
        if any(isinstance(node.value.get(keyword), list) for keyword in _UNION_KEYWORDS):
            self._report.warn(
                node,
                "a oneOf/anyOf merged by allOf: its variants' properties are kept as extra ones",
            )
        for part in self._children(node, "allOf"):
            self._collect_object(part, properties, required, additional, seen)
        own = node.get("properties")
        if own is not None:
            for wire in own.mapping():
                properties[str(wire)] = own.child(wire)
        for wire in (
            node.value.get("required", []) if isinstance(node.value.get("required"), list) else []
        ):
            if isinstance(wire, str) and wire not in required:
                required.append(wire)
        extra = node.get("additionalProperties")
        if extra is not None:
            additional.append(extra)

    def _field(
        self, wire: str, prop: Node | None, required: bool, py_name: str, owner: Node
    ) -> ir.Field:
        if prop is None:
            self._report.warn(owner, f"required property {wire!r} is not declared; typed as Any")
            return ir.Field(wire, py_name, ir.ANY, required, "")
        target = self.resolve(prop)
        schema, resolved = prop.mapping(), target.mapping()
        read_only = schema.get("readOnly") is True or resolved.get("readOnly") is True
        write_only = schema.get("writeOnly") is True or resolved.get("writeOnly") is True
        has_default = "default" in schema or "default" in resolved
        return ir.Field(
            wire_name=wire,
            py_name=py_name,
            type=self.convert(prop),
            # As the spec says: a model with readOnly/writeOnly fields is split by direction
            # (translate.directions), and each field lives only in the direction it is sent in.
            required=required,
            description=text(schema) or text(resolved),
            default=schema.get("default", resolved.get("default")),
            has_default=has_default,
            read_only=read_only,
            write_only=write_only,
            deprecated=schema.get("deprecated") is True or resolved.get("deprecated") is True,
        )

    def _non_null_options(self, node: Node, keyword: str) -> list[Node]:
        """The variants of a union but `null` (which makes the union nullable instead)."""
        return [
            child
            for child in self._children(node, keyword)
            if not _is_null_schema(self.resolve(child).value)
        ]

    def _children(self, node: Node, keyword: str) -> list[Node]:
        value = node.mapping().get(keyword)
        if not isinstance(value, list):
            return []
        return [
            node.child(keyword, index) for index, item in enumerate(value) if isinstance(item, dict)
        ]


def _is_nullable(expr: ir.TypeExpr) -> bool:
    return isinstance(expr, ir.Nullable) or expr == ir.ANY or expr == ir.Const(None)

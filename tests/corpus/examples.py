"""The example payloads of a spec, each paired with the generated type that must round-trip it.

Examples are collected where the spec writes them for a payload: `example`/`examples` of JSON media types (request
bodies and responses, `$ref`s to `components/examples` followed) and of schemas (component schemas and their
properties, at any depth). Each is matched to the IR type the client uses at that place: the operation's body or
response type, a named type by its origin, or the field of the model that owns the property.

An example can be wrong about its own schema (real specs have some). That is decided by jsonschema (the OpenAPI
dialect of the document's version, with format checks), never by our decoders, so a decoder bug cannot hide as an
"invalid example".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from generator import ir
from generator.diagnostics import join_pointer
from generator.load import Document
from generator.refs import DocumentSet
from generator.render.types import TypeRenderer

_SPEC_URI = "urn:oapigen:spec"
_JSON_MEDIA = ("application/json",)
_SUBSCHEMA_LISTS = ("allOf", "oneOf", "anyOf")
_SUBSCHEMAS = ("items", "additionalProperties", "not")


@dataclass(frozen=True, slots=True)
class Example:
    pointer: str  # where the example is written
    value: Any
    decoder: str  # the decoder expression in the generated package; "" when no generated type holds the value
    invalid: str | None  # why the example does not match its own schema, None when it does


def is_json_media(media: str) -> bool:
    name = media.split(";")[0].strip().lower()
    return name in _JSON_MEDIA or name.endswith("+json")


def collect_examples(docs: DocumentSet, api: ir.Api) -> list[Example]:
    """Every example of the root document (each pointer once), in document order."""
    root = docs.root
    check = _Checker(root)
    types = TypeRenderer(api)
    typed = _typed_pointers(root, api)
    media = list(_media_sites(docs, api))
    for schema_pointer, expr, _, _ in media:
        if schema_pointer is not None and expr is not None:
            typed.setdefault(schema_pointer, expr)
    _type_ref_targets(docs, typed)
    found: dict[str, Example] = {}
    sites = [*media, *_schema_sites(root, typed)]
    for schema_pointer, expr, holder_pointer, holder in sites:
        for pointer, value in _values(docs, holder_pointer, holder):
            if pointer not in found:
                decoder = types.decoder(expr) if expr is not None else ""
                found[pointer] = Example(
                    pointer, value, decoder, check.problem(schema_pointer, value)
                )
    return list(found.values())


# A place that holds examples: (pointer of the schema they must match, None for a media type without one; the IR
# type that decodes them, None when the client has none there; pointer of the object holding `example`/`examples`;
# that object).
_Site = tuple[str | None, ir.TypeExpr | None, str, dict[str, Any]]


def _values(docs: DocumentSet, pointer: str, holder: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """`example`, and each `examples` entry: a media type's map of Example objects or a 3.1 schema's list."""
    if "example" in holder:
        yield join_pointer(pointer, "example"), holder["example"]
    examples = holder.get("examples")
    if isinstance(examples, list):
        for index, value in enumerate(examples):
            yield join_pointer(pointer, "examples", index), value
    elif isinstance(examples, dict):
        for name, entry in examples.items():
            at = join_pointer(pointer, "examples", name)
            if isinstance(entry, dict) and isinstance(entry.get("$ref"), str):
                _, at, entry = docs.resolve(entry["$ref"], docs.root, at)
            if isinstance(entry, dict) and "value" in entry:
                yield join_pointer(at, "value"), entry["value"]


# --- media types -----------------------------------------------------------------------------------------------------


def _media_sites(docs: DocumentSet, api: ir.Api) -> Iterator[_Site]:
    root = docs.root
    for operation in api.operations:
        if operation.origin.file != root.display:
            continue
        spec = _at(root.data, operation.origin.pointer)
        if "requestBody" in spec:
            used: tuple[str, ir.TypeExpr | None] | None = None
            if operation.body is not None:
                used = (operation.body.content_type, operation.body.type)
            yield from _content_sites(
                docs, join_pointer(operation.origin.pointer, "requestBody"), used
            )
        for status in spec.get("responses") or {}:
            response = next(
                (r for r in operation.responses if r.status == str(status).upper()), None
            )
            used = (
                (response.content_type, response.type)
                if response and response.kind == "json"
                else None
            )
            yield from _content_sites(
                docs, join_pointer(operation.origin.pointer, "responses", status), used
            )


def _content_sites(
    docs: DocumentSet, pointer: str, used: tuple[str, ir.TypeExpr | None] | None
) -> Iterator[_Site]:
    """The JSON media types of a request body or response; only the one the client uses has a type."""
    node = _at(docs.root.data, pointer)
    if isinstance(node.get("$ref"), str):
        _, pointer, node = docs.resolve(node["$ref"], docs.root, pointer)
    for media, spec in (node.get("content") or {}).items():
        if is_json_media(media) and isinstance(spec, dict):
            expr = used[1] if used is not None and used[0] == media else None
            at = join_pointer(pointer, "content", media)
            yield (join_pointer(at, "schema") if "schema" in spec else None), expr, at, spec


# --- schemas ---------------------------------------------------------------------------------------------------------


def _typed_pointers(root: Document, api: ir.Api) -> dict[str, ir.TypeExpr]:
    """Schema pointer -> the IR type generated for it: named types by origin, properties by their model's field."""
    named: list[tuple[ir.Origin, ir.TypeExpr]] = [
        (model.origin, ir.ModelRef(model.name)) for model in api.models
    ]
    named += [(enum.origin, ir.EnumRef(enum.name)) for enum in api.enums]
    named += [(union.origin, ir.UnionRef(union.name)) for union in api.unions]
    typed = {origin.pointer: ref for origin, ref in named if origin.file == root.display}
    for model in api.models:
        if model.origin.file != root.display:
            continue
        for holder in _property_holders(root.data, model.origin.pointer):
            properties = _at(root.data, holder).get("properties") or {}
            for field in model.fields:
                if field.wire_name in properties:
                    typed.setdefault(
                        join_pointer(holder, "properties", field.wire_name), field.type
                    )
    return typed


def _type_ref_targets(docs: DocumentSet, typed: dict[str, ir.TypeExpr]) -> None:
    """A schema that is only a `$ref` has the type of its target; so the target (a component schema that is not a
    class, such as a number with an example) gets the type of the first place that refers to it. (That type may
    accept null where the target does not; examples that are null against such a target are invalid anyway.)"""
    for pointer, expr in sorted(typed.items()):
        ref = _at(docs.root.data, pointer).get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            _, target, _ = docs.resolve(ref, docs.root, pointer)
            typed.setdefault(target, expr)


def _property_holders(data: Any, pointer: str) -> Iterator[str]:
    """The schema at `pointer` and the inline `allOf` parts merged into it: where its model's properties are written.
    (Parts that are `$ref`s have a model of their own.)"""
    yield pointer
    for index, part in enumerate(_at(data, pointer).get("allOf") or []):
        if isinstance(part, dict) and "$ref" not in part:
            yield from _property_holders(data, join_pointer(pointer, "allOf", index))


def _schema_sites(root: Document, typed: dict[str, ir.TypeExpr]) -> Iterator[_Site]:
    """Component schemas and every property below them, and below inline schemas of media types."""
    starts = [
        join_pointer("/components/schemas", name) for name in _at(root.data, "/components/schemas")
    ]
    starts += [pointer for pointer, _ in _walk(root.data, "", _is_media_schema)]
    for start in starts:
        yield from _schema_tree(root.data, start, typed, is_root=True)


def _schema_tree(
    data: Any, pointer: str, typed: dict[str, ir.TypeExpr], *, is_root: bool
) -> Iterator[_Site]:
    schema = _at(data, pointer)
    if "$ref" in schema:
        return
    if is_root or pointer.rsplit("/", 2)[-2] == "properties":
        yield pointer, typed.get(pointer), pointer, schema
    for name in schema.get("properties") or {}:
        yield from _schema_tree(
            data, join_pointer(pointer, "properties", name), typed, is_root=False
        )
    for keyword in _SUBSCHEMA_LISTS:
        for index, part in enumerate(schema.get(keyword) or []):
            if isinstance(part, dict):
                yield from _schema_tree(
                    data, join_pointer(pointer, keyword, index), typed, is_root=False
                )
    for keyword in _SUBSCHEMAS:
        if isinstance(schema.get(keyword), dict):
            yield from _schema_tree(data, join_pointer(pointer, keyword), typed, is_root=False)


def _is_media_schema(tokens: list[str]) -> bool:
    return (
        len(tokens) >= 3
        and tokens[-1] == "schema"
        and tokens[-3] == "content"
        and is_json_media(tokens[-2])
    )


def _walk(
    value: Any, pointer: str, wanted: Any, tokens: list[str] | None = None
) -> Iterator[tuple[str, Any]]:
    """Every (pointer, node) below `value` whose path of tokens `wanted` accepts."""
    tokens = tokens or []
    if isinstance(value, dict):
        if wanted(tokens):
            yield pointer, value
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return
    for key, child in children:
        yield from _walk(child, join_pointer(pointer, key), wanted, [*tokens, str(key)])


def _at(data: Any, pointer: str) -> dict[str, Any]:
    """The object at `pointer` ({} when there is none)."""
    node = data
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = (
            node[int(token)]
            if isinstance(node, list)
            else node.get(token, {})
            if isinstance(node, dict)
            else {}
        )
    return node if isinstance(node, dict) else {}


# --- validity --------------------------------------------------------------------------------------------------------


class _Checker:
    """Validates examples against their schema in the root document, in the OpenAPI dialect of its version."""

    def __init__(self, root: Document) -> None:
        is_31 = str(root.data.get("openapi", "")).startswith("3.1")
        specification = DRAFT202012 if is_31 else DRAFT4
        resource = Resource.from_contents(root.data, default_specification=specification)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._validator = OAS31Validator if is_31 else OAS30Validator
        self._formats = oas31_format_checker if is_31 else oas30_format_checker

    def problem(self, schema_pointer: str | None, value: Any) -> str | None:
        if schema_pointer is None:
            return None  # a media type without a schema accepts anything
        schema = {"$ref": f"{_SPEC_URI}#{quote(schema_pointer, safe='/~')}"}
        validator = self._validator(schema, registry=self._registry, format_checker=self._formats)
        errors = sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))
        if not errors:
            return None
        where = "".join(f"/{token}" for token in errors[0].absolute_path)
        return f"#{where}: {errors[0].message[:200]}"

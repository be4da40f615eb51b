"""Paths and operations -> IR operations: parameters, bodies, responses, security and pagination."""

from __future__ import annotations

import builtins
import re
from typing import Any, Literal, NamedTuple

from generator import ir
from generator.naming import Claim, assign_unique, snake_case, spelled_claim
from generator.translate.context import Node, Report, text
from generator.translate.schemas import SchemaConverter

# The path item's fixed method fields; `query` is OpenAPI 3.2's (the HTTP QUERY method: a GET with a body).
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "OPTIONS", "HEAD", "TRACE", "QUERY"})
# Suffixes of the functions generated next to each operation; an operation name may not collide with them.
DERIVED_SUFFIXES = tuple(
    suffix for suffix in ir.CALL_VARIANTS + ir.PAGINATION_VARIANTS + ir.STREAM_VARIANTS if suffix
)
_LOCATIONS = ("path", "query", "querystring", "header", "cookie")
# Keyword arguments every endpoint function takes besides the spec's parameters, and the one builtin its body
# calls (an optional body is tested with `isinstance`). Its own locals start with "_", which no spec name does.
_RESERVED_ARGUMENTS = frozenset({"client", "options", "self", "cls", "body", "isinstance"})
# Module-level names of an API module besides the operations': builtins its annotations and code use (all of
# them, so that a template using one more never breaks a spec), `annotations` (bound by the `__future__` import)
# and `datetime` (imported for annotations). Union decoders, imported too, are all named `decode_...`: an
# operation whose name starts so is escaped as well.
_RESERVED_FUNCTIONS = frozenset(
    name for name in dir(builtins) if name.islower() and not name.startswith("_")
) | {"annotations", "datetime"}
_DECODER_PREFIX = "decode_"
# RFC 9110 token: what a header or cookie name may be. Anything else fails at request time, on every call.
_HTTP_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def is_http_token(name: str) -> bool:
    return _HTTP_TOKEN.match(name) is not None


_PAGINATION_STYLES: tuple[ir.PaginationStyle, ...] = (
    "token",
    "cursor",
    "offset",
    "page",
    "next_url",
)
# The response property each style reads the next page from (offsets and page numbers come from the request).
_NEXT_KEYS: dict[ir.PaginationStyle, str] = {
    "token": "next_token",
    "cursor": "next_token",
    "next_url": "next_url",
}


# Media types whose body is a sequence of items, read as it arrives.
_STREAM_FORMATS: dict[str, Literal["events", "json_lines", "json_seq"]] = {
    "text/event-stream": "events",
    "application/jsonl": "json_lines",
    "application/x-ndjson": "json_lines",
    "application/x-jsonlines": "json_lines",
    "application/json-seq": "json_seq",
}


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _is_json(content_type: str) -> bool:
    media = _media(content_type)
    return media == "application/json" or media.endswith("+json")


def _media_rank(content_type: str) -> int:
    """Which request/response representation the client uses when several are offered (lower is preferred)."""
    media = _media(content_type)
    if _is_json(media):
        return 0
    if media == "application/x-www-form-urlencoded":
        return 1
    if media.startswith("multipart/"):
        return 2
    if media in _STREAM_FORMATS:
        return 3
    if media.startswith("text/"):
        return 4
    return 5


def _body_kind(content_type: str) -> ir.BodyKind:
    return ("json", "form", "multipart", "binary", "text", "binary")[_media_rank(content_type)]


def _unshadowing(name: str) -> str:
    """An operation's function name that shadows nothing its module imports or uses: `list` -> `op_list`."""
    if name in _RESERVED_FUNCTIONS or name.startswith(_DECODER_PREFIX):
        return f"op_{name}"
    return name


class OperationBuilder:
    def __init__(self, schemas: SchemaConverter, report: Report) -> None:
        self._schemas = schemas
        self._report = report

    def function_names(self, operations: list[tuple[Node, str, str]]) -> dict[str, str]:
        """Function name per operation pointer, unique with room for the derived `_async`/`_raw`... variants."""
        wanted = []
        for node, method, path in operations:
            operation_id = text(node.mapping(), "operationId")
            name = snake_case(operation_id or f"{method}_{path}", fallback="operation")
            wanted.append((node.pointer, _unshadowing(name), 0 if operation_id else 1))
        derived = {name + suffix for _, name, _ in wanted for suffix in DERIVED_SUFFIXES}
        # A name equal to another operation's derived name (`list_raw` beside `list`) gets a suffix of its own:
        # the variants of `list` are spelled by the templates and cannot move.
        claims = [
            Claim(pointer, name + "_op" if name in derived else name, pointer, rank)
            for pointer, name, rank in wanted
        ]
        return assign_unique(claims)

    def build(
        self, node: Node, path_item: Node, method: str, path: str, function_name: str
    ) -> ir.Operation:
        """`method` is sent as given: upper case for the fixed fields, as spelled for `additionalOperations`."""
        spec = node.mapping()
        parameters = self._parameters(node, path_item)
        body = self._body(node)
        listed = spec.get("tags")
        tags = (
            tuple(tag for tag in listed if isinstance(tag, str)) if isinstance(listed, list) else ()
        )
        if spec.get("callbacks"):
            self._report.warn(node.child("callbacks"), "callbacks are not generated")
        return ir.Operation(
            function_name=function_name,
            module="",
            origin=ir.Origin(node.doc.display, node.pointer),
            method=method,
            path=path,
            summary=text(spec, "summary"),
            description=text(spec, "description"),
            parameters=parameters,
            body=body,
            responses=self._responses(node),
            security=(),
            deprecated=spec.get("deprecated") is True,
            idempotent=method in IDEMPOTENT_METHODS,
            pagination=None,
            tags=tags,
        )

    # --- parameters -----------------------------------------------------------------------------------------------

    def _parameters(self, node: Node, path_item: Node) -> tuple[ir.Parameter, ...]:
        declared: dict[tuple[str, str], Node] = {}
        for owner in (path_item, node):  # operation-level parameters override path-level ones
            listed = owner.get("parameters")
            if listed is None or not isinstance(listed.value, list):
                continue
            for index in range(len(listed.value)):
                param = self._schemas.resolve(listed.child(index))
                spec = param.mapping()
                location = text(spec, "in")
                if location not in _LOCATIONS or not text(spec, "name"):
                    continue
                if location == "header" and spec["name"].lower() in (
                    "accept",
                    "content-type",
                    "authorization",
                ):
                    continue  # OpenAPI says these are ignored: the client sets them
                if location in ("header", "cookie") and not is_http_token(spec["name"]):
                    message = f"{location} name {spec['name']!r} is not a valid HTTP token; parameter not generated"
                    self._report.warn(param, message)
                    continue
                declared[(location, spec["name"])] = param
        claims = [
            spelled_claim(key, snake_case(key[1], fallback="param"), f"{key[0]}:{key[1]}", key[1])
            for key in declared
        ]
        py_names = assign_unique(claims, taken=_RESERVED_ARGUMENTS)
        built = [self._parameter(param, py_names[key]) for key, param in declared.items()]
        # Required first, then by wire name: a stable order whatever the spec's order.
        return tuple(
            sorted(built, key=lambda p: (not p.required, p.has_default, p.location, p.wire_name))
        )

    def _parameter(self, param: Node, py_name: str) -> ir.Parameter:
        spec = param.mapping()
        location = spec["in"]
        schema_node = param.get("schema")
        if location == "querystring":
            schema_node = self._querystring_schema(param)
        if schema_node is None:
            self._report.warn(
                param, "parameter without `schema` (content-based parameters) is sent as a string"
            )
            param_type: ir.TypeExpr = ir.Primitive("str")
            schema: dict[str, Any] = {}
        else:
            param_type = self._schemas.convert(schema_node)
            schema = self._schemas.resolve(schema_node).mapping()
        style = text(spec, "style") or ("simple" if location in ("path", "header") else "form")
        explode = spec.get("explode", style == "form")
        return ir.Parameter(
            wire_name=spec["name"],
            py_name=py_name,
            location=location,
            type=param_type,
            required=location == "path" or spec.get("required") is True,
            description=text(spec, "description") or text(schema, "description"),
            default=schema.get("default"),
            has_default="default" in schema,
            style=style,
            explode=explode is True,
            deprecated=spec.get("deprecated") is True,
        )

    def _querystring_schema(self, param: Node) -> Node | None:
        """The schema of an OpenAPI 3.2 `in: querystring` parameter: the whole query string, one typed value.

        It is sent form-encoded (nested objects deepObject-style, lists repeated), as a form body would be."""
        content = param.get("content")
        if content is None or not content.mapping():
            return None
        media_type = min(content.mapping())
        if media_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            self._report.warn(
                content.child(media_type),
                f"a {media_type} query string is sent as application/x-www-form-urlencoded",
            )
        return content.child(media_type).get("schema")

    # --- bodies ---------------------------------------------------------------------------------------------------

    def _body(self, node: Node) -> ir.RequestBody | None:
        holder = node.get("requestBody")
        if holder is None:
            return None
        body = self._schemas.resolve(holder)
        content = body.get("content")
        if content is None or not content.mapping():
            return None
        content_type = min(content.mapping(), key=lambda media: (_media_rank(media), media))
        media = content.child(content_type)
        kind, body_type = self._body_type(media, content_type)
        parts = self._part_encodings(media) if kind == "multipart" else _PartEncodings()
        return ir.RequestBody(
            py_name="body",
            content_type=content_type,
            kind=kind,
            type=body_type,
            required=body.mapping().get("required") is True,
            description=text(body.mapping(), "description"),
            example=self._example(media),
            part_encodings=parts.part_encodings,
            prefix_encodings=parts.prefix_encodings,
            item_encoding=parts.item_encoding,
        )

    def _body_type(self, media: Node, content_type: str) -> tuple[ir.BodyKind, ir.TypeExpr]:
        """How a body is sent and what the function takes: a JSON sequence with an `itemSchema` (3.2) item by
        item, text and binary content as `str` / `bytes | File`, the rest by its schema."""
        item_schema = media.get("itemSchema")
        sequence = _STREAM_FORMATS.get(_media(content_type))
        if item_schema is not None:
            if sequence == "json_lines" or sequence == "json_seq":
                return sequence, self._schemas.convert(item_schema)
            message = (
                f"itemSchema of a {content_type} request body is not used: it is sent as given"
            )
            self._report.warn(item_schema, message)
        kind = _body_kind(content_type)
        if kind in ("binary", "text"):
            self._check_unstructured(media, content_type)
            return kind, ir.Primitive("file" if kind == "binary" else "str")
        schema = media.get("schema")
        return kind, self._schemas.convert(schema) if schema is not None else ir.ANY

    def _part_encodings(self, media: Node) -> _PartEncodings:
        """The multipart fields of `ir.RequestBody`: `encoding` by property, and for an array body (positional
        parts: `multipart/mixed`...) 3.2's `prefixEncoding` by position and `itemEncoding` for the rest."""
        encoding = media.mapping().get("encoding")
        named = (
            (str(name), self._part_encoding(media.child("encoding", name)))
            for name in sorted(encoding if isinstance(encoding, dict) else {}, key=str)
        )
        by_name = tuple(pair for pair in named if pair[1] != ir.PartEncoding())
        prefix, item = media.get("prefixEncoding"), media.get("itemEncoding")
        if prefix is None and item is None:
            return _PartEncodings(by_name)
        schema = media.get("schema")
        if schema is None or self._schemas.resolve(schema).mapping().get("type") != "array":
            message = "prefixEncoding/itemEncoding describe the parts of an array body; not used"
            self._report.warn(media, message)
            return _PartEncodings(by_name)
        positions = range(len(prefix.value)) if prefix and isinstance(prefix.value, list) else ()
        return _PartEncodings(
            by_name,
            tuple(self._part_encoding(media.child("prefixEncoding", i)) for i in positions),
            self._part_encoding(item) if item is not None else None,
        )

    def _part_encoding(self, node: Node) -> ir.PartEncoding:
        """An Encoding Object: its content type when it names one type (not a list, not a range such as
        `image/*`), and its headers whose schema fixes a value (Content-Type is `contentType`'s)."""
        spec = node.mapping()
        for nested in ("encoding", "prefixEncoding", "itemEncoding"):
            if nested in spec:
                message = "the encoding of a multipart part nested in a part is not used"
                self._report.warn(node.child(nested), message)
        declared = text(spec, "contentType").strip()
        single = "" if any(char in declared for char in ",*") else declared
        headers = spec.get("headers")
        fixed = []
        for name in sorted(headers if isinstance(headers, dict) else {}, key=str):
            header = self._schemas.resolve(node.child("headers", name))
            schema = header.get("schema")
            value = _fixed_value(self._schemas.resolve(schema).mapping() if schema else {})
            if value is not None and str(name).lower() != "content-type":
                fixed.append((str(name), value))
        return ir.PartEncoding(single, tuple(fixed))

    def _example(self, media: Node) -> ir.JsonValue:
        """The media type's `example`, else its first `examples` entry (refs followed)."""
        if "example" in media.mapping():
            return media.mapping()["example"]  # type: ignore[no-any-return]
        examples = media.get("examples")
        for name in examples.mapping() if examples else {}:
            value = self._schemas.resolve(examples.child(name)).mapping()  # type: ignore[union-attr]
            if "value" in value:
                return value["value"]  # type: ignore[no-any-return]
        return None

    # --- responses ------------------------------------------------------------------------------------------------

    def _responses(self, node: Node) -> tuple[ir.Response, ...]:
        holder = node.get("responses")
        if holder is None:
            return ()
        responses = []
        for status in sorted(holder.mapping(), key=str):
            response = self._schemas.resolve(holder.child(status))
            responses.append(self._response(_status(str(status)), response))
        return tuple(responses)

    def _response(self, status: str, response: Node) -> ir.Response:
        description = text(response.mapping(), "description")
        content = response.get("content")
        if content is None or not content.mapping():
            return ir.Response(status, "", "empty", None, description)
        content_type = min(content.mapping(), key=lambda media: (_media_rank(media), media))
        rank = _media_rank(content_type)
        stream_format = _STREAM_FORMATS.get(_media(content_type))
        if stream_format is not None:
            stream = self._stream(content.child(content_type), stream_format)
            return ir.Response(status, content_type, "stream", None, description, stream)
        if rank != 0:
            self._check_unstructured(content.child(content_type), content_type)
        if rank == 4:
            return ir.Response(status, content_type, "text", ir.Primitive("str"), description)
        if rank != 0:
            return ir.Response(status, content_type, "binary", ir.Primitive("bytes"), description)
        schema = content.child(content_type).get("schema")
        response_type = self._schemas.convert(schema) if schema is not None else ir.ANY
        return ir.Response(status, content_type, "json", response_type, description)

    def _stream(
        self, media: Node, format: Literal["events", "json_lines", "json_seq"]
    ) -> ir.ItemStream:
        """The items of a streamed body, from `itemSchema` (OpenAPI 3.2); without one, raw events or any JSON."""
        item = media.get("itemSchema")
        if format != "events":
            item_type = self._schemas.convert(item) if item else ir.ANY
            return ir.ItemStream(format, item_type)
        if item is None:
            return ir.ItemStream(format, ir.ANY, (ir.EventData("", ir.Primitive("str"), False),))
        # itemSchema describes each event as an object: `data`, `event`, `id`, `retry`; a `oneOf` (or `anyOf`)
        # whose branches fix `event` to a constant types each kind of event on its own.
        resolved = self._schemas.resolve(item)
        kinds = [ir.EventData("", *self._event_data(resolved))]
        for keyword in ("oneOf", "anyOf"):
            branches = resolved.get(keyword)
            for index in range(
                len(branches.value) if branches and isinstance(branches.value, list) else 0
            ):
                branch = self._schemas.resolve(branches.child(index))  # type: ignore[union-attr]
                name = _event_name(branch)
                if name is None:
                    self._report.warn(
                        branch, "an event kind without a constant `event` is not typed apart"
                    )
                elif name not in {kind.event for kind in kinds}:
                    kinds.append(ir.EventData(name, *self._event_data(branch)))
        return ir.ItemStream(format, ir.ANY, tuple(kinds))

    def _event_data(self, event: Node) -> tuple[ir.TypeExpr, bool]:
        """The type of an event's `data` and whether it is JSON: a JSON `contentSchema`, else a non-string
        schema, else text."""
        properties = event.get("properties")
        data = properties.get("data") if properties else None
        if data is None:
            return ir.Primitive("str"), False
        resolved = self._schemas.resolve(data)
        content_schema = resolved.get("contentSchema")
        if content_schema is not None and _is_json(text(resolved.mapping(), "contentMediaType")):
            return self._schemas.convert(content_schema), True
        if resolved.mapping().get("type", "string") == "string":
            return ir.Primitive("str"), False
        return self._schemas.convert(data), True

    def _check_unstructured(self, media: Node, content_type: str) -> None:
        """Text and binary content is passed through as `str`/`bytes`; warn when the spec describes a structure
        (an XML document, say) that the client therefore does not decode or encode."""
        schema = media.get("schema")
        resolved = self._schemas.resolve(schema).mapping() if schema is not None else {}
        if (
            resolved.get("type") in ("object", "array")
            or "properties" in resolved
            or "items" in resolved
        ):
            self._report.warn(
                media,
                f"{content_type} content is passed as raw text or bytes; its schema is not used",
            )

    # --- pagination -----------------------------------------------------------------------------------------------

    def pagination(
        self, node: Node, operation: ir.Operation, models: dict[str, ir.Model]
    ) -> ir.Pagination | None:
        """Read `x-pagination` (docs/pagination.md); everything it names must exist in the spec, or it is ignored
        with a warning."""
        holder = node.get("x-pagination")
        if holder is None:
            return None
        spec = holder.mapping()
        name = text(spec, "style")
        style = next((known for known in _PAGINATION_STYLES if known == name), None)
        if style is None:
            supported = ", ".join(_PAGINATION_STYLES)
            self._report.warn(
                holder, f"x-pagination: style {name!r} is not generated; supported: {supported}"
            )
            return None
        # next_url pages are addressed by the URL alone: no request parameter.
        parameter = text(spec, f"{style}_parameter") if style != "next_url" else ""
        by_wire = {
            param.wire_name: param for param in operation.parameters if param.location == "query"
        }
        pages = [r.type for r in operation.success_responses if isinstance(r.type, ir.ModelRef)]
        problem = ""
        if style != "next_url" and parameter not in by_wire:
            problem = f"query parameter {parameter!r} ({style}_parameter) is not declared"
        elif style in ("offset", "page") and by_wire[parameter].type != ir.Primitive("int"):
            problem = f"{style}_parameter {parameter!r} must be an integer"
        elif not pages:
            problem = "the operation has no JSON object response to page through"
        if problem:
            self._report.warn(holder, f"x-pagination: {problem}; no page iterators generated")
            return None
        page = models[pages[0].name]
        next_key = _NEXT_KEYS.get(style)
        keys = (next_key, "has_more", "items") if next_key else ("has_more", "items")
        paths: dict[str, tuple[tuple[str, ...], ir.TypeExpr]] = {}
        for key in keys:
            if key == "has_more" and not text(spec, key):
                continue
            found = _attribute_path(page, text(spec, key), models)
            if found is None:
                self._report.warn(
                    holder,
                    f"x-pagination: {key} {text(spec, key)!r} is not a property of {page.name}",
                )
                return None
            paths[key] = found
        items_path, items_type = paths["items"]
        items_type = _strip_nullable(items_type)
        if not isinstance(items_type, ir.ListOf):
            self._report.warn(holder, "x-pagination: items must name an array property")
            return None
        if style == "next_url" and _strip_nullable(paths["next_url"][1]) != ir.Primitive("str"):
            self._report.warn(holder, "x-pagination: next_url must name a string property")
            return None
        return ir.Pagination(
            style=style,
            request_parameter=by_wire[parameter].py_name if parameter else "",
            next_value=paths[next_key][0] if next_key else (),
            has_more=paths["has_more"][0] if "has_more" in paths else (),
            items=items_path,
            item_type=items_type.item,
        )


class _PartEncodings(NamedTuple):
    part_encodings: tuple[tuple[str, ir.PartEncoding], ...] = ()
    prefix_encodings: tuple[ir.PartEncoding, ...] = ()
    item_encoding: ir.PartEncoding | None = None


def _fixed_value(schema: dict[str, Any]) -> str | None:
    """The one value a header's schema allows (`const`, a one-value `enum`), else its `default`, as text."""
    enum = schema.get("enum")
    if "const" in schema:
        value = schema["const"]
    elif isinstance(enum, list) and len(enum) == 1:
        value = enum[0]
    elif "default" in schema:
        value = schema["default"]
    else:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else None


def _event_name(branch: Node) -> str | None:
    """The event name a `oneOf` branch of an event `itemSchema` fixes with `const` (or a one-value `enum`)."""
    properties = branch.get("properties")
    event = properties.get("event") if properties else None
    spec = event.mapping() if event else {}
    values = [spec["const"]] if "const" in spec else spec.get("enum")
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return values[0]
    return None


def _strip_nullable(expr: ir.TypeExpr) -> ir.TypeExpr:
    """The type without its nullability (an optional nullable property is nullable twice)."""
    while isinstance(expr, ir.Nullable):
        expr = expr.inner
    return expr


def _attribute_path(
    model: ir.Model, dotted: str, models: dict[str, ir.Model]
) -> tuple[tuple[str, ...], ir.TypeExpr] | None:
    """`"a.b"` (wire names) -> (("a", "b") attribute names, type of the last one), through nested models."""
    names: list[str] = []
    current: ir.TypeExpr = ir.ModelRef(model.name)
    for wire in dotted.split(".") if dotted else []:
        # Only the last step may be optional or nullable: `page.a.b` must type-check without guards.
        if not isinstance(current, ir.ModelRef) or current.name not in models:
            return None
        field = next((f for f in models[current.name].fields if f.wire_name == wire), None)
        if field is None:
            return None
        names.append(field.py_name)
        current = field.type if field.required else ir.Nullable(field.type)
    return (tuple(names), current) if names else None


def _status(status: str) -> str:
    """`2xx` -> `2XX`; `default` stays as the runtime spells it (`ir.DEFAULT_STATUS`)."""
    return ir.DEFAULT_STATUS if status.lower() == ir.DEFAULT_STATUS else status.upper()

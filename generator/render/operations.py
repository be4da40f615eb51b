"""Views of API modules: one per tag, each holding the endpoint functions of its operations."""

from __future__ import annotations

from dataclasses import dataclass

from generator import ir
from generator.quoting import py_literal, py_tuple
from generator.render.docs import docstring, origin_line, section
from generator.render.imports import Imports, add_annotation_imports
from generator.render.runtime import raised_error
from generator.render.types import TypeRenderer, optional_annotation

_BODY_CLASSES = {
    "json": "JsonBody",
    "form": "FormBody",
    "multipart": "MultipartBody",
    "binary": "BinaryBody",
    "text": "TextBody",
    "json_lines": "JsonSequenceBody",
    "json_seq": "JsonSequenceBody",
}


@dataclass(frozen=True, slots=True)
class ArgView:
    py_name: str
    annotation: str
    default: str  # "" when the argument is required
    async_annotation: str = (
        ""  # the async functions' annotation where it differs (JSON sequence bodies)
    )

    def annotation_for(self, is_async: bool) -> str:
        """The annotation in a sync or an async function (the request builder takes the async one, the wider)."""
        return self.async_annotation if is_async and self.async_annotation else self.annotation


@dataclass(frozen=True, slots=True)
class ParamView:
    wire_literal: str
    py_name: str
    extra: str  # `, style=..., explode=...` when not the location's default


@dataclass(frozen=True, slots=True)
class PaginationView:
    follows: (
        str  # what the pages follow, for the docstring: "`starting_token`", "the `links.next` URL"
    )
    first: str  # the first page's token: the page argument, or the operation's request (next_url)
    token_annotation: str
    next_annotation: str  # what the next-token function returns: the token type or None
    fetch: str  # `_fetch`'s expression over `_token` (the page's response model), sync
    fetch_async: str  # the same, async
    item_annotation: str
    next_token: str  # expression over `page`
    items: str  # expression over `page`


@dataclass(frozen=True, slots=True)
class StreamView:
    """A streamed success response: the type of its items and the `_streaming.StreamFormat` reading them."""

    item_annotation: str
    format: str


@dataclass(frozen=True, slots=True)
class OperationView:
    function_name: str
    endpoint: str
    doc: str
    args: list[ArgView]
    call_args: list[str]  # `a=a` forwarding every argument, one per line
    returns: str
    name_literal: str
    method_literal: str
    path_literal: str
    success: list[tuple[str, str]]
    errors: list[tuple[str, str]]
    idempotent: bool
    security: str
    path_params: list[ParamView]
    query: list[ParamView]
    querystring: str  # the argument holding the whole query string (OpenAPI 3.2), or ""
    headers: list[ParamView]
    cookies: list[ParamView]
    body: str
    pagination: PaginationView | None
    stream: StreamView | None  # the function returns a `_streaming.Stream` of items
    download: bool  # a binary body: `_stream` variants return it as a `_streaming.ByteStream`

    @property
    def public_functions(self) -> list[str]:
        """The names of the functions the template writes for this operation (each also `_async`)."""
        variants: tuple[str, ...] = ir.CALL_VARIANTS
        variants += ir.STREAM_VARIANTS if self.download else ()
        variants += ir.PAGINATION_VARIANTS if self.pagination else ()
        return [self.function_name + variant for variant in variants]


@dataclass(frozen=True, slots=True)
class ApiModuleView:
    imports: list[str]
    doc: str
    operations: list[OperationView]


def api_module_view(
    operations: list[ir.Operation], types: TypeRenderer, tag: str, client_classes: tuple[str, str]
) -> ApiModuleView:
    imports = Imports()
    imports.add("..", "_http")
    imports.add(".._client", *client_classes)
    imports.add(".._http", "RequestOptions")
    views = []
    for operation in operations:
        views.append(_operation_view(operation, types, imports))
    return ApiModuleView(imports.lines(), docstring(f"Operations tagged {tag!r}."), views)


def _operation_view(
    operation: ir.Operation, types: TypeRenderer, imports: Imports
) -> OperationView:
    exprs = [param.type for param in operation.parameters]
    exprs += [operation.body.type] if operation.body else []
    exprs += [response.type for response in operation.responses if response.type is not None]
    exprs += [operation.pagination.item_type] if operation.pagination else []
    stream = _stream(operation)
    exprs += _stream_types(stream) if stream else []
    for expr in exprs:
        for name in sorted(types.referenced(expr)):
            imports.add(f"..models.{types.named[name].module}", name)
        for module, name in types.decoder_imports(expr):
            imports.add(f"..models.{module}", name)
    add_annotation_imports(imports, types, exprs)
    args = arguments(operation, types)
    if any(arg.async_annotation for arg in args):
        imports.add("collections.abc", "AsyncIterable", "Iterable")
    if any(arg.default == "UNSET" for arg in args):
        imports.add(".._codec", "UNSET", "Unset")
    success, errors = _responses(operation, types)
    decoders = [decoder for _, decoder in success + errors]
    decoders += [_stream_view(stream, types).format] if stream else []
    if any("_codec." in decoder for decoder in decoders):
        imports.add("..", "_codec")
    # A streamed body is not parsed by the endpoint: its type parameter is None.
    returns = "None" if stream else return_annotation(operation, types)
    endpoint = "_" + operation.function_name.upper()
    pagination = _pagination(operation, args, types, endpoint)
    if pagination is not None:
        imports.add("..", "_codec", "_pagination")
        imports.add("collections.abc", "AsyncIterator", "Iterator")
    by_location = {
        location: [_param_view(p) for p in operation.parameters if p.location == location]
        for location in ("path", "query", "header", "cookie")
    }
    download = any(r.kind == "binary" for r in _success_responses(operation))
    stream_view = _stream_view(stream, types) if stream else None
    if stream_view or download:
        imports.add("..", "_streaming")
    imports.add(".._http", "ApiResponse")  # for the `_raw` variants
    if stream is not None:
        # Servers of event streams and JSON sequences commonly answer only when asked for one.
        accept = next(r.content_type for r in _success_responses(operation) if r.stream)
        by_location["header"].insert(0, ParamView(py_literal("Accept"), py_literal(accept), ""))
    return OperationView(
        function_name=operation.function_name,
        endpoint=endpoint,
        doc=_operation_doc(operation),
        args=args,
        call_args=[f"{arg.py_name}={arg.py_name}" for arg in args],
        returns=returns,
        name_literal=py_literal(operation.function_name),
        method_literal=py_literal(operation.method),
        path_literal=py_literal(operation.path),
        success=success,
        errors=errors,
        idempotent=operation.idempotent,
        security=_security_literal(operation.security),
        path_params=by_location["path"],
        query=by_location["query"],
        querystring=next(
            (p.py_name for p in operation.parameters if p.location == "querystring"), ""
        ),
        headers=by_location["header"],
        cookies=by_location["cookie"],
        body=_body_expression(operation.body),
        pagination=pagination,
        stream=stream_view,
        download=download,
    )


def _stream_types(stream: ir.ItemStream) -> list[ir.TypeExpr]:
    return [kind.type for kind in stream.events] if stream.format == "events" else [stream.item]


def _stream_view(stream: ir.ItemStream, types: TypeRenderer) -> StreamView:
    if stream.format != "events":
        item = types.annotation(stream.item)
        return StreamView(item, f"_streaming.{stream.format}({types.decoder(stream.item)})")
    data = " | ".join(dict.fromkeys(types.annotation(kind.type) for kind in stream.events))
    readers = [
        _streaming_data(kind, types) if kind.json else "_streaming.text_data"
        for kind in stream.events
    ]
    by_event = ", ".join(
        f"{py_literal(kind.event)}: {reader}"
        for kind, reader in zip(stream.events[1:], readers[1:], strict=True)
    )
    arguments = readers[0] + (f", {{{by_event}}}" if by_event else "")
    return StreamView(f"_streaming.ServerSentEvent[{data}]", f"_streaming.events({arguments})")


def _streaming_data(kind: ir.EventData, types: TypeRenderer) -> str:
    return f"_streaming.json_data({types.decoder(kind.type)})"


def _security_literal(security: tuple[ir.SecurityRequirement, ...]) -> str:
    """`({"oauth": ("read",), "key": ()}, {})`: the alternatives, each scheme with its scopes."""

    def scopes(names: tuple[str, ...]) -> str:
        return py_tuple([py_literal(name) for name in names])

    return py_tuple(
        [
            "{" + ", ".join(f"{py_literal(name)}: {scopes(s)}" for name, s in req.schemes) + "}"
            for req in security
        ]
    )


def _exploded_call(callee: str, args: list[str], indent: int) -> str:
    """`callee(args)` laid out as black keeps it after a magic trailing comma: one argument a line, the call
    on a line that starts `indent` columns in."""
    pad = " " * indent
    return f"{callee}(\n" + "".join(f"{pad}    {arg},\n" for arg in args) + f"{pad})"


def return_annotation(operation: ir.Operation, types: TypeRenderer) -> str:
    """What an endpoint function returns (also what `oapigen diff` compares)."""
    stream = _stream(operation)
    if stream is not None:
        return f"_streaming.Stream[{_stream_view(stream, types).item_annotation}]"
    annotations = (_response_annotation(r, types) for r in _success_responses(operation))
    return " | ".join(dict.fromkeys(annotations)) or "None"


def _stream(operation: ir.Operation) -> ir.ItemStream | None:
    return next((r.stream for r in _success_responses(operation) if r.stream), None)


def arguments(operation: ir.Operation, types: TypeRenderer) -> list[ArgView]:
    """An endpoint function's keyword arguments, required first (also what `oapigen diff` compares)."""
    required, optional = [], []
    for param in operation.parameters:
        annotation = types.annotation(param.type)
        default = types.default(param.type, param.default) if param.has_default else None
        if default is not None:
            optional.append(ArgView(param.py_name, annotation, default))
        elif param.required:
            required.append(ArgView(param.py_name, annotation, ""))
        else:
            optional.append(ArgView(param.py_name, optional_annotation(annotation), "UNSET"))
    body = operation.body
    if body is not None:
        annotation = types.annotation(body.type)
        async_annotation = ""
        if body.kind in ir.SEQUENCE_BODY_KINDS:  # items, sent one record at a time
            annotation, async_annotation = (
                f"Iterable[{annotation}]",
                f"Iterable[{annotation}] | AsyncIterable[{annotation}]",
            )
        if body.required:
            required.append(ArgView(body.py_name, annotation, "", async_annotation))
        else:
            optional.append(
                ArgView(
                    body.py_name,
                    optional_annotation(annotation),
                    "UNSET",
                    async_annotation and optional_annotation(async_annotation),
                )
            )
    return required + optional


def _param_view(param: ir.Parameter) -> ParamView:
    default_style = "simple" if param.location in ("path", "header") else "form"
    default_explode = default_style == "form"
    extra = ""
    if param.style != default_style or param.explode != default_explode:
        extra = f", style={py_literal(param.style)}, explode={param.explode!r}"
    return ParamView(py_literal(param.wire_name), param.py_name, extra)


def _body_expression(body: ir.RequestBody | None) -> str:
    if body is None:
        return ""
    content_type = (
        "" if body.kind in ("json", "form", "multipart") else f", {py_literal(body.content_type)}"
    )
    if body.kind == "multipart":
        content_type = _multipart_arguments(body)
    expression = f"_http.{_BODY_CLASSES[body.kind]}({body.py_name}{content_type})"
    if body.required:
        return expression
    return f"None if isinstance({body.py_name}, Unset) else {expression}"


def _multipart_arguments(body: ir.RequestBody) -> str:
    """`_http.MultipartBody`'s arguments after the value: the encodings by property, by position, the rest."""
    arguments = ""
    # No magic trailing commas: a line that fits stays one line, as black keeps it; one that does not is
    # laid out by black (see generator/layout.py).
    if body.part_encodings:
        by_name = ", ".join(f"{py_literal(n)}: {_encoding(e)}" for n, e in body.part_encodings)
        arguments += f", {{{by_name}}}"
    if body.prefix_encodings:
        arguments += f", prefix={py_tuple([_encoding(e) for e in body.prefix_encodings])}"
    if body.item_encoding is not None:
        arguments += f", items={_encoding(body.item_encoding)}"
    if isinstance(body.type, ir.ListOf):  # positional parts, sent as the media type says
        arguments += f", media_type={py_literal(body.content_type)}"
    return arguments


def _encoding(encoding: ir.PartEncoding) -> str:
    content_type = py_literal(encoding.content_type) if encoding.content_type else "None"
    if not encoding.headers:
        return f"_http.Encoding({content_type})"
    headers = py_tuple([py_tuple([py_literal(n), py_literal(v)]) for n, v in encoding.headers])
    return f"_http.Encoding({content_type}, {headers})"


def _success_responses(operation: ir.Operation) -> tuple[ir.Response, ...]:
    success = operation.success_responses
    if success:
        return success
    # No 2xx declared: a `default` response describes success too, else the body is ignored.
    return tuple(
        ir.Response("2XX", r.content_type, r.kind, r.type, r.description)
        for r in operation.responses
        if r.status == ir.DEFAULT_STATUS
    ) or (ir.Response("2XX", "", "empty", None, ""),)


def _response_annotation(response: ir.Response, types: TypeRenderer) -> str:
    return "None" if response.type is None else types.annotation(response.type)


def _body_decoder(response: ir.Response, types: TypeRenderer) -> str:
    if response.kind == "json" and response.type is not None:
        return f"_http.json_body({types.decoder(response.type)})"
    return {"text": "_http.text_body()", "binary": "_http.binary_body()"}.get(
        response.kind, "_http.empty_body()"
    )


def _responses(
    operation: ir.Operation, types: TypeRenderer
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    # A streamed body is read by the function's `_streaming.Stream`, not decoded by the endpoint.
    success = [
        (
            py_literal(r.status),
            _body_decoder(r, types),
        )
        for r in _success_responses(operation)
        if r.stream is None
    ]
    errors = [
        (py_literal(r.status), _body_decoder(r, types))
        for r in operation.responses
        if not r.is_success and (r.kind != "empty")
    ]
    return success, errors


def _operation_doc(operation: ir.Operation) -> str:
    args = [(param.py_name, _param_text(param)) for param in operation.parameters]
    if operation.body is not None:
        args.append(
            (
                operation.body.py_name,
                operation.body.description or f"The request body ({operation.body.content_type}).",
            )
        )
    args.append(("options", "Per-call overrides of timeout, retries and headers."))
    returns = [(r.status, r.description) for r in operation.success_responses]
    raises = [
        (raised_error(r.status), f"{r.status}: {r.description}".strip())
        for r in operation.responses
        if not r.is_success
    ]
    raises.append(
        ("APIError", "any other failure: connection, timeout, unexpected status or body.")
    )
    deprecated = "Deprecated." if operation.deprecated else ""
    return docstring(
        operation.summary,
        operation.description,
        deprecated,
        f"`{operation.method} {operation.path}`",
        section("Args", args),
        section("Returns", returns),
        section("Raises", raises),
        origin_line(operation.origin),
        indent=4,
    )


def _param_text(param: ir.Parameter) -> str:
    text = param.description or (
        "The whole query string."
        if param.location == "querystring"
        else f"The {param.location} parameter {param.wire_name!r}."
    )
    if param.deprecated:
        text = "Deprecated. " + text
    if param.has_default:
        text += f" Default: {py_literal(param.default)}."
    return text


def _pagination(
    operation: ir.Operation, args: list[ArgView], types: TypeRenderer, endpoint: str
) -> PaginationView | None:
    pagination = operation.pagination
    if pagination is None:
        return None
    name = operation.function_name
    items = f"_{name}_items(page)"
    if pagination.style == "next_url":
        # The token is the page's request: the operation's own for the first page, then a GET of the next URL.
        url = ".".join(pagination.next_value)
        next_token = f"_pagination.next_url(_codec.present(page.{url}))"
        send = f"client.send({endpoint}, _token, options)"
        call_args = ", ".join(f"{arg.py_name}={arg.py_name}" for arg in args)
        view = {
            "follows": f"the `{url}` URL",
            "first": f"_{name}_request({call_args})",
            "token_annotation": "_http.Request",
            "fetch": f"{send}.parsed",
            "fetch_async": f"(await {send}).parsed",
        }
    else:
        token = next(arg for arg in args if arg.py_name == pagination.request_parameter)
        if pagination.style == "offset":
            next_token = f"_pagination.next_offset(token, {items})"
        elif pagination.style == "page":
            # Without a declared default, page numbers are taken to start at 1 (docs/pagination.md).
            first = token.default if token.default.isdigit() else "1"
            next_token = f"_pagination.next_page_number(token, {items}, first={first})"
        else:
            next_token = f"_codec.present(page.{'.'.join(pagination.next_value)})"
        fetch_args = [
            "client",
            *(f"{arg.py_name}={'_token' if arg is token else arg.py_name}" for arg in args),
            "options=options",
        ]
        view = {
            "follows": f"`{token.py_name}`",
            "first": token.py_name,
            "token_annotation": token.annotation,
            "fetch": _exploded_call(name, fetch_args, indent=8),
            "fetch_async": "await " + _exploded_call(f"{name}_async", fetch_args, indent=8),
        }
    if pagination.has_more:
        next_token = f"{next_token} if page.{'.'.join(pagination.has_more)} is True else None"
    annotation = view["token_annotation"]
    return PaginationView(
        **view,
        next_annotation=annotation if annotation.endswith(" | None") else f"{annotation} | None",
        item_annotation=types.annotation(pagination.item_type),
        next_token=next_token,
        items=f"_codec.present(page.{'.'.join(pagination.items)}) or []",
    )

"""Building requests and parsing responses, with no I/O.

An operation is an `Endpoint`: its method, path template, and the decoders of its declared responses.
`Endpoint.build` serializes the arguments into a `Request` (what goes on the wire, before the client adds
credentials and its defaults); `Endpoint.parse` turns an `httpx.Response` into an `ApiResponse` or raises the
matching error from `errors`.

Response bodies decode leniently unless the client is strict (see `_codec`): where a body differs from the spec
the raw value is kept, `ApiResponse.drift` lists each place, and each (operation, place) is logged once at WARNING
on the package's logger, naming the spec's property names and the JSON kinds only, never a value.

Parameters follow the OpenAPI serialization rules (RFC 6570 semantics): `UNSET` and `None` values, empty lists and
empty objects are left out, booleans are `true`/`false`, enums their value, dates ISO 8601.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
import threading
import urllib.parse
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Generic, NamedTuple, TypeVar

import httpx

from . import _codec
from ._auth import Security
from ._codec import UNSET, DecodeError, Drift, File, TypeLike, Unset
from ._uploads import Content, RecordContent, StreamedContent
from .errors import APIStatusError, ResponseValidationError, raw_body, request_id_of, status_error

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "QUERY"})
REDACTED = "REDACTED"

_SENSITIVE = re.compile(
    r"auth|cookie|api[-_]?key|token|secret|passw|session|signature|credential", re.IGNORECASE
)
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP field name (RFC 9110)
_NO_VALUES: Mapping[str, object] = MappingProxyType({})
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
# Printable ASCII except what ends or quotes a cookie value, and "%" so that percent-encoded values decode
# unambiguously. The comma stays: it is form style's delimiter (`ids=1,2`), as in the OpenAPI examples.
_COOKIE_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '";\\%')

log = logging.getLogger(__name__.rsplit(".", 1)[0])


def is_sensitive(name: str) -> bool:
    """Whether a header or query parameter name looks like it carries a secret (its value is never logged)."""
    return name.lower() == "key" or _SENSITIVE.search(name) is not None


# --- Parameters --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Param:
    """A query, header or cookie parameter and how the spec says to serialize it."""

    name: str
    value: object = field(repr=False)
    style: str = "form"
    explode: bool = True


def _absent(value: object) -> bool:
    return value is None or isinstance(value, Unset)


def _text(value: object) -> str | None:
    """An encoded (JSON) value as parameter text; None for null/UNSET. Nested arrays and objects become JSON."""
    if _absent(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _texts(values: list[object]) -> list[str]:
    return [text for text in map(_text, values) if text is not None]


def _pairs(data: Mapping[str, object]) -> list[tuple[str, str]]:
    return [(key, text) for key, value in data.items() if (text := _text(value)) is not None]


def _flatten(prefix: str, value: object) -> Iterator[tuple[str, str]]:
    """deepObject-style keys: `{"a": {"b": 1}, "c": [1, 2]}` -> `a[b]=1`, `c=1`, `c=2` (lists repeat their key)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{prefix}[{key}]", item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(prefix, item)
    elif (text := _text(value)) is not None:
        yield prefix, text


def _query_pairs(param: Param) -> list[tuple[str, str]]:
    value = _codec.encode(param.value, request=True)
    if param.style == "deepObject":
        return list(_flatten(param.name, value))
    delimiter = _DELIMITERS.get(param.style)
    if delimiter is None:
        raise ValueError(f"query parameter {param.name!r}: unsupported style {param.style!r}")
    if isinstance(value, list):
        items = _texts(value)
        if not items:
            return []
        return (
            [(param.name, item) for item in items]
            if param.explode
            else [(param.name, delimiter.join(items))]
        )
    if isinstance(value, dict):
        pairs = _pairs(value)
        if not pairs or param.explode:
            return pairs
        return [(param.name, delimiter.join(part for pair in pairs for part in pair))]
    text = _text(value)
    return [] if text is None else [(param.name, text)]


def _header_value(param: Param) -> str | None:
    value = _codec.encode(param.value, request=True)
    if isinstance(value, list):
        text: str | None = ",".join(_texts(value)) or None
    elif isinstance(value, dict):
        pairs = _pairs(value)
        parts = (
            [f"{key}={item}" for key, item in pairs]
            if param.explode
            else [part for p in pairs for part in p]
        )
        text = ",".join(parts) or None
    else:
        text = _text(value)
    if text is not None:
        _check_header_value(text, f"header parameter {param.name!r}")
    return text


def _cookie_pairs(param: Param) -> list[tuple[str, str]]:
    pairs = _query_pairs(Param(param.name, param.value, "form", param.explode))
    return [(name, urllib.parse.quote(value, safe=_COOKIE_SAFE)) for name, value in pairs]


def render_path(template: str, values: Mapping[str, object]) -> str:
    """Fill a path template; each value becomes exactly one segment.

    Values are percent-encoded with no safe characters, so `../admin?x=1#y` cannot leave its segment, add a query
    or a fragment. A segment that would read `.` or `..` raises `ValueError`: servers and proxies resolve one as a
    relative path (encoded as `%2E` too, RFC 3986 6.2.2.2), so there is no way to send it as a value. The
    template's own text is encoded too, keeping `/`, `%` escapes and sub-delimiters: a spec's path cannot add a
    query, a fragment or a control character either.
    """
    names = _PLACEHOLDER.findall(template)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValueError(f"{template}: unknown path parameter(s) {', '.join(unknown)}")

    def segment(name: str) -> str:
        value = _codec.encode(values.get(name, UNSET), request=True)
        if isinstance(value, Unset):
            raise ValueError(f"{template}: missing path parameter {name!r}")
        if isinstance(value, list):
            parts = _texts(value)
        elif isinstance(value, dict):
            parts = [part for pair in _pairs(value) for part in pair]
        else:
            parts = [text] if (text := _text(value)) is not None else []
        result = ",".join(urllib.parse.quote(part, safe="") for part in parts)
        if not result:
            raise ValueError(f"{template}: path parameter {name!r} must not be empty")
        return result

    pieces = _PLACEHOLDER.split(template)  # literal text and placeholder names, alternating
    path = "".join(
        segment(piece) if index % 2 else _quote_template_text(piece)
        for index, piece in enumerate(pieces)
    )
    if any(urllib.parse.unquote(part) in (".", "..") for part in path.split("/")):
        raise ValueError(
            f"{template}: a path parameter makes a '.' or '..' segment, which cannot be sent"
        )
    return path


def _quote_template_text(text: str) -> str:
    return urllib.parse.quote(text, safe="/%:@!$&'()*+,;=")


# --- Bodies ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JsonBody:
    """`application/json`: the value written with `_codec.encode(value, request=True)` (read-only fields left out)."""

    value: object = field(repr=False)

    def render(self) -> tuple[bytes, str]:
        return _json_text(_codec.encode(self.value, request=True)).encode(), "application/json"


def _json_text(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True, slots=True)
class JsonSequenceBody:
    """`application/jsonl`, `application/x-ndjson` (a JSON text and LF per item) or `application/json-seq`
    (RFC 7464: RS, the JSON text, LF): an iterable of items (an async one for the async client), each encoded
    like a JSON body when it is sent, one chunk per record (see `_uploads.RecordContent`).

    An item that does not have the declared type raises `EncodeError` with its index as the first step
    (`$[3].text`) and the request is abandoned (the items before it may have reached the server)."""

    items: Iterable[object] | AsyncIterable[object] = field(repr=False)
    content_type: str = "application/jsonl"

    def render(self) -> tuple[RecordContent, str]:
        separator = (
            "\x1e" if self.content_type.split(";")[0].strip() == "application/json-seq" else ""
        )

        def record(index: int, item: object) -> bytes:
            try:
                data = _codec.encode(item, request=True)
            except _codec.EncodeError as error:
                error.steps.append(index)
                raise
            return f"{separator}{_json_text(data)}\n".encode()

        return RecordContent(self.items, record), self.content_type


@dataclass(frozen=True, slots=True)
class FormBody:
    """`application/x-www-form-urlencoded`: nested objects get deepObject-style keys (`a[b]=1`), lists repeat."""

    value: object = field(repr=False)

    def render(self) -> tuple[bytes, str]:
        pairs = _form_pairs(self.value, "form body")
        return urllib.parse.urlencode(pairs).encode("ascii"), "application/x-www-form-urlencoded"


def _form_pairs(value: object, what: str) -> list[tuple[str, str]]:
    """An object as form fields: nested objects with deepObject-style keys (`a[b]=1`), lists repeated."""
    data = _codec.encode(value, request=True)
    if not isinstance(data, dict):
        raise TypeError(f"a {what} must be an object, got {type(value).__name__}")
    return [pair for key, item in data.items() for pair in _flatten(key, item)]


class Encoding(NamedTuple):
    """How the spec says to send a multipart part (an Encoding Object: `encoding` by property, 3.2
    `prefixEncoding` / `itemEncoding` by position): its content type, and headers of fixed value."""

    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


_NO_ENCODING: Final = Encoding()


@dataclass(frozen=True, slots=True)
class MultipartBody:
    """A multipart body. An object is `multipart/form-data`, one named part per property (a list gives one part
    per item) sent as `encodings[property]` says. An array (3.2 positional parts: `multipart/mixed`...) gives one
    unnamed part per item, sent as `prefix[index]` says, past the prefix as `items` says.

    A file is a `File`, `bytes`, `(filename, bytes)` or `(filename, bytes, content_type)`; a `File` of a path or
    a file object is streamed, not read into memory. Objects and arrays become JSON, other values text; `None`
    and `UNSET` are left out. A part's content type is the `File`'s, else the declared one, else
    `application/octet-stream` for a file, `application/json` for JSON, none (text/plain) for text. Its headers
    are the declared ones, then the `File`'s own. A form-data file part's filename defaults to the property name.
    """

    value: object = field(repr=False)
    encodings: Mapping[str, Encoding] = field(default_factory=dict)
    prefix: tuple[Encoding, ...] = ()
    items: Encoding = _NO_ENCODING
    media_type: str = "multipart/form-data"

    def render(self) -> tuple[bytes | StreamedContent, str]:
        data = _codec.encode(self.value, request=True)
        if isinstance(data, list):
            encodings = itertools.chain(self.prefix, itertools.repeat(self.items))
            parts = [_multipart_part(None, item, next(encodings)) for item in data]
        elif isinstance(data, dict):
            parts = [
                _multipart_part(name, item, self.encodings.get(name, _NO_ENCODING))
                for name, value in data.items()
                for item in (
                    value if isinstance(value, list) and _as_file(value) is None else [value]
                )
            ]
        else:
            raise TypeError(
                f"a multipart body must be an object or an array, got {type(self.value).__name__}"
            )
        boundary = secrets.token_hex(16)
        pieces: list[bytes | File] = []
        for part in parts:
            if part:
                pieces += [f"--{boundary}\r\n".encode(), *part, b"\r\n"]
        pieces.append(f"--{boundary}--\r\n".encode())
        content_type = f"{self.media_type}; boundary={boundary}"
        if all(isinstance(piece, bytes) for piece in pieces):
            return b"".join(piece for piece in pieces if isinstance(piece, bytes)), content_type
        return StreamedContent(pieces), content_type


def _as_file(value: object) -> File | None:
    if isinstance(value, File):
        return value
    if isinstance(value, bytes):
        return File(value)
    if isinstance(value, list | tuple) and len(value) in (2, 3) and isinstance(value[1], bytes):
        filename, content, *rest = value
        content_type = rest[0] if rest else None
        if isinstance(filename, str | None) and isinstance(content_type, str | None):
            return File(content, filename, content_type)
    return None


def _quote_disposition(text: str) -> str:
    return text.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def _multipart_part(name: str | None, value: object, encoding: Encoding) -> list[bytes | File]:
    """A part's head and content (a `File` to stream, or bytes); empty for a value left out. Form-data parts
    are named; positional ones (`name` None) carry a disposition only for a named file."""
    file = _as_file(value)
    if file is not None:
        filename = file.name or name
        head = _part_head(
            _disposition(name, filename),
            file.content_type or encoding.content_type or "application/octet-stream",
            {**dict(encoding.headers), **file.headers},
        )
        content = file.content
        return [head, content if isinstance(content, bytes) else file]
    if isinstance(value, dict | list):
        content_type: str | None = encoding.content_type or "application/json"
        body = _json_text(value)
    else:
        content_type = encoding.content_type
        text = _text(value)
        if text is None:
            return []
        body = text
    head = _part_head(_disposition(name, None), content_type, dict(encoding.headers))
    return [head + body.encode()]


def _disposition(name: str | None, filename: str | None) -> str | None:
    quoted = None if filename is None else f'filename="{_quote_disposition(filename)}"'
    if name is None:
        return None if quoted is None else f"attachment; {quoted}"
    named = f'form-data; name="{_quote_disposition(name)}"'
    return named if quoted is None else f"{named}; {quoted}"


def _part_head(
    disposition: str | None, content_type: str | None, headers: Mapping[str, str]
) -> bytes:
    fields = {"Content-Disposition": disposition, "Content-Type": content_type, **headers}
    lines = []
    for header, value in fields.items():
        if value is None:
            continue
        if not _TOKEN.match(header):
            raise ValueError(f"a multipart part header name is not a token: {header!r}")
        _check_header_value(value, f"the part header {header!r}")
        lines.append(f"{header}: {value}\r\n")
    return ("".join(lines) + "\r\n").encode()


def _check_header_value(value: str, what: str) -> None:
    if any(char in value for char in "\r\n\0"):
        raise ValueError(f"{what} contains a line break or NUL")


@dataclass(frozen=True, slots=True)
class BinaryBody:
    """Raw bytes, or a `File` streamed as it is read, sent as they are."""

    content: bytes | File = field(repr=False)
    content_type: str = "application/octet-stream"

    def render(self) -> tuple[bytes | StreamedContent, str]:
        if isinstance(self.content, bytes):
            return self.content, self.content_type
        content_type = self.content.content_type or self.content_type
        _check_header_value(content_type, "the content type of the body")
        if isinstance(self.content.content, bytes):
            return self.content.content, content_type
        return StreamedContent([self.content]), content_type


@dataclass(frozen=True, slots=True)
class TextBody:
    """Text, sent UTF-8 encoded with the given content type."""

    text: str = field(repr=False)
    content_type: str = "text/plain"

    def render(self) -> tuple[bytes, str]:
        return self.text.encode(), self.content_type


Body = JsonBody | JsonSequenceBody | FormBody | MultipartBody | BinaryBody | TextBody


# --- Requests ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Request:
    """What goes on the wire for one call, before the client adds credentials, its headers and the base URL.

    `path` is already percent-encoded; `query` values are not (httpx encodes them). With `link` (see
    `link_request`), `path` is a URL a response linked to, absolute or relative, that the client resolves against
    its base URL instead of appending it.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    content: bytes | Content | None
    content_type: str | None
    link: bool = False

    def __repr__(self) -> str:
        query = [(name, REDACTED if is_sensitive(name) else value) for name, value in self.query]
        headers = [
            (name, REDACTED if is_sensitive(name) else value) for name, value in self.headers
        ]
        size = "None" if not isinstance(self.content, bytes) else f"<{len(self.content)} bytes>"
        if isinstance(self.content, Content):
            size = repr(self.content)
        return (
            f"Request(method={self.method!r}, path={self.path!r}, query={query!r}, headers={headers!r}, "
            f"content={size}, content_type={self.content_type!r}, link={self.link!r})"
        )


def link_request(url: str) -> Request:
    """A GET of a URL a response links to (the next page of `next_url` paging): the URL without its query or
    fragment in `path`, its query in `query`. The client resolves it against its base URL, and refuses one on
    another origin (see `_base_client`)."""
    parts = urllib.parse.urlsplit(url)
    if any(char in url for char in "\r\n\0"):
        raise ValueError("a linked URL must not contain a line break or NUL")
    reference = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = tuple(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    return Request("GET", reference, query, (), None, None, link=True)


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Per-call overrides; every field defaults to "use the client's setting".

    `timeout=None` means no timeout; `deadline` (seconds for the whole call, retries included; see `Limits`)
    `None` means none. `idempotency_key` is sent in the client's idempotency header (default `Idempotency-Key`)
    and makes a POST or PATCH safe to retry.
    """

    timeout: float | httpx.Timeout | Unset | None = UNSET
    max_retries: int | Unset = UNSET
    deadline: float | Unset | None = UNSET
    extra_headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    extra_query: Mapping[str, str] = field(default_factory=dict, repr=False)
    idempotency_key: str | None = None


# --- Responses ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class ApiResponse(Generic[T]):
    """A successful response: the decoded body in `parsed`, and the raw response for everything else.

    `drift` lists where the body differs from the spec (empty when it conforms); at each of those places `parsed`
    holds the raw JSON value instead of the declared type (see `_codec.Drift`)."""

    status_code: int
    headers: httpx.Headers
    parsed: T
    request_id: str | None
    http_response: httpx.Response
    drift: tuple[Drift, ...] = ()

    @classmethod
    def of(
        cls, response: httpx.Response, parsed: T, drift: tuple[Drift, ...] = ()
    ) -> ApiResponse[T]:
        """The success `response` with its body as `parsed`."""
        return cls(
            status_code=response.status_code,
            headers=response.headers,
            parsed=parsed,
            request_id=request_id_of(response.headers),
            http_response=response,
            drift=drift,
        )

    def __repr__(self) -> str:
        # No headers: responses carry Set-Cookie and similar.
        return f"ApiResponse(status_code={self.status_code}, request_id={self.request_id!r}, parsed={self.parsed!r})"


Decoded = tuple[T, tuple[Drift, ...]]


class BodyDecoder(Generic[T_co]):
    """Reads one declared response body: the value and its drift. Strict reading raises `DecodeError` at the first
    mismatch; lenient reading raises it only for a body that is not JSON at all (or nested too deeply).
    """

    __slots__ = ("_read", "kind")

    def __init__(self, read: Callable[[httpx.Response, bool], Decoded[T_co]], kind: str) -> None:
        self._read = read
        self.kind = kind

    def decode(self, response: httpx.Response, *, strict: bool = False) -> Decoded[T_co]:
        return self._read(response, strict)

    def __repr__(self) -> str:
        return f"BodyDecoder({self.kind})"


def json_body(kind: TypeLike[T]) -> BodyDecoder[T]:
    def read(response: httpx.Response, strict: bool) -> Decoded[T]:
        if not response.content:
            raise DecodeError("$", "expected a JSON body, got an empty body")
        try:
            value = json.loads(response.content)
        except ValueError:
            raise DecodeError("$", "the body is not valid JSON") from None
        except RecursionError:
            raise DecodeError("$", "the body is nested too deeply to decode") from None
        return _codec.decode(kind, value, strict=strict)

    return BodyDecoder(read, "json")


def _plain(read: Callable[[httpx.Response], T]) -> Callable[[httpx.Response, bool], Decoded[T]]:
    return lambda response, strict: (read(response), ())


def text_body() -> BodyDecoder[str]:
    return BodyDecoder(_plain(lambda response: response.text), "text")


def binary_body() -> BodyDecoder[bytes]:
    return BodyDecoder(_plain(lambda response: response.content), "binary")


def empty_body() -> BodyDecoder[None]:
    """No body is declared; any body the server sends anyway is ignored."""
    return BodyDecoder(_plain(lambda response: None), "empty")


# (operation, shape of the path) already logged; bounded so that a long-lived process cannot grow it forever.
_LOGGED: set[tuple[str, str]] = set()
_LOGGED_LOCK = threading.Lock()
_MAX_LOGGED = 10_000


def log_drift(operation: str, drift: Sequence[Drift]) -> None:
    """Log each place a response differs from the spec once per operation, at WARNING, without values."""
    for record in drift:
        key = (operation, record.shape)
        with _LOGGED_LOCK:
            if key in _LOGGED or len(_LOGGED) >= _MAX_LOGGED:
                continue
            _LOGGED.add(key)
        log.warning(
            "%s: the response differs from the spec at %s: expected %s, got %s (kept as received)",
            operation,
            record.shape,
            record.declared,
            record.arrived,
        )


# --- Endpoints ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[T]):
    """One operation. Write `X: Endpoint[Model] = Endpoint(...)`: on Python 3.11 `Endpoint[Model](...)` fails
    (a CPython bug with frozen, slotted generic dataclasses).

    Response matching, in `parse`: the exact status (`"404"`), then its range (`"4XX"`), in `success` before
    `errors`. When neither is declared, a 2xx status is a success decoded with `success["default"]`, or else the
    first success decoder (the operation did succeed, and the caller expects its result type); any other status is
    an error decoded with `errors["default"]` when declared. The generator puts `"default"` in `success` only when
    the spec declares no 2xx response, so that is how such operations read their result.
    """

    name: str
    method: str
    path: str
    success: Mapping[str, BodyDecoder[T]]
    errors: Mapping[str, BodyDecoder[object]]
    idempotent: bool
    security: Security

    def build(
        self,
        *,
        path: Mapping[str, object] = _NO_VALUES,
        query: Sequence[Param] = (),
        querystring: object = UNSET,
        headers: Sequence[Param] = (),
        cookies: Sequence[Param] = (),
        body: Body | None = None,
    ) -> Request:
        """Serialize the arguments. Raises `ValueError` for a missing or empty path parameter, an unknown
        parameter style, or a header value with a line break. `querystring` (OpenAPI 3.2) is an object sent as
        the whole query string, form-encoded like `FormBody`; `query` parameters follow it."""
        header_pairs: list[tuple[str, str]] = []
        for param in headers:
            value = _header_value(param)
            if value is not None:
                header_pairs.append((param.name, value))
        cookie_pairs = [pair for param in cookies for pair in _cookie_pairs(param)]
        if cookie_pairs:
            header_pairs.append(
                ("Cookie", "; ".join(f"{name}={value}" for name, value in cookie_pairs))
            )
        content, content_type = body.render() if body is not None else (None, None)
        return Request(
            method=self.method,
            path=render_path(self.path, path),
            query=(
                *([] if _absent(querystring) else _form_pairs(querystring, "query string")),
                *(pair for param in query for pair in _query_pairs(param)),
            ),
            headers=tuple(header_pairs),
            content=content,
            content_type=content_type,
        )

    def parse(self, response: httpx.Response, *, strict: bool = False) -> ApiResponse[T]:
        """The decoded success response; raises `APIStatusError` (a subclass per status) for an error status and
        `ResponseValidationError` when a success body is not JSON, or with `strict` does not match the spec.
        """
        status = response.status_code
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx"):
            if key in self.success:
                return self._success(response, self.success[key], strict)
            if key in self.errors:
                raise self._error(response, self.errors[key])
        if 200 <= status < 300:
            decoder = self.success.get("default") or next(iter(self.success.values()), None)
            if decoder is None:
                raise ResponseValidationError(
                    f"{self.name}: no response is declared for status {status}",
                    path="$",
                    endpoint=self.name,
                    response=response,
                )
            return self._success(response, decoder, strict)
        raise self._error(response, self.errors.get("default"))

    def _success(
        self, response: httpx.Response, decoder: BodyDecoder[T], strict: bool
    ) -> ApiResponse[T]:
        try:
            parsed, drift = decoder.decode(response, strict=strict)
        except DecodeError as error:
            request_id = request_id_of(response.headers)
            where = f", request id {request_id}" if request_id else ""
            raise ResponseValidationError(
                f"{self.name}: the {response.status_code} response from {self.method} {self.path}{where} "
                f"does not match the spec at {error.path}: {error.message}",
                path=error.path,
                endpoint=self.name,
                response=response,
            ) from error
        if drift:
            log_drift(self.name, drift)
        return ApiResponse.of(response, parsed, drift)

    def _error(
        self, response: httpx.Response, decoder: BodyDecoder[object] | None
    ) -> APIStatusError:
        # An error body is the declared model when it conforms, else the raw JSON: never half of each.
        body: object = None
        try:
            body = decoder.decode(response, strict=True)[0] if decoder else raw_body(response)
        except DecodeError:
            body = raw_body(response)
        return status_error(f"{self.method} {self.path}", response, body)

"""The intermediate representation: what the client will contain, with every name already decided.

Plain immutable data. Types refer to models, enums and unions by class name (never by object), so recursive and
mutually recursive schemas need no back-pointers. Strings from the spec are kept raw here; rendering quotes them.
Nothing in this module knows about Jinja, black or the disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]

# "file": binary content sent as is (`format: binary`, a non-text `contentMediaType`, an octet-stream body): bytes,
# or a file streamed from disk when uploaded. "bytes": a binary response body.
PrimitiveKind = Literal["str", "int", "float", "bool", "date", "datetime", "bytes", "file", "any"]


# --- Types -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Primitive:
    """A JSON scalar, a formatted string decoded to a Python type, raw bytes, or any JSON value."""

    kind: PrimitiveKind


@dataclass(frozen=True, slots=True)
class Const:
    """Exactly one JSON scalar value (`const`, or a one-value enum that is not worth a class)."""

    value: bool | int | float | str | None


@dataclass(frozen=True, slots=True)
class ListOf:
    item: TypeExpr


@dataclass(frozen=True, slots=True)
class MapOf:
    """A JSON object used as a dictionary (`additionalProperties` with a schema, no fixed properties)."""

    value: TypeExpr


@dataclass(frozen=True, slots=True)
class ModelRef:
    name: str


@dataclass(frozen=True, slots=True)
class EnumRef:
    name: str


@dataclass(frozen=True, slots=True)
class UnionRef:
    name: str


@dataclass(frozen=True, slots=True)
class Nullable:
    """`inner` or JSON null (3.0 `nullable`, a 3.1 type array with "null", or a union member `{type: null}`)."""

    inner: TypeExpr


TypeExpr = Primitive | Const | ListOf | MapOf | ModelRef | EnumRef | UnionRef | Nullable

ANY = Primitive("any")


# --- Named types -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a named thing comes from, for docstrings and diagnostics: `spec/x.yaml#/components/schemas/Pet`."""

    file: str
    pointer: str


@dataclass(frozen=True, slots=True)
class Field:
    wire_name: str
    py_name: str
    type: TypeExpr
    required: bool
    description: str
    default: JsonValue = None
    has_default: bool = False
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Model:
    """An object schema, rendered as a dataclass with `from_dict`/`to_dict`.

    `extra` types the values of properties the schema does not name; they are always kept and written back, so a
    client built today round-trips payloads carrying fields the API adds tomorrow.
    """

    name: str
    module: str
    origin: Origin
    title: str
    description: str
    fields: tuple[Field, ...]
    extra: TypeExpr
    deprecated: bool = False
    request_of: str = (
        ""  # for the request form of a schema (`PetRequest`), the response form's name (`Pet`)
    )


@dataclass(frozen=True, slots=True)
class EnumMember:
    py_name: str
    value: str | int | float | bool


@dataclass(frozen=True, slots=True)
class EnumType:
    """An enum; values the spec does not list still parse (the API may add some) and round-trip."""

    name: str
    module: str
    origin: Origin
    description: str
    members: tuple[EnumMember, ...]
    value_kind: Literal["str", "int", "float", "mixed"]


@dataclass(frozen=True, slots=True)
class Discriminator:
    """`default` is the model of 3.2's `defaultMapping` ("" without one): it decodes an object whose property is
    absent or names no mapped model. Without a default such an object stays raw, with a drift record."""

    property: str
    mapping: tuple[tuple[str, str], ...]  # (wire value, model name), in spec order
    default: str = ""


@dataclass(frozen=True, slots=True)
class Union:
    """oneOf/anyOf (or a type array of several types), rendered as a type alias plus a decoder.

    Variants are tried in order when there is no discriminator; the builder orders them so the most specific
    shapes come first.
    """

    name: str
    module: str
    origin: Origin
    description: str
    variants: tuple[TypeExpr, ...]
    discriminator: Discriminator | None
    request_of: str = (
        ""  # for the request form of a schema, the response form's name (as on `Model`)
    )


# --- Operations ------------------------------------------------------------------------------------------------------

ParamLocation = Literal["path", "query", "querystring", "header", "cookie"]
# "json_lines" / "json_seq": a JSON sequence (3.2 `itemSchema`), sent item by item; `type` types one item.
BodyKind = Literal["json", "form", "multipart", "binary", "text", "json_lines", "json_seq"]
SEQUENCE_BODY_KINDS: tuple[BodyKind, ...] = ("json_lines", "json_seq")


@dataclass(frozen=True, slots=True)
class Parameter:
    wire_name: str
    py_name: str
    location: ParamLocation
    type: TypeExpr
    required: bool
    description: str
    default: JsonValue = None
    has_default: bool = False
    style: str = "form"
    explode: bool = True
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class PartEncoding:
    """How a multipart part is sent (an Encoding Object): its content type ("" for the default of its value) and
    the headers whose value the spec fixes (`const`, a one-value `enum`, or a `default`), in name order."""

    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RequestBody:
    py_name: str
    content_type: str
    kind: BodyKind
    type: TypeExpr
    required: bool
    description: str
    example: JsonValue = None  # the spec's example payload, for the generated README
    # multipart: each property's part (`encoding`); an array body's parts by position (3.2 `prefixEncoding`),
    # then for the rest (3.2 `itemEncoding`).
    part_encodings: tuple[tuple[str, PartEncoding], ...] = ()
    prefix_encodings: tuple[PartEncoding, ...] = ()
    item_encoding: PartEncoding | None = None


@dataclass(frozen=True, slots=True)
class EventData:
    """How the `data` of one kind of server-sent event decodes: `event` names the kind ("" for any other kind),
    `json` says the data is JSON text of `type` (else it is `str`)."""

    event: str
    type: TypeExpr
    json: bool


@dataclass(frozen=True, slots=True)
class ItemStream:
    """A response body read as a sequence of items (OpenAPI 3.2 `itemSchema`).

    `events` (server-sent events) has the default kind first, then the named kinds; `item` types each record of
    JSON Lines / NDJSON / JSON text sequences.
    """

    format: Literal["events", "json_lines", "json_seq"]
    item: TypeExpr
    events: tuple[EventData, ...] = ()


@dataclass(frozen=True, slots=True)
class Response:
    """One declared response. `status` is "200", "2XX" or `DEFAULT_STATUS`; `type` is None for an empty body and
    for a stream, whose items `stream` describes."""

    status: str
    content_type: str
    kind: Literal["json", "text", "binary", "empty", "stream"]
    type: TypeExpr | None
    description: str
    stream: ItemStream | None = None

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")


# The functions generated for an operation, as suffixes of its function name: every operation gets the call
# variants, a paginated one the pagination variants too. The builder reserves these names, the renderer exports them.
PLAIN_VARIANTS = ("", "_async")
# With the `ApiResponse` (status, headers, drift); a streaming operation's holds its stream, whose items carry drift.
RAW_VARIANTS = ("_raw", "_raw_async")
CALL_VARIANTS = PLAIN_VARIANTS + RAW_VARIANTS
PAGINATION_VARIANTS = ("_iter", "_iter_async", "_pages", "_pages_async")
# Of an operation with a binary response: its body as a `ByteStream`, never held in memory.
STREAM_VARIANTS = ("_stream", "_stream_async")

# The status of the response the spec declares as `default`, as it is spelled in the spec and at run time.
DEFAULT_STATUS = "default"

PaginationStyle = Literal["token", "cursor", "offset", "page", "next_url"]


@dataclass(frozen=True, slots=True)
class Pagination:
    """How an operation pages, from the `x-pagination` extension (see docs/pagination.md).

    Paths are attribute names from the page model down (`("next_starting_token",)`), already checked to exist.
    """

    style: PaginationStyle
    request_parameter: str  # py_name of the parameter that carries the token, cursor, offset or page; "" for next_url
    next_value: tuple[
        str, ...
    ]  # attribute path to the next token, cursor or URL; empty for offset and page
    has_more: tuple[
        str, ...
    ]  # attribute path to a boolean "more pages" flag; empty when the next value decides
    items: tuple[str, ...]  # attribute path to the list of items
    item_type: TypeExpr


# --- Security --------------------------------------------------------------------------------------------------------
# Each scheme carries the `Client(...)` keywords that configure it, as (role, keyword) pairs: the role says what the
# value is ("api_key", "token", "client_id"...), the keyword is its unique Python name in this client.


@dataclass(frozen=True, slots=True)
class ApiKeyScheme:
    """`apiKey`: a secret sent as is in a header, a query parameter or a cookie."""

    name: str  # the key under components/securitySchemes
    location: Literal["header", "query", "cookie"]
    parameter: str  # the header, query parameter or cookie name
    description: str
    keywords: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class BasicScheme:
    """HTTP `basic`: a user name and a password."""

    name: str
    description: str
    keywords: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AuthorizationScheme:
    """Any other HTTP scheme (`digest`, `hoba`, a vendor's): the whole `Authorization` value, as the user gives it."""

    name: str
    http_scheme: str
    description: str
    keywords: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TokenScheme:
    """What ends in a bearer token: HTTP `bearer`, `oauth2` and `openIdConnect`.

    The token is given, comes from a user's provider callable, or (oauth2) is fetched by the client: with client
    credentials at `token_url` (the clientCredentials flow), or with a refresh token at `refresh_url`. An empty URL
    means the spec declares no such flow, and the scheme has no keyword for it.
    """

    name: str
    kind: Literal["bearer", "oauth2", "openIdConnect"]
    token_url: str
    refresh_url: str
    description: str
    keywords: tuple[tuple[str, str], ...]


SecurityScheme = ApiKeyScheme | BasicScheme | AuthorizationScheme | TokenScheme


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """One security requirement object: all of its schemes are sent together, each with the scopes it lists.

    An empty requirement (`{}`) means the operation may be called without credentials.
    """

    schemes: tuple[tuple[str, tuple[str, ...]], ...]  # (scheme name, scopes), in the spec's order


@dataclass(frozen=True, slots=True)
class Operation:
    function_name: str
    module: str
    origin: Origin
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: tuple[Response, ...]
    security: tuple[SecurityRequirement, ...]  # alternatives, in spec order; empty: nothing is sent
    deprecated: bool
    idempotent: bool
    pagination: Pagination | None
    tags: tuple[str, ...]

    @property
    def success_responses(self) -> tuple[Response, ...]:
        return tuple(response for response in self.responses if response.is_success)


@dataclass(frozen=True, slots=True)
class ServerVariable:
    name: str  # as in the URL template's `{name}`
    py_name: str  # the client's keyword argument
    default: str
    enum: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class Server:
    """One entry of `servers`: `name` is the environment a client selects it by (see docs/servers.md)."""

    name: str
    url: str  # the template, `{variable}` placeholders kept
    description: str
    variables: tuple[ServerVariable, ...]

    @property
    def default_url(self) -> str:
        url = self.url
        for variable in self.variables:
            url = url.replace("{" + variable.name + "}", variable.default)
        return url


@dataclass(frozen=True, slots=True)
class Api:
    """The whole client. Every tuple is in a deterministic order (by name)."""

    title: str
    version: str
    description: str
    spec_path: str
    package: str
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    models: tuple[Model, ...]
    enums: tuple[EnumType, ...]
    unions: tuple[Union, ...]
    operations: tuple[Operation, ...]

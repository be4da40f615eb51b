"""Decoding and encoding between JSON values and the generated types, driven by per-type tables.

A type is a `Type` object (`STR`, `ListOf(INT)`, `Nullable(DATETIME)`, a `OneOf` union) or a generated class: a
`Model` subclass, whose fields are listed once in a `Table` (wire name, attribute, type), or an enum. `from_dict`,
`to_dict` and the response decoder all interpret these tables; generated code holds no per-field logic.

Decoding is lenient by default: a value that does not have its declared shape is kept as the raw JSON value (a
missing required field stays `UNSET`), everything around it decodes normally, and a `Drift` record names the JSON
path, what the spec declares and what arrived. Strict decoding raises `DecodeError` at the first mismatch instead.
Either way `to_dict(from_dict(x)) == x` for any JSON object `x`: raw values are written back as they came, and a
date-time keeps the text it arrived as. Encoding for a request (`request=True`) checks every field against its
declared type and raises `EncodeError`: what leaves the client is what the spec declares.

JSON paths are built only when a mismatch is reported: decoders pass a linked path `(parent, key)`, and only for
values that need a decoder of their own. Kept free of dependencies on purpose.
"""

from __future__ import annotations

import datetime
import enum
import keyword
import operator
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    ClassVar,
    Final,
    Generic,
    Literal,
    NamedTuple,
    Self,
    TypeVar,
    cast,
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
E = TypeVar("E", bound=enum.Enum)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NONE_TYPE = type(None)
_new = object.__new__
_SCALARS: frozenset[type] = frozenset({str, int, float, bool, _NONE_TYPE})


class Unset:
    """The type of `UNSET`: a field or argument that is absent, as opposed to present and `None` (JSON null)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:  # lets type checkers narrow `value or default`
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset()


def present(value: T | Unset) -> T | None:
    """`value`, or None when it is UNSET."""
    return None if isinstance(value, Unset) else value


# --- Paths, drift and errors -------------------------------------------------------------------------------------


class MapKey(str):
    """A key of a JSON object used as a dictionary: data, not a name from the spec (logs show it as `[*]`)."""

    __slots__ = ()


# A JSON path as a linked list, root first: `()` is `$`, `(parent, key)` one step down; built only when needed.
Path = tuple[Any, ...]


def child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{key!r}]"


def _steps(path: Path) -> list[str | int]:
    steps: list[str | int] = []
    while path:
        path, key = path
        steps.append(key)
    steps.reverse()
    return steps


def render_path(path: Path) -> str:
    """`$.experiments[3].dataset`."""
    text = "$"
    for key in _steps(path):
        text = child_path(text, key if isinstance(key, int) else str(key))
    return text


def shape_path(path: Path) -> str:
    """The path with list indices and dictionary keys as `[*]`: names only from the spec, never data."""
    text = "$"
    for key in _steps(path):
        text = f"{text}[*]" if isinstance(key, int | MapKey) else child_path(text, key)
    return text


def describe(value: object) -> str:
    """The JSON kind of a value, never the value itself (values can be personal data)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "absent" if isinstance(value, Unset) else type(value).__name__


@dataclass(frozen=True, slots=True)
class Drift:
    """One place where a response differs from the spec: the raw value was kept there.

    `path` is the JSON path (`$.experiments[3].dataset.dataset_id`), `declared` what the spec says (`a string`,
    `ExperimentDataset`), `arrived` the JSON kind that came (`null`, `an object`, `absent`), never the value.
    `shape` is the path with list indices and dictionary keys as `[*]`, safe to log.
    """

    path: str
    declared: str
    arrived: str
    shape: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.declared}, got {self.arrived}"


class DecodeError(ValueError):
    """A JSON value does not have the shape the spec declares (raised by strict decoding)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class EncodeError(TypeError):
    """A value to be sent does not have the type the spec declares. `path` is where, from the request body `$`."""

    def __init__(self, declared: str, value: object) -> None:
        super().__init__()
        self.declared = declared
        self.arrived = describe(value)
        # Filled in reverse while the error rises through the containers.
        self.steps: list[str | int] = []

    @property
    def path(self) -> str:
        text = "$"
        for key in reversed(self.steps):
            text = child_path(text, key)
        return text

    def __str__(self) -> str:
        return f"{self.path}: expected {self.declared}, got {self.arrived}"


class _NoMatch(Exception):
    """A union variant does not accept the value (cheap: no path, no message)."""


class Context:
    """One decoding: strict (raise), lenient (record drift and keep the raw value), or a union's trial."""

    __slots__ = ("drift", "mode")

    def __init__(self, mode: Literal["lenient", "strict", "trial"]) -> None:
        self.mode = mode
        self.drift: list[Drift] = []

    def mismatch(self, path: Path, declared: str, value: object) -> Any:
        """Report a value that does not match; in lenient mode it is returned, to be kept as it is."""
        if self.mode == "trial":
            raise _NoMatch
        arrived = describe(value)
        if self.mode == "strict":
            raise DecodeError(render_path(path), f"expected {declared}, got {arrived}")
        self.drift.append(Drift(render_path(path), declared, arrived, shape_path(path)))
        return value


_TRIAL: Final = Context("trial")


# --- Files -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class File:
    """A file to upload: `content` is bytes, a path, or a binary file object (read from its current position).

    `filename` defaults to the path's name; `content_type` to the content type the spec declares for the part,
    else `application/octet-stream`. `headers` are sent with the file's multipart part, after (and over) those the
    spec fixes for it.
    """

    content: bytes | IO[bytes] | os.PathLike[str] = field(repr=False)
    filename: str | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        if self.filename is not None:
            return self.filename
        return os.path.basename(self.content) if isinstance(self.content, os.PathLike) else None


# --- Types -------------------------------------------------------------------------------------------------------


class Type(Generic[T_co]):
    """How one declared type is read from JSON and written back.

    `identity` holds the Python types whose values decode and encode as themselves (`str` for a string): the
    tables skip the call for those, which is most values. `decode` returns the value, or what `ctx.mismatch`
    returns; `encode` writes a decoded value back, passing a raw (drifted) value through unchanged, and with
    `request` checks the value's type instead (raising `EncodeError`).
    """

    declared: str = "a value"
    identity: frozenset[type] = frozenset()

    def decode(self, value: object, ctx: Context, path: Path) -> T_co:
        raise NotImplementedError

    def encode(self, value: Any, request: bool) -> Any:
        if request and type(value) not in self.identity:
            raise EncodeError(self.declared, value)
        return value


class _Scalar(Type[T]):
    def __init__(self, declared: str, *identity: type) -> None:
        self.declared = declared
        self.identity = frozenset(identity)

    def decode(self, value: object, ctx: Context, path: Path) -> T:
        if type(value) in self.identity:
            return cast(T, value)
        return cast(T, ctx.mismatch(path, self.declared, value))


class _Integer(_Scalar[int]):
    def decode(self, value: object, ctx: Context, path: Path) -> int:
        # 1.0 is an integer in JSON Schema: kept as it came (a float), so that it is written back as it came.
        if type(value) is int or (type(value) is float and value.is_integer()):
            return cast(int, value)
        return cast(int, ctx.mismatch(path, self.declared, value))

    def encode(self, value: Any, request: bool) -> Any:
        if request and type(value) is float and value.is_integer():
            return value
        return super().encode(value, request)


class _Any(Type[Any]):
    declared = "any value"
    identity = _SCALARS

    def decode(self, value: object, ctx: Context, path: Path) -> Any:
        return value

    def encode(self, value: Any, request: bool) -> Any:
        return encode(value, request=request)


class WireDateTime(datetime.datetime):
    """A date-time decoded from JSON that remembers its text, so it is written back as it came
    (`2024-01-01T10:00:00.000+0000` stays that, not `...Z`). Arithmetic and `replace` give new values, which are
    written in RFC 3339 by `format_datetime`."""

    __slots__ = ("wire",)
    wire: str


class WireDate(datetime.date):
    """A date decoded from JSON that remembers its text (see `WireDateTime`)."""

    __slots__ = ("wire",)
    wire: str


class _Temporal(Type[T]):
    def __init__(self, declared: str, cls: type[WireDateTime] | type[WireDate]) -> None:
        self.declared = declared
        self.cls = cls

    def decode(self, value: object, ctx: Context, path: Path) -> T:
        if type(value) is str:
            try:
                parsed = self.cls.fromisoformat(value)
            except ValueError:
                pass
            else:
                parsed.wire = value
                return cast(T, parsed)
        return cast(T, ctx.mismatch(path, self.declared, value))

    def encode(self, value: Any, request: bool) -> Any:
        wire: str | None = getattr(value, "wire", None) if type(value) is self.cls else None
        if wire is not None:  # decoded here and not replaced since: written back as it came
            return wire
        if isinstance(value, datetime.date) and (
            (self.cls is WireDateTime) == isinstance(value, datetime.datetime)
        ):
            return format_datetime(value) if isinstance(value, datetime.datetime) else _date(value)
        if request:
            raise EncodeError(self.declared, value)
        return value


def format_datetime(value: datetime.datetime) -> str:
    """The text it arrived as, else RFC 3339: `Z` for UTC, fractions as milliseconds when that is exact."""
    wire: str | None = getattr(value, "wire", None)
    if wire is not None:
        return wire
    if value.microsecond % 1000 == 0:
        text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    else:
        text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value: datetime.date) -> str:
    wire: str | None = getattr(value, "wire", None)
    return value.isoformat() if wire is None else wire


STR: Final[Type[str]] = _Scalar("a string", str)
INT: Final[Type[int]] = _Integer("an integer", int)
FLOAT: Final[Type[float]] = _Scalar("a number", float, int)
BOOL: Final[Type[bool]] = _Scalar("a boolean", bool)
BYTES: Final[Type[bytes]] = _Scalar("binary content", bytes)
# Binary content to send (`format: binary`): bytes, or a `File` that `_uploads` streams from disk.
FILE: Final[Type[bytes | File]] = _Scalar("binary content or a File", bytes, File)
ANY: Final[Type[Any]] = _Any()
DATETIME: Final[Type[datetime.datetime]] = _Temporal("an RFC 3339 date-time", WireDateTime)
DATE: Final[Type[datetime.date]] = _Temporal("an RFC 3339 full-date", WireDate)


class Const(Type[Any]):
    """Exactly one JSON scalar."""

    def __init__(self, value: bool | int | float | str | None) -> None:
        self.value = value
        self.declared = repr(value)
        self.identity = frozenset({_NONE_TYPE}) if value is None else frozenset()

    def decode(self, value: object, ctx: Context, path: Path) -> Any:
        if value == self.value and type(value) is type(self.value):
            return value
        return ctx.mismatch(path, self.declared, value)

    def encode(self, value: Any, request: bool) -> Any:
        if request and (value != self.value or type(value) is not type(self.value)):
            raise EncodeError(self.declared, value)
        return value


TypeLike = type[T] | Type[T]


class Nullable(Type[T | None]):
    def __init__(self, inner: TypeLike[T]) -> None:
        self.inner = as_type(inner)
        self.declared = f"{self.inner.declared} or null"
        self.identity = self.inner.identity | {_NONE_TYPE}

    def decode(self, value: object, ctx: Context, path: Path) -> T | None:
        return None if value is None else self.inner.decode(value, ctx, path)

    def encode(self, value: Any, request: bool) -> Any:
        return None if value is None else self.inner.encode(value, request)


class ListOf(Type[list[T]]):
    def __init__(self, item: TypeLike[T]) -> None:
        self.item = as_type(item)
        self.declared = "an array"

    def decode(self, value: object, ctx: Context, path: Path) -> list[T]:
        if type(value) is not list:
            return cast("list[T]", ctx.mismatch(path, self.declared, value))
        item = self.item
        identity = item.identity
        if identity and all(type(element) in identity for element in value):
            return list(value)
        return [
            element if type(element) in identity else item.decode(element, ctx, (path, index))
            for index, element in enumerate(value)
        ]

    def encode(self, value: Any, request: bool) -> Any:
        item = self.item
        if not request:
            if type(value) is not list:
                return value
            identity = item.identity
            return [
                element if type(element) in identity else item.encode(element, False)
                for element in value
            ]
        if type(value) not in (list, tuple):
            raise EncodeError(self.declared, value)
        result = []
        for index, element in enumerate(value):
            try:
                result.append(item.encode(element, request))
            except EncodeError as error:
                error.steps.append(index)
                raise
        return result


class MapOf(Type[dict[str, T]]):
    """A JSON object used as a dictionary."""

    def __init__(self, value: TypeLike[T]) -> None:
        self.value = as_type(value)
        self.declared = "an object"

    def decode(self, value: object, ctx: Context, path: Path) -> dict[str, T]:
        if type(value) is not dict:
            return cast("dict[str, T]", ctx.mismatch(path, self.declared, value))
        if self.value is ANY:  # a free-form object: its values are JSON values already
            return dict(value)
        return _decode_entries(self.value, value, ctx, path)

    def encode(self, value: Any, request: bool) -> Any:
        if type(value) is not dict:
            if request:
                raise EncodeError(self.declared, value)
            return value
        return _encode_entries(self.value, value, request)


def _decode_entries(kind: Type[T], data: dict[str, Any], ctx: Context, path: Path) -> dict[str, T]:
    identity = kind.identity
    if all(type(element) in identity for element in data.values()):
        return dict(data)
    return {
        key: (
            element if type(element) in identity else kind.decode(element, ctx, (path, MapKey(key)))
        )
        for key, element in data.items()
    }


def _encode_entries(kind: Type[Any], data: Mapping[str, Any], request: bool) -> dict[str, Any]:
    identity = kind.identity
    result = {}
    for key, element in data.items():
        if type(element) in identity:
            result[key] = element
            continue
        try:
            result[key] = kind.encode(element, request)
        except EncodeError as error:
            error.steps.append(key)
            raise
    return result


class EnumOf(Type[E]):
    """An enum. A value the spec does not list, of the enum's wire type, becomes a pseudo-member (see
    `unknown_member`) and is reported as drift; a value of another type is kept raw."""

    def __init__(self, cls: type[E]) -> None:
        self.cls = cls
        self.declared = f"a {cls.__name__} value"
        self.members: Mapping[object, E] = cast(Mapping[object, E], cls._value2member_map_)

    def decode(self, value: object, ctx: Context, path: Path) -> E:
        member = self.members.get(value) if type(value) in _SCALARS else None
        if member is not None and type(member._value_) is type(value):
            return member
        unknown = unknown_member(self.cls, value)
        kept = ctx.mismatch(
            path, self.declared, value
        )  # not listed: drift, but a pseudo-member is kept
        return cast(E, kept if unknown is None else unknown)

    def encode(self, value: Any, request: bool) -> Any:
        if isinstance(value, self.cls):
            return value._value_
        if request:
            try:
                return self.cls(value)._value_
            except ValueError:
                raise EncodeError(self.declared, value) from None
        return value


def unknown_member(cls: type[E], value: object) -> E | None:
    """Called from an enum's `_missing_`: accept a value of the enum's wire type that the spec does not list.

    APIs add enum values over time; a client must not break on them. The value gets a pseudo-member named
    `UNKNOWN` whose `.value` is the raw wire value, so it is written back exactly as it came.
    """
    wire_type: Any = getattr(cls, "_member_type_", object)  # str for StrEnum, int for IntEnum
    accepted = (str, int, float) if wire_type is object else (wire_type,)
    if isinstance(value, bool) or not isinstance(value, accepted):
        return None
    member: E = object.__new__(cls) if wire_type is object else wire_type.__new__(cls, value)
    member._name_ = "UNKNOWN"
    member._value_ = value
    return member


# --- Models ------------------------------------------------------------------------------------------------------


class Field(NamedTuple):
    """One field of a model: its JSON name, its type, whether the spec requires it, and its attribute when that
    is not the JSON name."""

    wire: str
    type: TypeLike[Any]
    required: bool = False
    read_only: bool = False
    attr: str = ""

    @property
    def name(self) -> str:
        return self.attr or self.wire


class Table(NamedTuple):
    """A model's fields, and the type of the properties it does not declare (kept in `additional_properties`)."""

    fields: tuple[Field, ...]
    extra: TypeLike[Any]


Decoder = Callable[[Any, Context, Path], Any]
Encoder = Callable[[Any, bool], Any]


class _Compiled(NamedTuple):
    by_wire: dict[str, tuple[int, Decoder, frozenset[type]]]  # field index, decoder, identity types
    # Per field: wire name, encoder, identity types.
    encoders: tuple[tuple[str, Encoder, frozenset[type]], ...]
    fields: tuple[tuple[Field, Type[Any]], ...]
    required: frozenset[str]
    extra: Type[Any]
    absent: tuple[Unset, ...]  # a value per field before decoding: UNSET
    set_fields: Callable[..., None]  # set_fields(model, *values), in field order
    get_fields: Callable[[Any], tuple[Any, ...]]  # the values, in field order


class _Extras:
    """`additional_properties`: kept as `_oapigen_extras_`, None until there are some or it is first read, so
    that `to_dict` can tell that there are none without making an empty dictionary for every decoded model.
    """

    def __get__(self, model: object, owner: type) -> object:
        if model is None:
            return self
        extras: dict[str, Any] | None = getattr(model, _EXTRAS)
        if extras is None:
            extras = {}
            setattr(model, _EXTRAS, extras)
        return extras

    def __set__(self, model: object, extras: dict[str, Any]) -> None:
        setattr(model, _EXTRAS, extras)


class Model:
    """Base of the generated dataclasses: `from_dict` and `to_dict` read the class's `Table`.

    `drift(model)` (re-exported by the package) lists what did not match the spec when the model was decoded.
    """

    _oapigen_type_: ClassVar[ModelType[Any]]
    # Set on a decoded model only where they differ: the drift, the order the properties came in (field
    # indices) and, with undeclared properties, every key in order.
    _oapigen_drift_: tuple[Drift, ...] = ()
    _oapigen_order_: tuple[int, ...] | None = None
    _oapigen_keys_: tuple[str, ...] | None = None
    _oapigen_extras_: dict[str, Any] | None = None
    if not TYPE_CHECKING:  # type checkers see each model's own `additional_properties` field
        additional_properties = _Extras()

    @classmethod
    def from_dict(cls, data: object, *, strict: bool = False) -> Self:
        """Decode the JSON object `data`. Lenient unless `strict`: see the module docstring of `_codec`.

        Raises `DecodeError` when `data` is not an object, and in strict mode at the first mismatch.
        """
        if type(data) is not dict:
            raise DecodeError("$", f"expected {cls.__name__}, got {describe(data)}")
        model: Self = _decode(cls._oapigen_type_, data, strict)[0]
        return model

    def to_dict(self, *, request: bool = False) -> dict[str, Any]:
        """The JSON object; with `request`, read-only fields are left out and every field's type is checked."""
        result: dict[str, Any] = type(self)._oapigen_type_.encode(self, request)
        return result


_DRIFT: Final = "_oapigen_drift_"
_EXTRAS: Final = "_oapigen_extras_"
# Distinct property orders remembered per model class (each is two small tuples).
_MAX_ORDERS: Final = 64
_NOT_MET: Final[tuple[int, ...]] = ()  # no order is empty (a model without fields has None)
M = TypeVar("M", bound=Model)


def drift(model: object) -> tuple[Drift, ...]:
    """What did not match the spec when `model` was decoded by `from_dict` (or as a response body), paths from
    its root `$`; empty when it conformed. Where a record points, the field holds the raw JSON value.
    """
    found: tuple[Drift, ...] = getattr(model, _DRIFT, ())
    return found


class ModelType(Type[M]):
    """The `Type` of a generated model class; its table is read on first use (models refer to each other).

    A decoded model holds its fields as plain attributes set by one generated function (`_field_setter`), with
    no dictionary of its own to make and to collect; the order its properties came in is remembered per model
    class (one tuple per distinct order), so that `to_dict` writes them back in that order.
    """

    def __init__(self, cls: type[M], table: Callable[[], Table]) -> None:
        self.cls = cls
        self.declared = cls.__name__
        self._table = table
        self._compiled: _Compiled | None = None
        self._orders: dict[tuple[str, ...], tuple[int, ...] | None] = {}

    def compiled(self) -> _Compiled:
        if self._compiled is None:
            table = self._table()
            fields = tuple((field, as_type(field.type)) for field in table.fields)
            # A nullable field's null takes the identity path, so its other values go straight to the inner type.
            by_wire: dict[str, tuple[int, Decoder, frozenset[type]]] = {
                f.wire: (index, _non_null(kind).decode, kind.identity)
                for index, (f, kind) in enumerate(fields)
            }
            encoders = tuple((f.wire, _non_null(kind).encode, kind.identity) for f, kind in fields)
            required = frozenset(field.wire for field in table.fields if field.required)
            names = tuple(field.name for field in table.fields)
            self._compiled = _Compiled(
                by_wire,
                encoders,
                fields,
                required,
                as_type(table.extra),
                (UNSET,) * len(names),
                _field_setter(names),
                _field_getter(names),
            )
        return self._compiled

    def order(self, keys: tuple[str, ...]) -> tuple[int, ...] | None:
        """The field indices in the order `keys` names them, then the other fields; None for the fields' own
        order. Remembered for the first `_MAX_ORDERS` orders met."""
        by_wire = (self._compiled or self.compiled()).by_wire
        named = [by_wire[key][0] for key in keys if key in by_wire]
        met = set(named)
        order: tuple[int, ...] | None = (
            *named,
            *(index for index in range(len(by_wire)) if index not in met),
        )
        if order == tuple(range(len(by_wire))):
            order = None
        if len(self._orders) < _MAX_ORDERS:
            self._orders[keys] = order
        return order

    def decode(self, value: object, ctx: Context, path: Path) -> M:
        if type(value) is not dict:
            return cast(M, ctx.mismatch(path, self.declared, value))
        by_wire, _, fields, required, extra_type, absent, set_fields, _ = (
            self._compiled or self.compiled()
        )
        values = list(absent)
        extra: dict[str, Any] | None = None
        entry_of = by_wire.get
        for key, item in value.items():
            entry = entry_of(key)
            if entry is None:
                if extra is None:
                    extra = {}
                extra[key] = item
                continue
            index, decode, identity = entry
            values[index] = item if type(item) in identity else decode(item, ctx, (path, key))
        if required and not value.keys() >= required:
            for field, _ in fields:
                if field.required and field.wire not in value:
                    ctx.mismatch((path, field.wire), "a required property", UNSET)
        model = _new(self.cls)
        set_fields(model, *values)
        keys = tuple(value)
        order = self._orders.get(keys, _NOT_MET)
        if order is _NOT_MET:
            order = self.order(keys)
        if order is not None:
            model._oapigen_order_ = order
        if extra:
            model._oapigen_extras_ = (
                extra if extra_type is ANY else _decode_entries(extra_type, extra, ctx, path)
            )
            model._oapigen_keys_ = keys  # to write undeclared properties back where they were
        return model

    def encode(self, value: Any, request: bool) -> Any:
        if not isinstance(value, self.cls):
            if request:
                raise EncodeError(self.declared, value)
            return value
        _, encoders, fields, _, extra_type, _, _, get_fields = self._compiled or self.compiled()
        values = get_fields(value)
        extra = value._oapigen_extras_
        result = _encode_entries(extra_type, extra, request) if extra else {}
        if request:
            for (field, kind), item in zip(fields, values, strict=True):
                _encode_request_field(result, field, kind, item)
            return result
        for index in value._oapigen_order_ or range(len(encoders)):
            item = values[index]
            if item is not UNSET:
                wire, encode, identity = encoders[index]
                result[wire] = item if type(item) in identity else encode(item, False)
        keys = value._oapigen_keys_
        if keys is None:
            return result
        ordered = {key: result[key] for key in keys if key in result}
        ordered.update(result)
        return ordered


def _field_setter(names: tuple[str, ...]) -> Callable[..., None]:
    """`set_fields(model, *values)`: one assignment per field, written out as `dataclasses` writes `__init__`,
    the fastest way Python has to set many attributes (no dictionary is made for them)."""
    if not all(name.isidentifier() and not keyword.iskeyword(name) for name in names):
        raise TypeError(f"not attribute names: {names!r}")
    target = "model"
    while target in names:
        target += "_"
    lines = [f"def set_fields({', '.join((target, *names))}):"]
    lines += [f"    {target}.{name} = {name}" for name in names] or ["    pass"]
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # only identifiers were pasted: checked above
    setter: Callable[..., None] = namespace["set_fields"]
    return setter


def _field_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of the attributes `names`, as a tuple (which `attrgetter` returns for two names or more)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        get = operator.attrgetter(names[0])
        return lambda model: (get(model),)
    return lambda model: ()


def _non_null(kind: Type[Any]) -> Type[Any]:
    return kind.inner if isinstance(kind, Nullable) else kind


def _encode_request_field(
    result: dict[str, Any], field: Field, kind: Type[Any], item: object
) -> None:
    if field.read_only:
        result.pop(field.wire, None)
        return
    if item is UNSET:
        if field.required:
            error = EncodeError("a required property", item)
            error.steps.append(field.wire)
            raise error
        return
    try:
        result[field.wire] = kind.encode(item, True)
    except EncodeError as error:
        error.steps.append(field.wire)
        raise


def register(cls: type[M], table: Callable[[], Table]) -> None:
    """Give a generated model class its table (a function, so that it may name classes defined later)."""
    cls._oapigen_type_ = ModelType(cls, table)


# --- Unions ------------------------------------------------------------------------------------------------------


class Variants(NamedTuple):
    """A union's variants in trial order, and its discriminator property with the model of each value and the
    model of any other value (`defaultMapping`)."""

    types: tuple[TypeLike[Any], ...]
    discriminator: str = ""
    mapping: Mapping[str, TypeLike[Any]] = {}
    default: TypeLike[Any] | None = None


class _Resolved(NamedTuple):
    variants: tuple[Type[Any], ...]  # flattened, in trial order
    discriminator: str
    mapping: dict[str, Type[Any]]
    default: Type[Any] | None
    unmapped: tuple[Type[Any], ...]  # the variants no discriminator value names
    declared_tag: str  # what the discriminator property holds, for drift records


class OneOf(Type[T]):
    """oneOf/anyOf: the discriminator's model when it names one, else the first variant the value matches
    exactly. When none matches, the object variant with the fewest mismatches decodes it leniently (drift is
    reported inside it, nothing else is lost), or the value is kept raw.

    An object whose discriminator value the mapping does not name decodes to the `defaultMapping` model; without
    one, to a variant no value names that matches it exactly, else it is kept raw with a drift record at the
    property (strict decoding raises there): a value the API added must not be forced into another model. An
    object without the property decodes to the default, else as if there were no discriminator.

    Variants that are unions themselves are flattened into this one's list, each union once: `A = B | str`,
    `B = A | int` tries `int`, `str` and terminates.
    """

    def __init__(self, name: str, variants: Callable[[], Variants]) -> None:
        self.declared = name
        self._variants = variants
        self._resolved: _Resolved | None = None

    def __call__(self, value: object, *, strict: bool = False) -> T:
        """Decode a JSON value (`decode(union, value)` also returns the drift)."""
        return decode(self, value, strict=strict)[0]

    def resolved(self) -> _Resolved:
        if self._resolved is None:
            variants = self._variants()
            flat = tuple(dict.fromkeys(_flatten(self, set())))
            mapping = {value: as_type(kind) for value, kind in variants.mapping.items()}
            default = None if variants.default is None else as_type(variants.default)
            mapped = [id(kind) for kind in mapping.values()]
            unmapped = tuple(kind for kind in flat if id(kind) not in mapped)
            values = ", ".join(map(repr, mapping))
            declared_tag = f"one of {values} (the discriminator of {self.declared})"
            self._resolved = _Resolved(
                flat, variants.discriminator, mapping, default, unmapped, declared_tag
            )
        return self._resolved

    def decode(self, value: object, ctx: Context, path: Path) -> Any:
        resolved = self._resolved or self.resolved()
        variants = resolved.variants
        if resolved.discriminator and type(value) is dict:
            tag = value.get(resolved.discriminator, UNSET)
            chosen = resolved.mapping.get(tag) if type(tag) is str else None
            if chosen is None:
                chosen = resolved.default
            if chosen is not None:
                return chosen.decode(value, ctx, path)
            if tag is not UNSET:
                return self._unmapped(resolved, value, tag, ctx, path)
        for variant in variants:
            if type(value) in variant.identity:
                return value
            try:
                return variant.decode(value, _TRIAL, path)
            except _NoMatch:
                continue
        if ctx.mode == "lenient" and type(value) is dict:
            closest = _closest_model(variants, value)
            if closest is not None:
                return closest.decode(value, ctx, path)
        return ctx.mismatch(path, f"one of {self.declared}", value)

    @staticmethod
    def _unmapped(
        resolved: _Resolved, value: dict[str, Any], tag: object, ctx: Context, path: Path
    ) -> Any:
        for variant in resolved.unmapped:
            try:
                return variant.decode(value, _TRIAL, path)
            except _NoMatch:
                continue
        ctx.mismatch((path, resolved.discriminator), resolved.declared_tag, tag)
        return value

    def encode(self, value: Any, request: bool) -> Any:
        variants = (self._resolved or self.resolved()).variants
        if not request:
            return encode(value)
        for variant in variants:
            try:
                return variant.encode(value, True)
            except EncodeError:
                continue
        raise EncodeError(f"one of {self.declared}", value)


def _flatten(union: OneOf[Any], seen: set[int]) -> Iterable[Type[Any]]:
    seen.add(id(union))
    for variant in map(as_type, union._variants().types):
        if isinstance(variant, OneOf):
            if id(variant) not in seen:
                yield from _flatten(variant, seen)
        elif isinstance(variant, Nullable) and isinstance(variant.inner, OneOf):
            yield Const(None)
            if id(variant.inner) not in seen:
                yield from _flatten(variant.inner, seen)
        else:
            yield variant


def _closest_model(variants: Iterable[Type[Any]], value: dict[str, Any]) -> ModelType[Any] | None:
    best: tuple[int, ModelType[Any]] | None = None
    for variant in variants:
        if isinstance(variant, ModelType):
            trial = Context("lenient")
            variant.decode(value, trial, ())
            if best is None or len(trial.drift) < best[0]:
                best = (len(trial.drift), variant)
    return best[1] if best else None


# --- Entry points ------------------------------------------------------------------------------------------------

_TYPES: dict[type, Type[Any]] = {}


def as_type(kind: TypeLike[T]) -> Type[T]:
    """The `Type` of a generated class (a model or an enum), or `kind` itself."""
    if isinstance(kind, Type):
        return kind
    found = _TYPES.get(kind)
    if found is None:
        if issubclass(kind, Model):
            found = kind._oapigen_type_
        elif issubclass(kind, enum.Enum):
            found = EnumOf(kind)
        else:
            raise TypeError(f"not a generated type: {kind!r}")
        _TYPES[kind] = found
    return cast("Type[T]", found)  # a string: no generic alias built per call


def decode(
    kind: TypeLike[T], value: object, *, strict: bool = False
) -> tuple[T, tuple[Drift, ...]]:
    """Decode any JSON value: the result and its drift (empty in strict mode, which raises `DecodeError`).

    Lenient decoding never raises for a JSON value, except `DecodeError` at `$` when it is nested too deeply for
    Python's recursion limit."""
    return _decode(as_type(kind), value, strict)


def _decode(kind: Type[T], value: object, strict: bool) -> tuple[T, tuple[Drift, ...]]:
    ctx = Context("strict" if strict else "lenient")
    try:
        result = kind.decode(value, ctx, ())
    except RecursionError:
        raise DecodeError("$", "the value is nested too deeply to decode") from None
    if not ctx.drift:
        return result, ()
    found = tuple(ctx.drift)
    if isinstance(result, Model):
        result._oapigen_drift_ = found
    return result, found


def encode(value: object, *, request: bool = False) -> Any:
    """Any generated value -> its JSON value. With `request`, models leave out read-only fields and check types."""
    if isinstance(value, Model):
        return type(value)._oapigen_type_.encode(value, request)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return _date(value)
    if isinstance(value, list | tuple):
        return [encode(item, request=request) for item in value]
    if isinstance(value, dict):
        return {key: encode(item, request=request) for key, item in value.items()}
    return value

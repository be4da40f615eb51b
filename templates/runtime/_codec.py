"""Decoding and encoding between JSON values and the generated types.

Decoders are functions `(value, path) -> T` that check the wire shape and raise `DecodeError` naming the JSON path
of the first mismatch (`$.experiments[3].created_at`); the combinators build decoders for lists, maps, nullable
values and enums. `encode` turns any generated value back into JSON. Kept free of dependencies on purpose.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, TypeVar

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)
Decoder = Callable[[object, str], T]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


class DecodeError(ValueError):
    """A JSON value does not have the shape the spec declares."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{key!r}]"


def _describe(value: object) -> str:
    if value is None:
        return "null"
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
    }
    return "an object" if isinstance(value, dict) else names.get(type(value), type(value).__name__)


def _mismatch(path: str, expected: str, value: object) -> DecodeError:
    return DecodeError(path, f"expected {expected}, got {_describe(value)}")


def as_object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _mismatch(path, "an object", value)
    return value


def as_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _mismatch(path, "a string", value)
    return value


def as_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _mismatch(path, "an integer", value)
    return value


def as_float(value: object, path: str) -> float:
    # An int stays an int, so `1` is written back as `1`, not `1.0`; int is a float for type checkers too.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _mismatch(path, "a number", value)
    return value


def as_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _mismatch(path, "a boolean", value)
    return value


def as_any(value: object, path: str) -> Any:
    return value


def as_bytes(value: object, path: str) -> bytes:
    if isinstance(value, bytes):
        return value
    raise _mismatch(path, "binary content", value)


def as_datetime(value: object, path: str) -> datetime.datetime:
    text = as_str(value, path)
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise DecodeError(path, f"expected an RFC 3339 date-time, got {text!r}") from None


def as_date(value: object, path: str) -> datetime.date:
    text = as_str(value, path)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DecodeError(path, f"expected an RFC 3339 full-date, got {text!r}") from None


def const(expected: object) -> Decoder[Any]:
    def decode(value: object, path: str) -> Any:
        if value != expected or type(value) is not type(expected):
            raise DecodeError(path, f"expected {expected!r}, got {value!r}")
        return value

    return decode


def list_of(item: Decoder[T]) -> Decoder[list[T]]:
    def decode(value: object, path: str) -> list[T]:
        if not isinstance(value, list):
            raise _mismatch(path, "an array", value)
        return [item(element, child_path(path, index)) for index, element in enumerate(value)]

    return decode


def map_of(item: Decoder[T]) -> Decoder[dict[str, T]]:
    def decode(value: object, path: str) -> dict[str, T]:
        return {
            key: item(element, child_path(path, key))
            for key, element in as_object(value, path).items()
        }

    return decode


def nullable(inner: Decoder[T]) -> Decoder[T | None]:
    def decode(value: object, path: str) -> T | None:
        return None if value is None else inner(value, path)

    return decode


def enum_of(cls: type[E]) -> Decoder[E]:
    """Decode an enum; values the spec does not list become pseudo-members (see `unknown_member`)."""

    def decode(value: object, path: str) -> E:
        try:
            return cls(value)
        except ValueError:
            raise DecodeError(path, f"{value!r} is not a valid {cls.__name__}") from None

    return decode


def unknown_member(cls: type[E], value: object) -> E | None:
    """Called from an enum's `_missing_`: accept a value of the enum's wire type that the spec does not list.

    APIs add enum values over time; a client must not break on them. The value gets a pseudo-member named
    `UNKNOWN` whose `.value` is the raw wire value, so it is written back exactly as it came.
    """
    wire_type: Any = getattr(
        cls, "_member_type_", object
    )  # the mixed-in type: str for StrEnum, int for IntEnum
    accepted = (str, int, float) if wire_type is object else (wire_type,)
    if isinstance(value, bool) or not isinstance(value, accepted):
        return None
    member: E = object.__new__(cls) if wire_type is object else wire_type.__new__(cls, value)
    member._name_ = "UNKNOWN"
    member._value_ = value
    return member


def first_match(value: object, path: str, what: str, *decoders: Decoder[T]) -> T:
    """Decode a union without a discriminator: the first variant that accepts the value wins."""
    errors: list[str] = []
    for decode in decoders:
        try:
            return decode(value, path)
        except DecodeError as error:
            errors.append(str(error))
    raise DecodeError(path, f"does not match any variant of {what}: " + "; ".join(errors))


def discriminated(
    value: object,
    path: str,
    what: str,
    prop: str,
    mapping: Mapping[str, Decoder[T]],
    *fallback: Decoder[T],
) -> T:
    """Decode a union by its discriminator property; an unmapped value falls back to matching by shape."""
    tag = as_object(value, path).get(prop)
    decode = mapping.get(tag) if isinstance(tag, str) else None
    if decode is not None:
        return decode(value, path)
    return first_match(value, path, what, *fallback)


def required(data: Mapping[str, Any], key: str, path: str, decode: Decoder[T]) -> T:
    if key not in data:
        raise DecodeError(child_path(path, key), "required property is missing")
    return decode(data[key], child_path(path, key))


def optional(data: Mapping[str, Any], key: str, path: str, decode: Decoder[T]) -> T | Unset:
    if key not in data:
        return UNSET
    return decode(data[key], child_path(path, key))


def extra(
    data: Mapping[str, Any], known: frozenset[str], path: str, decode: Decoder[T]
) -> dict[str, T]:
    """Properties the spec does not declare: kept, so they are written back."""
    return {
        key: decode(value, child_path(path, key)) for key, value in data.items() if key not in known
    }


def format_datetime(value: datetime.datetime) -> str:
    """RFC 3339, `Z` for UTC, fractions as milliseconds when that is exact (what most APIs send)."""
    if value.microsecond % 1000 == 0:
        text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    else:
        text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def encode(value: object, *, request: bool = False) -> Any:
    """Any generated value -> its JSON value. With `request`, read-only fields of models are left out."""
    if isinstance(value, enum.Enum):
        return value.value
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict(request=request)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(item, request=request) for item in value]
    if isinstance(value, dict):
        return {key: encode(item, request=request) for key, item in value.items()}
    return value


def encode_fields(
    fields: Iterable[tuple[str, object]],
    extra: Mapping[str, object],
    *,
    request: bool,
    read_only: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A model's JSON object: its undeclared properties first, then every field that is not UNSET."""
    result = {key: encode(value, request=request) for key, value in extra.items()}
    for key, value in fields:
        if isinstance(value, Unset) or (request and key in read_only):
            continue
        result[key] = encode(value, request=request)
    return result


def present(value: T | Unset) -> T | None:
    """`value`, or None when it is UNSET."""
    return None if isinstance(value, Unset) else value

"""Spec names -> Python identifiers, decided once, collisions resolved deterministically.

Every identifier in generated code comes from here and matches `[A-Za-z_][A-Za-z0-9_]*`; keywords, soft keywords,
and the names generated modules import for themselves are escaped. Collisions are resolved by sorting the
claimants by their wire name, so the result depends on the spec's content, never on dict order.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Hashable, Iterable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

_RESERVED_WORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)

# Names that generated model and API modules import or define at module level; a class of that name would
# shadow them. Builtins are included so a schema named `Exception` or `type` cannot shadow what code relies on.
_RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "ApiResponse",
        "AsyncClient",
        "Client",
        "Endpoint",
        "Enum",
        "Literal",
        "Mapping",
        "Request",
        "RequestOptions",
        "Self",
        "TypeAlias",
        "UNSET",
        "Unset",
    }
) | frozenset(name for name in dir(builtins) if name[:1].isupper())

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


# Letters that Unicode does not decompose into an ASCII base letter, spelled as their languages do.
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "œ": "oe",
    }
)


def _ascii(text: str) -> str:
    """Fold accents (é -> e), spell ß as ss, and drop what has no ASCII form."""
    return (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


def split_words(name: str) -> list[str]:
    """`getHTTPResponse_v2` -> ["get", "HTTP", "Response", "v2"]; punctuation and spaces separate words."""
    words: list[str] = []
    for chunk in _NON_WORD.split(_ascii(name)):
        words.extend(word for word in _CAMEL_BOUNDARY.split(chunk) if word)
    return words


_SPELLED_SYMBOLS = {
    "+": "plus",
    "-": "minus",
    "*": "star",
    "<": "lt",
    ">": "gt",
    "=": "eq",
    "!": "not",
}


def _words(name: str) -> list[str]:
    """Words of a name; leading and trailing operators are spelled out, so `+1`/`-1` and `StartTime<`/`StartTime>`
    stay distinct (`plus_1`, `minus_1`, `start_time_lt`, `start_time_gt`)."""
    core = name.strip("".join(_SPELLED_SYMBOLS))
    start = name[: len(name) - len(name.lstrip("".join(_SPELLED_SYMBOLS)))]
    end = name[len(start) + len(core) :] if core else ""
    return (
        [_SPELLED_SYMBOLS[char] for char in start]
        + split_words(core)
        + [_SPELLED_SYMBOLS[char] for char in end]
    )


def snake_case(name: str, *, fallback: str) -> str:
    """A lower_snake identifier for fields, parameters, functions and modules."""
    text = "_".join(word.lower() for word in _words(name)) or fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return text + "_" if text in _RESERVED_WORDS else text


def pascal_case(name: str, *, fallback: str) -> str:
    """A PascalCase identifier for classes and type aliases."""
    words = _words(name)
    text = "".join(word[:1].upper() + word[1:] for word in words) or fallback
    if text[0].isdigit():
        text = f"{fallback}{text}"
    if text in _RESERVED_WORDS or text in _RESERVED_CLASS_NAMES:
        text += fallback
    return text


def constant_case(name: str, *, fallback: str) -> str:
    """An UPPER_SNAKE identifier for enum members."""
    text = "_".join(word.upper() for word in _words(name)) or fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return text


def assign_unique(
    claims: Iterable[tuple[K, str]],
    *,
    taken: Iterable[str] = (),
    fold_case: bool = False,
) -> dict[K, str]:
    """Give each claimant (key, wanted name) a distinct name; later claimants get `_2`, `_3`...

    Claims are ordered by (wanted name, key), so the same spec always yields the same names whatever the order
    they arrive in. `fold_case` treats names differing only in case as equal, for file names on case-insensitive
    file systems.
    """

    def norm(name: str) -> str:
        return name.lower() if fold_case else name

    used = {norm(name) for name in taken}
    result: dict[K, str] = {}
    for key, wanted in sorted(claims, key=lambda claim: (claim[1], repr(claim[0]))):
        if key in result:
            continue
        name, counter = wanted, 1
        while norm(name) in used:
            counter += 1
            # Classes read best as `Node2`; snake and UPPER names as `node_2`, `CAT_2`.
            separator = "" if wanted[:1].isupper() and not wanted.isupper() else "_"
            name = f"{wanted}{separator}{counter}"
        used.add(norm(name))
        result[key] = name
    return result

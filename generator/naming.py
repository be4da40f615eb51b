"""Spec names -> Python identifiers, decided once; a name depends only on what it names (docs/naming.md).

Every identifier in generated code comes from here and matches `[A-Za-z_][A-Za-z0-9_]*`; keywords, soft keywords,
and the names generated modules import for themselves are escaped, and long names are bounded. Collisions are
resolved within each group of colliding claimants only: the first by (rank, identity) keeps the wanted name, the
others get a suffix hashed from their own identity, so adding or removing an unrelated thing never renames one.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import keyword
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Generic, NamedTuple, TypeVar

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


# A spec names the same things many times over (fields, parameters, and every claim in both naming passes).
@functools.lru_cache(maxsize=1 << 16)
def _words(name: str) -> tuple[str, ...]:
    """Words of a name; leading and trailing operators are spelled out, so `+1`/`-1` and `StartTime<`/`StartTime>`
    stay distinct (`plus_1`, `minus_1`, `start_time_lt`, `start_time_gt`)."""
    core = name.strip("".join(_SPELLED_SYMBOLS))
    start = name[: len(name) - len(name.lstrip("".join(_SPELLED_SYMBOLS)))]
    end = name[len(start) + len(core) :] if core else ""
    return (
        *(_SPELLED_SYMBOLS[char] for char in start),
        *split_words(core),
        *(_SPELLED_SYMBOLS[char] for char in end),
    )


# Longer identifiers are cut at a word boundary and end in a hash of the whole name: readable, still distinct,
# and a module file name (`<name>.py`, plus a collision suffix) stays far below the 255-byte file-name limit.
MAX_NAME_LENGTH = 64
_LONG_NAME_HASH = 8


def digest(identity: str, length: int) -> str:
    """A short stable hash of a spec string (lone surrogates included): same input, same hex, on every machine."""
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _bounded(text: str, name: str, separator: str) -> str:
    if len(text) <= MAX_NAME_LENGTH:
        return text
    keep = MAX_NAME_LENGTH - _LONG_NAME_HASH - len(separator)
    cut = text[:keep]
    boundary = max(cut.rfind("_"), *(i for i in range(1, keep) if cut[i].isupper()), 0)
    head = cut[:boundary] if boundary > keep // 2 else cut
    hashed = digest(name, _LONG_NAME_HASH)
    return f"{head.rstrip('_')}{separator}{hashed.upper() if text.isupper() else hashed}"


def capitalized(name: str) -> str:
    """The words of a name, each capitalized, joined: a part of a class name (may be empty or start with a digit)."""
    return "".join(word[:1].upper() + word[1:] for word in _words(name))


def snake_case(name: str, *, fallback: str) -> str:
    """A lower_snake identifier for fields, parameters, functions and modules."""
    text = "_".join(word.lower() for word in _words(name)) or fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    text = _bounded(text, name, "_")
    return text + "_" if text in _RESERVED_WORDS else text


def pascal_case(name: str, *, fallback: str) -> str:
    """A PascalCase identifier for classes and type aliases."""
    text = capitalized(name) or fallback
    if text[0].isdigit():
        text = f"{fallback}{text}"
    text = _bounded(text, name, "")
    if text in _RESERVED_WORDS or text in _RESERVED_CLASS_NAMES:
        text += fallback
    return text


def constant_case(name: str, *, fallback: str) -> str:
    """An UPPER_SNAKE identifier for enum members."""
    text = "_".join(word.upper() for word in _words(name)) or fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return _bounded(text, name, "_")


class Claim(NamedTuple, Generic[K]):
    """One claimant of a name: `identity` is the text of its own place in the spec (a JSON pointer, a wire name),
    unique among the claimants; ties are broken and collision suffixes hashed by it, never by arrival order."""

    key: K
    wanted: str
    identity: str
    rank: int = 0  # lower ranks keep the wanted name first: a component schema before an inline one


def spelled_claim(key: K, wanted: str, identity: str, spelled: str) -> Claim[K]:
    """A claim ranking first when the spec already spells the name (`foo_bar` before `fooBar`, `CAT` before `cat`)."""
    return Claim(key, wanted, identity, rank=0 if wanted in (spelled, spelled.upper()) else 1)


_SUFFIX_LENGTH = 6


def assign_unique(
    claims: Iterable[Claim[K]], *, taken: Iterable[str] = (), fold_case: bool = False
) -> dict[K, str]:
    """Give each claimant a distinct name, in O(n log n).

    A name in `taken` is wanted with a trailing underscore instead. Claimants are then grouped by the name they
    want; in each group the first by (rank, identity) gets it, every other one gets `<wanted>_<hash of its identity>`, lengthened only while two such names
    still collide. So a name changes only when a claimant of the very same name appears or goes, and then only
    the one that had it. `fold_case` treats names differing only in case as equal (file names on case-insensitive
    file systems).
    """

    def norm(name: str) -> str:
        return name.lower() if fold_case else name

    reserved = {norm(name) for name in taken}
    groups: defaultdict[str, dict[K, Claim[K]]] = defaultdict(dict)
    for claim in claims:
        wanted = claim.wanted
        while (
            norm(wanted) in reserved
        ):  # `client` -> `client_`, as PEP 8 spells a name that would shadow
            wanted += "_"
        groups[norm(wanted)].setdefault(claim.key, claim._replace(wanted=wanted))
    result: dict[K, str] = {}
    losers: list[Claim[K]] = []
    for group in groups.values():
        ordered = sorted(group.values(), key=lambda claim: (claim.rank, claim.identity))
        result[ordered[0].key] = ordered[0].wanted
        losers += ordered[1:]
    used = {norm(name) for name in result.values()} | reserved
    length = _SUFFIX_LENGTH
    while losers:
        proposed: defaultdict[str, list[tuple[Claim[K], str]]] = defaultdict(list)
        for claim in losers:
            name = _suffixed(claim, length)
            proposed[norm(name)].append((claim, name))
        losers = []
        for folded, entries in proposed.items():
            if len(entries) == 1 and folded not in used:
                result[entries[0][0].key] = entries[0][1]
                used.add(folded)
            else:
                losers += [claim for claim, _ in entries]
        length += 2
    return result


def _suffixed(claim: Claim[K], length: int) -> str:
    # The identity is unique among claimants; past the digest's 64 hex digits the key tells equal identities apart.
    hashed = digest(claim.identity if length <= 64 else f"{claim.identity}\0{claim.key!r}", length)
    return f"{claim.wanted}_{hashed.upper() if claim.wanted.isupper() else hashed}"

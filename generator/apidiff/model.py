"""What one API change is: a level, a rule, a place in the spec, a sentence, and the Python symbols it touches."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Level = Literal["breaking", "warning", "info"]
LEVELS: tuple[Level, ...] = ("breaking", "warning", "info")
_MAX_SIGNATURE = 100  # a long signature is cut: reports stay readable


@dataclass(frozen=True, slots=True)
class Symbol:
    """A Python name of the generated client, with its type or signature before and after ("" when absent)."""

    name: str  # "models.Pet.name", "api.list_pets", "Client(api_key=)"
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Change:
    """One change, judged for code that calls the client: `breaking` may fail, `warning` may behave differently
    (a new enum value in a response, a changed default), `info` cannot hurt."""

    level: Level
    rule: str  # a stable id: "response-field-became-nullable"
    pointer: str  # JSON pointer in the new spec, or in the old one for what was removed
    location: str  # "spec/galileo.yaml:120"
    message: str  # one sentence; spec text in it has gone through `code()`
    symbols: tuple[Symbol, ...]
    module: str  # "models.pet", "api.experiments": reports are ordered by it

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        first = self.symbols[0].name if self.symbols else ""
        return (LEVELS.index(self.level), self.module, first, self.rule, self.message)


def shorten(text: str) -> str:
    return text if len(text) <= _MAX_SIGNATURE else text[: _MAX_SIGNATURE - 1] + "…"


def _safe_char(char: str) -> str:
    # Controls, bidi and other format characters, lone surrogates, line separators: shown as escapes, so spec text
    # can neither reorder what a reviewer reads (Trojan Source) nor drive a terminal.
    if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def code(text: str) -> str:
    """Spec text as a Markdown code span: nothing in it is HTML (`<!--` cannot hide the rest of a report), it
    cannot close its own span, and invisible characters are spelled as escapes."""
    text = "".join(_safe_char(char) for char in shorten(text))
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"

"""Diagnostics: problems in a spec are data with a place, not exceptions.

A bad spec is an expected input. Every stage reports what it finds as `Diagnostic`s carrying the file, the line
(when known) and the JSON pointer of the offending node; `SpecError` carries them out of the pipeline when the
run cannot go on. Exceptions of any other type are bugs in the generator.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


def escape_pointer_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer: join_pointer("/paths", "/a") == "/paths/~1a"."""
    return pointer + "".join("/" + escape_pointer_token(str(token)) for token in tokens)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a spec: `file:line: #/json/pointer: message`."""

    severity: Severity
    message: str
    file: str
    pointer: str = ""
    line: int | None = None

    def format(self) -> str:
        place = f"{self.file}:{self.line}" if self.line is not None else self.file
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{place}: #{self.pointer}: {prefix}{self.message}"

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.pointer, self.message)

    def record(self) -> str:
        """One line of ASCII (JSON) that `from_record` reads back: how the manifest keeps a run's warnings."""
        return json.dumps([self.severity.value, self.message, self.file, self.pointer, self.line])

    @classmethod
    def from_record(cls, text: str) -> Diagnostic:
        """The diagnostic `record` wrote; ValueError if `text` is not one."""
        try:
            severity, message, file, pointer, line = json.loads(text)
        except (TypeError, ValueError) as error:  # JSON errors, and the wrong number of parts
            raise ValueError(f"not a recorded diagnostic: {text[:80]!r}") from error
        strings = all(isinstance(part, str) for part in (message, file, pointer))
        if not strings or not (line is None or type(line) is int):
            raise ValueError(f"not a recorded diagnostic: {text[:80]!r}")
        return cls(Severity(severity), message, file, pointer, line)


class SpecError(Exception):
    """The spec cannot be turned into a client; carries every located error found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class UsageError(Exception):
    """A command-line option is unusable (the spec may be fine): `str(error)` names the option and the problem."""

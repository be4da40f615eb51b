"""Format stage: black, in-process, on every Python file; other files pass through unchanged."""

from __future__ import annotations

from collections.abc import Mapping

import black

# Generated code is read in review diffs; 100 columns keeps signatures on one line more often than 88.
LINE_LENGTH = 100
_MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=LINE_LENGTH)


class InvalidOutputError(Exception):
    """Rendered code that black cannot parse: a bug in the generator, never in the spec."""


def format_files(files: Mapping[str, str]) -> dict[str, str]:
    """Format every `.py` file."""
    formatted: dict[str, str] = {}
    for path, text in files.items():
        if not path.endswith(".py"):
            formatted[path] = text
            continue
        try:
            formatted[path] = black.format_str(text, mode=_MODE)
        except black.InvalidInput as error:
            raise InvalidOutputError(f"generated {path} is not valid Python: {error}") from error
    return formatted

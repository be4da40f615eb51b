"""Docstrings assembled from spec text: wrapped, escaped once, ready to print between triple quotes."""

from __future__ import annotations

import textwrap

from generator import ir
from generator.quoting import docstring_body

_WIDTH = 88


def origin_line(origin: ir.Origin) -> str:
    return f"Ref: {origin.file}#{origin.pointer}"


def docstring(*paragraphs: str, indent: int = 0) -> str:
    """Join non-empty paragraphs and escape the result; long lines are wrapped, line structure is kept.

    The text goes between triple quotes that sit `indent` columns in: continuation lines are indented to match,
    and a multi-line docstring ends with a line break so its closing quotes stand on a line of their own.
    """
    text = "\n\n".join(
        paragraph.strip() for paragraph in paragraphs if paragraph and paragraph.strip()
    )
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        leading = line[: len(line) - len(line.lstrip(" "))]
        # Entries of an indented section (Args:) hang further in when wrapped.
        hanging = leading + "    " if leading else ""
        if len(line) <= _WIDTH and line.isprintable() and line.strip() and line[-1] != " ":
            lines.append(line)  # what textwrap would return for it, without its cost
            continue
        wrapped = textwrap.wrap(
            line, _WIDTH, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False
        )
        lines.extend(wrapped or [""])
    body = docstring_body("\n".join(lines))
    if "\n" not in body:
        return body
    first, *rest = body.split("\n")
    # Black re-indents a docstring (PEP 257): the lines after the first lose the indentation they share, as
    # `str.lstrip` sees it, then get the code's. Done here, black has nothing left to change.
    shared = min((len(line) - len(line.lstrip()) for line in rest if line), default=0)
    pad = " " * indent
    return "\n".join([first, *(pad + line[shared:] if line else "" for line in rest)]) + "\n" + pad


def section(title: str, entries: list[tuple[str, str]]) -> str:
    """A Google-style section ("Args:", "Raises:") with one indented entry per line."""
    if not entries:
        return ""
    body = "\n".join(
        f"    {name}: {' '.join(text.split())}" if text else f"    {name}" for name, text in entries
    )
    return f"{title}:\n{body}"

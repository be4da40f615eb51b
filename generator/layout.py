"""What black keeps on one line: the measure that templates lay code out by and `format` vouches by.

Black measures a line by its East Asian width (a wide character counts two columns, a combining one none). We do
not import black to lay out code, so a non-ASCII character counts two columns here: a line we say fits, black
says fits too, which is the direction every use below needs.
"""

from __future__ import annotations

import re

from generator.config import DEFAULT_LINE_LENGTH

_TRIPLE_QUOTES = '"' * 3
_ATOM = r"""(?:[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
# One item of an exploded collection or call (a line ending in a comma) made of atoms black cannot split: a name
# or one string literal, as a dict entry or a keyword argument. Black leaves it as it is, however long.
_UNSPLITTABLE_ITEM = re.compile(rf" *(?:{_ATOM}: |[A-Za-z_][A-Za-z0-9_]*=)?{_ATOM},")


def width(line: str) -> int:
    """At least black's width of `line`: non-ASCII characters count two columns."""
    if line.isascii():
        return len(line)
    return len(line) + sum(not char.isascii() for char in line)


def fitting(line: str) -> bool:
    """`line is fitting`: black keeps it on one line. Else a template explodes it, one item a line with a magic
    trailing comma, which black keeps exploded whatever its width."""
    return width(line) <= DEFAULT_LINE_LENGTH


def one_line(line: str) -> bool:
    """`line is one_line`: whether a one-item tuple stays on one line, where black keeps it if it fits (its
    trailing comma is not a magic one, so its exploded form is black's only when the one line is too long).

    Only an ASCII line is known to be too long; a non-ASCII one that is too long keeps its file from being vouched
    for (`generator.format.fits`), so black lays it out.
    """
    return not line.isascii() or len(line) <= DEFAULT_LINE_LENGTH


def overlong_lines(text: str, line_length: int) -> list[int]:
    """The indices of the lines of `text` wider than `line_length` (`width`) that black could split.

    Comment lines, docstrings and unsplittable items of exploded collections are exempt: black never splits
    them. A line that starts with triple quotes
    opens a docstring (no other generated line can: literals never use triple quotes), which ends at the next
    triple quotes (a docstring body never holds any: `quoting.docstring_body`).
    """
    overlong: list[int] = []
    in_docstring = False
    for index, line in enumerate(text.split("\n")):
        code = line.lstrip(" ")
        if in_docstring:
            in_docstring = _TRIPLE_QUOTES not in code
        elif code.startswith(_TRIPLE_QUOTES):
            in_docstring = code.count(_TRIPLE_QUOTES) == 1
        elif (
            not code.startswith("#")
            and width(line) > line_length
            and not _UNSPLITTABLE_ITEM.fullmatch(line)
        ):
            overlong.append(index)
    return overlong

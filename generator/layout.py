"""What black keeps on one line: the measure that templates lay code out by and `format` vouches by.

Black measures a line by its East Asian width (a wide character counts two columns, a combining one none). We do
not import black to lay out code, so a non-ASCII character counts two columns here: a line we say fits, black
says fits too, which is the direction every use below needs.
"""

from __future__ import annotations

from generator.config import DEFAULT_LINE_LENGTH


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

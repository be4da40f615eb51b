"""Black on only the statements of a file that do not fit, for files our templates lay out.

Our templates print black's layout wherever a line fits (generator/layout.py), so in a file of theirs black changes
nothing but the statements holding an overlong line, and how black lays out a statement depends only on the
statement and its indentation. Such a file is formatted by giving black those statements alone, each at its own
depth under placeholder `class` headers, and putting what black returns in their place: the same text as black on the
whole file, for a fraction of the lines. The test suite proves it the same way it proves vouching
(generator/format.py), and `verify` runs black on the whole file and compares.

A statement is found through the syntax tree: the innermost one that holds the overlong line. A line in the
header of a compound statement (a `def` signature, say) takes the whole statement, decorators included.
Whatever this cannot place exactly (an indentation that is not black's, output that does not split back into the
statements given) is reported as `None`, and the file goes to black whole.
"""

from __future__ import annotations

import ast
import bisect
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

_INDENT = "    "
# Before each statement given to black, at depth 0, where it resets black's memory of the statement before. Should
# a statement given hold this very line, black's output no longer splits into one part per statement: the files
# then go to black whole (`_taken`).
_SEPARATOR = "_oapigen_statement_ = 0"
_PLACEHOLDER = "class _:"


@dataclass(frozen=True, slots=True)
class _Statement:
    first: int  # index of its first line
    last: int  # index of its last line
    depth: int  # indentation, in levels of four spaces


@dataclass(frozen=True, slots=True)
class _Plan:
    lines: list[str]  # the text's lines
    statements: list[_Statement]  # those holding an overlong line, in order


def format_overlong(
    texts: Sequence[tuple[str, Sequence[int]]], black: Callable[[str], str]
) -> list[str | None]:
    """Each text with the statements that hold its overlong lines (their indices: `layout.overlong_lines`) laid
    out by `black` (source in, formatted source out), all in one call: black's cost per call is a few
    milliseconds, that of a statement often less. `None` for a text where that cannot be done exactly."""
    plans = [_plan(text, overlong) for text, overlong in texts]
    statements = [statement for plan in plans if plan for statement in plan.statements]
    if not statements:
        return [text if plan else None for (text, _), plan in zip(texts, plans, strict=True)]
    source = "".join(
        _given(plan.lines, statement) for plan in plans if plan for statement in plan.statements
    )
    taken = iter(_taken(black(source), statements) or ())
    return [_placed(plan, taken) if plan else None for plan in plans]


def _plan(text: str, overlong: Sequence[int]) -> _Plan | None:
    lines = text.split("\n")
    statements = _statements(text, lines, overlong)
    return None if statements is None else _Plan(lines, statements)


def _placed(plan: _Plan, taken: Iterator[list[str]]) -> str | None:
    """The plan's text with black's lines for its statements (the next ones `taken`) in their place."""
    lines = list(plan.lines)
    replacements = [next(taken, None) for _ in plan.statements]
    for statement, replacement in reversed(list(zip(plan.statements, replacements, strict=True))):
        if replacement is None:
            return None
        lines[statement.first : statement.last + 1] = replacement
    return "\n".join(lines)


def _statements(text: str, lines: list[str], overlong: Sequence[int]) -> list[_Statement] | None:
    """The outermost of the statements that hold the overlong lines, in order, without overlaps. An `elif`
    is not a statement of its own: where one holds an overlong line, black sees the whole file."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None  # black says where, on the whole file
    found: list[_Statement] = []
    for index in overlong:
        node = _holding(tree.body, index + 1)
        if node is None:
            return None
        first, last = _first_line(node) - 1, (node.end_lineno or 0) - 1
        code = lines[first].lstrip(" ")
        indent = len(lines[first]) - len(code)
        if (
            code.startswith("elif ")
            or indent % len(_INDENT)
            or any(line and not line.startswith(" " * indent) for line in lines[first : last + 1])
        ):
            return None
        found.append(_Statement(first, last, indent // len(_INDENT)))
    found.sort(key=lambda statement: (statement.first, -statement.last))
    outermost: list[_Statement] = []
    for statement in found:
        if not outermost or statement.first > outermost[-1].last:
            outermost.append(statement)
    return outermost


def _holding(body: list[ast.stmt], number: int) -> ast.stmt | None:
    """The innermost statement of `body` (or nested in it) whose lines include line `number` (1-based)."""
    index = bisect.bisect_right(body, number, key=_first_line) - 1
    if index < 0 or number > (body[index].end_lineno or 0):
        return None
    statement = body[index]
    for inner in _bodies(statement):
        deeper = _holding(inner, number) if inner else None
        if deeper is not None:
            return deeper
    return statement


def _bodies(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        inner = getattr(statement, field, None)
        if isinstance(inner, list):
            yield inner
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body


def _first_line(statement: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(decorator.lineno for decorator in decorators)])


def _given(lines: list[str], statement: _Statement) -> str:
    headers = "".join(f"{_INDENT * level}{_PLACEHOLDER}\n" for level in range(statement.depth))
    body = "\n".join(lines[statement.first : statement.last + 1])
    return f"{_SEPARATOR}\n{headers}{body}\n"


def _taken(formatted: str, statements: list[_Statement]) -> list[list[str]] | None:
    """Black's lines for each statement given, without the separators and placeholders around them, and
    without the blank lines black puts before a `def` after either: they are not the statement's."""
    parts = formatted.split(f"{_SEPARATOR}\n")
    if len(parts) != len(statements) + 1 or parts[0]:
        return None
    taken: list[list[str]] = []
    for part, statement in zip(parts[1:], statements, strict=True):
        lines = part.rstrip("\n").split("\n")
        for level in range(statement.depth):
            lines = _from_first_nonblank(lines)
            if lines[:1] != [f"{_INDENT * level}{_PLACEHOLDER}"]:
                return None
            lines = lines[1:]
        taken.append(_from_first_nonblank(lines))
    return taken


def _from_first_nonblank(lines: list[str]) -> list[str]:
    return list(itertools.dropwhile(lambda line: not line, lines))

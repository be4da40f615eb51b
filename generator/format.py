"""Format stage: black, in-process, on every Python file; other files pass through unchanged.

Black costs about a millisecond per line and dominates generation time, so work is skipped where it can be proven
unnecessary, and nowhere else:
- the runtime modules ship already formatted (`preformatted`);
- our own templates print black's layout by construction wherever every line fits (`vouchable`): such a file whose
  every line fits in the line length (`fits`) is vouched for as it is. The test suite proves black a no-op on every
  vouched file of the golden specs, the fuzz specs and the corpus; a file with an overlong line, or rendered by a
  user's templates, goes through black;
- a file whose render is the one the previous run recorded (same render digest, same black, same mode) keeps the
  text that run wrote, provided the file on disk still has the digest recorded for it (`Previous`): the checked-in
  tree is its own cache, on any machine.
There is no cache outside the package: an entry planted in a shared folder would be written into the client.
`verify=True` trusts nothing recorded: black formats every file, the vouched ones included, and a vouched file
black would change is an error. CI runs it (`oapigen check --verify-format`).
What is not reused is formatted by a pool of worker processes when there is a lot of it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from typing import Protocol

from generator import layout
from generator.config import DEFAULT_LINE_LENGTH

_PARALLEL_FROM_LINES = 20_000  # below this, starting worker processes costs more than it saves
# Whitespace black rewrites where it stands (tabs in docstrings, form feeds, carriage returns): never vouched for.
_REWRITTEN_WHITESPACE = re.compile("[\t\r\v\f]")
_TRIPLE_QUOTES = '"' * 3


class InvalidOutputError(Exception):
    """Rendered code that black cannot parse or would change although it was vouched for: a generator bug."""


class Previous(Protocol):
    """The previous run's record of a file: the text it wrote for a render, if that text is still intact."""

    formatter: str

    def text(self, path: str, render_digest: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Counts:
    """Where the Python files' final text came from."""

    blackened: int  # files black formatted
    reused: int  # files whose formatted text came from the previous run
    vouched: int  # files that skipped black because they were vouched for
    vouched_lines: int

    def summary(self) -> str:
        return (
            f"{self.blackened} files through black, {self.reused} reused, "
            f"{self.vouched} vouched for ({self.vouched_lines} lines)"
        )


@dataclass(frozen=True, slots=True)
class Formatted:
    files: dict[str, str]  # path -> final text, in the order of the input
    renders: dict[
        str, str
    ]  # path -> digest of the text before formatting, for the next run's reuse
    counts: Counts


def formatter(line_length: int) -> str:
    """What a formatted text depends on besides its input: a record made with another is not reused."""
    return f"black {version('black')}, line length {line_length}, py311"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def fits(text: str, line_length: int) -> bool:
    """Whether every line of `text` that black could split fits in `line_length` columns (`layout.width`), and no
    whitespace black would rewrite is in it.

    Comment lines and docstrings are exempt: black never splits them. A line that starts with triple quotes
    opens a docstring (no other generated line can: literals never use triple quotes), which ends at the next
    triple quotes (a docstring body never holds any: `quoting.docstring_body`).
    """
    if _REWRITTEN_WHITESPACE.search(text):
        return False
    in_docstring = False
    for line in text.split("\n"):
        code = line.lstrip(" ")
        if in_docstring:
            in_docstring = _TRIPLE_QUOTES not in code
        elif code.startswith(_TRIPLE_QUOTES):
            in_docstring = code.count(_TRIPLE_QUOTES) == 1
        elif not code.startswith("#") and layout.width(line) > line_length:
            return False
    return True


def format_files(
    files: Mapping[str, str],
    preformatted: frozenset[str] = frozenset(),
    previous: Previous | None = None,
    *,
    vouchable: frozenset[str] = frozenset(),
    line_length: int = DEFAULT_LINE_LENGTH,
    verify: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Formatted:
    """Format every `.py` file but the vouched ones; the mapping keeps its order.

    Vouched for: the `preformatted` files, and the `vouchable` ones (rendered by our templates) that `fits`.
    Both are laid out for the default line length: at another one, and with `verify`, black sees them too.
    `progress(done, total)` follows the files black formats.
    """
    if line_length != DEFAULT_LINE_LENGTH:
        preformatted = vouchable = frozenset()
    vouched = {
        path
        for path in files
        if path.endswith(".py")
        and (path in preformatted or (path in vouchable and fits(files[path], line_length)))
    }
    renders = {path: digest(text) for path, text in files.items()}
    if previous is not None and (verify or previous.formatter != formatter(line_length)):
        previous = None
    formatted: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    for path, text in files.items():
        if not path.endswith(".py") or (path in vouched and not verify):
            continue
        known = previous.text(path, renders[path]) if previous is not None else None
        if known is None:
            todo.append((path, text))
        else:
            formatted[path] = known
    reused = len(formatted)
    formatted.update(_format_many(todo, line_length, progress))
    skipped = [] if verify else [files[path] for path in vouched]
    if verify:
        _check_vouched(files, formatted, vouched)
    counts = Counts(len(todo), reused, len(skipped), sum(text.count("\n") for text in skipped))
    return Formatted(
        {path: formatted.get(path, text) for path, text in files.items()}, renders, counts
    )


def _check_vouched(
    files: Mapping[str, str], formatted: Mapping[str, str], vouched: set[str]
) -> None:
    changed = sorted(path for path in vouched if formatted[path] != files[path])
    if changed:
        raise InvalidOutputError(
            f"black would change {len(changed)} file(s) vouched for as already formatted: "
            + ", ".join(changed)
        )


def _format_one(line_length: int, item: tuple[str, str]) -> tuple[str, str]:
    # Imported here: black takes most of a second to import, and a run that reuses everything never needs it.
    from black import format_str
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    path, text = item
    mode = Mode(target_versions={TargetVersion.PY311}, line_length=line_length)
    try:
        return path, format_str(text, mode=mode)
    except InvalidInput as error:
        raise InvalidOutputError(f"generated {path} is not valid Python: {error}") from error


def _format_many(
    todo: list[tuple[str, str]], line_length: int, progress: Callable[[int, int], None] | None
) -> dict[str, str]:
    workers = min(os.cpu_count() or 1, 8)
    one = functools.partial(_format_one, line_length)
    if workers > 1 and sum(text.count("\n") for _, text in todo) >= _PARALLEL_FROM_LINES:
        # Largest first, so one big module does not start last and finish alone.
        todo = sorted(todo, key=lambda item: -len(item[1]))
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            return _counted(pool.map(one, todo, chunksize=8), len(todo), progress)
    return _counted(map(one, todo), len(todo), progress)


def _counted(
    results: Iterator[tuple[str, str]], total: int, progress: Callable[[int, int], None] | None
) -> dict[str, str]:
    formatted: dict[str, str] = {}
    for path, text in results:
        formatted[path] = text
        if progress is not None:
            progress(len(formatted), total)
    return formatted

"""Format stage: black, in-process, on the Python files; other files pass through unchanged.

Black costs about a millisecond per line, so work is skipped where it can be proven unnecessary, and nowhere else:
- the runtime modules ship already formatted (`preformatted`);
- our own templates print black's layout by construction wherever a line fits (`vouchable`): such a file whose
  every line fits in the line length (`fits`) is vouched for as it is, and in one that does not, black sees only the
  statements that hold an overlong line (generator/overlong.py). The test suite proves both fast paths write what
  black on the whole file writes, for the golden specs, the fuzz specs and the corpus; a file rendered by a user's
  templates goes through black whole;
- a file whose render is the one the previous run recorded (same render digest, same black, same mode) keeps the
  text that run wrote, provided the file on disk still has the digest recorded for it (`Previous`): the checked-in
  tree is its own cache, on any machine.
There is no cache outside the package: an entry planted in a shared folder would be written into the client.
`verify=True` trusts nothing recorded: black formats every whole file, and a fast path that would have written
anything else is an error. CI runs it (`oapigen check --verify-format`).
What is not reused is formatted by a pool of worker processes when there is a lot of it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from typing import Protocol

from generator import layout
from generator.config import DEFAULT_LINE_LENGTH
from generator.overlong import format_overlong

_PARALLEL_FROM_LINES = 20_000  # below this, starting worker processes costs more than it saves
# Black on one statement that does not fit costs about as much as on this many lines of a whole file (it tries
# several splits); finding the statements, about a fiftieth of black on the lines searched.
_STATEMENT_COST = 6
_SEARCH_SHARE = 50
# Whitespace black rewrites where it stands (tabs in docstrings, form feeds, carriage returns): never vouched for.
_REWRITTEN_WHITESPACE = re.compile("[\t\r\v\f]")


class InvalidOutputError(Exception):
    """Rendered code that black cannot parse or would change although it was vouched for: a generator bug."""


class Previous(Protocol):
    """The previous run's record of a file: the text it wrote for a render, if that text is still intact."""

    formatter: str

    def text(self, path: str, render_digest: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Counts:
    """Where the Python files' final text came from."""

    blackened: int  # files black formatted whole
    in_part: int  # files of which black formatted only the statements that do not fit
    reused: int  # files whose formatted text came from the previous run
    vouched: int  # files that skipped black because they were vouched for
    vouched_lines: int

    def summary(self) -> str:
        return (
            f"{self.blackened} files through black, {self.in_part} in part, {self.reused} reused, "
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
    """Whether every line of `text` that black could split fits in `line_length` columns
    (`layout.overlong_lines`), and no whitespace black would rewrite is in it."""
    return _overlong(text, line_length) == ()


def _overlong(text: str, line_length: int) -> tuple[int, ...] | None:
    """The indices of the lines of `text` that do not fit; None where black has whitespace to rewrite."""
    if _REWRITTEN_WHITESPACE.search(text):
        return None
    return tuple(layout.overlong_lines(text, line_length))


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
    A vouchable file that does not fit goes to black in part (generator/overlong.py).
    `progress(done, total)` follows the files black formats.
    """
    if line_length != DEFAULT_LINE_LENGTH:
        preformatted = vouchable = frozenset()
    overlong = {
        path: _overlong(text, line_length)
        for path, text in files.items()
        if path.endswith(".py") and path in vouchable
    }
    vouched = {path for path in files if path in preformatted or overlong.get(path) == ()}
    renders = {path: digest(text) for path, text in files.items()}
    if previous is not None and (verify or previous.formatter != formatter(line_length)):
        previous = None
    formatted: dict[str, str] = {}
    todo: list[_Job] = []
    for path, text in files.items():
        if not path.endswith(".py") or (path in vouched and not verify):
            continue
        known = previous.text(path, renders[path]) if previous is not None else None
        if known is None:
            todo.append(_Job(path, text, None if verify else overlong.get(path)))
        else:
            formatted[path] = known
    reused = len(formatted)
    done = _format_many(todo, line_length, progress)
    formatted.update((path, text) for path, (text, _) in done.items())
    if verify:
        _check_fast_paths(files, formatted, vouched, overlong, line_length)
    skipped = [] if verify else [files[path] for path in vouched]
    in_part = sum(whole is False for _, whole in done.values())
    counts = Counts(
        len(todo) - in_part,
        in_part,
        reused,
        len(skipped),
        sum(text.count("\n") for text in skipped),
    )
    return Formatted(
        {path: formatted.get(path, text) for path, text in files.items()}, renders, counts
    )


def _check_fast_paths(
    files: Mapping[str, str],
    formatted: Mapping[str, str],
    vouched: set[str],
    overlong: Mapping[str, tuple[int, ...] | None],
    line_length: int,
) -> None:
    """Fail unless black on every whole file gives what the fast paths give: the vouched files as rendered,
    the others of ours with only their overlong statements through black."""
    in_part = [
        _Job(path, files[path], lines)
        for path, lines in overlong.items()
        if path in formatted and path not in vouched
    ]
    fast = {path: text for path, (text, _) in _format_task(line_length, in_part)}
    fast.update((path, files[path]) for path in vouched)
    changed = sorted(path for path, text in fast.items() if formatted[path] != text)
    if changed:
        raise InvalidOutputError(
            f"black on the whole file differs from the fast path (vouched for, or black on the statements "
            f"that do not fit) in {len(changed)} file(s): " + ", ".join(changed)
        )


@dataclass(frozen=True, slots=True)
class _Job:
    path: str
    text: str
    # Rendered by our templates: the lines that do not fit, of which black may see only the statements. None: the
    # whole file goes to black (a user's template, --verify-format, whitespace black rewrites).
    overlong: tuple[int, ...] | None


def _format_many(
    todo: list[_Job], line_length: int, progress: Callable[[int, int], None] | None
) -> dict[str, tuple[str, bool]]:
    """path -> (formatted text, whether black saw all of it)."""
    workers = min(os.cpu_count() or 1, 8)
    costs = {job.path: _cost(job) for job in todo}
    parallel = workers > 1 and sum(costs.values()) >= _PARALLEL_FROM_LINES
    # The files formatted in part share black calls, one per batch; the others go to black one by one.
    in_part = sorted(
        (job for job in todo if job.overlong is not None), key=lambda job: -costs[job.path]
    )
    batches = workers * 2 if parallel else 1
    tasks = [in_part[start::batches] for start in range(batches)] if in_part else []
    tasks += [[job] for job in todo if job.overlong is None]
    one = functools.partial(_format_task, line_length)
    if parallel:
        # Largest first, so one big task does not start last and finish alone.
        tasks.sort(key=lambda task: -sum(costs[job.path] for job in task))
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            return _counted(
                itertools.chain.from_iterable(pool.map(one, tasks)), len(todo), progress
            )
    return _counted(itertools.chain.from_iterable(map(one, tasks)), len(todo), progress)


def _cost(job: _Job) -> int:
    """About how many lines of black on a whole file a job costs."""
    lines = job.text.count("\n")
    if job.overlong is None:
        return lines
    return len(job.overlong) * _STATEMENT_COST + lines // _SEARCH_SHARE


def _format_task(line_length: int, jobs: list[_Job]) -> list[tuple[str, tuple[str, bool]]]:
    """Each job's path, formatted text, and whether black saw all of it: the files of ours see one call of black
    for all their statements that do not fit, where that can be done exactly; the others see black whole."""
    from black.parsing import InvalidInput

    black = functools.partial(_black, line_length)
    partable = [(job, job.overlong) for job in jobs if job.overlong is not None]
    try:
        texts = format_overlong([(job.text, lines) for job, lines in partable], black)
    except InvalidInput:  # a statement black cannot parse alone: black on the whole file says where
        texts = [None] * len(partable)
    partly = {
        job.path: text for (job, _), text in zip(partable, texts, strict=True) if text is not None
    }
    return [
        (job.path, (partly[job.path], False) if job.path in partly else (_whole(job, black), True))
        for job in jobs
    ]


def _whole(job: _Job, black: Callable[[str], str]) -> str:
    from black.parsing import InvalidInput

    try:
        return black(job.text)
    except InvalidInput as error:
        raise InvalidOutputError(f"generated {job.path} is not valid Python: {error}") from error


def _black(line_length: int, text: str) -> str:
    # Imported here: black takes most of a second to import, and a run that reuses everything never needs it.
    from black import format_str
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY311}, line_length=line_length)
    return format_str(text, mode=mode)


def _counted(
    results: Iterator[tuple[str, tuple[str, bool]]],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, tuple[str, bool]]:
    done: dict[str, tuple[str, bool]] = {}
    for path, result in results:
        done[path] = result
        if progress is not None:
            progress(len(done), total)
    return done

"""Format stage: black, in-process, on every Python file; other files pass through unchanged.

Black costs about a millisecond per line and dominates generation time, so its results are cached by content
(black's output is a pure function of its version, its mode and the input) in the user's cache folder, never in
the project; and what is not cached is formatted by a pool of worker processes when there is a lot of it.
`OAPIGEN_CACHE=off` disables the cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from generator.config import DEFAULT_LINE_LENGTH

_PARALLEL_FROM_LINES = 20_000  # below this, starting worker processes costs more than it saves


class InvalidOutputError(Exception):
    """Rendered code that black cannot parse: a bug in the generator, never in the spec."""


def _format_one(line_length: int, item: tuple[str, str]) -> tuple[str, str]:
    path, text = item
    try:
        return path, format_str(text, mode=_mode(line_length))
    except InvalidInput as error:
        raise InvalidOutputError(f"generated {path} is not valid Python: {error}") from error


def _mode(line_length: int) -> Mode:
    return Mode(target_versions={TargetVersion.PY311}, line_length=line_length)


def format_files(
    files: Mapping[str, str],
    preformatted: frozenset[str] = frozenset(),
    line_length: int = DEFAULT_LINE_LENGTH,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, str]:
    """Format every `.py` file but the `preformatted` ones; the mapping keeps its order.

    `progress(done, total)` is called as files not found in the cache are formatted.
    """
    cache = _cache_dir(line_length)
    formatted: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    for path, text in files.items():
        if not path.endswith(".py") or path in preformatted:
            continue
        hit = _cache_read(cache, text)
        if hit is None:
            todo.append((path, text))
        else:
            formatted[path] = hit
    formatted.update(_format_many(todo, line_length, progress))
    for path, text in todo:
        _cache_write(cache, text, formatted[path])
    return {path: formatted.get(path, text) for path, text in files.items()}


def _format_many(
    todo: list[tuple[str, str]], line_length: int, progress: Callable[[int, int], None] | None
) -> dict[str, str]:
    workers = min(os.cpu_count() or 1, 8)
    one = functools.partial(_format_one, line_length)
    if workers > 1 and sum(text.count("\n") for _, text in todo) >= _PARALLEL_FROM_LINES:
        # Largest first, so one big module does not start last and finish alone.
        todo = sorted(todo, key=lambda item: -len(item[1]))
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


def cache_enabled() -> bool:
    return os.environ.get("OAPIGEN_CACHE", "").lower() not in ("off", "0", "false", "no")


def _cache_dir(line_length: int) -> Path | None:
    if not cache_enabled():
        return None
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "oapigen" / f"black-{version('black')}-py311-{line_length}"


def _cache_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _cache_read(cache: Path | None, text: str) -> str | None:
    if cache is None:
        return None
    try:
        return (cache / _cache_key(text)).read_text(encoding="utf-8", errors="surrogatepass")
    except (OSError, UnicodeDecodeError):
        return None


def _cache_write(cache: Path | None, text: str, formatted: str) -> None:
    """Best effort and atomic (write, then rename): a cache that cannot be written only costs time."""
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=cache, delete=False, encoding="utf-8", errors="surrogatepass"
        ) as f:
            f.write(formatted)
        os.replace(f.name, cache / _cache_key(text))
    except OSError:
        return

"""Format stage: black, in-process, on every Python file; other files pass through unchanged.

Black costs about half a millisecond per line, which dominates generation for large specs (Discord's is 70,000
lines), so big outputs are formatted by a pool of worker processes. Files are independent: the result is the same.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

import black

# Generated code is read in review diffs; 100 columns keeps signatures on one line more often than 88.
LINE_LENGTH = 100
_MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=LINE_LENGTH)
_PARALLEL_FROM_LINES = 20_000  # below this, starting worker processes costs more than it saves


class InvalidOutputError(Exception):
    """Rendered code that black cannot parse: a bug in the generator, never in the spec."""


def _format_one(item: tuple[str, str]) -> tuple[str, str]:
    path, text = item
    try:
        return path, black.format_str(text, mode=_MODE)
    except black.InvalidInput as error:
        raise InvalidOutputError(f"generated {path} is not valid Python: {error}") from error


def format_files(files: Mapping[str, str]) -> dict[str, str]:
    """Format every `.py` file; the mapping keeps its order."""
    python = [(path, text) for path, text in files.items() if path.endswith(".py")]
    workers = min(os.cpu_count() or 1, 8)
    if workers > 1 and sum(text.count("\n") for _, text in python) >= _PARALLEL_FROM_LINES:
        # Largest first, so one big module does not start last and finish alone.
        python.sort(key=lambda item: -len(item[1]))
        with ProcessPoolExecutor(workers) as pool:
            formatted = dict(pool.map(_format_one, python, chunksize=8))
    else:
        formatted = dict(map(_format_one, python))
    return {path: formatted.get(path, text) for path, text in files.items()}

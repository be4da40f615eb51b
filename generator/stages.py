"""Seconds spent per stage of a run, for `oapigen -v`; a module of its own, so the CLI's quick path needs no
pipeline to time itself."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class Stages:
    """Seconds spent per stage, in the order the stages ran (`oapigen -v` prints them)."""

    def __init__(self) -> None:
        self.seconds: list[tuple[str, float]] = []

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds.append((name, time.perf_counter() - start))

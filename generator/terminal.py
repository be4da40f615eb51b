"""What the CLI prints, and how: colours only on a terminal and never with NO_COLOR; a progress bar only on a
terminal outside CI; `--quiet` keeps warnings and errors only; `--verbose` adds stage times and counts."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TextIO

from generator.diagnostics import Diagnostic, Severity
from generator.stages import Stages

Progress = Callable[[int, int], None]  # (done, total)

_RED, _GREEN, _YELLOW, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"
_BAR_WIDTH = 30
_PROGRESS_FROM = 100  # files to format; fewer finish before a bar is worth drawing


def _colour_allowed(stream: TextIO, environ: Mapping[str, str]) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colours off.
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


class Terminal:
    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        out_colour: bool = False,
        err_colour: bool = False,
        progress_bar: bool = False,
        verbose: bool = False,
        quiet: bool = False,
    ) -> None:
        self._out, self._err = out, err
        self._out_colour, self._err_colour = out_colour, err_colour
        self._progress_bar = progress_bar and not quiet
        self._verbose, self._quiet = verbose and not quiet, quiet

    @classmethod
    def for_streams(
        cls, out: TextIO, err: TextIO, environ: Mapping[str, str], verbose: bool, quiet: bool
    ) -> Terminal:
        return cls(
            out,
            err,
            out_colour=_colour_allowed(out, environ),
            err_colour=_colour_allowed(err, environ),
            progress_bar=err.isatty() and not environ.get("CI"),
            verbose=verbose,
            quiet=quiet,
        )

    def _paint(self, text: str, colour: str, enabled: bool) -> str:
        return f"{colour}{text}{_RESET}" if enabled and text else text

    def _line(self, text: str, colour: str = "") -> None:
        print(self._paint(text, colour, self._err_colour and bool(colour)), file=self._err)

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Warnings and errors: printed even with --quiet."""
        for diagnostic in diagnostics:
            colour = _YELLOW if diagnostic.severity is Severity.WARNING else _RED
            self._line(diagnostic.format(), colour)

    def problem(self, text: str) -> None:
        self._line(text, _RED)

    def status(self, text: str, *, good: bool = False) -> None:
        if not self._quiet:
            self._line(text, _GREEN if good else "")

    def report(self, text: str) -> None:
        """Text for stdout (a summary, a report), unless --quiet."""
        if not self._quiet:
            self._out.write(text)

    def diff(self, text: str) -> None:
        if self._quiet:
            return
        for line in text.splitlines(keepends=True):
            added = line.startswith("+") and not line.startswith("+++")
            removed = line.startswith("-") and not line.startswith("---")
            colour = _GREEN if added else _RED if removed else ""
            body = line.rstrip("\n")
            self._out.write(self._paint(body, colour, self._out_colour) + line[len(body) :])

    def stages(self, stages: Stages, summary: str) -> None:
        """With --verbose: one line per stage with its time, then what was produced."""
        if not self._verbose:
            return
        for name, seconds in stages.seconds:
            self._line(f"  {name:<18} {seconds:8.3f} s")
        self._line(f"  {summary}")

    @contextlib.contextmanager
    def progress(self, label: str) -> Iterator[Progress | None]:
        """A callback drawing `label [####    ] done/total` in place; None when no bar is drawn."""
        if not self._progress_bar:
            yield None
            return
        drawn = False

        def draw(done: int, total: int) -> None:
            nonlocal drawn
            if total < _PROGRESS_FROM:
                return
            filled = _BAR_WIDTH * done // total
            bar = "#" * filled + " " * (_BAR_WIDTH - filled)
            self._err.write(f"\r{label} [{bar}] {done}/{total}")
            self._err.flush()
            drawn = True

        try:
            yield draw
        finally:
            if drawn:
                self._err.write("\r\x1b[K")  # erase the bar: what follows starts on a clean line
                self._err.flush()

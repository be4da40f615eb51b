"""Helper process for tests/test_write.py: write version A or B of a large package, to be killed or raced.

    python tests/kill_during_write.py PACKAGE_DIR {A|B} [--fallback] [--start-at UNIX_TIME] [--crash-at NAME:N]

Prints "ready" once imports are done, right before calling write_output, so the test can time its SIGKILL
against the write itself rather than against interpreter start-up; prints "done" when write_output returns.
--fallback disables renameat2 to exercise the rename-aside swap; --start-at lines up two concurrent writers;
--crash-at makes the process SIGKILL itself on the Nth call of generator.write.NAME (or of os.rename), just before
the call runs: a kill at an exact step, where the random kills of the test land wherever timing puts them.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator import write

FILE_COUNT = 300
FILE_SIZE = 20_000


def module_text(version: str, index: int) -> str:
    """About FILE_SIZE bytes of Python, different for every (version, index); cheap, as start-up time matters."""
    line = f"VALUE_{index} = {version!r}  # module {index} of version {version}\n"
    return f'"""Version {version} of module {index}."""\n' + line * (FILE_SIZE // len(line))


def tree(version: str) -> dict[str, str]:
    """Version A: modules 0..299; B: modules 10..309, so a switch adds, removes and rewrites files and folders."""
    first = 0 if version == "A" else 10
    files = {
        f"group_{index // 30:02d}/module_{index:03d}.py": module_text(version, index)
        for index in range(first, first + FILE_COUNT)
    }
    files["__init__.py"] = f'"""Package, version {version}."""\n'
    files["py.typed"] = ""
    return files


def crash_at(point: str) -> None:
    name, count = point.split(":")
    owner: Any = os if name == "rename" else write
    original: Callable[..., Any] = getattr(owner, name)
    calls = 0

    def crash_on_nth_call(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == int(count):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(owner, name, crash_on_nth_call)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("package_dir", type=Path)
    parser.add_argument("version", choices=["A", "B"])
    parser.add_argument("--fallback", action="store_true")
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--crash-at", default="")
    args = parser.parse_args()

    if args.fallback:
        write._exchange = lambda first, second: (
            False
        )  # as on a system or filesystem without renameat2
    if args.crash_at:
        crash_at(args.crash_at)
    files = tree(args.version)
    time.sleep(max(0.0, args.start_at - time.time()))
    print("ready", flush=True)
    write.write_output(args.package_dir, files)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

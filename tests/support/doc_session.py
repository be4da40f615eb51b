"""Runs the code blocks of a Markdown page in order, in a fresh folder, as a reader following the page would.

A fence's info string is the language and optional `key="value"` attributes:
- `title="path"`: the block is a file the reader creates; it is written to that path.
- `sh`: run with bash (`set -euo pipefail`); stdout and stderr together are the output. It must exit 0, or the
  code given as `exit="N"`.
- `python` (untitled): run with the session's Python, with `src` (where the pages generate into) on the path; its
  output is the output.
- `text` (untitled): output shown to the reader; every one of its lines must appear in the output of the block
  before it, in order (tools print more than a page can show, so lines in between are allowed).
Any other untitled block is an error: every example on a page is either a file or something that runs.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Block:
    language: str
    attributes: dict[str, str]
    text: str
    line: int  # of the opening fence, for messages


def blocks(page: str) -> list[Block]:
    return [
        Block(
            match.group(1),
            dict(_ATTRIBUTE.findall(match.group(2))),
            match.group(3),
            page.count("\n", 0, match.start()) + 1,
        )
        for match in _FENCE.finditer(page)
    ]


def run_page(page: Path, folder: Path, environ: Mapping[str, str], python: str) -> int:
    """Run every block of `page` in `folder`; returns how many blocks ran or were written."""
    output = ""
    done = 0
    for block in blocks(page.read_text(encoding="utf-8")):
        where = f"{page.name}:{block.line}"
        if "title" in block.attributes:
            path = folder / block.attributes["title"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, encoding="utf-8")
        elif block.language in ("sh", "python"):
            command = (
                ["bash", "-euo", "pipefail", "-c", block.text]
                if block.language == "sh"
                else [python, "-c", block.text]
            )
            python_path = {"PYTHONPATH": "src"} if block.language == "python" else {}
            done_process = subprocess.run(
                command,
                cwd=folder,
                env={**environ, **python_path},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=900,
            )
            output = done_process.stdout
            expected = int(block.attributes.get("exit", "0"))
            assert done_process.returncode == expected, (
                f"{where}: the block exited {done_process.returncode}, not {expected}:\n{output}"
            )
        elif block.language == "text":
            _assert_shown(where, block.text, output)
        else:
            raise AssertionError(
                f"{where}: a {block.language} block that is neither run nor a file"
            )
        done += 1
    return done


def _assert_shown(where: str, shown: str, output: str) -> None:
    position = 0
    lines = output.splitlines()
    for wanted in shown.splitlines():
        for index in range(position, len(lines)):
            if lines[index].rstrip() == wanted.rstrip():
                position = index + 1
                break
        else:
            raise AssertionError(f"{where}: {wanted!r} is not in the output (in order):\n{output}")


def session_environ(bin_dir: Path, home: Path) -> dict[str, str]:
    """The environment of a page: `bin_dir` first on PATH, no colours, a git identity."""
    environ = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    environ.update(
        PATH=f"{bin_dir}{os.pathsep}{environ.get('PATH', '')}",
        NO_COLOR="1",
        GIT_AUTHOR_NAME="Reader",
        GIT_AUTHOR_EMAIL="reader@example.invalid",
        GIT_COMMITTER_NAME="Reader",
        GIT_COMMITTER_EMAIL="reader@example.invalid",
        PRE_COMMIT_HOME=str(home / "pre-commit"),
    )
    return environ

"""The assembled runtime passes `mypy --strict` and `ruff check` with the project's settings.

Each tool runs once over the whole package; each module has its own test, so a failure names the module to fix.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.render import RUNTIME_MODULES

Runtime = Any  # the runtime package assembled by conftest.py
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def mypy_output(rt: Runtime, tmp_path_factory: pytest.TempPathFactory) -> str:
    cache = tmp_path_factory.mktemp("mypy_cache")
    return run(
        "mypy",
        "--strict",
        "--config-file",
        "pyproject.toml",
        "--cache-dir",
        str(cache),
        str(rt.directory),
    )


@pytest.fixture(scope="module")
def ruff_output(rt: Runtime) -> str:
    return run(
        "ruff",
        "check",
        "--no-cache",
        "--config",
        "pyproject.toml",
        "--output-format",
        "concise",
        str(rt.directory),
    )


def problems(output: str, directory: Path, module: str) -> list[str]:
    prefix = str(directory / f"{module}.py") + ":"
    return [line for line in output.splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("module", RUNTIME_MODULES)
def test_mypy_strict(rt: Runtime, mypy_output: str, module: str) -> None:
    assert problems(mypy_output, rt.directory, module) == []


@pytest.mark.parametrize("module", RUNTIME_MODULES)
def test_ruff(rt: Runtime, ruff_output: str, module: str) -> None:
    assert problems(ruff_output, rt.directory, module) == []


def test_tools_ran(mypy_output: str, ruff_output: str) -> None:
    assert "Success" in mypy_output or "error" in mypy_output, mypy_output
    assert "All checks passed" in ruff_output or "Found" in ruff_output, ruff_output

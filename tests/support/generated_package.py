"""A generated client as the tests use it: written into a folder, imported, type-checked."""

from __future__ import annotations

import contextlib
import importlib
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

from generator.write import write_output


def unique_name(prefix: str) -> str:
    """A package name no other test of the session imports (modules stay in sys.modules)."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def imported(root: Path, name: str, files: Mapping[str, str]) -> Iterator[ModuleType]:
    """`files` written as package `name` in `root` and imported; importable while the context lasts."""
    write_output(root / name, files)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(root))


def assert_type_checks(directory: Path) -> None:
    """`mypy --strict` on a generated package, from the test's own interpreter's environment."""
    mypy = Path(sys.executable).parent / "mypy"
    result = subprocess.run(
        [mypy, "--strict", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout

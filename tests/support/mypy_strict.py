"""`mypy --strict` on a generated package, from the test's own interpreter's environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def assert_type_checks(directory: Path) -> None:
    mypy = Path(sys.executable).parent / "mypy"
    result = subprocess.run(
        [mypy, "--strict", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout

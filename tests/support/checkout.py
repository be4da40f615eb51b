"""The repository as a fresh clone would have it: the files git tracks (or would track), copied elsewhere."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tracked_files() -> list[str]:
    """Paths of the working tree's files that are tracked or not ignored, relative to the repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [path for path in listed.split("\0") if path and (ROOT / path).is_file()]


def copy_checkout(destination: Path) -> Path:
    """Copy the working tree's files (as they are now, edits included) into `destination`."""
    for path in tracked_files():
        (destination / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, destination / path)
    return destination


def git(folder: Path, *args: str) -> str:
    """Run git in `folder` with a fixed identity (the machine may have none configured)."""
    identity = ["-c", "user.name=oapigen tests", "-c", "user.email=tests@oapigen.invalid"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=folder, capture_output=True, text=True, check=True
    )
    return done.stdout

"""Defaults for the CLI from `[tool.generator]` in the project's pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Defaults:
    spec: Path | None = None
    output: Path = Path("generated")
    package: str | None = None


def project_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding pyproject.toml or .git."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    return None


def read_defaults(cwd: Path) -> Defaults:
    root = project_root(cwd)
    pyproject = root / "pyproject.toml" if root else None
    if pyproject is None or not pyproject.is_file():
        return Defaults()
    with pyproject.open("rb") as handle:
        table = tomllib.load(handle).get("tool", {}).get("generator", {})
    assert root is not None
    return Defaults(
        spec=root / table["spec"] if isinstance(table.get("spec"), str) else None,
        output=root / table["output"]
        if isinstance(table.get("output"), str)
        else Path("generated"),
        package=table["package"] if isinstance(table.get("package"), str) else None,
    )


def display_path(spec: Path) -> str:
    """How generated files name their spec: relative to the project root, so no machine's paths leak in."""
    spec = spec.resolve()
    root = project_root(spec.parent)
    if root is not None:
        return spec.relative_to(root).as_posix()
    return spec.name

"""Options shared by the whole test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.checkout import copy_checkout, git


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite the expected-output snapshots (tests/negative/*.expected) instead of comparing with them",
    )


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """wheel + sdist built by `python -m build` from a copy of the tracked files (as a fresh clone has them);
    the wheel is built from the sdist, so both are proven complete."""
    work = tmp_path_factory.mktemp("dist")
    source = copy_checkout(work / "source")
    command = [sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(source)]
    subprocess.run(command, check=True, capture_output=True)
    return work / "dist"


@pytest.fixture(scope="session")
def wheel(dist: Path) -> Path:
    (built,) = dist.glob("oapigen-*.whl")
    return built


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository of this checkout (as the published one would be) and its commit, for pre-commit to
    install from. Its folder's sibling `pre-commit` is the PRE_COMMIT_HOME the tests share, so pre-commit
    builds its environment for the hooks once per run."""
    repo = copy_checkout(tmp_path_factory.mktemp("hooks") / "oapigen")
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "oapigen")
    return repo, git(repo, "rev-parse", "HEAD").strip()

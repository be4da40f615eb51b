"""The hooks of `.pre-commit-hooks.yaml`, run by pre-commit itself against a throwaway repository that keeps a
generated client: pre-commit installs oapigen from a git repository of this checkout, as a user's would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.checkout import git

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "tests" / "golden" / "features.yaml"
PYPROJECT = """\
[tool.generator]
spec = "api/features.yaml"
output = "src"
package = "features_client"
"""


def _config(hooks: Path, rev: str, hook: str) -> str:
    return f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n"


@pytest.mark.slow
def test_hooks_fail_on_a_stale_client_and_generate_repairs_it(
    tmp_path: Path, hooks_repo: tuple[Path, str]
) -> None:
    hooks, rev = hooks_repo

    project = tmp_path / "project"
    (project / "api").mkdir(parents=True)
    shutil.copy(FEATURES, project / "api" / "features.yaml")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "generator", "generate"], cwd=project, check=True)
    git(project, "init", "--quiet")
    environ = {**os.environ, "PRE_COMMIT_HOME": str(hooks.parent / "pre-commit"), "NO_COLOR": "1"}
    environ.pop("PYTHONPATH", None)

    def pre_commit(hook: str) -> subprocess.CompletedProcess[str]:
        config = project / ".pre-commit-config.yaml"
        config.write_text(_config(hooks, rev, hook), encoding="utf-8")
        git(project, "add", "--all")
        command = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
        return subprocess.run(command, cwd=project, env=environ, capture_output=True, text=True)

    fresh = pre_commit("oapigen-check")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "oapigen check" in fresh.stdout and "Passed" in fresh.stdout

    spec = project / "api" / "features.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), encoding="utf-8"
    )
    stale = pre_commit("oapigen-check")
    assert stale.returncode == 1 and "Failed" in stale.stdout
    assert "src/features_client: 1 file stale" in stale.stdout or "files stale" in stale.stdout

    repaired = pre_commit("oapigen-generate")
    assert (
        repaired.returncode == 1
    )  # pre-commit fails a hook that changed files: the update needs staging
    assert "files were modified by this hook" in repaired.stdout
    assert pre_commit("oapigen-check").returncode == 0
    assert pre_commit("oapigen-generate").returncode == 0

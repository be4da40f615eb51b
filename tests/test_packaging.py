"""oapigen as a user installs it: a wheel (built from the sdist, built from the tracked files) holding every module
and template, installed into a fresh virtualenv outside the checkout, generating and checking a client from
another working folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from corpus.harness import CORPUS
from support.checkout import tracked_files

from generator.runkey import generator_digest

ROOT = Path(__file__).resolve().parents[1]
SPOTIFY = CORPUS / "spotify.yaml"


def _source_packages() -> set[str]:
    """Every package the source tree holds: `generator/**` and `templates/**` (shipped as generator.templates)."""
    packages = set()
    for init in ROOT.glob("generator/**/__init__.py"):
        packages.add(".".join(init.parent.relative_to(ROOT).parts))
    for init in ROOT.glob("templates/**/__init__.py"):
        packages.add(".".join(("generator", *init.parent.relative_to(ROOT).parts)))
    return packages


def test_every_package_of_the_source_tree_is_listed_for_the_build() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        listed = tomllib.load(handle)["tool"]["setuptools"]["packages"]
    assert set(listed) == _source_packages()


def test_every_folder_under_generator_is_a_package() -> None:
    """A folder without `__init__.py` would be left out of the wheel without a word."""
    for folder in [*ROOT.glob("generator/**/"), *ROOT.glob("templates/**/")]:
        if folder.name != "__pycache__" and any(folder.glob("*.py")):
            assert (folder / "__init__.py").is_file(), folder


@pytest.mark.slow
def test_wheel_and_sdist_hold_every_module_and_template(dist: Path) -> None:
    (wheel,) = dist.glob("oapigen-*.whl")
    (sdist,) = dist.glob("oapigen-*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for package in _source_packages():
        assert f"{package.replace('.', '/')}/__init__.py" in in_wheel, package
    for path in tracked_files():
        if path.startswith("generator/") and path.endswith(".py"):
            assert path in in_wheel and path in in_sdist, path
        if path.startswith("templates/"):
            assert f"generator/{path}" in in_wheel and path in in_sdist, path


@pytest.mark.slow
def test_installed_wheel_generates_and_checks_a_client_elsewhere(
    dist: Path, tmp_path: Path
) -> None:
    if not SPOTIFY.is_file():
        pytest.skip(f"{SPOTIFY} is missing (set OAPIGEN_CORPUS)")
    (wheel,) = dist.glob("oapigen-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    work = tmp_path / "work"  # no pyproject.toml, no .git: settings are the defaults and the flags
    work.mkdir()
    shutil.copy(SPOTIFY, work / "spotify.yaml")
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=work, env=environ, capture_output=True, text=True)

    oapigen = str(venv / "bin" / "oapigen")
    assert run(oapigen, "--version").stdout == "oapigen 0.1.0\n"
    args = ["spotify.yaml", "-o", "out", "--package", "spotify_client"]
    generated = run(oapigen, "generate", *args)
    assert generated.returncode == 0, generated.stderr
    last = generated.stderr.splitlines()[-1]
    assert last.startswith("out/spotify_client: ") and last.endswith(" files generated")
    imported = run(
        str(venv / "bin" / "python"),
        "-c",
        "import sys; sys.path.insert(0, 'out'); import spotify_client, spotify_client.api; "
        "print(spotify_client.Client.__name__, spotify_client.__file__)",
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == f"Client {work / 'out' / 'spotify_client' / '__init__.py'}\n"
    checked = run(oapigen, "check", *args)
    assert (checked.returncode, checked.stderr.splitlines()[-1]) == (
        0,
        "out/spotify_client: up to date",
    )
    # From the manifest's run key, without building: the installed generator's files, named within their package
    # wherever the wheel put them, have the digest of the source tree's.
    quick = run(oapigen, "-v", "check", *args)
    assert quick.stderr.splitlines()[-3].split()[:2] == ["recorded", "run"], quick.stderr
    digest = run(
        str(venv / "bin" / "python"),
        "-c",
        "from generator.runkey import generator_digest; print(generator_digest())",
    )
    assert digest.stdout == generator_digest() + "\n", digest.stderr

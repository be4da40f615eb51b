"""`[tool.generator]` and `[[tool.generator.client]]`: every setting read, paths relative to the file, and each
kind of mistake reported at its line with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import SETTINGS, ClientConfig, read_project
from generator.diagnostics import UsageError

EVERY_SETTING = """\
[project]
name = "mine"

[tool.generator]
spec = "api/spec.yaml"
output = "src"
package = "pets_client"
strict = true
lenient = true
allow-external-refs = true
include-operations = ["listPets"]
exclude-operations = ["deletePet"]
include-tags = ["pets"]
exclude-tags = ["admin"]
line-length = 88
header = "Copyright ACME"
client-class = "PetClient"
async-client-class = "AsyncPetClient"
templates = "my_templates"
"""


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_every_setting_is_read_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path, EVERY_SETTING)
    (root / "sub").mkdir()
    project = read_project(root / "sub")  # found from a folder below, as `oapigen` run there would
    assert project.clients == ()
    assert project.defaults == ClientConfig(
        spec=root / "api/spec.yaml",
        output=root / "src",
        package="pets_client",
        strict=True,
        lenient=True,
        allow_external_refs=True,
        include_operations=("listPets",),
        exclude_operations=("deletePet",),
        include_tags=("pets",),
        exclude_tags=("admin",),
        line_length=88,
        header="Copyright ACME",
        client_class="PetClient",
        async_client_class="AsyncPetClient",
        templates=root / "my_templates",
    )


def test_the_test_above_covers_every_setting() -> None:
    for setting in SETTINGS:
        assert f"\n{setting.key} = " in EVERY_SETTING, setting.key


def test_client_tables_inherit_the_shared_settings(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "[tool.generator]\nstrict = true\noutput = 'clients'\n\n"
        "[[tool.generator.client]]\nspec = 'a.yaml'\npackage = 'a_client'\n\n"
        "[[tool.generator.client]]\nspec = 'b.yaml'\nstrict = false\n",
    )
    first, second = read_project(root).clients
    assert (first.spec, first.package, first.strict, first.output) == (
        root / "a.yaml",
        "a_client",
        True,
        root / "clients",
    )
    assert (second.spec, second.package, second.strict) == (root / "b.yaml", None, False)


def test_no_pyproject_means_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the project root, without a pyproject.toml
    assert read_project(tmp_path).defaults == ClientConfig()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[tool.generator]\nspec = 'a.yaml'\npakage = 'x'\n",
            "pyproject.toml:3: [tool.generator]: unknown key 'pakage' (did you mean 'package'?)",
        ),
        (
            "[tool.generator]\n\n[[tool.generator.client]]\nspec = 'a.yaml'\n\n"
            "[[tool.generator.client]]\nspec = 'b.yaml'\nline_length = 80\n",
            "pyproject.toml:8: [[tool.generator.client]] #2: unknown key 'line_length' "
            "(did you mean 'line-length'?)",
        ),
        (
            "[tool.generator]\nclients = []\n",
            "pyproject.toml:2: [tool.generator]: unknown key 'clients' (did you mean 'client'?)",
        ),
        (
            "[tool.generator]\nzzz = 1\n",
            "pyproject.toml:2: [tool.generator]: unknown key 'zzz'",
        ),
        (
            "[tool.generator]\nstrict = 'yes'\n",
            "pyproject.toml:2: [tool.generator]: strict must be a boolean",
        ),
        (
            "[tool.generator]\nline-length = 0\n",
            "pyproject.toml:2: [tool.generator]: line-length must be a positive integer",
        ),
        (
            "[tool.generator]\ninclude-tags = 'pets'\n",
            "pyproject.toml:2: [tool.generator]: include-tags must be a list of strings",
        ),
        (
            "[tool.generator]\nclient = 'a'\n",
            "pyproject.toml:2: [tool.generator]: must be [[tool.generator.client]] tables",
        ),
    ],
)
def test_mistakes_are_located_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(_project(tmp_path, text))
    with pytest.raises(UsageError) as error:
        read_project(tmp_path)
    assert str(error.value) == message


def test_a_broken_file_is_reported_with_tomllib_s_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_project(tmp_path, "[tool.generator\n"))
    with pytest.raises(UsageError, match=r"^pyproject.toml: .*line 1"):
        read_project(tmp_path)

"""`check` and `generate` of an up-to-date package build nothing: the manifest's run key (generator/runkey.py)
matches the inputs and every generated file has its recorded digest. Every input the output is a function of
defeats that shortcut, and then the full run says what it always said.

Whether the pipeline ran is counted (`pipeline.generate` wrapped), never timed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import cli, pipeline, runkey
from generator.write import MANIFEST_NAME

SPEC = """\
openapi: 3.1.0
info: {title: Things, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "schemas/thing.yaml#/Thing"}
"""
THING = """\
Thing:
  type: object
  required: [name]
  properties:
    name: {type: string, description: The name}
"""
PACKAGE = Path("out/spec_client")


class Pipeline:
    """Counts the runs of the full pipeline; `broken` makes it fail, to prove a run did not need it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs = 0
        self.broken = False
        real = pipeline.generate

        def counted(*args: Any, **kwargs: Any) -> pipeline.Generation:
            self.runs += 1
            assert not self.broken, "the pipeline ran"
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, "generate", counted)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A spec referring to a schema in another file, generated once, as the working folder."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "schemas" / "thing.yaml").write_text(THING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["-q", "generate", "spec.yaml", "-o", "out"]) == 0
    return tmp_path


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    return Pipeline(monkeypatch)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder` (the lock file beside the package included): bytes and mtime."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_an_up_to_date_package_is_checked_and_regenerated_without_building(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    runs.broken = True
    before = snapshot(project)
    assert run(capsys, "check", "spec.yaml", "-o", "out") == (0, f"{PACKAGE}: up to date\n")
    assert run(capsys, "generate", "spec.yaml", "-o", "out") == (
        0,
        f"{PACKAGE}: up to date, nothing written\n",
    )
    assert snapshot(project) == before
    # A file of the user's inside the package is not the generator's business, with or without the shortcut.
    (project / PACKAGE / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(capsys, "check", "spec.yaml", "-o", "out")[0] == 0


def _edit_spec(project: Path) -> None:
    path = project / "spec.yaml"
    path.write_text(path.read_text().replace("description: ok", "description: fine"))


def _edit_referenced_file(project: Path) -> None:
    path = project / "schemas" / "thing.yaml"
    path.write_text(path.read_text().replace("The name", "The thing's name"))


def _edit_generated_file(project: Path) -> None:
    with (project / PACKAGE / "models" / "thing.py").open("a") as file:
        file.write("# hand-edited\n")


def _delete_generated_file(project: Path) -> None:
    (project / PACKAGE / "models" / "thing.py").unlink()


def _list_an_extra_file(project: Path) -> None:
    """The manifest lists a file no run would write, which is on disk: a hand edit, so the seal breaks."""
    (project / PACKAGE / "old.py").write_text("", encoding="utf-8")
    with (project / PACKAGE / MANIFEST_NAME).open("a") as file:
        file.write(f"old.py\t{'0' * 64}\t{'0' * 64}\n")


@pytest.mark.parametrize(
    ("change", "summary"),
    [
        (_edit_spec, "files stale"),
        (_edit_referenced_file, "files stale"),
        (_edit_generated_file, "1 file stale"),
        (_delete_generated_file, "1 file missing"),
        (_list_an_extra_file, "1 extra"),  # and the manifest stale
    ],
)
def test_a_changed_input_or_output_defeats_the_shortcut(
    project: Path,
    runs: Pipeline,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Path], None],
    summary: str,
) -> None:
    change(project)
    before = snapshot(project)
    code, err = run(capsys, "check", "spec.yaml", "-o", "out")
    assert (code, runs.runs) == (1, 1)
    assert summary in err and "run `oapigen generate` to update" in err
    assert snapshot(project) == before  # a failed check changes nothing
    assert run(capsys, "generate", "spec.yaml", "-o", "out")[0] == 0
    assert run(capsys, "check", "spec.yaml", "-o", "out") == (0, f"{PACKAGE}: up to date\n")
    assert runs.runs == 2  # the check after generate took the shortcut again


@pytest.mark.parametrize(
    "flags",
    [
        ("--client-class", "Api"),
        ("--line-length", "120"),
        ("--exclude-operations", "getThing"),
        ("--strict",),
        ("--lenient",),
        ("--allow-external-refs",),
        ("--package", "spec_client", "--header", "Internal use only."),
    ],
)
def test_an_option_change_defeats_the_shortcut(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...]
) -> None:
    run(capsys, "check", "spec.yaml", "-o", "out", *flags)
    assert runs.runs == 1


def test_verify_format_never_takes_the_shortcut(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "check", "spec.yaml", "-o", "out", "--verify-format")[0] == 0
    assert runs.runs == 1


def test_custom_templates_are_part_of_the_key_by_their_contents(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = project / "templates"
    templates.mkdir()
    (templates / "header.jinja").write_text("# Ours: {{ header_source }}\n", encoding="utf-8")
    # Absolute: the process's Jinja environments are cached per folder, and every test's is "templates".
    flags = ("--templates", str(templates))
    assert run(capsys, "generate", "spec.yaml", "-o", "out", *flags)[0] == 0
    assert run(capsys, "check", "spec.yaml", "-o", "out", *flags)[0] == 0
    assert runs.runs == 1
    header = templates / "header.jinja"
    header.write_text("# Theirs: {{ header_source }}\n", encoding="utf-8")
    # A later mtime: Jinja, in this long-lived process, reloads a template only when its mtime moves on.
    later = header.stat().st_mtime + 10
    os.utime(header, (later, later))
    assert run(capsys, "check", "spec.yaml", "-o", "out", *flags)[0] == 1
    assert runs.runs == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [("generator_digest", "another generator"), ("tool_versions", ("black 0.0.1",))],
)
def test_another_generator_or_black_defeats_the_shortcut_and_is_not_drift(
    project: Path,
    runs: Pipeline,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: object,
) -> None:
    monkeypatch.setattr(runkey, name, lambda: value)
    before = snapshot(project)
    # The full run finds every file as it would write it: only the manifest's key differs, which is no drift.
    assert run(capsys, "check", "spec.yaml", "-o", "out") == (0, f"{PACKAGE}: up to date\n")
    assert (runs.runs, snapshot(project)) == (1, before)
    # `generate` records the key of the generator that ran, and the next check takes the shortcut.
    assert run(capsys, "generate", "spec.yaml", "-o", "out")[0] == 0
    assert run(capsys, "check", "spec.yaml", "-o", "out")[0] == 0
    assert runs.runs == 2


def test_a_hand_edited_manifest_defeats_the_shortcut(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = project / PACKAGE / MANIFEST_NAME
    text = manifest.read_text()
    key = re.search(r"^# key: ([0-9a-f]{64})$", text, re.MULTILINE)
    assert key is not None
    manifest.write_text(text.replace(key.group(1), "f" * 64))
    assert run(capsys, "check", "spec.yaml", "-o", "out")[0] == 0
    assert runs.runs == 1
    # A warning the run never gave, added by hand, is not repeated as if the run had: the seal covers it.
    manifest.write_text(
        text.replace("# input:", '# warning: ["warning", "forged", "spec.yaml", "", 1]\n# input:')
    )
    _, err = run(capsys, "check", "spec.yaml", "-o", "out")
    assert runs.runs == 2 and "forged" not in err


def test_a_referenced_file_that_appears_defeats_the_shortcut(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    """A $ref to a missing file (a warning with --lenient, where the build does not look) names an input too:
    its absence."""
    with (project / "spec.yaml").open("a") as file:
        file.write('x-notes: {$ref: "notes/later.yaml"}\n')
    code, err = run(capsys, "generate", "spec.yaml", "-o", "out", "--lenient")
    assert code == 0 and "notes/later.yaml': file not found" in err
    assert run(capsys, "check", "spec.yaml", "-o", "out", "--lenient")[0] == 0
    assert runs.runs == 1
    (project / "notes").mkdir()
    (project / "notes" / "later.yaml").write_text("{}\n", encoding="utf-8")
    assert (
        run(capsys, "check", "spec.yaml", "-o", "out", "--lenient")[0] == 1
    )  # the warning is gone
    assert runs.runs == 2


def test_a_repointed_symlink_defeats_the_shortcut(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    schemas = project / "schemas"
    shutil.copy(schemas / "thing.yaml", schemas / "copy.yaml")
    (schemas / "thing.yaml").rename(schemas / "real.yaml")
    (schemas / "thing.yaml").symlink_to("real.yaml")
    assert run(capsys, "generate", "spec.yaml", "-o", "out")[0] == 0
    assert run(capsys, "check", "spec.yaml", "-o", "out")[0] == 0
    assert runs.runs == 1
    (schemas / "thing.yaml").unlink()
    (schemas / "thing.yaml").symlink_to("copy.yaml")  # the same bytes, another file
    # ... which the docstrings name where the schema was defined: the full run finds them stale.
    assert run(capsys, "check", "spec.yaml", "-o", "out")[0] == 1
    assert runs.runs == 2


def test_the_warnings_of_the_recorded_run_are_printed_again(
    project: Path, runs: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid spec generated with --lenient stays up to date, and says what is wrong with it every time."""
    spec = project / "spec.yaml"
    spec.write_text(SPEC.replace("      operationId: getThing\n", "      operationId: 12\n"))
    code, warned = run(capsys, "generate", "spec.yaml", "-o", "out", "--lenient")
    assert code == 0 and "warning: " in warned
    warnings = [line for line in warned.splitlines() if "warning: " in line]
    code, err = run(capsys, "check", "spec.yaml", "-o", "out", "--lenient")
    assert (code, runs.runs) == (0, 1)
    assert err == "".join(line + "\n" for line in warnings) + f"{PACKAGE}: up to date\n"
    code, err = run(capsys, "-q", "generate", "spec.yaml", "-o", "out", "--lenient")
    assert (code, runs.runs) == (0, 1)
    assert err == "".join(line + "\n" for line in warnings)
    # Without --lenient it is another run, which refuses the spec and changes nothing.
    before = snapshot(project)
    assert run(capsys, "check", "spec.yaml", "-o", "out")[0] == 2
    assert (runs.runs, snapshot(project)) == (2, before)


def test_the_key_holds_in_another_checkout(
    project: Path,
    runs: Pipeline,
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Paths in the key are relative to the spec's folder: a copy elsewhere is up to date without building."""
    copy = tmp_path_factory.mktemp("elsewhere") / "checkout"
    shutil.copytree(project, copy, symlinks=True)
    monkeypatch.chdir(copy)
    assert run(capsys, "check", "spec.yaml", "-o", "out") == (0, f"{PACKAGE}: up to date\n")
    assert runs.runs == 0


def test_the_shortcut_imports_neither_the_pipeline_nor_its_tools(project: Path) -> None:
    """In a fresh interpreter, as `oapigen check` runs: no YAML parser, validator, Jinja or black is imported."""
    heavy = ("yaml", "jinja2", "black", "openapi_spec_validator", "generator.pipeline")
    code = (
        "import sys\n"
        "from generator import cli\n"
        "code = cli.main(['-q', 'check', 'spec.yaml', '-o', 'out'])\n"
        f"print(code, [name for name in {heavy!r} if name in sys.modules])\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True
    )
    assert ran.stdout == "0 []\n", ran.stderr

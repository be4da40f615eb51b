"""Work skipped on a repeat run (black on unchanged renders, validation of an unchanged spec), and the trust in it.

What a run reuses must be what it would have computed: the output with the previous run's record is byte for byte
the output of a cold run, a record that no longer matches the disk is ignored, nothing outside the package is
reused (a planted cache entry), and `--verify-format` trusts nothing recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import pytest
from test_pipeline import SPEC, run_cli, snapshot

from generator import format as format_module
from generator import openapi_validator
from generator import validate as validate_module
from generator.config import display_path
from generator.diagnostics import SpecError
from generator.format import InvalidOutputError, fits, format_files
from generator.load import load_document
from generator.pipeline import Options, generate
from generator.refs import DocumentSet
from generator.render import render_api
from generator.translate import build_api
from generator.write import MANIFEST_NAME, compare_output, read_previous, write_output

# At a line length other than the one our templates lay out for, no file is vouched for (generator/format.py):
# every Python file but the runtime goes through black, or reuses what black wrote the last time.
OPTIONS = Options(package="galileo_client", line_length=99)
COLD = replace(OPTIONS, verify_format=True)
MODEL = "models/task_type.py"


def write(spec: Path, package_dir: Path, options: Options = OPTIONS) -> int:
    """Generate into package_dir as the CLI does, with the record found there; the number of files reused."""
    generation = generate(spec, options, previous=read_previous(package_dir))
    write_output(
        package_dir, generation.files, header=generation.header, provenance=generation.provenance
    )
    return generation.reused


def forge(package_dir: Path, path: str, text: str) -> None:
    """Replace a generated file and the manifest's digest of its bytes, as someone editing both would."""
    (package_dir / path).write_text(text)
    written = hashlib.sha256(text.encode()).hexdigest()
    manifest = package_dir / MANIFEST_NAME
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text(
        "".join(
            line.rsplit("\t", 1)[0] + f"\t{written}\n" if line.startswith(path + "\t") else line
            for line in lines
        )
    )


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The package of a cold run: no record to reuse, every file through black."""
    package_dir = tmp_path_factory.mktemp("cold") / "galileo_client"
    assert write(SPEC, package_dir, COLD) == 0
    return snapshot(package_dir)


def test_a_repeat_run_reuses_every_formatted_file_and_writes_the_same_bytes(
    tmp_path: Path, cold: dict[str, bytes]
) -> None:
    package_dir = tmp_path / "galileo_client"
    write(SPEC, package_dir)
    reused = write(SPEC, package_dir)
    formatted = [path for path in cold if path.endswith(".py") and not path.startswith("_")]
    assert reused >= len(formatted) > 10  # every file black formats, the runtime aside
    assert snapshot(package_dir) == cold


def test_a_changed_spec_reformats_only_the_files_whose_render_changed(
    tmp_path: Path, cold: dict[str, bytes]
) -> None:
    package_dir = tmp_path / "galileo_client"
    write(SPEC, package_dir)
    spec = tmp_path / "galileo.yaml"
    spec.write_text(SPEC.read_text().replace("title: Galileo API", "title: Galileo API v2"))
    changed = generate(spec, OPTIONS, previous=read_previous(package_dir))
    cold_changed = generate(spec, COLD)
    assert changed.files == cold_changed.files
    # The header names the spec, so every file changes: nothing is reused, nothing is wrong.
    assert changed.reused == 0


def test_a_hand_edited_file_is_not_reused(tmp_path: Path, cold: dict[str, bytes]) -> None:
    package_dir = tmp_path / "galileo_client"
    write(SPEC, package_dir)
    (package_dir / MODEL).write_text((package_dir / MODEL).read_text() + "print('edited')\n")
    generation = generate(SPEC, OPTIONS, previous=read_previous(package_dir))
    assert generation.files[MODEL].encode() == cold[MODEL]
    comparison = compare_output(
        package_dir, generation.files, header=generation.header, provenance=generation.provenance
    )
    assert comparison.stale == (MODEL,)


def test_a_record_from_another_formatter_is_not_reused(tmp_path: Path) -> None:
    package_dir = tmp_path / "galileo_client"
    write(SPEC, package_dir)
    manifest = package_dir / MANIFEST_NAME
    manifest.write_text(manifest.read_text().replace("# formatter: black ", "# formatter: black 0"))
    assert generate(SPEC, OPTIONS, previous=read_previous(package_dir)).reused == 0


def test_a_forged_record_passes_a_plain_check_but_not_verify_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = (SPEC, "-o", out, "--line-length", "99")  # as OPTIONS: MODEL goes through black
    assert run_cli("generate", *args).returncode == 0
    package_dir = out / "galileo_client"
    forge(package_dir, MODEL, (package_dir / MODEL).read_text() + "import os  # planted\n")
    # The limit of any record: whoever can edit the file and the manifest can edit the package itself.
    assert run_cli("check", *args).returncode == 0
    verified = run_cli("check", *args, "--verify-format")
    assert verified.returncode == 1
    assert "-import os  # planted" in verified.stdout
    assert run_cli("generate", *args, "--verify-format").returncode == 0
    assert "planted" not in (package_dir / MODEL).read_text()


def test_a_planted_entry_in_the_user_cache_never_reaches_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Black's results used to be cached in ~/.cache/oapigen by the digest of the render, and trusted blindly."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    api, _ = build_api(
        DocumentSet(load_document(SPEC, "spec/galileo.yaml")), package="galileo_client"
    )
    render = render_api(api)[MODEL]
    key = hashlib.sha256(render.encode()).hexdigest()
    for root in (tmp_path / "cache", tmp_path / "home" / ".cache"):
        entry = root / "oapigen" / f"black-{version('black')}-py311-100" / key
        entry.parent.mkdir(parents=True)
        entry.write_text("import os\nos.system('echo pwned')\n")
    generation = generate(SPEC, OPTIONS)
    assert "pwned" not in generation.files[MODEL]
    assert generation.files[MODEL] == format_files({MODEL: render}, line_length=99).files[MODEL]


def test_an_unchanged_valid_spec_is_not_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_dir = tmp_path / "galileo_client"
    write(SPEC, package_dir)
    calls: list[object] = []
    real_run = openapi_validator.run

    def counted(*args: object) -> object:
        calls.append(args)
        return real_run(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(openapi_validator, "run", counted)
    write(SPEC, package_dir)
    assert calls == []
    generate(
        SPEC,
        COLD,
        previous=read_previous(package_dir),
    )
    assert len(calls) == 1
    spec = tmp_path / "galileo.yaml"
    spec.write_text(SPEC.read_text() + "\n# a comment is a change\n")
    generate(spec, OPTIONS, previous=read_previous(package_dir))
    assert len(calls) == 2


def test_a_forged_validity_record_is_caught_by_verify_format(tmp_path: Path) -> None:
    spec = tmp_path / "galileo.yaml"
    spec.write_text(SPEC.read_text())
    package_dir = tmp_path / "galileo_client"
    write(spec, package_dir)
    # Break the spec, then record it as valid the way the generator would.
    spec.write_text(SPEC.read_text().replace("openapi: 3.1.0", "openapi: 3.1.0\nbogus: 1", 1))
    forged = validate_module.spec_digest(DocumentSet(load_document(spec, display_path(spec))))
    manifest = package_dir / MANIFEST_NAME
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text(
        "".join(f"# spec: {forged}\n" if "# spec: " in line else line for line in lines)
    )
    with pytest.raises(SpecError, match="bogus"):
        generate(spec, OPTIONS)
    generate(
        spec, OPTIONS, previous=read_previous(package_dir)
    )  # the record's limit, as for formatted files
    with pytest.raises(SpecError, match="bogus"):
        generate(
            spec,
            COLD,
            previous=read_previous(package_dir),
        )


def test_verify_format_fails_when_black_would_change_a_file_shipped_as_formatted() -> None:
    files = {"runtime.py": "x=1\n", "model.py": "y=2\n"}
    assert format_files(files, frozenset({"runtime.py"})).files == {
        "runtime.py": "x=1\n",
        "model.py": "y = 2\n",
    }
    with pytest.raises(InvalidOutputError, match=r"runtime\.py"):
        format_files(files, frozenset({"runtime.py"}), verify=True)


def test_a_rendered_file_skips_black_only_when_every_line_fits() -> None:
    long = "z = " + " + ".join(["1"] * 40) + "\n"  # 160 columns: black splits it
    files = {"short.py": "y=2\n", "long.py": long, "tabbed.py": 'def f():\n    """a\tb"""\n'}
    formatted = format_files(files, vouchable=frozenset(files))
    assert formatted.files["short.py"] == "y=2\n"  # vouched for: black does not see it
    assert formatted.files["long.py"] != long and "\n" in formatted.files["long.py"][:-1]
    # The long statement goes to black alone; a tab is for black to rewrite: that file goes to black whole.
    assert (formatted.counts.vouched, formatted.counts.in_part, formatted.counts.blackened) == (
        1,
        1,
        1,
    )
    # A fast path that writes anything else than black on the whole file is a generator bug that
    # `--verify-format` reports: here the vouched file.
    with pytest.raises(InvalidOutputError, match=r"in 1 file\(s\): short\.py"):
        format_files(files, vouchable=frozenset(files), verify=True)
    # At another line length nothing is vouched for: the templates lay out for the default one.
    assert format_files(files, vouchable=frozenset(files), line_length=99).counts.vouched == 0


def test_verify_format_fails_when_black_on_the_statements_that_do_not_fit_differs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = "z = " + " + ".join(["1"] * 40) + "\n"
    files = {"long.py": long}
    assert format_files(files, vouchable=frozenset(files), verify=True).counts.blackened == 1

    def wrong(texts: list[tuple[str, list[int]]], black: Callable[[str], str]) -> list[str]:
        return [black(text) + "# wrong\n" for text, _ in texts]

    monkeypatch.setattr(format_module, "format_overlong", wrong)
    with pytest.raises(InvalidOutputError, match=r"in 1 file\(s\): long\.py"):
        format_files(files, vouchable=frozenset(files), verify=True)


def test_long_comments_and_docstrings_do_not_keep_a_file_from_being_vouched_for() -> None:
    url = "https://example.com/" + "x" * 100
    text = f'def f() -> None:\n    """One.\n\n    {url}\n    """\n    # {url}\n    g("{url}")\n'
    assert not fits(text, 100)  # the call: black would split it
    assert fits(text.replace(f'    g("{url}")\n', "    g()\n"), 100)
    assert fits(f'"""{url}"""\n', 100) and not fits(f'"""x"""\nx = "{url}"\n', 100)

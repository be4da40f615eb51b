"""How the CLI fails: expected failures are located, exit 2 and show no traceback; bugs exit 3 with one line.

The negative corpus (test_negative.py) covers broken documents; this covers the other ways a run goes wrong: the
command line, the file system, and the generator's own bugs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import cli, pipeline

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "specs" / "load" / "minimal.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom\nsecond line")


def test_internal_error_is_one_line_asking_for_a_bug_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "generate", _boom)  # the CLI imports it when it runs
    code, err = run(capsys, "generate", str(MINIMAL), "-o", str(tmp_path), "--package", "pets")
    assert code == cli.EXIT_BUG
    assert err.splitlines() == [
        "oapigen: internal error (RuntimeError: boom second line); "
        "please report this bug with the traceback that --debug prints"
    ]


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_of_an_internal_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    monkeypatch.setattr(pipeline, "generate", _boom)  # the CLI imports it when it runs
    args = ["generate", str(MINIMAL), "-o", str(tmp_path), "--package", "pets"]
    code, err = run(capsys, *(["--debug", *args] if where == "before" else [*args, "--debug"]))
    assert code == cli.EXIT_BUG
    assert err.startswith(
        "oapigen: internal error (RuntimeError: boom second line); please report this bug\n"
    )
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err


@pytest.mark.parametrize(
    ("package", "message"),
    [
        (
            "class",
            "oapigen: --package: 'class' is a Python keyword, which cannot be imported as a package name",
        ),
        (
            "my-client",
            "oapigen: --package: 'my-client' is not a valid Python identifier (letters, digits and _ only)",
        ),
        (
            "clïent",
            "oapigen: --package: 'clïent' is not a valid Python identifier (letters, digits and _ only)",
        ),
    ],
)
def test_unusable_package_name_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, package: str, message: str
) -> None:
    code, err = run(capsys, "generate", str(MINIMAL), "-o", str(tmp_path), "--package", package)
    assert (code, err) == (cli.EXIT_INVALID, message + "\n")


def test_missing_spec_file_is_located(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(capsys, "validate", str(tmp_path / "nowhere.yaml"))
    assert (code, err) == (cli.EXIT_INVALID, "nowhere.yaml: #: not found\n")


def test_a_folder_is_not_a_spec(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(capsys, "validate", str(tmp_path))
    assert (code, err) == (cli.EXIT_INVALID, f"{tmp_path.name}: #: not a regular file\n")


def test_output_that_is_a_file_is_an_output_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder\n")
    code, err = run(capsys, "generate", str(MINIMAL), "-o", str(blocker), "--package", "pets")
    assert code == cli.EXIT_INVALID
    assert err.startswith("oapigen: ") and "Traceback" not in err
    assert blocker.read_text() == "not a folder\n"


def test_validation_errors_go_to_stderr_located_and_stdout_stays_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = cli.main(["validate", str(ROOT / "tests" / "negative" / "missing_info.yaml")])
    out, err = capsys.readouterr()
    assert (code, out) == (cli.EXIT_INVALID, "")
    assert err == "tests/negative/missing_info.yaml:1: #: 'info' is a required property\n"


def test_lenient_turns_validation_errors_into_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        MINIMAL.read_text()
        .replace("paths:", "x-note: fine\npaths:")
        .replace("title: Minimal\n", "")
    )
    code, err = run(
        capsys, "generate", str(spec), "-o", str(tmp_path / "out"), "--package", "pets", "--lenient"
    )
    assert code == cli.EXIT_OK, err
    assert err.startswith("spec.yaml:2: #/info: warning: 'title' is a required property\n")


@pytest.mark.parametrize("package", ["httpx", "json", "typing", "asyncio", "anyio", "httpcore"])
def test_package_named_like_a_module_the_client_imports_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, package: str
) -> None:
    code, err = run(capsys, "generate", str(MINIMAL), "-o", str(tmp_path), "--package", package)
    assert code == cli.EXIT_INVALID
    assert err == (
        f"oapigen: --package: {package!r} is the name of a module the generated client imports (the standard "
        "library, httpx or its dependencies); the package would shadow it: choose another name\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_symlinked_package_folder_inside_the_working_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "pets").symlink_to(tmp_path / "real")
    code, err = run(capsys, "generate", str(MINIMAL), "-o", "out", "--package", "pets")
    assert code == cli.EXIT_INVALID
    assert err.endswith("/out/pets: is a symbolic link; point the output at the real folder\n")
    assert list((tmp_path / "real").iterdir()) == []

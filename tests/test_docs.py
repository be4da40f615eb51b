"""The docs under docs/: every code block runs (tests/support/doc_session.py), and the reference pages generated
from the code are current (`OAPIGEN_UPDATE_DOCS=1` rewrites them)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from corpus.harness import CORPUS
from support.doc_session import blocks, run_page, session_environ

from generator.config import SETTINGS
from generator.render import CONTRACT_VERSION
from generator.render.contract import reference

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SPOTIFY = CORPUS / "spotify.yaml"
# Pages whose examples run with this checkout's oapigen; quickstart.md installs the wheel itself.
PAGES = ["configuration.md", "templates.md", "openapi-features.md", "client-guide.md"]
SETTINGS_START, SETTINGS_END = "<!-- settings: start -->", "<!-- settings: end -->"


def _current(path: Path, text: str) -> None:
    if os.environ.get("OAPIGEN_UPDATE_DOCS"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{path} is stale: OAPIGEN_UPDATE_DOCS=1 rewrites it"
    )


def test_template_contract_page_is_generated_from_the_views() -> None:
    _current(DOCS / "templates-reference.md", reference(CONTRACT_VERSION))


def settings_table() -> str:
    rows = [
        f"| `{s.key}` | `--{s.key}` | {s.kind.__name__.replace('list', 'list of strings')} "
        f"| {s.default or 'none'} | {s.help} |"
        for s in SETTINGS
    ]
    return "\n".join(
        ["| key | flag | type | default | what it does |", "|---|---|---|---|---|", *rows]
    )


def test_configuration_reference_lists_every_setting() -> None:
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    before, rest = page.split(SETTINGS_START + "\n", 1)
    _, after = rest.split(SETTINGS_END, 1)
    _current(
        DOCS / "configuration.md",
        f"{before}{SETTINGS_START}\n{settings_table()}\n{SETTINGS_END}{after}",
    )


# Pages with code that the page runner does not run, and why; a new page must be run or listed here.
NOT_RUN = {
    "pagination.md": "its example needs the Prism server; tests/contract/test_example.py runs it",
    "diff.md": "a synopsis of the flags and a GitHub Actions recipe, not commands to run here",
    "openapi-3.2.md": "fragments of the v32 golden client; tests/contract/test_v32_client.py makes the same "
    "calls against loopback servers",
}


def test_every_page_is_run() -> None:
    with_code = {
        page.name for page in DOCS.glob("*.md") if blocks(page.read_text(encoding="utf-8"))
    }
    assert with_code - {"quickstart.md"} - NOT_RUN.keys() <= set(PAGES)


def _session(tmp_path: Path) -> Path:
    if not SPOTIFY.is_file():
        pytest.skip(f"{SPOTIFY} is missing (set OAPIGEN_CORPUS)")
    folder = tmp_path / "reader"
    folder.mkdir()
    shutil.copy(SPOTIFY, folder / "spotify.yaml")  # "your OpenAPI document"
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page: str, tmp_path: Path) -> None:
    folder = _session(tmp_path)
    environ = session_environ(Path(sys.executable).parent, tmp_path)
    assert run_page(DOCS / page, folder, environ, sys.executable) > 0


@pytest.mark.slow
def test_quickstart_runs_from_the_wheel(
    tmp_path: Path, wheel: Path, hooks_repo: tuple[Path, str]
) -> None:
    """The quickstart as a new user follows it: install the wheel into a new virtualenv, generate, use, hook."""
    folder = _session(tmp_path)
    shutil.copy(wheel, folder / wheel.name)
    page = (DOCS / "quickstart.md").read_text(encoding="utf-8")
    # The page installs from the published repository; here that is a git repository of this checkout.
    repo, rev = hooks_repo
    local = tmp_path / "quickstart.md"
    local.write_text(
        page.replace("https://github.com/your-org/oapigen", str(repo)).replace(
            "rev: v0.1.0", f"rev: {rev}"
        ),
        encoding="utf-8",
    )
    environ = session_environ(folder / ".venv" / "bin", tmp_path)
    environ["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit")
    assert run_page(local, folder, environ, str(folder / ".venv" / "bin" / "python")) > 0


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (
            "```sh\necho one; echo two\n```\n\n```text\ntwo\none\n```\n",
            "'one' is not in the output",
        ),
        ('```sh exit="1"\ntrue\n```\n', "the block exited 0, not 1"),
        ("```yaml\nkey: value\n```\n", "a yaml block that is neither run nor a file"),
    ],
)
def test_the_page_runner_fails_on_what_a_reader_would_not_see(
    tmp_path: Path, page: str, message: str
) -> None:
    (tmp_path / "page.md").write_text(page, encoding="utf-8")
    environ = session_environ(Path(sys.executable).parent, tmp_path)
    with pytest.raises(AssertionError, match=message):
        run_page(tmp_path / "page.md", tmp_path, environ, sys.executable)


def test_the_page_runner_writes_titled_blocks_and_compares_output(tmp_path: Path) -> None:
    page = '```python title="hello.py"\nprint("hello")\n```\n\n```sh\npython hello.py\n```\n\n```text\nhello\n```\n'
    (tmp_path / "page.md").write_text(page, encoding="utf-8")
    environ = session_environ(Path(sys.executable).parent, tmp_path)
    assert run_page(tmp_path / "page.md", tmp_path, environ, sys.executable) == 3
    assert (tmp_path / "hello.py").read_text(encoding="utf-8") == 'print("hello")\n'

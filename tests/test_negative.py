"""The negative corpus: every broken or hostile document in tests/negative/ fails cleanly, located, as snapshotted.

Each `tests/negative/<file>` is run through the CLI as a subprocess (as a user runs it) and must exit with code 2,
print no traceback, and print exactly `<file>.expected`. `<file>.args`, when present, replaces the default extra
arguments. Files under `_files/` are only referred to. `pytest --update-snapshots` (or OAPIGEN_UPDATE_SNAPSHOTS=1)
rewrites the snapshots; review their diff before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "negative"
DOCUMENTS = sorted(path for path in CORPUS.iterdir() if path.suffix in (".yaml", ".json"))
DEFAULT_ARGS = ("--package", "negative_client")
TIMEOUT = 60  # seconds; an alias bomb or a deep document must be refused long before this


def _arguments(document: Path) -> list[str]:
    args_file = document.with_name(document.name + ".args")
    return (
        args_file.read_text(encoding="utf-8").split() if args_file.is_file() else list(DEFAULT_ARGS)
    )


def _run(document: Path, output: Path) -> subprocess.CompletedProcess[str]:
    relative = document.relative_to(
        ROOT
    ).as_posix()  # so messages name the file as a user in the repo would
    command = [
        sys.executable,
        "-m",
        "generator",
        "generate",
        relative,
        "-o",
        str(output),
        *_arguments(document),
    ]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def results(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    """Every document's run, started together: interpreter start-up dominates, so they overlap well."""
    output = tmp_path_factory.mktemp("negative_out")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {doc.name: pool.submit(_run, doc, output / doc.stem) for doc in DOCUMENTS}
        yield {name: future.result() for name, future in futures.items()}


def test_the_corpus_is_large_enough() -> None:
    assert len(DOCUMENTS) >= 30


@pytest.mark.parametrize("document", DOCUMENTS, ids=[doc.name for doc in DOCUMENTS])
def test_broken_document_fails_located_with_its_snapshot(
    document: Path,
    results: dict[str, subprocess.CompletedProcess[str]],
    request: pytest.FixtureRequest,
) -> None:
    result = results[document.name]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    for line in result.stderr.splitlines():
        assert line.startswith(("tests/negative/", "oapigen: ")), f"unlocated message: {line}"
    snapshot = document.with_name(document.name + ".expected")
    if (
        request.config.getoption("--update-snapshots")
        or os.environ.get("OAPIGEN_UPDATE_SNAPSHOTS") == "1"
    ):
        snapshot.write_text(result.stderr, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot.name}: run pytest --update-snapshots"
    assert result.stderr == snapshot.read_text(encoding="utf-8")

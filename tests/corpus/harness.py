"""Shared steps of the corpus checks: list the documents, generate a client, then probe it in fresh processes."""

from __future__ import annotations

import csv
import importlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from generator import ir
from generator.config import display_path
from generator.diagnostics import Diagnostic, SpecError
from generator.load import load_document
from generator.naming import snake_case
from generator.pipeline import Options, generate, load_and_validate
from generator.refs import DocumentSet
from generator.translate import build_api
from generator.write import write_output

from .examples import Example, collect_examples

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("OAPIGEN_CORPUS", REPO.parent / "shared" / "corpus"))


@dataclass(frozen=True, slots=True)
class CorpusDoc:
    name: str
    path: Path
    openapi: str
    manifest_valid: bool  # what the corpus MANIFEST says; validation must agree

    @property
    def package(self) -> str:
        return snake_case(self.name, fallback="spec") + "_client"


def corpus_docs() -> list[CorpusDoc]:
    """Every document listed in the corpus MANIFEST.tsv, smallest first."""
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows.sort(key=lambda row: int(row["bytes"]))
    return [
        CorpusDoc(
            row["name"],
            CORPUS / f"{row['name']}.{row['format']}",
            row["openapi"],
            row["valid"] == "valid",
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Generated:
    doc: CorpusDoc
    validation_errors: tuple[Diagnostic, ...]  # empty for a valid document
    warnings: tuple[
        Diagnostic, ...
    ]  # what `generate` reported (validation errors included, with --lenient)
    seconds: float
    api: ir.Api
    examples: tuple[Example, ...]
    package_dir: Path

    @property
    def valid(self) -> bool:
        return not self.validation_errors


def generate_doc(doc: CorpusDoc, out: Path) -> Generated:
    """Generate `doc` into `out/<package>`: as a user would, with --lenient only for a document that fails
    validation (the default run must refuse it, which is checked here too)."""
    # Nothing reused, every file through black: the report's figures are a cold run's, and its output proven.
    options = Options(package=doc.package, verify_format=True)
    try:
        load_and_validate(doc.path, options)
        errors: tuple[Diagnostic, ...] = ()
    except SpecError as refused:
        errors = refused.diagnostics
        options = replace(options, lenient=True)
    start = time.perf_counter()
    generation = generate(doc.path, options)
    seconds = time.perf_counter() - start
    package_dir = out / doc.package
    write_output(package_dir, generation.files)
    # The IR again, without validation, to find the generated type of each example.
    docs = DocumentSet(load_document(doc.path, display_path(doc.path)))
    api, _ = build_api(docs, package=doc.package)
    return Generated(
        doc,
        errors,
        generation.warnings,
        seconds,
        api,
        tuple(collect_examples(docs, api)),
        package_dir,
    )


@dataclass(frozen=True, slots=True)
class Probe:
    """What a fresh interpreter found in a generated package."""

    modules: int
    import_errors: tuple[str, ...]
    results: dict[str, str]  # example pointer -> "" when it round-tripped, else what went wrong


def probe(generated: Generated) -> Probe:
    """Compile and import every module, and round-trip every typed, valid example, in a fresh interpreter."""
    cases = [
        {"pointer": example.pointer, "decoder": example.decoder, "value": example.value}
        for example in generated.examples
        if example.decoder and example.invalid is None
    ]
    command = [
        sys.executable,
        "-m",
        "tests.corpus.probe",
        str(generated.package_dir.parent),
        generated.doc.package,
    ]
    done = subprocess.run(
        command,
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        return Probe(0, (f"probe exited {done.returncode}: {done.stderr.strip()[-2000:]}",), {})
    found: dict[str, Any] = json.loads(done.stdout)
    return Probe(found["modules"], tuple(found["import_errors"]), found["results"])


@dataclass(frozen=True, slots=True)
class MypyResult:
    errors: int
    seconds: float
    output: str

    @property
    def summary(self) -> str:
        verdict = "pass" if self.errors == 0 else f"{self.errors} errors"
        return f"{verdict} ({self.seconds:.0f} s)"


def run_mypy(package_dirs: list[Path]) -> MypyResult:
    """`mypy --strict` over generated packages of one folder in one run (they share the checking of httpx and the
    standard library). It runs in that folder, where no configuration file applies."""
    (root,) = {path.parent for path in package_dirs}
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache"]
    start = time.perf_counter()
    done = subprocess.run(
        command + [path.name for path in package_dirs], capture_output=True, text=True, cwd=root
    )
    errors = sum(1 for line in done.stdout.splitlines() if ": error:" in line)
    if done.returncode != 0 and not errors:
        errors = 1  # mypy itself failed: count it, and keep its output
    return MypyResult(errors, time.perf_counter() - start, done.stdout + done.stderr)


def build_ir(spec: Path) -> tuple[ir.Api, list[Diagnostic]]:
    """The IR of a spec and the builder's warnings, without validation (for unit tests of the builder)."""
    return build_api(DocumentSet(load_document(spec, display_path(spec))), package="client")


def import_models(spec: Path, out: Path, package: str) -> ModuleType:
    """Generate `spec` into `out` and import its `models` package (`out` goes on sys.path; package names must
    differ)."""
    write_output(out / package, generate(spec, Options(package=package)).files)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module(f"{package}.models")

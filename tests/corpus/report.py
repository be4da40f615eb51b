"""The whole corpus: `python -m tests.corpus.report [NAME ...] [--out DIR]` (or `make corpus`).

For every document: generate (refused by default when invalid, then with --lenient), import every module in a
fresh interpreter, run mypy, round-trip every example payload. Prints the table and, for a whole-corpus run,
writes it to docs/corpus.md. Exits 1 when any document fails a check (invalid examples are not failures).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .harness import (
    REPO,
    CorpusDoc,
    Generated,
    MypyResult,
    Probe,
    corpus_docs,
    generate_doc,
    probe,
    run_mypy,
)

DOC = REPO / "docs" / "corpus.md"


@dataclass(frozen=True, slots=True)
class Row:
    doc: CorpusDoc
    generated: Generated | None
    crash: str
    probe: Probe | None
    mypy: MypyResult | None

    @property
    def failures(self) -> list[str]:
        if self.generated is None:
            return [f"generation failed: {self.crash}"]
        found = [f"import: {error}" for error in self.probe.import_errors] if self.probe else []
        if self.probe:
            found += [
                f"example {pointer}: {problem}"
                for pointer, problem in self.probe.results.items()
                if problem
            ]
        if self.mypy and self.mypy.errors:
            found.append(f"mypy: {self.mypy.output.strip()[-3000:]}")
        return found

    def cells(self) -> list[str]:
        version = self.doc.openapi
        if self.generated is None:
            return [self.doc.name, version, "?", "", "", "", "", "", f"**crash**: {self.crash}"]
        api, generated = self.generated.api, self.generated
        valid = (
            "yes"
            if generated.valid
            else f"no ({len(generated.validation_errors)} errors; --lenient)"
        )
        examples = self._examples()
        models = len(api.models) + len(api.enums)
        modules = (
            f" / {self.probe.modules} modules import"
            if self.probe and not self.probe.import_errors
            else ""
        )
        return [
            self.doc.name,
            version,
            valid,
            str(len(api.operations)),
            f"{models} (+{len(api.unions)} unions){modules}",
            f"{generated.seconds:.1f} s",
            str(len(generated.warnings) - len(generated.validation_errors)),
            self.mypy.summary if self.mypy else "skipped",
            examples,
        ]

    def _examples(self) -> str:
        assert self.generated is not None
        examples = self.generated.examples
        results = self.probe.results if self.probe else {}
        ok = sum(1 for problem in results.values() if not problem)
        invalid = sum(1 for example in examples if example.invalid)
        untyped = sum(1 for example in examples if not example.decoder and not example.invalid)
        text = f"{ok}/{len(results)}"
        if invalid:
            text += f", {invalid} invalid"
        if untyped:
            text += f", {untyped} without a generated type"
        return text


_HEADER = [
    "document",
    "OpenAPI",
    "valid?",
    "operations",
    "models (classes)",
    "generation",
    "warnings",
    "mypy",
    "examples round-tripped",
]


def run(doc: CorpusDoc, out: Path, *, mypy: bool) -> Row:
    try:
        generated = generate_doc(doc, out)
    except (
        Exception
    ) as error:  # reported as a crash in the table; the run goes on with the next document
        return Row(doc, None, f"{type(error).__name__}: {error}"[:300], None, None)
    checked = probe(generated)
    return Row(doc, generated, "", checked, run_mypy([generated.package_dir]) if mypy else None)


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |" for row in rows
    ]
    return "\n".join(lines) + "\n"


def document(rows: list[Row], seconds: float) -> str:
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    return f"""# The corpus

Every document of `../shared/corpus` (see its `MANIFEST.tsv`), generated and checked by
`python -m tests.corpus.report` (`make corpus`; {seconds / 60:.0f} minutes here, {machine}). `make test` runs a
representative subset of the same checks (`tests/test_corpus.py`).

For each document:

- **valid?** the document is validated first; an invalid one is refused by default with every error located,
  and generated with `--lenient` (its validation errors become warnings).
- **operations**, **models**: endpoint functions, and classes (dataclasses and enums) plus union aliases.
  "modules import": every module imported in a fresh interpreter.
- **generation**: the whole pipeline in-process (load, validate, build, render, black), wall time, cold
  (nothing reused) and with every file through black (`--verify-format`).
- **warnings**: located warnings of the build (constructs approximated or left out), not counting validation
  errors reported under `--lenient`.
- **mypy**: `mypy --strict` on the generated package (with a cache shared by the run, so the standard library
  and httpx are checked once).
- **examples**: every `example`/`examples` payload of JSON media types and of schemas and their properties,
  decoded with `from_dict` of the generated type and encoded back, compared equal (date-times as instants).
  "invalid" examples do not match their own schema (decided by openapi-schema-validator) and are not tried;
  "without a generated type" are examples written where the client has no type (e.g. a media type it does not
  use).

{table(rows)}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus.report", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help="documents to check (default: all, and docs/corpus.md is written)"
    )
    parser.add_argument("--out", type=Path, help="where to generate (default: a temporary folder)")
    parser.add_argument("--no-mypy", action="store_true", help="skip mypy")
    args = parser.parse_args(argv)
    docs = [doc for doc in corpus_docs() if not args.names or doc.name in args.names]
    out = args.out or Path(tempfile.mkdtemp(prefix="oapigen-corpus-"))
    start, rows = time.perf_counter(), []
    for doc in docs:
        print(f"{doc.name} ...", file=sys.stderr, flush=True)
        rows.append(run(doc, out, mypy=not args.no_mypy))
        for failure in rows[-1].failures:
            print(f"  FAIL {failure}", file=sys.stderr)
    print(table(rows))
    if not args.names:
        DOC.write_text(document(rows, time.perf_counter() - start), encoding="utf-8")
        print(f"written: {DOC.relative_to(REPO)}", file=sys.stderr)
    return 1 if any(row.failures for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

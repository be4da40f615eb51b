"""Real-world specs, a representative subset (the whole corpus: `python -m tests.corpus.report`, see docs/corpus.md).

Every small document of the corpus (the OpenAPI examples and openapi-python-client's end-to-end specs, which
between them hold most of the edge cases) plus Swagger's Petstore v3 and Spotify (a medium real-world API). For
each: generation succeeds (an invalid document is refused by default, every error located, and generated with
--lenient), every module imports in a fresh interpreter, the whole subset passes `mypy --strict`, and every
example payload of the spec round-trips through the generated types.

The subset is generated with `--verify-format` (black on every whole file, an error where a fast path writes
anything else); the rest of the corpus, the large specs, is checked the same way by a slow test.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from corpus.harness import (
    CORPUS,
    CorpusDoc,
    Generated,
    MypyResult,
    Probe,
    corpus_docs,
    generate_doc,
    probe,
    run_mypy,
)

from generator.pipeline import Options, generate
from generator.render import RUNTIME_FILES

SUBSET = ("oai-", "opc-", "swagger-petstore3", "spotify")

if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"the corpus is not at {CORPUS} (set OAPIGEN_CORPUS)", allow_module_level=True)

DOCS = [doc for doc in corpus_docs() if doc.name.startswith(SUBSET)]
LARGE = [doc for doc in corpus_docs() if not doc.name.startswith(SUBSET)]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def generated(out: Path) -> dict[str, Generated]:
    return {doc.name: generate_doc(doc, out) for doc in DOCS}


@pytest.fixture(scope="module")
def mypy(generated: dict[str, Generated]) -> MypyResult:
    return run_mypy([item.package_dir for item in generated.values()])


@pytest.fixture(scope="module")
def probes(generated: dict[str, Generated]) -> dict[str, Probe]:
    return {name: probe(item) for name, item in generated.items()}


def test_the_subset_covers_both_versions_and_invalid_documents() -> None:
    assert {doc.openapi[:3] for doc in DOCS} == {"3.0", "3.1"}
    assert any(not doc.manifest_valid for doc in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_validity_matches_the_manifest_and_errors_are_located(
    doc: CorpusDoc, generated: dict[str, Generated]
) -> None:
    result = generated[doc.name]
    assert result.valid == doc.manifest_valid
    for diagnostic in (*result.validation_errors, *result.warnings):
        assert diagnostic.file == doc.path.name
        assert diagnostic.line is not None and diagnostic.pointer.startswith("/"), (
            diagnostic.format()
        )


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_module_compiles_and_imports(
    doc: CorpusDoc, generated: dict[str, Generated], probes: dict[str, Probe]
) -> None:
    found = probes[doc.name]
    assert found.import_errors == ()
    assert found.modules == len(list(generated[doc.name].package_dir.rglob("*.py")))


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_examples_round_trip(
    doc: CorpusDoc, generated: dict[str, Generated], probes: dict[str, Probe]
) -> None:
    examples = generated[doc.name].examples
    assert [
        example.pointer for example in examples if not example.decoder and not example.invalid
    ] == []
    failed = {pointer: problem for pointer, problem in probes[doc.name].results.items() if problem}
    assert failed == {}
    assert len(probes[doc.name].results) == sum(1 for example in examples if not example.invalid)


def test_the_subset_round_trips_examples_of_every_kind(generated: dict[str, Generated]) -> None:
    pointers = [example.pointer for item in generated.values() for example in item.examples]
    assert any(
        "/content/" in pointer and "/examples/" in pointer for pointer in pointers
    )  # media `examples`
    assert any(
        pointer.startswith("/components/schemas/") and "/properties/" in pointer
        for pointer in pointers
    )
    assert len(pointers) > 100


def test_the_subset_passes_mypy_strict(mypy: MypyResult) -> None:
    assert mypy.errors == 0, mypy.output


@pytest.mark.slow
@pytest.mark.parametrize("doc", LARGE, ids=lambda doc: doc.name)
def test_files_that_skip_black_are_what_black_writes(doc: CorpusDoc) -> None:
    """The fast paths (vouched files skip black, the others of ours see it only on the statements that do not
    fit) write what a cold run with black on every whole file writes; that run itself fails on any file where
    a fast path differs from black."""
    options = Options(package=doc.package, lenient=True)
    fast = generate(doc.path, options)
    cold = generate(doc.path, replace(options, verify_format=True))
    assert fast.files == cold.files
    assert fast.format_counts.vouched > len(RUNTIME_FILES)
    assert fast.format_counts.blackened == 0

"""References and validation: every problem is a located diagnostic, and nothing ever reaches the network."""

from __future__ import annotations

import json
import os
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from referencing._core import Resolver

from generator import pipeline
from generator import validate as validate_module
from generator.diagnostics import Diagnostic, SpecError
from generator.load import load_document
from generator.refs import DocumentSet, iter_refs
from generator.render import render_api
from generator.validate import validate, validate_alongside

SPECS = Path(__file__).parent / "specs" / "load"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


class NetworkUsed(BaseException):
    """A BaseException, so that no `except Exception` on the way can swallow it."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NetworkUsed(args)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def docs(name: str, *, allow_outside: bool = False) -> DocumentSet:
    return DocumentSet(load_document(SPECS / name, f"load/{name}"), allow_outside=allow_outside)


def spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> DocumentSet:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return DocumentSet(load_document(path, name))


def resolve_error(documents: DocumentSet, ref: str, pointer: str = "/x") -> Diagnostic:
    with pytest.raises(SpecError) as caught:
        documents.resolve(ref, documents.root, pointer)
    return caught.value.diagnostics[0]


# --- references ------------------------------------------------------------------------------------------------


def test_dangling_ref_is_located_where_it_is_written() -> None:
    [problem] = validate(docs("dangling_ref.yaml"))
    assert problem.format() == (
        "load/dangling_ref.yaml:13: #/paths/~1pets/get/responses/200/content/application~1json/schema: "
        "$ref '#/components/schemas/Missing' points to nowhere: #/components/schemas has no 'Missing'"
    )


def test_remote_ref_is_refused_without_touching_the_network() -> None:
    [problem] = validate(docs("remote_ref.yaml"))
    assert problem.message.startswith(
        "remote $ref refused: 'https://example.com/schemas/pet.yaml#/Pet'"
    )
    assert "network access is never used" in problem.message
    assert problem.line == 13  # the `schema:` holding the $ref


@pytest.mark.parametrize(
    "ref", ["http://example.com/a.yaml", "ftp://example.com/a.yaml", "urn:x:y", "//host/a.yaml"]
)
def test_every_non_file_ref_is_remote(ref: str) -> None:
    assert resolve_error(docs("minimal.yaml"), ref).message.startswith("remote $ref refused")


def test_ref_outside_the_spec_folder_needs_the_flag() -> None:
    [problem] = validate(docs("outside_ref/spec/api.yaml"))
    assert "--allow-external-refs" in problem.message
    assert problem.line == 13

    allowed = docs("outside_ref/spec/api.yaml", allow_outside=True)
    assert validate(allowed) == []
    assert [document.display for document in allowed.documents()] == [
        "load/outside_ref/spec/api.yaml",
        "load/outside_ref/outside.yaml",
    ]


def test_external_file_refs_are_resolved_and_named_relative_to_the_root() -> None:
    documents = docs("external/api.yaml")
    pet_ref = documents.root.data["paths"]["/pets"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    target, pointer, node = documents.resolve(pet_ref["schema"]["$ref"], documents.root, "/schema")
    assert (target.display, pointer, node["type"]) == (
        "load/external/schemas/pet.yaml",
        "/Pet",
        "object",
    )

    # Percent-encoding and ~1 in the fragment, relative to the file that holds the ref.
    tag, tag_pointer, tag_node = documents.resolve(
        node["properties"]["tag"]["$ref"], target, "/Pet/properties/tag"
    )
    assert (tag.display, tag_pointer, tag_node["enum"]) == (
        "load/external/schemas/common types.yaml",
        "/Tag~1Name",
        ["on", "off"],
    )
    assert validate(documents) == []
    assert [document.display for document in documents.documents()] == [
        "load/external/api.yaml",
        "load/external/schemas/common types.yaml",
        "load/external/schemas/pet.yaml",
    ]


def test_escaped_fragments_are_decoded() -> None:
    documents = docs("minimal.yaml")
    for ref in (
        "#/components/schemas/Pet/properties/a~1b~0c",
        "#/components/schemas/Pet/properties/a~1b%7E0c",
    ):
        _, pointer, node = documents.resolve(ref, documents.root, "/x")
        assert (pointer, node) == (
            "/components/schemas/Pet/properties/a~1b~0c",
            {"type": "integer"},
        )


def test_chains_of_refs_are_followed(tmp_path: Path) -> None:
    documents = spec(
        tmp_path,
        "openapi: 3.0.3\nc:\n  A: {$ref: '#/c/B'}\n  B: {$ref: '#/c/C'}\n  C: {type: string}\n",
    )
    assert documents.resolve("#/c/A", documents.root, "/x")[1:] == ("/c/C", {"type": "string"})


def test_ref_cycle_terminates_with_an_error() -> None:
    documents = docs("ref_cycle.yaml")
    error = resolve_error(documents, "#/components/schemas/A", "/components/schemas/C")
    assert error.message.startswith("$ref cycle: ")
    problems = validate(documents)
    assert [problem.pointer for problem in problems] == [
        f"/components/schemas/{name}" for name in "ABC"
    ]
    assert all("$ref cycle" in problem.message for problem in problems)


def test_missing_file_and_bad_fragment(tmp_path: Path) -> None:
    documents = spec(tmp_path, "openapi: 3.0.3\nlist: [a]\n")
    assert (
        resolve_error(documents, "nothere.yaml#/x").message
        == "$ref 'nothere.yaml#/x': file not found"
    )
    assert "only JSON pointer fragments" in resolve_error(documents, "#anchor").message
    assert "has no '1'" in resolve_error(documents, "#/list/1").message
    assert "has no '00'" in resolve_error(documents, "#/list/00").message
    assert "unusable file path" in resolve_error(documents, "a%00b.yaml").message
    assert len(resolve_error(documents, "x" * 100_000).message) < 400


def test_a_referenced_file_that_fails_to_load_is_reported_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("X: 1\nX: 2\n", encoding="utf-8")
    text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: {$ref: 'bad.yaml#/X'}\n"
    problems = validate(spec(tmp_path, text))
    assert [problem.format() for problem in problems] == [
        "bad.yaml:2: #/X: duplicate key 'X' (first on line 1)",
        "spec.yaml:4: #/x-a: $ref 'bad.yaml#/X': the file it names cannot be loaded",
    ]


def test_iter_refs_in_document_order() -> None:
    node = {"a": {"$ref": "#/x", "b": [{"$ref": "#/y"}]}, "c/d": {"$ref": "#/z"}, "e": {"$ref": 5}}
    assert list(iter_refs(node)) == [("/a", "#/x"), ("/a/b/0", "#/y"), ("/c~1d", "#/z")]
    assert list(iter_refs(node["a"], "/a")) == [("/a", "#/x"), ("/a/b/0", "#/y")]


def test_locate_uses_the_documents_lines() -> None:
    documents = docs("minimal.yaml")
    diagnostic = documents.locate(documents.root, "/paths/~1pets~1{id}/get", "odd")
    assert (diagnostic.file, diagnostic.line, diagnostic.pointer) == (
        "load/minimal.yaml",
        7,
        "/paths/~1pets~1{id}/get",
    )


# --- validation ------------------------------------------------------------------------------------------------


def test_valid_spec_has_no_problems() -> None:
    assert validate(docs("minimal.yaml")) == []


def test_missing_info_is_reported_with_a_location() -> None:
    [problem] = validate(docs("missing_info.yaml"))
    assert problem.format() == "load/missing_info.yaml:1: #: 'info' is a required property"


def test_several_errors_are_all_reported_located_and_sorted() -> None:
    problems = validate(docs("several_errors.yaml"))
    assert [(problem.line, problem.pointer) for problem in problems] == [
        (12, "/paths/~1pets/post"),  # duplicate operationId
        (18, "/paths/~1pets~1{id}/get"),  # path parameter never declared
        (24, "/paths/~1owners/get/summary"),  # not a string
        (
            28,
            "/paths/~1owners/frobnicate",
        ),  # unknown field, located at itself rather than its parent
    ]
    assert "Operation ID 'listPets'" in problems[0].message
    assert "'id'" in problems[1].message
    assert problems[2].message == "42 is not of type 'string'"
    assert "'frobnicate'" in problems[3].message
    assert problems == validate(docs("several_errors.yaml"))


@pytest.mark.parametrize(
    ("text", "pointer", "message"),
    [
        (
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\n",
            "/swagger",
            "Swagger 2.0 is not supported",
        ),
        ("openapi: 3.3.0\n", "/openapi", "OpenAPI 3.3.0 is not supported"),
        ("info: {title: t}\n", "", "no `openapi` version field"),
        ("openapi: 3.1\n", "/openapi", "`openapi` must be a string"),
        ("openapi: '3.0'\n", "/openapi", "`openapi` must be a full version"),
    ],
)
def test_unsupported_versions_are_one_clear_error(
    tmp_path: Path, text: str, pointer: str, message: str
) -> None:
    [problem] = validate(spec(tmp_path, text))
    assert (problem.pointer, problem.message.startswith(message)) == (pointer, True)
    if "supported" in message:
        assert "only OpenAPI 3.0, 3.1 and 3.2 are supported" in problem.message


def test_swagger_fixture_is_refused() -> None:
    [problem] = validate(docs("swagger2.yaml"))
    assert problem.format() == (
        "load/swagger2.yaml:1: #/swagger: Swagger 2.0 is not supported: only OpenAPI 3.0, 3.1 and 3.2 are supported"
    )


def test_errors_through_refs_are_located_in_the_file_that_holds_them(tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text(
        "Count:\n  type: integer\n  default: many\n", encoding="utf-8"
    )
    text = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /n:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'schemas.yaml#/Count'}\n"
    )
    [problem] = validate(spec(tmp_path, text))
    assert problem.format() == "schemas.yaml:3: #/Count/default: 'many' is not of type 'integer'"


def test_malformed_specs_give_diagnostics_not_tracebacks(tmp_path: Path) -> None:
    text = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n"
        "      parameters: [{in: path}, {name: q}, 5]\n      responses: 7\n  /b: 5\n"
        "components:\n  schemas:\n    A: {$ref: 5}\n    B: {type: [1, 2], required: 3, properties: []}\n"
    )
    problems = validate(spec(tmp_path, text))
    assert all(problem.line is not None and problem.file == "spec.yaml" for problem in problems)
    messages = {problem.pointer: problem.message for problem in problems}
    assert messages["/paths/~1a~1{id}/get/parameters/0"] == "'name' is a required property"
    assert messages["/paths/~1a~1{id}/get/parameters/2"] == "5 is not of type 'object'"
    assert messages["/paths/~1a~1{id}/get/responses"] == "7 is not of type 'object'"
    assert messages["/paths/~1b"] == "5 is not of type 'object'"


def test_huge_instances_do_not_make_huge_messages(tmp_path: Path) -> None:
    big = ", ".join(f"item{i}: {{description: '{'x' * 50}'}}" for i in range(200))
    text = f"openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n      responses: [{{{big}}}]\n"
    [problem] = validate(spec(tmp_path, text))
    assert problem.pointer == "/paths/~1a/get/responses"
    assert len(problem.message) <= 300


def test_validator_retrievals_never_reach_the_network(tmp_path: Path) -> None:
    text = (
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    A:\n      $id: 'https://example.com/schemas/a'\n      properties:\n"
        "        b: {$ref: 'other'}\n      default: {b: 1}\n"
    )
    problems = validate(spec(tmp_path, text))  # NetworkUsed would escape every handler
    assert all(problem.line is not None for problem in problems)


# --- real specs ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Iterator[Path]:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    yield CORPUS


def corpus_docs(corpus: Path, name: str) -> DocumentSet:
    return DocumentSet(load_document(corpus / name, f"corpus/{name}"))


def test_corpus_petstore_is_valid(corpus: Path) -> None:
    assert validate(corpus_docs(corpus, "oai-petstore.yaml")) == []


def test_corpus_baseline_errors_are_located(corpus: Path) -> None:
    problems = validate(corpus_docs(corpus, "opc-baseline-3.0.json"))
    assert [problem.format() for problem in problems] == [
        "corpus/opc-baseline-3.0.json:560: #/paths/~1defaults/post/parameters/1/schema/default: "
        "1 is not of type 'string'",
        "corpus/opc-baseline-3.0.json:1809: #/paths/~1models~1oneof-with-required-const/get/responses/200/content/"
        "application~1json/schema/oneOf/0/properties/type/const: "
        "unexpected 'const' (not a field here; extension names start with 'x-')",
        "corpus/opc-baseline-3.0.json:1843: #/paths/~1types~1unions~1duplicate-types/post/title: "
        "unexpected 'title' (not a field here; extension names start with 'x-')",
    ]


def _ref_chain(tmp_path: Path, links: int) -> DocumentSet:
    schemas: dict[str, Any] = {
        f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(links)
    }
    schemas[f"S{links}"] = {"type": "object"}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Chain", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return DocumentSet(load_document(path, "chain.json"))


def test_a_ref_chain_is_followed_a_linear_number_of_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each link of a chain used to re-walk the rest of it (a 10k-link chain never finished); openapi-spec-validator
    did the same. Counted in steps, not timed: ours, and the validator's reference lookups."""
    links = 300
    ours, theirs = Counter[str](), Counter[str]()
    resolve_once = DocumentSet._resolve_once
    lookup = Resolver.lookup

    def counted_resolve_once(self: DocumentSet, *args: Any) -> Any:
        ours["steps"] += 1
        return resolve_once(self, *args)

    def counted_lookup(self: Resolver[Any], ref: str) -> Any:
        theirs["steps"] += 1
        return lookup(self, ref)

    monkeypatch.setattr(DocumentSet, "_resolve_once", counted_resolve_once)
    monkeypatch.setattr(Resolver, "lookup", counted_lookup)
    assert validate(_ref_chain(tmp_path, links)) == []
    assert ours["steps"] <= 4 * links, ours
    assert theirs["steps"] <= 20 * links, theirs


# --- validating in a forked process while the pipeline builds ---------------------------------------------------


@pytest.mark.parametrize("name", ["minimal.yaml", "several_errors.yaml", "dangling_ref.yaml"])
def test_a_forked_validation_finds_what_an_inline_one_finds(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = validate_alongside(docs(name))
    assert inline.done is not None
    monkeypatch.setattr(validate_module, "_FORK_FROM_BYTES", 0)
    forked = validate_alongside(docs(name))
    assert forked.done is None  # it runs in the child
    assert forked.result() == inline.result()
    assert (forked.result().digest == "") == bool(inline.result().problems)


def test_a_child_that_dies_without_a_verdict_is_replaced_by_validating_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(validate_module, "_FORK_FROM_BYTES", 0)
    monkeypatch.setattr(validate_module, "_validate_in_child", lambda *_: os._exit(3))
    pending = validate_alongside(docs("several_errors.yaml"))
    assert pending.result().problems == validate(docs("several_errors.yaml"))


def test_the_pipeline_renders_while_the_validator_runs_and_its_errors_come_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(validate_module, "_FORK_FROM_BYTES", 0)
    events: list[str] = []
    awaited = validate_module.PendingValidation.result
    rendered = render_api

    def result(self: validate_module.PendingValidation) -> validate_module.Validation:
        events.append("verdict")
        return awaited(self)

    def render(*args: Any, **kwargs: Any) -> dict[str, str]:
        events.append("render")
        return rendered(*args, **kwargs)

    monkeypatch.setattr(validate_module.PendingValidation, "result", result)
    monkeypatch.setattr(pipeline, "render_api", render)
    spec = SPECS / "several_errors.yaml"
    generation = pipeline.generate(spec, pipeline.Options(package="errors_client", lenient=True))
    assert events == ["render", "verdict"] and generation.warnings
    # Not lenient: the verdict's errors are what the run reports, also when a later stage fails on the spec.
    with pytest.raises(SpecError):
        pipeline.generate(spec, pipeline.Options(package="errors_client"))

    def failing(*args: Any, **kwargs: Any) -> dict[str, str]:
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(pipeline, "render_api", failing)
    with pytest.raises(SpecError):
        pipeline.generate(spec, pipeline.Options(package="errors_client"))
    with pytest.raises(RuntimeError, match="rendering failed"):  # lenient: nothing explains it
        pipeline.generate(spec, pipeline.Options(package="errors_client", lenient=True))

"""Loading: YAML/JSON -> plain data, with located errors, bounded resources and YAML 1.2 core scalars."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostic, SpecError
from generator.load import DEFAULT_LIMITS, Document, LoadLimits, load_document

SPECS = Path(__file__).parent / "specs" / "load"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def load(name: str) -> Document:
    return load_document(SPECS / name, f"load/{name}")


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def only_error(path: Path, limits: LoadLimits = DEFAULT_LIMITS) -> Diagnostic:
    with pytest.raises(SpecError) as caught:
        load_document(path, path.name, limits)
    assert len(caught.value.diagnostics) == 1, caught.value.diagnostics
    return caught.value.diagnostics[0]


# --- syntax ----------------------------------------------------------------------------------------------------


def test_yaml_syntax_error_is_located_at_the_offending_line() -> None:
    error = only_error(SPECS / "syntax_error.yaml")
    assert error.file == "syntax_error.yaml"
    assert error.line == 11  # the mis-indented `content:`
    assert error.message.startswith("invalid YAML: ")
    assert "Traceback" not in error.format()


def test_json_syntax_error_is_located(tmp_path: Path) -> None:
    error = only_error(
        write(tmp_path, "broken.json", '{\n  "openapi": "3.0.3",\n  "info": {,}\n}\n')
    )
    assert (error.line, error.message.startswith("invalid JSON: ")) == (3, True)


def test_json_is_recognised_by_content_not_extension(tmp_path: Path) -> None:
    as_yaml = load_document(
        write(tmp_path, "spec.yaml", '{"openapi": "3.1.0", "n": 1}'), "spec.yaml"
    )
    as_json = load_document(write(tmp_path, "spec.json", "openapi: 3.1.0\nn: 1\n"), "spec.json")
    assert as_yaml.data == as_json.data == {"openapi": "3.1.0", "n": 1}


def test_yaml_flow_mapping_in_a_yaml_file_is_still_yaml(tmp_path: Path) -> None:
    document = load_document(
        write(tmp_path, "flow.yaml", "{openapi: 3.1.0, tags: [a, b]}\n"), "flow.yaml"
    )
    assert document.data == {"openapi": "3.1.0", "tags": ["a", "b"]}


# --- duplicates and keys ---------------------------------------------------------------------------------------


def test_duplicate_yaml_key_is_located_even_when_spelled_differently() -> None:
    with pytest.raises(SpecError) as caught:
        load("duplicate_keys.yaml")
    [error] = caught.value.diagnostics
    assert error.format() == (
        "load/duplicate_keys.yaml:11: #/paths/~1pets/get/responses/200: duplicate key '200' (first on line 9)"
    )


def test_duplicate_json_key_is_located() -> None:
    with pytest.raises(SpecError) as caught:
        load("duplicate_keys.json")
    [error] = caught.value.diagnostics
    assert (error.line, error.pointer, error.message) == (
        6,
        "/info/title",
        "duplicate key 'title' (first on line 4)",
    )


def test_yaml_1_1_surprises_do_not_apply() -> None:
    scalars = load("yaml11_scalars.yaml").data["x-scalars"]
    assert scalars["on"] == "yes"
    assert scalars["off"] == "no"
    assert scalars["y"] == "n"
    assert scalars["answer"] == "Yes"
    assert scalars["sexagesimal"] == "1:20"
    assert scalars["date"] == "2024-10-01"
    assert scalars["octal_looking"] == 755  # YAML 1.2: decimal, not octal
    assert scalars["octal"] == 15
    assert scalars["hex"] == 31
    assert scalars["truths"] == [True, True, True]
    assert scalars["nulls"] == [None, None]
    assert scalars["quoted"] == "true"


def test_response_codes_become_string_keys() -> None:
    responses = load("yaml11_scalars.yaml").data["paths"]["/pets"]["get"]["responses"]
    assert list(responses) == ["200", "404", "default"]


def test_plain_keys_keep_their_source_text(tmp_path: Path) -> None:
    # OpenAPI keys are strings; YAML would read `+1` (a GitHub reaction property) as the number 1.
    text = "true: 1\n~: 2\n1.5: 3\n0x10: 4\n+1: 5\n-1: 6\n"
    data = load_document(write(tmp_path, "keys.yaml", text), "keys.yaml").data
    assert data == {"true": 1, "~": 2, "1.5": 3, "0x10": 4, "+1": 5, "-1": 6}


def test_merge_keys_merge_and_explicit_keys_win(tmp_path: Path) -> None:
    text = (
        "base: &base {type: object, description: base}\nchild:\n  <<: *base\n  description: child\n"
    )
    data = load_document(write(tmp_path, "merge.yaml", text), "merge.yaml").data
    assert data["child"] == {"type": "object", "description": "child"}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hacked']\n",
        "a: !!python/name:os.system\n",
        "a: !custom value\n",
        "a: !!binary aGVsbG8=\n",
    ],
)
def test_tags_outside_the_core_schema_are_refused(tmp_path: Path, text: str) -> None:
    error = only_error(write(tmp_path, "tags.yaml", text))
    assert "unsupported YAML tag" in error.message
    assert error.line == 1


def test_core_schema_tags_are_honoured(tmp_path: Path) -> None:
    text = 'a: !!str 12\nb: !!int "12"\nc: !!float 1\n'
    data = load_document(write(tmp_path, "core.yaml", text), "core.yaml").data
    assert data == {"a": "12", "b": 12, "c": 1.0}
    assert isinstance(data["c"], float)


# --- resource limits -------------------------------------------------------------------------------------------


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(SpecError) as caught:
        load("billion_laughs.yaml")
    [error] = caught.value.diagnostics
    assert "aliases expand to more than 100000 nodes" in error.message
    assert error.line is not None


def test_alias_budget_counts_expanded_nodes(tmp_path: Path) -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"  # each alias of a 4-node list costs 4
    path = write(tmp_path, "aliases.yaml", text)
    assert load_document(path, "aliases.yaml", LoadLimits(max_alias_nodes=8)).data["b"] == [
        [1, 2, 3],
        [1, 2, 3],
    ]
    assert "alias" in only_error(path, LoadLimits(max_alias_nodes=7)).message


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    error = only_error(write(tmp_path, "recursive.yaml", "a: &a\n  b: *a\n"))
    assert "recursive" in error.message
    assert error.line == 2


def test_deep_yaml_nesting_is_refused_without_crashing(tmp_path: Path) -> None:
    # libyaml's own composer recurses in C and would crash the interpreter on this.
    error = only_error(write(tmp_path, "deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n"))
    assert "nesting deeper than 200 levels" in error.message
    assert error.line == 1


def test_deep_json_nesting_is_refused(tmp_path: Path) -> None:
    for depth in (201, 100_000):
        path = write(tmp_path, f"deep{depth}.json", '{"a": ' + "[" * depth + "]" * depth + "}")
        assert "nesting deeper than 200 levels" in only_error(path).message


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_depth_limit_is_exact(tmp_path: Path, suffix: str) -> None:
    limits = LoadLimits(max_depth=4)
    fits = write(tmp_path, f"fits.{suffix}", '{"a": [[{"b": 1}]]}')  # depth 4, counting the root
    assert load_document(fits, fits.name, limits).data == {"a": [[{"b": 1}]]}
    too_deep = write(tmp_path, f"deep.{suffix}", '{"a": [[[{"b": 1}]]]}')
    error = only_error(too_deep, limits)
    assert error.message == "nesting deeper than 4 levels"
    assert error.pointer == "/a/0/0/0"


def test_aliases_cannot_smuggle_in_depth(tmp_path: Path) -> None:
    text = "a: &a [[[1]]]\nb: [[*a]]\n"  # b reaches depth 6 only through the alias
    error = only_error(write(tmp_path, "alias_depth.yaml", text), LoadLimits(max_depth=5))
    assert error.message == "nesting deeper than 5 levels"
    assert error.line == 2


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", "openapi: 3.1.0\n" + "x: " + "y" * 200 + "\n")
    error = only_error(path, LoadLimits(max_bytes=100))
    assert "over the 100-byte limit" in error.message


# --- encodings and shapes --------------------------------------------------------------------------------------


def test_non_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    error = only_error(write(tmp_path, "latin1.yaml", b"openapi: 3.1.0\ninfo:\n  title: caf\xe9\n"))
    assert "not UTF-8" in error.message
    assert error.line == 3


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    document = load_document(
        write(tmp_path, "bom.yaml", b"\xef\xbb\xbfopenapi: 3.1.0\n"), "bom.yaml"
    )
    assert document.data == {"openapi": "3.1.0"}


def test_control_characters_are_refused_with_their_line(tmp_path: Path) -> None:
    error = only_error(write(tmp_path, "control.yaml", "openapi: 3.1.0\ntitle: a\x01b\n"))
    assert error.message.startswith("invalid YAML")
    assert error.line == 2


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- a\n- b\n", "a sequence"),
        ("just text\n", "a scalar (str)"),
        ("", "an empty document"),
        ("[1]", "a sequence"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    error = only_error(write(tmp_path, "shape.yaml", text))
    assert error.message == f"the top level must be a mapping, not {kind}"


def test_several_yaml_documents_are_refused(tmp_path: Path) -> None:
    error = only_error(write(tmp_path, "two.yaml", "a: 1\n---\nb: 2\n"))
    assert "second" in error.message
    assert error.line == 2


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02",
        b"{",
        b"[1, 2",
        b"a: [",
        b"*x\n",
        b"a: *missing\n",
        b"? [a, b]\n: c\n",
        b"{[1]: 2}\n",
        b'{"n": ' + b"1" * 5000 + b"}",
        b"a: b: c\n",
        b"%YAML 9.9\n---\na: 1\n",
        b"\xff\xfe\x00a",
        b"a: 'unterminated\n",
        b"a:\n  - b\n - c\n",
    ],
)
def test_garbage_gives_a_diagnostic_never_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "garbage.yaml", content)
    with pytest.raises(SpecError) as caught:
        load_document(path, "garbage.yaml")
    assert all(diagnostic.file == "garbage.yaml" for diagnostic in caught.value.diagnostics)


def test_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    assert only_error(tmp_path / "nope.yaml").message == "not found"


# --- lines -----------------------------------------------------------------------------------------------------


def test_line_of_nested_and_escaped_pointers() -> None:
    document = load("minimal.yaml")
    assert document.line_of("") == 1
    assert document.line_of("/paths/~1pets~1{id}/get") == 7
    assert document.line_of("/paths/~1pets~1{id}/get/parameters/0/name") == 10
    assert document.line_of("/paths/~1pets~1{id}/get/responses/200") == 16
    assert document.line_of("/components/schemas/Pet/properties/a~1b~0c") == 29
    assert document.line_of("/components/schemas/Pet/properties/a~1b~0c/type") == 30


def test_line_of_falls_back_to_the_nearest_existing_ancestor() -> None:
    document = load("minimal.yaml")
    assert document.line_of("/components/schemas/Pet/properties/missing/type") == 26
    assert document.line_of("/paths/~1pets~1{id}/get/parameters/7") == 9


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not available")
def test_line_of_json() -> None:
    document = load_document(CORPUS / "opc-baseline-3.0.json", "x.json")
    assert document.line_of("/paths/~1defaults/post/parameters/1/schema/default") == 560


def test_line_of_json_nested_arrays_and_escapes(tmp_path: Path) -> None:
    text = '{\n  "a/b": {\n    "list": [\n      1,\n      {"x~y": true}\n    ]\n  }\n}\n'
    document = load_document(write(tmp_path, "lines.json", text), "lines.json")
    assert document.line_of("/a~1b") == 2
    assert document.line_of("/a~1b/list/1/x~0y") == 5
    assert document.line_of("/a~1b/list/9") == 3


def test_diagnostic_is_located() -> None:
    document = load("minimal.yaml")
    diagnostic = document.diagnostic("/components/schemas/Pet", "something is off")
    assert diagnostic.format() == "load/minimal.yaml:24: #/components/schemas/Pet: something is off"


# --- real specs ------------------------------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(path for path in CORPUS.iterdir() if path.suffix in (".json", ".yaml"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not available")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.name)
def test_corpus_documents_load(path: Path) -> None:
    document = load_document(path, f"corpus/{path.name}")
    assert isinstance(document.data, dict)
    assert isinstance(document.data["openapi"], str)
    assert document.line_of("/info") is not None


@pytest.mark.parametrize(
    ("name", "text", "line", "shown"),
    [
        ("spec.yaml", "openapi: 3.1.0\nx-limit:\n  default: .nan\n", 3, "'.nan'"),
        ("spec.yaml", "openapi: 3.1.0\nx-limit:\n  default: -.Inf\n", 3, "'-.Inf'"),
        ("spec.yaml", "openapi: 3.1.0\nx-limit:\n  default: !!float 1e400\n", 3, "'1e400'"),
        ("spec.json", '{"openapi": "3.1.0",\n "x-limit": {\n  "default": NaN}}', 3, "NaN"),
        (
            "spec.json",
            '{"openapi": "3.1.0",\n "x-limit": {\n  "default": -Infinity}}',
            3,
            "-Infinity",
        ),
        ("spec.json", '{"openapi": "3.1.0",\n "x-limit": {\n  "default": 1e400}}', 3, "Infinity"),
    ],
)
def test_nan_and_infinity_are_refused_where_written(
    tmp_path: Path, name: str, text: str, line: int, shown: str
) -> None:
    """JSON has no NaN or Infinity: a default of `.nan` used to be sent as `nan`."""
    error = only_error(write(tmp_path, name, text))
    assert (error.line, error.pointer) == (line, "/x-limit/default")
    assert error.message == (
        f"{shown} is not a JSON number (JSON has no NaN or Infinity); quote it if a string is meant"
    )


def test_nan_looking_keys_are_only_text(tmp_path: Path) -> None:
    data = load_document(write(tmp_path, "s.yaml", "openapi: 3.1.0\nx-m:\n  .nan: 1\n"), "s").data
    assert data["x-m"] == {".nan": 1}

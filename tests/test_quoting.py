"""Spec text -> literals and docstrings that always parse back to exactly that text."""

from __future__ import annotations

import ast
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.quoting import (
    comment_text,
    docstring_body,
    markdown_text,
    py_literal,
    py_literal_block,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_literals_evaluate_to_the_value(value: object) -> None:
    assert ast.literal_eval(py_literal(value)) == value
    assert ast.literal_eval(py_literal_block(value, width=20)) == value


def test_infinities_are_expressions_not_names() -> None:
    # YAML can spell them (.inf); repr() would give `inf`, an undefined name.
    assert py_literal(float("inf")) == 'float("inf")'
    assert eval(py_literal([float("-inf")])) == [float("-inf")]


@given(st.text())
def test_docstrings_cannot_be_closed_early(text: str) -> None:
    source = f'def f():\n    """{docstring_body(text)}"""\n    return 1\n'
    tree = ast.parse(source)
    function = tree.body[0]
    assert (
        isinstance(function, ast.FunctionDef) and len(function.body) == 2
    )  # docstring, return: nothing injected


@given(st.text())
def test_comments_stay_on_one_line(text: str) -> None:
    line = comment_text(text)
    source = f"# {line}\nx = 1\n"
    assert len(ast.parse(source).body) == 1
    assert len(source.splitlines()) == 2


_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@given(
    st.text(st.sampled_from(["a", '"', "\\", "\n", "\ud800", "\udfff", "\u00ad", *_BIDI_CONTROLS]))
)
def test_docstrings_hold_no_format_characters_and_no_surrogates(text: str) -> None:
    """Bidi controls would make the source read other than it runs (Trojan Source); a lone surrogate made the
    generated client fail with UnicodeEncodeError."""
    body = docstring_body(text)
    assert all(unicodedata.category(char) not in ("Cf", "Cs") for char in body)
    value = ast.literal_eval(f'"""{body}"""')
    value.encode("utf-8")  # never a lone surrogate in the value either
    assert all(char in value for char in text if char in _BIDI_CONTROLS)  # escaped, not dropped


@given(st.text(st.sampled_from(["a", "<", "\ud800", "\u200d", *_BIDI_CONTROLS])))
def test_comments_and_markdown_hold_no_format_characters_and_no_surrogates(text: str) -> None:
    for line in (comment_text(text), markdown_text(text)):
        assert all(unicodedata.category(char) not in ("Cf", "Cs") for char in line)


def _black(source: str) -> str:
    from black import format_str
    from black.mode import Mode, TargetVersion

    # A line length no literal reaches: only black's normalization of the literal is under test.
    return format_str(source, mode=Mode(target_versions={TargetVersion.PY311}, line_length=10**6))


quote_heavy_text = st.text(alphabet=st.sampled_from("'\"\\ab\n\x00\t\x7f\u2028\ud800\U0001f600é"))


@settings(max_examples=500)
@given(st.text() | quote_heavy_text)
def test_string_literals_are_what_black_writes(text: str) -> None:
    source = f"x = {py_literal(text)}\n"
    assert _black(source) == source
    assert ast.literal_eval(py_literal(text)) == text


@given(json_values | st.floats(allow_nan=False, allow_infinity=False))
def test_literals_are_what_black_writes(value: object) -> None:
    source = f"x = {py_literal(value)}\n"
    assert _black(source) == source

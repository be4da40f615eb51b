"""Spec text -> literals and docstrings that always parse back to exactly that text."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from generator.quoting import comment_text, docstring_body, py_literal, py_literal_block

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

"""Spec names -> Python identifiers: always valid, readable, and distinct where the wire names differ."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.naming import assign_unique, constant_case, pascal_case, snake_case


@pytest.mark.parametrize(
    ("wire", "snake", "pascal"),
    [
        ("mixedCase", "mixed_case", "MixedCase"),
        ("getHTTPResponse_v2", "get_http_response_v2", "GetHTTPResponseV2"),
        ("+1", "plus_1", "Plus1"),
        ("-1", "minus_1", "Minus1"),
        ("StartTime<", "start_time_lt", "StartTimeLt"),
        ("16x16", "field_16x16", "Model16x16"),
        ("class", "class_", "Class"),
        ("None", "none", "NoneModel"),
        ("Exception", "exception", "ExceptionModel"),
        ("files[0]", "files_0", "Files0"),
        ("self-harm/intent", "self_harm_intent", "SelfHarmIntent"),
        ("café au lait", "cafe_au_lait", "CafeAuLait"),
        ("größe", "grosse", "Grosse"),
        ("日本", "field", "Model"),
        ("", "field", "Model"),
    ],
)
def test_names(wire: str, snake: str, pascal: str) -> None:
    assert snake_case(wire, fallback="field") == snake
    assert pascal_case(wire, fallback="Model") == pascal


@given(st.text())
def test_every_name_is_a_valid_identifier(wire: str) -> None:
    for name in (
        snake_case(wire, fallback="field"),
        pascal_case(wire, fallback="Model"),
        constant_case(wire, fallback="VALUE"),
    ):
        assert name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def test_collisions_get_suffixes_by_sorted_claim_whatever_the_arrival_order() -> None:
    claims = [("mixed_case", "MixedCase"), ("mixedCase", "MixedCase"), ("Mixed-Case", "MixedCase")]
    forward = assign_unique(claims)
    assert assign_unique(reversed(claims)) == forward
    assert sorted(forward.values()) == ["MixedCase", "MixedCase2", "MixedCase3"]
    assert assign_unique([("a", "CAT"), ("b", "CAT")]) == {"a": "CAT", "b": "CAT_2"}
    assert assign_unique([("a", "name"), ("b", "name")], taken=["name"]) == {
        "a": "name_2",
        "b": "name_3",
    }


def test_file_names_are_distinct_on_case_insensitive_file_systems() -> None:
    names = assign_unique([("A", "foo"), ("B", "Foo")], fold_case=True)
    assert len({name.lower() for name in names.values()}) == 2

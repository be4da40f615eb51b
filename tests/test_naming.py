"""Spec names -> Python identifiers: always valid, readable, and distinct where the wire names differ."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.naming import (
    MAX_NAME_LENGTH,
    Claim,
    assign_unique,
    constant_case,
    digest,
    pascal_case,
    snake_case,
)


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


def test_collisions_are_resolved_by_the_claimants_identities_whatever_the_arrival_order() -> None:
    claims = [
        Claim("mixed_case", "MixedCase", "mixed_case"),
        Claim("mixedCase", "MixedCase", "mixedCase"),
        Claim("Mixed-Case", "MixedCase", "Mixed-Case"),
    ]
    forward = assign_unique(claims)
    assert assign_unique(reversed(claims)) == forward
    # The first identity keeps the name; the others end in a hash of their own identity.
    assert forward == {
        "Mixed-Case": "MixedCase",
        "mixedCase": "MixedCase_" + digest("mixedCase", 6),
        "mixed_case": "MixedCase_" + digest("mixed_case", 6),
    }
    assert assign_unique([Claim("a", "CAT", "a"), Claim("b", "CAT", "b")])["b"] == (
        "CAT_" + digest("b", 6).upper()
    )


def test_rank_decides_before_identity_and_taken_names_get_an_underscore() -> None:
    names = assign_unique([Claim("z", "name", "z", rank=0), Claim("a", "name", "a", rank=1)])
    assert names["z"] == "name"
    taken = assign_unique(
        [Claim("a", "name", "a", rank=1), Claim("b", "name_", "b", rank=0)], taken=["name"]
    )
    assert taken == {"a": "name__" + digest("a", 6), "b": "name_"}


@given(
    st.dictionaries(st.text(max_size=6), st.sampled_from(["a", "A", "b", "a_b"]), max_size=30),
    st.text(max_size=6),
    st.sampled_from(["a", "A", "b", "a_b", "c"]),
)
def test_a_new_claimant_renames_at_most_the_one_that_had_its_name(
    existing: dict[str, str], identity: str, wanted: str
) -> None:
    claims = [Claim(key, name, key) for key, name in existing.items() if key != identity]
    before = assign_unique(claims, fold_case=True)
    after = assign_unique([*claims, Claim(identity, wanted, identity)], fold_case=True)
    assert len({name.lower() for name in after.values()}) == len(after)
    moved = [key for key in before if before[key] != after[key]]
    assert len(moved) <= 1
    assert all(before[key].lower() == wanted.lower() for key in moved)


def test_many_claimants_of_one_name_all_get_distinct_names() -> None:
    # 32k enum values that all spell VALUE once cased: hash suffixes, lengthened where two of them meet.
    claims = [Claim(index, "VALUE", str(index)) for index in range(32_000)]
    names = assign_unique(claims, taken=["UNKNOWN"])
    assert len(set(names.values())) == len(claims)
    assert names[min(range(32_000), key=str)] == "VALUE"


def test_long_names_are_bounded_readable_and_distinct() -> None:
    base = "Page" + "AnnotatedUnionPromptRunSettingsDiscriminatorFieldInfo" * 5
    one, two = pascal_case(base + "A", fallback="Model"), pascal_case(base + "B", fallback="Model")
    assert one != two
    assert len(one) <= MAX_NAME_LENGTH and one.startswith("PageAnnotatedUnionPromptRunSettings")
    assert pascal_case(base + "A", fallback="Model") == one  # stable
    module = snake_case(one, fallback="model")
    assert len(module) <= MAX_NAME_LENGTH and module.isidentifier()
    assert len(constant_case(base, fallback="VALUE")) <= MAX_NAME_LENGTH

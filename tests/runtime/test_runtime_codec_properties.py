"""Properties of the tolerant reader, on random types and random JSON values (hypothesis).

For any declared type (scalars, date-times, enums, constants, lists, maps, nullables, scalar unions and models with
required, optional and undeclared properties, nested) and any JSON value:
- lenient decoding never raises;
- encoding the result gives the same JSON text back, byte for byte (key order included);
- the drift records name exactly the places where the value does not conform, as decided by `nonconforming`, an
  oracle written here from the JSON Schema meaning of each type (no drift on conforming data, no missed drift);
- strict decoding raises `DecodeError` exactly when there is drift, at one of those places.
"""

from __future__ import annotations

import datetime
import enum
import itertools
import json
from dataclasses import dataclass, field, make_dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Runtime = Any  # the runtime package assembled by conftest.py

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


# --- Declared types, described as data the oracle reads, then built as runtime types -------------------------------


@dataclass(frozen=True)
class Decl:
    kind: str  # str int float bool datetime any const enum list map nullable union model
    inner: tuple[Decl, ...] = ()
    values: tuple[Any, ...] = ()  # const: (value,); enum: its values
    fields: tuple[tuple[str, bool], ...] = ()  # model: (wire name, required) per entry of `inner`


SCALARS = ("str", "int", "float", "bool", "datetime", "any")


def _model(children: st.SearchStrategy[Decl]) -> st.SearchStrategy[Decl]:
    names = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4, unique=True)
    return names.flatmap(
        lambda wires: st.tuples(
            st.tuples(*[children for _ in wires]),
            st.tuples(*[st.booleans() for _ in wires]),
            children,
        ).map(
            lambda parts: Decl(
                "model", (*parts[0], parts[2]), fields=tuple(zip(wires, parts[1], strict=True))
            )
        )
    )


LEAVES = (
    st.sampled_from(SCALARS).map(Decl)
    | st.sampled_from([1, "a", True, None, 2.5]).map(lambda value: Decl("const", values=(value,)))
    | st.sampled_from([("x", "y"), (1, 2, 3)]).map(lambda values: Decl("enum", values=values))
    | st.lists(st.sampled_from(("str", "int", "bool")), min_size=2, max_size=3, unique=True).map(
        lambda kinds: Decl("union", tuple(map(Decl, kinds)))
    )
)
DECLS: st.SearchStrategy[Decl] = st.recursive(
    LEAVES,
    lambda children: (
        children.map(lambda item: Decl("list", (item,)))
        | children.map(lambda item: Decl("map", (item,)))
        | children.filter(lambda item: item.kind not in ("nullable", "any")).map(
            lambda item: Decl("nullable", (item,))
        )
        | _model(children)
    ),
    max_leaves=6,
)

_names = itertools.count()


def build(rt: Runtime, decl: Decl) -> Any:
    codec = rt.codec
    scalars = {
        "str": codec.STR,
        "int": codec.INT,
        "float": codec.FLOAT,
        "bool": codec.BOOL,
        "datetime": codec.DATETIME,
        "any": codec.ANY,
    }
    match decl.kind:
        case kind if kind in scalars:
            return scalars[kind]
        case "const":
            return codec.Const(decl.values[0])
        case "enum":
            base: Any = enum.StrEnum if isinstance(decl.values[0], str) else enum.IntEnum
            members = {f"V{index}": value for index, value in enumerate(decl.values)}
            cls: Any = base(f"E{next(_names)}", members)
            cls._missing_ = classmethod(lambda c, value: codec.unknown_member(c, value))
            return cls
        case "list":
            return codec.ListOf(build(rt, decl.inner[0]))
        case "map":
            return codec.MapOf(build(rt, decl.inner[0]))
        case "nullable":
            return codec.Nullable(build(rt, decl.inner[0]))
        case "union":
            variants = tuple(build(rt, variant) for variant in decl.inner)
            return codec.OneOf(f"U{next(_names)}", lambda: codec.Variants(variants))
    attrs = [f"f{index}" for index in range(len(decl.fields))]
    model = make_dataclass(
        f"M{next(_names)}",
        [(attr, Any, field(default=codec.UNSET)) for attr in attrs]
        + [("additional_properties", dict[str, Any], field(default_factory=dict))],
        bases=(codec.Model,),
        kw_only=True,
    )
    table = tuple(
        codec.Field(wire, build(rt, child), required=required, attr=attr)
        for (wire, required), child, attr in zip(decl.fields, decl.inner, attrs, strict=False)
    )
    extra = build(rt, decl.inner[-1])
    codec.register(model, lambda: codec.Table(table, extra))
    return model


# --- Values: mostly conforming, with arbitrary JSON at random places -------------------------------------------------

STAMPS = st.sampled_from(
    [
        "2023-11-07T05:31:56Z",
        "2023-11-07T05:31:56.120Z",
        "2024-01-01T10:00:00.000+0000",  # Jira's: written back as received
        "2024-01-01T10:00:00+02:00",
        "2024-01-01T10:00:00.000001+00:00",
    ]
)


def values(decl: Decl) -> st.SearchStrategy[Any]:
    return st.one_of(conforming(decl), conforming(decl), JSON)


def conforming(decl: Decl) -> st.SearchStrategy[Any]:
    match decl.kind:
        case "str":
            return st.text(max_size=8)
        case "int":
            return st.integers() | st.sampled_from([1.0, -3.0])  # integral numbers are integers
        case "float":
            return st.floats(allow_nan=False, allow_infinity=False) | st.integers()
        case "bool":
            return st.booleans()
        case "datetime":
            return STAMPS
        case "any":
            return JSON
        case "const" | "enum":
            return st.sampled_from(decl.values)
        case "list":
            return st.lists(values(decl.inner[0]), max_size=3)
        case "map":
            return st.dictionaries(st.text(max_size=4), values(decl.inner[0]), max_size=3)
        case "nullable":
            return st.none() | values(decl.inner[0])
        case "union":
            return st.one_of(*map(conforming, decl.inner))
    declared = [
        st.tuples(st.just(wire), values(child), st.booleans() if not required else st.just(True))
        for (wire, required), child in zip(decl.fields, decl.inner, strict=False)
    ]
    undeclared = st.dictionaries(st.text(max_size=4), values(decl.inner[-1]), max_size=2)
    return st.tuples(st.tuples(*declared), undeclared, st.randoms()).map(lambda parts: _obj(*parts))


def _obj(declared: tuple[tuple[str, Any, bool], ...], undeclared: dict[str, Any], rnd: Any) -> Any:
    items = [(wire, value) for wire, value, keep in declared if keep]
    wires = {wire for wire, _, _ in declared}
    items += [(key, value) for key, value in undeclared.items() if key not in wires]
    rnd.shuffle(items)
    return dict(items)


# --- The oracle ------------------------------------------------------------------------------------------------------


def nonconforming(decl: Decl, value: Any, path: str = "$") -> list[str]:
    """The JSON paths (as the codec renders them) where `value` does not conform to `decl`."""
    kind = decl.kind
    ok: bool
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "int":
        ok = type(value) is int or (type(value) is float and value.is_integer())
    elif kind == "float":
        ok = type(value) in (int, float)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "datetime":
        ok = isinstance(value, str) and _is_datetime(value)
    elif kind == "any":
        ok = True
    elif kind in ("const", "enum"):
        ok = any(value == v and type(value) is type(v) for v in decl.values)
    elif kind == "union":
        ok = any(not nonconforming(variant, value) for variant in decl.inner)
    elif kind == "nullable":
        return [] if value is None else nonconforming(decl.inner[0], value, path)
    elif kind == "list":
        if not isinstance(value, list):
            return [path]
        return [
            p
            for i, item in enumerate(value)
            for p in nonconforming(decl.inner[0], item, f"{path}[{i}]")
        ]
    elif kind == "map":
        if not isinstance(value, dict):
            return [path]
        return [
            p
            for key, item in value.items()
            for p in nonconforming(decl.inner[0], item, _child(path, key))
        ]
    else:
        return _model_paths(decl, value, path)
    return [] if ok else [path]


def _model_paths(decl: Decl, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [path]
    children = dict(zip((wire for wire, _ in decl.fields), decl.inner, strict=False))
    found = [
        p
        for key, item in value.items()
        for p in nonconforming(children.get(key, decl.inner[-1]), item, _child(path, key))
    ]
    return found + [
        _child(path, wire) for wire, required in decl.fields if required and wire not in value
    ]


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() and key.isascii() else f"{path}[{key!r}]"


def _is_datetime(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- The properties --------------------------------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[Decl, Any]:
    decl = draw(DECLS)
    return decl, draw(values(decl))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_lenient_decoding_keeps_everything_and_reports_exactly_the_drift(
    rt: Runtime, case: Any
) -> None:
    decl, value = case
    kind = build(rt, decl)
    decoded, drift = rt.codec.decode(kind, value)
    expected = nonconforming(decl, value)
    assert sorted(record.path for record in drift) == sorted(expected)
    assert json.dumps(rt.codec.encode(decoded)) == json.dumps(value)
    try:
        strict, strict_drift = rt.codec.decode(kind, value, strict=True)
    except rt.codec.DecodeError as error:
        assert error.path in expected
    else:
        assert expected == [] and strict_drift == ()
        assert json.dumps(rt.codec.encode(strict)) == json.dumps(value)

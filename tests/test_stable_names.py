"""Names that do not move: every generated name is a function of its own place in the spec (docs/naming.md)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import ir
from generator.cli import main
from generator.load import Document
from generator.naming import MAX_NAME_LENGTH
from generator.refs import DocumentSet
from generator.render import render_api
from generator.translate import build_api

# Few spellings that collide after casing and concatenation (`Foo` + `bar` meets `FooBar` and `foo_bar`).
_NAMES = st.sampled_from(["foo", "Foo", "bar", "foo_bar", "FooBar", "foo-bar", "Operator", "value"])
_ENUM_VALUES = st.lists(
    st.sampled_from(["a", "A", "a-b", "a_b", "aB", "x", "X Y", "x_y"]), min_size=1, unique=True
)


@st.composite
def _inline_schema(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["enum", "object", "array", "union", "string"] if depth < 2 else ["enum", "string"]
        )
    )
    if kind == "enum":
        return {"type": "string", "enum": draw(_ENUM_VALUES), "title": "Operator"}
    if kind == "object":
        names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
        return {
            "type": "object",
            "title": "Value",
            "properties": {name: draw(_inline_schema(depth + 1)) for name in names},
        }
    if kind == "array":
        return {"type": "array", "items": draw(_inline_schema(depth + 1))}
    if kind == "union":
        return {"oneOf": [draw(_inline_schema(depth + 1)), draw(_inline_schema(depth + 1))]}
    return {"type": "string"}


@st.composite
def _component(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    return {"type": "object", "properties": {name: draw(_inline_schema()) for name in names}}


@st.composite
def _operation(draw: st.DrawFn, components: list[str]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": draw(_NAMES), "tags": [draw(_NAMES)]}
    params = draw(st.lists(_NAMES, max_size=3, unique=True))
    operation["parameters"] = [
        {"name": name, "in": "query", "schema": draw(_inline_schema())} for name in params
    ]
    with_body: bool = draw(st.booleans())
    if components and with_body:
        target: str = draw(st.sampled_from(components))
        ref = {"$ref": f"#/components/schemas/{target}"}
        operation["requestBody"] = {"content": {"application/json": {"schema": ref}}}
    response = draw(_inline_schema())
    operation["responses"] = {
        "200": {"description": "ok", "content": {"application/json": {"schema": response}}}
    }
    return operation


@st.composite
def _spec(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(_NAMES, max_size=5, unique=True))
    schemas = {name: draw(_component()) for name in names}
    paths: dict[str, Any] = {}
    for index, method in enumerate(draw(st.lists(st.sampled_from(["get", "post"]), max_size=4))):
        paths.setdefault(f"/r{index % 2}", {})[method] = draw(_operation(names))
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _build(spec: dict[str, Any]) -> ir.Api:
    api, _ = build_api(
        DocumentSet(Document(Path("/spec/spec.yaml"), "spec.yaml", spec)), package="p"
    )
    return api


def _names_by_origin(api: ir.Api) -> dict[tuple[str, ...], str]:
    """Every generated name, keyed by what it names (its place, and the wire name within it)."""
    names: dict[tuple[str, ...], str] = {}
    named: list[ir.Model | ir.EnumType | ir.Union] = [*api.models, *api.enums, *api.unions]
    for item in named:
        names[("class", item.origin.pointer)] = item.name
        names[("module", item.origin.pointer)] = item.module
    for model in api.models:
        for field in model.fields:
            names[("field", model.origin.pointer, field.wire_name)] = field.py_name
    for enum in api.enums:
        for member in enum.members:
            names[("member", enum.origin.pointer, repr(member.value))] = member.py_name
    for operation in api.operations:
        names[("function", operation.origin.pointer)] = operation.function_name
        names[("api module", operation.origin.pointer)] = operation.module
        for param in operation.parameters:
            names[("param", operation.origin.pointer, param.wire_name)] = param.py_name
    return names


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_spec(), st.data())
def test_an_unrelated_addition_renames_nothing(spec: dict[str, Any], data: st.DataObject) -> None:
    before = _names_by_origin(_build(spec))
    grown = copy.deepcopy(spec)
    # Unrelated: its own names are spelled nowhere else (its inline schemas reuse the colliding words).
    if data.draw(st.booleans(), "add a schema"):
        grown["components"]["schemas"]["Zq"] = data.draw(_component(), "schema")
    else:
        operation = data.draw(_operation(list(spec["components"]["schemas"])), "operation")
        operation["operationId"] = operation["tags"][0] = "zq"
        grown["paths"].setdefault("/zq", {})["get"] = operation
    after = _names_by_origin(_build(grown))
    assert {key: after.get(key) for key in before} == before


def test_schemes_colliding_after_casing_get_distinct_keywords(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-A"},
                "api_key": {"type": "apiKey", "in": "header", "name": "X-B"},
            }
        },
    }
    api = _build(spec)
    keywords = {scheme.name: dict(scheme.keywords)["api_key"] for scheme in api.security_schemes}
    assert keywords["api_key"] == "api_key_api_key"
    assert keywords["ApiKey"].startswith("api_key_") and keywords["ApiKey"] != "api_key_api_key"
    client = render_api(api)["_client.py"]
    compile(client, "_client.py", "exec")  # two `api_key_api_key=` keywords were a SyntaxError


MANY_COLLIDING = Path(__file__).parent / "specs" / "names" / "colliding.yaml"


def test_adding_a_schema_changes_only_the_files_that_refer_to_it() -> None:
    spec = yaml.safe_load(MANY_COLLIDING.read_text())
    grown = copy.deepcopy(spec)
    grown["components"]["schemas"]["Alpha"] = {
        "type": "object",
        "properties": {
            "operator": {"title": "Operator", "enum": ["eq", "ne"]},
            "value": {"title": "Value", "type": "object", "properties": {"x": {"type": "string"}}},
        },
    }
    before, after = render_api(_build(spec)), render_api(_build(grown))
    changed = {path for path in before if before[path] != after.get(path)}
    added = set(after) - set(before)
    assert changed == {"models/__init__.py"}
    assert added == {"models/alpha.py", "models/alpha_operator.py", "models/alpha_value.py"}


def test_schema_names_of_270_characters_generate_short_stable_files(tmp_path: Path) -> None:
    # Pydantic names generic models after their parameters; the Galileo document has names of 266-276 characters.
    long = (
        "Page_Annotated_Union_" + "_".join(f"LogRecords{kind}Filter" for kind in "ABCDEFGHIJ") * 2
    )
    assert len(long) > 255
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                long + "A": {"type": "object", "properties": {"a": {"type": "string"}}},
                long + "B": {"type": "object", "properties": {"b": {"type": "string"}}},
            }
        },
    }
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(spec))
    assert (
        main(["generate", str(path), "-o", str(tmp_path / "out"), "--package", "long_client"]) == 0
    )
    models = sorted((tmp_path / "out" / "long_client" / "models").glob("page_*.py"))
    assert len(models) == 2 and all(len(model.name) <= MAX_NAME_LENGTH + 3 for model in models)
    models[0].read_text().index("class PageAnnotatedUnionLogRecordsAFilterLogRecords")  # readable
    # Stable: a second run, from another output folder, names the files alike.
    assert (
        main(["generate", str(path), "-o", str(tmp_path / "again"), "--package", "long_client"])
        == 0
    )
    again = sorted((tmp_path / "again" / "long_client" / "models").glob("page_*.py"))
    assert [model.name for model in again] == [model.name for model in models]

"""Checks on the hand-written Galileo spec (spec/galileo.yaml).

The spec must be valid OpenAPI 3.1, carry the two documented operations, and its example payloads (copied from the
v2 docs pages) must validate against its schemas, strictly: an example key the schema does not declare, or a declared
property the examples never show, fails here, so the examples and the schemas cannot drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openapi_spec_validator
import pytest
import yaml
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "galileo.yaml"
SPEC_URI = "urn:oapigen:spec:galileo"

EXTEND = ("/v2/datasets/extend", "post")
LIST_EXPERIMENTS = ("/v2/projects/{project_id}/experiments/paginated", "get")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
FASTAPI_SCHEMAS = {"HTTPValidationError", "ValidationError"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict)
    return document


def _pointer(*parts: str) -> str:
    return "".join(
        "/" + quote(part.replace("~", "~0").replace("/", "~1"), safe="") for part in parts
    )


def _closed(document: dict[str, Any]) -> dict[str, Any]:
    """A copy where every object schema with named properties and no additionalProperties rejects unknown keys."""
    closed = copy.deepcopy(document)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(closed)
    return closed


def _validator(document: dict[str, Any], *pointer: str) -> OAS31Validator:
    """A Draft 2020-12 (OAS 3.1) validator for the schema at `pointer`, with the whole document bundled for $refs."""
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, DRAFT202012.create_resource(document)
    )
    return OAS31Validator(
        {"$ref": SPEC_URI + "#" + _pointer(*pointer)},
        registry=registry,
        format_checker=oas31_format_checker,
    )


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def _media_examples(document: dict[str, Any]) -> Iterator[tuple[str, tuple[str, ...], Any]]:
    """(label, pointer to the schema, example value) for every media-type and parameter example in the paths."""
    for path, method, operation in _operations(document):
        base = ("paths", path, method)
        media: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        body = operation.get("requestBody")
        if body:
            for content_type, media_type in body["content"].items():
                media.append(((*base, "requestBody", "content", content_type), media_type))
        for status, response in operation.get("responses", {}).items():
            for content_type, media_type in response.get("content", {}).items():
                media.append(((*base, "responses", status, "content", content_type), media_type))
        for index, parameter in enumerate(operation.get("parameters", [])):
            media.append(((*base, "parameters", str(index)), parameter))
        for location, holder in media:
            label = " ".join(location[1:])
            if "example" in holder:
                yield label, (*location, "schema"), holder["example"]
            for name, example in holder.get("examples", {}).items():
                yield f"{label} [{name}]", (*location, "schema"), example["value"]


def _schema_examples(document: dict[str, Any]) -> Iterator[tuple[str, tuple[str, ...], Any]]:
    """(label, pointer to the schema, example value) for every JSON Schema `examples` keyword under components."""

    def visit(node: Any, location: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...], Any]]:
        if isinstance(node, dict):
            examples = node.get("examples")
            if isinstance(examples, list) and ("type" in node or "$ref" in node or "enum" in node):
                for index, example in enumerate(examples):
                    yield f"{'/'.join(location)} examples[{index}]", location, example
            for key, value in node.items():
                yield from visit(value, (*location, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from visit(value, (*location, str(index)))

    yield from visit(document["components"]["schemas"], ("components", "schemas"))


def _all_examples(document: dict[str, Any]) -> list[tuple[str, tuple[str, ...], Any]]:
    return [*_media_examples(document), *_schema_examples(document)]


# --- The document ----------------------------------------------------------------------------------------------------


def test_spec_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    openapi_spec_validator.validate(spec)


def test_top_level_layout(spec: dict[str, Any]) -> None:
    assert list(spec) == ["openapi", "info", "servers", "security", "paths", "components"]
    assert spec["info"]["title"] == "Galileo API"
    assert spec["info"]["version"] == "2.0.0"
    assert "hand-written" in spec["info"]["description"]
    assert spec["servers"] == [{"url": "https://api.galileo.ai"}]


def test_api_key_security_applies_globally(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert len(schemes) == 1
    ((name, scheme),) = schemes.items()
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Galileo-API-Key")
    assert spec["security"] == [{name: []}]
    for _, _, operation in _operations(spec):
        assert "security" not in operation  # the global requirement is not overridden


def test_every_ref_resolves(spec: dict[str, Any]) -> None:
    refs: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec)
    assert refs
    for ref in refs:
        assert isinstance(_resolve(spec, ref), dict), ref


def test_no_inline_object_schemas(spec: dict[str, Any]) -> None:
    """Objects with named properties live only at the top of components/schemas; everything else refers to them."""
    offenders: list[str] = []

    def visit(node: Any, location: str, top_level: bool) -> None:
        if isinstance(node, dict):
            if "properties" in node and not top_level:
                offenders.append(location)
            for key, value in node.items():
                visit(value, f"{location}/{key}", False)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{location}/{index}", False)

    visit(spec["paths"], "#/paths", False)
    for name, schema in spec["components"]["schemas"].items():
        visit(schema, f"#/components/schemas/{name}", True)
    assert offenders == []


def test_every_galileo_schema_and_property_is_described(spec: dict[str, Any]) -> None:
    for name, schema in spec["components"]["schemas"].items():
        if name in FASTAPI_SCHEMAS:
            continue
        assert schema.get("description"), name
        for prop, prop_schema in schema.get("properties", {}).items():
            assert prop_schema.get("description"), f"{name}.{prop}"


def test_optional_and_nullable_choices_are_stated(spec: dict[str, Any]) -> None:
    """A nullable property says so and is optional; a property with a default is optional and says its default."""
    for name, schema in spec["components"]["schemas"].items():
        if name in FASTAPI_SCHEMAS:
            continue
        required = set(schema.get("required", []))
        for prop, prop_schema in schema.get("properties", {}).items():
            types = prop_schema.get("type")
            nullable = (isinstance(types, list) and "null" in types) or {
                "type": "null"
            } in prop_schema.get("anyOf", [])
            if nullable:
                assert prop not in required, f"{name}.{prop}"
                assert "nullable" in prop_schema["description"].lower(), f"{name}.{prop}"
            if "default" in prop_schema:
                assert prop not in required, f"{name}.{prop}"
                assert "default" in prop_schema["description"], f"{name}.{prop}"


# --- Operations ------------------------------------------------------------------------------------------------------


def test_operations(spec: dict[str, Any]) -> None:
    found = {
        operation["operationId"]: (path, method) for path, method, operation in _operations(spec)
    }
    assert found == {
        "extend_dataset_content": EXTEND,
        "list_experiments_paginated": LIST_EXPERIMENTS,
    }


def test_extend_dataset_content(spec: dict[str, Any]) -> None:
    path, method = EXTEND
    operation = spec["paths"][path][method]
    assert operation["summary"] == "Extend Dataset Content"
    assert operation["description"] == "Extends the dataset content"
    body = operation["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SyntheticDatasetExtensionRequest"
    }
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/SyntheticDatasetExtensionResponse"}
    schemas = spec["components"]["schemas"]
    assert (
        schemas["SyntheticDatasetExtensionRequest"]["description"]
        == "Request for a synthetic dataset run job."
    )
    response = schemas["SyntheticDatasetExtensionResponse"]
    assert response["description"] == "Response for synthetic dataset extension requests."
    assert response["required"] == ["dataset_id"]


def test_list_experiments_paginated(spec: dict[str, Any]) -> None:
    path, method = LIST_EXPERIMENTS
    operation = spec["paths"][path][method]
    assert operation["summary"] == "List Experiments Paginated"
    assert operation["description"] == "Retrieve all experiments for a project with pagination."
    parameters = {
        (parameter["in"], parameter["name"]): parameter for parameter in operation["parameters"]
    }
    assert set(parameters) == {
        ("path", "project_id"),
        ("query", "starting_token"),
        ("query", "limit"),
    }
    assert parameters["path", "project_id"]["required"] is True
    assert parameters["path", "project_id"]["schema"] == {"type": "string"}
    assert parameters["query", "starting_token"]["schema"] == {
        "type": "integer",
        "default": 0,
        "minimum": 0,
    }
    assert parameters["query", "limit"]["schema"] == {
        "type": "integer",
        "default": 100,
        "minimum": 1,
    }
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ListExperimentResponse"}


def test_x_pagination(spec: dict[str, Any]) -> None:
    path, method = LIST_EXPERIMENTS
    operation = spec["paths"][path][method]
    pagination = operation["x-pagination"]
    assert pagination == {
        "style": "token",
        "token_parameter": "starting_token",
        "next_token": "next_starting_token",
        "has_more": "paginated",
        "items": "experiments",
    }
    query = {
        parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"
    }
    assert pagination["token_parameter"] in query
    page = spec["components"]["schemas"]["ListExperimentResponse"]["properties"]
    assert page[pagination["has_more"]]["type"] == "boolean"
    assert page[pagination["has_more"]]["default"] is False
    assert page[pagination["next_token"]]["type"] == ["integer", "null"]
    assert page[pagination["items"]]["type"] == "array"
    assert page[pagination["items"]]["items"] == {"$ref": "#/components/schemas/ExperimentResponse"}


@pytest.mark.parametrize("route", [EXTEND, LIST_EXPERIMENTS], ids=["extend", "list_experiments"])
def test_fastapi_422(spec: dict[str, Any], route: tuple[str, str]) -> None:
    path, method = route
    response = spec["paths"][path][method]["responses"]["422"]
    assert response["description"] == "Validation Error"
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"
    }


def test_fastapi_validation_error_shapes(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["HTTPValidationError"] == {
        "properties": {
            "detail": {
                "items": {"$ref": "#/components/schemas/ValidationError"},
                "type": "array",
                "title": "Detail",
            }
        },
        "type": "object",
        "title": "HTTPValidationError",
    }
    assert schemas["ValidationError"] == {
        "properties": {
            "loc": {
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "type": "array",
                "title": "Location",
            },
            "msg": {"type": "string", "title": "Message"},
            "type": {"type": "string", "title": "Error Type"},
        },
        "type": "object",
        "required": ["loc", "msg", "type"],
        "title": "ValidationError",
    }
    error = {
        "detail": [
            {
                "loc": ["body", "count", 0],
                "msg": "Input should be a valid integer",
                "type": "int_parsing",
            }
        ]
    }
    validator = _validator(spec, "components", "schemas", "HTTPValidationError")
    assert list(validator.iter_errors(error)) == []
    assert list(validator.iter_errors({"detail": [{"loc": [1.5]}]}))


# --- Schemas ---------------------------------------------------------------------------------------------------------


def test_task_type_is_integer_enum_0_to_18(spec: dict[str, Any]) -> None:
    task_type = spec["components"]["schemas"]["TaskType"]
    assert task_type["type"] == "integer"
    assert task_type["enum"] == list(range(19))
    assert all(type(value) is int for value in task_type["enum"])
    assert task_type["description"].startswith(
        "Valid task types for modeling. We store these as ints instead of strings because we will be looking this up"
        " in the database frequently."
    )
    assert "adds task types over time" in task_type["description"]
    experiment = spec["components"]["schemas"]["ExperimentResponse"]["properties"]
    assert experiment["task_type"]["$ref"] == "#/components/schemas/TaskType"


def test_data_types_enum(spec: dict[str, Any]) -> None:
    data_types = spec["components"]["schemas"]["SyntheticDataTypes"]
    assert data_types["type"] == "string"
    assert "General Query" in data_types["enum"]
    request = spec["components"]["schemas"]["SyntheticDatasetExtensionRequest"]["properties"]
    assert request["data_types"]["items"] == {"$ref": "#/components/schemas/SyntheticDataTypes"}


def test_the_two_prompt_settings_differ(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    extend = schemas["ExtendPromptSettings"]["properties"]
    experiment = schemas["ExperimentPromptRunSettings"]["properties"]
    assert (extend["model_alias"]["default"], extend["max_tokens"]["default"]) == (
        "gpt-4.1-mini",
        1024,
    )
    assert (experiment["model_alias"]["default"], experiment["max_tokens"]["default"]) == (
        "GPT-4o",
        4096,
    )
    assert extend["tools"]["items"] == {"type": "object", "additionalProperties": True}
    assert experiment["tools"]["type"] == ["string", "null"]
    assert extend["known_models"]["items"] == {"$ref": "#/components/schemas/Model"}
    assert "known_models" not in experiment
    assert {"reasoning_effort", "verbosity"} <= set(experiment) and not {
        "reasoning_effort",
        "verbosity",
    } & set(extend)
    assert (
        experiment["reasoning_effort"]["default"] == experiment["verbosity"]["default"] == "medium"
    )


def test_timestamps_are_date_time(spec: dict[str, Any]) -> None:
    experiment = spec["components"]["schemas"]["ExperimentResponse"]["properties"]
    assert experiment["created_at"] == {
        **experiment["created_at"],
        "type": "string",
        "format": "date-time",
    }
    assert experiment["updated_at"]["format"] == "date-time"


# --- Examples --------------------------------------------------------------------------------------------------------


def test_expected_examples_are_present(spec: dict[str, Any]) -> None:
    labels = {label for label, _, _ in _media_examples(spec)}
    path_e, method_e = EXTEND
    path_l, method_l = LIST_EXPERIMENTS
    assert f"{path_e} {method_e} requestBody content application/json [docs]" in labels
    assert f"{path_e} {method_e} responses 200 content application/json [docs]" in labels
    assert f"{path_l} {method_l} responses 200 content application/json [docs]" in labels


def test_every_example_validates_strictly(spec: dict[str, Any]) -> None:
    """Every example is valid against its schema, with formats checked and undeclared keys rejected."""
    examples = _all_examples(spec)
    assert len(examples) >= 3
    closed = _closed(spec)
    for label, pointer, value in examples:
        errors = sorted(
            _validator(closed, *pointer).iter_errors(value), key=lambda error: list(error.path)
        )
        assert not errors, f"{label}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_examples_show_every_declared_property(spec: dict[str, Any]) -> None:
    """The other direction of drift: each Galileo object schema's properties all appear in the docs examples."""
    seen: dict[str, set[str]] = {}

    def walk(schema: dict[str, Any], value: Any, name: str | None) -> None:
        if "$ref" in schema:
            ref = schema["$ref"]
            walk(_resolve(spec, ref), value, ref.rsplit("/", 1)[-1])
            return
        if "anyOf" in schema:
            for branch in schema["anyOf"]:
                if (value is None) == (branch == {"type": "null"}):
                    walk(branch, value, name)
            return
        if isinstance(value, dict) and "properties" in schema:
            assert name is not None
            seen.setdefault(name, set()).update(value)
            for key, item in value.items():
                if (
                    key in schema["properties"]
                ):  # undeclared keys are test_every_example_validates_strictly's job
                    walk(schema["properties"][key], item, None)
        elif isinstance(value, list) and "items" in schema:
            for item in value:
                walk(schema["items"], item, None)

    for _, pointer, value in _media_examples(spec):
        node: Any = spec
        for part in pointer:
            node = node[part]
        walk(node, value, None)

    for name, schema in spec["components"]["schemas"].items():
        if name in FASTAPI_SCHEMAS or "properties" not in schema:
            continue
        assert set(schema["properties"]) == seen.get(name), name


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda page: page["experiments"][0].update(task_type="zero"), "task_type is an integer"),
        (
            lambda page: page["experiments"][0].update(created_at="yesterday"),
            "created_at is a date-time",
        ),
        (lambda page: page["experiments"][0].pop("id"), "id is required"),
        (lambda page: page.update(paginated=None), "paginated is not nullable"),
        (
            lambda page: page["experiments"][0]["status"]["log_generation"].update(
                progress_percent="0"
            ),
            "a number",
        ),
        (
            lambda page: page["experiments"][0].update(surprise=1),
            "undeclared keys fail the strict check",
        ),
    ],
)
def test_validation_is_not_vacuous(spec: dict[str, Any], mutate: Any, why: str) -> None:
    path, method = LIST_EXPERIMENTS
    pointer = ("paths", path, method, "responses", "200", "content", "application/json")
    page = copy.deepcopy(
        spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["examples"]
    )
    page = page["docs"]["value"]
    mutate(page)
    assert list(_validator(_closed(spec), *pointer, "schema").iter_errors(page)), why


def test_tolerant_reading(spec: dict[str, Any]) -> None:
    """What the live API may send: nulls for nullable fields, missing optional fields, extra fields."""
    pointer = ("components", "schemas", "ListExperimentResponse")
    page = {
        "experiments": [
            {
                "id": "e1",
                "project_id": "p1",
                "created_at": "2024-01-01T00:00:00Z",
                "next_field_from_the_future": {"x": 1},
                "task_type": 0,
                "updated_at": None,
                "created_by_user": None,
                "dataset": None,
                "playground": None,
                "prompt": None,
                "prompt_run_settings": None,
                "winner": None,
                "rank": None,
                "ranking_score": None,
                "status": {"log_generation": {"progress_percent": None}},
            },
            {  # nested objects: the page marks none of their fields required or non-null
                "id": "e2",
                "project_id": "p1",
                "created_at": "2024-01-01T00:00:00Z",
                "dataset": {"dataset_id": None},
                "created_by_user": {"email": None},
                "playground": {"playground_id": None},
                "prompt": {"prompt_template_id": None},
                "prompt_run_settings": {"temperature": None, "max_tokens": None, "n": None},
            },
        ],
        "next_starting_token": None,
    }
    validator = _validator(spec, *pointer)
    assert list(validator.iter_errors(page)) == []
    assert list(validator.iter_errors({})) == []

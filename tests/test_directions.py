"""Request and response models (generator/translate/directions.py): the golden spec tests/golden/directions.yaml
in the IR and as a generated, type-checked package, a name already taken by a component, and the figures of the
jira corpus document."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from corpus.harness import CORPUS, build_ir
from support.generated_package import assert_type_checks, imported, unique_name

from generator import ir
from generator.pipeline import Options, generate

SPEC = Path(__file__).parent / "golden" / "directions.yaml"
JIRA = CORPUS / "jira-platform.json"


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return build_ir(SPEC)[0]


def named(api: ir.Api) -> dict[str, ir.Model | ir.Union]:
    items: list[ir.Model | ir.Union] = [*api.models, *api.unions]
    return {item.name: item for item in items}


def fields(api: ir.Api, model: str) -> dict[str, ir.Field]:
    item = named(api)[model]
    assert isinstance(item, ir.Model)
    return {field.py_name: field for field in item.fields}


def test_a_schema_with_read_only_or_write_only_properties_becomes_two_classes(api: ir.Api) -> None:
    assert sorted(named(api)) == [
        "Order",
        "OrderRequest",
        "Pet",
        "PetRequest",
        "Subject",
        "SubjectRequest",
        "Tag",
    ]
    pet, request = fields(api, "Pet"), fields(api, "PetRequest")
    assert list(pet) == ["id", "created_at", "name", "tags"]
    assert list(request) == ["name", "password", "tags"]
    # Required-ness as the spec gives it, in the direction the property lives in.
    assert (pet["id"].required, pet["name"].required) == (True, True)
    assert (request["password"].required, request["name"].required) == (True, True)


def test_referring_types_follow_and_the_others_stay_one(api: ir.Api) -> None:
    assert fields(api, "Order")["pets"].type == ir.ListOf(ir.ModelRef("Pet"))
    assert fields(api, "OrderRequest")["pets"].type == ir.ListOf(ir.ModelRef("PetRequest"))
    assert fields(api, "OrderRequest")["subject"].type == ir.UnionRef("SubjectRequest")
    subject = named(api)["SubjectRequest"]
    assert isinstance(subject, ir.Union)
    assert subject.variants == (ir.ModelRef("PetRequest"), ir.ModelRef("Tag"))
    assert fields(api, "PetRequest")["tags"].type == ir.ListOf(ir.ModelRef("Tag"))


def test_bodies_take_the_request_form_and_responses_the_response_form(api: ir.Api) -> None:
    create = next(op for op in api.operations if op.function_name == "create_pet")
    assert create.body is not None and create.body.type == ir.ModelRef("PetRequest")
    assert [response.type for response in create.responses] == [ir.ModelRef("Pet")]


def test_a_component_named_like_a_request_form_keeps_its_name(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    Pet: {type: object, properties: {id: {type: string, readOnly: true}}}\n"
        "    PetRequest: {type: object, properties: {kind: {type: string}}}\n",
        encoding="utf-8",
    )
    models = {model.name: model for model in build_ir(spec)[0].models}
    assert [field.py_name for field in models["PetRequest"].fields] == ["kind"]
    [variant] = [name for name in models if name.startswith("PetRequest_")]
    assert models[variant].fields == ()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    files = generate(SPEC, Options(package="directions_client")).files
    with imported(tmp_path_factory.mktemp("out"), unique_name("directions"), files) as package:
        yield package


def test_the_generated_package_type_checks(package: ModuleType) -> None:
    directory = Path(package.__file__ or "").parent
    assert_type_checks(directory)


def test_the_two_forms_on_the_wire(package: ModuleType) -> None:
    models = importlib.import_module(f"{package.__name__}.models")
    api = importlib.import_module(f"{package.__name__}.api")
    sent: list[object] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(201, json={"id": "p-1", "name": "Rex", "tags": []})

    transport = httpx.MockTransport(server)
    with package.Client(http_client=httpx.Client(transport=transport)) as client:
        pet = api.create_pet(client, body=models.PetRequest(name="Rex", password="pw", tags=[]))
    assert sent == [{"name": "Rex", "password": "pw", "tags": []}]
    assert isinstance(pet, models.Pet) and pet.id == "p-1"
    assert not hasattr(pet, "password") and not hasattr(
        models.PetRequest(name="a", password="b"), "id"
    )


def test_jira_request_models_have_no_read_only_field_and_responses_no_write_only_field() -> None:
    """Issue 13's demonstration on the corpus document with 911 readOnly and 119 writeOnly uses."""
    jira = build_ir(JIRA)[0]
    by_name = {model.name: model for model in jira.models}
    requests = [model for model in jira.models if model.request_of]
    responses = [by_name[model.request_of] for model in requests]
    read_only_moved = sum(
        sum(field.read_only for field in response.fields) for response in responses
    )
    write_only_moved = sum(
        sum(field.write_only for field in request.fields) for request in requests
    )
    direct = sum(
        any(field.read_only for field in response.fields)
        or any(field.write_only for field in request.fields)
        for response, request in zip(responses, requests, strict=True)
    )
    print(
        f"\njira: {len(jira.models) - len(requests)} object schemas, {len(requests)} split in two "
        f"({direct} with readOnly/writeOnly properties of their own, the others referring to one); "
        f"{read_only_moved} read-only fields kept out of request models, "
        f"{write_only_moved} write-only fields kept out of response models"
    )
    assert requests and read_only_moved and write_only_moved
    for model in requests:
        assert not any(field.read_only for field in model.fields), model.name
    for model in responses:
        assert not any(field.write_only for field in model.fields), model.name
    bodies = [op.body.type for op in jira.operations if op.body is not None]
    for body in bodies:
        if isinstance(body, ir.ModelRef):
            assert not any(field.read_only for field in by_name[body.name].fields), body.name

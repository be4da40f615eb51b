"""Builder semantics of schemas, on `tests/specs/build/semantics.yaml`: the IR it builds, and the generated models
decoding and encoding payloads (imported from a freshly generated package)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from corpus.harness import build_ir, import_models

from generator import ir
from generator.naming import digest

SPECS = Path(__file__).parent / "specs" / "build"
SPEC = SPECS / "semantics.yaml"


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return build_ir(SPEC)[0]


@pytest.fixture(scope="module")
def warnings() -> list[str]:
    return [diagnostic.format() for diagnostic in build_ir(SPEC)[1]]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return import_models(SPEC, tmp_path_factory.mktemp("semantics"), "semantics_schemas_client")


def model(api: ir.Api, name: str) -> ir.Model:
    return next(item for item in api.models if item.name == name)


def fields(api: ir.Api, name: str) -> dict[str, ir.Field]:
    return {field.wire_name: field for field in model(api, name).fields}


def test_nullable_in_both_dialects_and_const(api: ir.Api) -> None:
    pet = fields(api, "Pet")
    assert pet["nickname"].type == ir.Nullable(ir.Primitive("str"))  # 3.1 type: [string, "null"]
    assert pet["legacy"].type == ir.Nullable(ir.Primitive("str"))  # 3.0 nullable: true
    assert pet["kind"].type == ir.Const("pet")


def test_read_only_and_write_only_are_required_in_their_own_direction(
    api: ir.Api, models: ModuleType
) -> None:
    pet, request = fields(api, "Pet"), fields(api, "PetRequest")  # see tests/test_directions.py
    assert (pet["id"].read_only, pet["id"].required, "secret" in pet) == (True, True, False)
    assert (request["secret"].write_only, request["secret"].required, "id" in request) == (
        True,
        True,
        False,
    )
    assert pet["name"].required and request["name"].required
    assert models.Pet.from_dict({"id": 1, "name": "Rex"}).to_dict() == {"id": 1, "name": "Rex"}
    body = models.PetRequest.from_dict({"name": "Rex", "secret": "s"})
    assert body.to_dict(request=True) == {"name": "Rex", "secret": "s"}


def test_all_of_merges_properties_and_required(api: ir.Api) -> None:
    derived = fields(api, "Derived")
    assert list(derived) == ["id", "extra"]
    assert derived["id"].required and derived["extra"].required


def test_discriminator_with_mapping_and_implicit_names(api: ir.Api, models: ModuleType) -> None:
    animal = next(union for union in api.unions if union.name == "Animal")
    assert animal.discriminator == ir.Discriminator("type", (("kitty", "Cat"), ("Dog", "Dog")))
    assert type(models.decode_animal({"type": "kitty", "meows": True})).__name__ == "Cat"
    assert type(models.decode_animal({"type": "Dog", "barks": True})).__name__ == "Dog"


def test_an_unknown_discriminator_value_keeps_the_raw_object_with_drift(models: ModuleType) -> None:
    # 3.1 has no defaultMapping: a kind the API added is not forced into Cat or Dog (both would accept it).
    bird = {"type": "bird", "sings": True}
    codec = importlib.import_module(models.__name__.replace(".models", "._codec"))
    decoded, drift = codec.decode(models.decode_animal, bird)
    assert decoded == bird
    assert [str(place) for place in drift] == [
        "$.type: expected one of 'kitty', 'Dog' (the discriminator of Animal), got a string"
    ]
    with pytest.raises(ValueError, match=r"^\$\.type: expected one of 'kitty', 'Dog'"):
        models.decode_animal(bird, strict=True)
    # Without the property, the variants are tried as if there were no discriminator.
    assert type(models.decode_animal({"meows": True})).__name__ == "Cat"


def test_unions_without_discriminator_decode_by_shape(api: ir.Api, models: ModuleType) -> None:
    shape = next(union for union in api.unions if union.name == "Shape")
    assert shape.variants == (
        ir.ModelRef("ShapeVariant1"),
        ir.ModelRef("ShapeVariant2"),
        ir.Primitive("str"),
    )
    assert type(models.decode_shape({"side": 2})).__name__ == "ShapeVariant2"
    assert type(models.decode_shape({"radius": 2})).__name__ == "ShapeVariant1"
    assert models.decode_shape("round") == "round"
    with pytest.raises(ValueError, match=r"\$: expected one of Shape, got an integer"):
        models.decode_shape(3, strict=True)
    assert models.decode_shape(3) == 3  # lenient: kept raw, reported as drift


def test_mutually_recursive_unions_decode_and_terminate(models: ModuleType) -> None:
    # Ping = Pong | str, Pong = Ping | int: each union is tried once, so both accept strings and integers.
    for decode in (models.decode_ping, models.decode_pong):
        assert (decode("x"), decode(3)) == ("x", 3)
        with pytest.raises(ValueError, match=r"\$: expected one of P[io]ng, got a boolean"):
            decode(True, strict=True)
        assert decode([True]) == [True]  # lenient: kept


def test_enums_of_strings_integers_and_mixed_values(api: ir.Api, models: ModuleType) -> None:
    enums = {enum.name: enum for enum in api.enums}
    assert [member.value for member in enums["Color"].members] == [
        "red",
        "Red",
        "RED",
        "r-e-d",
        "r_e_d",
    ]
    assert (
        len({member.py_name for member in enums["Color"].members}) == 5
    )  # differ only in case or punctuation
    assert (enums["Level"].value_kind, enums["Mixed"].value_kind) == ("int", "mixed")
    assert models.Level(10) is models.Level.VALUE_10
    assert models.Color("blue").value == "blue"  # a value the spec does not list still round-trips
    assert models.Mixed(2.5).value == 2.5


def test_maps_free_form_objects_and_typed_extra_properties(api: ir.Api, models: ModuleType) -> None:
    pet = fields(api, "Pet")
    assert pet["labels"].type == ir.MapOf(ir.Primitive("int"))
    assert pet["anything"].type == ir.MapOf(ir.ANY)
    assert model(api, "Pet").extra == ir.Primitive("str")
    with pytest.raises(ValueError, match=r"\$\.surprise: expected a string"):
        models.Pet.from_dict({"id": 1, "name": "Rex", "surprise": 1}, strict=True)
    assert models.Pet.from_dict({"name": "Rex", "surprise": 1}).additional_properties == {
        "surprise": 1
    }


def test_recursive_and_mutually_recursive_models_round_trip(models: ModuleType) -> None:
    payload = {
        "name": "a",
        "children": [{"name": "b"}],
        "owner": {"best": {"name": "c"}, "pets": [{"name": "d"}]},
    }
    pet = models.Pet.from_dict(payload)
    assert type(pet.owner.best).__name__ == "Pet"
    assert pet.to_dict() == payload


def test_inline_schemas_are_named_from_their_context(api: ir.Api) -> None:
    names = {model.name for model in api.models} | {enum.name for enum in api.enums}
    assert {
        "CreateThingBody",
        "CreateThingBodyShape",
        "CreateThingBodyStatus",
        "CreateThingResponse",
    } <= names
    assert {"ShapeVariant1", "UploadBody", "SendFormBody"} <= names


def test_colliding_and_odd_names_are_readable_and_wire_names_round_trip(
    api: ir.Api, models: ModuleType
) -> None:
    origins = {model.origin.pointer.rsplit("/", 1)[-1]: model.name for model in api.models}
    # The schema spelled exactly as the name keeps it; the other's suffix is a hash of its own pointer.
    assert (origins["FooBar"], origins["Foo-Bar"]) == (
        "FooBar",
        "FooBar_" + digest("#/components/schemas/Foo-Bar", 6),
    )
    assert (origins["class"], origins["123abc"]) == ("Class", "Model123abc")
    py_names = {field.wire_name: field.py_name for field in model(api, "Pet").fields}
    assert py_names["+1"] == "plus_1" and py_names["-1"] == "minus_1"
    assert (py_names["class"], py_names["from"], py_names["2fa"]) == (
        "class_",
        "from_",
        "field_2fa",
    )
    assert (py_names["a/b"], py_names["x[0]"], py_names["with space"]) == (
        "a_b",
        "x_0",
        "with_space",
    )
    assert py_names["list"] not in (
        "list",
        "str",
        "int",
    )  # would shadow annotations in the class body
    assert all(name.isidentifier() and name.isascii() for name in py_names.values())
    payload: dict[str, Any] = {
        "name": "n",
        "+1": 1,
        "-1": -1,
        "class": "c",
        "2fa": True,
        "a/b": "s",
        "größe": 1.5,
    }
    assert models.Pet.from_dict(payload).to_dict() == payload


def test_what_cannot_be_expressed_is_a_located_warning(warnings: list[str]) -> None:
    expected = [
        "146: #/components/schemas/NotString/not: warning: `not` cannot be expressed",
        "145: #/components/schemas/Tuple/prefixItems: warning: tuples (prefixItems)",
        "151: #/webhooks: warning: webhooks describe requests the API sends",
    ]
    for start in expected:
        assert any(
            warning.startswith(f"tests/specs/build/semantics.yaml:{start}") for warning in warnings
        ), start


def test_external_refs_to_local_files(tmp_path: Path) -> None:
    api, warnings = build_ir(SPECS / "external" / "main.yaml")
    assert warnings == []
    order = model(api, "Order")
    assert order.origin == ir.Origin(
        "tests/specs/build/external/shared.yaml", "/components/schemas/Order"
    )
    assert {field.wire_name: field.type for field in order.fields}["lines"] == ir.ListOf(
        ir.ModelRef("Line")
    )
    assert [param.wire_name for param in api.operations[0].parameters] == [
        "id"
    ]  # a path-level parameter $ref
    models = import_models(SPECS / "external" / "main.yaml", tmp_path, "external_refs_client")
    payload = {"id": "o-1", "lines": [{"sku": "A", "quantity": 2}], "status": "open"}
    assert models.Order.from_dict(payload).to_dict() == payload


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        (
            "{allOf: [{type: string}, {enum: [a, b]}]}",
            "allOf of several non-object schemas: typed as the first one",
        ),
        (
            "{allOf: [{type: object, properties: {a: {type: string}}}, {oneOf: [{type: object}]}]}",
            "oneOf/anyOf merged",
        ),
        (
            "{type: object, properties: {a: {type: string}}, discriminator: {propertyName: a}}",
            "discriminator without",
        ),
        ("{const: {a: 1}}", "object and array constants are typed as Any"),
        ("{enum: [[1], [2]]}", "enums of objects or arrays are typed as Any"),
        (
            "{oneOf: [{type: string}, {type: integer}], properties: {a: {type: string}}}",
            "properties beside `oneOf`",
        ),
        (
            "{type: object, required: [ghost], properties: {a: {type: string}}}",
            "required property 'ghost' is not",
        ),
    ],
)
def test_approximations_warn_with_their_location(
    tmp_path: Path, fragment: str, message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        f"    Thing: {fragment}\n",
        encoding="utf-8",
    )
    found = [diagnostic.format() for diagnostic in build_ir(spec)[1]]
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith("spec.yaml:6: #/components/schemas/Thing"), found

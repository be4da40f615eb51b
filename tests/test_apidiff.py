"""`oapigen diff`: what a spec change does to code calling the client, judged per rule, located, and safe to post."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.apidiff import Change, diff_apis
from generator.apidiff.report import markdown, render
from generator.apidiff.sources import load_side
from generator.cli import main

DIFF_SPECS = Path(__file__).parent / "specs" / "diff"
BEFORE, AFTER = DIFF_SPECS / "galileo-before.yaml", DIFF_SPECS / "galileo-after.yaml"
UPDATE = os.environ.get("OAPIGEN_UPDATE_GOLDEN") == "1"

Spec = dict[str, Any]


def changes_between(old: Spec, new: Spec, tmp_path: Path) -> list[Change]:
    sides = []
    for name, document in (("old", old), ("new", new)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        sides.append(load_side(path, path.name, "pets_client"))
    return diff_apis(sides[0], sides[1])


def base() -> Spec:
    """A small API whose types travel one way each: `NewPet` in requests, `Pet` in responses."""
    pet_ref = {"$ref": "#/components/schemas/Pet"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "https://pets.example/v1"}],
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "tags": ["pets"],
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "default": 20, "maximum": 100},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"type": "array", "items": pet_ref}}
                            },
                        }
                    },
                },
                "post": {
                    "operationId": "createPet",
                    "tags": ["pets"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "created",
                            "content": {"application/json": {"schema": pet_ref}},
                        }
                    },
                },
            }
        },
        "components": {
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-Key"}},
            "schemas": {
                "Pet": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "status": {"$ref": "#/components/schemas/Status"},
                        "owner": {"$ref": "#/components/schemas/Owner"},
                        "tag": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                },
                "Owner": {
                    "type": "object",
                    "properties": {"email": {"type": "string"}, "phone": {"type": "string"}},
                },
                "Status": {"type": "string", "enum": ["available", "sold"]},
                "NewPet": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 50},
                        "tag": {"type": "string"},
                        "kind": {"type": "string", "enum": ["cat", "dog"]},
                    },
                },
            },
        },
        "security": [{"ApiKey": []}],
    }


def schemas(spec: Spec) -> Spec:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def list_pets(spec: Spec) -> Spec:
    return spec["paths"]["/pets"]["get"]  # type: ignore[no-any-return]


# (id, mutation of the base spec, expected level, rule, first symbol)
RULES: list[tuple[str, Callable[[Spec], object], str, str, str]] = [
    (
        "response field nullable",
        lambda s: schemas(s)["Pet"]["properties"]["name"].update(type=["string", "null"]),
        "breaking",
        "response-field-became-nullable",
        "models.Pet.name",
    ),
    (
        "request field nullable",
        lambda s: schemas(s)["NewPet"]["properties"]["tag"].update(type=["string", "null"]),
        "info",
        "field-became-nullable",
        "models.NewPet.tag",
    ),
    (
        "response field optional",
        lambda s: schemas(s)["Pet"]["required"].remove("name"),
        "breaking",
        "response-field-became-optional",
        "models.Pet.name",
    ),
    (
        "request field optional",
        lambda s: schemas(s)["NewPet"].pop("required"),
        "info",
        "field-became-optional",
        "models.NewPet.name",
    ),
    (
        "request field required",
        lambda s: schemas(s)["NewPet"]["required"].append("tag"),
        "breaking",
        "request-field-became-required",
        "models.NewPet.tag",
    ),
    (
        "field removed",
        lambda s: schemas(s)["Pet"]["properties"].pop("status"),
        "breaking",
        "field-removed",
        "models.Pet.status",
    ),
    (
        "required request field added",
        lambda s: (
            schemas(s)["NewPet"]["properties"].update(age={"type": "integer"}),
            schemas(s)["NewPet"]["required"].append("age"),
        ),
        "breaking",
        "request-field-added-required",
        "models.NewPet.age",
    ),
    (
        "optional field added",
        lambda s: schemas(s)["Pet"]["properties"].update(age={"type": "integer"}),
        "info",
        "field-added",
        "models.Pet.age",
    ),
    (
        "response enum value added",
        lambda s: schemas(s)["Status"]["enum"].append("pending"),
        "warning",
        "response-enum-value-added",
        "models.Status.PENDING",
    ),
    (
        "request enum value added",
        lambda s: schemas(s)["NewPet"]["properties"]["kind"]["enum"].append("bird"),
        "info",
        "enum-value-added",
        "models.NewPetKind.BIRD",
    ),
    (
        "enum value removed",
        lambda s: schemas(s)["Status"]["enum"].remove("sold"),
        "breaking",
        "enum-value-removed",
        "models.Status.SOLD",
    ),
    (
        "request maxLength tightened",
        lambda s: schemas(s)["NewPet"]["properties"]["name"].update(maxLength=20),
        "breaking",
        "request-constraint-tightened",
        "models.NewPet.name",
    ),
    (
        "request parameter maximum tightened",
        lambda s: list_pets(s)["parameters"][0]["schema"].update(maximum=50),
        "breaking",
        "request-constraint-tightened",
        "api.list_pets(limit=)",
    ),
    (
        "field type changed",
        lambda s: schemas(s)["Pet"]["properties"]["id"].update(type="string"),
        "breaking",
        "field-type-changed",
        "models.Pet.id",
    ),
    (
        "schema renamed",
        lambda s: (
            schemas(s).update(Keeper=schemas(s).pop("Owner"))
            or schemas(s)["Pet"]["properties"]["owner"].update(
                {"$ref": "#/components/schemas/Keeper"}
            )
        ),
        "breaking",
        "type-renamed",
        "models.Keeper",
    ),
    (
        "type removed",
        lambda s: (
            schemas(s)["Pet"]["properties"].pop("owner"),
            schemas(s).pop("Owner"),
        ),
        "breaking",
        "type-removed",
        "models.Owner",
    ),
    (
        "operation removed",
        lambda s: s["paths"]["/pets"].pop("post"),
        "breaking",
        "operation-removed",
        "api.create_pet",
    ),
    (
        "operationId renamed",
        lambda s: list_pets(s).update(operationId="findPets"),
        "breaking",
        "operation-renamed",
        "api.find_pets",
    ),
    (
        "operation added",
        lambda s: s["paths"]["/pets"].update(
            delete={"operationId": "clearPets", "responses": {"204": {"description": "gone"}}}
        ),
        "info",
        "operation-added",
        "api.clear_pets",
    ),
    (
        "tag changed",
        lambda s: list_pets(s).update(tags=["animals"]),
        "warning",
        "operation-module-changed",
        "api.list_pets",
    ),
    (
        "required argument added",
        lambda s: list_pets(s)["parameters"].append(
            {"name": "shelter", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        "breaking",
        "required-argument-added",
        "api.list_pets(shelter=)",
    ),
    (
        "optional argument added",
        lambda s: list_pets(s)["parameters"].append(
            {"name": "include_counts", "in": "query", "schema": {"type": "boolean"}}
        ),
        "info",
        "argument-added",
        "api.list_pets(include_counts=)",
    ),
    (
        "argument default changed",
        lambda s: list_pets(s)["parameters"][0]["schema"].update(default=50),
        "warning",
        "argument-default-changed",
        "api.list_pets(limit=)",
    ),
    (
        "parameter moved to a header",
        lambda s: list_pets(s)["parameters"][0].update({"in": "header"}),
        "breaking",
        "parameter-wire-changed",
        "api.list_pets(limit=)",
    ),
    (
        "success status changed",
        lambda s: s["paths"]["/pets"]["post"]["responses"].update(
            {"200": s["paths"]["/pets"]["post"]["responses"].pop("201")}
        ),
        "warning",
        "success-response-changed",
        "api.create_pet",
    ),
    (
        "request media type changed",
        lambda s: s["paths"]["/pets"]["post"]["requestBody"].update(
            content={
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": "#/components/schemas/NewPet"}
                }
            }
        ),
        "breaking",
        "request-media-type-changed",
        "api.create_pet(body=)",
    ),
    (
        "response became nullable",
        lambda s: s["paths"]["/pets"]["post"]["responses"]["201"]["content"][
            "application/json"
        ].update(schema={"$ref": "#/components/schemas/Pet", "nullable": True}),
        "breaking",
        "response-became-nullable",
        "api.create_pet",
    ),
    (
        "pagination removed",
        lambda s: None,  # the base has none: the pair is reversed below
        "breaking",
        "pagination-removed",
        "api.list_pets_iter",
    ),
    (
        "security scheme renamed",
        lambda s: (
            s["components"].update(securitySchemes={"Token": {"type": "http", "scheme": "bearer"}})
            or s.update(security=[{"Token": []}])
        ),
        "breaking",
        "client-keyword-removed",
        "Client(api_key=)",
    ),
    (
        "default base URL changed",
        lambda s: s.update(servers=[{"url": "https://pets.example/v2"}]),
        "warning",
        "default-base-url-changed",
        "DEFAULT_BASE_URL",
    ),
    (
        "field default changed",
        lambda s: schemas(s)["NewPet"]["properties"]["tag"].update(default="none"),
        "warning",
        "field-default-changed",
        "models.NewPet.tag",
    ),
    (
        "field became read-only",
        lambda s: schemas(s)["Pet"]["properties"]["id"].update(readOnly=True),
        "warning",
        "field-access-changed",
        "models.Pet.id",
    ),
    (
        "field deprecated",
        lambda s: schemas(s)["Pet"]["properties"]["name"].update(deprecated=True),
        "warning",
        "field-deprecated",
        "models.Pet.name",
    ),
    (
        "response union variant added",
        lambda s: schemas(s)["Pet"]["properties"]["tag"]["oneOf"].append({"type": "boolean"}),
        "warning",
        "response-union-variant-added",
        "models.PetTag",
    ),
    (
        "request constraint loosened",
        lambda s: schemas(s)["NewPet"]["properties"]["name"].pop("maxLength"),
        "info",
        "constraint-loosened",
        "models.NewPet.name",
    ),
    (
        "response constraint tightened",
        lambda s: schemas(s)["Pet"]["properties"]["name"].update(maxLength=10),
        "info",
        "constraint-tightened",
        "models.Pet.name",
    ),
    (
        "operation moved",
        lambda s: s["paths"].update({"/animals": {"post": s["paths"]["/pets"].pop("post")}}),
        "breaking",
        "operation-path-changed",
        "api.create_pet",
    ),
    (
        "operation authenticated otherwise",
        lambda s: list_pets(s).update(security=[]),
        "warning",
        "operation-security-changed",
        "api.list_pets",
    ),
    (
        "argument type changed",
        lambda s: list_pets(s)["parameters"][0]["schema"].update(type="string", default="20"),
        "breaking",
        "argument-type-changed",
        "api.list_pets(limit=)",
    ),
    (
        "argument became required",
        lambda s: (
            list_pets(s)["parameters"][0].update(required=True)
            or list_pets(s)["parameters"][0]["schema"].pop("default")
        ),
        "breaking",
        "argument-became-required",
        "api.list_pets(limit=)",
    ),
    (
        "return type changed",
        lambda s: s["paths"]["/pets"]["post"]["responses"]["201"]["content"][
            "application/json"
        ].update(schema={"$ref": "#/components/schemas/Owner"}),
        "breaking",
        "return-type-changed",
        "api.create_pet",
    ),
    (
        "enum member renamed",
        lambda s: schemas(s)["Status"].update({"x-enum-varnames": ["AVAILABLE", "GONE"]}),
        "breaking",
        "enum-member-renamed",
        "models.Status.GONE",
    ),
    (
        "type added",
        lambda s: schemas(s).update(Tag={"type": "string", "enum": ["a", "b"]}),
        "info",
        "type-added",
        "models.Tag",
    ),
    (
        "second security scheme",
        lambda s: s["components"]["securitySchemes"].update(
            Token={"type": "http", "scheme": "bearer"}
        ),
        "warning",
        "credential-environment-changed",
        "Client",
    ),
    (
        "operation deprecated",
        lambda s: list_pets(s).update(deprecated=True),
        "warning",
        "operation-deprecated",
        "api.list_pets",
    ),
]


def _paginated(spec: Spec) -> None:
    """The base with `x-pagination` on listPets (offset style over a page object)."""
    list_pets(spec)["parameters"].append(
        {"name": "offset", "in": "query", "schema": {"type": "integer"}}
    )
    page = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}},
    }
    list_pets(spec)["responses"]["200"]["content"]["application/json"]["schema"] = page
    list_pets(spec)["x-pagination"] = {
        "style": "offset",
        "offset_parameter": "offset",
        "items": "items",
    }


@pytest.mark.parametrize(
    ("mutate", "level", "rule", "symbol"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_each_rule_once_with_its_level_and_symbols(
    mutate: Callable[[Spec], object], level: str, rule: str, symbol: str, tmp_path: Path
) -> None:
    old, new = base(), base()
    if rule == "pagination-removed":
        _paginated(old)
        _paginated(new)
        del list_pets(new)["x-pagination"]
    mutate(new)
    changes = changes_between(old, new, tmp_path)
    matching = [change for change in changes if change.rule == rule]
    assert len(matching) == 1, [(c.rule, c.message) for c in changes]
    change = matching[0]
    assert (change.level, change.symbols[0].name) == (level, symbol)
    assert change.pointer.startswith("/") and ".yaml:" in change.location


def test_identical_specs_report_no_changes(tmp_path: Path) -> None:
    assert changes_between(base(), base(), tmp_path) == []
    assert "No changes" in markdown([], "old", "new")


def test_an_upstream_schema_rename_is_exactly_one_change(tmp_path: Path) -> None:
    new = base()
    schemas(new)["Keeper"] = schemas(new).pop("Owner")
    schemas(new)["Pet"]["properties"]["owner"] = {"$ref": "#/components/schemas/Keeper"}
    changes = changes_between(base(), new, tmp_path)
    assert [(c.level, c.rule, c.symbols[0].old, c.symbols[0].new) for c in changes] == [
        ("breaking", "type-renamed", "Owner", "Keeper")
    ]
    # The fields typed with it are named among the symbols, not reported as type changes.
    assert changes[0].symbols[1].name == "models.Pet.owner"
    assert (changes[0].symbols[1].old, changes[0].symbols[1].new) == (
        "Owner | Unset",
        "Keeper | Unset",
    )


def test_galileo_pair_reports_each_change_once_golden(tmp_path: Path) -> None:
    old = load_side(BEFORE, "galileo-before.yaml", "galileo_client")
    new = load_side(AFTER, "galileo-after.yaml", "galileo_client")
    changes = diff_apis(old, new)
    # Breaking first, then by module: models.experiment_response, models.synthetic_..., models.user_profile.
    assert [(c.level, c.rule, c.symbols[0].name) for c in changes] == [
        ("breaking", "response-field-became-nullable", "models.ExperimentResponse.id"),
        (
            "breaking",
            "request-constraint-tightened",
            "models.SyntheticDatasetExtensionRequest.instructions",
        ),
        ("breaking", "type-renamed", "models.UserProfile"),
        ("warning", "argument-default-changed", "api.list_experiments_paginated(limit=)"),
        ("info", "argument-added", "api.list_experiments_paginated(include_counts=)"),
    ]
    assert changes[2].symbols[0].old == "UserInfo"
    assert changes[3].symbols[0].old == "int = 100" and changes[3].symbols[0].new == "int = 50"
    for form, golden in (("markdown", "galileo.md"), ("json", "galileo.json")):
        text = render(changes, "galileo-before.yaml", "galileo-after.yaml", form)  # type: ignore[arg-type]
        if UPDATE:
            (DIFF_SPECS / golden).write_text(text)
        assert text == (DIFF_SPECS / golden).read_text(), golden
    assert max(len(line) for line in render(changes, "a", "b", "markdown").splitlines()) < 200
    records = json.loads(render(changes, "a", "b", "json"))
    assert all({"level", "rule", "pointer", "message", "symbols"} <= set(r) for r in records)


def test_fail_on_sets_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    pair = [str(BEFORE), str(AFTER)]
    assert main(["diff", *pair, "--format", "json", "--fail-on", "breaking"]) == 1
    assert main(["diff", str(BEFORE), str(BEFORE), "--fail-on", "breaking"]) == 0
    assert main(["diff", *pair, "--format", "json"]) == 0
    capsys.readouterr()


def test_only_warnings_fail_on_warning_but_not_on_breaking(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    spec = base()
    old.write_text(yaml.safe_dump(spec))
    list_pets(spec)["parameters"][0]["schema"]["default"] = 50
    new.write_text(yaml.safe_dump(spec))
    assert main(["diff", str(old), str(new), "--fail-on", "breaking"]) == 0
    assert main(["diff", str(old), str(new), "--fail-on", "warning"]) == 1


def test_spec_text_cannot_hide_or_reorder_the_markdown_report(tmp_path: Path) -> None:
    new = base()
    hostile = "<!-- x`y\u202egnp.exe"
    schemas(new)["Status"]["enum"].append(hostile)
    schemas(new)["Pet"]["properties"][hostile] = {"type": "string"}
    text = markdown(changes_between(base(), new, tmp_path), "old", "new")
    assert "\u202e" not in text and "\\u202e" in text
    for line in text.splitlines():
        if "<!--" in line:  # only ever inside a code span, where Markdown shows it as text
            before = line[: line.index("<!--")]
            assert before.count("``") % 2 == 1 or before.count("`") % 2 == 1, line


def git(folder: Path, *arguments: str) -> None:
    identity = [
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "commit.gpgsign=false",
    ]
    subprocess.run(["git", *identity, *arguments], cwd=folder, check=True, capture_output=True)


def test_base_revision_against_the_working_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "api" / "pets.yaml"
    spec.parent.mkdir()
    spec.write_text(yaml.safe_dump(base()))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "pets")
    changed = base()
    schemas(changed)["Status"]["enum"].append("pending")
    spec.write_text(yaml.safe_dump(changed))
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "--base", "HEAD", "api/pets.yaml", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "## Warnings (1)" in out and "response-enum-value-added" in out
    assert "# API changes: `HEAD:api/pets.yaml` -> `api/pets.yaml`" in out
    assert "`api/pets.yaml:" in out  # an added value is located in the new file, by line
    assert main(["diff", "HEAD:api/pets.yaml", "api/pets.yaml", "--fail-on", "warning"]) == 1


def test_check_prints_the_api_summary_above_the_code_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(yaml.safe_dump(base()))
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "pets.yaml", "-o", "out"]) == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "client")
    changed = copy.deepcopy(base())
    schemas(changed)["Pet"]["required"].remove("name")
    spec.write_text(yaml.safe_dump(changed))
    capsys.readouterr()
    assert main(["check", "pets.yaml", "-o", "out"]) == 1
    out = capsys.readouterr().out
    summary = out.index("response-field-became-optional")
    assert summary < out.index("--- ")  # above the code diff

"""Spec names never shadow the generated code's own: parameters and operations named like its locals, helpers,
imports and builtins still give a client that type-checks and sends what it is asked to."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from generator.pipeline import Options, generate
from generator.write import write_output

ROOT = Path(__file__).resolve().parents[1]
# Every name the generated functions use for themselves, and a few builtins and imports.
SHADOWING_NAMES = ("token", "fetch", "isinstance", "request", "page", "pages", "client", "options")


def _query(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": "string"}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema}}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shadows", "version": "1"},
    "servers": [{"url": "https://api.example.com"}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [_query("cursor"), *map(_query, SHADOWING_NAMES)],
                "x-pagination": {
                    "style": "cursor",
                    "cursor_parameter": "cursor",
                    "next_token": "next",
                    "items": "items",
                },
                "responses": {"200": _json({"$ref": "#/components/schemas/Page"})},
            },
            "post": {
                "operationId": "addItem",
                "parameters": [_query("isinstance")],
                "requestBody": {"content": {"application/octet-stream": {"schema": {}}}},
                "responses": {"204": {"description": "added"}},
            },
        },
        "/pets": {
            "get": {
                "operationId": "decode_pet",
                "responses": {"200": _json({"$ref": "#/components/schemas/Pet"})},
            }
        },
        "/time": {
            "get": {
                "operationId": "datetime",
                "responses": {"200": _json({"type": "string", "format": "date-time"})},
            }
        },
        "/future": {
            "get": {"operationId": "annotations", "responses": {"200": _json({"type": "string"})}}
        },
        "/all": {
            "get": {
                "operationId": "list",
                "responses": {"200": _json({"type": "array", "items": {"type": "string"}})},
            }
        },
    },
    "components": {
        "schemas": {
            "Page": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"type": "string"}},
                    "next": {"type": ["string", "null"]},
                },
            },
            "Pet": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        }
    },
}

# Two pages; every request's query is recorded, so each argument can be checked on each page.
_EXERCISE = """
import json, httpx
from shadows_client import Client
from shadows_client.api import add_item, list_items_iter
pages = {None: {"items": ["a"], "next": "c2"}, "c2": {"items": ["b"], "next": None}}
seen = []
def handler(request):
    seen.append(dict(request.url.params))
    if request.method == "POST":
        return httpx.Response(204)
    return httpx.Response(200, json=pages[request.url.params.get("cursor")])
client = Client(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
items = list(list_items_iter(client, **%s))
add_item(client, isinstance_="I", body=b"x")
print(json.dumps({"items": items, "seen": seen}))
"""


def test_spec_names_never_shadow_the_generated_code(tmp_path: Path) -> None:
    spec = tmp_path / "shadows.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    generation = generate(spec, Options(package="shadows_client"))
    write_output(tmp_path / "shadows_client", generation.files)
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "shadows_client"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout
    api = (tmp_path / "shadows_client" / "api" / "__init__.py").read_text()
    for escaped in ("op_decode_pet", "op_datetime", "op_annotations", "op_list"):
        assert f"{escaped}," in api or f"{escaped}\n" in api, api
    # `client` and `options` are the functions' own arguments, `isinstance` the builtin they call: renamed.
    renamed = {"client", "options", "isinstance"}
    arguments = {
        (f"{name}_" if name in renamed else name): name.upper() for name in SHADOWING_NAMES
    }
    run = subprocess.run(
        [sys.executable, "-c", _EXERCISE % (arguments,)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["items"] == ["a", "b"]
    first, second, post = result["seen"]
    expected = {name: name.upper() for name in SHADOWING_NAMES}
    assert first == expected and second == {**expected, "cursor": "c2"}
    assert post == {"isinstance": "I"}

"""Every generated `x-pagination` style (docs/pagination.md), end to end: a spec declaring each is generated,
type-checked, imported, and its iterators run sync and async against a scripted server to the last page."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from support.generated_package import assert_type_checks, imported, unique_name
from support.scripted_server import ScriptedServer

from generator.pipeline import Generation, Options, generate

SPEC = """
openapi: 3.1.0
info: {title: Styles, version: '1'}
paths:
  /offset:
    get:
      operationId: by_offset
      parameters:
        - {name: offset, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer, default: 2}}
      x-pagination: {style: offset, offset_parameter: offset, items: data}
      responses: &page
        '200':
          description: A page.
          content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}
  /page:
    get:
      operationId: by_page
      parameters:
        - {name: page, in: query, schema: {type: integer, default: 1}}
      x-pagination: {style: page, page_parameter: page, items: data, has_more: more}
      responses: *page
  /cursor:
    get:
      operationId: by_cursor
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      x-pagination: {style: cursor, cursor_parameter: cursor, next_token: next, items: data}
      responses: *page
  /next-url:
    get:
      operationId: by_next_url
      x-pagination: {style: next_url, next_url: next, items: data}
      responses: *page
  /bad-offset:
    get:
      operationId: by_bad_offset
      parameters:
        - {name: offset, in: query, schema: {type: string}}
      x-pagination: {style: offset, offset_parameter: offset, items: data}
      responses: *page
components:
  schemas:
    Page:
      type: object
      properties:
        data: {type: array, items: {type: integer}}
        more: {type: boolean}
        next: {type: [string, 'null']}
"""


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    spec = tmp_path_factory.mktemp("styles") / "styles.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return generate(spec, Options(package="styles_client"))


@pytest.fixture(scope="module")
def package(
    generation: Generation, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    with imported(
        tmp_path_factory.mktemp("out"), unique_name("styles"), generation.files
    ) as package:
        yield importlib.import_module(f"{package.__name__}.api")


def test_an_unsupported_declaration_warns_and_generates_no_iterators(
    generation: Generation,
) -> None:
    messages = sorted(warning.message for warning in generation.warnings)
    assert messages == [
        "x-pagination: offset_parameter 'offset' must be an integer; no page iterators generated",
    ]
    assert "def by_bad_offset_iter" not in generation.files["api/default.py"]


def test_the_generated_iterators_type_check(package: ModuleType) -> None:
    directory = Path(package.__file__ or "").parent.parent
    assert_type_checks(directory)


def collect(package: ModuleType, mode: str, name: str, base_url: str, **kwargs: Any) -> list[Any]:
    client_module = importlib.import_module(package.__name__.replace(".api", ""))
    if mode == "sync":
        with client_module.Client(base_url) as client:
            return list(getattr(package, f"{name}_iter")(client, **kwargs))

    async def run() -> list[Any]:
        async with client_module.AsyncClient(base_url) as client:
            return [item async for item in getattr(package, f"{name}_iter_async")(client, **kwargs)]

    return asyncio.run(run())


def queries(server: ScriptedServer, name: str) -> list[str | None]:
    return [httpx.URL(request.path).params.get(name) for request in server.requests]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_offset_advances_by_the_items_received_until_an_empty_page(
    package: ModuleType, mode: str
) -> None:
    with ScriptedServer() as server:
        # The server caps pages at 2 although 3 were asked for: a short page must not end the iteration.
        for data in ([1, 2], [3, 4], [5], []):
            server.enqueue(200, {"data": data})
        items = collect(package, mode, "by_offset", server.base_url, limit=3)
    assert items == [1, 2, 3, 4, 5]
    assert queries(server, "offset") == [None, "2", "4", "5"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_page_numbers_count_up_while_has_more(package: ModuleType, mode: str) -> None:
    with ScriptedServer() as server:
        server.enqueue(200, {"data": [1], "more": True}).enqueue(200, {"data": [2], "more": False})
        items = collect(package, mode, "by_page", server.base_url)
    assert items == [1, 2]
    assert queries(server, "page") == ["1", "2"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_next_url_follows_next_until_null(package: ModuleType, mode: str) -> None:
    # Cross-origin, relative and repeated URLs: tests/contract/test_next_url_pagination.py.
    with ScriptedServer() as server:
        server.enqueue(200, {"data": [1], "next": "/next-url?after=1"}).enqueue(
            200, {"data": [2], "next": None}
        )
        items = collect(package, mode, "by_next_url", server.base_url)
    assert items == [1, 2]
    assert queries(server, "after") == [None, "1"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_cursor_follows_next_until_null(package: ModuleType, mode: str) -> None:
    with ScriptedServer() as server:
        server.enqueue(200, {"data": [1], "next": "c2"}).enqueue(200, {"data": [2], "next": None})
        items = collect(package, mode, "by_cursor", server.base_url)
    assert items == [1, 2]
    assert queries(server, "cursor") == [None, "c2"]

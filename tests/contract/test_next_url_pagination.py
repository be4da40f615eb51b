"""`style: next_url` paging (docs/pagination.md), end to end: a spec declaring it is generated, type-checked with
mypy --strict, and its iterators are run sync and async against scripted loopback servers: relative and absolute
same-origin next URLs are followed with the client's credentials, a next URL on another origin is refused before
anything (a credential above all) is sent there, and a repeated URL stops the iteration."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.generated_package import assert_type_checks, imported, unique_name
from support.scripted_server import ScriptedServer

from generator.pipeline import Generation, Options, generate

SPEC = """
openapi: 3.1.0
info: {title: Links, version: '1'}
security: [{key: []}]
paths:
  /v1/items:
    get:
      operationId: list_items
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 2}}
      x-pagination: {style: next_url, next_url: links.next, items: data}
      responses:
        '200':
          description: A page.
          content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}
  /v1/flat:
    get:
      operationId: list_flat
      x-pagination: {style: next_url, next_url: data, items: data}
      responses:
        '200':
          description: next_url names an array, not a URL.
          content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
  schemas:
    Links:
      type: object
      properties:
        next: {type: [string, 'null']}
    Page:
      type: object
      required: [links]
      properties:
        data: {type: array, items: {type: integer}}
        links: {$ref: '#/components/schemas/Links'}
"""

KEY = "secret-key-123"


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    spec = tmp_path_factory.mktemp("links") / "links.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return generate(spec, Options(package="links_client"))


@pytest.fixture(scope="module")
def package(
    generation: Generation, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    with imported(
        tmp_path_factory.mktemp("out"), unique_name("links"), generation.files
    ) as package:
        yield package


def test_next_url_is_generated_and_a_non_string_next_url_is_refused(generation: Generation) -> None:
    assert [warning.message for warning in generation.warnings] == [
        "x-pagination: next_url must name a string property"
    ]
    module = generation.files["api/default.py"]
    assert "def list_items_iter_async(" in module
    assert "def list_flat_iter" not in module


def test_the_generated_iterators_type_check(package: ModuleType) -> None:
    directory = Path(package.__file__ or "").parent
    assert_type_checks(directory)


def collect(package: ModuleType, mode: str, base_url: str, **kwargs: Any) -> list[Any]:
    api = importlib.import_module(f"{package.__name__}.api")
    if mode == "sync":
        with package.Client(base_url, api_key=KEY) as client:
            return list(api.list_items_iter(client, **kwargs))

    async def run() -> list[Any]:
        async with package.AsyncClient(base_url, api_key=KEY) as client:
            return [item async for item in api.list_items_iter_async(client, **kwargs)]

    return asyncio.run(run())


def page(data: list[int], next_url: str | None) -> dict[str, Any]:
    return {"data": data, "links": {"next": next_url}}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_relative_and_absolute_same_origin_urls_are_followed_with_credentials(
    package: ModuleType, mode: str
) -> None:
    with ScriptedServer() as server:
        absolute = f"{server.base_url}/v1/items?cursor=c3&limit=2"
        server.enqueue(200, page([1, 2], "/v1/items?cursor=c%202&limit=2"))
        server.enqueue(200, page([3, 4], absolute))
        server.enqueue(200, page([5], None))
        items = collect(package, mode, server.base_url + "/", limit=5)
    assert items == [1, 2, 3, 4, 5]
    # The first page has the operation's arguments; the next ones exactly the parameters of their URL.
    assert [request.path for request in server.requests] == [
        "/v1/items?limit=5",
        "/v1/items?cursor=c+2&limit=2",
        "/v1/items?cursor=c3&limit=2",
    ]
    assert [request.method for request in server.requests] == ["GET"] * 3
    assert [request.headers.get("X-API-Key") for request in server.requests] == [KEY] * 3


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_relative_reference_resolves_against_a_base_url_with_a_path(
    package: ModuleType, mode: str
) -> None:
    with ScriptedServer() as server:
        # Resolved against the base URL as a directory, so the reference keeps its "/api" prefix.
        server.enqueue(200, page([1], "items?cursor=2")).enqueue(200, page([2], None))
        items = collect(package, mode, server.base_url + "/api")
    assert items == [1, 2]
    assert [request.path for request in server.requests] == [
        "/api/v1/items?limit=2",
        "/api/items?cursor=2",
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_next_url_on_another_origin_is_refused_without_sending_anything_there(
    package: ModuleType, mode: str
) -> None:
    errors = importlib.import_module(f"{package.__name__}.errors")
    with ScriptedServer() as server, ScriptedServer() as other:
        origins = server.base_url, other.base_url
        server.enqueue(200, page([1], f"{other.base_url}/v1/items?cursor=2"))
        with pytest.raises(errors.PaginationError) as raised:
            collect(package, mode, server.base_url)
    assert other.requests == []
    assert len(server.requests) == 1
    message = str(raised.value)
    assert all(origin in message for origin in origins)
    assert "credentials" in message and KEY not in message


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_another_scheme_or_host_on_the_same_port_is_another_origin(
    package: ModuleType, mode: str
) -> None:
    errors = importlib.import_module(f"{package.__name__}.errors")
    with ScriptedServer() as server:
        port = server.base_url.rsplit(":", 1)[1]
        server.enqueue(200, page([1], f"https://127.0.0.1:{port}/v1/items"))
        server.enqueue(200, page([1], f"//localhost:{port}/v1/items"))
        for _ in range(2):
            with pytest.raises(errors.PaginationError):
                collect(package, mode, server.base_url)
    assert len(server.requests) == 2


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_repeated_next_url_stops_the_iteration(package: ModuleType, mode: str) -> None:
    errors = importlib.import_module(f"{package.__name__}.errors")
    with ScriptedServer() as server:
        server.enqueue(200, page([1], "/v1/items?cursor=2"))
        server.enqueue(200, page([2], "/v1/items?cursor=2"))
        with pytest.raises(errors.PaginationError, match="twice"):
            collect(package, mode, server.base_url)
    assert len(server.requests) == 2


def test_the_request_for_a_next_url_is_pure_data_with_the_query_from_the_url(
    package: ModuleType,
) -> None:
    http = importlib.import_module(f"{package.__name__}._http")
    request = http.link_request("https://api.example.com/v1/items?cursor=a%20b&empty=#fragment")
    assert (request.method, request.path, request.link) == (
        "GET",
        "https://api.example.com/v1/items",
        True,
    )
    assert request.query == (("cursor", "a b"), ("empty", ""))
    assert (request.headers, request.content) == ((), None)
    assert http.link_request("items?page=2").path == "items"
    with pytest.raises(ValueError, match="line break"):
        http.link_request("/items\r\nX-Injected: 1")

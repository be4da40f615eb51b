"""The client generated from tests/golden/v32.yaml (OpenAPI 3.2), type-checked and run against loopback servers
on real sockets: QUERY with its body, a method from `additionalOperations`, a whole `in: querystring`."""

from __future__ import annotations

import asyncio
import datetime
import importlib
import json
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.route_server import Exchange, RouteServer

from generator.pipeline import Options, generate
from generator.write import write_output

SPEC = Path(__file__).resolve().parents[1] / "golden" / "v32.yaml"


@pytest.fixture(scope="module")
def v32(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated package, runtime included, under a unique name."""
    name = f"v32_{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp("v32")
    write_output(root / name, generate(SPEC, Options(package=name)).files)
    sys.path.insert(0, str(root))
    try:
        for module in ("api", "models"):
            importlib.import_module(f"{name}.{module}")
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(root))


@pytest.mark.slow
def test_the_generated_client_type_checks(v32: ModuleType) -> None:
    directory = Path(v32.__file__ or "").parent
    mypy = Path(sys.executable).parent / "mypy"
    result = subprocess.run(
        [mypy, "--strict", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def call(v32: ModuleType, mode: str, name: str, base_url: str, **kwargs: Any) -> Any:
    """`api.<name>` with a sync client, or `api.<name>_async` with an async one."""
    if mode == "sync":
        with v32.Client(base_url) as client:
            return getattr(v32.api, name)(client, **kwargs)

    async def run() -> Any:
        async with v32.AsyncClient(base_url) as client:
            return await getattr(v32.api, f"{name}_async")(client, **kwargs)

    return asyncio.run(run())


def _documents(exchange: Exchange) -> None:
    received = {"method": exchange.method, "target": exchange.target, "body": exchange.body()}
    RECEIVED.append(received)
    exchange.send(200, json.dumps([{"id": "d1", "title": "One"}]).encode())


RECEIVED: list[dict[str, Any]] = []


@pytest.fixture
def server() -> Iterator[RouteServer]:
    RECEIVED.clear()

    def linked(exchange: Exchange) -> None:
        RECEIVED.append({"method": exchange.method, "target": exchange.target})
        exchange.start(204, {}, length=0)
        exchange.end()

    routes = {
        ("QUERY", "/documents/search"): _documents,
        ("GET", "/documents"): _documents,
        ("LINK", "/documents/d%2F1"): linked,
    }
    with RouteServer(routes) as running:
        yield running


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_query_sends_its_method_and_body(v32: ModuleType, server: RouteServer, mode: str) -> None:
    query = v32.models.SearchQuery(text="streams", tags=["a", "b"])
    found = call(v32, mode, "search_documents", server.base_url, body=query, limit=3)
    assert [document.id for document in found] == ["d1"]
    [received] = RECEIVED
    assert received["method"] == "QUERY"
    assert received["target"] == "/documents/search?limit=3"
    assert json.loads(received["body"]) == {"text": "streams", "tags": ["a", "b"]}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_additional_operations_send_the_method_as_spelled(
    v32: ModuleType, server: RouteServer, mode: str
) -> None:
    assert call(v32, mode, "link_document", server.base_url, document_id="d/1") is None
    assert RECEIVED == [{"method": "LINK", "target": "/documents/d%2F1"}]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_querystring_is_the_whole_query_string(
    v32: ModuleType, server: RouteServer, mode: str
) -> None:
    filter = v32.models.DocumentFilter(
        owner="ann & bob",
        tag=["x", "y"],
        created=v32.models.DocumentFilterCreated(after=datetime.date(2025, 9, 1)),
    )
    call(v32, mode, "list_documents", server.base_url, filter=filter)
    target = RECEIVED[0]["target"]
    path, query = target.split("?", 1)
    assert path == "/documents"
    assert sorted(urllib.parse.parse_qsl(query)) == [
        ("created[after]", "2025-09-01"),
        ("owner", "ann & bob"),
        ("tag", "x"),
        ("tag", "y"),
    ]
    RECEIVED.clear()
    call(v32, mode, "list_documents", server.base_url)
    assert RECEIVED[0]["target"] == "/documents"

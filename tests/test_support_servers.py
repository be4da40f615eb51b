"""Tests for the test servers themselves: Prism (contract mock) and ScriptedServer (retry/error scripts).

Prism tests fail, not skip, when Prism is not installed: CI installs it with `npm ci`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import prism
from support.prism import PrismError, PrismServer, run_prism
from support.scripted_server import ScriptedServer

SPEC = """\
openapi: 3.0.3
info: {title: support-test, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 1}}
      responses:
        "200":
          description: a page of items
          content:
            application/json:
              schema:
                type: object
                required: [total, items]
                properties:
                  total: {type: integer}
                  items:
                    type: array
                    minItems: 1
                    items:
                      type: object
                      required: [id, name]
                      properties:
                        id: {type: integer}
                        name: {type: string}
"""


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def static_prism(spec_file: Path) -> Iterator[PrismServer]:
    with run_prism(spec_file) as server:
        yield server


@pytest.fixture
def prism_server(static_prism: PrismServer) -> PrismServer:
    static_prism.reset_violations()  # the server is shared by the module; violations are per test
    return static_prism


# -- Prism ------------------------------------------------------------------------------------------------------


def test_prism_valid_request_gets_schema_shaped_json(prism_server: PrismServer) -> None:
    response = httpx.get(f"{prism_server.base_url}/items", params={"limit": 2}, timeout=10)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["total"], int)
    assert body["items"]
    for item in body["items"]:
        assert isinstance(item["id"], int)
        assert isinstance(item["name"], str)
    assert prism_server.violations() == []


def test_prism_reports_missing_required_query_param(prism_server: PrismServer) -> None:
    response = httpx.get(f"{prism_server.base_url}/items", timeout=10)

    assert response.status_code == 422
    assert prism_server.violations() == [
        "GET /items: Request query must have required property 'limit'"
    ]


def test_prism_reports_each_violation_once_and_in_order(prism_server: PrismServer) -> None:
    with httpx.Client(base_url=prism_server.base_url, timeout=10) as client:
        assert client.get("/items", params={"limit": 0}).status_code == 422
        assert client.get("/items", params={"limit": 1}).status_code == 200
        assert client.get("/items", params={"limit": "x"}).status_code == 422

    assert prism_server.violations() == [
        "GET /items: Request query parameter limit must be >= 1",
        "GET /items: Request query parameter limit must be integer",
    ]


def test_prism_reports_request_to_undefined_route(prism_server: PrismServer) -> None:
    with httpx.Client(base_url=prism_server.base_url, timeout=10) as client:
        assert client.get("/nope").status_code == 404
        assert client.delete("/items").status_code == 405

    assert prism_server.violations() == [
        "GET /nope: Route not resolved, no path matched",
        "DELETE /items: Route resolved, but no method matched",
    ]


def test_prism_reset_violations(prism_server: PrismServer) -> None:
    httpx.get(f"{prism_server.base_url}/items", timeout=10)
    assert len(prism_server.violations()) == 1

    prism_server.reset_violations()

    assert prism_server.violations() == []


def test_prism_dynamic_mode_varies_bodies(spec_file: Path) -> None:
    with (
        run_prism(spec_file, dynamic=True) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        bodies = [client.get("/items", params={"limit": 1}).json() for _ in range(5)]
        assert server.violations() == []

    assert all(isinstance(body["total"], int) for body in bodies)
    assert len({repr(body) for body in bodies}) > 1


def test_prism_stops_when_the_block_raises(spec_file: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"), run_prism(spec_file) as server:
        base_url = server.base_url
        raise RuntimeError("boom")

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/items", params={"limit": 1}, timeout=2)


def test_prism_retries_when_its_port_was_taken(
    monkeypatch: pytest.MonkeyPatch, spec_file: Path
) -> None:
    real_free_port = prism._free_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        monkeypatch.setattr(prism, "_free_port", lambda: next(ports, None) or real_free_port())

        with run_prism(spec_file) as server:
            assert server.port != taken
            assert (
                httpx.get(f"{server.base_url}/items", params={"limit": 1}, timeout=10).status_code
                == 200
            )


def test_prism_startup_failure_shows_its_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")

    with pytest.raises(PrismError, match="No operations found"), run_prism(bad):
        pass


def test_prism_missing_install_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, spec_file: Path
) -> None:
    monkeypatch.setattr(prism, "PRISM_BIN", spec_file.parent / "no-such-prism")

    with pytest.raises(PrismError, match="npm ci"), run_prism(spec_file):
        pass


# -- ScriptedServer ---------------------------------------------------------------------------------------------


def test_scripted_responses_in_order_and_requests_recorded() -> None:
    with ScriptedServer() as server, httpx.Client(base_url=server.base_url, timeout=5) as client:
        server.enqueue(503, "busy", {"Retry-After": "0"}).enqueue(200, {"id": 1}).enqueue(
            201, [1, 2], {"X-A": "b"}
        )

        first = client.get("/pets/1", params={"q": "a b", "n": "2"}, headers={"X-Trace": "t1"})
        second = client.post("/pets", json={"name": "rex"})
        third = client.put("/pets/1", content=b"\x00\x01")

        assert (first.status_code, first.text, first.headers["retry-after"]) == (503, "busy", "0")
        assert first.headers["content-type"] == "text/plain; charset=utf-8"
        assert (second.status_code, second.json()) == (200, {"id": 1})
        assert second.headers["content-type"] == "application/json"
        assert (third.status_code, third.json(), third.headers["x-a"]) == (201, [1, 2], "b")

        requests = server.requests
        assert [(r.method, r.path) for r in requests] == [
            ("GET", "/pets/1?q=a+b&n=2"),
            ("POST", "/pets"),
            ("PUT", "/pets/1"),
        ]
        assert requests[0].headers["x-trace"] == requests[0].headers["X-TRACE"] == "t1"
        assert "X-Trace" in requests[0].headers
        assert requests[0].body == b""
        assert requests[1].json() == {"name": "rex"}
        assert requests[1].headers["Content-Type"] == "application/json"
        assert requests[2].body == b"\x00\x01"
        assert requests[0].received_at <= requests[1].received_at <= requests[2].received_at
        assert server.pending == 0


def test_scripted_chunked_request_body_is_recorded() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"hello "
        yield b"world"

    with ScriptedServer() as server, httpx.Client(base_url=server.base_url, timeout=5) as client:
        server.enqueue(204)
        assert client.post("/upload", content=chunks()).status_code == 204
        assert server.requests[0].headers["transfer-encoding"] == "chunked"
        assert server.requests[0].body == b"hello world"


def test_scripted_empty_queue_answers_500_and_strict_mode_fails_the_block() -> None:
    with (
        pytest.raises(AssertionError, match=r"script ran out: GET /late"),
        ScriptedServer() as server,
    ):
        response = httpx.get(f"{server.base_url}/late", timeout=5)
        assert response.status_code == 500
        assert "no scripted response left for GET /late" in response.text

    with ScriptedServer(strict=False) as lenient:
        assert httpx.get(f"{lenient.base_url}/late", timeout=5).status_code == 500


def test_scripted_drop_connection_is_a_transport_error_then_next_response_works() -> None:
    with ScriptedServer() as server, httpx.Client(base_url=server.base_url, timeout=5) as client:
        server.enqueue(200, drop_connection=True).enqueue(200, "ok")

        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/flaky")
        assert client.get("/flaky").text == "ok"
        assert [r.path for r in server.requests] == ["/flaky", "/flaky"]


def test_scripted_delay_gives_read_timeout_and_stop_does_not_wait_for_it() -> None:
    started = time.monotonic()
    with ScriptedServer() as server:
        server.enqueue(200, "late", delay=30)
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{server.base_url}/slow", timeout=httpx.Timeout(5, read=0.2))
        assert len(server.requests) == 1
    assert time.monotonic() - started < 5


def test_scripted_delay_shorter_than_timeout_still_answers() -> None:
    with ScriptedServer() as server:
        server.enqueue(200, "done", delay=0.2)
        started = time.monotonic()
        response = httpx.get(f"{server.base_url}/slow", timeout=5)
        assert response.text == "done"
        assert time.monotonic() - started >= 0.2

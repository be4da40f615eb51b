"""The harness of the runtime client tests: `SyncClient` or `AsyncBaseClient` over httpx.MockTransport, with a
scripted server; the `kit` fixture runs each test in both modes (test modules take it as `kit = client_harness.kit`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

Runtime = Any  # the runtime package assembled by conftest.py; its modules are untyped here

SECRET = "sk-live-SECRET-0123456789"
QUERY_SECRET = "qk-SECRET-abcdef"
COOKIE_SECRET = "ck-SECRET-987"
BASE_URL = "https://api.example.com/v1"
USER_AGENT = "galileo_client/1.2.3 (oapigen)"

Reply = Callable[[httpx.Request], httpx.Response]


def reply(status: int = 200, body: object = None, headers: dict[str, str] | None = None) -> Reply:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, json=body if body is not None else {"ok": True}, headers=headers
        )

    return respond


def fail(error: type[httpx.TransportError]) -> Reply:
    def respond(request: httpx.Request) -> httpx.Response:
        raise error("scripted failure", request=request)

    return respond


class Server:
    """Answers each request with the next scripted reply; the last one repeats."""

    def __init__(self, replies: tuple[Reply, ...]) -> None:
        self.replies = list(replies) or [reply()]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        respond = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return respond(request)

    def header(self, name: str) -> list[str | None]:
        return [request.headers.get(name) for request in self.requests]


class Harness:
    def __init__(
        self, rt: Runtime, mode: str, replies: tuple[Reply, ...], kwargs: dict[str, Any]
    ) -> None:
        self.rt = rt
        self.mode = mode
        self.server = Server(replies)
        self.delays: list[float] = []
        kwargs.setdefault(
            "schemes",
            [rt.auth.ApiKeyScheme("GalileoApiKey", "header", "Galileo-API-Key", "api_key")],
        )
        kwargs.setdefault("credentials", {"api_key": SECRET})
        kwargs.setdefault("user_agent", USER_AGENT)
        transport = httpx.MockTransport(self.server)
        if mode == "sync":
            kwargs.setdefault("http_client", httpx.Client(transport=transport))
            self.client = rt.base.SyncClient(BASE_URL, **kwargs)
            self.client._sleep = self.delays.append
        else:
            kwargs.setdefault("http_client", httpx.AsyncClient(transport=transport))
            self.client = rt.base.AsyncBaseClient(BASE_URL, **kwargs)

            async def sleep(delay: float) -> None:
                self.delays.append(delay)

            self.client._sleep = sleep

    def send(self, endpoint: Any, request: Any = None, options: Any = None) -> Any:
        request = request if request is not None else endpoint.build()
        if self.mode == "sync":
            return self.client.send(endpoint, request, options)
        return asyncio.run(self.client.send(endpoint, request, options))

    def close(self) -> None:
        if self.mode == "sync":
            self.client.close()
        else:
            asyncio.run(self.client.aclose())


class Kit:
    def __init__(self, rt: Runtime, mode: str) -> None:
        self.rt = rt
        self.mode = mode

    def __call__(self, *replies: Reply, **kwargs: Any) -> Harness:
        return Harness(self.rt, self.mode, replies, kwargs)

    def endpoint(
        self,
        method: str = "GET",
        path: str = "/items",
        security: tuple[dict[str, tuple[str, ...]], ...] = ({"GalileoApiKey": ()},),
    ) -> Any:
        return self.rt.http.Endpoint(
            name=f"{method.lower()}_items",
            method=method,
            path=path,
            success={"200": self.rt.http.json_body(self.rt.codec.ANY)},
            errors={},
            idempotent=method in self.rt.http.IDEMPOTENT_METHODS,
            security=security,
        )

    def options(self, **kwargs: Any) -> Any:
        return self.rt.http.RequestOptions(**kwargs)


@pytest.fixture(params=["sync", "async"])
def kit(rt: Runtime, request: pytest.FixtureRequest) -> Kit:
    return Kit(rt, request.param)

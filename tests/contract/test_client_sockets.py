"""The checked-in Galileo client against a scripted server on a real loopback socket.

Every test runs sync and async (the `drive` fixture). Sleeps between retries are recorded instead of slept, so the
backoff is checked exactly and the suite stays fast; timeouts and dropped connections are real.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import galileo_client
import httpx
import pytest
from galileo_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestOptions,
    ResponseValidationError,
    UnprocessableEntityError,
)
from galileo_client import api as sync_api
from galileo_client.errors import PaginationError, ValidationDetail
from galileo_client.models import HTTPValidationError, SyntheticDatasetExtensionRequest
from support.scripted_server import ScriptedServer

SECRET = "gal-SECRET-0123456789abcdef"
PROJECT = "proj-1"
LIST_PATH = f"/v2/projects/{PROJECT}/experiments/paginated"
BODY = SyntheticDatasetExtensionRequest(prompt="p")
DATASET = {"dataset_id": "ds-1"}


def experiment(n: int) -> dict[str, Any]:
    return {"id": f"exp-{n}", "project_id": PROJECT, "created_at": "2024-05-01T12:00:00Z"}


def page(start: int, count: int, *, more: bool) -> dict[str, Any]:
    return {
        "starting_token": start,
        "limit": count,
        "paginated": more,
        "next_starting_token": start + count if more else None,
        "experiments": [experiment(n) for n in range(start, start + count)],
    }


class Driver:
    """Calls `galileo_client.api.<name>` (sync) or `<name>_async` (async) with a fresh client per call, recording
    the client's retry delays in `delays`."""

    def __init__(self, mode: str, base_url: str) -> None:
        self.mode = mode
        self.base_url = base_url
        self.delays: list[float] = []
        self.jitter: float | None = (
            None  # a fixed value for the client's random(), to check delays exactly
        )

    def _configure(self, client: Client | AsyncClient) -> None:
        if self.jitter is not None:
            jitter = self.jitter
            client._random = lambda: jitter

    def sync_client(self, **kwargs: Any) -> Client:
        client = Client(self.base_url, api_key=SECRET, **kwargs)
        client._sleep = self.delays.append
        self._configure(client)
        return client

    def async_client(self, **kwargs: Any) -> AsyncClient:
        client = AsyncClient(self.base_url, api_key=SECRET, **kwargs)

        async def sleep(delay: float) -> None:
            self.delays.append(delay)

        client._sleep = sleep
        self._configure(client)
        return client

    def call(self, name: str, client_args: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """One call; for `_pages`/`_iter` functions, the list of everything they yield."""
        if self.mode == "sync":
            with self.sync_client(**(client_args or {})) as client:
                result = getattr(sync_api, name)(client, **kwargs)
                return list(result) if isinstance(result, Iterator) else result

        async def run() -> Any:
            async with self.async_client(**(client_args or {})) as client:
                result = getattr(sync_api, f"{name}_async")(client, **kwargs)
                if isinstance(result, AsyncIterator):
                    return [item async for item in result]
                return await result

        return asyncio.run(run())


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as scripted:
        yield scripted


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest, server: ScriptedServer) -> Driver:
    return Driver(request.param, server.base_url)


# --- Retries and backoff ----------------------------------------------------------------------------------------


def test_5xx_is_retried_with_jittered_backoff(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(503).enqueue(502).enqueue(200, page(0, 1, more=False))
    result = drive.call("list_experiments_paginated", project_id=PROJECT)
    assert [e.id for e in result.experiments] == ["exp-0"]
    assert [r.path.split("?")[0] for r in server.requests] == [LIST_PATH] * 3
    assert len(drive.delays) == 2
    assert 0 <= drive.delays[0] <= 0.5 and 0 <= drive.delays[1] <= 1.0


def test_backoff_doubles_and_the_last_error_is_raised(
    drive: Driver, server: ScriptedServer
) -> None:
    drive.jitter = 1.0  # the top of the jitter range: the backoff itself
    for _ in range(4):
        server.enqueue(500, {"detail": "boom"})
    with pytest.raises(InternalServerError, match="boom"):
        drive.call("list_experiments_paginated", {"max_retries": 3}, project_id=PROJECT)
    assert drive.delays == [0.5, 1.0, 2.0]
    assert len(server.requests) == 4


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses(drive: Driver, server: ScriptedServer, status: int) -> None:
    server.enqueue(status).enqueue(200, page(0, 0, more=False))
    drive.call("list_experiments_paginated", project_id=PROJECT)
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(drive: Driver, server: ScriptedServer, status: int) -> None:
    server.enqueue(status, {"detail": "no"})
    with pytest.raises(APIStatusError):
        drive.call("list_experiments_paginated", project_id=PROJECT)
    assert len(server.requests) == 1 and drive.delays == []


def test_per_call_max_retries_overrides_the_client(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(500).enqueue(500)
    with pytest.raises(InternalServerError):
        drive.call(
            "list_experiments_paginated",
            {"max_retries": 5},
            project_id=PROJECT,
            options=RequestOptions(max_retries=1),
        )
    assert len(server.requests) == 2


def http_date(seconds_from_now: float) -> str:
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds_from_now)
    return email.utils.format_datetime(when, usegmt=True)


def test_retry_after_seconds(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(429, headers={"Retry-After": "7"}).enqueue(200, page(0, 0, more=False))
    drive.call("list_experiments_paginated", project_id=PROJECT)
    assert drive.delays == [7.0]


def test_retry_after_http_date(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(503, headers={"Retry-After": http_date(30)}).enqueue(200, page(0, 0, more=False))
    drive.call("list_experiments_paginated", project_id=PROJECT)
    assert len(drive.delays) == 1 and 27 <= drive.delays[0] <= 30


@pytest.mark.parametrize("value", ["3600", "date"])
def test_retry_after_beyond_the_cap_raises_at_once(
    drive: Driver, server: ScriptedServer, value: str
) -> None:
    server.enqueue(429, headers={"Retry-After": http_date(3600) if value == "date" else value})
    with pytest.raises(RateLimitError) as raised:
        drive.call("list_experiments_paginated", project_id=PROJECT)
    assert drive.delays == [] and raised.value.headers["retry-after"]


def test_post_is_not_retried_after_a_500_without_an_idempotency_key(
    drive: Driver, server: ScriptedServer
) -> None:
    server.enqueue(500)
    with pytest.raises(InternalServerError):
        drive.call("extend_dataset_content", body=BODY)
    assert len(server.requests) == 1


def test_post_with_an_idempotency_key_is_retried_with_the_same_key(
    drive: Driver, server: ScriptedServer
) -> None:
    server.enqueue(500).enqueue(200, DATASET)
    result = drive.call(
        "extend_dataset_content", body=BODY, options=RequestOptions(idempotency_key="key-1")
    )
    assert result.dataset_id == "ds-1"
    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["key-1", "key-1"]
    assert [r.json() for r in server.requests] == [{"prompt": "p"}] * 2


def test_post_is_retried_when_the_server_says_it_did_not_act(
    drive: Driver, server: ScriptedServer
) -> None:
    server.enqueue(503, headers={"Retry-After": "1"}).enqueue(200, DATASET)
    drive.call("extend_dataset_content", body=BODY)
    assert len(server.requests) == 2 and drive.delays == [1.0]


# --- Timeouts and connection errors -----------------------------------------------------------------------------


def test_default_timeouts_are_finite() -> None:
    timeout = Client("http://127.0.0.1:9").timeout
    assert timeout.connect == 5.0 and timeout.read == 60.0


def test_read_timeout_is_retried_then_raised(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(200, page(0, 0, more=False), delay=2).enqueue(
        200, page(0, 0, more=False), delay=2
    )
    with pytest.raises(APITimeoutError, match="after 2 attempts"):
        drive.call(
            "list_experiments_paginated", {"timeout": 0.2, "max_retries": 1}, project_id=PROJECT
        )
    assert len(server.requests) == 2


def test_per_call_timeout_overrides_the_client(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(200, page(0, 0, more=False), delay=0.5).enqueue(
        200, page(0, 0, more=False), delay=2
    )
    slow_ok = RequestOptions(timeout=5.0)
    drive.call("list_experiments_paginated", {"timeout": 0.1}, project_id=PROJECT, options=slow_ok)
    with pytest.raises(APITimeoutError):
        drive.call(
            "list_experiments_paginated",
            project_id=PROJECT,
            options=RequestOptions(timeout=0.2, max_retries=0),
        )


def test_dropped_connection_get_is_retried(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(200, drop_connection=True).enqueue(200, page(0, 0, more=False))
    drive.call("list_experiments_paginated", project_id=PROJECT)
    assert len(server.requests) == 2


def test_dropped_connection_post_is_not_retried(drive: Driver, server: ScriptedServer) -> None:
    # The request reached the server, which may have acted on it.
    server.enqueue(200, drop_connection=True)
    with pytest.raises(APIConnectionError) as raised:
        drive.call("extend_dataset_content", body=BODY)
    assert not isinstance(raised.value, APITimeoutError)
    assert len(server.requests) == 1


def test_connection_refused_is_retried_even_for_post(drive: Driver) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    drive.base_url = f"http://127.0.0.1:{port}"
    with pytest.raises(APIConnectionError, match="after 3 attempts"):
        drive.call("extend_dataset_content", body=BODY)
    assert len(drive.delays) == 2


# --- Errors -----------------------------------------------------------------------------------------------------

ERROR_CLASSES: list[tuple[int, type[APIStatusError]]] = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (418, APIStatusError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (503, InternalServerError),
]


@pytest.mark.parametrize(("status", "cls"), ERROR_CLASSES)
def test_each_status_raises_its_class(
    drive: Driver, server: ScriptedServer, status: int, cls: type[APIStatusError]
) -> None:
    server.enqueue(
        status, {"detail": f"nope {status}"}, headers={"x-request-id": "req-42", "X-Extra": "1"}
    )
    with pytest.raises(cls) as raised:
        drive.call("list_experiments_paginated", {"max_retries": 0}, project_id=PROJECT)
    error = raised.value
    assert type(error) is cls
    assert (error.status_code, error.request_id, error.headers["x-extra"]) == (
        status,
        "req-42",
        "1",
    )
    assert str(status) in str(error) and "req-42" in str(error) and f"nope {status}" in str(error)
    assert "{project_id}" in str(error)  # the path template, never a parameter value


def test_422_carries_the_parsed_validation_details(drive: Driver, server: ScriptedServer) -> None:
    detail = [
        {"loc": ["body", "count"], "msg": "must be positive", "type": "value_error"},
        {"loc": ["body", "examples", 0], "msg": "too long", "type": "string_too_long"},
    ]
    server.enqueue(422, {"detail": detail})
    with pytest.raises(UnprocessableEntityError) as raised:
        drive.call("extend_dataset_content", body=BODY)
    error = raised.value
    assert error.details == (
        ValidationDetail(("body", "count"), "must be positive", "value_error"),
        ValidationDetail(("body", "examples", 0), "too long", "string_too_long"),
    )
    assert isinstance(error.body, HTTPValidationError)  # the error model the spec declares for 422
    assert "body.count: must be positive (and 1 more)" in str(error)


def test_a_body_off_the_schema_is_kept_and_its_drift_reported(
    drive: Driver, server: ScriptedServer
) -> None:
    body = page(0, 2, more=False)
    body["experiments"][1]["created_at"] = 5
    server.enqueue(200, body)
    response = drive.call("list_experiments_paginated_raw", project_id=PROJECT)
    assert [str(record) for record in response.drift] == [
        "$.experiments[1].created_at: expected an RFC 3339 date-time, got an integer"
    ]
    assert response.parsed.experiments[1].created_at == 5
    assert response.parsed.to_dict() == body


def test_strict_client_names_the_json_path(drive: Driver, server: ScriptedServer) -> None:
    body = page(0, 2, more=False)
    body["experiments"][1]["created_at"] = 5
    server.enqueue(200, body, headers={"x-request-id": "req-7"})
    with pytest.raises(ResponseValidationError) as raised:
        drive.call("list_experiments_paginated", {"strict": True}, project_id=PROJECT)
    error = raised.value
    assert error.path == "$.experiments[1].created_at"
    assert (error.endpoint, error.status_code, error.request_id) == (
        "list_experiments_paginated",
        200,
        "req-7",
    )
    assert "$.experiments[1].created_at" in str(error) and "req-7" in str(error)


def test_raw_variant_returns_status_headers_and_parsed_body(
    drive: Driver, server: ScriptedServer
) -> None:
    server.enqueue(200, DATASET, headers={"x-request-id": "req-9", "X-Rate": "10"})
    response = drive.call("extend_dataset_content_raw", body=BODY)
    assert (response.status_code, response.request_id, response.headers["x-rate"]) == (
        200,
        "req-9",
        "10",
    )
    assert response.parsed.dataset_id == "ds-1"


# --- Pagination -------------------------------------------------------------------------------------------------


def script_three_pages(server: ScriptedServer) -> None:
    server.enqueue(200, page(0, 2, more=True)).enqueue(200, page(2, 2, more=True)).enqueue(
        200, page(4, 1, more=False)
    )


def sent_tokens(server: ScriptedServer) -> list[str]:
    return [httpx.URL(r.path).params["starting_token"] for r in server.requests]


def test_items_to_the_last_page(drive: Driver, server: ScriptedServer) -> None:
    script_three_pages(server)
    items = drive.call("list_experiments_paginated_iter", project_id=PROJECT, limit=2)
    assert [item.id for item in items] == [f"exp-{n}" for n in range(5)]
    assert sent_tokens(server) == ["0", "2", "4"]
    assert {httpx.URL(r.path).params["limit"] for r in server.requests} == {"2"}


def test_pages_to_the_last_page(drive: Driver, server: ScriptedServer) -> None:
    script_three_pages(server)
    pages = drive.call(
        "list_experiments_paginated_pages", project_id=PROJECT, limit=2, starting_token=0
    )
    assert [(p.starting_token, p.paginated) for p in pages] == [(0, True), (2, True), (4, False)]


def test_a_repeated_token_stops_instead_of_looping(drive: Driver, server: ScriptedServer) -> None:
    server.enqueue(200, page(0, 1, more=True)).enqueue(200, page(0, 1, more=True))
    with pytest.raises(PaginationError, match="page token 1 twice"):
        drive.call("list_experiments_paginated_iter", project_id=PROJECT)


# --- Safety -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_id", "segment"),
    [
        ("../admin?x=1#y", "..%2Fadmin%3Fx%3D1%23y"),
        ("a b/c%d", "a%20b%2Fc%25d"),
    ],
)
def test_path_parameters_stay_in_their_segment(
    drive: Driver, server: ScriptedServer, project_id: str, segment: str
) -> None:
    server.enqueue(200, page(0, 0, more=False))
    drive.call("list_experiments_paginated", project_id=project_id)
    assert (
        server.requests[0].path
        == f"/v2/projects/{segment}/experiments/paginated?limit=100&starting_token=0"
    )


@pytest.mark.parametrize("project_id", [".", ".."])
def test_dot_segment_path_parameters_are_never_sent(
    drive: Driver, server: ScriptedServer, project_id: str
) -> None:
    """`%2E%2E` used to go out, which a normalising server resolves as `..` (RFC 3986 6.2.2.2)."""
    with pytest.raises(ValueError, match=r"makes a '\.' or '\.\.' segment"):
        drive.call("list_experiments_paginated", project_id=project_id)
    assert server.requests == []


def test_the_api_key_reaches_the_server_and_nothing_else(
    drive: Driver, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="galileo_client")
    server.enqueue(500, {"detail": "x"}).enqueue(401, {"detail": "bad key"})
    server.enqueue(200, page(0, 1, more=False), headers={"x-request-id": "r"}).enqueue(
        200, drop_connection=True
    )
    errors: list[BaseException] = []
    with pytest.raises(AuthenticationError) as raised:
        drive.call("list_experiments_paginated", project_id=PROJECT)
    errors.append(raised.value)
    response = drive.call("list_experiments_paginated_raw", project_id=PROJECT)
    with pytest.raises(APIConnectionError) as refused:
        drive.call("list_experiments_paginated", {"max_retries": 0}, project_id=PROJECT)
    errors.append(refused.value)

    assert [r.headers["Galileo-API-Key"] for r in server.requests] == [SECRET] * 4
    assert any("REDACTED" in record.getMessage() for record in caplog.records)
    texts = [record.getMessage() for record in caplog.records]
    texts += [repr(error) for error in errors] + [str(error) for error in errors]
    texts += [repr(drive.sync_client()), str(drive.sync_client()), repr(response), str(response)]
    assert not [text for text in texts if SECRET in text]


def test_the_api_key_from_the_environment_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAPIGEN_GALILEO_CLIENT_API_KEY", SECRET)
    client = Client("http://127.0.0.1:9")
    credential = client._credentials["GalileoApiKey"]
    assert isinstance(credential, galileo_client._auth.Credential) and credential.value == SECRET
    assert SECRET not in repr(client) + str(client) + repr(client._credentials)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_never_carries_the_api_key(
    drive: Driver, server: ScriptedServer, status: int
) -> None:
    """httpx strips only `Authorization` on such redirects; the client keeps every credential on its origin,
    whatever `http_client` it is given (issue 14)."""
    http_client: httpx.Client | httpx.AsyncClient = (
        httpx.Client(follow_redirects=True)
        if drive.mode == "sync"
        else httpx.AsyncClient(follow_redirects=True)
    )
    with ScriptedServer() as other:  # another port: another origin
        other.enqueue(200, page(0, 1, more=False))
        server.enqueue(status, headers={"Location": other.base_url + LIST_PATH})
        result = drive.call(
            "list_experiments_paginated",
            client_args={"http_client": http_client},
            project_id=PROJECT,
        )
    assert [e.id for e in result.experiments] == ["exp-0"]
    assert server.requests[0].headers["Galileo-API-Key"] == SECRET
    assert "Galileo-API-Key" not in other.requests[0].headers


def test_a_users_http_client_is_used_and_left_open(server: ScriptedServer) -> None:
    server.enqueue(200, DATASET)
    http_client = httpx.Client(headers={"X-Tenant": "t-1"})
    with Client(server.base_url, api_key=SECRET, http_client=http_client) as client:
        galileo_client.api.extend_dataset_content(client, body=BODY)
    assert server.requests[0].headers["X-Tenant"] == "t-1"
    assert not http_client.is_closed
    http_client.close()

"""SyncClient and AsyncBaseClient against httpx.MockTransport: every behaviour test runs in both modes."""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from support import client_harness
from support.client_harness import (
    BASE_URL,
    COOKIE_SECRET,
    QUERY_SECRET,
    SECRET,
    USER_AGENT,
    Harness,
    Kit,
    Reply,
    Runtime,
    Server,
    fail,
    reply,
)

kit = client_harness.kit


def http_date(seconds_from_now: float) -> str:
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds_from_now)
    return email.utils.format_datetime(when, usegmt=True)


# --- Retries ------------------------------------------------------------------------------------------------------


def test_get_is_retried_on_5xx_with_jittered_backoff(kit: Kit) -> None:
    h = kit(reply(503), reply(502), reply(200, {"n": 1}))
    assert h.send(kit.endpoint()).parsed == {"n": 1}
    assert len(h.server.requests) == 3
    assert len(h.delays) == 2
    assert 0 <= h.delays[0] <= 0.5 and 0 <= h.delays[1] <= 1.0


def test_backoff_doubles_up_to_the_cap(kit: Kit) -> None:
    h = kit(reply(500), max_retries=6)
    h.client._random = lambda: 1.0
    with pytest.raises(kit.rt.errors.InternalServerError):
        h.send(kit.endpoint())
    assert h.delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(h.server.requests) == 7


def test_full_jitter_bounds(rt: Runtime) -> None:
    for retry in range(10):
        cap = min(8.0, 0.5 * 2**retry)
        assert rt.base.backoff_delay(retry, lambda: 0.0) == 0.0
        assert rt.base.backoff_delay(retry, lambda: 0.999999) == pytest.approx(cap, rel=1e-5)
        assert all(0 <= rt.base.backoff_delay(retry) <= cap for _ in range(200))


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses(kit: Kit, status: int) -> None:
    h = kit(reply(status), reply(200))
    assert h.send(kit.endpoint()).status_code == 200
    assert len(h.server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_statuses_are_not_retried(kit: Kit, status: int) -> None:
    h = kit(reply(status), reply(200))
    with pytest.raises(kit.rt.errors.APIStatusError):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 1 and h.delays == []


def test_max_retries_per_client_and_per_call(kit: Kit) -> None:
    h = kit(reply(500), max_retries=0)
    with pytest.raises(kit.rt.errors.InternalServerError):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 1
    h = kit(reply(500))
    with pytest.raises(kit.rt.errors.InternalServerError):
        h.send(kit.endpoint(), options=kit.options(max_retries=4))
    assert len(h.server.requests) == 5
    with pytest.raises(ValueError, match="max_retries"):
        kit(max_retries=-1)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "60"}, 60.0),
        ({"retry-after": "0"}, 0.0),
    ],
)
def test_retry_after_is_honoured(kit: Kit, headers: dict[str, str], expected: float) -> None:
    h = kit(reply(429, headers=headers), reply(200))
    h.send(kit.endpoint())
    assert h.delays == [expected]


def test_retry_after_http_date(kit: Kit) -> None:
    h = kit(reply(503, headers={"retry-after": http_date(5)}), reply(200))
    h.send(kit.endpoint())
    assert len(h.delays) == 1 and 3.0 <= h.delays[0] <= 5.0
    h = kit(reply(503, headers={"retry-after": http_date(-30)}), reply(200))
    h.send(kit.endpoint())
    assert h.delays == [0.0]


@pytest.mark.parametrize(
    "headers", [{"retry-after": "61"}, {"retry-after-ms": "90000"}, {"retry-after": "x"}]
)
def test_retry_after_over_the_cap_or_invalid(kit: Kit, headers: dict[str, str]) -> None:
    h = kit(reply(429, headers=headers), reply(200))
    h.client._random = lambda: 1.0
    if headers.get("retry-after") == "x":  # unparseable: ignored, backoff instead
        h.send(kit.endpoint())
        assert h.delays == [0.5]
        return
    with pytest.raises(kit.rt.errors.RateLimitError):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 1 and h.delays == []


def test_retry_after_date_over_the_cap(kit: Kit) -> None:
    h = kit(reply(503, headers={"retry-after": http_date(3600)}), reply(200))
    with pytest.raises(kit.rt.errors.InternalServerError):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 1


# --- Retries of non-idempotent requests ---------------------------------------------------------------------------


def test_post_is_not_retried_on_5xx_without_idempotency_key(kit: Kit) -> None:
    h = kit(reply(500), reply(200))
    with pytest.raises(kit.rt.errors.InternalServerError):
        h.send(kit.endpoint("POST"))
    assert len(h.server.requests) == 1
    assert h.server.header("Idempotency-Key") == [None]


def test_post_with_idempotency_key_is_retried_with_the_same_key(kit: Kit) -> None:
    h = kit(reply(500), reply(502), reply(200))
    h.send(kit.endpoint("POST"), options=kit.options(idempotency_key="key-1"))
    assert h.server.header("Idempotency-Key") == ["key-1"] * 3


def test_client_idempotency_header_generates_one_key_per_call(kit: Kit) -> None:
    h = kit(reply(500), reply(200), reply(409), reply(200), idempotency_header="X-Idempotency-Key")
    h.send(kit.endpoint("POST"))
    h.send(kit.endpoint("PATCH"))
    keys = h.server.header("X-Idempotency-Key")
    assert len(keys) == 4 and all(keys)
    assert keys[0] == keys[1] and keys[2] == keys[3] and keys[0] != keys[2]
    h.send(kit.endpoint("GET"))
    assert h.server.requests[-1].headers.get("X-Idempotency-Key") is None
    # A per-call key goes in the client's header.
    h.send(kit.endpoint("POST"), options=kit.options(idempotency_key="mine"))
    assert h.server.requests[-1].headers["X-Idempotency-Key"] == "mine"


@pytest.mark.parametrize(
    ("status", "headers", "retried"),
    [
        (429, {"retry-after": "1"}, True),
        (503, {"retry-after": "1"}, True),
        (503, {"retry-after-ms": "10"}, True),
        (429, {}, False),
        (503, {}, False),
        (502, {"retry-after": "1"}, False),
    ],
)
def test_post_retried_when_the_server_says_try_later(
    kit: Kit, status: int, headers: dict[str, str], retried: bool
) -> None:
    h = kit(reply(status, headers=headers), reply(200))
    if retried:
        assert h.send(kit.endpoint("POST")).status_code == 200
    else:
        with pytest.raises(kit.rt.errors.APIStatusError):
            h.send(kit.endpoint("POST"))
    assert len(h.server.requests) == (2 if retried else 1)


@pytest.mark.parametrize(
    ("method", "error", "retried"),
    [
        ("GET", httpx.ConnectError, True),
        ("GET", httpx.ReadError, True),
        ("GET", httpx.RemoteProtocolError, True),
        ("GET", httpx.ReadTimeout, True),
        ("POST", httpx.ConnectError, True),
        ("POST", httpx.ConnectTimeout, True),
        ("POST", httpx.PoolTimeout, True),
        ("POST", httpx.ReadError, False),
        ("POST", httpx.ReadTimeout, False),
        ("POST", httpx.WriteTimeout, False),
        ("GET", httpx.UnsupportedProtocol, False),
    ],
)
def test_transport_errors(
    kit: Kit, method: str, error: type[httpx.TransportError], retried: bool
) -> None:
    h = kit(fail(error), reply(200))
    if retried:
        assert h.send(kit.endpoint(method)).status_code == 200
        assert len(h.server.requests) == 2 and len(h.delays) == 1
        return
    expected = (
        kit.rt.errors.APITimeoutError
        if issubclass(error, httpx.TimeoutException)
        else kit.rt.errors.APIConnectionError
    )
    with pytest.raises(expected) as caught:
        h.send(kit.endpoint(method))
    assert isinstance(caught.value.__cause__, error)
    assert len(h.server.requests) == 1


def test_connection_errors_after_all_retries(kit: Kit) -> None:
    h = kit(fail(httpx.ReadTimeout))
    with pytest.raises(kit.rt.errors.APITimeoutError) as caught:
        h.send(kit.endpoint())
    assert isinstance(caught.value, kit.rt.errors.APIConnectionError)
    assert str(caught.value) == "get_items: GET /items timed out after 3 attempts (ReadTimeout)"
    h = kit(fail(httpx.ConnectError))
    with pytest.raises(kit.rt.errors.APIConnectionError) as caught:
        h.send(kit.endpoint("POST"))
    assert (
        str(caught.value)
        == "post_items: POST /items failed after 3 attempts: ConnectError: scripted failure"
    )
    assert len(h.server.requests) == 3


# --- Timeouts -----------------------------------------------------------------------------------------------------


def sent_timeout(h: Harness) -> dict[str, float | None]:
    timeout = h.server.requests[-1].extensions["timeout"]
    assert isinstance(timeout, dict)
    return timeout


def test_timeouts_per_client_and_per_call(kit: Kit) -> None:
    h = kit(timeout=10.0)
    h.send(kit.endpoint())
    assert sent_timeout(h) == {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0}
    h.send(kit.endpoint(), options=kit.options(timeout=2.5))
    assert sent_timeout(h) == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    h.send(kit.endpoint(), options=kit.options(timeout=httpx.Timeout(1.0, read=7.0)))
    assert sent_timeout(h) == {"connect": 1.0, "read": 7.0, "write": 1.0, "pool": 1.0}
    h.send(kit.endpoint(), options=kit.options(timeout=None, deadline=None))
    assert sent_timeout(h) == {"connect": None, "read": None, "write": None, "pool": None}
    # Without a timeout, the call's deadline still bounds each wait.
    h.send(kit.endpoint(), options=kit.options(timeout=None))
    assert all(value is not None and 299 < value <= 300 for value in sent_timeout(h).values())
    h.send(kit.endpoint())
    assert sent_timeout(h)["read"] == 10.0


def test_user_http_client_timeout_is_kept_unless_given(kit: Kit) -> None:
    transport_client: Any = httpx.Client if kit.mode == "sync" else httpx.AsyncClient
    h = kit(http_client=transport_client(transport=httpx.MockTransport(Server(())), timeout=33.0))
    assert h.client.timeout == httpx.Timeout(33.0)


def test_the_sdk_client_verifies_tls_and_has_a_finite_timeout(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[dict[str, Any]] = []
    for name in ("Client", "AsyncClient"):
        real = getattr(httpx, name)

        def create(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            created.append(kwargs)
            return real(*args, **kwargs)

        monkeypatch.setattr(httpx, name, create)
    rt.base.SyncClient(BASE_URL, user_agent=USER_AGENT).close()
    asyncio.run(rt.base.AsyncBaseClient(BASE_URL, user_agent=USER_AGENT).aclose())
    assert created == [{"timeout": rt.base.DEFAULT_TIMEOUT, "verify": True}] * 2
    assert httpx.Timeout(60.0, connect=5.0) == rt.base.DEFAULT_TIMEOUT
    assert rt.base.DEFAULT_MAX_RETRIES == 2


def test_verify_with_a_user_http_client_is_refused(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="verify"):
        rt.base.SyncClient(
            BASE_URL,
            user_agent=USER_AGENT,
            http_client=httpx.Client(),
            verify=False,
        )


# --- What goes on the wire ----------------------------------------------------------------------------------------


def test_headers_query_and_body_on_the_wire(kit: Kit) -> None:
    P = kit.rt.http.Param
    h = kit(headers={"X-Team": "core"})
    ep = kit.endpoint("POST", "/items/{item_id}")
    request = ep.build(
        path={"item_id": "../admin?x=1#y"},
        query=[P("tags", ["a b", "c"]), P("page", 2)],
        headers=[P("X-Trace", "t1")],
        body=kit.rt.http.JsonBody({"a": 1}),
    )
    h.send(
        ep,
        request,
        kit.options(
            extra_headers={"X-Extra": "e", "X-Team": "override"}, extra_query={"page": "9"}
        ),
    )
    sent = h.server.requests[0]
    assert sent.method == "POST"
    assert sent.url.raw_path == b"/v1/items/..%2Fadmin%3Fx%3D1%23y?tags=a+b&tags=c&page=9"
    assert sent.url.host == "api.example.com"
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["Galileo-API-Key"] == SECRET
    assert sent.headers["X-Trace"] == "t1"
    assert sent.headers["X-Extra"] == "e"
    assert sent.headers["X-Team"] == "override"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.content == b'{"a":1}'


def test_path_values_reach_the_server_encoded(kit: Kit) -> None:
    h = kit()
    ep = kit.endpoint("GET", "/items/{item_id}/details")
    h.send(ep, ep.build(path={"item_id": "é/ü"}))
    assert h.server.requests[0].url.raw_path == b"/v1/items/%C3%A9%2F%C3%BC/details"


@pytest.mark.parametrize("value", [".", ".."])
def test_dot_segments_are_never_sent(kit: Kit, value: str) -> None:
    """`%2E`/`%2E%2E` used to go out, which normalising servers resolve as dot-segments."""
    h = kit()
    ep = kit.endpoint("GET", "/items/{item_id}/details")
    with pytest.raises(ValueError, match="segment"):
        h.send(ep, ep.build(path={"item_id": value}))
    assert h.server.requests == []


def test_credentials_only_for_secured_endpoints(kit: Kit) -> None:
    h = kit()
    h.send(kit.endpoint(security=()))
    assert "Galileo-API-Key" not in h.server.requests[0].headers


def test_first_available_scheme_is_applied(kit: Kit) -> None:
    S = kit.rt.auth.ApiKeyScheme
    schemes = [
        S("Missing", "header", "X-Missing", "missing_key"),
        S("QueryKey", "query", "api_key", "query_key"),
        S("CookieKey", "cookie", "sid", "cookie_key"),
    ]
    h = kit(schemes=schemes, credentials={"query_key": QUERY_SECRET, "cookie_key": COOKIE_SECRET})
    ep = kit.endpoint(security=({"Missing": ()}, {"QueryKey": ()}, {"CookieKey": ()}))
    h.send(ep, ep.build(query=[kit.rt.http.Param("api_key", "spoofed")]))
    assert h.server.requests[0].url.params.get_list("api_key") == [QUERY_SECRET]
    assert "Cookie" not in h.server.requests[0].headers
    ep = kit.endpoint(security=({"CookieKey": ()},))
    h.send(ep, ep.build(cookies=[kit.rt.http.Param("theme", "dark")]))
    assert h.server.requests[1].headers["Cookie"] == f"theme=dark; sid={COOKIE_SECRET}"


def test_missing_credential_fails_before_sending(kit: Kit) -> None:
    h = kit(credentials={}, environment={"api_key": "OAPIGEN_TEST_API_KEY"})
    with pytest.raises(kit.rt.errors.MissingCredentialsError) as caught:
        h.send(kit.endpoint())
    assert h.server.requests == []
    assert str(caught.value) == (
        "get_items: no credentials for GalileoApiKey (Client keyword api_key or "
        "$OAPIGEN_TEST_API_KEY); nothing was sent"
    )


def test_per_call_header_overrides_the_credential(kit: Kit) -> None:
    h = kit()
    h.send(kit.endpoint(), options=kit.options(extra_headers={"Galileo-API-Key": "other"}))
    assert h.server.requests[0].headers["Galileo-API-Key"] == "other"


# --- Secrets ------------------------------------------------------------------------------------------------------


def test_no_secret_in_any_log_record(kit: Kit, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = kit(reply(503), reply(401, {"detail": "bad key"}))
    P = kit.rt.http.Param
    ep = kit.endpoint(path="/items/{item_id}")
    request = ep.build(
        path={"item_id": 1},
        headers=[P("Authorization", "Bearer hdr-SECRET")],
        cookies=[P("session", "sess-SECRET")],
    )
    with pytest.raises(kit.rt.errors.AuthenticationError):
        h.send(ep, request)
    messages = [record.getMessage() for record in caplog.records]
    package = kit.rt.base.__name__.rsplit(".", 1)[0]
    ours = [record.getMessage() for record in caplog.records if record.name == package]
    assert any("GET https://api.example.com/v1/items/1" in m for m in ours)
    assert any("-> 503" in m for m in ours) and any("-> 401" in m for m in ours)
    assert any("retry 1 of 2 in" in m and "after status 503" in m for m in ours)
    assert any("'galileo-api-key': 'REDACTED'" in m for m in ours)
    assert any("'user-agent': 'galileo_client/1.2.3 (oapigen)'" in m for m in ours)
    for secret in (SECRET, "hdr-SECRET", "sess-SECRET"):
        assert not any(secret in m for m in messages), secret


def test_query_credential_is_redacted_in_our_log_records(
    kit: Kit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scheme = kit.rt.auth.ApiKeyScheme("QueryKey", "query", "key", "api_key")
    h = kit(schemes=[scheme], credentials={"api_key": QUERY_SECRET})
    ep = kit.endpoint(security=({"QueryKey": ()},))
    h.send(
        ep,
        ep.build(
            query=[kit.rt.http.Param("access_token", "tok-SECRET"), kit.rt.http.Param("q", "x")]
        ),
    )
    package = kit.rt.base.__name__.rsplit(".", 1)[0]
    ours = [record.getMessage() for record in caplog.records if record.name == package]
    assert any("?access_token=REDACTED&q=x&key=REDACTED" in m for m in ours)
    assert not any(QUERY_SECRET in m or "tok-SECRET" in m for m in ours)


def test_reprs_do_not_show_secrets(kit: Kit) -> None:
    credential = kit.rt.auth.Credential("GalileoApiKey", "header", "Galileo-API-Key", SECRET)
    assert SECRET not in repr(credential) and SECRET not in str(credential)
    assert (
        repr(credential)
        == "Credential(scheme='GalileoApiKey', location='header', name='Galileo-API-Key', value='***')"
    )
    h = kit(reply(500, {"detail": "boom"}), max_retries=0)
    assert repr(h.client) == f"{type(h.client).__name__}(base_url='{BASE_URL}')"
    assert SECRET not in str(vars(h.client).get("_headers"))
    with pytest.raises(kit.rt.errors.InternalServerError) as caught:
        h.send(kit.endpoint())
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert str(caught.value) == "500 Internal Server Error from GET /items: boom"
    options = kit.options(extra_headers={"Authorization": SECRET})
    assert SECRET not in repr(options)


def test_base_url_userinfo_is_not_shown(rt: Runtime) -> None:
    client = rt.base.SyncClient("https://user:pa55@api.example.com/v1", user_agent=USER_AGENT)
    assert repr(client) == "SyncClient(base_url='https://api.example.com/v1')"
    client.close()


# --- Ownership of the HTTP client ---------------------------------------------------------------------------------


def test_user_http_client_is_not_closed(kit: Kit) -> None:
    h = kit()
    h.send(kit.endpoint())
    h.close()
    assert not h.client._client.is_closed


def test_own_http_client_is_closed(rt: Runtime) -> None:
    with rt.base.SyncClient(BASE_URL, user_agent=USER_AGENT) as client:
        inner = client._client
        assert not inner.is_closed
    assert inner.is_closed

    async def run() -> Any:
        async with rt.base.AsyncBaseClient(BASE_URL, user_agent=USER_AGENT) as client:
            return client._client

    assert asyncio.run(run()).is_closed


def test_credential_with_a_line_break_is_refused_without_echoing_it(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="GalileoApiKey") as caught:
        rt.auth.Credential("GalileoApiKey", "header", "Galileo-API-Key", "abc\r\nX-Evil: 1")
    assert "abc" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["api.example.com/v1", "ftp://api.example.com", "https://h.example/v1?x=1", "/v1"]
)
def test_base_url_must_be_absolute_http(rt: Runtime, url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        rt.base.SyncClient(url, user_agent=USER_AGENT)


# --- Limits: size, deadline, bodies not read -------------------------------------------------------------------


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body of `count` chunks (None: endless), counting how many were read, optionally slowly."""

    def __init__(self, count: int | None, size: int = 1_000_000, pause: float = 0.0) -> None:
        self.count, self.size, self.pause = count, size, pause
        self.read = 0

    def _next(self) -> bytes | None:
        if self.count is not None and self.read >= self.count:
            return None
        self.read += 1
        time.sleep(self.pause)
        return b" " * self.size

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self._next()) is not None:
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := self._next()) is not None:
            yield chunk


def streamed(body: Chunks, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return lambda request: httpx.Response(status, stream=body, headers=headers)


def test_an_endless_body_stops_at_the_size_limit(kit: Kit) -> None:
    """It used to be read to MemoryError (a 200 MB body cost 630 MB)."""
    body = Chunks(None)
    h = kit(streamed(body), limits=kit.rt.base.Limits(max_response_bytes=3_000_000))
    with pytest.raises(
        kit.rt.errors.ResponseTooLargeError, match="limit of 3000000 bytes"
    ) as caught:
        h.send(kit.endpoint())
    assert isinstance(caught.value, kit.rt.errors.APIError)
    assert body.read == 4  # the chunk that passed the limit, and not one more


def test_a_declared_length_over_the_limit_is_refused_before_reading(kit: Kit) -> None:
    body = Chunks(5)
    h = kit(
        streamed(body, headers={"Content-Length": "5000000"}),
        limits=kit.rt.base.Limits(max_response_bytes=1_000_000),
    )
    with pytest.raises(kit.rt.errors.ResponseTooLargeError, match="declares 5000000 bytes"):
        h.send(kit.endpoint())
    assert body.read == 0


def test_the_body_of_a_retried_response_is_not_read(kit: Kit) -> None:
    """A retried 500 used to be read whole first (1.4 GB for a 200 MB error page)."""
    error_page = Chunks(50)
    h = kit(streamed(error_page, status=500), reply(200, {"ok": 1}))
    assert h.send(kit.endpoint()).parsed == {"ok": 1}
    assert error_page.read == 0 and len(h.server.requests) == 2


def test_a_trickled_body_ends_at_the_deadline(kit: Kit) -> None:
    """A byte a second never trips httpx's read timeout; the call's deadline ends it."""
    body = Chunks(None, size=1, pause=0.02)
    h = kit(streamed(body), limits=kit.rt.base.Limits(deadline=0.3))
    with pytest.raises(kit.rt.errors.APITimeoutError, match="deadline"):
        h.send(kit.endpoint())
    assert 0 < body.read < 1000


def test_the_deadline_can_be_set_per_call(kit: Kit) -> None:
    body = Chunks(None, size=1, pause=0.02)
    h = kit(streamed(body), limits=kit.rt.base.Limits(deadline=None))
    with pytest.raises(kit.rt.errors.APITimeoutError, match="deadline"):
        h.send(kit.endpoint(), options=kit.options(deadline=0.3))


def test_no_retry_waits_past_the_deadline(kit: Kit) -> None:
    h = kit(
        reply(503, headers={"Retry-After": "30"}),
        reply(200),
        limits=kit.rt.base.Limits(deadline=10.0),
    )
    with pytest.raises(kit.rt.errors.InternalServerError):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 1 and h.delays == []


def test_each_attempt_times_out_by_the_deadline(kit: Kit) -> None:
    h = kit(reply(200), limits=kit.rt.base.Limits(deadline=2.0))
    h.send(kit.endpoint())
    timeouts = h.server.requests[0].extensions["timeout"]
    assert all(0 < value <= 2.0 for value in timeouts.values()), timeouts

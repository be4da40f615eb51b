"""Credentials, hooks and redirects of the runtime, against httpx.MockTransport, in both modes (see test_runtime_client
for the harness); the OAuth2 flows against real loopback servers are in tests/contract/test_oauth2.py."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from support import client_harness
from support.client_harness import BASE_URL, SECRET, Kit, Reply, Runtime, reply

OTHER_ORIGIN = "https://elsewhere.example"

kit = client_harness.kit


def schemes(rt: Runtime) -> list[Any]:
    A = rt.auth
    return [
        A.ApiKeyScheme("HeaderKey", "header", "X-Key", "header_key"),
        A.ApiKeyScheme("QueryKey", "query", "key", "query_key"),
        A.ApiKeyScheme("CookieKey", "cookie", "sid", "cookie_key"),
        A.BasicScheme("Basic", "username", "password"),
        A.AuthorizationScheme("Digest", "authorization"),
        A.TokenScheme("Bearer", "token", "token_provider"),
    ]


def test_each_location_and_http_scheme(kit: Kit) -> None:
    h = kit(
        schemes=schemes(kit.rt),
        credentials={
            "header_key": "hk",
            "query_key": "qk",
            "cookie_key": "ck",
            "username": "ada",
            "password": "pa:ss",
            "authorization": 'Digest username="ada"',
            "token": "tok",
        },
    )
    for scheme in ("HeaderKey", "QueryKey", "CookieKey", "Basic", "Digest", "Bearer"):
        h.send(kit.endpoint(security=({scheme: ()},)))
    header, query, cookie, basic, digest, bearer = h.server.requests
    assert header.headers["X-Key"] == "hk" and "authorization" not in header.headers
    assert query.url.params["key"] == "qk"
    assert cookie.headers["Cookie"] == "sid=ck"
    assert basic.headers["Authorization"] == "Basic " + base64.b64encode(b"ada:pa:ss").decode()
    assert digest.headers["Authorization"] == 'Digest username="ada"'
    assert bearer.headers["Authorization"] == "Bearer tok"


def test_a_combination_is_sent_together(kit: Kit) -> None:
    h = kit(schemes=schemes(kit.rt), credentials={"header_key": "hk", "query_key": "qk"})
    h.send(kit.endpoint(security=({"HeaderKey": (), "QueryKey": ()},)))
    [request] = h.server.requests
    assert (request.headers["X-Key"], request.url.params["key"]) == ("hk", "qk")


def test_an_empty_alternative_makes_credentials_optional(kit: Kit) -> None:
    h = kit(schemes=schemes(kit.rt), credentials={"header_key": "hk"})
    h.send(kit.endpoint(security=({}, {"HeaderKey": ()})))
    h.send(kit.endpoint(security=({}, {"QueryKey": ()})))
    with_key, without = h.server.requests
    assert with_key.headers["X-Key"] == "hk"
    assert "X-Key" not in without.headers and "key" not in without.url.params


def test_arguments_win_over_the_environment_scheme_by_scheme(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = {
        "header_key": "T_HEADER_KEY",
        "query_key": "T_QUERY_KEY",
        "username": "T_USERNAME",
        "password": "T_PASSWORD",
    }
    monkeypatch.setenv("T_HEADER_KEY", "from-env")
    monkeypatch.setenv("T_QUERY_KEY", "")  # empty: not configured
    configured = rt.auth.configure(schemes(rt), {"header_key": "given"}, environment)
    assert configured["HeaderKey"].value == "given"
    assert "QueryKey" not in configured and "Basic" not in configured
    monkeypatch.setenv("T_PASSWORD", "pw")
    # Half a scheme is refused, also when the other half is in the environment: a scheme given an argument
    # does not read the environment at all.
    with pytest.raises(ValueError, match=r"^Basic: give both username and password$"):
        rt.auth.configure(schemes(rt), {"username": "ada"}, environment)
    with pytest.raises(ValueError, match=r"^Basic: give both username and password$"):
        rt.auth.configure(schemes(rt), {}, environment)
    monkeypatch.setenv("T_USERNAME", "env-user")
    configured = rt.auth.configure(schemes(rt), {}, environment)
    assert configured["Basic"].value == "Basic " + base64.b64encode(b"env-user:pw").decode()


def test_a_token_scheme_takes_exactly_one_way(rt: Runtime) -> None:
    scheme = rt.auth.TokenScheme(
        "oauth",
        "token",
        "token_provider",
        client_id="client_id",
        client_secret="client_secret",
        refresh_token="refresh_token",
        token_url="/token",
        refresh_url="/token",
    )
    with pytest.raises(ValueError, match=r"^oauth: give one of token, token_provider, "):
        rt.auth.configure([scheme], {"token": "t", "client_secret": "s", "client_id": "i"}, {})
    with pytest.raises(ValueError, match="give client_id with client_secret"):
        rt.auth.configure([scheme], {"client_secret": "s"}, {})
    with pytest.raises(TypeError, match="token_provider must be callable"):
        rt.auth.configure([scheme], {"token_provider": "not callable"}, {})
    fetched = rt.auth.configure([scheme], {"refresh_token": "r", "client_id": "i"}, {})["oauth"]
    assert repr(fetched) == "FetchedToken(scheme='oauth', grant='refresh_token')"


def test_hooks_run_on_every_attempt_and_can_sign(kit: Kit) -> None:
    seen: list[tuple[str, str | None]] = []
    statuses: list[int] = []

    def sign(request: httpx.Request) -> None:
        seen.append((request.method, request.headers.get("X-Key")))
        request.headers["X-Signature"] = f"sig-{len(seen)}"

    def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    if kit.mode == "sync":
        request_hooks: list[Any] = [sign]
        response_hooks: list[Any] = [record]
    else:

        async def async_sign(request: httpx.Request) -> None:
            sign(request)

        request_hooks = [async_sign]
        response_hooks = [record]  # a plain function is fine in async too
    h = kit(
        reply(503),
        reply(200),
        schemes=schemes(kit.rt),
        credentials={"header_key": "hk"},
        request_hooks=request_hooks,
        response_hooks=response_hooks,
    )
    h.send(kit.endpoint(security=({"HeaderKey": ()},)))
    assert seen == [("GET", "hk"), ("GET", "hk")]
    assert statuses == [503, 200]
    assert h.server.header("X-Signature") == ["sig-1", "sig-2"]


def redirecting_client(kit: Kit, handler: Reply, **kwargs: Any) -> Any:
    """A user's own httpx client (sync or async, as the test's mode) that follows redirects."""
    transport = httpx.MockTransport(handler)
    if kit.mode == "sync":
        return httpx.Client(transport=transport, follow_redirects=True, **kwargs)
    return httpx.AsyncClient(transport=transport, follow_redirects=True, **kwargs)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_carries_no_credential(kit: Kit, status: int) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.example.com":
            return httpx.Response(status, headers={"Location": f"{OTHER_ORIGIN}/landing?key=qk"})
        return httpx.Response(200, json={"ok": True})

    h = kit(
        respond,
        schemes=schemes(kit.rt),
        credentials={"header_key": "hk", "query_key": "qk", "cookie_key": "ck", "token": "tok"},
        http_client=redirecting_client(kit, lambda request: h.server(request)),
        headers={"X-Session-Token": "user-secret", "X-Trace": "t-1"},
    )
    every: dict[str, tuple[str, ...]] = {
        "HeaderKey": (),
        "QueryKey": (),
        "CookieKey": (),
        "Bearer": (),
    }
    h.send(kit.endpoint(security=(every,)))
    first, moved = h.server.requests
    assert first.headers["X-Key"] == "hk" and first.headers["Authorization"] == "Bearer tok"
    assert str(moved.url).startswith(OTHER_ORIGIN)
    sent = {name.lower() for name in moved.headers}
    assert not sent & {"x-key", "authorization", "cookie", "x-session-token"}
    assert "key" not in moved.url.params
    assert moved.headers["X-Trace"] == "t-1"  # what is not a secret still goes


def test_a_same_origin_redirect_keeps_header_credentials(kit: Kit) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/items":
            return httpx.Response(307, headers={"Location": f"{BASE_URL}/moved"})
        return httpx.Response(200, json={"ok": True})

    h = kit(respond, http_client=redirecting_client(kit, lambda request: h.server(request)))
    h.send(kit.endpoint())
    assert h.server.header("Galileo-API-Key") == [SECRET, SECRET]
    assert [request.url.path for request in h.server.requests] == ["/v1/items", "/v1/moved"]


def test_redirects_are_not_followed_unless_the_http_client_does(kit: Kit) -> None:
    h = kit(reply(302, headers={"Location": f"{OTHER_ORIGIN}/x"}))
    with pytest.raises(kit.rt.errors.APIStatusError):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 1


def test_too_many_redirects_is_a_connection_error(kit: Kit) -> None:
    h = kit(
        reply(302, headers={"Location": f"{BASE_URL}/again"}),
        http_client=redirecting_client(kit, lambda request: h.server(request), max_redirects=3),
    )
    with pytest.raises(kit.rt.errors.APIConnectionError, match="TooManyRedirects"):
        h.send(kit.endpoint())
    assert len(h.server.requests) == 4


def test_a_query_credential_is_masked_in_httpx_request_log(
    kit: Kit, caplog: pytest.LogCaptureFixture
) -> None:
    h = kit(schemes=schemes(kit.rt), credentials={"query_key": "s3cr3t/+key"})
    with caplog.at_level("INFO", logger="httpx"):
        h.send(kit.endpoint(security=({"QueryKey": ()},)))
    [request] = h.server.requests
    assert request.url.params["key"] == "s3cr3t/+key"  # sent as given
    logged = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert logged and all("key=%5Bredacted%5D" in line for line in logged), logged
    assert not any("s3cr3t" in line for line in logged)

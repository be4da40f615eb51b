"""Loopback OAuth2 authorization server and resource server, on two ports (two origins), for the auth tests.

    with OAuthServers() as servers:
        servers.reset(lifetime=1.0)            # tokens live one second
        token_url = servers.token_url          # POST: client_credentials and refresh_token grants
        base_url = servers.api_url             # the resource server
        ...
        assert servers.token_requests == 1

The authorization server issues tokens `at-1`, `at-2`... that expire `lifetime` seconds after it issued them,
checks the client's HTTP Basic credentials, and rotates refresh tokens. The resource server answers:

    GET  /items          needs a token with scope `read`
    POST /items          needs a token with scope `write`
    GET  /combo          needs a token with scope `read` and the API key in `X-API-Key`
    GET  /keyed          needs the API key in `X-API-Key` or a token with scope `read`
    GET  /open           needs nothing

with 401 for a missing, unknown or expired token (or key), 403 for a missing scope, and 200 `{"ok": true}` otherwise.
Every request is recorded with the token it carried and whether that token had expired.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

CLIENT_ID = "client-1"
CLIENT_SECRET = "cs-SECRET-4242"
API_KEY = "ak-SECRET-1717"
FIRST_REFRESH_TOKEN = "rt-SECRET-0"


@dataclass(frozen=True)
class Issued:
    token: str
    scopes: frozenset[str]
    expires_at: float  # time.monotonic()


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str
    scopes: tuple[str, ...]
    refresh_token: str | None
    at: float


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    token: str | None
    api_key: str | None
    expired: bool  # it carried a token the server had issued and that had expired
    status: int
    at: float


@dataclass
class _State:
    lifetime: float
    token_delay: float
    advertised: float | None = None  # the `expires_in` sent, when it is not the real lifetime
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: dict[str, Issued] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    refresh_token: str = FIRST_REFRESH_TOKEN
    token_requests: list[TokenRequest] = field(default_factory=list)
    api_requests: list[ApiRequest] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = (
        True  # headers and body are two writes: no 40 ms wait for a delayed ACK
    )
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


class _TokenHandler(_Handler):
    def do_POST(self) -> None:
        state = self.server.state
        form = dict(urllib.parse.parse_qsl(self._body().decode()))
        scopes = tuple(form.get("scope", "").split())
        grant = form.get("grant_type", "")
        with state.lock:
            state.token_requests.append(
                TokenRequest(grant, scopes, form.get("refresh_token"), time.monotonic())
            )
        if state.token_delay:
            time.sleep(state.token_delay)  # long enough for concurrent callers to pile up
        if self.path != "/oauth/token" or not self._client_authenticated():
            self._reply(401, {"error": "invalid_client"})
            return
        with state.lock:
            if grant == "refresh_token":
                if form.get("refresh_token") != state.refresh_token:
                    self._reply(400, {"error": "invalid_grant"})
                    return
                state.refresh_token = f"rt-SECRET-{len(state.token_requests)}"
            elif grant != "client_credentials":
                self._reply(400, {"error": "unsupported_grant_type"})
                return
            token = f"at-{len(state.issued) + 1}"
            state.issued[token] = Issued(
                token, frozenset(scopes), time.monotonic() + state.lifetime
            )
            body: dict[str, Any] = {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": state.lifetime if state.advertised is None else state.advertised,
            }
            if grant == "refresh_token":
                body["refresh_token"] = state.refresh_token
        self._reply(200, body)

    def _client_authenticated(self) -> bool:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {expected}"


# (scope of the token, what the API key adds: "" nothing, "and" needed too, "or" enough instead)
_NEEDS: dict[tuple[str, str], tuple[str | None, str]] = {
    ("GET", "/items"): ("read", ""),
    ("POST", "/items"): ("write", ""),
    ("GET", "/combo"): ("read", "and"),
    ("GET", "/keyed"): ("read", "or"),
    ("GET", "/open"): (None, ""),
}


class _ApiHandler(_Handler):
    def _answer(self) -> None:
        self._body()
        state = self.server.state
        now = time.monotonic()
        path = self.path.split("?", 1)[0]
        scope, key_rule = _NEEDS.get((self.command, path), (None, ""))
        authorization = self.headers.get("Authorization", "")
        token = (
            authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None
        )
        api_key = self.headers.get("X-API-Key")
        with state.lock:
            issued = state.issued.get(token or "")
            expired = issued is not None and now >= issued.expires_at
            if key_rule == "and" and api_key != API_KEY:
                status = 401
            elif scope is None or (key_rule == "or" and api_key == API_KEY):
                status = 200
            elif issued is None or expired or token in state.revoked:
                status = 401
            else:
                status = 200 if scope in issued.scopes else 403
            state.api_requests.append(
                ApiRequest(self.command, path, token, api_key, expired, status, now)
            )
        self._reply(status, {"ok": True} if status == 200 else {"error": "denied"})

    do_GET = do_POST = _answer


class OAuthServers:
    """An authorization server and a resource server on 127.0.0.1, sharing what was issued."""

    def __init__(self) -> None:
        self._state = _State(3600.0, 0.0)
        self._servers: list[tuple[_Server, threading.Thread]] = []

    def reset(
        self, *, lifetime: float = 3600.0, token_delay: float = 0.0, advertised: float | None = None
    ) -> None:
        """Forget every token and request; tokens issued from now on live `lifetime` seconds (the server says
        `advertised` seconds when given, as a server whose clock runs ahead would), and each token request is
        answered after `token_delay` seconds."""
        with self._state.lock:
            self._state.lifetime = lifetime
            self._state.advertised = advertised
            self._state.token_delay = token_delay
            self._state.issued.clear()
            self._state.revoked.clear()
            self._state.refresh_token = FIRST_REFRESH_TOKEN
            self._state.token_requests.clear()
            self._state.api_requests.clear()

    def __enter__(self) -> OAuthServers:
        for handler in (_TokenHandler, _ApiHandler):
            httpd = _Server(("127.0.0.1", 0), handler)
            httpd.state = self._state
            thread = threading.Thread(
                target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            self._servers.append((httpd, thread))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for httpd, thread in self._servers:
            httpd.shutdown()
            thread.join(timeout=5)
            httpd.server_close()
        self._servers.clear()

    def _url(self, index: int) -> str:
        host, port = self._servers[index][0].server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_url(self) -> str:
        return self._url(0) + "/oauth/token"

    @property
    def api_url(self) -> str:
        return self._url(1)

    def revoke(self, token: str) -> None:
        """Make the resource server refuse a token before it expires."""
        with self._state.lock:
            self._state.revoked.add(token)

    @property
    def refresh_token(self) -> str:
        """The refresh token the server accepts now (it rotates on every refresh)."""
        with self._state.lock:
            return self._state.refresh_token

    @property
    def token_requests(self) -> list[TokenRequest]:
        with self._state.lock:
            return list(self._state.token_requests)

    @property
    def api_requests(self) -> list[ApiRequest]:
        with self._state.lock:
            return list(self._state.api_requests)

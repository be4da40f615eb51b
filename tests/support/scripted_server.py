"""A real-socket loopback HTTP/1.1 server that answers from a script, for retry, timeout and error tests.

    with ScriptedServer() as server:
        server.enqueue(503, headers={"Retry-After": "0"}).enqueue(200, {"id": 1})
        client = make_client(server.base_url)
        ...
        assert [r.path for r in server.requests] == ["/pets/1", "/pets/1"]

Responses are served in the order they were queued, one per request, whatever the request was. A request that
finds the queue empty gets a 500 saying so; in `strict` mode (the default) leaving the block then also raises, so a
client that retries past the script cannot make a test pass by accident.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_STOP_TIMEOUT = 5.0
# Keep-alive connections idle this long are closed, so a client that never closes cannot pin a handler thread.
_IDLE_TIMEOUT = 30.0

JsonBody = dict[str, Any] | list[Any]


class Headers(Mapping[str, str]):
    """Request headers in arrival order, looked up case-insensitively; repeated fields are joined with ", "."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = list(items)
        self._values: dict[str, list[str]] = {}
        self._names: dict[str, str] = {}
        for name, value in self._items:
            key = name.lower()
            self._values.setdefault(key, []).append(value)
            self._names.setdefault(key, name)

    def __getitem__(self, name: str) -> str:
        return ", ".join(self._values[name.lower()])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def get_all(self, name: str) -> list[str]:
        """Every value of a repeated field, in order (empty if absent)."""
        return list(self._values.get(name.lower(), []))

    def raw(self) -> list[tuple[str, str]]:
        """The fields exactly as received, names in their original case."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # the raw request target: path plus "?query" exactly as sent, not decoded
    headers: Headers
    body: bytes
    received_at: (
        float  # time.monotonic() when the request head was read; compare to measure backoff
    )

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class _Scripted:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    delay: float
    drop_connection: bool


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    queue: deque[_Scripted] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    unscripted: list[str] = field(default_factory=list)
    closing: threading.Event = field(default_factory=threading.Event)
    connections: dict[socket.socket, threading.Thread] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # stop() joins the handler threads itself, with a time limit
    state: _State


class _Handler(BaseHTTPRequestHandler):
    protocol_version = (
        "HTTP/1.1"  # keep-alive, like a real API server; every response carries Content-Length
    )
    timeout = _IDLE_TIMEOUT
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.state.lock:
            self.server.state.connections[self.connection] = threading.current_thread()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client went away first; nothing to flush to
        finally:
            with self.server.state.lock:
                self.server.state.connections.pop(self.connection, None)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            # Client hung up (e.g. after its own read timeout) while we answered: expected in these tests.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; the recorded requests say what happened

    def _answer(self) -> None:
        received_at = time.monotonic()
        body = self._read_body()
        state = self.server.state
        with state.lock:
            state.requests.append(
                RecordedRequest(
                    self.command, self.path, Headers(list(self.headers.items())), body, received_at
                )
            )
            scripted = state.queue.popleft() if state.queue else None
            if scripted is None:
                state.unscripted.append(f"{self.command} {self.path}")
        if scripted is None:
            message = f"ScriptedServer: no scripted response left for {self.command} {self.path}\n".encode()
            scripted = _Scripted(
                500, message, (("Content-Type", "text/plain; charset=utf-8"),), 0.0, False
            )
        if scripted.delay > 0 and state.closing.wait(scripted.delay):
            self._drop()  # server is stopping: do not hold up stop() for the rest of the delay
            return
        if scripted.drop_connection:
            self._drop()
            return
        self.send_response(scripted.status)
        names = {name.lower() for name, _ in scripted.headers}
        for name, value in scripted.headers:
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(scripted.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(scripted.body)
        self.wfile.flush()

    def _drop(self) -> None:
        # An orderly close with no response: httpx reports "Server disconnected without sending a response."
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailer fields
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # CRLF after each chunk

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = _answer


class ScriptedServer:
    """Loopback HTTP/1.1 server answering queued responses in order; see the module docstring."""

    def __init__(self, *, strict: bool = True) -> None:
        self.strict = strict
        self._state = _State()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ScriptedServer:
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.state = self._state
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="scripted-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc_type is None and self.strict and self._state.unscripted:
            raise AssertionError(
                "ScriptedServer got requests after its script ran out: "
                + ", ".join(self._state.unscripted)
            )

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("ScriptedServer is not running; use it as a context manager")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def enqueue(
        self,
        status: int,
        body: bytes | str | JsonBody = b"",
        headers: Mapping[str, str] | None = None,
        *,
        delay: float = 0.0,
        drop_connection: bool = False,
    ) -> ScriptedServer:
        """Queue one response. dict/list bodies are sent as JSON, str as UTF-8 text, each with a matching
        Content-Type unless `headers` sets one. `delay` sleeps before answering (for read timeouts);
        `drop_connection` closes the connection without any response (for connection errors). Chainable."""
        header_items = list((headers or {}).items())
        has_type = any(name.lower() == "content-type" for name, _ in header_items)
        if isinstance(body, dict | list):
            payload = json.dumps(body).encode()
            default_type = "application/json"
        elif isinstance(body, str):
            payload = body.encode()
            default_type = "text/plain; charset=utf-8"
        else:
            payload = bytes(body)
            default_type = ""
        if default_type and not has_type:
            header_items.append(("Content-Type", default_type))
        with self._state.lock:
            self._state.queue.append(
                _Scripted(status, payload, tuple(header_items), delay, drop_connection)
            )
        return self

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received so far, in arrival order (a copy)."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def pending(self) -> int:
        """Queued responses not served yet."""
        with self._state.lock:
            return len(self._state.queue)

    def stop(self) -> None:
        """Stop serving, cut open connections and wait for handler threads. Idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._state.closing.set()
        httpd.shutdown()
        thread.join(timeout=_STOP_TIMEOUT)
        with self._state.lock:
            connections = dict(self._state.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(
                    socket.SHUT_RDWR
                )  # wakes handlers blocked reading an idle keep-alive connection
        for handler_thread in connections.values():
            handler_thread.join(timeout=_STOP_TIMEOUT)
        httpd.server_close()
        self._httpd = None
        self._thread = None

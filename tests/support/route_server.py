"""A real-socket loopback HTTP/1.1 server whose handlers write the response themselves, chunk by chunk.

For what `ScriptedServer` cannot script: streamed bodies (server-sent events, JSON Lines, a gigabyte generated on
the fly), a pause between two chunks, a connection dropped mid-body, a request body read as it arrives, and any
method (QUERY, LINK...).

    def events(exchange: Exchange) -> None:
        exchange.start(200, {"Content-Type": "text/event-stream"})
        exchange.chunk(b"data: hello\\n\\n")
        exchange.end()

    with RouteServer({("GET", "/events"): events}) as server:
        ...  # server.base_url; server.seen records what each handler saw

A handler that raises `OSError` met a client that went away; `disconnects` counts them (closing a stream early
must close the connection).
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_STOP_TIMEOUT = 5.0


@dataclass
class Exchange:
    """One request, for its handler: the request head, its body as a stream, and the response being written."""

    method: str
    target: str  # the raw request target, path plus "?query" exactly as sent
    headers: Mapping[str, str]
    _handler: BaseHTTPRequestHandler = field(repr=False)

    def body_chunks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """The request body as it arrives (Content-Length or chunked), never held whole."""
        rfile = self._handler.rfile
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            yield from _read(rfile, int(self.headers.get("Content-Length") or 0), size)
            return
        while length := int(rfile.readline().split(b";", 1)[0].strip() or b"0", 16):
            yield from _read(rfile, length, size)
            rfile.readline()  # the CRLF after each chunk
        while rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailer fields

    def body(self) -> bytes:
        return b"".join(self.body_chunks())

    def start(self, status: int, headers: Mapping[str, str], *, length: int | None = None) -> None:
        """Send the status and headers; the body is chunked unless its `length` is given."""
        self._handler.send_response(status)
        for name, value in headers.items():
            self._handler.send_header(name, value)
        if length is None:
            self._handler.send_header("Transfer-Encoding", "chunked")
        else:
            self._handler.send_header("Content-Length", str(length))
        self._handler.end_headers()
        self._chunked = length is None

    def chunk(self, data: bytes) -> None:
        """Write part of the body and flush it, so the client sees it now."""
        wfile = self._handler.wfile
        if self._chunked:
            wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        else:
            wfile.write(data)
        wfile.flush()

    def end(self) -> None:
        if self._chunked:
            self._handler.wfile.write(b"0\r\n\r\n")
        self._handler.wfile.flush()

    def send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.start(status, {"Content-Type": content_type}, length=len(body))
        self.chunk(body)

    def drop(self) -> None:
        """Close the connection without finishing the body: the client sees a truncated response."""
        self._handler.close_connection = True
        with contextlib.suppress(OSError):
            self._handler.connection.shutdown(socket.SHUT_RDWR)

    _chunked: bool = False


def _read(rfile: io.BufferedIOBase, count: int, size: int) -> Iterator[bytes]:
    while count:
        data = rfile.read(min(size, count))
        if not data:
            raise OSError("the client stopped sending mid-body")
        count -= len(data)
        yield data


Handler = Callable[[Exchange], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: Mapping[tuple[str, str], Handler]
    owner: RouteServer


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30.0
    server: _Server

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        # Every method is routed: do_QUERY, do_LINK... as well as the usual ones.
        if name.startswith("do_"):
            return self._route
        raise AttributeError(name)

    def _route(self) -> None:
        path = self.path.split("?", 1)[0]
        handler = self.server.routes.get((self.command, path))
        exchange = Exchange(self.command, self.path, dict(self.headers.items()), self)
        owner = self.server.owner
        if handler is None:
            exchange.send(404, f"no route for {self.command} {path}".encode(), "text/plain")
            return
        try:
            handler(exchange)
        except OSError:
            self.close_connection = True
            with owner.lock:
                owner.disconnects += 1
        except Exception as error:  # a failing handler must fail the test, not hang the client
            with owner.lock:
                owner.errors.append(f"{self.command} {path}: {type(error).__name__}: {error}")
            exchange.drop()


class RouteServer:
    def __init__(self, routes: Mapping[tuple[str, str], Handler]) -> None:
        self.routes = routes
        self.lock = threading.Lock()
        self.disconnects = 0
        self.errors: list[str] = []
        self.seen: dict[str, Any] = {}  # what handlers want the test to check
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> RouteServer:
        server = _Server(("127.0.0.1", 0), _RequestHandler)
        server.routes = self.routes
        server.owner = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(_STOP_TIMEOUT)
        if exc_type is None and self.errors:
            raise AssertionError("handler errors: " + "; ".join(self.errors))

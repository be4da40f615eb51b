"""The client generated from tests/golden/v32.yaml (OpenAPI 3.2), type-checked and run against loopback servers
on real sockets: QUERY with its body, a method from `additionalOperations`, a whole `in: querystring`."""

from __future__ import annotations

import asyncio
import datetime
import email.parser
import email.policy
import hashlib
import itertools
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from email.message import Message
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.generated_package import assert_type_checks
from support.route_server import Exchange, Handler, RouteServer

CHAT = {"prompt": "hi"}


@pytest.mark.slow
def test_the_generated_client_type_checks(v32: ModuleType) -> None:
    directory = Path(v32.__file__ or "").parent
    assert_type_checks(directory)


def call(v32: ModuleType, mode: str, name: str, base_url: str, /, **kwargs: Any) -> Any:
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


BLOCKS = [
    {"kind": "text", "text": "Hello"},
    {"kind": "image", "url": "https://example.test/a.png"},
    {"kind": "video", "url": "https://example.test/a.mp4", "seconds": 3},
    {"url": "https://example.test/b.png"},
]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_discriminator_values_not_mapped_decode_to_the_default_mapping(
    v32: ModuleType, mode: str
) -> None:
    """The 3.2 `defaultMapping` takes a kind the API added later, and an object without a kind."""

    def documents(exchange: Exchange) -> None:
        exchange.send(200, json.dumps([{"id": "d1", "title": "One", "blocks": BLOCKS}]).encode())

    with RouteServer({("GET", "/documents"): documents}) as running:
        [document] = call(v32, mode, "list_documents", running.base_url)
    kinds = [type(block).__name__ for block in document.blocks]
    assert kinds == ["TextBlock", "ImageBlock", "GenericBlock", "GenericBlock"]
    assert v32.drift(document) == ()
    assert document.to_dict()["blocks"] == BLOCKS  # the unmapped fields kept, written back in place


# --- streams ---------------------------------------------------------------------------------------------------------


def take(
    v32: ModuleType,
    mode: str,
    name: str,
    base_url: str,
    /,
    *,
    limit: int | None = None,
    timeout: float = 5.0,
    **kwargs: Any,
) -> list[Any]:
    """The items of the stream `api.<name>` returns (sync) or `api.<name>_async` (async), the first `limit` of
    them when given, leaving the stream's `with` block after the last one."""
    if mode == "sync":
        with (
            v32.Client(base_url, timeout=timeout, max_retries=0) as client,
            getattr(v32.api, name)(client, **kwargs) as stream,
        ):
            return list(itertools.islice(stream, limit))

    async def run() -> list[Any]:
        async with (
            v32.AsyncClient(base_url, timeout=timeout, max_retries=0) as client,
            await getattr(v32.api, f"{name}_async")(client, **kwargs) as stream,
        ):
            items: list[Any] = []
            async for item in stream:
                items.append(item)
                if len(items) == limit:
                    break
            return items

    return asyncio.run(run())


def sse(*lines: str) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def chat(exchange: Exchange) -> None:
    """Typed events with ids, a comment, multi-line data, and pauses longer than the client's read timeout
    would allow for the whole stream (but not between two events)."""
    assert json.loads(exchange.body()) == {"prompt": "hi"}
    assert exchange.headers.get("Accept") == "text/event-stream"
    exchange.start(200, {"Content-Type": "text/event-stream; charset=utf-8"})
    exchange.chunk(sse(": keep-alive", ""))
    exchange.chunk(sse("event: token", "id: 1", 'data: {"text": "Hel"}', ""))
    time.sleep(0.4)
    exchange.chunk(sse("event: token", "id: 2", 'data: {"text": "lo"}', ""))
    time.sleep(0.4)
    exchange.chunk(sse("data: a note", "data: on two lines", "retry: 3000", ""))
    time.sleep(0.4)
    exchange.chunk(sse("event: done", 'data: {"tokens": 2}', ""))
    exchange.end()


def endless(exchange: Exchange) -> None:
    """Events until the client hangs up (a handler's OSError counts as a disconnect)."""
    exchange.body()
    exchange.start(200, {"Content-Type": "text/event-stream"})
    for n in range(10_000):
        exchange.chunk(sse("event: token", f'data: {{"text": "{n}"}}', ""))
        time.sleep(0.01)
    exchange.end()


def dropped(exchange: Exchange) -> None:
    exchange.body()
    exchange.start(200, {"Content-Type": "text/event-stream"})
    exchange.chunk(sse("event: token", 'data: {"text": "a"}', "", "event: token"))
    exchange.chunk(sse('data: {"text": "b"}', "", "event: token", 'data: {"text": "c'))
    exchange.drop()


def stalled(exchange: Exchange) -> None:
    exchange.body()
    exchange.start(200, {"Content-Type": "text/event-stream"})
    exchange.chunk(sse("event: token", 'data: {"text": "a"}', ""))
    time.sleep(1.5)


def rate_limited(exchange: Exchange) -> None:
    exchange.body()
    exchange.send(429, b'{"message": "slow down"}')


def logs(exchange: Exchange) -> None:
    assert exchange.target == "/logs?level=info"
    exchange.start(200, {"Content-Type": "application/jsonl"})
    exchange.chunk(b'{"level": "info", "message": "started"}\n{"level": "err')
    exchange.chunk(
        b'or", "message": "failed"}\n\n{"level": "info", "message": "restarted", "pid": 7}\n'
    )
    exchange.end()


def metrics(exchange: Exchange) -> None:
    exchange.start(200, {"Content-Type": "application/json-seq"})
    exchange.chunk(b'\x1e{"name": "cpu", "value": 0.5}\n\x1e{"name": "mem", "value": 12}\n')
    exchange.end()


def notifications(exchange: Exchange) -> None:
    exchange.start(200, {"Content-Type": "text/event-stream"})
    exchange.chunk(b'\xef\xbb\xbfid: n1\r\ndata: {"raw": true}\r\n\r\nevent: ping\rdata:\r\r')
    exchange.end()


def stream_server(route: tuple[str, str], handler: Handler) -> RouteServer:
    return RouteServer({route: handler})


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_events_arrive_typed_by_event_name(v32: ModuleType, mode: str) -> None:
    Event = v32._streaming.ServerSentEvent
    with stream_server(("POST", "/chat"), chat) as server:
        # 1.2 s of pauses in all, each shorter than the 1 s read timeout: it bounds the wait between events.
        items = take(v32, mode, "stream_chat", server.base_url, timeout=1.0, body=CHAT)
    assert items == [
        Event(v32.models.Token(text="Hel"), "token", "1", None),
        Event(v32.models.Token(text="lo"), "token", "2", None),
        Event("a note\non two lines", "message", "2", 3000),
        Event(v32.models.Usage(tokens=2), "done", "2", None),
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_leaving_a_stream_early_closes_the_connection(v32: ModuleType, mode: str) -> None:
    with stream_server(("POST", "/chat"), endless) as server:
        items = take(v32, mode, "stream_chat", server.base_url, limit=3, body=CHAT)
        assert [item.data.text for item in items] == ["0", "1", "2"]
        deadline = time.monotonic() + 5
        while server.disconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (
            server.disconnects == 1
        )  # the server saw the client hang up long before its 10 000 events


def identified_logs(exchange: Exchange) -> None:
    exchange.start(200, {"Content-Type": "application/jsonl", "X-Request-Id": "req-7"})
    exchange.chunk(b'{"level": "info", "message": "one"}\n{"level": "info", "message": 2}\n')
    exchange.end()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_raw_stream_variants_give_status_and_headers_before_the_items(
    v32: ModuleType, mode: str
) -> None:
    """`op_raw` returns the `ApiResponse` as soon as the head arrived; `parsed` is the unread stream."""

    async def read_async(base_url: str) -> tuple[Any, list[Any]]:
        async with v32.AsyncClient(base_url) as client:
            raw = await v32.api.tail_logs_raw_async(client)
            async with raw.parsed as stream:
                return raw, [item async for item in stream]

    with stream_server(("GET", "/logs"), identified_logs) as server:
        if mode == "sync":
            with v32.Client(server.base_url) as client:
                raw = v32.api.tail_logs_raw(client)
                assert isinstance(raw, v32.ApiResponse)
                assert raw.parsed.delivered == 0  # nothing read before the caller iterates
                with raw.parsed as stream:
                    items = list(stream)
        else:
            raw, items = asyncio.run(read_async(server.base_url))
    assert (raw.status_code, raw.request_id, raw.headers["content-type"]) == (
        200,
        "req-7",
        "application/jsonl",
    )
    assert [item.message for item in items] == ["one", 2]
    assert raw.drift == ()  # per item, on the stream
    assert [(index, place.path) for index, place in raw.parsed.drift] == [(1, "$.message")]
    assert raw.http_response.is_closed


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_connection_dropped_mid_stream_says_how_many_items_arrived(
    v32: ModuleType, mode: str
) -> None:
    delivered: list[Any] = []

    def collect(base_url: str) -> None:
        if mode == "sync":
            with v32.Client(base_url, max_retries=0) as client:
                for item in v32.api.stream_chat(client, body=CHAT):
                    delivered.append(item)
            return

        async def run() -> None:
            async with v32.AsyncClient(base_url, max_retries=0) as client:
                async for item in await v32.api.stream_chat_async(client, body=CHAT):
                    delivered.append(item)

        asyncio.run(run())

    with (
        stream_server(("POST", "/chat"), dropped) as server,
        pytest.raises(v32.StreamError) as caught,
    ):
        collect(server.base_url)
    assert [item.data.text for item in delivered] == ["a", "b"]
    assert caught.value.delivered == 2
    assert "stream_chat: the text/event-stream stream failed after 2 items" in str(caught.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_read_timeout_between_events_is_a_stream_error(v32: ModuleType, mode: str) -> None:
    with (
        stream_server(("POST", "/chat"), stalled) as server,
        pytest.raises(v32.StreamError, match="after 1 item: ReadTimeout") as caught,
    ):
        take(v32, mode, "stream_chat", server.base_url, timeout=0.3, body=CHAT)
    assert caught.value.delivered == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_error_status_raises_before_streaming(v32: ModuleType, mode: str) -> None:
    with (
        stream_server(("POST", "/chat"), rate_limited) as server,
        pytest.raises(v32.RateLimitError) as caught,
    ):
        take(v32, mode, "stream_chat", server.base_url, body=CHAT)
    assert caught.value.body == v32.models.Error(message="slow down")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_json_lines_decode_one_item_per_line(v32: ModuleType, mode: str) -> None:
    with stream_server(("GET", "/logs"), logs) as server:
        items = take(v32, mode, "tail_logs", server.base_url, level="info")
    assert [(item.level, item.message) for item in items] == [
        (v32.models.LogRecordLevel.INFO, "started"),
        (v32.models.LogRecordLevel.ERROR, "failed"),
        (v32.models.LogRecordLevel.INFO, "restarted"),
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_json_text_sequences_decode_one_item_per_record(v32: ModuleType, mode: str) -> None:
    with stream_server(("GET", "/metrics"), metrics) as server:
        items = take(v32, mode, "read_metrics", server.base_url)
    assert [(item.name, item.value) for item in items] == [("cpu", 0.5), ("mem", 12)]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_events_without_item_schema_keep_their_raw_data(v32: ModuleType, mode: str) -> None:
    Event = v32._streaming.ServerSentEvent
    with stream_server(("GET", "/notifications"), notifications) as server:
        items = take(v32, mode, "watch_notifications", server.base_url)
    assert items == [Event('{"raw": true}', "message", "n1", None), Event("", "ping", "n1", None)]


# --- JSON sequence request bodies -------------------------------------------------------------------------------


class RecordReceiver:
    """Receives a JSON Lines (or JSON text sequence) body record by record, as it arrives, and lets a producer wait until the server has
    some number of records: the producer proves that each item is sent before the next one is asked for."""

    def __init__(self) -> None:
        self.records: list[Any] = []
        self.head: dict[str, str] = {}
        self._arrived = threading.Condition()

    def handler(self, exchange: Exchange) -> None:
        self.head = {name.lower(): value for name, value in exchange.headers.items()}
        tail = b""
        for chunk in exchange.body_chunks():
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            with self._arrived:
                self.records += [json.loads(line.removeprefix(b"\x1e")) for line in lines]
                self._arrived.notify_all()
        assert tail == b""
        exchange.send(202, json.dumps({"size": len(self.records), "sha256": "-"}).encode())

    def wait_for(self, count: int) -> None:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.records) >= count, timeout=5), (
                f"the server has {len(self.records)} records, not {count}: the body is not streamed"
            )


RECORDS = 200


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_json_lines_body_is_sent_one_record_at_a_time(v32: ModuleType, mode: str) -> None:
    receiver = RecordReceiver()
    LogRecord, Level = v32.models.LogRecord, v32.models.LogRecordLevel

    def record(n: int) -> Any:
        return LogRecord(level=Level.INFO, message=f"line {n}\nwith a break")

    def produce() -> Iterator[Any]:
        for n in range(RECORDS):
            receiver.wait_for(n)  # every earlier record is on the server before this one is made
            yield record(n)

    async def produce_async() -> AsyncIterator[Any]:
        for n in range(RECORDS):
            await asyncio.to_thread(receiver.wait_for, n)
            yield record(n)

    with RouteServer({("POST", "/logs"): receiver.handler}) as server:
        if mode == "sync":
            with v32.Client(server.base_url) as client:
                stored = v32.api.ingest_logs(client, body=produce())
        else:

            async def run() -> Any:
                async with v32.AsyncClient(server.base_url) as client:
                    return await v32.api.ingest_logs_async(client, body=produce_async())

            stored = asyncio.run(run())
    assert stored.size == RECORDS
    assert receiver.records == [
        {"level": "info", "message": f"line {n}\nwith a break"} for n in range(RECORDS)
    ]
    assert receiver.head["content-type"] == "application/x-ndjson"
    assert receiver.head["transfer-encoding"] == "chunked"
    assert "content-length" not in receiver.head


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_json_text_sequence_body_frames_each_record(v32: ModuleType, mode: str) -> None:
    """RFC 7464: RS, the JSON text, LF; a list of items (it could be sent again on a retry)."""

    def recorded(exchange: Exchange) -> None:
        RECEIVED.append({"type": exchange.headers["Content-Type"], "body": exchange.body()})
        exchange.start(204, {}, length=0)
        exchange.end()

    RECEIVED.clear()
    Measurement = v32.models.Measurement
    items = [Measurement(name="cpu", value=0.5), Measurement(name="mem", value=12)]
    with RouteServer({("POST", "/metrics"): recorded}) as server:
        assert call(v32, mode, "record_metrics", server.base_url, body=items) is None
    assert RECEIVED == [
        {
            "type": "application/json-seq",
            "body": b'\x1e{"name":"cpu","value":0.5}\n\x1e{"name":"mem","value":12}\n',
        }
    ]


def test_an_item_of_the_wrong_type_names_its_index(v32: ModuleType) -> None:
    receiver = RecordReceiver()
    items = [v32.models.Measurement(name="cpu", value=0.5), v32.models.Measurement(name=7, value=1)]
    with (
        RouteServer({("POST", "/metrics"): receiver.handler}) as server,
        v32.Client(server.base_url, max_retries=0) as client,
        pytest.raises(v32.EncodeError, match=r"^\$\[1\]\.name: expected a string, got an integer"),
    ):
        v32.api.record_metrics(client, body=items)


def test_the_sync_client_refuses_an_async_iterable(v32: ModuleType) -> None:
    async def items() -> AsyncIterator[Any]:
        yield v32.models.Measurement(name="cpu", value=0.5)

    with (
        RouteServer({}) as server,
        v32.Client(server.base_url, max_retries=0) as client,
        pytest.raises(TypeError, match="only be sent by the async client"),
    ):
        v32.api.record_metrics(client, body=items())


# --- files -----------------------------------------------------------------------------------------------------------

GIGABYTE = 1 << 30
BLOCK = bytes(range(256)) * 4096  # 1 MiB
PROBE = Path(__file__).resolve().parents[1] / "support" / "transfer_probe.py"


def parts(content_type: str, body: bytes) -> list[Message]:
    """The parts of a multipart/form-data body, parsed by the standard library's MIME parser."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    return list(message.iter_parts())


def small_file(exchange: Exchange) -> None:
    exchange.start(200, {"Content-Type": "application/octet-stream"})
    for piece in (b"\x00\x01", b"\xff" * 70_000, b"end"):
        exchange.chunk(piece)
    exchange.end()


SMALL = b"\x00\x01" + b"\xff" * 70_000 + b"end"


def big_file(exchange: Exchange) -> None:
    exchange.start(200, {"Content-Type": "application/octet-stream"}, length=GIGABYTE)
    for _ in range(GIGABYTE // len(BLOCK)):
        exchange.chunk(BLOCK)


def receive_upload(server: RouteServer) -> Handler:
    """Hashes the `attachment` part as it arrives, holding only the last 64 KiB; checks the other parts."""

    def handler(exchange: Exchange) -> None:
        boundary = exchange.headers["Content-Type"].split("boundary=", 1)[1].encode()
        chunks = exchange.body_chunks()
        head = b""
        while b"\r\n\r\n" not in head:
            head += next(chunks)
        part_head, tail = head.split(b"\r\n\r\n", 1)
        digest, size = hashlib.sha256(), 0
        for chunk in chunks:
            tail += chunk
            if len(tail) > 1 << 17:
                digest.update(tail[: -(1 << 16)])
                size += len(tail) - (1 << 16)
                tail = tail[-(1 << 16) :]
        content, rest = tail.split(b"\r\n--" + boundary, 1)
        digest.update(content)
        server.seen["attachment head"] = part_head
        server.seen["rest"] = rest
        stored = {"size": size + len(content), "sha256": digest.hexdigest()}
        exchange.send(201, json.dumps(stored).encode())

    return handler


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_binary_body_comes_as_bytes_and_as_chunks(
    v32: ModuleType, mode: str, tmp_path: Path
) -> None:
    with stream_server(("GET", "/files/f"), small_file) as server:
        assert call(v32, mode, "download_file", server.base_url, name="f") == SMALL
        chunks = take(v32, mode, "download_file_stream", server.base_url, name="f")
        assert b"".join(chunks) == SMALL
        target = tmp_path / "saved.bin"
        if mode == "sync":
            with v32.Client(server.base_url) as client:
                written = v32.api.download_file_stream(client, name="f").write_to(target)
        else:

            async def save() -> int:
                async with v32.AsyncClient(server.base_url) as client:
                    stream = await v32.api.download_file_stream_async(client, name="f")
                    return int(await stream.write_to(target))

            written = asyncio.run(save())
    assert (written, target.read_bytes()) == (len(SMALL), SMALL)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_multipart_upload_sends_every_part_with_its_headers(
    v32: ModuleType, mode: str, tmp_path: Path
) -> None:
    received: list[tuple[str, bytes]] = []

    def receive(exchange: Exchange) -> None:
        received.append((exchange.headers["Content-Type"], exchange.body()))
        exchange.send(201, b'{"size": 0, "sha256": ""}')

    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n--not a boundary\r\n" + bytes(range(256)))
    body = v32.models.Upload(
        attachment=v32.File(picture), description="ca\u0308t \r\n", tags=["a", "b"]
    )
    with stream_server(("PUT", "/files/cat"), receive) as server:
        call(v32, mode, "upload_file", server.base_url, name="cat", body=body)
    [(content_type, raw)] = received
    found = [
        (part.get_param("name", header="content-disposition"), part.get_filename(), part)
        for part in parts(content_type, raw)
    ]
    assert [(name, filename) for name, filename, _ in found] == [
        ("attachment", "cat.png"),
        ("description", None),
        ("tags", None),
        ("tags", None),
    ]
    attachment = found[0][2]
    assert attachment.get_content_type() == "image/png"  # the spec's `encoding` for the part
    assert attachment.get_payload(decode=True) == picture.read_bytes()
    assert [part.get_payload(decode=True) for _, _, part in found[1:]] == [
        "ca\u0308t \r\n".encode(),
        b"a",
        b"b",
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_positional_parts_follow_prefix_and_item_encoding(
    v32: ModuleType, mode: str, tmp_path: Path
) -> None:
    """3.2 `prefixEncoding` types the first parts of a `multipart/mixed` array body by position,
    `itemEncoding` the rest; fixed header values come from the spec, the others from each `File`."""
    received: list[tuple[str, bytes]] = []

    def receive(exchange: Exchange) -> None:
        received.append((exchange.headers["Content-Type"], exchange.body()))
        exchange.start(204, {}, length=0)
        exchange.end()

    figure = tmp_path / "fig1.png"
    figure.write_bytes(b"\x89PNG\r\n--not a boundary\r\n" + bytes(range(256)))
    body = [
        {"title": "Q3", "pages": 2},
        "a,b\r\n1,2\r\n",
        v32.File(figure, headers={"Content-ID": "<fig1>"}),
        v32.File(b"\x89PNG2", headers={"Content-ID": "<fig2>", "X-Part": "cover"}),
    ]
    with stream_server(("POST", "/reports"), receive) as server:
        assert call(v32, mode, "submit_report", server.base_url, body=body) is None
    [(content_type, raw)] = received
    assert content_type.startswith("multipart/mixed; boundary=")
    found = [
        (
            part.get_content_type(),
            part["X-Part"],
            part["Content-ID"],
            part["Content-Disposition"],
            part.get_payload(decode=True),
        )
        for part in parts(content_type, raw)
    ]
    assert found == [
        ("application/json", "summary", None, None, b'{"title":"Q3","pages":2}'),
        ("text/csv", None, None, None, b"a,b\r\n1,2\r\n"),
        ("image/png", "figure", "<fig1>", 'attachment; filename="fig1.png"', figure.read_bytes()),
        ("image/png", "cover", "<fig2>", None, b"\x89PNG2"),  # the File's own header wins
    ]


def probe(v32: ModuleType, server: RouteServer, *args: str) -> dict[str, Any]:
    root = Path(v32.__file__ or "").parent.parent
    command = [sys.executable, str(PROBE), str(root), v32.__name__, server.base_url, *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_gigabyte_download_streams_in_bounded_memory(v32: ModuleType, mode: str) -> None:
    expected = hashlib.sha256()
    for _ in range(GIGABYTE // len(BLOCK)):
        expected.update(BLOCK)
    with stream_server(("GET", "/files/big"), big_file) as server:
        result = probe(v32, server, "download", mode)
    print(f"1 GiB download ({mode}): peak RSS {result['peak_rss_mb']:.0f} MB")
    assert (result["size"], result["sha256"]) == (GIGABYTE, expected.hexdigest())
    assert result["peak_rss_mb"] < 100


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_100_mb_upload_streams_from_disk_in_bounded_memory(
    v32: ModuleType, mode: str, tmp_path: Path
) -> None:
    file, expected = tmp_path / "big.bin", hashlib.sha256()
    with file.open("wb") as out:
        for index in range(100):
            block = hashlib.sha256(str(index).encode()).digest() * (len(BLOCK) // 32)
            expected.update(block)
            out.write(block)
    server = RouteServer({})
    server.routes = {("PUT", "/files/big"): receive_upload(server)}
    with server:
        result = probe(v32, server, "upload", mode, str(file))
    print(f"100 MiB upload ({mode}): peak RSS {result['peak_rss_mb']:.0f} MB")
    assert (result["size"], result["sha256"]) == (100 * len(BLOCK), expected.hexdigest())
    assert server.seen["attachment head"].endswith(b"Content-Type: application/octet-stream")
    assert b'name="description"\r\n\r\na big one\r\n' in server.seen["rest"]
    assert result["peak_rss_mb"] < 100


# --- servers ---------------------------------------------------------------------------------------------------------


def test_environments_and_server_variables_choose_the_base_url(v32: ModuleType) -> None:
    assert v32.DEFAULT_BASE_URL == "https://eu.api.example.test/v1"
    with v32.Client() as client:
        assert client.base_url == "https://eu.api.example.test/v1"
    with v32.Client(region="us", version="v3") as client:
        assert client.base_url == "https://us.api.example.test/v3"
    # The sandbox has no region, and its own default version when none is given.
    with v32.Client(environment="sandbox_test_data", region="us") as client:
        assert client.base_url == "https://sandbox.example.test/v2"
    with v32.Client("http://127.0.0.1:9/api", environment="sandbox_test_data") as client:
        assert client.base_url == "http://127.0.0.1:9/api"


def drifting_logs(exchange: Exchange) -> None:
    exchange.start(200, {"Content-Type": "application/jsonl"})
    exchange.chunk(b'{"level": "info", "message": "ok"}\n{"level": "info", "message": 5}\n')
    exchange.end()


def test_items_that_differ_from_the_spec_are_kept_and_reported_per_item(v32: ModuleType) -> None:
    with stream_server(("GET", "/logs"), drifting_logs) as server:
        with v32.Client(server.base_url) as client, v32.api.tail_logs(client) as stream:
            items = list(stream)
            drift = stream.drift
        assert [item.message for item in items] == ["ok", 5]  # the raw value, kept
        assert [(index, place.path, place.arrived) for index, place in drift] == [
            (1, "$.message", "an integer")
        ]
        with (
            v32.Client(server.base_url, strict=True) as client,
            pytest.raises(v32.StreamError, match="after 1 item: item 1 does not match the spec"),
        ):
            list(v32.api.tail_logs(client))

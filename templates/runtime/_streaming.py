"""Streamed response bodies: server-sent events, JSON Lines / NDJSON, JSON text sequences and raw byte chunks.

An operation whose success response is a stream returns a `Stream[T]` (`AsyncStream[T]` from its `_async` twin): an
iterator of decoded items read as they arrive, never holding the whole body. The connection is closed when the
stream is exhausted, when it fails, or when the caller leaves early through `close()` or the `with` block.

Items decode like response bodies: leniently, unless the client is strict. Where an item differs from the spec
the raw value is kept, the place is logged once per operation, and `drift` lists (item index, place).

The client's read timeout applies to each read from the socket, so it bounds the wait between two chunks of the
stream, never the whole stream. A failure after the response started (the connection drops, a read times out, a
record is not JSON, or a strict client meets an item that does not match the spec) raises `StreamError`, whose
`delivered` says how many items the caller received.

Server-sent events are parsed by the WHATWG rules (html.spec.whatwg.org, "Parsing an event stream"): UTF-8 with an
optional BOM, lines ended by CRLF, LF or CR, `:` comments, `data` lines joined by LF, `event`, `id` (the last one
seen is kept, as `lastEventId` is) and `retry`; an event without data, and an unfinished one at the end of the
stream, are not dispatched. An OpenAPI 3.2 `itemSchema` types each event's `data`: decoded from JSON when it has a
JSON `contentSchema`, chosen by event name when the schema's `oneOf` names event kinds.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Generic, Self, TypeVar

import httpx

from . import _codec
from ._codec import DecodeError, Drift, TypeLike
from ._http import ApiResponse, log_drift
from .errors import StreamError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# --- Items ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerSentEvent(Generic[T_co]):
    """One event: its decoded `data`, its `event` name ("message" when the server gives none), the last event `id`
    seen so far (None before any), and the `retry` delay in ms this event asked for, if any."""

    data: T_co
    event: str = "message"
    id: str | None = None
    retry: int | None = None


# --- Framing: bytes in, records out --------------------------------------------------------------------------------


class _Framer:
    """Cuts a byte stream into records. `feed` takes the next chunk, `end` the end of the stream; both return the
    records completed so far (raw JSON text, or raw events)."""

    def feed(self, chunk: bytes) -> list[object]:
        raise NotImplementedError

    def end(self) -> list[object]:
        return []


class _EventFramer(_Framer):
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._started = False
        self._tail = ""  # the start of a line whose end has not arrived
        self._skip_lf = (
            False  # the last chunk ended with CR: an LF starting the next one belongs to it
        )
        self._data: list[str] = []
        self._event = ""
        self._retry: int | None = None
        self._last_id: str | None = None

    def feed(self, chunk: bytes) -> list[object]:
        return self._text(self._decoder.decode(chunk))

    def end(self) -> list[object]:
        return self._text(self._decoder.decode(b"", final=True))  # an unfinished event is dropped

    def _text(self, text: str) -> list[object]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._skip_lf and text:
            text = text.removeprefix("\n")
            self._skip_lf = False
        if not text:
            return []
        lines = _LINE_BREAK.split(self._tail + text)
        self._tail = lines.pop()
        self._skip_lf = text.endswith("\r")
        events: list[object] = []
        for line in lines:
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent[str] | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon:
            value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent[str] | None:
        data, event, retry = self._data, self._event, self._retry
        self._data, self._event, self._retry = [], "", None
        if not data:
            return None
        return ServerSentEvent("\n".join(data), event or "message", self._last_id, retry)


class _LineFramer(_Framer):
    """JSON Lines and NDJSON: one JSON text per LF-ended line (a CR before the LF and blank lines ignored);
    JSON text sequences (RFC 7464): records that start with RS (0x1E)."""

    def __init__(self, separator: bytes) -> None:
        self._separator = separator
        self._tail = b""

    def feed(self, chunk: bytes) -> list[object]:
        records = (self._tail + chunk).split(self._separator)
        self._tail = records.pop()
        return [record for record in map(bytes.strip, records) if record]

    def end(self) -> list[object]:
        record, self._tail = self._tail.strip(), b""
        return [record] if record else []


class _ChunkFramer(_Framer):
    def feed(self, chunk: bytes) -> list[object]:
        return [chunk] if chunk else []


# --- Formats: framing plus item decoding ---------------------------------------------------------------------------


# A record (or an event's data) and whether to decode strictly -> the item and where it differs from the spec.
Reader = Callable[[Any, bool], tuple[T, tuple[Drift, ...]]]


@dataclass(frozen=True, slots=True)
class StreamFormat(Generic[T]):
    """How a stream's body is cut into records, and each record read into an item."""

    kind: str
    framer: Callable[[], _Framer]
    read: Reader[T]


def json_data(kind: TypeLike[T]) -> Reader[T]:
    """An event's `data` holds JSON (`contentMediaType: application/json`) of the type `kind`."""
    return _json(kind, "the data")


def text_data(text: str, strict: bool) -> tuple[str, tuple[Drift, ...]]:
    """An event's `data` as the text it is."""
    return text, ()


def events(
    data: Reader[T], by_event: Mapping[str, Reader[T]] | None = None
) -> StreamFormat[ServerSentEvent[T]]:
    """`text/event-stream`: each event's data read by `by_event[event name]`, else by `data`."""
    readers = by_event or {}

    def read(
        event: ServerSentEvent[str], strict: bool
    ) -> tuple[ServerSentEvent[T], tuple[Drift, ...]]:
        value, drift = readers.get(event.event, data)(event.data, strict)
        return ServerSentEvent(value, event.event, event.id, event.retry), drift

    return StreamFormat("text/event-stream", _EventFramer, read)


def json_lines(kind: TypeLike[T]) -> StreamFormat[T]:
    """`application/jsonl`, `application/x-ndjson`: one item of type `kind` per line."""
    return StreamFormat("application/jsonl", lambda: _LineFramer(b"\n"), _json(kind, "the line"))


def json_seq(kind: TypeLike[T]) -> StreamFormat[T]:
    """`application/json-seq` (RFC 7464): one item of type `kind` per record."""
    return StreamFormat(
        "application/json-seq", lambda: _LineFramer(b"\x1e"), _json(kind, "the record")
    )


def _json(kind: TypeLike[T], what: str) -> Reader[T]:
    def read(text: str | bytes, strict: bool) -> tuple[T, tuple[Drift, ...]]:
        try:
            value = json.loads(text)
        except ValueError:
            raise DecodeError("$", f"{what} is not valid JSON") from None
        return _codec.decode(kind, value, strict=strict)

    return read


def _chunk(chunk: bytes, strict: bool) -> tuple[bytes, tuple[Drift, ...]]:
    return chunk, ()


CHUNKS: StreamFormat[bytes] = StreamFormat("bytes", _ChunkFramer, _chunk)


# --- Streams -------------------------------------------------------------------------------------------------------


class _StreamBase(Generic[T]):
    def __init__(
        self, response: httpx.Response, format: StreamFormat[T], name: str, *, strict: bool = False
    ) -> None:
        self.response = response
        self.delivered = 0  # items handed to the caller so far
        # (item index, place): where lenient decoding kept a raw value, as `ApiResponse.drift` says for bodies.
        self.drift: list[tuple[int, Drift]] = []
        self._format = format
        self._name = name
        self._strict = strict
        self._framer = format.framer()

    def _decode(self, records: list[Any]) -> Iterator[T]:
        for record in records:
            try:
                item, drift = self._format.read(record, self._strict)
            except DecodeError as error:
                raise self._error(
                    f"item {self.delivered} does not match the spec at {error.path}: {error.message}"
                ) from error
            if drift:
                log_drift(self._name, drift)
                self.drift += [(self.delivered, place) for place in drift]
            self.delivered += 1
            yield item

    def _error(self, reason: str) -> StreamError:
        plural = "" if self.delivered == 1 else "s"
        return StreamError(
            f"{self._name}: the {self._format.kind} stream failed after {self.delivered} item{plural}: {reason}",
            delivered=self.delivered,
            response=self.response,
        )

    def _broken(self, error: httpx.HTTPError) -> StreamError:
        # Transport errors only: their messages come from the OS or describe what the server sent.
        return self._error(f"{type(error).__name__}: {error}")


class Stream(_StreamBase[T]):
    """The items of a streamed response, decoded as they arrive. Iterate it once; `with` closes it on exit."""

    def __init__(
        self, response: httpx.Response, format: StreamFormat[T], name: str, *, strict: bool = False
    ) -> None:
        super().__init__(response, format, name, strict=strict)
        self._items = self._iterate()

    def _iterate(self) -> Generator[T]:
        try:
            try:
                for chunk in self.response.iter_bytes():
                    yield from self._decode(self._framer.feed(chunk))
            except httpx.HTTPError as error:
                raise self._broken(error) from error
            yield from self._decode(self._framer.end())
        finally:
            self.response.close()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        """Stop reading and close the connection (a partly read response cannot go back to the pool)."""
        self._items.close()
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(_StreamBase[T]):
    """`Stream` for `async for` and `async with`."""

    def __init__(
        self, response: httpx.Response, format: StreamFormat[T], name: str, *, strict: bool = False
    ) -> None:
        super().__init__(response, format, name, strict=strict)
        self._items = self._iterate()

    async def _iterate(self) -> AsyncGenerator[T]:
        try:
            try:
                async for chunk in self.response.aiter_bytes():
                    for item in self._decode(self._framer.feed(chunk)):
                        yield item
            except httpx.HTTPError as error:
                raise self._broken(error) from error
            for item in self._decode(self._framer.end()):
                yield item
        finally:
            await self.response.aclose()

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await anext(self._items)

    async def aclose(self) -> None:
        """Stop reading and close the connection."""
        await self._items.aclose()
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


S = TypeVar("S", bound=_StreamBase[Any])


def opened(stream: S) -> ApiResponse[S]:
    """A stream with its response's status and headers, for the `_raw` variants: no item is read yet, the drift
    of its items is the stream's own `drift`."""
    return ApiResponse.of(stream.response, stream)


# --- Binary downloads ----------------------------------------------------------------------------------------------

Target = str | os.PathLike[str] | IO[bytes]


class ByteStream(Stream[bytes]):
    """A binary body as it arrives, in chunks; `write_to` saves it without holding it in memory."""

    def __init__(self, response: httpx.Response, name: str) -> None:
        super().__init__(response, CHUNKS, name)

    def write_to(self, target: Target) -> int:
        """Write the rest of the body to a path or a binary file object; the number of bytes written."""
        with self:
            if isinstance(target, str | os.PathLike):
                with open(target, "wb") as file:
                    return _copy(self, file)
            return _copy(self, target)


class AsyncByteStream(AsyncStream[bytes]):
    """`ByteStream` for async clients (the file writes themselves are blocking, chunk by chunk)."""

    def __init__(self, response: httpx.Response, name: str) -> None:
        super().__init__(response, CHUNKS, name)

    async def write_to(self, target: Target) -> int:
        async with self:
            if isinstance(target, str | os.PathLike):
                with open(target, "wb") as file:
                    return await _acopy(self, file)
            return await _acopy(self, target)


def _copy(chunks: Iterator[bytes], file: IO[bytes]) -> int:
    size = 0
    for chunk in chunks:
        file.write(chunk)
        size += len(chunk)
    return size


async def _acopy(chunks: AsyncIterator[bytes], file: IO[bytes]) -> int:
    size = 0
    async for chunk in chunks:
        file.write(chunk)
        size += len(chunk)
    return size

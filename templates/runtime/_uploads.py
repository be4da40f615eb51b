"""Request bodies sent as they are read: files uploaded from disk or from a file object, and JSON sequences
encoded item by item, never loaded whole.

A `File` is a multipart file part or a binary body. When every file of a body is bytes, the body is rendered as
bytes like any other; otherwise it becomes a `StreamedContent`, which httpx sends chunk by chunk, with a
Content-Length when every size is known (paths, seekable file objects), else chunked. Iterating a
`StreamedContent` again starts over, so a retry re-reads the files: a path is opened again, a file object is sought
back to where it was when the request was built; one that cannot seek can be sent only once.

A JSON Lines / JSON text sequence body is a `RecordContent`: each item is encoded when httpx asks for the next
chunk and sent as one chunk (the body is chunked), so a generator of items can feed an upload of any size.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import IO, Any

from ._codec import File

CHUNK_SIZE = 1 << 16


class Content:
    """A request body produced while it is sent; `length` is None when its size is unknown (sent chunked)."""

    length: int | None = None

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError

    def asynchronous(self) -> AsyncIterable[bytes]:
        """The same bytes for an `httpx.AsyncClient`."""
        raise NotImplementedError


def _size(file: File, start: int | None) -> int | None:
    content = file.content
    if isinstance(content, bytes):
        return len(content)
    if isinstance(content, os.PathLike):
        return os.stat(content).st_size
    if start is None:
        return None
    return content.seek(0, io.SEEK_END) - content.seek(start)


def _start(file: File) -> int | None:
    """Where a file object is read from (None when it cannot seek, or is not a file object)."""
    content = file.content
    if isinstance(content, bytes | os.PathLike) or not content.seekable():
        return None
    return content.tell()


class StreamedContent(Content):
    """A request body made of bytes and files, read as it is sent; `length` is None when a size is unknown."""

    def __init__(self, pieces: Sequence[bytes | File]) -> None:
        self._pieces = tuple(pieces)
        self._starts = [_start(piece) if isinstance(piece, File) else None for piece in pieces]
        sizes = [
            _size(piece, start) if isinstance(piece, File) else len(piece)
            for piece, start in zip(self._pieces, self._starts, strict=True)
        ]
        self.length = None if None in sizes else sum(size or 0 for size in sizes)
        self._once = any(
            isinstance(piece, File) and not isinstance(piece.content, bytes | os.PathLike)
            for piece, start in zip(self._pieces, self._starts, strict=True)
            if start is None
        )
        self._sent = False

    def __iter__(self) -> Iterator[bytes]:
        if self._sent and self._once:
            raise ValueError("a file object that cannot seek cannot be sent again (a retry)")
        self._sent = True
        for piece, start in zip(self._pieces, self._starts, strict=True):
            if isinstance(piece, bytes):
                yield piece
            else:
                yield from _chunks(piece, start)

    def asynchronous(self) -> _AsyncContent:
        """The same bytes for an `httpx.AsyncClient` (file reads are blocking, one chunk at a time)."""
        return _AsyncContent(self)

    def __repr__(self) -> str:
        return f"StreamedContent(length={self.length!r})"


class _AsyncContent:
    def __init__(self, content: StreamedContent) -> None:
        self._content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._content:
            yield chunk


class RecordContent(Content):
    """Items encoded one record at a time as they are sent: `encode(index, item)` gives a record's bytes.

    A list or tuple of items can be sent again (a retry); an iterator, a generator or an async iterator only
    once. An async iterable of items needs the async client."""

    def __init__(
        self, items: Iterable[Any] | AsyncIterable[Any], encode: Callable[[int, Any], bytes]
    ) -> None:
        self._items = items
        self._encode = encode
        self._once = isinstance(items, Iterator | AsyncIterator)
        self._sent = False

    def _start(self) -> None:
        if self._sent and self._once:
            raise ValueError("an iterator of items cannot be sent again (a retry)")
        self._sent = True

    def __iter__(self) -> Iterator[bytes]:
        items = self._items
        if not isinstance(items, Iterable):
            raise TypeError("an async iterable of items can only be sent by the async client")
        self._start()
        return map(self._encode, itertools.count(), items)

    def asynchronous(self) -> AsyncIterable[bytes]:
        return self._records()

    async def _records(self) -> AsyncIterator[bytes]:
        items = self._items
        if not isinstance(items, AsyncIterable):
            for record in self:
                yield record
            return
        self._start()
        index = 0
        async for item in items:
            yield self._encode(index, item)
            index += 1

    def __repr__(self) -> str:
        return f"RecordContent(once={self._once!r})"


def _chunks(file: File, start: int | None) -> Iterator[bytes]:
    content = file.content
    if isinstance(content, bytes):
        yield content
        return
    if isinstance(content, os.PathLike):
        with open(content, "rb") as opened:
            yield from _read(opened)
        return
    if start is not None:
        content.seek(start)
    yield from _read(content)


def _read(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_SIZE):
        yield chunk

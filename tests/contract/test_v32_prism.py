"""The client generated from tests/golden/v32.yaml (OpenAPI 3.2) against Prism serving that same document.

Prism 5.16 (package.json) starts on a 3.2 document and validates requests by their `schema`; it knows nothing of
3.2's additions: it serves a streaming media type's `example` as is (the `itemSchema` is not used to generate or
check anything), has no serializer for a JSON Lines response (it answers 500), does not check the items of a JSON
Lines request body, routes neither `query` operations nor `additionalOperations` (404), and reads a multipart
array property sent as repeated parts as one string ("must be array"). So Prism checks here
what it can: the requests (methods, paths, headers, JSON and multipart bodies, with no violation), the event
streams and the binary body it serves from the document's examples, decoded by the generated client, sync and
async. Everything else of 3.2 is checked against loopback servers in tests/contract/test_v32_client.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.prism import PrismServer, run_prism

SPEC = Path(__file__).resolve().parents[1] / "golden" / "v32.yaml"
MODES = ["sync", "async"]


@pytest.fixture(scope="module")
def prism() -> Iterator[PrismServer]:
    with run_prism(SPEC) as server:
        yield server


def run(v32: ModuleType, prism: PrismServer, mode: str, name: str, /, **kwargs: Any) -> Any:
    """`api.<name>` (or `_async`); a stream is read to its end. Prism must find no violation in the request."""
    prism.reset_violations()
    if mode == "sync":
        with v32.Client(prism.base_url, max_retries=0) as client:
            result = getattr(v32.api, name)(client, **kwargs)
            if isinstance(result, v32._streaming.Stream):
                with result:
                    result = list(result)
    else:

        async def call() -> Any:
            async with v32.AsyncClient(prism.base_url, max_retries=0) as client:
                found = await getattr(v32.api, f"{name}_async")(client, **kwargs)
                if isinstance(found, v32._streaming.AsyncStream):
                    async with found:
                        return [item async for item in found]
                return found

        result = asyncio.run(call())
    assert prism.violations() == []
    return result


@pytest.mark.parametrize("mode", MODES)
def test_typed_events_from_the_documents_example(
    v32: ModuleType, prism: PrismServer, mode: str
) -> None:
    """A 3.2 `itemSchema` stream: Prism serves the media type's example, the client types each event."""
    Event = v32._streaming.ServerSentEvent
    events = run(v32, prism, mode, "stream_chat", body=v32.models.ChatRequest(prompt="hi"))
    assert events == [
        Event(v32.models.Token(text="Hel"), "token", "1"),
        Event(v32.models.Token(text="lo"), "token", "2"),
        Event(v32.models.Usage(tokens=2), "done", "2"),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_events_in_their_3_1_form(v32: ModuleType, prism: PrismServer, mode: str) -> None:
    """`text/event-stream` with a string `schema` (no `itemSchema`): raw `data`."""
    Event = v32._streaming.ServerSentEvent
    assert run(v32, prism, mode, "watch_notifications") == [Event("hello\nworld", "message", "n1")]


@pytest.mark.parametrize("mode", MODES)
def test_multipart_upload_passes_request_validation(
    v32: ModuleType, prism: PrismServer, mode: str, tmp_path: Path
) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n" + bytes(range(256)))
    # No `tags`: Prism 5.16 reads repeated parts (one per item, as OpenAPI says) as a string, not an array.
    body = v32.models.Upload(attachment=v32.File(picture), description="a cat")
    stored = run(v32, prism, mode, "upload_file", name="cat", body=body)
    assert isinstance(stored, v32.models.Stored)


@pytest.mark.parametrize("mode", MODES)
def test_binary_download_as_bytes_and_chunks(
    v32: ModuleType, prism: PrismServer, mode: str
) -> None:
    assert run(v32, prism, mode, "download_file", name="cat.png") == b"PNG bytes"
    assert b"".join(run(v32, prism, mode, "download_file_stream", name="cat.png")) == b"PNG bytes"


@pytest.mark.parametrize("mode", MODES)
def test_json_sequence_request_bodies_are_accepted(
    v32: ModuleType, prism: PrismServer, mode: str
) -> None:
    """Prism accepts the streamed (chunked) bodies; it does not check their items."""
    records = [v32.models.LogRecord(level=v32.models.LogRecordLevel.INFO, message="up")]
    assert isinstance(run(v32, prism, mode, "ingest_logs", body=records), v32.models.Stored)
    metrics = [v32.models.Measurement(name="cpu", value=0.5)]
    assert run(v32, prism, mode, "record_metrics", body=metrics) is None

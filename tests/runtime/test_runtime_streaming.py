"""`_streaming`: the framing of event streams (WHATWG rules), JSON Lines and JSON text sequences, chunk by chunk.

Every case is fed whole, and also cut at every byte boundary, since the network decides where chunks end.
"""

from __future__ import annotations

from typing import Any

import pytest

Runtime = Any  # the runtime package assembled by conftest.py


def records(rt: Runtime, format: Any, body: bytes, cut: int | None = None) -> list[Any]:
    """The decoded items of `body`, fed in two chunks cut at `cut` (or whole)."""
    framer = format.framer()
    chunks = [body] if cut is None else [body[:cut], body[cut:]]
    raw = [record for chunk in chunks for record in framer.feed(chunk)] + framer.end()
    return [format.read(record, False)[0] for record in raw]


def every_cut(rt: Runtime, format: Any, body: bytes) -> list[Any]:
    """The items, checked to be the same wherever the body is cut in two."""
    whole = records(rt, format, body)
    for cut in range(len(body) + 1):
        assert records(rt, format, body, cut) == whole, f"cut at {cut}"
    return whole


def event(
    rt: Runtime, data: Any, name: str = "message", id: str | None = None, retry: Any = None
) -> Any:
    return rt.streaming.ServerSentEvent(data, name, id, retry)


def test_events_follow_the_whatwg_parsing_rules(rt: Runtime) -> None:
    body = (
        "\ufeff: a comment, then an event of two data lines\r\n"
        "data: first\r\n"
        "data:second\r\n"
        "\r\n"
        "event: update\rid: 7\rretry: 1500\rdata:  kept space\r\r"
        "id\n"  # an `id` field with no value clears the last id
        "data\n"  # a `data` field with no colon: an empty line of data
        "data: é\n"
        "\n"
        "retry: soon\n"  # not digits: ignored
        "unknown: field\n"
        "data: x\n"
        "\n"
        "event: empty\n"  # no data: not dispatched
        "\n"
        "data: unfinished at the end of the stream"
    ).encode()
    assert every_cut(rt, rt.streaming.events(rt.streaming.text_data), body) == [
        event(rt, "first\nsecond"),
        event(rt, " kept space", "update", "7", 1500),
        event(rt, "\né", "message", ""),
        event(rt, "x", "message", ""),
    ]


def test_only_one_bom_is_removed_and_cr_lf_split_across_chunks_is_one_break(rt: Runtime) -> None:
    body = "\ufeffdata: \ufeffx\r\n\r\n".encode()
    assert every_cut(rt, rt.streaming.events(rt.streaming.text_data), body) == [
        event(rt, "\ufeffx")
    ]


def test_event_data_decodes_by_event_name_leniently_or_strictly(rt: Runtime) -> None:
    format = rt.streaming.events(
        rt.streaming.text_data, {"count": rt.streaming.json_data(rt.codec.INT)}
    )
    body = b'event: count\ndata: 3\n\ndata: 3\n\nevent: count\ndata: "three"\n\n'
    raw = format.framer().feed(body)
    assert [format.read(record, False) for record in raw] == [
        (event(rt, 3, "count"), ()),
        (event(rt, "3"), ()),
        (event(rt, "three", "count"), (rt.codec.Drift("$", "an integer", "a string", "$"),)),
    ]
    with pytest.raises(rt.codec.DecodeError) as caught:
        format.read(raw[2], True)
    assert caught.value.path == "$"


def test_json_lines_skip_blank_lines_and_carriage_returns(rt: Runtime) -> None:
    format = rt.streaming.json_lines(rt.codec.ANY)
    body = b'{"a": 1}\r\n\n[2]\n"three"'  # the last line has no LF: still a record
    assert every_cut(rt, format, body) == [{"a": 1}, [2], "three"]


def test_json_text_sequences_split_on_record_separators(rt: Runtime) -> None:
    format = rt.streaming.json_seq(rt.codec.ANY)
    body = b'\x1e{"a": 1}\n\x1e2\n\x1e\n'
    assert every_cut(rt, format, body) == [{"a": 1}, 2]


def test_a_record_that_is_not_json_is_a_decode_error(rt: Runtime) -> None:
    format = rt.streaming.json_lines(rt.codec.ANY)
    with pytest.raises(rt.codec.DecodeError, match="not valid JSON"):
        records(rt, format, b"{oops\n")

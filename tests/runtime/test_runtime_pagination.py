"""iterate_pages / iterate_items and their async twins."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

Runtime = Any  # the runtime package assembled by conftest.py; its modules are untyped here


def cursor_pages(*tokens: str | None) -> dict[str | None, dict[str, Any]]:
    """Pages keyed by the token that fetches them; the first is fetched with None."""
    keys = (None, *tokens[:-1])
    return {
        key: {"items": [f"{key}-{i}" for i in range(2)], "next": token}
        for key, token in zip(keys, tokens, strict=True)
    }


def test_iterates_until_next_token_is_none(rt: Runtime) -> None:
    pages = cursor_pages("b", "c", None)
    fetched: list[str | None] = []

    def fetch(token: str | None) -> dict[str, Any]:
        fetched.append(token)
        return pages[token]

    iterator = rt.pagination.iterate_pages(fetch, None, lambda page, _: page["next"])
    assert fetched == []  # lazy
    assert next(iterator) == pages[None] and fetched == [None]
    assert list(iterator) == [pages["b"], pages["c"]]
    assert fetched == [None, "b", "c"]


def test_items(rt: Runtime) -> None:
    pages = cursor_pages("b", None)
    items = rt.pagination.iterate_items(
        rt.pagination.iterate_pages(pages.__getitem__, None, lambda page, _: page["next"]),
        lambda page: page["items"],
    )
    assert list(items) == ["None-0", "None-1", "b-0", "b-1"]


def test_offsets_and_empty_pages(rt: Runtime) -> None:
    data = list(range(7))

    def fetch(offset: int) -> list[int]:
        return data[offset : offset + 3]

    assert rt.pagination.next_offset(rt.codec.UNSET, [1, 2]) == 2  # an unset offset is the first, 0
    pages = rt.pagination.iterate_pages(
        fetch, 0, lambda page, offset: rt.pagination.next_offset(offset, page)
    )
    # A short page does not end it (servers cap page sizes); the empty page after it does.
    assert list(pages) == [[0, 1, 2], [3, 4, 5], [6], []]


def test_page_numbers_start_at_first_and_stop_on_an_empty_page(rt: Runtime) -> None:
    data = {1: ["a", "b"], 2: ["c"], 3: []}
    fetched: list[Any] = []

    def fetch(number: Any) -> list[str]:
        fetched.append(number)
        return data[1 if number is rt.codec.UNSET else number]

    def next_number(page: list[str], number: Any) -> int | None:
        result: int | None = rt.pagination.next_page_number(number, page, first=1)
        return result

    assert list(
        rt.pagination.iterate_items(
            rt.pagination.iterate_pages(fetch, rt.codec.UNSET, next_number), list
        )
    ) == [
        "a",
        "b",
        "c",
    ]
    assert fetched == [rt.codec.UNSET, 2, 3]


@pytest.mark.parametrize(
    ("tokens", "repeated"),
    [
        (["a", "a"], "'a'"),  # the same token again
        (["a", "b", "a"], "'a'"),  # a cycle
        (["start"], "'start'"),  # back to the first token
        ([{"cursor": 1}, {"cursor": 1}], "{'cursor': 1}"),  # unhashable tokens
    ],
)
def test_repeated_token_raises_instead_of_looping(
    rt: Runtime, tokens: list[Any], repeated: str
) -> None:
    answers = iter(tokens)
    fetched: list[Any] = []

    def fetch(token: Any) -> Any:
        fetched.append(token)
        return next(answers)

    with pytest.raises(rt.errors.PaginationError, match=f"page token {repeated}.* twice") as caught:
        list(rt.pagination.iterate_pages(fetch, "start", lambda page, _: page))
    assert isinstance(caught.value, rt.errors.APIError)
    assert len(fetched) == len(tokens)


def test_async_pages_and_items(rt: Runtime) -> None:
    pages = cursor_pages("b", "c", None)

    async def fetch(token: str | None) -> dict[str, Any]:
        await asyncio.sleep(0)
        return pages[token]

    async def run() -> tuple[list[Any], list[str]]:
        all_pages = [
            page
            async for page in rt.pagination.aiterate_pages(
                fetch, None, lambda page, _: page["next"]
            )
        ]
        pager: AsyncIterator[Any] = rt.pagination.aiterate_pages(
            fetch, None, lambda page, _: page["next"]
        )
        items = [
            item async for item in rt.pagination.aiterate_items(pager, lambda page: page["items"])
        ]
        return all_pages, items

    all_pages, items = asyncio.run(run())
    assert all_pages == [pages[None], pages["b"], pages["c"]]
    assert items == ["None-0", "None-1", "b-0", "b-1", "c-0", "c-1"]


def test_async_repeated_token(rt: Runtime) -> None:
    async def fetch(token: str) -> str:
        return "same"

    async def run() -> None:
        async for _ in rt.pagination.aiterate_pages(fetch, "first", lambda page, _: page):
            pass

    with pytest.raises(rt.errors.PaginationError):
        asyncio.run(run())


def test_pages_through_the_client(rt: Runtime) -> None:
    """How a generated `iter_*` function uses it: each page is one `client.send`."""
    data = {None: {"rows": [1, 2], "next_cursor": "c2"}, "c2": {"rows": [3], "next_cursor": None}}
    seen_cursors: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        seen_cursors.append(cursor)
        return httpx.Response(200, json=data[cursor])

    client = rt.base.SyncClient(
        "https://api.example.com",
        user_agent="t/1 (oapigen)",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    endpoint = rt.http.Endpoint(
        name="list_rows",
        method="GET",
        path="/rows",
        success={"200": rt.http.json_body(rt.codec.MapOf(rt.codec.ANY))},
        errors={},
        idempotent=True,
        security=(),
    )

    def fetch(cursor: str | None) -> Any:
        return client.send(endpoint, endpoint.build(query=[rt.http.Param("cursor", cursor)])).parsed

    pages = rt.pagination.iterate_pages(fetch, None, lambda page, _: page["next_cursor"])
    assert list(rt.pagination.iterate_items(pages, lambda page: page["rows"])) == [1, 2, 3]
    assert seen_cursors == [None, "c2"]


def test_a_page_without_items_ends_the_iteration(rt: Runtime) -> None:
    """A server that always says "more" with nothing in it got about 1,000 requests a second, forever."""
    fetched: list[int] = []

    def fetch(token: int) -> dict[str, Any]:
        fetched.append(token)
        return {"items": [], "next": token + 1}

    pages = rt.pagination.iterate_pages(
        fetch, 0, lambda page, _: page["next"], items=lambda page: page["items"], max_pages=None
    )
    assert list(pages) == [{"items": [], "next": 1}]
    assert fetched == [0]


def test_iteration_raises_past_the_page_limit(rt: Runtime) -> None:
    fetched: list[int] = []

    def fetch(token: int) -> list[int]:
        fetched.append(token)
        return [token]

    pages = rt.pagination.iterate_pages(
        fetch, 0, lambda page, token: token + 1, items=lambda page: page, max_pages=5
    )
    with pytest.raises(rt.errors.PaginationError, match="Stopped after 5 pages"):
        list(pages)
    assert fetched == [0, 1, 2, 3, 4]


def test_async_iteration_stops_on_an_empty_page_and_at_the_page_limit(rt: Runtime) -> None:
    async def empty(token: int) -> list[int]:
        return []

    async def full(token: int) -> list[int]:
        return [token]

    async def run(fetch: Any, max_pages: int) -> list[Any]:
        return [
            page
            async for page in rt.pagination.aiterate_pages(
                fetch,
                0,
                lambda page, token: token + 1,
                items=lambda page: page,
                max_pages=max_pages,
            )
        ]

    assert asyncio.run(run(empty, 10)) == [[]]
    with pytest.raises(rt.errors.PaginationError, match="Stopped after 3 pages"):
        asyncio.run(run(full, 3))

"""Page iteration for paginated operations.

A generated `_pages` function passes `fetch` (one call for a page token: a cursor, an offset, a page number),
the first token, and `next_token` (the next page's token from a page and its own token, None on the last page).
For `next_url` paging the token is the `Request` itself: the operation's for the first page, then `next_url`'s.
Iteration is lazy: a page is fetched when the previous one has been consumed. docs/pagination.md of oapigen
describes the `x-pagination` styles these implement.

Whatever the server answers, iteration ends: a page without items is the last one (a server that keeps saying
"more" with nothing in it is not followed), a repeated token raises `PaginationError`, and so does a page beyond
`max_pages` (the client's `Limits.max_pages`): raising, not stopping silently, so a cut-off list is never mistaken
for the whole.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Sized,
)
from typing import Generic, TypeVar

from ._codec import Unset
from ._http import Request, link_request
from .errors import PaginationError

TToken = TypeVar("TToken")
TPage = TypeVar("TPage")
TItem = TypeVar("TItem")


class _Pager(Generic[TPage, TToken]):
    """What the sync and async iterations share: the tokens fetched so far, the page count, when to stop."""

    def __init__(
        self,
        next_token: Callable[[TPage, TToken], TToken | None],
        items: Callable[[TPage], Sized] | None,
        max_pages: int | None,
    ) -> None:
        self._next_token = next_token
        self._items = items
        self._max_pages = max_pages
        self._pages = 0
        self._seen: set[object] = set()
        self._last: object = object()  # an unhashable token is compared with the previous one only

    def before_fetch(self, token: TToken) -> None:
        """Raise `PaginationError` if fetching the page of `token` would repeat a page or pass `max_pages`."""
        if self._max_pages is not None and self._pages >= self._max_pages:
            raise PaginationError(
                f"Stopped after {self._max_pages} pages, the client's limit (Limits.max_pages); the list may "
                "go on."
            )
        try:
            repeated = token in self._seen
            self._seen.add(token)
        except TypeError:
            repeated = token == self._last
        if repeated:
            shown = repr(token) if len(repr(token)) <= 80 else repr(token)[:77] + "..."
            raise PaginationError(
                f"The server returned the page token {shown} twice; stopping instead of looping."
            )
        self._last = token
        self._pages += 1

    def after(self, page: TPage, token: TToken) -> TToken | None:
        """The next page's token; None after the last page or a page without items."""
        if self._items is not None and not len(self._items(page)):
            return None
        return self._next_token(page, token)


def iterate_pages(
    fetch: Callable[[TToken], TPage],
    first: TToken,
    next_token: Callable[[TPage, TToken], TToken | None],
    *,
    items: Callable[[TPage], Sized] | None = None,
    max_pages: int | None = None,
) -> Iterator[TPage]:
    """Pages from `first` on, until `next_token` returns None or a page has no `items`. Raises `PaginationError`
    on a repeated token, and before fetching a page beyond `max_pages`."""
    pager = _Pager(next_token, items, max_pages)
    token = first
    while True:
        pager.before_fetch(token)
        page = fetch(token)
        yield page
        following = pager.after(page, token)
        if following is None:
            return
        token = following


async def aiterate_pages(
    fetch: Callable[[TToken], Awaitable[TPage]],
    first: TToken,
    next_token: Callable[[TPage, TToken], TToken | None],
    *,
    items: Callable[[TPage], Sized] | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[TPage]:
    """`iterate_pages` for an async `fetch`."""
    pager = _Pager(next_token, items, max_pages)
    token = first
    while True:
        pager.before_fetch(token)
        page = await fetch(token)
        yield page
        following = pager.after(page, token)
        if following is None:
            return
        token = following


def next_offset(offset: int | Unset, items: Sized) -> int | None:
    """Offset paging: the offset after `items`, None after an empty page. An unset offset is the first, 0.

    A short page does not end the iteration: servers often cap the page size below the requested limit.
    """
    return (0 if isinstance(offset, Unset) else offset) + len(items) if len(items) else None


def next_page_number(number: int | Unset, items: Sized, *, first: int) -> int | None:
    """Page-number paging: the number after `number` (`first` when unset), None after an empty page."""
    return (first if isinstance(number, Unset) else number) + 1 if len(items) else None


def next_url(url: str | None) -> Request | None:
    """Next-URL paging: the request for the page at `url` (a GET, resolved against the client's base URL and
    refused on another origin when sent), None on the last page. The operation's arguments apply to the first
    page only: the URL carries every parameter."""
    return None if url is None else link_request(url)


def iterate_items(
    pages: Iterable[TPage], items: Callable[[TPage], Iterable[TItem]]
) -> Iterator[TItem]:
    """The items of every page, in order."""
    for page in pages:
        yield from items(page)


async def aiterate_items(
    pages: AsyncIterable[TPage], items: Callable[[TPage], Iterable[TItem]]
) -> AsyncIterator[TItem]:
    """`iterate_items` for async pages."""
    async for page in pages:
        for item in items(page):
            yield item

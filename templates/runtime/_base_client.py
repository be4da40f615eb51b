"""The HTTP client behind the generated `Client` and `AsyncClient`: credentials, headers, timeouts, retries, logging.

`SyncClient` and `AsyncBaseClient` differ only in how they send and sleep; every decision (what to send, whether
and when to retry, what to log) is made once, in `_BaseClient`.

Retries. A call is retried, at most `max_retries` times (default 2, per call `RequestOptions.max_retries`), when
    - a network error or a timeout left it without a response, or the status is 408, 409, 429 or 5xx, and
    - repeating the request is safe: the endpoint is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE); or an
      idempotency key is sent (`RequestOptions.idempotency_key`, or one uuid4 generated per call, and reused by
      its retries, when the client has an `idempotency_header`); or the request never reached the server
      (connect error, connect timeout, no pooled connection free); or the status is 429 or 503 with a
      `Retry-After`, the server saying it did not act and to try later. So a POST that got a 500 or a read
      timeout is not retried without an idempotency key: the server may have acted on it.
The wait is the server's `retry-after-ms` or `Retry-After` (seconds or an HTTP date) when it sends one, else
exponential backoff with full jitter: uniform in [0, min(8 s, 0.5 s * 2**retry)]. A server asking for more than 60 s
is not retried: the error is raised at once, for the caller to decide.

Credentials. An endpoint lists the security schemes any one of which authenticates it; the first of them the client
has a credential for is applied, and none when the list is empty. When the client has none of them the request is
sent without, so the server gives its own answer (endpoints are sometimes open in practice); a 401 then carries a
note naming the missing schemes.

Safety. Credentials never appear in the repr of a client or a credential, in error messages, or in this package's
log records (sensitive headers and query parameters are logged as REDACTED); note that httpx's own INFO log line
shows the full URL, so a credential sent in the query appears there. TLS is verified by default. Redirects are not
followed by the client this module creates, so credential headers never go to another host. Likewise a URL a
response links to (`next_url` paging) is resolved against the base URL and sent only when it has the base URL's
scheme, host and port; any other origin raises `PaginationError` before anything is sent.

Responses. A success body that differs from the spec is kept as received and the differences are reported in
`ApiResponse.drift` (and logged once per operation and place, at WARNING); with `strict=True` the call raises
`ResponseValidationError` at the first difference instead (see `_http` and `_codec`).

Logging goes to the package's logger (`logging.getLogger("<package>")`), at DEBUG level except drift.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import re
import ssl
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self, TypeVar

import httpx

from ._codec import Unset
from ._http import REDACTED, ApiResponse, Endpoint, Request, RequestOptions, is_sensitive
from ._uploads import StreamedContent
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    PaginationError,
    request_id_of,
)

T = TypeVar("T")

log = logging.getLogger(__name__.rsplit(".", 1)[0])

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_IDEMPOTENCY_HEADER = "Idempotency-Key"
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_RETRY_STATUSES = frozenset({408, 409, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
# The request was never written to the network, so sending it again cannot make the server act twice.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Fail the same way every time.
_NOT_RETRYABLE = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


@dataclass(frozen=True, slots=True, repr=False)
class Credential:
    """How one security scheme is applied: `value` is sent as is (already `Bearer xyz`, `Basic b64...`)."""

    scheme: str
    location: Literal["header", "query", "cookie"]
    name: str
    value: str

    def __post_init__(self) -> None:
        # httpx would refuse these too, but with the value in its message.
        if any(char in self.value for char in "\r\n\0"):
            raise ValueError(f"the credential for {self.scheme} contains a line break or NUL")

    def __repr__(self) -> str:
        return f"Credential(scheme={self.scheme!r}, location={self.location!r}, name={self.name!r}, value='***')"


def server_url(template: str, defaults: Mapping[str, str], values: Mapping[str, str | None]) -> str:
    """A server's URL: each `{variable}` replaced by the value given, else by the server's default."""
    chosen = {**defaults, **{name: value for name, value in values.items() if value is not None}}
    return _SERVER_VARIABLE.sub(lambda match: chosen.get(match.group(1), match.group(0)), template)


def backoff_delay(retry: int, rand: Callable[[], float] = random.random) -> float:
    """Full jitter: uniform in [0, min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2**retry)], `retry` counting from 0."""
    return rand() * min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2.0 ** min(retry, 32))


def retry_after(headers: httpx.Headers) -> float | None:
    """The wait the server asks for, in seconds: `retry-after-ms`, else `Retry-After` as seconds or an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _seconds(millis)
        if seconds is not None:
            return seconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        date = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, date.timestamp() - time.time())


def _seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None


@dataclass(slots=True)
class _Call:
    """One logical call, across its attempts."""

    name: str  # the operation's function name
    operation: str  # "POST /v2/datasets/{dataset_id}/extend": the path template, never a value
    request: httpx.Request
    max_retries: int
    replayable: bool  # idempotent method, or an idempotency key is sent
    missing_schemes: tuple[str, ...]
    retry: int = 0
    started: float = 0.0


class _BaseClient:
    """Configuration and every non-I/O decision shared by the sync and async clients."""

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Sequence[Credential],
        timeout: float | httpx.Timeout,
        max_retries: int,
        headers: Mapping[str, str] | None,
        idempotency_header: str | None,
        user_agent: str,
        strict: bool,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}")
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
            raise ValueError("base_url must be an absolute http(s) URL without a query or fragment")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self._credentials = {credential.scheme: credential for credential in credentials}
        self._secret_names = frozenset(credential.name.lower() for credential in credentials)
        self._headers = {"User-Agent": user_agent, **(headers or {})}
        self._idempotency_header = idempotency_header
        self.strict = strict
        self._random: Callable[[], float] = random.random

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._redact_url(httpx.URL(self.base_url))!r})"

    # --- What to send --------------------------------------------------------------------------------------------

    def _prepare(
        self,
        client: httpx.Client | httpx.AsyncClient,
        endpoint: Endpoint[T],
        request: Request,
        options: RequestOptions | None,
    ) -> _Call:
        options = options or RequestOptions()
        headers = httpx.Headers(self._headers)
        for name, value in request.headers:
            _set_header(headers, name, value)
        if request.content_type is not None:
            headers["Content-Type"] = request.content_type

        replayable = endpoint.idempotent
        key = options.idempotency_key
        if key is None and self._idempotency_header and not endpoint.idempotent:
            key = str(uuid.uuid4())
        if key is not None:
            headers[self._idempotency_header or DEFAULT_IDEMPOTENCY_HEADER] = key
            replayable = True

        params = list(request.query)
        credential = next(
            (self._credentials[s] for s in endpoint.security if s in self._credentials), None
        )
        if credential is None:
            missing = endpoint.security
        else:
            missing = ()
            if credential.location == "header":
                headers[credential.name] = credential.value
            elif credential.location == "cookie":
                _set_header(headers, "Cookie", f"{credential.name}={credential.value}")
            else:
                params = [(k, v) for k, v in params if k != credential.name] + [
                    (credential.name, credential.value)
                ]

        headers.update(options.extra_headers)
        if options.extra_query:
            params = [(k, v) for k, v in params if k not in options.extra_query] + list(
                options.extra_query.items()
            )

        timeout = self.timeout if isinstance(options.timeout, Unset) else options.timeout
        max_retries = (
            self.max_retries if isinstance(options.max_retries, Unset) else options.max_retries
        )
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}")
        content: bytes | Iterable[bytes] | AsyncIterable[bytes] | None = request.content
        if isinstance(request.content, StreamedContent):
            if request.content.length is not None:
                headers["Content-Length"] = str(request.content.length)  # else sent chunked
            if isinstance(client, httpx.AsyncClient):
                content = request.content.asynchronous()
        http_request = client.build_request(
            request.method,
            self._url(request),
            params=tuple(params),
            headers=headers,
            content=content,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        )
        operation = f"{endpoint.method} {endpoint.path}"
        return _Call(endpoint.name, operation, http_request, max_retries, replayable, missing)

    def _url(self, request: Request) -> httpx.URL:
        """The request's URL without its query: the base URL + the path, or a linked URL resolved against the base
        URL as a directory. Raises `PaginationError` for a link to another origin: credentials stay with the API.
        """
        if not request.link:
            return httpx.URL(self.base_url + request.path)
        base = httpx.URL(self.base_url + "/")
        url = base.join(request.path)
        if _origin(url) != _origin(base):
            raise PaginationError(
                f"the next page is on {_origin(url)}, not on the client's origin {_origin(base)}: "
                "not following it, so that credentials are not sent to another host"
            )
        return url

    # --- Whether to retry ----------------------------------------------------------------------------------------

    def _after_response(self, call: _Call, response: httpx.Response) -> float | None:
        """The delay before retrying, or None to hand the response to the endpoint."""
        status = response.status_code
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s: %s %s -> %d (request id %s, %.0f ms)",
                call.name,
                call.request.method,
                self._redact_url(call.request.url),
                status,
                request_id_of(response.headers),
                (time.monotonic() - call.started) * 1000,
            )
        if call.retry >= call.max_retries or not (status in _RETRY_STATUSES or status >= 500):
            return None
        wait = retry_after(response.headers)
        if wait is not None and wait > MAX_RETRY_AFTER:
            log.debug("%s: not retrying, the server asks to wait %.0f s", call.name, wait)
            return None
        if not (call.replayable or (status in _RETRY_AFTER_STATUSES and wait is not None)):
            log.debug(
                "%s: not retrying %s after status %d: no idempotency key",
                call.name,
                call.request.method,
                status,
            )
            return None
        return self._retrying(call, f"status {status}", wait)

    def _after_error(self, call: _Call, error: httpx.HTTPError) -> float:
        """The delay before retrying; raises `APIConnectionError`/`APITimeoutError` when not retrying."""
        retryable = isinstance(error, httpx.TransportError) and not isinstance(
            error, _NOT_RETRYABLE
        )
        if (
            retryable
            and call.retry < call.max_retries
            and (call.replayable or isinstance(error, _NEVER_SENT))
        ):
            return self._retrying(call, type(error).__name__, None)
        what = f"{call.name}: {call.operation}"
        attempts = f" after {call.retry + 1} attempts" if call.retry else ""
        if isinstance(error, httpx.TimeoutException):
            raise APITimeoutError(f"{what} timed out{attempts} ({type(error).__name__})") from error
        # The messages of network errors (from the OS) and remote protocol errors (about what the server sent) are
        # safe to show; others, such as local protocol errors, can quote the request's headers.
        detail = isinstance(error, httpx.NetworkError | httpx.RemoteProtocolError) and str(error)
        reason = f"{type(error).__name__}: {error}" if detail else type(error).__name__
        raise APIConnectionError(f"{what} failed{attempts}: {reason}") from error

    def _retrying(self, call: _Call, reason: str, wait: float | None) -> float:
        delay = wait if wait is not None else backoff_delay(call.retry, self._random)
        log.debug(
            "%s: retry %d of %d in %.2f s after %s",
            call.name,
            call.retry + 1,
            call.max_retries,
            delay,
            reason,
        )
        return delay

    # --- Around each attempt -------------------------------------------------------------------------------------

    def _before_attempt(self, call: _Call) -> None:
        call.started = time.monotonic()
        if log.isEnabledFor(logging.DEBUG):
            request = call.request
            log.debug("%s: %s %s", call.name, request.method, self._redact_url(request.url))
            log.debug("%s: request headers %s", call.name, self._redact_headers(request.headers))

    def _parse(
        self, call: _Call, endpoint: Endpoint[T], response: httpx.Response
    ) -> ApiResponse[T]:
        try:
            return endpoint.parse(response, strict=self.strict)
        except AuthenticationError as error:
            if call.missing_schemes:
                error.add_note(
                    f"No credential was configured for {' or '.join(call.missing_schemes)}."
                )
            raise

    def _is_secret(self, name: str) -> bool:
        return name.lower() in self._secret_names or is_sensitive(name)

    def _redact_url(self, url: httpx.URL) -> str:
        params = [(k, REDACTED if self._is_secret(k) else v) for k, v in url.params.multi_items()]
        return str(url.copy_with(userinfo=b"", params=params))

    def _redact_headers(self, headers: httpx.Headers) -> dict[str, str]:
        return {
            name: REDACTED if self._is_secret(name) else value for name, value in headers.items()
        }


def _origin(url: httpx.URL) -> str:
    """`scheme://host[:port]` (httpx leaves out a default port): what must match for credentials to be sent."""
    return str(url.copy_with(userinfo=b"", path="/", query=None, fragment=None)).removesuffix("/")


def _set_header(headers: httpx.Headers, name: str, value: str) -> None:
    """Set a header; cookies add to the Cookie header instead of replacing it."""
    if name.lower() == "cookie" and "cookie" in headers:
        headers["Cookie"] = f"{headers['Cookie']}; {value}"
    else:
        headers[name] = value


def _check_http_client(http_client: object, verify: bool | ssl.SSLContext) -> None:
    if http_client is not None and verify is not True:
        raise ValueError(
            "verify applies to the HTTP client this SDK creates; configure it on your http_client"
        )


class SyncClient(_BaseClient):
    """Sends requests with an `httpx.Client`. A client passed as `http_client` is used with its own settings
    (timeout unless one is given here, TLS, proxies, redirects) and is not closed by `close()`."""

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Sequence[Credential],
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | ssl.SSLContext = True,
        idempotency_header: str | None = None,
        user_agent: str,
        strict: bool = False,
    ) -> None:
        _check_http_client(http_client, verify)
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = http_client.timeout
        super().__init__(
            base_url,
            credentials=credentials,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            idempotency_header=idempotency_header,
            user_agent=user_agent,
            strict=strict,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client
            if http_client is not None
            else httpx.Client(timeout=self.timeout, verify=verify)
        )
        self._sleep: Callable[[float], None] = time.sleep

    def send(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None = None
    ) -> ApiResponse[T]:
        """Send one call, retrying as the module docstring says; the decoded success response, or an `APIError`."""
        call = self._prepare(self._client, endpoint, request, options)
        return self._parse(call, endpoint, self._exchange(call, stream=False))

    def open(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None = None
    ) -> httpx.Response:
        """Send one call like `send`, but return a success response with its body not yet read, for a
        `_streaming.Stream` to read as it arrives (and close). An error status raises."""
        call = self._prepare(self._client, endpoint, request, options)
        response = self._exchange(call, stream=True)
        if not response.is_success:
            try:
                response.read()
                self._parse(call, endpoint, response)
            finally:
                response.close()
        return response

    def _exchange(self, call: _Call, *, stream: bool) -> httpx.Response:
        """The response that ends the call (retrying as the module docstring says); with `stream`, unread."""
        while True:
            self._before_attempt(call)
            try:
                response = self._client.send(call.request, stream=stream)
            except httpx.HTTPError as error:
                delay = self._after_error(call, error)
            else:
                retry_delay = self._after_response(call, response)
                if retry_delay is None:
                    return response
                response.close()
                delay = retry_delay
            self._sleep(delay)
            call.retry += 1

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncBaseClient(_BaseClient):
    """`SyncClient` with `async def send`, over an `httpx.AsyncClient`."""

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Sequence[Credential],
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | ssl.SSLContext = True,
        idempotency_header: str | None = None,
        user_agent: str,
        strict: bool = False,
    ) -> None:
        _check_http_client(http_client, verify)
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = http_client.timeout
        super().__init__(
            base_url,
            credentials=credentials,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            idempotency_header=idempotency_header,
            user_agent=user_agent,
            strict=strict,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(timeout=self.timeout, verify=verify)
        )
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def send(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None = None
    ) -> ApiResponse[T]:
        """Send one call, retrying as the module docstring says; the decoded success response, or an `APIError`."""
        call = self._prepare(self._client, endpoint, request, options)
        return self._parse(call, endpoint, await self._exchange(call, stream=False))

    async def open(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None = None
    ) -> httpx.Response:
        """`SyncClient.open`, async."""
        call = self._prepare(self._client, endpoint, request, options)
        response = await self._exchange(call, stream=True)
        if not response.is_success:
            try:
                await response.aread()
                self._parse(call, endpoint, response)
            finally:
                await response.aclose()
        return response

    async def _exchange(self, call: _Call, *, stream: bool) -> httpx.Response:
        while True:
            self._before_attempt(call)
            try:
                response = await self._client.send(call.request, stream=stream)
            except httpx.HTTPError as error:
                delay = self._after_error(call, error)
            else:
                retry_delay = self._after_response(call, response)
                if retry_delay is None:
                    return response
                await response.aclose()
                delay = retry_delay
            await self._sleep(delay)
            call.retry += 1

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

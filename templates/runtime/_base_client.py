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

Credentials. See `_auth`: the first alternative of an operation's security requirement that the configured
credentials meet is sent, and a call no alternative can be met for fails before sending. Credentials are applied to
every attempt afresh, so a retry after a backoff carries a token that is still valid; a 401 answered to a token
the client fetched (OAuth2) makes it fetch a new one and send the request once more.

Hooks. `request_hooks` run on every request just before it is sent (each attempt, retry and redirect), credentials
included, so they can log, trace or sign it (they may change its headers); `response_hooks` on every response, before
it is retried or decoded (they see its status and headers: the body is read after them, within the limits below,
and only when it is going to be used). They are plain callables (`AsyncClient` also takes coroutine functions), run in order;
an exception in a hook ends the call. OAuth2 token requests do not run them.

Safety. Credentials never appear in the repr of a client or a credential, in error messages, or in this package's
log records (sensitive headers and query parameters are logged as REDACTED); note that httpx's own INFO log line
shows the full URL, so a credential sent in the query appears there. TLS is verified by default. Credentials stay
on the base URL's origin (scheme, host and port), whatever `http_client` is given: the client follows redirects
itself, only when the `http_client` is set to (`follow_redirects=True`, at most its `max_redirects`), and a redirect
to another origin loses every credential header, cookie and query parameter (httpx itself keeps API-key headers,
and drops the `Cookie` header on every redirect). Likewise a URL a response links to (`next_url` paging) is
resolved against the base URL and sent only when it has the base URL's scheme, host and port; any other origin
raises `PaginationError` before anything is sent.

Responses. A success body that differs from the spec is kept as received and the differences are reported in
`ApiResponse.drift` (and logged once per operation and place, at WARNING); with `strict=True` the call raises
`ResponseValidationError` at the first difference instead (see `_http` and `_codec`).

Limits. Whatever the server does, a call ends and its memory is bounded (`Limits`, per client; the deadline also
per call with `RequestOptions.deadline`): a response body is read into memory up to `max_response_bytes` (after
decompression; a larger one raises `ResponseTooLargeError`, and a `Content-Length` above the limit is refused
before reading), a body that is not going to be used (a response that is retried or redirected) is not read at
all, and the whole call (every attempt, the waits between them, reading the body) must end within `deadline`
seconds, else it raises `APITimeoutError`: the per-read `timeout` alone cannot stop a body trickled a byte at a
time. A retry whose wait would pass the deadline is not made. Page iteration stops after `max_pages` pages (see
`_pagination`).

Logging goes to the package's logger (`logging.getLogger("<package>")`), at DEBUG level except drift.
"""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import logging
import math
import random
import re
import ssl
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self, TypeVar

import httpx

from ._auth import (
    ApiKeyScheme,
    Auth,
    Credential,
    FetchedToken,
    ProvidedToken,
    Scheme,
    Scopes,
    bearer,
    choose,
    configure,
)
from ._codec import Unset
from ._http import REDACTED, ApiResponse, Endpoint, Request, RequestOptions, is_sensitive
from ._uploads import Content
from .errors import (
    APIConnectionError,
    APITimeoutError,
    PaginationError,
    ResponseTooLargeError,
    TokenError,
    request_id_of,
)

T = TypeVar("T")

log = logging.getLogger(__name__.rsplit(".", 1)[0])

RequestHook = Callable[[httpx.Request], None]
ResponseHook = Callable[[httpx.Response], None]
AsyncRequestHook = Callable[[httpx.Request], Awaitable[None] | None]
AsyncResponseHook = Callable[[httpx.Response], Awaitable[None] | None]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_IDEMPOTENCY_HEADER = "Idempotency-Key"
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class Limits:
    """What one call may cost at most, whatever the server sends; `None` lifts a limit.

    `max_response_bytes`: a response body held in memory (decompressed); `deadline`: seconds for a whole call,
    retries and reading the body included (per call: `RequestOptions.deadline`); `max_pages`: pages one
    `_pages`/`_iter` iteration fetches before raising `PaginationError`.
    """

    max_response_bytes: int | None = 100_000_000
    deadline: float | None = 300.0
    max_pages: int | None = 10_000


DEFAULT_LIMITS = Limits()

_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_RETRY_STATUSES = frozenset({408, 409, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
# The request was never written to the network, so sending it again cannot make the server act twice.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Fail the same way every time.
_NOT_RETRYABLE = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


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
    """One logical call, across its attempts: what every attempt sends before credentials, and where it stands."""

    name: str  # the operation's function name
    operation: str  # "POST /v2/datasets/{dataset_id}/extend": the path template, never a value
    method: str
    url: httpx.URL
    params: list[tuple[str, str]]
    headers: httpx.Headers
    content: bytes | Content | None
    options: RequestOptions
    timeout: httpx.Timeout
    max_retries: int
    replayable: bool  # idempotent method, or an idempotency key is sent
    auth: tuple[tuple[Auth, Scopes], ...]  # the credentials of the chosen security alternative
    fetched: list[tuple[FetchedToken, Scopes, str]] = field(
        default_factory=list
    )  # tokens it carries
    reauthorized: bool = False  # a 401 already made it fetch new tokens
    deadline: float | None = None  # time.monotonic() by which the call must end
    max_bytes: int | None = None
    retry: int = 0
    started: float = 0.0

    def remaining(self) -> float | None:
        """Seconds left before the deadline; raises `APITimeoutError` once it has passed."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise APITimeoutError(
                f"{self.name}: {self.operation} did not finish within its deadline"
            )
        return left

    def attempt_timeout(self) -> httpx.Timeout:
        """The call's timeout, each part (connect, read, write, pool) ending by the deadline at the latest."""
        remaining = self.remaining()
        if remaining is None:
            return self.timeout
        parts = {
            kind: remaining if value is None else min(value, remaining)
            for kind, value in self.timeout.as_dict().items()
        }
        return httpx.Timeout(**parts)


class _Body:
    """A response body read into memory within the call's limits, chunk by chunk."""

    def __init__(self, call: _Call, response: httpx.Response) -> None:
        self._call = call
        self._chunks: list[bytes] = []
        self._size = 0
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and call.max_bytes is not None and int(declared) > call.max_bytes:
            raise self._too_large(f"declares {int(declared)} bytes")

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._call.max_bytes is not None and self._size > self._call.max_bytes:
            raise self._too_large("goes on past it")
        self._call.remaining()  # a body trickled slowly must not outlast the deadline
        self._chunks.append(chunk)

    def keep(self, response: httpx.Response) -> None:
        """Make the body `response.content`, as `response.read()` would have."""
        response._content = b"".join(self._chunks)

    def _too_large(self, how: str) -> ResponseTooLargeError:
        limit = self._call.max_bytes or 0
        return ResponseTooLargeError(
            f"{self._call.name}: {self._call.operation}: the response body {how} the limit of {limit} bytes "
            "(Limits.max_response_bytes)",
            limit=limit,
        )


class _BaseClient:
    """Configuration and every non-I/O decision shared by the sync and async clients."""

    def __init__(
        self,
        base_url: str,
        *,
        schemes: Sequence[Scheme],
        environment: Mapping[str, str],
        credentials: Mapping[str, object],
        timeout: float | httpx.Timeout,
        max_retries: int,
        headers: Mapping[str, str] | None,
        idempotency_header: str | None,
        user_agent: str,
        strict: bool,
        limits: Limits,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}")
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
            raise ValueError("base_url must be an absolute http(s) URL without a query or fragment")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self._schemes = {scheme.name: scheme for scheme in schemes}
        self._environment = environment
        self._credentials = configure(schemes, credentials, environment)
        self._secret_names = frozenset(
            scheme.parameter.lower() if isinstance(scheme, ApiKeyScheme) else "authorization"
            for scheme in schemes
        )
        self._headers = {"User-Agent": user_agent, **(headers or {})}
        self._idempotency_header = idempotency_header
        self.strict = strict
        self.limits = limits
        self._random: Callable[[], float] = random.random

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._redact_url(httpx.URL(self.base_url))!r})"

    # --- What to send --------------------------------------------------------------------------------------------

    def _prepare(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None
    ) -> _Call:
        """Everything a call sends except its credentials; raises `MissingCredentialsError` before anything is sent
        when no alternative of the operation's security can be met."""
        options = options or RequestOptions()
        auth = choose(
            endpoint.name, endpoint.security, self._credentials, self._schemes, self._environment
        )
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

        timeout = self.timeout if isinstance(options.timeout, Unset) else options.timeout
        max_retries = (
            self.max_retries if isinstance(options.max_retries, Unset) else options.max_retries
        )
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}")
        deadline = self.limits.deadline if isinstance(options.deadline, Unset) else options.deadline
        return _Call(
            name=endpoint.name,
            operation=f"{endpoint.method} {endpoint.path}",
            method=request.method,
            url=self._url(request),
            params=list(request.query),
            headers=headers,
            content=request.content,
            options=options,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            max_retries=max_retries,
            replayable=replayable,
            auth=auth,
            deadline=None if deadline is None else time.monotonic() + deadline,
            max_bytes=self.limits.max_response_bytes,
        )

    def _build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        call: _Call,
        credentials: Sequence[Credential],
    ) -> httpx.Request:
        """One attempt's request: the call's, with `credentials`, then the call's own extra headers and query."""
        headers = httpx.Headers(call.headers)
        params = list(call.params)
        for credential in credentials:
            if credential.location == "header":
                headers[credential.name] = credential.value
            elif credential.location == "cookie":
                _set_header(headers, "Cookie", f"{credential.name}={credential.value}")
            else:
                params = [(k, v) for k, v in params if k != credential.name]
                params.append((credential.name, credential.value))
        headers.update(call.options.extra_headers)
        extra_query = call.options.extra_query
        if extra_query:
            params = [(k, v) for k, v in params if k not in extra_query] + list(extra_query.items())
        content: bytes | Iterable[bytes] | AsyncIterable[bytes] | None = call.content
        if isinstance(call.content, Content):
            if call.content.length is not None:
                headers["Content-Length"] = str(call.content.length)  # else sent chunked
            if isinstance(client, httpx.AsyncClient):
                content = call.content.asynchronous()
        return client.build_request(
            call.method,
            call.url,
            params=tuple(params),
            headers=headers,
            content=content,
            timeout=call.attempt_timeout(),
        )

    def _provided(self, scheme: str, value: object) -> Credential:
        if not isinstance(value, str):
            raise TypeError(
                f"the token_provider of {scheme} returned {type(value).__name__}, not str"
            )
        return bearer(scheme, value)

    def _token_failed(self, source: FetchedToken, error: httpx.HTTPError) -> TokenError:
        return TokenError(f"the token request of {source.scheme} failed: {type(error).__name__}")

    def _reauthorize(
        self, call: _Call, response: httpx.Response
    ) -> list[tuple[FetchedToken, Scopes, str]]:
        """The fetched tokens to forget when the API refused them (a first 401), so the call is sent once more."""
        if response.status_code != 401 or call.reauthorized or not call.fetched:
            return []
        call.reauthorized = True
        log.debug("%s: 401 with a fetched token; fetching a new one", call.name)
        return call.fetched

    def _redirect(
        self, client: httpx.Client | httpx.AsyncClient, response: httpx.Response, hops: int
    ) -> httpx.Request | None:
        """The next request of a redirect, when `client` follows them, stripped of every credential when it goes
        to another origin than the base URL's."""
        request = response.next_request
        if request is None or not client.follow_redirects:
            return None
        if hops >= client.max_redirects:
            raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)
        if _origin(request.url) != _origin(httpx.URL(self.base_url)):
            for name in [name for name in request.headers if self._is_secret(name)]:
                del request.headers[name]
            for name in {
                name for name, _ in request.url.params.multi_items() if self._is_secret(name)
            }:
                request.url = request.url.copy_remove_param(name)
        return request

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
                call.method,
                status,
            )
            return None
        return self._retrying(call, f"status {status}", wait)

    def _after_error(self, call: _Call, error: httpx.HTTPError) -> float:
        """The delay before retrying; raises `APIConnectionError`/`APITimeoutError` when not retrying."""
        retryable = isinstance(error, httpx.TransportError) and not isinstance(
            error, _NOT_RETRYABLE
        )
        delay = (
            self._retrying(call, type(error).__name__, None)
            if retryable
            and call.retry < call.max_retries
            and (call.replayable or isinstance(error, _NEVER_SENT))
            else None
        )
        if delay is not None:
            return delay
        what = f"{call.name}: {call.operation}"
        attempts = f" after {call.retry + 1} attempts" if call.retry else ""
        if isinstance(error, httpx.TimeoutException):
            raise APITimeoutError(f"{what} timed out{attempts} ({type(error).__name__})") from error
        # The messages of network errors (from the OS) and remote protocol errors (about what the server sent) are
        # safe to show; others, such as local protocol errors, can quote the request's headers.
        detail = isinstance(error, httpx.NetworkError | httpx.RemoteProtocolError) and str(error)
        reason = f"{type(error).__name__}: {error}" if detail else type(error).__name__
        raise APIConnectionError(f"{what} failed{attempts}: {reason}") from error

    def _retrying(self, call: _Call, reason: str, wait: float | None) -> float | None:
        """The delay before the next attempt; None when waiting it would pass the call's deadline."""
        delay = wait if wait is not None else backoff_delay(call.retry, self._random)
        if call.deadline is not None and time.monotonic() + delay >= call.deadline:
            log.debug("%s: not retrying after %s: the deadline would pass", call.name, reason)
            return None
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

    def _log_request(self, call: _Call, request: httpx.Request) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: %s %s", call.name, request.method, self._redact_url(request.url))
            log.debug("%s: request headers %s", call.name, self._redact_headers(request.headers))

    def _log_response(self, call: _Call, response: httpx.Response) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s: %s %s -> %d (request id %s, %.0f ms)",
                call.name,
                response.request.method,
                self._redact_url(response.request.url),
                response.status_code,
                request_id_of(response.headers),
                (time.monotonic() - call.started) * 1000,
            )

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
        schemes: Sequence[Scheme] = (),
        environment: Mapping[str, str] | None = None,
        credentials: Mapping[str, object] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | ssl.SSLContext = True,
        idempotency_header: str | None = None,
        request_hooks: Sequence[RequestHook] = (),
        response_hooks: Sequence[ResponseHook] = (),
        user_agent: str,
        strict: bool = False,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        _check_http_client(http_client, verify)
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = http_client.timeout
        super().__init__(
            base_url,
            schemes=schemes,
            environment=environment or {},
            credentials=credentials or {},
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            idempotency_header=idempotency_header,
            user_agent=user_agent,
            strict=strict,
            limits=limits,
        )
        self.request_hooks = list(request_hooks)
        self.response_hooks = list(response_hooks)
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
        call = self._prepare(endpoint, request, options)
        return endpoint.parse(self._exchange(call, stream=False), strict=self.strict)

    def open(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None = None
    ) -> httpx.Response:
        """Send one call like `send`, but return a success response with its body not yet read, for a
        `_streaming.Stream` to read as it arrives (and close): no size limit applies to it, the read timeout
        does. An error status raises as `send` does."""
        call = self._prepare(endpoint, request, options)
        response = self._exchange(call, stream=True)
        if not response.is_success:
            endpoint.parse(response, strict=self.strict)  # raises the declared error
        return response

    def _exchange(self, call: _Call, *, stream: bool) -> httpx.Response:
        """The response that ends the call; its body read (within the size limit), or with `stream` a success
        response left unread and open."""
        while True:
            call.started = time.monotonic()
            try:
                attempt = self._build(self._client, call, self._authorize(call))
                response = self._transmit(call, attempt)
                unread = False
                try:
                    stale = self._reauthorize(call, response)
                    retry_delay = None if stale else self._after_response(call, response)
                    unread = stream and not stale and retry_delay is None and response.is_success
                    if not stale and retry_delay is None and not unread:
                        body = _Body(call, response)  # read only a body that is going to be used
                        for chunk in response.iter_bytes():
                            body.add(chunk)
                        body.keep(response)
                finally:
                    if not unread:
                        response.close()
            except httpx.HTTPError as error:
                delay = self._after_error(call, error)
            else:
                if stale:
                    for source, scopes, token in stale:
                        with source.lock:
                            source.invalidate(scopes, token)
                    continue
                if retry_delay is None:
                    return response
                delay = retry_delay
            self._sleep(delay)
            call.retry += 1

    def _authorize(self, call: _Call) -> list[Credential]:
        """The credentials of this attempt; fetched tokens are recorded in `call.fetched`."""
        call.fetched = []
        credentials = []
        for auth, scopes in call.auth:
            if isinstance(auth, Credential):
                credentials.append(auth)
            elif isinstance(auth, ProvidedToken):
                credentials.append(self._provided(auth.scheme, auth.provider(scopes)))
            else:
                token = self._token(auth, scopes)
                call.fetched.append((auth, scopes, token))
                credentials.append(bearer(auth.scheme, token))
        return credentials

    def _token(self, source: FetchedToken, scopes: Scopes) -> str:
        token = source.cached(scopes)
        if token is not None:
            return token
        with source.lock:
            token = source.cached(scopes)
            if token is not None:
                return token
            request = source.request(self._client, self.base_url, scopes)
            requested_at = time.monotonic()
            try:
                response = self._client.send(request, follow_redirects=False)
            except httpx.HTTPError as error:
                raise self._token_failed(source, error) from error
            return source.store(scopes, response, requested_at)

    def _transmit(self, call: _Call, request: httpx.Request) -> httpx.Response:
        """Send the attempt's request, running the hooks and following redirects (see the module docstring)."""
        hops = 0
        while True:
            for request_hook in self.request_hooks:
                request_hook(request)
            self._log_request(call, request)
            response = self._client.send(request, follow_redirects=False, stream=True)
            self._log_response(call, response)
            try:
                for response_hook in self.response_hooks:
                    response_hook(response)
                next_request = self._redirect(self._client, response, hops)
            except BaseException:
                response.close()
                raise
            if next_request is None:
                return response
            response.close()  # a redirect's body is never used
            request, hops = next_request, hops + 1

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
    """`SyncClient` with `async def send`, over an `httpx.AsyncClient`; hooks and token providers may be coroutine
    functions."""

    def __init__(
        self,
        base_url: str,
        *,
        schemes: Sequence[Scheme] = (),
        environment: Mapping[str, str] | None = None,
        credentials: Mapping[str, object] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | ssl.SSLContext = True,
        idempotency_header: str | None = None,
        request_hooks: Sequence[AsyncRequestHook] = (),
        response_hooks: Sequence[AsyncResponseHook] = (),
        user_agent: str,
        strict: bool = False,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        _check_http_client(http_client, verify)
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = http_client.timeout
        super().__init__(
            base_url,
            schemes=schemes,
            environment=environment or {},
            credentials=credentials or {},
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            idempotency_header=idempotency_header,
            user_agent=user_agent,
            strict=strict,
            limits=limits,
        )
        self.request_hooks = list(request_hooks)
        self.response_hooks = list(response_hooks)
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
        call = self._prepare(endpoint, request, options)
        return endpoint.parse(await self._exchange(call, stream=False), strict=self.strict)

    async def open(
        self, endpoint: Endpoint[T], request: Request, options: RequestOptions | None = None
    ) -> httpx.Response:
        """`SyncClient.open`, async."""
        call = self._prepare(endpoint, request, options)
        response = await self._exchange(call, stream=True)
        if not response.is_success:
            endpoint.parse(response, strict=self.strict)  # raises the declared error
        return response

    async def _exchange(self, call: _Call, *, stream: bool) -> httpx.Response:
        """The response that ends the call; its body read (within the size limit), or with `stream` a success
        response left unread and open."""
        while True:
            call.started = time.monotonic()
            try:
                attempt = self._build(self._client, call, await self._authorize(call))
                response = await self._transmit(call, attempt)
                unread = False
                try:
                    stale = self._reauthorize(call, response)
                    retry_delay = None if stale else self._after_response(call, response)
                    unread = stream and not stale and retry_delay is None and response.is_success
                    if not stale and retry_delay is None and not unread:
                        body = _Body(call, response)  # read only a body that is going to be used
                        async for chunk in response.aiter_bytes():
                            body.add(chunk)
                        body.keep(response)
                finally:
                    if not unread:
                        await response.aclose()
            except httpx.HTTPError as error:
                delay = self._after_error(call, error)
            else:
                if stale:
                    for source, scopes, token in stale:
                        source.invalidate(scopes, token)
                    continue
                if retry_delay is None:
                    return response
                delay = retry_delay
            await self._sleep(delay)
            call.retry += 1

    async def _authorize(self, call: _Call) -> list[Credential]:
        """The credentials of this attempt; fetched tokens are recorded in `call.fetched`."""
        call.fetched = []
        credentials = []
        for auth, scopes in call.auth:
            if isinstance(auth, Credential):
                credentials.append(auth)
            elif isinstance(auth, ProvidedToken):
                credentials.append(
                    self._provided(auth.scheme, await _result(auth.provider(scopes)))
                )
            else:
                token = await self._token(auth, scopes)
                call.fetched.append((auth, scopes, token))
                credentials.append(bearer(auth.scheme, token))
        return credentials

    async def _token(self, source: FetchedToken, scopes: Scopes) -> str:
        token = source.cached(scopes)
        if token is not None:
            return token
        async with source.async_lock:
            token = source.cached(scopes)
            if token is not None:
                return token
            request = source.request(self._client, self.base_url, scopes)
            requested_at = time.monotonic()
            try:
                response = await self._client.send(request, follow_redirects=False)
            except httpx.HTTPError as error:
                raise self._token_failed(source, error) from error
            return source.store(scopes, response, requested_at)

    async def _transmit(self, call: _Call, request: httpx.Request) -> httpx.Response:
        """Send the attempt's request, running the hooks and following redirects (see the module docstring)."""
        hops = 0
        while True:
            for request_hook in self.request_hooks:
                await _result(request_hook(request))
            self._log_request(call, request)
            response = await self._client.send(request, follow_redirects=False, stream=True)
            self._log_response(call, response)
            try:
                for response_hook in self.response_hooks:
                    await _result(response_hook(response))
                next_request = self._redirect(self._client, response, hops)
            except BaseException:
                await response.aclose()
                raise
            if next_request is None:
                return response
            await response.aclose()  # a redirect's body is never used
            request, hops = next_request, hops + 1

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


async def _result(value: T | Awaitable[T]) -> T:
    """What a hook or provider returned, awaited when it is awaitable (a coroutine function's result)."""
    if inspect.isawaitable(value):
        return await value
    return value

"""Exceptions raised by the client.

    APIError
    ├── APIConnectionError          the request failed before a response arrived
    │   └── APITimeoutError
    ├── APIStatusError              the server answered with a status the operation does not treat as success
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429
    │   └── InternalServerError         500 and above
    ├── ResponseValidationError     a response does not have the shape the spec declares
    ├── StreamError                 a streamed response broke off or sent an item the spec does not allow
    ├── ResponseTooLargeError       a response body is larger than the client's limit
    ├── PaginationError             a server sent the same page token twice, or more pages than the limit
    ├── MissingCredentialsError     no configured credentials meet the operation's security; nothing was sent
    └── TokenError                  an OAuth2 token request failed

Messages name the operation, the status and the request id, and never contain request headers or credentials.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only annotations: the generator reads this module without importing httpx
    import httpx

_MAX_DETAIL = 200


class APIError(Exception):
    """Base class of every error the client raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """No response: the connection failed, was refused, or broke before the response was read."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """No response within the timeout (connect, read, write, or waiting for a pooled connection)."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ValidationDetail:
    """One entry of a FastAPI-style `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` body."""

    loc: tuple[str | int, ...]
    msg: str
    type: str

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.loc)
        return f"{where}: {self.msg}" if where else self.msg


class APIStatusError(APIError):
    """The server answered with an error status.

    `body` is the error model the spec declares for this status when the body decodes into it, otherwise the raw
    JSON value, the text, or None for an empty body.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.body = body
        self.request_id = request_id_of(response.headers)


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class AuthenticationError(APIStatusError):
    """401 Unauthorized: the credential is missing, malformed or not valid."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden: the credential is valid but may not do this."""


class NotFoundError(APIStatusError):
    """404 Not Found."""


class ConflictError(APIStatusError):
    """409 Conflict."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity. `details` lists the validation errors of a FastAPI-style body (else empty)."""

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response=response, body=body)
        self.details = validation_details(raw_json(response))


class RateLimitError(APIStatusError):
    """429 Too Many Requests."""


class InternalServerError(APIStatusError):
    """500 and above."""


class ResponseValidationError(APIError):
    """A response does not match the spec: the body's shape is wrong, or no response is declared for the status.

    `path` is the JSON path of the first mismatch (`$.items[3].created_at`), `$` when the whole body is wrong.
    """

    def __init__(self, message: str, *, path: str, endpoint: str, response: httpx.Response) -> None:
        super().__init__(message)
        self.path = path
        self.endpoint = endpoint
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id_of(response.headers)


class StreamError(APIError):
    """A streamed response failed after it started: the connection dropped, a read timed out, or an item does not
    match the spec. `delivered` is how many items the caller had received."""

    def __init__(self, message: str, *, delivered: int, response: httpx.Response) -> None:
        super().__init__(message)
        self.delivered = delivered
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id_of(response.headers)


class ResponseTooLargeError(APIError):
    """A response body (decompressed) is larger than the client's `Limits.max_response_bytes`; it was read no
    further than the limit, and the connection was closed."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class PaginationError(APIError):
    """Page iteration cannot go on safely: the server returned a page token (or next URL) it had already returned,
    which would loop forever, a next URL on another origin than the client's base URL, or more pages than the
    client's `Limits.max_pages`."""


class MissingCredentialsError(APIError):
    """The operation needs credentials the client was not given; the message names the `Client(...)` keywords and
    environment variables that would provide them. Raised before anything is sent."""


class TokenError(APIError):
    """The token endpoint refused to issue an OAuth2 access token, or answered without one.

    `response` is its answer (None if none came); the message has the OAuth2 `error` code."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code if response is not None else None


_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class(status: int) -> type[APIStatusError]:
    """The exception class an error status raises (the generator documents `Raises:` with it too)."""
    return _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)


def status_error(operation: str, response: httpx.Response, body: object) -> APIStatusError:
    """The exception for an error response; `operation` is e.g. `POST /v2/datasets/extend`."""
    status = response.status_code
    cls = error_class(status)
    message = f"{status_text(status)} from {operation}"
    request_id = request_id_of(response.headers)
    if request_id:
        message += f" (request id {request_id})"
    summary = summarize(raw_json(response), response)
    if summary:
        message += f": {summary}"
    return cls(message, response=response, body=body)


def status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def request_id_of(headers: httpx.Headers) -> str | None:
    for name in ("x-request-id", "request-id"):
        value: str | None = headers.get(name)
        if value:
            return value
    return None


def raw_json(response: httpx.Response) -> object:
    """The response body as JSON, or None when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def raw_body(response: httpx.Response) -> object:
    """The response body as JSON when it is JSON, else as text; None when empty."""
    if not response.content:
        return None
    value = raw_json(response)
    if value is not None:
        return value
    try:
        return response.text
    except (LookupError, UnicodeDecodeError):
        return response.content


def validation_details(value: object) -> tuple[ValidationDetail, ...]:
    """The entries of a FastAPI-style validation error body; entries of another shape are skipped."""
    if not isinstance(value, dict) or not isinstance(value.get("detail"), list):
        return ()
    details: list[ValidationDetail] = []
    for entry in value["detail"]:
        if not isinstance(entry, dict):
            continue
        loc = entry.get("loc")
        parts: Sequence[Any] = loc if isinstance(loc, list) else []
        where = tuple(
            part if isinstance(part, int) and not isinstance(part, bool) else str(part)
            for part in parts
        )
        details.append(
            ValidationDetail(where, str(entry.get("msg", "")), str(entry.get("type", "")))
        )
    return tuple(details)


def summarize(value: object, response: httpx.Response) -> str:
    """One short line from an error body: the first validation detail, a `detail`/`message`/`error` string, or the
    start of a short plain-text body."""
    details = validation_details(value)
    if details:
        more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
        return _clip(str(details[0])) + more
    if isinstance(value, dict):
        for key in ("detail", "message", "error", "error_description", "title"):
            field = value.get(key)
            if isinstance(field, dict):
                field = field.get("message")
            if isinstance(field, str) and field:
                return _clip(field)
        return ""
    if (
        value is None
        and response.content
        and response.headers.get("content-type", "").startswith("text/plain")
    ):
        return _clip(response.text.strip())
    return ""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."

"""Security schemes, credentials, and OAuth2 tokens, with no I/O (the clients in `_base_client` send).

Schemes. `_client.py` declares the API's security schemes with the `Client(...)` keywords that configure each:
`ApiKeyScheme` (a header, query parameter or cookie), `BasicScheme`, `AuthorizationScheme` (any other HTTP scheme:
the whole `Authorization` value), and `TokenScheme` for HTTP bearer, OAuth2 and OpenID Connect, whose bearer token
is given (`token`), comes from your callable (`token_provider`, called with the operation's scopes before every
attempt; cache in it as you see fit), or, for OAuth2, is fetched by the client: with `client_id` and `client_secret`
(the clientCredentials flow) or with a `refresh_token`. `configure` reads the keyword arguments of a scheme or,
when none of them is given, its environment variables.

Fetched tokens are cached per set of scopes, refreshed before they expire (a tenth of their lifetime early, at most
a minute), and once more when the API answers 401 to one of them. Concurrent callers share one fetch: threads wait
on a lock, tasks on an asyncio lock. The client's credentials go to the token URL with HTTP Basic authentication
(RFC 6749, 2.3.1), and a token request never follows a redirect.

Requirements. An operation lists alternatives, each a set of schemes sent together with the scopes it needs. The
first alternative whose every scheme is configured is used; an empty alternative (`{}`) makes credentials
optional: they are sent when configured, and the call goes without otherwise. When no alternative can be met the
call fails before sending with `MissingCredentialsError`, naming the schemes and the keywords that would satisfy
them. Secrets never appear in a repr, in a log record or in an error message.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import os
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import httpx

from .errors import MissingCredentialsError, TokenError, status_text

Location = Literal["header", "query", "cookie"]
Scopes = tuple[str, ...]
TokenProvider = Callable[[Scopes], str]
AsyncTokenProvider = Callable[[Scopes], str | Awaitable[str]]
# An operation's `security`: alternatives, each mapping scheme names to the scopes it needs.
Security = tuple[Mapping[str, Scopes], ...]

MAX_REFRESH_MARGIN = 60.0


@dataclass(frozen=True, slots=True, repr=False)
class Credential:
    """A value sent as is (an API key, `Bearer xyz`, `Basic b64...`) in a header, query parameter or cookie."""

    scheme: str
    location: Location
    name: str
    value: str

    def __post_init__(self) -> None:
        # httpx would refuse these too, but with the value in its message.
        if any(char in self.value for char in "\r\n\0"):
            raise ValueError(f"the credential for {self.scheme} contains a line break or NUL")
        if self.location == "query":
            _HTTPX_LOG_REDACTION.credentials.add((self.name, self.value))

    def __repr__(self) -> str:
        return f"Credential(scheme={self.scheme!r}, location={self.location!r}, name={self.name!r}, value='***')"


class _QueryCredentialRedaction(logging.Filter):
    """httpx logs every request's URL at INFO, query string included: a credential sent there is masked."""

    def __init__(self) -> None:
        super().__init__()
        self.credentials: set[tuple[str, str]] = set()  # (query parameter, value)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and self.credentials:
            record.args = tuple(
                self._masked(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True

    def _masked(self, url: httpx.URL) -> httpx.URL:
        for name, value in self.credentials:
            if value in url.params.get_list(name):
                url = url.copy_set_param(name, "[redacted]")
        return url


_HTTPX_LOG_REDACTION = _QueryCredentialRedaction()
logging.getLogger("httpx").addFilter(_HTTPX_LOG_REDACTION)


def bearer(scheme: str, token: str) -> Credential:
    return Credential(scheme, "header", "Authorization", f"Bearer {token}")


@dataclass(frozen=True, slots=True, repr=False)
class ProvidedToken:
    """A bearer token from the user's callable, asked for before every attempt."""

    scheme: str
    provider: TokenProvider | AsyncTokenProvider

    def __repr__(self) -> str:
        return f"ProvidedToken(scheme={self.scheme!r})"


@dataclass(slots=True)
class _Token:
    value: str
    refresh_at: float  # time.monotonic(); infinite when the server gave no lifetime


class FetchedToken:
    """OAuth2 access tokens the client fetches (client credentials or refresh token grant), cached per scope set.

    Decides what to ask and what to keep; the client does the I/O under `lock` (threads) or `async_lock` (tasks),
    re-checking `cached` once it holds the lock, so concurrent callers share one fetch.
    """

    def __init__(
        self,
        scheme: str,
        token_url: str,
        client_id: str | None,
        client_secret: str | None,
        *,
        refresh_token: str | None = None,
    ) -> None:
        self.scheme = scheme
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._tokens: dict[Scopes, _Token] = {}
        self.lock = threading.Lock()
        self.async_lock = asyncio.Lock()

    def __repr__(self) -> str:
        grant = "refresh_token" if self._refresh_token is not None else "client_credentials"
        return f"FetchedToken(scheme={self.scheme!r}, grant={grant!r})"

    def cached(self, scopes: Scopes) -> str | None:
        token = self._tokens.get(_key(scopes))
        return token.value if token is not None and time.monotonic() < token.refresh_at else None

    def invalidate(self, scopes: Scopes, value: str) -> None:
        """Forget a token the API refused, unless another caller has replaced it already."""
        token = self._tokens.get(_key(scopes))
        if token is not None and token.value == value:
            del self._tokens[_key(scopes)]

    def request(
        self, client: httpx.Client | httpx.AsyncClient, base_url: str, scopes: Scopes
    ) -> httpx.Request:
        form = (
            {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
            if self._refresh_token is not None
            else {"grant_type": "client_credentials"}
        )
        if scopes:
            form["scope"] = " ".join(_key(scopes))
        headers = {"Accept": "application/json"}
        if self._client_secret is not None and self._client_id is not None:
            pair = f"{_form_quote(self._client_id)}:{_form_quote(self._client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        elif self._client_id is not None:
            form["client_id"] = self._client_id
        url = httpx.URL(base_url + "/").join(self.token_url)
        return client.build_request("POST", url, data=form, headers=headers)

    def store(self, scopes: Scopes, response: httpx.Response, requested_at: float) -> str:
        """Keep the token of a token response and return it; raises `TokenError` for anything else.

        Its lifetime counts from `requested_at` (before the request left), so the client expires it no later than
        the server does.
        """
        where = f"the token request of {self.scheme} to {_without_query(response.request.url)}"
        body = _json_object(response)
        if not response.is_success:
            code = body.get("error") if body else None
            detail = f": {code}" if isinstance(code, str) and code.isprintable() else ""
            raise TokenError(
                f"{where} failed with {status_text(response.status_code)}{detail}",
                response=response,
            )
        access_token = body.get("access_token") if body else None
        if body is None or not isinstance(access_token, str) or not access_token:
            raise TokenError(f"{where} answered without an access_token", response=response)
        lifetime = _seconds(body.get("expires_in"))
        margin = min(MAX_REFRESH_MARGIN, lifetime / 10)
        self._tokens[_key(scopes)] = _Token(access_token, requested_at + lifetime - margin)
        rotated = body.get("refresh_token")
        if self._refresh_token is not None and isinstance(rotated, str) and rotated:
            self._refresh_token = rotated
        return access_token


Auth = Credential | ProvidedToken | FetchedToken


def _key(scopes: Scopes) -> Scopes:
    return tuple(sorted(set(scopes)))


def _form_quote(text: str) -> str:
    return urllib.parse.quote_plus(text)


def _without_query(url: httpx.URL) -> str:
    return str(url.copy_with(query=None, fragment=None, userinfo=b""))


def _json_object(response: httpx.Response) -> dict[str, object] | None:
    try:
        value = json.loads(response.content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _seconds(value: object) -> float:
    """`expires_in` as seconds; infinite when absent or unusable (the token then lives until a 401)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return math.inf
    try:
        seconds = float(value)
    except ValueError:
        return math.inf
    return seconds if math.isfinite(seconds) and seconds > 0 else math.inf


# --- Declared schemes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiKeyScheme:
    name: str
    location: Location
    parameter: str
    api_key: str  # the Client keyword

    def keywords(self) -> tuple[str, ...]:
        return (self.api_key,)

    def hint(self) -> str:
        return self.api_key

    def credential(self, values: Mapping[str, object]) -> Auth:
        return Credential(
            self.name, self.location, self.parameter, _text(self, values, self.api_key)
        )


@dataclass(frozen=True, slots=True)
class BasicScheme:
    name: str
    username: str
    password: str

    def keywords(self) -> tuple[str, ...]:
        return (self.username, self.password)

    def hint(self) -> str:
        return f"{self.username} and {self.password}"

    def credential(self, values: Mapping[str, object]) -> Auth:
        if not all(keyword in values for keyword in self.keywords()):
            raise ValueError(f"{self.name}: give both {self.hint()}")
        pair = f"{_text(self, values, self.username)}:{_text(self, values, self.password)}"
        encoded = base64.b64encode(pair.encode()).decode()
        return Credential(self.name, "header", "Authorization", f"Basic {encoded}")


@dataclass(frozen=True, slots=True)
class AuthorizationScheme:
    name: str
    authorization: str  # the Client keyword for the whole `Authorization` header value

    def keywords(self) -> tuple[str, ...]:
        return (self.authorization,)

    def hint(self) -> str:
        return self.authorization

    def credential(self, values: Mapping[str, object]) -> Auth:
        value = _text(self, values, self.authorization)
        return Credential(self.name, "header", "Authorization", value)


@dataclass(frozen=True, slots=True)
class TokenScheme:
    """HTTP bearer, OAuth2 or OpenID Connect. Keywords are "" for what the spec's flows do not allow."""

    name: str
    token: str
    token_provider: str
    client_id: str = ""
    client_secret: str = ""
    refresh_token: str = ""
    token_url: str = (
        ""  # the clientCredentials flow's token URL, relative to the base URL or absolute
    )
    refresh_url: str = ""  # where a refresh token is exchanged

    def keywords(self) -> tuple[str, ...]:
        optional = (self.client_id, self.client_secret, self.refresh_token)
        return (self.token, self.token_provider, *(keyword for keyword in optional if keyword))

    def hint(self) -> str:
        ways = [self.token, self.token_provider]
        if self.token_url:
            ways.append(f"{self.client_id} and {self.client_secret}")
        if self.refresh_token:
            ways.append(self.refresh_token)
        return ", ".join(ways[:-1]) + " or " + ways[-1]

    def credential(self, values: Mapping[str, object]) -> Auth:
        ways = [keyword for keyword in (self.token, self.token_provider) if keyword in values]
        if self.refresh_token and self.refresh_token in values:
            ways.append(self.refresh_token)
        elif self.token_url and self.client_secret in values:
            ways.append(f"{self.client_id} and {self.client_secret}")
        if len(ways) != 1:
            raise ValueError(f"{self.name}: give one of {self.hint()}")
        if self.token in values:
            return bearer(self.name, _text(self, values, self.token))
        if self.token_provider in values:
            provider = values[self.token_provider]
            if not callable(provider):
                raise TypeError(f"{self.name}: {self.token_provider} must be callable")
            return ProvidedToken(self.name, provider)
        client_id = _optional_text(self, values, self.client_id)
        client_secret = _optional_text(self, values, self.client_secret)
        if self.refresh_token in values:
            refresh_token = _text(self, values, self.refresh_token)
            return FetchedToken(
                self.name, self.refresh_url, client_id, client_secret, refresh_token=refresh_token
            )
        if client_id is None:
            raise ValueError(f"{self.name}: give {self.client_id} with {self.client_secret}")
        return FetchedToken(self.name, self.token_url, client_id, client_secret)


Scheme = ApiKeyScheme | BasicScheme | AuthorizationScheme | TokenScheme


def _text(scheme: Scheme, values: Mapping[str, object], keyword: str) -> str:
    value = values[keyword]
    if not isinstance(value, str):
        raise TypeError(f"{scheme.name}: {keyword} must be a string, got {type(value).__name__}")
    return value


def _optional_text(scheme: Scheme, values: Mapping[str, object], keyword: str) -> str | None:
    return _text(scheme, values, keyword) if keyword and keyword in values else None


def configure(
    schemes: Sequence[Scheme],
    arguments: Mapping[str, object],
    environment: Mapping[str, str],
) -> dict[str, Auth]:
    """The credentials of the schemes configured by the keyword `arguments` or, for a scheme none of whose
    keywords is given, by the environment variables `environment` names (keyword -> variable; empty ones do not
    count). Raises `ValueError` for a scheme configured by halves (a user name, no password)."""
    credentials: dict[str, Auth] = {}
    for scheme in schemes:
        values = {kw: arguments[kw] for kw in scheme.keywords() if arguments.get(kw) is not None}
        if not values:
            variables = {kw: environment[kw] for kw in scheme.keywords() if kw in environment}
            values = {kw: os.environ[var] for kw, var in variables.items() if os.environ.get(var)}
        if values:
            credentials[scheme.name] = scheme.credential(values)
    return credentials


def choose(
    operation: str,
    security: Security,
    credentials: Mapping[str, Auth],
    schemes: Mapping[str, Scheme],
    environment: Mapping[str, str],
) -> tuple[tuple[Auth, Scopes], ...]:
    """What to send for an operation's `security`: the first alternative the credentials meet, an empty
    alternative last. Raises `MissingCredentialsError` naming what would meet one."""
    ordered = [req for req in security if req] + [req for req in security if not req]
    for requirement in ordered:
        if all(name in credentials for name in requirement):
            return tuple((credentials[name], scopes) for name, scopes in requirement.items())
    if not security:
        return ()
    alternatives = [
        " and ".join(
            _missing(schemes[name], environment) for name in requirement if name not in credentials
        )
        for requirement in security
    ]
    raise MissingCredentialsError(
        f"{operation}: no credentials for {' or for '.join(alternatives)}; nothing was sent"
    )


def _missing(scheme: Scheme, environment: Mapping[str, str]) -> str:
    variables = [f"${environment[kw]}" for kw in scheme.keywords() if kw in environment]
    where = f" or {', '.join(variables)}" if variables else ""
    return f"{scheme.name} (Client keyword {scheme.hint()}{where})"

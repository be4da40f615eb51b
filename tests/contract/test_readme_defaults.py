"""The table of defaults in the generated README must state what `_base_client` does."""

from __future__ import annotations

import inspect
import re

import pytest
from galileo_client import AsyncClient, Client, _base_client, _http

from .conftest import GENERATED

README = GENERATED / "galileo_client" / "README.md"


def defaults_table() -> dict[str, str]:
    """`setting -> default` from the rows of the table under `## Defaults`."""
    section = README.read_text(encoding="utf-8").split("## Defaults", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): cells[1].strip() for cells in rows[1:]}


def numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\b\d+(?:\.\d+)?\b", text)]


TABLE = defaults_table()


def test_timeouts() -> None:
    timeout = _base_client.DEFAULT_TIMEOUT
    assert timeout.read == timeout.write == timeout.pool  # the row states one value for all three
    assert numbers(TABLE["timeout"]) == [timeout.connect, timeout.read]


def test_retries_and_backoff() -> None:
    expected = [
        _base_client.DEFAULT_MAX_RETRIES,
        _base_client.INITIAL_RETRY_DELAY,
        _base_client.MAX_RETRY_DELAY,
    ]
    assert numbers(TABLE["retries"]) == expected


def test_retried_statuses() -> None:
    row = TABLE["retried on"]
    assert set(numbers(row)) == set(_base_client._RETRY_STATUSES) and "5xx" in row
    assert "connection errors" in row and "timeouts" in row


def test_retry_after_cap() -> None:
    assert numbers(TABLE["`Retry-After`"]) == [_base_client.MAX_RETRY_AFTER]


def test_non_idempotent_rule() -> None:
    row = TABLE["non-idempotent methods (POST, PATCH)"]
    assert set(numbers(row)) == set(_base_client._RETRY_AFTER_STATUSES)
    assert {"PATCH", "POST"}.isdisjoint(_http.IDEMPOTENT_METHODS)


def test_tls_verification_is_on() -> None:
    assert TABLE["TLS verification"] == "on"


@pytest.mark.parametrize("client", [Client, AsyncClient])
def test_the_clients_use_these_defaults(client: type[Client] | type[AsyncClient]) -> None:
    parameters = inspect.signature(client).parameters
    assert parameters["timeout"].default is _base_client.DEFAULT_TIMEOUT
    assert parameters["max_retries"].default == _base_client.DEFAULT_MAX_RETRIES
    assert parameters["verify"].default is True

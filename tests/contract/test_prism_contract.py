"""The checked-in Galileo client against Prism serving `spec/galileo.yaml`.

Static mode: every operation, through every generated entry point (plain, raw, pages, items), sync and async, and
Prism must find no request violation. Dynamic mode (`-d`): Prism answers random schema-valid bodies, and each of
`DYNAMIC_ROUNDS` responses per operation and mode must parse and round-trip.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import yaml
from galileo_client import (
    ApiResponse,
    AsyncClient,
    Client,
    RequestOptions,
    UnprocessableEntityError,
)
from galileo_client.api import (
    extend_dataset_content,
    extend_dataset_content_async,
    extend_dataset_content_raw,
    extend_dataset_content_raw_async,
    list_experiments_paginated,
    list_experiments_paginated_async,
    list_experiments_paginated_iter,
    list_experiments_paginated_iter_async,
    list_experiments_paginated_pages,
    list_experiments_paginated_pages_async,
    list_experiments_paginated_raw,
    list_experiments_paginated_raw_async,
)
from galileo_client.models import SourceDataset, SyntheticDatasetExtensionRequest
from support.prism import PrismServer

from .conftest import SPEC

API_KEY = "contract-test-key"
DYNAMIC_ROUNDS = 200
PROJECT = "6f1c0d7e-project"
T = TypeVar("T")

_SPEC = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
_DOCS_BODY = _SPEC["paths"]["/v2/datasets/extend"]["post"]["requestBody"]["content"][
    "application/json"
]["examples"]
# Request bodies from the fullest (the docs page's example) to the emptiest, with explicit nulls in between.
BODIES = (
    SyntheticDatasetExtensionRequest.from_dict(_DOCS_BODY["docs"]["value"]),
    SyntheticDatasetExtensionRequest(),
    SyntheticDatasetExtensionRequest(
        prompt=None, examples=None, source_dataset=SourceDataset(dataset_id="ds")
    ),
)


async def collect(items: AsyncIterator[T]) -> list[T]:
    return [item async for item in items]


@dataclass(frozen=True)
class Case:
    """One way of calling an operation, as a sync and an async call that must send the same request."""

    operation: str  # the spec's operationId
    name: str
    sync: Callable[[Client], object]
    async_: Callable[[AsyncClient], Awaitable[object]]


def extend_case(index: int, body: SyntheticDatasetExtensionRequest) -> Case:
    return Case(
        "extend_dataset_content",
        f"body-{index}",
        lambda c: extend_dataset_content(c, body=body),
        lambda c: extend_dataset_content_async(c, body=body),
    )


CASES = [
    Case(
        "list_experiments_paginated",
        "plain",
        lambda c: list_experiments_paginated(c, project_id=PROJECT),
        lambda c: list_experiments_paginated_async(c, project_id=PROJECT),
    ),
    Case(
        "list_experiments_paginated",
        "raw-with-every-parameter",
        lambda c: list_experiments_paginated_raw(c, project_id=PROJECT, limit=1, starting_token=7),
        lambda c: list_experiments_paginated_raw_async(
            c, project_id=PROJECT, limit=1, starting_token=7
        ),
    ),
    Case(
        "list_experiments_paginated",
        "pages",
        lambda c: list(list_experiments_paginated_pages(c, project_id=PROJECT, limit=50)),
        lambda c: collect(list_experiments_paginated_pages_async(c, project_id=PROJECT, limit=50)),
    ),
    Case(
        "list_experiments_paginated",
        "items",
        lambda c: list(list_experiments_paginated_iter(c, project_id=PROJECT)),
        lambda c: collect(list_experiments_paginated_iter_async(c, project_id=PROJECT)),
    ),
    *(extend_case(index, body) for index, body in enumerate(BODIES)),
    Case(
        "extend_dataset_content",
        "raw-with-idempotency-key",
        lambda c: extend_dataset_content_raw(
            c, body=BODIES[0], options=RequestOptions(idempotency_key="k-1")
        ),
        lambda c: extend_dataset_content_raw_async(
            c, body=BODIES[0], options=RequestOptions(idempotency_key="k-1")
        ),
    ),
]


def spec_operations() -> set[str]:
    return {
        op["operationId"]
        for item in _SPEC["paths"].values()
        for op in item.values()
        if "operationId" in op
    }


def test_every_operation_of_the_spec_is_called() -> None:
    assert {case.operation for case in CASES} == spec_operations()


# --- Static mode ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.operation}-{case.name}")
def test_sync_call_passes_request_validation(prism: PrismServer, case: Case) -> None:
    with Client(prism.base_url, api_key=API_KEY) as client:
        result = case.sync(client)
    assert result not in (None, [])
    assert prism.violations() == []


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.operation}-{case.name}")
def test_async_call_passes_request_validation(prism: PrismServer, case: Case) -> None:
    async def call() -> object:
        async with AsyncClient(prism.base_url, api_key=API_KEY) as client:
            return await case.async_(client)

    result = asyncio.run(call())
    assert result not in (None, [])
    assert prism.violations() == []


def test_sync_and_async_results_agree(prism: PrismServer) -> None:
    # Static mode answers with the spec's examples, so both twins must decode the very same values.
    for case in CASES:
        with Client(prism.base_url, api_key=API_KEY) as client:
            expected = case.sync(client)

        async def call(case: Case = case) -> object:
            async with AsyncClient(prism.base_url, api_key=API_KEY) as client:
                return await case.async_(client)

        assert decoded(asyncio.run(call())) == decoded(expected), case.name


def decoded(result: object) -> object:
    # Raw responses differ in their Date header; what was decoded must not.
    return result.parsed if isinstance(result, ApiResponse) else result


def test_the_harness_sees_a_violation(prism: PrismServer) -> None:
    """`limit` has a minimum of 1: a request the spec forbids must be reported, or the checks above prove nothing."""
    with (
        Client(prism.base_url, api_key=API_KEY, max_retries=0) as client,
        pytest.raises(UnprocessableEntityError),
    ):
        list_experiments_paginated(client, project_id=PROJECT, limit=0)
    assert any("limit" in violation for violation in prism.violations())


# --- Dynamic mode -----------------------------------------------------------------------------------------------

RawCall = Callable[[Client, int], ApiResponse[Any]]
AsyncRawCall = Callable[[AsyncClient, int], Awaitable[ApiResponse[Any]]]

# Round `i` varies the request too, so Prism validates more than one shape of it.
RAW_SYNC: dict[str, RawCall] = {
    "list_experiments_paginated": lambda c, i: list_experiments_paginated_raw(
        c, project_id=f"{PROJECT}-{i}", limit=i % 100 + 1, starting_token=i
    ),
    "extend_dataset_content": lambda c, i: extend_dataset_content_raw(
        c, body=BODIES[i % len(BODIES)]
    ),
}
RAW_ASYNC: dict[str, AsyncRawCall] = {
    "list_experiments_paginated": lambda c, i: list_experiments_paginated_raw_async(
        c, project_id=f"{PROJECT}-{i}", limit=i % 100 + 1, starting_token=i
    ),
    "extend_dataset_content": lambda c, i: extend_dataset_content_raw_async(
        c, body=BODIES[i % len(BODIES)]
    ),
}


def test_dynamic_calls_cover_every_operation() -> None:
    assert set(RAW_SYNC) == set(RAW_ASYNC) == spec_operations()


def check_round_trip(response: ApiResponse[Any]) -> None:
    wire = json.loads(response.http_response.content)
    model = response.parsed
    assert response.status_code == 200, wire
    # Exactly what was read: key order, `1` vs `1.0`, the date-time's text.
    assert json.dumps(model.to_dict()) == json.dumps(wire), (
        f"to_dict(from_dict(x)) != x for x = {json.dumps(wire)}"
    )
    assert response.drift == ()  # Prism answers schema-valid bodies: nothing drifts
    assert type(model).from_dict(model.to_dict()) == model, (
        f"from_dict(to_dict(m)) != m for {json.dumps(wire)}"
    )


@pytest.mark.parametrize("operation", sorted(RAW_SYNC))
def test_dynamic_responses_parse_and_round_trip_sync(
    prism_dynamic: PrismServer, operation: str
) -> None:
    prism_dynamic.reset_violations()
    with Client(prism_dynamic.base_url, api_key=API_KEY) as client:
        for round_ in range(DYNAMIC_ROUNDS):
            check_round_trip(RAW_SYNC[operation](client, round_))
    assert prism_dynamic.violations() == []


@pytest.mark.parametrize("operation", sorted(RAW_ASYNC))
def test_dynamic_responses_parse_and_round_trip_async(
    prism_dynamic: PrismServer, operation: str
) -> None:
    async def run() -> None:
        async with AsyncClient(prism_dynamic.base_url, api_key=API_KEY) as client:
            for round_ in range(DYNAMIC_ROUNDS):
                check_round_trip(await RAW_ASYNC[operation](client, round_))

    prism_dynamic.reset_violations()
    asyncio.run(run())
    assert prism_dynamic.violations() == []

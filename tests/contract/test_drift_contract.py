"""The checked-in Galileo client against Prism serving a *drifted* Galileo spec, in dynamic mode.

`drifted_spec` changes the responses the way a live API drifts from its docs: nested nulls (a nullable item of the
experiments list, a nullable `project_id` and `paginated`), type changes (`num_spans` a string, `tool_choice` an
object, `dataset_id` an integer), a widened enum (`task_type` 19, 77, 1000), a malformed date-time (`updated_at`
without its format) and a missing required property (`created_at` removed). Requests are left alone.

Hundreds of calls in the default (lenient) mode must raise nothing, every body must come back byte for byte from
`to_dict()`, and the drift records must be exactly the places `expected_drift` computes from the body. The same
calls with `strict=True` must raise `ResponseValidationError` exactly on the bodies that drift, at one of those paths.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from galileo_client import ApiResponse, Client, ResponseValidationError, _http
from galileo_client.api import extend_dataset_content_raw, list_experiments_paginated_raw
from galileo_client.models import SyntheticDatasetExtensionRequest
from support.prism import PrismServer, run_prism

from .conftest import SPEC

pytestmark = pytest.mark.slow

CALLS = 150  # per operation, in each mode
API_KEY = "drift-test-key"
BODY = SyntheticDatasetExtensionRequest(count=3)
KNOWN_TASK_TYPES = set(range(19))


def drifted_spec(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    page = schemas["ListExperimentResponse"]["properties"]
    page["paginated"]["type"] = ["boolean", "null"]
    page["experiments"]["items"] = {"anyOf": [page["experiments"]["items"], {"type": "null"}]}
    experiment = schemas["ExperimentResponse"]
    experiment["required"].remove("created_at")
    del experiment["properties"]["created_at"]
    experiment["properties"]["project_id"]["type"] = ["string", "null"]
    experiment["properties"]["num_spans"]["type"] = "string"
    del experiment["properties"]["updated_at"]["format"]
    schemas["TaskType"]["enum"] += [19, 77, 1000]
    schemas["ExperimentPromptRunSettings"]["properties"]["tool_choice"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["function"]}},
        "description": "OpenAI-style tool choice object.",
    }
    schemas["SyntheticDatasetExtensionResponse"]["properties"]["dataset_id"]["type"] = "integer"
    return spec


def expected_drift(operation: str, body: Any) -> list[str]:
    """Where `body` differs from the checked-in spec, given what `drifted_spec` changed."""
    if operation == "extend_dataset_content":
        return ["$.dataset_id"] if not isinstance(body.get("dataset_id"), str) else []
    found = ["$.paginated"] if "paginated" in body and body["paginated"] is None else []
    for index, item in enumerate(body.get("experiments", [])):
        at = f"$.experiments[{index}]"
        if item is None:
            found.append(at)
            continue
        found.append(f"{at}.created_at")  # required, and never sent
        if "project_id" in item and item["project_id"] is None:
            found.append(f"{at}.project_id")
        if "task_type" in item and item["task_type"] not in KNOWN_TASK_TYPES:
            found.append(f"{at}.task_type")
        if "num_spans" in item and item["num_spans"] is not None:
            found.append(f"{at}.num_spans")
        if isinstance(item.get("updated_at"), str) and not _is_datetime(item["updated_at"]):
            found.append(f"{at}.updated_at")
        settings = item.get("prompt_run_settings")
        if isinstance(settings, dict) and isinstance(settings.get("tool_choice"), dict):
            found.append(f"{at}.prompt_run_settings.tool_choice")
    return found


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _is_datetime(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def prism_drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    spec = drifted_spec(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    path: Path = tmp_path_factory.mktemp("drift") / "galileo-drifted.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with run_prism(path, dynamic=True) as server:
        yield server


OPERATIONS: dict[str, Callable[[Client, int], ApiResponse[Any]]] = {
    "list_experiments_paginated": lambda c, i: list_experiments_paginated_raw(
        c, project_id=f"p-{i}", limit=i % 100 + 1, starting_token=i
    ),
    "extend_dataset_content": lambda c, i: extend_dataset_content_raw(c, body=BODY),
}


def test_the_drifted_spec_is_what_prism_serves(prism_drifted: PrismServer) -> None:
    with Client(prism_drifted.base_url, api_key=API_KEY) as client:
        assert OPERATIONS["extend_dataset_content"](client, 0).drift  # an integer dataset_id
    assert prism_drifted.violations() == []  # the requests still match: only responses drifted


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_lenient_client_keeps_every_byte_and_reports_exactly_the_drift(
    prism_drifted: PrismServer, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    _http._LOGGED.clear()  # other tests logged some of these places already
    seen: set[str] = set()
    with (
        Client(prism_drifted.base_url, api_key=API_KEY) as client,
        caplog.at_level(logging.WARNING),
    ):
        for call in range(CALLS):
            response = OPERATIONS[operation](client, call)
            body = json.loads(response.http_response.content)
            assert sorted(d.path for d in response.drift) == sorted(expected_drift(operation, body))
            # Byte for byte as JSON: key order, 1 vs 1.0, date-time text all kept. (Compared through one writer:
            # Prism's JavaScript and Python spell some floats differently, 1e-07 and 1e-7.)
            assert compact(response.parsed.to_dict()) == compact(body)
            seen.update(record.shape for record in response.drift)
    assert prism_drifted.violations() == []
    logged = [record.getMessage() for record in caplog.records if record.name == "galileo_client"]
    assert len(logged) == len(
        seen
    )  # once per operation and place, however many calls drifted there
    assert all(message.startswith(f"{operation}: the response differs") for message in logged)
    expected = (
        {"$.dataset_id"}
        if operation == "extend_dataset_content"
        else {
            "$.experiments[*].created_at",
            "$.experiments[*].project_id",
            "$.experiments[*].task_type",
            "$.experiments[*].num_spans",
            "$.experiments[*].updated_at",
            "$.experiments[*].prompt_run_settings.tool_choice",
        }
    )
    assert expected <= seen, f"Prism never produced {expected - seen}"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_strict_client_raises_exactly_where_the_body_drifts(
    prism_drifted: PrismServer, operation: str
) -> None:
    raised = 0
    with Client(prism_drifted.base_url, api_key=API_KEY, strict=True) as client:
        for call in range(CALLS):
            try:
                response = OPERATIONS[operation](client, call)
            except ResponseValidationError as error:
                raised += 1
                assert error.path in expected_drift(operation, json.loads(error.response.content))
            else:
                assert expected_drift(operation, json.loads(response.http_response.content)) == []
                assert response.drift == ()
    assert raised > CALLS // 2

"""The checked-in Galileo client's models against the payloads of the two v2 docs pages (../shared/seeds).

Absent and null stay different, unknown properties and enum values survive, and the wire format round-trips.
"""

from __future__ import annotations

import gc
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(ROOT / "generated"))

from galileo_client import UNSET, Client, DecodeError, EncodeError, drift  # noqa: E402
from galileo_client.api import extend_dataset_content  # noqa: E402
from galileo_client.models import (  # noqa: E402
    ExperimentResponse,
    ExtendPromptSettings,
    ListExperimentResponse,
    SyntheticDatasetExtensionRequest,
    SyntheticDatasetExtensionResponse,
    SyntheticDataTypes,
    TaskType,
    UserInfo,
)


def json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every top-level JSON object in a docs page (curl bodies and response samples)."""
    decoder = json.JSONDecoder()
    position = text.find("{")
    while position != -1:
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            position = text.find("{", position + 1)
            continue
        if isinstance(value, dict) and value:
            yield value
        position = text.find("{", end)


def seed_payloads(page: str) -> list[dict[str, Any]]:
    path = SEEDS / page
    if not path.is_file():
        pytest.fail(f"seed page missing: {path} (../shared must sit beside the repo)")
    return list(json_objects(path.read_text()))


def test_extend_dataset_payloads_round_trip() -> None:
    payloads = seed_payloads("galileo-v2-datasets-extend.txt")
    requests = [p for p in payloads if "prompt_settings" in p]
    responses = [p for p in payloads if set(p) == {"dataset_id"}]
    assert requests and responses  # the page shows both, twice
    for payload in requests:
        model = SyntheticDatasetExtensionRequest.from_dict(payload)
        assert json.dumps(model.to_dict(), sort_keys=True) == json.dumps(payload, sort_keys=True)
        assert model.data_types == [SyntheticDataTypes.GENERAL_QUERY]
    for payload in responses:
        assert SyntheticDatasetExtensionResponse.from_dict(payload).to_dict() == payload


def test_list_experiments_payloads_round_trip() -> None:
    payloads = [
        p for p in seed_payloads("galileo-v2-experiments-paginated.txt") if "experiments" in p
    ]
    assert payloads
    for payload in payloads:
        page = ListExperimentResponse.from_dict(payload)
        assert page.to_dict() == payload
        # Same wire text: dict equality alone would accept 1.0 for 1.
        assert json.dumps(page.to_dict(), sort_keys=True) == json.dumps(payload, sort_keys=True)
        experiment = page.experiments[0] if page.experiments else None
        assert experiment is not None
        assert experiment.task_type == TaskType.VALUE_0
        assert experiment.created_at.tzinfo is not None
        assert payload["experiments"][0]["created_at"].endswith("Z")


def experiment(**fields: Any) -> dict[str, Any]:
    return {"id": "e1", "project_id": "p1", "created_at": "2023-11-07T05:31:56Z", **fields}


def test_absent_and_null_are_different() -> None:
    absent = ExperimentResponse.from_dict(experiment())
    null = ExperimentResponse.from_dict(experiment(rank=None))
    assert absent.rank is UNSET and null.rank is None
    assert "rank" not in absent.to_dict()
    assert null.to_dict()["rank"] is None


def test_unknown_properties_are_kept_and_written_back() -> None:
    payload = experiment(brand_new_field={"nested": [1, 2]})
    model = ExperimentResponse.from_dict(payload)
    assert model.additional_properties == {"brand_new_field": {"nested": [1, 2]}}
    assert model.to_dict() == payload


def test_a_model_decoded_without_unknown_properties_gets_them_on_first_access() -> None:
    user = UserInfo.from_dict({"id": "u1", "email": None})
    # The fields are the model's own attributes, without a dictionary (nor an empty one for the undeclared
    # properties) for the garbage collector to count and visit (issue 10).
    assert dict not in {type(referent) for referent in gc.get_referents(user)}
    assert user.additional_properties == {} and user == UserInfo(id="u1", email=None)
    user.additional_properties["added"] = [1]  # the dictionary made on access is the model's own
    assert user.to_dict() == {"id": "u1", "email": None, "added": [1]}
    assert UserInfo.from_dict({"id": "u1"}).additional_properties == {}  # not shared


def test_properties_are_written_back_in_the_order_they_came_then_fields_set_since() -> None:
    # More orders than each model class remembers (64): the later ones are worked out on each decoding.
    keys = ["id", "project_id", "created_at", "name", "rank", "winner", "tags", "num_spans"]
    orders = [list(order) for order in itertools.islice(itertools.permutations(keys), 0, 5040, 50)]
    assert len(orders) > 64
    values = experiment(name="n", rank=1, winner=False, tags={}, num_spans=3)
    for order in orders:
        model = ExperimentResponse.from_dict({key: values[key] for key in order})
        assert list(model.to_dict()) == order
    model.ranking_score = 0.5  # absent when decoded
    assert list(model.to_dict()) == [*orders[-1], "ranking_score"]


def test_a_field_named_like_the_setters_model_argument_is_set() -> None:
    codec = sys.modules["galileo_client._codec"]
    target = type("Target", (), {})()
    codec._field_setter(("model", "model_", "x"))(target, 1, 2, 3)
    assert (target.model, target.model_, target.x) == (1, 2, 3)
    with pytest.raises(TypeError):
        codec._field_setter(("x = 1\nimport os",))


def test_unknown_enum_values_are_accepted_and_round_trip() -> None:
    payload = experiment(task_type=42)
    model = ExperimentResponse.from_dict(payload)
    assert isinstance(model.task_type, TaskType)
    assert model.task_type == 42 and model.task_type.value == 42
    assert model.to_dict() == payload
    request = {"data_types": ["General Query", "Brand New Type"]}
    assert SyntheticDatasetExtensionRequest.from_dict(request).to_dict() == request


MISMATCHES = [
    (experiment(task_type="zero"), "$.task_type", "a TaskType value", "a string"),
    (experiment(task_type=42), "$.task_type", "a TaskType value", "an integer"),
    (experiment(created_at="yesterday"), "$.created_at", "an RFC 3339 date-time", "a string"),
    ({"id": "e1", "project_id": "p1"}, "$.created_at", "a required property", "absent"),
    (experiment(dataset={"dataset_id": 7}), "$.dataset.dataset_id", "a string", "an integer"),
    (experiment(dataset="d1"), "$.dataset", "ExperimentDataset", "a string"),
    (experiment(tags=[1]), "$.tags", "an object", "an array"),
]


@pytest.mark.parametrize(("payload", "path", "declared", "arrived"), MISMATCHES)
def test_strict_decoding_names_the_json_path(
    payload: dict[str, Any], path: str, declared: str, arrived: str
) -> None:
    with pytest.raises(DecodeError) as caught:
        ExperimentResponse.from_dict(payload, strict=True)
    assert caught.value.path == path
    assert caught.value.message == f"expected {declared}, got {arrived}"


@pytest.mark.parametrize(("payload", "path", "declared", "arrived"), MISMATCHES)
def test_lenient_decoding_keeps_the_value_and_reports_drift(
    payload: dict[str, Any], path: str, declared: str, arrived: str
) -> None:
    model = ExperimentResponse.from_dict(payload)
    assert [(d.path, d.declared, d.arrived) for d in drift(model)] == [(path, declared, arrived)]
    assert json.dumps(model.to_dict(), sort_keys=True) == json.dumps(payload, sort_keys=True)
    assert model.id == "e1"  # the rest decodes normally


def test_conforming_payloads_have_no_drift() -> None:
    for payload in seed_payloads("galileo-v2-experiments-paginated.txt"):
        if "experiments" in payload:
            assert drift(ListExperimentResponse.from_dict(payload)) == ()


def test_timestamps_keep_z_and_milliseconds() -> None:
    stamps = ("2023-11-07T05:31:56Z", "2023-11-07T05:31:56.120Z", "2023-11-07T05:31:56+02:00")
    # What was received is what is written: Jira's `+0000` and an explicit `.000` stay as they came.
    for stamp in (*stamps, "2024-01-01T10:00:00.000+0000", "2024-01-01T10:00:00.000Z"):
        assert (
            ExperimentResponse.from_dict(experiment(updated_at=stamp)).to_dict()["updated_at"]
            == stamp
        )


@pytest.mark.parametrize(
    ("request_body", "path", "declared", "arrived"),
    [
        (SyntheticDatasetExtensionRequest(count="3"), "$.count", "an integer", "a string"),  # type: ignore[arg-type]
        (
            SyntheticDatasetExtensionRequest(
                prompt_settings=ExtendPromptSettings(echo=None)  # type: ignore[arg-type]
            ),
            "$.prompt_settings.echo",
            "a boolean",
            "null",
        ),
        (
            SyntheticDatasetExtensionRequest(data_types=["General Query", 7]),  # type: ignore[list-item]
            "$.data_types[1]",
            "a SyntheticDataTypes value",
            "an integer",
        ),
    ],
)
def test_requests_stay_strict(
    request_body: SyntheticDatasetExtensionRequest, path: str, declared: str, arrived: str
) -> None:
    with pytest.raises(EncodeError) as caught:
        request_body.to_dict(request=True)
    assert (caught.value.path, caught.value.declared, caught.value.arrived) == (
        path,
        declared,
        arrived,
    )
    request_body.to_dict()  # not for a request: written as it is


def test_a_drifted_response_model_is_refused_as_a_request_body() -> None:
    drifted = SyntheticDatasetExtensionRequest.from_dict({"count": "many"})
    assert [str(record) for record in drift(drifted)] == [
        "$.count: expected an integer, got a string"
    ]
    with pytest.raises(EncodeError, match=r"\$\.count: expected an integer, got a string"):
        drifted.to_dict(request=True)


def test_nothing_is_sent_when_the_request_body_is_off_its_type() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"dataset_id": "d1"})

    transport = httpx.MockTransport(handler)
    body = SyntheticDatasetExtensionRequest(count="3")  # type: ignore[arg-type]
    with (
        Client("https://api.example.com", http_client=httpx.Client(transport=transport)) as client,
        pytest.raises(EncodeError, match=r"\$\.count"),
    ):
        extend_dataset_content(client, body=body)
    assert sent == []

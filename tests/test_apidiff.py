"""The API change report: what a reviewer of a spec change needs to know, breaking changes first."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator import ir
from generator.apidiff import diff_apis, report
from generator.load import load_document
from generator.refs import DocumentSet
from generator.translate import build_api

SPEC = Path(__file__).resolve().parents[1] / "spec" / "galileo.yaml"


def api_of(document: dict[str, object], tmp_path: Path, name: str) -> ir.Api:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    api, _ = build_api(DocumentSet(load_document(path, path.name)), package="galileo_client")
    return api


def test_identical_specs_report_no_changes(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC.read_text())
    old, new = api_of(document, tmp_path, "old"), api_of(document, tmp_path, "new")
    assert diff_apis(old, new) == []
    assert "No changes" in report([], "old", "new")


def test_changes_are_classified_and_breaking_ones_come_first(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC.read_text())
    old = api_of(document, tmp_path, "old")
    schemas = document["components"]["schemas"]
    del schemas["ExperimentResponse"]["properties"]["winner"]  # breaking: a field removed
    schemas["ExperimentResponse"]["properties"]["score"] = {"type": "number"}  # additive
    schemas["TaskType"]["enum"].remove(18)  # breaking: an enum value removed
    schemas["SyntheticDataTypes"]["enum"].append("Multi Turn")  # additive
    operation = document["paths"]["/v2/projects/{project_id}/experiments/paginated"]["get"]
    operation["parameters"].append(
        {"name": "tag", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    new = api_of(document, tmp_path, "new")

    changes = diff_apis(old, new)
    text = report(changes, "old", "new")
    breaking = text.index("## Breaking changes")
    other = text.index("## Other changes")
    assert breaking < other
    for line in (
        "- model `ExperimentResponse`: field `winner` removed",
        "- enum `TaskType`: value 18 (`VALUE_18`) removed",
        "- operation `list_experiments_paginated`: required argument `tag` added",
    ):
        assert breaking < text.index(line) < other, line
    for line in (
        "- model `ExperimentResponse`: optional field `score` added",
        "- enum `SyntheticDataTypes`: value 'Multi Turn' (`MULTI_TURN`) added",
    ):
        assert text.index(line) > other, line
    assert len(changes) == 5

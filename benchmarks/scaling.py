"""Scaling: does a 4x larger input cost about 4x the time? Prints figures, asserts nothing.

    .venv/bin/python benchmarks/scaling.py [CASE ...]

Each named case writes a spec of size n and of size 4n, and times loading it and building the IR (reference
resolution, schema conversion, naming), best of three in this process. Validation is left out: it is the
validator's cost, measured with the rest of the pipeline by benchmarks/generate.py; except for the cases in
VALIDATED, where how we hand the spec to the validator is what is measured. A ratio near 4 is linear (n log n
reads a little above); a quadratic cost shows as 16, a cubic one as 64.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.load import load_document  # noqa: E402
from generator.refs import DocumentSet  # noqa: E402
from generator.translate import build_api  # noqa: E402
from generator.validate import validate  # noqa: E402

Spec = dict[str, Any]


def _document(schemas: Spec, paths: Spec | None = None) -> Spec:
    return {
        "openapi": "3.1.0",
        "info": {"title": "scaling", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def enum_names(n: int) -> Spec:
    """n enum values with no ASCII letter: every one wants the member name VALUE."""
    values = [chr(0x4E00 + index) for index in range(n)]
    return _document({"Kanji": {"type": "string", "enum": values}})


def enum_casing(n: int) -> Spec:
    """n enum values that collide after casing in groups (`a-b`, `a_b`, `A B`...)."""
    values = [f"v{index // 4}{'-_ .'[index % 4]}x" for index in range(n)]
    return _document({"Spelled": {"type": "string", "enum": values}})


def field_names(n: int) -> Spec:
    """One model with n properties, four spellings of each snake_case name."""
    spellings = ("f{}Name", "f{}_name", "f{}-name", "F{}Name")
    properties = {spellings[i % 4].format(i // 4): {"type": "string"} for i in range(n)}
    return _document({"Wide": {"type": "object", "properties": properties}})


def operation_names(n: int) -> Spec:
    """n operations whose operationIds collide after casing, each with a query parameter."""
    spellings = ("get{}Item", "get_{}_item", "Get{}Item", "get-{}-item")
    paths = {
        f"/items{i}": {
            "get": {
                "operationId": spellings[i % 4].format(i // 4),
                "parameters": [{"name": "pageSize", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"204": {"description": "done"}},
            }
        }
        for i in range(n)
    }
    return _document({}, paths)


def parameter_names(n: int) -> Spec:
    """One operation with n query parameters, four spellings of each snake_case name."""
    spellings = ("p{}Size", "p{}_size", "p{}-size", "P{}Size")
    parameters = [
        {"name": spellings[i % 4].format(i // 4), "in": "query", "schema": {"type": "string"}}
        for i in range(n)
    ]
    operation = {
        "operationId": "search",
        "parameters": parameters,
        "responses": {"204": {"description": "done"}},
    }
    return _document({}, {"/search": {"get": operation}})


def ref_chain(n: int) -> Spec:
    """`S0 -> S1 -> ... -> Sn`, one `$ref` each: every link used to re-walk the rest of the chain, in our resolver
    and in openapi-spec-validator (10k links never finished). OpenAPI 3.0: 3.1's metaschema makes jsonschema
    crawl its registry once per schema, a cost of its own that would hide this one."""
    schemas: Spec = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(n)}
    schemas[f"S{n}"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    return {**_document(schemas), "openapi": "3.0.3"}


# name -> (spec of size n, n): one script, named cases.
CASES: dict[str, tuple[Callable[[int], Spec], int]] = {
    "enum-names": (enum_names, 8_000),
    "enum-casing": (enum_casing, 8_000),
    "field-names": (field_names, 8_000),
    "operation-names": (operation_names, 2_000),
    "parameter-names": (parameter_names, 8_000),
    "ref-chain": (ref_chain, 2_500),
}
VALIDATED = frozenset({"ref-chain"})


def _seconds(spec: Spec, folder: Path, validated: bool) -> float:
    path = folder / "spec.json"
    path.write_text(json.dumps(spec))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        docs = DocumentSet(load_document(path, path.name))
        if validated:
            assert not validate(docs)
        build_api(docs, package="scaling_client")
        best = min(best, time.perf_counter() - start)
    return best


def main(names: list[str]) -> None:
    print(f"{'case':<18}{'n':>8}{'time n':>10}{'4n':>8}{'time 4n':>10}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for name in names or list(CASES):
            make, n = CASES[name]
            small = _seconds(make(n), Path(folder), name in VALIDATED)
            large = _seconds(make(4 * n), Path(folder), name in VALIDATED)
            print(f"{name:<18}{n:>8}{small:>9.3f}s{4 * n:>8}{large:>9.3f}s{large / small:>8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])

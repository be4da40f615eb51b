"""Model speed: `from_dict` and `to_dict` of oapigen's generated models against openapi-python-client 0.29.1's,
pydantic v2 models from datamodel-code-generator, and msgspec Structs from datamodel-code-generator (the floor).

    .venv/bin/python benchmarks/models.py [--rounds N] [--readme]

Payloads: 10,000 `ExperimentResponse`s (the Galileo docs page's example) and 1,000 Jira `Project`s (a large nested
real object: lead user, components, issue types, versions, ..., built from the examples jira-platform.json gives each
property). Box was the other candidate; openapi-python-client 0.29.1 leaves its `File--Full` out. oapigen decodes leniently, drift
reporting included (the default for responses); every side's models are generated from the same spec by its own
generator. Each round runs every side once, in turn, so all sides see the same machine load; the table shows the
median of the rounds in milliseconds of CPU time and the others' time divided by oapigen's (above 1: oapigen is
faster).
The comparison tools live in their own virtualenv (`.venv/bench-models`, pinned below), created on first use.
`--readme` writes the table into README.md between the `models-benchmark` markers.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
VENV = ROOT / ".venv" / "bench-models"
WORK = VENV / "work"
PINS = (
    "openapi-python-client==0.29.1",
    "datamodel-code-generator==0.89.0",
    "pydantic==2.14.3",
    "msgspec==0.22.0",
)
SIDES = ("oapigen", "opc 0.29.1", "pydantic v2", "msgspec")
README_START = "<!-- models-benchmark:start -->"
README_END = "<!-- models-benchmark:end -->"


# --- Parent: tools, generated code, then the measuring child in the tools' virtualenv -----------------------------


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    marker = VENV / "pins.txt"
    if not python.exists() or not marker.exists() or marker.read_text() != "\n".join(PINS):
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *PINS], check=True)
        marker.write_text("\n".join(PINS))
    return python


def generate(name: str, spec: Path) -> None:
    """Each generator's models for `spec`, in WORK/<name>/. The others' are kept once made; oapigen's are made
    again whenever the generator or its templates change."""
    out = WORK / name
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "oapigen.stamp"
    if not stamp.exists() or stamp.read_text() != generator_hash():
        run = [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(spec),
            "--lenient",
            "-o",
            str(out),
        ]
        subprocess.run([*run, "--package", f"{name}_oapigen"], check=True, cwd=ROOT)
        stamp.write_text(generator_hash())
    if (out / "others.done").exists():
        return
    tools = VENV / "bin"
    opc = [str(tools / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none"]
    opc += ["--output-path", str(out / f"{name}_opc"), "--overwrite"]
    subprocess.run(opc, check=True, capture_output=True)
    for kind, module in (("pydantic_v2.BaseModel", "pydantic"), ("msgspec.Struct", "msgspec")):
        dcg = [
            str(tools / "datamodel-codegen"),
            "--input",
            str(spec),
            "--input-file-type",
            "openapi",
        ]
        dcg += ["--output-model-type", kind, "--output-datetime-class", "datetime"]
        dcg += ["--formatters", "builtin", "--output", str(out / f"{name}_{module}.py")]
        subprocess.run(dcg, check=True, capture_output=True)
    (out / "others.done").write_text("")


def generator_hash() -> str:
    sources = [*ROOT.glob("generator/**/*.py"), *ROOT.glob("templates/**/*")]
    digest = hashlib.sha256()
    for path in sorted(source for source in sources if source.is_file()):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(measure(args.rounds))
        return
    python = ensure_venv()
    generate("galileo", ROOT / "spec" / "galileo.yaml")
    generate("jira", CORPUS / "jira-platform.json")
    table = subprocess.run(
        [python, __file__, "--child", "--rounds", str(args.rounds)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout.strip()
    command = f"`.venv/bin/python benchmarks/models.py --rounds {args.rounds}`"
    print(table)
    if args.readme:
        write_readme(f"{table}\n\nMeasured with {command} on this repository's machine.")


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    before, rest = readme.read_text(encoding="utf-8").split(README_START, 1)
    _, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{text}\n{README_END}{after}", encoding="utf-8")


# --- Child: payloads, the four sides, alternating rounds ---------------------------------------------------------


Side = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (decode one payload, encode one model)


def sides(name: str, model: str) -> dict[str, Side]:
    ours = getattr(importlib.import_module(f"{name}_oapigen.models"), model)
    opc = getattr(importlib.import_module(f"{name}_opc.models"), model)
    pydantic = getattr(importlib.import_module(f"{name}_pydantic"), model)
    msgspec = importlib.import_module("msgspec")
    struct = getattr(importlib.import_module(f"{name}_msgspec"), model)
    return {
        "oapigen": (ours.from_dict, lambda m: m.to_dict()),
        "opc 0.29.1": (opc.from_dict, lambda m: m.to_dict()),
        "pydantic v2": (
            pydantic.model_validate,
            lambda m: m.model_dump(mode="json", by_alias=True, exclude_unset=True),
        ),
        "msgspec": (lambda d: msgspec.convert(d, struct), msgspec.to_builtins),
    }


def galileo_payloads() -> list[dict[str, Any]]:
    text = (ROOT.parent / "shared" / "seeds" / "galileo-v2-experiments-paginated.txt").read_text()
    page = json.JSONDecoder().raw_decode(text, text.index('{\n"starting_token"'))[0]
    return [copy.deepcopy(page["experiments"][0]) for _ in range(10_000)]


def jira_payloads() -> list[dict[str, Any]]:
    spec = json.loads((CORPUS / "jira-platform.json").read_text())
    project = Instance(spec["components"]["schemas"]).of(
        {"$ref": "#/components/schemas/Project"}, 0
    )
    return [copy.deepcopy(project) for _ in range(1_000)]


FORMATTED = {
    "date-time": "2024-01-01T10:00:00Z",
    "date": "2024-01-01",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "email": "someone@example.com",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
}


class Instance:
    """A conforming instance of a schema with every property present, from the spec's own examples."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas

    def of(self, schema: dict[str, Any], depth: int) -> Any:
        if "$ref" in schema:
            return self.of(self.schemas[schema["$ref"].rsplit("/", 1)[1]], depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self.of(part, depth)
                if isinstance(value, dict):
                    merged.update(value)
            return merged | (self._object(schema, depth) if "properties" in schema else {})
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self.of(schema[key][0], depth)
        if "example" in schema and schema.get("type") != "object":
            return schema["example"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type", "object")
        if kind == "array":
            return [] if depth > 3 else [self.of(schema.get("items", {}), depth + 1)]
        if kind == "object":
            return self._object(schema, depth)
        if schema.get("format") in FORMATTED:
            return FORMATTED[schema["format"]]
        return {"string": "text", "integer": 1, "number": 1.5, "boolean": True}.get(kind, "text")

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        if depth > 3:
            return {}
        return {
            name: self.of(prop, depth + 1) for name, prop in schema.get("properties", {}).items()
        }


def timed(function: Callable[[Any], Any], items: list[Any]) -> tuple[float, list[Any]]:
    # CPU time of this process: on a shared machine, wall time mostly measures the neighbours.
    started = time.process_time()
    results = [function(item) for item in items]
    return time.process_time() - started, results


def rounds(cases: dict[str, Side], payloads: list[Any], count: int) -> Iterator[dict[str, float]]:
    for _ in range(count):
        figures: dict[str, float] = {}
        for side, (decode, encode) in cases.items():
            figures[f"{side} from_dict"], models = timed(decode, payloads)
            figures[f"{side} to_dict"], _ = timed(encode, models)
        yield figures


def measure(count: int) -> str:
    sys.path[:0] = [str(WORK / "galileo"), str(WORK / "jira")]
    drift = importlib.import_module("galileo_oapigen").drift
    lines = [
        "| payload | operation | " + " | ".join(SIDES) + " | opc / oapigen | pydantic / oapigen |",
        "|---|---|" + "---:|" * (len(SIDES) + 2),
    ]
    cases = (
        ("10,000 Galileo ExperimentResponse", "galileo", "ExperimentResponse", galileo_payloads()),
        ("1,000 Jira Project", "jira", "Project", jira_payloads()),
    )
    for label, name, model, payloads in cases:
        sided = sides(name, model)
        ours = sided["oapigen"][0](payloads[0])
        assert not drift(ours), drift(ours)  # conforming data: the lenient path, no drift
        assert ours.to_dict() == payloads[0]
        runs = list(rounds(sided, payloads, count))
        for operation in ("from_dict", "to_dict"):
            medians = {
                side: statistics.median(r[f"{side} {operation}"] for r in runs) for side in SIDES
            }
            base = medians["oapigen"]
            cells = [f"{medians[side] * 1000:.0f}" for side in SIDES]
            ratios = [f"{medians[side] / base:.2f}x" for side in ("opc 0.29.1", "pydantic v2")]
            lines.append(f"| {label} | {operation} | " + " | ".join(cells + ratios) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

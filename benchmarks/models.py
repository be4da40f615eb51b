"""Model speed: `from_dict` and `to_dict` of oapigen's generated models against openapi-python-client 0.29.1's,
pydantic v2 models from datamodel-code-generator, and msgspec Structs from datamodel-code-generator (the floor).

    .venv/bin/python benchmarks/models.py [--rounds N] [--readme] [--collector-off]

Payloads: 10,000 `ExperimentResponse`s (the Galileo docs page's example) and 1,000 Jira `Project`s (a large nested
real object: lead user, components, issue types, versions, ..., built from the examples jira-platform.json gives each
property). Box was the other candidate; openapi-python-client 0.29.1 leaves its `File--Full` out. oapigen decodes leniently, drift
reporting included (the default for responses); every side's models are generated from the same spec by its own
generator. Each side runs in a process of its own (its heap holds only its own classes and payloads, so a garbage
collection pass costs each side what its own objects cost), and each round runs every side once, in turn, so all
sides see the same machine load. The garbage collector stays on (allocating fewer objects is part of being fast),
but it is emptied before each timed operation, so that no side pays for the garbage of the one before. The table
shows the median of the rounds in milliseconds of CPU time and the others' time divided by oapigen's (above 1:
oapigen is faster).
`--collector-off` disables the collector in every worker, to show what it costs each side (an experiment
for this measurement only: the generated client never touches the collector).
The comparison tools live in their own virtualenv (`.venv/bench-models`, pinned below), created on first use.
`--readme` writes the table into README.md between the `models-benchmark` markers.
"""

from __future__ import annotations

import argparse
import copy
import gc
import hashlib
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
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
    parser.add_argument(
        "--collector-off", action="store_true", help="disable the garbage collector in the workers"
    )
    parser.add_argument("--worker", nargs=2, metavar=("SIDE", "CASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.collector_off:
            gc.disable()
        serve(*args.worker)
        return
    python = ensure_venv()
    generate("galileo", ROOT / "spec" / "galileo.yaml")
    generate("jira", CORPUS / "jira-platform.json")
    if args.readme and args.collector_off:
        parser.error("the README shows the collector on")
    table = measure(python, args.rounds, ["--collector-off"] if args.collector_off else [])
    command = f"`.venv/bin/python benchmarks/models.py --rounds {args.rounds}`"
    print(table)
    if args.readme:
        write_readme(f"{table}\n\nMeasured with {command} on this repository's machine.")


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    before, rest = readme.read_text(encoding="utf-8").split(README_START, 1)
    _, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{text}\n{README_END}{after}", encoding="utf-8")


# --- Workers: one process per side and payload, told by the parent when to run a round -------------------------


Side = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # (decode one payload, encode one model)
CASES = {
    "galileo": ("10,000 Galileo ExperimentResponse", "ExperimentResponse"),
    "jira": ("1,000 Jira Project", "Project"),
}


def side(name: str, case: str, model: str) -> Side:
    """Imports only this side's modules, so that its heap holds nothing of the others'."""
    sys.path.insert(0, str(WORK / case))
    if name == "oapigen":
        ours = getattr(importlib.import_module(f"{case}_oapigen.models"), model)
        return ours.from_dict, lambda m: m.to_dict()
    if name == "opc 0.29.1":
        opc = getattr(importlib.import_module(f"{case}_opc.models"), model)
        return opc.from_dict, lambda m: m.to_dict()
    if name == "pydantic v2":
        pydantic = getattr(importlib.import_module(f"{case}_pydantic"), model)
        return pydantic.model_validate, lambda m: m.model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
    msgspec = importlib.import_module("msgspec")
    struct = getattr(importlib.import_module(f"{case}_msgspec"), model)
    return lambda d: msgspec.convert(d, struct), msgspec.to_builtins


def serve(name: str, case: str) -> None:
    """Checks the side on the first payload, then times one round per line read, printing `from_dict to_dict`."""
    payloads = galileo_payloads() if case == "galileo" else jira_payloads()
    decode, encode = side(name, case, CASES[case][1])
    if name == "oapigen":
        drift = importlib.import_module(f"{case}_oapigen").drift
        ours = decode(payloads[0])
        assert not drift(ours), drift(ours)  # conforming data: the lenient path, no drift
        assert ours.to_dict() == payloads[0]
    print("ready", flush=True)
    for _ in sys.stdin:
        decoding, models = timed(decode, payloads)
        encoding, _ = timed(encode, models)
        del models
        print(decoding, encoding, flush=True)


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
    gc.collect()
    started = time.process_time()
    results = [function(item) for item in items]
    return time.process_time() - started, results


def measure(python: Path, count: int, options: list[str]) -> str:
    lines = [
        "| payload | operation | " + " | ".join(SIDES) + " | opc / oapigen | pydantic / oapigen |",
        "|---|---|" + "---:|" * (len(SIDES) + 2),
    ]
    for case, (label, _) in CASES.items():
        runs = alternated(python, case, count, options)
        for index, operation in enumerate(("from_dict", "to_dict")):
            medians = {name: statistics.median(r[index] for r in runs[name]) for name in SIDES}
            base = medians["oapigen"]
            cells = [f"{medians[name] * 1000:.0f}" for name in SIDES]
            ratios = [f"{medians[name] / base:.2f}x" for name in ("opc 0.29.1", "pydantic v2")]
            lines.append(f"| {label} | {operation} | " + " | ".join(cells + ratios) + " |")
    return "\n".join(lines)


def alternated(
    python: Path, case: str, count: int, options: list[str]
) -> dict[str, list[tuple[float, float]]]:
    """`count` rounds of every side's worker in turn: per side, the (from_dict, to_dict) seconds of each round."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    workers = {
        name: subprocess.Popen(
            [python, __file__, "--worker", name, case, *options],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in SIDES
    }
    try:
        for worker in workers.values():
            assert worker.stdout and worker.stdout.readline() == "ready\n"
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in SIDES}
        for _ in range(count):
            for name, worker in workers.items():
                assert worker.stdin and worker.stdout
                worker.stdin.write("\n")
                worker.stdin.flush()
                decoding, encoding = worker.stdout.readline().split()
                runs[name].append((float(decoding), float(encoding)))
    finally:
        for worker in workers.values():
            if worker.stdin:
                worker.stdin.close()
            worker.wait()
    return runs


if __name__ == "__main__":
    main()

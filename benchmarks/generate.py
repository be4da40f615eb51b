"""Generation speed and memory, side by side with openapi-python-client: prints figures and ratios, asserts nothing.

    .venv/bin/python benchmarks/generate.py [--runs N] [--readme] [--stages] [SPEC ...]

For each spec (default: the issue's six corpus documents), alternately, `--runs` times each (default 3):
- **cold**: `oapigen generate` into an empty folder (nothing to reuse: black on every file our templates do not
  vouch for) against `openapi-python-client generate` (0.29.1, which formats with ruff), each in a fresh process;
- **check**: `oapigen check` of the tree just generated, in a fresh process (a CI drift check: no cache anywhere
  but the checked-in tree and its manifest), against opc's generation of the same spec;
- **import**: `import <package>` of each generated package in a fresh interpreter (less an empty interpreter's
  start-up).
Medians are printed with their ratio (ours / opc's; below 1 is faster), with wall time and the CPU seconds of the
whole process tree, and the peak memory of the process tree (proportional set sizes summed over its processes, so
that memory a forked worker shares with its parent counts once; sampled every 20 ms). opc runs from its own virtualenv (`benchmarks/.venv-opc`, made on first use with pinned versions).
Where opc stops with an error, the run is retried with its `literal_enums` option (noted in the table).

`--stages` instead times our pipeline stage by stage in-process (load, validate, build, render, format), and the
regeneration after a one-property change (`--stages` on stripe is the issue's target 3).
`--readme` writes the table into README.md between the benchmark markers, with the command that made it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("OAPIGEN_CORPUS", ROOT.parent / "shared" / "corpus"))
DEFAULT_SPECS = (
    "spotify.yaml",
    "twilio-api-v2010.json",
    "jira-platform.json",
    "box.json",
    "openai.yaml",
    "stripe.yaml",
)
OPC_VENV = ROOT / "benchmarks" / ".venv-opc"
OPC_PINS = ("openapi-python-client==0.29.1",)
OUR_CLI = (sys.executable, "-m", "generator")
README = ROOT / "README.md"
MARKERS = ("<!-- benchmark: start -->", "<!-- benchmark: end -->")
_SAMPLE_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class Run:
    ok: bool
    wall: float
    cpu: float  # user + system seconds of the process and every child it waited for
    peak_mb: float  # largest PSS of the process tree, as sampled
    output: str


def run(command: Sequence[str | Path], cwd: Path = ROOT) -> Run:
    """Run a command, sampling the resident memory of its process tree; its CPU time from RUSAGE_CHILDREN."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    with (
        tempfile.TemporaryFile() as log
    ):  # a pipe would fill up and stall the child while we sample
        process = subprocess.Popen(
            [str(part) for part in command],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_memory_kb(process.pid))
            time.sleep(_SAMPLE_SECONDS)
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode(errors="replace")
    # Nothing else is reaped meanwhile, so the growth is this process tree's (its children were reaped by it).
    cpu = _children_cpu() - cpu_before
    return Run(process.returncode == 0, wall, cpu, peak / 1024, output)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_memory_kb(pid: int) -> int:
    """Proportional set size (PSS) summed over a process tree: pages shared by forked workers count once."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
        )
        pending.extend(int(child) for child in children)
    return total


def opc_command() -> Path:
    """openapi-python-client in its own virtualenv, created on first use."""
    executable = OPC_VENV / "bin" / "openapi-python-client"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(OPC_VENV)], check=True)
        pip = [str(OPC_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *OPC_PINS], check=True)
    return executable


def package_name(spec: Path) -> str:
    return "bench_" + "".join(char if char.isalnum() else "_" for char in spec.stem.lower())


@dataclass
class Figures:
    """Every run of one spec, by measure."""

    ours: list[Run]
    opc: list[Run]
    check: list[Run]
    import_ours: list[float]
    import_opc: list[float]
    opc_note: str = ""


def measure(spec: Path, runs: int, work: Path) -> Figures:
    opc = opc_command()
    package = package_name(spec)
    figures = Figures([], [], [], [], [])
    opc_extra: list[str] = []
    for index in range(runs):
        # Alternate, so that whatever else loads the machine weighs on both sides alike. opc writes the package
        # itself at --output-path (with --meta none), so that folder's name must be importable.
        ours_out, opc_out = work / f"ours_{index}", work / f"opc_{index}"
        figures.ours.append(run([*OUR_CLI, "generate", spec, "-o", ours_out, "--package", package]))
        figures.check.append(run([*OUR_CLI, "check", spec, "-o", ours_out, "--package", package]))
        opc_generate: list[str | Path] = [
            opc,
            "generate",
            "--path",
            spec,
            "--meta",
            "none",
            "--output-path",
            opc_out,
        ]
        opc_run = run([*opc_generate, *opc_extra])
        if not opc_run.ok and not opc_extra:
            opc_extra = ["--config", str(_literal_enums_config(work))]
            figures.opc_note = "with `literal_enums` (crashes without)"
            shutil.rmtree(opc_out, ignore_errors=True)
            opc_run = run([*opc_generate, *opc_extra])
        figures.opc.append(opc_run)
        if figures.ours[-1].ok:
            figures.import_ours.append(import_seconds(sys.executable, ours_out, package))
        if opc_run.ok:
            figures.import_opc.append(
                import_seconds(OPC_VENV / "bin" / "python", work, opc_out.name)
            )
        shutil.rmtree(ours_out, ignore_errors=True)
        shutil.rmtree(opc_out, ignore_errors=True)
    return figures


def _literal_enums_config(work: Path) -> Path:
    config = work / "opc-literal-enums.yaml"
    config.write_text("literal_enums: true\n")
    return config


def import_seconds(python: str | Path, folder: Path, package: str) -> float:
    """`import package` in a fresh interpreter, less the interpreter's own start-up (medians of 3)."""

    def timed(code: str) -> float:
        started = time.perf_counter()
        done = subprocess.run([str(python), "-c", code], cwd=folder, capture_output=True)
        return time.perf_counter() - started if done.returncode == 0 else float("nan")

    bare = statistics.median(timed("pass") for _ in range(3))
    return statistics.median(timed(f"import {package}") for _ in range(3)) - bare


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def row(spec: Path, figures: Figures) -> str:
    ok = [item for item in figures.ours if item.ok]
    opc_ok = [item for item in figures.opc if item.ok]
    checked = [item for item in figures.check if item.ok]
    if not ok:
        return f"| {spec.name} | failed: {figures.ours[0].output[-200:]!r} |"
    if not opc_ok:
        return (
            f"| {spec.name} | opc failed: {figures.opc[0].output.strip().splitlines()[-1][:120]} |"
        )

    def pair(measure: Callable[[Run], float], ours: list[Run], theirs: list[Run], unit: str) -> str:
        a, b = median([measure(item) for item in ours]), median([measure(item) for item in theirs])
        return f"{a:.1f} {unit} / {b:.1f} {unit} = **{a / b:.2f}x**"

    imports = median(figures.import_ours), median(figures.import_opc)
    cells = [
        spec.name + (f" (opc {figures.opc_note})" if figures.opc_note else ""),
        pair(lambda item: item.wall, ok, opc_ok, "s"),
        pair(lambda item: item.cpu, ok, opc_ok, "s"),
        pair(lambda item: item.wall, checked, opc_ok, "s"),
        pair(lambda item: item.cpu, checked, opc_ok, "s"),
        pair(lambda item: item.peak_mb, ok, opc_ok, "MB"),
        f"{imports[0] * 1000:.0f} ms / {imports[1] * 1000:.0f} ms = **{imports[0] / imports[1]:.2f}x**",
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| spec | cold generate, wall | cold generate, CPU | `check` (fresh machine) vs opc generate, wall "
    "| the same, CPU | peak memory | `import pkg` |\n|---|---|---|---|---|---|---|"
)


def table(specs: Sequence[Path], runs: int) -> str:
    rows = []
    with tempfile.TemporaryDirectory(prefix="oapigen-bench-") as folder:
        for spec in specs:
            work = Path(folder) / spec.stem
            work.mkdir()
            rows.append(row(spec, measure(spec, runs, work)))
            print(rows[-1], flush=True)
    return HEADER + "\n" + "\n".join(rows) + "\n"


def write_readme(text: str, command: str) -> None:
    readme = README.read_text()
    start, end = MARKERS
    block = (
        f"{start}\nMeasured with `{command}` ({os.cpu_count()} cores, Python {sys.version.split()[0]}); "
        "each cell: ours / openapi-python-client 0.29.1 = ratio, medians of alternated runs.\n\n"
        f"{text}{end}"
    )
    if start in readme:
        before, rest = readme.split(start, 1)
        readme = before + block + rest.split(end, 1)[1]
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(readme)


def stages(spec: Path) -> str:
    """Our pipeline stage by stage in this process, cold; then regeneration after a one-property change."""
    from generator.format import format_files
    from generator.load import load_document
    from generator.pipeline import Options, generate
    from generator.refs import DocumentSet
    from generator.render import RUNTIME_FILES, render_api
    from generator.translate import build_api
    from generator.validate import validate
    from generator.write import read_previous, write_output

    laps: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        laps[name], started = now - started, now

    docs = DocumentSet(load_document(spec, spec.name))
    lap("load")
    validate(docs)
    lap("validate")
    api, _ = build_api(docs, package=package_name(spec))
    lap("build")
    files = render_api(api)
    lap("render")
    counts = format_files(
        files, RUNTIME_FILES, vouchable=frozenset(files.keys() - RUNTIME_FILES)
    ).counts
    lap("format")
    line = f"{spec.name}: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in laps.items())
    line += f" ({counts.summary()})"
    with tempfile.TemporaryDirectory(prefix="oapigen-bench-") as folder:
        package_dir = Path(folder) / package_name(spec)
        options = Options(package=package_dir.name, lenient=True)
        generation = generate(spec, options)
        write_output(
            package_dir,
            generation.files,
            header=generation.header,
            provenance=generation.provenance,
        )
        changed = Path(folder) / spec.name
        changed.write_text(_one_property_more(spec.read_text()))
        before = {path: (package_dir / path).stat().st_ino for path in generation.files}
        started = time.perf_counter()
        validate(DocumentSet(load_document(changed, changed.name)))
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        regeneration = generate(changed, options, previous=read_previous(package_dir))
        write_output(
            package_dir,
            regeneration.files,
            header=regeneration.header,
            provenance=regeneration.provenance,
        )
        total = time.perf_counter() - started
        touched = sum(
            1
            for path in regeneration.files
            if before.get(path) != (package_dir / path).stat().st_ino
        )
        cold = generate(
            changed, Options(package=package_dir.name, lenient=True, verify_format=True)
        )
    same = (
        "identical to a cold run" if cold.files == regeneration.files else "DIFFERS from a cold run"
    )
    return (
        f"{line}\n  one property more: {total:.1f} s ({loaded:.1f} s loading and validating, "
        f"{total - loaded:.1f} s beyond), {regeneration.reused} files reused, "
        f"{touched} written, output {same}"
    )


def _one_property_more(text: str) -> str:
    """The spec with one more string property in its first schema that lists `properties` (YAML or JSON)."""
    for marker, added in (
        ("properties:\n", "_bench_added:\n"),
        ('"properties": {', '"_bench_added": {"type": "string"}, '),
    ):
        at = text.find(marker)
        if at < 0:
            continue
        end = at + len(marker)
        if marker.endswith("\n"):
            indent = len(text[end:]) - len(text[end:].lstrip(" "))
            return (
                text[:end]
                + " " * indent
                + added
                + " " * (indent + 2)
                + "type: string\n"
                + text[end:]
            )
        return text[:end] + added + text[end:]
    raise ValueError("no schema with properties")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readme", action="store_true")
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args(argv)
    # A bare name is a corpus document's.
    specs = [spec if spec.exists() else CORPUS / spec for spec in args.specs] or [
        CORPUS / name for name in DEFAULT_SPECS
    ]
    if args.stages:
        for spec in specs:
            print(stages(spec), flush=True)
        return
    text = table(specs, args.runs)
    print(text)
    if args.readme:
        write_readme(text, "python benchmarks/generate.py " + " ".join(argv))


if __name__ == "__main__":
    main(sys.argv[1:])

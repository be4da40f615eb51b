"""Generation speed and memory, stage by stage: prints figures, asserts nothing.

    .venv/bin/python benchmarks/generate.py [SPEC ...]

Without arguments: the Galileo spec and a few corpus documents of growing size, plus an alias bomb (how fast and in
how little memory it is refused). Each spec runs in a fresh process so peak memory is its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_SPECS = [
    ROOT / "spec" / "galileo.yaml",
    CORPUS / "swagger-petstore3.yaml",
    CORPUS / "spotify.yaml",
    CORPUS / "discord.json",
]
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)


def measure(spec: str) -> dict[str, object]:
    """Runs in the child process: every stage timed, nothing reused, so the figure is a cold run's."""
    sys.path.insert(0, str(ROOT))
    from generator.diagnostics import SpecError
    from generator.format import format_files
    from generator.load import load_document
    from generator.refs import DocumentSet
    from generator.render import RUNTIME_FILES, render_api
    from generator.translate import build_api
    from generator.validate import validate

    figures: dict[str, object] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        figures[name] = round(now - started, 3)
        started = now

    try:
        docs = DocumentSet(load_document(Path(spec), Path(spec).name))
    except SpecError as error:
        lap("load")
        figures["refused"] = error.diagnostics[0].message[:80]
        return figures
    lap("load")
    errors = validate(docs)
    lap("validate")
    api, _ = build_api(docs, package="bench_client")
    lap("build")
    files = render_api(api)
    lap("render")
    formatted = format_files(files, RUNTIME_FILES).files
    lap("format")
    figures["files"] = len(formatted)
    figures["lines"] = sum(text.count("\n") for text in formatted.values())
    figures["valid"] = not errors
    return figures


def run(spec: Path) -> None:
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        print(f"{spec.name}: failed\n{child.stderr}")
        return
    figures = json.loads(child.stdout.splitlines()[-1])
    stages = ("load", "validate", "build", "render", "format")
    total = sum(float(figures.get(stage, 0)) for stage in stages)
    times = "  ".join(f"{stage} {figures[stage]:>6}s" for stage in stages if stage in figures)
    if "refused" in figures:
        extra = f"refused: {figures['refused']}"
    else:
        extra = f"{figures['files']} files, {figures['lines']} lines"
    print(f"{spec.name:28} total {total:7.2f}s  {times}  peak {figures['peak_mb']} MB  {extra}")


def child_main(spec: str) -> None:
    figures = measure(spec)
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child_main(argv[1])
        return
    specs = [Path(arg) for arg in argv] or [spec for spec in DEFAULT_SPECS if spec.is_file()]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, cold (nothing reused)")
    for spec in specs:
        run(spec)
    if not argv:
        with tempfile.TemporaryDirectory() as folder:
            bomb = Path(folder) / "alias-bomb.yaml"
            bomb.write_text(ALIAS_BOMB)
            run(bomb)


if __name__ == "__main__":
    main(sys.argv[1:])

"""How generation time grows with the input: each named case at n and 4n, side by side, as a ratio.

    .venv/bin/python benchmarks/scaling.py [CASE ...] [--size N]

A linear (or n log n) cost shows a ratio near 4 (a little above, for n log n); a quadratic one near 16. Each case
is a function of n returning a spec; each size runs in a fresh process (black's cache off) so runs do not share
warm caches. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _spec(schemas: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI 3.0: 3.1's metaschema makes jsonschema crawl its registry per schema, a cost of its own that would
    # hide the one measured here.
    return {
        "openapi": "3.0.3",
        "info": {"title": "Scaling", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def ref_chain(n: int) -> dict[str, Any]:
    """`S0 -> S1 -> ... -> Sn`, one `$ref` each, ending at an object: each link used to re-walk the chain."""
    schemas: dict[str, Any] = {
        f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(n)
    }
    schemas[f"S{n}"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    return _spec(schemas)


CASES: dict[str, Callable[[int], dict[str, Any]]] = {"refs": ref_chain}
DEFAULT_SIZE = 2500


def measure(path: str) -> float:
    """Runs in the child process: seconds for a whole generation, black uncached."""
    sys.path.insert(0, str(ROOT))
    os.environ["OAPIGEN_CACHE"] = "off"
    from generator.pipeline import Options, generate

    started = time.perf_counter()
    generate(Path(path), Options(package="scaling_client", lenient=True))
    return time.perf_counter() - started


def _run(case: str, n: int, folder: Path) -> float:
    path = folder / f"{case}-{n}.json"
    path.write_text(json.dumps(CASES[case](n)), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "cases", nargs="*", metavar="CASE", help=f"one of {', '.join(CASES)}; all by default"
    )
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="n (the larger run is 4n)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(measure(args.measure))
        return
    unknown = sorted(set(args.cases) - CASES.keys())
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    print(f"{'case':<10} {'n':>8} {'time':>9} {'4n':>8} {'time':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases or list(CASES):
            small = _run(case, args.size, Path(folder))
            large = _run(case, 4 * args.size, Path(folder))
            print(
                f"{case:<10} {args.size:>8} {small:>8.2f}s {4 * args.size:>8} {large:>8.2f}s "
                f"{large / small:>6.1f}"
            )


if __name__ == "__main__":
    main()

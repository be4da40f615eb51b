"""Run in a fresh interpreter: `python -m tests.corpus.probe OUT_DIR PACKAGE < cases.json`.

Imports every module of the generated package in `OUT_DIR` (so each compiles and imports on its own), then decodes
each example with the runtime type the generator emits for it (strictly: an example is conforming data) and
encodes it back (`to_dict()`, without `request=True`). Prints `{"modules": n, "import_errors": [...], "results": {pointer: "" or the problem}}`.
"""

from __future__ import annotations

import datetime
import importlib
import json
import sys
import traceback
from pathlib import Path
from typing import Any


def main(out_dir: str, package: str) -> None:
    sys.path.insert(0, out_dir)
    modules = sorted(
        ".".join((package, *path.relative_to(Path(out_dir) / package).with_suffix("").parts))
        for path in (Path(out_dir) / package).rglob("*.py")
    )
    import_errors = []
    for name in modules:
        try:
            importlib.import_module(name.removesuffix(".__init__"))
        except Exception:
            import_errors.append(f"{name}: {traceback.format_exc(limit=-1).strip()}")
    results = {}
    if not import_errors:
        models = importlib.import_module(f"{package}.models")
        namespace = {**vars(models), "_codec": importlib.import_module(f"{package}._codec")}
        for case in json.load(sys.stdin):
            results[case["pointer"]] = _round_trip(namespace, case["decoder"], case["value"])
    json.dump(
        {"modules": len(modules), "import_errors": import_errors, "results": results}, sys.stdout
    )


def _round_trip(namespace: dict[str, Any], decoder: str, value: Any) -> str:
    try:
        kind = eval(decoder, namespace)  # the expression the generator itself emits
        decoded, _ = namespace["_codec"].decode(kind, value, strict=True)
        encoded = namespace["_codec"].encode(decoded)
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300]
    return "" if same_json(encoded, value) else f"written back as {json.dumps(encoded)[:200]}"


def same_json(left: Any, right: Any) -> bool:
    """Equal JSON values; date-time strings compare as instants (the client writes RFC 3339 its own way)."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            same_json(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, str) and isinstance(right, str) and left != right:
        return _instant(left) is not None and _instant(left) == _instant(right)
    return (type(left) is type(right) and left == right) or _both_numbers(left, right)


def _both_numbers(left: Any, right: Any) -> bool:
    return isinstance(left, int | float) and isinstance(right, int | float) and left == right


def _instant(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""The re-exporting `__init__` files import on first use: `import pkg` does not import httpx, one endpoint module
does not import every model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import galileo_client.api.datasets
loaded = sorted(name for name in sys.modules if name.startswith("galileo_client.models."))
import galileo_client.models as models
import galileo_client.api as api
resolved = all(getattr(package, name) is not None for package in (models, api) for name in package.__all__)
everything = sorted(name for name in sys.modules if name.startswith("galileo_client.models."))
try:
    models.NoSuchModel
    missing = "resolved"
except AttributeError as error:
    missing = str(error)
print(json.dumps([loaded, everything, resolved, missing]))
"""


def run_in_fresh_interpreter(code: str) -> Any:
    """What `code` prints as JSON, run where the generated package is importable."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "generated",
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_one_endpoint_module_imports_only_the_models_it_uses() -> None:
    loaded, everything, resolved, missing = run_in_fresh_interpreter(PROBE)
    datasets = (ROOT / "generated" / "galileo_client" / "api" / "datasets.py").read_text()
    direct = {
        "galileo_client" + line.split()[1][1:]
        for line in datasets.splitlines()
        if line.startswith("from ..models.")
    }
    assert direct and direct <= set(loaded)
    assert len(loaded) < len(everything)  # the point: not every model
    assert resolved  # yet every exported name resolves on first use
    assert missing == "module 'galileo_client.models' has no attribute 'NoSuchModel'"


TOP_LEVEL = """
import json, sys
import galileo_client
bare = sorted(name for name in sys.modules if name.split(".")[0] in ("galileo_client", "httpx"))
from galileo_client import Client, NotFoundError, drift
import galileo_client as package
resolved = all(getattr(package, name) is not None for name in package.__all__)
print(json.dumps([bare, "httpx" in sys.modules, resolved, Client.__module__, package.__version__]))
"""


def test_import_package_imports_neither_httpx_nor_the_runtime_until_a_name_is_used() -> None:
    bare, httpx_after_use, resolved, client_module, version = run_in_fresh_interpreter(TOP_LEVEL)
    assert bare == ["galileo_client"]  # `import pkg` alone: no httpx, no runtime module, no model
    # `from pkg import Client` and every exported name still work
    assert httpx_after_use and resolved
    assert client_module == "galileo_client._client"
    assert version == "2.0.0"

"""Fixtures of the contract tests: the checked-in Galileo client, Prism serving the Galileo spec, and the client of
the OpenAPI 3.2 golden spec (`v32`, generated per test module).

The tests exercise `generated/galileo_client` exactly as it is checked in (the package users vendor), so
`generated/` goes on `sys.path` here, before any test module imports it. Each Prism mode is one server per session:
starting Prism takes about a second, and `reset_violations()` keeps the tests independent.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from support.generated_package import imported, unique_name
from support.prism import PrismServer, run_prism

from generator.pipeline import Options, generate

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "galileo.yaml"
V32_SPEC = ROOT / "tests" / "golden" / "v32.yaml"
GENERATED = ROOT / "generated"

if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))


def _serve(dynamic: bool) -> Iterator[PrismServer]:
    with run_prism(SPEC, dynamic=dynamic) as server:
        yield server


@pytest.fixture(scope="session")
def prism_static() -> Iterator[PrismServer]:
    """Prism answering with the spec's examples (`paginated: false`, so iteration ends after one page)."""
    yield from _serve(dynamic=False)


@pytest.fixture(scope="session")
def prism_dynamic() -> Iterator[PrismServer]:
    """Prism answering with random schema-valid bodies (`-d`), different on every request (no seed)."""
    yield from _serve(dynamic=True)


@pytest.fixture
def prism(prism_static: PrismServer) -> Iterator[PrismServer]:
    """The static server, with the violations of earlier tests forgotten."""
    prism_static.reset_violations()
    yield prism_static


@pytest.fixture(scope="module")
def v32(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client of tests/golden/v32.yaml (OpenAPI 3.2), runtime included, under a name unique to the module."""
    name = unique_name("v32")
    files = generate(V32_SPEC, Options(package=name)).files
    with imported(tmp_path_factory.mktemp("v32"), name, files) as package:
        for module in ("api", "models", "_streaming"):
            importlib.import_module(f"{name}.{module}")
        yield package

"""Fixtures of the contract tests: the checked-in Galileo client, and Prism serving the Galileo spec.

The tests exercise `generated/galileo_client` exactly as it is checked in (the package users vendor), so
`generated/` goes on `sys.path` here, before any test module imports it. Each Prism mode is one server per session:
starting Prism takes about a second, and `reset_violations()` keeps the tests independent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.prism import PrismServer, run_prism

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "galileo.yaml"
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

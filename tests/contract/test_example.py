"""`examples/iterate_experiments.py`, run as a user runs it (a subprocess), against Prism and a scripted server."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from support.prism import PrismServer
from support.scripted_server import ScriptedServer

from .conftest import GENERATED, ROOT
from .test_client_sockets import PROJECT, page

EXAMPLE = ROOT / "examples" / "iterate_experiments.py"


def run_example(base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(GENERATED),
        "OAPIGEN_GALILEO_CLIENT_API_KEY": "example-key",
    }
    command = [sys.executable, str(EXAMPLE), "--base-url", base_url, "--project-id", PROJECT, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_against_prism(prism: PrismServer) -> None:
    result = run_example(prism.base_url)
    assert result.returncode == 0, result.stderr
    # The spec's example page: one experiment, `paginated: false`.
    assert result.stdout == "<string>\t2023-11-07T05:31:56+00:00\t\n"
    assert result.stderr == "1 experiment(s)\n"
    assert prism.violations() == []


def test_every_page_of_a_scripted_server() -> None:
    with ScriptedServer() as server:
        server.enqueue(200, page(0, 2, more=True)).enqueue(200, page(2, 2, more=True))
        server.enqueue(200, page(4, 1, more=False))
        result = run_example(server.base_url, "--page-size", "2")
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        f"exp-{n}" for n in range(5)
    ]
    assert [httpx.URL(r.path).params["starting_token"] for r in server.requests] == ["0", "2", "4"]


def test_max_items_fetches_no_further_page() -> None:
    with ScriptedServer() as server:
        server.enqueue(200, page(0, 2, more=True)).enqueue(200, page(2, 2, more=True))
        result = run_example(server.base_url, "--page-size", "2", "--max-items", "3")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3 and len(server.requests) == 2


def test_an_api_error_is_reported_not_raised() -> None:
    with ScriptedServer() as server:
        server.enqueue(401, {"detail": "invalid API key"})
        result = run_example(server.base_url)
    assert result.returncode == 1
    assert "401 Unauthorized" in result.stderr and "invalid API key" in result.stderr
    assert "example-key" not in result.stderr

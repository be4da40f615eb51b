"""Run Stoplight Prism (`prism mock`) as a spec-driven mock server for contract tests.

How request violations are detected. Prism 5's CLI has no machine-readable log option (it always pretty-prints its
pino log through `signale`), so `PrismServer` reads Prism's merged stdout/stderr line by line and parses:

* `[VALIDATOR] ✖  error     <message>` (and `⚠  warning`): logged by Prism's mocker for every request violation,
  before the response is sent, whatever `--errors` says. Prism also logs its own `Request did not pass the
  validation rules` header line and, when the spec's own 400/422 response is served, repeats each violation as
  `Violation: request.<location> <message>`; both are skipped so each violation is counted once.
* `[HTTP SERVER] <method> <path> ✖ error Request terminated with error: ...#NO_PATH_MATCHED_ERROR: ...` (and
  NO_METHOD/NO_SERVER): the request matched no operation of the spec, a contract violation as well.

Log lines reach the pipe asynchronously, so a response can arrive before its log lines. `violations()` therefore
first sends a marker request (`TRACE` to a unique path that no spec defines) and waits until its `Request received`
line shows up: Prism writes its log in order through one stream, so everything logged for earlier requests has been
read by then.

Violations are attributed to the last `Request received` line before them; that is exact for sequential requests,
which is how the tests call the client.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[2]
PRISM_BIN = REPO_ROOT / "node_modules" / ".bin" / "prism"

STARTUP_TIMEOUT = 60.0
_SYNC_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0
_PORT_ATTEMPTS = 5
_SYNC_PATH_PREFIX = "/__oapigen_prism_sync__/"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Line shapes of Prism 5.16's signale output, e.g. "[4:50:20 AM] >     [VALIDATOR] X  error     Request ...".
# The level's figure (a Unicode symbol) is matched as any non-space run: signale swaps figures on some terminals.
_RECEIVED = re.compile(
    r"\[HTTP SERVER\] (?P<method>[a-z]+) (?P<path>\S+) \S+\s+info\s+Request received\s*$"
)
_VALIDATOR = re.compile(r"\[VALIDATOR\] \S+\s+(?P<level>error|warning)\s+(?P<message>.*?)\s*$")
_TERMINATED = re.compile(
    r"\[HTTP SERVER\] (?P<method>[a-z]+) (?P<path>\S+) \S+\s+error\s+"
    r"Request terminated with error: \S*#(?P<code>[A-Z_]+): (?P<title>.*?)\s*$"
)
_LISTENING = re.compile(r"Prism is listening on http://127\.0\.0\.1:(?P<port>\d+)")
_ROUTE_ERRORS = frozenset(
    {"NO_PATH_MATCHED_ERROR", "NO_METHOD_MATCHED_ERROR", "NO_SERVER_MATCHED_ERROR"}
)
_PRISM_OWN_MESSAGES = frozenset({"Request did not pass the validation rules"})


class PrismError(RuntimeError):
    """Prism is missing, did not start, died, or stopped answering."""


class _PortTaken(Exception):
    """Another process bound the port between our probe and Prism's listen()."""


@dataclass(frozen=True, slots=True)
class _Violation:
    level: str  # "error" or "warning"
    text: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prism_command(
    spec: Path, port: int, *, dynamic: bool, errors: bool, seed: str | None
) -> list[str]:
    command = [
        str(PRISM_BIN),
        "mock",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        # Single process: the worker of --multiprocess would outlive a terminate() of the CLI process.
        "--no-multiprocess",
        # The marker request's "Request received" line is logged at info level.
        "--verboseLevel",
        "info",
    ]
    if dynamic:
        command.append("--dynamic")
    if errors:
        command.append("--errors")
    if seed is not None:
        command += ["--seed", seed]
    command.append(str(spec))
    return command


class PrismServer:
    """A running `prism mock`; create it with `run_prism`."""

    def __init__(self, command: list[str], port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._cond = threading.Condition()
        self._lines: list[str] = []
        self._violations: list[_Violation] = []
        self._markers: set[str] = set()
        self._listening = False
        self._eof = False
        self._current_request = ""
        env = dict(os.environ)
        # Plain log lines for the parser; no analytics calls from a test run.
        env.update(
            {"FORCE_COLOR": "0", "NO_COLOR": "1", "SCARF_ANALYTICS": "false", "DO_NOT_TRACK": "1"}
        )
        self._process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            # One stream keeps Prism's log in order; crash traces land in the same captured output.
            stderr=subprocess.STDOUT,
        )
        assert self._process.stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), name=f"prism-log-{port}", daemon=True
        )
        self._reader.start()

    # -- public API --------------------------------------------------------------------------------------------

    def violations(self, *, include_warnings: bool = False) -> list[str]:
        """Request violations Prism reported since start (or the last `reset_violations()`), oldest first.

        Each item reads `GET /path: <Prism's message>`. Warnings (deprecated parameters, say) are left out unless
        asked for; when a request also has errors Prism logs its warnings as errors, so they are included then.
        """
        self._sync()
        with self._cond:
            return [v.text for v in self._violations if include_warnings or v.level == "error"]

    def reset_violations(self) -> None:
        """Forget violations seen so far, so a server shared between tests can be checked per test."""
        self._sync()
        with self._cond:
            self._violations.clear()

    @property
    def output(self) -> str:
        """Everything Prism printed so far (for failure messages)."""
        with self._cond:
            return "\n".join(self._lines)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def _wait_ready(self, deadline: float) -> None:
        while True:
            with self._cond:
                listening = self._listening
            if self._process.poll() is not None:
                self._reader.join(timeout=_STOP_TIMEOUT)  # collect the rest of its output
                output = self.output
                if "EADDRINUSE" in output:
                    raise _PortTaken
                raise PrismError(
                    f"Prism exited with code {self._process.returncode} before it was ready:\n{output}"
                )
            if listening:
                try:
                    self._sync(timeout=2.0)
                    return
                except (OSError, http.client.HTTPException, PrismError):
                    pass  # not answering yet; keep polling until the deadline
            if time.monotonic() > deadline:
                raise PrismError(
                    f"Prism did not answer within {STARTUP_TIMEOUT:.0f} s. Its output:\n{self.output}"
                )
            with self._cond:
                self._cond.wait(timeout=0.1)

    def _stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._reader.join(timeout=_STOP_TIMEOUT)
        if self._process.stdout is not None:
            self._process.stdout.close()

    # -- log handling ------------------------------------------------------------------------------------------

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = _ANSI.sub("", raw.decode("utf-8", errors="replace")).rstrip("\r\n")
            with self._cond:
                self._lines.append(line)
                self._parse(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _parse(self, line: str) -> None:
        if match := _RECEIVED.search(line):
            path = match["path"]
            if path.startswith(_SYNC_PATH_PREFIX):
                self._markers.add(path[len(_SYNC_PATH_PREFIX) :])
            else:
                self._current_request = f"{match['method'].upper()} {path}"
        elif match := _VALIDATOR.search(line):
            message = match["message"]
            if message in _PRISM_OWN_MESSAGES or message.startswith("Violation: "):
                return
            prefix = f"{self._current_request}: " if self._current_request else ""
            self._violations.append(_Violation(match["level"], prefix + message))
        elif match := _TERMINATED.search(line):
            if match["code"] in _ROUTE_ERRORS and not match["path"].startswith(_SYNC_PATH_PREFIX):
                text = f"{match['method'].upper()} {match['path']}: {match['title']}"
                self._violations.append(_Violation("error", text))
        elif (match := _LISTENING.search(line)) and int(match["port"]) == self.port:
            self._listening = True

    def _sync(self, timeout: float = _SYNC_TIMEOUT) -> None:
        """Return once Prism's log for every request answered before this call has been parsed."""
        token = uuid.uuid4().hex
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("TRACE", _SYNC_PATH_PREFIX + token)
            connection.getresponse().read()
        except (OSError, http.client.HTTPException) as exc:
            if self._process.poll() is not None:
                raise PrismError(
                    f"Prism died (exit code {self._process.returncode}):\n{self.output}"
                ) from exc
            raise
        finally:
            connection.close()
        deadline = time.monotonic() + timeout
        with self._cond:
            while token not in self._markers:
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    raise PrismError(
                        f"Prism's log did not show the marker request {token}:\n{self.output}"
                    )
                self._cond.wait(timeout=remaining)
            self._markers.discard(token)


def _check_installed() -> None:
    if not PRISM_BIN.exists():
        raise PrismError(
            f"Prism is not installed ({PRISM_BIN} is missing). Run `npm ci` in {REPO_ROOT} "
            "(or `make node_modules/.installed`) to install the version pinned in package-lock.json."
        )
    if shutil.which("node") is None:
        raise PrismError("`node` is not on PATH; Prism needs Node.js (v20 or newer) to run.")


@contextlib.contextmanager
def run_prism(
    spec: Path,
    *,
    dynamic: bool = False,
    errors: bool = True,
    seed: str | None = None,
) -> Iterator[PrismServer]:
    """Start `prism mock` for `spec` on a free loopback port; stop it on exit, also when the test fails.

    `dynamic` generates response bodies from the schemas (`-d`) instead of examples; `seed` makes them repeatable.
    `errors` passes `--errors`: Prism then answers 500 when its own response would break the spec. Invalid
    requests get 422 (or the spec's 400/422 response) either way.
    """
    _check_installed()
    spec = Path(spec).resolve()
    if not spec.is_file():
        raise PrismError(f"spec file not found: {spec}")
    deadline = time.monotonic() + STARTUP_TIMEOUT
    server: PrismServer | None = None
    for _ in range(_PORT_ATTEMPTS):
        port = _free_port()
        candidate = PrismServer(
            _prism_command(spec, port, dynamic=dynamic, errors=errors, seed=seed), port
        )
        try:
            candidate._wait_ready(deadline)
        except _PortTaken:
            candidate._stop()
            continue
        except BaseException:
            candidate._stop()
            raise
        server = candidate
        break
    if server is None:
        raise PrismError(f"no free port for Prism after {_PORT_ATTEMPTS} attempts")
    try:
        yield server
    finally:
        server._stop()

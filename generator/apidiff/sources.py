"""Where the two specs of a diff come from: files, or a git revision (`REV:path`, `--base REV`).

A revision is read with `git archive` of the spec's folder into a temporary folder, so the files its `$ref`s name
are there too. The specs are not validated (`oapigen validate` and `generate` do that): a diff reads what it can,
as `--lenient` does, and takes seconds where full validation of two large documents takes most of a minute.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack
from pathlib import Path, PurePosixPath

from generator.apidiff import diff_apis
from generator.apidiff.report import render
from generator.apidiff.side import Side
from generator.config import display_path
from generator.diagnostics import SpecError, UsageError
from generator.load import load_document
from generator.refs import DocumentSet
from generator.translate import build_api


def load_side(spec: Path, display: str, package: str) -> Side:
    docs = DocumentSet(load_document(spec, display))
    api, _ = build_api(docs, package=package)
    return Side(api, docs)


def open_spec(argument: str, stack: ExitStack) -> tuple[Path, str]:
    """(file to read, name to show) for `path` or `REV:path`; a revision's files live until `stack` closes."""
    path = Path(argument)
    if path.exists() or ":" not in argument:
        return path, display_path(path)
    revision, _, name = argument.partition(":")
    return spec_at_revision(revision, Path(name), stack), argument


def spec_at_revision(revision: str, spec: Path, stack: ExitStack) -> Path:
    """`spec` (a path in the working tree) as it is at `revision`, with the rest of its folder."""
    top = Path(_git(["rev-parse", "--show-toplevel"], Path.cwd()).decode().strip())
    try:
        relative = PurePosixPath(spec.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise UsageError(f"{spec} is not in the git repository at {top}") from None
    folder = str(relative.parent)
    archive = _git(["archive", "--format=tar", revision, "--", folder], top)
    target = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="oapigen-diff-")))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")  # refuses links and paths that leave the folder
    extracted = target / relative
    if not extracted.is_file():
        raise UsageError(f"{relative} does not exist at {revision}")
    return extracted


def _git(arguments: list[str], cwd: Path) -> bytes:
    try:
        result = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise UsageError(f"cannot run git: {error}") from error
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {arguments[0]}: {message[-1] if message else 'failed'}")
    return result.stdout


def api_summary(spec: Path, package_dir: Path, package: str) -> str:
    """For a stale client: what the spec change since the client was last committed does to its callers.

    The client on disk was generated from the spec as of the last commit that touched its folder; "" when there is
    no such commit (no git, nothing committed) or that spec cannot be read.
    """
    try:
        log = _git(["log", "-1", "--format=%H", "--", str(package_dir.resolve())], Path.cwd())
        revision = log.decode().strip()
        if not revision:
            return ""
        with ExitStack() as stack:
            old = spec_at_revision(revision, spec, stack)
            label = f"{revision[:12]}:{display_path(spec)}"
            changes = diff_apis(
                load_side(old, label, package), load_side(spec, display_path(spec), package)
            )
    except (UsageError, SpecError):
        return ""
    return render(changes, label, display_path(spec), "text")

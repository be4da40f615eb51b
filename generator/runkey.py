"""The run key: a digest of everything a generated package is a function of, computed from bytes alone.

The manifest records it (sealed with the manifest's own text: generator/write.py), and `check` and `generate`
compute it before anything else: when it matches and every generated file still has its recorded digest, the
package is up to date, and nothing is parsed, validated, built, rendered or formatted. What goes in:
- the spec's bytes, and those of every local file a reference names (found or not), each under the name it is
  referred to by and the file it resolves to, both relative to the spec's folder: the key holds in any checkout
  on any machine, and re-pointing a symlink changes it;
- how generated files name the spec (`display_path`, in every header);
- every option but `verify_format` (which decides how much is checked, not what is written), with the contents
  of a `--templates` folder rather than its path;
- the generator: a digest of its own installed files (code, templates, runtime), the versions of the
  distributions that read, validate, render and format (and of everything they require), and Python's version.
Nothing heavy is imported here: hashing is all the quick path does.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.config import display_path
from generator.options import Options

# What reads (pyyaml), validates, renders and formats: their versions, and those of what they require, can change
# the output or the verdict.
_TOOLS = ("black", "jinja2", "openapi-spec-validator", "pyyaml")
_NOT_OUTPUT = frozenset(
    {"verify_format", "templates"}
)  # options the key leaves out, or holds another way
_EXTRA_ONLY = re.compile(r";.*\bextra\s*==")
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class Input:
    """One file a run read or looked for. `name`: how the spec refers to it, relative to the spec's folder ("" for
    the spec itself); `target`: the file that name resolved to, relative to the same folder; `digest`: of its
    bytes. `target` and `digest` are "" when no regular file was there."""

    name: str
    target: str
    digest: str


def run_key(spec: Path, options: Options, inputs: Iterable[Input]) -> str:
    material = {
        "generator": generator_digest(),
        "tools": tool_versions(),
        "python": f"{sys.implementation.name} {sys.version_info.major}.{sys.version_info.minor}",
        "spec": display_path(spec),
        "options": _options(options),
        "inputs": sorted(dataclasses.astuple(item) for item in inputs),
    }
    return _sha256(json.dumps(material, sort_keys=True).encode())


def disk_inputs(spec: Path, names: Iterable[str]) -> list[Input]:
    """The spec and the files named, as they are on disk now."""
    try:
        resolved = spec.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the full run says what is wrong
        return [Input("", "", "")]
    folder = resolved.parent
    return [_on_disk("", resolved, folder), *(disk_input(folder, name) for name in names)]


def disk_input(folder: Path, name: str) -> Input:
    """The file `name` (relative to the spec's `folder`) as it is on disk now."""
    return _on_disk(name, folder / name, folder)


def _on_disk(name: str, path: Path, folder: Path) -> Input:
    try:
        resolved = path.resolve()
        content = resolved.read_bytes() if resolved.is_file() else None
    except (OSError, ValueError, RuntimeError):  # unreadable, a NUL byte, a symlink loop...
        content = None
    if content is None:
        return Input(name, "", "")
    return Input(name, relative(resolved, folder), _sha256(content))


def loaded_input(folder: Path, name: Path, resolved: Path, digest: str) -> Input:
    """A file the loader read: `name` as referred to (not resolved), `resolved` and the digest of the bytes read."""
    return Input(referred_name(name, folder), relative(resolved, folder), digest)


def referred_name(path: Path, folder: Path) -> str:
    """A referenced path as the key names it: relative to the spec's folder, unnormalised (a `..` after a symlink
    means what the file system says), or absolute when it is not below that folder."""
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.as_posix()


def relative(path: Path, folder: Path) -> str:
    """A resolved path relative to the (resolved) spec folder, `..` included."""
    return Path(os.path.relpath(path, folder)).as_posix()


@functools.cache
def generator_digest() -> str:
    """A digest of the generator's own files as installed (its package and `generator.templates`, wherever an
    editable install or a wheel put them), each under its name within its package."""
    templates = _package_folder("generator.templates")
    hashed = hashlib.sha256()
    _hash_files(hashed, _package_folder("generator"), "generator/", skip=templates)
    _hash_files(hashed, templates, "templates/")
    return hashed.hexdigest()


@functools.cache
def tool_versions() -> tuple[str, ...]:
    """`name version` of each of `_TOOLS` and of what they require, transitively ("absent" where not installed:
    a requirement for another Python version)."""
    from importlib import metadata

    found: dict[str, str] = {}
    pending = list(_TOOLS)
    while pending:
        name = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if name in found:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
            continue
        # The METADATA header read line by line: the email parser behind `.version` and `.requires` costs
        # more than everything else this module does.
        text = distribution.read_text("METADATA") or ""
        found[name] = "unknown"
        for line in text.split("\n\n", 1)[0].splitlines():
            field, _, value = line.partition(": ")
            if field == "Version":
                found[name] = value.strip()
            elif field == "Requires-Dist" and not _EXTRA_ONLY.search(value):
                match = _REQUIREMENT_NAME.match(value)
                if match is not None:
                    pending.append(match.group(0))
    return tuple(f"{name} {version}" for name, version in sorted(found.items()))


def _options(options: Options) -> dict[str, object]:
    values: dict[str, object] = {
        field.name: getattr(options, field.name)
        for field in dataclasses.fields(options)
        if field.name not in _NOT_OUTPUT
    }
    values["templates"] = _folder_digest(options.templates) if options.templates else ""
    return values


def _folder_digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    _hash_files(hashed, folder)
    return hashed.hexdigest()


def _hash_files(
    hashed: hashlib._Hash, folder: Path, prefix: str = "", skip: Path | None = None
) -> None:
    """Each file below `folder` (`_files`), by its name within it after `prefix`, then its bytes."""
    for path in sorted(_files(folder, skip)):
        _update(hashed, f"{prefix}{path.relative_to(folder).as_posix()}".encode())
        _update(hashed, path.read_bytes())


def _package_folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _files(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    """Every file below `folder` but compiled code and hidden files (and the folder `skip`)."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = [
            name
            for name in dirs
            if name != "__pycache__" and not name.startswith(".") and Path(root, name) != skip
        ]
        for name in names:
            if not name.startswith(".") and not name.endswith(".pyc"):
                yield Path(root, name)


def _update(hashed: hashlib._Hash, part: bytes) -> None:
    hashed.update(b"%d:" % len(part) + part)  # length-prefixed: no two splits hash alike


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()

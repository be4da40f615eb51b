"""Settings: one table (`SETTINGS`) behind the command-line flags, `[tool.generator]` and the reference docs.

`[tool.generator]` in the project's pyproject.toml holds defaults for every setting; each
`[[tool.generator.client]]` table describes one client and inherits what it does not set. Paths in the file are
relative to the file's folder. Flags on the command line win over the file.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import UsageError

DEFAULT_OUTPUT = Path("generated")
DEFAULT_LINE_LENGTH = 100
CLIENT_CLASS, ASYNC_CLIENT_CLASS = "Client", "AsyncClient"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its TOML key (the flag is `--key`), its kind and what it does."""

    key: str
    kind: type[str] | type[Path] | type[bool] | type[int] | type[list[str]]
    help: str
    default: str = ""  # how the default reads in the docs

    @property
    def attribute(self) -> str:
        return self.key.replace("-", "_")


SETTINGS = (
    Setting("spec", Path, "the OpenAPI document"),
    Setting("output", Path, "folder the package folder is written into", "`generated`"),
    Setting("package", str, "package name", "the spec's file name + `_client`"),
    Setting("strict", bool, "treat warnings (approximated or dropped constructs) as errors", "off"),
    Setting(
        "lenient", bool, "generate a spec that fails validation; its errors become warnings", "off"
    ),
    Setting("allow-external-refs", bool, "let local `$ref`s leave the spec's folder", "off"),
    Setting("include-operations", list, "generate only these operations (operationId)", "all"),
    Setting("exclude-operations", list, "leave out these operations (operationId)", "none"),
    Setting("include-tags", list, "generate only operations with one of these tags", "all"),
    Setting("exclude-tags", list, "leave out operations with one of these tags", "none"),
    Setting("line-length", int, "line length of the generated code", str(DEFAULT_LINE_LENGTH)),
    Setting("header", str, "extra comment lines under the header line of each Python file", "none"),
    Setting("client-class", str, "name of the synchronous client class", "`Client`"),
    Setting("async-client-class", str, "name of the asynchronous client class", "`AsyncClient`"),
    Setting("templates", Path, "folder of templates that replace ours by file name", "none"),
)
_BY_KEY = {setting.key: setting for setting in SETTINGS}
_CLIENT_TABLE = "client"


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything one run of `generate` or `check` needs; field names are the settings' attributes."""

    spec: Path | None = None
    output: Path = DEFAULT_OUTPUT
    package: str | None = None
    strict: bool = False
    lenient: bool = False
    allow_external_refs: bool = False
    include_operations: tuple[str, ...] = ()
    exclude_operations: tuple[str, ...] = ()
    include_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    line_length: int = DEFAULT_LINE_LENGTH
    header: str = ""
    client_class: str = CLIENT_CLASS
    async_client_class: str = ASYNC_CLIENT_CLASS
    templates: Path | None = None

    def updated(self, values: Mapping[str, Any]) -> ClientConfig:
        """A copy with `values` (setting attribute -> value) applied; list values become tuples."""
        changes: dict[str, Any] = {
            key: tuple(value) if isinstance(value, list) else value for key, value in values.items()
        }
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """What pyproject.toml says: the shared defaults and one entry per `[[tool.generator.client]]`."""

    defaults: ClientConfig = ClientConfig()
    clients: tuple[ClientConfig, ...] = ()


def project_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding pyproject.toml or .git."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    return None


def read_project(cwd: Path) -> ProjectConfig:
    """Read `[tool.generator]` from the nearest pyproject.toml; raise `UsageError` at the first bad entry."""
    root = project_root(cwd)
    pyproject = root / "pyproject.toml" if root else None
    if pyproject is None or not pyproject.is_file():
        return ProjectConfig()
    text = pyproject.read_text(encoding="utf-8")
    try:
        table = tomllib.loads(text).get("tool", {}).get("generator", {})
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{_shown(pyproject)}: {error}") from error
    if not isinstance(table, dict):
        raise UsageError(f"{_shown(pyproject)}: [tool.generator] must be a table")
    place = _Place(pyproject, text)
    shared = {key: value for key, value in table.items() if key != _CLIENT_TABLE}
    defaults = ClientConfig().updated(_values(shared, place, "tool.generator", 0))
    entries = table.get(_CLIENT_TABLE, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise UsageError(
            place.at("tool.generator", 0, _CLIENT_TABLE, "must be [[tool.generator.client]] tables")
        )
    clients = tuple(
        defaults.updated(_values(entry, place, "tool.generator.client", index))
        for index, entry in enumerate(entries)
    )
    return ProjectConfig(defaults, clients)


def _values(table: Mapping[str, Any], place: _Place, header: str, index: int) -> dict[str, object]:
    """Check each key and value of one table; paths become absolute, relative to the file."""
    values: dict[str, object] = {}
    for key, value in table.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            known = [*_BY_KEY, *([_CLIENT_TABLE] if header == "tool.generator" else [])]
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(place.at(header, index, key, f"unknown key {key!r}{hint}"))
        problem = _type_problem(setting, value)
        if problem:
            raise UsageError(place.at(header, index, key, f"{key} {problem}"))
        values[setting.attribute] = place.folder / value if setting.kind is Path else value
    return values


def _type_problem(setting: Setting, value: object) -> str:
    kind = setting.kind
    if kind is list:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return "" if ok else "must be a list of strings"
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        return "" if ok else "must be a positive integer"
    expected = bool if kind is bool else str
    return (
        ""
        if isinstance(value, expected)
        else f"must be a {'boolean' if expected is bool else 'string'}"
    )


class _Place:
    """Locates a key of pyproject.toml as `file:line: [table]`, for messages (tomllib keeps no lines)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.folder = path.parent
        self.lines = text.splitlines()

    def at(self, header: str, index: int, key: str, message: str) -> str:
        line = self._line(header, index, key)
        where = f"{_shown(self.path)}:{line}" if line else _shown(self.path)
        table = f"[[{header}]] #{index + 1}" if header.endswith(_CLIENT_TABLE) else f"[{header}]"
        return f"{where}: {table}: {message}"

    def _line(self, header: str, index: int, key: str) -> int | None:
        table_pattern = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
        key_pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        current, seen = "", -1
        for number, line in enumerate(self.lines, start=1):
            table = table_pattern.match(line)
            if table:
                current = table.group(1)
                seen += current == header
                continue
            if current == header and key_pattern.match(line) and seen == index:
                return number
        return None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def option_values(
    given: Mapping[str, object], settings: Sequence[Setting] = SETTINGS
) -> dict[str, object]:
    """The settings given on the command line (argparse leaves the others None), by attribute."""
    return {s.attribute: given[s.attribute] for s in settings if given.get(s.attribute) is not None}


def display_path(spec: Path) -> str:
    """How generated files name their spec: relative to the project root, so no machine's paths leak in."""
    spec = spec.resolve()
    root = project_root(spec.parent)
    if root is not None:
        return spec.relative_to(root).as_posix()
    return spec.name

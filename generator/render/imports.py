"""Per-file imports, computed as data: deduplicated, sorted, and only what the file uses.

The order is isort's (which `ruff check` enforces): `__future__`, the standard library, third-party packages, then
the package's own relative imports; within a section `import x` lines before `from x import y` lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.config import DEFAULT_LINE_LENGTH

if TYPE_CHECKING:
    from generator import ir
    from generator.render.types import TypeRenderer

_THIRD_PARTY = frozenset({"httpx"})


@dataclass
class Imports:
    plain: set[str] = field(default_factory=set)  # `import datetime`
    from_: defaultdict[str, set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )  # `from x import a, b`
    type_checking: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, module: str, *names: str) -> None:
        if names:
            self.from_[module].update(names)
        else:
            self.plain.add(module)

    def add_type_checking(self, module: str, name: str) -> None:
        self.type_checking[module].add(name)
        self.from_["typing"].add("TYPE_CHECKING")

    def lines(self) -> list[str]:
        def section(modules: list[str]) -> list[str]:
            plain = [f"import {module}" for module in sorted(m for m in modules if m in self.plain)]
            listed = _sorted(m for m in modules if m in self.from_)
            froms = [_from_line(module, self.from_[module]) for module in listed]
            return plain + froms

        modules = sorted(self.plain | set(self.from_))
        relative = [m for m in modules if m.startswith(".")]
        third = [m for m in modules if m.split(".")[0] in _THIRD_PARTY]
        stdlib = [m for m in modules if m not in relative and m not in third]
        sections = [section(stdlib), section(third), section(relative)]
        lines = ["from __future__ import annotations"]
        for block in sections:
            if block:
                lines += ["", *block]
        return lines

    def type_checking_lines(self) -> list[str]:
        """The imports under `if TYPE_CHECKING:`, laid out for its indentation."""
        return [
            _from_line(module, self.type_checking[module], indent=4)
            for module in _sorted(self.type_checking)
        ]


def _from_line(module: str, names: set[str], indent: int = 0) -> str:
    return from_import(module, sorted(names, key=isort_key), indent)


def from_import(module: str, names: list[str], indent: int = 0) -> str:
    """`from module import a, b`, or black's form when that does not fit in the line at `indent`: one name a line
    between parentheses (lines after the first carry their indentation; the template indents the first)."""
    line = f"from {module} import {', '.join(names)}"
    if indent + len(line) <= DEFAULT_LINE_LENGTH:
        return line
    pad = " " * indent
    return (
        f"from {module} import (\n" + "".join(f"{pad}    {name},\n" for name in names) + f"{pad})"
    )


def isort_key(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions and modules.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return (kind, name)


def _sorted(modules: Iterable[str]) -> list[str]:
    # Relative imports go furthest first (`..` before `.`), as isort does; `from .. import x` before `from ..a`.
    return sorted(modules, key=lambda m: (-(len(m) - len(m.lstrip("."))), m))


def add_annotation_imports(
    imports: Imports, types: TypeRenderer, exprs: Iterable[ir.TypeExpr]
) -> None:
    """What annotations of these types need from the standard library (`datetime`, `typing.Any`, ...)."""
    for expr in exprs:
        for module, name in types.annotation_imports(expr):
            imports.add(module, *([name] if name else []))

"""What both kinds of comparison share: type equality across renames, direction-aware levels, constraints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator import ir
from generator.apidiff.model import LEVELS, Change, Level, Symbol, code
from generator.apidiff.side import Side

# Validation keywords whose larger value accepts less, and whose smaller value accepts less.
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_OTHER_CONSTRAINTS = ("pattern", "multipleOf", "format", "uniqueItems")


@dataclass
class Diff:
    """Both sides, the names matched across them (old class name -> new), and the changes found so far."""

    old: Side
    new: Side
    renamed: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)

    def add(
        self,
        level: Level,
        rule: str,
        at: tuple[Side, ir.Origin],
        message: str,
        symbols: tuple[Symbol, ...],
        module: str,
    ) -> None:
        side, origin = at
        self.changes.append(
            Change(level, rule, origin.pointer, side.location(origin), message, symbols, module)
        )

    def old_text(self, expr: ir.TypeExpr | None) -> str:
        return "None" if expr is None else self.old.types.annotation(expr)

    def new_text(self, expr: ir.TypeExpr | None) -> str:
        return "None" if expr is None else self.new.types.annotation(expr)


def rename(expr: ir.TypeExpr, names: Mapping[str, str]) -> ir.TypeExpr:
    """The old type spelled with the new names of the types it refers to."""
    match expr:
        case ir.ListOf(item):
            return ir.ListOf(rename(item, names))
        case ir.MapOf(value):
            return ir.MapOf(rename(value, names))
        case ir.Nullable(inner):
            return ir.Nullable(rename(inner, names))
        case ir.ModelRef(name):
            return ir.ModelRef(names.get(name, name))
        case ir.EnumRef(name):
            return ir.EnumRef(names.get(name, name))
        case ir.UnionRef(name):
            return ir.UnionRef(names.get(name, name))
    return expr


def nullable_only(old: ir.TypeExpr, new: ir.TypeExpr) -> bool:
    """`new` is `old` or null (the change made it nullable)."""
    return isinstance(new, ir.Nullable) and not isinstance(old, ir.Nullable) and new.inner == old


def by_direction(
    in_request: bool, in_response: bool, request_level: Level, response_level: Level
) -> Level:
    """The worse of the levels for the directions a type travels in (both when it travels in neither: a
    component schema users may build or read themselves)."""
    levels: list[Level] = []
    if in_request or not in_response:
        levels.append(request_level)
    if in_response or not in_request:
        levels.append(response_level)
    return min(levels, key=LEVELS.index)


def constraint_changes(old: Any, new: Any) -> tuple[list[str], list[str]]:
    """(tightened, loosened) descriptions of the validation keywords that differ between two schemas."""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    tightened: list[str] = []
    loosened: list[str] = []

    def compare(key: str, stricter: Callable[[Any, Any], bool]) -> None:
        before, after = old.get(key), new.get(key)
        if before == after:
            return
        text = f"{key} {code(_text(before))} -> {code(_text(after))}"
        if after is None:
            loosened.append(text)
        elif before is None or stricter(before, after):
            tightened.append(text)
        else:
            loosened.append(text)

    for key in _UPPER_BOUNDS:
        compare(key, lambda before, after: _number(after) < _number(before))
    for key in _LOWER_BOUNDS:
        compare(key, lambda before, after: _number(after) > _number(before))
    for key in _OTHER_CONSTRAINTS:
        compare(
            key, lambda before, after: True
        )  # a different pattern may refuse what the old one took
    return tightened, loosened


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _text(value: Any) -> str:
    return "none" if value is None else str(value)

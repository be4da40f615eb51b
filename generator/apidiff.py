"""What changed in an API between two specs, as a reviewer reads it: breaking changes first.

Compares two IRs (`ir.Api`), so the report speaks of what users of the generated client see: functions,
arguments, models, fields and enum members, by their Python names, with the spec's wire names where they differ.
A change is breaking when code written against the old client may fail against the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from generator import ir
from generator.render.types import TypeRenderer

T = TypeVar("T")
TypeText = Callable[[ir.TypeExpr | None], str]


@dataclass(frozen=True, slots=True)
class Change:
    breaking: bool
    subject: str  # "operation list_pets", "model Pet"
    message: str


def diff_apis(old: ir.Api, new: ir.Api) -> list[Change]:
    old_types, new_types = TypeRenderer(old), TypeRenderer(new)

    def text_of(types: TypeRenderer) -> TypeText:
        return lambda expr: "no body" if expr is None else types.annotation(expr)

    old_text, new_text = text_of(old_types), text_of(new_types)
    changes: list[Change] = []
    changes += _named(
        "operation",
        _by_name(old.operations, lambda o: o.function_name),
        _by_name(new.operations, lambda o: o.function_name),
        lambda name, a, b: _operation(name, a, b, old_text, new_text),
        lambda o: f"`{o.method} {o.path}`",
    )
    changes += _named(
        "model",
        _by_name(old.models, lambda m: m.name),
        _by_name(new.models, lambda m: m.name),
        lambda name, a, b: _model(name, a, b, old_text, new_text),
        lambda m: "",
    )
    changes += _named(
        "enum",
        _by_name(old.enums, lambda e: e.name),
        _by_name(new.enums, lambda e: e.name),
        _enum,
        lambda e: "",
    )
    changes += _named(
        "union",
        _by_name(old.unions, lambda u: u.name),
        _by_name(new.unions, lambda u: u.name),
        lambda name, a, b: _union(name, a, b, old_types, new_types),
        lambda u: "",
    )
    # Stable: within one subject, changes keep the order of the spec (enum values, fields).
    return sorted(changes, key=lambda change: (not change.breaking, change.subject))


def _by_name(items: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    return {key(item): item for item in items}


def _named(
    kind: str,
    old: Mapping[str, T],
    new: Mapping[str, T],
    compare: Callable[[str, T, T], list[Change]],
    describe: Callable[[T], str],
) -> list[Change]:
    changes = [
        Change(True, f"{kind} `{n}`", f"removed {describe(old[n])}".rstrip())
        for n in old
        if n not in new
    ]
    changes += [
        Change(False, f"{kind} `{n}`", f"added {describe(new[n])}".rstrip())
        for n in new
        if n not in old
    ]
    for name in sorted(old.keys() & new.keys()):
        changes += compare(name, old[name], new[name])
    return changes


def _operation(
    name: str, old: ir.Operation, new: ir.Operation, old_type: TypeText, new_type: TypeText
) -> list[Change]:
    subject = f"operation `{name}`"
    changes = []
    if (old.method, old.path) != (new.method, new.path):
        changes.append(
            Change(
                True, subject, f"moved from `{old.method} {old.path}` to `{new.method} {new.path}`"
            )
        )
    if new.deprecated and not old.deprecated:
        changes.append(Change(False, subject, "deprecated"))
    changes += _arguments(subject, _arguments_of(old, old_type), _arguments_of(new, new_type))
    old_returns = " | ".join(old_type(r.type) for r in old.success_responses)
    new_returns = " | ".join(new_type(r.type) for r in new.success_responses)
    if old_returns != new_returns:
        changes.append(Change(True, subject, f"returns `{new_returns}` instead of `{old_returns}`"))
    return changes


def _arguments_of(operation: ir.Operation, type_of: TypeText) -> dict[str, tuple[str, bool]]:
    """Argument name -> (annotation, required)."""
    arguments = {
        p.py_name: (type_of(p.type), p.required and not p.has_default) for p in operation.parameters
    }
    if operation.body is not None:
        arguments[operation.body.py_name] = (type_of(operation.body.type), operation.body.required)
    return arguments


def _arguments(
    subject: str, old: dict[str, tuple[str, bool]], new: dict[str, tuple[str, bool]]
) -> list[Change]:
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(Change(True, subject, f"argument `{name}` removed"))
        elif name not in old:
            required = new[name][1]
            kind = "required" if required else "optional"
            changes.append(Change(required, subject, f"{kind} argument `{name}` added"))
        elif old[name][0] != new[name][0]:
            changes.append(
                Change(
                    True,
                    subject,
                    f"argument `{name}` is `{new[name][0]}` instead of `{old[name][0]}`",
                )
            )
        elif new[name][1] and not old[name][1]:
            changes.append(Change(True, subject, f"argument `{name}` became required"))
        elif old[name][1] and not new[name][1]:
            changes.append(Change(False, subject, f"argument `{name}` became optional"))
    return changes


def _model(
    name: str, old: ir.Model, new: ir.Model, old_type: TypeText, new_type: TypeText
) -> list[Change]:
    subject = f"model `{name}`"
    old_fields = {f.py_name: f for f in old.fields}
    new_fields = {f.py_name: f for f in new.fields}
    changes = []
    for field in sorted(old_fields.keys() | new_fields.keys()):
        before, after = old_fields.get(field), new_fields.get(field)
        if after is None:
            changes.append(Change(True, subject, f"field `{field}` removed"))
        elif before is None:
            kind = "required" if after.required else "optional"
            changes.append(Change(after.required, subject, f"{kind} field `{field}` added"))
        elif old_type(before.type) != new_type(after.type):
            was, now = old_type(before.type), new_type(after.type)
            changes.append(Change(True, subject, f"field `{field}` is `{now}` instead of `{was}`"))
        elif before.required != after.required:
            # Either way breaks someone: constructors when it becomes required, readers when it becomes optional.
            now = "required" if after.required else "optional"
            changes.append(Change(True, subject, f"field `{field}` became {now}"))
        elif before.wire_name != after.wire_name:
            wire = f"{after.wire_name!r}, not {before.wire_name!r}"
            changes.append(Change(True, subject, f"field `{field}` is sent as {wire}"))
    return changes


def _enum(name: str, old: ir.EnumType, new: ir.EnumType) -> list[Change]:
    subject = f"enum `{name}`"
    old_values = {m.value: m.py_name for m in old.members}
    new_values = {m.value: m.py_name for m in new.members}
    changes = [
        Change(True, subject, f"value {v!r} (`{m}`) removed")
        for v, m in old_values.items()
        if v not in new_values
    ]
    changes += [
        Change(False, subject, f"value {v!r} (`{m}`) added")
        for v, m in new_values.items()
        if v not in old_values
    ]
    return changes


def _union(
    name: str, old: ir.Union, new: ir.Union, old_types: TypeRenderer, new_types: TypeRenderer
) -> list[Change]:
    before = {old_types.annotation(v) for v in old.variants}
    after = {new_types.annotation(v) for v in new.variants}
    subject = f"union `{name}`"
    changes = [Change(True, subject, f"variant `{v}` removed") for v in sorted(before - after)]
    changes += [
        Change(True, subject, f"variant `{v}` added (exhaustive matches miss it)")
        for v in sorted(after - before)
    ]
    return changes


def report(changes: list[Change], old_label: str, new_label: str) -> str:
    """Markdown: breaking changes first, then the rest; one line per change."""
    lines = [f"# API changes: {old_label} -> {new_label}", ""]
    if not changes:
        return "\n".join([*lines, "No changes to the generated client's API.", ""])
    for title, breaking in (("Breaking changes", True), ("Other changes", False)):
        selected = [c for c in changes if c.breaking is breaking]
        lines += [f"## {title} ({len(selected)})", ""]
        lines += [f"- {c.subject}: {c.message}" for c in selected] or ["None."]
        lines.append("")
    return "\n".join(lines)

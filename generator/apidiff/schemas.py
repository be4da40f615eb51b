"""Models, enums and unions: matched by where they come from in the spec, then compared member by member."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable

from generator import ir
from generator.apidiff.model import Symbol, code, shorten
from generator.apidiff.rules import Diff, by_direction, constraint_changes, nullable_only, rename
from generator.apidiff.side import Named, OriginKey, Side
from generator.render.types import optional_annotation

_COMPONENT_PREFIX = "/components/schemas/"


def match_named(diff: Diff) -> list[tuple[Named, Named]]:
    """Pairs (old, new) of the same schema: by origin; then a component that vanished and one that appeared with
    the same shape are one renamed schema, and everything inside it moves along."""
    old = {_origin_key(diff.old, item): item for item in diff.old.named.values()}
    new = {_origin_key(diff.new, item): item for item in diff.new.named.values()}
    moved: dict[OriginKey, OriginKey] = {}
    gone = _by_shape([key for key in old if key not in new and _is_component(key)], old)
    came = _by_shape([key for key in new if key not in old and _is_component(key)], new)
    for shape, keys in gone.items():
        if len(keys) == 1 and len(came.get(shape, [])) == 1:
            moved[keys[0]] = came[shape][0]
    pairs = []
    for key, item in old.items():
        target = key if key in new else moved.get(key) or _moved(key, moved)
        if target in new:
            pairs.append((item, new[target]))
    return pairs


def _origin_key(side: Side, item: Named) -> OriginKey:
    """Where a named type comes from; a request form (`PetRequest`) shares its schema with the response form, and
    is told apart as the namer does (`translate.directions`)."""
    file, pointer = side.origin_key(item.origin)
    request = isinstance(item, ir.Model | ir.Union) and item.request_of
    return (file, pointer + "/request") if request else (file, pointer)


def compare_named(diff: Diff) -> None:
    pairs = match_named(diff)
    diff.renamed.update((old.name, new.name) for old, new in pairs)
    matched_old = {old.name for old, _ in pairs}
    matched_new = {new.name for _, new in pairs}
    _renames(diff, pairs)
    for item in diff.old.named.values():
        if item.name not in matched_old:
            symbol = Symbol(f"models.{item.name}", _kind(item), "")
            message = f"{_kind(item)} {code(item.name)} removed"
            diff.add(
                "breaking",
                "type-removed",
                (diff.old, item.origin),
                message,
                (symbol,),
                _module(item),
            )
    for item in diff.new.named.values():
        if item.name not in matched_new:
            symbol = Symbol(f"models.{item.name}", "", _kind(item))
            message = f"{_kind(item)} {code(item.name)} added"
            diff.add(
                "info", "type-added", (diff.new, item.origin), message, (symbol,), _module(item)
            )
    for old, new in pairs:
        if type(old) is not type(new):
            message = f"{code(new.name)} is now a {_kind(new)}, not a {_kind(old)}"
            symbol = Symbol(f"models.{new.name}", _kind(old), _kind(new))
            diff.add(
                "breaking",
                "type-kind-changed",
                (diff.new, new.origin),
                message,
                (symbol,),
                _module(new),
            )
        elif isinstance(old, ir.Model) and isinstance(new, ir.Model):
            _model(diff, old, new)
        elif isinstance(old, ir.EnumType) and isinstance(new, ir.EnumType):
            _enum(diff, old, new)
        elif isinstance(old, ir.Union) and isinstance(new, ir.Union):
            _union(diff, old, new)


def _renames(diff: Diff, pairs: list[tuple[Named, Named]]) -> None:
    """One change per renamed schema; inline types renamed along with it are its symbols, not changes."""
    renamed = [(old, new) for old, new in pairs if old.name != new.name]
    owners = [pair for pair in renamed if not _inside_any(pair[0], (o for o, _ in renamed))]
    for owner_old, owner_new in owners:
        group = [(old, new) for old, new in renamed if old is owner_old or _inside(old, owner_old)]
        symbols = tuple(Symbol(f"models.{new.name}", old.name, new.name) for old, new in group)
        symbols += _typed_with(diff, {old.name: new.name for old, new in group})
        message = f"{_kind(owner_new)} {code(owner_old.name)} renamed to {code(owner_new.name)}"
        at = (diff.new, owner_new.origin)
        diff.add("breaking", "type-renamed", at, message, symbols, _module(owner_new))


def _typed_with(diff: Diff, names: dict[str, str]) -> tuple[Symbol, ...]:
    """Fields whose annotation spells a renamed type: the code that mentions the old name breaks there too."""
    back = {new: old for old, new in names.items()}
    symbols = []
    for model in diff.new.api.models:
        for field in model.fields:
            if diff.new.types.referenced(field.type) & back.keys():
                was = dataclasses.replace(field, type=rename(field.type, back))
                name = f"models.{model.name}.{field.py_name}"
                symbols.append(
                    Symbol(name, _field_type(diff.old, was), _field_type(diff.new, field))
                )
    return tuple(symbols)


def _model(diff: Diff, old: ir.Model, new: ir.Model) -> None:
    in_request, in_response = new.name in diff.new.requests, new.name in diff.new.responses
    before = {f.wire_name: f for f in old.fields}
    after = {f.wire_name: f for f in new.fields}
    module = _module(new)

    def symbol(before: ir.Field | None, after: ir.Field | None) -> Symbol:
        name = after.py_name if after else before.py_name if before else ""
        return Symbol(
            f"models.{new.name}.{name}",
            _field_type(diff.old, before) if before else "",
            _field_type(diff.new, after) if after else "",
        )

    for wire in sorted(before.keys() - after.keys()):
        message = f"field {code(before[wire].py_name)} of {code(new.name)} removed"
        at = (diff.old, diff.old.property_schema(old, wire)[0])
        diff.add("breaking", "field-removed", at, message, (symbol(before[wire], None),), module)
    for wire in sorted(after.keys() - before.keys()):
        field = after[wire]
        required = field.required and not field.has_default
        level = by_direction(in_request, in_response, "breaking" if required else "info", "info")
        kind = "required" if required else "optional"
        message = f"{kind} field {code(field.py_name)} added to {code(new.name)}"
        at = (diff.new, diff.new.property_schema(new, wire)[0])
        rule = "request-field-added-required" if level == "breaking" else "field-added"
        diff.add(level, rule, at, message, (symbol(None, field),), module)
    for wire in sorted(before.keys() & after.keys()):
        pair = (before[wire], after[wire])
        _field(diff, (old, new), pair, (in_request, in_response), symbol(*pair))


def _field(
    diff: Diff,
    models: tuple[ir.Model, ir.Model],
    fields: tuple[ir.Field, ir.Field],
    directions: tuple[bool, bool],
    field_symbol: Symbol,
) -> None:
    (old_model, model), (old, new), (in_request, in_response) = models, fields, directions
    symbol = (field_symbol,)
    old_schema = diff.old.property_schema(old_model, old.wire_name)[1]
    at, schema = diff.new.property_schema(model, new.wire_name)
    where, module, name = (
        (diff.new, at),
        _module(model),
        f"{code(new.py_name)} of {code(model.name)}",
    )
    if old.py_name != new.py_name:
        message = f"field {code(old.py_name)} of {code(model.name)} renamed to {code(new.py_name)}"
        diff.add("breaking", "field-renamed", where, message, symbol, module)
    old_type = rename(old.type, diff.renamed)
    if old_type != new.type:
        if nullable_only(old_type, new.type):
            level = by_direction(in_request, in_response, "info", "breaking")
            rule = (
                "response-field-became-nullable" if level == "breaking" else "field-became-nullable"
            )
            diff.add(level, rule, where, f"field {name} became nullable", symbol, module)
        elif nullable_only(new.type, old_type):
            level = by_direction(in_request, in_response, "breaking", "info")
            rule = (
                "request-field-no-longer-nullable"
                if level == "breaking"
                else "field-no-longer-nullable"
            )
            diff.add(level, rule, where, f"field {name} is no longer nullable", symbol, module)
        else:
            message = f"field {name} is {code(diff.new_text(new.type))}, not {code(diff.old_text(old.type))}"
            diff.add("breaking", "field-type-changed", where, message, symbol, module)
    if old.required != new.required:
        if new.required:
            level = by_direction(in_request, in_response, "breaking", "info")
            rule = (
                "request-field-became-required" if level == "breaking" else "field-became-required"
            )
        else:
            level = by_direction(in_request, in_response, "info", "breaking")
            rule = (
                "response-field-became-optional" if level == "breaking" else "field-became-optional"
            )
        state = "required" if new.required else "optional"
        diff.add(level, rule, where, f"field {name} became {state}", symbol, module)
    if (old.has_default, old.default) != (new.has_default, new.default):
        message = f"default of field {name}: {_default(old)} -> {_default(new)}"
        diff.add("warning", "field-default-changed", where, message, symbol, module)
    if (old.read_only, old.write_only) != (new.read_only, new.write_only):
        message = f"field {name} is now {_access(new)}, was {_access(old)}"
        diff.add("warning", "field-access-changed", where, message, symbol, module)
    if new.deprecated and not old.deprecated:
        diff.add("warning", "field-deprecated", where, f"field {name} deprecated", symbol, module)
    tightened, loosened = constraint_changes(old_schema, schema)
    if tightened:
        level = by_direction(in_request, in_response, "breaking", "info")
        rule = "request-constraint-tightened" if level == "breaking" else "constraint-tightened"
        diff.add(level, rule, where, f"field {name}: {', '.join(tightened)}", symbol, module)
    if loosened:
        level = by_direction(in_request, in_response, "info", "warning")
        rule = "response-constraint-loosened" if level == "warning" else "constraint-loosened"
        diff.add(level, rule, where, f"field {name}: {', '.join(loosened)}", symbol, module)


def _enum(diff: Diff, old: ir.EnumType, new: ir.EnumType) -> None:
    in_request, in_response = new.name in diff.new.requests, new.name in diff.new.responses
    before = {_value_key(m.value): m for m in old.members}
    after = {_value_key(m.value): m for m in new.members}
    where, module = (diff.new, new.origin), _module(new)
    for key in sorted(before.keys() - after.keys()):
        member = before[key]
        symbol = Symbol(f"models.{new.name}.{member.py_name}", key, "")
        message = f"value {code(key)} ({code(member.py_name)}) removed from {code(new.name)}"
        diff.add("breaking", "enum-value-removed", where, message, (symbol,), module)
    for key in sorted(after.keys() - before.keys()):
        member = after[key]
        symbol = Symbol(f"models.{new.name}.{member.py_name}", "", key)
        level = by_direction(in_request, in_response, "info", "warning")
        rule = "response-enum-value-added" if level == "warning" else "enum-value-added"
        note = " (exhaustive matches on responses miss it)" if level == "warning" else ""
        message = f"value {code(key)} ({code(member.py_name)}) added to {code(new.name)}{note}"
        diff.add(level, rule, where, message, (symbol,), module)
    for key in sorted(before.keys() & after.keys()):
        if before[key].py_name != after[key].py_name:
            symbol = Symbol(
                f"models.{new.name}.{after[key].py_name}", before[key].py_name, after[key].py_name
            )
            message = f"member {code(before[key].py_name)} of {code(new.name)} renamed to {code(after[key].py_name)}"
            diff.add("breaking", "enum-member-renamed", where, message, (symbol,), module)


def _union(diff: Diff, old: ir.Union, new: ir.Union) -> None:
    in_request, in_response = new.name in diff.new.requests, new.name in diff.new.responses
    before = {diff.new_text(rename(v, diff.renamed)): v for v in old.variants}
    after = {diff.new_text(v): v for v in new.variants}
    where, module = (diff.new, new.origin), _module(new)
    symbol = (Symbol(f"models.{new.name}", " | ".join(before), " | ".join(after)),)
    for variant in sorted(after.keys() - before.keys()):
        level = by_direction(in_request, in_response, "info", "warning")
        rule = "response-union-variant-added" if level == "warning" else "union-variant-added"
        message = f"variant {code(variant)} added to {code(new.name)}"
        diff.add(level, rule, where, message, symbol, module)
    for variant in sorted(before.keys() - after.keys()):
        level = by_direction(in_request, in_response, "breaking", "info")
        rule = "request-union-variant-removed" if level == "breaking" else "union-variant-removed"
        message = f"variant {code(variant)} removed from {code(new.name)}"
        diff.add(level, rule, where, message, symbol, module)
    old_property = old.discriminator.property if old.discriminator else None
    new_property = new.discriminator.property if new.discriminator else None
    if old_property != new_property:
        message = f"discriminator of {code(new.name)}: {code(str(old_property))} -> {code(str(new_property))}"
        diff.add("breaking", "discriminator-changed", where, message, symbol, module)
    elif old.discriminator and new.discriminator:
        old_mapping = {
            (value, diff.renamed.get(name, name)) for value, name in old.discriminator.mapping
        }
        if old_mapping != set(new.discriminator.mapping):
            message = f"discriminator mapping of {code(new.name)} changed"
            diff.add("warning", "discriminator-mapping-changed", where, message, symbol, module)


def _field_type(side: Side, field: ir.Field) -> str:
    annotation = side.types.annotation(field.type)
    return shorten(annotation if field.required else optional_annotation(annotation))


def _default(field: ir.Field) -> str:
    return code(json.dumps(field.default)) if field.has_default else "none"


def _access(field: ir.Field) -> str:
    return "read-only" if field.read_only else "write-only" if field.write_only else "read-write"


def _value_key(value: object) -> str:
    return json.dumps(value)


def _kind(item: Named) -> str:
    return {ir.Model: "model", ir.EnumType: "enum", ir.Union: "union"}[type(item)]


def _module(item: Named) -> str:
    return f"models.{item.module}"


def _is_component(key: OriginKey) -> bool:
    return key[1].startswith(_COMPONENT_PREFIX) and key[1].count("/") == 3


def _shape(item: Named) -> tuple[object, ...]:
    if isinstance(item, ir.Model):
        return ("model", tuple(sorted((f.wire_name, f.required) for f in item.fields)))
    if isinstance(item, ir.EnumType):
        return ("enum", tuple(sorted(_value_key(m.value) for m in item.members)))
    discriminator = item.discriminator.property if item.discriminator else None
    return ("union", len(item.variants), discriminator)


def _by_shape(
    keys: Iterable[OriginKey], items: dict[OriginKey, Named]
) -> dict[tuple[object, ...], list[OriginKey]]:
    found: dict[tuple[object, ...], list[OriginKey]] = {}
    for key in keys:
        found.setdefault(_shape(items[key]), []).append(key)
    return found


def _moved(key: OriginKey, moved: dict[OriginKey, OriginKey]) -> OriginKey | None:
    for old, new in moved.items():
        if key[0] == old[0] and key[1].startswith(old[1] + "/"):
            return (new[0], new[1] + key[1][len(old[1]) :])
    return None


def _inside(item: Named, owner: Named) -> bool:
    return item.origin.file == owner.origin.file and item.origin.pointer.startswith(
        owner.origin.pointer + "/"
    )


def _inside_any(item: Named, owners: Iterable[Named]) -> bool:
    return any(_inside(item, owner) for owner in owners)

"""Request and response models: a schema whose properties differ by direction becomes two classes.

Where the spec marks properties `readOnly` (ids, timestamps the server sets) or `writeOnly` (passwords), the
schema `Pet` gives `Pet` for responses, without the write-only properties, and `PetRequest` for request bodies and
parameters, without the read-only ones; each keeps the `required` the spec gives it. A model or union that refers
to a split one (through a field, list items, map values or a variant) is split too, so `OrderRequest.pet` is a
`PetRequest`. Every other named type stays one class, used both ways.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from generator import ir
from generator.translate.context import Namer, SchemaKey

Named = ir.Model | ir.EnumType | ir.Union


def split_directions(
    named: dict[SchemaKey, Named], operations: list[ir.Operation], namer: Namer
) -> tuple[dict[SchemaKey, Named], list[ir.Operation]]:
    """The named types with the request variants added (response variants keep the schema's name), and the
    operations with their request bodies and parameters typed by the request variants."""
    keys = {item.name: key for key, item in named.items()}
    split = _needing_split(named.values())
    if not split:
        return named, operations
    request_names = {name: namer.request_name(keys[name]) for name in sorted(split)}

    def for_request(expr: ir.TypeExpr) -> ir.TypeExpr:
        return _renamed(expr, request_names)

    result = dict(named)
    for name in sorted(split):
        item = named[keys[name]]
        response, request = _variants(item, request_names[name], for_request)
        result[keys[name]] = response
        result[namer.request_key(keys[name])] = request
    return result, [_request_typed(operation, for_request) for operation in operations]


def _needing_split(items: Iterable[Named]) -> set[str]:
    """Models with a read-only or write-only field, and every model or union that refers to one of them."""
    referrers: defaultdict[str, set[str]] = defaultdict(set)
    pending: list[str] = []
    for item in items:
        if isinstance(item, ir.Model):
            if any(field.read_only or field.write_only for field in item.fields):
                pending.append(item.name)
            exprs = [field.type for field in item.fields] + [item.extra]
        elif isinstance(item, ir.Union):
            exprs = list(item.variants)
        else:
            continue
        for expr in exprs:
            for name in _names(expr):
                referrers[name].add(item.name)
    split: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in split:
            split.add(name)
            pending.extend(referrers[name] - split)
    return split


def _names(expr: ir.TypeExpr) -> Iterator[str]:
    if isinstance(expr, ir.ModelRef | ir.UnionRef):
        yield expr.name
    elif isinstance(expr, ir.ListOf):
        yield from _names(expr.item)
    elif isinstance(expr, ir.MapOf):
        yield from _names(expr.value)
    elif isinstance(expr, ir.Nullable):
        yield from _names(expr.inner)


def _renamed(expr: ir.TypeExpr, names: dict[str, str]) -> ir.TypeExpr:
    if isinstance(expr, ir.ModelRef) and expr.name in names:
        return ir.ModelRef(names[expr.name])
    if isinstance(expr, ir.UnionRef) and expr.name in names:
        return ir.UnionRef(names[expr.name])
    if isinstance(expr, ir.ListOf):
        return ir.ListOf(_renamed(expr.item, names))
    if isinstance(expr, ir.MapOf):
        return ir.MapOf(_renamed(expr.value, names))
    if isinstance(expr, ir.Nullable):
        return ir.Nullable(_renamed(expr.inner, names))
    return expr


def _variants(
    item: Named, request_name: str, for_request: Callable[[ir.TypeExpr], ir.TypeExpr]
) -> tuple[Named, Named]:
    if isinstance(item, ir.Model):
        response = dataclasses.replace(
            item, fields=tuple(field for field in item.fields if not field.write_only)
        )
        request = dataclasses.replace(
            item,
            name=request_name,
            request_of=item.name,
            fields=tuple(
                dataclasses.replace(field, type=for_request(field.type))
                for field in item.fields
                if not field.read_only
            ),
            extra=for_request(item.extra),
        )
        return response, request
    assert isinstance(item, ir.Union)  # enums refer to nothing: never split
    discriminator = item.discriminator
    if discriminator is not None:
        renamed = tuple(
            (value, _model_name(for_request(ir.ModelRef(model))))
            for value, model in discriminator.mapping
        )
        default = discriminator.default
        if default:
            default = _model_name(for_request(ir.ModelRef(default)))
        discriminator = dataclasses.replace(discriminator, mapping=renamed, default=default)
    request_union = dataclasses.replace(
        item,
        name=request_name,
        request_of=item.name,
        variants=tuple(for_request(variant) for variant in item.variants),
        discriminator=discriminator,
    )
    return item, request_union


def _model_name(expr: ir.TypeExpr) -> str:
    assert isinstance(expr, ir.ModelRef)
    return expr.name


def _request_typed(
    operation: ir.Operation, for_request: Callable[[ir.TypeExpr], ir.TypeExpr]
) -> ir.Operation:
    body = operation.body
    return dataclasses.replace(
        operation,
        parameters=tuple(
            dataclasses.replace(param, type=for_request(param.type))
            for param in operation.parameters
        ),
        body=dataclasses.replace(body, type=for_request(body.type)) if body else None,
    )

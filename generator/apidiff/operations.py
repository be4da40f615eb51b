"""Endpoint functions: matched by method and path (an operationId change there is a rename), then compared by
signature and by what goes over the wire."""

from __future__ import annotations

import dataclasses
import json

from generator import ir
from generator.apidiff.model import Level, Symbol, code, shorten
from generator.apidiff.rules import Diff, constraint_changes, nullable_only, rename
from generator.apidiff.side import Side
from generator.render.operations import ArgView, arguments, return_annotation

_PAGE_HELPERS = ("_iter", "_iter_async", "_pages", "_pages_async")


def compare_operations(diff: Diff) -> None:
    old = {(op.method, op.path): op for op in diff.old.api.operations}
    new = {(op.method, op.path): op for op in diff.new.api.operations}
    pairs = [(old[key], new[key]) for key in sorted(old.keys() & new.keys())]
    # A function whose method or path changed is the same function, moved on the wire.
    by_name = {op.function_name: op for key, op in new.items() if key not in old}
    moved = {
        key: by_name[op.function_name]
        for key, op in old.items()
        if key not in new and op.function_name in by_name
    }
    pairs += [(old[key], moved[key]) for key in sorted(moved)]
    arrived = {op.function_name for op in moved.values()}
    for key in sorted(old.keys() - new.keys() - moved.keys()):
        op = old[key]
        symbol = Symbol(f"api.{op.function_name}", _signature(diff, op, old=True), "")
        message = f"function {code(op.function_name)} removed ({code(f'{op.method} {op.path}')})"
        diff.add(
            "breaking", "operation-removed", (diff.old, op.origin), message, (symbol,), _module(op)
        )
    for key in sorted(new.keys() - old.keys()):
        op = new[key]
        if op.function_name in arrived:
            continue
        symbol = Symbol(f"api.{op.function_name}", "", _signature(diff, op, old=False))
        message = f"function {code(op.function_name)} added ({code(f'{op.method} {op.path}')})"
        diff.add("info", "operation-added", (diff.new, op.origin), message, (symbol,), _module(op))
    for before, after in pairs:
        _operation(diff, before, after)


def _operation(diff: Diff, old: ir.Operation, new: ir.Operation) -> None:
    where, module, name = (diff.new, new.origin), _module(new), code(new.function_name)
    function = Symbol(f"api.{new.function_name}", old.function_name, new.function_name)
    if old.function_name != new.function_name:
        message = f"function {code(old.function_name)} renamed to {name}"
        diff.add("breaking", "operation-renamed", where, message, (function,), module)
    if (old.method, old.path) != (new.method, new.path):
        wire = f"{code(f'{old.method} {old.path}')} -> {code(f'{new.method} {new.path}')}"
        diff.add(
            "breaking",
            "operation-path-changed",
            where,
            f"{name} moved: {wire}",
            (function,),
            module,
        )
    if old.module != new.module:
        message = (
            f"{name} moved from module {code('api.' + old.module)} to {code('api.' + new.module)}"
        )
        symbol = Symbol(f"api.{new.function_name}", f"api.{old.module}", f"api.{new.module}")
        diff.add("warning", "operation-module-changed", where, message, (symbol,), module)
    if new.deprecated and not old.deprecated:
        diff.add(
            "warning", "operation-deprecated", where, f"{name} deprecated", (function,), module
        )
    _arguments(diff, old, new)
    _wire(diff, old, new)
    old_returns = return_annotation(_renamed_operation(diff, old), diff.new.types)
    new_returns = return_annotation(new, diff.new.types)
    if old_returns != new_returns:
        symbol = Symbol(f"api.{new.function_name}", shorten(old_returns), shorten(new_returns))
        nullable = any(
            nullable_only(rename(before.type, diff.renamed), after.type)
            for before, after in zip(old.success_responses, new.success_responses, strict=False)
            if before.type is not None and after.type is not None
        )
        rule = "response-became-nullable" if nullable else "return-type-changed"
        message = f"{name} returns {code(new_returns)}, not {code(old_returns)}"
        diff.add("breaking", rule, where, message, (symbol,), module)
    if old.pagination is not None and new.pagination is None:
        symbols = tuple(
            Symbol(f"api.{old.function_name}{s}", "function", "") for s in _PAGE_HELPERS
        )
        message = f"page helpers of {name} removed (x-pagination)"
        diff.add("breaking", "pagination-removed", where, message, symbols, module)
    elif new.pagination is not None and old.pagination is None:
        symbols = tuple(
            Symbol(f"api.{new.function_name}{s}", "", "function") for s in _PAGE_HELPERS
        )
        diff.add(
            "info", "pagination-added", where, f"page helpers added to {name}", symbols, module
        )
    elif old.pagination and new.pagination and old.pagination.style != new.pagination.style:
        message = f"{name} pages by {code(new.pagination.style)}, not {code(old.pagination.style)}"
        diff.add("warning", "pagination-changed", where, message, (function,), module)
    if old.security != new.security:
        was, now = _security_text(old.security), _security_text(new.security)
        message = f"{name} is authenticated by {code(now)}, not {code(was)}"
        diff.add("warning", "operation-security-changed", where, message, (function,), module)


def _arguments(diff: Diff, old: ir.Operation, new: ir.Operation) -> None:
    """Arguments by Python name, as callers pass them."""
    where, module = (diff.new, new.origin), _module(new)
    before = {arg.py_name: arg for arg in arguments(_renamed_operation(diff, old), diff.new.types)}
    after = {arg.py_name: arg for arg in arguments(new, diff.new.types)}

    params = {param.py_name: param for param in new.parameters}

    def at(name: str) -> tuple[Side, ir.Origin]:
        """The parameter's own schema when it has one, else the operation."""
        param = params.get(name)
        return (diff.new, diff.new.parameter_schema(new, param)[0]) if param else where

    def symbol(name: str) -> Symbol:
        return Symbol(
            f"api.{new.function_name}({name}=)",
            _arg_text(before.get(name)),
            _arg_text(after.get(name)),
        )

    label = code(new.function_name)
    for name in sorted(before.keys() - after.keys()):
        message = f"argument {code(name)} of {label} removed"
        diff.add("breaking", "argument-removed", where, message, (symbol(name),), module)
    for name in sorted(after.keys() - before.keys()):
        required = not after[name].default
        level: Level = "breaking" if required else "info"
        rule = "required-argument-added" if required else "argument-added"
        message = f"{'required' if required else 'optional'} argument {code(name)} added to {label}"
        diff.add(level, rule, at(name), message, (symbol(name),), module)
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        if was.annotation != now.annotation:
            # `T` -> `T | None` (or any union with T first) still takes what callers pass today.
            widened = now.annotation.startswith(was.annotation + " |")
            level = "info" if widened else "breaking"
            rule = "argument-type-widened" if widened else "argument-type-changed"
            message = f"argument {code(name)} of {label} is {code(now.annotation)}, not {code(was.annotation)}"
            diff.add(level, rule, at(name), message, (symbol(name),), module)
        if bool(was.default) != bool(now.default):
            state = "optional" if now.default else "required"
            level = "info" if now.default else "breaking"
            diff.add(
                level,
                f"argument-became-{state}",
                at(name),
                f"argument {code(name)} of {label} became {state}",
                (symbol(name),),
                module,
            )
        elif was.default != now.default:
            message = f"default of argument {code(name)} of {label}: {code(was.default)} -> {code(now.default)}"
            diff.add(
                "warning", "argument-default-changed", at(name), message, (symbol(name),), module
            )


def _wire(diff: Diff, old: ir.Operation, new: ir.Operation) -> None:
    """What the signature does not show: where parameters travel, their constraints, statuses, media types."""
    where, module, label = (diff.new, new.origin), _module(new), code(new.function_name)
    before = {p.py_name: p for p in old.parameters}
    for param in new.parameters:
        was = before.get(param.py_name)
        if was is None:
            continue
        symbol = (
            Symbol(
                f"api.{new.function_name}({param.py_name}=)", _wire_text(was), _wire_text(param)
            ),
        )
        if (was.location, was.wire_name) != (param.location, param.wire_name):
            wire = f"{code(_wire_text(param))}, not {code(_wire_text(was))}"
            message = f"argument {code(param.py_name)} of {label} is sent as {wire}"
            diff.add("breaking", "parameter-wire-changed", where, message, symbol, module)
        param_at, schema = diff.new.parameter_schema(new, param)
        tightened, _ = constraint_changes(diff.old.parameter_schema(old, was)[1], schema)
        if tightened:
            message = f"argument {code(param.py_name)} of {label}: {', '.join(tightened)}"
            diff.add(
                "breaking",
                "request-constraint-tightened",
                (diff.new, param_at),
                message,
                symbol,
                module,
            )
    old_body = old.body.content_type if old.body else ""
    new_body = new.body.content_type if new.body else ""
    if old_body and new_body and old_body != new_body:
        message = f"{label} sends {code(new_body)}, not {code(old_body)}"
        symbol = (Symbol(f"api.{new.function_name}(body=)", old_body, new_body),)
        diff.add("breaking", "request-media-type-changed", where, message, symbol, module)
    old_success = {r.status: r.content_type for r in old.success_responses}
    new_success = {r.status: r.content_type for r in new.success_responses}
    if old_success != new_success:
        message = f"success responses of {label}: {code(_responses(old_success))} -> {code(_responses(new_success))}"
        symbol = (
            Symbol(f"api.{new.function_name}", _responses(old_success), _responses(new_success)),
        )
        diff.add("warning", "success-response-changed", where, message, symbol, module)


def _renamed_operation(diff: Diff, operation: ir.Operation) -> ir.Operation:
    """The old operation with its types spelled by their new names, so only real changes differ."""
    params = tuple(
        dataclasses.replace(p, type=rename(p.type, diff.renamed)) for p in operation.parameters
    )
    body = (
        dataclasses.replace(operation.body, type=rename(operation.body.type, diff.renamed))
        if operation.body
        else None
    )
    responses = tuple(
        dataclasses.replace(r, type=rename(r.type, diff.renamed)) if r.type is not None else r
        for r in operation.responses
    )
    return dataclasses.replace(operation, parameters=params, body=body, responses=responses)


def _signature(diff: Diff, operation: ir.Operation, *, old: bool) -> str:
    side = diff.old if old else diff.new
    args = ", ".join(arg.py_name for arg in arguments(operation, side.types))
    return shorten(
        f"{operation.function_name}(client, {args}) -> {return_annotation(operation, side.types)}"
    )


def _arg_text(arg: ArgView | None) -> str:
    if arg is None:
        return ""
    return shorten(f"{arg.annotation} = {arg.default}" if arg.default else arg.annotation)


def _wire_text(param: ir.Parameter) -> str:
    return f"{param.location} {json.dumps(param.wire_name)}"


def _responses(statuses: dict[str, str]) -> str:
    return ", ".join(f"{status} {media or 'empty'}" for status, media in sorted(statuses.items()))


def _module(operation: ir.Operation) -> str:
    return f"api.{operation.module}"


def _security_text(security: tuple[ir.SecurityRequirement, ...]) -> str:
    """`oauth (read) and key, or none`: the alternatives, each with its schemes and their scopes."""

    def scheme(name: str, scopes: tuple[str, ...]) -> str:
        return f"{name} ({', '.join(scopes)})" if scopes else name

    alternatives = [
        " and ".join(scheme(name, scopes) for name, scopes in requirement.schemes) or "none"
        for requirement in security
    ]
    return ", or ".join(alternatives) or "none"

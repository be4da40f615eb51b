"""Which operations a client keeps: the include/exclude settings, applied to the built IR.

Operations are named by their operationId (or by the generated function name). Models stay whole: a model that
only an excluded operation used is still generated, so the models never depend on which operations were picked.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable

from generator import ir
from generator.diagnostics import UsageError
from generator.naming import snake_case


def select_operations(
    api: ir.Api,
    *,
    include_operations: Iterable[str] = (),
    exclude_operations: Iterable[str] = (),
    include_tags: Iterable[str] = (),
    exclude_tags: Iterable[str] = (),
) -> ir.Api:
    """The API with only the selected operations; a name or tag the spec does not have is a `UsageError`."""
    functions = {operation.function_name for operation in api.operations}
    tags = {tag for operation in api.operations for tag in operation.tags}
    wanted_ops = _known("include-operations", include_operations, functions, _function)
    unwanted_ops = _known("exclude-operations", exclude_operations, functions, _function)
    wanted_tags = _known("include-tags", include_tags, tags, str)
    unwanted_tags = _known("exclude-tags", exclude_tags, tags, str)

    def kept(operation: ir.Operation) -> bool:
        if wanted_ops and operation.function_name not in wanted_ops:
            return False
        if wanted_tags and not wanted_tags.intersection(operation.tags):
            return False
        return operation.function_name not in unwanted_ops and not unwanted_tags.intersection(
            operation.tags
        )

    if not (wanted_ops or unwanted_ops or wanted_tags or unwanted_tags):
        return api
    return dataclasses.replace(api, operations=tuple(filter(kept, api.operations)))


def _function(name: str) -> str:
    """An operationId as the function it becomes (`listPets` -> `list_pets`); function names map to themselves."""
    return snake_case(name, fallback="operation")


def _known(
    setting: str, names: Iterable[str], known: set[str], normalize: Callable[[str], str]
) -> set[str]:
    chosen: set[str] = set()
    for name in names:
        value = normalize(name)
        if value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{setting}: the spec has no {_noun(setting)} {name!r}{hint}")
        chosen.add(value)
    return chosen


def _noun(setting: str) -> str:
    return "tag" if setting.endswith("tags") else "operation"

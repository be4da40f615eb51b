"""openapi-spec-validator, run offline, its errors turned into located diagnostics (see generator/validate.py).

A module of its own because importing the validator costs most of a second: a run that finds the spec already
validated (the manifest's record) never imports it.

The validator reports in two voices. Its JSON Schema pass gives each error a path in the root document; its
semantic checks (operation ids, path parameters, schemas and their defaults) give errors with no location at
all, so each of those checks is wrapped to stamp its errors with the place it was looking at. Paths are logical,
through `$ref`s; they are mapped back to the file and pointer where the node is written.
"""

from __future__ import annotations

import ast
import functools
import re
import reprlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import referencing
import referencing.jsonschema
from jsonschema.exceptions import SchemaError, ValidationError  # type: ignore[import-untyped]
from jsonschema.protocols import Validator  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]
from jsonschema_path import SchemaPath
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SCHEMAS
from openapi_spec_validator import (
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
    OpenAPIV32SpecValidator,
)
from openapi_spec_validator.settings import get_resolved_cache_maxsize
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from openapi_spec_validator.validation.keywords import (
    KeywordValidator,
    OpenAPIV31SchemaValidator,
    SchemaValidator,
)
from openapi_spec_validator.validation.validators import SpecValidator

from generator.diagnostics import Diagnostic, join_pointer
from generator.load import Document
from generator.refs import DocumentSet

UNCHECKED = "openapi-spec-validator could not check this: "
_MAX_MESSAGE = 300
_UNEXPECTED_KEYS = re.compile(
    r"(?P<keys>.+) (?:does|do) not match any of the regexes: (?P<patterns>'.+')"
)
_PREFIX_PATTERN = re.compile(
    r"\^(?:[A-Za-z0-9_-]|\\/)+"
)  # `^x-`, `^\/`: a plain prefix, said in words
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 60, 60


def run(version: str, docs: DocumentSet, data: Mapping[Path, Any]) -> list[Diagnostic]:
    """Every problem the validator for OpenAPI `version` ("3.0", "3.1", "3.2") finds in the documents, each
    document seen as `data` holds it (see `validate._check_refs`)."""
    return _run(_PLACING_VALIDATORS[version], docs, data)


# --- running openapi-spec-validator ----------------------------------------------------------------------------


class _PlacedError(OpenAPIValidationError):
    """An error from one of the validator's semantic checks, stamped with the logical path of the node checked."""

    place: tuple[str | int, ...] = ()
    crashed = False  # the check itself failed on input it did not expect


def _placing(keyword: type[KeywordValidator], suffix: tuple[str, ...]) -> type[KeywordValidator]:
    """`keyword` with its errors stamped by the innermost check that saw them (and its crashes turned into errors)."""
    check = keyword.__call__

    def placing_call(
        self: KeywordValidator, *args: Any, **kwargs: Any
    ) -> Iterator[ValidationError]:
        at = next((arg.parts for arg in args if isinstance(arg, SchemaPath)), ())
        place = (*at, *suffix)
        try:
            for error in check(self, *args, **kwargs):
                yield (
                    error
                    if isinstance(error, _PlacedError)
                    else _stamp(_PlacedError.create_from(error), place)
                )
        except Exception as exc:  # the validator is not robust to every malformed input
            crash = _stamp(_PlacedError(f"{UNCHECKED}{type(exc).__name__}: {exc}"), place)
            crash.crashed = True
            yield crash

    return type(keyword.__name__, (keyword,), {"__call__": placing_call})


def _stamp(error: _PlacedError, place: tuple[str | int, ...]) -> _PlacedError:
    error.place = place
    return error


def _placing_validator(base: type[SpecValidator]) -> type[SpecValidator]:
    # The "default" check validates the value under the schema's `default`, not the schema itself.
    keywords = {
        name: _placing(_quicker(check), ("default",) if name == "default" else ())
        for name, check in base.keyword_validators.items()
    }
    document_validator = functools.cache(lambda: _crawled(base.schema_validator))
    return type(
        f"Placing{base.__name__}",
        (base,),
        {
            "keyword_validators": keywords,
            "schema_validator": property(lambda _: document_validator()),
        },
    )


# --- the same checks, quicker ----------------------------------------------------------------------------------
# The validator is slow on large OpenAPI 3.1/3.2 documents (seconds to tens of seconds) for two reasons fixed here
# without changing what it checks or reports:
# - every `$dynamicRef` (3.1's schemas are `$dynamicRef: "#meta"`) is resolved against a registry to which the
#   validator's root schema was just added uncrawled, so each lookup crawls that schema again: a registry crawled
#   once is given instead, for the document's schema and for the dialect's meta-schema each schema is checked with;
# - the schema check remembers the schemas it has seen in lists, searched linearly: sets answer the same question.


def _crawled(validator: Validator) -> Validator:
    """`validator`, resolving references in a registry already crawled (the one OpenAPI's schemas live in)."""
    resource = referencing.Resource.from_contents(
        validator.schema, default_specification=referencing.jsonschema.DRAFT202012
    )
    uri = resource.id() or ""
    registry = OPENAPI_SCHEMAS.with_resource(uri, resource).crawl()
    return validator.evolve(_resolver=registry.resolver(base_uri=uri))


def _meta_schema_check(dialect: type[Validator], format_checker: Any) -> Callable[[Any], None]:
    """What `dialect.check_schema(schema, format_checker=format_checker)` does, without the crawling."""
    meta_validator = validator_for(dialect.META_SCHEMA, default=dialect)
    validator = _crawled(meta_validator(dialect.META_SCHEMA, format_checker=format_checker))

    def check(schema: Any) -> None:
        for error in validator.iter_errors(schema):
            raise SchemaError.create_from(error)

    return check


class _SeenIds(list[int]):
    """The list the schema check keeps of schemas seen, with a set beside it for `in`."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[int] = set()

    def append(self, item: int) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _quicker(keyword: type[KeywordValidator]) -> type[KeywordValidator]:
    if not issubclass(keyword, SchemaValidator):
        return keyword

    def init(self: SchemaValidator, registry: Any) -> None:
        keyword.__init__(self, registry)
        self.visited_schema_ids, self.meta_checked_schema_ids = _SeenIds(), _SeenIds()

    members: dict[str, Any] = {"__init__": init}
    if issubclass(keyword, OpenAPIV31SchemaValidator):  # 3.1 and 3.2: dialects with `$dynamicRef`
        checks: dict[str, Callable[[Any], None]] = {}  # by dialect id

        def schema_checker(
            self: OpenAPIV31SchemaValidator, schema: SchemaPath, schema_value: Any
        ) -> Callable[[Any], None]:
            dialect_id = self._get_schema_dialect_id(schema, schema_value)
            if dialect_id not in checks:
                dialect = self._get_validator_class_for_dialect(dialect_id)
                if dialect is None:  # the validator's own error for it
                    return keyword._get_schema_checker(self, schema, schema_value)
                checks[dialect_id] = _meta_schema_check(
                    dialect, self.schema_validator_format_checker
                )
            return checks[dialect_id]

        members["_get_schema_checker"] = schema_checker
    return type(keyword.__name__, (keyword,), members)


_PLACING_VALIDATORS: dict[str, type[SpecValidator]] = {
    "3.0": _placing_validator(OpenAPIV30SpecValidator),
    "3.1": _placing_validator(OpenAPIV31SpecValidator),
    "3.2": _placing_validator(OpenAPIV32SpecValidator),
}


class _OfflineHandlers(Mapping[str, Callable[[str], Any]]):
    """URI handlers for every scheme: files already loaded are served, anything else is refused.

    jsonschema-path falls back to `requests`/`urllib` for a scheme it has no handler for, so this claims them all.
    """

    def __init__(self, data: Mapping[Path, Any]) -> None:
        self._by_path = data

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._retrieve

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(("file",))

    def __len__(self) -> int:
        return 1

    def _retrieve(self, uri: str) -> Any:
        parts = urlsplit(uri)
        path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or path not in self._by_path:
            raise LookupError(
                f"{uri} is not a file the spec refers to; nothing is fetched (network access is never used)"
            )
        return self._by_path[path]


def _run(
    validator_class: type[SpecValidator], docs: DocumentSet, data: Mapping[Path, Any]
) -> list[Diagnostic]:
    root = docs.root
    spec = SchemaPath.from_dict(
        data[root.path],
        base_uri=root.path.as_uri(),
        handlers=_OfflineHandlers(data),
        resolved_cache_maxsize=get_resolved_cache_maxsize(),
    )
    errors: list[ValidationError] = []
    try:
        errors.extend(validator_class(spec).iter_errors())
    except Exception as exc:  # a last resort: every check is already wrapped
        errors.append(_PlacedError(f"openapi-spec-validator failed: {type(exc).__name__}: {exc}"))
    structural = any(not isinstance(error, _PlacedError) for error in errors)
    # A check that crashes on a structurally broken spec only repeats what the structural errors say.
    kept = [
        error
        for error in errors
        if not (structural and isinstance(error, _PlacedError) and error.crashed)
    ]
    return [_diagnostic(docs, error) for error in kept]


# --- errors -> diagnostics -------------------------------------------------------------------------------------


def _diagnostic(docs: DocumentSet, error: ValidationError) -> Diagnostic:
    specific = _most_specific(error)
    path = list(specific.absolute_path)
    if isinstance(error, _PlacedError):
        path = [*error.place, *path]
    key = _single_unexpected_key(specific)
    document, pointer = _locate(docs, path if key is None else [*path, key])
    return docs.locate(document, pointer, _readable(specific))


def _single_unexpected_key(error: ValidationError) -> str | None:
    """The one key an "unexpected property" error is about, so it is located at that key rather than its parent."""
    if error.validator not in ("additionalProperties", "unevaluatedProperties") or not isinstance(
        error.instance, dict
    ):
        return None
    keys = [key for key in error.instance if isinstance(key, str) and repr(key) in error.message]
    return keys[0] if len(keys) == 1 else None


def _most_specific(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, the sub-error that says most: deepest, and concrete rather than "none matched"."""
    while error.context:
        candidates = _alternatives(error)
        best = min(candidates, key=_specificity)
        rivals = {_branch(sub) for sub in candidates if _specificity(sub) == _specificity(best)}
        if len(rivals) > 1:
            break  # alternatives fail equally: the failure itself says most
        error = best
    return error


def _specificity(error: ValidationError) -> tuple[int, bool]:
    return -len(error.path), error.validator in ("oneOf", "anyOf")


def _branch(error: ValidationError) -> object:
    """Which alternative of the failed oneOf/anyOf a sub-error belongs to."""
    return error.relative_schema_path[0] if error.relative_schema_path else None


def _alternatives(error: ValidationError) -> list[ValidationError]:
    """The sub-errors, less the Reference alternative's when the node has no `$ref` (it was not meant as one)."""
    if isinstance(error.instance, dict) and "$ref" in error.instance:
        return list(error.context)
    options = error.validator_value if isinstance(error.validator_value, list) else []
    references: set[object] = {
        index for index, option in enumerate(options) if _is_reference_schema(option)
    }
    references |= {
        _branch(sub)
        for sub in error.context
        if sub.validator == "required" and sub.validator_value == ["$ref"]
    }
    kept = [sub for sub in error.context if _branch(sub) not in references]
    return kept or list(error.context)


def _is_reference_schema(schema: object) -> bool:
    return isinstance(schema, dict) and str(schema.get("$ref", "")).endswith("/Reference")


def _locate(docs: DocumentSet, path: list[str | int]) -> tuple[Document, str]:
    """Where the node at a logical path (one that may pass through `$ref`s) is written; else its nearest ancestor."""
    document, pointer, node = docs.root, "", docs.root.data
    for part in path:
        key = str(part)
        if isinstance(node, dict) and key not in node and isinstance(node.get("$ref"), str):
            document, pointer, node = docs.resolve(node["$ref"], document, pointer)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            break
        pointer = join_pointer(pointer, key)
    return document, pointer


def _prefixes(patterns: str) -> list[str] | None:
    """`'^\\\\/', '^x-'` (the regexes as jsonschema quotes them) -> ["/", "x-"]; None unless all are plain prefixes."""
    found = [ast.literal_eval(quoted) for quoted in re.findall(r"'(?:[^'\\]|\\.)*'", patterns)]
    if not found or not all(_PREFIX_PATTERN.fullmatch(pattern) for pattern in found):
        return None
    return [pattern[1:].replace("\\/", "/") for pattern in found]


def _readable(error: ValidationError) -> str:
    """The error's message, with a huge instance repr shortened and the whole kept to a few lines."""
    message: str = error.message
    unexpected = _UNEXPECTED_KEYS.fullmatch(message)
    prefixes = _prefixes(unexpected["patterns"]) if unexpected else None
    if unexpected and prefixes == [
        "x-"
    ]:  # jsonschema's wording for an unknown field where only extensions may go
        message = (
            f"unexpected {unexpected['keys']} (not a field here; extension names start with 'x-')"
        )
    elif unexpected and prefixes:  # keys such as paths, which must start with "/"
        message = f"unexpected {unexpected['keys']} (names here start with {' or '.join(map(repr, prefixes))})"
    if len(message) > _MAX_MESSAGE and isinstance(error.instance, dict | list | str):
        message = message.replace(repr(error.instance), _SHORT.repr(error.instance))
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"

"""Validate stage: every problem openapi-spec-validator finds, as located diagnostics, without touching the network.

Order matters. The version decides the validator. Then every `$ref` in every reachable file is resolved through
the `DocumentSet`, because openapi-spec-validator raises (rather than reports) on a dangling reference and would
fetch remote ones. Only a document whose references are all sound reaches the validator, and even then its
retrievals are served from the documents already loaded: no scheme falls through to an HTTP client.

The validator reports in two voices. Its JSON Schema pass gives each error a path in the root document; its
semantic checks (operation ids, path parameters, schemas and their defaults) give errors with no location at
all, so each of those checks is wrapped to stamp its errors with the place it was looking at. Paths are logical,
through `$ref`s; they are mapped back to the file and pointer where the node is written.
"""

from __future__ import annotations

import ast
import copy
import re
import reprlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]
from jsonschema_path import SchemaPath
from openapi_spec_validator import (
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
    OpenAPIV32SpecValidator,
)
from openapi_spec_validator.settings import get_resolved_cache_maxsize
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from openapi_spec_validator.validation.keywords import KeywordValidator
from openapi_spec_validator.validation.validators import SpecValidator

from generator.diagnostics import Diagnostic, SpecError, join_pointer
from generator.load import Document, split_pointer
from generator.refs import DocumentSet, iter_refs

_SUPPORTED = "only OpenAPI 3.0, 3.1 and 3.2 are supported"
_VERSION = re.compile(r"(3\.[012])\.\d+(-.+)?")
_MAX_MESSAGE = 300
_UNEXPECTED_KEYS = re.compile(
    r"(?P<keys>.+) (?:does|do) not match any of the regexes: (?P<patterns>'.+')"
)
_PREFIX_PATTERN = re.compile(
    r"\^(?:[A-Za-z0-9_-]|\\/)+"
)  # `^x-`, `^\/`: a plain prefix, said in words
_NO_MATCH = "is not valid under any of the given schemas"
_UNCHECKED = "openapi-spec-validator could not check this: "
_VERSION_LIKE = re.compile(r"\d+(?:\.\d+)*")
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 60, 60


def validate(docs: DocumentSet) -> list[Diagnostic]:
    """All problems in the spec, each located; an empty list means valid."""
    validator = _validator_for(docs.root)
    if isinstance(validator, Diagnostic):
        return [validator]
    # Both run, so one pass reports every problem; where a $ref is broken, the validator's own failure to follow
    # it says nothing more and is dropped.
    ref_problems, data = _check_refs(docs)
    broken = {(d.file, d.pointer) for d in ref_problems}
    checked = [
        d
        for d in _run(validator, docs, data)
        if not (d.message.startswith(_UNCHECKED) and (d.file, d.pointer) in broken)
    ]
    return sorted(_without_echoes({*ref_problems, *checked}), key=lambda d: d.sort_key)


def _without_echoes(problems: set[Diagnostic]) -> set[Diagnostic]:
    """Drop "not valid under any of the given schemas" where another error already says what is wrong there."""
    said = {(d.file, d.pointer) for d in problems if not d.message.endswith(_NO_MATCH)}
    return {
        d for d in problems if not (d.message.endswith(_NO_MATCH) and (d.file, d.pointer) in said)
    }


def _validator_for(root: Document) -> type[SpecValidator] | Diagnostic:
    data = root.data
    version = data.get("openapi")
    if version is None and "swagger" in data:
        return root.diagnostic(
            "/swagger", f"Swagger {data['swagger']} is not supported: {_SUPPORTED}"
        )
    if version is None:
        return root.diagnostic("", f"no `openapi` version field: {_SUPPORTED}")
    if not isinstance(version, str):
        return root.diagnostic(
            "/openapi", f"`openapi` must be a string such as '3.1.0', not {version!r} (quote it)"
        )
    match = _VERSION.fullmatch(version)
    if match is not None:
        return _PLACING_VALIDATORS[match.group(1)]
    if re.fullmatch(r"3\.[012]", version):
        return root.diagnostic(
            "/openapi", f"`openapi` must be a full version such as '{version}.0', not {version!r}"
        )
    shown = version if _VERSION_LIKE.fullmatch(version) else repr(version)
    return root.diagnostic("/openapi", f"OpenAPI {shown} is not supported: {_SUPPORTED}")


def _check_refs(docs: DocumentSet) -> tuple[list[Diagnostic], dict[Path, Any]]:
    """Resolve every `$ref` of every document reached (resolving loads the files they name).

    Also returns each document's data as the validator is to see it: every chain of references made one step.
    """
    problems: list[Diagnostic] = []
    shortcuts: dict[Path, dict[str, str]] = {}
    scanned: set[Path] = set()
    pending = list(docs.documents())
    while pending:
        document = pending.pop(0)
        if document.path in scanned:
            continue
        scanned.add(document.path)
        for pointer, ref in iter_refs(document.data):
            try:
                docs.resolve(ref, document, pointer)
                shortcut = docs.shortcut(ref, document, pointer)
            except SpecError as exc:
                problems.extend(exc.diagnostics)
                continue
            if shortcut is not None:
                shortcuts.setdefault(document.path, {})[pointer] = shortcut
        pending.extend(docs.documents())
    data = {
        document.path: _with_refs(document.data, shortcuts.get(document.path, {}))
        for document in docs.documents()
    }
    return problems, data


def _with_refs(data: Any, refs: Mapping[str, str]) -> Any:
    """`data` with the `$ref` of the object at each pointer of `refs` replaced; only the nodes on the way are
    copied, the rest is shared."""
    if not refs:
        return data
    copies: dict[int, Any] = {}  # id -> a copy made here (kept alive, so ids are not reused)

    def own(node: Any) -> Any:
        if id(node) in copies:
            return node
        duplicate = copy.copy(node)
        copies[id(duplicate)] = duplicate
        return duplicate

    root = own(data)
    for pointer, ref in refs.items():
        node = root
        for token in split_pointer(pointer):
            key: str | int = int(token) if isinstance(node, list) else token
            node[key] = own(node[key])
            node = node[key]
        node["$ref"] = ref
    return root


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
            crash = _stamp(_PlacedError(f"{_UNCHECKED}{type(exc).__name__}: {exc}"), place)
            crash.crashed = True
            yield crash

    return type(keyword.__name__, (keyword,), {"__call__": placing_call})


def _stamp(error: _PlacedError, place: tuple[str | int, ...]) -> _PlacedError:
    error.place = place
    return error


def _placing_validator(base: type[SpecValidator]) -> type[SpecValidator]:
    # The "default" check validates the value under the schema's `default`, not the schema itself.
    keywords = {
        name: _placing(check, ("default",) if name == "default" else ())
        for name, check in base.keyword_validators.items()
    }
    return type(f"Placing{base.__name__}", (base,), {"keyword_validators": keywords})


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

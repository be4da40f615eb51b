"""The class name a schema wants, read from its own place in the spec, never from who refers to it.

`#/components/schemas/RunMetadataFilter/properties/operator` wants `RunMetadataFilterOperator` whichever
operation or schema reaches it first, so adding, removing or reordering other things cannot change it. The rules
are written down in docs/naming.md.
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator.load import Document, split_pointer
from generator.naming import capitalized, pascal_case

# Component sections whose schemas are named after the component, and the word each adds.
_COMPONENT_WORDS = {
    "schemas": "",
    "requestBodies": "Body",
    "responses": "Response",
    "parameters": "Param",
    "headers": "Header",
}
# JSON Schema keywords whose children are named after their key (`properties/name` -> `Name`).
_NAMED_CHILDREN = frozenset(
    {"properties", "$defs", "definitions", "patternProperties", "dependentSchemas"}
)
# Keywords that add a fixed word: an array's item, a map's value, and a few rarer ones.
_ROLE_WORDS = {
    "items": "Item",
    "additionalItems": "Item",
    "contains": "Item",
    "additionalProperties": "Value",
    "unevaluatedProperties": "Value",
    "propertyNames": "Key",
    "not": "Not",
    "if": "If",
    "then": "Then",
    "else": "Else",
    "requestBody": "Body",
    "schema": "",  # of a parameter or a media type
    "itemSchema": "Item",  # OpenAPI 3.2: each item of a streamed media type
    "contentSchema": "",  # the JSON a string holds (an event's `data`)
}
_OPERATION_KEYS = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}
)


def document_identity(doc: Document, root: Document) -> str:
    """A file's part of a schema's identity: "" for the spec itself, else its path relative to the spec's folder
    (never absolute, so names do not depend on where the repository is checked out)."""
    if doc is root:
        return ""
    return posixpath.relpath(doc.display, posixpath.dirname(root.display) or ".")


def place_name(doc: Document, pointer: str, *, is_root: bool) -> str:
    """PascalCase name wanted by the schema at `pointer` of `doc` (`is_root`: `doc` is the spec itself)."""
    tokens = split_pointer(pointer)
    words: list[str] = []
    if not tokens and not is_root:
        words.append(capitalized(posixpath.splitext(posixpath.basename(doc.display))[0]))
    value: Any = doc.data
    index = 0
    if len(tokens) >= 3 and tokens[0] == "components" and tokens[1] in _COMPONENT_WORDS:
        words += [capitalized(tokens[2]), _COMPONENT_WORDS[tokens[1]]]
        value, index = _child(_child(_child(value, tokens[0]), tokens[1]), tokens[2]), 3
    elif len(tokens) >= 2 and tokens[0] == "paths":
        words.append(capitalized(tokens[1]))  # path-level parameters; an operation replaces it
        value, index = _child(_child(value, "paths"), tokens[1]), 2
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        child = _child(value, token)
        step = 1
        if token in _OPERATION_KEYS and _is_operation(child, tokens[:index]):
            words = [_operation_word(child, token, tokens[index - 1] if index else "")]
        elif token == "additionalOperations" and following:  # OpenAPI 3.2: `COPY` and friends
            operation = _child(child, following)
            path = tokens[index - 1] if index else ""
            words = [
                _operation_word(operation if isinstance(operation, dict) else {}, following, path)
            ]
            step = 2
        elif token in _NAMED_CHILDREN and following:
            words.append(capitalized(following) or "Field")
            step = 2
        elif token in ("oneOf", "anyOf") and following:
            words.append(_variant_word(child, following))
            step = 2
        elif token == "allOf" and following:
            step = (
                2  # allOf parts merge into the schema holding them: a part is named like its owner
            )
        elif token == "parameters" and following:
            parameter = _child(child, following)
            name = parameter.get("name") if isinstance(parameter, dict) else None
            words.append(capitalized(name if isinstance(name, str) else following) or "Param")
            step = 2
        elif token == "responses" and following:
            words.append("Response" + _status_word(following))
            step = 2
        elif token == "content" and following:
            step = 2  # the media type: only the preferred one is used
        else:
            words.append(_ROLE_WORDS.get(token, capitalized(token)))
        for passed in tokens[index + 1 : index + step]:
            child = _child(child, passed)
        value, index = child, index + step
    return pascal_case("".join(words), fallback="Model")


def _is_operation(value: Any, above: list[str]) -> bool:
    """A method key of a path item (`paths/x/get`, or in a referenced file one that looks like an operation)."""
    if not isinstance(value, dict):
        return False
    return (
        (len(above) == 2 and above[0] == "paths") or "responses" in value or "operationId" in value
    )


def _operation_word(operation: dict[str, Any], method: str, path: str) -> str:
    operation_id = operation.get("operationId")
    if isinstance(operation_id, str) and capitalized(operation_id):
        return capitalized(operation_id)
    return capitalized(f"{method}_{path}")


def _status_word(status: str) -> str:
    """200 and 201 add nothing (the usual success); `404` -> Status404, `default` -> Default."""
    return "" if status in ("200", "201") else pascal_case(status, fallback="Status")


def _variant_word(options: Any, index: str) -> str:
    """`oneOf/1` -> Variant2, counted among the non-null options; nothing when it is the only one (a nullable
    type written as `anyOf: [X, {type: null}]`)."""
    if not isinstance(options, list) or not index.isdigit():
        return capitalized(index)
    real = [position for position, option in enumerate(options) if not _is_null(option)]
    if len(real) <= 1:
        return ""
    return f"Variant{real.index(int(index)) + 1}" if int(index) in real else "Null"


def _is_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return (
        schema.get("type") == "null"
        or schema.get("enum") == [None]
        or ("const" in schema and schema["const"] is None)
    )


def _child(value: Any, token: str) -> Any:
    if isinstance(value, dict):
        return value.get(token)
    if isinstance(value, list) and token.isdigit() and int(token) < len(value):
        return value[int(token)]
    return None

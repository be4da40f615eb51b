"""What every builder step shares: where a node lives, how to report on it, and how named types get their names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Diagnostic, Severity, join_pointer
from generator.load import Document
from generator.refs import DocumentSet

SchemaKey = tuple[str, str]  # (document display name, JSON pointer): the identity of a schema


@dataclass(frozen=True, slots=True)
class Node:
    """A node of a loaded document, with the place it was found."""

    doc: Document
    pointer: str
    value: Any

    @property
    def key(self) -> SchemaKey:
        return (self.doc.display, self.pointer)

    def child(self, *tokens: str | int) -> Node:
        value = self.value
        for token in tokens:
            value = value[token]
        return Node(self.doc, join_pointer(self.pointer, *tokens), value)

    def get(self, name: str) -> Node | None:
        if isinstance(self.value, dict) and name in self.value:
            return self.child(name)
        return None

    def mapping(self) -> dict[str, Any]:
        return self.value if isinstance(self.value, dict) else {}


@dataclass
class Report:
    """Collects located diagnostics; warnings never stop generation (unless --strict turns them into errors)."""

    docs: DocumentSet
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, node: Node, message: str) -> None:
        self.diagnostics.append(self.docs.locate(node.doc, node.pointer, message, Severity.WARNING))


def text(mapping: dict[str, Any], key: str = "description") -> str:
    """A string field of a spec object, or "" when it is absent or not a string."""
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


class Namer:
    """Names of named types (models, enums, unions), keyed by schema identity.

    The builder runs twice over the spec: the first pass only records the name each named type would like
    (`recording()`), then every collision is resolved at once (`assign`), and the second pass builds the IR with
    the final names. Names are thus decided before the IR exists, and never patched into it afterwards.
    """

    def __init__(self, final: dict[SchemaKey, str] | None = None) -> None:
        self._final = final
        self.wanted: dict[SchemaKey, str] = {}

    def class_name(self, key: SchemaKey, wanted: str) -> str:
        if self._final is not None:
            return self._final[key]
        return self.wanted.setdefault(key, wanted)

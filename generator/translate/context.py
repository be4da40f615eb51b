"""What every builder step shares: where a node lives, how to report on it, and how named types get their names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Diagnostic, Severity, join_pointer
from generator.load import Document
from generator.naming import Claim, assign_unique
from generator.refs import DocumentSet
from generator.translate.places import document_identity, place_name

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

    The builder runs twice over the spec: the first pass records which schemas become named types and the name
    each wants from its own place (`translate.places`); every collision is then resolved at once (`resolved`), and
    the second pass builds the IR with the final names. Names are thus decided before the IR exists, and each
    depends only on the schema it names (and on those it collides with), never on the order schemas are met.
    """

    def __init__(self, docs: DocumentSet, final: dict[SchemaKey, str] | None = None) -> None:
        self._docs = docs
        self._final = final
        self._wanted: dict[SchemaKey, str] = {}
        self._identity: dict[SchemaKey, str] = {}

    def class_name(self, node: Node) -> str:
        if self._final is not None:
            return self._final[node.key]
        if node.key not in self._wanted:
            root = self._docs.root
            self._wanted[node.key] = place_name(node.doc, node.pointer, is_root=node.doc is root)
            self._identity[node.key] = f"{document_identity(node.doc, root)}#{node.pointer}"
        return self._wanted[node.key]

    def request_key(self, key: SchemaKey) -> SchemaKey:
        """The key of a schema's request form (`translate.directions`): its pointer and `/request`, which no schema
        has (`request` is no keyword of a schema)."""
        return (key[0], key[1] + "/request")

    def request_name(self, key: SchemaKey) -> str:
        """The name of a schema's request form: its own name and `Request` (`Pet` -> `PetRequest`)."""
        request = self.request_key(key)
        if self._final is not None:
            return self._final[request]
        if request not in self._wanted:
            self._wanted[request] = self._wanted[key] + "Request"
            self._identity[request] = self._identity[key] + "/request"
        return self._wanted[request]

    def resolved(self) -> Namer:
        """A namer holding the final names of everything recorded. Shallower schemas rank first (a component before
        an inline schema), then one spelled exactly as its name (`FooBar` before `Foo-Bar`)."""
        claims = (
            Claim(
                key,
                wanted,
                self._identity[key],
                rank=2 * key[1].count("/") + _respelled(key, wanted),
            )
            for key, wanted in self._wanted.items()
        )
        return Namer(self._docs, assign_unique(claims))


def _respelled(key: SchemaKey, wanted: str) -> int:
    return 0 if key[1].rsplit("/", 1)[-1] == wanted else 1

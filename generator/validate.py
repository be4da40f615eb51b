"""Validate stage: every problem openapi-spec-validator finds, as located diagnostics, without touching the network.

Order matters. The version decides the validator. Then every `$ref` in every reachable file is resolved through
the `DocumentSet`, because openapi-spec-validator raises (rather than reports) on a dangling reference and would
fetch remote ones. Only a document whose references are all sound reaches the validator, and even then its
retrievals are served from the documents already loaded: no scheme falls through to an HTTP client.

Running the validator and placing its errors is generator/openapi_validator.py, imported only when needed.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import multiprocessing
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, SpecError
from generator.load import Document, split_pointer
from generator.refs import DocumentSet, iter_refs
from generator.runkey import Input

_SUPPORTED = "only OpenAPI 3.0, 3.1 and 3.2 are supported"
_VERSION = re.compile(r"(3\.[012])\.\d+(-.+)?")
_NO_MATCH = "is not valid under any of the given schemas"
_VERSION_LIKE = re.compile(r"\d+(?:\.\d+)*")
# Whose verdict a recorded "valid" is: a spec valid under one version may not be under the next. (Pinned, so a
# manifest that records it does not vary between machines.)
_VALIDATOR = f"openapi-spec-validator {version('openapi-spec-validator')}"


def validate(docs: DocumentSet, known_valid: str = "") -> list[Diagnostic]:
    """All problems in the spec, each located; an empty list means valid.

    `known_valid` is a `spec_digest` recorded when this spec last validated without a problem: if the documents
    (every one the references reach) and the validator are still those, openapi-spec-validator, most of the cost
    on a large spec, is not run again. The references are always checked: that is what loads the documents.
    """
    openapi = _version_of(docs.root)
    if isinstance(openapi, Diagnostic):
        return [openapi]
    # Both run, so one pass reports every problem; where a $ref is broken, the validator's own failure to follow
    # it says nothing more and is dropped.
    ref_problems, data = _check_refs(docs)
    if not ref_problems and known_valid and known_valid == spec_digest(docs):
        return []
    from generator import openapi_validator  # costly to import: only when it runs

    broken = {(d.file, d.pointer) for d in ref_problems}
    checked = [
        d
        for d in openapi_validator.run(openapi, docs, data)
        if not (d.message.startswith(openapi_validator.UNCHECKED) and (d.file, d.pointer) in broken)
    ]
    return sorted(_without_echoes({*ref_problems, *checked}), key=lambda d: d.sort_key)


@dataclass(frozen=True, slots=True)
class Validation:
    problems: list[Diagnostic]
    digest: str  # `spec_digest` when there is no problem, else ""
    inputs: tuple[
        Input, ...
    ]  # every file validation read (in a forked validator, the parent has not)


class PendingValidation:
    """A validation started by `validate_alongside`: `done` at once when it ran here, else `result()` waits."""

    def __init__(self, docs: DocumentSet, known_valid: str) -> None:
        self._docs = docs
        self.done: Validation | None = None
        self._child: tuple[BaseProcess, Connection] | None = None
        if known_valid or not _fork_pays(docs):
            self.done = _validation(docs, known_valid)
            return
        receiver, sender = multiprocessing.Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(
            target=_validate_in_child, args=(docs, sender), daemon=True
        )
        child.start()
        sender.close()
        self._child = child, receiver

    def result(self) -> Validation:
        if self.done is None and self._child is not None:
            child, receiver = self._child
            try:
                received = receiver.recv()
            except EOFError:  # the child died without an answer
                received = None
            finally:
                receiver.close()
                child.join()
            # Not trusted with a verdict it did not give: validated again here.
            self.done = (
                received if isinstance(received, Validation) else _validation(self._docs, "")
            )
        assert self.done is not None
        return self.done


def validate_alongside(docs: DocumentSet, known_valid: str = "") -> PendingValidation:
    """Start validating (see `validate`). A large spec that must really be validated (openapi-spec-validator:
    seconds) is validated in a forked process, on another core, while the caller builds from the same documents;
    anything else is validated here and now."""
    return PendingValidation(docs, known_valid)


_FORK_FROM_BYTES = (
    1_000_000  # below this, validation takes well under a second: not worth a process
)


def _fork_pays(docs: DocumentSet) -> bool:
    text = docs.root.text
    return (
        text is not None
        and len(text) >= _FORK_FROM_BYTES
        and (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _validation(docs: DocumentSet, known_valid: str) -> Validation:
    problems = validate(docs, known_valid)
    return Validation(problems, "" if problems else spec_digest(docs), docs.inputs())


def _validate_in_child(docs: DocumentSet, sender: Connection) -> None:
    with contextlib.suppress(Exception):  # the parent validates again, and reports what goes wrong
        sender.send(_validation(docs, ""))
    sender.close()


def spec_digest(docs: DocumentSet) -> str:
    """A digest of every document loaded so far and of the validator's version; "" if a text is unknown."""
    texts = [(document.display, document.text) for document in docs.documents()]
    if any(text is None for _, text in texts):
        return ""
    hashed = hashlib.sha256(_VALIDATOR.encode())
    for display, text in texts:
        for part in (display, str(text)):
            encoded = part.encode("utf-8", "surrogatepass")
            hashed.update(
                b"%d:" % len(encoded) + encoded
            )  # length-prefixed: no two splits hash alike
    return hashed.hexdigest()


def _without_echoes(problems: set[Diagnostic]) -> set[Diagnostic]:
    """Drop "not valid under any of the given schemas" where another error already says what is wrong there."""
    said = {(d.file, d.pointer) for d in problems if not d.message.endswith(_NO_MATCH)}
    return {
        d for d in problems if not (d.message.endswith(_NO_MATCH) and (d.file, d.pointer) in said)
    }


def _version_of(root: Document) -> str | Diagnostic:
    """The OpenAPI version ("3.0", "3.1", "3.2") whose validator applies, or why none does."""
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
        return match.group(1)
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

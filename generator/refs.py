"""Reference resolution: `$ref` -> (document, JSON pointer, node), reading local files only, never the network.

A `DocumentSet` owns the root document and every file its references reach. Files are loaded lazily, once, with
the root's limits; by default they must lie in the root document's folder tree (`--allow-external-refs` lifts
that). Every failure is a `SpecError` located where the offending `$ref` is written.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

from generator.diagnostics import Diagnostic, Severity, SpecError, join_pointer
from generator.load import DEFAULT_LIMITS, Document, LoadLimits, load_document, split_pointer
from generator.runkey import Input, disk_input, loaded_input, referred_name, relative

_MAX_QUOTED = 200
# What a JSON pointer keeps unencoded in a URI fragment (RFC 3986 pchar, less '%').
_POINTER_SAFE = "/~!$&'()*+,;=:@"
# urlsplit silently deletes tabs and line breaks anywhere, and control characters and spaces at either end (as
# WHATWG URL parsing does): `#/a\n` would quietly name `#/a`. A URI holds none of them unencoded, so refuse them.
_STRIPPED_BY_URLSPLIT = re.compile(r"[\t\n\r]|^[\x00-\x20]|[\x00-\x20]$")


class DocumentSet:
    """The root document and the local files its references reach."""

    def __init__(
        self, root: Document, *, limits: LoadLimits = DEFAULT_LIMITS, allow_outside: bool = False
    ) -> None:
        self.root = root
        self._limits = limits
        self._allow_outside = allow_outside
        self._folder = root.path.parent
        self._display_folder = PurePosixPath(root.display).parent
        self._loaded: dict[Path, Document] = {root.path: root}
        self._failed: dict[Path, tuple[Diagnostic, ...]] = {}
        # (file, pointer) of a node holding a $ref -> the node its chain ends at.
        self._ends: dict[tuple[Path, str], tuple[Document, str, Any]] = {}
        # (referring file, path part of a $ref) -> the absolute path: resolving one is a system call per component.
        self._paths: dict[tuple[Path, str, str], Path] = {}
        # Each file a $ref names, as named (unresolved) -> resolved: what the run key must see (`inputs`).
        self._named: dict[Path, Path] = {}

    def resolve(self, ref: str, base: Document, pointer: str) -> tuple[Document, str, Any]:
        """The node `ref` (written at `pointer` in `base`) names, following chains of references to the end.

        Each reference met on the way is remembered with the end it leads to, so a chain is walked once however
        many of its links are resolved: linear in the number of references, not cubic.
        """
        # The start is not remembered: callers may resolve a reference written elsewhere than at `pointer` (a
        # discriminator's mapping), so only nodes that hold a `$ref` themselves are keys.
        chain = [(base, pointer)]
        on_chain = {(base.path, pointer)}
        document, target, node = self._resolve_once(ref, base, pointer)
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            key = (document.path, target)
            if key in self._ends:
                document, target, node = self._ends[key]
                break
            if key in on_chain:
                hops = " -> ".join(
                    _place(doc, at, base) for doc, at in [*chain, (document, target)]
                )
                raise SpecError([self.locate(base, pointer, f"$ref cycle: {hops}")])
            on_chain.add(key)
            chain.append((document, target))
            document, target, node = self._resolve_once(node["$ref"], document, target)
        for doc, at in chain[1:]:
            self._ends[(doc.path, at)] = (document, target, node)
        return document, target, node

    def shortcut(self, ref: str, base: Document, pointer: str) -> str | None:
        """For a `$ref` that names another `$ref`: an absolute URI of the node its chain ends at; else None.

        Tools that re-walk chains for every reference (openapi-spec-validator does) get a document where each
        reference is one step, so a chain of n links costs n steps in total, not n².
        """
        _, _, node = self._resolve_once(ref, base, pointer)
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return None
        document, target, _ = self.resolve(ref, base, pointer)
        return f"{document.path.as_uri()}#{quote(target, safe=_POINTER_SAFE)}"

    def locate(
        self, document: Document, pointer: str, message: str, severity: Severity = Severity.ERROR
    ) -> Diagnostic:
        return document.diagnostic(pointer, message, severity)

    def documents(self) -> tuple[Document, ...]:
        others = sorted(
            (doc for doc in self._loaded.values() if doc is not self.root),
            key=lambda doc: doc.display,
        )
        return (self.root, *others)

    def inputs(self) -> tuple[Input, ...]:
        """Every file read or looked for so far, as the run key counts them: the root, and each file a `$ref`
        names, with the digest of the bytes loaded (of those on disk for a file that did not load)."""
        folder = self._folder
        named = [
            loaded_input(folder, name, path, self._loaded[path].digest)
            if path in self._loaded
            else disk_input(folder, referred_name(name, folder))
            for name, path in self._named.items()
        ]
        return (Input("", relative(self.root.path, folder), self.root.digest), *named)

    def _resolve_once(self, ref: str, base: Document, pointer: str) -> tuple[Document, str, Any]:
        """One step: the document and node `ref` names, which may itself be another `$ref`."""
        if _STRIPPED_BY_URLSPLIT.search(ref):
            message = f"$ref {_quoted(ref)} holds a tab, line break or control character; percent-encode it (%0A...)"
            raise SpecError([self.locate(base, pointer, message)])
        parts = urlsplit(ref)
        if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
            message = f"remote $ref refused: {_quoted(ref)} (network access is never used; refer to a local file instead)"
            raise SpecError([self.locate(base, pointer, message)])
        path = self._path(parts.scheme, parts.path, ref, base, pointer)
        document = self._document(path, ref, base, pointer)
        fragment = unquote(parts.fragment)
        if fragment and not fragment.startswith("/"):
            message = f"$ref {_quoted(ref)}: only JSON pointer fragments (#/...) are supported, not anchors"
            raise SpecError([self.locate(base, pointer, message)])
        return self._walk(document, split_pointer(fragment), ref, base, pointer)

    def _path(self, scheme: str, path_part: str, ref: str, base: Document, pointer: str) -> Path:
        key = (base.path, scheme, path_part)
        known = self._paths.get(key)
        if known is not None:
            return known
        if scheme == "file":
            named = Path(url2pathname(path_part))
        else:
            named = base.path.parent / unquote(path_part) if path_part else base.path
        try:
            path = named.resolve()
        except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop...
            raise SpecError(
                [self.locate(base, pointer, f"$ref {_quoted(ref)}: unusable file path ({exc})")]
            ) from None
        self._paths[key] = path
        if named != base.path:
            self._named[named] = path
        return path

    def _document(self, path: Path, ref: str, base: Document, pointer: str) -> Document:
        if path in self._loaded:
            return self._loaded[path]
        if not self._allow_outside and not path.is_relative_to(self._folder):
            message = (
                f"$ref {_quoted(ref)} points outside the folder of {self.root.display}; "
                "pass --allow-external-refs to follow it"
            )
            raise SpecError([self.locate(base, pointer, message)])
        if path not in self._failed:
            if not _is_file(path):
                raise SpecError(
                    [self.locate(base, pointer, f"$ref {_quoted(ref)}: file not found")]
                )
            try:
                self._loaded[path] = load_document(path, self._display(path), self._limits)
                return self._loaded[path]
            except SpecError as exc:
                self._failed[path] = exc.diagnostics
        failure = self.locate(
            base, pointer, f"$ref {_quoted(ref)}: the file it names cannot be loaded"
        )
        raise SpecError([failure, *self._failed[path]])

    def _display(self, path: Path) -> str:
        """A referenced file's name as messages show it: relative to the folder the root's display name is in."""
        relative = PurePosixPath(*Path(os.path.relpath(path, self._folder)).parts)
        return posixpath.normpath(str(self._display_folder / relative))

    def _walk(
        self, document: Document, tokens: list[str], ref: str, base: Document, pointer: str
    ) -> tuple[Document, str, Any]:
        node = document.data
        target = ""
        for token in tokens:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and _is_index(token) and int(token) < len(node):
                node = node[int(token)]
            else:
                message = f"$ref {_quoted(ref)} points to nowhere: {_place(document, target, base)} has no {_quoted(token)}"
                raise SpecError([self.locate(base, pointer, message)])
            target = join_pointer(target, token)
        return document, target, node


def _place(document: Document, pointer: str, base: Document) -> str:
    """A node's place in a message about `base`: the file is named only when it is another one."""
    if document is base:
        return f"#{pointer}"
    return f"{document.display}#{pointer}" if pointer else document.display


def _quoted(ref: str) -> str:
    """A reference as messages quote it: a hostile one can be megabytes long."""
    return repr(ref) if len(ref) <= _MAX_QUOTED else repr(ref[:_MAX_QUOTED]) + "…"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, say
        return False


def _is_index(token: str) -> bool:
    return token.isdigit() and token.isascii() and (token == "0" or not token.startswith("0"))


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` under `node`: (pointer of the object holding it, the reference), in document order."""
    # Entries link to their parent's entry: a pointer is spelled out only for the few nodes that hold a $ref.
    stack: list[tuple[Any, str | int, Any]] = [(node, "", None)]
    while stack:
        entry = stack.pop()
        current = entry[0]
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield _pointer_of(entry, pointer), ref
            stack.extend(
                (child, key, entry)
                for key, child in reversed(current.items())
                if isinstance(child, dict | list)
            )
        elif isinstance(current, list):
            stack.extend(
                (child, index, entry)
                for index, child in reversed(list(enumerate(current)))
                if isinstance(child, dict | list)
            )


def _pointer_of(entry: tuple[Any, str | int, Any], start: str) -> str:
    tokens: list[str | int] = []
    while entry[2] is not None:
        tokens.append(entry[1])
        entry = entry[2]
    return join_pointer(start, *reversed(tokens))

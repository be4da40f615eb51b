"""Load stage: one YAML or JSON file -> plain data, safely, offline and with bounded resources.

Everything here treats the file as hostile input: its size, nesting depth and alias expansion are capped before
they can cost much, only YAML 1.2 core-schema scalars are recognised (`on`, `no`, `1:20` and dates stay strings),
and every problem becomes a located `Diagnostic` inside a `SpecError`.

YAML is read as a stream of parser events (libyaml's when available) and built here without recursion, which is
what lets depth and alias limits apply while parsing: composing the node tree first would be recursive in C (a
deeply nested file crashes the interpreter) and would expand alias bombs before we could count them. Line
numbers are not kept while loading; `Document.line_of` parses the text again on first use, because diagnostics
are rare and large specs are common.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, Severity, SpecError, join_pointer

# libyaml's parser is several times faster than PyYAML's; both produce the same events.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NANS = frozenset({".nan", ".NaN", ".NAN"})
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_DEPTH_TOKENS_SHOWN = 6


@dataclass(frozen=True)
class LoadLimits:
    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 200  # nesting of mappings/sequences
    max_alias_nodes: int = (
        100_000  # total nodes produced by alias expansion; alias bombs refused fast
    )


DEFAULT_LIMITS = LoadLimits()


class Document:
    """One loaded file: its data, and where each node of it was written."""

    def __init__(
        self, path: Path, display: str, data: Any, text: str | None = None, digest: str = ""
    ) -> None:
        self.path = path
        self.display = display
        self.data = data
        self.digest = (
            digest  # sha256 of the bytes read, for the run key (generator/runkey.py); "" if unknown
        )
        self._text = text
        self._located: _Loc | None = None

    def __repr__(self) -> str:
        return f"Document({self.display!r})"

    @property
    def text(self) -> str | None:
        """The source text the data was parsed from, when known."""
        return self._text

    def line_of(self, pointer: str) -> int | None:
        """1-based line of the node at `pointer`, or of its nearest existing ancestor; None without source text."""
        if self._text is None:
            return None
        if self._located is None:
            self._located = _locate(self._text, self.display)
        node = self._located
        for token in split_pointer(pointer):
            child = node.child(token)
            if child is None:
                break
            node = child
        return node.line

    def diagnostic(
        self, pointer: str, message: str, severity: Severity = Severity.ERROR
    ) -> Diagnostic:
        return Diagnostic(severity, message, self.display, pointer, self.line_of(pointer))


def split_pointer(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON pointer (RFC 6901): "/a~1b/c" -> ["a/b", "c"]."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def load_document(path: Path, display: str, limits: LoadLimits = DEFAULT_LIMITS) -> Document:
    """Read, decode and parse one file; every problem raises `SpecError` with located diagnostics."""
    try:
        path = path.resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop...
        raise _error(display, f"cannot read: {exc}") from None
    content = _read(path, display, limits.max_bytes)
    text = _decode(content, display)
    if _looks_like_json(text):
        data = _load_json(text, display, limits, fallback_to_yaml=path.suffix.lower() != ".json")
    else:
        data = _load_yaml(text, display, limits)
    document = Document(path, display, data, text, hashlib.sha256(content).hexdigest())
    if not isinstance(data, dict):
        raise SpecError(
            [document.diagnostic("", f"the top level must be a mapping, not {_kind(data)}")]
        )
    return document


def _error(display: str, message: str, line: int | None = None, pointer: str = "") -> SpecError:
    return SpecError([Diagnostic(Severity.ERROR, message, display, pointer, line)])


def _depth_error(display: str, max_depth: int, line: int | None, tokens: list[str]) -> SpecError:
    # The full pointer of a node 200 levels down is unreadable; its first levels say where to look.
    shown = tokens[:_DEPTH_TOKENS_SHOWN]
    where = "" if len(tokens) <= len(shown) else " below here"
    return _error(
        display, f"nesting deeper than {max_depth} levels{where}", line, join_pointer("", *shown)
    )


def _kind(value: Any) -> str:
    if value is None:
        return "an empty document"
    return "a sequence" if isinstance(value, list) else f"a scalar ({type(value).__name__})"


# --- bytes -> text ---------------------------------------------------------------------------------------------


def _read(path: Path, display: str, max_bytes: int) -> bytes:
    try:
        if not path.is_file():
            raise _error(display, "not a regular file" if path.exists() else "not found")
        size = path.stat().st_size
        if size > max_bytes:
            raise _error(display, f"file is {size} bytes, over the {max_bytes}-byte limit")
        with path.open("rb") as handle:
            content = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise _error(display, f"cannot read: {exc.strerror or exc}") from None
    if len(content) > max_bytes:
        raise _error(display, f"file is over the {max_bytes}-byte limit")
    return content


def _decode(content: bytes, display: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise _error(
            display, f"not UTF-8 text (byte 0x{content[exc.start]:02x} at offset {exc.start})", line
        ) from None


def _looks_like_json(text: str) -> bool:
    start = _JSON_SPACE.match(text)
    return start is not None and text[start.end() : start.end() + 1] in ("{", "[")


# --- JSON ------------------------------------------------------------------------------------------------------


class _DuplicateJsonKey(Exception):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateJsonKey
    return result


def _load_json(text: str, display: str, limits: LoadLimits, *, fallback_to_yaml: bool) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        if (
            fallback_to_yaml
        ):  # YAML flow style also starts with "{": let the YAML parser have its say
            return _load_yaml(text, display, limits)
        raise _error(display, f"invalid JSON: {exc.msg}", exc.lineno) from None
    except _DuplicateJsonKey:
        _JsonLocator(text, display, report_duplicates=True).run()
        raise _error(
            display, "duplicate key in a JSON object"
        ) from None  # the locator raises first
    except RecursionError:
        raise _error(display, f"nesting deeper than {limits.max_depth} levels") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise _error(display, f"invalid JSON: {exc}") from None
    _check_json_values(data, text, display, limits.max_depth)
    return data


def _check_json_values(data: Any, text: str, display: str, max_depth: int) -> None:
    """Refuse JSON nested deeper than the limit, and NaN or Infinity (YAML checks both while parsing)."""
    # Entries link to their parent's entry, so the pointer is only spelled out for the error.
    stack: list[tuple[Any, int, str, Any]] = [(data, 1, "", None)]
    while stack:
        entry = stack.pop()
        node, depth = entry[0], entry[1]
        if depth > max_depth or isinstance(node, float):
            tokens: list[str] = []
            while entry[3] is not None:
                tokens.insert(0, entry[2])
                entry = entry[3]
            pointer = join_pointer("", *tokens)
            line = Document(Path(), display, data, text).line_of(pointer)
            if isinstance(node, float):
                raise _error(display, _non_finite_message(json.dumps(node)), line, pointer)
            raise _depth_error(display, max_depth, line, tokens)
        children = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend(
            (child, depth + 1, str(key), entry)
            for key, child in children
            if isinstance(child, dict | list)
            or (isinstance(child, float) and not math.isfinite(child))
        )


def _non_finite_message(shown: str) -> str:
    # Python's json and YAML's .nan/.inf accept them; an OpenAPI document is JSON data, and a client would send
    # `nan` for such a default.
    return (
        f"{shown} is not a JSON number (JSON has no NaN or Infinity); quote it if a string is meant"
    )


# --- YAML ------------------------------------------------------------------------------------------------------


def _load_yaml(text: str, display: str, limits: LoadLimits) -> Any:
    return _YamlBuilder(display, limits, located=False).build(text)


def _locate(text: str, display: str) -> _Loc:
    """The located tree of text that has already loaded once (so no limit can trip)."""
    if _looks_like_json(text):
        try:
            return _JsonLocator(text, display, report_duplicates=False).run()
        except (
            ValueError,
            IndexError,
        ):  # a ".yaml" file in YAML flow style that only looks like JSON
            pass
    unlimited = LoadLimits(max_bytes=len(text), max_depth=sys.maxsize, max_alias_nodes=sys.maxsize)
    root = _YamlBuilder(display, unlimited, located=True).build(text)
    return root if isinstance(root, _Loc) else _Loc(1, None)


class _Loc:
    """A node of the located tree: its line and its children (by key or index); scalars have none."""

    __slots__ = ("children", "line")

    def __init__(self, line: int, children: dict[str, _Loc] | list[_Loc] | None) -> None:
        self.line = line
        self.children = children

    def child(self, token: str) -> _Loc | None:
        if isinstance(self.children, dict):
            return self.children.get(token)
        if isinstance(self.children, list) and token.isdigit() and int(token) < len(self.children):
            return self.children[int(token)]
        return None


@dataclass
class _Built:
    """A finished node while building: its value (data, or a `_Loc`), expanded size and container height."""

    value: Any
    size: int = 1
    height: int = 0
    key: str | None = None  # scalars: the text the node has as a mapping key


@dataclass
class _Frame:
    """An open mapping or sequence."""

    token: str  # its key or index in the parent, for error pointers
    line: int
    anchor: str | None
    items: dict[str, Any] | list[Any]
    size: int = 1
    height: int = 1
    key: str | None = None  # mappings: the key whose value comes next
    merge_pending: bool = False  # mappings: that key was `<<`
    merges: list[dict[str, Any]] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)


class _YamlBuilder:
    """Builds data (or, `located`, the tree of lines) from YAML parser events, checking every limit as it goes."""

    def __init__(self, display: str, limits: LoadLimits, *, located: bool) -> None:
        self.display = display
        self.limits = limits
        self.located = located
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Built] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0
        self.root: _Built | None = None
        self.documents = 0

    def build(self, text: str) -> Any:
        try:
            for event in yaml.parse(text, Loader=_YAML_LOADER):
                self._handle(event)
        except yaml.MarkedYAMLError as exc:
            message = _tab_problem(text, exc.problem_mark) or _yaml_problem(exc)
            raise _error(
                self.display, message, _mark_line(exc.problem_mark or exc.context_mark)
            ) from None
        except yaml.reader.ReaderError as exc:  # characters YAML does not allow
            raise _error(
                self.display, _reader_problem(exc), _reader_line(text, exc.position)
            ) from None
        except yaml.YAMLError as exc:
            raise _error(self.display, f"invalid YAML: {_first_line(str(exc))}") from None
        return None if self.root is None else self.root.value

    def _handle(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event, line)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event.anchor, line)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._open(event, line)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._close()
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self._fail("a spec file holds one YAML document; found a second one", line)

    def _tokens(self) -> list[str]:
        """The pointer tokens of the innermost open collection."""
        return [frame.token for frame in self.stack[1:]]

    def _fail(self, message: str, line: int, token: str | None = None) -> SpecError:
        tokens = self._tokens() if token is None else [*self._tokens(), token]
        return _error(self.display, message, line, join_pointer("", *tokens))

    def _awaiting_key(self) -> _Frame | None:
        """The open mapping whose next node is a key, if that is where the next node goes."""
        frame = self.stack[-1] if self.stack else None
        return (
            frame
            if frame is not None and isinstance(frame.items, dict) and frame.key is None
            else None
        )

    def _next_token(self) -> str:
        """The key or index the next node gets in the open collection."""
        if not self.stack:
            return ""
        frame = self.stack[-1]
        return str(len(frame.items)) if isinstance(frame.items, list) else frame.key or ""

    def _value_line(self, line: int) -> int:
        """A mapping's value is placed on its key's line: `get:` rather than the first line of the operation."""
        frame = self.stack[-1] if self.stack else None
        if frame is None or not isinstance(frame.items, dict) or frame.key is None:
            return line
        return frame.key_lines.get(frame.key, line)

    # scalars and aliases

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        value = self._scalar_value(event, line)
        # A key keeps its source text: OpenAPI keys are strings (`200`, `+1`), which YAML would resolve as numbers.
        key = event.value
        built = _Built(_Loc(self._value_line(line), None) if self.located else value, key=key)
        if event.anchor is not None:
            self.anchors[event.anchor] = built
        frame = self._awaiting_key()
        if frame is None:
            if isinstance(value, float) and not math.isfinite(value):
                raise self._fail(_non_finite_message(repr(event.value)), line, self._next_token())
            self._deliver(built, line)
        else:
            is_merge = event.value == "<<" and event.tag is None and event.implicit[0]
            self._set_key(frame, key, line, is_merge=is_merge)

    def _scalar_value(self, event: yaml.ScalarEvent, line: int) -> Any:
        tag = event.tag
        if tag is None and event.implicit[0]:
            return _plain_scalar(event.value)
        if tag is None or tag in ("!", _CORE + "str"):
            return event.value
        expected = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(
            tag.removeprefix(_CORE)
        )
        if expected is None:
            raise self._fail(
                f"unsupported YAML tag {tag!r} (only the YAML core schema's tags are allowed)", line
            )
        value = _plain_scalar(event.value)
        if expected is float and type(value) is int:
            return float(value)
        if type(value) is not expected:
            raise self._fail(f"{event.value!r} is not a valid {tag.removeprefix(_CORE)}", line)
        return value

    def _alias(self, anchor: str, line: int) -> None:
        built = self.anchors.get(anchor)
        if built is None:
            if anchor in self.open_anchors:
                raise self._fail(
                    f"alias *{anchor} is inside the node it names (a recursive structure)", line
                )
            raise self._fail(f"alias *{anchor} has no anchor &{anchor} before it", line)
        self.alias_nodes += built.size
        if self.alias_nodes > self.limits.max_alias_nodes:
            limit = self.limits.max_alias_nodes
            raise self._fail(
                f"aliases expand to more than {limit} nodes (an alias bomb?); refused", line
            )
        frame = self._awaiting_key()
        if frame is None:
            self._deliver(built, line)
        elif built.key is None:
            raise self._fail("a mapping key must be a scalar, not a mapping or sequence", line)
        else:
            self._set_key(frame, built.key, line, is_merge=False)

    # collections

    def _open(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent, line: int) -> None:
        is_mapping = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (None, "!", _CORE + ("map" if is_mapping else "seq")):
            raise self._fail(
                f"unsupported YAML tag {event.tag!r} (only the YAML core schema's tags are allowed)",
                line,
            )
        if self._awaiting_key() is not None:
            raise self._fail("a mapping key must be a scalar, not a mapping or sequence", line)
        token = self._next_token()
        if len(self.stack) + 1 > self.limits.max_depth:
            raise _depth_error(self.display, self.limits.max_depth, line, [*self._tokens(), token])
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(
            _Frame(token, self._value_line(line), event.anchor, {} if is_mapping else [])
        )

    def _close(self) -> None:
        frame = self.stack.pop()
        items = frame.items
        if frame.merges and isinstance(
            items, dict
        ):  # explicit keys win over merged ones, earlier merges over later
            merged: dict[str, Any] = {}
            for source in frame.merges:
                for key, value in source.items():
                    merged.setdefault(key, value)
            merged.update(items)
            items = merged
        built = _Built(_Loc(frame.line, items) if self.located else items, frame.size, frame.height)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = built
        self._deliver(built, frame.line)

    def _deliver(self, built: _Built, line: int) -> None:
        """Put a finished node (or an alias's target) into the open collection, or make it the root."""
        if not self.stack:
            self.root = built
            return
        frame = self.stack[-1]
        if (
            len(self.stack) + built.height > self.limits.max_depth
        ):  # only an alias can get here too deep
            raise _depth_error(self.display, self.limits.max_depth, line, self._tokens())
        frame.size += built.size
        frame.height = max(frame.height, built.height + 1)
        if isinstance(frame.items, list):
            frame.items.append(built.value)
            return
        assert frame.key is not None  # keys never get here: _scalar and _alias take them
        if frame.merge_pending:
            frame.merges.extend(self._merge_sources(built.value, line))
        else:
            frame.items[frame.key] = built.value
        frame.key = None
        frame.merge_pending = False

    def _set_key(self, frame: _Frame, key: str, line: int, *, is_merge: bool) -> None:
        if not is_merge:
            first = frame.key_lines.get(key)
            if first is not None:
                raise self._fail(f"duplicate key {key!r} (first on line {first})", line, key)
            frame.key_lines[key] = line
        frame.key = key
        frame.merge_pending = is_merge

    def _merge_sources(self, value: Any, line: int) -> list[dict[str, Any]]:
        """The mappings a `<<` merge key brings in: one mapping, or a sequence of them."""
        sources = value.children if self.located else value
        sources = [sources] if isinstance(sources, dict) else sources
        if not isinstance(sources, list):
            raise self._fail("a merge key (<<) needs a mapping or a sequence of mappings", line)
        result = []
        for source in sources:
            mapping = source.children if self.located else source
            if not isinstance(mapping, dict):
                raise self._fail("a merge key (<<) needs a mapping or a sequence of mappings", line)
            result.append(mapping)
        return result


def _plain_scalar(text: str) -> Any:
    """A plain scalar under the YAML 1.2 core schema (which is also what JSON would say)."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _DECIMAL.fullmatch(text):
        return _int(text, 10)
    if _OCTAL.fullmatch(text):
        return _int(text[2:], 8)
    if _HEX.fullmatch(text):
        return _int(text[2:], 16)
    if _FLOAT.fullmatch(text) or _INFINITY.fullmatch(text):
        return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf"))
    if text in _NANS:
        return math.nan
    return text


def _int(text: str, base: int) -> int | str:
    try:
        return int(text, base)
    except ValueError:  # more digits than Python converts safely: keep the text
        return text


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    message = f"invalid YAML: {exc.problem or exc.context}"
    problem_line, context_line = _mark_line(exc.problem_mark), _mark_line(exc.context_mark)
    if exc.problem and exc.context and context_line is not None and context_line != problem_line:
        message += f" ({exc.context} on line {context_line})"
    elif exc.problem and exc.context:
        message += f" ({exc.context})"
    return message


def _tab_problem(text: str, mark: yaml.Mark | None) -> str | None:
    """The usual cause of "found character that cannot start any token", said plainly."""
    if mark is None:
        return None
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    if line[mark.column : mark.column + 1] != "\t" or line[: mark.column].strip(" \t"):
        return None
    return "invalid YAML: a tab indents this line; YAML indents with spaces only"


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    # libyaml reports the character as a code point, PyYAML's reader as a string.
    code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
    if exc.reason == "control characters are not allowed":
        return f"invalid YAML: control character U+{code:04X} is not allowed (in a double-quoted string, escape it)"
    return f"invalid YAML: {exc.reason}"


def _mark_line(mark: yaml.Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


def _reader_line(text: str, position: int) -> int:
    # libyaml counts bytes of the UTF-8 encoding, PyYAML's own reader counts characters.
    if _YAML_LOADER is yaml.SafeLoader:
        return text.count("\n", 0, position) + 1
    return text.encode("utf-8").count(b"\n", 0, position) + 1


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unreadable input"


# --- JSON lines ------------------------------------------------------------------------------------------------


_OpenJson = list[tuple[_Loc, list[str]]]  # open containers, and the pointer tokens leading to each


class _JsonLocator:
    """The located tree of JSON text, built with the `json` module's C scanners for strings and scalars.

    Used for line numbers and to find where a duplicate key is (`json.loads` only says that there is one).
    """

    def __init__(self, text: str, display: str, *, report_duplicates: bool) -> None:
        self.text = text
        self.display = display
        self.report_duplicates = report_duplicates
        self.decoder = json.JSONDecoder()
        self.line = 1
        self.line_pos = 0

    def line_at(self, pos: int) -> int:
        # Positions only grow while scanning, so counting newlines incrementally is linear overall.
        self.line += self.text.count("\n", self.line_pos, pos)
        self.line_pos = pos
        return self.line

    def skip(self, pos: int) -> int:
        match = _JSON_SPACE.match(self.text, pos)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def run(self) -> _Loc:
        stack: _OpenJson = []
        root, pos = self.value(self.skip(0), stack, [])
        while stack:
            container, tokens = stack[-1]
            pos = self.skip(pos)
            char = self.text[pos]
            if char in "}]":
                stack.pop()
                pos += 1
                continue
            if char == ",":
                pos = self.skip(pos + 1)
            if isinstance(container.children, dict):
                pos = self.member(container.children, pos, stack, tokens)
            else:
                assert isinstance(container.children, list)
                child, pos = self.value(pos, stack, [*tokens, str(len(container.children))])
                container.children.append(child)
        return root

    def member(
        self, children: dict[str, _Loc], pos: int, stack: _OpenJson, tokens: list[str]
    ) -> int:
        key_line = self.line_at(pos)
        if self.text[pos] != '"':
            raise ValueError("JSON object key expected")
        key, pos = self.decoder.raw_decode(self.text, pos)
        pos = self.skip(pos)
        if self.text[pos] != ":":
            raise ValueError("':' expected")
        if self.report_duplicates and key in children:
            first = children[key].line
            pointer = join_pointer("", *tokens, key)
            raise _error(
                self.display, f"duplicate key {key!r} (first on line {first})", key_line, pointer
            )
        children[key], pos = self.value(self.skip(pos + 1), stack, [*tokens, key], key_line)
        return pos

    def value(
        self, pos: int, stack: _OpenJson, tokens: list[str], line: int | None = None
    ) -> tuple[_Loc, int]:
        """The node starting at `pos`, placed on `line` (its key's) if given; containers are left open."""
        line = self.line_at(pos) if line is None else line
        char = self.text[pos]
        if char in "{[":
            located = _Loc(line, {} if char == "{" else [])
            stack.append((located, tokens))
            return located, pos + 1
        _, end = self.decoder.raw_decode(self.text, pos)
        return _Loc(line, None), end

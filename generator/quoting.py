"""The one path by which strings from a spec reach generated code.

Everything a spec author controls (titles, descriptions, enum values, defaults, examples, server URLs, paths) is
emitted as a Python literal, a docstring body or a comment built here, never pasted raw into a template. Names go
through `naming`, which only ever yields `[A-Za-z_][A-Za-z0-9_]*`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

# Characters that end or break a line for Python's tokenizer or for editors: they must never reach a comment or a
# docstring raw. str.splitlines() is the authority on what Python treats as a line break.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def py_literal(value: Any) -> str:
    """A Python expression that evaluates to the JSON value `value` (str, int, float, bool, None, list, dict)."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f'float("{value}")'
        return repr(value).replace("e+", "e")  # black writes 1e16, not 1e+16
    if isinstance(value, str):
        return str_literal(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        # Keys sorted: a JSON object has no order, and the spec's key order must not change the output.
        items = (
            f"{py_literal(str(key))}: {py_literal(value[key])}" for key in sorted(value, key=str)
        )
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def str_literal(text: str) -> str:
    """`text` as the string literal black would write: double quotes unless they need more escapes.

    repr() escapes backslashes, control characters, NUL and lone surrogates, and picks single quotes unless the
    text holds a `'` and no `"`. Black (`normalize_string_quotes`) prefers double quotes unless the text holds
    more `"` than `'`; from repr's single-quoted form that is: unescape every `'`, escape every `"`. Neither
    character is ever part of another escape in repr's output, so plain replacement is exact.
    """
    literal = repr(text)
    if literal[0] == '"' or text.count('"') > text.count("'"):
        return literal
    return '"' + literal[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'


def py_tuple(items: list[str]) -> str:
    """A tuple display of the expressions `items` on one line, as black writes it: `()`, `(a,)`, `(a, b)`.

    A trailing comma after two or more items would be a magic trailing comma that makes black explode it.
    """
    return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"


def py_literal_block(value: Any, indent: int = 0, width: int = 88) -> str:
    """`py_literal`, laid out one item per line (black's style) when it does not fit in `width` columns.

    For code that no formatter sees, such as the examples in a generated README.
    """
    flat = py_literal(value)
    if indent + len(flat) <= width or not isinstance(value, dict | list | tuple) or not value:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        lines = [
            f"{pad}{py_literal(str(key))}: {py_literal_block(value[key], indent + 4, width)},"
            for key in sorted(value, key=str)
        ]
        return "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"
    lines = [f"{pad}{py_literal_block(item, indent + 4, width)}," for item in value]
    return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"


def _is_unsafe_char(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc: control characters, Cs: lone surrogates, Zl/Zp: line/paragraph separators; none print or encode safely.
    # Cf: invisible format characters, among them the bidi controls that make source read other than it runs
    # (Trojan Source, CVE-2021-42574; ruff's PLE2502).
    return category in {"Cc", "Cs", "Cf", "Zl", "Zp"} and char not in "\n\t"


def _printable(text: str) -> bool:
    """No unsafe character in `text` (a quick test, true of most spec text): every unsafe category is unprintable."""
    return text.replace("\n", "").replace("\t", "").isprintable()


def docstring_body(text: str) -> str:
    """Escape `text` for use between triple double quotes in a regular (non-raw) docstring.

    Backslashes are doubled first so nothing else can form an escape; unprintable characters become
    `\\xNN`/`\\uNNNN` escapes, except lone surrogates: no string that is written or printed may hold one, so the
    docstring shows their code as text. Then every double quote followed by another one, starting or ending the
    text, is escaped: no two raw quotes touch, so neither `\"\"\"` in the text nor a quote before the closing
    delimiter can end the string.
    """
    text = text.replace("\r\n", "\n").replace("\\", "\\\\")
    if not _printable(text):
        text = "".join(_docstring_char(char) for char in text)
    text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    return _QUOTE_AT_START_BEFORE_QUOTE_OR_END.sub(r'\\"', text)


# A quote at the start is escaped too: black would pad it with a space (`""" "`).
_QUOTE_AT_START_BEFORE_QUOTE_OR_END = re.compile(r'\A"|"(?="|\Z)')


def _docstring_char(char: str) -> str:
    if not _is_unsafe_char(char):
        return char
    if unicodedata.category(char) == "Cs":
        return "\\" + _escape_char(char)
    return _escape_char(char)


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def comment_text(text: str) -> str:
    """One line of text safe to follow `# `: line breaks and control characters become spaces."""
    if not _printable(text):
        text = "".join(
            " " if char in _LINE_BREAKS or _is_unsafe_char(char) else char for char in text
        )
    return re.sub(r"\s+", " ", text).strip()


def markdown_text(text: str) -> str:
    """Text safe inside generated Markdown prose: no raw HTML and no code fences opened by the spec.

    It is one line; `~` is escaped because at the start of a line `~~~` opens a fence as ``` does.
    """
    text = comment_text(text).replace("\\", "\\\\").replace("~", "\\~")
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def html_comment_text(text: str) -> str:
    """One line safe inside `<!-- ... -->`: `--` (which `-->` and `--!>` start with) never appears."""
    text = comment_text(text)
    while "--" in text:
        text = text.replace("--", "- -")
    return text


def header_token(text: str, *, fallback: str) -> str:
    """`text` as an HTTP token (RFC 9110), e.g. the version in a User-Agent: a header value that is not printable
    ASCII cannot be sent at all, so other characters become `-`."""
    token = re.sub(r"[^A-Za-z0-9.+_~-]+", "-", text).strip("-")
    return token or fallback

"""The change list as a reviewer reads it: Markdown (a pull-request comment), text (a terminal), JSON (tools).

Every piece of spec text in a message went through `code()` when the change was made; labels and symbols go
through it here, so nothing from a spec is interpreted as Markdown or HTML, or reaches a terminal raw.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Literal

from generator.apidiff.model import LEVELS, Change, Level, code

Format = Literal["markdown", "text", "json"]
_TITLES: dict[Level, str] = {
    "breaking": "Breaking changes",
    "warning": "Warnings",
    "info": "Other changes",
}


def render(changes: Sequence[Change], old_label: str, new_label: str, form: Format) -> str:
    if form == "json":
        return (
            json.dumps([asdict(change) for change in changes], indent=2, ensure_ascii=True) + "\n"
        )
    if form == "text":
        return _text(changes, old_label, new_label)
    return markdown(changes, old_label, new_label)


def markdown(changes: Sequence[Change], old_label: str, new_label: str, heading: str = "#") -> str:
    lines = [f"{heading} API changes: {code(old_label)} -> {code(new_label)}", ""]
    if not changes:
        return "\n".join([*lines, "No changes to the generated client's API.", ""])
    for level in LEVELS:
        selected = [change for change in changes if change.level == level]
        lines += [f"{heading}# {_TITLES[level]} ({len(selected)})", ""]
        for change in selected:
            lines.append(f"- **{change.rule}**: {change.message}")
            lines.append(f"  at {code(change.location)} {code('#' + change.pointer)}")
            lines += [
                f"  - {_symbol_markdown(symbol.name, symbol.old, symbol.new)}"
                for symbol in change.symbols
            ]
        lines += ([] if selected else ["None."]) + [""]
    return "\n".join(lines)


def _symbol_markdown(name: str, old: str, new: str) -> str:
    if old and new:
        return f"{code(name)}: {code(old)} -> {code(new)}"
    return f"{code(name)}: {'added ' + code(new) if new else 'removed, was ' + code(old)}"


def _text(changes: Sequence[Change], old_label: str, new_label: str) -> str:
    lines = [f"API changes: {code(old_label)} -> {code(new_label)}"]
    counts = ", ".join(f"{sum(c.level == level for c in changes)} {level}" for level in LEVELS)
    lines.append(counts)
    for change in changes:
        lines.append(f"{change.level.upper():<8} {change.rule}: {change.message}")
        lines.append(f"         at {code(change.location)} {code('#' + change.pointer)}")
        lines += [f"         {_symbol_markdown(s.name, s.old, s.new)}" for s in change.symbols]
    return "\n".join(lines) + "\n"

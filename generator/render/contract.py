"""The template contract: which view each template receives, and every field of every view, read from the view
classes themselves. `reference()` is the text of docs/templates.md; a test fails when the page drifts."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import re
import textwrap
import tokenize
from typing import Any

from generator.render.models import EnumView, ModelView, UnionView
from generator.render.operations import ApiModuleView
from generator.render.package import ClientView, PackageInitView, ReadmeView, ReexportView

# Template -> the view class it receives as `view`. `render_api` refuses any other (see `check_view`).
TEMPLATE_VIEWS: dict[str, type[Any]] = {
    "models/model.py.jinja": ModelView,
    "models/enum.py.jinja": EnumView,
    "models/union.py.jinja": UnionView,
    "reexports.py.jinja": ReexportView,
    "api/module.py.jinja": ApiModuleView,
    "client.py.jinja": ClientView,
    "package_init.py.jinja": PackageInitView,
    "README.md.jinja": ReadmeView,
}
# Variables every template receives beside `view`, with what they hold.
COMMON_VARIABLES = (
    (
        "header_source",
        "str",
        "the spec's path as the header line names it (an HTML-comment-safe form in README.md.jinja)",
    ),
    ("header_lines", "list[str]", "the `header` setting, one comment-safe line each"),
    ("client_class", "str", "the `client-class` setting (`Client`)"),
    ("async_client_class", "str", "the `async-client-class` setting (`AsyncClient`)"),
    ("contract_version", "int", "the version of this contract"),
)


def check_view(template: str, view: object) -> None:
    """The contract holds: a template gets the view class this page documents for it."""
    expected = TEMPLATE_VIEWS[template]
    if not isinstance(view, expected):
        raise TypeError(f"{template} takes a {expected.__name__}, not {type(view).__name__}")


def reference(version: int) -> str:
    lines = [
        f"# Template contract, version {version}",
        "",
        "<!-- Generated from the view classes in generator/render/ by generator/render/contract.py;",
        "     `OAPIGEN_UPDATE_DOCS=1 .venv/bin/pytest tests/test_docs.py` rewrites it. Do not edit. -->",
        "",
        "A folder given as `templates` (setting or `--templates`) holds templates that replace oapigen's of the same",
        "relative path; oapigen's own stay reachable under the prefix `oapigen/` (`{% include",
        '"oapigen/models/model.py.jinja" %}` wraps the built-in model template). Templates run with Jinja\'s',
        "`StrictUndefined`: a name that does not exist is an error naming the template's file and line.",
        "",
        "Every string a view holds is ready to print: names are identifiers, literals are quoted, docstrings escaped.",
        "The version goes up when a field is removed or changes meaning; new fields do not change it.",
        "",
        "## Variables of every template",
        "",
        "| name | type | holds |",
        "|---|---|---|",
        *(f"| `{name}` | `{kind}` | {text} |" for name, kind, text in COMMON_VARIABLES),
        "",
        "`header.jinja` (the header line, included by every Python template) receives `header_source` and",
        "`header_lines` only. `lazy_exports.jinja` (the imports on first use, included by `reexports.py.jinja` and",
        "`package_init.py.jinja`) reads `view.modules`, `view.exports` and `view.lookup`. The runtime modules",
        "(`runtime/*.py`) are copied, not rendered.",
        "",
        "## Templates and their `view`",
        "",
        "| template | `view` |",
        "|---|---|",
        *(
            f"| `{name}` | [`{view.__name__}`](#{view.__name__.lower()}) |"
            for name, view in TEMPLATE_VIEWS.items()
        ),
        "",
    ]
    for view in _views():
        lines += [f"### {view.__name__}", "", "| field | type | notes |", "|---|---|---|"]
        comments = _field_comments(view)
        for field in dataclasses.fields(view):
            note = comments.get(field.name, "").replace("|", "\\|")
            lines.append(f"| `{field.name}` | `{_type_text(field.type)}` | {note} |")
        lines.append("")
    return "\n".join(lines)


def _type_text(annotation: object) -> str:
    return " ".join(str(annotation).split()).replace("|", "\\|")


def _views() -> list[type[Any]]:
    """The views of the templates and every view class their fields name, in order of first mention."""
    namespace: dict[str, type[Any]] = {}
    for view in TEMPLATE_VIEWS.values():
        namespace.update(
            {
                name: value
                for name, value in vars(inspect.getmodule(view)).items()
                if isinstance(value, type) and dataclasses.is_dataclass(value)
            }
        )
    found: list[type[Any]] = []
    pending = list(TEMPLATE_VIEWS.values())
    while pending:
        view = pending.pop(0)
        if view in found:
            continue
        found.append(view)
        for field in dataclasses.fields(view):
            pending += [
                namespace[name] for name in re.findall(r"\w+", str(field.type)) if name in namespace
            ]
    return found


def _field_comments(view: type[Any]) -> dict[str, str]:
    """The `# comment` on each field's lines in the class source."""
    source = textwrap.dedent(inspect.getsource(view))
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    (cls,) = ast.parse(source).body
    assert isinstance(cls, ast.ClassDef)
    notes: dict[str, str] = {}
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            end = node.end_lineno or node.lineno
            parts = [comments[line] for line in range(node.lineno, end + 1) if line in comments]
            notes[node.target.id] = " ".join(parts)
    return notes

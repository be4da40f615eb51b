"""Render stage: IR -> `{relative path: file text}` through the Jinja templates in `templates/`.

A pure function: no disk writes, no formatting (that is the next stage). Templates only loop, branch on booleans
and print strings prepared by the view modules, which compute names, types, imports and quoted literals.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import jinja2

from generator import ir
from generator.quoting import comment_text, html_comment_text
from generator.render.models import enum_view, model_view, union_view
from generator.render.operations import OperationView, api_module_view
from generator.render.package import (
    api_init_view,
    client_view,
    example_view,
    models_init_view,
    package_init_view,
    readme_view,
)
from generator.render.types import TypeRenderer

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
RUNTIME_MODULES = ("_base_client", "_codec", "_http", "_pagination", "errors")


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # output is Python and Markdown, never HTML; every spec string is pre-quoted
    )


def render_api(api: ir.Api) -> dict[str, str]:
    """Every file of the package, keyed by its path relative to the package folder."""
    env = environment()
    types = TypeRenderer(api)
    common: dict[str, Any] = {"header_source": comment_text(api.spec_path)}

    def render(template: str, view: object) -> str:
        return env.get_template(template).render(view=view, **common)

    files: dict[str, str] = {}
    for name in RUNTIME_MODULES:
        files[f"{name}.py"] = render(f"runtime/{name}.py.jinja", None)
    for model in api.models:
        files[f"models/{model.module}.py"] = render("models/model.py.jinja", model_view(model, types))
    for enum in api.enums:
        files[f"models/{enum.module}.py"] = render("models/enum.py.jinja", enum_view(enum))
    for union in api.unions:
        files[f"models/{union.module}.py"] = render("models/union.py.jinja", union_view(union, types))
    files["models/__init__.py"] = render("reexports.py.jinja", models_init_view(api))

    by_module: defaultdict[str, list[ir.Operation]] = defaultdict(list)
    for operation in api.operations:
        by_module[operation.module].append(operation)
    op_views: dict[str, list[OperationView]] = {}
    for module, operations in sorted(by_module.items()):
        tag = operations[0].tags[0] if operations[0].tags else "default"
        view = api_module_view(operations, types, tag)
        op_views[module] = view.operations
        files[f"api/{module}.py"] = render("api/module.py.jinja", view)
    files["api/__init__.py"] = render("reexports.py.jinja", api_init_view(op_views))

    files["_client.py"] = render("client.py.jinja", client_view(api))
    files["__init__.py"] = render("package_init.py.jinja", package_init_view(api))
    # PEP 561 marker; type checkers only look for the word "partial" in it, so it can carry the header too.
    files["py.typed"] = env.get_template("header.jinja").render(**common)
    examples = [example_view(operation, types, api.package) for operation in api.operations]
    readme = env.get_template("README.md.jinja")
    # Its header is an HTML comment, which `-->` in the spec's file name would end.
    files["README.md"] = readme.render(view=readme_view(api, examples), header_source=html_comment_text(api.spec_path))
    return files

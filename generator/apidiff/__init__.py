"""What a spec change does to code that calls the generated client: `oapigen diff` and the summary `check` prints.

Types are matched by where they come from in the spec (a renamed schema is one rename, not a removal and an
addition), operations by method and path; every change gets a level judged by the direction data travels in, a
rule id, its place in the spec and the Python symbols it touches. Modules: `side` (one API and its spec), `rules`
(shared judgements), `schemas` and `operations` (the comparisons), `report` (markdown, text, json), `sources`
(files and git revisions).
"""

from __future__ import annotations

import ast

from generator import ir
from generator.apidiff.model import Change, Symbol, code
from generator.apidiff.operations import compare_operations
from generator.apidiff.rules import Diff
from generator.apidiff.schemas import compare_named
from generator.apidiff.side import Side
from generator.render.package import client_view

__all__ = ["Change", "Side", "Symbol", "diff_apis"]


def diff_apis(old: Side, new: Side) -> list[Change]:
    """Every change from `old` to `new`, breaking first, then by module and symbol."""
    diff = Diff(old, new)
    compare_named(diff)  # first: it learns the renames the other comparisons see through
    compare_operations(diff)
    _client(diff)
    return sorted(diff.changes, key=lambda change: change.sort_key)


def _client(diff: Diff) -> None:
    """`Client(...)`: its credential keywords and environment variables, and its default base URL."""
    old, new = client_view(diff.old.api), client_view(diff.new.api)
    root = ir.Origin(diff.new.api.spec_path, "/components/securitySchemes")
    where = (diff.new, root)
    old_keywords = {keyword.name: keyword.sync_annotation for keyword in old.keywords}
    new_keywords = {keyword.name: keyword.sync_annotation for keyword in new.keywords}
    for keyword in sorted(set(old_keywords) - set(new_keywords)):
        symbol = (Symbol(f"Client({keyword}=)", old_keywords[keyword], ""),)
        message = f"keyword {code(keyword)} of `Client(...)` removed (security schemes changed)"
        diff.add("breaking", "client-keyword-removed", where, message, symbol, "client")
    for keyword in sorted(set(new_keywords) - set(old_keywords)):
        symbol = (Symbol(f"Client({keyword}=)", "", new_keywords[keyword]),)
        message = f"keyword {code(keyword)} added to `Client(...)`"
        diff.add("info", "client-keyword-added", where, message, symbol, "client")
    old_env = [keyword.env for keyword in old.keywords if keyword.env]
    new_env = [keyword.env for keyword in new.keywords if keyword.env]
    if old_env != new_env:
        was, now = ", ".join(old_env) or "none", ", ".join(new_env) or "none"
        message = f"credentials are read from {code(now)}, not {code(was)}"
        symbol = (Symbol("Client", was, now),)
        diff.add("warning", "credential-environment-changed", where, message, symbol, "client")
    if old.base_url != new.base_url:
        servers = (diff.new, ir.Origin(diff.new.api.spec_path, "/servers"))
        message = f"default base URL is {code(_url(new.base_url))}, not {code(_url(old.base_url))}"
        symbol = (Symbol("DEFAULT_BASE_URL", _url(old.base_url), _url(new.base_url)),)
        diff.add("warning", "default-base-url-changed", servers, message, symbol, "client")


def _url(literal: str) -> str:
    """The URL in the client view's quoted literal ("none" when the spec has none)."""
    value = ast.literal_eval(literal)
    return value if isinstance(value, str) and value else "none"

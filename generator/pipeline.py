"""The pipeline, stage after stage: load -> validate -> build -> render -> format. Writing is the caller's step.

`generate` is a pure function of the spec and the options: it returns the files and the warnings, and touches
no disk but to read the spec (and the local files it refers to).
"""

from __future__ import annotations

import dataclasses
import keyword
import sys
from dataclasses import dataclass
from pathlib import Path

from generator import ir
from generator.config import display_path
from generator.diagnostics import Diagnostic, Severity, SpecError, UsageError
from generator.format import format_files
from generator.load import load_document
from generator.refs import DocumentSet
from generator.render import RUNTIME_FILES, header_line, render_api
from generator.translate import build_api
from generator.validate import validate

# The client's only dependency and the top-level modules it may import in turn (httpx 0.2x, with its extras): a
# package of one of these names, put on sys.path, would shadow the real one.
_HTTPX_MODULES = frozenset(
    {
        "anyio",
        "brotli",
        "brotlicffi",
        "certifi",
        "exceptiongroup",
        "h11",
        "h2",
        "hpack",
        "httpcore",
        "httpx",
        "hyperframe",
        "idna",
        "sniffio",
        "socksio",
        "typing_extensions",
        "zstandard",
    }
)


@dataclass(frozen=True, slots=True)
class Options:
    package: str
    strict: bool = False  # warnings are errors
    lenient: bool = False  # validation errors are warnings; generate what is sound
    allow_external_refs: bool = False  # local $refs may leave the spec's folder


@dataclass(frozen=True, slots=True)
class Generation:
    files: dict[str, str]  # path relative to the package folder -> text
    warnings: tuple[Diagnostic, ...]
    header: str  # the generated-file header line, for the manifest the write stage adds


def check_package_name(package: str) -> None:
    if keyword.iskeyword(package):
        raise UsageError(
            f"--package: {package!r} is a Python keyword, which cannot be imported as a package name"
        )
    if not package.isidentifier() or not package.isascii():
        raise UsageError(
            f"--package: {package!r} is not a valid Python identifier (letters, digits and _ only)"
        )
    if package in sys.stdlib_module_names or package in _HTTPX_MODULES:
        raise UsageError(
            f"--package: {package!r} is the name of a module the generated client imports (the standard "
            "library, httpx or its dependencies); the package would shadow it: choose another name"
        )


def load_and_validate(spec: Path, options: Options) -> tuple[DocumentSet, list[Diagnostic]]:
    """Load the spec and validate it; errors raise `SpecError` unless `lenient` turns them into warnings."""
    root = load_document(spec, display_path(spec))
    docs = DocumentSet(root, allow_outside=options.allow_external_refs)
    problems = validate(docs)
    if problems and not options.lenient:
        raise SpecError(problems)
    return docs, [dataclasses.replace(problem, severity=Severity.WARNING) for problem in problems]


def build(spec: Path, options: Options) -> tuple[ir.Api, tuple[Diagnostic, ...]]:
    """Load, validate and build the IR; errors (and, with `strict`, warnings) raise `SpecError`."""
    check_package_name(options.package)
    docs, warnings = load_and_validate(spec, options)
    api, build_diagnostics = build_api(docs, package=options.package)
    warnings += build_diagnostics
    errors = [d for d in warnings if d.severity is Severity.ERROR or options.strict]
    if errors:
        raise SpecError(errors)
    return api, tuple(sorted(set(warnings), key=lambda d: d.sort_key))


def generate(spec: Path, options: Options) -> Generation:
    api, warnings = build(spec, options)
    return Generation(
        format_files(render_api(api), RUNTIME_FILES), warnings, header_line(api.spec_path)
    )

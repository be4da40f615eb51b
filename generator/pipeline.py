"""The pipeline, stage after stage: load -> validate -> build -> render -> format. Writing is the caller's step.

`generate` is a pure function of the spec and the options: it returns the files and the warnings, and touches
no disk but to read the spec (and the local files it refers to) and, when given the previous run's record, the
files that record vouches for (see generator/format.py): the output is the same with or without it.
"""

from __future__ import annotations

import dataclasses
import keyword
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator import ir
from generator.config import display_path
from generator.diagnostics import Diagnostic, Severity, SpecError, UsageError
from generator.format import FORMATTER, Previous, format_files
from generator.load import load_document
from generator.refs import DocumentSet
from generator.render import RUNTIME_FILES, header_line, render_api
from generator.translate import build_api
from generator.validate import validate, validate_alongside
from generator.write import Provenance

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
    verify_format: bool = (
        False  # reuse nothing recorded; black on every file, even the preformatted ones
    )


class PreviousRecord(Previous, Protocol):
    """The previous run's record, as the pipeline consults it: reusable texts, and the spec it found valid."""

    spec: str


@dataclass(frozen=True, slots=True)
class Generation:
    files: dict[str, str]  # path relative to the package folder -> text
    warnings: tuple[Diagnostic, ...]
    header: str  # the generated-file header line, for the manifest the write stage adds
    provenance: Provenance  # what the manifest records so that the next run can skip work
    reused: int  # files whose formatted text the previous run's record provided


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


def load_and_validate(
    spec: Path, options: Options, known_valid: str = ""
) -> tuple[DocumentSet, list[Diagnostic]]:
    """Load the spec and validate it; errors raise `SpecError` unless `lenient` turns them into warnings.

    `known_valid`: the digest of the spec when it last validated without a problem (see `validate`).
    """
    docs = _load(spec, options)
    return docs, _accepted(validate(docs, "" if options.verify_format else known_valid), options)


def _load(spec: Path, options: Options) -> DocumentSet:
    root = load_document(spec, display_path(spec))
    return DocumentSet(root, allow_outside=options.allow_external_refs)


def _accepted(problems: list[Diagnostic], options: Options) -> list[Diagnostic]:
    """Validation problems as warnings with `lenient`; else, if there are any, `SpecError`."""
    if problems and not options.lenient:
        raise SpecError(problems)
    return [dataclasses.replace(problem, severity=Severity.WARNING) for problem in problems]


def build(spec: Path, options: Options) -> tuple[ir.Api, tuple[Diagnostic, ...]]:
    """Load, validate and build the IR; errors (and, with `strict`, warnings) raise `SpecError`."""
    api, warnings, _ = _build(spec, options, "")
    return api, warnings


def _build(
    spec: Path, options: Options, known_valid: str
) -> tuple[ir.Api, tuple[Diagnostic, ...], str]:
    """`build`, plus the spec's digest when it validated without a problem ("" otherwise).

    On a large spec that must be validated, the validator runs in a forked process while this one builds.
    """
    check_package_name(options.package)
    docs = _load(spec, options)
    pending = validate_alongside(docs, "" if options.verify_format else known_valid)
    if pending.done is not None:
        _accepted(pending.done.problems, options)  # an invalid spec is not built
    try:
        api, build_diagnostics = build_api(docs, package=options.package)
    except Exception:
        _accepted(
            pending.result().problems, options
        )  # an invalid spec's errors explain a failed build
        raise
    validation = pending.result()
    warnings = _accepted(validation.problems, options) + build_diagnostics
    errors = [d for d in warnings if d.severity is Severity.ERROR or options.strict]
    if errors:
        raise SpecError(errors)
    return api, tuple(sorted(set(warnings), key=lambda d: d.sort_key)), validation.digest


def generate(spec: Path, options: Options, previous: PreviousRecord | None = None) -> Generation:
    """The package's files; `previous`, the last run's record, only saves work (see generator/format.py)."""
    api, warnings, valid = _build(spec, options, previous.spec if previous is not None else "")
    formatted = format_files(render_api(api), RUNTIME_FILES, previous, verify=options.verify_format)
    provenance = Provenance(formatter=FORMATTER, renders=formatted.renders, spec=valid)
    return Generation(
        formatted.files, warnings, header_line(api.spec_path), provenance, formatted.reused
    )

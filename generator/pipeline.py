"""The pipeline, stage after stage: load -> validate -> build -> render -> format. Writing is the caller's step.

`generate` is a pure function of the spec and the options: it returns the files and the warnings, and touches
no disk but to read the spec (and the local files it refers to) and, when given the previous run's record, the
files that record vouches for (see generator/format.py): the output is the same with or without it.
"""

from __future__ import annotations

import dataclasses
import keyword
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from generator import ir
from generator.config import display_path
from generator.diagnostics import Diagnostic, Severity, SpecError, UsageError
from generator.format import Counts, Formatted, Previous, format_files, formatter
from generator.load import load_document
from generator.options import Options as Options  # re-exported: callers import it from here
from generator.refs import DocumentSet
from generator.render import RUNTIME_FILES, header_line, render_api
from generator.runkey import Input, run_key
from generator.select import select_operations
from generator.stages import Stages as Stages  # re-exported
from generator.translate import build_api
from generator.validate import PendingValidation, validate, validate_alongside
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

_T = TypeVar("_T")


class PreviousRecord(Previous, Protocol):
    """The previous run's record, as the pipeline consults it: reusable texts, and the spec it found valid."""

    spec: str


@dataclass(frozen=True, slots=True)
class Generation:
    files: dict[str, str]  # path relative to the package folder -> text
    warnings: tuple[Diagnostic, ...]
    header: str  # the generated-file header line, for the manifest the write stage adds
    provenance: Provenance  # what the manifest records so that the next run can skip work
    format_counts: Counts  # how many files black formatted, and how many skipped it and why
    operations: int
    models: int  # models, enums and unions

    @property
    def reused(self) -> int:
        """Files whose formatted text the previous run's record provided."""
        return self.format_counts.reused


def check_package_name(package: str) -> None:
    check_identifier("--package", package, "a package name")
    if package in sys.stdlib_module_names or package in _HTTPX_MODULES:
        raise UsageError(
            f"--package: {package!r} is the name of a module the generated client imports (the standard "
            "library, httpx or its dependencies); the package would shadow it: choose another name"
        )


def check_identifier(option: str, name: str, what: str) -> None:
    if keyword.iskeyword(name):
        raise UsageError(
            f"{option}: {name!r} is a Python keyword, which cannot be imported as {what}"
        )
    if not name.isidentifier() or not name.isascii():
        raise UsageError(
            f"{option}: {name!r} is not a valid Python identifier (letters, digits and _ only)"
        )


def _check_options(options: Options) -> None:
    check_package_name(options.package)
    check_identifier("--client-class", options.client_class, "a class name")
    check_identifier("--async-client-class", options.async_client_class, "a class name")
    if options.client_class == options.async_client_class:
        raise UsageError(
            f"--client-class and --async-client-class are both {options.client_class!r}"
        )
    if options.templates is not None and not options.templates.is_dir():
        raise UsageError(f"--templates: {options.templates} is not a folder")


def _check_client_classes(api: ir.Api, options: Options) -> None:
    """A model of the client's name would shadow the client in the API modules that import both."""
    named: dict[str, ir.Origin] = {model.name: model.origin for model in api.models}
    named.update({enum.name: enum.origin for enum in api.enums})
    named.update({union.name: union.origin for union in api.unions})
    for option, name in (
        ("--client-class", options.client_class),
        ("--async-client-class", options.async_client_class),
    ):
        if name in named:
            origin = named[name]
            raise UsageError(
                f"{option}: {name!r} is also the name of the model from "
                f"{origin.file}#{origin.pointer}; choose another"
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


@dataclass(frozen=True, slots=True)
class Built:
    api: ir.Api
    warnings: tuple[Diagnostic, ...]
    valid: str  # the spec's digest when it validated without a problem, else ""
    inputs: frozenset[Input]  # every file read or looked for, for the run key


def build(
    spec: Path, options: Options, stages: Stages | None = None, known_valid: str = ""
) -> Built:
    """Load, validate and build the IR; errors (and, with `strict`, warnings) raise `SpecError`.

    On a large spec that must be validated, the validator runs in a forked process while this one builds.
    """
    stages = stages or Stages()
    return _finished(_started(spec, options, stages, known_valid), options, stages)


@dataclass(frozen=True, slots=True)
class _Started:
    """The IR, built while the validator may still be running beside it."""

    docs: DocumentSet
    api: ir.Api
    diagnostics: list[Diagnostic]
    pending: PendingValidation


def _started(spec: Path, options: Options, stages: Stages, known_valid: str) -> _Started:
    _check_options(options)
    with stages.stage("load"):
        docs = _load(spec, options)
    with stages.stage("build"):
        pending = validate_alongside(docs, "" if options.verify_format else known_valid)
        if pending.done is not None:
            _accepted(pending.done.problems, options)  # an invalid spec is not built
        api, diagnostics = _explained(
            pending, options, lambda: build_api(docs, package=options.package)
        )
    return _Started(docs, api, diagnostics, pending)


def _explained(pending: PendingValidation, options: Options, work: Callable[[], _T]) -> _T:
    """`work()`; should it fail, the validator's errors, if it finds any, are raised instead: they explain it."""
    try:
        return work()
    except Exception:
        _accepted(pending.result().problems, options)
        raise


def _finished(started: _Started, options: Options, stages: Stages) -> Built:
    """The validator's verdict on what was built: waited for (a stage of its own) when it runs elsewhere."""
    with stages.stage("validate"):
        validation = started.pending.result()
    warnings = _accepted(validation.problems, options) + started.diagnostics
    errors = [d for d in warnings if d.severity is Severity.ERROR or options.strict]
    if errors:
        raise SpecError(errors)
    return Built(
        started.api,
        tuple(sorted(set(warnings), key=lambda d: d.sort_key)),
        validation.digest,
        frozenset((*started.docs.inputs(), *validation.inputs)),
    )


def generate(
    spec: Path,
    options: Options,
    *,
    stages: Stages | None = None,
    progress: Callable[[int, int], None] | None = None,
    previous: PreviousRecord | None = None,
) -> Generation:
    """Every file of the client and the warnings; `stages` records the time per stage, `progress` follows the
    formatting (the slow stage) file by file, `previous` (the last run's record) only saves work.

    A validator running in another process runs on while this one renders and formats; nothing is returned
    before its verdict."""
    stages = stages or Stages()
    known_valid = previous.spec if previous is not None else ""
    started = _started(spec, options, stages, known_valid)
    api, formatted = _explained(
        started.pending,
        options,
        lambda: _rendered(started.api, options, stages, previous, progress),
    )
    built = _finished(started, options, stages)
    provenance = Provenance(
        formatter=formatter(options.line_length),
        renders=formatted.renders,
        spec=built.valid,
        key=run_key(spec, options, built.inputs),
        inputs=tuple(sorted({item.name for item in built.inputs} - {""})),
        warnings=built.warnings,
    )
    return Generation(
        formatted.files,
        built.warnings,
        header_line(api.spec_path),
        provenance,
        formatted.counts,
        operations=len(api.operations),
        models=len(api.models) + len(api.enums) + len(api.unions),
    )


def _rendered(
    api: ir.Api,
    options: Options,
    stages: Stages,
    previous: PreviousRecord | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[ir.Api, Formatted]:
    """The selected operations' client, rendered and formatted."""
    _check_client_classes(api, options)
    api = select_operations(
        api,
        include_operations=options.include_operations,
        exclude_operations=options.exclude_operations,
        include_tags=options.include_tags,
        exclude_tags=options.exclude_tags,
    )
    with stages.stage("render"):
        files = render_api(
            api,
            header=options.header,
            client_classes=(options.client_class, options.async_client_class),
            templates=options.templates,
        )
    with stages.stage("format"):
        # Our templates print black's layout; a user's templates (any of which may be included by ours) may not.
        ours = frozenset() if options.templates else frozenset(files.keys() - RUNTIME_FILES)
        formatted = format_files(
            files,
            RUNTIME_FILES,
            previous,
            vouchable=ours,
            line_length=options.line_length,
            verify=options.verify_format,
            progress=progress,
        )
    return api, formatted

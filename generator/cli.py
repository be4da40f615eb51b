"""Command line: `generate`, `check`, `validate` and `diff`.

Settings come from `[tool.generator]` (and its `[[tool.generator.client]]` tables) in the project's pyproject.toml;
flags win. Without a spec argument, `generate` and `check` run every configured client.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import traceback
from collections.abc import Sequence
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path

from generator.config import (
    SETTINGS,
    ClientConfig,
    ProjectConfig,
    Setting,
    option_values,
    read_project,
)
from generator.diagnostics import SpecError, UsageError
from generator.naming import snake_case
from generator.options import Options
from generator.stages import Stages
from generator.terminal import Terminal
from generator.write import LockWait, OutputError, recorded_run

# The pipeline (the loader, the validator, Jinja, black) is imported where it runs: `check` of an up-to-date
# client needs none of it (see `_recorded`).

EXIT_OK, EXIT_STALE, EXIT_INVALID, EXIT_BUG = 0, 1, 2, 3
EXIT_CODES = (
    (EXIT_OK, "success"),
    (EXIT_STALE, "`check` found a stale client, or `diff --fail-on LEVEL` a change of that level"),
    (
        EXIT_INVALID,
        "the spec, the settings or the output folder is unusable (every problem printed)",
    ),
    (EXIT_BUG, "an internal error: a bug in oapigen (--debug prints the traceback)"),
)
_MAX_SUMMARY = 300  # an internal error is reported on one line, however long its message
# Flags every command accepts, before or after the command's name.
_GLOBAL_FLAGS = (
    (("-v", "--verbose"), "print each stage's time and what was written"),
    (("-q", "--quiet"), "print only warnings and errors"),
    (("--debug",), "show the traceback of internal errors"),
)


def _comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _add_setting(command: argparse.ArgumentParser, setting: Setting) -> None:
    """A flag for one setting; it defaults to None, so the settings file fills in what the flag does not give."""
    flags = [f"--{setting.key}", *(["-o"] if setting.key == "output" else [])]
    help_text = f"{setting.help} (default: {setting.default})" if setting.default else setting.help
    help_text = help_text.replace("%", "%%").replace("`", "")
    if setting.kind is bool:
        command.add_argument(*flags, action=argparse.BooleanOptionalAction, help=help_text)
    elif setting.kind is list:
        command.add_argument(*flags, type=_comma_list, metavar="A,B", help=help_text)
    else:
        command.add_argument(*flags, type=setting.kind, help=help_text)


def parser() -> argparse.ArgumentParser:
    exit_codes = "\n".join(f"  {code}  {text.replace('`', '')}" for code, text in EXIT_CODES)
    root = argparse.ArgumentParser(
        prog="oapigen",
        description="OpenAPI 3.0/3.1/3.2 -> typed Python client",
        epilog=f"exit codes:\n{exit_codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action="version", version=f"oapigen {version('oapigen')}")
    for flags, help_text in _GLOBAL_FLAGS:
        root.add_argument(*flags, action="store_true", help=help_text)
    commands = root.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "generate the client(s)"),
        ("check", "compare the client(s) on disk with the spec; exit 1 when stale"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("spec", nargs="?", type=Path, help="OpenAPI document")
        for setting in (s for s in SETTINGS if s.key != "spec"):  # the spec is the argument
            _add_setting(command, setting)
        command.add_argument(
            "--verify-format",
            action="store_true",
            help="reuse nothing the last run recorded: validate, and format every file with black "
            "(CI runs `check --verify-format`)",
        )
        command.add_argument(
            "--lock-timeout",
            type=float,
            default=LockWait.timeout,
            metavar="SECONDS",
            help="how long to wait while another run holds the package's lock (default %(default)g)",
        )
    validate = commands.add_parser("validate", help="validate the spec only")
    validate.add_argument("spec", nargs="?", type=Path, help="OpenAPI document")
    for setting in SETTINGS:
        if setting.key in ("lenient", "allow-external-refs"):
            _add_setting(validate, setting)
    diff = commands.add_parser(
        "diff", help="report what a spec change does to code calling the client, breaking first"
    )
    diff.add_argument("old", nargs="?", help="the spec before: a file or REV:path")
    diff.add_argument(
        "new", nargs="?", help="the spec after: a file or REV:path (default: the spec)"
    )
    diff.add_argument(
        "--base", metavar="REV", help="compare the spec at git revision REV with the working tree"
    )
    diff.add_argument(
        "--format",
        choices=("markdown", "text", "json"),
        help="report format (default: text on a terminal, else markdown)",
    )
    diff.add_argument(
        "--fail-on",
        choices=("breaking", "warning"),
        help="exit 1 when a change of this level (or a worse one) is found",
    )
    diff.add_argument("--package", help="package name the report speaks of")
    for command in commands.choices.values():
        # SUPPRESS keeps the subcommand from resetting a flag given before it.
        for flags, _ in _GLOBAL_FLAGS:
            command.add_argument(
                *flags, action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
            )
    return root


def _default_package(spec: Path) -> str:
    """`petstore.yaml` -> `petstore_client`."""
    return snake_case(spec.stem, fallback="api") + "_client"


def _relative_to_cwd(path: Path) -> Path:
    """Paths in messages as the user would type them; absolute only when outside the working folder.

    Never resolved: the write stage must see a symlinked package folder as the symlink it is.
    """
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def _options(config: ClientConfig, spec: Path, verify_format: bool) -> Options:
    """The pipeline's options: the settings of the same name, the package name defaulted from the spec, and
    `--verify-format`, which is a flag of the run, not a setting."""
    shared = {
        field.name: getattr(config, field.name)
        for field in dataclasses.fields(Options)
        if field.name != "verify_format"
    }
    package = config.package or _default_package(spec)
    return Options(**{**shared, "package": package, "verify_format": verify_format})


def clients(args: argparse.Namespace, project: ProjectConfig) -> list[ClientConfig]:
    """The clients a `generate` or `check` run covers: flags over the settings file.

    A spec on the command line makes one client from `[tool.generator]`; otherwise every
    `[[tool.generator.client]]` runs, or only the one `--package` names.
    """
    flags = option_values(vars(args))
    if args.spec is not None or not project.clients:
        return [project.defaults.updated(flags)]
    chosen = list(project.clients)
    if args.package is not None:
        chosen = [client for client in chosen if client.package == args.package]
        if not chosen:
            known = ", ".join(repr(client.package) for client in project.clients)
            raise UsageError(
                f"--package: no [[tool.generator.client]] has package {args.package!r} ({known})"
            )
    return [client.updated(flags) for client in chosen]


def _validate(args: argparse.Namespace, project: ProjectConfig, term: Terminal) -> int:
    spec = args.spec or project.defaults.spec
    if spec is None:
        raise UsageError("no spec given and no spec in [tool.generator] of pyproject.toml")
    lenient = project.defaults.lenient if args.lenient is None else args.lenient
    from generator.pipeline import load_and_validate

    _, warnings = load_and_validate(spec, Options(package="client", lenient=lenient))
    term.diagnostics(warnings)
    term.status(f"{spec}: valid")
    return EXIT_OK


def _diff(args: argparse.Namespace, project: ProjectConfig) -> int:
    """`diff OLD [NEW]`, or `diff --base REV [NEW]`; NEW defaults to the configured spec."""
    # Imported here, as in the stale branch of `check`: `generate` and `check` start faster without them.
    from generator.apidiff import diff_apis
    from generator.apidiff.model import LEVELS
    from generator.apidiff.report import Format, render
    from generator.apidiff.sources import load_side, open_spec

    spec = project.defaults.spec
    new_argument = (args.old if args.base else args.new) or (str(spec) if spec else None)
    old_argument = f"{args.base}:{new_argument}" if args.base else args.old
    if (args.base and args.new) or not (old_argument and new_argument):
        raise UsageError("diff: give OLD and NEW specs, or --base REV and at most one spec")
    with ExitStack() as stack:
        new_path, new_label = open_spec(new_argument, stack)
        old_path, old_label = open_spec(old_argument, stack)
        package = args.package or project.defaults.package or _default_package(new_path)
        old, new = load_side(old_path, old_label, package), load_side(new_path, new_label, package)
    changes = diff_apis(old, new)
    form: Format = args.format or ("text" if sys.stdout.isatty() else "markdown")
    sys.stdout.write(render(changes, old_label, new_label, form))
    worst = min((LEVELS.index(change.level) for change in changes), default=len(LEVELS))
    failing = args.fail_on is not None and worst <= LEVELS.index(args.fail_on)
    return EXIT_STALE if failing else EXIT_OK


def _run_client(
    args: argparse.Namespace, config: ClientConfig, lock_wait: LockWait, term: Terminal
) -> int:
    if config.spec is None:
        raise UsageError("no spec given and no spec in [tool.generator] of pyproject.toml")
    options = _options(config, config.spec, args.verify_format)
    package_dir = _relative_to_cwd(config.output / options.package)
    if not options.verify_format and _recorded(
        args.command, config.spec, options, package_dir, lock_wait, term
    ):
        return EXIT_OK
    return _run_pipeline(args.command, config.spec, options, package_dir, lock_wait, term)


def _recorded(
    command: str,
    spec: Path,
    options: Options,
    package_dir: Path,
    lock_wait: LockWait,
    term: Terminal,
) -> bool:
    """Whether the package is what a run would write, told from bytes alone: the manifest's run key (the spec and
    the files it refers to, the options, the generator: generator/runkey.py) matches, and every generated file
    has its recorded digest. Then nothing is built: the recorded warnings are printed as the run printed them."""
    from generator.runkey import disk_inputs, run_key

    stages = Stages()
    with stages.stage("recorded run"):
        recorded = recorded_run(
            package_dir, lambda inputs: run_key(spec, options, disk_inputs(spec, inputs)), lock_wait
        )
    if recorded is None:
        return False
    term.diagnostics(recorded.warnings)
    term.stages(
        stages,
        f"spec, options and generator as the manifest records them; {recorded.files} files as recorded: "
        "nothing built",
    )
    written = "" if command == "check" else ", nothing written"
    term.status(f"{package_dir}: up to date{written}", good=True)
    return True


def _run_pipeline(
    command: str,
    spec: Path,
    options: Options,
    package_dir: Path,
    lock_wait: LockWait,
    term: Terminal,
) -> int:
    from generator.pipeline import Generation, generate
    from generator.write import compare_output, read_previous, write_output

    stages = Stages()
    with term.progress("formatting") as progress:
        previous = read_previous(package_dir)
        generation: Generation = generate(
            spec, options, stages=stages, progress=progress, previous=previous
        )
    term.diagnostics(generation.warnings)
    counts = (
        f"{generation.operations} operations, {generation.models} models, "
        f"{generation.format_counts.summary()}"
    )
    if command == "check":
        with stages.stage("compare"):
            comparison = compare_output(
                package_dir,
                generation.files,
                header=generation.header,
                provenance=generation.provenance,
                lock_wait=lock_wait,
            )
        term.stages(stages, f"{counts}; {len(generation.files)} files: {comparison.summary()}")
        if comparison.clean:
            term.status(f"{package_dir}: up to date", good=True)
            return EXIT_OK
        from generator.apidiff.sources import api_summary

        term.report(api_summary(spec, package_dir, options.package))
        term.diff(comparison.diff)
        term.problem(f"{package_dir}: {comparison.summary()}; run `oapigen generate` to update")
        return EXIT_STALE
    with stages.stage("write"):
        try:
            written = write_output(
                package_dir,
                generation.files,
                header=generation.header,
                provenance=generation.provenance,
                lock_wait=lock_wait,
            )
        except OSError as error:  # the disk, not the generator: no permission, no space...
            raise OutputError(f"cannot write {package_dir}: {error.strerror or error}") from error
    term.stages(stages, f"{counts}; {written.summary()}")
    term.status(f"{package_dir}: {len(generation.files)} files generated", good=True)
    return EXIT_OK


def _run(args: argparse.Namespace, term: Terminal) -> int:
    project = read_project(Path.cwd())
    if args.command == "diff":
        return _diff(args, project)
    if args.command == "validate":
        return _validate(args, project, term)
    lock_wait = LockWait(args.lock_timeout, notify=term.status)
    return max(_run_client(args, config, lock_wait, term) for config in clients(args, project))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    term = Terminal.for_streams(sys.stdout, sys.stderr, os.environ, args.verbose, args.quiet)
    try:
        return _run(args, term)
    except SpecError as error:
        term.diagnostics(error.diagnostics)
        return EXIT_INVALID
    except (OutputError, UsageError) as error:
        term.problem(f"oapigen: {error}")
        return EXIT_INVALID
    except Exception as error:  # anything else is a bug in the generator, not in the spec
        summary = " ".join(f"{type(error).__name__}: {error}".split())[:_MAX_SUMMARY]
        hint = "" if args.debug else " with the traceback that --debug prints"
        term.problem(f"oapigen: internal error ({summary}); please report this bug{hint}")
        if args.debug:
            traceback.print_exc()
        return EXIT_BUG

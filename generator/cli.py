"""Command line: `generate`, `check`, `validate` and `diff`.

Exit codes: 0 success; 1 `check` found differences, or `diff --fail-on LEVEL` a change of that level; 2 the spec
(or the output folder) is unusable, with every located error printed; 3 an internal error, i.e. a bug in the
generator (traceback with --debug).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from generator.apidiff import diff_apis
from generator.apidiff.model import LEVELS
from generator.apidiff.report import Format, render
from generator.apidiff.sources import api_summary, load_side, open_spec
from generator.config import Defaults, read_defaults
from generator.diagnostics import Diagnostic, SpecError, UsageError
from generator.naming import snake_case
from generator.pipeline import Generation, Options, generate, load_and_validate
from generator.write import LockWait, OutputError, compare_output, write_output

EXIT_OK, EXIT_STALE, EXIT_INVALID, EXIT_BUG = 0, 1, 2, 3
_MAX_SUMMARY = 300  # an internal error is reported on one line, however long its message


def _parser(defaults: Defaults) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oapigen", description="OpenAPI 3.0/3.1 -> typed Python client"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of internal errors"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def add_spec(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "spec", nargs="?", type=Path, default=defaults.spec, help="OpenAPI document"
        )
        command.add_argument(
            "--lenient", action="store_true", help="report validation errors as warnings"
        )
        command.add_argument(
            "--allow-external-refs",
            action="store_true",
            help="let local $refs leave the spec's folder",
        )

    def add_output(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "-o", "--output", type=Path, default=defaults.output, help="output folder"
        )
        command.add_argument(
            "--package", default=defaults.package, help="package name (default from the spec)"
        )
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument(
            "--lock-timeout",
            type=float,
            default=LockWait.timeout,
            metavar="SECONDS",
            help="how long to wait while another run holds the package's lock (default %(default)g)",
        )

    for name, text in (
        ("generate", "generate the client"),
        ("check", "compare the client on disk with the spec"),
    ):
        command = commands.add_parser(name, help=text)
        add_spec(command)
        add_output(command)
    add_spec(commands.add_parser("validate", help="validate the spec only"))
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
    diff.set_defaults(spec=defaults.spec)
    diff.add_argument(
        "--package", default=defaults.package, help="package name the report speaks of"
    )
    for command in commands.choices.values():
        # Also accepted after the command; SUPPRESS keeps the subcommand from resetting a --debug given before it.
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    return parser


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)


def _default_package(spec: Path) -> str:
    """`petstore.yaml` -> `petstore_client`."""
    return snake_case(spec.stem, fallback="api") + "_client"


def _diff(args: argparse.Namespace) -> int:
    """`diff OLD [NEW]`, or `diff --base REV [NEW]`; NEW defaults to the configured spec."""
    new_argument = (args.old if args.base else args.new) or (str(args.spec) if args.spec else None)
    old_argument = f"{args.base}:{new_argument}" if args.base else args.old
    if (args.base and args.new) or not (old_argument and new_argument):
        raise UsageError("diff: give OLD and NEW specs, or --base REV and at most one spec")
    with ExitStack() as stack:
        new_path, new_label = open_spec(new_argument, stack)
        old_path, old_label = open_spec(old_argument, stack)
        package = args.package or _default_package(new_path)
        old, new = load_side(old_path, old_label, package), load_side(new_path, new_label, package)
    changes = diff_apis(old, new)
    form: Format = args.format or ("text" if sys.stdout.isatty() else "markdown")
    sys.stdout.write(render(changes, old_label, new_label, form))
    worst = min((LEVELS.index(change.level) for change in changes), default=len(LEVELS))
    failing = args.fail_on is not None and worst <= LEVELS.index(args.fail_on)
    return EXIT_STALE if failing else EXIT_OK


def _relative_to_cwd(path: Path) -> Path:
    """Paths in messages as the user would type them; absolute only when outside the working folder.

    Never resolved: the write stage must see a symlinked package folder as the symlink it is.
    """
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def _run(args: argparse.Namespace) -> int:
    if args.command == "diff":
        return _diff(args)
    if args.spec is None:
        print(
            "oapigen: no spec given and no [tool.generator] spec in pyproject.toml", file=sys.stderr
        )
        return EXIT_INVALID
    if args.command == "validate":
        _, warnings = load_and_validate(args.spec, Options(package="client", lenient=args.lenient))
        _print(warnings)
        print(f"{args.spec}: valid", file=sys.stderr)
        return EXIT_OK
    options = Options(
        package=args.package or _default_package(args.spec),
        strict=args.strict,
        lenient=args.lenient,
        allow_external_refs=args.allow_external_refs,
    )
    generation: Generation = generate(args.spec, options)
    _print(generation.warnings)
    package_dir = _relative_to_cwd(args.output / options.package)
    lock_wait = LockWait(args.lock_timeout, notify=lambda message: print(message, file=sys.stderr))
    if args.command == "check":
        comparison = compare_output(
            package_dir, generation.files, header=generation.header, lock_wait=lock_wait
        )
        if comparison.clean:
            print(f"{package_dir}: up to date", file=sys.stderr)
            return EXIT_OK
        sys.stdout.write(api_summary(args.spec, package_dir, options.package))
        sys.stdout.write(comparison.diff)
        print(
            f"{package_dir}: {comparison.summary()}; run `oapigen generate` to update",
            file=sys.stderr,
        )
        return EXIT_STALE
    try:
        write_output(package_dir, generation.files, header=generation.header, lock_wait=lock_wait)
    except (
        OSError
    ) as error:  # the disk, not the generator: a file where a folder goes, no permission, no space
        raise OutputError(f"cannot write {package_dir}: {error.strerror or error}") from error
    print(f"{package_dir}: {len(generation.files)} files generated", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser(read_defaults(Path.cwd())).parse_args(argv)
    try:
        return _run(args)
    except SpecError as error:
        _print(error.diagnostics)
        return EXIT_INVALID
    except (OutputError, UsageError) as error:
        print(f"oapigen: {error}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # anything else is a bug in the generator, not in the spec
        summary = " ".join(f"{type(error).__name__}: {error}".split())[:_MAX_SUMMARY]
        hint = "" if args.debug else " with the traceback that --debug prints"
        print(f"oapigen: internal error ({summary}); please report this bug{hint}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_BUG

"""The `feedpub` command: parse arguments, call one library function, print, pick the exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from feedpub import __version__, build
from feedpub.errors import FeedpubError, Problem, summarize

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_EXIT_CODES = """\
exit status:
  0  success
  1  invalid input (every problem is listed, FILE:LINE:COL: field: message); nothing written
  2  usage error (unknown command or option)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedpub",
        description="Publish a press office's dated statements as Atom and RSS feeds"
        " and a page per statement.",
        epilog="example:\n  feedpub build        # entries/ + feedpub.yaml -> public/\n\n"
        + _EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"feedpub {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build_cmd = commands.add_parser(
        "build",
        help="build public/ from entries/ and feedpub.yaml",
        description="Check every entry, then write the feeds and pages into the output"
        " directory in one atomic swap. A build with a problem writes nothing.",
        epilog="examples:\n  feedpub build\n  feedpub build --root site --out /tmp/preview\n\n"
        + _EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_root(build_cmd)
    build_cmd.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: ROOT/public); refused if it holds files feedpub"
        " did not write",
    )

    check_cmd = commands.add_parser(
        "check",
        help="validate feedpub.yaml and every entry; write nothing",
        description="Validate feedpub.yaml and every entry and report every problem. Writes"
        " nothing; suited to a pull-request check.",
        epilog="example:\n  feedpub check\n\n" + _EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_root(check_cmd)
    return parser


def _add_root(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--root",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the site's folder, holding feedpub.yaml and entries/ (default: .)",
    )


def _print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    for problem in problems:
        print(problem.format(), file=stream)


def _plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def _run_build(args: argparse.Namespace) -> int:
    result = build.build(args.root, args.out)
    _print_problems(result.warnings, sys.stderr)
    site, report = result.site, result.report
    shown_out = build.shown_path(result.out)
    statements = _plural(len(site.entries), "statement")
    if site.drafts:
        statements += f" ({_plural(site.drafts, 'draft')} not published)"
    if report.changed:
        what = (
            f"{report.written:,} written, {report.unchanged:,} unchanged,"
            f" {report.removed:,} removed"
        )
    else:
        what = f"already up to date, {_plural(report.unchanged, 'file')} unchanged"
    print(f"feedpub: built {statements} into {shown_out} ({what}) in {result.seconds:.2f} s")
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    result = build.check(args.root)
    _print_problems(result.warnings, sys.stderr)
    site = result.site
    statements = _plural(len(site.entries) + site.drafts, "entry", "entries")
    warnings = f", {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
    print(f"feedpub: {statements} checked, no problems{warnings}")
    return EXIT_OK


_COMMANDS = {"build": _run_build, "check": _run_check}


def main(argv: Sequence[str] | None = None) -> int:
    """Run feedpub with `argv` (default: the command line); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except FeedpubError as exc:
        _print_problems(exc.problems, sys.stderr)
        print(f"feedpub: {summarize(exc.problems, exc.outcome)}", file=sys.stderr)
        return EXIT_INVALID

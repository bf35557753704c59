"""The `feedpub` command: parse arguments, call one library function, print, pick the exit code."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TextIO

from feedpub.arguments import MAX_PROBLEMS_SHOWN, make_parser
from feedpub.build import build
from feedpub.errors import (
    PARTLY_UPDATED,
    FeedpubError,
    Problem,
    UsageError,
    github_annotation,
    shown_path,
    shown_root,
    summarize,
)
from feedpub.listing import OUTPUT_DIR
from feedpub.model import BuildResult
from feedpub.now import resolve_now

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C (128 + SIGINT)


def _print_problems(
    problems: Sequence[Problem],
    stream: TextIO,
    limit: int = MAX_PROBLEMS_SHOWN,
    form: str = "text",
) -> None:
    """Print the first `limit` problems (0: all), then how many more there are."""
    shown = problems[:limit] if limit else problems
    for problem in shown:
        print(github_annotation(problem) if form == "github" else problem.format(), file=stream)
    if len(problems) > len(shown):
        more = len(problems) - len(shown)
        print(
            f"feedpub: {_plural(more, 'more problem')} not shown; --max-problems 0 shows them all",
            file=sys.stderr,
        )


def _plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def _unpublished(held: Sequence[datetime], drafts: int) -> str:
    """' (1 held under embargo until T, 2 drafts not published)', or '': what is not out."""
    parts = [f"{len(held):,} held under embargo until {held[0].isoformat()}"] if held else []
    parts += [f"{_plural(drafts, 'draft')} not published"] if drafts else []
    return f" ({', '.join(parts)})" if parts else ""


def _run_build(args: argparse.Namespace) -> int:
    try:
        now = resolve_now(args.now, args.root)
    except FeedpubError as exc:  # no zone to read --now in: nothing was built
        out = Path(args.out or Path(args.root) / OUTPUT_DIR)
        raise FeedpubError(exc.problems, outcome=f"{shown_path(out)}/ was not changed") from exc
    result = build(args.root, args.out, now)  # an unchanged site imports nothing heavy
    _print_problems(result.warnings, sys.stderr, args.max_problems)
    print(_build_summary(result))
    return EXIT_OK


def _build_summary(result: BuildResult) -> str:
    report = result.report
    statements = _plural(result.statements, "statement") + _unpublished(result.held, result.drafts)
    if report.changed:
        what = (
            f"{report.written:,} written, {report.unchanged:,} unchanged,"
            f" {report.removed:,} removed"
        )
    else:
        what = f"already up to date, {_plural(report.unchanged, 'file')} unchanged"
    where = f"{shown_path(Path(result.out))}/"
    return f"feedpub: built {statements} into {where} ({what}) in {result.seconds:.2f} s"


def _run_check(args: argparse.Namespace) -> int:
    from feedpub import build, guard

    try:
        now = resolve_now(args.now, args.root)  # a problem of feedpub.yaml's is one of check's
        if args.against is not None:
            result = guard.check_against(args.root, now, args.against)
        else:
            result = build.check(args.root, now)
    except FeedpubError as exc:
        if args.format != "github":
            raise
        _print_problems(exc.problems, sys.stdout, args.max_problems, "github")
        print(f"feedpub: {summarize(exc.problems)}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "github":
        _print_problems(result.warnings, sys.stdout, args.max_problems, "github")
    else:
        _print_problems(result.warnings, sys.stderr, args.max_problems)
    site = result.site
    entries = _plural(len(site.entries) + len(site.held) + len(site.drafts), "entry", "entries")
    warnings = f", {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
    kept = f"; nothing published at {args.against} is lost" if args.against is not None else ""
    if kept and any(w.message.startswith(guard.UNKNOWN) for w in result.warnings):
        kept = f"; nothing the guard could read at {args.against} is lost"
    aside = _unpublished([e.published for e in site.held], len(site.drafts))
    print(f"feedpub: {entries} checked{aside}, no problems{warnings}{kept}")
    return EXIT_OK


def _run_new(args: argparse.Namespace) -> int:
    from feedpub.new import new_entry

    with_time = args.date is not None and "T" in args.date
    if args.date is None:
        when = resolve_now(None, args.root)
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?", args.date):
        try:
            when = datetime.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date!r} is not a real date") from None
    else:
        raise UsageError(f"--date {args.date!r}: expected 2021-11-05 or 2021-11-05T10:00")
    path = new_entry(
        args.root,
        args.title,
        when=when,
        with_time=with_time,
        entry_type=args.entry_type,
        tags=tuple(args.tags),
    )
    print(shown_path(path))
    return EXIT_OK


def _run_import(args: argparse.Namespace) -> int:
    from feedpub.imports import MissingExtra, import_sources

    try:
        report = import_sources(
            args.root,
            args.sources,
            entry_type=args.entry_type,
            download=args.download_attachments,
        )
    except MissingExtra as exc:
        print(f"feedpub: {exc}", file=sys.stderr)
        return EXIT_INVALID
    _print_problems(report.problems, sys.stderr)
    for path in report.written:
        print(shown_path(path))
    print(
        f"feedpub: imported {_plural(report.imported, 'statement')},"
        f" {report.present:,} already present, {report.skipped:,} skipped"
    )
    return EXIT_INVALID if report.failed else EXIT_OK


def _run_serve(args: argparse.Namespace) -> int:
    from feedpub.config import CONFIG_NAME, not_found
    from feedpub.incremental import cache_folder
    from feedpub.serve import Preview, port_refused

    root = Path(os.path.abspath(args.root))
    if not os.path.lexists(root / CONFIG_NAME):  # the wrong folder: nothing to watch
        missing = Problem(path=shown_root(root) + CONFIG_NAME, line=0, message=not_found(root))
        _print_problems([missing], sys.stderr)
        where = f"in {shown_root(root).rstrip('/')}" if shown_root(root) else "here"
        print(f"feedpub: not serving: there is no site {where}", file=sys.stderr)
        return EXIT_INVALID
    out = args.out or cache_folder(args.root) / "preview"

    def report(result: BuildResult | FeedpubError) -> None:
        if isinstance(result, FeedpubError):
            _print_problems(result.problems, sys.stderr)
            shows = "the last good build" if preview.state.built else "these problems"
            print(f"feedpub: {summarize(result.problems)}; serving {shows}", file=sys.stderr)
            return
        _print_problems(result.warnings, sys.stderr)
        print(
            f"feedpub: rebuilt {_plural(result.statements, 'statement')} in {result.seconds:.2f} s",
            flush=True,
        )

    try:
        preview = Preview(args.root, out, args.port, preview=not args.published_only, report=report)
    except OSError as exc:
        raise UsageError(port_refused(args.port, exc)) from None
    preview.start()
    print(f"feedpub: serving {preview.url} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        preview.stop()
    return EXIT_OK


def _run_ping(args: argparse.Namespace) -> int:
    from feedpub import ping

    if args.out is not None and not (args.prepare or args.every):
        raise UsageError("--out is for --prepare and --all; `feedpub ping` reads the list")
    if args.prepare:
        report = ping.prepare(args.root, args.out, args.list_path).report()
    else:
        report = ping.ping(args.root, args.list_path, every=args.every, out=args.out).report()
    for line in report.warnings:
        print(f"feedpub: warning: {line}", file=sys.stderr)
    for line in report.lines:
        print(f"feedpub: {line}")
    return EXIT_OK


def _run_init(args: argparse.Namespace) -> int:
    from feedpub.questions import start_site

    def ask(question: str, default: str) -> str:  # EOFError (Ctrl-D) stops init
        answer = input(f"{question} [{default}]: " if default else f"{question}: ")
        return answer.strip() or default

    def tell(message: str) -> None:
        print(message, file=sys.stderr)

    given = {
        "title": args.title,
        "publisher": args.publisher,
        "base_url": args.base_url,
        "language": args.language,
        "timezone": args.timezone,
    }
    created = start_site(
        args.dir, given, resolve_now(None, args.dir), ask if sys.stdin.isatty() else None, tell
    )
    print(f"feedpub: started a site in {created.root}")
    for path in created.files:
        print(f"  {path}")
    for path in created.empty:
        print(f"  {path} (empty: git commits a folder only once a file is in it)")
    if created.stand_ins:
        names = " and ".join(created.stand_ins)
        print(f"feedpub: {names} in feedpub.yaml are stand-ins; set them before publishing")
    print(f"feedpub: the workflow publishes what is pushed to {created.branch}")
    for warning in created.warnings:
        print(warning.format(), file=sys.stderr)
    where = f"cd {shown_path(args.dir)} && " if created.root != "./" else ""
    git = "git add -A && git commit -m 'Start the statements site'"
    pages = "Settings > Pages > Source: GitHub Actions (see README.md)"
    if created.in_git:
        git, pages = f"{git} && git push", f"on GitHub: {pages}"
    else:  # in no repository yet: make one, and its GitHub twin
        git = f"git init -b {created.branch} && {git}"
        push = f"git remote add origin URL && git push -u origin {created.branch}"
        pages = f"then make an empty repository on GitHub: {push}; {pages}"
    print(f"next:\n  {where}feedpub serve        # preview, with the example draft")
    print(f"  {git}\n  {pages}")
    return EXIT_OK


def _run_live(args: argparse.Namespace) -> int:
    from feedpub import live

    try:
        if args.prepare:
            prepared = live.prepare(args.root, args.out, args.list_path)
            if args.format == "github":
                _set_output("due", "true" if prepared.due else "false")
            print(f"feedpub: {prepared.summary()}")
        else:
            verified = live.verify(
                args.root,
                args.list_path,
                served_at=args.served_at,
                tries=args.tries,
                wait=args.wait,
            )
            print(f"feedpub: {verified.summary()}")
    except FeedpubError as exc:
        if args.format != "github":
            raise
        _print_problems(exc.problems, sys.stdout, form="github")
        print(f"feedpub: {summarize(exc.problems)}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _set_output(name: str, value: str) -> None:
    """A GitHub Actions step output, read by later steps as steps.<id>.outputs.<name>."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        raise UsageError("--format github sets a step output: GITHUB_OUTPUT is not set")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{name}={value}\n")


_COMMANDS = {
    "build": _run_build,
    "check": _run_check,
    "import": _run_import,
    "init": _run_init,
    "live": _run_live,
    "new": _run_new,
    "ping": _run_ping,
    "serve": _run_serve,
}


def run() -> NoReturn:
    """The `feedpub` command: main(), then out at once. A build leaves a hundred megabytes
    of objects behind it, which the interpreter would free one by one for a third of a
    second (mypy ends the same way). What is printed is flushed first; an unexpected
    exception still ends the usual way, with its traceback."""
    try:
        code = main()
    except BrokenPipeError:  # what reads the output went away (`| head`): say no more
        os._exit(128 + 13)  # as a shell reports a command its SIGPIPE stopped
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing more can be said
        code = code or EXIT_INVALID
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run feedpub with `argv` (default: the command line); return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        args.print_usage(sys.stderr)
        print(f"feedpub: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FeedpubError as exc:
        limit = getattr(args, "max_problems", MAX_PROBLEMS_SHOWN)
        _print_problems(exc.problems, sys.stderr, limit)
        print(f"feedpub: {summarize(exc.problems, exc.outcome)}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:  # Ctrl-C: what was stopped, not where in Python
        print(f"\nfeedpub: stopped (Ctrl-C){_left_behind(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _left_behind(args: argparse.Namespace) -> str:
    """What a build stopped part way left in its output folder."""
    if args.command != "build":
        return ""
    from feedpub.write import unfinished

    out = Path(args.out or Path(args.root) / OUTPUT_DIR)
    if unfinished(out):
        return f"; {shown_path(out)}/ {PARTLY_UPDATED}; run `feedpub build` again to finish it"
    if not out.exists():
        return f"; {shown_path(out)}/ was not made"
    return f"; {shown_path(out)}/ is as the last build that finished left it"

"""The command line's grammar: every command's arguments, help, examples and exit codes, as
`feedpub --help` and `feedpub COMMAND --help` show them."""

from __future__ import annotations

import argparse
from pathlib import Path

from feedpub import __version__

# Enough to fix a run's problems, few enough to read: 100,000 unknown fields would otherwise
# print 100,000 lines (and GitHub shows only the first annotations of a step anyway).
MAX_PROBLEMS_SHOWN = 200

_EXIT_CODES = """\
exit status:
  0  success
  1  invalid input (every problem is listed, FILE:LINE:COL: field: message); nothing written
  2  usage error (unknown command or option, a --now or SOURCE_DATE_EPOCH that is no time)
  130  stopped by Ctrl-C (a build says what it left in its output folder; serve, once
       serving, ends so with 0)
  141  what read its output stopped reading it (feedpub check | head)
"""
_NOW_HELP = (
    "the moment to publish as of: 2021-11-05T09:00 or 2021-11-05 (its midnight) in the site's"
    " timezone, as entries are read, or with an offset, 2021-11-05T09:00:00+01:00 (default:"
    " $SOURCE_DATE_EPOCH when set, else the clock); statements dated later are held back"
)


_PING_EXIT_CODES = """\
exit status:
  0  success, and also when a hub refuses or cannot be reached (a warning: the deployment
     stands, and readers still get the feeds at their next poll), or when no hubs are set
  1  invalid input: feedpub.yaml, no built feeds, or no list of changed feeds (run --prepare)
  2  usage error (unknown command or option)
"""


def _command(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    summary: str,
    description: str,
    examples: str,
    exit_codes: str = _EXIT_CODES,
) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"examples:\n{examples}\n\n{exit_codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # A usage error found after parsing (a --date that is no date) shows this command's.
    command.set_defaults(print_usage=command.print_usage)
    return command


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedpub",
        description="Publish a press office's dated statements as Atom, RSS and JSON feeds"
        " and a page per statement.",
        epilog='example:\n  feedpub new "Example Agency opens an office"   # start an entry\n'
        "  feedpub check                                   # before a pull request\n"
        "  feedpub build                                   # entries/ -> public/\n\n" + _EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"feedpub {__version__}")
    # No command: the whole help (cli.main), not an error naming COMMAND.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = _command(
        commands,
        "build",
        "build public/ from entries/ and feedpub.yaml",
        "Check every entry, then write into the output directory only the files whose bytes"
        " change, each whole (pages first, then lists, then feeds), and remove what the site"
        " no longer has. A build with a problem in an entry writes nothing.",
        "  feedpub build\n  feedpub build --root site --out /tmp/preview\n"
        "  SOURCE_DATE_EPOCH=1636070400 feedpub build   # publish as of that moment",
    )
    _add_root(build_cmd)
    build_cmd.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: ROOT/public); refused if it holds files feedpub"
        " did not write",
    )
    build_cmd.add_argument("--now", metavar="TIME", help=_NOW_HELP)
    _add_max_problems(build_cmd)

    check_cmd = _command(
        commands,
        "check",
        "validate feedpub.yaml and every entry; write nothing",
        "Validate feedpub.yaml and every entry and report every problem, with a count. Writes"
        " nothing: suited to a pull-request check and a pre-commit hook. With --against REV,"
        " also compare with what git revision REV published: a statement published there"
        " must keep its file (or be withdrawn), its id, and its place on the site.",
        "  feedpub check\n  feedpub check --against HEAD               # before committing\n"
        "  feedpub check --format github --against origin/main   # on a pull request",
    )
    _add_root(check_cmd)
    check_cmd.add_argument("--now", metavar="TIME", help=_NOW_HELP)
    check_cmd.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: print problems as GitHub Actions annotations, shown on the pull"
        " request's diff (default: text)",
    )
    check_cmd.add_argument(
        "--against",
        metavar="REV",
        help="also fail when a statement published at git revision REV (a branch, tag or"
        " commit) was deleted, changed its id or was taken back, or a type's or tag's feed"
        " disappeared; read from git, no network (pre-commit: HEAD; a pull request: its base)",
    )
    _add_max_problems(check_cmd)

    new_cmd = _command(
        commands,
        "new",
        "start a new entry in entries/ (a draft, with its permanent id)",
        "Write entries/YYYY-MM-DD-slug.yaml with the fields filled in, a body to replace, a"
        " permanent id and draft: true; print its path. Never overwrites a file.",
        '  feedpub new "Example Agency opens a new office"\n'
        '  feedpub new "Rates for 2022" --type Release --date 2021-11-05T10:00 --tag Rates',
    )
    new_cmd.add_argument("title", help="the statement's title")
    _add_root(new_cmd)
    new_cmd.add_argument(
        "--type",
        dest="entry_type",
        metavar="TYPE",
        help="default: Statement, or the name section_aliases renames it",
    )
    new_cmd.add_argument(
        "--date",
        metavar="DATE",
        help="YYYY-MM-DD or YYYY-MM-DDTHH:MM in the site's time zone (default: today)",
    )
    new_cmd.add_argument(
        "--tag", dest="tags", action="append", default=[], metavar="TAG", help="repeatable"
    )

    import_cmd = _command(
        commands,
        "import",
        "bring statements over from another site's feeds or a WordPress export",
        "Read each SOURCE, a file or an http(s) URL (RSS 0.9x and 2.0, Atom 1.0 and the RFC"
        " 5005 archives it links, JSON Feed 1.0 and 1.1, or a WordPress export), and write one"
        " entry per item into entries/, keeping each item's id so that its subscribers see"
        " nothing twice. Never overwrites a file; an item whose id is already in entries/ is"
        " skipped, so it is safe to run again. Needs: pip install 'feedpub[import]'.",
        "  feedpub import old-site/rss.xml old-site/news.xml\n"
        "  feedpub import https://www.example.org/feed/atom/ --type Release\n"
        "  feedpub import wordpress-export.xml --download-attachments",
    )
    import_cmd.add_argument("sources", nargs="+", metavar="SOURCE", help="a feed file or URL")
    _add_root(import_cmd)
    import_cmd.add_argument(
        "--type",
        dest="entry_type",
        metavar="TYPE",
        help="the type of items whose source gives none (default: Statement, or the name"
        " section_aliases renames it)",
    )
    import_cmd.add_argument(
        "--download-attachments",
        action="store_true",
        help="download enclosures into entries/ as attachments (at most 100 MB each, of the"
        " kinds an entry may attach); without it they are listed as links in the body",
    )

    init_cmd = _command(
        commands,
        "init",
        "start a new site: settings, an example draft, workflows for GitHub Pages",
        "Write a new site into DIR (default: the current folder): a commented feedpub.yaml,"
        " entries/ with an example draft, static/, a README, requirements.txt pinning this"
        " feedpub, .gitignore (public/ is built by CI, never committed), the GitHub Actions"
        " workflows that check pull requests and publish to GitHub Pages, and Dependabot's"
        " settings. Asks for each setting not given when run in a terminal; otherwise uses"
        " the defaults (base_url: the GitHub Pages address of the clone's `origin`). Never"
        " overwrites: if any of its files is there already, it names each one and writes"
        " nothing.",
        "  feedpub init office-statements\n"
        "  feedpub init --title 'Example Agency statements' --publisher 'Example Agency' \\\n"
        "      --base-url https://press.example.org/ --timezone Europe/Paris --language en",
    )
    init_cmd.add_argument("dir", nargs="?", type=Path, default=Path(), metavar="DIR")
    init_cmd.add_argument("--title", help="the site's title (default: Press statements)")
    init_cmd.add_argument(
        "--publisher", help="who publishes: the feeds' author (default: Press office)"
    )
    init_cmd.add_argument(
        "--base-url",
        metavar="URL",
        help="the address the site is served at, ending in / (default: the GitHub Pages"
        " address of the git remote origin, https://ORG.github.io/REPO/)",
    )
    init_cmd.add_argument(
        "--timezone", metavar="ZONE", help="IANA name, such as Europe/Paris (default: the system's)"
    )
    init_cmd.add_argument(
        "--language", metavar="LANG", help="BCP 47, such as en or fr (default: from $LANG)"
    )

    live_cmd = _command(
        commands,
        "live",
        "before deploying, list what a deployment releases; after, check it is live",
        "Two steps around a deployment. `feedpub live --prepare` (after building, before"
        " deploying) compares the built sitemap.xml and feed.json with those served at"
        " base_url, says whether a deployment is due (the build differs from the live site,"
        " for instance when an embargo has ended) and lists the statements it releases."
        " `feedpub live` (after deploying) fetches each of them and feed.json, with a timeout"
        " and retries, and fails naming every one that is not served.",
        "  feedpub build && feedpub live --prepare   # before deploying public/\n"
        "  feedpub live                              # after deploying\n"
        "  feedpub live --served-at https://example-agency.github.io/statements/\n"
        "  feedpub live --prepare --format github    # sets the step output due=true|false",
    )
    _add_root(live_cmd)
    live_cmd.add_argument(
        "--prepare",
        action="store_true",
        help="before deploying: compare the build with the served site and list what it releases",
    )
    live_cmd.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where the site was built, for --prepare (default: ROOT/public)",
    )
    live_cmd.add_argument(
        "--list",
        dest="list_path",
        type=Path,
        metavar="FILE",
        help="what --prepare writes and live reads (default: a file in feedpub's cache folder"
        " for the site, outside public/)",
    )
    live_cmd.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: with --prepare, also set the step output `due` (true or false) in"
        " $GITHUB_OUTPUT; problems as annotations",
    )
    live_cmd.add_argument(
        "--served-at",
        metavar="URL",
        default="",
        help="where the host says it serves the site (GitHub Pages' page_url): fail if it is"
        " not base_url",
    )
    live_cmd.add_argument(
        "--tries", type=_count, default=10, help="fetches of each page at most (default: 10)"
    )
    live_cmd.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="between tries (default: 30)",
    )

    serve_cmd = _command(
        commands,
        "serve",
        "preview the site on 127.0.0.1, rebuilt when a file changes",
        "Build a preview (drafts and embargoed statements included, unless"
        " --published-only), serve it on 127.0.0.1 only, and rebuild whenever feedpub.yaml,"
        " entries/, static/ or templates/ change. Stop with Ctrl-C. public/ is not touched.",
        "  feedpub serve\n  feedpub serve --port 8080 --published-only",
    )
    _add_root(serve_cmd)
    serve_cmd.add_argument(
        "--port", type=_port, default=8000, help="0 to 65535 (default: 8000; 0 picks a free one)"
    )
    serve_cmd.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where the preview is written (default: a folder in feedpub's cache)",
    )
    serve_cmd.add_argument(
        "--published-only",
        action="store_true",
        help="show exactly what `feedpub build` would publish now",
    )

    ping_cmd = _command(
        commands,
        "ping",
        "tell the WebSub hubs in feedpub.yaml which feeds changed",
        "Tell each hub in websub_hubs that a feed changed, so it pushes the feed to its"
        " subscribers at once. A hub fetches the feed as soon as it is told, so run"
        " `feedpub ping --prepare` after building and before deploying (it compares each"
        " built subscription feed with the one served at base_url and lists those that"
        " differ), and `feedpub ping` after deploying (one publish request per listed feed"
        " and hub). Archives are never pinged. Without websub_hubs, both say so and do"
        " nothing.",
        "  feedpub build && feedpub ping --prepare   # before deploying public/\n"
        "  feedpub ping                              # after deploying\n"
        "  feedpub ping --all                        # every subscription feed, changed or not\n"
        "  feedpub ping --prepare --list /tmp/changed.txt   # the list where you choose\n"
        "  feedpub ping --list /tmp/changed.txt",
        _PING_EXIT_CODES,
    )
    _add_root(ping_cmd)
    step = ping_cmd.add_mutually_exclusive_group()
    step.add_argument(
        "--prepare",
        action="store_true",
        help="before deploying: list the built feeds that differ from those served at"
        " base_url (one that cannot be fetched counts as changed); ping nothing",
    )
    step.add_argument(
        "--all", dest="every", action="store_true", help="ping every subscription feed"
    )
    ping_cmd.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where the site was built, for --prepare and --all (default: ROOT/public)",
    )
    ping_cmd.add_argument(
        "--list",
        dest="list_path",
        type=Path,
        metavar="FILE",
        help="the list of changed feeds that --prepare writes and ping reads (default: a"
        " file in feedpub's cache folder for the site, outside public/)",
    )
    return parser


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 1 to 100")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535")
    return int(text)


def _add_max_problems(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--max-problems",
        type=_whole_number,
        default=MAX_PROBLEMS_SHOWN,
        metavar="N",
        help=f"print at most N problems, then how many more (default: {MAX_PROBLEMS_SHOWN};"
        " 0 prints them all)",
    )


def _whole_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a count of problems: give 0 (all of them) or more"
        )
    return int(text)


def _add_root(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--root",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the site's folder, holding feedpub.yaml and entries/ (default: .)",
    )

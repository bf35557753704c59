"""`feedpub check --against REV` on a site with problems: what can be compared is, at once.

An office that renames a published statement's file, and makes a typo elsewhere, should
hear of both in one run: the guard's `id:` and `aliases:` lines are what a reviewer needs,
and a pull request fixed in rounds is a push each. So while `check` fails, the statements
whose files pass its checks on their own (a problem between files, such as a translation of
an id no longer there, does not stop them) are compared with REV by the rules that look at
one statement at a time. Those that look at the whole site (its feeds, its settings, what a
new statement reaches) wait for the fix; a warning says so. A statement whose file has
problems now is not compared: it is not lost, only not read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from feedpub import entryguard
from feedpub.comparison import field_at
from feedpub.config import CONFIG_NAME, read_settings, settings_from_bytes
from feedpub.errors import Problem, Problems, Severity
from feedpub.gather import Project, compile_entries, list_entry_files
from feedpub.gitrev import GitError, GitRevision
from feedpub.incremental import Cache
from feedpub.listing import ENTRIES_DIR
from feedpub.model import Entry, Site, site_of


def while_failing(root: Path, now: datetime, rev: str, found: list[Problem]) -> list[Problem]:
    """What the guard can say beside `found`, the problems `check` found: a new time zone
    (which may be why a date no longer matches its file name), and the statements lost."""
    from feedpub import guard  # (which imports this module)

    project = Project.at(root)
    said = _zone_since(project, rev)
    readable = _readable(project, now)
    if readable is None:  # the settings have problems: nothing can be compiled
        return [
            *said,
            _waits(rev, f"{CONFIG_NAME} has problems: nothing is compared until they are fixed"),
        ]
    site, failed = readable
    problems = Problems()
    comparison = guard.compare(project, site, rev, now, problems)
    if comparison is not None:
        texts = [_read(project.root / ENTRIES_DIR / name) for name in failed]
        for id_, old in list(comparison.before.items()):
            # Its file has problems now (renamed, perhaps), or another's gives its id on its
            # `id:` line (not merely names it, nor an id that begins with it).
            given = re.compile(rf"^id:[ \t]*(['\"]?){re.escape(id_)}\1[ \t]*(?:#.*)?$", re.M)
            if comparison.renamed.get(old.file, old.file) in failed or any(
                given.search(text) for text in texts
            ):
                del comparison.before[id_]
        for rule in (
            guard.kept_statements,
            guard.kept_addresses,
            entryguard.kept_records,
            entryguard.kept_notices,
        ):
            problems.extend(rule(comparison))
    shown = {(p.path, p.line, p.column, p.message) for p in found}
    new = [p for p in problems.items if (p.path, p.line, p.column, p.message) not in shown]
    if comparison is None:  # REV could not be read: `new` says why, and nothing was compared
        return [*said, *new]
    files = f"{len(failed):,} file{'s' if len(failed) != 1 else ''}"
    rest = f", and the statements of the {files} with problems," if failed else ""
    waits = (
        "while the site has problems, statements are compared one by one only: its feeds and"
        f" settings{rest} are compared once they are fixed"
    )
    return [*said, *new, _waits(rev, waits)]


def _waits(rev: str, what: str) -> Problem:
    return Problem(path=f"(--against {rev})", line=0, message=what, severity=Severity.WARNING)


def _readable(project: Project, now: datetime) -> tuple[Site, frozenset[str]] | None:
    """The site as far as its entries compile one by one, and the names of those that do
    not; None when the settings cannot be read."""
    problems = Problems()
    config, _ = read_settings(project.root, problems, shown=project.show(CONFIG_NAME))
    if config is None:
        return None
    files = list_entry_files(project, problems, {})
    cache = Cache(project.root)
    with cache.locked():
        compiled = compile_entries(project, config, files, cache)
    failed: set[str] = set()
    entries: list[Entry] = []
    for (name, _), item in zip(files.entries, compiled, strict=True):
        if item.entry is None or any(p.is_error for p in item.problems):
            failed.add(name)
        else:
            entries.append(item.entry)
    site = replace(site_of(config, entries, now), entries_dir=project.root / ENTRIES_DIR)
    return site, frozenset(failed)


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _zone_since(project: Project, rev: str) -> list[Problem]:
    """A warning at `timezone` when it changed since REV: a statement dated without an
    offset moves with it, and may no longer match its file name's date."""
    try:
        git = GitRevision(project.root, rev)
        sha = git.resolve()
        data = git.run("show", f"{sha}:./{CONFIG_NAME}") if sha else None
        current = (project.root / CONFIG_NAME).read_bytes()
    except (GitError, OSError):
        return []  # nothing to compare with: the problems above say enough
    earlier = settings_from_bytes(CONFIG_NAME, data, Problems()) if data else None
    config = settings_from_bytes(CONFIG_NAME, current, Problems())
    if earlier is None or config is None or earlier.timezone_name == config.timezone_name:
        return []
    line, column = field_at(project, CONFIG_NAME, "timezone")
    return [
        Problem(
            path=project.show(CONFIG_NAME),
            line=line,
            column=column,
            field="timezone",
            message=f"changed from {earlier.timezone_name} at {rev} to {config.timezone_name},"
            " in which every date is now read (a time without an offset, and the day of one"
            " with it): it may be why a date no longer matches its file name above; keep"
            f" `timezone: {earlier.timezone_name}`",
            severity=Severity.WARNING,
        )
    ]

"""Phase one: gather the site. Read feedpub.yaml and every entry file (from the build cache
when its bytes and context are unchanged, else compiled on every core), check across
entries, and apply "now": the published statements, drafts and embargoed ones, as a Site.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from feedpub import __version__, parallel
from feedpub.across import by_git_history, check_across
from feedpub.config import CONFIG_NAME, read_settings
from feedpub.errors import FeedpubError, Problem, Problems, Severity, shown_root
from feedpub.folders import NOT_UTF8, TEMPLATE_DIR, check_folders, check_strays, is_utf8
from feedpub.incremental import Cache
from feedpub.listing import ENTRIES_DIR, source_status
from feedpub.model import Site, SiteConfig, site_of
from feedpub.parallel import fork_map
from feedpub.read import check_readable, file_kind, read_bytes
from feedpub.render.unused import check_unused_templates
from feedpub.stamp import digest
from feedpub.translations import check_translations
from feedpub.validate import Compiled, compile_entry, share_repeated
from feedpub.write import check_relative

# Below this many entries to compile, a process pool costs more than it saves.
PARALLEL_FROM = 300


@dataclass(frozen=True, slots=True)
class Project:
    """Where a site lives, and how to show its paths to the person who ran feedpub."""

    root: Path
    shown_root: str = ""  # prefix for messages: '' when feedpub runs at the root

    @classmethod
    def at(cls, root: Path) -> Project:
        # abspath normalises ".." and keeps links as named, unlike resolve()
        return cls(Path(os.path.abspath(root)), shown_root(root))

    def show(self, rel: str) -> str:
        return self.shown_root + rel


@dataclass(frozen=True, slots=True)
class SiteResult:
    site: Site
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EntryFiles:
    """What entries/ holds: entry files by name, and other files (attachments) with sizes.
    `status` is each entry file's size and modification time as listed."""

    entries: list[tuple[str, str]]  # name, path (not a Path each: 100,000 of them)
    others: dict[str, int]
    status: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def list_entry_files(
    project: Project, problems: Problems, listed: Mapping[str, Sequence[int]]
) -> EntryFiles:
    """The files in entries/, by name; refuses links, folders and look-alike names. Each
    entry file's status is as `listed` (listing.scan_sources) when it names them:
    not a second status call for each of 10,000 files."""
    directory = project.root / ENTRIES_DIR
    found = EntryFiles([], {})
    if not directory.is_dir() or directory.is_symlink():
        problems.add(
            project.show(ENTRIES_DIR + "/"),
            "no entries/ directory here; create it and put one YAML file per statement in it",
            line=0,
        )
        return found
    try:
        listed_now = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        problems.add(project.show(ENTRIES_DIR + "/"), f"cannot read: {exc.strerror}", line=0)
        return found
    for item in listed_now:
        if item.name.startswith("."):
            continue
        try:
            _list_entry_file(project, item, listed, found, problems)
        except OSError as exc:  # a folder that can be listed but not searched
            shown = project.show(f"{ENTRIES_DIR}/{item.name}")
            problems.add(shown, f"cannot read: {exc.strerror}", line=0)
    return found


def _list_entry_file(
    project: Project,
    item: os.DirEntry[str],
    listed: Mapping[str, Sequence[int]],
    found: EntryFiles,
    problems: Problems,
) -> None:
    """List one file of entries/ (see list_entry_files); OSError if it cannot be looked at."""
    # An entry file, as almost all are: nothing to report.
    if item.name.endswith(".yaml") and item.is_file(follow_symlinks=False) and is_utf8(item.name):
        status = listed.get(f"{ENTRIES_DIR}{os.sep}{item.name}")
        if status is None:
            status = source_status(item.stat(follow_symlinks=False))
        found.entries.append((item.name, item.path))
        found.status[item.name] = (status[0], status[1], status[2])
        return
    shown = project.show(f"{ENTRIES_DIR}/{item.name}")
    if not is_utf8(item.name):
        problems.add(shown, NOT_UTF8, line=0)
    elif item.is_symlink():
        problems.add(shown, "is a symbolic link; feedpub reads only files kept in entries/")
    elif item.is_dir():
        problems.add(
            shown + "/", "folders are not read; keep every entry directly in entries/", line=0
        )
    elif not item.is_file():  # reading a named pipe would wait for ever
        kind = file_kind(item.stat(follow_symlinks=False).st_mode)
        problems.add(shown, f"is {kind}, not a file; entries/ may hold only files", line=0)
    elif item.name.lower().endswith((".yml", ".yaml")):
        named = item.name.rpartition(".")[0] + ".yaml"
        problems.add(shown, f"entry files end in .yaml; rename it to {named}", line=0)
    elif (saved := _SAVED_AS.fullmatch(item.name)) and not os.path.lexists(
        f"{project.root}/{ENTRIES_DIR}/{saved[1]}.yaml"  # else an editor's copy of that one
    ):
        problems.add(
            shown,
            f"is named as a statement, then {saved[2]!r}, so it is not read: rename it to"
            f" {saved[1]}.yaml, or move it out of entries/",
            line=0,
        )
    else:
        found.others[item.name] = item.stat().st_size


# A statement's file name, then more: saved by mistake as .yaml.bak, .yaml.txt, .yaml~.
_SAVED_AS = re.compile(r"(\d{4}-\d{2}-\d{2}-.+?)\.ya?ml(.+)", re.IGNORECASE)


def _compile_file(
    cache: Cache,
    job: tuple[str, str, str],
    context: str,
    config: SiteConfig,
    others: dict[str, int],
) -> Compiled:
    shown, name, path = job
    problems = Problems()
    data = read_bytes(path, shown, problems)
    if data is None:
        return Compiled(None, problems.items)
    # Keyed by the bytes compiled here, even if the file changed since it was first read.
    # Bodies go to the cache's store now, in this (perhaps forked) process: only a short
    # reference travels back, and the parent never holds every body at once.
    key = digest(context, name, data)
    return compile_entry(shown, name, data, config, others, key, cache.store_body)


_PAGE = re.compile(r"\d{4}/\d{2}/\d{2}/[a-z0-9]+(?:-[a-z0-9]+)*/")
_SLUGS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*")  # '/'-joined
_LANGUAGE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _stays_inside(item: Compiled) -> bool:
    """Whether a compiled entry from the cache names only places compiling could have given
    it: every page, folder and file inside public/, every attachment in entries/. The
    cache is data anyone who can write it may have planted."""
    entry = item.entry
    if entry is None:
        return True
    pages = [alias + "index.html" if alias.endswith("/") else alias for alias in entry.aliases]
    try:
        for page in pages:
            check_relative(page)
    except ValueError:
        return False
    # The type's and the tags' slugs as one text, matched once: 10,000 entries a build.
    names = "/".join((entry.type_slug, *entry.tag_slugs))
    return (
        _PAGE.fullmatch(entry.path) is not None
        and _SLUGS.fullmatch(names) is not None
        and names.count("/") == len(entry.tag_slugs)  # no slug holds a '/'
        and all(_FILE_NAME.fullmatch(a.name) and ".." not in a.name for a in entry.attachments)
        and (entry.language is None or _LANGUAGE.fullmatch(entry.language) is not None)
    )


def compile_entries(
    project: Project,
    config: SiteConfig,
    files: EntryFiles,
    cache: Cache,
    meanwhile: Callable[[], object] | None = None,
) -> list[Compiled]:
    """Compile every entry file: from the cache when its bytes and context are unchanged,
    else across the machine's cores when there are many; `meanwhile` is called while they
    compile."""
    context = digest(
        __version__, repr(config), project.shown_root, repr(sorted(files.others.items()))
    )
    cached = cache.compiled(config.timezone)
    # A file listed as the last build with these settings read it (its size and times) is
    # not read again, as the no-change check trusts them for the whole site.
    known = cache.files(context)
    results: list[Compiled | None] = []
    jobs: list[tuple[str, str, str]] = []  # no bytes kept: a worker reads its files again
    slots: list[int] = []
    for name, path in files.entries:
        shown = project.show(f"{ENTRIES_DIR}/{name}")
        seen = known.get(name)
        if seen is not None and (seen[0], seen[1], seen[2]) == files.status.get(name):
            hit = cached.get(seen[3])
        elif not cached:
            hit = None  # nothing to find (a cold build): the file is read where it is compiled
        else:
            data = read_bytes(path, shown, Problems())  # a file that cannot be read is
            hit = None if data is None else cached.get(digest(context, name, data))  # reported
        if hit is not None and not _stays_inside(hit):
            hit = None  # compiled again: a planted cache may change what, never where
        results.append(hit)
        if hit is None:
            jobs.append((shown, name, path))
            slots.append(len(results) - 1)
    workers = parallel.workers() if len(jobs) >= PARALLEL_FROM else 1
    # Spans of a sixty-fourth of the files at two workers: results are taken in order, two
    # spans a worker in flight, so the last span's wait leaves a core idle (16 spans of 625
    # files took 2.4 s of a cold build at 10,000; 64 of 157, 2.1 s).
    size = max(1, -(-len(jobs) // (workers * 32)))
    bounds = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]

    def compile_range(span: tuple[int, int]) -> list[tuple[Compiled, bytes | tuple[str, int, int]]]:
        # Forked workers inherit `jobs`: only the span and the results travel, each entry
        # with where its line of the cache is, encoded there (a twentieth of a cold build
        # when the building process encoded them all).
        made = [
            _compile_file(cache, job, context, config, files.others)
            for job in jobs[span[0] : span[1]]
        ]
        return [(item, cache.store_line(item)) for item in made]

    compiled: list[tuple[Compiled, bytes | tuple[str, int, int]]] = []
    shared: dict[Any, Any] = {}  # each batch shared as it comes, not all at the end
    for batch in fork_map(compile_range, bounds, workers, meanwhile=meanwhile):
        share_repeated([item.entry for item, _ in batch if item.entry is not None], shared)
        compiled.extend(batch)
    for slot, (item, line) in zip(slots, compiled, strict=True):
        results[slot] = item
        cache.keep(item.key, line)
    final = [item for item in results if item is not None]
    # A file that could not be read has no key: it is never cached (all such files would
    # share one line, and each be reported under another's name), and is read again.
    kept = [item for item in final if item.key]
    listed = {
        name: (*files.status[name], item.key)
        for (name, _), item in zip(files.entries, results, strict=True)
        if item is not None and item.key and name in files.status
    }
    if jobs or len(cached) != len(kept) or listed != known:
        cache.save_compiled(kept, context, listed)
    return final


def _dated_later(item: Compiled, now: datetime, config: SiteConfig, problems: Problems) -> None:
    """A correction, withdrawal or removal dated after now (after its release, for a
    statement under embargo) would be shown as made then, and a correction sorted first in
    feeds until then. Under embargo it is refused now, not by the build that releases it."""
    entry = item.entry
    assert entry is not None
    held = entry.published > now
    limit = entry.published if held else now
    corrected = entry.corrections[-1].at if entry.corrections else None  # `updated:` too
    later = [
        (name, at)
        for name, at in (
            ("updated" if "updated" in item.positions else "corrections", corrected),
            ("withdrawn", entry.withdrawn.at if entry.withdrawn else None),
            ("removed", entry.removed.at if entry.removed else None),
        )
        if at is not None and at > limit
    ]
    if not later:  # as for almost every statement: nothing more to do for 10,000 of them
        return
    shown = limit.astimezone(config.timezone).isoformat(timespec="minutes")
    when = f"its release ({shown})" if held else f"now ({shown}), and the statement is published"
    for name, at in later:
        line, column = item.at(name)
        problems.add(
            entry.source,
            f"{at.isoformat()} is later than {when}: it would show as made then, and readers"
            " would take it for the latest news until then; date it when it is made",
            line=line,
            column=column,
            field=name,
        )


def read_site(
    project: Project,
    now: datetime | None = None,
    cache: Cache | None = None,
    *,
    preview: bool = False,
    sources: Mapping[str, Sequence[int]] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> SiteResult:
    """Read and check the settings and every entry, or raise with every problem.

    Statements dated after `now` (default: the clock) are held back (embargo); drafts are
    never published. A `preview` publishes both, for `feedpub serve`. `sources` are the
    statuses of the site's files as the no-change check just listed them; `meanwhile` is
    called while the entries are compiled.
    """
    now = now or datetime.now(timezone.utc)
    cache = cache or Cache(project.root)
    problems = Problems()
    config, checking = read_settings(project.root, problems, shown=project.show(CONFIG_NAME))
    if (
        not os.path.lexists(project.root / CONFIG_NAME)
        and not (project.root / ENTRIES_DIR).is_dir()
    ):
        raise FeedpubError(problems.items)  # no site here: only where one is is worth saying
    files = list_entry_files(project, problems, sources or {})
    check_folders(project, problems)
    check_strays(project, problems)
    check_unused_templates(project.root, project.show, problems)
    compiled = compile_entries(project, checking, files, cache, meanwhile)
    attached: set[str] = set()
    for item in compiled:
        problems.extend(item.problems)
        if item.entry is not None:
            attached.update(attachment.name for attachment in item.entry.attachments)
    for name in sorted(attached):  # copied as it is: one that cannot be read is told now
        shown = project.show(f"{ENTRIES_DIR}/{name}")
        check_readable(project.root / ENTRIES_DIR / name, shown, problems)
    check_across(
        compiled,
        files.others,
        project.show(f"{ENTRIES_DIR}/"),
        problems,
        checking,
        functools.partial(by_git_history, project.root),
    )
    check_translations(compiled, checking.language, problems)
    if problems.errors or config is None:
        from feedpub.render.addresses import alias_problems, static_problems
        from feedpub.render.environment import make_environment
        from feedpub.render.problems import syntax_problems

        # The site's templates are read once its entries are: said now, not after the fix
        # (unless a file there is refused unread: too large, a link, a pipe...).
        templates = project.show(TEMPLATE_DIR + "/")
        if not any(p.path.startswith(templates) for p in problems.items):
            with contextlib.suppress(OSError):
                problems.extend(syntax_problems(make_environment(project.root)))
        problems.extend(static_problems(project.root, project.show, checking))  # said now too
        if config is not None:  # aliases that are the address of a page of the site: too
            wrong = {p.path for p in problems.errors if p.field != "aliases"}
            entries = [c.entry for c in compiled if c.entry and c.entry.source not in wrong]
            problems.extend(alias_problems(entries, config, now, problems.items))
        raise FeedpubError(problems.items)
    entries = [item.entry for item in compiled if item.entry is not None]
    site = replace(
        site_of(config, entries, now, preview=preview), entries_dir=project.root / ENTRIES_DIR
    )
    held = {id(entry) for entry in site.held}
    for item in compiled:
        entry = item.entry
        if entry is None or entry.draft:  # a draft's dates are checked once it is not one
            continue
        _dated_later(item, now, config, problems)  # a preview's too: build would refuse it
        if id(entry) in held:
            line, column = item.at("date")
            problems.add(
                entry.source,
                f"under embargo until {entry.published.isoformat()}: held back from the site"
                " until then, but not secret: anyone who can read this repository can read it"
                " now; commit it at its release time if it must stay confidential",
                line=line,
                column=column,
                field="date",
                severity=Severity.WARNING,
            )
    if problems.errors:
        raise FeedpubError(problems.items)
    return SiteResult(site, sorted(problems.warnings))

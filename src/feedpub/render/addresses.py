"""Every address the site answers besides its pages and feeds: earlier addresses of moved
statements (redirect pages), renamed types and tags (their old feeds and a redirect),
static files; and the check that every link a body makes into the site leads somewhere.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from feedpub import parallel
from feedpub.attachments import MEDIA_TYPES
from feedpub.errors import FeedpubError, Problem, Problems, Severity
from feedpub.folders import is_utf8
from feedpub.model import Entry, SectionAlias, Site, SiteConfig, site_of, sort_key
from feedpub.render.documents import ARCHIVE_DIR
from feedpub.render.html import Context
from feedpub.render.outputs import Outputs, page_file
from feedpub.write import Made, Output, Phase

if TYPE_CHECKING:
    from feedpub.render.plan import Planner

STATIC_DIR = "static"


def _redirect(plan: Planner, at: str, target: str, origin: str) -> None:
    """A page at `at` (a path inside public/) that sends browsers to `target`'s page."""
    folder = at if at.endswith("/") else at.rpartition("/")[0] + "/" if "/" in at else ""

    def context() -> Context:
        context = plan.renderer.base_context(folder, [])
        context.update(target=context["root"] + target, canonical=plan.config.url(target))
        return context

    plan.page(folder, "redirect", context, origin, path=page_file(at))


def plan_aliases(plan: Planner, entries: Iterable[Entry], problems: Problems) -> None:
    """A redirect page at each earlier address of a statement, unless it is taken."""
    for entry in entries:
        for alias, (line, column) in zip(entry.aliases, entry.aliases_at, strict=True):
            taken = plan.outputs.alias_clash(alias)
            if taken:
                problems.add(
                    entry.source,
                    f"{alias!r} is the address of {taken}; an earlier address must be free",
                    line=line,
                    column=column,
                    field="aliases",
                )
                continue
            _redirect(plan, alias, entry.path, f"an alias in {entry.source}")
            # Its attachments too, where feeds enclosed them: an earlier page of the site's.
            if _STATEMENT_PAGE.fullmatch(alias) and entry.removed is None and plan.site.entries_dir:
                for attachment in entry.attachments:
                    source = plan.site.entries_dir / attachment.name
                    origin = f"{entry.source} (attachment, at an earlier address)"
                    plan.outputs.add_file(alias + attachment.name, source, origin)


def _has(entry: Entry, kind: str, slug: str) -> bool:
    return entry.type_slug == slug if kind == "type" else slug in entry.tag_slugs


def _still_named(plan: Planner, entry: Entry, alias: SectionAlias, problems: Problems) -> None:
    """`entry` has the old name of a renamed type or tag: said where it names it."""
    from feedpub.entryfields import DEFAULT_TYPE
    from feedpub.load import read_document

    name = "type" if alias.kind == "type" else "tags"
    folder = "types" if alias.kind == "type" else "tags"
    found = None
    if plan.site.entries_dir is not None:
        with contextlib.suppress(OSError):
            data = (plan.site.entries_dir / entry.source.rsplit("/", 1)[-1]).read_bytes()
            document = read_document(entry.source, data, Problems())
            found = document.fields.get(name) if document is not None else None
    renamed = f"feedpub.yaml's section_aliases.{folder} renames it {alias.new!r}"
    if found is None and alias.kind == "type":  # no `type:`: the default type's
        message = (
            f"has no `type:`, so it is a {DEFAULT_TYPE!r}, an old name: {renamed}, and an old"
            f" name must be one no statement uses; write `type: {alias.new}`"
        )
    else:
        message = (
            f"the {alias.kind} {alias.old!r} is an old name: {renamed}, and an old name must"
            f" be one no statement uses; write {alias.new!r} here, or take `{alias.old}:"
            f" {alias.new}` out of section_aliases"
        )
    line, column = (found.line, found.column) if found is not None else (1, 1)
    problems.add(entry.source, message, line=line, column=column, field=name)


def plan_section_aliases(plan: Planner, problems: Problems) -> None:
    """A renamed type or tag: its old folder serves the renamed section's feeds, and its
    old page redirects to the new one."""
    from feedpub.slug import slugify

    shown = "feedpub.yaml"
    for alias in plan.config.section_aliases:
        line, column = alias.at
        folder = "types" if alias.kind == "type" else "tags"
        new = plan.sections.get(f"{alias.kind}/{slugify(alias.new)}")
        old_slug = slugify(alias.old)
        where = f"section_aliases.{folder}"
        held = [e for e in plan.site.held if _has(e, alias.kind, slugify(alias.new))]
        if new is None and not held:
            problems.add(
                shown,
                f"no published statement has the {alias.kind} {alias.new!r}; write the name it"
                " has now",
                line=line,
                column=column,
                field=where,
            )
            continue
        if not old_slug:
            problems.add(
                shown,
                f"{alias.old!r} has no letter or digit; write the name the {alias.kind} had",
                line=line,
                column=column,
                field=where,
            )
            continue
        if f"{alias.kind}/{old_slug}" in plan.sections:
            for entry in plan.site.entries:
                if _has(entry, alias.kind, old_slug):
                    _still_named(plan, entry, alias, problems)
            continue
        if new is None:  # a statement under embargo has it: the alias comes with its release
            problems.add(
                shown,
                f"no statement published yet has the {alias.kind} {alias.new!r}: the alias"
                f" takes effect when {held[0].source}, under embargo, is released",
                line=line,
                column=column,
                field=where,
                severity=Severity.WARNING,
            )
            continue
        old = f"{folder}/{old_slug}/"
        if taken := plan.outputs.origin.get(old + "atom.xml"):  # Flood defence, flood-defence
            problems.add(
                shown,
                f"{alias.old!r} names the folder {old} as {taken} does; keep one of them",
                line=line,
                column=column,
                field=where,
            )
            continue
        # The renamed section's feeds, byte for byte, and its archives: RFC 5005 archives
        # stay where readers found them.
        archives = sorted(
            path for path in plan.outputs if path.startswith(new.directory + ARCHIVE_DIR)
        )
        feeds = [("atom.xml", new.atom), ("rss.xml", new.rss), ("feed.json", new.json)]
        feeds += [(path.removeprefix(new.directory), path) for path in archives]
        for name, path in feeds:
            same = plan.outputs[path]
            plan.outputs.add(
                Output(old + name, Phase.FEEDS, same.make, same.key, same.together),
                f"the old feed of {alias.kind} {alias.old!r}",
            )
        _redirect(plan, old, new.directory, f"the old page of {alias.kind} {alias.old!r}")


def add_static(root: Path, show: Callable[[str], str], outputs: Outputs) -> None:
    """Copy static/ into the outputs as it is; a clash with a generated file is an error."""
    directory = root / STATIC_DIR
    problems = Problems()
    if not directory.is_dir():
        return
    for folder, subfolders, files in os.walk(directory):
        base = Path(folder)
        for name in sorted(subfolders + files):
            path = base / name
            rel = path.relative_to(directory).as_posix()
            shown = show(f"{STATIC_DIR}/{rel}")
            if not is_utf8(name):  # said by check_folders; no address, nor key, can hold it
                if name in subfolders:
                    subfolders.remove(name)
            elif path.is_symlink():
                problems.add(shown, "is a symbolic link; static/ may hold only real files", line=0)
                if name in subfolders:
                    subfolders.remove(name)
            elif name in files:
                if "\\" in rel or rel.startswith("."):
                    problems.add(
                        shown,
                        "a static file's path may not hold a backslash or start with a dot",
                        line=0,
                    )
                elif taken := outputs.clash(rel):
                    problems.add(
                        shown, f"clashes with {taken}; rename or remove the static file", line=0
                    )
                else:
                    outputs.add_file(rel, path, shown)
    if problems.errors:
        raise FeedpubError(problems.items)


def alias_problems(
    entries: Iterable[Entry], config: SiteConfig, now: datetime, told: list[Problem]
) -> list[Problem]:
    """Aliases that are the address of a page or feed the site will have, as far as the
    entries given make it (those whose only problems, if any, are aliases'): told with the
    entries' problems, not once they are fixed. What `told` says already is left out."""
    from feedpub.render.plan import plan_site

    seen = {(p.path, p.line, p.column) for p in told}

    def untold(entry: Entry) -> Entry:  # an alias told already (taken by another) is left out
        kept = [
            (alias, at)
            for alias, at in zip(entry.aliases, entry.aliases_at, strict=True)
            if (entry.source, *at) not in seen
        ]
        return replace(
            entry, aliases=tuple(a for a, _ in kept), aliases_at=tuple(t for _, t in kept)
        )

    # An old name in use (section_aliases) is said once the entries are valid.
    site = site_of(replace(config, section_aliases=()), map(untold, entries), now)
    try:
        plan_site(site)
    except FeedpubError as exc:
        return [p for p in exc.problems if p.field == "aliases"]
    return []


def static_problems(root: Path, show: Callable[[str], str], config: SiteConfig) -> list[Problem]:
    """static/'s problems as a site without statements has them: told with the entries'
    problems, not once they are fixed (a clash with a statement's page is found then)."""
    from feedpub.render.plan import plan_site

    bare = Site(config=replace(config, section_aliases=()), entries=())  # none to check
    try:
        add_static(root, show, plan_site(bare))
    except FeedpubError as exc:
        return [p for p in exc.problems if p.path.startswith(show(STATIC_DIR))]
    return []


# Below this many outputs to make, forking workers costs more than it saves.
MAKE_PARALLEL_FROM = 500


def make_every(planned: Outputs) -> dict[str, Made]:
    """Make every output, on every core when there are many: each one's key and the tokens
    its making recorded (its content dropped)."""
    outputs = list(planned.values())
    workers = parallel.workers() if len(outputs) >= MAKE_PARALLEL_FROM else 1
    if workers > 1:
        planned.prepare()
    size = max(1, -(-len(outputs) // (workers * 8)))

    def make(span: tuple[int, int]) -> list[tuple[str, Made]]:
        made = []
        for output in outputs[span[0] : span[1]]:  # forked workers inherit `outputs`
            found = output.make()
            made.append((output.path, Made(b"", found.key, found.tokens)))
        return made

    spans = [(i, min(i + size, len(outputs))) for i in range(0, len(outputs), size)]
    return dict(pair for made in parallel.fork_map(make, spans, workers) for pair in made)


def at_release(
    root: Path, show: Callable[[str], str], site: Site, made: Mapping[str, Made] | None
) -> list[Problem]:
    """What would stop a build that releases statements under embargo (an alias or page
    where a static file is; with what a site's templates `made` of every output now, an
    output they fail to make then): said by the pull request's check, not by the scheduled
    build at the release time, which would fail and leave the statement unpublished.

    With templates, the site is planned at each release time in turn (statements held until
    different times are released by different builds), each time with what the outputs'
    making read before, as an incremental build is: every output whose key changes (a
    neighbour's link, the newest statements, a section) is made again."""
    from feedpub.incremental import Dependencies
    from feedpub.render.plan import plan_site
    from feedpub.zones import in_zone

    times = sorted({entry.published for entry in site.held})
    if made is None:
        times = times[-1:]  # addresses only: the last release has every one of them
    elif len(times) > MAX_RELEASES:  # the first ones, then the rest at once
        times = [*times[: MAX_RELEASES - 1], times[-1]]
    current = dict(made or {})
    for at in times:
        released = tuple(entry for entry in site.held if entry.published <= at)
        entries = tuple(sorted((*site.entries, *released), key=sort_key))
        held = tuple(entry for entry in site.held if entry.published > at)
        read = Dependencies([], {}).updated({p: m.tokens for p, m in current.items()}, ())
        try:
            outputs = plan_site(replace(site, entries=entries, held=held), root, read)
            add_static(root, show, outputs)
            if made is not None:
                new = Outputs()
                new.prepare = outputs.prepare
                for path, output in outputs.items():
                    before = current.get(path)
                    if before is None or output.key is None or output.key != before.key:
                        new[path] = output
                current.update(make_every(new))
        except FeedpubError as exc:
            shown = in_zone(at, site.config.timezone).isoformat(timespec="minutes")
            when = (
                f"at the release at {shown} of statements under embargo, whose build it would stop"
            )
            return [replace(p, message=f"{p.message} ({when})") for p in exc.problems if p.is_error]
    return []


# Release times a check plans the site at, one by one; later ones are planned at once.
MAX_RELEASES = 12


# A statement's page, or a file beside it: an address no other site on the host has.
_STATEMENT_PAGE = re.compile(r"\d{4}/\d{2}/\d{2}/[^/]+/")


def check_site_links(entries: Iterable[Entry], outputs: Outputs, base_url: str) -> list[Problem]:
    """A warning for each body link or image into the site that no output answers, and
    for each one outside the site's folder that names a statement's page of the site
    (`/2021/11/05/a/` on a site served under /statements/): it works in `feedpub serve`,
    served from `/`, and leads nowhere once published. Others outside the folder (`/`,
    `/about/`, `/tags/`) may be the office's own site's: left alone."""
    answered = functools.cache(
        lambda path: page_file(path) in outputs or f"{path}/index.html" in outputs
    )
    folder = urlsplit(base_url).path
    found = []
    for entry in entries:
        for path, line, column, outside in entry.site_links:
            if outside and _STATEMENT_PAGE.match(path) and answered(path):
                message = (
                    f"links to /{path}, outside the site (served under {folder}): the"
                    f" site's own is at {folder}{path}; write that address, or the whole"
                    f" {base_url}{path}"
                )
            elif not outside and not answered(path):
                message = (
                    f"links to /{path}, which nothing in the site publishes (no statement,"
                    " alias, static file or page of feedpub's); check the address"
                )
                beside = path[len(entry.path) :] if path.startswith(entry.path) else ""
                kind = beside.rpartition(".")[2].lower() if "/" not in beside else ""
                if kind in MEDIA_TYPES:  # ![Map](map.png): a file meant to be beside it
                    message += (
                        f", or publish {beside} with the statement: put it in entries/ and"
                        " list it under `attachments:`"
                    )
            else:
                continue
            found.append(
                Problem(
                    path=entry.source,
                    line=line,
                    column=column,
                    field="body",
                    message=message,
                    severity=Severity.WARNING,
                )
            )
    return found

"""The guard's rules on a site's feeds as wholes (see guard.py): a new statement reaches
the feeds readers poll, the archives they walked stay as they were (RFC 5005), the feeds of
renamed sections and of each language stay, and so do the settings that made every id and
date (`id_authority`, `timezone`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from feedpub.config import CONFIG_NAME
from feedpub.errors import Problem, Severity
from feedpub.zones import in_zone

if TYPE_CHECKING:
    from feedpub.comparison import Comparison, Statement


def new_reach_readers(c: Comparison) -> Iterator[Problem]:
    """Warn of a statement new since REV dated too early for the site's feeds (a draft dated
    when begun): only in an archive readers have. An import of older ones is meant to be."""
    if c.config is None:
        return
    now = in_zone(c.now, c.config.timezone).isoformat(timespec="minutes")
    for statement in sorted(c.after.values(), key=lambda s: s.file):
        archive = c.archived.get(statement.id)
        if archive is None or statement.id in c.before:
            continue
        new = "removed at" if statement.id in c.gone else "new since"  # a removal lifted
        yield c.problem(
            statement.file,
            "date",
            f"this statement, {new} {c.rev}, is older than the {c.config.feed_limit}"
            " newest ones, so it is in none of the feeds readers poll (atom.xml, rss.xml,"
            f" feed.json), only in {archive}, which a reader that read it before does not"
            f" read again; if it is news, add the line `updated: {now}` so that it reaches"
            " subscribers",
            warning=True,
        )


def corrections_reach_readers(c: Comparison) -> Iterator[Problem]:
    """Warn of a correction (or withdrawal) made since REV that more recent changes to older
    statements push out of the site's feeds: a subscription document carries `feed_limit`
    of them, so corrections made together beyond that reach no reader (documents.py)."""
    if c.config is None:
        return
    limit = c.config.feed_limit
    changed = []
    for old in c.before.values():
        now = c.after.get(old.id)
        if now is not None and now.is_published(c.now) and now.changed > old.changed:
            changed.append(now)
    for statement in sorted(changed, key=lambda s: s.file):
        archive = c.archived.get(statement.id)
        if archive is None:
            continue
        after = sum(1 for o in changed if o is not statement and o.changed >= statement.changed)
        withdrawal = statement.withdrawn == statement.changed
        kind = "withdrawal" if withdrawal else "correction"
        yield c.problem(
            statement.file,
            "withdrawn" if withdrawal else "updated",
            f"this {kind}, made since {c.rev}, is in none of the feeds readers poll"
            f" (atom.xml, rss.xml, feed.json), only in {archive}: they carry the {limit} most"
            f" recent changes to older statements, and {after} others were made with it or"
            f" after; readers would not see it: publish at most {limit} corrections of older"
            " statements at a time, letting readers poll between them (or with a greater"
            " `feed_limit`)",
            warning=True,
        )


def kept_archives(c: Comparison) -> Iterator[Problem]:
    """Warn of what cuts archives again: a new feed_limit where REV had archives, or a
    statement taken out of a type or tag whose archives held it. (A warning: an office may
    know that no reader walks them.)"""
    yield from _left_archived_sections(c)
    archives = len(c.before) // c.limit if c.limit else 0
    if c.config is None or c.config.feed_limit == c.limit or not archives:
        return
    line, column = c.field_at(CONFIG_NAME, "feed_limit")
    yield Problem(
        path=c.project.show(CONFIG_NAME),
        line=line,
        column=column,
        field="feed_limit",
        message=f"changed from {c.limit} at {c.rev} to {c.config.feed_limit}, which cuts every"
        f" archive document again (the site's {archives}, archive/*.xml, and each type's,"
        " tag's and language's): a reader that walked them before does not read them again,"
        f" and may miss statements; keep `feed_limit: {c.limit}` unless no reader relies on"
        " them",
        severity=Severity.WARNING,
    )


def _left_archived_sections(c: Comparison) -> Iterator[Problem]:
    """A statement still published, no longer in a type or tag whose archive it was in at
    REV: that archive and those after it are cut again, since nothing says it was there (a
    lawful removal keeps its place; a renamed section keeps its feeds)."""
    if not c.limit:
        return
    held: dict[tuple[str, str], list[Statement]] = {}  # each section's, as documents.py:
    at_rev = [*c.before.values(), *c.gone.values()]  # one removed keeps its place
    for old in sorted(at_rev, key=lambda s: (-s.published.timestamp(), s.id)):
        if old.has_page(c.now):
            for section in old.sections:
                held.setdefault((section.kind, section.slug), []).append(old)
    for (kind, slug), members in sorted(held.items()):
        oldest_first = members[::-1]
        archived = len(oldest_first) // c.limit * c.limit
        for place, old in enumerate(oldest_first[:archived]):
            now = c.after.get(old.id)
            if now is None or not now.is_published(c.now) or (kind, slug) in c.aliased:
                continue  # lost, taken back or removed (told above), or renamed
            if any((s.kind, s.slug) == (kind, slug) for s in now.sections):
                continue
            section = next(s for s in old.sections if (s.kind, s.slug) == (kind, slug))
            number = place // c.limit + 1
            later = archived // c.limit - number
            them = "them" if later else "it"
            yield c.problem(
                now.file,
                "type" if kind == "type" else "tags",
                f"taken out of the {kind} {section.name!r}, whose archive"
                f" {section.folder}archive/{number}.xml holds it: that archive"
                f"{f' and the {later} after it are' if later else ' is'} cut again, and a"
                f" reader that walked {them} does not read {them} again; keep it in the"
                f" {kind} unless no reader relies on {them}",
                warning=True,
            )


def _setting(c: Comparison, name: str, message: str) -> Problem:
    """An error at setting `name`'s line of feedpub.yaml (no line when it is gone)."""
    line, column = c.field_at(CONFIG_NAME, name)
    where = c.project.show(CONFIG_NAME)
    return Problem(path=where, line=line, column=column, field=name, message=message)


def kept_settings(c: Comparison) -> Iterator[Problem]:
    """`id_authority` and `timezone` stay once a statement is published: every feed's id and
    each plain or file-name id are made with the first; a time written without an offset is
    in the second. (Another name for the same zone, Europe/Kiev for Europe/Kyiv, moves
    nothing, nor does a new zone when every date has its offset.)"""
    if c.earlier is None or c.config is None or not (c.before or c.gone):
        return
    was, now = c.earlier.id_authority, c.config.id_authority
    if was != now:
        yield _setting(
            c,
            "id_authority",
            f"changed from {was} at {c.rev} to {now}: every feed's id, and the id of every"
            " statement made from it, would change, so readers would see them all again as"
            f" new; keep `id_authority: {was}`",
        )
    if c.zone_moved:
        was, now = c.earlier.timezone_name, c.config.timezone_name
        yield _setting(
            c,
            "timezone",
            f"changed from {was} at {c.rev} to {now}, which moves the times of {c.zone_moved:,}"
            f" published statement{'s' if c.zone_moved != 1 else ''} written without an offset"
            " (a `date:`, `updated:`, correction's or withdrawal's date) to those times in the"
            " new zone: readers would see them changed, and pages may move to another day;"
            f" keep `timezone: {was}`",
        )


def kept_base_url(c: Comparison) -> Iterator[Problem]:
    """Warn of a new `base_url` once a statement is published: every link in the feeds, each
    feed's own address (`rel="self"`) and every page's address move with it. (A warning: a
    site that moved, its old addresses redirected by its host, changes it so.)"""
    if c.earlier is None or c.config is None or not (c.before or c.gone):
        return
    was, now = c.earlier.base_url, c.config.base_url
    if was != now:
        line, column = c.field_at(CONFIG_NAME, "base_url")
        yield Problem(
            path=c.project.show(CONFIG_NAME),
            line=line,
            column=column,
            field="base_url",
            message=f"changed from {was} at {c.rev} to {now}: the address of every page and"
            ' feed moves (a feed\'s own address, `rel="self"`, too, which some readers move a'
            " subscription to), so readers' links and subscriptions break unless the site is"
            f" served at the new address and the old one redirects to it; else keep `base_url:"
            f" {was}`",
            severity=Severity.WARNING,
        )


def kept_section_aliases(c: Comparison) -> Iterator[Problem]:
    """A type or tag renamed at REV keeps its old feeds, which readers subscribed to."""
    if c.earlier is None or c.config is None:
        return
    from feedpub.slug import slugify

    kept = {(a.kind, slugify(a.old)) for a in c.config.section_aliases}
    live = {
        (s.kind, s.slug) for st in c.after.values() if st.is_published(c.now) for s in st.sections
    }
    for alias in c.earlier.section_aliases:
        key = (alias.kind, slugify(alias.old))
        if key in kept or key in live:
            continue
        folder = "types" if alias.kind == "type" else "tags"
        yield _setting(
            c,
            "section_aliases",
            f"the {alias.kind} {alias.old!r}, renamed {alias.new!r} at {c.rev}, is no longer"
            f" declared, so its old feeds ({folder}/{key[1]}/atom.xml, rss.xml and feed.json),"
            f" to which readers may subscribe, would disappear; keep `{alias.old}: {alias.new}`"
            f" under `section_aliases: {folder}:`",
        )


def kept_languages(c: Comparison) -> Iterator[Problem]:
    """Each language's feeds (languages/fr/, on a site in more than one language) keep a
    published statement. One lawfully removed keeps them, empty (see
    documents.make_sections): a lawful removal of the last passes, but a statement moved to
    another language leaving only removed ones is refused, as a type's or tag's is."""
    if c.earlier is None or c.config is None:
        return
    earlier, config = c.earlier, c.config
    was = {
        (s.language or earlier.language).lower(): s for s in (*c.before.values(), *c.gone.values())
    }
    if len(was) < 2:
        return  # no language had feeds of its own
    now = {(s.language or config.language).lower() for s in c.after.values() if s.has_page(c.now)}
    published = {
        (s.language or config.language).lower() for s in c.after.values() if s.is_published(c.now)
    }
    moved = {  # at REV in that language, published now (in another): the statement
        (old.language or earlier.language).lower(): old
        for old in sorted(c.before.values(), key=lambda s: s.file, reverse=True)
        if (after := c.after.get(old.id)) is not None and after.is_published(c.now)
    }
    alone = (
        ", and every other language's (the site would be in one language)" if len(now) < 2 else ""
    )
    for language, old in sorted(was.items()):
        if language in published or (language in now and language not in moved):
            continue  # still published in, or its last lawfully removed: feeds stay
        fate = "would stay empty" if language in now else "would disappear"
        message = (
            f"no {'published ' if language in now else ''}statement would be in {language} any"
            f" more, so the feeds of languages/{language}/ (atom.xml, rss.xml and feed.json)"
            f"{alone}, to which readers may subscribe, {fate};"
        )
        statement = c.after.get(moved.get(language, old).id)
        if language == earlier.language.lower():  # the site's: feedpub.yaml's changed
            yield _setting(c, "language", f"{message} keep `language: {earlier.language}`")
        elif statement is not None and statement.file in c.after_files:
            yield c.problem(statement.file, "language", f"{message} keep `language: {language}`")
        else:
            yield _setting(c, "language", f"{message} keep a statement in {language}")

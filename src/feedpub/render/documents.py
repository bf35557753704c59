"""Sections and their documents: which statements each subscription document, each
RFC 5005 archive and each numbered list page holds, in which order. Decided from the
entries alone, with no clock.

The rule, for the whole site and for every type, tag and language alike:
- Archives hold every statement, oldest first, in complete blocks of `feed_limit`; a
  block's members never change when a statement is published or corrected (a correction
  shows in place), so a reader that walked them once has them.
- The subscription document holds the newest `feed_limit` statements, so every statement
  in no complete archive yet, plus up to `feed_limit` older statements that changed since
  they were published (corrected or withdrawn), most recent change first. A correction of
  a statement of any age reaches every subscriber, and never pushes a recent statement out
  (more than `feed_limit` made at once push the earliest out: the guard warns of it).
- Items are ordered by the time of their last change (publication, correction or
  withdrawal), newest first: a reader that keeps only the first items keeps what changed
  most recently, and a corrected statement stands where subscribers look. This is the
  order GOV.UK's feeds use for the same reason; the published date each item carries
  still places it in time for readers that sort by it.
- A statement removed for a lawful reason keeps its slot in its archive block, so later
  blocks keep their members, but appears in no document. It keeps its sections too: a
  type, tag or language (and a year) only removed statements are in keeps its page and
  feeds, empty, at the address readers have, and nothing lists it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feedpub import messages
from feedpub.model import Entry, Site, SiteConfig, change_key, sort_key
from feedpub.render.feeds import Feed
from feedpub.render.filters import language_name
from feedpub.render.views import Section

ARCHIVE_DIR = "archive/"


@dataclass(frozen=True, slots=True)
class Sections:
    main: Section
    types: tuple[Section, ...]
    tags: tuple[Section, ...]
    languages: tuple[Section, ...]  # only when statements are in more than one language
    kept: tuple[Section, ...] = ()  # only removed statements are in them: listed nowhere

    def all(self) -> tuple[Section, ...]:
        return (self.main, *self.types, *self.tags, *self.languages, *self.kept)


def make_sections(site: Site) -> Sections:
    """The whole site, then one section per type, per tag and (when there are several) per
    language, each sorted by name or code; then those only removed statements are in."""
    from feedpub.slug import slugify

    config = site.config
    main = Section("all", "All statements", "", "", site.entries, config.title, site.removed)
    groups: dict[tuple[str, str], list[Entry]] = {}
    names: dict[tuple[str, str], str] = {}
    removed: dict[tuple[str, str], list[Entry]] = {}
    for members, into in ((site.entries, groups), (site.removed, removed)):
        for entry in members:  # (inline: 10,000 statements, each in three or more)
            language = entry.language or config.language
            memberships = [("type", entry.type_slug), ("language", language.lower())]
            memberships += [("tag", slug) for slug in entry.tag_slugs]
            for key in memberships:
                found = into.get(key)
                if found is None:
                    found = into[key] = []
                    if key not in names:
                        names[key] = _name(key[0], entry, language, key[1])
                found.append(entry)
    sections: dict[str, list[Section]] = {"type": [], "tag": [], "language": [], "kept": []}
    # Removed statements count: one lawfully removed leaves the feeds of its type, tags and
    # language, and of the other languages, to which readers subscribed, in place (as it
    # keeps its archive slot), empty if it was their last. Not an old name section_aliases
    # gives another's feeds, which the guard asks for when a statement is renamed.
    several = len({slug for kind, slug in (*groups, *removed) if kind == "language"}) > 1
    renamed = {(alias.kind, slugify(alias.old)) for alias in config.section_aliases}
    for kind, slug in sorted({*groups, *removed}):
        entries = groups.get((kind, slug), [])
        if (kind == "language" and not several) or (not entries and (kind, slug) in renamed):
            continue
        name = names[(kind, slug)]
        if kind == "tag":  # a tag's feed, told apart from a type of the same name
            name_in_title = _site_text(config).gettext("%(tag)s (tag)") % {"tag": name}
        else:
            name_in_title = name
        title = f"{config.title} – {name_in_title}"
        gone = tuple(removed.get((kind, slug), ()))
        directory = f"{_FOLDERS[kind]}/{slug}/"
        section = Section(kind, name, slug, directory, tuple(entries), title, gone)
        sections[kind if entries else "kept"].append(section)
    types, tags, languages, kept = (tuple(sections[k]) for k in ("type", "tag", "language", "kept"))
    return Sections(main, types, tags, languages, kept)


@dataclass(frozen=True, slots=True)
class Year:
    """A year's page: its statements, and the years whose pages it links to."""

    year: int
    entries: tuple[Entry, ...]  # newest first; none when its statements were all removed
    newer: int | None  # the listed years next to it
    older: int | None


def make_years(site: Site) -> tuple[Year, ...]:
    """Each year a statement was published in, newest first. A year whose statements were all
    removed (lawfully) keeps its page, as a section keeps its feeds, and is listed nowhere:
    the listed years next to it link to each other."""
    by_year: dict[int, list[Entry]] = {}
    for entry in site.entries:
        by_year.setdefault(entry.published.year, []).append(entry)
    listed = sorted(by_year)
    every = sorted({*listed, *(entry.published.year for entry in site.removed)}, reverse=True)
    return tuple(
        Year(
            year,
            tuple(by_year.get(year, ())),
            min((y for y in listed if y > year), default=None),
            max((y for y in listed if y < year), default=None),
        )
        for year in every
    )


_FOLDERS = {"type": "types", "tag": "tags", "language": "languages"}


def _name(kind: str, entry: Entry, language: str, slug: str) -> str:
    """The name of the section `entry` is the first statement of: its type, its language,
    or its tag with that slug."""
    if kind == "type":
        return entry.type
    if kind == "language":
        return language_name(language)
    return entry.tags[entry.tag_slugs.index(slug)]


def feed_id(config: SiteConfig, section: Section) -> str:
    """One id for a section's subscription document and its archives (RFC 5005 §4), from
    its address. (A renamed section's takes its new address's: the old name's id would be
    given to the section it merged into, whose own subscribers would see theirs change.)"""
    suffix = "" if section.kind == "all" else f"/{section.directory.rstrip('/')}"
    return f"tag:{config.id_authority}:feed{suffix}"


def _site_text(config: SiteConfig, language: str | None = None) -> messages.PageText:
    """The words of the site's feeds: in the site's language, or in a language section's."""
    return messages.page_text(config, messages.page_language(config, language))


def _subtitle(config: SiteConfig, section: Section) -> str:
    """What a section's feed says it holds, in the words of the site's pages."""
    publisher = config.publisher.name
    if section.kind == "type":
        text = _site_text(config).gettext("Statements of type %(type)s from %(publisher)s.")
        return text % {"type": section.name, "publisher": publisher}
    if section.kind == "tag":
        text = _site_text(config).gettext("Statements tagged %(tag)s from %(publisher)s.")
        return text % {"tag": section.name, "publisher": publisher}
    if section.kind == "language":
        found = _site_text(config, section.slug)
        text = found.gettext("Statements in %(language)s from %(publisher)s.")
        return text % {"language": language_name(section.slug, False), "publisher": publisher}
    return config.description


def feed_documents(
    config: SiteConfig,
    section: Section,
    alternates: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> list[Feed]:
    """A section's subscription document, then its archives, oldest first; `alternates`
    gives each statement's translations, by id."""
    known = alternates or {}
    size = config.feed_limit
    # Oldest first. A section's statements are in the site's order already: sorted again
    # only with those removed (40,000 sort keys over a site of 10,000's sections).
    slots = list(section.entries[::-1])
    if section.removed:
        slots = sorted((*section.entries, *section.removed), key=sort_key)[::-1]
    gone = {entry.id for entry in section.removed}
    count = len(slots) // size

    def removal(held: Iterable[Entry]) -> datetime | None:
        """When the last of these statements a document held was removed from it."""
        return max((e.removed.at for e in held if e.id in gone and e.removed), default=None)

    archive_dir = section.directory + ARCHIVE_DIR

    def document(entries: tuple[Entry, ...], links: list[tuple[str, str]], **kind: object) -> Feed:
        return Feed(
            id=feed_id(config, section),
            title=section.feed_title,
            subtitle=_subtitle(config, section),
            home=section.directory,
            entries=entries,
            links=tuple(links),
            alternates={e.id: known[e.id] for e in entries if e.id in known},
            language=section.slug if section.kind == "language" else None,
            **kind,  # type: ignore[arg-type]
        )

    archives = []
    for number in range(1, count + 1):
        links = [("current", section.atom)]
        if number > 1:
            links.append(("prev-archive", f"{archive_dir}{number - 1}.xml"))
        if number < count:  # the newest archive gains it once the next block is complete
            links.append(("next-archive", f"{archive_dir}{number + 1}.xml"))
        block = slots[(number - 1) * size : number * size]
        members = tuple(entry for entry in block[::-1] if entry.id not in gone)
        archives.append(
            document(
                members,
                links,
                atom_path=f"{archive_dir}{number}.xml",
                archive=True,
                removed=removal(block),
            )
        )

    # The newest `size` statements, then up to `size` older ones that changed.
    older = sorted((e for e in section.entries[size:] if e.is_updated), key=change_key)
    shown = [*section.entries[:size], *older[:size]]
    current = document(
        tuple(sorted(shown, key=change_key)),
        [("prev-archive", archives[-1].atom_path)] if archives else [],
        atom_path=section.atom,
        rss_path=section.rss,
        json_path=section.json,
        hubs=config.websub_hubs,  # subscription documents only, never archives
        # Every removal from the section dates it, shown there or archived: a feed's date
        # then never goes back, as it did once later statements, dated before the removal,
        # pushed the removed one out of the newest `size`.
        removed=removal(section.removed),
    )
    return [current, *archives]


def only_archived(config: SiteConfig, section: Section) -> dict[str, str]:
    """The section's statements in none of its subscription documents, by id: the path of
    the archive document each is in."""
    current, *archives = feed_documents(config, section)
    polled = {entry.id for entry in current.entries}
    return {e.id: a.atom_path for a in archives for e in a.entries if e.id not in polled}


# A list page shows at most this many statements; older ones go on numbered pages.
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Paged:
    """One page of a list of statements: the list's own page shows the newest PAGE_SIZE;
    numbered pages hold complete blocks counted from the oldest, as the feeds' archives
    are, so a numbered page keeps its address and contents when a statement is added."""

    path: str
    entries: tuple[Entry, ...]  # newest first
    number: int | None  # None for the list's own page
    newer: str | None  # paths inside public/ of the pages next to it
    older: str | None

    @property
    def lastmod(self) -> datetime:
        return max(entry.updated for entry in self.entries)

    def context(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "page_number": self.number,
            "newer_page": self.newer,
            "older_page": self.older,
        }


def pages_of(folder: str, entries: tuple[Entry, ...]) -> list[Paged]:
    """A list's own page, then its numbered pages, newest first."""
    count = len(entries) // PAGE_SIZE if len(entries) > PAGE_SIZE else 0
    oldest_first = entries[::-1]

    def numbered(number: int) -> str:
        return f"{folder}page/{number}/"

    found = [Paged(folder, entries[:PAGE_SIZE], None, None, numbered(count) if count else None)]
    for number in range(count, 0, -1):
        block = oldest_first[(number - 1) * PAGE_SIZE : number * PAGE_SIZE][::-1]
        newer = numbered(number + 1) if number < count else folder
        older = numbered(number - 1) if number > 1 else None
        found.append(Paged(numbered(number), tuple(block), number, newer, older))
    return found

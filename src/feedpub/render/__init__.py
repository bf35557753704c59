"""Site -> the plan of public/: every output's path, a key, and how to make its bytes.

Nothing is rendered here until the writer asks: an output whose key (a hash of everything
its bytes depend on) matches the last build's, and whose file is untouched, is not rendered
again. Nothing here touches the disk's output.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from feedpub import __version__
from feedpub.cache import digest
from feedpub.model import Entry, Site, SiteConfig
from feedpub.render.feeds import Feed, render_atom, render_rss
from feedpub.render.html import PageRenderer, Section, make_environment, template_fingerprint
from feedpub.render.jsonfeed import render_json
from feedpub.render.sitemap import render_sitemap
from feedpub.write import Content, Output

MARKER = ".feedpub"
MARKER_TEXT = (
    b"This directory is written by feedpub. Each build replaces it whole;\n"
    b"edit entries/ and feedpub.yaml instead, then run `feedpub build`.\n"
)
ARCHIVE_DIR = "archive/"


class Outputs(dict[str, Output]):
    """The files a build writes, refusing to write one path twice."""

    def __init__(self) -> None:
        super().__init__()
        self.origin: dict[str, str] = {}
        self._folders: set[str] | None = None

    def folders(self) -> set[str]:
        """Every folder the outputs planned so far need, e.g. 'tags' and 'tags/energy'."""
        if self._folders is None:
            self._folders = {
                path.rsplit("/", i)[0] for path in self for i in range(1, path.count("/") + 1)
            }
        return self._folders

    def add(self, path: str, key: str, make: Callable[[], Content], origin: str) -> None:
        if path in self:
            raise ValueError(f"{path} would be written twice ({self.origin[path]}, {origin})")
        self[path] = Output(path, key, make)
        self.origin[path] = origin

    def add_file(self, path: str, source: Path, origin: str) -> None:
        """A file copied as it is (static/, attachments), keyed by its size and mtime."""
        st = source.stat()
        key = digest("file", str(source), str(st.st_size), str(st.st_mtime_ns))
        self.add(path, key, functools.partial(_same, source), origin)


def _same(value: Content) -> Content:
    return value


def make_sections(site: Site) -> tuple[Section, list[Section], list[Section]]:
    """The whole site, then one section per type and per tag, each sorted by name."""
    config = site.config
    main = Section("all", "All statements", "", "", site.entries, config.title)
    groups: dict[tuple[str, str], list[Entry]] = {}
    names: dict[tuple[str, str], str] = {}
    for entry in site.entries:
        keys = [("type", entry.type_slug, entry.type)] + [
            ("tag", slug, tag) for tag, slug in entry.tag_links
        ]
        for kind, slug, name in keys:
            groups.setdefault((kind, slug), []).append(entry)
            names.setdefault((kind, slug), name)
    sections: dict[str, list[Section]] = {"type": [], "tag": []}
    for (kind, slug), entries in sorted(groups.items()):
        name = names[(kind, slug)]
        folder = "types" if kind == "type" else "tags"
        title = f"{config.title} – {name}" if kind == "type" else f"{config.title} – {name} (tag)"
        sections[kind].append(Section(kind, name, slug, f"{folder}/{slug}/", tuple(entries), title))
    return main, sections["type"], sections["tag"]


def _feed_id(config: SiteConfig, section: Section) -> str:
    suffix = "" if section.kind == "all" else f"/{section.directory.rstrip('/')}"
    return f"tag:{config.id_authority}:feed{suffix}"


def _subtitle(config: SiteConfig, section: Section) -> str:
    if section.kind == "type":
        return f"Statements of type {section.name} from {config.publisher.name}."
    if section.kind == "tag":
        return f"Statements tagged {section.name} from {config.publisher.name}."
    return config.description


def section_feed(
    config: SiteConfig, section: Section, links: tuple[tuple[str, str], ...] = ()
) -> Feed:
    """The subscription document of a section: its newest `feed_limit` statements."""
    return Feed(
        id=_feed_id(config, section),
        title=section.feed_title,
        subtitle=_subtitle(config, section),
        home=section.directory,
        atom_path=section.atom,
        rss_path=section.rss,
        json_path=section.json,
        entries=section.entries[: config.feed_limit],
        links=links,
        hubs=config.websub_hubs,  # subscription documents only, never archives
    )


def archive_feeds(config: SiteConfig, main: Section) -> list[Feed]:
    """RFC 5005 archive documents: the statements, oldest first, in complete chunks of
    `feed_limit`. A chunk's members never change when a newer statement is published;
    the subscription document covers the newest ones until they fill a chunk."""
    size = config.feed_limit
    oldest_first = main.entries[::-1]
    count = len(oldest_first) // size
    feeds = []
    for number in range(1, count + 1):
        links = [("current", main.atom)]
        if number > 1:
            links.append(("prev-archive", f"{ARCHIVE_DIR}{number - 1}.xml"))
        if number < count:
            links.append(("next-archive", f"{ARCHIVE_DIR}{number + 1}.xml"))
        chunk = oldest_first[(number - 1) * size : number * size]
        feeds.append(
            Feed(
                id=_feed_id(config, main),
                title=main.feed_title,
                subtitle=config.description,
                home=main.directory,
                atom_path=f"{ARCHIVE_DIR}{number}.xml",
                entries=chunk[::-1],
                links=tuple(links),
                archive=True,
            )
        )
    return feeds


def _add_feeds(out: Outputs, config: SiteConfig, feed: Feed, origin: str, base: str) -> None:
    key = digest(
        base,
        "feed",
        feed.id,
        feed.title,
        feed.subtitle,
        feed.home,
        repr(feed.links),
        str(feed.archive),
        repr(feed.hubs),
        *[e.key for e in feed.entries],
    )
    out.add(feed.atom_path, key, lambda: render_atom(config, feed), f"the {origin} Atom feed")
    if feed.rss_path:
        out.add(feed.rss_path, key, lambda: render_rss(config, feed), f"the {origin} RSS feed")
    if feed.json_path:
        out.add(feed.json_path, key, lambda: render_json(config, feed), f"the {origin} JSON Feed")


def plan_site(site: Site, root: Path | None = None) -> Outputs:
    """Plan every page and feed of the site; attachments are copied from entries/."""
    config = site.config
    out = Outputs()
    env = make_environment(root)
    base = digest(__version__, repr(config), template_fingerprint(env))
    main, types, tags = make_sections(site)

    archives = archive_feeds(config, main)
    newest_archive = (("prev-archive", archives[-1].atom_path),) if archives else ()
    _add_feeds(out, config, section_feed(config, main, newest_archive), "main", base)
    for archive in archives:
        _add_feeds(out, config, archive, f"archive {archive.atom_path}", base)
    for section in (*types, *tags):
        _add_feeds(out, config, section_feed(config, section), section.directory, base)

    by_year: dict[int, list[Entry]] = {}
    for entry in site.entries:
        by_year.setdefault(entry.published.year, []).append(entry)
    years = sorted(((year, len(entries)) for year, entries in by_year.items()), reverse=True)
    renderer = PageRenderer(config, env, main, types, tags, years)
    # What list pages show of the site besides their own statements (no counts but the index's).
    sections_summary = repr([(s.kind, s.name, s.slug) for s in (*types, *tags)])
    counts_summary = repr([(s.kind, s.name, s.slug, s.count) for s in (*types, *tags)])

    pages: list[tuple[str, datetime | None]] = []

    def page(
        path: str,
        make: Callable[[], bytes],
        origin: str,
        entries: Sequence[Entry],
        *context: str,
        lastmod: datetime | None = None,
    ) -> None:
        """A page whose bytes depend on `entries` and the `context` strings, and nothing else."""
        key = digest(base, "page", path, *context, *[e.key for e in entries])
        out.add(path + "index.html", key, make, origin)
        pages.append((path, lastmod or max((e.updated for e in entries), default=None)))

    for entry in site.entries:
        page(entry.path, functools.partial(renderer.entry_page, entry), entry.source, [entry])
        for attachment in entry.attachments:
            if site.entries_dir is not None:
                source = site.entries_dir / attachment.name
                out.add_file(entry.path + attachment.name, source, f"{entry.source} (attachment)")
    ordered = [year for year, _ in years]  # newest first
    for position, year in enumerate(ordered):
        newer = ordered[position - 1] if position > 0 else None
        older = ordered[position + 1] if position + 1 < len(ordered) else None
        entries = by_year[year]
        make = functools.partial(renderer.archive_page, year, entries, newer, older)
        page(f"{year}/", make, f"the {year} page", entries, repr((newer, older)))
    for section in (*types, *tags):
        make = functools.partial(renderer.section_page, section)
        page(section.directory, make, section.directory, section.entries, section.name)
    latest = max((e.updated for e in site.entries), default=None)
    for kind, folder in (("type", "types/"), ("tag", "tags/")):
        make = functools.partial(renderer.sections_page, kind)
        page(folder, make, f"the list of {folder}", [], sections_summary, lastmod=latest)
    newest = site.entries[: config.feed_limit]
    home_context = (repr(years), counts_summary, str(len(site.entries)))
    page("", renderer.index_page, "the home page", newest, *home_context, lastmod=latest)
    sitemap = render_sitemap(config, pages)
    out.add("sitemap.xml", digest(sitemap), functools.partial(_same, sitemap), "the sitemap")
    out.add("style.css", digest(base, "style"), renderer.stylesheet, "the stylesheet")
    out.add(MARKER, digest(MARKER_TEXT), functools.partial(_same, MARKER_TEXT), "the marker")
    return out

"""Site -> {path inside public/: bytes}. Nothing here touches the disk's output."""

from __future__ import annotations

from pathlib import Path

from feedpub.model import Site
from feedpub.render.feeds import ATOM_TYPE, RSS_TYPE, Feed, render_atom, render_rss
from feedpub.render.html import FeedLink, PageRenderer, make_environment

MARKER = ".feedpub"
MARKER_TEXT = (
    b"This directory is written by feedpub. Each build replaces it whole;\n"
    b"edit entries/ and feedpub.yaml instead, then run `feedpub build`.\n"
)


class Outputs(dict[str, bytes]):
    """The files a build writes, refusing to write one path twice."""

    def __init__(self) -> None:
        super().__init__()
        self.origin: dict[str, str] = {}

    def add(self, path: str, data: bytes, origin: str) -> None:
        if path in self:
            raise ValueError(f"{path} would be written twice ({self.origin[path]}, {origin})")
        self[path] = data
        self.origin[path] = origin


def main_feed(site: Site) -> Feed:
    config = site.config
    return Feed(
        id=f"tag:{config.id_authority}:feed",
        title=config.title,
        subtitle=config.description,
        directory="",
        home="",
        entries=site.entries[: config.feed_limit],
    )


def render_site(site: Site, root: Path | None = None) -> Outputs:
    """Render every page and feed of the site into memory."""
    config = site.config
    out = Outputs()
    feed = main_feed(site)
    out.add(feed.atom_path, render_atom(config, feed), "the main Atom feed")
    out.add(feed.rss_path, render_rss(config, feed), "the main RSS feed")
    feeds = (
        FeedLink(f"{config.title} (Atom)", feed.atom_path, ATOM_TYPE),
        FeedLink(f"{config.title} (RSS)", feed.rss_path, RSS_TYPE),
    )

    pages = PageRenderer(config, make_environment(root))
    for entry in site.entries:
        out.add(entry.path + "index.html", pages.entry_page(entry, feeds), entry.source)

    by_year: dict[int, list[int]] = {}
    for i, entry in enumerate(site.entries):
        by_year.setdefault(entry.published.year, []).append(i)
    years = sorted(((y, len(ix)) for y, ix in by_year.items()), reverse=True)
    for year, indexes in by_year.items():
        listed = [site.entries[i] for i in indexes]
        out.add(f"{year}/index.html", pages.archive_page(year, listed, years, feeds), f"{year}")
    out.add(
        "index.html",
        pages.index_page(feed.entries, years, feeds, total=len(site.entries)),
        "the home page",
    )
    out.add("style.css", pages.stylesheet(), "the stylesheet")
    out.add(MARKER, MARKER_TEXT, "feedpub's marker")
    return out

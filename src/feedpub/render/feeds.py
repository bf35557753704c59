"""Atom and RSS documents. The only module that imports feedgen; its traps are handled here.

Traps worked around (feedgen 1.0.0):
- `updated`/`lastBuildDate` default to the clock: every date is set from the entries.
- `add_entry()` prepends: entries are added with order="append".
- RSS <channel><link> is the href of the *last* link() call, and RSS copies the Atom
  rel="self" link: each format gets its own generator, self link first, alternate last.
- <generator> names feedgen and its version: it names feedpub instead.
- Atom entry <link> loses rel/type/length (a shadowed variable in FeedEntry.atom_entry):
  only the alternate link, whose rel is Atom's default, goes through feedgen.
- A name-only author vanishes from RSS (RSS <author> wants an e-mail): bylines are
  written as dc:creator through feedgen's Dublin Core extension.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from feedpub import __version__
from feedpub.model import Entry, SiteConfig

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
# A feed with no statement yet still needs a date; the epoch is fixed, unlike the clock.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """One feed's contents, in the order readers will see them (newest first)."""

    id: str
    title: str
    subtitle: str
    directory: str  # where its files live inside public/, '' or 'types/release/'
    home: str  # URL path of the HTML page that lists the same statements
    entries: Sequence[Entry]

    @property
    def atom_path(self) -> str:
        return self.directory + "atom.xml"

    @property
    def rss_path(self) -> str:
        return self.directory + "rss.xml"

    def updated(self) -> datetime:
        """A feed changes when one of its statements does: the newest `updated` among them."""
        return max((e.updated for e in self.entries), default=EMPTY_FEED_DATE)


def _generator(config: SiteConfig, feed: Feed, self_url: str, self_type: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed.id)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle)  # RSS <description> too
    fg.language(config.language)
    fg.updated(feed.updated())
    fg.generator("feedpub", version=__version__)
    publisher = {"name": config.publisher.name}
    if config.publisher.email:
        publisher["email"] = config.publisher.email
    if config.publisher.url:
        publisher["uri"] = config.publisher.url
    fg.author(publisher)
    # Self first, the HTML page last: RSS's channel <link> is the last link added.
    fg.link(href=self_url, rel="self", type=self_type)
    fg.link(href=config.url(feed.home), rel="alternate", type="text/html")
    return fg


def _add_entries(fg: FeedGenerator, config: SiteConfig, feed: Feed, *, rss: bool) -> None:
    for entry in feed.entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.title(entry.title)
        fe.link(href=config.url(entry.path), rel="alternate", type="text/html")
        fe.published(entry.published)
        fe.updated(entry.updated)
        if rss:
            for name in entry.bylines:
                fe.dc.dc_creator(name)
        else:
            for name in entry.bylines:
                fe.author({"name": name})
        # The type travels as a category with a scheme, so readers can filter on it.
        fe.category(term=entry.type, scheme=config.url("types/"), label=entry.type)
        for tag in entry.tags:
            fe.category(term=tag, label=tag)
        fe.summary(entry.summary)  # RSS <description>
        fe.content(entry.feed_html, type="html")  # RSS <content:encoded>


def render_atom(config: SiteConfig, feed: Feed) -> bytes:
    """Render an Atom 1.0 document (RFC 4287)."""
    fg = _generator(config, feed, config.url(feed.atom_path), ATOM_TYPE)
    _add_entries(fg, config, feed, rss=False)
    result: bytes = fg.atom_str(pretty=True, encoding="UTF-8")
    return result


def render_rss(config: SiteConfig, feed: Feed) -> bytes:
    """Render an RSS 2.0 document with dc:creator and content:encoded."""
    fg = _generator(config, feed, config.url(feed.rss_path), RSS_TYPE)
    fg.generator(f"feedpub {__version__}")  # RSS's <generator> has no version attribute
    fg.load_extension("dc", atom=False, rss=True)
    _add_entries(fg, config, feed, rss=True)
    result: bytes = fg.rss_str(pretty=True, encoding="UTF-8")
    return result

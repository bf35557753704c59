"""Atom and RSS documents. The only module that imports feedgen; its traps are handled here.

Traps worked around (feedgen 1.0.0):
- `updated`/`lastBuildDate` default to the clock: every date is set from the entries.
- `add_entry()` prepends: entries are added with order="append".
- RSS <channel><link> is the href of the *last* link() call, and RSS copies the Atom
  rel="self" link: each format gets its own generator, self link first, alternate last.
- <generator> names feedgen and its version: it names feedpub instead.
- Atom entry <link> loses rel/type/length (a shadowed variable in FeedEntry.atom_entry):
  only the alternate link, whose rel is Atom's default, goes through feedgen; enclosure
  links are written by our own entry extension.
- A name-only author vanishes from RSS (RSS <author> wants an e-mail): bylines are
  written as dc:creator through feedgen's Dublin Core extension.
- type="CDATA" is not an Atom content type: content is always type="html", escaped.
- RSS gets only the rel="self" link of the Atom links: WebSub's rel="hub" links are
  written into the RSS channel by our own feed extension.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from feedpub import __version__, messages
from feedpub.model import Entry, SiteConfig

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_NS = "http://www.w3.org/XML/1998/namespace"
# A feed with no statement yet still needs a date; the epoch is fixed, unlike the clock.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """One feed document's contents, in the order readers will see them (newest first)."""

    id: str
    title: str
    subtitle: str
    home: str  # URL path of the HTML page that lists the same statements
    atom_path: str
    rss_path: str | None = None
    json_path: str | None = None
    entries: Sequence[Entry]
    links: tuple[tuple[str, str], ...] = ()  # more Atom links: (rel, path inside public/)
    archive: bool = False  # an RFC 5005 archive document
    # A statement's translations, by its id: (language, URL of its page) of each other one.
    alternates: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    hubs: tuple[str, ...] = ()  # WebSub hubs; only subscription documents name them
    # The last lawful removal that changed it: of a statement an archive held, or of any
    # of its section's for a subscription document (the complete feed lost one).
    removed: datetime | None = None
    language: str | None = None  # a language's own feed (languages/fr/): not the site's

    def updated(self) -> datetime:
        """A feed changes when one of its statements does, or is removed from it: the newest
        `updated` among them, or the removal, whichever is later."""
        dates = [e.updated for e in self.entries] + ([self.removed] if self.removed else [])
        return max(dates, default=EMPTY_FEED_DATE)


def entry_categories(config: SiteConfig, entry: Entry) -> list[tuple[str, str]]:
    """(term, scheme) pairs: the type, then the tags, each scheme the page that lists them."""
    return [(entry.type, config.url("types/"))] + [(tag, config.url("tags/")) for tag in entry.tags]


class _ArchiveExtension(BaseExtension):  # type: ignore[misc]
    """Marks an Atom document as an RFC 5005 archive: <fh:archive/>."""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS}

    def extend_atom(self, feed: Any) -> Any:
        xml_elem(f"{{{HISTORY_NS}}}archive", feed)
        return feed


class _FeedpubEntry(BaseEntryExtension):  # type: ignore[misc]
    """What feedgen cannot write for an entry: Atom enclosures and xml:lang, RSS's updated
    date."""

    def __init__(self) -> None:
        self.enclosures: list[dict[str, str]] = []
        self.updated: datetime | None = None
        self.language: str | None = None
        self.translations: tuple[tuple[str, str], ...] = ()

    def extend_atom(self, entry: Any) -> Any:
        if self.language:  # RFC 4287 §2: xml:lang on any element; the feed has its own
            entry.set(f"{{{XML_NS}}}lang", self.language)
        # RFC 4287 §4.2.7.4: hreflang. Related, not alternate: readers take an entry's link
        # from its first alternate link or, feedparser, its last: only its own is one.
        for language, url in self.translations:
            xml_elem("link", entry, rel="related", type="text/html", hreflang=language, href=url)
        for enclosure in self.enclosures:
            xml_elem("link", entry, rel="enclosure", **enclosure)
        return entry

    def extend_rss(self, item: Any) -> Any:
        # RSS 2.0 has no date of correction; atom:updated is what readers understand.
        if self.updated is not None:
            xml_elem(f"{{{ATOM_NS}}}updated", item).text = self.updated.isoformat()
        return item


class _FeedpubFeed(BaseExtension):  # type: ignore[misc]
    """What feedgen cannot write for an RSS channel: WebSub's atom:link rel="hub"."""

    def __init__(self) -> None:
        self.hubs: tuple[str, ...] = ()

    def extend_rss(self, rss: Any) -> Any:
        # Right after the channel's atom:link rel="self", as WebSub §4 pairs them.
        channel = rss.find("channel")
        anchor = channel.find(f"{{{ATOM_NS}}}link[@rel='self']")
        for hub in self.hubs:
            link = xml_elem(f"{{{ATOM_NS}}}link", channel, href=hub, rel="hub")
            anchor.addnext(link)
            anchor = link
        return rss


def _generator(config: SiteConfig, feed: Feed, self_url: str, self_type: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed.id)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle)  # RSS <description> too
    fg.language(feed.language or config.language)
    fg.updated(feed.updated())
    fg.generator("feedpub", version=__version__)
    publisher = {"name": config.publisher.name}
    if config.publisher.email:
        publisher["email"] = config.publisher.email
    if config.publisher.url:
        publisher["uri"] = config.publisher.url
    fg.author(publisher)
    if config.rights:
        fg.rights(config.rights)  # RSS <copyright> too
    # Self first, the HTML page last: RSS's channel <link> is the last link added.
    fg.link(href=self_url, rel="self", type=self_type)
    for hub in feed.hubs:  # WebSub §4: hub links beside the self link (RSS: see _FeedpubFeed)
        fg.link(href=hub, rel="hub")
    for rel, path in feed.links:
        fg.link(href=config.url(path), rel=rel, type=ATOM_TYPE)
    fg.link(href=config.url(feed.home), rel="alternate", type="text/html")
    fg.register_extension("feedpub", _FeedpubFeed, _FeedpubEntry, atom=True, rss=True)
    fg.feedpub.hubs = feed.hubs
    return fg


Content = Callable[[Entry], str]  # an entry's content as HTML, the same in every format


class ItemText:
    """An item's title and summary as every format carries them, in the language of its
    statement's page: a withdrawn statement says so before it is opened, in the words of
    its page (the catalogues and the site's `messages:`)."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self._texts: dict[str, messages.PageText] = {}

    def _text(self, entry: Entry) -> messages.PageText:
        language = messages.page_language(self.config, entry.language)
        found = self._texts.get(language)
        if found is None:
            found = self._texts[language] = messages.page_text(self.config, language)
        return found

    def title(self, entry: Entry) -> str:
        if entry.withdrawn is None:
            return entry.title
        return self._text(entry).gettext("Withdrawn: %(title)s") % {"title": entry.title}

    def summary(self, entry: Entry) -> str:
        """A withdrawn statement's summary starts with its notice, a corrected one's with
        its last correction's note, as on its page: a reader showing summaries alone sees
        why the item came back to the top of the feed."""
        noted = entry.noted_corrections
        if entry.withdrawn is None and not noted:
            return entry.summary
        text = self._text(entry)
        if entry.withdrawn is not None:
            day = messages.long_date(entry.withdrawn.at, text.locale)
            notice = text.gettext("Withdrawn on %(date)s:") % {"date": day}
            return f"{notice} {entry.withdrawn.reason} {entry.summary}"
        day = messages.long_date(noted[-1].at, text.locale)
        notice = text.gettext("Corrected on %(date)s:") % {"date": day}
        return f"{notice} {noted[-1].note} {entry.summary}"


def _add_entries(
    fg: FeedGenerator, config: SiteConfig, feed: Feed, content: Content, *, rss: bool
) -> None:
    words = ItemText(config)
    for entry in feed.entries:
        fe = fg.add_entry(order="append")
        _fill(fe, config, entry, content(entry), feed.alternates.get(entry.id, ()), words, rss=rss)


def _fill(
    fe: FeedEntry,
    config: SiteConfig,
    entry: Entry,
    html_content: str,
    translations: tuple[tuple[str, str], ...],
    words: ItemText,
    *,
    rss: bool,
) -> None:
    """Give a feed entry what its statement says, as every document holds it."""
    page = config.url(entry.path)
    # RSS keeps an id carried over from an older feed as it was; Atom needs an IRI.
    fe.guid(entry.id if rss else entry.atom_id, permalink=entry.id == page)
    fe.title(words.title(entry))
    fe.link(href=page, rel="alternate", type="text/html")
    fe.published(entry.published)
    fe.updated(entry.updated)
    if rss:
        for name in entry.bylines:
            fe.dc.dc_creator(name)
        if entry.language:  # the RSS Board's profile: Dublin Core for an item's language
            fe.dc.dc_language(entry.language)
        fe.feedpub.updated = entry.updated
    else:
        for name in entry.bylines:
            fe.author({"name": name})
        fe.feedpub.language = entry.language
        fe.feedpub.translations = translations
    for term, scheme in entry_categories(config, entry):
        fe.category(term=term, scheme=scheme, label=term)
    # Atom's <summary> is plain text; RSS's <description> is HTML to every reader, so a
    # summary that mentions <script> is escaped there rather than run.
    summary = words.summary(entry)  # a withdrawn or corrected one's starts with its notice
    fe.summary(html.escape(summary, quote=False) if rss else summary)
    fe.content(html_content, type="html")  # RSS <content:encoded>
    for attachment in entry.attachments:
        url = config.url(entry.path + attachment.name)
        fe.feedpub.enclosures.append(
            {
                "href": url,
                "type": attachment.media_type,
                "length": str(attachment.length),
                "title": attachment.title,
            }
        )
    if rss and entry.attachments:
        # RSS allows one enclosure per item: the first attachment.
        first = entry.attachments[0]
        fe.enclosure(config.url(entry.path + first.name), str(first.length), first.media_type)


def _atom_generator(config: SiteConfig, feed: Feed) -> FeedGenerator:
    fg = _generator(config, feed, config.url(feed.atom_path), ATOM_TYPE)
    if config.icon:
        fg.icon(config.icon)
    if config.logo:
        fg.logo(config.logo)
    if feed.archive:
        fg.register_extension("archive", _ArchiveExtension, None, atom=True, rss=False)
    return fg


def render_atom(
    config: SiteConfig, feed: Feed, content: Content, kept: AtomEntries | None = None
) -> bytes:
    """Render an Atom 1.0 document (RFC 4287), or an RFC 5005 archive document; its entries
    taken from those `kept` when they are the same."""
    if kept is not None:
        return kept.render(config, feed, content)
    fg = _atom_generator(config, feed)
    _add_entries(fg, config, feed, content, rss=False)
    result: bytes = fg.atom_str(pretty=True, encoding="UTF-8")
    return result


_FEED_END = b"</feed>\n"  # how lxml ends an Atom document


class AtomEntries:
    """Atom documents whose entries feedgen makes and lxml serialises once per statement,
    not once per document: a statement is in its sections' current documents and archives,
    each made by feedgen (an lxml tree, built in Python). The serialised entries of the last
    `kept` statements a process made are kept, and joined between the document's head and
    its end as atom_str() would write them: each entry is serialised inside a document
    feedgen made, so the same bytes."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._made: dict[tuple[str, bool], tuple[str, tuple[tuple[str, str], ...], bytes]] = {}

    def render(self, config: SiteConfig, feed: Feed, content: Content) -> bytes:
        """render_atom(), each entry's bytes from the last document that held it when what
        makes it (its content, its translations, an archive's namespaces) is the same."""
        fg = _atom_generator(config, feed)
        root, document = fg._create_atom()  # atom_str() without its serialisation
        head = _serialise(document)
        assert head.endswith(_FEED_END)
        parts = [head[: -len(_FEED_END)]]  # every entry is appended after these bytes
        words = ItemText(config)
        for entry in feed.entries:
            html_content = content(entry)  # (recording what it reads, for the key)
            translations = feed.alternates.get(entry.id, ())
            key = (entry.id, feed.archive)  # an archive's root declares one more namespace
            made = self._made.get(key)
            if made is None or made[0] != html_content or made[1] != translations:
                fe = FeedEntry()
                fe.register_extension("feedpub", _FeedpubEntry, atom=True, rss=True)
                _fill(fe, config, entry, html_content, translations, words, rss=False)
                alone = _entry_bytes(root, document, fe.atom_entry(), parts[0])
                made = (html_content, translations, alone)
                if len(self._made) >= self.kept:
                    del self._made[next(iter(self._made))]  # the oldest
                self._made[key] = made
            parts.append(made[2])
        parts.append(_FEED_END)
        return b"".join(parts)


def _entry_bytes(root: Any, document: Any, element: Any, head: bytes) -> bytes:
    """The bytes of `element` as an entry of `document`, indentation and line end included:
    the document is serialised with it appended, and what follows `head` (the document's
    bytes before its end) is cut out."""
    root.append(element)
    try:
        whole = _serialise(document)
    finally:
        root.remove(element)
    assert whole.startswith(head) and whole.endswith(_FEED_END)
    return whole[len(head) : -len(_FEED_END)]


def _serialise(document: Any) -> bytes:
    result: bytes = etree.tostring(
        document, pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
    return result


def render_rss(config: SiteConfig, feed: Feed, content: Content) -> bytes:
    """Render an RSS 2.0 document with dc:creator and content:encoded."""
    assert feed.rss_path is not None
    fg = _generator(config, feed, config.url(feed.rss_path), RSS_TYPE)
    fg.generator(f"feedpub {__version__}")  # RSS's <generator> has no version attribute
    # Readers take the channel's <description> for HTML, as an item's: a tag or type named
    # <script>, or such a site description, is escaped there rather than run.
    fg.description(html.escape(feed.subtitle, quote=False))
    if config.logo:
        fg.image(url=config.logo, title=feed.title, link=config.url(feed.home))
    fg.load_extension("dc", atom=False, rss=True)
    _add_entries(fg, config, feed, content, rss=True)
    result: bytes = fg.rss_str(pretty=True, encoding="UTF-8")
    return result

"""What templates see of a site: its sections, their subscriptions and the site itself,
what reading each of them makes a page depend on, and how a page's values are
fingerprinted for its key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from feedpub.model import Entry, SiteConfig
from feedpub.render.feeds import ATOM_TYPE, RSS_TYPE
from feedpub.render.jsonfeed import MEDIA_TYPE as JSON_FEED_TYPE


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    path: str  # inside public/
    media_type: str


@dataclass(frozen=True, slots=True)
class Section:
    """A list of statements with its own page and feeds: the whole site, one type or one tag."""

    kind: str  # "all", "type" or "tag"
    name: str  # what people read: "Release", "Energy"
    slug: str
    directory: str  # its page and feeds live here inside public/: '', 'types/release/'
    entries: tuple[Entry, ...]  # newest first
    feed_title: str
    removed: tuple[Entry, ...] = ()  # removed for a lawful reason: archive slots only

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.slug}"

    def __repr__(self) -> str:
        # Printed whole by a template: its key, which is all a page's key covers of a
        # section it read no attribute of (its name, its statements are tokens of their own).
        return f"<section {self.key}>"

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def in_sentence(self) -> str:
        """Its name inside a sentence: a language's as its own tongue writes it there
        ("français", "English"), not capitalised as a heading."""
        if self.kind != "language":
            return self.name
        from feedpub.render.filters import language_name

        return language_name(self.slug, capitalized=False)

    @property
    def atom(self) -> str:
        return self.directory + "atom.xml"

    @property
    def rss(self) -> str:
        return self.directory + "rss.xml"

    @property
    def json(self) -> str:
        return self.directory + "feed.json"

    @property
    def feed_links(self) -> tuple[FeedLink, ...]:
        """Its feeds, for <link rel="alternate"> autodiscovery."""
        return (
            FeedLink(f"{self.feed_title} (Atom)", self.atom, ATOM_TYPE),
            FeedLink(f"{self.feed_title} (RSS)", self.rss, RSS_TYPE),
            FeedLink(f"{self.feed_title} (JSON Feed)", self.json, JSON_FEED_TYPE),
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A section's feeds as HTML, rendered once per build: its <link> tags for <head>, its
    item for the "Subscribe" list."""

    section: Section
    head_html: Markup
    item_html: Markup

    def __getattr__(self, name: str) -> Any:
        # A site's own templates may ask a subscription for its section's name, kind...
        return getattr(self.section, name)

    def __dir__(self) -> list[str]:
        return sorted({*object.__dir__(self), *dir(self.section)})  # as it answers

    def __repr__(self) -> str:
        return f"<subscription {self.section.key}>"  # as a section's (above)


class SiteView:
    """`site` in templates: the settings, and every published statement, type, tag and year."""

    _COLLECTIONS = frozenset({"entries", "types", "tags", "languages", "years"})

    def __init__(
        self,
        config: SiteConfig,
        entries: tuple[Entry, ...],
        types: tuple[Section, ...],
        tags: tuple[Section, ...],
        languages: tuple[Section, ...],
        years: tuple[tuple[int, int], ...],
    ) -> None:
        self.config = config
        self.entries = entries  # newest first
        self.types = types
        self.tags = tags
        self.languages = languages  # when statements are in more than one language
        self.years = years  # (year, statements), newest first

    def __getattr__(self, name: str) -> Any:
        return getattr(self.config, name)

    def __dir__(self) -> list[str]:
        return sorted({*object.__dir__(self), *dir(self.config)})  # as it answers

    def url(self, path: str) -> str:
        return self.config.url(path)

    def __repr__(self) -> str:
        return "<site>"  # printed whole: not an address in memory, which differs every run


def dependency_of(obj: Any, attribute: str) -> str | None:
    """The dependency a template takes on when it reads `obj.attribute`."""
    kind = type(obj)
    if kind is Entry:
        return f"entry:{obj.id}"  # its key covers every field
    if kind is SiteView:
        return f"site:{attribute}" if attribute in SiteView._COLLECTIONS else "config"
    if kind is SiteConfig:
        return "config"
    if kind is Section:
        return f"section:{obj.key}:{attribute}"
    if kind is Subscription:
        return f"subscription:{obj.section.key}:{attribute}"
    return None  # a value inside one of those, covered by its owner's token


def fingerprint(value: Any) -> str:
    """A value as text that changes when what a template could show of it does: a
    statement, section or subscription by its identity (its contents are tokens of their
    own), anything else by its contents."""
    kind = type(value)
    if kind is str:  # most of a page's own variables: its address, the way to the root
        return repr(value)
    if kind is Entry:
        return f"entry:{value.id}"
    if kind is Section or kind is Subscription:
        return f"section:{value.key}" if kind is Section else f"subscription:{value.section.key}"
    if kind is SiteView:
        return "site"
    if kind in (tuple, list):  # most often statements: a feed's, a section's, a page's
        items = ["entry:" + item.id if type(item) is Entry else fingerprint(item) for item in value]
        return "[" + ",".join(items) + "]"
    if kind is dict:
        return "{" + ",".join(f"{k!r}:{fingerprint(v)}" for k, v in sorted(value.items())) + "}"
    if kind is datetime:
        return value.isoformat()  # type: ignore[no-any-return]
    if callable(value) and hasattr(value, "__self__"):
        return f"method:{getattr(value, '__qualname__', '')}@{fingerprint(value.__self__)}"
    if hasattr(value, "__dataclass_fields__"):
        names = value.__dataclass_fields__
        return f"{kind.__name__}(" + ",".join(fingerprint(getattr(value, n)) for n in names) + ")"
    return repr(value)

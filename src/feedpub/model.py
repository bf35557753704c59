"""The site as data: frozen, sorted once, with time-zone-aware datetimes. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

# Languages written right to left (primary subtags, BCP 47).
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Publisher:
    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """feedpub.yaml, validated."""

    title: str
    base_url: str  # absolute, ends in '/'
    description: str
    language: str
    timezone_name: str
    timezone: tzinfo
    publisher: Publisher
    feed_limit: int
    id_authority: str  # RFC 4151 taggingEntity: "example.org,2021"
    icon: str | None = None  # absolute URLs; a path in feedpub.yaml is made absolute
    logo: str | None = None
    rights: str | None = None
    websub_hubs: tuple[str, ...] = ()  # named in every subscription feed; `feedpub ping` tells them

    def url(self, path: str) -> str:
        """Return the absolute URL of a path inside public/ ('' is the home page)."""
        return self.base_url + path


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file kept beside an entry, copied next to its page and enclosed in its feed items."""

    name: str  # its file name, in entries/ and in the page's folder
    title: str
    media_type: str
    length: int  # bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """A dated change to a published statement, with a one-line note for readers."""

    at: datetime
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdrawal:
    """A statement taken back: its page stays, with this notice."""

    at: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One statement, validated and with its body rendered to safe HTML."""

    source: str  # path shown to users, e.g. entries/2021-11-05-rates.yaml
    slug: str
    id: str
    title: str
    published: datetime
    updated: datetime  # equals `published` unless a correction was dated
    type: str
    type_slug: str
    bylines: tuple[str, ...]
    tags: tuple[str, ...]
    tag_slugs: tuple[str, ...]  # tags[i] is published under tags/<tag_slugs[i]>/
    summary: str
    body_html: str  # safe HTML; links as written, for the statement's own page
    feed_html: str  # the same with relative links made absolute, for feed readers
    path: str  # URL path of its page inside public/, e.g. 2021/11/05/rates/
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None  # BCP 47, when it differs from the site's
    key: str = ""  # changes whenever the source file or what compiling it depends on does
    corrections: tuple[Correction, ...] = ()  # oldest first
    withdrawn: Withdrawal | None = None
    draft: bool = False

    @property
    def is_updated(self) -> bool:
        return self.updated > self.published

    @property
    def direction(self) -> str:
        """'rtl' for a statement in a right-to-left language; else the browser decides."""
        primary = (self.language or "").split("-")[0].lower()
        return "rtl" if primary in RTL_LANGUAGES else "auto"

    @property
    def feed_title(self) -> str:
        """The title feed readers list; a withdrawn statement says so before it is opened."""
        return f"[Withdrawn] {self.title}" if self.withdrawn else self.title

    @property
    def tag_links(self) -> tuple[tuple[str, str], ...]:
        """(tag, slug) pairs, for templates."""
        return tuple(zip(self.tags, self.tag_slugs, strict=True))


def sort_key(entry: Entry) -> tuple[float, str]:
    """Newest first; ties broken by id so the order never depends on the file system."""
    return (-entry.published.timestamp(), entry.id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    config: SiteConfig
    entries: tuple[Entry, ...]  # published statements, newest first
    drafts: tuple[Entry, ...] = ()  # checked, never published
    held: tuple[Entry, ...] = ()  # under embargo: dated after "now", soonest first
    entries_dir: Path | None = None  # where attachments are read from

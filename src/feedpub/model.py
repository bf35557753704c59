"""The site as data: frozen, sorted once, with time-zone-aware datetimes. No I/O here."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import ClassVar

from feedpub.errors import Problem
from feedpub.pickled import across_processes

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
class Accent:
    """The office's accent colour, as given (light scheme), and as made readable on the
    dark scheme's background."""

    light: str  # '#0b4fb3'
    dark: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SectionAlias:
    """A type or tag renamed: its old addresses keep serving the renamed section's feeds."""

    kind: str  # "type" or "tag"
    old: str  # the name it had
    new: str  # the name it has now
    at: tuple[int, int]  # where feedpub.yaml says so


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
    section_aliases: tuple[SectionAlias, ...] = ()
    websub_hubs: tuple[str, ...] = ()  # named in every subscription feed; `feedpub ping` tells them
    accent_color: Accent | None = None  # links and the header rule, checked for contrast
    # Page text: language -> message id -> text (or CLDR plural category -> text).
    messages: Mapping[str, Mapping[str, str | Mapping[str, str]]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """Return the absolute URL of a path inside public/ ('' is the home page)."""
        return self.base_url + path


@across_processes
@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file kept beside an entry, copied next to its page and enclosed in its feed items."""

    name: str  # its file name, in entries/ and in the page's folder
    title: str
    media_type: str
    length: int  # bytes


@across_processes
@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """A dated change to a published statement, with a one-line note for readers."""

    at: datetime
    note: str


@across_processes
@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """A media contact for a statement: whom journalists call or write to."""

    name: str
    email: str | None = None
    phone: str | None = None

    @property
    def phone_uri(self) -> str | None:
        """RFC 3966 tel: URI of the phone number: '+44 20 7946 0000' -> 'tel:+442079460000'."""
        if self.phone is None:
            return None
        return "tel:" + "".join(c for c in self.phone if c.isdigit() or c == "+")


@across_processes
@dataclass(frozen=True, slots=True, kw_only=True)
class Withdrawal:
    """A statement taken back: its page stays, with this notice."""

    at: datetime
    reason: str


@across_processes
@dataclass(frozen=True, slots=True, kw_only=True)
class Removal:
    """A statement removed for a lawful reason (a court order, personal data): its address
    keeps a short page saying so, and every feed and archive drops it."""

    at: datetime
    reason: str


@across_processes
@dataclass(frozen=True, slots=True)
class Body:
    """A statement's body as safe HTML: in memory when just compiled, else a place in the
    build cache's body store, read when a page or feed needs it. Bodies are most of a
    site's bytes; 100,000 of them held at once would not fit the memory a build may use."""

    html_text: str | None = None  # links as written, for the statement's own page
    absolute_text: str | None = None  # relative links made absolute, for feed readers
    stored: tuple[str, int, int, int] | None = None  # (segment file, offset, html, absolute)

    def __repr__(self) -> str:
        # A template printing it ({{ entry.body }}) gets this, not where this machine keeps
        # the build cache: a page's bytes never depend on that.
        return "<statement body>"

    @property
    def html(self) -> str:
        if self.stored is not None:
            return _read_stored(self.stored)[0]
        return self.html_text or ""

    @property
    def absolute(self) -> str:
        if self.stored is not None:
            return _read_stored(self.stored)[1]
        return self.absolute_text or ""


_SEGMENTS: dict[tuple[int, str], int] = {}  # open segments, by process and path


def close_segment(segment: str) -> None:
    """Close this process's handle on a segment about to be deleted (feedpub serve rebuilds
    for hours: its handles must not pile up)."""
    handle = _SEGMENTS.pop((os.getpid(), segment), None)
    if handle is not None:
        os.close(handle)


def _read_stored(where: tuple[str, int, int, int]) -> tuple[str, str]:
    segment, offset, html_size, absolute_size = where
    # One open file per segment and process (a forked worker opens its own): a build
    # reads thousands of bodies from a handful of segments, each in one system call.
    handle = _SEGMENTS.get((os.getpid(), segment))
    if handle is None:
        handle = os.open(segment, os.O_RDONLY | os.O_CLOEXEC)
        _SEGMENTS[(os.getpid(), segment)] = handle
    size = html_size + absolute_size
    data = _read_at(handle, size, offset)
    while len(data) < size and (more := _read_at(handle, size - len(data), offset + len(data))):
        data += more  # (a regular file gives all at once, but a read may be short)
    html = data[:html_size].decode()
    # An absolute body equal to the body is stored once, as length 0.
    return html, (data[html_size:].decode() if absolute_size else html)


def _read_at(handle: int, size: int, offset: int) -> bytes:
    if not hasattr(os, "pread"):  # pragma: no cover - Windows has no pread
        os.lseek(handle, offset, os.SEEK_SET)
        return os.read(handle, size)
    return os.pread(handle, size, offset)


@across_processes
@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One statement, validated and with its body rendered to safe HTML."""

    # What many statements of a site hold the same, shared as one object by all of them
    # when read (see stored.py and validate.share_repeated).
    REPEATED: ClassVar[tuple[str, ...]] = (
        "type",
        "type_slug",
        "language",
        "bylines",
        "tags",
        "tag_slugs",
    )

    source: str  # path shown to users, e.g. entries/2021-11-05-rates.yaml
    slug: str
    id: str  # as written (or derived): RSS's guid and JSON Feed's id
    atom_id: str  # the same when it is an IRI; else a tag URI made from it (RFC 4287 §4.2.6)
    title: str
    published: datetime
    updated: datetime  # equals `published` unless a correction was dated
    type: str
    type_slug: str
    bylines: tuple[str, ...]
    tags: tuple[str, ...]
    tag_slugs: tuple[str, ...]  # tags[i] is published under tags/<tag_slugs[i]>/
    summary: str
    body: Body
    path: str  # URL path of its page inside public/, e.g. 2021/11/05/rates/
    attachments: tuple[Attachment, ...] = ()
    aliases: tuple[str, ...] = ()  # earlier paths of its page, each kept as a redirect
    aliases_at: tuple[tuple[int, int], ...] = ()  # where the file lists each, for messages
    translation_of: str | None = None  # the id of the statement this one translates
    language: str | None = None  # BCP 47, when it differs from the site's
    key: str = ""  # changes whenever the source file or what compiling it depends on does
    corrections: tuple[Correction, ...] = ()  # oldest first
    withdrawn: Withdrawal | None = None
    removed: Removal | None = None
    draft: bool = False
    has_time: bool = False  # `date:` gave a time of day, which its page shows
    contacts: tuple[Contact, ...] = ()  # media contacts, shown after the body
    notes_html: str = ""  # notes to editors as safe HTML, links as written
    notes_absolute: str = ""  # the same with links made absolute, for feed readers
    # Links and images of the body that lead into the site, as paths inside public/, with
    # where each stands in the file: (path, line, column, outside). Checked once every page
    # is known. `outside`: on the site's host but outside its folder (`/2021/...` where the
    # site is served under /statements/), `path` then as if from the site's folder.
    site_links: tuple[tuple[str, int, int, bool], ...] = ()

    @property
    def body_html(self) -> str:
        """Safe HTML, links as written: for the statement's own page."""
        return self.body.html

    @property
    def body_absolute(self) -> str:
        """Safe HTML with relative links made absolute: for feed readers."""
        return self.body.absolute

    @property
    def is_updated(self) -> bool:
        return self.updated > self.published

    @property
    def direction(self) -> str:
        """'rtl' for a statement in a right-to-left language; else the browser decides."""
        primary = (self.language or "").split("-")[0].lower()
        return "rtl" if primary in RTL_LANGUAGES else "auto"

    @property
    def tag_links(self) -> tuple[tuple[str, str], ...]:
        """(tag, slug) pairs, for templates."""
        return tuple(zip(self.tags, self.tag_slugs, strict=True))

    @property
    def noted_corrections(self) -> tuple[Correction, ...]:
        """The corrections that say what changed, oldest first."""
        return tuple(c for c in self.corrections if c.note)

    def __repr__(self) -> str:
        # What a template printing a statement whole shows ({{ site.entries[0] }}, or a list
        # of them): its id, which is all a page's key is sure to cover of a statement it did
        # not read a field of, and nothing of where the build cache lives (see Body).
        return f"<statement {self.id}>"


def sort_key(entry: Entry) -> tuple[float, str]:
    """Newest first; ties broken by id so the order never depends on the file system."""
    return (-entry.published.timestamp(), entry.id)


def change_key(entry: Entry) -> tuple[float, float, str]:
    """Most recently changed first (published, corrected or withdrawn), then newest."""
    return (-entry.updated.timestamp(), -entry.published.timestamp(), entry.id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    config: SiteConfig
    entries: tuple[Entry, ...]  # published statements, newest first
    drafts: tuple[Entry, ...] = ()  # checked, never published
    held: tuple[Entry, ...] = ()  # under embargo: dated after "now", soonest first
    removed: tuple[Entry, ...] = ()  # published, then removed: a notice page, in no feed
    entries_dir: Path | None = None  # where attachments are read from


def site_of(
    config: SiteConfig, entries: Iterable[Entry], now: datetime, *, preview: bool = False
) -> Site:
    """The site `entries` make at `now`: drafts apart, those dated later held back (a
    `preview` publishes both), those removed lawfully apart, each in a build's order: what
    a build makes of the entries, and `check` of those that compile while others have
    problems (for a guard or a plan)."""
    published: list[Entry] = []
    held: list[Entry] = []
    drafts: list[Entry] = []
    removed: list[Entry] = []
    for entry in entries:
        if entry.draft and not preview:
            drafts.append(entry)
        elif entry.published > now and not preview:
            held.append(entry)
        else:
            (published if entry.removed is None else removed).append(entry)
    return Site(
        config=config,
        entries=tuple(sorted(published, key=sort_key)),
        drafts=tuple(drafts),
        held=tuple(sorted(held, key=lambda e: (e.published, e.id))),
        removed=tuple(sorted(removed, key=sort_key)),
    )


# What a build did: what its writing changed, and what `feedpub build` reports.


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int  # files whose bytes are new
    unchanged: int  # files left as they were
    removed: int  # files the site no longer has

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


@dataclass(frozen=True, slots=True)
class BuildResult:
    out: str
    report: WriteReport
    seconds: float
    statements: int
    drafts: int = 0
    held: tuple[datetime, ...] = ()  # release times of statements under embargo, soonest first
    warnings: list[Problem] = field(default_factory=list)

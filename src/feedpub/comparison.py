"""What the guard compares (see guard.py): each statement as its readers know it, at git
revision REV and in the working tree, and the settings on both sides."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import datetime

from feedpub.errors import Problem, Problems, Severity
from feedpub.gather import Project
from feedpub.listing import ENTRIES_DIR
from feedpub.load import read_document
from feedpub.model import Entry, SiteConfig
from feedpub.stamp import digest


@dataclass(frozen=True, slots=True)
class Section:
    """A type's or a tag's own pages and feeds, e.g. tags/energy/."""

    kind: str  # "type" or "tag"
    slug: str
    name: str  # as an entry spells it

    @property
    def folder(self) -> str:
        return f"{'types' if self.kind == 'type' else 'tags'}/{self.slug}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """What the guard knows of one entry: enough to tell what a reader would lose."""

    id: str
    title: str
    file: str  # its name in entries/
    path: str  # its page inside public/, e.g. 2021/11/05/rates/
    published: datetime
    draft: bool
    sections: tuple[Section, ...]
    aliases: tuple[str, ...] = ()  # earlier paths of its page, each kept as a redirect
    removed: bool = False  # removed for a lawful reason: a notice stays at its address
    updated: datetime | None = None  # its last change (a correction), if after `published`
    withdrawn: datetime | None = None  # when it was withdrawn
    reason: str = ""  # why, as its notice tells readers
    language: str | None = None  # when it differs from the site's
    attachments: tuple[str, ...] = ()  # file names, beside its page
    corrected: tuple[datetime, ...] = ()  # the dates of its corrections, the last one's too
    notes: tuple[str, ...] = ()  # what each of them said, as `corrected`
    # What readers are shown of it (title, body, attachments), as a digest: made as REV's
    # entry is compiled (`text=True`: an entry whose file changed), else from `entry` when
    # asked (`shown`), for the working tree's few whose file changed.
    text: str = ""
    entry: Entry | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, entry: Entry, *, text: bool = False) -> Statement:
        sections = [Section("type", entry.type_slug, entry.type)]
        sections += [Section("tag", slug, tag) for tag, slug in entry.tag_links]
        return cls(
            id=entry.id,
            title=entry.title,
            file=entry.source.rsplit("/", 1)[-1],
            path=entry.path,
            published=entry.published,
            draft=entry.draft,
            sections=tuple(sections),
            aliases=entry.aliases,
            removed=entry.removed is not None,
            updated=entry.updated if entry.updated > entry.published else None,
            withdrawn=entry.withdrawn.at if entry.withdrawn else None,
            reason=entry.withdrawn.reason if entry.withdrawn else "",
            language=entry.language,
            attachments=tuple(a.name for a in entry.attachments),
            corrected=tuple(c.at for c in entry.corrections),
            notes=tuple(c.note for c in entry.corrections),
            text=_text(entry) if text else "",
            entry=None if text else entry,
        )

    @property
    def shown(self) -> str:
        """The digest of what readers are shown of it (see `text`)."""
        return self.text or (_text(self.entry) if self.entry is not None else "")

    @property
    def changed(self) -> datetime:
        """Its time of last change: its publication, last correction or withdrawal."""
        return max(t for t in (self.published, self.updated, self.withdrawn) if t is not None)

    @property
    def times(self) -> tuple[datetime | None, ...]:
        """Its times readers are given: a new time zone may move any written without an
        offset."""
        return (self.published, self.updated, self.withdrawn, *self.corrected)

    def is_published(self, now: datetime) -> bool:
        return not self.draft and not self.removed and self.published <= now

    def has_page(self, now: datetime) -> bool:
        """A published or removed statement has a page (its text, or the removal notice)."""
        return not self.draft and self.published <= now

    @property
    def named(self) -> str:
        return f"{self.title!r} ({self.id})"


@dataclass(frozen=True, slots=True)
class Comparison:
    """The two sides: statements published at `rev`, and every valid entry now."""

    project: Project
    rev: str  # as the user gave it, for messages
    now: datetime
    before: dict[str, Statement]  # published at rev, by id
    after: dict[str, Statement]  # in the working tree (drafts and embargoed too), by id
    renamed: dict[str, str] = field(default_factory=dict)  # file at rev -> its name now
    aliased: frozenset[tuple[str, str]] = frozenset()  # (kind, old slug): section_aliases
    archived: dict[str, str] = field(default_factory=dict)  # id -> archive, if in no feed
    config: SiteConfig | None = None  # the working tree's
    limit: int = 0  # feed_limit at rev
    earlier: SiteConfig | None = None  # the settings at rev
    gone: dict[str, Statement] = field(default_factory=dict)  # removed at rev, by id
    # Published statements a new time zone moved (a time written without an offset): said
    # once, at the setting, not at each (0 when the zone, or only its name, is the same).
    zone_moved: int = 0
    replaced: frozenset[str] = frozenset()  # attachments at rev whose bytes changed since

    @property
    def after_files(self) -> dict[str, Statement]:
        return {s.file: s for s in self.after.values()}

    def shown(self, file: str) -> str:
        return self.project.show(f"{ENTRIES_DIR}/{file}")

    def restore(self, file: str) -> str:
        """The command that brings back entry `file` as REV holds it, quoted for a shell: a
        revision may be a tag named `v1;$(id)`, a site's folder may hold a space."""
        return f"git checkout {shlex.quote(self.rev)} -- {shlex.quote(self.shown(file))}"

    def position(self, file: str, name: str) -> tuple[int, int]:
        """Where field `name` stands in the working tree's entry `file` ((0, 0) if absent)."""
        return self.field_at(f"{ENTRIES_DIR}/{file}", name)

    def field_at(self, rel: str, name: str) -> tuple[int, int]:
        return field_at(self.project, rel, name)

    def problem(self, file: str, name: str, message: str, *, warning: bool = False) -> Problem:
        line, column = self.position(file, name)
        where = {"line": line, "column": column} if line else {}  # else 1:1
        severity = Severity.WARNING if warning else Severity.ERROR
        shown = self.shown(file)
        return Problem(path=shown, **where, field=name, message=message, severity=severity)


def _text(entry: Entry) -> str:
    attachments = "\n".join(a.name for a in entry.attachments)
    return digest("\0".join((entry.title, entry.body_html, attachments)))


def field_at(project: Project, rel: str, name: str) -> tuple[int, int]:
    """Where field `name` stands in the site's file `rel` ((0, 0) if absent)."""
    try:
        data = (project.root / rel).read_bytes()
    except OSError:
        return (0, 0)
    document = read_document(project.show(rel), data, Problems())
    found = document.fields.get(name) if document else None
    return (found.line, found.column) if found else (0, 0)

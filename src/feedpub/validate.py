"""One entry file -> Entry: its fields (declared in entryfields.ENTRY_FIELDS) read with every
problem in the file reported together, then its dates, names and body checked and rendered."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import quote

from feedpub import invisible, sitepaths, values
from feedpub.attachments import listed_files
from feedpub.bodymap import body_position, find_site_links, report_removals
from feedpub.entryfields import ENTRY_FIELDS, EntryContext
from feedpub.errors import Problem, Problems
from feedpub.fields import read_fields
from feedpub.load import Document, SequenceNode, node_position, read_document
from feedpub.markup import Body, absolute_links, render_markdown
from feedpub.measure import BodyRefused
from feedpub.model import Body as EntryBody
from feedpub.model import Correction, Entry, Removal, SiteConfig, Withdrawal
from feedpub.pickled import across_processes
from feedpub.plaintext import NOTHING_SHOWN, shows_nothing
from feedpub.slug import is_device_name, slugify
from feedpub.times import Moment

FILE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml")
# A name with its date, then anything (after a hyphen, a space or an underscore).
_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})[-_ ]+(.+)\.yaml")
MAX_SLUG = 80
# What `feedpub new` writes as the body: refused outside drafts, so it is never published.
PLACEHOLDER_BODY = "Write the statement here, in Markdown. Leave a blank line between paragraphs."


def placeholder_body(config: SiteConfig) -> str:
    """The body `feedpub new` writes: PLACEHOLDER_BODY in the site's language when feedpub
    has words in it (a French office is asked in French), or as the site words it in its
    `messages:`."""
    from feedpub.messages import page_text  # Babel: not for compiling an English site

    # The message again as a literal, for the catalogues' extraction (test_languages).
    return page_text(config, config.language).gettext(
        "Write the statement here, in Markdown. Leave a blank line between paragraphs."
    )


def is_placeholder(body: str, config: SiteConfig) -> bool:
    """Whether `body` is still a text `feedpub new` writes, in any language feedpub has words
    in or as the site words it: a draft written before the site's language changed, or
    while feedpub.yaml had a problem, is caught too. Spaces and line breaks, which an
    editor may rewrap, and the form of accented letters, which it may decompose, aside."""
    if len(body) > _LONGEST_PLACEHOLDER:
        return False
    text = _normal(body)
    for words in config.messages.values():
        worded = words.get(PLACEHOLDER_BODY)
        if isinstance(worded, str) and _normal(worded) == text:
            return True
    # Every catalogue's names Markdown (test_languages): the catalogues are read only then.
    return "Markdown" in text and text in _placeholders()


_LONGEST_PLACEHOLDER = 2000


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


@functools.cache
def _placeholders() -> frozenset[str]:
    """PLACEHOLDER_BODY in English and in each language feedpub has a catalogue for."""
    from feedpub.messages import catalogue_languages, text_in

    languages = catalogue_languages()
    return frozenset(_normal(text_in(lang, {}).gettext(PLACEHOLDER_BODY)) for lang in languages)


def entry_id(config: SiteConfig, stem: str) -> str:
    """Derive a permanent tag URI (RFC 4151) from the site's authority and the file's stem."""
    return f"tag:{config.id_authority}:{stem}"


def atom_id(config: SiteConfig, identifier: str) -> str:
    """Atom's id must be an IRI (RFC 4287 §4.2.6): a plain id carried over from an RSS feed
    keeps its value in RSS and JSON Feed, and Atom gets a tag URI made from it."""
    if values.is_iri(identifier):
        return identifier
    return f"tag:{config.id_authority}:id:{quote(identifier, safe='')}"


def check_file_name(shown: str, name: str, problems: Problems) -> tuple[date, str] | None:
    """Return the date and slug that an entry's file name promises, or report why not."""
    m = FILE_NAME.fullmatch(name)
    if m is None:
        # The name `feedpub new` would give it (2026-10-03-Bayan.yaml, a title in Arabic).
        loose = _DATED.fullmatch(name)
        slug = slugify(loose.group(2), MAX_SLUG) if loose and _is_date(loose.group(1)) else ""
        fix = f": rename it {loose.group(1)}-{slug}.yaml" if loose and slug else ""
        problems.add(
            shown,
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens"
            + (fix or " (for example 2021-11-05-joint-statement.yaml)"),
        )
        return None
    year, month, day, slug = m.groups()
    try:
        named = date(int(year), int(month), int(day))
    except ValueError:
        problems.add(shown, f"file name holds {year}-{month}-{day}, which is not a real date")
        return None
    if len(slug) > MAX_SLUG:
        problems.add(shown, f"slug is {len(slug)} characters long; at most {MAX_SLUG} are allowed")
        return None
    if is_device_name(slug):
        reason = sitepaths.DEVICE_NAME_REASON
        problems.add(shown, f"slug {slug!r} names its page's folder: {reason}")
        return None
    return named, slug


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@across_processes
@dataclass(frozen=True, slots=True)
class Compiled:
    """What one entry file gave: the entry (None if invalid), its problems, where its fields
    stand (for messages that come later, from checks across entries)."""

    # Read from the cache when first asked (stored.Lazy): few messages need a position.
    LAZY: ClassVar[tuple[str, ...]] = ("positions",)

    entry: Entry | None
    problems: list[Problem]
    positions: Mapping[str, tuple[int, int]] = dataclass_field(default_factory=dict)
    key: str = ""
    # The files an invalid entry lists under attachments, refused or not (see across.py).
    listed: tuple[str, ...] = ()

    def at(self, name: str) -> tuple[int, int]:
        return self.positions.get(name, (1, 1))


def share_repeated(entries: list[Entry], table: dict[Any, Any]) -> None:
    """Make each value that statements repeat (Entry.REPEATED, and the cache file their
    bodies are stored in) one object, shared by all of them. Each one a worker sends back
    is a copy of its own: at 100,000 statements, about 55 MB of copies (and pages a forked
    worker copies in turn as it reads them). Those read from the cache are shared as they
    are read (stored.py). `table` holds the values shared so far."""
    for entry in entries:
        for name in Entry.REPEATED:
            value = getattr(entry, name)
            try:
                if type(value) is tuple:
                    value = tuple([table.setdefault(item, item) for item in value])
                value = table.setdefault(value, value)
            except TypeError:  # unhashable: only a planted cache line holds one; kept as is
                continue
            # Equal values only: the frozen dataclass's fields are set as its __init__ does.
            object.__setattr__(entry, name, value)
        stored = entry.body.stored
        if stored is not None:
            segment = table.setdefault(stored[0], stored[0])
            object.__setattr__(entry.body, "stored", (segment, stored[1], stored[2], stored[3]))


def compile_entry(
    shown: str,
    name: str,
    data: bytes,
    config: SiteConfig,
    available: Mapping[str, int] | None = None,
    key: str = "",
    store: Callable[[str, str], EntryBody] = EntryBody,
) -> Compiled:
    """Read, validate and render one entry file; pure but for `store`, so it can run in
    any process.

    `available` names the other files in entries/ (with their sizes) it may attach; `key`
    identifies these inputs, for the build cache; `store` keeps the body's HTML, as it is
    and with its links made absolute (by default in memory).
    """
    problems = Problems()
    named = check_file_name(shown, name, problems)
    document = read_document(shown, data, problems)
    if document is None:
        return Compiled(None, problems.items, key=key)
    # A bad file name does not hide the problems inside the file.
    found = read_fields(document, ENTRY_FIELDS, EntryContext(config, available or {}), problems)
    attachments = document.fields.get("attachments")
    listed = listed_files(attachments.value if attachments else None)
    if problems.errors or named is None:
        return Compiled(None, problems.items, key=key, listed=listed)
    named_date, slug = named
    dates = _check_dates(document, found, named_date, config, problems)
    _check_slugs(document, found["type"], found["tags"], problems)
    if not found["draft"] and is_placeholder(found["body"], config):
        line, column = _at(document, "body")
        problems.add(
            shown,
            "is still the text `feedpub new` wrote; write the statement here, or put back"
            " 'draft: true' until it is ready",
            line=line,
            column=column,
            field="body",
        )
    source = found.pop("body")
    try:
        body: Body = render_markdown(source)
    except BodyRefused as exc:
        line, column = body_position(document, source, exc.offset)
        problems.add(document.path, exc.message, line=line, column=column, field="body")
        return Compiled(None, problems.items, key=key, listed=listed)
    report_removals(document, body, problems)
    # A summary seen (less the ellipsis shortening adds) is text of the body: seen too.
    seen = body.summary.removesuffix("…")
    if (not seen or invisible.shows_nothing(seen)) and shows_nothing(body.html):
        line, column = _at(document, "body")
        problems.add(shown, NOTHING_SHOWN, line=line, column=column, field="body")
    notes: Body | None = found.pop("notes_to_editors")
    if notes is not None:
        report_removals(document, notes, problems, "notes_to_editors")
    page = f"{named_date:%Y/%m/%d}/{slug}/"
    site_links = find_site_links(document, body.html, config.url(page), config.base_url)
    positions = {
        field: _at(document, field)
        for field in ("id", "date", "aliases", "language", "translation_of", "type")
    }
    dated = ("updated", "corrections", "withdrawn", "removed")  # checked against now
    positions.update({f: _at(document, f) for f in dated if f in document.fields})
    for listed_field in ("tags", "aliases"):  # each item where it stands, for messages
        found_field = document.fields.get(listed_field)
        if found_field is not None and isinstance(found_field.value, SequenceNode):
            for number, node in enumerate(found_field.value.value):
                positions[f"{listed_field}.{number}"] = node_position(node, (1, 1))
    if problems.errors or dates is None:
        return Compiled(None, problems.items, positions, key, listed)
    path = f"{named_date:%Y/%m/%d}/{slug}/"
    published, updated, corrections = dates
    has_time = found["date"].has_time
    # What the fields say becomes the entry as it is; the rest is made from it here.
    for made_here in ("date", "updated", "change_note", "corrections"):
        del found[made_here]
    identifier = found.pop("id") or entry_id(config, name.removesuffix(".yaml"))
    summary = found.pop("summary") or body.summary
    entry = Entry(
        **found,
        source=shown,
        slug=slug,
        id=identifier,
        atom_id=atom_id(config, identifier),
        published=published,
        updated=updated,
        corrections=corrections,
        type_slug=slugify(found["type"]),
        tag_slugs=tuple(slugify(t) for t in found["tags"]),
        summary=summary,
        body=store(body.html, absolute_links(body.html, config.url(path))),
        path=path,
        site_links=site_links,
        aliases_at=tuple(
            positions.get(f"aliases.{n}", positions["aliases"])
            for n in range(len(found["aliases"]))
        ),
        key=key,
        has_time=has_time,
        notes_html=notes.html if notes else "",
        notes_absolute=absolute_links(notes.html, config.url(path)) if notes else "",
    )
    return Compiled(entry, problems.items, positions, key)


def _check_dates(
    document: Document,
    found: dict[str, Any],
    named_date: date,
    config: SiteConfig,
    problems: Problems,
) -> tuple[datetime, datetime, tuple[Correction, ...]] | None:
    """Published, last updated and the corrections, each checked against the date."""
    published: Moment = found["date"]
    before = len(problems.errors)

    def report(field: str, message: str) -> None:
        line, column = _at(document, field)
        problems.add(document.path, message, line=line, column=column, field=field)

    # An unknown zone (feedpub.yaml broken) cannot say which day a time falls on.
    if config.timezone_name and published.at.date() != named_date:
        local = published.at.date().isoformat()
        if published.has_time:
            local += f" (in {config.timezone_name})"
        name = document.path.rpartition("/")[2]
        renamed = f"{published.at.date().isoformat()}{name[10:]}"
        report(
            "date",
            f"{local} does not match the date in the file name ({named_date}): correct the"
            f" date, or rename the file {renamed}",
        )
    corrections = list(found["corrections"])
    updated: Moment | None = found["updated"]
    if updated is not None:
        corrections.append(Correction(at=updated.at, note=found["change_note"] or ""))
    elif found["change_note"] is not None:
        report("change_note", "needs an updated date: add updated: with the correction's date")
    # A change dated at the statement's own moment (the day alone, for a statement of that
    # day) would not move its updated time: readers would never be told of it.
    for correction in corrections:
        if correction.at <= published.at:
            from_updated = updated is not None and correction is corrections[-1]
            same_day = (  # updated: 2021-11-05 for a statement of that day at 10:00
                from_updated
                and updated is not None
                and not updated.has_time
                and correction.at.date() == published.at.date()
            )
            report(
                "updated" if from_updated else "corrections",
                _not_after(correction.at, published.at)
                + (f"; give its time of day too, after {published.at:%H:%M}" if same_day else ""),
            )
    corrections.sort(key=lambda c: c.at)
    if updated is not None and corrections[-1].at != updated.at:
        report(
            "updated",
            "must be the latest correction; a correction listed under corrections is later",
        )
    withdrawn: Withdrawal | None = found["withdrawn"]
    if withdrawn is not None and withdrawn.at <= published.at:
        same_day = withdrawn.at.date() == published.at.date()
        report(
            "withdrawn",
            _not_after(withdrawn.at, published.at)
            + (f"; give the time it was withdrawn, after {published.at:%H:%M}" if same_day else ""),
        )
    removed: Removal | None = found["removed"]
    if removed is not None and removed.at < published.at:
        report("removed", f"{removed.at.isoformat()} is before the date {published.at.isoformat()}")
    if len(problems.errors) > before:
        return None
    last = max([published.at] + [c.at for c in corrections] + ([withdrawn.at] if withdrawn else []))
    return published.at, last, tuple(corrections)


def _not_after(at: datetime, published: datetime) -> str:
    if at < published:
        return f"{at.isoformat()} is before the date {published.isoformat()}"
    return f"{at.isoformat()} is the statement's own date, and a change must come after it"


def _at(document: Document, name: str) -> tuple[int, int]:
    """Where a field's value starts (its key when the value was refused), or 1:1."""
    field = document.fields.get(name)
    if field is None:
        return (1, 1)
    return node_position(field.value, (field.line, field.column))


def _check_slugs(
    document: Document, entry_type: str, tags: tuple[str, ...], problems: Problems
) -> None:
    """A type or tag needs letters or digits that survive in a URL; two tags, one URL."""
    by_slug: dict[str, str] = {}
    for name, field_name, value in [("type", "type", entry_type)] + [
        ("tag", "tags", t) for t in tags
    ]:
        slug = slugify(value)
        field = document.fields.get(field_name)
        line, column = (field.line, field.column) if field else (1, 1)
        if not slug:
            problems.add(
                document.path,
                f"{name} {value!r} has no letter or digit to make its web address from",
                line=line,
                column=column,
                field=field_name,
            )
        elif name == "tag" and slug in by_slug:
            problems.add(
                document.path,
                f"tags {by_slug[slug]!r} and {value!r} would share one address, tags/{slug}/",
                line=line,
                column=column,
                field=field_name,
            )
        if name == "tag":
            by_slug.setdefault(slug, value)

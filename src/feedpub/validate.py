"""Entry files -> Entry: each file's fields declared once and read with every problem in the
file reported together; then the checks across entries (ids, addresses, shared names)."""

from __future__ import annotations

import bisect
import html as htmllib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from feedpub import values
from feedpub.errors import Problem, Problems, Severity
from feedpub.fields import FieldSpec, Limits, read_fields
from feedpub.load import (
    Document,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    describe_character,
    describe_node,
    read_document,
)
from feedpub.markup import Body, BodyTooComplex, absolute_links, render_markdown, url_scheme
from feedpub.model import (
    Attachment,
    Contact,
    Correction,
    Entry,
    Removal,
    SiteConfig,
    Withdrawal,
)
from feedpub.model import Body as EntryBody
from feedpub.read import MAX_FILE_BYTES
from feedpub.slug import is_device_name, slugify
from feedpub.values import Invalid, Moment, fail

FILE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml")
MAX_SLUG = 80
DEFAULT_TYPE = "Statement"
# What `feedpub new` writes as the body: refused outside drafts, so it is never published.
PLACEHOLDER_BODY = "Write the statement here, in Markdown. Leave a blank line between paragraphs."


# Media types by extension, fixed here so the output never depends on the machine's
# mime.types. HTML, SVG, XML and scripts are left out on purpose: opened from the site's
# address they could run script there.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "txt": "text/plain",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "zip": "application/zip",
}
_ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class _Context:
    config: SiteConfig
    available: Mapping[str, int]  # files beside the entries (not entries), by name: size


def _title(node: Node, ctx: _Context, limits: Limits) -> str:
    return values.text(node, max_length=limits["length"])


def _date(node: Node, ctx: _Context, limits: Limits | None = None) -> Moment:
    return values.moment(node, ctx.config.timezone, ctx.config.timezone_name)


def _name(value: str) -> str:
    """A type's or tag's name, one line, in NFC: the same word typed on a Mac (which may
    decompose É into E and a combining accent) and elsewhere is one name, not two that
    would share an address."""
    return unicodedata.normalize("NFC", values.one_line(value))


def _type(node: Node, ctx: _Context, limits: Limits) -> str:
    value = _name(values.text(node, max_length=limits["length"]))
    if not any(character.isalnum() for character in value):  # any script: بيان, Заявление
        fail(f"must contain a letter or a digit, got {value!r}", node)
    return value


def _bylines(node: Node, ctx: _Context, limits: Limits) -> tuple[str, ...]:
    return values.text_list(
        node, max_items=limits["names"], max_length=limits["length"], single_allowed=True
    )


def _markdown(node: Node) -> str:
    """Markdown text, which only a `|` block keeps as written when it spans lines."""
    value = values.text(node, max_length=MAX_FILE_BYTES, single_line=False)
    if (
        isinstance(node, ScalarNode)
        and node.style != "|"
        and node.end_mark.line > node.start_mark.line
    ):
        style = {">": "'>'", "'": "quotes", '"': "quotes"}.get(node.style or "", "")
        why = f"with {style}, YAML" if style else "without it, YAML"
        fail(
            f"text on several lines must be a block: write '|' after the colon and indent"
            f" the lines below it; {why} joins the lines and the paragraphs are lost",
        )
    return value


def _body(node: Node, ctx: _Context, limits: Limits) -> str:
    return _markdown(node)


def _notes(node: Node, ctx: _Context, limits: Limits) -> Body:
    value = _markdown(node)
    if len(value) > limits["length"]:
        fail(f"is {len(value):,} characters long; at most {limits['length']:,} are allowed", node)
    try:
        return render_markdown(value, top=3)  # under the "Notes to editors" heading
    except BodyTooComplex as exc:
        fail(exc.message, node)


# A phone number as people write it: digits, spaces, and + ( ) - . /; 5 to 20 digits.
_PHONE = re.compile(r"\+?[0-9(][0-9 ()./-]*[0-9]")


def _phone(node: Node) -> str:
    # Read as written whatever YAML takes it for: +442079460000 is a number to YAML 1.1.
    if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
        fail(f"expected a phone number, got {describe_node(node)}", node)
    value = values.one_line(str(node.value))
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.fullmatch(value) or not 5 <= digits <= 20:
        fail(
            "expected a phone number such as +44 20 7946 0000 (digits, spaces and"
            f" + ( ) - .), got {value!r}",
            node,
        )
    return value


def _contact(node: Node, limits: Limits) -> Contact:
    readers = {
        "name": lambda n: values.one_line(values.text(n, max_length=limits["length"])),
        "email": values.email,
        "phone": _phone,
    }
    found: dict[str, str] = {}
    for name, key, value in values.mapping_items(values.mapping(node)):
        if name not in readers:
            fail(f"{name}: {values.unknown_field(name, readers)}", key)
        try:
            found[name] = readers[name](value)
        except Invalid as exc:
            fail(f"{name}: {exc.message}", exc.node or value)
    if "name" not in found:
        fail("name: required field is missing (whom to ask for)", node)
    if "email" not in found and "phone" not in found:
        fail("give an email, a phone, or both: how a journalist reaches the contact", node)
    return Contact(**found)


def _contacts(node: Node, ctx: _Context, limits: Limits) -> tuple[Contact, ...]:
    if not isinstance(node, SequenceNode):
        return (_contact(node, limits),)
    if len(node.value) > limits["contacts"]:
        fail(f"has {len(node.value):,} items; at most {limits['contacts']} are allowed", node)
    found = []
    for number, item in enumerate(node.value, 1):
        try:
            found.append(_contact(item, limits))
        except Invalid as exc:
            fail(f"item {number}: {exc.message}", exc.node or item)
    return tuple(found)


def _summary(node: Node, ctx: _Context, limits: Limits) -> str:
    value = values.text(node, max_length=limits["length"], single_line=False)
    if re.search(r"\n[ \t]*\n", value):
        fail("must be one paragraph (no blank lines)", node)
    return values.one_line(value)


def _tags(node: Node, ctx: _Context, limits: Limits) -> tuple[str, ...]:
    tags = tuple(
        _name(t)
        for t in values.text_list(node, max_items=limits["tags"], max_length=limits["length"])
    )
    seen: dict[str, str] = {}
    for tag in tags:
        key = tag.casefold()
        if key in seen:
            fail(f"{tag!r} is listed twice", node)
        seen[key] = tag
    return tags


def _attachments(node: Node, ctx: _Context, limits: Limits) -> tuple[Attachment, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of file names, got {describe_node(node)}", node)
    found: list[Attachment] = []
    for number, item in enumerate(node.value, 1):
        try:
            found.append(_attachment(item, ctx, limits))
        except Invalid as exc:
            fail(f"item {number}: {exc.message}", exc.node or item)
    seen: set[str] = set()
    for attachment, item in zip(found, node.value, strict=True):
        if attachment.name in seen:
            fail(f"{attachment.name!r} is listed twice", item)
        seen.add(attachment.name)
    return tuple(found)


def _attachment(node: Node, ctx: _Context, limits: Limits) -> Attachment:
    title = ""
    if isinstance(node, MappingNode):
        parts = {key: value for key, _, value in values.mapping_items(node)}
        unknown = sorted(set(parts) - {"file", "title"})
        if unknown:
            fail(f"{unknown[0]}: {values.unknown_field(unknown[0], ['file', 'title'])}", node)
        if "file" not in parts:
            fail("file: required field is missing", node)
        if "title" in parts:
            title = values.text(parts["title"], max_length=limits["title"])
        node = parts["file"]
    name = values.text(node, max_length=limits["name"])
    if not _ATTACHMENT_NAME.fullmatch(name):
        fail(
            f"{name!r} is not a plain file name (letters, digits, '.', '_', '-'; no folders)",
            node,
        )
    if is_device_name(name):
        fail(f"{name!r}: {values.DEVICE_NAME_REASON}", node)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in ("yaml", "yml"):
        fail(f"{name!r} is an entry file, not an attachment", node)
    media_type = MEDIA_TYPES.get(extension)
    if media_type is None:
        fail(
            f"{name!r}: cannot attach .{extension} files (HTML, SVG and scripts could run"
            " in a reader's browser); attach one of " + ", ".join(sorted(MEDIA_TYPES)),
            node,
        )
    size = ctx.available.get(name)
    if size is None:
        fail(f"{name!r} is not a file in entries/", node)
    if size > limits["megabytes"] * 1024 * 1024:
        most = limits["megabytes"]
        fail(f"{name!r} is {size:,} bytes; an attachment may be at most {most} MB", node)
    return Attachment(name=name, title=title or name, media_type=media_type, length=size)


def _note(node: Node, ctx: _Context, limits: Limits) -> str:
    return values.one_line(values.text(node, max_length=limits["length"]))


def _dated_note(node: Node, ctx: _Context, text_key: str, limits: Limits) -> tuple[datetime, str]:
    parts = {key: value for key, _, value in values.mapping_items(values.mapping(node))}
    for key in parts:
        if key not in ("date", text_key):
            fail(values.unknown_field(key, ["date", text_key]), node, key)
    for key in ("date", text_key):
        if key not in parts:
            fail("required field is missing", node, key)
    try:
        at = _date(parts["date"], ctx).at
    except Invalid as exc:
        raise Invalid(exc.message, exc.node, "date") from None
    try:
        note = values.one_line(values.text(parts[text_key], max_length=limits["length"]))
    except Invalid as exc:
        raise Invalid(exc.message, exc.node, text_key) from None
    return at, note


def _corrections(node: Node, ctx: _Context, limits: Limits) -> tuple[Correction, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of {{date: ..., note: ...}}, got {describe_node(node)}", node)
    found = []
    for number, item in enumerate(node.value, 1):
        try:
            at, note = _dated_note(item, ctx, "note", limits)
        except Invalid as exc:
            part = f".{exc.part}" if exc.part else ""
            fail(f"item {number}{part}: {exc.message}", exc.node or item)
        found.append(Correction(at=at, note=note))
    return tuple(found)


def _withdrawn(node: Node, ctx: _Context, limits: Limits) -> Withdrawal:
    at, reason = _dated_note(node, ctx, "reason", limits)
    return Withdrawal(at=at, reason=reason)


def _removed(node: Node, ctx: _Context, limits: Limits) -> Removal:
    at, reason = _dated_note(node, ctx, "reason", limits)
    return Removal(at=at, reason=reason)


def _id(node: Node, ctx: _Context, limits: Limits) -> str:
    return values.identifier(node, max_length=limits["length"])


def _aliases(node: Node, ctx: _Context, limits: Limits) -> tuple[str, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of earlier paths, got {describe_node(node)}", node)
    if len(node.value) > limits["aliases"]:
        fail(f"has {len(node.value):,} items; at most {limits['aliases']:,} are allowed", node)
    found: list[str] = []
    for number, item in enumerate(node.value, 1):
        try:
            path = values.site_path(item, max_length=limits["length"])
        except Invalid as exc:
            fail(f"item {number}: {exc.message}", exc.node or item)
        if path in found:
            fail(f"{path!r} is listed twice", item)
        found.append(path)
    return tuple(found)


def _language(node: Node, ctx: _Context, limits: Limits) -> str:
    return values.language(node)


def _draft(node: Node, ctx: _Context, limits: Limits) -> bool:
    return values.boolean(node)


def _optional_date(node: Node, ctx: _Context, limits: Limits) -> Moment:
    return _date(node, ctx)


ENTRY_FIELDS: tuple[FieldSpec[_Context], ...] = (
    FieldSpec(
        "title",
        _title,
        "non-empty text on one line; at most {length} characters",
        required=True,
        limits={"length": 300},
    ),
    FieldSpec(
        "date",
        _date,
        "`2021-11-05`, `2021-11-05T14:30` or `2021-11-05T14:30:00-05:00`."
        " Without an offset it is read in the site's time zone (a date alone is midnight"
        " there); a time the clocks skip or repeat needs an offset. It must fall on the"
        " date in the file name",
        required=True,
    ),
    FieldSpec(
        "type",
        _type,
        "the kind of release: `Statement`, `Release`, `Transcript`,"
        " `Advisory`...; default `Statement`; at most {length} characters",
        default=DEFAULT_TYPE,
        limits={"length": 60},
    ),
    FieldSpec(
        "byline",
        _bylines,
        "who issued it: one name or a list of at most {names} names,"
        " each at most {length} characters",
        default=(),
        attribute="bylines",
        limits={"names": 20, "length": 200},
    ),
    FieldSpec(
        "body",
        _body,
        "Markdown (CommonMark, with tables). Raw HTML is allowed but"
        " sanitised: what is removed is reported as a warning",
        required=True,
    ),
    FieldSpec(
        "summary",
        _summary,
        "one paragraph of plain text, at most {length} characters;"
        " default: the body's first paragraph, shortened to 300 characters",
        limits={"length": 1000},
    ),
    FieldSpec(
        "language",
        _language,
        "the statement's language (BCP 47) when it is not the"
        " site's, e.g. `ar`: set on its page, right to left where the language is, and"
        " in every feed",
    ),
    FieldSpec(
        "tags",
        _tags,
        "a list of at most {tags} texts, each at most {length} characters",
        default=(),
        limits={"tags": 50, "length": 60},
    ),
    FieldSpec(
        "id",
        _id,
        "the permanent id feed readers know the statement by: a URI such as"
        " `tag:statements.example.org,2021:rates` (`javascript:`, `data:`, `vbscript:`"
        " and `file:` are refused), or a plain id with no scheme carried over from an"
        " earlier feed (`12345`); at most {length} characters. Default: a tag URI"
        " (RFC 4151) from `id_authority` and the file name, which changes if the file is"
        " renamed; `feedpub new` writes it out",
        limits={"length": 500},
    ),
    FieldSpec(
        "aliases",
        _aliases,
        "earlier addresses of the statement's page, relative to"
        " `base_url`: folders such as `2021/11/05/old-slug/` or pages such as"
        " `news/123.html`; each becomes a page that redirects to the statement; at most"
        " {aliases}, each at most {length} characters",
        default=(),
        limits={"aliases": 20, "length": 300},
    ),
    FieldSpec(
        "translation_of",
        _id,
        "the id of the statement this one translates (with `language:` saying which"
        " language this one is in); every statement of a group links to the others; at most"
        " {length} characters",
        limits={"length": 500},
    ),
    FieldSpec("updated", _optional_date, "date-time of the last correction; not before `date`"),
    FieldSpec(
        "change_note",
        _note,
        "one line saying what the correction dated `updated` changed; at most {length} characters",
        limits={"length": 500},
    ),
    FieldSpec(
        "corrections",
        _corrections,
        "earlier corrections: a list of `{{date: ..., note: ...}}`, each note at most"
        " {length} characters",
        default=(),
        limits={"length": 500},
    ),
    FieldSpec(
        "withdrawn",
        _withdrawn,
        "`{{date: ..., reason: ...}}`: the statement was withdrawn; its page stays, with"
        " the notice; the reason at most {length} characters",
        limits={"length": 500},
    ),
    FieldSpec(
        "removed",
        _removed,
        "`{{date: ..., reason: ...}}`: the statement was removed for a lawful reason (a court"
        " order, personal data). Its address keeps a short page with the date and the reason,"
        " and no title or text; every feed, archive and list drops it. Copies already in"
        " readers stay. The reason at most {length} characters",
        limits={"length": 500},
    ),
    FieldSpec(
        "attachments",
        _attachments,
        "files kept beside the entry in `entries/` (a"
        " signed PDF, a photo): a list of file names, or of `{{file: ..., title: ...}}`."
        " Copied next to the statement's page and listed in every feed. PDF, images,"
        " audio, video, office documents, text, CSV and ZIP, each at most {megabytes} MB,"
        " its file name at most {name} characters and its title at most {title}; HTML,"
        " SVG and scripts are refused, since they could run script from the site's"
        " address",
        default=(),
        limits={"title": 300, "name": 120, "megabytes": 100},
    ),
    FieldSpec(
        "contact",
        _contacts,
        "the media contact, shown after the body and in every feed: `{{name: ...,"
        " email: ..., phone: ...}}` (an email, a phone or both), or a list of at most"
        " {contacts}; names at most {length} characters",
        default=(),
        attribute="contacts",
        limits={"contacts": 5, "length": 200},
    ),
    FieldSpec(
        "notes_to_editors",
        _notes,
        "background for journalists, in Markdown (a block, like `body`), shown after the body under"
        ' "Notes to editors" and in every feed; at most {length} characters',
        limits={"length": 20000},
    ),
    FieldSpec(
        "draft", _draft, "`true` or `false`; a draft is checked but never published", default=False
    ),
)


def limit(field: str, name: str) -> int:
    """A field's declared limit, such as limit("title", "length")."""
    return next(spec for spec in ENTRY_FIELDS if spec.name == field).limits[name]


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
        problems.add(
            shown,
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens (for example 2021-11-05-joint-statement.yaml)",
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
        problems.add(shown, f"slug {slug!r} names its page's folder: {values.DEVICE_NAME_REASON}")
        return None
    return named, slug


@dataclass(frozen=True, slots=True)
class Compiled:
    """What one entry file gave: the entry (None if invalid), its problems, where its fields
    stand (for messages that come later, from checks across entries)."""

    entry: Entry | None
    problems: list[Problem]
    positions: Mapping[str, tuple[int, int]] = dataclass_field(default_factory=dict)
    key: str = ""

    def at(self, name: str) -> tuple[int, int]:
        return self.positions.get(name, (1, 1))


def compile_entry(
    shown: str,
    name: str,
    data: bytes,
    config: SiteConfig,
    available: Mapping[str, int] | None = None,
    key: str = "",
) -> Compiled:
    """Read, validate and render one entry file; pure, so it can run in any process.

    `available` names the other files in entries/ (with their sizes) it may attach; `key`
    identifies these inputs, for the build cache.
    """
    problems = Problems()
    named = check_file_name(shown, name, problems)
    document = read_document(shown, data, problems)
    if document is None:
        return Compiled(None, problems.items, key=key)
    # A bad file name does not hide the problems inside the file.
    found = read_fields(document, ENTRY_FIELDS, _Context(config, available or {}), problems)
    if problems.errors or named is None:
        return Compiled(None, problems.items, key=key)
    named_date, slug = named
    dates = _check_dates(document, found, named_date, config, problems)
    _check_slugs(document, found["type"], found["tags"], problems)
    if not found["draft"] and found["body"] == PLACEHOLDER_BODY:
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
    except BodyTooComplex as exc:
        line, column = _body_position(document, source, exc.offset)
        problems.add(document.path, exc.message, line=line, column=column, field="body")
        return Compiled(None, problems.items, key=key)
    _report_removals(document, body, problems)
    notes: Body | None = found.pop("notes_to_editors")
    if notes is not None:
        _report_removals(document, notes, problems, "notes_to_editors")
    page = f"{named_date:%Y/%m/%d}/{slug}/"
    site_links = _site_links(document, body.html, config.url(page), config.base_url)
    positions = {
        field: _at(document, field)
        for field in ("id", "date", "aliases", "language", "translation_of", "type")
    }
    tags_field = document.fields.get("tags")
    if tags_field is not None and isinstance(tags_field.value, SequenceNode):
        for number, node in enumerate(tags_field.value.value):
            positions[f"tags.{number}"] = values.node_position(node, (1, 1))
    if problems.errors or dates is None:
        return Compiled(None, problems.items, positions, key)
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
        body=EntryBody(body.html, absolute_links(body.html, config.url(path))),
        path=path,
        site_links=site_links,
        aliases_at=positions["aliases"],
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
        report("date", f"{local} does not match the date in the file name ({named_date})")
    corrections = list(found["corrections"])
    updated: Moment | None = found["updated"]
    if updated is not None:
        corrections.append(Correction(at=updated.at, note=found["change_note"] or ""))
    elif found["change_note"] is not None:
        report("change_note", "needs an updated date: add updated: with the correction's date")
    for correction in corrections:
        if correction.at < published.at:
            from_updated = updated is not None and correction is corrections[-1]
            report(
                "updated" if from_updated else "corrections",
                f"{correction.at.isoformat()} is before the date {published.at.isoformat()}",
            )
    corrections.sort(key=lambda c: c.at)
    if updated is not None and corrections[-1].at != updated.at:
        report(
            "updated",
            "must be the latest correction; a correction listed under corrections is later",
        )
    withdrawn: Withdrawal | None = found["withdrawn"]
    if withdrawn is not None and withdrawn.at < published.at:
        report(
            "withdrawn", f"{withdrawn.at.isoformat()} is before the date {published.at.isoformat()}"
        )
    removed: Removal | None = found["removed"]
    if removed is not None and removed.at < published.at:
        report("removed", f"{removed.at.isoformat()} is before the date {published.at.isoformat()}")
    if len(problems.errors) > before:
        return None
    last = max([published.at] + [c.at for c in corrections] + ([withdrawn.at] if withdrawn else []))
    return published.at, last, tuple(corrections)


def _at(document: Document, name: str) -> tuple[int, int]:
    """Where a field's value starts (its key when the value was refused), or 1:1."""
    field = document.fields.get(name)
    if field is None:
        return (1, 1)
    return values.node_position(field.value, (field.line, field.column))


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


def _body_position(document: Document, body: str, offset: int) -> tuple[int, int]:
    """Where the character `offset` of the body (as read: stripped) stands in the file: exact
    in a `|` or `>` block, else (and for -1) where the body's value starts."""
    node = document.fields["body"].value
    assert node is not None  # the body was read, so it was not refused
    start = node.start_mark.line + 1, node.start_mark.column + 1
    if offset < 0 or not isinstance(node, ScalarNode) or node.style not in ("|", ">"):
        return start
    offset += len(node.value) - len(node.value.lstrip())  # read stripped
    line_in_body = node.value.count("\n", 0, offset)
    column = offset - (node.value.rfind("\n", 0, offset) + 1)
    lines = document.text.splitlines()
    first = node.start_mark.line + 1  # the block's text starts on the line after `|`
    content = [text for text in lines[first:] if text.strip()]
    indent = len(content[0]) - len(content[0].lstrip(" ")) if content else 0
    return first + line_in_body + 1, indent + column + 1


# A body's warnings say what to fix, not how often: past this many, one line counts the rest.
MAX_REMOVALS_SHOWN = 20


def _report_removals(
    document: Document, body: Body, problems: Problems, name: str = "body"
) -> None:
    if not body.removed:
        return
    field = document.fields[name]
    assert field.value is not None  # the body was read, so it was not refused
    start = field.value.start_mark
    shown = body.removed[:MAX_REMOVALS_SHOWN]
    for removal in shown:
        line, column = _find(document.text, removal.needle, start.index)
        if line == 0:
            line, column = start.line + 1, start.column + 1
        problems.add(
            document.path,
            removal.what,
            line=line,
            column=column,
            field=name,
            severity=Severity.WARNING,
        )
    if len(body.removed) > len(shown):
        problems.add(
            document.path,
            f"removed {len(body.removed) - len(shown):,} more kinds of tag, attribute or URL"
            " besides those listed",
            line=start.line + 1,
            column=start.column + 1,
            field=name,
            severity=Severity.WARNING,
        )


def _find(text: str, needle: str, start: int) -> tuple[int, int]:
    """Return the 1-based line and column of `needle` (in any case) at or after `start`, or
    (0, 0)."""
    found = re.compile(re.escape(needle), re.IGNORECASE).search(text, start)
    if found is None:
        return 0, 0
    offset = found.start()
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- checks across entries ------------------------------------------------------------------


# Entry file names, oldest first, and why that order: the copy of an entry is the later one.
AddedFirst = Callable[[Sequence[str]], tuple[list[str], str]]


def by_name(names: Sequence[str]) -> tuple[list[str], str]:
    """File names in order, when nothing says which was added first."""
    return sorted(names), "whose file name comes first"


def check_across(
    compiled: Sequence[Compiled],
    attachable: Mapping[str, int],
    entries_shown: str,
    problems: Problems,
    config: SiteConfig | None = None,
    added_first: AddedFirst = by_name,
) -> None:
    """What no single file shows: one id twice, two spellings sharing one address, an
    address claimed twice, a file in entries/ (shown as `entries_shown`) that no entry
    publishes. `added_first` orders files sharing an id, to name the copy."""
    valid = [item for item in compiled if item.entry is not None]
    _check_unique_ids(valid, problems, config, added_first)
    _check_shared_names(valid, problems)
    _check_addresses(valid, problems)
    used = {a.name for item in valid if item.entry for a in item.entry.attachments}
    for name in sorted(attachable.keys() - used):
        problems.add(
            f"{entries_shown}{name}",
            "no entry lists this file under attachments, so it is not published",
            line=0,
            severity=Severity.WARNING,
        )


def _check_unique_ids(
    compiled: Sequence[Compiled],
    problems: Problems,
    config: SiteConfig | None,
    added_first: AddedFirst,
) -> None:
    """One id, one statement: the files added after the first are the copies to change."""
    by_id: dict[str, dict[str, Compiled]] = {}
    for item in compiled:
        assert item.entry is not None
        by_id.setdefault(item.entry.id, {})[Path(item.entry.source).name] = item
    used = set(by_id)
    for identifier, items in by_id.items():
        if len(items) < 2:
            continue
        names, why = added_first(list(items))
        original = items[names[0]]
        assert original.entry is not None
        line, column = original.at("id")
        for name in names[1:]:
            copy = items[name]
            assert copy.entry is not None
            fix = "give it an id of its own"
            if config is not None:
                fresh = entry_id(config, name.removesuffix(".yaml"))
                while fresh in used:
                    fresh += "-2"
                used.add(fresh)
                fix += f", such as {fresh}"
            problems.add(
                copy.entry.source,
                f"{identifier} is already used by {original.entry.source}:{line}:{column},"
                f" {why}; this file is the copy: {fix}",
                line=copy.at("id")[0],
                column=copy.at("id")[1],
                field="id",
            )


def _check_shared_names(compiled: Sequence[Compiled], problems: Problems) -> None:
    """Two spellings of one type or tag (Energy, energy) would share one address."""
    first: dict[tuple[str, str], tuple[str, str, tuple[int, int]]] = {}
    for item in compiled:
        entry = item.entry
        assert entry is not None
        pairs = [("type", entry.type_slug, entry.type, item.at("type"))] + [
            ("tag", slug, tag, item.at(f"tags.{number}"))
            for number, (tag, slug) in enumerate(entry.tag_links)
        ]
        for kind, slug, name, (line, column) in pairs:
            seen_name, seen_in, (seen_line, seen_column) = first.setdefault(
                (kind, slug), (name, entry.source, (line, column))
            )
            if seen_name != name:
                folder = "types" if kind == "type" else "tags"
                problems.add(
                    entry.source,
                    f"{kind} {name!r} and {kind} {seen_name!r} in"
                    f" {seen_in}:{seen_line}:{seen_column} would share one address,"
                    f" {folder}/{slug}/; spell them the same{_difference(name, seen_name)}",
                    line=line,
                    column=column,
                    field="type" if kind == "type" else "tags",
                )


def _difference(name: str, other: str) -> str:
    """Where two spellings that look alike differ: the first characters that are not the
    same, apart from capitals (Energy and energy need no help)."""
    folded, other_folded = name.lower(), other.lower()
    if folded == other_folded:
        return ""
    at = next(
        (i for i, (a, b) in enumerate(zip(folded, other_folded, strict=False)) if a != b),
        min(len(folded), len(other_folded)),
    )
    if unicodedata.normalize("NFKC", folded).casefold() != (
        unicodedata.normalize("NFKC", other_folded).casefold()
    ):
        return ""  # visibly different names that make one address (C++ and C)
    mine = describe_character(folded[at]) if at < len(folded) else "nothing"
    theirs = describe_character(other_folded[at]) if at < len(other_folded) else "nothing"
    return (
        f" (they look alike but differ at character {at + 1}: {mine} here, {theirs} there;"
        " retype one)"
    )


def _check_addresses(compiled: Sequence[Compiled], problems: Problems) -> None:
    """Every statement's page and every alias is one address, claimed once."""
    owner: dict[str, str] = {}
    for item in compiled:
        assert item.entry is not None
        owner[item.entry.path] = f"the page of {item.entry.source}"
    for item in compiled:
        entry = item.entry
        assert entry is not None
        line, column = item.at("aliases")
        for alias in entry.aliases:
            if alias == entry.path:
                why = "is this statement's own address; remove it"
            elif alias in owner:
                why = f"is already {owner[alias]}; an address can lead to one statement only"
            else:
                owner[alias] = f"an alias in {entry.source}"
                continue
            problems.add(
                entry.source, f"{alias!r} {why}", line=line, column=column, field="aliases"
            )


_LINK = re.compile(r'<(?:a|img)\s[^>]*?(?:href|src)="([^"]*)"')


def _site_links(
    document: Document, html: str, page_url: str, base_url: str
) -> tuple[tuple[str, int, int], ...]:
    """The body's links and images that lead into the site, as paths inside public/, each
    with where it stands in the file, so a check can say which ones lead nowhere."""
    found: list[tuple[str, int, int]] = []
    field = document.fields.get("body")
    start = field.value.start_mark.index if field is not None and field.value is not None else 0
    text = document.text
    lines: list[int] | None = None  # where each line starts, made once when first needed
    cursor: dict[str, int] = {}  # where to look for the next occurrence of each address
    base_path = urlsplit(base_url).path
    for match in _LINK.finditer(html):
        written = htmllib.unescape(match.group(1))
        if not written or written.startswith("#"):
            continue
        if url_scheme(written) not in (None, "http", "https"):
            continue
        target = urljoin(page_url, written)
        if not target.startswith(base_url):
            continue
        offset = text.find(written, cursor.get(written, start))
        cursor[written] = offset + 1 if offset >= 0 else start
        if lines is None:
            lines = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        at = max(offset, start)
        line = bisect.bisect_right(lines, at)
        path = urlsplit(target).path.removeprefix(base_path)
        found.append((unquote(path), line, at - lines[line - 1] + 1))
    return tuple(found)

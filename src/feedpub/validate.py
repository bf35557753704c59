"""One entry file -> Entry, with every problem in the file reported together."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from feedpub import values
from feedpub.errors import Problem, Problems, Severity
from feedpub.load import (
    MAX_FILE_BYTES,
    Document,
    MappingNode,
    Node,
    SequenceNode,
    describe_node,
    read_document,
)
from feedpub.markup import Body, absolute_links, render_markdown
from feedpub.model import Attachment, Correction, Entry, SiteConfig, Withdrawal
from feedpub.slug import slugify
from feedpub.values import Invalid, Moment, fail

FILE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml")
MAX_SLUG = 80
DEFAULT_TYPE = "Statement"

LIMITS = {
    "title": 300,
    "type": 60,
    "byline": 200,
    "bylines": 20,
    "summary": 1000,
    "tag": 60,
    "tags": 50,
    "note": 500,
}


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
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
_ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class _Context:
    config: SiteConfig
    available: Mapping[str, int]  # files beside the entries (not entries), by name: size


def _title(node: Node, ctx: _Context) -> str:
    return values.text(node, max_length=LIMITS["title"])


def _date(node: Node, ctx: _Context) -> Moment:
    return values.moment(node, ctx.config.timezone, ctx.config.timezone_name)


def _type(node: Node, ctx: _Context) -> str:
    value = values.one_line(values.text(node, max_length=LIMITS["type"]))
    if not any(character.isalnum() for character in value):  # any script: بيان, Заявление
        fail(f"must contain a letter or a digit, got {value!r}", node)
    return value


def _bylines(node: Node, ctx: _Context) -> tuple[str, ...]:
    return values.text_list(
        node, max_items=LIMITS["bylines"], max_length=LIMITS["byline"], single_allowed=True
    )


def _body(node: Node, ctx: _Context) -> str:
    return values.text(node, max_length=MAX_FILE_BYTES, single_line=False)


def _summary(node: Node, ctx: _Context) -> str:
    value = values.text(node, max_length=LIMITS["summary"], single_line=False)
    if re.search(r"\n[ \t]*\n", value):
        fail("must be one paragraph (no blank lines)", node)
    return values.one_line(value)


def _tags(node: Node, ctx: _Context) -> tuple[str, ...]:
    tags = tuple(
        values.one_line(t)
        for t in values.text_list(node, max_items=LIMITS["tags"], max_length=LIMITS["tag"])
    )
    seen: dict[str, str] = {}
    for tag in tags:
        key = tag.casefold()
        if key in seen:
            fail(f"{tag!r} is listed twice", node)
        seen[key] = tag
    return tags


def _attachments(node: Node, ctx: _Context) -> tuple[Attachment, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of file names, got {describe_node(node)}", node)
    found: list[Attachment] = []
    for number, item in enumerate(node.value, 1):
        try:
            found.append(_attachment(item, ctx))
        except Invalid as exc:
            fail(f"item {number}: {exc.message}", exc.node or item)
    names = [a.name for a in found]
    for name in names:
        if names.count(name) > 1:
            fail(f"{name!r} is listed twice", node)
    return tuple(found)


def _attachment(node: Node, ctx: _Context) -> Attachment:
    title = ""
    if isinstance(node, MappingNode):
        parts = {key: value for key, _, value in values.mapping_items(node)}
        unknown = sorted(set(parts) - {"file", "title"})
        if unknown:
            fail(f"{unknown[0]}: {values.unknown_field(unknown[0], ['file', 'title'])}", node)
        if "file" not in parts:
            fail("file: required field is missing", node)
        if "title" in parts:
            title = values.text(parts["title"], max_length=LIMITS["title"])
        node = parts["file"]
    name = values.text(node, max_length=120)
    if not _ATTACHMENT_NAME.fullmatch(name):
        fail(
            f"{name!r} is not a plain file name (letters, digits, '.', '_', '-'; no folders)",
            node,
        )
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
    if size > MAX_ATTACHMENT_BYTES:
        fail(f"{name!r} is {size:,} bytes; an attachment may be at most 100 MB", node)
    return Attachment(name=name, title=title or name, media_type=media_type, length=size)


def _change_note(node: Node, ctx: _Context) -> str:
    return values.one_line(values.text(node, max_length=LIMITS["note"]))


def _dated_note(node: Node, ctx: _Context, text_key: str) -> tuple[datetime, str]:
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
        note = values.one_line(values.text(parts[text_key], max_length=LIMITS["note"]))
    except Invalid as exc:
        raise Invalid(exc.message, exc.node, text_key) from None
    return at, note


def _corrections(node: Node, ctx: _Context) -> tuple[Correction, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of {{date: ..., note: ...}}, got {describe_node(node)}", node)
    found = []
    for number, item in enumerate(node.value, 1):
        try:
            at, note = _dated_note(item, ctx, "note")
        except Invalid as exc:
            part = f".{exc.part}" if exc.part else ""
            fail(f"item {number}{part}: {exc.message}", exc.node or item)
        found.append(Correction(at=at, note=note))
    return tuple(found)


def _withdrawn(node: Node, ctx: _Context) -> Withdrawal:
    at, reason = _dated_note(node, ctx, "reason")
    return Withdrawal(at=at, reason=reason)


def _id(node: Node, ctx: _Context) -> str:
    return values.uri(node)


def _draft(node: Node, ctx: _Context) -> bool:
    return values.boolean(node)


_READERS: dict[str, Callable[[Node, _Context], Any]] = {
    "title": _title,
    "date": _date,
    "type": _type,
    "byline": _bylines,
    "body": _body,
    "summary": _summary,
    "tags": _tags,
    "attachments": _attachments,
    "id": _id,
    "updated": _date,
    "change_note": _change_note,
    "corrections": _corrections,
    "withdrawn": _withdrawn,
    "language": lambda node, ctx: values.language(node),
    "draft": _draft,
}
REQUIRED = ("title", "date", "body")
FIELDS = tuple(_READERS)


def entry_id(config: SiteConfig, stem: str) -> str:
    """Derive a permanent tag URI (RFC 4151) from the site's authority and the file's stem."""
    return f"tag:{config.id_authority}:{stem}"


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
    return named, slug


@dataclass(frozen=True, slots=True)
class Compiled:
    """What one entry file gave: the entry (None if invalid), its problems, where its id is."""

    entry: Entry | None
    problems: list[Problem]
    id_at: tuple[int, int] = (1, 1)
    date_at: tuple[int, int] = (1, 1)
    key: str = ""


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
    found = _read_fields(document, _Context(config, available or {}), problems)
    if problems.errors or named is None:
        return Compiled(None, problems.items, key=key)
    named_date, slug = named
    dates = _check_dates(document, found, named_date, config, problems)
    entry_type: str = found.get("type", DEFAULT_TYPE)
    tags: tuple[str, ...] = found.get("tags", ())
    _check_slugs(document, entry_type, tags, problems)
    body: Body = render_markdown(found["body"])
    _report_removals(document, body, problems)
    if problems.errors or dates is None:
        return Compiled(None, problems.items, key=key)
    path = f"{named_date:%Y/%m/%d}/{slug}/"
    published, updated, corrections, withdrawn = dates
    entry = Entry(
        source=shown,
        slug=slug,
        id=found.get("id") or entry_id(config, name.removesuffix(".yaml")),
        title=found["title"],
        published=published,
        updated=updated,
        type=entry_type,
        type_slug=slugify(entry_type),
        bylines=found.get("byline", ()),
        tags=tags,
        tag_slugs=tuple(slugify(t) for t in tags),
        summary=found.get("summary") or body.summary,
        body_html=body.html,
        feed_html=absolute_links(_feed_body(body.html, corrections, withdrawn), config.url(path)),
        path=path,
        attachments=found.get("attachments", ()),
        language=found.get("language"),
        corrections=corrections,
        withdrawn=withdrawn,
        draft=found.get("draft", False),
        key=key,
    )
    return Compiled(entry, problems.items, _at(document, "id"), _at(document, "date"), key)


_Dates = tuple[datetime, datetime, tuple[Correction, ...], Withdrawal | None]


def _check_dates(
    document: Document,
    found: dict[str, Any],
    named_date: date,
    config: SiteConfig,
    problems: Problems,
) -> _Dates | None:
    """Published, last updated, corrections and withdrawal, each checked against the date."""
    published: Moment = found["date"]
    before = len(problems.errors)

    def report(field: str, message: str) -> None:
        line, column = _at(document, field)
        problems.add(document.path, message, line=line, column=column, field=field)

    if published.at.date() != named_date:
        local = published.at.date().isoformat()
        if published.has_time:
            local += f" (in {config.timezone_name})"
        report("date", f"{local} does not match the date in the file name ({named_date})")
    corrections = list(found.get("corrections", ()))
    if "updated" in found:
        corrections.append(Correction(at=found["updated"].at, note=found.get("change_note", "")))
    elif "change_note" in found:
        report("change_note", "needs an updated date: add updated: with the correction's date")
    for correction in corrections:
        if correction.at < published.at:
            from_updated = "updated" in found and correction is corrections[-1]
            report(
                "updated" if from_updated else "corrections",
                f"{correction.at.isoformat()} is before the date {published.at.isoformat()}",
            )
    corrections.sort(key=lambda c: c.at)
    if "updated" in found and corrections[-1].at != found["updated"].at:
        report(
            "updated",
            "must be the latest correction; a correction listed under corrections is later",
        )
    withdrawn: Withdrawal | None = found.get("withdrawn")
    if withdrawn is not None and withdrawn.at < published.at:
        report(
            "withdrawn", f"{withdrawn.at.isoformat()} is before the date {published.at.isoformat()}"
        )
    if len(problems.errors) > before:
        return None
    updated = max(
        [published.at] + [c.at for c in corrections] + ([withdrawn.at] if withdrawn else [])
    )
    return published.at, updated, tuple(corrections), withdrawn


def _feed_body(body: str, corrections: tuple[Correction, ...], withdrawn: Withdrawal | None) -> str:
    """A feed item carries the notices its page shows: withdrawal first, corrections last."""
    parts = []
    if withdrawn is not None:
        parts.append(
            f"<p><strong>Withdrawn on {withdrawn.at.date().isoformat()}:</strong>"
            f" {html.escape(withdrawn.reason)}</p>"
        )
    parts.append(body)
    notes = [c for c in corrections if c.note]
    if notes:
        items = "".join(f"<li>{c.at.date().isoformat()}: {html.escape(c.note)}</li>" for c in notes)
        parts.append(f"<p><strong>Corrections</strong></p><ul>{items}</ul>")
    return "\n".join(parts)


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


def _read_fields(document: Document, ctx: _Context, problems: Problems) -> dict[str, Any]:
    def bound(read: Callable[[Node, _Context], Any]) -> Callable[[Node], Any]:
        return lambda node: read(node, ctx)

    readers = {name: bound(read) for name, read in _READERS.items()}
    return values.read_fields(document, readers, REQUIRED, problems)


def _report_removals(document: Document, body: Body, problems: Problems) -> None:
    if not body.removed:
        return
    field = document.fields["body"]
    assert field.value is not None  # the body was read, so it was not refused
    start = field.value.start_mark
    for removal in body.removed:
        line, column = _find(document.text, removal.needle, start.index)
        if line == 0:
            line, column = start.line + 1, start.column + 1
        problems.add(
            document.path,
            removal.what,
            line=line,
            column=column,
            field="body",
            severity=Severity.WARNING,
        )


def _find(text: str, needle: str, start: int) -> tuple[int, int]:
    """Return the 1-based line and column of `needle` at or after `start`, or (0, 0)."""
    offset = text.lower().find(needle.lower(), start)
    if offset < 0:
        return 0, 0
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

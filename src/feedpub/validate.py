"""One entry file -> Entry, with every problem in the file reported together."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from feedpub import values
from feedpub.errors import Problem, Problems, Severity
from feedpub.load import MAX_FILE_BYTES, Document, Node, read_document
from feedpub.markup import Body, absolute_links, render_markdown
from feedpub.model import Entry, SiteConfig
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
}


@dataclass(frozen=True, slots=True)
class _Context:
    config: SiteConfig


def _title(node: Node, ctx: _Context) -> str:
    return values.text(node, max_length=LIMITS["title"])


def _date(node: Node, ctx: _Context) -> Moment:
    return values.moment(node, ctx.config.timezone, ctx.config.timezone_name)


def _type(node: Node, ctx: _Context) -> str:
    value = values.one_line(values.text(node, max_length=LIMITS["type"]))
    if not re.search(r"[A-Za-z0-9]", value):
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
    "id": _id,
    "updated": _date,
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


def compile_entry(shown: str, name: str, data: bytes, config: SiteConfig) -> Compiled:
    """Read, validate and render one entry file; pure, so it can run in any process."""
    problems = Problems()
    named = check_file_name(shown, name, problems)
    document = read_document(shown, data, problems)
    if document is None or named is None:
        return Compiled(None, problems.items)
    found = _read_fields(document, _Context(config), problems)
    if problems.errors:
        return Compiled(None, problems.items)
    named_date, slug = named
    published: Moment = found["date"]
    if published.at.date() != named_date:
        field = document.fields["date"]
        line, column = values.node_position(field.value, (field.line, field.column))
        local = published.at.date().isoformat()
        if published.has_time:
            local += f" (in {config.timezone_name})"
        problems.add(
            shown,
            f"{local} does not match the date in the file name ({named_date.isoformat()})",
            line=line,
            column=column,
            field="date",
        )
    updated_at = published.at
    if "updated" in found:
        updated: Moment = found["updated"]
        if updated.at < published.at:
            field = document.fields["updated"]
            line, column = values.node_position(field.value, (field.line, field.column))
            problems.add(
                shown,
                f"{updated.at.isoformat()} is before the date {published.at.isoformat()}",
                line=line,
                column=column,
                field="updated",
            )
        updated_at = updated.at
    body: Body = render_markdown(found["body"])
    _report_removals(document, body, problems)
    if problems.errors:
        return Compiled(None, problems.items)
    stem = name.removesuffix(".yaml")
    path = f"{named_date:%Y/%m/%d}/{slug}/"
    entry = Entry(
        source=shown,
        slug=slug,
        id=found.get("id") or entry_id(config, stem),
        title=found["title"],
        published=published.at,
        updated=updated_at,
        type=found.get("type", DEFAULT_TYPE),
        bylines=found.get("byline", ()),
        tags=found.get("tags", ()),
        summary=found.get("summary") or body.summary,
        body_html=body.html,
        feed_html=absolute_links(body.html, config.url(path)),
        path=path,
        draft=found.get("draft", False),
    )
    id_field = document.fields.get("id")
    id_at = (id_field.line, id_field.column) if id_field else (1, 1)
    return Compiled(entry, problems.items, id_at)


def _read_fields(document: Document, ctx: _Context, problems: Problems) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, field in document.fields.items():
        reader = _READERS.get(name)
        if reader is None:
            problems.add(
                document.path,
                values.unknown_field(name, FIELDS),
                line=field.line,
                column=field.column,
                field=name,
            )
            continue
        if field.value is None:  # already reported (a refused tag or alias)
            continue
        try:
            found[name] = reader(field.value, ctx)
        except Invalid as exc:
            line, column = values.node_position(exc.node, (field.line, field.column))
            problems.add(document.path, exc.message, line=line, column=column, field=name)
    for name in REQUIRED:
        if name not in document.fields:
            problems.add(document.path, "required field is missing", field=name)
    return found


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

"""An entry's fields declared once, in `ENTRY_FIELDS`: each one's reader, whether it is required
or what it defaults to, its limits, and the line the README's table shows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from feedpub import sitepaths, times, values
from feedpub.attachments import read_attachments
from feedpub.contacts import read_contacts
from feedpub.fields import FieldSpec, Limits
from feedpub.load import Node, ScalarNode, SequenceNode, describe_node
from feedpub.markup import Body, render_markdown
from feedpub.measure import BodyRefused
from feedpub.model import Attachment, Correction, Removal, SiteConfig, Withdrawal
from feedpub.plaintext import NOTHING_SHOWN, shows_nothing
from feedpub.read import MAX_FILE_BYTES
from feedpub.slug import SAME_FILE, disk_key, slugify
from feedpub.times import Moment
from feedpub.values import Invalid, fail, fail_items

DEFAULT_TYPE = "Statement"


@dataclass(frozen=True, slots=True)
class EntryContext:
    config: SiteConfig
    available: Mapping[str, int]  # files beside the entries (not entries), by name: size


def default_type(config: SiteConfig) -> str:
    """The type `new` and `import` give a statement given none: the default, or the name
    an office renamed it (section_aliases), which the old name may no longer be."""
    for alias in config.section_aliases:
        if alias.kind == "type" and slugify(alias.old) == slugify(DEFAULT_TYPE):
            return alias.new
    return DEFAULT_TYPE


def _title(node: Node, ctx: EntryContext, limits: Limits) -> str:
    return values.text(node, max_length=limits["length"])


def _date(node: Node, ctx: EntryContext, limits: Limits | None = None) -> Moment:
    return times.moment(node, ctx.config.timezone, ctx.config.timezone_name)


def _name(value: str) -> str:
    """A type's or tag's name, one line, in NFC: the same word typed on a Mac (which may
    decompose É into E and a combining accent) and elsewhere is one name, not two that
    would share an address."""
    return unicodedata.normalize("NFC", values.one_line(value))


def _type(node: Node, ctx: EntryContext, limits: Limits) -> str:
    value = _name(values.text(node, max_length=limits["length"]))
    if not any(character.isalnum() for character in value):  # any script: بيان, Заявление
        fail(f"must contain a letter or a digit, got {value!r}", node)
    return value


def _bylines(node: Node, ctx: EntryContext, limits: Limits) -> tuple[str, ...]:
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


def _body(node: Node, ctx: EntryContext, limits: Limits) -> str:
    return _markdown(node)


def _notes(node: Node, ctx: EntryContext, limits: Limits) -> Body:
    value = _markdown(node)
    if len(value) > limits["length"]:
        fail(f"is {len(value):,} characters long; at most {limits['length']:,} are allowed", node)
    try:
        notes = render_markdown(value, top=3)  # under the "Notes to editors" heading
    except BodyRefused as exc:
        fail(exc.message, node)
    if shows_nothing(notes.html):
        fail(NOTHING_SHOWN, node)
    return notes


def _summary(node: Node, ctx: EntryContext, limits: Limits) -> str:
    value = values.text(node, max_length=limits["length"], single_line=False)
    if re.search(r"\n[ \t]*\n", value):
        fail("must be one paragraph (no blank lines)", node)
    values.no_override(value, node)  # shown on one line, as a title is
    return values.one_line(value)


def _tags(node: Node, ctx: EntryContext, limits: Limits) -> tuple[str, ...]:
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


def _attachments(node: Node, ctx: EntryContext, limits: Limits) -> tuple[Attachment, ...]:
    return read_attachments(node, ctx.available, limits)


def _note(node: Node, ctx: EntryContext, limits: Limits) -> str:
    return values.one_line(values.text(node, max_length=limits["length"]))


def _dated_note(
    node: Node, ctx: EntryContext, text_key: str, limits: Limits
) -> tuple[datetime, str]:
    example = f"{{date: YYYY-MM-DD, {text_key}: ...}}"
    parts = {key: value for key, _, value in values.mapping_items(values.mapping(node, example))}
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


def _corrections(node: Node, ctx: EntryContext, limits: Limits) -> tuple[Correction, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of {{date: ..., note: ...}}, got {describe_node(node)}", node)
    found = []
    errors = []
    for number, item in enumerate(node.value, 1):
        try:
            at, note = _dated_note(item, ctx, "note", limits)
        except Invalid as exc:
            part = f".{exc.part}" if exc.part else ""
            errors.append(Invalid(f"item {number}{part}: {exc.message}", exc.node or item))
            continue
        found.append(Correction(at=at, note=note))
    fail_items(errors)
    return tuple(found)


def _withdrawn(node: Node, ctx: EntryContext, limits: Limits) -> Withdrawal:
    at, reason = _dated_note(node, ctx, "reason", limits)
    return Withdrawal(at=at, reason=reason)


def _removed(node: Node, ctx: EntryContext, limits: Limits) -> Removal:
    at, reason = _dated_note(node, ctx, "reason", limits)
    return Removal(at=at, reason=reason)


def _id(node: Node, ctx: EntryContext, limits: Limits) -> str:
    return values.identifier(node, max_length=limits["length"])


def _aliases(node: Node, ctx: EntryContext, limits: Limits) -> tuple[str, ...]:
    if not isinstance(node, SequenceNode):
        fail(f"expected a list of earlier paths, got {describe_node(node)}", node)
    if len(node.value) > limits["aliases"]:
        fail(f"has {len(node.value):,} items; at most {limits['aliases']:,} are allowed", node)
    found: list[str] = []
    files: dict[str, str] = {}  # the file each alias is written to -> the alias
    errors = []
    for number, item in enumerate(node.value, 1):
        try:
            base_url = ctx.config.base_url
            path = sitepaths.site_path(item, max_length=limits["length"], base_url=base_url)
        except Invalid as exc:
            errors.append(Invalid(f"item {number}: {exc.message}", exc.node or item))
            continue
        first = files.setdefault(disk_key(path), path)
        if path in found:
            errors.append(Invalid(f"{path!r} is listed twice", item))
        elif first != path:
            errors.append(Invalid(f"{path!r} names the same file as {first!r}{SAME_FILE}", item))
        found.append(path)
    fail_items(errors)
    return tuple(found)


def _language(node: Node, ctx: EntryContext, limits: Limits) -> str:
    return values.language(node)


def _draft(node: Node, ctx: EntryContext, limits: Limits) -> bool:
    return values.boolean(node)


def _optional_date(node: Node, ctx: EntryContext, limits: Limits) -> Moment:
    return _date(node, ctx)


ENTRY_FIELDS: tuple[FieldSpec[EntryContext], ...] = (
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
        " sanitised: what is removed is reported as a warning; a body that shows nothing"
        " once rendered (a link definition, a comment, removed markup) is an error",
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
        " earlier feed (`12345`, or Drupal's `1234 at https://www.example.gov`: single"
        " spaces between words are kept, in RSS and JSON Feed as written and in Atom's tag"
        " URI as `%20`); at most {length} characters. Default: a tag URI"
        " (RFC 4151) from `id_authority` and the file name, which changes if the file is"
        " renamed; `feedpub new` writes it out",
        limits={"length": 500},
    ),
    FieldSpec(
        "aliases",
        _aliases,
        "earlier addresses of the statement's page, relative to"
        " `base_url`: folders such as `2021/11/05/old-slug/` or pages such as"
        " `news/123.html` (a path from the host's root, as a browser shows it, is read"
        " from `base_url`'s: under `https://example.github.io/news/`,"
        " `/news/2021/11/05/old-slug/` is `2021/11/05/old-slug/`); each becomes a page"
        " that redirects to the statement (an earlier page of the site's also keeps its"
        " attachments); two naming one file on macOS or Windows (`News/` and"
        " `news/index.html`) are refused; at most {aliases}, each at most {length} characters",
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
    FieldSpec(
        "updated",
        _optional_date,
        "date-time of the last correction; after `date`, not after now once published",
    ),
    FieldSpec(
        "change_note",
        _note,
        "one line saying what the correction dated `updated` changed; at most {length} characters",
        limits={"length": 500},
    ),
    FieldSpec(
        "corrections",
        _corrections,
        "earlier corrections: a list of `{{date: ..., note: ...}}`, each after `date`, each"
        " note at most {length} characters",
        default=(),
        limits={"length": 500},
    ),
    FieldSpec(
        "withdrawn",
        _withdrawn,
        "`{{date: ..., reason: ...}}`: the statement was withdrawn (after `date`); its page"
        " stays, with the notice; the reason at most {length} characters",
        limits={"length": 500},
        parts=("date", "reason"),
    ),
    FieldSpec(
        "removed",
        _removed,
        "`{{date: ..., reason: ...}}`: the statement was removed for a lawful reason (a court"
        " order, personal data). Its address keeps a short page with the date and the reason,"
        " and no title or text; every feed, archive and list drops it. Copies already in"
        " readers stay. The reason at most {length} characters",
        limits={"length": 500},
        parts=("date", "reason"),
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
        read_contacts,
        "the media contact, shown after the body and in every feed: `{{name: ...,"
        " email: ..., phone: ...}}` (an email, a phone or both), or a list of at most"
        " {contacts}; names at most {length} characters",
        default=(),
        attribute="contacts",
        limits={"contacts": 5, "length": 200},
        parts=("name", "email", "phone"),
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

"""`feedpub new`: start an entry file with its fields filled in and a permanent id.

`format_entry` is the one way feedpub writes an entry file: `new` and `import` both use it,
so every file feedpub writes has the same field order, quoting and `|` block body.
"""

from __future__ import annotations

import dataclasses
import glob
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feedpub.config import CONFIG_NAME, read_config
from feedpub.entryfields import default_type, limit
from feedpub.errors import FeedpubError, Problem, Problems
from feedpub.gather import Project
from feedpub.listing import ENTRIES_DIR
from feedpub.load import ScalarNode, SequenceNode, forbidden_message, read_document
from feedpub.model import SiteConfig
from feedpub.read import read_bytes
from feedpub.slug import slugify
from feedpub.validate import (
    MAX_SLUG,
    PLACEHOLDER_BODY,
    compile_entry,
    entry_id,
    placeholder_body,
)
from feedpub.zones import as_written, in_zone

MAX_NEW_SLUG = 60  # room under MAX_SLUG for the "-2" a title used twice on a day gets
ID_COMMENT = (
    "# The permanent id feed readers know this statement by: keep it if you rename the file."
)
DRAFT_COMMENT = "# Remove the next line when the statement is ready to publish."

# YAML 1.1 reads these as line breaks even inside quotes; JSON leaves them raw.
_YAML_BREAKS = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is a subset of it."""
    value = json.dumps(text, ensure_ascii=False)
    for char, escape in _YAML_BREAKS.items():
        value = value.replace(char, escape)
    return value


def _flow(items: tuple[str, ...]) -> str:
    return f"[{', '.join(quoted(item) for item in items)}]"


def _block(text: str) -> list[str]:
    """A literal block scalar (`|`), indented two spaces; text keeps its lines exactly."""
    lines = text.strip("\n").split("\n")
    first = next((line for line in lines if line.strip()), "")
    # A first line that starts with a space would be taken for the indentation: say it.
    header = "|2" if first.startswith((" ", "\t")) else "|"
    return [header] + [f"  {line}" if line.strip() else "" for line in lines]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryFields:
    """An entry file's fields as text, ready to write; empty ones are left out."""

    title: str
    date: str  # ISO 8601 as written, e.g. 2021-11-05 or 2021-11-05T10:00+01:00
    updated: str = ""
    change_note: str = ""
    type: str = "Statement"
    tags: tuple[str, ...] = ()
    bylines: tuple[str, ...] = ()
    summary: str = ""
    language: str = ""
    id: str = ""
    aliases: tuple[str, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()  # (date, note), oldest first
    withdrawn: tuple[str, str] | None = None  # (date, reason)
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, title or "")
    contacts: tuple[tuple[str, str, str], ...] = ()  # (name, email or "", phone or "")
    notes_to_editors: str = ""  # Markdown
    draft: bool = False
    body: str = PLACEHOLDER_BODY


def _contact(name: str, email: str, phone: str) -> str:
    parts = [("name", name), ("email", email), ("phone", phone)]
    return "{" + ", ".join(f"{key}: {quoted(value)}" for key, value in parts if value) + "}"


def format_entry(fields: EntryFields) -> str:
    """The text of an entry file, fields in feedpub's order, every text quoted for YAML."""
    lines = [f"title: {quoted(fields.title)}", f"date: {fields.date}"]
    if fields.updated:
        lines.append(f"updated: {fields.updated}")
    if fields.change_note:
        lines.append(f"change_note: {quoted(fields.change_note)}")
    lines += [f"type: {quoted(fields.type)}", f"tags: {_flow(fields.tags)}"]
    if len(fields.bylines) == 1:
        lines.append(f"byline: {quoted(fields.bylines[0])}")
    elif fields.bylines:
        lines.append(f"byline: {_flow(fields.bylines)}")
    if fields.summary:
        lines.append(f"summary: {quoted(fields.summary)}")
    if fields.language:
        lines.append(f"language: {quoted(fields.language)}")
    if fields.id:
        lines += [ID_COMMENT, f"id: {quoted(fields.id)}"]
    if fields.aliases:
        lines.append(f"aliases: {_flow(fields.aliases)}")
    if fields.corrections:
        lines.append("corrections:")
        lines += [f"  - {{date: {at}, note: {quoted(note)}}}" for at, note in fields.corrections]
    if fields.withdrawn:
        at, reason = fields.withdrawn
        lines.append(f"withdrawn: {{date: {at}, reason: {quoted(reason)}}}")
    if fields.attachments:
        lines.append("attachments:")
        lines += [
            f"  - {{file: {quoted(name)}, title: {quoted(title)}}}"
            if title
            else f"  - {quoted(name)}"
            for name, title in fields.attachments
        ]
    contacts = [_contact(*contact) for contact in fields.contacts]
    if len(contacts) == 1:
        lines.append(f"contact: {contacts[0]}")
    elif contacts:
        lines.append("contact:")
        lines += [f"  - {contact}" for contact in contacts]
    if fields.notes_to_editors:
        notes = _block(fields.notes_to_editors)
        lines.append(f"notes_to_editors: {notes[0]}")
        lines += notes[1:]
    if fields.draft:
        lines += [DRAFT_COMMENT, "draft: true"]
    block = _block(fields.body)
    lines.append(f"body: {block[0]}")
    lines += block[1:]
    return "\n".join(lines) + "\n"


def new_entry(
    root: Path,
    title: str,
    *,
    when: datetime,
    with_time: bool,
    entry_type: str | None = None,
    tags: tuple[str, ...] = (),
) -> Path:
    """Write entries/YYYY-MM-DD-slug.yaml as a draft and return its path; never overwrite.

    A `when` without a zone is a wall-clock time in the site's time zone.
    """
    project = Project.at(root)
    problems = Problems()
    config = read_config(project.root, problems, shown=project.show(CONFIG_NAME))
    title = " ".join(title.split())
    shown = "(title)"  # on the command line, in no file of the site
    if not title:
        problems.add(shown, "the title is empty", line=0)
    elif len(title) > (most := limit("title", "length")):
        problems.add(shown, f"the title is {len(title)} characters; at most {most}", line=0)
    # What `check` would refuse in the file, refused here in its words.
    for where, value in [("(title)", title), ("(--type)", entry_type or "")] + [
        ("(--tag)", tag) for tag in tags
    ]:
        if message := forbidden_message(value):
            problems.add(where, message, line=0)
    slug = slugify(title, MAX_NEW_SLUG)
    if title and not slug:
        problems.add(shown, "the title has no letter or digit to make a file name from", line=0)
    if config is not None and with_time and when.tzinfo is None and _skipped(when, config):
        problems.add(
            "(--date)",
            f"{when:%Y-%m-%dT%H:%M} does not exist in {config.timezone_name} (the clocks skip"
            " it); give a time before or after the change",
            line=0,
        )
    if config is None or problems.errors:
        raise FeedpubError(problems.items, outcome="nothing was written")
    local = (  # a time the clocks repeat is taken the first time, its offset written
        as_written(when.replace(tzinfo=config.timezone))
        if when.tzinfo is None
        else in_zone(when, config.timezone)
    )
    stem = _free(project.root / ENTRIES_DIR, f"{local.date().isoformat()}-{slug}", config)
    assert len(stem) <= len("YYYY-MM-DD-") + MAX_SLUG
    text = format_entry(
        EntryFields(
            title=title,
            date=local.isoformat(timespec="minutes") if with_time else local.date().isoformat(),
            type=entry_type or default_type(config),
            tags=tags,
            bylines=(config.publisher.name,),
            id=entry_id(config, stem),
            draft=True,
            body=placeholder_body(config),
        )
    )
    name = f"{stem}.yaml"
    # The last word is check's: an entry it would refuse (a --type with no letter, a --tag
    # too long...) is not written.
    compiled = compile_entry(project.show(f"{ENTRIES_DIR}/{name}"), name, text.encode(), config)
    refused = [_as_given(problem) for problem in compiled.problems if problem.is_error]
    if refused:
        raise FeedpubError(refused, outcome="nothing was written")
    return write_entry(project, name, text, writer="feedpub new")


# Where each field of the draft came from, on the command line.
_GIVEN = {"title": "(title)", "type": "(--type)", "tags": "(--tag)", "date": "(--date)"}


def _as_given(problem: Problem) -> Problem:
    """A problem of the draft, named as the command line gave the value: never written,
    the file cannot be opened at the line."""
    given = _GIVEN.get(problem.field)
    if given is None:
        return problem
    return dataclasses.replace(problem, path=given, line=0, field="")


def _free(directory: Path, stem: str, config: SiteConfig) -> str:
    """`stem`, or with -2, -3... when a statement of that day already has its title, as
    import names them (an office may issue two statements titled alike on one day), or
    when an entry keeps the id or the address that name would make: a statement renamed
    keeps its `id:` and its old address in `aliases:`, and a new one given them would be
    taken for it."""
    taken = {p.stem for p in directory.glob(f"{glob.escape(stem)}*.y*ml")}
    kept = _kept(directory, stem[11:]) if directory.is_dir() else set()
    return next(
        c
        for n in range(1, 1000)
        if (c := f"{stem}-{n}" if n > 1 else stem) not in taken
        and entry_id(config, c) not in kept
        and f"{c[:4]}/{c[5:7]}/{c[8:10]}/{c[11:]}" not in kept
    )


def _kept(directory: Path, slug: str) -> set[str]:
    """The ids, and the addresses in `aliases:` (without their slashes), that the entries
    holding `slug` keep: only their fields, so a link in a body to another site's
    /2026/12/01/<slug>/ is no address of this one's. Few files hold the slug: only they are
    read as YAML."""
    found: set[str] = set()
    for path in sorted(directory.glob("*.y*ml")):
        data = read_bytes(path, path.name, Problems())  # one that cannot be read: check's
        if data is None or slug.encode() not in data:
            continue
        document = read_document(path.name, data, Problems())  # the check's own reader
        if document is None:
            continue
        for name in ("id", "aliases"):
            field = document.fields.get(name)
            node = field.value if field is not None else None
            items = node.value if isinstance(node, SequenceNode) else [node]
            found.update(i.value.strip("/") for i in items if isinstance(i, ScalarNode))
    return found


def write_entry(project: Project, name: str, text: str, *, writer: str) -> Path:
    """Create entries/NAME holding `text`; refuse to overwrite anything."""
    directory = project.root / ENTRIES_DIR
    path = directory / name
    shown_file = project.show(f"{ENTRIES_DIR}/{name}")
    if directory.exists() and not directory.is_dir():
        raise FeedpubError(
            [
                Problem(
                    path=project.show(ENTRIES_DIR),
                    line=0,
                    message="is a file; feedpub keeps one file per statement in a folder of"
                    " this name",
                )
            ]
        )
    try:
        directory.mkdir(exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        message = (
            f"already exists; {writer} never overwrites an entry. Choose another title or --date"
        )
        raise FeedpubError([Problem(path=shown_file, line=0, message=message)]) from None
    except OSError as exc:
        message = f"cannot write: {exc.strerror}"
        raise FeedpubError([Problem(path=shown_file, line=0, message=message)]) from None
    return path


def _skipped(naive: datetime, config: SiteConfig) -> bool:
    """Whether the clocks of the site's zone skip this wall-clock time (spring forward)."""
    local = naive.replace(tzinfo=config.timezone)
    return local.astimezone(UTC).astimezone(config.timezone).replace(tzinfo=None) != naive

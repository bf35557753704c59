"""`feedpub import`: an office's existing statements -> entry files, ids kept.

Sources are read (`read`, `formats`), each item becomes a Draft (`convert`, `markdown`),
items sharing an id are merged, names and spellings are fitted to the site, enclosures are
downloaded or listed (`attach`), and each entry is written the way `feedpub new` writes
one, after `compile_entry` has accepted it: what `import` writes, `check` passes.
Running it again adds nothing twice: an id already in entries/ is skipped.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from feedpub.config import CONFIG_NAME, read_config
from feedpub.entryfields import limit
from feedpub.errors import FeedpubError, Problem, Problems
from feedpub.fetch import DEFAULT_TIMEOUT, site_of
from feedpub.gather import Project, list_entry_files
from feedpub.imports.aliases import Addresses, existing_entries, planned_outputs
from feedpub.imports.attach import Downloads, download, link_list
from feedpub.imports.convert import Draft, convert_item
from feedpub.imports.read import read_source
from feedpub.imports.report import Skip, item_name, note
from feedpub.listing import ENTRIES_DIR
from feedpub.load import read_document
from feedpub.model import Entry, SiteConfig
from feedpub.new import EntryFields, format_entry, write_entry
from feedpub.slug import slugify
from feedpub.validate import MAX_SLUG, compile_entry, entry_id

EXTRA = "pip install 'feedpub[import]'"


class MissingExtra(Exception):
    """feedparser or markdownify is not installed: say what to install, in one line."""


def require_extra() -> None:
    """Raise MissingExtra unless the `import` extra's libraries can be imported."""
    for name in ("feedparser", "markdownify"):
        try:
            __import__(name)
        except ImportError:
            raise MissingExtra(
                f"feedpub import needs {name}, which is not installed: {EXTRA}"
            ) from None


@dataclass(slots=True)
class ImportReport:
    written: list[Path] = field(default_factory=list)
    present: int = 0  # ids already in entries/
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)  # in the order found

    @property
    def imported(self) -> int:
        return len(self.written)

    @property
    def failed(self) -> bool:
        """A source could not be read, or every item was skipped: nothing was brought over."""
        nothing = self.skipped and not self.imported and not self.present
        return bool(nothing) or any(p.is_error for p in self.problems)


@dataclass(slots=True)
class _Site:
    """What entries/ already holds: ids, file names, spellings of types and tags."""

    ids: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    files: dict[str, int] = field(default_factory=dict)  # other files (attachments): sizes
    spellings: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, slug): name


def _read_site(project: Project, config: SiteConfig) -> _Site:
    """Read every entry's id with feedpub's own loader; a file it cannot read stops the run."""
    problems = Problems()
    files = list_entry_files(project, problems, {})
    site = _Site(files=dict(files.others))
    for name, path in files.entries:
        shown = project.show(f"{ENTRIES_DIR}/{name}")
        stem = name.removesuffix(".yaml")
        site.stems.add(stem)
        document = read_document(shown, Path(path).read_bytes(), problems)
        if document is None:
            continue
        value = document.fields.get("id")
        node = value.value if value else None
        site.ids.add(str(node.value).strip() if node is not None else entry_id(config, stem))
        for kind, key in (("type", "type"), ("tag", "tags")):
            found = document.fields.get(key)
            node = found.value if found else None
            names = getattr(node, "value", None)
            for item in names if isinstance(names, list) else [node] if node else []:
                text = " ".join(str(getattr(item, "value", "")).split())
                if slugify(text):
                    site.spellings.setdefault((kind, slugify(text)), text)
    if problems.errors:
        raise FeedpubError(
            problems.items,
            outcome="feedpub import reads every entry's id first; nothing was imported",
        )
    return site


def import_sources(
    root: Path,
    sources: list[str],
    *,
    entry_type: str | None = None,
    download: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    now: datetime | None = None,
) -> ImportReport:
    """Import every item of `sources` into root/entries/; never overwrite, never repeat."""
    require_extra()
    now = now or datetime.now(timezone.utc)  # what `check` compares `updated` with

    project = Project.at(root)
    problems = Problems()
    config = read_config(project.root, problems, shown=project.show(CONFIG_NAME))
    if config is None:
        raise FeedpubError(problems.items, outcome="nothing was imported")
    if entry_type is not None:
        _check_type(project, entry_type)
    site = _read_site(project, config)
    report = ImportReport()
    drafts: dict[str, Draft] = {}
    present: set[str] = set()
    for source in sources:
        read = read_source(source, timeout=timeout)
        report.problems += read.problems
        for item in read.items:
            notes: list[Problem] = []
            try:
                draft = convert_item(item, config, entry_type, notes, now)
            except Skip as skip:
                report.skipped += 1
                report.problems += notes
                report.problems.append(
                    note(item, skip.field, f"skipped {item_name(item)}: {skip.reason}")
                )
                continue
            if draft.id in site.ids:
                present.add(draft.id)
                continue
            report.problems += notes
            earlier = drafts.setdefault(draft.id, draft)
            why = f"its id {draft.id!r} is also that of {item_name(earlier.item)}"
            if earlier is not draft and earlier.day != draft.day:
                report.skipped += 1  # one id for two statements (a section's URL as guid)
                report.problems.append(note(item, "id", f"skipped {item_name(item)}: {why}"))
            elif earlier is not draft:  # the same statement in another feed: one entry
                if earlier.title != draft.title:  # the same day: taken for the same, said so
                    report.problems.append(note(item, "id", f"{why}, of the same day: merged"))
                known = {slugify(t) for t in earlier.tags}
                earlier.tags += [t for t in draft.tags if slugify(t) not in known]
                earlier.language = earlier.language or draft.language
                earlier.bylines = earlier.bylines or draft.bylines
    report.present = len(present)
    urls = [source for source in sources if source.lower().startswith(("http://", "https://"))]
    hosts = frozenset(site_of(url)[1] for url in urls)  # see attach.py
    downloads = Downloads(taken={name.lower() for name in site.files}, hosts=hosts)
    ready: list[_Ready] = []
    try:
        for draft in drafts.values():
            _fit_to_site(draft, site, report)
            fields = _attachments(draft, downloads, report, timeout) if download else None
            if found := _compile(project, config, site, draft, fields, downloads, report):
                ready.append(found)
        _free_aliases(project, config, ready, report)
        for found in ready:
            _write(project, site, found, downloads, report)
    finally:
        downloads.close()
    return report


@dataclass(slots=True)
class _Ready:
    """A draft `compile_entry` accepted: its fields, its file's name, its entry."""

    draft: Draft
    fields: EntryFields
    name: str
    entry: Entry


def _free_aliases(
    project: Project, config: SiteConfig, ready: list[_Ready], report: ImportReport
) -> None:
    """Keep an old address as an alias only where `check` accepts it; say so where not."""
    if not any(r.fields.aliases for r in ready):
        return
    existing = existing_entries(project, config)
    outputs = planned_outputs(project, config, [*existing, *(r.entry for r in ready)])
    addresses = Addresses(existing, outputs)
    for found in ready:
        for alias in found.fields.aliases:
            holder = f"{item_name(found.draft.item)} ({found.entry.source})"
            if why := addresses.claim(alias, holder):
                found.fields = replace(found.fields, aliases=())
                report.problems.append(
                    note(
                        found.draft.item,
                        "aliases",
                        f"{item_name(found.draft.item)}: its old address {found.draft.item.link}"
                        f" {why}, so it gets no redirect page to this statement; redirect it"
                        " on the old server if it should lead here",
                    )
                )


def _check_type(project: Project, entry_type: str) -> None:
    name = " ".join(entry_type.split())
    if not slugify(name) or len(name) > limit("type", "length"):
        raise FeedpubError(
            [
                Problem(
                    path="(--type)",
                    line=0,
                    message=f"{entry_type!r}: a type has 1 to 60 characters, with a letter or"
                    " a digit",
                )
            ],
            outcome="nothing was imported",
        )


def _fit_to_site(draft: Draft, site: _Site, report: ImportReport) -> None:
    """One spelling per type and tag across the site; a file name no entry has."""
    draft.type = site.spellings.setdefault(("type", slugify(draft.type)), draft.type)
    tags: dict[str, str] = {}
    for tag in draft.tags:
        slug = slugify(tag)
        if not slug or len(tag) > limit("tags", "length"):
            why = "has no letter or digit" if not slug else "is over 60 characters"
            report.problems.append(
                note(draft.item, "tags", f"{item_name(draft.item)}: tag {tag!r} {why}; left out")
            )
        elif slug not in tags:
            tags[slug] = site.spellings.setdefault(("tag", slug), tag)
    if len(tags) > limit("tags", "tags"):
        report.problems.append(
            note(draft.item, "tags", f"{item_name(draft.item)}: only its first 50 tags are kept")
        )
    draft.tags = list(tags.values())[: limit("tags", "tags")]
    stem, number = f"{draft.day.isoformat()}-{draft.slug}", 1
    while stem in site.stems:
        number += 1
        stem = f"{draft.day.isoformat()}-{draft.slug[: MAX_SLUG - 4].rstrip('-')}-{number}"
    site.stems.add(stem)
    draft.slug = stem[len("YYYY-MM-DD-") :]


def _attachments(
    draft: Draft, downloads: Downloads, report: ImportReport, timeout: float
) -> tuple[tuple[str, str], ...]:
    """Download each enclosure; one that cannot be stays a link at the end of the body."""
    names: list[tuple[str, str]] = []
    kept = []
    for enclosure in draft.enclosures:
        got = download(enclosure, downloads, timeout)
        if isinstance(got, str):
            if got not in (n for n, _ in names):
                names.append((got, enclosure.title))
            continue
        kept.append(enclosure)
        report.problems.append(
            note(
                draft.item,
                "attachments",
                f"{item_name(draft.item)}: not downloaded, listed as a link: {got}",
            )
        )
    draft.enclosures = tuple(kept)
    return tuple(names)


def _compile(
    project: Project,
    config: SiteConfig,
    site: _Site,
    draft: Draft,
    attachments: tuple[tuple[str, str], ...] | None,
    downloads: Downloads,
    report: ImportReport,
) -> _Ready | None:
    """The entry a draft makes, if `compile_entry` accepts it; else why not, reported."""
    body = draft.body
    if draft.enclosures:
        body = f"{body}\n\n{link_list(draft.enclosures)}" if body else link_list(draft.enclosures)
    fields = EntryFields(
        title=draft.title,
        date=draft.date,
        updated=draft.updated,
        change_note=draft.change_note,
        type=draft.type,
        tags=tuple(draft.tags),
        bylines=draft.bylines,
        summary=draft.summary,
        language=draft.language,
        id=draft.id,
        aliases=(draft.alias,) if draft.alias else (),
        corrections=tuple(draft.corrections),
        withdrawn=draft.withdrawn,
        attachments=attachments or (),
        contacts=tuple(draft.contacts),
        notes_to_editors=draft.notes_to_editors,
        body=body,
    )
    name = f"{draft.day.isoformat()}-{draft.slug}.yaml"
    shown = project.show(f"{ENTRIES_DIR}/{name}")
    available = {**site.files, **downloads.sizes()}
    compiled = compile_entry(shown, name, format_entry(fields).encode(), config, available)
    refused = [p for p in compiled.problems if p.is_error]
    if compiled.entry is not None and not refused:
        return _Ready(draft, fields, name, compiled.entry)
    report.skipped += 1
    first = refused[0] if refused else None
    why = (
        f"{first.field}: {first.message}"
        if first and first.field
        else first.message
        if first
        else ""
    )
    report.problems.append(
        note(
            draft.item,
            "item",
            f"skipped {item_name(draft.item)}: feedpub check would refuse {name} ({why})",
        )
    )
    return None


def _write(
    project: Project, site: _Site, ready: _Ready, downloads: Downloads, report: ImportReport
) -> None:
    """Write one entry, and its new attachments."""
    draft, fields, name = ready.draft, ready.fields, ready.name
    try:
        for file_name, _ in fields.attachments:
            if file_name not in site.files:
                kept = downloads.path(file_name)
                with (
                    kept.open("rb") as data,
                    (project.root / ENTRIES_DIR / file_name).open("xb") as handle,
                ):
                    shutil.copyfileobj(data, handle)
                site.files[file_name] = kept.stat().st_size
        path = write_entry(project, name, format_entry(fields), writer="feedpub import")
    except (FeedpubError, OSError) as exc:
        report.skipped += 1
        message = exc.problems[0].message if isinstance(exc, FeedpubError) else str(exc)
        report.problems.append(
            note(draft.item, "item", f"skipped {item_name(draft.item)}: {name} {message}")
        )
        return
    report.written.append(path)
    site.ids.add(draft.id)

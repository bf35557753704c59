"""check() and build(): load -> validate -> Site -> render -> write.

Phase one gathers and checks everything; a problem anywhere stops the build before a byte
is written. Phase two plans every output (path, key, how to make it) and hands the plan to
the one writer, which renders only what changed and swaps the new tree in whole.
"""

from __future__ import annotations

import json
import os
import re
import time
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from feedpub import __version__, parallel
from feedpub.cache import Cache, Manifest, Probe, digest
from feedpub.config import CONFIG_NAME, STATIC_DIR, read_config
from feedpub.errors import FeedpubError, Problem, Problems, Severity, shown_path, shown_root
from feedpub.model import Entry, Publisher, Site, SiteConfig, sort_key
from feedpub.outcome import BuildResult, unchanged_build
from feedpub.parallel import fork_map
from feedpub.render import MARKER, Outputs, plan_site
from feedpub.validate import Compiled, compile_entry
from feedpub.write import list_tree, same_content, write_outputs

ENTRIES_DIR = "entries"
OUTPUT_DIR = "public"


@dataclass(frozen=True, slots=True)
class Project:
    """Where a site lives, and how to show its paths to the person who ran feedpub."""

    root: Path
    shown_root: str = ""  # prefix for messages: '' when feedpub runs at the root

    @classmethod
    def at(cls, root: Path) -> Project:
        # abspath normalises ".." and keeps links as named, unlike resolve()
        return cls(Path(os.path.abspath(root)), shown_root(root))

    def show(self, rel: str) -> str:
        return self.shown_root + rel


@dataclass(frozen=True, slots=True)
class SiteResult:
    site: Site
    warnings: list[Problem] = field(default_factory=list)


# Used only to go on checking entries when feedpub.yaml itself is broken; never written.
_CHECKING_CONFIG = SiteConfig(
    title="(unusable feedpub.yaml)",
    base_url="https://invalid.example/",
    description="",
    language="en",
    timezone_name="UTC",
    timezone=zoneinfo.ZoneInfo("UTC"),
    publisher=Publisher(name="(unusable feedpub.yaml)"),
    feed_limit=50,
    id_authority="invalid.example,2000",
)


@dataclass(frozen=True, slots=True)
class EntryFiles:
    """What entries/ holds: entry files by name, and other files (attachments) with sizes."""

    entries: list[tuple[str, Path]]
    others: dict[str, int]


def list_entry_files(project: Project, problems: Problems) -> EntryFiles:
    """The files in entries/, by name; refuses links, folders and look-alike names."""
    directory = project.root / ENTRIES_DIR
    found = EntryFiles([], {})
    if not directory.is_dir() or directory.is_symlink():
        problems.add(
            project.show(ENTRIES_DIR + "/"),
            "no entries/ directory here; create it and put one YAML file per statement in it",
            line=0,
        )
        return found
    for item in sorted(os.scandir(directory), key=lambda e: e.name):
        shown = project.show(f"{ENTRIES_DIR}/{item.name}")
        if item.name.startswith("."):
            continue
        if item.is_symlink():
            problems.add(shown, "is a symbolic link; feedpub reads only files kept in entries/")
        elif item.is_dir():
            problems.add(
                shown + "/", "folders are not read; keep every entry directly in entries/", line=0
            )
        elif item.name.endswith(".yaml"):
            found.entries.append((item.name, Path(item.path)))
        elif item.name.lower().endswith((".yml", ".yaml")):
            problems.add(shown, "entry files end in .yaml; rename it", line=0)
        else:
            found.others[item.name] = item.stat().st_size
    return found


# Below this many entries to compile, a process pool costs more than it saves.
PARALLEL_FROM = 300


def _compile_file(
    shown: str, name: str, path: Path, context: str, config: SiteConfig, available: dict[str, int]
) -> Compiled:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Compiled(None, [Problem(path=shown, line=0, message=f"cannot read: {exc.strerror}")])
    # Keyed by the bytes compiled here, even if the file changed since it was first read.
    return compile_entry(shown, name, data, config, available, digest(context, name, data))


def compile_entries(
    project: Project, config: SiteConfig, files: EntryFiles, cache: Cache | None = None
) -> list[Compiled]:
    """Compile every entry file: from the cache when its bytes and context are unchanged,
    else across the machine's cores when there are many."""
    context = digest(
        __version__, repr(config), project.shown_root, repr(sorted(files.others.items()))
    )
    cached = cache.entries() if cache is not None else {}
    results: list[Compiled | None] = []
    jobs: list[tuple[str, str, Path]] = []  # no bytes kept: a worker reads its files again
    slots: list[int] = []
    for name, path in files.entries:
        shown = project.show(f"{ENTRIES_DIR}/{name}")
        try:
            hit = cached.get(digest(context, name, path.read_bytes()))
        except OSError:
            hit = None  # reported when compiled
        results.append(hit)
        if hit is None:
            jobs.append((shown, name, path))
            slots.append(len(results) - 1)
    workers = parallel.workers() if len(jobs) >= PARALLEL_FROM else 1
    size = max(1, -(-len(jobs) // (workers * 8)))
    bounds = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]

    def compile_range(span: tuple[int, int]) -> list[Compiled]:
        # Forked workers inherit `jobs`: only the span and the results travel.
        return [
            _compile_file(shown, name, path, context, config, files.others)
            for shown, name, path in jobs[span[0] : span[1]]
        ]

    compiled = [item for batch in fork_map(compile_range, bounds, workers) for item in batch]
    for slot, item in zip(slots, compiled, strict=True):
        results[slot] = item
    final = [item for item in results if item is not None]
    if cache is not None and (jobs or len(cached) != len(final)):
        cache.save_entries({item.key: item for item in final if item.key})
    return final


def _check_shared_names(compiled: list[Compiled], problems: Problems) -> None:
    """Two spellings of one type or tag (Energy, energy) would share one address."""
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for item in compiled:
        entry = item.entry
        if entry is None:
            continue
        pairs = [("type", entry.type_slug, entry.type)] + [
            ("tag", slug, tag) for tag, slug in entry.tag_links
        ]
        for kind, slug, name in pairs:
            seen_name, seen_in = first.setdefault((kind, slug), (name, entry.source))
            if seen_name != name:
                folder = "types" if kind == "type" else "tags"
                problems.add(
                    entry.source,
                    f"{kind} {name!r} and {kind} {seen_name!r} in {seen_in} would share one"
                    f" address, {folder}/{slug}/; spell them the same",
                    field="type" if kind == "type" else "tags",
                )


def _warn_unused_files(
    project: Project, files: EntryFiles, compiled: list[Compiled], problems: Problems
) -> None:
    used = {a.name for c in compiled if c.entry for a in c.entry.attachments}
    for name in sorted(files.others.keys() - used):
        problems.add(
            project.show(f"{ENTRIES_DIR}/{name}"),
            "no entry lists this file under attachments, so it is not published",
            line=0,
            severity=Severity.WARNING,
        )


def _check_unique_ids(compiled: list[Compiled], problems: Problems) -> None:
    first: dict[str, Compiled] = {}
    for item in compiled:
        entry = item.entry
        if entry is None:
            continue
        earlier = first.setdefault(entry.id, item)
        if earlier is not item:
            assert earlier.entry is not None
            line, column = earlier.id_at
            problems.add(
                entry.source,
                f"{entry.id} is already used by {earlier.entry.source}:{line}:{column}",
                line=item.id_at[0],
                column=item.id_at[1],
                field="id",
            )


def read_site(
    project: Project, now: datetime | None = None, *, preview: bool = False
) -> SiteResult:
    """Phase one: read and check the settings and every entry, or raise with every problem.

    Statements dated after `now` are held back (embargo); drafts are never published.
    A `preview` publishes both, for `feedpub serve`.
    """
    problems = Problems()
    config = read_config(project.root, problems, shown=project.show(CONFIG_NAME))
    files = list_entry_files(project, problems)
    cache = Cache(project.root) if config is not None else None
    compiled = compile_entries(project, config or _CHECKING_CONFIG, files, cache)
    for item in compiled:
        problems.extend(item.problems)
    _check_unique_ids(compiled, problems)
    _check_shared_names(compiled, problems)
    _warn_unused_files(project, files, compiled, problems)
    if problems.errors or config is None:
        raise FeedpubError(problems.items)
    now = now or datetime.now(timezone.utc)
    published: list[Entry] = []
    held: list[Entry] = []
    drafts: list[Entry] = []
    for item in compiled:
        entry = item.entry
        if entry is None:
            continue
        if entry.draft and not preview:
            drafts.append(entry)
        elif entry.published > now and not preview:
            held.append(entry)
            problems.add(
                entry.source,
                f"under embargo until {entry.published.isoformat()}: held back from the site,"
                " but anyone who can read this repository can read it now; keep embargoed"
                " statements on a private branch",
                line=item.date_at[0],
                column=item.date_at[1],
                field="date",
                severity=Severity.WARNING,
            )
        else:
            published.append(entry)
    site = Site(
        config=config,
        entries=tuple(sorted(published, key=sort_key)),
        drafts=tuple(drafts),
        held=tuple(sorted(held, key=lambda e: (e.published, e.id))),
        entries_dir=project.root / ENTRIES_DIR,
    )
    return SiteResult(site, sorted(problems.warnings))


def add_static(project: Project, outputs: Outputs, problems: Problems) -> None:
    """Copy static/ into the outputs as it is; a clash with a generated file is an error."""
    directory = project.root / STATIC_DIR
    if not directory.is_dir():
        return
    for folder, subfolders, files in os.walk(directory):
        base = Path(folder)
        for name in sorted(subfolders + files):
            path = base / name
            rel = path.relative_to(directory).as_posix()
            shown = project.show(f"{STATIC_DIR}/{rel}")
            if path.is_symlink():
                problems.add(shown, "is a symbolic link; static/ may hold only real files", line=0)
                if name in subfolders:
                    subfolders.remove(name)
            elif name in files:
                if "\\" in rel or rel.startswith("."):
                    problems.add(
                        shown,
                        "a static file's path may not hold a backslash or start with a dot",
                        line=0,
                    )
                    continue
                if rel in outputs.folders():
                    problems.add(
                        shown,
                        f"clashes with the folder public/{rel}/ that feedpub writes; rename or"
                        " remove the static file",
                        line=0,
                    )
                    continue
                if rel in outputs:
                    problems.add(
                        shown,
                        f"clashes with {outputs.origin[rel]}, which feedpub writes to"
                        f" public/{rel}; rename or remove the static file",
                        line=0,
                    )
                    continue
                outputs.add_file(rel, path, shown)


# Below this many outputs to place, forking workers costs more than it saves.
PLACE_PARALLEL_FROM = 500


def plan_all(project: Project, site: Site) -> Outputs:
    """Phase two's plan: pages, feeds, attachments and static files, none rendered yet."""
    outputs = plan_site(site, project.root)
    problems = Problems()
    add_static(project, outputs, problems)
    if problems.errors:
        raise FeedpubError(problems.items)
    return outputs


def build(
    root: Path,
    out: Path | None = None,
    now: datetime | None = None,
    *,
    preview: bool = False,
    probed: Probe | None = None,
) -> BuildResult:
    """Build the site at `root` into `out` (root/public by default), all or nothing.

    `probed` is a no-change check the caller already made (and found things changed).
    """
    started = time.perf_counter()
    project = Project.at(root)
    out = Path(os.path.abspath(out or project.root / OUTPUT_DIR))
    now = now or datetime.now(timezone.utc)
    if probed is None:
        unchanged, probed = unchanged_build(project.root, out, now, preview=preview)
        if unchanged is not None:
            return unchanged
    sources = probed.sources
    cache = Cache(project.root)
    try:
        result = read_site(project, now, preview=preview)
        outputs = plan_all(project, result.site)
        remembered = probed.manifest.outputs if probed.manifest is not None else {}
        workers = parallel.workers() if len(outputs) >= PLACE_PARALLEL_FROM else 1
        report, records = write_outputs(out, outputs.values(), MARKER, remembered, workers)
    except FeedpubError as exc:
        problems = [*exc.problems]
        raise FeedpubError(problems, outcome=f"{shown_path(out)}/ was not changed") from None
    site = result.site
    built = BuildResult(
        out=out,
        report=report,
        seconds=time.perf_counter() - started,
        statements=len(site.entries),
        drafts=len(site.drafts),
        held=tuple(e.published for e in site.held),
        warnings=result.warnings,
    )
    # "now" decides what is published: the shortcut holds only while now stays between the
    # newest statement published and the first one held back. A preview publishes all.
    newest = site.entries[0].published.timestamp() if site.entries and not preview else None
    held_until = site.held[0].published.timestamp() if site.held else None
    cache.save_manifest(
        out,
        Manifest(sources, records, preview, project.shown_root, newest, held_until, built),
    )
    return built


def check(root: Path, now: datetime | None = None, *, public: bool = False) -> SiteResult:
    """Validate the settings and every entry; write nothing. With `public`, also fail when
    the committed public/ is not what a build would write now."""
    project = Project.at(root)
    result = read_site(project, now)
    if public:
        outputs = plan_all(project, result.site)
        problems = compare_public(project, project.root / OUTPUT_DIR, outputs, result.site)
        if problems:
            raise FeedpubError([*result.warnings, *problems])
    return result


_PAGE = re.compile(r"\d{4}/\d{2}/\d{2}/[a-z0-9-]+/index\.html")
_LINKED_DATA = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def _statement(page: bytes) -> tuple[str | None, str]:
    """The id and headline a statement page states in its schema.org JSON-LD."""
    m = _LINKED_DATA.search(page)
    try:
        data = json.loads(m.group(1)) if m else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return None, ""
    return data.get("identifier"), data.get("headline", "")


def compare_public(project: Project, out: Path, outputs: Outputs, site: Site) -> list[Problem]:
    """What keeps the committed public/ from being the build of the committed entries."""
    shown = project.show(OUTPUT_DIR + "/")
    committed = list_tree(out) if out.is_dir() else {}
    problems: list[Problem] = []
    by_path = {e.path + "index.html": e for e in site.entries}
    taken_back = {e.path + "index.html": e for e in (*site.drafts, *site.held)}
    for rel in sorted(committed):
        if not _PAGE.fullmatch(rel):
            continue
        old_id, headline = _statement(committed[rel].read_bytes())
        entry = by_path.get(rel)
        named = f"{headline!r} ({old_id})" if headline else old_id or rel
        if entry is None and rel in taken_back:
            later = taken_back[rel]
            why = "is a draft now" if later.draft else f"is dated {later.published.isoformat()} now"
            problems.append(
                Problem(
                    path=later.source,
                    message=f"the published statement {named} {why}, which would take it off"
                    " the site; a statement is never taken back: add `withdrawn: {date: ...,"
                    " reason: ...}` to it instead",
                )
            )
        elif entry is None:
            problems.append(
                Problem(
                    path=f"{shown}{rel}",
                    line=0,
                    message=f"the published statement {named} has no entry any more; a"
                    " statement is never deleted: restore its file in entries/ and add"
                    " `withdrawn: {date: ..., reason: ...}` to it instead",
                )
            )
        elif old_id is not None and old_id != entry.id:
            problems.append(
                Problem(
                    path=entry.source,
                    message=f"the published statement's id changed from {old_id} to"
                    f" {entry.id}; readers would see it again as new. Set `id: {old_id}`",
                    field="id",
                )
            )
    stale = sorted(
        rel
        for rel in committed.keys() | outputs.keys()
        if rel not in committed
        or rel not in outputs
        or not same_content(committed[rel], outputs[rel].make())
    )
    if stale:
        problems.append(
            Problem(
                path=shown,
                line=0,
                message=f"is stale: {len(stale):,} files differ from a fresh build (first:"
                f" {stale[0]}); run `feedpub build` and commit {OUTPUT_DIR}/",
            )
        )
    return problems

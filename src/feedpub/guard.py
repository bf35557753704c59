"""`feedpub check --against REV`: what a change would take away from subscribers.

A feed reader knows a statement by its id and links to its page. So a statement published at
git revision REV must still be there, with the same id, still published, and every type's and
tag's feed must still exist; otherwise readers lose it, see it twice, or lose a feed they
subscribed to. This compares the statements published at REV (read with git plumbing: no
checkout, no network, no built public/) with the working tree's, and names the file and
the one-line fix for each loss, and warns of a new statement that would reach no feed.

Each check is a rule: a function from a `Comparison` (comparison.py) to problems, listed in
RULES: here, a statement kept, its address, its type's and tags' feeds; in entryguard.py,
what readers have of each statement; in feedguard.py, of the site's feeds and settings. A new
kind of loss is one more rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from feedpub import entryguard, feedguard, parallel
from feedpub.build import check
from feedpub.comparison import Comparison, Section, Statement
from feedpub.config import CONFIG_NAME, settings_from_bytes
from feedpub.entryfields import DEFAULT_TYPE
from feedpub.errors import FeedpubError, Problem, Problems, Severity
from feedpub.gather import Project, SiteResult
from feedpub.gitrev import Blob, GitError, GitRevision
from feedpub.listing import ENTRIES_DIR
from feedpub.model import Entry, Site, SiteConfig
from feedpub.render.documents import make_sections, only_archived
from feedpub.slug import slugify
from feedpub.validate import compile_entry

PARALLEL_FROM = 300  # entries to compile at REV before forking workers pays


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar, as `feedpub new` writes them (JSON's syntax is YAML's)."""
    return json.dumps(value, ensure_ascii=False)


_WITHDRAW = "add `withdrawn: {date: ..., reason: ...}` to it instead"


def kept_statements(c: Comparison) -> Iterator[Problem]:
    """Each statement published at REV is still there, with its id, and still published."""
    files = c.after_files
    for old in sorted(c.before.values(), key=lambda s: s.file):
        now = c.after.get(old.id)
        if now is not None:  # removed lawfully, it keeps a page: the notice saying why
            # A statement removed is named by its id alone: its title may be why.
            named = f"statement {old.id}, removed," if now.removed else f"statement {old.named}"
            if now.draft:
                yield c.problem(
                    now.file,
                    "draft",
                    f"the published {named} is a draft again, which would take"
                    + (
                        " down the notice at its address saying why it was removed; remove"
                        " `draft: true`: its `removed:` keeps its text off the site"
                        if now.removed
                        else " it off the site and out of every feed; a statement is never taken"
                        f" back: remove `draft: true`, and {_WITHDRAW}"
                    ),
                )
            elif now.published > c.now:
                yield c.problem(
                    now.file,
                    "date",
                    f"the published {named} is now dated"
                    f" {now.published.isoformat()}, after now, which would take it off the site"
                    f" until then; keep `date: {old.published.isoformat()}` and record the change"
                    " with `updated:` and `change_note:`",
                )
            continue
        name = c.renamed.get(old.file, old.file)
        if name in files:
            has_id = c.position(name, "id") != (0, 0)
            fix = f"`id: {_yaml(old.id)}`"
            fix = f"Set {fix}" if has_id else f"Add the line {fix}"
            was = ""
            if name != old.file:
                was = f"was renamed from {c.shown(old.file)} (so git sees it)"
                was += ": " if has_id else ", whose name gave the statement its id: "
            yield c.problem(
                name,
                "id",
                f"{was}the published statement's id changed from {old.id} to {files[name].id};"
                f" readers would see it again as new. {fix}",
            )
            # Its page moved too (a new name, a new address): said now, not once the id is
            # put back and kept_addresses finds the statement.
            yield from _moved(c, old, files[name])
            continue
        # A new file of the same day may be it, renamed and rewritten (git sees no rename).
        day = old.file[:11]
        known = c.before.keys() | c.gone.keys()  # one removed at REV keeps its id too
        new = [s.file for s in c.after.values() if s.file.startswith(day) and s.id not in known]
        maybe = (
            f"; if {c.shown(new[0])} is it, renamed, add to it the lines `id: {_yaml(old.id)}`"
            f" and `aliases: [{_yaml(old.path)}]` instead"
            if len(new) == 1
            else ""
        )
        # Withdrawn already, it only needs to be back: its page says why it was withdrawn.
        fix = ": it is withdrawn already, and its page says why" if old.withdrawn else ""
        yield Problem(
            path=c.shown(old.file),
            line=0,
            message=f"the published statement {old.named} was deleted; a statement is never"
            f" deleted: restore it (`{c.restore(old.file)}`)"
            + (fix or f" and {_WITHDRAW}")
            + maybe,
        )


def kept_sections(c: Comparison) -> Iterator[Problem]:
    """Each type's and tag's feed that had a statement at REV still has one. (One a removed
    statement is in stays, empty, and gets none again: refused all the same.)"""
    still = {
        (s.kind, s.slug) for st in c.after.values() if st.is_published(c.now) for s in st.sections
    }
    kept = {
        (s.kind, s.slug)
        for st in c.after.values()
        if st.removed and st.has_page(c.now)
        for s in st.sections
    }
    lost: dict[tuple[str, str], tuple[Section, Statement]] = {}
    for old in sorted(c.before.values(), key=lambda s: s.file):
        now = c.after.get(old.id)
        if now is None or not now.is_published(c.now):
            continue  # lost, taken back or removed: reported above, or lawful
        for section in old.sections:
            key = (section.kind, section.slug)
            if key not in still and key not in c.aliased:
                lost.setdefault(key, (section, now))
    for key, (section, now) in lost.items():
        message = (
            f"the {section.kind} {section.name!r} would be left with no published statement,"
            f" so its feeds ({section.folder}atom.xml, rss.xml and feed.json), to which readers"
            f" may subscribe, would {'stay empty' if key in kept else 'disappear'}; "
        )
        if section.kind == "type":
            fix = f"set `type: {_yaml(section.name)}` again, or"
        else:
            fix = f"keep {_yaml(section.name)} in its tags, or"
        folder = "types" if section.kind == "type" else "tags"
        if section.kind == "type" and section.name == DEFAULT_TYPE:
            fix = fix.removesuffix(", or")  # an alias would refuse every statement without one
        else:
            fix += (
                f" if it was renamed, keep its feeds with `section_aliases: {{{folder}:"
                f" {{{section.name}: <its new name>}}}}` in feedpub.yaml"
            )
        yield c.problem(now.file, "type" if section.kind == "type" else "tags", message + fix)


def kept_addresses(c: Comparison) -> Iterator[Problem]:
    """A statement whose page moved keeps its old address as an alias (a redirect)."""
    for old in sorted(c.before.values(), key=lambda s: s.file):
        now = c.after.get(old.id)
        if now is not None:  # lost, or (no page) taken back: reported by kept_statements
            yield from _moved(c, old, now)


def _moved(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """The problem of `now`, published as `old`, whose page moved without an alias."""
    if now.has_page(c.now) and now.path != old.path and old.path not in now.aliases:
        has = c.position(now.file, "aliases") != (0, 0)
        fix = (
            f"add {_yaml(old.path)} to its `aliases:`"
            if has
            else f"add the line `aliases: [{_yaml(old.path)}]`"
        )
        yield c.problem(
            now.file,
            "aliases",
            f"the page of the published statement {old.named} moved from {old.path} to"
            f" {now.path}, so every link to the old address would break; {fix}",
        )


Rule = Callable[[Comparison], Iterable[Problem]]
RULES: tuple[Rule, ...] = (
    kept_statements,
    kept_addresses,
    kept_sections,
    entryguard.kept_records,
    entryguard.kept_notices,
    feedguard.kept_settings,
    feedguard.kept_base_url,
    feedguard.kept_section_aliases,
    feedguard.kept_languages,
    feedguard.new_reach_readers,
    feedguard.corrections_reach_readers,
    feedguard.kept_archives,
)


def check_against(root: Path, now: datetime, rev: str) -> SiteResult:
    """`check`, then fail if the working tree loses what was published at git revision REV."""
    try:
        result = check(root, now)
    except FeedpubError as exc:  # with what can be compared while there are problems
        from feedpub.partialguard import while_failing  # (which imports this module)

        found = [*exc.problems, *while_failing(root, now, rev, exc.problems)]
        raise FeedpubError(found, outcome=exc.outcome) from None
    project = Project.at(root)
    problems = Problems()
    comparison = compare(project, result.site, rev, now, problems)
    if comparison is not None:
        for rule in RULES:
            problems.extend(rule(comparison))
    warnings = sorted([*result.warnings, *problems.warnings])
    if problems.errors:
        raise FeedpubError([*warnings, *problems.errors])
    return SiteResult(result.site, warnings)


def compare(
    project: Project, site: Site, rev: str, now: datetime, problems: Problems
) -> Comparison | None:
    """Both sides of the comparison, or None (and a problem) when REV cannot be read."""
    after = {
        e.id: Statement.of(e) for e in (*site.entries, *site.removed, *site.held, *site.drafts)
    }
    try:  # git may fail at any step: a damaged index, an object missing from the clone
        git = GitRevision(project.root, rev)
        git.check_entries_here()
        sha = git.resolve()
        if sha is None:  # a repository with no commit yet: nothing was published
            return Comparison(project, rev, now, {}, after)
        config_data, entries = git.read_site(sha)
        if config_data is None:  # before the site, or not its history at all
            problems.add(
                f"(--against {rev})",
                f"{rev} holds no feedpub.yaml, so no statement was published there and nothing"
                f" is compared; if {rev} is not the base of this change, give the base (the"
                " branch the site is published from)",
                line=0,
                severity=Severity.WARNING,
            )
            return Comparison(project, rev, now, {}, after)
        config = _read_config(project.show(CONFIG_NAME) + f" at {rev}", config_data, problems)
        if config is None:
            return None
        same = config_data == _read_bytes(project.root / CONFIG_NAME)
        before, gone, failed = _published(project, config, entries, site, same, now, git)
        renamed = git.renames(sha) if (before.keys() | gone.keys()) - after.keys() else {}
    except GitError as exc:
        problems.add(f"(--against {rev})", exc.message, line=0)  # in no file
        return None
    for name in failed:  # compiled under older rules, perhaps; in any case not known
        if not (project.root / ENTRIES_DIR / name).exists():
            problems.add(
                project.show(f"{ENTRIES_DIR}/{name}"),
                f"{UNKNOWN} at {rev}, where it does not pass this feedpub's checks (written for"
                " an older one?): make sure no statement readers have is lost",
                line=0,
                severity=Severity.WARNING,
            )
    aliased = frozenset((alias.kind, slugify(alias.old)) for alias in site.config.section_aliases)
    archived = only_archived(site.config, make_sections(site).main)  # see new_reach_readers
    limit = config.feed_limit
    moved = 0
    if config.timezone_name != site.config.timezone_name:
        moved = sum(1 for i, s in before.items() if i in after and after[i].times != s.times)
    attached = {name for statement in before.values() for name in statement.attachments}
    replaced = _replaced(git, sha, attached)
    return Comparison(
        project,
        rev,
        now,
        before,
        after,
        renamed,
        aliased,
        archived,
        site.config,
        limit,
        config,
        gone,
        moved,
        replaced,
    )


def _replaced(git: GitRevision, sha: str, attached: set[str]) -> frozenset[str]:
    """The attachments at REV (`attached`) whose bytes in entries/ differ now, as git tells
    them from its index's file statuses: unchanged ones are not read, however large."""
    if not attached:
        return frozenset()
    try:
        said = git.run("diff", "--name-only", "--no-renames", "--relative", sha, "--", ENTRIES_DIR)
    except GitError:
        return frozenset()
    names = said.decode("utf-8", errors="surrogateescape").splitlines()
    return frozenset({name.rsplit("/", 1)[-1] for name in names} & attached)


# A deleted entry whose statement the guard could not read at REV (see check_against).
UNKNOWN = "is gone, and the guard cannot tell whether it was published"


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _read_config(shown: str, data: bytes, problems: Problems) -> SiteConfig | None:
    found = Problems()
    config = settings_from_bytes(shown, data, found)
    if config is None:
        problems.add(
            shown,
            "is not valid there, so what it published cannot be compared: nothing could be"
            " built from it either",
            line=0,
            severity=Severity.WARNING,
        )
    return config


def _published(
    project: Project,
    config: SiteConfig,
    entries: list[Blob],
    site: Site,
    same_config: bool,
    now: datetime,
    git: GitRevision,
) -> tuple[dict[str, Statement], dict[str, Statement], list[str]]:
    """The statements REV published, those it had removed (lawfully), by id, and the entry
    files that do not compile there (now). An entry whose bytes and settings are unchanged in
    the working tree is the working tree's (no need to compile it again)."""
    every = (*site.entries, *site.removed, *site.held, *site.drafts)
    current = {e.source.rsplit("/", 1)[-1]: e for e in every}
    directory = project.root / ENTRIES_DIR
    reuse: list[Entry] = []
    jobs: list[Blob] = []
    for blob in entries:
        entry = current.get(blob.name) if same_config else None
        data = _read_bytes(directory / blob.name) if entry is not None else None
        if entry is not None and data is not None and git.hash_object(data) == blob.object_id:
            reuse.append(entry)
        elif blob.name.endswith(".yaml"):
            jobs.append(blob)
    available = {b.name: b.size for b in entries if not b.name.endswith(".yaml")}

    def compile_range(span: tuple[int, int]) -> list[Statement | str]:
        found: list[Statement | str] = []
        for blob in jobs[span[0] : span[1]]:
            shown = project.show(f"{ENTRIES_DIR}/{blob.name}")
            entry = compile_entry(shown, blob.name, blob.data, config, available).entry
            found.append(Statement.of(entry, text=True) if entry is not None else blob.name)
        return found

    workers = parallel.workers() if len(jobs) >= PARALLEL_FROM else 1
    size = max(1, -(-len(jobs) // (workers * 4)))
    spans = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]
    compiled = [s for batch in parallel.fork_map(compile_range, spans, workers) for s in batch]
    statements = [Statement.of(e) for e in reuse]
    statements += [s for s in compiled if isinstance(s, Statement)]
    # An entry that does not compile at REV stopped every build there, unless an older
    # feedpub, with other rules, built it: the caller warns if it is gone.
    failed = [s for s in compiled if isinstance(s, str)]
    gone = {s.id: s for s in statements if s.removed and s.has_page(now)}
    return {s.id: s for s in statements if s.is_published(now)}, gone, failed

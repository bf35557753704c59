"""check() and build(): gather -> plan -> write, as two phases.

Phase one gathers and checks everything (gather.py); a problem anywhere stops the build
before a byte is written. Phase two plans every output (render/plan.py) and hands the plan
to the one writer (write.py), which makes and writes only what changed. incremental/
decides what may be skipped, first of all the whole build: an unchanged site is answered
before the modules of the phases are imported. This module only runs the phases in order.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from feedpub import parallel
from feedpub.errors import FeedpubError, Problem, Severity, shown_path
from feedpub.incremental import Cache, Manifest, probe, replay
from feedpub.listing import OUTPUT_DIR, WATCHED_DIRS
from feedpub.model import BuildResult, Site

if TYPE_CHECKING:
    from feedpub.gather import SiteResult


def _refuse_output_in_sources(root: Path, out: Path) -> None:
    """An output in a folder the build reads is read back by the next: in static/, the site
    is published again inside itself; in templates/, its home page becomes a template."""
    real = Path(os.path.realpath(out))
    for folder in WATCHED_DIRS:
        source = Path(os.path.realpath(root / folder))
        if real.is_relative_to(source):
            where = f"is {folder}/" if real == source else f"is inside {folder}/"
            shown = f"{shown_path(out)}/"
            message = (
                f"{where}, which feedpub reads to make the site, so the next build would read"
                " what this one writes; choose an --out outside entries/, static/ and"
                " templates/ (the default is public/)"
            )
            raise FeedpubError(
                [Problem(path=shown, line=0, message=message)], outcome=f"{shown} was not changed"
            )


def build(
    root: Path,
    out: Path | None = None,
    now: datetime | None = None,
    *,
    preview: bool = False,
    gathered: Callable[[Site], object] | None = None,
) -> BuildResult:
    """Build the site at `root` into `out` (root/public by default). `gathered` is told
    the site once it is read (not when nothing changed)."""
    started = time.perf_counter()
    out = Path(os.path.abspath(out or Path(root) / OUTPUT_DIR))
    _refuse_output_in_sources(Path(root), out)
    now = now or _clock()
    found = probe(root, out, now, preview=preview)
    if found.up_to_date:  # answered before any module below is imported
        return replay(found, time.perf_counter() - started)
    from feedpub.gather import Project, read_site
    from feedpub.render.precompiled import compiled_meanwhile

    project = Project.at(root)
    cache = Cache(project.root)
    # The children listing the sources and `out` (see probe) are reaped whatever happens.
    templates = compiled_meanwhile(project.root)  # (and what writing needs, imported meanwhile)
    with contextlib.closing(found), cache.locked(), templates as aside, _Collector() as collector:
        try:
            result = read_site(
                project, now, cache, preview=preview, sources=found.sources, meanwhile=aside
            )
            if gathered is not None:
                gathered(result.site)
            from feedpub.render.addresses import add_static, check_site_links
            from feedpub.render.plan import MARKER, plan_site
            from feedpub.write import write_outputs

            last = cache.dependencies(out)
            outputs = plan_site(result.site, project.root, last)
            add_static(project.root, project.show, outputs)
            links = check_site_links(result.site.entries, outputs, result.site.config.base_url)
            remembered = found.manifest.outputs if found.manifest is not None else {}
            collector.writing()
            report, written = write_outputs(
                out,
                outputs.values(),
                MARKER,
                remembered,
                parallel.workers(),
                found.survey,
                outputs.prepare,
            )
        except FeedpubError as exc:
            outcome = exc.outcome or f"{shown_path(out)}/ was not changed"
            raise FeedpubError(exc.problems, outcome=outcome) from None
        site = result.site
        built = BuildResult(
            out=str(out),
            report=report,
            seconds=time.perf_counter() - started,
            statements=len(site.entries),
            drafts=len(site.drafts),
            held=tuple(e.published for e in site.held),
            warnings=sorted([*result.warnings, *outputs.warnings, *links]),
        )
        # "now" decides what is published: the shortcut holds only while now stays between
        # the newest date the site shows (a statement, a removed one's notice, a correction
        # or withdrawal: one after now is refused) and the first held back (a preview: all).
        due = [e.updated.timestamp() for e in (*site.entries, *site.removed)]  # >= its date
        due += [e.removed.at.timestamp() for e in site.removed if e.removed is not None]
        newest = max(due) if due and not preview else None
        held_until = site.held[0].published.timestamp() if site.held else None
        manifest = Manifest(
            sources=found.sources,  # as before reading: an edit made meanwhile shows next time
            outputs={path: item.record for path, item in written.items()},
            preview=preview,
            shown_root=project.shown_root,
            newest=newest,
            held_until=held_until,
            result=built,
        )
        # Outputs not made this time keep the dependencies they recorded last time.
        made = {path: item.tokens for path, item in written.items() if item.tokens}
        dependencies = last.updated(made, written.keys() - made.keys())
        cache.save_build(out, manifest, dependencies)
    return built


class _Collector:
    """The cyclic garbage collector, paused while the site is read and planned, then run
    with what was read frozen (gc.freeze) until the build is saved. The entries and the
    plan live as long as the build: collecting while they are made only walks them again
    and again (a fifth of the time of adding a statement to 10,000), and frozen, they are
    neither walked by the collections writing and saving need (one whole walk while the
    cache was saved cost 0.2 s) nor copied into forked workers by a collection touching
    their headers."""

    def __enter__(self) -> _Collector:
        self.enabled = gc.isenabled()
        gc.disable()
        return self

    def writing(self) -> None:
        gc.freeze()
        if self.enabled:
            gc.enable()

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()  # let go of with the build: tests run many builds in one process
        if self.enabled:
            gc.enable()


def check(root: Path, now: datetime | None = None) -> SiteResult:
    """Validate the settings and every entry, and plan the outputs; write nothing."""
    from feedpub.folders import TEMPLATE_DIR
    from feedpub.gather import Project, read_site
    from feedpub.render.addresses import add_static, at_release, check_site_links, make_every
    from feedpub.render.plan import plan_site
    from feedpub.render.precompiled import compiled_meanwhile
    from feedpub.write import unfinished

    project = Project.at(root)
    cache = Cache(project.root)
    with cache.locked(), compiled_meanwhile(project.root) as meanwhile:
        result = read_site(project, now or _clock(), cache, meanwhile=meanwhile)
        outputs = plan_site(result.site, project.root)
        add_static(project.root, project.show, outputs)
        # A site's own template can fail only as a page is made ({{ 1 / 0 }}, or a field
        # some statements lack): every output is made as a build would, so that the pull
        # request's check finds it, not the build after the merge or at a release.
        own = (project.root / TEMPLATE_DIR).is_dir()
        made = make_every(outputs) if own else None
        if released := at_release(project.root, project.show, result.site, made):
            raise FeedpubError([*result.warnings, *released])
    links = check_site_links(result.site.entries, outputs, result.site.config.base_url)
    result.warnings.extend([*outputs.warnings, *links])
    result.warnings.sort()
    if unfinished(project.root / OUTPUT_DIR):
        stopped = Problem(
            path=project.show(f"{OUTPUT_DIR}/"),
            line=0,
            message="a build into it was stopped before it finished, so it may mix old and"
            " new files; run `feedpub build` to finish it",
            severity=Severity.WARNING,
        )
        result.warnings.insert(0, stopped)
    return result


def _clock() -> datetime:
    return datetime.now(timezone.utc)

"""The no-change shortcut: whether the last build into an output folder still stands, so
that `feedpub build` can answer from the cache (incremental.py) before any heavy module is
imported. Standard library and the cache's data only.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedpub.errors import shown_root
from feedpub.incremental import Cache, Manifest, Record
from feedpub.listing import Survey, scan_sources
from feedpub.model import BuildResult, WriteReport


def output_untouched(survey: Survey, outputs: dict[str, Record]) -> bool:
    """True when the surveyed folder holds exactly the files a manifest lists, each as it
    was left."""
    try:
        found = survey.result()
    except OSError:  # no output folder, or one that cannot be read: build
        return False
    return found.keys() == outputs.keys() and all(
        outputs[rel].matches(status) for rel, status in found.items()
    )


@dataclass(frozen=True, slots=True)
class Probe:
    """What the no-change check read: the last manifest, and the sources as they are now."""

    manifest: Manifest | None
    sources: dict[str, list[int]]
    up_to_date: bool
    survey: Survey | None = None  # of the output folder, begun as the check began


def probe(root: Path, out: Path, now: datetime, *, preview: bool) -> Probe:
    """Whether nothing the last build into `out` read or wrote has changed since, and
    whether "now" still falls where it did: after the newest statement it published and
    before the first one it held back."""
    root, out = Path(os.path.abspath(root)), Path(os.path.abspath(out))
    manifest = Cache(root).manifest(out)
    # Listed by a forked child while the sources are: for this check, or for the build.
    survey = Survey(out) if manifest is not None else None
    sources = scan_sources(root)
    if manifest is None or survey is None:
        return Probe(None, sources, up_to_date=False)
    # Another preview setting or another way of showing paths rules out replaying the last
    # build's result, but its records still say what is in `out`.
    moment = now.timestamp()
    fresh = (
        manifest.preview == preview
        and manifest.shown_root == shown_root(root)
        and (manifest.newest is None or manifest.newest <= moment)
        and (manifest.held_until is None or moment < manifest.held_until)
        and sources == manifest.sources
        and output_untouched(survey, manifest.outputs)
    )
    return Probe(manifest, sources, up_to_date=fresh, survey=survey)


def replay(found: Probe, seconds: float) -> BuildResult:
    """The last build's result, for a build that found nothing to do."""
    assert found.manifest is not None
    last = found.manifest.result
    report = WriteReport(written=0, unchanged=len(found.manifest.outputs), removed=0)
    return dataclasses.replace(last, report=report, seconds=seconds)

"""Incremental building, in one place: what the last build read and wrote, and what this
one may skip. build() runs it: it opens the cache and hands each phase its part (reading
the site the compiled entries, the plan the dependencies recorded last time, the writer
what it left). In three parts:
- cache.py, the build cache: the compiled entries, and per output folder the manifest of
  what the last build read and wrote and each output's recorded dependencies;
- recording.py, what a rendering reads: tokens such as `entry:<id>`, `config` or
  `site:entries`, recorded as a template reads them and resolved by the plan
  (render/plan.py) into each output's key;
- here, what may be skipped: the whole build, when nothing it read or wrote changed and
  "now" still falls where it did (probe, replay); and one output, when its key is as the
  last build left it and its file too, or holds the same bytes (current).

A template may read anything, and a cached build still equals a cold one. Standard
library and the cache's data only: the no-change check runs before any heavy module is
imported.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedpub.errors import Problems, shown_root
from feedpub.forked import Forked
from feedpub.incremental.cache import ENTRIES, Cache, Manifest, Record
from feedpub.incremental.folder import cache_folder
from feedpub.incremental.recording import (
    Dependencies,
    key_line,
    key_of,
    key_of_lines,
    record,
    record_all,
    recorded,
    recording,
)
from feedpub.listing import Status, Survey, scan_sources
from feedpub.model import BuildResult, WriteReport
from feedpub.read import read_bytes
from feedpub.stamp import content_hash

__all__ = [
    "ENTRIES",
    "Cache",
    "Dependencies",
    "Manifest",
    "Probe",
    "Record",
    "cache_folder",
    "current",
    "key_line",
    "key_of",
    "key_of_lines",
    "probe",
    "record",
    "record_all",
    "recorded",
    "recording",
    "replay",
]


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


@dataclass(slots=True)
class Probe:
    """What the no-change check read: the last manifest, and the sources as they are now."""

    manifest: Manifest | None
    listing: dict[str, list[int]] | Forked  # the sources, or the child listing them
    up_to_date: bool
    survey: Survey | None = None  # of the output folder, begun as the check began

    @property
    def sources(self) -> dict[str, list[int]]:
        """Each source's status (listing.scan_sources) as the check began."""
        if not isinstance(self.listing, Forked):
            return self.listing
        listed: dict[str, list[int]] = self.listing.result()
        self.listing = listed
        return listed

    def close(self) -> None:
        """Reap the children listing the sources and the output, if not asked."""
        if isinstance(self.listing, Forked):
            self.listing.close()
        if self.survey is not None:
            self.survey.close()


def probe(root: Path, out: Path, now: datetime, *, preview: bool) -> Probe:
    """Whether nothing the last build into `out` read or wrote has changed since, and
    whether "now" still falls where it did: after the newest statement it published and
    before the first one it held back."""
    root, out = Path(os.path.abspath(root)), Path(os.path.abspath(out))
    manifest = Cache(root).manifest(out)
    if manifest is None:  # a first build: the sources listed by a child while it begins
        return Probe(None, Forked(functools.partial(scan_sources, root)), up_to_date=False)
    # Listed by a forked child while the sources are: for this check, or for the build.
    survey = Survey(out)
    sources = scan_sources(root)
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


def current(
    out: Path,
    path: str,
    key: str | None,
    remembered: Mapping[str, Record],
    existing: Mapping[str, Status],
) -> Record | None:
    """What to remember of the output at `path` in `out`, whose dependencies resolve to
    `key` now (None when unknown), if it need not be made again: the last build made it with
    that key, and its file is as that build left it, or holds the same bytes (put back with
    another time and inode, as a CI cache restores a folder). None if it must be made."""
    record = remembered.get(path)
    if key is None or record is None or record.key != key:
        return None
    status = existing.get(path)
    if record.matches(status):
        return record
    if status is None or not record.content or status[0] != record.size:
        return None
    # Never through a link, never more than it should hold; any trouble: made again.
    data = read_bytes(f"{out}/{path}", path, Problems(), limit=record.size)
    if data is None or len(data) != record.size or content_hash(data) != record.content:
        return None
    return dataclasses.replace(record, mtime_ns=status[1], ino=status[2])

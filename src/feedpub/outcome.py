"""What a build did, and the no-change shortcut that answers without reading any entry.

This module and those it imports use only the standard library, so `feedpub build` on an
unchanged site starts, checks and stops in a fraction of a second.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from feedpub.cache import Probe, probe
from feedpub.errors import Problem, shown_root
from feedpub.write import WriteReport


@dataclass(frozen=True, slots=True)
class BuildResult:
    out: Path
    report: WriteReport
    seconds: float
    statements: int
    drafts: int = 0
    held: tuple[datetime, ...] = ()  # release times of statements under embargo, soonest first
    warnings: list[Problem] = field(default_factory=list)


def unchanged_build(
    root: Path, out: Path, now: datetime, *, preview: bool
) -> tuple[BuildResult | None, Probe]:
    """The last build's result when nothing it read or wrote has changed since; and what
    was read to tell, so a build that must run need not read it again."""
    started = time.perf_counter()
    out = Path(os.path.abspath(out))
    found = probe(
        Path(os.path.abspath(root)),
        out,
        now.timestamp(),
        preview=preview,
        shown_root=shown_root(root),
    )
    if not found.up_to_date or found.manifest is None:
        return None, found
    manifest = found.manifest
    last: BuildResult = manifest.result
    return BuildResult(
        out=out,
        report=WriteReport(written=0, unchanged=len(manifest.outputs), removed=0),
        seconds=time.perf_counter() - started,
        statements=last.statements,
        drafts=last.drafts,
        held=last.held,
        warnings=last.warnings,
    ), found

"""An imported statement's old address becomes an alias only where `check` would accept one:
an address no other statement holds (as its page or an alias) and no page, feed or static
file of feedpub's own answers, asked of the site as it will be, the new statements in it.

`check` refuses an alias held twice (across.py) and one where the site publishes something
(render/addresses.py, plan_aliases, against every planned output): the same questions are
put here to the same table of outputs, `plan_site`'s, so that feedpub's own addresses (the
home page, types/, tags/, a year's page, a language's, an archive) need no list of their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from feedpub.errors import FeedpubError, Problems
from feedpub.gather import Project, list_entry_files
from feedpub.listing import ENTRIES_DIR
from feedpub.model import Entry, Site, SiteConfig, sort_key
from feedpub.render.addresses import add_static
from feedpub.render.outputs import Outputs
from feedpub.validate import compile_entry


def existing_entries(project: Project, config: SiteConfig) -> list[Entry]:
    """The entries in entries/ that compile (one that does not is check's to report)."""
    files = list_entry_files(project, Problems(), {})
    found = []
    for name, path in files.entries:
        shown = project.show(f"{ENTRIES_DIR}/{name}")
        with contextlib.suppress(OSError):
            compiled = compile_entry(shown, name, Path(path).read_bytes(), config, files.others)
            if compiled.entry is not None:
                found.append(compiled.entry)
    return found


def planned_outputs(project: Project, config: SiteConfig, entries: Iterable[Entry]) -> Outputs:
    """Every output of the site holding `entries` (their aliases left out), static/ too."""
    from feedpub.render.plan import plan_site

    kept = [replace(e, aliases=(), aliases_at=()) for e in entries if not e.draft]
    site = Site(
        config=replace(config, section_aliases=()),  # check's business, not an alias's
        entries=tuple(sorted((e for e in kept if e.removed is None), key=sort_key)),
        removed=tuple(sorted((e for e in kept if e.removed is not None), key=sort_key)),
        entries_dir=project.root / ENTRIES_DIR,
    )
    try:
        outputs = plan_site(site, project.root)
    except FeedpubError:  # a problem of the site's own, which check reports
        return Outputs()
    with contextlib.suppress(FeedpubError):  # a static file's problem: check's too
        add_static(project.root, project.show, outputs)
    return outputs


class Addresses:
    """Who holds each address: statements' pages and aliases, then feedpub's outputs."""

    def __init__(self, existing: Sequence[Entry], outputs: Outputs) -> None:
        self.outputs = outputs
        self.owner: dict[str, str] = {}
        for entry in existing:
            self.owner.setdefault(entry.path, f"the page of {entry.source}")
            for alias in entry.aliases:
                self.owner.setdefault(alias, f"already an alias in {entry.source}")

    def claim(self, alias: str, holder: str) -> str:
        """Why `alias` cannot be an alias, or '' once it is `holder`'s."""
        if alias in self.owner:
            return f"is {self.owner[alias]}"
        if taken := self.outputs.alias_clash(alias):
            return f"is the address of {taken}"
        self.owner[alias] = f"already the alias of {holder}"
        return ""

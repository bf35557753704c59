"""The guard's rules on what readers already have of each published statement (see guard.py):
its withdrawal, its last change, its date, its earlier addresses, its attachments, and the
notice that stands at the address of a statement removed lawfully.

A feed reader sends a statement again only when its time of last change moves forward; an
item whose withdrawal or correction is taken back, or whose date moves, goes out to no one,
or to everyone as news. Each rule names the field and the line that puts it right.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from feedpub.errors import Problem

if TYPE_CHECKING:
    from feedpub.comparison import Comparison, Statement


def _listed(names: list[str]) -> tuple[str, str]:
    """The names joined, and `it` or `them`."""
    return ", ".join(names), "it" if len(names) == 1 else "them"


def kept_records(c: Comparison) -> Iterator[Problem]:
    """A published statement keeps its withdrawal, the time of its last change, its date,
    its earlier addresses and its attachments."""
    for old in sorted(c.before.values(), key=lambda s: s.file):
        now = c.after.get(old.id)
        if now is None or now.removed or now.draft or now.published > c.now:
            continue  # lost, taken back or removed: kept_statements says so, or it is lawful
        yield from _kept_record(c, old, now)


def _kept_record(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    zone_kept = (
        c.earlier is None or c.config is None or c.earlier.timezone_name == c.config.timezone_name
    )  # else feedguard.kept_settings says so
    if old.withdrawn and not now.withdrawn:  # its time of last change moves back with it
        yield c.problem(
            now.file,
            "withdrawn",
            f"the published statement {old.named} was withdrawn at {c.rev}, and its readers were"
            " told so; a withdrawal is never taken back: put its `withdrawn:` back as it was",
        )
    elif now.published != old.published and zone_kept:
        was = old.published.isoformat()
        yield c.problem(
            now.file,
            "date",
            f"the published statement {old.named} was dated {was} at {c.rev}, and is now dated"
            f" {now.published.isoformat()}: readers would see it dated anew, and the archives"
            f" holding it would change; keep `date: {was}`, and record a change with `updated:`"
            " and `change_note:`",
        )
    elif (now.updated or now.published) < (old.updated or old.published):
        was = (old.updated or old.published).isoformat()
        yield c.problem(
            now.file,
            "updated",
            f"the published statement {old.named} was last changed {was} at {c.rev}, and now"
            f" {(now.updated or now.published).isoformat()}: feed readers send an item again"
            f" only when its time of last change moves forward, so this version would reach no"
            f" one; keep `updated: {was}` (or a later time, with its `change_note:`), and keep an"
            " earlier correction under `corrections:`",
        )
    aliases = [alias for alias in old.aliases if alias not in now.aliases and alias != now.path]
    if aliases:
        names, them = _listed(aliases)
        yield c.problem(
            now.file,
            "aliases",
            f"{names}, an earlier address of the published statement {old.named}, is no longer"
            f" in its `aliases:`, so every link to {them} would break; keep {them} there",
        )
    attached = [name for name in old.attachments if name not in now.attachments]
    if attached:
        names, them = _listed(attached)
        yield c.problem(
            now.file,
            "attachments",
            f"{names}, attached to the published statement {old.named}, would be deleted from"
            f" {old.path}, and readers have {them} in their feeds; keep {them} in"
            " `attachments:` (a new version can be attached beside it, under another name)",
        )


def kept_notices(c: Comparison) -> Iterator[Problem]:
    """A statement removed lawfully at REV keeps its entry: its address keeps the notice
    saying why, and its id names it alone. (Its title is not repeated: it may be why.)"""
    files = c.after_files
    for old in sorted(c.gone.values(), key=lambda s: s.file):
        now = c.after.get(old.id)
        name = c.renamed.get(old.file, old.file)
        if now is not None and now.file == name:
            if now.has_page(c.now) and now.path != old.path and old.path not in now.aliases:
                yield c.problem(
                    now.file,
                    "aliases",
                    f"the notice of the removed statement {old.id} moved from {old.path} to"
                    f" {now.path}, so links to the old address would break; add"
                    f" {old.path!r} to its `aliases:`",
                )
            continue
        if now is not None:  # its id, given to another statement
            yield c.problem(
                now.file,
                "id",
                f"{old.id} is the id of the statement removed in {c.shown(old.file)}: readers"
                " who had that statement would take this one for it; give this one its own id",
            )
        if name not in files:
            yield Problem(
                path=c.shown(old.file),
                line=0,
                message=f"the entry of the removed statement {old.id} was deleted, which would"
                " take down the notice at its address saying why it was removed; keep the entry"
                f" (`git checkout {c.rev} -- {c.shown(old.file)}`): its `removed:` keeps its text"
                " off the site",
            )

"""The guard's rules on what readers already have of each published statement (see guard.py):
its withdrawal, its last change, its date, its earlier addresses, its attachments, and the
notice that stands at the address of a statement removed lawfully.

A feed reader sends a statement again only when its time of last change moves forward; an
item whose withdrawal or correction is taken back, or whose date moves, goes out to no one,
or to everyone as news. Each rule names the field and the line that puts it right.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from feedpub.errors import Problem
from feedpub.zones import in_zone

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
        if now is not None and now.removed:  # lawful, but its withdrawal stays for the day
            yield from _removed_now(c, old, now)
            yield from _kept_withdrawal(c, old, now)  # its removal is lifted (kept_notices)
            continue
        if now is None or now.draft or now.published > c.now:
            continue  # lost or taken back: kept_statements says so
        found = list(_kept_record(c, old, now))
        yield from found
        yield from _unexplained(c, old, now)
        if not found and (old.updated or old.published) == (now.updated or now.published):
            yield from _kept_corrections(c, old, now)
            yield from _kept_reason(c, old, now)
            yield from _told(c, old, now)


def _removed_now(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """Warn of a published statement removed since REV: lawful, and so accepted, but
    nothing else tells it from a statement taken from readers to be rid of it; the warning
    puts it before whoever reviews the change. (Not its title: it may be why.)"""
    if not old.removed:
        yield c.problem(
            now.file,
            "removed",
            f"the published statement {old.id} is removed since {c.rev}: it leaves every"
            " feed, list and the sitemap, and its page becomes the notice of its removal;"
            " only a legal reason allows that (a statement no longer right is withdrawn,"
            " `withdrawn:`, and stays for its readers)",
            warning=True,
        )


def _unexplained(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """Warn of a correction made since REV with no note: readers are sent the statement
    again, at the top of their feeds, and told nothing of what changed. (A warning: an
    import may carry corrections no one noted; one published so is not warned of again.)"""
    if c.zone_moved and now.times != old.times:
        return  # moved by a new time zone: said once, at the setting (kept_settings)
    for at, note in zip(now.corrected, now.notes, strict=True):
        if not note and at not in old.corrected:
            last = at == now.corrected[-1]
            yield c.problem(
                now.file,
                "updated" if last else "corrections",
                f"the published statement {old.named} is corrected at {at.isoformat()} with no"
                " `change_note:`: feed readers are sent it again, at the top of their feeds,"
                " with no word of what changed; add a `change_note:` line saying what changed"
                " (a typo mended needs no `updated:`)",
                warning=True,
            )


def _kept_reason(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """Warn of a withdrawal's reason reworded under the same date: feed readers are not sent
    it again, so readers keep the notice they were given (a typo may be mended so)."""
    if old.reason and now.withdrawn == old.withdrawn and now.reason != old.reason:
        local = in_zone(c.now, c.config.timezone) if c.config is not None else c.now
        yield c.problem(
            now.file,
            "withdrawn",
            f"the reason for withdrawing the published statement {old.named} changed since"
            f" {c.rev}, under the same date: feed readers are not sent it again, so readers"
            " who were told the first keep it; if the change matters to them, date the"
            f" withdrawal anew (`date: {local.isoformat(timespec='minutes')}`)",
            warning=True,
        )


def _kept_corrections(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """A published statement, not corrected again, keeps each correction its readers were
    told of, and what it said: its page lists them, its feed summary starts with the last.
    (A new correction may leave out the earlier ones, as the README says.)"""
    if c.zone_moved and now.times != old.times:
        return  # moved by a new time zone: said once, at the setting (kept_settings)
    kept = dict(zip(now.corrected, now.notes, strict=True))
    for at, note in zip(old.corrected, old.notes, strict=True):
        said = f"{{date: {at.isoformat()}, note: {json.dumps(note, ensure_ascii=False)}}}"
        if at not in kept:
            yield c.problem(
                now.file,
                "corrections",
                f"the correction of {at.isoformat()} to the published statement {old.named},"
                f" listed at {c.rev}, is gone with no later correction: its page and feeds"
                f" would no longer say it was corrected then; keep `{said}` under"
                " `corrections:`",
            )
        elif note and kept[at] != note:
            last = at == old.updated
            if last:
                said = f"change_note: {json.dumps(note, ensure_ascii=False)}"
            yield c.problem(
                now.file,
                "change_note" if last else "corrections",
                f"the note of the correction of {at.isoformat()} to the published statement"
                f" {old.named} changed since {c.rev}, with no later correction: readers who"
                " were told the first keep it; if the change matters to them, keep the note"
                f" (`{said}`) and say what changed with a new `updated:` and `change_note:`",
                warning=True,
            )


def _told(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """A published statement whose text changed with no later `updated:` (a warning: an
    office may mend a typo without telling readers)."""
    if old.text and now.shown != old.text:
        local = in_zone(c.now, c.config.timezone) if c.config is not None else c.now
        yield c.problem(
            now.file,
            "body",
            f"the title, text or attachments of the published statement {old.named} changed"
            f" since {c.rev}, with no later `updated:`: feed readers are not sent it again, so"
            " readers who have it keep what they had; if the change matters to them, add"
            f" `updated: {local.isoformat(timespec='minutes')}` and a `change_note:` saying"
            " what changed",
            warning=True,
        )


def _kept_withdrawal(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    """A statement withdrawn at REV is withdrawn still (removed lawfully too, or its removal
    lifted: it would come back as if never withdrawn)."""
    # A removed statement's title is not repeated: it may be why (kept_notices).
    named = f"removed statement {old.id}" if old.removed else f"published statement {old.named}"
    if old.withdrawn and not now.withdrawn:
        yield c.problem(
            now.file,
            "withdrawn",
            f"the {named} was withdrawn at {c.rev}, and its readers were told so; a"
            " withdrawal is never taken back: put its `withdrawn:` back as it was",
        )
    elif (
        (now.removed or old.removed)
        and old.updated
        and (now.updated or now.published) < (old.updated)
    ):  # through a removal: kept_records says it of a statement published on both sides
        was = old.updated.isoformat()
        why = (
            "its correction taken out would not come back with it if its removal were lifted"
            if now.removed
            else "its removal lifted, it would come back older than the version readers have"
        )
        yield c.problem(
            now.file,
            "updated",
            f"the {named} was last changed {was} at {c.rev}: {why}; keep `updated: {was}` (or"
            " a later time, with its `change_note:`)",
        )


def _kept_record(c: Comparison, old: Statement, now: Statement) -> Iterator[Problem]:
    was = old.updated or old.published  # its time of last change, at REV
    is_ = now.updated or now.published
    withdrawal = list(_kept_withdrawal(c, old, now))
    if withdrawal:  # its time of last change moves back with it
        yield from withdrawal
    elif c.zone_moved and now.times != old.times:
        pass  # moved by a new time zone: said once, at the setting (kept_settings)
    elif now.published != old.published:
        shown = old.published.isoformat()
        yield c.problem(
            now.file,
            "date",
            f"the published statement {old.named} was dated {shown} at {c.rev}, and is now"
            f" dated {now.published.isoformat()}: readers would see it dated anew, and the"
            f" archives holding it would change; keep `date: {shown}`, and record a change"
            " with `updated:` and `change_note:`",
        )
    elif old.withdrawn and now.withdrawn and now.withdrawn < old.withdrawn:
        yield c.problem(
            now.file,
            "withdrawn",
            f"the withdrawal of the published statement {old.named} was dated"
            f" {old.withdrawn.isoformat()} at {c.rev}, and now {now.withdrawn.isoformat()}: feed"
            " readers send an item again only when its time of last change moves forward; keep"
            " the withdrawal's date",
        )
    elif is_ < was:
        yield c.problem(
            now.file,
            "updated",
            f"the published statement {old.named} was last changed {was.isoformat()} at {c.rev},"
            f" and now {is_.isoformat()}: feed readers send an item again only when its time of"
            " last change moves forward, so this version would reach no one; keep `updated:"
            f" {was.isoformat()}` (or a later time, with its `change_note:`), and keep an earlier"
            " correction under `corrections:`",
        )
    elif now.withdrawn and not old.withdrawn and now.withdrawn <= was:
        yield c.problem(
            now.file,
            "withdrawn",
            f"the withdrawal of the published statement {old.named} is dated"
            f" {now.withdrawn.isoformat()}, not after its last change ({was.isoformat()}): feed"
            " readers send an item again only when that time moves forward, so no reader would"
            " be told; date the withdrawal when it is made",
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
    replaced = [name for name in old.attachments if name in now.attachments and name in c.replaced]
    if replaced and is_ <= was:  # not told as a correction either
        names, them = _listed(replaced)
        yield c.problem(
            now.file,
            "attachments",
            f"{names}, attached to the published statement {old.named}, changed since {c.rev},"
            f" and readers who downloaded {them} keep the old bytes; attach a new version"
            " beside it, under another name, or say what changed with `updated:` and"
            " `change_note:`",
            warning=True,
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
        same = now is not None and (now.removed or now.file in (old.file, name))
        if now is not None and same and not now.has_page(c.now):  # its removal lifted too
            yield c.problem(
                now.file,
                "draft" if now.draft else "date",
                f"the removed statement {old.id} would no longer be published, which would"
                " take down the notice at its address saying why it was removed; keep it"
                f" as it was at {c.rev} (`draft:` unset, dated {old.published.isoformat()})",
            )
            continue
        if now is not None and not now.removed:  # its removal lifted: it is shown again
            yield from _kept_withdrawal(c, old, now)
        if now is not None and now.removed:  # the same statement, its file perhaps renamed
            if now.path != old.path and old.path not in now.aliases:
                yield c.problem(
                    now.file,
                    "aliases",
                    f"the notice of the removed statement {old.id} moved from {old.path} to"
                    f" {now.path}, so links to the old address would break; add"
                    f" {json.dumps(old.path)} to its `aliases:`",
                )
            continue
        if now is not None and now.file not in (old.file, name):  # its id, another's now
            yield c.problem(
                now.file,
                "id",
                f"{old.id} is the id of the statement removed in {c.shown(old.file)}:"
                " readers who had that statement would take this one for it; give this one"
                " its own id",
            )
        if name in files:
            if now is None:  # renamed, and its id (from its file name) changed with it
                yield c.problem(
                    name,
                    "id",
                    f"the removed statement's id changed from {old.id} to {files[name].id},"
                    " which would leave its old address with no notice; add the line `id:"
                    f" {json.dumps(old.id)}`, and `aliases: [{json.dumps(old.path)}]` if its"
                    " address moved",
                )
        else:
            yield Problem(
                path=c.shown(old.file),
                line=0,
                message=f"the entry of the removed statement {old.id} was deleted, which would"
                " take down the notice at its address saying why it was removed; keep the entry"
                f" (`{c.restore(old.file)}`): its `removed:` keeps its text"
                " off the site",
            )

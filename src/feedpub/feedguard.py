"""The guard's rules on a site's feeds as wholes (see guard.py): a new statement reaches
the feeds readers poll, and the archives they walked stay as they were (RFC 5005)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from feedpub.config import CONFIG_NAME
from feedpub.errors import Problem, Severity
from feedpub.zones import in_zone

if TYPE_CHECKING:
    from feedpub.guard import Comparison


def new_reach_readers(c: Comparison) -> Iterator[Problem]:
    """Warn of a statement new since REV dated too early for the site's feeds (a draft dated
    when begun): only in an archive readers have. An import of older ones is meant to be."""
    if c.config is None:
        return
    now = in_zone(c.now, c.config.timezone).isoformat(timespec="minutes")
    for statement in sorted(c.after.values(), key=lambda s: s.file):
        archive = c.archived.get(statement.id)
        if archive is None or statement.id in c.before:
            continue
        yield c.problem(
            statement.file,
            "date",
            f"this statement, new since {c.rev}, is older than the {c.config.feed_limit}"
            " newest ones, so it is in none of the feeds readers poll (atom.xml, rss.xml,"
            f" feed.json), only in {archive}, which a reader that read it before does not"
            f" read again; if it is news, add the line `updated: {now}` so that it reaches"
            " subscribers",
            warning=True,
        )


def kept_archives(c: Comparison) -> Iterator[Problem]:
    """Warn of a new feed_limit where REV had archives: each is cut again. (A warning: an
    office may know that no reader walks them.)"""
    archives = len(c.before) // c.limit if c.limit else 0
    if c.config is None or c.config.feed_limit == c.limit or not archives:
        return
    line, column = c.field_at(CONFIG_NAME, "feed_limit")
    yield Problem(
        path=c.project.show(CONFIG_NAME),
        line=line,
        column=column,
        field="feed_limit",
        message=f"changed from {c.limit} at {c.rev} to {c.config.feed_limit}, which cuts every"
        f" archive document again (the site's {archives}, archive/*.xml, and each type's,"
        " tag's and language's): a reader that walked them before does not read them again,"
        f" and may miss statements; keep `feed_limit: {c.limit}` unless no reader relies on"
        " them",
        severity=Severity.WARNING,
    )

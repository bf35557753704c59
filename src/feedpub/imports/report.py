"""How `feedpub import` tells of an item: its name, a warning where it stands in its
source, and why it was skipped."""

from __future__ import annotations

from feedpub.errors import Problem, Severity
from feedpub.imports.items import Item
from feedpub.plaintext import plain_text, shorten


class Skip(Exception):
    """An item that cannot become an entry; `field` names what it lacks."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def item_name(item: Item) -> str:
    """How reports name an item: its title, else its id, else its place."""
    title = " ".join(plain_text(item.title).split()) if item.title else ""
    return repr(shorten(title, 60)) if title else repr(item.id or item.link or "(no id)")


def note(item: Item, field: str, message: str) -> Problem:
    """A warning about one item, where it stands in its source."""
    return Problem(
        path=item.source,
        line=item.line,
        column=item.column,
        field=field,
        message=message,
        severity=Severity.WARNING,
    )

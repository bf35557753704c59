"""expat's pass over an XML feed, before feedparser reads it: is it well-formed, where does
each item start, and what does each item's id say, as written.

feedparser would read a broken document anyway (its loose parser), and the positions of its
own errors are shifted by the DOCTYPE it rewrites: expat answers for the file itself. And
feedparser resolves an RSS guid or Atom id against the document's address or xml:base
(`12345` read from http://host/feed becomes http://host/12345), though an id is no link:
subscribers know the item by its id as written. Python's expat expands no external entity
and limits entity amplification (2.4+).
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass

from feedpub.errors import Problem

# Elements that hold one item: RSS 0.9x/2.0 (no namespace), RSS 0.90 and 1.0, Atom 1.0.
_ITEM_ELEMENTS = frozenset(
    {
        " item",
        "http://my.netscape.com/rdf/simple/0.9/ item",
        "http://purl.org/rss/1.0/ item",
        "http://www.w3.org/2005/Atom entry",
    }
)
# How deep elements may nest: a feed needs a few levels, and bodies are refused past 32
# (markup.py). feedparser keeps every open element: 2,000,000 empty ones nested in 12 MB
# took 50 s and 850 MB, and then the document had no item, unsaid.
MAX_DEPTH = 1000
# An item's own id: RSS 2.0's guid, Atom's id (RFC 4287 §4.2.6), children of the item.
_ID_ELEMENTS = frozenset({" guid", "http://www.w3.org/2005/Atom id"})


class _TooDeep(Exception):
    """An element opened deeper than MAX_DEPTH."""


@dataclass(frozen=True, slots=True)
class Spot:
    """Where an item starts in its document, and its id as written ('' when it has none)."""

    line: int
    column: int
    id: str = ""


def scan_items(shown: str, data: bytes) -> list[Spot] | Problem:
    """Check well-formedness with expat on the bytes as given; note each item's Spot."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    found: list[Spot] = []
    depth = 0
    item_depth = 0  # the depth of the item being read; 0 outside items
    text: list[str] | None = None  # the id's text while inside the item's id element
    ids: dict[int, str] = {}

    def start(name: str, attributes: object) -> None:
        nonlocal depth, item_depth, text
        depth += 1
        if depth > MAX_DEPTH:
            raise _TooDeep
        name = name if " " in name else " " + name
        if name in _ITEM_ELEMENTS:
            item_depth = depth
            found.append(Spot(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))
        elif item_depth and depth == item_depth + 1 and name in _ID_ELEMENTS:
            text = []

    def end(name: str) -> None:
        nonlocal depth, item_depth, text
        if text is not None and depth == item_depth + 1:
            ids.setdefault(len(found) - 1, "".join(text).strip())
            text = None
        if depth == item_depth:
            item_depth = 0
        depth -= 1

    def characters(data: str) -> None:
        if text is not None:
            text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except _TooDeep:
        return Problem(
            path=shown,
            line=parser.CurrentLineNumber,
            column=parser.CurrentColumnNumber + 1,
            message=f"elements are nested more than {MAX_DEPTH:,} levels deep here, which no"
            " feed needs; nothing was imported from it",
        )
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.ErrorString(exc.code)
        return Problem(
            path=shown,
            line=exc.lineno,
            column=exc.offset + 1,
            message=f"not well-formed XML ({reason}); nothing was imported from it",
        )
    return [Spot(s.line, s.column, ids.get(n, "")) for n, s in enumerate(found)]

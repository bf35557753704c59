"""What a feed document gives, in every format: Items (as found, nothing decided yet), the
document's links, or the Problem that kept anything from being taken from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedpub.errors import Problem
from feedpub.values import readable_url


@dataclass(frozen=True, slots=True, kw_only=True)
class Enclosure:
    url: str
    media_type: str = ""
    length: int | None = None
    title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One item as its source gave it: text as found, dates as written."""

    source: str  # the source as shown to the user (a path or a URL)
    line: int = 0  # where the item starts in its source; 0 when unknown (JSON)
    column: int = 0
    id: str = ""
    link: str = ""
    title: str = ""  # HTML when title_is_html
    title_is_html: bool = False
    published: str = ""  # the date strings as written, offsets and all
    updated: str = ""
    content: str = ""  # HTML, or plain text when content_is_text
    content_is_text: bool = False
    description: str = ""
    description_is_text: bool = False
    authors: tuple[str, ...] = ()
    categories: tuple[tuple[str, str], ...] = ()  # (term, scheme)
    enclosures: tuple[Enclosure, ...] = ()
    language: str = ""  # the item's own, else its feed's; '' when neither says
    feedpub: bool = False  # written by feedpub, so its notices can be recognised
    feedpub_type: str = ""
    wordpress: bool = False  # WXR content: paragraphs are separated by blank lines
    not_a_post: str = ""  # why a WXR item is no statement (a page, a draft)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one document gave: its items and links (self, prev-archive), or why nothing."""

    items: list[Item] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    problem: Problem | None = None


def unreadable(shown: str, message: str, line: int = 0, column: int = 0) -> Parsed:
    """Nothing could be taken from a document: why, and where."""
    return Parsed(problem=Problem(path=shown, line=line, column=column, message=message))


def string(value: object) -> str:
    """A JSON value as text: a string, or a number as written; '' for anything else."""
    if isinstance(value, bool):
        return ""
    return str(value).strip() if isinstance(value, str | int | float) else ""


def url(value: object) -> str:
    """`value` as a URL, or '' when urllib cannot read it (values.readable_url), which
    every later step would fail on."""
    text = string(value)
    return text if readable_url(text) else ""


def web(value: object) -> str:
    """`value` when it is an http(s) URL, else ''."""
    text = url(value)
    return text if text.lower().startswith(("http://", "https://")) else ""

"""JSON Feed 1.0/1.1 documents -> Items, read with the json module: feedparser reads none."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from feedpub.imports.items import Enclosure, Item, Parsed, string, unreadable, url, web
from feedpub.imports.links import absolute_links
from feedpub.values import readable_url


def parse_json(shown: str, data: bytes, location: str = "") -> Parsed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return unreadable(shown, "is not UTF-8, as JSON Feed requires", line, column)
    try:
        # A number past int()'s 4,300 digits would raise ValueError: none is a feed's.
        document = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        return unreadable(
            shown,
            f"not well-formed JSON ({exc.msg}); nothing was imported from it",
            exc.lineno,
            exc.colno,
        )
    except RecursionError:
        return unreadable(shown, "is nested too deeply to be a JSON Feed")
    # Read leniently: some generators write "version": "1.1" instead of the spec's URL.
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return unreadable(shown, 'is JSON but not a JSON Feed (it has no "items" list)')
    language = string(document.get("language"))
    # Relative links in an item's HTML are resolved against its own address, else the
    # feed's (XML feeds have xml:base and the address they came from, which feedparser uses).
    base = web(document.get("feed_url")) or web(document.get("home_page_url")) or location
    found = [_json_item(shown, raw, language, base) for raw in items if isinstance(raw, dict)]
    links = {"self": url(document.get("feed_url"))}
    return Parsed(found, {k: v for k, v in links.items() if v})


def _integer(digits: str) -> int | None:
    return int(digits) if len(digits) <= 100 else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _json_item(shown: str, raw: dict[str, Any], feed_language: str, base: str) -> Item:
    base = web(raw.get("url")) or base
    authors = raw.get("authors")
    if not isinstance(authors, list):  # JSON Feed 1.0: one "author"
        authors = [raw.get("author")]
    names = tuple(
        dict.fromkeys(
            " ".join(string(a.get("name")).split()) for a in authors if isinstance(a, dict)
        )
    )
    tags = _list(raw.get("tags"))
    attachments = _list(raw.get("attachments"))
    enclosures: dict[str, Enclosure] = {}
    for attachment in attachments:
        href = string(attachment.get("url")) if isinstance(attachment, dict) else ""
        href = urljoin(base, href) if href and base and readable_url(href) else href
        if href:
            size = attachment.get("size_in_bytes")
            enclosures.setdefault(
                href,
                Enclosure(
                    url=href,
                    media_type=string(attachment.get("mime_type")).lower(),
                    length=size if isinstance(size, int) and not isinstance(size, bool) else None,
                    title=" ".join(string(attachment.get("title")).split()),
                ),
            )
    html = string(raw.get("content_html"))
    html = absolute_links(html, base) if html and base else html
    extension = raw.get("_feedpub")
    feedpub_type = string(extension.get("type")) if isinstance(extension, dict) else ""
    language = string(raw.get("language"))
    return Item(
        source=shown,
        id=string(raw.get("id")),
        link=string(raw.get("url")),
        title=string(raw.get("title")),
        published=string(raw.get("date_published")),
        updated=string(raw.get("date_modified")),
        content=html or string(raw.get("content_text")),
        content_is_text=not html,
        description=string(raw.get("summary")),
        description_is_text=True,
        authors=tuple(n for n in names if n),
        categories=tuple((t.strip(), "") for t in tags if isinstance(t, str) and t.strip()),
        enclosures=tuple(enclosures.values()),
        language=language or feed_language,
        feedpub=isinstance(extension, dict),
        feedpub_type=feedpub_type,
    )

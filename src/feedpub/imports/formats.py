"""Feed documents -> Items, as each format gives them, nothing decided yet.

XML (RSS 0.9x, 1.0 and 2.0, Atom 1.0, WordPress's WXR export) is read by feedparser, after
expat has said the bytes are well-formed, where each item starts and what its id says
(`scan`). JSON Feed 1.0/1.1 is read by `jsonfeed`: feedparser does not read it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feedpub.errors import Problem
from feedpub.imports.charset import xml_as_utf8
from feedpub.imports.items import Enclosure, Item, Parsed, unreadable, url, web
from feedpub.imports.jsonfeed import parse_json
from feedpub.imports.links import absolute_links
from feedpub.imports.scan import Spot, scan_items

_FEEDPUB = re.compile(r"feedpub(?:\s|$)")
_WXR_NAMESPACE = re.compile(rb"xmlns:wp=[\"']http://wordpress\.org/export/")
_WXR_DATE = "%Y-%m-%d %H:%M:%S"
_WXR_TAXONOMIES = frozenset({"category", "post_tag"})


def parse_document(shown: str, data: bytes, location: str = "", charset: str = "") -> Parsed:
    """Read a JSON Feed or an XML feed; `location` (a URL) resolves relative links, and
    `charset` is what its server says its text is written in."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return parse_json(shown, data, location)
    return _parse_xml(shown, data, location, charset)


# --- XML ---------------------------------------------------------------------------------


def _parse_xml(shown: str, data: bytes, location: str, charset: str) -> Parsed:
    import feedparser

    utf8 = xml_as_utf8(shown, data, charset)
    if isinstance(utf8, Problem):
        return Parsed(problem=utf8)
    data = utf8
    positions = scan_items(shown, data)
    if isinstance(positions, Problem):
        return Parsed(problem=positions)
    headers = {"content-location": location} if location else {}
    # Unsanitised: feedpub sanitises with its own allow-list and reports what it removes.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, response_headers=headers)
    feed = parsed.feed
    entries = list(parsed.entries)
    if not parsed.version and not entries:
        return unreadable(
            shown,
            "is not a feed feedpub can read (RSS, Atom, JSON Feed or a WordPress export)",
        )
    if len(positions) != len(entries):
        positions = [Spot(0, 0)] * len(entries)
    links: dict[str, str] = {}
    for link in _get(feed, "links", []):
        rel, href = _get(link, "rel", "alternate"), url(_get(link, "href", ""))
        if href:
            links.setdefault(rel, href)
    context = _Context(
        shown=shown,
        language=str(_get(feed, "language", "")).strip(),
        feedpub=bool(_FEEDPUB.match(_get(feed, "generator", ""))),
        wordpress=bool(_WXR_NAMESPACE.search(data[:4096])),
        located=bool(location),
    )
    items = [_entry_item(context, e, where) for e, where in zip(entries, positions, strict=True)]
    return Parsed(items, links)


@dataclass(frozen=True, slots=True)
class _Context:
    shown: str
    language: str
    feedpub: bool
    wordpress: bool
    located: bool = True  # read from an address, which feedparser resolves links against


def _get(mapping: Any, key: str, default: Any = "") -> Any:
    # dict.get: FeedParserDict.get("updated") warns and answers `published` instead.
    value = dict.get(mapping, key, default)
    return default if value is None else value


def _entry_item(context: _Context, entry: Any, where: Spot) -> Item:
    title_detail = _get(entry, "title_detail", {})
    content, content_type, content_language = "", "", ""
    for part in _get(entry, "content", []):
        if not content or _get(part, "type") in ("text/html", "application/xhtml+xml"):
            content, content_type = _get(part, "value"), _get(part, "type")
            content_language = _get(part, "language")
    description = _get(entry, "summary")
    description_type = _get(_get(entry, "summary_detail", {}), "type")
    if description == content:  # feedparser copies content:encoded into an empty summary
        description = ""
    authors = tuple(
        dict.fromkeys(
            " ".join(str(_get(a, "name")).split()) for a in _get(entry, "authors", []) if a
        )
    )
    categories = [(str(_get(t, "term")), str(_get(t, "scheme"))) for t in _get(entry, "tags", [])]
    feedpub_type = ""
    if context.feedpub:
        # feedpub writes the type as a category whose scheme is the site's types/ page.
        types = [term for term, scheme in categories if scheme.endswith("/types/")]
        feedpub_type = types[0] if types else ""
        categories = [(t, s) for t, s in categories if not s.endswith("/types/")]
    language = str(content_language or _get(title_detail, "language") or _get(entry, "language"))
    link = web(_get(entry, "link"))  # the base of its relative links: '' if unreadable
    if not context.located and link:  # a file: its links resolved against the item's page
        content = content if content_type == "text/plain" else absolute_links(content, link)
        html = description_type != "text/plain"
        description = absolute_links(description, link) if html and description else description
    item = Item(
        source=context.shown,
        line=where.line,
        column=where.column,
        id=where.id or str(_get(entry, "id")).strip(),  # as written: feedparser resolves it
        link=str(_get(entry, "link")).strip(),
        title=str(_get(entry, "title")),
        title_is_html=_get(title_detail, "type") in ("text/html", "application/xhtml+xml"),
        published=str(_get(entry, "published")),
        updated=str(_get(entry, "updated")),
        content=str(content),
        content_is_text=content_type == "text/plain",
        description=str(description),
        description_is_text=description_type == "text/plain",
        authors=tuple(a for a in authors if a),
        categories=tuple((t, s) for t, s in categories if t.strip()),
        enclosures=_enclosures(entry),
        language=language.strip() or context.language,
        feedpub=context.feedpub,
        feedpub_type=feedpub_type,
    )
    return _wordpress(item, entry) if context.wordpress else item


def _enclosures(entry: Any) -> tuple[Enclosure, ...]:
    found: dict[str, Enclosure] = {}
    for link in _get(entry, "links", []):
        href = str(_get(link, "href")).strip()
        if _get(link, "rel") != "enclosure" or not href:
            continue
        length = str(_get(link, "length")).strip()
        found.setdefault(
            href,
            Enclosure(
                url=href,
                media_type=str(_get(link, "type")).split(";")[0].strip().lower(),
                length=int(length) if _is_length(length) else None,
                title=" ".join(str(_get(link, "title")).split()),
            ),
        )
    return tuple(found.values())


def _wordpress(item: Item, entry: Any) -> Item:
    """A WXR item: only published posts are statements; WordPress's own dates, excerpt."""
    post_type = _get(entry, "wp_post_type", "post")
    status = _get(entry, "wp_status", "publish")
    not_a_post = ""
    if post_type != "post":
        not_a_post = f"is a WordPress {post_type}, not a post"
    elif status != "publish":
        not_a_post = f"has the WordPress status {status!r}, not 'publish'"
    elif str(_get(entry, "wp_post_password")).strip():  # its body is for those given it
        not_a_post = "is protected by a WordPress password: not public, so not imported"
    published = _wordpress_date(_get(entry, "wp_post_date"), _get(entry, "wp_post_date_gmt"))
    updated = _wordpress_date(_get(entry, "wp_post_modified"), _get(entry, "wp_post_modified_gmt"))
    categories = tuple(
        (term, scheme)
        for term, scheme in item.categories
        if scheme in _WXR_TAXONOMIES
        and not (scheme == "category" and term.casefold() == "uncategorized")
    )
    return Item(
        **{
            **{name: getattr(item, name) for name in Item.__dataclass_fields__},
            "published": published or item.published,
            "updated": updated,
            "description": _get(entry, "excerpt_encoded"),
            "description_is_text": False,
            "categories": categories,
            "wordpress": True,
            "not_a_post": not_a_post,
        }
    )


def _wordpress_date(local: str, utc: str) -> str:
    """WordPress keeps the local time and UTC apart: together they give the offset."""
    try:
        at = datetime.strptime(local.strip(), _WXR_DATE)  # noqa: DTZ007 - zone from `utc`
    except ValueError:
        return ""
    try:
        offset = at - datetime.strptime(utc.strip(), _WXR_DATE)  # noqa: DTZ007
    except ValueError:  # "0000-00-00 00:00:00": never published, or an old export
        return at.isoformat(sep="T")
    minutes = round(offset.total_seconds() / 60)
    if abs(minutes) >= 24 * 60:
        return at.isoformat(sep="T")
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{at.isoformat(sep='T')}{sign}{hours:02d}:{rest:02d}"


def _is_length(text: str) -> bool:
    """Digits int() reads: ASCII ("²" is a digit to isdigit()), and not 4,300 of them."""
    return text.isascii() and text.isdigit() and len(text) <= 20

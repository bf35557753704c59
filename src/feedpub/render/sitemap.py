"""sitemap.xml (sitemaps.org 0.9): every page, dated by its statements, never by the clock.

The protocol allows at most 50,000 URLs and 50 MB in one file: past that, sitemap.xml is a
sitemap index naming sitemap-1.xml, sitemap-2.xml..., each within the limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape  # quotes too (attributes); xml.sax.saxutils imports ssl and http

from feedpub.model import SiteConfig

# A page's path inside public/, when its statements last changed, and its translations
# as (language, URL) pairs (Google's xhtml:link extension to the protocol).
Page = tuple[str, datetime | None, tuple[tuple[str, str], ...]]
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def render_sitemaps(config: SiteConfig, pages: Iterable[Page]) -> dict[str, bytes]:
    """The sitemap files, by path inside public/: one urlset, or an index and its parts."""
    lines = []
    latest: list[datetime | None] = []
    for path, lastmod, translations in sorted(pages, key=lambda page: page[0]):
        url = config.url(path)
        line = f"  <url><loc>{escape(url)}</loc>"
        if lastmod is not None:
            line += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        for language, other in translations:
            line += (
                f'<xhtml:link rel="alternate" hreflang="{escape(language)}"'
                f' href="{escape(other)}"/>'
            )
        lines.append(line + "</url>")
        latest.append(lastmod)
    parts = _split(lines, latest)
    if len(parts) == 1:
        return {"sitemap.xml": _document("urlset", parts[0][0])}
    found = {}
    index = []
    for number, (part, lastmod) in enumerate(parts, 1):
        name = f"sitemap-{number}.xml"
        found[name] = _document("urlset", part)
        entry = f"  <sitemap><loc>{escape(config.url(name))}</loc>"
        if lastmod is not None:
            entry += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        index.append(entry + "</sitemap>")
    found["sitemap.xml"] = _document("sitemapindex", index)
    return found


def _split(
    lines: list[str], latest: list[datetime | None]
) -> list[tuple[list[str], datetime | None]]:
    """Runs of at most MAX_URLS lines and MAX_BYTES bytes, each with its latest date."""
    if len(lines) <= MAX_URLS and (sum(map(len, lines)) + len(lines)) * 4 <= MAX_BYTES - 200:
        return [(lines, _latest(latest))]  # one, whatever each character's size in UTF-8
    parts: list[tuple[list[str], datetime | None]] = []
    start, size = 0, 0
    for i, line in enumerate(lines):
        size += len(line.encode()) + 1
        if i - start >= MAX_URLS or size > MAX_BYTES - 200:
            parts.append((lines[start:i], _latest(latest[start:i])))
            start, size = i, len(line.encode()) + 1
    parts.append((lines[start:], _latest(latest[start:])))
    return parts


def _latest(dates: list[datetime | None]) -> datetime | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _document(root: str, lines: list[str]) -> bytes:
    xhtml = "<xhtml:" in "".join(lines)
    alternates = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if xhtml else ""
    head = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{_NS}"{alternates}>']
    return ("\n".join([*head, *lines, f"</{root}>"]) + "\n").encode()

"""sitemap.xml (sitemaps.org 0.9): every page, dated by its statements, never by the clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape

from feedpub.model import SiteConfig


def render_sitemap(config: SiteConfig, pages: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A <url> per page path (inside public/), with <lastmod> where the page has statements."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in sorted(pages, key=lambda page: page[0]):
        lines.append(f"  <url><loc>{escape(config.url(path))}</loc>")
        if lastmod is not None:
            lines[-1] += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        lines[-1] += "</url>"
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()

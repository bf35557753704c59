"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written with the standard library."""

from __future__ import annotations

import json
from typing import Any

from feedpub.model import Entry, SiteConfig
from feedpub.render.feeds import Content, Feed, ItemText

VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE = "application/feed+json"


def _item(config: SiteConfig, entry: Entry, content: Content, words: ItemText) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "url": config.url(entry.path),
        "title": words.title(entry),
        "content_html": content(entry),
        "summary": words.summary(entry),
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
    }
    if entry.bylines:
        item["authors"] = [{"name": name} for name in entry.bylines]
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.language:
        item["language"] = entry.language
    if entry.attachments:
        item["attachments"] = [
            {
                "url": config.url(entry.path + a.name),
                "mime_type": a.media_type,
                "title": a.title,
                "size_in_bytes": a.length,
            }
            for a in entry.attachments
        ]
    # JSON Feed has no categories with a scheme; extensions start with an underscore (§4).
    item["_feedpub"] = {"type": entry.type}
    return item


def render_json(config: SiteConfig, feed: Feed, content: Content) -> bytes:
    """Render a JSON Feed 1.1 document, keys in a fixed order, UTF-8, ending in a newline."""
    assert feed.json_path is not None
    author: dict[str, str] = {"name": config.publisher.name}
    if config.publisher.url:
        author["url"] = config.publisher.url
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": config.url(feed.home),
        "feed_url": config.url(feed.json_path),
        "description": feed.subtitle,
        "language": feed.language or config.language,
        "authors": [author],
    }
    if config.logo:
        document["icon"] = config.logo
    if config.icon:
        document["favicon"] = config.icon
    if feed.hubs:  # JSON Feed 1.1: endpoints for real-time notification of this feed
        document["hubs"] = [{"type": "WebSub", "url": hub} for hub in feed.hubs]
    words = ItemText(config)
    document["items"] = [_item(config, entry, content, words) for entry in feed.entries]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()

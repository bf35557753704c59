"""What `feedpub serve` adds to the pages it serves, and only there: a "Draft" or "Embargoed
until ..." banner on statements the public site does not show (and the same words before
their titles in its feeds), the problems of a rebuild that failed at the top of every page,
and a small script that reloads the page when a rebuild finishes.

The preview's own words are in the site's language (feedpub's catalogues, or the site's
`messages:`), English until a site's settings could be read.

Nothing here touches the files a build writes: the preview's pages are built exactly as
`feedpub build` builds them, and these additions are made as each page is served. So a
built public/ never has a banner or a script, and an embargo ends in the preview the moment
its time comes, without a rebuild.
"""

from __future__ import annotations

import http.server
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape, unescape
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from feedpub import messages
from feedpub.errors import Problem
from feedpub.model import Site, SiteConfig
from feedpub.render.jsonfeed import VERSION as JSON_FEED_VERSION

PREFIX = "/__feedpub__/"  # the preview's own addresses; no page of a site starts so
SCRIPT_PATH = PREFIX + "reload.js"
GENERATION_PATH = PREFIX + "generation"

# Polls the preview for the number of its last rebuild; reloads the page when it changes.
RELOAD_SCRIPT = b"""\
// feedpub serve: reload this page when a rebuild finishes. Served by the preview only;
// the pages feedpub builds hold no script.
(() => {
  const seen = document.currentScript.dataset.generation;
  const poll = () => fetch("/__feedpub__/generation", {cache: "no-store"})
    .then(answer => answer.text())
    .then(now => { if (now !== seen) location.reload(); else setTimeout(poll, 400); })
    .catch(() => setTimeout(poll, 2000));
  setTimeout(poll, 400);
})();
"""

STYLE = """\
<style>
.feedpub-preview { margin: 0; padding: .75rem 1rem; font: 1rem/1.5 system-ui, sans-serif;
  color: #1b1b1b; background: #fff4ce; border-bottom: 3px solid #8a6100; }
.feedpub-preview.failed { background: #fde7e9; border-color: #b3261e;
  position: sticky; top: 0; z-index: 1; max-height: 40vh; overflow: auto; }
.feedpub-preview ul { margin: .25rem 0 0; padding-inline-start: 1.25rem; }
.feedpub-preview code { overflow-wrap: anywhere; }
.feedpub-mark { display: inline-block; padding: 0 .35em; margin-inline-end: .35em;
  font-size: .8em; font-weight: 700; color: #1b1b1b; background: #fff4ce;
  border: 1px solid #8a6100; border-radius: 3px; }
</style>
"""


@dataclass(frozen=True, slots=True)
class Mark:
    """A statement the public site does not show (yet): a draft, or dated after now."""

    draft: bool
    published: datetime
    when: str  # its release time in words, in the site's language
    ids: tuple[str, ...] = ()  # as its feeds' items name it: its id, and Atom's form of it


ENGLISH = messages.PageText(messages.SOURCE_LANGUAGE, messages.SOURCE_LANGUAGE, {})


@dataclass(frozen=True, slots=True)
class State:
    """What the preview knows after its last rebuild; replaced whole, never changed, so the
    server's threads read it without a lock."""

    generation: int = 0
    problems: tuple[Problem, ...] = ()  # of the last rebuild, when it failed
    marks: Mapping[str, Mark] = field(default_factory=dict)  # by the statement's page path
    built: bool = False  # whether there is a build to show (this run's, or an earlier one's)
    text: messages.PageText = ENGLISH  # the preview's words: in the site's language


def words_of(config: SiteConfig) -> messages.PageText:
    """The preview's words for a site: in its language, as its pages' own words are."""
    return messages.page_text(config, config.language)


def marks_of(site: Site, now: datetime | None = None) -> dict[str, Mark]:
    """The drafts and the statements dated after `now` (default: the clock), by page."""
    now = now or datetime.now(timezone.utc)
    locale = messages.page_text(site.config, site.config.language).locale
    found = {}
    for entry in site.entries:
        if entry.draft or entry.published > now:
            when = messages.release_time(entry.published, locale)
            ids = (entry.id, entry.atom_id)
            found[entry.path] = Mark(entry.draft, entry.published, when, ids)
    return found


def _html(message: str, **values: str) -> str:
    """A message as HTML: its text escaped, then its placeholders filled with `values`
    (HTML already); a site's `messages:` double a lone %, as for its pages."""
    return escape(message, quote=False) % values


def _label(mark: Mark, now: datetime, text: messages.PageText) -> str | None:
    """A statement's mark, as text (escaped where it is shown)."""
    if mark.draft:
        return text.gettext("Draft") % {}
    if mark.published > now:
        return text.gettext("Embargoed until %(date)s") % {"date": mark.when}
    return None  # its time has come: the public site shows it now


def _banner(mark: Mark, label: str, text: messages.PageText) -> str:
    strong = f"<strong>{escape(label)}</strong>"
    if mark.draft:
        said = text.gettext(
            "%(label)s: it is not published until its file loses the line %(line)s."
        )
        why = _html(said, label=strong, line="<code>draft: true</code>")
    else:
        said = text.gettext(
            "%(label)s: the public site shows it from then on; until then only this preview does."
        )
        why = _html(said, label=strong)
    return f'<p class="feedpub-preview" role="status"{_language(text)}>{why}</p>\n'


def _language(text: messages.PageText) -> str:
    """The preview's language and direction, as attributes: a page may be in another."""
    return f' lang="{escape(text.language)}" dir="{messages.direction(text.language)}"'


def _failure(problems: Iterable[Problem], built: bool, text: messages.PageText) -> str:
    items = "".join(f"<li><code>{escape(p.format())}</code></li>" for p in problems)
    failed = text.gettext("The last rebuild failed.")
    if built:
        shows = text.gettext(
            "This preview still shows the last good build: fix these and save, and it rebuilds."
        )
    else:
        shows = text.gettext(
            "Nothing is built yet, so there is no page to show: fix these and save, and it"
            " rebuilds."
        )
    # The problems are feedpub's own messages, in English, left to right.
    return (
        f'<section class="feedpub-preview failed" role="alert"{_language(text)}>'
        f"<strong>{_html(failed)}</strong> {_html(shows)}"
        f'<ul dir="ltr" lang="en">{items}</ul></section>\n'
    )


def _not_built(text: messages.PageText) -> bytes:
    """What a page not built answers while the site has problems: them, and the script that
    reloads it once they are fixed (a browser opened on the first, failed, build)."""
    title = _html(text.gettext("feedpub preview: not built"))
    return (
        f'<!DOCTYPE html>\n<html{_language(text)}>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n</body>\n</html>\n"
    ).encode()


_BODY = re.compile(rb"<body\b[^>]*>")
_MAIN = re.compile(rb"<main\b[^>]*>")
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def decorate(page: bytes, path: str, state: State, now: datetime | None = None) -> bytes:
    """A built page as the preview serves it: `path` is its folder inside the output
    ('2021/11/05/x/'); links to statements the public site does not show are marked."""
    now = now or datetime.now(timezone.utc)
    labels = {p: label for p, m in state.marks.items() if (label := _label(m, now, state.text))}
    for target, label in labels.items():
        # Every link to it, in lists and elsewhere: relative, as feedpub's pages link.
        link = re.compile(
            rb'(<a\b[^>]*\bhref="(?:\.\./)*' + re.escape(target.encode()) + rb'"[^>]*>)'
        )
        mark = f'<span class="feedpub-mark">{escape(label)}</span>'.encode()
        page = link.sub(rb"\1" + mark.replace(b"\\", b"\\\\"), page)
    top = _failure(state.problems, state.built, state.text) if state.problems else ""
    own = state.marks.get(path)
    own_label = labels.get(path)
    banner = _banner(own, own_label, state.text) if own is not None and own_label else ""
    page = _insert(page, _HEAD_END, STYLE.encode(), before=True)
    page = _insert(page, _BODY, top.encode())
    page = _insert(page, _MAIN if _MAIN.search(page) else _BODY, banner.encode())
    script = (
        f'<script src="{SCRIPT_PATH}" data-generation="{state.generation}"></script>\n'
    ).encode()
    return _insert(page, _BODY_END, script, before=True, or_end=True)


# A feed's item (Atom <entry>, RSS <item>: tags as feedgen writes them; in a content or
# summary they are escaped), its id (Atom <id>, RSS <guid>) and where its title begins.
_ITEM = re.compile(rb"<(entry|item)\b[^>]*>.*?</\1>", re.DOTALL)
_ITEM_ID = re.compile(rb"<(id|guid)\b[^>]*>([^<]*)</\1>")
_ITEM_TITLE = re.compile(rb"<title\b[^>]*>")


def decorate_feed(feed: bytes, state: State, now: datetime | None = None) -> bytes:
    """A built feed (Atom, RSS or JSON Feed) as the preview serves it: the title of each
    statement the public site does not show begins with its mark, "[Draft] "; anything
    else is served as it is."""
    now = now or datetime.now(timezone.utc)
    labels = {
        i: label
        for m in state.marks.values()
        if (label := _label(m, now, state.text))
        for i in m.ids
    }
    if not labels:
        return feed
    if feed.lstrip().startswith(b"{"):
        return _decorate_json(feed, labels)

    def mark(item: re.Match[bytes]) -> bytes:
        found = _ITEM_ID.search(item.group())
        label = labels.get(unescape(found.group(2).decode(errors="replace"))) if found else None
        if label is None:
            return item.group()
        prefix = escape(f"[{label}] ", quote=False).encode()
        return _ITEM_TITLE.sub(lambda title: title.group() + prefix, item.group(), count=1)

    return _ITEM.sub(mark, feed)


def _decorate_json(feed: bytes, labels: Mapping[str, str]) -> bytes:
    try:
        document = json.loads(feed)
    except (ValueError, RecursionError):  # a file of static/ that is not JSON, or nested
        return feed  # past what Python reads (which closed the connection): as it is
    if not isinstance(document, dict) or document.get("version") != JSON_FEED_VERSION:
        return feed  # a static file's own JSON, never rewritten (its 1e400, its spacing)
    items = document.get("items")
    marked = False
    for item in items if isinstance(items, list) else ():
        key = item.get("id") if isinstance(item, dict) else None
        label = labels.get(key) if isinstance(key, str) else None
        if label is not None and isinstance(item.get("title"), str):
            item["title"] = f"[{label}] {item['title']}"
            marked = True
    if not marked:
        return feed
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()  # as jsonfeed.py


def _insert(
    page: bytes,
    where: re.Pattern[bytes],
    text: bytes,
    *,
    before: bool = False,
    or_end: bool = False,
) -> bytes:
    if not text:
        return page
    m = where.search(page)
    if m is None:
        return page + text if or_end else text + page
    at = m.start() if before else m.end()
    return page[:at] + (text if before else b"\n" + text) + page[at:]


class Decorating(http.server.SimpleHTTPRequestHandler):
    """A request handler that serves the preview's script and its rebuild number, and every
    page decorated with what the preview knows (`current()`, set by the server)."""

    current: Callable[[], State]

    def send_head(self) -> BinaryIO | None:
        route = urlsplit(self.path).path
        if route == SCRIPT_PATH:
            return self._send(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
        if route == GENERATION_PATH:
            return self._send(str(self.current().generation).encode(), "text/plain")
        if route.startswith(PREFIX):
            self.send_error(404)
            return None
        if route.endswith((".xml", ".json")) and (feed := self._read(route)) is not None:
            body = decorate_feed(feed[0], self.current())
            return self._send(body, self.guess_type(feed[1]))
        found = self._page(route)
        state = self.current()
        if found is None and state.problems and route.endswith(("/", ".html")):
            page = decorate(_not_built(state.text), "", state)
            return self._send(page, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)
        if found is None:
            return super().send_head()
        content, folder = found
        page = decorate(content, folder, state)
        return self._send(page, "text/html; charset=utf-8")

    def _page(self, route: str) -> tuple[bytes, str] | None:
        """The HTML page a route serves, and its folder inside the output ('' for a page
        that is not a folder's index)."""
        if not route.endswith(("/", ".html")):
            return None  # a file, or a folder the server redirects to its '/' first
        found = self._read(route)
        if found is None:
            return None
        return found[0], unquote(route.lstrip("/")) if route.endswith("/") else ""

    def _read(self, route: str) -> tuple[bytes, Path] | None:
        """The bytes of the file a route serves (a folder's index.html), and its path."""
        local = Path(self.translate_path(self.path))
        file = local / "index.html" if route.endswith("/") else local
        try:  # read at once: a rebuild may remove the file between a look and a read
            return file.read_bytes(), file
        except (OSError, ValueError):  # not there, a folder, a NUL in the name
            return None

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> BinaryIO:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a reload gets the rebuilt page
        self.end_headers()
        return io.BytesIO(body)

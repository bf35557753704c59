"""Paths inside the site as an entry writes them (an alias), and the names any disk can
hold: no device name Windows keeps, no name longer than a disk allows."""

from __future__ import annotations

import re
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from feedpub.load import Node
from feedpub.slug import is_device_name
from feedpub.values import fail, text

DEVICE_NAME_REASON = (
    "Windows keeps CON, PRN, AUX, NUL, COM0-9 and LPT0-9 (with any extension) for devices, so"
    " a Windows checkout of public/ could not hold it; choose another name"
)
MAX_NAME_BYTES = 255  # ext4's, APFS's and NTFS's limit on one name (NTFS: 255 UTF-16 units)
_PATH_CHARACTERS = re.compile(r"[^\x00-\x20\x7f\\/?#<>\"|*]+")


def _full_address(raw: str, base_url: str, node: Node) -> NoReturn:
    """Refuse an address pasted whole, naming the path to write when it is the site's own
    (with either scheme: an old page may have been served over http)."""
    base = base_url.partition("://")[2].casefold()
    rest = raw.partition("://")[2]
    if rest.casefold().startswith(base):
        path = rest[len(base) :]
        if "?" in path or "#" in path:
            fail(f"{raw!r}: a static site cannot serve a query or a fragment", node)
        if not path:
            fail(f"{raw!r} is the site's own home page, which no alias can be", node)
        fail(
            f"{raw!r} is a full address; an alias is written relative to base_url: write {path!r}",
            node,
        )
    fail(
        f"{raw!r} is not under base_url ({base_url}): an alias is an earlier address of this"
        " site, written relative to base_url, such as 2021/11/05/old-slug/",
        node,
    )


def site_path(node: Node, *, max_length: int, base_url: str) -> str:
    """Read a path inside the site, relative to base_url (a leading '/' means the same): a
    folder `2021/11/05/old-slug/` or a page `news/123.html`. Percent-escapes are decoded,
    since that is the name a web server looks up on disk. A path from the host's root that
    begins with base_url's own path is read from there, as a browser shows it: under
    https://org.github.io/news/, /news/2021/11/05/old/ is 2021/11/05/old/ (not
    news/news/2021/11/05/old/, which is written without the leading '/')."""
    raw = text(node, max_length=max_length)
    if "://" in raw:
        _full_address(raw, base_url, node)
    path = raw[1:] if raw.startswith("/") else raw
    own = urlsplit(base_url).path.lstrip("/")  # 'news/', or '' for a site at the root
    if raw.startswith("/") and own and path.startswith(own):
        path = path[len(own) :]
    if "?" in path or "#" in path:
        fail(
            f"{raw!r}: a static site cannot serve a query or a fragment; give the path alone", node
        )
    folder = path.endswith("/")
    segments = [unquote(part) for part in (path[:-1] if folder else path).split("/")]
    for segment in segments:
        if segment in ("", ".", "..") or segment.startswith("."):
            fail(f"{raw!r} is not a path inside the site (empty, '.', '..' or hidden parts)", node)
        if not _PATH_CHARACTERS.fullmatch(segment):
            fail(
                f'{raw!r} holds characters a path cannot (controls, spaces, \\ ? # < > " | *)', node
            )
        if is_device_name(segment):
            fail(f"{raw!r}: {DEVICE_NAME_REASON}", node)
        if len(segment.encode()) > MAX_NAME_BYTES:
            fail(
                f"{raw!r} has a part of {len(segment.encode()):,} bytes; no disk holds a file or"
                f" folder name of more than {MAX_NAME_BYTES}",
                node,
            )
    if not folder and not segments[-1].lower().endswith((".html", ".htm")):
        fail(f"{raw!r}: write a folder ending in '/' or a page ending in .html", node)
    return "/".join(segments) + ("/" if folder else "")

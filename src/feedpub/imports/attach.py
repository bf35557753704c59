"""Enclosures -> attachments downloaded into entries/, or a list of links in the body.

A download keeps to what an entry may attach: a type in attachments.MEDIA_TYPES (never HTML
or SVG, which could run script from the site's address) and at most 100 MB; and to public
addresses, or the host of a feed read from its URL: a feed's enclosure could otherwise name
a service of the machine's own network (a cloud's metadata, with its keys), and the file
would be published.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from feedpub.attachments import MEDIA_TYPES
from feedpub.entryfields import limit
from feedpub.fetch import FetchError, fetch, site_of
from feedpub.imports.items import Enclosure
from feedpub.imports.markdown import destination, text
from feedpub.slug import slugify

_EXTENSIONS = {media_type: ext for ext, media_type in reversed(MEDIA_TYPES.items())}
# A server answering with a page instead of the file (a login page, a 404 page served 200).
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml")


@dataclass(slots=True)
class Downloads:
    """Files fetched in this run, by URL, and every name taken in entries/. Each is kept
    in a temporary folder until its entry is written (a feed of a hundred 100 MB
    enclosures held them all in memory); close() deletes what is left."""

    taken: set[str]
    files: dict[str, tuple[str, Path, int]] = field(default_factory=dict)  # url: name, where
    hosts: frozenset[str] = frozenset()  # of the sources read from URLs: trusted as they are
    _folder: tempfile.TemporaryDirectory[str] | None = None

    def sizes(self) -> dict[str, int]:
        return {name: size for name, _, size in self.files.values()}

    def keep(self, url: str, name: str, data: bytes) -> None:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="feedpub-import-")
        path = Path(self._folder.name) / name  # names are unique in a run (taken)
        path.write_bytes(data)
        self.files[url] = (name, path, len(data))

    def path(self, name: str) -> Path:
        return next(path for n, path, _ in self.files.values() if n == name)

    def close(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()


def _name(enclosure: Enclosure, taken: set[str]) -> str:
    """A plain file name for the enclosure, with an extension feedpub attaches; '' if none."""
    last = unquote(urlsplit(enclosure.url).path.rsplit("/", 1)[-1])
    stem, _, extension = last.rpartition(".") if "." in last else (last, "", "")
    extension = extension.lower()
    if extension not in MEDIA_TYPES:
        extension = _EXTENSIONS.get(enclosure.media_type, "")
        stem = last
    if not extension:
        return ""
    stem = slugify(stem, 80) or "attachment"
    name, number = f"{stem}.{extension}", 1
    while name.lower() in taken:
        number += 1
        name = f"{stem}-{number}.{extension}"
    return name


def download(enclosure: Enclosure, downloads: Downloads, timeout: float) -> str | Exception:
    """Fetch an enclosure once per run; its file name, or why it stays a link."""
    if enclosure.url in downloads.files:
        return downloads.files[enclosure.url][0]
    if not enclosure.url.lower().startswith(("http://", "https://")):
        return ValueError(f"{enclosure.url} is not an http(s) URL")
    name = _name(enclosure, downloads.taken)
    if not name:
        return ValueError(
            f"{enclosure.url} ({enclosure.media_type or 'no type'}) is not a kind of file"
            " feedpub attaches (" + ", ".join(sorted(MEDIA_TYPES)) + ")"
        )
    # On the host of a feed read from its URL: as trusted as the feed, but never off it.
    trusted = site_of(enclosure.url)[1] in downloads.hosts
    try:
        response = fetch(
            enclosure.url,
            timeout=timeout,
            max_bytes=limit("attachments", "megabytes") * 1024 * 1024,
            public_only=not trusted,
            within=enclosure.url if trusted else "",
        )
    except FetchError as exc:
        return exc
    if not response.ok:
        return ValueError(f"{enclosure.url}: the server answered HTTP {response.status}")
    served = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if served in _PAGE_TYPES:
        return ValueError(f"{enclosure.url}: the server sent {served}, not the file")
    downloads.taken.add(name.lower())
    downloads.keep(enclosure.url, name, response.body)
    return name


def link_list(enclosures: tuple[Enclosure, ...]) -> str:
    """The attachments as a Markdown list of links, for the end of the body."""
    lines = ["**Attachments**", ""]
    for enclosure in enclosures:
        label = enclosure.title or unquote(urlsplit(enclosure.url).path.rsplit("/", 1)[-1])
        label = label or enclosure.url
        details = [d for d in (enclosure.media_type, _size(enclosure.length)) if d]
        extra = f" ({', '.join(details)})" if details else ""
        lines.append(f"- [{text(label)}]({destination(enclosure.url, angles=True)}){extra}")
    return "\n".join(lines)


def _size(length: int | None) -> str:
    if not length:
        return ""
    if length >= 1024 * 1024:
        return f"{length / (1024 * 1024):.1f} MB"
    if length >= 1024:
        return f"{round(length / 1024)} KB"
    return f"{length} bytes"

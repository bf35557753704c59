"""Import sources -> Items: a file or an http(s) URL, then the RFC 5005 archives it links.

An archive chain is followed through `prev-archive` links (RFC 5005 §4) until a document
has none. A URL's chain stays on the site (scheme, host and port) it started on; a file's
chain is read from local copies beside it, found where the file's own `self` link says the
feed lives. A link seen before ends the chain (a loop), and so does the 1,000th document.
"""

from __future__ import annotations

import http.client
import re
import shlex
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from feedpub.errors import Problem, Severity, shown_path
from feedpub.fetch import DEFAULT_TIMEOUT, FetchError, OffSite, fetch, site_of
from feedpub.imports.formats import parse_document
from feedpub.imports.items import Item

MAX_SOURCE_BYTES = 50 * 1024 * 1024
MAX_ARCHIVES = 1000
# A chain of archives is read within these, the items of each document kept until all are
# (an endless chain of 50 MB documents, or of slow ones, would take memory or hours): past
# either, the rest is left to another import, as past MAX_ARCHIVES.
MAX_CHAIN_BYTES = 256 * 1024 * 1024
MAX_CHAIN_SECONDS = 600.0
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9,"
    " text/xml;q=0.9, application/json;q=0.8, */*;q=0.1"
)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(slots=True)
class Read:
    """What one SOURCE gave: its items, in document order, and what went wrong."""

    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False  # a document could not be read: nothing from it was taken
    documents: int = 0


def is_url(source: str) -> bool:
    return bool(_URL.match(source))


def _warn(path: str, message: str) -> Problem:
    return Problem(path=path, line=0, message=message, severity=Severity.WARNING)


def _error(path: str, message: str) -> Problem:
    return Problem(path=path, line=0, message=message)


def _load_url(url: str, timeout: float, within: str = "") -> tuple[bytes, str, str] | Problem:
    """The body, the address it came from after redirects, and the charset its server
    names ('' for none)."""
    if not url.lower().startswith(("http://", "https://")):
        return _error(url, "only http:// and https:// URLs and files can be imported")
    try:
        response = fetch(
            url, accept=ACCEPT, timeout=timeout, max_bytes=MAX_SOURCE_BYTES, within=within
        )
    except OffSite as exc:  # an archive of the site sent elsewhere: not asked for
        return _warn(url, f"{exc.message}, not followed; import it as a SOURCE of its own")
    except FetchError as exc:
        return _error(url, f"{exc.message}; nothing was imported from it")
    if not response.ok:
        reason = http.client.responses.get(response.status, "")
        return _error(
            url,
            f"the server answered HTTP {response.status}{' ' + reason if reason else ''};"
            " nothing was imported from it",
        )
    return response.body, response.url, response.headers.get_content_charset("")


def _load_file(path: Path) -> bytes | Problem:
    shown = shown_path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            return _error(shown, "is not a file; give a feed file or an http(s) URL")
        if size > MAX_SOURCE_BYTES:
            return _error(
                shown,
                f"is {size:,} bytes, more than the {MAX_SOURCE_BYTES:,} feedpub imports from"
                " one file; export it in parts (WordPress exports by date range)",
            )
        return path.read_bytes()
    except FileNotFoundError:
        return _error(shown, "not found; give a feed file or an http(s) URL")
    except OSError as exc:
        return _error(shown, f"cannot read: {exc.strerror}")


_GZIP = b"\x1f\x8b"  # how gzip data begins, as no feed does


def _gunzipped(shown: str, data: bytes) -> bytes | Problem:
    """A document compressed with gzip (a .xml.gz file, or a server that compressed it
    unasked: feedpub asks for none), uncompressed to MAX_SOURCE_BYTES at most."""
    inflate = zlib.decompressobj(wbits=31)
    try:
        found = inflate.decompress(data, MAX_SOURCE_BYTES)
    except zlib.error as exc:
        return _error(shown, f"is compressed (gzip) but broken ({exc}); nothing was imported")
    if inflate.unconsumed_tail:
        return _error(
            shown,
            f"is compressed (gzip), and uncompressed more than the {MAX_SOURCE_BYTES:,} bytes"
            " feedpub imports from one document; nothing was imported from it",
        )
    return found


def read_source(source: str, *, timeout: float = DEFAULT_TIMEOUT) -> Read:
    """Read one SOURCE and the archives it links, each document on its own."""
    result = Read()
    url = source if is_url(source) else ""
    path = None if url else Path(source)
    seen: set[str] = set()
    start = ""
    began, read = time.monotonic(), 0
    for _ in range(MAX_ARCHIVES):
        spent = time.monotonic() - began
        if result.documents and (read > MAX_CHAIN_BYTES or spent > MAX_CHAIN_SECONDS):
            return _stopped(result, source, url or shown_path(path or Path()), "read")
        shown = url or shown_path(path or Path())
        loaded = _load_url(url, timeout, start) if url else _load_file(path or Path())
        if isinstance(loaded, Problem):
            result.problems.append(loaded)
            result.failed = loaded.is_error  # a warning: an archive sent to another site
            return result
        data, location, charset = loaded if isinstance(loaded, tuple) else (loaded, "", "")
        if data[:2] == _GZIP:
            unpacked = _gunzipped(shown, data)
            if isinstance(unpacked, Problem):
                result.problems.append(unpacked)
                result.failed = True
                return result
            data = unpacked
        seen.add(location or str(path))
        start = start or location
        parsed = parse_document(shown, data, location, charset)
        if parsed.problem is not None:
            result.problems.append(parsed.problem)
            result.failed = True
            return result
        result.documents += 1
        result.items += parsed.items
        read += len(data)
        previous = parsed.links.get("prev-archive")
        if not previous:
            return result
        if url:
            url = urljoin(location, previous)
            if site_of(url) != site_of(start):
                result.problems.append(
                    _warn(
                        shown,
                        f"its prev-archive {url} is on another site and was not followed;"
                        " import it as a SOURCE of its own if it belongs to this one",
                    )
                )
                return result
            key = url
        else:
            assert path is not None
            found = _local_archive(path, parsed.links.get("self", ""), previous)
            if isinstance(found, str):
                result.problems.append(_warn(shown, found))
                return result
            path = found
            key = str(path)
        if key in seen:
            result.problems.append(
                _warn(shown, f"its prev-archive {previous} was read already (a loop); stopped")
            )
            return result
    return _stopped(result, source, url or shown_path(path or Path()), "limit")


def _stopped(result: Read, source: str, rest: str, why: str) -> Read:
    """`result`, and a warning that the archives from `rest` on were not read."""
    after = (
        f"{MAX_ARCHIVES:,} archive documents"
        if why == "limit"
        else f"{result.documents:,} document{'s' if result.documents != 1 else ''}"
        f" (within {MAX_CHAIN_BYTES // 2**20} MB"
        f" and {MAX_CHAIN_SECONDS / 60:.0f} minutes a source)"
    )
    result.problems.append(
        _warn(
            source,
            f"stopped after {after}; import the rest with `feedpub import {shlex.quote(rest)}`"
            " and the options given here",
        )
    )
    return result


def _local_archive(path: Path, self_link: str, previous: str) -> Path | str:
    """The local copy of an archive a feed file links, or why there is none."""
    if is_url(self_link):
        target = urljoin(self_link, previous)
        folder = self_link.rsplit("/", 1)[0] + "/"
        if not target.startswith(folder) or urlsplit(target).query:
            return (
                f"its prev-archive {target} is not beside the feed's own address ({self_link});"
                " import the feed from its URL to follow it"
            )
        relative = unquote(urlsplit(target).path[len(urlsplit(folder).path) :])
    elif not is_url(previous) and not previous.startswith("/"):
        relative = unquote(urlsplit(previous).path)
    else:
        return (
            f"its prev-archive {previous} cannot be found beside the file (it has no self"
            " link); import the feed from its URL to follow it"
        )
    candidate = path.parent / relative
    if not relative or ".." in relative.split("/") or "\x00" in relative:
        return _no_copy(previous, candidate)
    # Unquoted, "%2Ftmp%2Fx" is absolute and would replace the folder, and a symbolic link
    # may lead out of it: only a file in the feed file's folder, or below it, is read.
    if relative.startswith("/") or not _inside(candidate, path.parent):
        return (
            f"its prev-archive {previous} is outside the feed file's folder"
            f" ({shown_path(path.parent)}), where its local copies are read from, and was not"
            " read; copy the archive beside the feed file, or import it as a SOURCE of its own"
        )
    if not candidate.is_file():
        return _no_copy(previous, candidate)
    return candidate


def _inside(candidate: Path, folder: Path) -> bool:
    """Whether `candidate`, its symbolic links followed, is in `folder` or below it."""
    try:
        return candidate.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11)
        return True  # not read either: is_file() is False for it


def _no_copy(previous: str, candidate: Path) -> str:
    return (
        f"its prev-archive {previous} has no local copy at {shown_path(candidate)};"
        " import the feed from its URL to follow its archives"
    )

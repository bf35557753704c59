"""HTTP(S) with the limits a build machine needs: a deadline, a size cap, few redirects.

`feedpub import` reads feeds from URLs, `feedpub ping` tells WebSub hubs and compares feeds
with the ones served, and the office workflow checks that released statements are live.
Each goes through `fetch`, so none can hang a CI job, fill its memory, or be redirected
off the web (file:, ftp:) by a hostile server. Standard library only.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

from feedpub import __version__

USER_AGENT = f"feedpub/{__version__} (+https://pypi.org/project/feedpub/)"
DEFAULT_TIMEOUT = 15.0  # seconds for the whole exchange, not per read
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL could not be fetched: no answer, too slow, too large, or redirected too often."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    body: bytes
    headers: Message = field(repr=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `fetch` itself, so it can count them and check schemes."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(url, "only http:// and https:// URLs can be fetched")


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    content_type: str | None = None,
    accept: str = "*/*",
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """GET `url` (POST `data` when given), following at most 5 redirects.

    Any HTTP status is a Response (the caller decides what a 404 means); no answer in
    `timeout` seconds, a body over `max_bytes`, a sixth redirect or a redirect to another
    scheme is a FetchError.
    """
    deadline = time.monotonic() + timeout
    first = url
    for _ in range(MAX_REDIRECTS + 1):
        _check_scheme(url)
        response = _exchange(url, data, content_type, accept, deadline, max_bytes)
        location = response.headers.get("Location")
        if response.status not in _REDIRECTS or not location:
            return response
        url = urljoin(url, location)
        if response.status == 303 or (response.status in (301, 302) and data is not None):
            data, content_type = None, None  # as browsers do: the redirect becomes a GET
    raise FetchError(first, f"more than {MAX_REDIRECTS} redirects")


def _exchange(
    url: str,
    data: bytes | None,
    content_type: str | None,
    accept: str,
    deadline: float,
    max_bytes: int,
) -> Response:
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - checked
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(url, "no answer in time")
    try:
        handle = _OPENER.open(request, timeout=remaining)
    except urllib.error.HTTPError as exc:  # 3xx (unfollowed), 4xx, 5xx: still an answer
        handle = exc
    except TimeoutError:
        raise FetchError(url, "no answer in time") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(url, "no answer in time") from None
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
        raise FetchError(url, f"cannot connect ({text})") from None
    except (OSError, ValueError) as exc:  # a malformed URL, a reset connection
        raise FetchError(url, f"cannot connect ({exc})") from None
    with handle:
        status = handle.status if handle.status is not None else 0
        body = _read(url, handle, deadline, max_bytes)
        return Response(
            url=handle.geturl() or url, status=status, body=body, headers=handle.headers
        )


def _read(url: str, handle: object, deadline: float, max_bytes: int) -> bytes:
    declared = getattr(handle, "headers", {}).get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            url, f"is {int(declared):,} bytes, larger than the {max_bytes:,} bytes at most read"
        )
    chunks: list[bytes] = []
    size = 0
    # read1 returns after one receive, so a server that drips a byte at a time still
    # meets the deadline check below (read(n) would wait for all n bytes).
    read = getattr(handle, "read1", None) or handle.read  # type: ignore[attr-defined]
    while True:
        if time.monotonic() > deadline:
            raise FetchError(url, "no answer in time")
        try:
            chunk = read(_CHUNK)
        except TimeoutError:
            raise FetchError(url, "no answer in time") from None
        except OSError as exc:
            raise FetchError(url, f"the connection broke ({exc})") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"is larger than the {max_bytes:,} bytes at most read")
        chunks.append(chunk)

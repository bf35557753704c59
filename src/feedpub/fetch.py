"""HTTP(S) with the limits a build machine needs: a deadline, a size cap, few redirects.

`feedpub import` reads feeds from URLs, `feedpub ping` tells WebSub hubs and compares feeds
with the ones served, and the office workflow checks that released statements are live.
Each goes through `fetch`, so none can hang a CI job, fill its memory, or be redirected
off the web (file:, ftp:) by a hostile server. Standard library only.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
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


class OffSite(FetchError):
    """A redirect to another site than the caller allowed; not followed."""


class _Private(OSError):
    """A connection, asked to be to a public address, reached a private one."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def site_of(url: str) -> tuple[str, str]:
    """A URL's site, as redirects and archives are held to it: its scheme and host."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


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


class _Deadline:
    """When an exchange must be over, and the timers that shut its connections then."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.timers: list[threading.Timer] = []

    def watch(self, sock: socket.socket) -> None:
        timer = threading.Timer(max(0.0, self.at - time.monotonic()), _shut, (sock,))
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    def cancel(self) -> None:
        for timer in self.timers:
            timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed meanwhile: nothing to end
        sock.shutdown(socket.SHUT_RDWR)


def _ended(base: type[http.client.HTTPConnection]) -> Any:
    """`base`, its connection shut at its exchange's deadline: http.client reads the status
    line and headers a line at a time, each read with the socket's timeout anew, so a
    server sending a byte every few seconds would hold it for ever."""

    class Connection(base):  # type: ignore[valid-type, misc]
        def __init__(
            self, *args: Any, deadline: _Deadline, public_only: bool, **kwargs: Any
        ) -> None:
            super().__init__(*args, **kwargs)
            self.deadline = deadline
            self.public_only = public_only

        def connect(self) -> None:
            super().connect()
            self.deadline.watch(self.sock)
            # The address connected to, not the name's: a name may resolve anywhere, and
            # again differently on the next lookup. (Through a proxy: see _public_only.)
            if self.public_only and self._tunnel_host is None:
                address = self.sock.getpeername()[0]
                if not is_public(address):
                    self.sock.close()
                    raise _Private(address)

    return Connection


_HTTPConnection = _ended(http.client.HTTPConnection)
_HTTPSConnection = _ended(http.client.HTTPSConnection)


class _HTTP(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        public = _public_only(req)
        connection = functools.partial(_HTTPConnection, deadline=req.deadline, public_only=public)
        return self.do_open(connection, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        public = _public_only(req)
        connection = functools.partial(_HTTPSConnection, deadline=req.deadline, public_only=public)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


def _public_only(req: Any) -> bool:
    """Whether the connection must reach a public address. Through a proxy (an HTTPS one
    tunnels to the host, an HTTP one is asked for the whole URL) the address connected to is
    the proxy's: the host's own name must then resolve to public addresses only."""
    if not req.public_only:
        return False
    if not getattr(req, "_tunnel_host", None) and req.selector.startswith("/"):
        return True  # direct: checked as it connects
    host = urlsplit(req.full_url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False  # the proxy may know the name; it will not lead to an address here
    for address in sorted(addresses):
        if not is_public(address):
            raise urllib.error.URLError(_Private(address))
    return False


# IPv6 forms that carry an IPv4 address: NAT64's well-known prefix, and the deprecated
# IPv4-compatible ::a.b.c.d (Python's is_global takes both as global).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")


def is_public(address: str) -> bool:
    """Whether `address` (as a socket gives it) is on the public internet: not loopback,
    a private network, link-local (a cloud's metadata service) or reserved, in any form."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64 or ip in _COMPATIBLE:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global


_OPENER = urllib.request.build_opener(_NoRedirects, _HTTP, _HTTPS)


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
    within: str = "",
    keep_post: bool = False,
    public_only: bool = False,
) -> Response:
    """GET `url` (POST `data` when given), following at most 5 redirects.

    Any HTTP status is a Response (the caller decides what a 404 means); no answer in
    `timeout` seconds, a body over `max_bytes`, a sixth redirect or a redirect to another
    scheme is a FetchError, and so, asked for before it is made, is a redirect to another
    site than the URL `within`'s (OffSite). With `keep_post`, a redirect that would turn
    the POST into a GET (301, 302, 303) is not followed but returned, Location and all.
    With `public_only`, a connection to an address that is not the public internet's
    (loopback, a private network, link-local: a cloud's metadata service) is refused,
    redirects included.
    """
    deadline = time.monotonic() + timeout
    first = url
    for _ in range(MAX_REDIRECTS + 1):
        _check_scheme(url)
        response = _exchange(url, data, content_type, accept, deadline, max_bytes, public_only)
        location = response.headers.get("Location")
        if response.status not in _REDIRECTS or not location:
            return response
        url = urljoin(url, location)
        if within and site_of(url) != site_of(within):
            raise OffSite(url, f"redirected to {url}, on another site")
        if response.status == 303 or (response.status in (301, 302) and data is not None):
            if keep_post and data is not None:  # RFC 9110 §15.4: only 307 and 308 keep it
                return response
            data, content_type = None, None  # as browsers do: the redirect becomes a GET
    raise FetchError(first, f"more than {MAX_REDIRECTS} redirects")


def _exchange(
    url: str,
    data: bytes | None,
    content_type: str | None,
    accept: str,
    deadline: float,
    max_bytes: int,
    public_only: bool = False,
) -> Response:
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - checked
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(url, "no answer in time")
    ending = request.deadline = _Deadline(deadline)  # type: ignore[attr-defined]
    request.public_only = public_only  # type: ignore[attr-defined]
    try:
        try:
            handle = _OPENER.open(request, timeout=remaining)
        except urllib.error.HTTPError as exc:  # 3xx (unfollowed), 4xx, 5xx: still an answer
            handle = exc
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            raise _failed(url, exc, deadline) from None
        with handle:
            status = handle.status if handle.status is not None else 0
            body = _read(url, handle, deadline, max_bytes)
            return Response(
                url=handle.geturl() or url, status=status, body=body, headers=handle.headers
            )
    finally:
        ending.cancel()


def _failed(url: str, exc: Exception, deadline: float) -> FetchError:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, _Private):
        return FetchError(
            url, f"is at {reason.address}, not a public address, so it was not fetched"
        )
    if isinstance(reason, TimeoutError) or time.monotonic() >= deadline:  # shut: too slow
        return FetchError(url, "no answer in time")
    if isinstance(reason, http.client.HTTPException):  # BadStatusLine: not HTTP at all
        return FetchError(url, f"the server did not answer in HTTP ({reason!r})")
    text = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
    return FetchError(url, f"cannot connect ({text})")  # a malformed URL, a reset connection


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
        except (OSError, http.client.HTTPException) as exc:  # IncompleteRead: shut, or cut
            if time.monotonic() >= deadline:
                raise FetchError(url, "no answer in time") from None
            raise FetchError(url, f"the connection broke ({exc!r})") from None
        if not chunk:
            if time.monotonic() >= deadline:  # shut at the deadline, not ended by the server
                raise FetchError(url, "no answer in time")
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"is larger than the {max_bytes:,} bytes at most read")
        chunks.append(chunk)

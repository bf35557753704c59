"""The one HTTP client: deadlines, size caps and redirect limits hold against a hostile server."""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator

import pytest

from feedpub.fetch import MAX_REDIRECTS, FetchError, OffSite, fetch, is_public


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _drip(self, piece: bytes, times: int, pause: float, start: bytes = b"") -> None:
        """Write `start`, then `piece` `times` times, `pause` seconds apart, until the client
        goes away."""
        try:
            self.wfile.write(start)
            for _ in range(times):
                self.wfile.write(piece)
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/ok":
            self._send(200, b"hello", Content_Type="text/plain")
        elif path == "/missing":
            self._send(404, b"no such page")
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/ok" if left == 0 else f"/hop/{left - 1}"
            self._send(302, Location=target)
        elif path == "/to-file":
            self._send(301, Location="file:///etc/passwd")
        elif path == "/big":
            self._send(200, b"x" * 5000)
        elif path == "/big-undeclared":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"y" * 5000)
            self.close_connection = True
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self._drip(b".", 100, 0.1)
        elif path == "/away":  # the same server under another name: another site
            port = self.headers["Host"].rpartition(":")[2]
            self._send(302, Location=f"http://localhost:{port}/ok")
        elif path == "/silent":
            time.sleep(3)
        elif path == "/drip-chunked":  # HTTP/1.1's chunks, a byte each, slower than allowed
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._drip(b"1\r\na\r\n", 20, 0.3)
            self.close_connection = True
        elif path in ("/drip-status", "/drip-headers"):
            # A status line or header a byte every 0.3 s: each read's timeout starts anew.
            start = b"" if path == "/drip-status" else b"HTTP/1.0 200 OK\r\nX-Example: "
            self._drip(b"a", 20, 0.3, start)
        else:
            self._send(500)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/see-other":
            self._send(303, Location="/ok")
            return
        if self.path.startswith("/moved-"):  # /moved-307: the same POST, sent again to /hub
            self._send(int(self.path.rsplit("-", 1)[1]), Location="/hub")
            return
        answer = self.headers.get("Content-Type", "").encode() + b"|" + body
        self._send(202, answer)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_returns_body_status_and_final_url(server: str) -> None:
    response = fetch(f"{server}/hop/2")
    assert (response.status, response.body, response.ok) == (200, b"hello", True)
    assert response.url == f"{server}/ok"


def test_fetch_gives_http_errors_as_responses_not_exceptions(server: str) -> None:
    response = fetch(f"{server}/missing")
    assert (response.status, response.ok, response.body) == (404, False, b"no such page")


def test_fetch_follows_at_most_five_redirects(server: str) -> None:
    assert fetch(f"{server}/hop/{MAX_REDIRECTS - 1}").status == 200
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(f"{server}/hop/{MAX_REDIRECTS}")


def test_fetch_refuses_redirect_off_the_web(server: str) -> None:
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch(f"{server}/to-file")
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch("file:///etc/passwd")


@pytest.mark.parametrize("path", ["/big", "/big-undeclared"])
def test_fetch_refuses_body_over_the_size_cap(server: str, path: str) -> None:
    assert len(fetch(f"{server}{path}", max_bytes=5000).body) == 5000
    with pytest.raises(FetchError, match="larger than the 4,999 bytes at most read"):
        fetch(f"{server}{path}", max_bytes=4999)


@pytest.mark.parametrize(
    "path", ["/drip", "/silent", "/drip-status", "/drip-headers", "/drip-chunked"]
)
def test_fetch_gives_up_at_its_deadline(server: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="no answer in time"):
        fetch(f"{server}{path}", timeout=1.0)
    assert time.monotonic() - started < 2.5  # the deadline, plus at most one socket wait


def test_fetch_asked_to_stay_within_a_site_refuses_a_redirect_away_before_making_it(
    server: str,
) -> None:
    with pytest.raises(OffSite, match=r"redirected to http://localhost:\d+/ok, on another site"):
        fetch(f"{server}/away", within=f"{server}/feed.xml")
    assert fetch(f"{server}/away").status == 200  # not asked to: followed


def test_fetch_reports_a_refused_connection() -> None:
    with pytest.raises(FetchError, match="cannot connect"):
        fetch("http://127.0.0.1:9/", timeout=2)


def test_fetch_posts_a_form_and_a_303_becomes_a_get(server: str) -> None:
    response = fetch(
        f"{server}/hub", data=b"hub.mode=publish", content_type="application/x-www-form-urlencoded"
    )
    assert response.status == 202
    assert response.body == b"application/x-www-form-urlencoded|hub.mode=publish"
    assert fetch(f"{server}/see-other", data=b"x").body == b"hello"


FORM_ECHO = b"application/x-www-form-urlencoded|hub.mode=publish"


@pytest.mark.parametrize(("status", "answer"), [(301, 301), (302, 302), (303, 303), (307, 202)])
def test_fetch_keep_post_follows_only_the_redirects_that_keep_the_post(
    server: str, status: int, answer: int
) -> None:
    # A hub's redirect made the publish request a GET, whose answer was taken for the hub's.
    response = fetch(f"{server}/moved-{status}", data=b"hub.mode=publish", keep_post=True)
    assert response.status == answer
    if answer == 202:
        assert (response.url, response.body) == (f"{server}/hub", FORM_ECHO)
    else:
        assert (response.url, response.headers["Location"]) == (f"{server}/moved-{status}", "/hub")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),  # a cloud's metadata service
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::127.0.0.1", False),  # IPv4-compatible: Python's is_global says True
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254: is_global says True
        ("64:ff9b::5db8:d70e", True),  # NAT64 of a public address
    ],
)
def test_is_public_sees_the_ipv4_address_an_ipv6_form_carries(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_fetch_public_only_refuses_a_private_address_directly_and_through_a_proxy(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Through a proxy the address connected to is the proxy's: a proxy on the office's
    # network reached its internal services.
    import urllib.request

    from feedpub import fetch as module

    with pytest.raises(FetchError, match=re.escape("is at 127.0.0.1, not a public address")):
        fetch(f"{server}/ok", public_only=True)
    monkeypatch.setenv("http_proxy", server)
    # The opener reads the proxies as it is made, as it is when feedpub starts.
    opener = urllib.request.build_opener(module._NoRedirects, module._HTTP, module._HTTPS)
    monkeypatch.setattr(module, "_OPENER", opener)
    assert fetch("http://127.0.0.2:9/ok").status == 500  # the proxy (this server) answered
    with pytest.raises(FetchError, match=re.escape("is at 127.0.0.2, not a public address")):
        fetch("http://127.0.0.2:9/ok", public_only=True)

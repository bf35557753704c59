"""WebSub: hub links in subscription feeds, and `feedpub ping` telling hubs what changed.

Every server here is on 127.0.0.1 with a port the system picks: a "deployed" copy of public/
served as the site's base_url, and a test hub that records each publish request.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import feedparser
import pytest
from lxml import etree

from conftest import EXAMPLE_CONFIG, Project, Run
from feedpub.ping import LIST_NAME, default_list

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
FORM = "application/x-www-form-urlencoded"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Hub:
    """A WebSub hub that records every request and answers with `status`."""

    url: str = ""
    status: int = 204
    reply: bytes = b""
    requests: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)

    def published(self) -> list[str]:
        """The feed URLs the hub was told about, in the order it was told."""
        return [dict(form)["hub.url"] for _, _, form in self.requests]


def _serve(handler: Any) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def hub() -> Iterator[Hub]:
    state = Hub()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            form = parse_qsl(body.decode(), keep_blank_values=True)
            with lock:
                state.requests.append((self.path, self.headers.get("Content-Type", ""), form))
            self.send_response(state.status)
            self.send_header("Content-Length", str(len(state.reply)))
            self.end_headers()
            self.wfile.write(state.reply)

    server, state.url = _serve(Handler)
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Deployed:
    """A site whose base_url is served from 127.0.0.1, out of a copy of its public/."""

    project: Project
    base_url: str
    served: Path

    def deploy(self) -> None:
        shutil.rmtree(self.served)
        shutil.copytree(self.project.root / "public", self.served)


def _closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _config(base_url: str, hubs: list[str], extra: str = "") -> str:
    hub_lines = "".join(f"  - {hub}\n" for hub in hubs)
    config = EXAMPLE_CONFIG.replace("https://press.example.org/", base_url)
    return config + (f"websub_hubs:\n{hub_lines}" if hubs else "") + extra


OLDER = {
    "2021-11-02-fees.yaml": "title: Fees\ndate: 2021-11-02\ntype: Release\n"
    "tags: [Energy, Offices]\nbody: x\n",
    "2021-11-03-clinics.yaml": "title: Clinics\ndate: 2021-11-03\ntype: Advisory\n"
    "tags: [Health]\nbody: x\n",
}
NEW = "title: Ports\ndate: 2021-11-05\ntype: Advisory\ntags: [Energy, Ports]\nbody: x\n"


@pytest.fixture
def deployed(project: Project, run: Run, hub: Hub, tmp_path: Path) -> Iterator[Deployed]:
    served = tmp_path / "served"
    served.mkdir()
    server, base_url = _serve(functools.partial(_Quiet, directory=str(served)))
    # feed_limit 1: adding a statement also changes an archive, which must not be pinged.
    project.config(_config(base_url, [hub.url], "feed_limit: 1\n"))
    for name, text in OLDER.items():
        project.entry(name, text)
    assert run("build").exit_code == 0
    site = Deployed(project, base_url, served)
    site.deploy()
    yield site
    server.shutdown()
    server.server_close()


def _urls(base_url: str, *folders: str) -> list[str]:
    return [
        f"{base_url}{folder}{name}"
        for folder in folders
        for name in ("atom.xml", "rss.xml", "feed.json")
    ]


def test_ping_tells_the_hub_exactly_the_feeds_a_new_statement_changed(
    deployed: Deployed, run: Run, hub: Hub
) -> None:
    deployed.project.entry("2021-11-05-ports.yaml", NEW)
    assert run("build").exit_code == 0
    before = deployed.project.tree()
    prepared = run("ping", "--prepare")
    assert prepared.exit_code == 0, prepared.stderr
    assert prepared.stderr == ""
    list_path = default_list(deployed.project.root)
    assert prepared.stdout == (
        f"feedpub: 12 of 21 feeds changed since the served site; listed in {list_path} for"
        " `feedpub ping` after deploying\n"
    )
    assert hub.requests == []  # prepare tells no hub
    assert "archive/3.xml" in before and not (deployed.served / "archive/3.xml").exists()
    deployed.deploy()

    result = run("ping")

    assert result.exit_code == 0, result.stderr
    expected = _urls(deployed.base_url, "", "types/advisory/", "tags/energy/", "tags/ports/")
    assert hub.published() == expected
    assert len(hub.requests) == len(expected)  # each feed once, none of the others
    for path, content_type, form in hub.requests:
        assert (path, content_type) == ("/", FORM)
        assert [name for name, _ in form] == ["hub.mode", "hub.url"]
        assert form[0] == ("hub.mode", "publish")
    assert result.stdout == f"feedpub: {hub.url}: HTTP 204 for 12 feeds\n"
    assert result.stderr == ""
    assert deployed.project.tree() == before  # ping writes nothing in the site


def test_ping_all_tells_every_subscription_feed_and_no_archive(
    deployed: Deployed, run: Run, hub: Hub
) -> None:
    result = run("ping", "--all")
    assert result.exit_code == 0, result.stderr
    sections = ("", "types/advisory/", "types/release/", "tags/energy/", "tags/health/")
    expected = _urls(deployed.base_url, *sections, "tags/offices/")
    assert sorted(hub.published()) == sorted(expected)
    assert not [url for url in hub.published() if "/archive/" in url]
    assert result.stdout == f"feedpub: {hub.url}: HTTP 204 for 18 feeds\n"


def test_ping_prepare_lists_nothing_when_the_served_site_is_current(
    deployed: Deployed, run: Run, hub: Hub
) -> None:
    result = run("ping", "--prepare", "--list", "changed.txt")
    assert result.exit_code == 0
    assert result.stdout.startswith("feedpub: 0 of 18 feeds changed since the served site;")
    assert (deployed.project.root / "changed.txt").read_text() == ""
    result = run("ping", "--list", "changed.txt")
    assert result.exit_code == 0
    assert result.stdout == "feedpub: no feed changed (listed in changed.txt); no hub pinged\n"
    assert hub.requests == []


def test_ping_prepare_counts_a_feed_it_cannot_fetch_as_changed(
    project: Project, run: Run, hub: Hub
) -> None:
    base_url = _closed_port_url()
    project.config(_config(base_url, [hub.url]))
    project.entry("2021-11-02-fees.yaml", OLDER["2021-11-02-fees.yaml"])
    assert run("build").exit_code == 0
    result = run("ping", "--prepare", "--list", "changed.txt")
    assert result.exit_code == 0
    assert result.errors == [
        f"feedpub: warning: 12 served feeds could not be fetched, so each counts as changed"
        f" (first: {base_url}atom.xml: cannot connect (Connection refused))"
    ]
    listed = (project.root / "changed.txt").read_text().splitlines()
    assert listed == _urls(base_url, "", "types/release/", "tags/energy/", "tags/offices/")


def test_ping_with_the_hub_down_warns_and_exits_0(deployed: Deployed, run: Run, hub: Hub) -> None:
    down = _closed_port_url()
    deployed.project.config(_config(deployed.base_url, [down, hub.url], "feed_limit: 1\n"))
    result = run("ping", "--all")
    assert result.exit_code == 0
    assert result.errors == [
        f"feedpub: warning: {down}: cannot connect (Connection refused); 18 feeds not pinged"
        " (readers still get them at their next poll)"
    ]
    # One refused connection is enough: the hub is not tried again for each feed, and the
    # other hub is still told about every feed.
    assert result.stdout == f"feedpub: {hub.url}: HTTP 204 for 18 feeds\n"
    assert len(hub.requests) == 18


@pytest.fixture
def moved_hub(hub: Hub) -> Iterator[tuple[str, list[str]]]:
    """A hub's old address that answers every request with `status` and a Location: the
    hub's; the status is set by writing it as the first item of the list it yields."""
    seen: list[str] = ["301"]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _moved(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append(self.command)
            self.send_response(int(seen[0]))
            self.send_header("Location", hub.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _moved

    server, url = _serve(Handler)
    yield url, seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_ping_to_a_hub_that_redirects_says_where_and_never_turns_the_post_into_a_get(
    deployed: Deployed, run: Run, hub: Hub, moved_hub: tuple[str, list[str]], status: int
) -> None:
    # fetch followed the redirect as a GET, and the GET's 200 was reported as the hub's
    # acceptance: no hub had been told, and nothing said so.
    old, seen = moved_hub
    seen[0] = str(status)
    deployed.project.config(_config(deployed.base_url, [old], "feed_limit: 1\n"))
    result = run("ping", "--all")
    assert result.exit_code == 0
    moved = (
        f"feedpub: warning: {old}: the hub answered with a redirect to {hub.url}, so websub_hubs"
        f" in feedpub.yaml should say {hub.url}"
    )
    if status in (307, 308):  # the POST is sent again, to the hub's new address
        assert result.errors == [moved]
        assert result.stdout == f"feedpub: {old}: HTTP 204 for 18 feeds\n"
        assert len(hub.published()) == 18
    else:  # a 301, 302 or 303 would make it a GET: not followed, the hub is not told
        assert result.errors == [
            moved,
            f"feedpub: warning: {old}: HTTP {status}, a redirect that would turn the publish"
            " request (a POST) into a GET, which tells a hub nothing; 18 feeds not pinged"
            " (readers still get them at their next poll)",
        ]
        assert result.stdout == ""
        assert hub.requests == []
        assert seen[1:] == ["POST"]  # one request: every feed would be sent the same way


@pytest.mark.parametrize(("status", "reply"), [(400, b"hub.url is not\na topic"), (503, b"")])
def test_ping_reports_a_hub_refusal_as_a_warning_with_its_status(
    deployed: Deployed, run: Run, hub: Hub, status: int, reply: bytes
) -> None:
    hub.status, hub.reply = status, reply
    deployed.project.entry("2021-11-05-ports.yaml", NEW)
    assert run("build").exit_code == 0
    assert run("ping", "--prepare").exit_code == 0
    deployed.deploy()
    result = run("ping")
    assert result.exit_code == 0
    detail = ": hub.url is not a topic" if reply else ""
    expected = _urls(deployed.base_url, "", "types/advisory/", "tags/energy/", "tags/ports/")
    assert result.errors == [
        f"feedpub: warning: {hub.url}: HTTP {status} for {url}{detail}" for url in expected
    ]
    assert result.stdout == ""


def test_ping_without_hubs_says_so_and_exits_0(project: Project, run: Run) -> None:
    project.entry("2021-11-02-fees.yaml", OLDER["2021-11-02-fees.yaml"])
    assert run("build").exit_code == 0
    prepared = run("ping", "--prepare")
    assert (prepared.exit_code, prepared.stderr) == (0, "")
    assert prepared.stdout == "feedpub: no websub_hubs in feedpub.yaml; no feed to compare\n"
    assert not default_list(project.root).exists()
    result = run("ping")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "feedpub: no websub_hubs in feedpub.yaml; no hub to ping\n"


def test_ping_without_a_prepared_list_says_what_to_run(
    project: Project, run: Run, hub: Hub
) -> None:
    project.config(_config("https://press.example.org/", [hub.url]))
    result = run("ping", "--list", "changed.txt")
    assert result.exit_code == 1
    assert result.errors == [
        "changed.txt: no list of changed feeds here; run `feedpub ping --prepare` before"
        " deploying (or `feedpub ping --all` to tell the hubs about every feed)",
        "feedpub: 1 problem in 1 file",
    ]
    assert hub.requests == []


def test_ping_refuses_a_list_line_that_is_no_url(project: Project, run: Run, hub: Hub) -> None:
    project.config(_config("https://press.example.org/", [hub.url]))
    project.file("changed.txt", "# feeds\nhttps://press.example.org/atom.xml\n\natom.xml\n")
    result = run("ping", "--list", "changed.txt")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "changed.txt:4:1: expected one feed URL a line, got 'atom.xml'; run"
        " `feedpub ping --prepare` to write the list again"
    )
    assert hub.requests == []


def test_ping_prepare_before_any_build_says_to_build(project: Project, run: Run) -> None:
    project.config(_config("https://press.example.org/", ["https://hub.example.net/"]))
    result = run("ping", "--prepare")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "public/: holds no built feeds; run `feedpub build` first (or give --out)"
    )


def test_ping_out_without_prepare_or_all_is_a_usage_error(project: Project, run: Run) -> None:
    result = run("ping", "--out", "elsewhere")
    assert result.exit_code == 2
    assert result.errors[-1] == (
        "feedpub: error: --out is for --prepare and --all; `feedpub ping` reads the list"
    )


def test_ping_default_list_is_outside_the_site(project: Project) -> None:
    path = default_list(project.root)
    assert path.name == LIST_NAME
    assert not path.resolve().is_relative_to(project.root.resolve())


# The hub links themselves.

HUBS = ["https://hub.example.net/", "http://push.example.com/websub"]


@pytest.fixture
def hub_site(project: Project, run: Run) -> Project:
    project.config(_config("https://press.example.org/", HUBS, "feed_limit: 1\n"))
    for name, text in OLDER.items():
        project.entry(name, text)
    assert run("build").exit_code == 0
    return project


@pytest.mark.parametrize("folder", ["", "types/release/", "tags/health/"])
def test_feeds_name_the_hubs_beside_their_self_link(hub_site: Project, folder: str) -> None:
    public = hub_site.root / "public" / folder
    atom = etree.parse(str(public / "atom.xml")).getroot()
    links = [(link.get("rel"), link.get("href")) for link in atom.findall("a:link", NS)]
    self_url = f"https://press.example.org/{folder}atom.xml"
    assert links[:3] == [("self", self_url), ("hub", HUBS[0]), ("hub", HUBS[1])]
    channel = etree.parse(str(public / "rss.xml")).getroot().find("channel")
    assert channel is not None
    rss_links = [(link.get("rel"), link.get("href")) for link in channel.findall("a:link", NS)]
    assert rss_links == [
        ("self", f"https://press.example.org/{folder}rss.xml"),
        ("hub", HUBS[0]),
        ("hub", HUBS[1]),
    ]
    # RSS's own <link> is still the HTML page, not a hub (feedgen's last link() call).
    assert channel.findtext("link") == f"https://press.example.org/{folder}"
    document = json.loads((public / "feed.json").read_bytes())
    assert document["hubs"] == [{"type": "WebSub", "url": hub} for hub in HUBS]
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((public / name).read_bytes())
        assert not parsed.bozo
        assert [ln.href for ln in parsed.feed.links if ln.rel == "hub"] == HUBS


def test_archives_name_no_hub(hub_site: Project) -> None:
    archive = (hub_site.root / "public/archive/1.xml").read_text()
    assert "fh:archive" in archive
    assert 'rel="hub"' not in archive


def test_feeds_name_no_hub_without_the_setting(project: Project, run: Run) -> None:
    project.entry("2021-11-02-fees.yaml", OLDER["2021-11-02-fees.yaml"])
    assert run("build").exit_code == 0
    public = project.root / "public"
    assert b'rel="hub"' not in (public / "atom.xml").read_bytes()
    assert b'rel="hub"' not in (public / "rss.xml").read_bytes()
    assert "hubs" not in json.loads((public / "feed.json").read_bytes())


def test_changing_the_hubs_rebuilds_the_feeds(hub_site: Project, run: Run) -> None:
    hub_site.config(_config("https://press.example.org/", HUBS[:1], "feed_limit: 1\n"))
    assert run("build").exit_code == 0
    atom = (hub_site.root / "public/tags/energy/atom.xml").read_text()
    assert HUBS[0] in atom and HUBS[1] not in atom

"""`feedpub serve`: build, serve on 127.0.0.1 only, rebuild when a source file changes.

The preview shows drafts and embargoed statements, so it answers only this machine: it
listens on 127.0.0.1, and answers only requests addressed to 127.0.0.1:PORT or
localhost:PORT, so a web page whose host name is made to resolve to 127.0.0.1 (DNS
rebinding) cannot read it from a browser. A rebuild that fails, whatever the reason, leaves
the last good build served and the watcher running.
"""

from __future__ import annotations

import errno
import functools
import http.server
import sys
import threading
import traceback
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from feedpub import messages
from feedpub.build import build
from feedpub.config import read_config
from feedpub.errors import FeedpubError, Problems
from feedpub.gather import Project, read_site
from feedpub.incremental import Cache
from feedpub.listing import scan_sources
from feedpub.model import BuildResult, Site
from feedpub.preview import ENGLISH, Decorating, State, marks_of, words_of

IDLE_SECONDS = 30.0


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Answers only requests addressed to the preview itself, and odd paths with a 4xx."""

    server: _Server
    # A connection that sends nothing is closed after this many seconds: each holds a
    # thread, and a page polls every 400 ms (preview.py), so a browser never waits so long.
    timeout = IDLE_SECONDS

    def send_head(self) -> Any:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            # DNS rebinding: a page at http://attacker.example:PORT/ that resolves to
            # 127.0.0.1 would otherwise read drafts and embargoed statements.
            self.send_error(
                HTTPStatus.FORBIDDEN,
                f"this preview answers only {' and '.join(sorted(self.server.hosts))}",
            )
            return None
        try:
            return super().send_head()
        except ValueError:  # a NUL (GET /%00) or a name the file system cannot encode
            self.send_error(HTTPStatus.BAD_REQUEST, "not a path this preview can serve")
            return None

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build results, not for every request


class _Server(http.server.ThreadingHTTPServer):
    hosts: frozenset[str] = frozenset()  # the Host headers answered

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser that went away mid-answer
        super().handle_error(request, client_address)


def port_refused(port: int, exc: OSError) -> str:
    """Why `feedpub serve` cannot listen on `port`, and what to do about it."""
    hint = "; give another, or --port 0 to take a free one" if exc.errno == errno.EADDRINUSE else ""
    return f"--port {port}: {exc.strerror}{hint}"


class Preview:
    """A local server for the site at `root`, rebuilt whenever its sources change."""

    def __init__(
        self,
        root: Path,
        out: Path,
        port: int,
        *,
        preview: bool,
        report: Callable[[BuildResult | FeedpubError], None],
    ) -> None:
        self.root = root
        self.out = out
        self.preview = preview
        self.report = report
        self.state = State()  # replaced whole after each rebuild; the handlers read it
        self._marked = False  # whether state.marks come from this site yet
        # _Handler first: a request for another host is refused before anything is served.
        decorating = type("_PreviewHandler", (_Handler, Decorating), {"current": self._current})
        handler = functools.partial(decorating, directory=str(out))
        # 127.0.0.1 only: a preview may show drafts and embargoed statements.
        self.server = _Server(("127.0.0.1", port), handler)
        bound = self.server.server_address[1]
        self.server.hosts = frozenset({f"127.0.0.1:{bound}", f"localhost:{bound}"})
        if bound == 80:  # a browser leaves the default port out of Host
            self.server.hosts |= {"127.0.0.1", "localhost"}
        self._stop = threading.Event()
        self._seen: dict[str, list[int]] = {}

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def _current(self) -> State:
        return self.state

    def rebuild(self) -> None:
        self._seen = scan_sources(self.root)
        gathered: list[Site] = []
        state = self.state
        try:
            result = build(self.root, self.out, preview=self.preview, gathered=gathered.append)
        except FeedpubError as exc:  # keep serving the last good build, and say why
            errors = tuple(p for p in exc.problems if p.is_error)
            # An earlier run's build may be there (the preview's folder is kept).
            built = state.built or (self.out / "index.html").is_file()
            text = state.text if self._marked else self._words()
            self.state = State(state.generation + 1, errors, state.marks, built, text)
            self.report(exc)
            return
        except Exception:  # a bug in feedpub: show it, and keep watching for the fix
            traceback.print_exc()
            shows = "the last good build" if state.built else "nothing yet, still watching"
            print(f"feedpub: still serving {shows}", file=sys.stderr, flush=True)
            return
        if gathered:
            marks, text = marks_of(gathered[0]), words_of(gathered[0].config)
        elif not self._marked:  # answered from an earlier preview's build: read the site
            project = Project.at(self.root)
            site = read_site(project, cache=Cache(project.root), preview=True).site
            marks, text = marks_of(site), words_of(site.config)
        else:
            marks, text = dict(state.marks), state.text  # nothing changed
        self.state = State(state.generation + 1, (), marks, built=True, text=text)
        self._marked = True
        self.report(result)

    def _words(self) -> messages.PageText:
        """The preview's words before a site was read: in the language of its settings
        when they can be read (its statements have problems), else English."""
        config = read_config(self.root, Problems())
        return words_of(config) if config is not None else ENGLISH

    def watch(self, interval: float = 0.3) -> None:
        """Poll the sources; rebuild after a change. Returns when stop() is called."""
        while not self._stop.wait(interval):
            try:
                if scan_sources(self.root) != self._seen:
                    self.rebuild()
            except Exception:  # reporting failed (a closed terminal?): keep watching
                traceback.print_exc()

    def start(self) -> None:
        self.rebuild()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

"""`feedpub serve`: build, serve on 127.0.0.1 only, rebuild when a source file changes."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable
from pathlib import Path

from feedpub.build import build
from feedpub.errors import FeedpubError
from feedpub.gather import Project, read_site
from feedpub.incremental import BuildResult, Cache, scan_sources
from feedpub.model import Site
from feedpub.preview import Decorating, State, marks_of


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build results, not for every request


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
        decorating = type("_PreviewHandler", (Decorating, _Handler), {"current": self._current})
        handler = functools.partial(decorating, directory=str(out))
        # 127.0.0.1 only: a preview may show drafts and embargoed statements.
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
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
            self.state = State(state.generation + 1, errors, state.marks)
            self.report(exc)
            return
        if gathered:
            marks = marks_of(gathered[0])
        elif not self._marked:  # answered from an earlier preview's build: read the site
            project = Project.at(self.root)
            marks = marks_of(read_site(project, cache=Cache(project.root), preview=True).site)
        else:
            marks = dict(state.marks)  # nothing changed
        self.state = State(state.generation + 1, (), marks)
        self._marked = True
        self.report(result)

    def watch(self, interval: float = 0.3) -> None:
        """Poll the sources; rebuild after a change. Returns when stop() is called."""
        while not self._stop.wait(interval):
            if scan_sources(self.root) != self._seen:
                self.rebuild()

    def start(self) -> None:
        self.rebuild()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

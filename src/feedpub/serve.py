"""`feedpub serve`: build, serve on 127.0.0.1 only, rebuild when a source file changes."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable
from pathlib import Path

from feedpub.build import build
from feedpub.errors import FeedpubError
from feedpub.incremental import BuildResult, scan_sources


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
        handler = functools.partial(_Handler, directory=str(out))
        # 127.0.0.1 only: a preview may show drafts and embargoed statements.
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._stop = threading.Event()
        self._seen: dict[str, list[int]] = {}

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def rebuild(self) -> None:
        self._seen = scan_sources(self.root)
        try:
            result = build(self.root, self.out, preview=self.preview)
        except FeedpubError as exc:  # keep serving the last good build
            self.report(exc)
            return
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

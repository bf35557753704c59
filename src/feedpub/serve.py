"""`feedpub serve`: build, serve on 127.0.0.1 only, rebuild when a source file changes."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from feedpub.build import ENTRIES_DIR, STATIC_DIR, build
from feedpub.config import CONFIG_NAME
from feedpub.errors import FeedpubError
from feedpub.outcome import BuildResult
from feedpub.render.html import TEMPLATE_DIR

WATCHED = (CONFIG_NAME, ENTRIES_DIR, STATIC_DIR, TEMPLATE_DIR)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every watched file's modification time and size: what a rebuild depends on."""
    found: dict[str, tuple[int, int]] = {}

    def files() -> Iterator[Path]:
        for name in WATCHED:
            path = root / name
            if path.is_file():
                yield path
            elif path.is_dir():
                for folder, _, names in os.walk(path):
                    for file_name in names:
                        yield Path(folder) / file_name

    for path in files():
        try:
            stat = path.stat()
        except OSError:  # removed while we looked
            continue
        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


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
        self._seen: dict[str, tuple[int, int]] = {}

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def rebuild(self) -> None:
        self._seen = snapshot(self.root)
        try:
            result = build(self.root, self.out, preview=self.preview)
        except FeedpubError as exc:  # keep serving the last good build
            self.report(exc)
            return
        self.report(result)

    def watch(self, interval: float = 0.3) -> None:
        """Poll the sources; rebuild after a change. Returns when stop() is called."""
        while not self._stop.wait(interval):
            if snapshot(self.root) != self._seen:
                self.rebuild()

    def start(self) -> None:
        self.rebuild()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

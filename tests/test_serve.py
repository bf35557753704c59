"""`feedpub serve`: a preview on 127.0.0.1 that rebuilds when a source changes."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import Project


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body.decode()


def _wait_for(predicate, seconds: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_serve_answers_on_loopback_and_rebuilds_after_a_change(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: First title\ndate: 2021-11-05\nbody: x\n")
    script = Path(sys.executable).with_name("feedpub")
    server = subprocess.Popen(
        [str(script), "serve", "--port", "0"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:  # first the build, then the address
            lines.append(line)
            if "serving" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[-1])
        assert url, lines
        assert "First title" in _get(url.group(0) + "2021/11/05/x/")
        project.entry("2021-11-05-x.yaml", "title: Second title\ndate: 2021-11-05\nbody: x\n")
        assert _wait_for(lambda: "Second title" in _get(url.group(0) + "2021/11/05/x/"))
        # A draft is in the preview, and public/ is never touched.
        project.entry("2021-11-06-d.yaml", "title: Draft\ndate: 2021-11-06\nbody: x\ndraft: true\n")
        assert _wait_for(lambda: "Draft" in _get(url.group(0)))
        assert not (project.root / "public").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()


def test_serve_listens_on_127_0_0_1_only(project: Project) -> None:
    from feedpub.serve import Preview

    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    reports: list[object] = []
    preview = Preview(
        project.root, project.root / ".preview", 0, preview=True, report=reports.append
    )
    try:
        assert preview.server.server_address[0] == "127.0.0.1"
        preview.start()
        assert "X" in _get(preview.url + "2021/11/05/x/")
        project.entry("2021-11-05-x.yaml", "title: [broken\n")
        assert _wait_for(lambda: len(reports) >= 2)
        assert "X" in _get(preview.url + "2021/11/05/x/")  # the last good build stays up
    finally:
        preview.stop()

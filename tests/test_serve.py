"""`feedpub serve`: a preview on 127.0.0.1 that rebuilds when a source changes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLE_CONFIG, Project, wait_for
from feedpub.errors import FeedpubError
from feedpub.serve import Preview


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body.decode()


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
        assert wait_for(lambda: "Second title" in _get(url.group(0) + "2021/11/05/x/"))
        # A draft is in the preview, and public/ is never touched.
        project.entry("2021-11-06-d.yaml", "title: Draft\ndate: 2021-11-06\nbody: x\ndraft: true\n")
        assert wait_for(lambda: "Draft" in _get(url.group(0)))
        assert not (project.root / "public").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()


def test_serve_listens_on_127_0_0_1_only(project: Project) -> None:
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
        assert wait_for(lambda: len(reports) >= 2)
        assert "X" in _get(preview.url + "2021/11/05/x/")  # the last good build stays up
    finally:
        preview.stop()


PREVIEW_ENTRIES = {
    "2021-11-05-office.yaml": "title: Example Agency opens an office\ndate: 2021-11-05\nbody: x\n",
    "2021-11-06-draft.yaml": "title: A draft\ndate: 2021-11-06\nbody: x\ndraft: true\n",
    "2099-01-01-later.yaml": "title: Under embargo\ndate: 2099-01-01T09:00\nbody: x\n",
}


def _preview(project: Project, reports: list[object]):  # type: ignore[no-untyped-def]
    from feedpub.serve import Preview

    for name, text in PREVIEW_ENTRIES.items():
        project.entry(name, text)
    preview = Preview(
        project.root, project.root.parent / "preview", 0, preview=True, report=reports.append
    )
    preview.start()
    return preview


def test_preview_marks_what_the_public_site_does_not_show(project: Project) -> None:
    reports: list[object] = []
    preview = _preview(project, reports)
    try:
        home = _get(preview.url)
        assert '<span class="feedpub-mark">Draft</span><span dir="auto">A draft</span>' in home
        assert (
            '<span class="feedpub-mark">Embargoed until January 1, 2099, 9:00\u202fAM Central'
            ' European Standard Time</span><span dir="auto">Under embargo</span>'
        ) in home
        assert '<script src="/__feedpub__/reload.js" data-generation="1"></script>' in home
        draft = _get(preview.url + "2021/11/06/draft/")
        assert (
            '<p class="feedpub-preview" role="status" lang="en" dir="ltr"><strong>Draft</strong>:'
            " it is not published until its file loses the line <code>draft: true</code>.</p>"
        ) in draft
        assert "feedpub-preview" not in _get(preview.url + "2021/11/05/office/").split("<body")[1]
        assert _get(preview.url + "__feedpub__/generation") == "1"
    finally:
        preview.stop()
    # The same site built: neither banners nor script, and neither statement.
    from feedpub.build import build

    build(project.root)
    for page in (project.root / "public").rglob("*.html"):
        text = page.read_text()
        assert "feedpub-preview" not in text and "feedpub-mark" not in text, page
        assert "<script src" not in text, page
    assert not (project.root / "public/2021/11/06/draft").exists()


EMBARGOED = "Embargoed until January 1, 2099, 9:00\u202fAM Central European Standard Time"


def test_preview_feeds_mark_drafts_and_embargoed_titles_never_the_build(project: Project) -> None:
    reports: list[object] = []
    preview = _preview(project, reports)
    try:
        for feed in ("atom.xml", "rss.xml", "types/statement/atom.xml"):
            text = _get(preview.url + feed)
            assert "<title>[Draft] A draft</title>" in text, feed
            assert f"<title>[{EMBARGOED}] Under embargo</title>" in text, feed
            assert "<title>Example Agency opens an office</title>" in text, feed
        items = json.loads(_get(preview.url + "feed.json"))["items"]
        assert [item["title"] for item in items] == [
            f"[{EMBARGOED}] Under embargo",
            "[Draft] A draft",
            "Example Agency opens an office",
        ]
    finally:
        preview.stop()
    # Marked as served: neither the preview's files nor a build hold a mark.
    from feedpub.build import build

    build(project.root)
    for folder in (project.root.parent / "preview", project.root / "public"):
        for path in (*folder.rglob("*.xml"), *folder.rglob("*.json")):
            assert "[Draft]" not in path.read_text() and "[Embargoed" not in path.read_text()


def test_preview_speaks_the_site_s_language_in_its_marks_banners_and_feeds(
    project: Project,
) -> None:
    # A French office saw "Draft" and "Embargoed until ..." in English on its French pages.
    project.config(EXAMPLE_CONFIG.replace("language: en", "language: fr"))
    reports: list[object] = []
    preview = _preview(project, reports)
    embargoed = "Sous embargo jusqu’au 1 janvier 2099, 09:00 heure normale d’Europe centrale"
    try:
        home = _get(preview.url)
        assert '<span class="feedpub-mark">Brouillon</span><span dir="auto">A draft</span>' in home
        assert f'<span class="feedpub-mark">{embargoed}</span>' in home
        assert (
            '<p class="feedpub-preview" role="status" lang="fr" dir="ltr"><strong>Brouillon'
            "</strong> : il n’est pas publié tant que son fichier contient la ligne"
            " <code>draft: true</code>.</p>"
        ) in _get(preview.url + "2021/11/06/draft/")
        assert (
            f'<p class="feedpub-preview" role="status" lang="fr" dir="ltr"><strong>{embargoed}'
            "</strong> : le site public le montre à partir de ce moment ;"
        ) in _get(preview.url + "2099/01/01/later/")
        assert "<title>[Brouillon] A draft</title>" in _get(preview.url + "atom.xml")
        titles = [item["title"] for item in json.loads(_get(preview.url + "feed.json"))["items"]]
        assert titles[:2] == [f"[{embargoed}] Under embargo", "[Brouillon] A draft"]
        # Broken, then the failure in French too, its problems (feedpub's, English) marked so.
        project.entry("2021-11-07-y.yaml", "title: [\ndate: 2021-11-07\nbody: x\n")
        assert wait_for(lambda: "La dernière reconstruction a échoué." in _get(preview.url))
        page = _get(preview.url)
        assert '<section class="feedpub-preview failed" role="alert" lang="fr" dir="ltr">' in page
        assert "Cet aperçu montre toujours la dernière construction réussie" in page
        assert '<ul dir="ltr" lang="en"><li><code>' in page
        assert "/entries/2021-11-07-y.yaml:1:8: title: the [ that starts here" in page
    finally:
        preview.stop()


def test_preview_marks_are_right_to_left_for_an_arabic_site_and_reworded_by_messages(
    project: Project,
) -> None:
    config = EXAMPLE_CONFIG.replace("language: en", "language: ar")
    project.config(config + "messages:\n  ar:\n    Draft: غير منشور\n")
    reports: list[object] = []
    preview = _preview(project, reports)
    try:
        assert (
            '<p class="feedpub-preview" role="status" lang="ar" dir="rtl"><strong>غير منشور'
            "</strong>: لا يُنشر ما دام ملفه يحتوي على السطر <code>draft: true</code>.</p>"
        ) in _get(preview.url + "2021/11/06/draft/")
        assert "<title>[غير منشور] A draft</title>" in _get(preview.url + "rss.xml")
    finally:
        preview.stop()


def _first_build_failed(project: Project) -> tuple[Preview, str]:
    """A preview started on a site whose one statement cannot be read, and its home page:
    a 404, what a page not built answers."""
    project.entry("2021-11-05-x.yaml", "title: [\ndate: 2021-11-05\nbody: x\n")
    reports: list[object] = []
    preview = Preview(
        project.root, project.root / ".preview", 0, preview=True, report=reports.append
    )
    try:
        preview.start()
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(preview.url, timeout=5)
        assert failed.value.code == 404
        return preview, failed.value.read().decode()
    except BaseException:
        preview.stop()
        raise


def test_preview_whose_first_build_fails_speaks_the_language_of_its_settings(
    project: Project,
) -> None:
    # No statement could be read, but feedpub.yaml could: its language, not English.
    project.config(EXAMPLE_CONFIG.replace("language: en", "language: es"))
    preview, page = _first_build_failed(project)
    try:
        assert '<html lang="es" dir="ltr">' in page
        assert "<title>Vista previa de feedpub: sin construir</title>" in page
        assert "<strong>La última reconstrucción ha fallado.</strong> Aún no hay nada" in page
    finally:
        preview.stop()


def test_preview_serves_a_static_json_file_as_it_is_however_deep_or_feed_like(
    project: Project,
) -> None:
    # With a draft to mark, every .json served was read as a feed: a deeply nested one
    # ended in a RecursionError and a closed connection, one with "items" was rewritten.
    deep = b'{"items": [' + b"[" * 200_000 + b"]" * 200_000 + b"]}"
    like = b'{"items": [{"id": "tag:press.example.org,2020:2021-11-06-draft", "title": "t",'
    like += b' "n": 1e400}]}\n'
    project.file("static/deep.json", deep)
    project.file("static/like.json", like)
    reports: list[object] = []
    preview = _preview(project, reports)
    try:
        for name, data in (("deep.json", deep), ("like.json", like)):
            with urllib.request.urlopen(preview.url + name, timeout=5) as response:
                assert response.read() == data, name
        assert "[Draft] A draft" in _get(preview.url + "feed.json")  # the site's own, marked
    finally:
        preview.stop()


def _status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _plain_preview(project: Project, reports: list[object]) -> Preview:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    return Preview(project.root, project.root / ".preview", 0, preview=True, report=reports.append)


def test_serve_answers_only_requests_addressed_to_itself(project: Project) -> None:
    preview = _plain_preview(project, [])
    try:
        preview.start()
        port = preview.server.server_address[1]
        assert _status(preview.url) == 200
        assert _status(preview.url, f"localhost:{port}") == 200
        # DNS rebinding: a page of attacker.example resolved to 127.0.0.1 reads nothing.
        assert _status(preview.url, f"attacker.example:{port}") == 403
        assert _status(preview.url, "127.0.0.1") == 403
    finally:
        preview.stop()


def test_serve_closes_a_connection_that_sends_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # Each connection holds a thread: 1,500 left open sending nothing held 1,500 threads,
    # for as long as their other end liked.
    import socket

    from feedpub import serve

    assert serve._Handler.timeout == serve.IDLE_SECONDS == 30  # and here, sooner:
    monkeypatch.setattr(serve._Handler, "timeout", 0.5)
    preview = _plain_preview(project, [])
    try:
        preview.start()
        port = preview.server.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            assert idle.recv(1) == b""  # closed by the preview, well before 10 s
        assert _status(preview.url) == 200  # and it answers the next one as ever
    finally:
        preview.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_serve_answers_odd_paths_with_4xx_and_no_traceback(
    project: Project, capfd: pytest.CaptureFixture[str]
) -> None:
    preview = _plain_preview(project, [])
    try:
        preview.start()
        for path, status in [
            ("%00", 400),
            ("a%00b/", 404),
            ("%ed%a0%80", 400),
            ("..%2f..%2f..%2fetc%2fpasswd", 404),
            ("x" * 5000, 404),
        ]:
            assert _status(preview.url + path) == status, path
    finally:
        preview.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_serve_answers_for_a_page_a_rebuild_removes_as_it_is_read_without_a_traceback(
    project: Project, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page was looked at (is_file), then read: a rebuild removing the statement in
    # between, as one did under a few thousand requests, raised into the server's thread.
    preview = _plain_preview(project, [])
    read_bytes = Path.read_bytes

    def removed_first(path: Path) -> bytes:
        if path.as_posix().endswith(".preview/2021/11/05/x/index.html"):
            path.unlink(missing_ok=True)
        return read_bytes(path)

    try:
        preview.start()
        monkeypatch.setattr(Path, "read_bytes", removed_first)
        # An answer (its folder, as any folder without a page is shown), not a dropped one.
        assert _status(preview.url + "2021/11/05/x/") in (200, 404)
    finally:
        preview.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_serve_keeps_rebuilding_after_a_template_error(project: Project) -> None:
    reports: list[object] = []
    preview = _plain_preview(project, reports)
    try:
        preview.start()
        project.file(
            "templates/entry.html",
            '{% extends "base.html" %}\n{% block main %}\n{{ 1 / 0 }}\n{% endblock %}\n',
        )
        assert wait_for(lambda: len(reports) >= 2)
        failed = reports[1]
        assert isinstance(failed, FeedpubError)
        assert failed.problems[0].format() == (
            "templates/entry.html:3:1: template error: ZeroDivisionError: division by zero"
        )
        (project.root / "templates/entry.html").unlink()
        project.entry("2021-11-05-x.yaml", "title: Fixed\ndate: 2021-11-05\nbody: x\n")
        assert wait_for(lambda: "Fixed" in _get(preview.url + "2021/11/05/x/"))
    finally:
        preview.stop()


def test_serve_keeps_watching_after_an_unexpected_error(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from feedpub import serve

    reports: list[object] = []
    preview = _plain_preview(project, reports)
    real_build = serve.build  # type: ignore[attr-defined]
    failures: list[int] = []

    def broken_once(*args: Any, **kwargs: Any) -> Any:
        if not failures:
            failures.append(1)
            raise RuntimeError("a bug in feedpub")
        return real_build(*args, **kwargs)

    try:
        preview.start()
        monkeypatch.setattr(serve, "build", broken_once)
        project.entry("2021-11-05-x.yaml", "title: Second\ndate: 2021-11-05\nbody: x\n")
        assert wait_for(lambda: bool(failures))
        project.entry("2021-11-05-x.yaml", "title: Third\ndate: 2021-11-05\nbody: x\n")
        assert wait_for(lambda: "Third" in _get(preview.url + "2021/11/05/x/"))
    finally:
        preview.stop()
    err = capfd.readouterr().err
    assert "RuntimeError: a bug in feedpub" in err  # a bug is shown, not hidden
    assert "feedpub: still serving the last good build" in err


def test_serve_whose_first_build_fails_shows_its_problems_then_the_site_once_fixed(
    project: Project,
) -> None:
    # A browser opened on a site that never built got the server's bare "404 File not
    # found", and the terminal said it served "the last good build" (there was none).
    preview, page = _first_build_failed(project)
    try:
        assert not preview.state.built
        assert "Nothing is built yet, so there is no page to show" in page
        assert (
            "entries/2021-11-05-x.yaml:1:8: title: the [ that starts here is never closed" in page
        )
        assert 'src="/__feedpub__/reload.js" data-generation="1"' in page  # reloads once fixed
        assert _status(preview.url + "style.css") == 404  # only pages answer so
        project.entry("2021-11-05-x.yaml", "title: Fixed\ndate: 2021-11-05\nbody: x\n")
        assert wait_for(lambda: preview.state.built)  # the rebuild's files, then its state
        assert _status(preview.url) == 200 and "Fixed" in _get(preview.url)
    finally:
        preview.stop()


def test_serve_outside_a_site_says_so_and_serves_nothing(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("feedpub")
    result = subprocess.run(
        [str(script), "serve", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"feedpub.yaml: not found; is {tmp_path} a feedpub site? Run feedpub in the site's folder"
        " (or give --root), or make a site here with `feedpub init`",
        "feedpub: not serving: there is no site here",
    ]
    (tmp_path / "empty").mkdir()  # given with --root: feedpub init must be told it too
    result = subprocess.run(
        [str(script), "serve", "--port", "0", "--root", "empty"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"empty/feedpub.yaml: not found; is {tmp_path}/empty a feedpub site? Run feedpub in the"
        " site's folder (or give --root), or make a site in empty with `feedpub init empty`",
        "feedpub: not serving: there is no site in empty",
    ]


def test_serve_on_a_port_in_use_says_how_to_choose_another(project: Project) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(Path(sys.executable).with_name("feedpub")), "serve", "--port", str(port)],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"feedpub: error: --port {port}: Address already in use; give another, or --port 0 to"
        " take a free one"
    )

"""The build cache never changes what is built: a cached build equals a cold one, byte for
byte, whatever was edited; and an unchanged site is answered without rebuilding anything."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import EXAMPLE_CONFIG, Project, Run, write_corpus
from feedpub import cache as cache_module
from feedpub.build import build

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _cold_tree(project: Project, tmp_path: Path) -> dict[str, bytes]:
    """What a build of the same sources writes with no cache and no earlier output."""
    cold = Project(tmp_path / f"cold-{len(list(tmp_path.iterdir()))}")
    shutil.copytree(project.root, cold.root, ignore=shutil.ignore_patterns("public"))
    build(cold.root, now=NOW)
    return cold.tree()


def _first(project: Project) -> Path:
    return sorted((project.root / "entries").glob("*.yaml"))[0]


EDITS: dict[str, Callable[[Project], None]] = {
    "entry added": lambda p: p.entry(
        "2021-06-01-added.yaml", "title: Added\ndate: 2021-06-01\ntags: [Energy]\nbody: New.\n"
    ),
    "entry body edited": lambda p: _first(p).write_text(
        _first(p).read_text().replace("Paragraph 0", "First paragraph")
    ),
    "entry title edited": lambda p: _first(p).write_text(
        _first(p).read_text().replace("statement number", "Statement No.")
    ),
    "entry renamed": lambda p: _first(p).rename(
        _first(p).with_name(_first(p).name.replace("statement", "renamed"))
    ),
    "entry deleted": lambda p: _first(p).unlink(),
    "entry made a draft": lambda p: _first(p).write_text(_first(p).read_text() + "draft: true\n"),
    "settings changed": lambda p: p.config(
        EXAMPLE_CONFIG.replace("Example Agency Statements", "Example Agency News")
        + "feed_limit: 7\n"
    ),
    "base_url changed": lambda p: p.config(
        EXAMPLE_CONFIG.replace("https://press.example.org/", "https://news.example.org/")
    ),
    "template overridden": lambda p: p.file(
        "templates/_years.html", "<p>Years: {{ years|length }}</p>\n"
    ),
    "base template overridden": lambda p: p.file(
        "templates/base.html",
        (Path(__file__).parents[1] / "src/feedpub/templates/base.html")
        .read_text()
        .replace("Published by", "Issued by"),
    ),
    "static file added": lambda p: p.file("static/robots.txt", "User-agent: *\n"),
    "attachment replaced": lambda p: p.entry("2019-01-01-annex.pdf", b"%PDF-1.7 second version"),
    "tag respelled everywhere": lambda p: [
        path.write_text(path.read_text().replace("Energy", "ENERGY"))
        for path in (p.root / "entries").glob("*.yaml")
    ],
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_cached_build_equals_cold_build_after_any_edit(
    project: Project, tmp_path: Path, edit: str
) -> None:
    write_corpus(project, 40)
    project.entry("2019-01-01-annex.pdf", b"%PDF-1.7 first version")
    first = _first(project)
    first.write_text(first.read_text() + "attachments: [2019-01-01-annex.pdf]\n")
    build(project.root, now=NOW)
    assert (cache_module.cache_folder(project.root) / "entries.pickle").is_file()
    EDITS[edit](project)
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_cache_from_another_feedpub_version_is_ignored(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 20)
    monkeypatch.setattr(cache_module, "stamp", lambda: "made by another feedpub")
    build(project.root, now=NOW)  # writes a cache stamped by "another" feedpub
    monkeypatch.undo()
    assert cache_module.Cache(project.root).entries() == {}
    assert cache_module.Cache(project.root).manifest(project.root / "public") is None
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_cache_stamp_changes_with_a_library_version(monkeypatch: pytest.MonkeyPatch) -> None:
    # A sanitiser upgrade must not leave bodies sanitised by the old one in the cache.
    cache_module.stamp.cache_clear()
    before = cache_module.stamp()
    real = cache_module.metadata.version
    monkeypatch.setattr(
        cache_module.metadata, "version", lambda name: "99.0" if name == "nh3" else real(name)
    )
    cache_module.stamp.cache_clear()
    try:
        assert cache_module.stamp() != before
    finally:
        monkeypatch.undo()
        cache_module.stamp.cache_clear()
    assert cache_module.stamp() == before


class _Planted:
    """A pickle that runs code when loaded, as a pull request could commit one."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_cache_is_never_read_from_the_site(project: Project, tmp_path: Path) -> None:
    import pickle

    marker = tmp_path / "code-ran"
    planted = project.root / ".feedpub-cache"
    planted.mkdir()
    for name in ("entries.pickle", "manifest.pickle"):
        (planted / name).write_bytes(pickle.dumps(_Planted(marker)))
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    build(project.root, now=NOW)
    build(project.root, now=NOW)
    assert not marker.exists()
    assert not cache_module.cache_folder(project.root).is_relative_to(project.root)


def test_moving_now_back_unpublishes_what_is_not_due(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2030-01-01-later.yaml", "title: Later\ndate: 2030-01-01\nbody: x\n")
    assert build(project.root, now=NOW).statements == 2
    earlier = datetime(2022, 1, 1, tzinfo=timezone.utc)
    result = build(project.root, now=earlier)
    assert result.statements == 1
    assert b"Later" not in project.tree()["atom.xml"]


def test_corrupt_or_deleted_cache_is_safe(project: Project, tmp_path: Path) -> None:
    write_corpus(project, 20)
    build(project.root, now=NOW)
    folder = cache_module.cache_folder(project.root)
    for name in ("entries.pickle", *[p.name for p in folder.glob("manifest-*")]):
        (folder / name).write_bytes(b"not a pickle")
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)
    shutil.rmtree(folder)
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_unchanged_site_is_answered_without_reading_entries(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 20)
    build(project.root, now=NOW)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged build read or compiled an entry")

    import feedpub.build

    monkeypatch.setattr(feedpub.build, "compile_entries", no_reading)
    result = build(project.root, now=NOW)
    assert not result.report.changed
    assert result.statements == 20


def test_hand_edits_to_public_are_undone_not_hidden_by_the_cache(
    project: Project, run: Run
) -> None:
    write_corpus(project, 10)
    assert run("build").exit_code == 0
    built = project.tree()
    page = next((project.root / "public/2019").rglob("index.html"))
    page.write_text("defaced")
    (project.root / "public/extra.html").write_text("left by hand")
    result = run("build")
    assert "1 written" in result.stdout and "1 removed" in result.stdout
    assert project.tree() == built


def test_embargo_release_is_not_hidden_by_the_cache(project: Project, run: Run) -> None:
    project.entry("2021-11-06-later.yaml", "title: Later\ndate: 2021-11-06T09:00\nbody: x\n")
    assert "0 statements" in run("build", "--now", "2021-11-06T07:00:00Z").stdout
    assert "0 statements" in run("build", "--now", "2021-11-06T07:30:00Z").stdout
    released = run("build", "--now", "2021-11-06T08:00:00Z")
    assert "built 1 statement into" in released.stdout


def test_adding_one_statement_changes_only_what_lists_it(project: Project, run: Run) -> None:
    project.config(EXAMPLE_CONFIG + "feed_limit: 10\n")
    write_corpus(project, 60)
    assert run("build").exit_code == 0
    public = project.root / "public"
    before = {
        p.relative_to(public).as_posix(): p.stat().st_ino for p in public.rglob("*") if p.is_file()
    }
    project.entry(
        "2019-12-30-new.yaml",
        "title: New\ndate: 2019-12-30\ntype: Advisory\ntags: [Health]\nbody: x\n",
    )
    assert run("build").exit_code == 0
    after = {
        p.relative_to(public).as_posix(): p.stat().st_ino for p in public.rglob("*") if p.is_file()
    }
    changed = sorted(k for k in after if before.get(k) != after[k])
    feeds = ["atom.xml", "feed.json", "rss.xml"]
    assert changed == sorted(
        ["2019/12/30/new/index.html", "2019/index.html", "index.html", "sitemap.xml"]
        + [f"{d}{f}" for d in ("", "types/advisory/", "tags/health/") for f in feeds]
        + ["types/advisory/index.html", "tags/health/index.html"]
    )
    assert not any(path.startswith("archive/") for path in changed)

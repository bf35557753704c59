"""Incremental builds: a cached build equals a cold one, byte for byte, whatever was edited and
whatever a site's templates read; an unchanged site is answered without rebuilding; a cache
file, whatever its bytes, never runs code nor reads outside the cache."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLE_CONFIG, Project, Run, children_left, write_corpus
from feedpub import forked, gather, incremental, parallel, stamp, write
from feedpub.build import build, check
from feedpub.errors import FeedpubError
from feedpub.incremental import Dependencies, key_line, key_of_lines, probe
from feedpub.listing import Survey, status_tree
from feedpub.model import Body, BuildResult, Entry, WriteReport

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
TEMPLATES = Path(__file__).parents[1] / "src/feedpub/templates"


def _cold_tree(project: Project, tmp_path: Path, now: datetime = NOW) -> dict[str, bytes]:
    """What a build of the same sources writes with no cache and no earlier output."""
    cold = Project(tmp_path / f"cold-{len(list(tmp_path.iterdir()))}")
    shutil.copytree(project.root, cold.root, ignore=shutil.ignore_patterns("public"))
    build(cold.root, now=now)
    return cold.tree()


def _entries(project: Project) -> list[Path]:
    return sorted((project.root / "entries").glob("*.yaml"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _retime(path: Path) -> None:
    """Release the statement at 08:15 on its day, in the site's zone."""
    text = path.read_text()
    path.write_text(re.sub(r"^date: (\d{4}-\d{2}-\d{2}).*$", r"date: \1T08:15", text, flags=re.M))


def _newest(project: Project) -> Path:
    return _entries(project)[-1]


EDITS: dict[str, Callable[[Project], object]] = {
    "entry added, newest": lambda p: p.entry(
        "2029-06-01-added.yaml", "title: Added\ndate: 2029-06-01\ntags: [Energy]\nbody: New.\n"
    ),
    "entry added, backdated": lambda p: p.entry(
        "2019-06-01-backdated.yaml", "title: Backdated\ndate: 2019-06-01\nbody: Old.\n"
    ),
    "entry body edited": lambda p: _edit(_entries(p)[0], "Paragraph 0", "First paragraph"),
    "newest title edited": lambda p: _edit(_newest(p), "statement number", "Statement No."),
    "entry renamed": lambda p: _entries(p)[0].rename(
        _entries(p)[0].with_name(_entries(p)[0].name.replace("statement", "renamed"))
    ),
    "entry deleted": lambda p: _entries(p)[3].unlink(),
    "entry made a draft": lambda p: _newest(p).write_text(_newest(p).read_text() + "draft: true\n"),
    "entry corrected": lambda p: _entries(p)[2].write_text(
        _entries(p)[2].read_text()
        + "updated: 2025-01-01T10:00:00+01:00\nchange_note: A figure was corrected.\n"
    ),
    "entry withdrawn": lambda p: _newest(p).write_text(
        _newest(p).read_text() + "withdrawn: {date: 2029-01-01, reason: Issued in error.}\n"
    ),
    "type changed": lambda p: _edit(_newest(p), "type: ", "type: Notice #"),
    "settings changed": lambda p: p.config(
        EXAMPLE_CONFIG.replace("Example Agency Statements", "Example Agency News")
        + "feed_limit: 7\n"
    ),
    "base_url changed": lambda p: p.config(
        EXAMPLE_CONFIG.replace("https://press.example.org/", "https://news.example.org/")
    ),
    "template edited": lambda p: p.file(
        "templates/_years.html", "<p>Years: {{ years|length }}</p>\n"
    ),
    "base template overridden": lambda p: p.file(
        "templates/base.html",
        (TEMPLATES / "base.html").read_text().replace('class="site"', 'class="site ours"'),
    ),
    "static file added": lambda p: p.file("static/robots.txt", "User-agent: *\n"),
    "attachment replaced": lambda p: p.entry("2019-01-01-annex.pdf", b"%PDF-1.7 second version"),
    "accent colour set": lambda p: p.config(EXAMPLE_CONFIG + "accent_color: '#0b6e4f'\n"),
    "message overridden": lambda p: p.config(
        EXAMPLE_CONFIG + "messages:\n  en:\n    Subscribe: Follow us\n"
        "    '%(num)d statement': {one: one item, other: '%(num)d items'}\n"
    ),
    "entry made French": lambda p: _edit(_newest(p), "type: ", "language: fr\ntype: "),
    "entry given another release time": lambda p: _retime(_entries(p)[1]),
    "contact and notes added": lambda p: p.entry(
        _entries(p)[4].name,
        _entries(p)[4].read_text()
        + "contact: {name: Sam Example, phone: +44 20 7946 0000}\n"
        + "notes_to_editors: |\n  The agency is fictional.\n",
    ),
    "alias added": lambda p: _newest(p).write_text(
        _newest(p).read_text() + "aliases: [news/moved.html, old/address/]\n"
    ),
    "entry removed": lambda p: _entries(p)[1].write_text(
        _entries(p)[1].read_text() + "removed: {date: 2029-01-01, reason: A court order.}\n"
    ),
    "tag renamed with an alias": lambda p: (
        [
            path.write_text(path.read_text().replace("Energy", "Power"))
            for path in (p.root / "entries").glob("*.yaml")
        ]
        and p.config(EXAMPLE_CONFIG + "section_aliases:\n  tags:\n    Energy: Power\n")
    ),
    "translation added": lambda p: p.entry(
        "2029-06-02-traduction.yaml",
        "title: Traduction\ndate: 2029-06-02\nlanguage: fr\nbody: Le texte.\n"
        f"translation_of: tag:press.example.org,2020:{_newest(p).stem}\n",
    ),
    "tag respelled everywhere": lambda p: [
        path.write_text(path.read_text().replace("Energy", "ENERGY"))
        for path in (p.root / "entries").glob("*.yaml")
    ],
}


def _site(project: Project) -> None:
    write_corpus(project, 40)
    project.entry("2019-01-01-annex.pdf", b"%PDF-1.7 first version")
    first = _entries(project)[0]
    first.write_text(first.read_text() + "attachments: [2019-01-01-annex.pdf]\n")


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_cached_build_equals_cold_build_after_any_edit(
    project: Project, tmp_path: Path, edit: str
) -> None:
    _site(project)
    build(project.root, now=NOW)
    assert (incremental.cache_folder(project.root) / incremental.ENTRIES).is_file()
    EDITS[edit](project)
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


# Site templates that read what the old hand-written keys never named, kept apart so that
# each kind of read is tested on its own: statement pages read the whole site's newest
# statements, its count, years and settings; year pages read every section.
READS_THE_SITE = """\
{% extends "base.html" %}
{% block main %}
<h1>{{ entry.title }}</h1>
<p>{{ site.entries|length }} statements; newest: {% for e in site.entries[:3] %}{{ e.title }};
{% endfor %}</p>
<p>Years: {% for y, n in site.years %}{{ y }}:{{ n }} {% endfor %} by {{ site.publisher.name }}</p>
{{ entry.body_html|safe }}
{# Whole objects printed, as by mistake: what shows must be exact too. #}
<p>{{ entry }} {{ entry.body }} {{ site }} {{ site.entries[:3] }} {{ site.types }}</p>
<p>{{ site.entries|map("string")|join(" ") }} {{ entry.attachments }} {{ subscriptions }}</p>
<p>{{ newer.title if newer }} {{ older.title if older }} {{ older }}
{% for s in sections %}{{ s.name }}:{{ s.entries|length }}:{{ s.entries[-1].title }}{% endfor %}</p>
{% endblock %}
"""
READS_THE_SECTIONS = """\
{% extends "base.html" %}
{% block main %}
<h1>{{ year }}</h1>
<p>{% for t in site.types %}{{ t.name }} ({{ t.count }}) {% endfor %}</p>
<p>{% for t in site.tags %}{{ t.name }}={{ t.entries[0].title }}
{% endfor %}</p>
<p>{{ site.tags }} {{ site.tags[0] ~ "" }} {{ site.config }}</p>
{% endblock %}
"""


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_site_template_reading_anything_stays_exact_after_any_edit(
    project: Project, tmp_path: Path, edit: str
) -> None:
    _site(project)
    project.file("templates/entry.html", READS_THE_SITE)
    project.file("templates/archive.html", READS_THE_SECTIONS)
    build(project.root, now=NOW)
    EDITS[edit](project)
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_objects_printed_whole_show_nothing_of_the_machine(
    project: Project, tmp_path: Path
) -> None:
    """A template printing a statement, its body or the site shows the same bytes wherever
    the build cache lives and whenever the build runs: no path, no address in memory."""
    _site(project)
    project.file("templates/entry.html", READS_THE_SITE)
    project.file("templates/archive.html", READS_THE_SECTIONS)
    build(project.root, now=NOW)
    page = next(p for p in project.tree() if p.count("/") == 4 and p.endswith("index.html"))
    shown = project.tree()[page].decode()
    assert "&lt;statement tag:" in shown and "&lt;site&gt;" in shown
    assert "&lt;section type/" in shown and "&lt;statement body&gt;" in shown
    assert os.environ["FEEDPUB_CACHE_DIR"] not in shown and " at 0x" not in shown
    assert project.tree() == _cold_tree(project, tmp_path)  # with a cache of its own


def test_enough_kinds_of_edit_are_tried() -> None:
    assert len(EDITS) >= 15


# Every way a site template may load another, each needing part.html (or, for a list, the
# first of its names that exists): an edit to that file, or a file added ahead of it in a
# list, must reach every page, however the name is spelt and however Jinja keeps what it
# loaded. A module imported without context is made once and kept for every later page.
PARTS = {
    "part.html": "PART v1\n",
    "sub/part.html": "SUB v1\n",
    "outer.html": '{% include "part.html" %}\n',
    "m.html": '{% set footer %}{% include "part.html" %}{% endset %}'
    '{% macro show() %}{% include "./part.html" %}{% endmacro %}\n',
}
LOADS = {
    "include ./name": '{% include "./part.html" %}',
    "include /name": '{% include "/part.html" %}',
    "include sub//name": '{% include "sub//part.html" %}',
    "include a list": '{% include ["first.html", "part.html"] %}',
    "include a list held in a variable": '{% set n = ["first.html", "part.html"] %}{% include n %}',
    "include without context, what it includes": '{% include "outer.html" without context %}',
    "import ./name, a macro": '{% import "./m.html" as m %}{{ m.show() }}',
    "import, a value the module made": '{% import "m.html" as m %}{{ m.footer }}',
    "from import, a value the module made": '{% from "m.html" import footer %}{{ footer }}',
}
LOAD_EDITS = {
    "include sub//name": "sub/part.html",
    "include a list": "first.html",
    "include a list held in a variable": "first.html",
}


@pytest.mark.parametrize("load", sorted(LOADS))
def test_a_template_loaded_any_way_jinja_allows_is_a_dependency_of_every_page(
    project: Project, tmp_path: Path, load: str
) -> None:
    write_corpus(project, 6)
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}{% block main %}<h1>{{ entry.title }}</h1>\n'
        + LOADS[load]
        + "{% endblock %}\n",
    )
    for name, text in PARTS.items():
        project.file(f"templates/{name}", text)
    build(project.root, now=NOW)
    project.file(f"templates/{LOAD_EDITS.get(load, 'part.html')}", "EDITED\n")
    build(project.root, now=NOW)
    pages = [text for path, text in project.tree().items() if path.count("/") == 4]
    assert len(pages) == 6 and all(b"EDITED" in page for page in pages)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_a_template_edited_with_its_time_put_back_is_rendered_anew_in_the_same_process(
    project: Project, tmp_path: Path
) -> None:
    """`feedpub serve` builds again in one process, its templates compiled once: an edit
    that keeps the file's modification time (cp -p, rsync -a, tar) is still rendered."""
    write_corpus(project, 3)
    footer = (TEMPLATES / "_footer.html").read_text()
    path = project.file("templates/_footer.html", footer.replace("Published by", "Issued by"))
    build(project.root, now=NOW)
    before = path.stat()
    path.write_text(footer.replace("Published by", "Issued, in a longer text, by"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(project.root, now=NOW)
    assert b"in a longer text" in project.tree()["index.html"]
    assert project.tree() == _cold_tree(project, tmp_path)


def _put_back(path: Path, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` (as long) in the file, then put its modification time back,
    as cp -p, rsync -a and tar -x do with a file they replace."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data, f"{old!r} not in {path}"
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat()[6:9] == before[6:9]  # size, and times as cp -p leaves them


@pytest.mark.parametrize(
    ("kind", "edit"),
    [
        ("template", lambda p: _put_back(p.root / "templates/_years.html", b"(v1)", b"(v2)")),
        ("entry", lambda p: _put_back(_newest(p), b"statement number", b"STATEMENT NUMBER")),
        ("settings", lambda p: _put_back(p.root / "feedpub.yaml", b"Example", b"EXAMPLE")),
        ("static file", lambda p: _put_back(p.root / "static/CNAME", b".org", b".net")),
        (
            "attachment",
            lambda p: _put_back(p.root / "entries/2019-01-01-annex.pdf", b"1st", b"2nd"),
        ),
    ],
)
def test_an_edit_of_the_same_size_with_its_time_put_back_is_built(
    project: Project, tmp_path: Path, kind: str, edit: Callable[[Project], None]
) -> None:
    # Sources were told unchanged by their size and modification time alone: such an edit
    # got "already up to date", and a static file so replaced was never copied again.
    write_corpus(project, 5)
    project.entry("2019-01-01-annex.pdf", b"%PDF-1.7 1st version")
    first = _entries(project)[0]
    first.write_text(first.read_text() + "attachments: [2019-01-01-annex.pdf]\n")
    project.file("templates/_years.html", "<p>Years: {{ years|length }} (v1)</p>\n")
    project.file("static/CNAME", "press.example.org\n")
    build(project.root, now=NOW)
    edit(project)
    assert build(project.root, now=NOW).report.written > 0
    assert project.tree() == _cold_tree(project, tmp_path)


@pytest.mark.parametrize(
    ("old", "new", "written"),
    [
        ("A court order.", "An injunction.", 1),  # its page, in no list or feed
        # ...and the Atom and RSS documents it was removed from, dated by the removal
        # (the site's and its type's: the JSON Feed has no date of its own)
        ("2029-01-01", "2028-12-01", 5),
    ],
)
def test_a_removed_statement_s_notice_follows_an_edit_of_its_removal(
    project: Project, tmp_path: Path, old: str, new: str, written: int
) -> None:
    _site(project)
    EDITS["entry removed"](project)
    build(project.root, now=NOW)
    _edit(_entries(project)[1], old, new)
    assert build(project.root, now=NOW).report.written == written
    assert project.tree() == _cold_tree(project, tmp_path)


def test_a_page_naming_its_translations_follows_a_translation_moved(
    project: Project, tmp_path: Path
) -> None:
    """linked_data() reads where each translation lives: a page whose template calls it
    alone (feedpub's also lists the translations) changes when one moves."""
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}{% block main %}'
        "{{ linked_data(entry, translations)|tojson }}{% endblock %}\n",
    )
    project.entry(
        "2021-03-01-office.yaml",
        "title: Office\ndate: 2021-03-01\nid: tag:press.example.org,2020:office\nbody: Open.\n",
    )
    translation = "title: Bureau\ndate: 2021-03-02\nlanguage: fr\nbody: Ouvert.\n"
    translation += "id: tag:press.example.org,2020:bureau\n"
    translation += "translation_of: tag:press.example.org,2020:office\n"
    project.entry("2021-03-02-bureau.yaml", translation)
    build(project.root, now=NOW)
    (project.root / "entries/2021-03-02-bureau.yaml").rename(
        project.root / "entries/2021-03-02-nouveau-bureau.yaml"
    )
    build(project.root, now=NOW)
    page = project.tree()["2021/03/01/office/index.html"]
    assert b"/2021/03/02/nouveau-bureau/" in page
    assert project.tree() == _cold_tree(project, tmp_path)


def test_a_cached_time_past_the_last_year_in_a_new_zone_is_compiled_again(
    project: Project, tmp_path: Path
) -> None:
    # 9999-12-31T23:00 in Paris is in the year 10000 in Kolkata: the cache compiled in
    # Paris read back in the new zone ended every build in an OverflowError traceback.
    project.entry("9999-12-31-held.yaml", "title: Held\ndate: 9999-12-31T23:00\nbody: x\n")
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    build(project.root, now=NOW)
    project.config(EXAMPLE_CONFIG.replace("Europe/Paris", "Asia/Kolkata"))
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


@pytest.mark.parametrize(
    ("zone", "date"),
    [("Asia/Kolkata", "1905-12-31T23:59:55"), ("Europe/Amsterdam", "1916-05-01T01:00:10")],
)
def test_a_time_held_to_the_minute_by_a_change_of_offset_comes_back_from_the_cache_as_compiled(
    project: Project, tmp_path: Path, zone: str, date: str
) -> None:
    # Local mean time is held at its offset to the minute, which moves the instant by
    # seconds: past the zone's change of offset, put back in the zone from the cache, it
    # came back as 1906-01-01T00:08:55+05:30, a year page removed (cold: 23:59:55+05:21).
    project.config(EXAMPLE_CONFIG.replace("Europe/Paris", zone))
    project.entry(f"{date[:10]}-old.yaml", f"title: Old\ndate: {date}\nbody: x\n")
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    build(project.root, now=NOW)
    _edit(project.root / "entries/2021-11-05-x.yaml", "title: X", "title: Y")
    build(project.root, now=NOW)
    assert f"<published>{date}+" in project.read("public/atom.xml")
    assert project.tree() == _cold_tree(project, tmp_path)


def test_cache_from_another_feedpub_version_is_ignored(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 20)
    monkeypatch.setattr(incremental.cache, "stamp", lambda: "made by another feedpub")
    build(project.root, now=NOW)  # writes a cache stamped by "another" feedpub
    monkeypatch.undo()
    cache = incremental.Cache(project.root)
    assert cache.compiled(timezone.utc) == {}
    assert cache.manifest(project.root / "public") is None
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


@pytest.mark.parametrize("installed", ["dist-info", "egg-info"])
def test_cache_stamp_changes_with_a_library_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, installed: str
) -> None:
    # A sanitiser upgrade must not leave bodies sanitised by the old one in the cache.
    stamp.stamp.cache_clear()
    before = stamp.stamp()
    assert stamp.library_versions(stamp.LIBRARIES) == [
        metadata.version(name) for name in stamp.LIBRARIES
    ]
    # Found first on sys.path, as importlib.metadata would find it.
    if installed == "dist-info":
        (tmp_path / "nh3-99.0.dist-info").mkdir()
    else:  # no version in its folder's name: importlib.metadata is asked
        (tmp_path / "nh3.egg-info").mkdir()
        (tmp_path / "nh3.egg-info/PKG-INFO").write_text("Name: nh3\nVersion: 99.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    stamp.stamp.cache_clear()
    try:
        assert "99.0" in stamp.library_versions(stamp.LIBRARIES)
        assert stamp.stamp() != before
    finally:
        monkeypatch.undo()
        stamp.stamp.cache_clear()
    assert stamp.stamp() == before


class _Planted:
    """A pickle that runs code when loaded, as a poisoned CI cache could hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_planted_cache_files_never_run_code(project: Project, tmp_path: Path) -> None:
    write_corpus(project, 5)
    build(project.root, now=NOW)
    marker = tmp_path / "code-ran"
    folder = incremental.cache_folder(project.root)
    for path in folder.glob("*.json"):
        path.write_bytes(pickle.dumps(_Planted(marker)))
    in_site = project.root / ".feedpub-cache"
    in_site.mkdir()
    (in_site / "entries.pickle").write_bytes(pickle.dumps(_Planted(marker)))
    build(project.root, now=NOW)
    build(project.root, now=NOW)
    assert not marker.exists()
    assert project.tree() == _cold_tree(project, tmp_path)
    assert not incremental.cache_folder(project.root).is_relative_to(project.root)


def _read_entries(path: Path) -> tuple[str, dict[str, Any]]:
    """The compiled entries cached: the stamp line, the files line, then a key and JSON per
    line. (The files line is dropped: a planted entry is then read from its file.)"""
    made_by, _, *lines = path.read_text().splitlines()
    return made_by, {key: json.loads(data) for key, data in (x.split(" ", 1) for x in lines)}


def _write_entries(path: Path, made_by: str, entries: dict[str, Any]) -> None:
    lines = [made_by, '["", {}]', *(f"{key} {json.dumps(data)}" for key, data in entries.items())]
    path.write_text("\n".join(lines) + "\n")


def test_planted_body_reference_cannot_publish_a_file_outside_the_cache(
    project: Project, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the office's private key")
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: A body.\n")
    build(project.root, now=NOW)
    path = incremental.cache_folder(project.root) / incremental.ENTRIES
    made_by, entries = _read_entries(path)
    for data in entries.values():
        data[0][incremental.cache._BODY_FIELD][2][0] = str(secret)  # an absolute path...
    _write_entries(path, made_by, entries)
    (project.root / "entries/2021-11-05-x.yaml").touch()  # ...read when the entry is needed
    build(project.root, now=NOW)
    assert not any(b"private key" in data for data in project.tree().values())
    assert b"A body." in project.tree()["2021/11/05/x/index.html"]


@pytest.mark.parametrize("planted", ["site folder", "bodies", "segment", "lock"])
def test_a_link_planted_in_the_cache_is_never_followed(
    project: Project, tmp_path: Path, planted: str
) -> None:
    # A CI cache is restored by tar, links and all: none may make a build read a file
    # outside the cache (and publish it) or write, or delete, one.
    outside = tmp_path / "outside"
    outside.mkdir()
    write_corpus(project, 5)
    build(project.root, now=NOW)
    folder = incremental.cache_folder(project.root)
    bodies = folder / "bodies"
    if planted == "segment":  # the store's segment, its name kept, now a link to a secret
        (segment,) = [p for p in bodies.iterdir() if p.suffix == ".txt"]
        secret = outside / "secret.txt"
        secret.write_bytes(b"the office's private key " * (segment.stat().st_size // 25 + 1))
        segment.unlink()
        segment.symlink_to(secret)
    else:
        target = {"site folder": folder, "bodies": bodies, "lock": folder / "lock"}[planted]
        if target.is_dir():
            shutil.copytree(target, outside / "copy")  # what the link leads to looks right
            shutil.rmtree(target)
            target.symlink_to(outside / "copy")
        else:
            target.unlink()
            target.symlink_to(outside / "lock")  # a file that does not exist yet
    before = {p: p.stat().st_mtime_ns for p in outside.rglob("*")}
    _edit(_entries(project)[0], "Paragraph 0", "First paragraph")  # a build must run...
    shutil.rmtree(project.root / "public")  # ...and make every page from the cache
    build(project.root, now=NOW)
    assert {p: p.stat().st_mtime_ns for p in outside.rglob("*")} == before
    assert not any(b"private key" in data for data in project.tree().values())
    assert project.tree() == _cold_tree(project, tmp_path)
    assert not any(p.is_symlink() for p in [folder, *folder.rglob("*")])


@pytest.mark.parametrize("planted", ["named pipe", "link to /dev/zero", "sparse 2 GiB file"])
@pytest.mark.parametrize("name", ["entries.txt", "manifest", "deps"])
def test_a_cache_file_that_would_stall_or_exhaust_a_build_is_ignored(
    project: Project, tmp_path: Path, planted: str, name: str
) -> None:
    # A pipe in its place hung every build and check; a link to /dev/zero or a sparse file
    # of 30 GB was read whole, until memory ran out. Each is now ignored, as a file that
    # does not read back: the build is cold, and its pages are a cold build's.
    write_corpus(project, 3)
    build(project.root, now=NOW)
    folder = incremental.cache_folder(project.root)
    (path,) = folder.glob(name if name == "entries.txt" else f"{name}-*.json")
    path.unlink()
    if planted == "named pipe":
        os.mkfifo(path)
    elif planted == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        with path.open("wb") as handle:
            handle.truncate(2 << 30)
    check(project.root, now=NOW)
    _edit(_entries(project)[0], "Paragraph 0", "First paragraph")
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_a_compiled_statement_s_cache_line_is_what_converting_it_value_by_value_writes(
    project: Project,
) -> None:
    # stored.converted() makes a compiled statement's line by a function made once from
    # its fields' types: the same bytes as to_data() converting it value by value, for
    # statements that use every field, and for a file refused with its problems.
    from feedpub.config import read_settings
    from feedpub.errors import Problems
    from feedpub.incremental.cache import _BODY_FIELD, Cache
    from feedpub.stored import encode, to_data
    from feedpub.validate import compile_entry

    _site(project)
    for edit in (
        "entry withdrawn",
        "entry corrected",
        "contact and notes added",
        "alias added",
        "entry removed",
        "entry made French",
        "translation added",
    ):
        EDITS[edit](project)
    project.entry("2021-11-05-bad.yaml", "title: [Bad]\ndate: 2021-11-05\nbody: x\n")
    cache = Cache(project.root)
    others = {"2019-01-01-annex.pdf": 22}
    compiled = 0
    # (In UTC too: msgspec would write a UTC time itself as ...Z, not as isoformat()'s.)
    for zone in ("Europe/Paris", "UTC"):
        project.config(EXAMPLE_CONFIG.replace("Europe/Paris", zone))
        _, config = read_settings(project.root, Problems(), shown="feedpub.yaml")
        for path in sorted((project.root / "entries").glob("*.yaml")):
            item = compile_entry(
                f"entries/{path.name}",
                path.name,
                path.read_bytes(),
                config,
                others,
                "k",
                cache.store_body,
            )
            data = to_data(item)
            if item.entry is not None and item.entry.body.stored is not None:
                data[0][_BODY_FIELD][2][0] = os.path.basename(item.entry.body.stored[0])
            assert Cache.encode(item) == encode(data), path.name
            compiled += item.entry is not None
    assert compiled > 60  # of the 40, the translation and the refused file, twice


def test_a_manifest_is_saved_as_converting_it_value_by_value_writes_it(project: Project) -> None:
    # Cache.save_build converts the manifest by functions made from its types
    # (stored.converted): the same bytes as to_data(), with warnings, held statements and
    # records of every kind of output, as read back from the cache (its mappings are lazy).
    from feedpub.incremental.cache import Cache
    from feedpub.stored import converted, encode, to_data

    _site(project)
    for edit in ("entry withdrawn", "entry removed", "translation added", "alias added"):
        EDITS[edit](project)
    project.entry("2021-11-07-raw.yaml", "title: R\ndate: 2021-11-07\nbody: a <script>b</script>\n")
    project.entry("2031-01-01-held.yaml", "title: Held\ndate: 2031-01-01\nbody: later\n")
    build(project.root, now=NOW)
    manifest = Cache(project.root).manifest(project.root / "public")
    assert manifest is not None
    assert manifest.result.warnings and manifest.result.held and len(manifest.outputs) > 40
    assert encode(converted(manifest)) == encode(to_data(manifest))


def test_truncated_body_store_is_compiled_again(project: Project, tmp_path: Path) -> None:
    write_corpus(project, 5)
    build(project.root, now=NOW)
    for segment in (incremental.cache_folder(project.root) / "bodies").iterdir():
        segment.write_bytes(segment.read_bytes()[:10])
    _edit(_entries(project)[0], "Paragraph 0", "First paragraph")  # a build must run
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_failed_cache_write_leaves_no_temporary_file_and_drops_no_body(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y\n")
    build(project.root, now=NOW)
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y, edited\n")
    lines = incremental.Cache._lines

    def full(self: incremental.Cache, *args: Any) -> Any:
        written = lines(self, *args)
        yield next(written)  # the disk fills while entries.txt is written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(incremental.Cache, "_lines", full)
    build(project.root, now=NOW)
    monkeypatch.undo()
    leftovers = [p.name for p in incremental.cache_folder(project.root).iterdir()]
    assert not [name for name in leftovers if name.startswith(".")]
    assert "y, edited" in (project.root / "public/2021/11/06/y/index.html").read_text()
    # The segments the old entries.txt names are all kept: the next build reads them.
    project.entry("2021-11-07-z.yaml", "title: Z\ndate: 2021-11-07\nbody: z\n")
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_moving_now_back_unpublishes_what_is_not_due(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2030-01-01-later.yaml", "title: Later\ndate: 2030-01-01\nbody: x\n")
    assert build(project.root, now=NOW).statements == 2
    earlier = datetime(2022, 1, 1, tzinfo=timezone.utc)
    result = build(project.root, now=earlier)
    assert result.statements == 1
    assert b"Later" not in project.tree()["atom.xml"]


def test_moving_now_back_takes_down_a_removal_notice_not_yet_due(
    project: Project, tmp_path: Path
) -> None:
    """A removed statement is held back like any other until its date: its notice page
    goes when "now" moves back before it, even when it is newer than every statement."""
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    # Removed the day it was released: a removal dated after the release of a statement
    # still under embargo is refused.
    project.entry(
        "2021-11-07-gone.yaml",
        "title: Gone\ndate: 2021-11-07\nbody: x\n"
        "removed: {date: 2021-11-07, reason: A court order.}\n",
    )
    build(project.root, now=NOW)
    assert "2021/11/07/gone/index.html" in project.tree()
    earlier = datetime(2021, 11, 6, tzinfo=timezone.utc)
    assert build(project.root, now=earlier).held  # not answered as already up to date
    assert "2021/11/07/gone/index.html" not in project.tree()
    assert project.tree() == _cold_tree(project, tmp_path, earlier)


def test_files_that_cannot_be_read_are_each_reported_under_their_own_name_every_time(
    project: Project, run: Run
) -> None:
    # Too large to read: no key from their bytes, so never cached (once, both shared one).
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    for name in ("2021-11-06-a.yaml", "2021-11-07-b.yaml"):
        project.entry(name, "body: " + "x" * (1024 * 1024) + name + "\n")
    for attempt in range(2):
        result = run("build")
        assert result.exit_code == 1
        named = sorted(e.split(":")[0] for e in result.errors if not e.startswith("feedpub:"))
        assert named == ["entries/2021-11-06-a.yaml", "entries/2021-11-07-b.yaml"], attempt


def test_corrupt_or_deleted_cache_is_safe(project: Project, tmp_path: Path) -> None:
    write_corpus(project, 20)
    build(project.root, now=NOW)
    folder = incremental.cache_folder(project.root)
    for path in folder.glob("*.json"):
        path.write_bytes(b"not JSON")
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)
    shutil.rmtree(folder)
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_dependencies_come_back_as_saved_with_each_token_stored_once(
    project: Project, tmp_path: Path
) -> None:
    cache = incremental.Cache(project.root)
    out = tmp_path / "public"
    built = BuildResult("public", WriteReport(0, 0, 0), 0.0, 0)
    manifest = incremental.Manifest({}, {}, False, ".", None, None, built)
    made = {"a/index.html": ("config", "entry:x"), "b.xml": ("entry:x", "site:entries")}
    deps = Dependencies([], {}).updated(made, ())
    cache.save_build(out, manifest, deps)
    assert cache.dependencies(out) == deps
    (name,) = [p for p in cache.directory.glob("deps-*.json")]
    stored = json.loads(name.read_text())[1]
    assert stored == [
        ["config", "entry:x", "site:entries"],
        {"a/index.html": [0, 1], "b.xml": [1, 2]},
    ]
    for planted in (
        [["config"], {"a/index.html": [7]}],
        [["config"], {"a/index.html": [-1]}],
        [["config"], {"a/index.html": [0.0]}],
        [["config"], {"a/index.html": [True]}],
        [["config"], {"a/index.html": [0, "0"]}],
        [[1], {"a/index.html": [0]}],
        {"a/index.html": ["config"]},
        [1, 2],
    ):
        name.write_text(json.dumps([stamp.stamp(), planted]))
        assert cache.dependencies(out) == Dependencies([], {})  # all made again


def test_dependencies_of_outputs_not_made_again_keep_their_numbers_until_most_are_unused() -> None:
    first = Dependencies([], {}).updated(
        {"a": ("config", "entry:x"), "b": ("entry:x", "entry:y"), "c": ("entry:z",)}, ()
    )
    # "b" made again, "a" kept as it was, "c" gone: the table only grows.
    second = first.updated({"b": ("entry:w", "entry:x")}, ["a"])
    assert second.tokens == ["config", "entry:x", "entry:y", "entry:z", "entry:w"]
    assert second.outputs == {"a": [0, 1], "b": [4, 1]}
    # Once most of the table is no output's, it is made afresh.
    third = second.updated({"b": ("entry:v",)}, [])
    assert third == Dependencies(["entry:v"], {"b": [0]})


def test_a_long_value_is_hashed_once_into_its_line_and_still_tells_every_change() -> None:
    # A feed's fingerprint names all its statements: hashed into its line once per build,
    # not joined into the key of each of the thousands of outputs sharing it.
    ids = [f"entry:tag:example.org,2021:{i}" for i in range(500)]
    long = "[" + ",".join(ids) + "]"
    line = key_line("feed:feed.xml", long)
    assert len(line) < 60 and line.startswith("feed:feed.xml=#")
    assert key_line("feed:feed.xml", long.replace(":499]", ":498]")) != line
    assert key_line("config", "0123abcd") == "config=0123abcd"  # a short one stays readable
    assert key_of_lines([line, "config=1"]) != key_of_lines([line, "config=2"])


def test_unchanged_site_is_answered_without_reading_entries(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 20)
    build(project.root, now=NOW)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged build read or compiled an entry")

    monkeypatch.setattr(gather, "compile_entries", no_reading)
    result = build(project.root, now=NOW)
    assert not result.report.changed
    assert result.statements == 20


def test_unchanged_site_is_answered_before_any_heavy_module_is_imported(
    project: Project,
) -> None:
    # `feedpub build` in CI with nothing new: the console's own path, in a fresh
    # interpreter, must not pay for YAML, Markdown, Jinja2 or the feed libraries.
    write_corpus(project, 5)
    build(project.root, now=NOW)
    heavy = ("yaml", "jinja2", "feedgen", "lxml", "babel", "pyromark", "nh3", "feedpub.gather")
    argv = ["build", "--root", str(project.root), "--now", NOW.isoformat()]
    script = (
        f"import sys\nfrom feedpub import cli\ncode = cli.main({argv!r})\n"
        f"print(code, sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "already up to date" in done.stdout
    assert done.stdout.splitlines()[-1] == "0 []"


def test_only_entry_files_whose_size_or_time_changed_are_read_again(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 20)
    build(project.root, now=NOW)
    first, second, *_ = sorted((project.root / "entries").glob("*.yaml"))
    first.write_text(first.read_text().replace("title: ", "title: Now ", 1))  # edited
    os.utime(second)  # touched, its bytes as they were
    read: list[str] = []
    real = gather.read_bytes  # type: ignore[attr-defined]

    def counted(path: str | Path, *args: Any) -> bytes | None:
        read.append(os.path.basename(path))
        return real(path, *args)

    monkeypatch.setattr(gather, "read_bytes", counted)
    build(project.root, now=NOW)
    assert set(read) == {first.name, second.name}  # the edited one again, to compile it
    assert project.tree() == _cold_tree(project, tmp_path)
    read.clear()
    os.utime(first)
    build(project.root, now=NOW)  # the touched file's new time was remembered
    assert set(read) == {first.name}


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


def test_output_folder_is_listed_by_a_child_while_the_site_is_read(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 20)
    build(project.root, now=NOW)
    _entries(project)[0].unlink()

    def listed_again(*args: object) -> None:
        raise AssertionError("the build listed its output folder again")

    monkeypatch.setattr(write, "status_tree", listed_again)
    result = build(project.root, now=NOW)
    assert result.report.removed and project.tree() == _cold_tree(project, tmp_path)


def test_a_build_written_into_the_folder_after_its_survey_is_not_missed(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(project, 12)
    project.entry("2019-06-01-draft.yaml", "title: Draft\ndate: 2019-06-01\ndraft: true\nbody: x\n")
    build(project.root, now=NOW)
    _entries(project)[1].unlink()
    out = project.root / "public"
    found = probe(project.root, out, NOW, preview=False)  # its child lists public/ now
    assert found.survey is not None and not found.up_to_date
    build(project.root, now=NOW, preview=True)  # then another build writes there: drafts
    assert (out / "2019/06/01/draft/index.html").exists()
    with monkeypatch.context() as patched:
        patched.setattr("feedpub.build.probe", lambda *args, **kwargs: found)
        build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)


def test_an_entry_edited_after_the_no_change_check_listed_it_is_published_next_build(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build takes each entry file's size and time from the check's listing, not from
    # a second one: an edit made in between may miss this build, never the next one.
    write_corpus(project, 12)
    build(project.root, now=NOW)
    edited = _entries(project)[3]
    found = probe(project.root, project.root / "public", NOW, preview=False)
    text = edited.read_text().replace("body: |", "body: |\n  Edited after the check.\n", 1)
    assert text != edited.read_text()
    edited.write_text(text)
    os.utime(edited, ns=(edited.stat().st_mtime_ns + 10**9,) * 2)
    with monkeypatch.context() as patched:  # the build's own check, made before the edit
        patched.setattr("feedpub.build.probe", lambda *args, **kwargs: found)
        build(project.root, now=NOW)
    build(project.root, now=NOW)
    assert project.tree() == _cold_tree(project, tmp_path)
    assert any(b"Edited after the check." in data for data in project.tree().values())


def test_the_listing_child_is_reaped_when_the_build_stops_on_an_error(project: Project) -> None:
    write_corpus(project, 5)
    build(project.root, now=NOW)
    project.entry("2019-02-02-bad.yaml", "title: [\n")
    with pytest.raises(FeedpubError):
        build(project.root, now=NOW)
    assert children_left() == []


def test_a_first_build_s_sources_are_listed_by_a_child_as_the_check_lists_them(
    project: Project,
) -> None:
    # With no manifest, a build is certain: a child lists the sources while the build
    # imports what it needs. What it brings back is scan_sources' listing, kept in the
    # manifest; a first build refused is reaped of it too.
    from feedpub.incremental.cache import Cache
    from feedpub.listing import scan_sources

    write_corpus(project, 5)
    found = probe(project.root, project.root / "public", NOW, preview=False)
    assert isinstance(found.listing, forked.Forked)
    assert found.sources == scan_sources(project.root)
    found.close()
    assert children_left() == []
    build(project.root, now=NOW)
    manifest = Cache(project.root).manifest(project.root / "public")
    assert manifest is not None and manifest.sources == scan_sources(project.root)
    shutil.rmtree(incremental.cache_folder(project.root))
    project.entry("2019-02-02-bad.yaml", "title: [\n")
    with pytest.raises(FeedpubError):
        build(project.root, now=NOW)
    assert children_left() == []


def test_output_folder_is_listed_in_process_while_threads_run(project: Project) -> None:
    # Forking a threaded process (feedpub serve) can deadlock the child.
    write_corpus(project, 5)
    build(project.root, now=NOW)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        survey = Survey(project.root / "public")
        assert children_left() == []
        assert survey.result() == status_tree(project.root / "public")
    finally:
        stop.set()
        thread.join()


def test_embargo_release_is_not_hidden_by_the_cache(project: Project, run: Run) -> None:
    project.entry("2021-11-06-later.yaml", "title: Later\ndate: 2021-11-06T09:00\nbody: x\n")
    assert "0 statements" in run("build", "--now", "2021-11-06T07:00:00Z").stdout
    assert "0 statements" in run("build", "--now", "2021-11-06T07:30:00Z").stdout
    released = run("build", "--now", "2021-11-06T08:00:00Z")
    assert "built 1 statement into" in released.stdout


def _inodes(public: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(public).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in public.rglob("*")
        if p.is_file()
    }


FEEDS = ["atom.xml", "feed.json", "rss.xml"]
# Of 60 statements, with feed_limit 10: what lists a statement added as the newest.
_LISTING_THE_NEW_ONE = sorted(
    ["2019/12/30/new/index.html", "2019/index.html", "index.html", "sitemap.xml"]
    + [f"{d}{f}" for d in ("", "types/advisory/", "tags/health/") for f in FEEDS]
    + ["types/advisory/index.html", "tags/health/index.html"]
)


def _add_the_new_one(project: Project, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Add the newest statement; the paths of the outputs the next build makes, as it does."""
    project.entry(
        "2019-12-30-new.yaml",
        "title: New\ndate: 2019-12-30\ntype: Advisory\ntags: [Health]\nbody: x\n",
    )
    made: list[str] = []
    place = write._place

    def counted(out: Path, output: write.Output, *args: Any) -> write.Written:
        made.append(output.path)
        return place(out, output, *args)

    monkeypatch.setattr(write, "_place", counted)
    return made


def test_adding_one_statement_makes_and_rewrites_only_what_lists_it(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.config(EXAMPLE_CONFIG + "feed_limit: 10\n")
    write_corpus(project, 60)
    assert run("build").exit_code == 0
    before = _inodes(project.root / "public")
    made = _add_the_new_one(project, monkeypatch)
    result = run("build")
    after = _inodes(project.root / "public")
    changed = sorted(k for k in after if before.get(k) != after[k])
    assert changed == _LISTING_THE_NEW_ONE
    # Made again (rendered), not only rewritten: a key that does not resolve as it did
    # would make every page again for nothing, and write none of them.
    assert sorted(made) == changed
    assert f"({len(changed)} written, {len(after) - len(changed)} unchanged" in result.stdout


def test_output_put_back_with_other_inodes_and_times_is_known_by_its_bytes(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As a CI run restores public/ from its cache (tar: new inodes, times to the second)
    # into a fresh checkout (every entry file's time new): what the last build wrote is
    # not made again, but a file whose bytes differ from what it wrote is.
    project.config(EXAMPLE_CONFIG + "feed_limit: 10\n")
    write_corpus(project, 60)
    assert run("build").exit_code == 0
    public = project.root / "public"
    shutil.move(public, tmp_path / "saved")
    shutil.copytree(tmp_path / "saved", public)
    for path in [*public.rglob("*"), *_entries(project)]:
        os.utime(path, (int(path.stat().st_mtime),) * 2)
    page = _entries(project)[0].name[:10].replace("-", "/")  # the oldest statement's day
    (one_page,) = [p for p in public.glob(f"{page}/*/index.html")]
    one_page.write_bytes(one_page.read_bytes().replace(b"<main", b"<MAIN", 1))  # same size
    (public / "tags/index.html").write_bytes(b"shorter")
    made = _add_the_new_one(project, monkeypatch)
    result = run("build")
    tampered = [one_page.relative_to(public).as_posix(), "tags/index.html"]
    assert sorted(made) == sorted(_LISTING_THE_NEW_ONE + tampered)
    assert f"({len(made)} written, " in result.stdout
    assert project.tree() == _cold_tree(project, tmp_path)
    assert "already up to date" in run("build").stdout  # each file's new status remembered


def _folder_in_entries(project: Project) -> None:
    (project.root / "entries/drafts").mkdir()  # empty: a folder with no file in it


def _link_for_static(project: Project) -> None:
    (project.root / "static").rename(project.root / "kept")
    (project.root / "static").symlink_to("kept")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _folder_in_entries,
            "entries/drafts/: folders are not read; keep every entry directly in entries/",
        ),
        (
            _link_for_static,
            "static/: is a symbolic link; make it a real folder (a link could publish files"
            " from outside the site)",
        ),
    ],
    ids=["empty-folder-in-entries", "link-in-place-of-static"],
)
def test_a_folder_a_cold_build_refuses_is_refused_after_a_build_too(
    project: Project, run: Run, change: Callable[[Project], None], expected: str
) -> None:
    # Seen by no file's status: the no-change check answered "already up to date".
    write_corpus(project, 3)
    project.file("static/CNAME", "press.example.org\n")
    assert run("build").exit_code == 0
    change(project)
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0] == expected


def test_unchanged_build_rewrites_nothing(project: Project, run: Run) -> None:
    write_corpus(project, 30)
    assert run("build").exit_code == 0
    before = _inodes(project.root / "public")
    result = run("build")
    assert "already up to date" in result.stdout
    assert _inodes(project.root / "public") == before


@pytest.mark.parametrize("keyed_apart", [False, True], ids=["keyed-here", "half-by-a-child"])
def test_every_output_s_recorded_dependencies_resolve_again_when_nothing_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch, keyed_apart: bool
) -> None:
    # Otherwise that output would be made again on every build, for nothing.
    from feedpub.gather import Project as SiteProject
    from feedpub.gather import read_site
    from feedpub.render import plan
    from feedpub.render.plan import plan_site

    halved: list[int] = []

    def counted(
        function: Callable[[list[str]], list[Any]], items: list[str], mine: float
    ) -> list[Any]:
        halved.append(len(items))
        return forked.halves(function, items, mine)

    monkeypatch.setattr(plan, "halves", counted)
    monkeypatch.setattr(plan, "KEYED_APART_FROM", 2 if keyed_apart else 10**9)
    _site(project)
    project.file("templates/entry.html", READS_THE_SITE)
    build(project.root, now=NOW)
    cache = incremental.Cache(project.root)
    remembered = cache.dependencies(project.root / "public")
    manifest = cache.manifest(project.root / "public")
    assert manifest is not None
    site = read_site(SiteProject.at(project.root), NOW).site
    outputs = plan_site(site, project.root, remembered)
    stale = sorted(
        path
        for path, output in outputs.items()
        if output.key is None or output.key != manifest.outputs[path].key
    )
    assert stale == []
    assert bool(halved) == keyed_apart and all(count > 10 for count in halved)


@pytest.mark.parametrize(
    ("field", "planted"),
    [
        ("path", "../../../outside/"),
        ("aliases", ["../../outside.html"]),
        ("type_slug", "../../outside"),
        ("language", "../../outside"),
        ("bylines", [["a"]]),
        ("tags", [1, 2]),
        ("tag_slugs", ["x", None]),
        ("tag_slugs", ["a/b"]),
        ("title", 5),
        ("summary", {"a": 1}),
        ("has_time", "yes"),
        ("key", None),
        ("body", []),
        ("body", [None, None, "abcd"]),
        ("body", [None, None, ["1-0123456789ab.txt", "0", 1, 1]]),
        ("body", [None, None, {"1-0123456789ab.txt": 0, "a": 1, "b": 2, "c": 3}]),
        ("body", "/etc/passwd"),
    ],
)
def test_planted_cache_entry_cannot_make_a_build_write_outside_or_crash(
    project: Project, tmp_path: Path, field: str, planted: object
) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: A body.\n")
    build(project.root, now=NOW)
    path = incremental.cache_folder(project.root) / incremental.ENTRIES
    made_by, entries = _read_entries(path)
    index = [f.name for f in dataclasses.fields(Entry)].index(field)
    for data in entries.values():
        data[0][index] = planted
    _write_entries(path, made_by, entries)
    (project.root / "entries/2021-11-05-x.yaml").touch()  # the cache is read again
    build(project.root, now=NOW)  # no traceback: the planted entry is compiled again
    assert project.tree() == _cold_tree(project, tmp_path)
    assert not list(tmp_path.rglob("outside*"))
    # Refused, so compiled again: saved as compiled now.
    assert all(data[0][index] != planted for data in _read_entries(path)[1].values())


@pytest.mark.parametrize("planted", ["nonsense", {"date": [2]}, {"date": ["2", "7"]}, None])
def test_planted_positions_give_messages_at_the_file_s_start_not_a_crash(
    project: Project, planted: object
) -> None:
    # Positions are read from the cache only when a message needs one (stored.Lazy).
    project.entry("2030-06-01-later.yaml", "title: Later\ndate: 2030-06-01\nbody: x\n")
    first = build(project.root, now=NOW).warnings
    assert [(w.line, w.column) for w in first] == [(2, 7)]  # under embargo: its date
    path = incremental.cache_folder(project.root) / incremental.ENTRIES
    made_by, entries = _read_entries(path)
    for data in entries.values():
        data[2] = planted
    _write_entries(path, made_by, entries)
    (project.root / "entries/2030-06-01-later.yaml").touch()  # the cache is read again
    again = build(project.root, now=NOW).warnings
    assert [w.message for w in again] == [w.message for w in first]
    assert [(w.line, w.column) for w in again] == [(1, 1)]


@pytest.mark.parametrize("workers", [1, 2])
def test_statements_share_the_values_they_repeat_compiled_or_read_from_the_cache(
    project: Project, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # A type, a tag, a byline or a body's cache file is one object for the whole site, not
    # a copy per statement from each worker's result or each line of the cache.
    from feedpub import parallel
    from feedpub.gather import PARALLEL_FROM, read_site
    from feedpub.gather import Project as SiteProject

    monkeypatch.setattr(parallel, "workers", lambda: workers)
    write_corpus(project, PARALLEL_FROM)  # enough files to compile on workers
    for compiled_by in ("compiling", "the cache"):
        entries = read_site(SiteProject.at(project.root), NOW).site.entries
        for name in ("type", "type_slug", "bylines"):
            values = {getattr(entry, name) for entry in entries}
            assert len({id(getattr(entry, name)) for entry in entries}) == len(values), (
                f"{name} copied, read by {compiled_by}"
            )
        tags = [tag for entry in entries for tag in entry.tags]
        assert len({id(tag) for tag in tags}) == len(set(tags))
        segments = {entry.body.stored[0] for entry in entries if entry.body.stored is not None}
        stored = [e.body.stored[0] for e in entries if e.body.stored is not None]
        assert len({id(segment) for segment in stored}) == len(segments)
    assert len(entries) == PARALLEL_FROM


@pytest.mark.parametrize("lines", ["stored by the workers", "kept in memory"])
def test_entries_compiled_on_workers_are_cached_and_their_lines_files_removed(
    project: Project, monkeypatch: pytest.MonkeyPatch, lines: str
) -> None:
    # A worker stores each entry's line beside the bodies, and only where it is travels;
    # when that file cannot be written the line itself travels. Either way the next build
    # compiles nothing, and no file of lines is left.
    from feedpub import parallel
    from feedpub.gather import PARALLEL_FROM, read_site
    from feedpub.gather import Project as SiteProject

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    if lines == "kept in memory":
        real_open = os.open

        def refusing(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, str | Path) and os.fspath(path).endswith(".lines"):
                raise OSError(28, "No space left on device", os.fspath(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    kept: list[type] = []
    keep = incremental.Cache.keep

    def seen(cache: incremental.Cache, key: str, line: Any) -> None:
        kept.append(type(line))
        keep(cache, key, line)

    monkeypatch.setattr(incremental.Cache, "keep", seen)
    write_corpus(project, PARALLEL_FROM)
    first = read_site(SiteProject.at(project.root), NOW).site.entries
    assert set(kept) == {tuple if lines == "stored by the workers" else bytes}
    assert len(kept) == PARALLEL_FROM
    bodies = incremental.Cache(project.root).bodies
    assert sorted(p.suffix for p in bodies.iterdir()) == [".txt", ".txt"]  # one per worker

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("an entry was compiled again")

    monkeypatch.setattr(gather, "compile_entry", no_compiling)
    again = read_site(SiteProject.at(project.root), NOW).site.entries

    def held(entries: tuple[Entry, ...]) -> list[Entry]:  # bodies read, wherever stored
        return [dataclasses.replace(e, body=Body(e.body.html, e.body.absolute)) for e in entries]

    assert held(again) == held(first)


def test_bodies_one_process_stores_share_a_file_and_read_back_after_a_failed_write(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = incremental.Cache(project.root)
    first = [cache.store_body(f"<p>{i}</p>", f"<p>{i}!</p>") for i in range(3)]
    segments = {body.stored[0] for body in first if body.stored is not None}
    assert len(segments) == 1  # one file, kept open
    # Workers forked now store in files of their own, and read back here.
    made = list(parallel.fork_map(lambda i: cache.store_body(f"<b>{i}</b>", ""), [0, 1], 2))
    assert [body.html for body in made] == ["<b>0</b>", "<b>1</b>"]
    workers = {body.stored[0] for body in made if body.stored is not None}
    assert workers and workers.isdisjoint(segments)  # one each (one worker may take both)
    # A write that fails (a full disk) keeps that body in memory; the file it failed in,
    # whose size is now unknown, is appended to no more.
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    failed = cache.store_body("<p>x</p>", "<p>y</p>")
    monkeypatch.setattr(os, "write", real_write)
    assert failed.stored is None and (failed.html, failed.absolute) == ("<p>x</p>", "<p>y</p>")
    after = cache.store_body("<p>3</p>", "<p>3!</p>")
    assert after.stored is not None and after.stored[0] not in segments
    assert [(body.html, body.absolute) for body in [*first, after]] == [
        (f"<p>{i}</p>", f"<p>{i}!</p>") for i in range(4)
    ]
    # Stopped halfway through a piece (Ctrl-C between two writes), the file is kept: what
    # was written of it is counted, and the next piece stands where it says.
    halves: list[int] = []

    def halfway(fd: int, data: Any) -> int:
        if halves:
            raise KeyboardInterrupt
        halves.append(fd)
        return real_write(fd, bytes(data)[:3])

    monkeypatch.setattr(os, "write", halfway)
    with pytest.raises(KeyboardInterrupt):
        cache.store_body("<p>stopped</p>", "")
    monkeypatch.setattr(os, "write", real_write)
    resumed = cache.store_body("<p>4</p>", "")
    assert resumed.stored is not None and resumed.stored[0] == after.stored[0]
    assert resumed.html == "<p>4</p>"
    # Saving deletes the files no saved entry uses, this process's among them: a body
    # stored afterwards goes to a new file.
    cache.save_compiled([], "context", {})
    later = cache.store_body("<p>5</p>", "")
    assert later.stored is not None and later.stored[0] != after.stored[0]
    assert later.html == "<p>5</p>"

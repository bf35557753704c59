"""Parts of feedpub's own pages made once per build (render/parts.py): every page the same,
byte for byte, and its key made of the same dependencies, as when each page renders them."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from markupsafe import Markup

from conftest import Project, write_corpus
from feedpub import parallel
from feedpub.build import build
from feedpub.incremental import Cache
from feedpub.messages import PageText
from feedpub.render import html, parts
from feedpub.render.environment import make_environment
from feedpub.render.filters import TEXT, speaking

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
FRENCH = """\
title: L'Agence Exemple ouvre un bureau
date: 2021-11-05T10:00:00+01:00
language: fr
type: Communiqué
tags: [Énergie]
body: Le bureau ouvre lundi.
"""


def _site(project: Project) -> None:
    # Statements offering different sets of feeds (their type's, their tags'), in two
    # languages: a page in French has its footer and "Subscribe" section in French.
    write_corpus(project, 30)
    project.entry("2021-11-05-bureau.yaml", FRENCH)


def _dependencies(project: Project, out: Path) -> dict[str, set[str]]:
    found = Cache(project.root).dependencies(out)
    return {path: {found.tokens[i] for i in numbers} for path, numbers in found.outputs.items()}


@contextlib.contextmanager
def _nothing_kept(kept: parts.Kept) -> Iterator[None]:
    yield


def test_parts_made_once_give_the_pages_and_keys_made_on_every_page(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _site(project)
    build(project.root, tmp_path / "once", now=NOW)
    once = _dependencies(project, tmp_path / "once")
    shutil.rmtree(Cache(project.root).directory)
    with monkeypatch.context() as patch:
        patch.setattr(html, "keeping", _nothing_kept)
        build(project.root, tmp_path / "each", now=NOW)
    each = _dependencies(project, tmp_path / "each")
    assert _files(tmp_path / "once") == _files(tmp_path / "each")
    assert once == each
    # Each page has its language's parts: the French statement's are in French.
    french = (tmp_path / "once" / "2021/11/05/bureau/index.html").read_text()
    english = (tmp_path / "once" / "index.html").read_text()
    assert ("Publié par" in french, "S’abonner" in french) == (True, True)
    assert ("Published by" in english, "Subscribe" in english) == (True, True)


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_each_part_reads_no_page_variable_but_those_it_is_kept_by(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A part kept for its text and the variables PARTS names would be wrong on a page whose
    # other variables differ, if it read one of them.
    _site(project)
    used: list[parts.Kept] = []
    keeping = parts.keeping
    monkeypatch.setattr(parallel, "workers", lambda: 1)  # every part kept in this process

    def watched(kept: parts.Kept) -> contextlib.AbstractContextManager[None]:
        used.append(kept)
        return keeping(kept)

    monkeypatch.setattr(html, "keeping", watched)
    build(project.root, tmp_path / "out", now=NOW)
    made = {key: found for kept in used for key, found in kept.items()}
    assert {key[0] for key in made} == set(parts.PARTS)
    languages = {held[0].language for held, _, _ in made.values()}  # each page's text's
    assert languages == {"en", "fr"}
    for key, (_, _, tokens) in made.items():
        read = {token.removeprefix("var:") for token in tokens if token.startswith("var:")}
        assert read <= set(parts.PARTS[key[0]]), key[0]


def test_a_sites_own_part_is_rendered_for_every_page(project: Project, tmp_path: Path) -> None:
    # A site's templates may read anything: its footer, showing each page's address, is
    # never kept from another page.
    _site(project)
    project.file("templates/_footer.html", "<footer>{{ canonical }}</footer>\n")
    build(project.root, tmp_path / "out", now=NOW)
    pages = sorted((tmp_path / "out").rglob("index.html"))
    assert len(pages) > 40
    for page in pages:
        folder = page.parent.relative_to(tmp_path / "out").as_posix()
        address = "https://press.example.org/" + ("" if folder == "." else folder + "/")
        assert f"<footer>{address}</footer>" in page.read_text(), folder


def test_only_feedpubs_own_parts_are_kept(project: Project) -> None:
    project.file("templates/_years.html", "<p>{{ years|length }}</p>\n")
    ours, sites = make_environment(None), make_environment(project.root)
    for name in parts.PARTS:
        assert ours.get_template(name).root_render_func.__name__ == "render_kept"
        assert sites.get_template(name).root_render_func.__name__ == "root"


def test_a_part_included_in_a_loop_is_kept_for_the_loops_value_each_time() -> None:
    # Jinja gives an include the variables a {% for %} or {% with %} around it set, as
    # the page's: each value of the loop is a part of its own.
    env = make_environment(None)
    text = PageText("en", "en", {})
    page = env.from_string(
        "{% for offered in groups %}{% with subscriptions = offered %}"
        '{% include "_subscribe.html" %}{% endwith %}{% endfor %}'
    )

    class Offered:
        def __init__(self, name: str) -> None:
            self.item_html = Markup(f"<li>{name}</li>")

    context = {"groups": [[Offered("A")], [Offered("B")], [Offered("A")]], TEXT: text}
    with speaking(text):
        each = page.render(context, language="en")
        kept: parts.Kept = {}
        with parts.keeping(kept):
            once = page.render(context, language="en")
    assert once == each
    assert [once.count("<li>A</li>"), once.count("<li>B</li>")] == [2, 1]
    assert len(kept) == 3  # the two Offered("A") are two objects: kept by identity

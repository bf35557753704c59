"""Statements in several languages: a translation links to its original and back, on pages,
in Atom, in the sitemap and in JSON-LD; readers can subscribe to one language only.
Fixtures speak for the fictional Example Agency only."""

from __future__ import annotations

import json
import re
from typing import Any

import feedparser
import pytest
from lxml import etree

from conftest import EXAMPLE_CONFIG, Project, Run

BASE = "https://press.example.org/"
ORIGINAL = (
    "2021-11-05-office.yaml",
    "title: Example Agency opens a new office\ndate: 2021-11-05T10:00\n"
    "id: tag:press.example.org,2020:office\ntags: [Offices]\n"
    "body: The Example Agency opened a new office today.\n",
)
FRENCH = (
    "2021-11-05-bureau.yaml",
    "title: L'Agence Exemple ouvre un nouveau bureau\ndate: 2021-11-05T10:00\nlanguage: fr\n"
    "translation_of: tag:press.example.org,2020:office\ntags: [Offices]\n"
    "body: L'Agence Exemple a ouvert un nouveau bureau aujourd'hui.\n",
)
ARABIC = (
    "2021-11-05-maktab.yaml",
    "title: الوكالة المثال تفتح مكتبا جديدا\ndate: 2021-11-05T10:00\nlanguage: ar\n"
    "translation_of: tag:press.example.org,2020:office\nbody: افتتحت الوكالة مكتبا جديدا اليوم.\n",
)
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def translated(project: Project, run: Run) -> Project:
    for name, text in (ORIGINAL, FRENCH, ARABIC):
        project.entry(name, text)
    project.entry("2021-11-04-notice.yaml", "title: A notice\ndate: 2021-11-04\nbody: x\n")
    assert run("build").exit_code == 0
    return project


def test_every_member_of_a_group_links_to_the_others(translated: Project) -> None:
    for path, own in (("office", "en"), ("bureau", "fr"), ("maktab", "ar")):
        page = translated.read(f"public/2021/11/05/{path}/index.html")
        links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
        assert links == [
            ("en", f"{BASE}2021/11/05/office/"),
            ("ar", f"{BASE}2021/11/05/maktab/"),
            ("fr", f"{BASE}2021/11/05/bureau/"),
            ("x-default", f"{BASE}2021/11/05/office/"),
        ], path
        switcher = page[page.index('<nav class="translations"') :]
        switcher = switcher[: switcher.index("</nav>")]
        assert f'<span lang="{own}" aria-current="page">' in switcher
        assert switcher.count("<a ") == 2
    page = translated.read("public/2021/11/05/office/index.html")
    assert '<a href="../../../../2021/11/05/bureau/" hreflang="fr" lang="fr">Français</a>' in page
    assert '<a href="../../../../2021/11/05/maktab/" hreflang="ar" lang="ar">العربية</a>' in page


def test_linked_data_names_translations_and_the_original(translated: Project) -> None:
    def data(path: str) -> dict[str, Any]:
        page = translated.read(f"public/2021/11/05/{path}/index.html")
        found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
        assert found
        value: dict[str, Any] = json.loads(found.group(1))
        return value

    original = data("office")
    assert [w["inLanguage"] for w in original["workTranslation"]] == ["ar", "fr"]
    assert "translationOfWork" not in original
    french = data("bureau")
    assert french["translationOfWork"] == {
        "@type": "NewsArticle",
        "@id": f"{BASE}2021/11/05/office/",
        "url": f"{BASE}2021/11/05/office/",
        "inLanguage": "en",
    }
    assert [w["inLanguage"] for w in french["workTranslation"]] == ["ar"]


def test_atom_entries_and_the_sitemap_name_the_alternates(translated: Project) -> None:
    atom = etree.parse(str(translated.root / "public/atom.xml"))
    office = atom.xpath("//a:entry[a:id='tag:press.example.org,2020:office']", namespaces=ATOM)[0]
    assert office.xpath("a:link[@hreflang]/@hreflang", namespaces=ATOM) == ["ar", "fr"]
    # Related, not alternate: a reader taking the entry's link from the last alternate
    # one (feedparser) opened a translation instead of the statement.
    assert office.xpath("a:link[@hreflang]/@rel", namespaces=ATOM) == ["related", "related"]
    notice = atom.xpath("//a:entry[a:title='A notice']", namespaces=ATOM)[0]
    assert notice.xpath("a:link[@hreflang]", namespaces=ATOM) == []
    sitemap = etree.parse(str(translated.root / "public/sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    url = sitemap.xpath(f"//s:url[s:loc='{BASE}2021/11/05/bureau/']", namespaces=ns)[0]
    assert url.xpath("x:link/@hreflang", namespaces=ns) == ["en", "ar", "fr", "x-default"]


def test_each_language_has_its_own_feeds_and_page(translated: Project) -> None:
    for language, count in (("en", 2), ("fr", 1), ("ar", 1)):
        folder = f"public/languages/{language}/"
        atom = feedparser.parse(translated.read(folder + "atom.xml"))
        rss = feedparser.parse(translated.read(folder + "rss.xml"))
        items = json.loads(translated.read(folder + "feed.json"))["items"]
        assert len(atom.entries) == len(rss.entries) == len(items) == count
        assert (
            [e.id for e in atom.entries] == [e.id for e in rss.entries] == [i["id"] for i in items]
        )
        assert (translated.root / folder / "index.html").is_file()
    # The main feeds keep every statement, each with its own language.
    assert len(feedparser.parse(translated.read("public/atom.xml")).entries) == 4
    home = translated.read("public/index.html")
    assert f'href="{BASE}languages/fr/atom.xml"' in home
    assert (
        'By language: <a href="languages/ar/" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in home
    )


def test_a_site_in_one_language_has_no_language_feeds(project: Project, run: Run) -> None:
    project.entry(*ORIGINAL)
    assert run("build").exit_code == 0
    assert not (project.root / "public/languages").exists()
    assert "By language" not in project.read("public/index.html")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            [FRENCH],
            "entries/2021-11-05-bureau.yaml:4:17: translation_of: no statement has the id"
            " tag:press.example.org,2020:office; give the `id:` of the statement this one"
            " translates",
        ),
        (
            [
                ORIGINAL,
                FRENCH,
                (
                    "2021-11-05-oficina.yaml",
                    "title: Oficina\ndate: 2021-11-05\nlanguage: es\n"
                    "translation_of: tag:press.example.org,2020:2021-11-05-bureau\nbody: x\n",
                ),
            ],
            "entries/2021-11-05-oficina.yaml:4:17: translation_of: entries/2021-11-05-bureau.yaml"
            " is itself a translation (of tag:press.example.org,2020:office); name the original"
            " statement's id instead",
        ),
        (
            [ORIGINAL, FRENCH, ("2021-11-05-autre.yaml", FRENCH[1].replace("un nouveau", "un"))],
            "entries/2021-11-05-bureau.yaml:3:11: language: entries/2021-11-05-autre.yaml is"
            " already the fr version of this statement; a group holds one statement per"
            " language",
        ),
        (
            [
                ORIGINAL,
                FRENCH,
                (
                    "2021-11-05-autre.yaml",
                    FRENCH[1].replace("un nouveau", "un").replace("fr\n", "fr-u-nu-latn\n"),
                ),
            ],
            "entries/2021-11-05-bureau.yaml:3:11: language: entries/2021-11-05-autre.yaml is"
            " already the fr version of this statement; a group holds one statement per"
            " language",
        ),
        (
            [ORIGINAL, ("2021-11-05-copy.yaml", FRENCH[1].replace("language: fr\n", ""))],
            "entries/2021-11-05-copy.yaml:3:17: translation_of: a translation must say its"
            " language: add `language:` (such as `language: fr`)",
        ),
    ],
    ids=["unknown-id", "chain", "same-language", "same-language-with-an-extension", "no-language"],
)
def test_a_translation_that_cannot_link_is_refused_with_its_position(
    project: Project, run: Run, entries: list[tuple[str, str]], expected: str
) -> None:
    for name, text in entries:
        project.entry(name, text)
    result = run("check")
    assert result.exit_code == 1
    assert expected in result.errors


def test_language_feeds_have_archives(project: Project, run: Run) -> None:
    project.config(EXAMPLE_CONFIG + "feed_limit: 2\n")
    for day in range(1, 6):
        project.entry(
            f"2021-11-0{day}-fr-{day}.yaml",
            f"title: F{day}\ndate: 2021-11-0{day}\nlanguage: fr\nbody: x\n",
        )
    project.entry("2021-11-06-en.yaml", "title: E\ndate: 2021-11-06\nbody: x\n")
    assert run("build").exit_code == 0
    archives = sorted((project.root / "public/languages/fr/archive").glob("*.xml"))
    assert [p.name for p in archives] == ["1.xml", "2.xml"]


def test_a_reader_opens_each_version_s_own_page_from_every_feed(translated: Project) -> None:
    for path in ("atom.xml", "rss.xml", "languages/fr/atom.xml", "tags/offices/atom.xml"):
        for item in feedparser.parse(str(translated.root / "public" / path)).entries:
            assert item.link.startswith(BASE)
            page = translated.read(f"public/{item.link.removeprefix(BASE)}index.html")
            assert f"<title>{item.title} – " in page.replace("&#39;", "'"), (path, item.link)


def test_a_lawful_removal_keeps_every_language_s_feeds(project: Project, run: Run) -> None:
    # Removing the only French statement made the site one-language: languages/en/ went
    # too, and its subscribers got a 404 while every English statement stayed published;
    # languages/fr/ went as well.
    project.entry(*ORIGINAL)
    avis = "title: Avis\ndate: 2021-11-06\nlanguage: fr\nbody: Un avis.\n"
    project.entry("2021-11-06-avis.yaml", avis)
    assert run("build").exit_code == 0
    english = project.read("public/languages/en/atom.xml")
    project.entry(
        "2021-11-06-avis.yaml", avis + "removed: {date: 2021-11-20, reason: A court order.}\n"
    )
    assert run("build").exit_code == 0
    assert project.read("public/languages/en/atom.xml") == english
    # Its own language's feeds stay, empty, as its type's and tags' do.
    for feed in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse(project.read(f"public/languages/fr/{feed}"))
        assert (parsed.bozo, parsed.entries) == (False, [])
    assert json.loads(project.read("public/languages/fr/feed.json"))["items"] == []
    assert "No statements at present." in project.read("public/languages/fr/index.html")

"""Nothing a subscriber has seen ever breaks: ids survive renames, moved pages keep their old
address, corrections of any age reach every feed, every language and attachment is carried,
and a renamed type or tag keeps its feeds. Each test reads the feeds as a reader would
(feedparser) before and after a change."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest
import yaml
from lxml import etree

from conftest import EXAMPLE_CONFIG, Project, Run, site_links, write_corpus
from feedpub.bodymap import find_site_links
from feedpub.errors import Problems
from feedpub.load import read_document
from feedpub.slug import slugify

BASE = "https://press.example.org/"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
FEEDS = ("atom.xml", "rss.xml", "feed.json")
ATOM_SCHEMA = Path(__file__).parent / "schemas/atom.rng"  # RFC 4287 Appendix B


def _ids(project: Project, feed: str) -> list[str]:
    if feed.endswith(".json"):
        return [item["id"] for item in json.loads(project.read(f"public/{feed}"))["items"]]
    return [entry.id for entry in feedparser.parse(project.read(f"public/{feed}")).entries]


def _items(project: Project, feed: str) -> list[Any]:
    return list(feedparser.parse(project.read(f"public/{feed}")).entries)


def _archive_chain(project: Project, directory: str = "") -> list[str]:
    """Every id a new subscriber recovers by walking prev-archive links (RFC 5005 §4.2)."""
    found: list[str] = []
    path = f"public/{directory}atom.xml"
    while True:
        document = etree.parse(str(project.root / path))
        found += document.xpath("/a:feed/a:entry/a:id/text()", namespaces=ATOM)
        previous = document.xpath("/a:feed/a:link[@rel='prev-archive']/@href", namespaces=ATOM)
        if not previous:
            return found
        path = "public/" + previous[0].removeprefix(BASE)


# --- ids and addresses ----------------------------------------------------------------------


def test_renaming_a_file_with_an_id_shows_subscribers_nothing_new(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-rates.yaml",
        "title: Rates\ndate: 2021-11-05\nid: tag:press.example.org,2020:rates\nbody: x\n",
    )
    assert run("build").exit_code == 0
    seen = {feed: _ids(project, feed) for feed in FEEDS}
    (project.root / "entries/2021-11-05-rates.yaml").rename(
        project.root / "entries/2021-11-05-new-rates.yaml"
    )
    assert run("build").exit_code == 0
    assert {feed: _ids(project, feed) for feed in FEEDS} == seen


def test_renaming_a_file_without_an_id_changes_its_id_which_the_guard_refuses(
    project: Project, run: Run
) -> None:
    # A derived id comes from the file name: safe only while the file keeps its name.
    # `feedpub check --against` refuses such a rename in a pull request (tests/test_guard.py).
    project.entry("2021-11-05-rates.yaml", "title: Rates\ndate: 2021-11-05\nbody: x\n")
    assert run("build").exit_code == 0
    before = _ids(project, "atom.xml")
    (project.root / "entries/2021-11-05-rates.yaml").rename(
        project.root / "entries/2021-11-05-new-rates.yaml"
    )
    assert run("build").exit_code == 0
    assert _ids(project, "atom.xml") != before


def test_a_moved_page_keeps_its_old_address_as_a_redirect(project: Project, run: Run) -> None:
    project.entry(
        "2021-11-05-new-rates.yaml",
        "title: Rates\ndate: 2021-11-05\nid: tag:press.example.org,2020:rates\n"
        "aliases: [2021/11/05/rates/, /news/rates.html]\nbody: x\n",
    )
    assert run("build").exit_code == 0
    for old, root in (("2021/11/05/rates/index.html", "../../../../"), ("news/rates.html", "../")):
        page = project.read(f"public/{old}")
        target = f"{root}2021/11/05/new-rates/"
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
        assert f'<link rel="canonical" href="{BASE}2021/11/05/new-rates/">' in page
        assert '<meta name="robots" content="noindex">' in page
        assert f'<a href="{target}" dir="ltr">' in page
    sitemap = project.read("public/sitemap.xml")
    assert "new-rates/" in sitemap and "/rates/" not in sitemap and "news/" not in sitemap


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        (
            "[types/]",
            "entries/2021-11-05-x.yaml:4:11: aliases: 'types/' is the address of the list of"
            " types/, which feedpub writes to public/types/index.html; an earlier address must"
            " be free",
        ),
        (
            "[atom.xml/]",
            "entries/2021-11-05-x.yaml:4:11: aliases: 'atom.xml/' is the address of the main"
            " Atom feed, which feedpub writes to public/atom.xml; an earlier address must be"
            " free",
        ),
        (
            "[2021/11/05/y/]",
            "entries/2021-11-05-x.yaml:4:11: aliases: '2021/11/05/y/' is already the page of"
            " entries/2021-11-05-y.yaml; an address can lead to one statement only",
        ),
        (
            "[2021/11/05/x/]",
            "entries/2021-11-05-x.yaml:4:11: aliases: '2021/11/05/x/' is this statement's own"
            " address; remove it",
        ),
    ],
)
def test_an_alias_that_is_taken_is_refused_with_its_position(
    project: Project, run: Run, aliases: str, expected: str
) -> None:
    project.entry("2021-11-05-y.yaml", "title: Y\ndate: 2021-11-05\nbody: y\n")
    project.entry("2021-11-05-x.yaml", f"title: X\ndate: 2021-11-05\nbody: x\naliases: {aliases}\n")
    result = run("check")
    assert result.exit_code == 1
    assert expected in result.errors


def test_an_alias_pasted_from_the_address_bar_of_a_project_site_is_read_from_its_base(
    project: Project, run: Run
) -> None:
    # Under https://example.github.io/statements/, the browser shows the old page's path as
    # /statements/2021/11/05/old/: it was built at statements/statements/..., a page nobody
    # asks for, while the old address stayed a 404, with nothing said.
    project.config(
        EXAMPLE_CONFIG.replace(
            "https://press.example.org/", "https://example.github.io/statements/"
        )
    )
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\nbody: x\n"
        "aliases: [/statements/2021/11/05/old/, /2021/11/05/older/, statements/kept/]\n",
    )
    assert run("build").exit_code == 0
    public = project.root / "public"
    for old in ("2021/11/05/old/", "2021/11/05/older/", "statements/kept/"):
        assert "2021/11/05/x/" in (public / old / "index.html").read_text(), old
    assert not (public / "statements/2021").exists()


def test_each_alias_taken_is_told_at_its_own_column(project: Project, run: Run) -> None:
    # Every alias's problem was told at the list's '[', whichever item it was about.
    project.entry(
        "2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\naliases: [old/, tags/, types/]\n"
    )
    assert [error.split(": aliases:")[0] for error in run("check").errors[:-1]] == [
        "entries/2021-11-05-x.yaml:4:17",
        "entries/2021-11-05-x.yaml:4:24",
    ]


def test_an_alias_taken_by_a_page_is_told_with_the_entries_other_problems(
    project: Project, run: Run
) -> None:
    # Told only once every entry passed: a typo elsewhere, or another alias of the same
    # statement taken by a statement's page, hid it for another round of check.
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\n")
    project.entry(
        "2021-11-06-b.yaml",
        "title: B\ndate: 2021-11-06\nbody: x\naliases: [2021/11/05/a/, index.html, tags/]\n",
    )
    project.entry("2021-11-07-c.yaml", "title: C\ndate: 2021-11-07\ntpye: Release\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors == [
        "entries/2021-11-06-b.yaml:4:11: aliases: '2021/11/05/a/' is already the page of"
        " entries/2021-11-05-a.yaml; an address can lead to one statement only",
        "entries/2021-11-06-b.yaml:4:26: aliases: 'index.html' is the address of the home page,"
        " which feedpub writes to public/index.html; an earlier address must be free",
        "entries/2021-11-06-b.yaml:4:38: aliases: 'tags/' is the address of the list of tags/,"
        " which feedpub writes to public/tags/index.html; an earlier address must be free",
        "entries/2021-11-07-c.yaml:3:1: tpye: unknown field; did you mean type?",
        "feedpub: 4 problems in 2 files",
    ]


def test_two_statements_cannot_claim_one_old_address(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\naliases: [old/]\n")
    project.entry("2021-11-05-y.yaml", "title: Y\ndate: 2021-11-05\nbody: y\naliases: [old/]\n")
    result = run("check")
    assert result.errors[0] == (
        "entries/2021-11-05-y.yaml:4:11: aliases: 'old/' is already an alias in"
        " entries/2021-11-05-x.yaml; an address can lead to one statement only"
    )


# --- corrections of any age -----------------------------------------------------------------


@pytest.fixture
def large(project: Project, run: Run) -> Project:
    """300 statements, none corrected, 50 per feed: six complete archives."""
    project.config(EXAMPLE_CONFIG + "feed_limit: 50\n")
    write_corpus(project, 300)
    for path in (project.root / "entries").glob("*.yaml"):
        path.write_text(re.sub(r"updated: .*\n", "", path.read_text()))
    assert run("build").exit_code == 0
    return project


def _oldest(project: Project) -> Path:
    return sorted((project.root / "entries").glob("*.yaml"))[0]


def test_correcting_and_withdrawing_the_oldest_statement_reaches_every_feed(
    large: Project, run: Run
) -> None:
    oldest = _oldest(large)
    statement_id = f"tag:press.example.org,2020:{oldest.stem}"
    fields = yaml.safe_load(oldest.read_text())
    sections = [f"types/{slugify(fields['type'])}/"]
    sections += [f"tags/{slugify(tag)}/" for tag in fields["tags"]]
    archive_before = large.read("public/archive/1.xml")
    newest_before = _ids(large, "atom.xml")
    assert statement_id not in newest_before and len(newest_before) == 50
    steps = [
        (
            "updated: 2024-03-01T10:00:00+01:00\nchange_note: A figure was corrected.\n",
            "2024-03-01T10:00:00+01:00",
        ),
        (
            "withdrawn: {date: 2024-04-01T09:00:00+02:00, reason: Issued in error.}\n",
            "2024-04-01T09:00:00+02:00",
        ),
    ]
    for addition, when in steps:
        oldest.write_text(oldest.read_text() + addition)
        assert run("build").exit_code == 0
        for directory in ["", *sections]:
            for feed in FEEDS:
                ids = _ids(large, directory + feed)
                assert ids[0] == statement_id, f"{directory}{feed} does not lead with it"
            json_item = json.loads(large.read(f"public/{directory}feed.json"))["items"][0]
            assert json_item["date_modified"] == when
            atom = _items(large, f"{directory}atom.xml")[0]
            assert atom.updated == when
        # No statement in no archive was pushed out: the newest 50 are all still there.
        assert set(newest_before) <= set(_ids(large, "atom.xml"))
        # The archive keeps its members and shows the change in place.
        archive = large.read("public/archive/1.xml")
        assert re.findall(r"<id>(.*?)</id>", archive) == re.findall(
            r"<id>(.*?)</id>", archive_before
        )
        assert when in archive
    json_item = json.loads(large.read("public/feed.json"))["items"][0]
    notice = "Withdrawn on April 1, 2024: Issued in error. "
    assert json_item["title"].startswith("Withdrawn: ")
    assert json_item["summary"].startswith(notice)
    atom = _items(large, "atom.xml")[0]
    assert atom.summary.startswith(notice)
    rss = _items(large, "rss.xml")[0]
    assert rss.summary.startswith(notice)


def test_a_new_subscriber_recovers_every_statement_from_the_archives(
    large: Project, run: Run
) -> None:
    every = sorted(
        f"tag:press.example.org,2020:{p.stem}" for p in (large.root / "entries").glob("*.yaml")
    )
    assert sorted(set(_archive_chain(large))) == every
    # Corrections of older statements crowd the subscription document...
    for path in sorted((large.root / "entries").glob("*.yaml"))[:60]:
        path.write_text(path.read_text() + "updated: 2025-01-01T10:00:00+01:00\n")
    assert run("build").exit_code == 0
    assert len(_ids(large, "atom.xml")) == 100
    # ...but still push nothing out of reach.
    assert sorted(set(_archive_chain(large))) == every


@pytest.mark.parametrize(
    ("section", "term"), [("types/release/", "Release"), ("tags/energy/", "Energy")]
)
def test_type_and_tag_feeds_have_archives_of_their_own(
    large: Project, section: str, term: str
) -> None:
    members = set()
    path = "public/atom.xml"
    while path:  # the main chain, read with each statement's type and tags
        parsed = feedparser.parse(large.read(path))
        members |= {e.id for e in parsed.entries if term in [t.term for t in e.tags]}
        previous = [link.href for link in parsed.feed.links if link.rel == "prev-archive"]
        path = "public/" + previous[0].removeprefix(BASE) if previous else ""
    chain = _archive_chain(large, section)
    assert set(chain) == members
    archives = sorted((large.root / "public" / section / "archive").glob("*.xml"))
    assert len(archives) == len(members) // 50
    first = etree.parse(str(archives[0]))
    assert first.xpath("/a:feed/a:link[@rel='current']/@href", namespaces=ATOM) == [
        f"{BASE}{section}atom.xml"
    ]


# --- languages and attachments --------------------------------------------------------------

ARABIC = "بيان من الوكالة"


def test_a_statement_in_another_language_is_labelled_in_every_format(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-ar.yaml",
        f"title: {ARABIC}\ndate: 2021-11-05\nlanguage: ar\nbody: |\n  {ARABIC}.\n",
    )
    project.entry("2021-11-04-en.yaml", "title: English\ndate: 2021-11-04\nbody: Text.\n")
    assert run("build").exit_code == 0
    atom = etree.parse(str(project.root / "public/atom.xml"))
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    entries = atom.xpath("/a:feed/a:entry", namespaces=ATOM)
    assert [e.get(lang) for e in entries] == ["ar", None]  # the feed says en for the rest
    assert atom.getroot().get(lang) == "en"
    rss = etree.parse(str(project.root / "public/rss.xml"))
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert rss.xpath("//item/dc:language/text()", namespaces=dc) == ["ar"]
    items = json.loads(project.read("public/feed.json"))["items"]
    assert items[0]["language"] == "ar" and "language" not in items[1]
    content = atom.xpath("/a:feed/a:entry/a:content/text()", namespaces=ATOM)
    assert content[0].startswith('<div lang="ar" dir="rtl">')
    assert content[1].startswith('<div lang="en" dir="ltr">')
    assert items[0]["content_html"].startswith('<div lang="ar" dir="rtl">')


def test_a_withdrawn_statement_says_so_in_its_own_language_in_every_format(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-fr.yaml",
        "title: Les taux\ndate: 2021-11-05\nlanguage: fr\nbody: Les taux.\n"
        "withdrawn: {date: 2021-11-09T12:00, reason: Remplacé.}\n",
    )
    assert run("build").exit_code == 0
    # French sets a colon off with a no-break space, as the catalogue writes it.
    notice = "Retiré le 9 novembre 2021\N{NO-BREAK SPACE}: Remplacé. "
    item = json.loads(project.read("public/feed.json"))["items"][0]
    assert item["title"] == "Retiré\N{NO-BREAK SPACE}: Les taux"
    assert item["summary"].startswith(notice)
    for feed in ("atom.xml", "rss.xml"):
        (parsed,) = _items(project, feed)
        assert parsed.title == "Retiré\N{NO-BREAK SPACE}: Les taux"
        assert parsed.summary.startswith(notice)


def test_every_attachment_reaches_every_format(project: Project, run: Run) -> None:
    project.entry("2021-11-05-signed.pdf", b"%PDF-1.7 " + b"x" * 2000)
    project.entry("2021-11-05-photo.jpg", b"\xff\xd8\xff" + b"y" * 500)
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\nbody: x\nattachments:\n"
        "  - {file: 2021-11-05-signed.pdf, title: The signed statement}\n"
        "  - 2021-11-05-photo.jpg\n",
    )
    assert run("build").exit_code == 0
    pdf = f"{BASE}2021/11/05/x/2021-11-05-signed.pdf"
    jpg = f"{BASE}2021/11/05/x/2021-11-05-photo.jpg"
    atom = _items(project, "atom.xml")[0]
    assert [e.href for e in atom.enclosures] == [pdf, jpg]
    rss = _items(project, "rss.xml")[0]
    assert [e.href for e in rss.enclosures] == [pdf]  # RSS allows one enclosure
    item = json.loads(project.read("public/feed.json"))["items"][0]
    assert [a["url"] for a in item["attachments"]] == [pdf, jpg]
    for content in (atom.content[0].value, rss.content[0].value, item["content_html"]):
        assert (
            f'<a href="{pdf}" type="application/pdf">The signed statement</a> (PDF, 2.0 KB)'
            in content
        )
        assert (
            f'<a href="{jpg}" type="image/jpeg">2021-11-05-photo.jpg</a> (JPG, 503 bytes)'
            in content
        )


# --- renamed sections and removed statements ------------------------------------------------


def test_a_renamed_tag_keeps_serving_its_old_feeds_and_archives(project: Project, run: Run) -> None:
    # The old archive documents (RFC 5005: stable) were deleted.
    for day in (3, 4, 5):
        text = f"title: X{day}\ndate: 2021-11-0{day}\ntags: [Flood defence]\nbody: x\n"
        project.entry(f"2021-11-0{day}-x.yaml", text)
    project.config(EXAMPLE_CONFIG + "feed_limit: 2\n")
    assert run("build").exit_code == 0
    old = {feed: _ids(project, f"tags/flood-defence/{feed}") for feed in FEEDS}
    for day in (3, 4, 5):
        text = f"title: X{day}\ndate: 2021-11-0{day}\ntags: [Flooding]\nbody: x\n"
        project.entry(f"2021-11-0{day}-x.yaml", text)
    aliases = "section_aliases:\n  tags:\n    Flood defence: Flooding\n"
    project.config(EXAMPLE_CONFIG + "feed_limit: 2\n" + aliases)
    assert run("build").exit_code == 0
    for feed in (*FEEDS, "archive/1.xml"):
        if feed in old:
            assert _ids(project, f"tags/flood-defence/{feed}") == old[feed]
        assert project.read(f"public/tags/flood-defence/{feed}") == project.read(
            f"public/tags/flooding/{feed}"
        )
    # One feed, one id: the renamed section's (its old name's would be another section's,
    # one it merged into, whose subscribers would see theirs change).
    ids = {
        feedparser.parse(project.read(f"public/{path}")).feed.id
        for path in (
            "tags/flood-defence/atom.xml",
            "tags/flood-defence/archive/1.xml",
            "tags/flooding/atom.xml",
        )
    }
    assert ids == {"tag:press.example.org,2020:feed/tags/flooding"}
    assert '<link rel="canonical" href="https://press.example.org/tags/flooding/">' in project.read(
        "public/tags/flood-defence/index.html"
    )


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        (
            "tags:\n    Floods: Nothing",
            "feedpub.yaml:13:5: section_aliases.tags: no published statement has the tag"
            " 'Nothing'; write the name it has now",
        ),
        (
            "tags:\n    Energy: Offices",
            "entries/2021-11-05-x.yaml:3:1: tags: the tag 'Energy' is an old name: feedpub.yaml's"
            " section_aliases.tags renames it 'Offices', and an old name must be one no"
            " statement uses; write 'Offices' here, or take `Energy: Offices` out of"
            " section_aliases",
        ),
        (  # two old names of one folder: a traceback ("would be written twice")
            "tags:\n    Old offices: Offices\n    old-offices: Energy",
            "feedpub.yaml:14:5: section_aliases.tags: 'old-offices' names the folder"
            " tags/old-offices/ as the old feed of tag 'Old offices' does; keep one of them",
        ),
        (
            "topics:\n    A: B",
            "feedpub.yaml:12:3: section_aliases.topics: unknown field; known fields are types,"
            " tags",
        ),
    ],
)
def test_a_section_alias_that_cannot_work_is_refused(
    project: Project, run: Run, aliases: str, expected: str
) -> None:
    project.entry(
        "2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\ntags: [Energy, Offices]\nbody: x\n"
    )
    project.config(EXAMPLE_CONFIG + f"section_aliases:\n  {aliases}\n")
    result = run("check")
    assert result.exit_code == 1
    assert expected in result.errors


def test_new_writes_the_type_the_default_type_was_renamed_and_check_names_the_entry(
    project: Project, run: Run
) -> None:
    # The default type renamed, every statement `feedpub new` started ("Statement") failed,
    # at feedpub.yaml's alias alone: an office would take the alias out.
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\ntype: Comment\nbody: x\n")
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y\n")
    project.config(EXAMPLE_CONFIG + "section_aliases:\n  types:\n    Statement: Comment\n")
    result = run("check")
    assert (result.exit_code, result.errors) == (
        1,
        [
            "entries/2021-11-06-y.yaml:1:1: type: has no `type:`, so it is a 'Statement', an old"
            " name: feedpub.yaml's section_aliases.types renames it 'Comment', and an old name"
            " must be one no statement uses; write `type: Comment`",
            "feedpub: 1 problem in 1 file",
        ],
    )
    (project.root / "entries/2021-11-06-y.yaml").unlink()
    made = run("new", "A new statement", "--date", "2021-11-07")
    assert made.exit_code == 0, made.errors
    assert 'type: "Comment"\n' in project.read("entries/2021-11-07-a-new-statement.yaml")


def test_a_section_alias_to_a_name_only_an_embargoed_statement_has_waits_for_its_release(
    project: Project, run: Run
) -> None:
    # It failed every build until the release: "no published statement has the tag".
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\ntags: [Budget]\nbody: x\n")
    project.entry("2031-01-05-y.yaml", "title: Y\ndate: 2031-01-05\ntags: [Flooding]\nbody: x\n")
    project.config(EXAMPLE_CONFIG + "section_aliases:\n  tags:\n    Flood defence: Flooding\n")
    result = run("build", "--now", "2030-01-01T00:00:00Z")
    assert result.exit_code == 0
    assert (
        "feedpub.yaml:13:5: section_aliases.tags: warning: no statement published yet has the"
        " tag 'Flooding': the alias takes effect when entries/2031-01-05-y.yaml, under embargo,"
        " is released"
    ) in result.errors
    assert not (project.root / "public/tags/flood-defence").exists()
    assert run("build", "--now", "2031-02-01T00:00:00Z").exit_code == 0
    # Its other checks are not put off to the release: the old name must be unused now.
    project.entry(
        "2021-11-06-z.yaml", "title: Z\ndate: 2021-11-06\ntags: [Flood defence]\nbody: x\n"
    )
    result = run("check", "--now", "2030-01-01T00:00:00Z")
    assert result.exit_code == 1
    assert (
        "entries/2021-11-06-z.yaml:3:1: tags: the tag 'Flood defence' is an old name:"
        " feedpub.yaml's section_aliases.tags renames it 'Flooding', and an old name must be"
        " one no statement uses; write 'Flooding' here, or take `Flood defence: Flooding` out"
        " of section_aliases"
    ) in result.errors
    (project.root / "entries/2021-11-06-z.yaml").unlink()
    assert run("build", "--now", "2031-02-01T00:00:00Z").exit_code == 0
    assert project.read("public/tags/flood-defence/atom.xml") == project.read(
        "public/tags/flooding/atom.xml"
    )


def test_a_feed_a_statement_is_removed_from_is_dated_by_the_removal_not_back_in_time(
    project: Project, run: Run
) -> None:
    # The feed's <updated> and lastBuildDate went back to the statement before, though
    # the feed had just changed: a reader or cache comparing dates saw an older feed.
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: x\n")
    assert run("build").exit_code == 0
    assert "<updated>2021-11-06T00:00:00+01:00</updated>\n  <author>" in project.read(
        "public/atom.xml"
    )
    removal = "removed: {date: 2021-12-01, reason: A court order.}\n"
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: x\n" + removal)
    assert run("build").exit_code == 0
    atom, rss = project.read("public/atom.xml"), project.read("public/rss.xml")
    assert "<updated>2021-12-01T00:00:00+01:00</updated>\n  <author>" in atom
    assert "<lastBuildDate>Wed, 01 Dec 2021 00:00:00 +0100</lastBuildDate>" in rss
    assert "tag:press.example.org,2020:2021-11-06-b" not in atom


def test_a_corrected_older_statement_removed_dates_the_feed_that_showed_it_by_the_removal(
    project: Project, run: Run
) -> None:
    # Only the newest statements' removals dated the feed: one older than feed_limit, shown
    # for its correction, took the feed's <updated> back to the newest statement's date.
    project.config(EXAMPLE_CONFIG + "feed_limit: 1\n")
    corrected = "title: A\ndate: 2021-11-05\nbody: x\nupdated: 2021-12-01\nchange_note: Fixed.\n"
    project.entry("2021-11-05-a.yaml", corrected)
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: x\n")
    assert run("build").exit_code == 0
    assert _ids(project, "atom.xml")[0] == "tag:press.example.org,2020:2021-11-05-a"
    removal = "removed: {date: 2021-12-10, reason: A court order.}\n"
    project.entry("2021-11-05-a.yaml", corrected + removal)
    assert run("build").exit_code == 0
    atom, rss = project.read("public/atom.xml"), project.read("public/rss.xml")
    assert "<updated>2021-12-10T00:00:00+01:00</updated>\n  <author>" in atom
    assert "<lastBuildDate>Fri, 10 Dec 2021 00:00:00 +0100</lastBuildDate>" in rss
    assert _ids(project, "atom.xml") == ["tag:press.example.org,2020:2021-11-06-b"]


def test_a_statement_removed_earlier_takes_no_place_from_one_the_feed_showed(
    project: Project, run: Run
) -> None:
    # A statement removed long before still held a place among the newest: the corrected
    # statement the feed showed beside the newest, removed now, left its date behind.
    project.config(EXAMPLE_CONFIG + "feed_limit: 1\n")
    court = "removed: {date: 2021-11-12, reason: A court order.}\n"
    project.entry("2021-11-10-r.yaml", "title: R\ndate: 2021-11-10\nbody: x\n" + court)
    fixed = "body: x\nupdated: 2021-11-20\nchange_note: Fixed.\n"
    project.entry("2021-11-09-x.yaml", "title: X\ndate: 2021-11-09\n" + fixed)
    older = "title: O\ndate: 2021-11-01\nbody: x\nupdated: 2021-11-15\nchange_note: Fixed.\n"
    project.entry("2021-11-01-o.yaml", older)
    assert run("build", "--now", "2021-11-30T00:00:00+01:00").exit_code == 0
    assert len(_ids(project, "atom.xml")) == 2  # X, the newest, and O, corrected
    removal = "removed: {date: 2021-12-01, reason: A court order.}\n"
    project.entry("2021-11-01-o.yaml", older + removal)
    assert run("build", "--now", "2021-12-02T00:00:00+01:00").exit_code == 0
    assert "<updated>2021-12-01T00:00:00+01:00</updated>\n  <author>" in project.read(
        "public/atom.xml"
    )


def test_statements_dated_before_a_removal_do_not_take_the_feed_s_date_back(
    project: Project, run: Run
) -> None:
    # A removal dated the feed only while the removed statement would still be among the
    # newest feed_limit: two statements released before it but merged after pushed it out,
    # and <updated> went from the removal's 10:00 back to 09:00 as items were added.
    project.config(EXAMPLE_CONFIG + "feed_limit: 2\n")
    for day in ("01", "02", "03"):
        project.entry(
            f"2026-01-{day}-s{day}.yaml", f"title: S{day}\ndate: 2026-01-{day}\nbody: x\n"
        )
    court = "removed: {date: 2026-01-05T10:00, reason: A court order.}\n"
    project.entry("2026-01-03-s03.yaml", "title: S03\ndate: 2026-01-03\nbody: x\n" + court)
    assert run("build", "--now", "2026-01-05T10:30").exit_code == 0
    atom = "<updated>2026-01-05T10:00:00+01:00</updated>\n  <author>"
    assert atom in project.read("public/atom.xml")
    for hour in ("08", "09"):
        name = f"2026-01-05-h{hour}.yaml"
        project.entry(name, f"title: H{hour}\ndate: 2026-01-05T{hour}:00\nbody: x\n")
    assert run("build", "--now", "2026-01-05T11:00").exit_code == 0
    assert atom in project.read("public/atom.xml")
    rss = "<lastBuildDate>Mon, 05 Jan 2026 10:00:00 +0100</lastBuildDate>"
    assert rss in project.read("public/rss.xml")


def _unwritten_links(tree: dict[str, bytes]) -> list[str]:
    """Each link of a page or feed of the build to a file of the site it did not write."""
    return [
        f"{rel} -> {target}"
        for rel, data in sorted(tree.items())
        if rel.endswith((".html", ".xml", ".json"))
        for target in sorted(site_links(rel, data))
        if target not in tree
    ]


NOINDEX = '<meta name="robots" content="noindex">'


@pytest.mark.parametrize("others", [False, True], ids=["alone", "among-others"])
def test_removing_the_last_statement_of_a_type_or_tag_keeps_their_feeds_and_pages(
    project: Project, run: Run, others: bool
) -> None:
    # A lawful removal passes the guard, and the feeds of the statement's type and tag were
    # deleted with it: their subscribers got 404s, after which a reader may drop them.
    if others:  # another type, tag and year
        text = "title: A\ndate: 2020-06-01\ntype: Advisory\ntags: [Ports]\nbody: x\n"
        project.entry("2020-06-01-a.yaml", text)
    budget = "title: Spending\ndate: 2021-11-06\ntype: Statement\ntags: [Budget]\nbody: x\n"
    project.entry("2021-11-06-budget.yaml", budget)
    assert run("build").exit_code == 0
    removal = "removed: {date: 2021-12-01, reason: A court order.}\n"
    project.entry("2021-11-06-budget.yaml", budget + removal)
    assert run("build").exit_code == 0
    tree = project.tree()
    folders = ("types/statement/", "tags/budget/")
    kept = [folder + name for folder in folders for name in (*FEEDS, "index.html")]
    assert [path for path in (*kept, "2021/index.html") if path not in tree] == []
    schema = etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))
    for folder in folders:
        atom = feedparser.parse(tree[f"{folder}atom.xml"])
        assert (atom.bozo, atom.entries, atom.feed.updated) == (
            False,
            [],
            "2021-12-01T00:00:00+01:00",  # changed when the statement was removed
        )
        assert schema.validate(etree.fromstring(tree[f"{folder}atom.xml"])), schema.error_log
        rss = feedparser.parse(tree[f"{folder}rss.xml"])
        assert (rss.bozo, rss.entries) == (False, [])
        assert json.loads(tree[f"{folder}feed.json"])["items"] == []
        page = tree[f"{folder}index.html"].decode()
        assert '<p class="lead">No statements at present. <a' in page
        assert "<ol" not in page and "Spending" not in page
        # A search engine that listed it with the statement drops it, as the removal's page.
        assert NOINDEX in page
    # Its year's page stays too; nothing lists what only removed statements are in.
    assert "<p>No statements at present.</p>" in tree["2021/index.html"].decode()
    assert NOINDEX in tree["2021/index.html"].decode()
    # "Every year" leads to the home page's list of years, which lists none when none is left.
    assert ('href="../#archive"' in tree["2021/index.html"].decode()) == others
    assert ('id="archive"' in tree["index.html"].decode()) == others
    assert not [
        path
        for path, page in tree.items()
        if NOINDEX in page.decode(errors="replace")
        and path.endswith("index.html")
        and b"No statements at present." not in page
        and b"Statement removed" not in page
    ]
    for path in ("types/statement/", "tags/budget/", "2021/"):
        for listing in ("index.html", "types/index.html", "tags/index.html", "2020/index.html"):
            assert f'href="{path}"' not in tree.get(listing, b"").decode().replace("../", "")
        assert f"<loc>{BASE}{path}</loc>" not in tree["sitemap.xml"].decode()
    assert _unwritten_links(tree) == []


def test_a_renamed_tag_a_removed_statement_still_has_serves_the_new_name_s_feeds(
    project: Project, run: Run
) -> None:
    # A removed statement keeps its tags' feeds: it must not keep the old name's, empty,
    # where section_aliases serves the renamed tag's, as the guard advises.
    removal = "removed: {date: 2021-12-01, reason: A court order.}\n"
    gone = "title: Gone\ndate: 2021-11-05\ntags: [Rates]\nbody: x\n" + removal
    project.entry("2021-11-05-gone.yaml", gone)
    renamed = "title: Old\ndate: 2021-11-04\ntags: [Tariffs]\nbody: x\n"
    project.entry("2021-11-04-old.yaml", renamed)
    project.config(EXAMPLE_CONFIG + "section_aliases:\n  tags:\n    Rates: Tariffs\n")
    assert run("build").exit_code == 0
    assert _ids(project, "tags/rates/atom.xml") == ["tag:press.example.org,2020:2021-11-04-old"]
    for feed in FEEDS:
        old, new = (project.read(f"public/tags/{slug}/{feed}") for slug in ("rates", "tariffs"))
        assert old == new
    assert '<link rel="canonical" href="https://press.example.org/tags/tariffs/">' in project.read(
        "public/tags/rates/index.html"
    )
    # Once the renamed tag's statements are all removed too, both names keep its feeds.
    project.entry("2021-11-04-old.yaml", renamed + removal)
    assert run("build").exit_code == 0
    assert _ids(project, "tags/rates/atom.xml") == []
    old, new = (project.read(f"public/tags/{slug}/atom.xml") for slug in ("rates", "tariffs"))
    assert old == new


def test_a_removed_statement_leaves_a_notice_and_no_trace_in_feeds(
    large: Project, run: Run
) -> None:
    oldest = _oldest(large)
    statement_id = f"tag:press.example.org,2020:{oldest.stem}"
    archive_2 = large.read("public/archive/2.xml")
    title = yaml.safe_load(oldest.read_text())["title"]
    oldest.write_text(
        oldest.read_text() + "removed: {date: 2024-05-01, reason: Removed by court order.}\n"
    )
    assert run("build").exit_code == 0
    page = large.read(
        f"public/{oldest.stem[:4]}/{oldest.stem[5:7]}/{oldest.stem[8:10]}/{oldest.stem[11:]}/index.html"
    )
    assert "Statement removed" in page and "Removed by court order." in page
    assert title not in page and "Paragraph 0" not in page
    assert statement_id not in _archive_chain(large)
    for feed in FEEDS:
        assert statement_id not in _ids(large, feed)
    assert oldest.stem[11:] not in large.read("public/sitemap.xml")
    # Its archive lost it; the archives after it kept their members.
    assert statement_id not in large.read("public/archive/1.xml")
    assert large.read("public/archive/2.xml") == archive_2


@pytest.mark.parametrize(
    "written",
    [
        "https:foo",  # a scheme and no host: relative to the page
        "https:///x",
        "//press.example.org/a",
        "HTTPS://press.example.org/a",
        "https://pre\tss.example.org/a",  # a tab inside is dropped
        " https://press.example.org/a",
        "http://press.example.org/a",  # another scheme: elsewhere
        "//other.example.org/a",
        "https://press.example.org@evil.example/a",
        "https://press.example.org:8443/a",
        "https://Press.example.org/a",
        "ftp://press.example.org/a",
    ],
)
def test_body_links_into_the_site_are_found_as_urljoin_resolves_them(written: str) -> None:
    # Another site's address is passed over without resolving it: the shortcut must never
    # miss one that resolves into the site.
    base, page = "https://press.example.org/", "https://press.example.org/2021/11/06/b/"
    html = f'<p><a href="{written.replace("&", "&amp;")}">x</a></p>'
    document = read_document("b.yaml", b"title: B\nbody: x\n", Problems())
    assert document is not None
    found = find_site_links(document, html, page, base)
    assert bool(found) == urljoin(page, written).startswith(base)


def test_check_warns_of_a_link_from_the_host_s_root_on_a_site_served_under_a_folder(
    project: Project, run: Run
) -> None:
    # On GitHub Pages a project's site is served under its folder: /2021/11/05/a/ works in
    # `feedpub serve` (served from /) and leads nowhere once published.
    project.config(
        EXAMPLE_CONFIG.replace("https://press.example.org/", "https://example.github.io/press/")
    )
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\n")
    project.entry(
        "2021-11-06-b.yaml",
        "title: B\ndate: 2021-11-06\nbody: |\n"
        "  See [A](/2021/11/05/a/), [A again](/press/2021/11/05/a/), [about us](/about/),\n"
        "  [A's](https://example.github.io/2021/11/05/a/) and [up](../../../../../tags/),\n"
        "  [our home](/), [our site](https://example.github.io/) and [feed](/atom.xml).\n",
    )
    result = run("check")
    assert result.exit_code == 0
    outside = (
        "entries/2021-11-06-b.yaml:{0}: body: warning: links to /{1}, outside the site"
        " (served under /press/): the site's own is at /press/{1}; write that address, or"
        " the whole https://example.github.io/press/{1}"
    )
    # Only a statement's address is surely the site's: /, /tags/ and /atom.xml outside the
    # folder may be the office's own site's.
    assert result.errors == [
        outside.format("4:11", "2021/11/05/a/"),
        outside.format("5:9", "2021/11/05/a/"),
    ]


def test_check_warns_of_a_body_link_that_leads_nowhere(project: Project, run: Run) -> None:
    project.file("static/annual-report.pdf", b"%PDF-1.7")
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\naliases: [old-a/]\nbody: x\n")
    project.entry(
        "2021-11-06-b.yaml",
        "title: B\ndate: 2021-11-06\nbody: |\n"
        "  See [A](/2021/11/05/a/), [its old page](../../../../old-a/),\n"
        "  [the report](/annual-report.pdf),\n"
        "  [the tag](https://press.example.org/tags/) and [elsewhere](https://www.example.org/x/).\n"
        "\n"
        "  But [a typo](/2021/11/05/joint-statment/) and ![a photo](missing.png).\n"
        "  [No scheme](press.example.net), [mail](press@example.org), [a page](notes.html).\n",
    )
    result = run("check")
    assert result.exit_code == 0
    assert result.errors == [
        "entries/2021-11-06-b.yaml:8:16: body: warning: links to /2021/11/05/joint-statment/,"
        " which nothing in the site publishes (no statement, alias, static file or page of"
        " feedpub's); check the address",
        # A file beside the statement: how to publish one is said.
        "entries/2021-11-06-b.yaml:8:60: body: warning: links to /2021/11/06/b/missing.png,"
        " which nothing in the site publishes (no statement, alias, static file or page of"
        " feedpub's); check the address, or publish missing.png with the statement: put it in"
        " entries/ and list it under `attachments:`",
        # Not a file to attach: a link written without https:// or mailto:, a page.
        *[
            f"entries/2021-11-06-b.yaml:9:{column}: body: warning: links to /2021/11/06/b/{name},"
            " which nothing in the site publishes (no statement, alias, static file or page of"
            " feedpub's); check the address"
            for column, name in (
                (15, "press.example.net"),
                (42, "press@example.org"),
                (71, "notes.html"),
            )
        ],
    ]


def test_a_statement_moved_with_an_alias_keeps_its_attachments_at_the_old_address(
    project: Project, run: Run
) -> None:
    # Readers have the enclosure's address from their feeds: after a rename, only the page
    # redirected, and the PDF at the old address was deleted.
    project.file("entries/signed.pdf", b"%PDF-1.4\n%%EOF\n")
    project.entry(
        "2021-11-05-draft-report.yaml",
        "title: Report\ndate: 2021-11-05\nid: urn:example:report\nattachments: [signed.pdf]\n"
        "body: x\n",
    )
    assert run("build").exit_code == 0
    enclosure = feedparser.parse(project.read("public/atom.xml")).entries[0].enclosures[0].href
    assert enclosure == "https://press.example.org/2021/11/05/draft-report/signed.pdf"
    (project.root / "entries/2021-11-05-draft-report.yaml").unlink()
    project.entry(
        "2021-11-05-report.yaml",
        "title: Report\ndate: 2021-11-05\nid: urn:example:report\nattachments: [signed.pdf]\n"
        "aliases: [2021/11/05/draft-report/]\nbody: x\n",
    )
    assert run("build").exit_code == 0
    for folder in ("draft-report", "report"):
        assert project.read(f"public/2021/11/05/{folder}/signed.pdf") == "%PDF-1.4\n%%EOF\n"

"""Feeds read back by a real client (feedparser) carry exactly what the entries say."""

from __future__ import annotations

import calendar
import html
import json
from typing import Any

import feedparser
import pytest
from lxml import etree

from conftest import EXAMPLE_CONFIG, Project, Run
from feedpub.gather import Project as SiteProject
from feedpub.gather import read_site
from feedpub.model import Entry

ENTRIES = {
    "2021-11-05-office.yaml": """\
title: Example Agency opens an office & a <help> desk
date: 2021-11-05T10:00
updated: 2021-11-06T12:30:05Z
byline: [Example Agency Press Office, Office of the Director]
tags: [Offices, Announcements]
type: Release
body: |
  The Example Agency opened [an office](office/) today; see ![the map](map.png "Map").

  It will answer questions from the public.
""",
    "2021-11-04-rates.yaml": """\
title: Example Agency publishes its rates
date: 2021-11-04
byline: Example Agency Press Office
summary: The rates for the coming year.
body: Rates are published each year.
""",
    "2020-01-02-first.yaml": """\
title: Example Agency's first statement
date: 2020-01-02T08:15:00-05:00
body: A first statement without a byline.
""",
}


@pytest.fixture
def built(project: Project, run: Run) -> Project:
    for name, text in ENTRIES.items():
        project.entry(name, text)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    return project


def _entries(project: Project) -> tuple[Entry, ...]:
    return read_site(SiteProject.at(project.root)).site.entries


def _parse(project: Project, name: str) -> Any:
    # Compare what the feed says, not what feedparser's own sanitiser would rewrite.
    parsed = feedparser.parse(
        (project.root / "public" / name).read_bytes(),
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _utc(struct: Any) -> int:
    return calendar.timegm(struct)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_feed_items_match_entries_field_for_field(built: Project, name: str) -> None:
    parsed = _parse(built, name)
    entries = _entries(built)
    assert [item.id for item in parsed.entries] == [e.id for e in entries]
    for item, entry in zip(parsed.entries, entries, strict=True):
        assert item.title == entry.title
        assert item.link == f"https://press.example.org/{entry.path}"
        assert _utc(item.published_parsed) == int(entry.published.timestamp())
        assert [a["name"] for a in item.get("authors", [])] == list(entry.bylines)
        assert [t.term for t in item.tags] == [entry.type, *entry.tags]
        assert item.summary == entry.summary
        assert entry.body_absolute in item.content[0].value
        assert item.content[0].type == "text/html"


def test_atom_items_carry_updated_date(built: Project) -> None:
    parsed = _parse(built, "atom.xml")
    for item, entry in zip(parsed.entries, _entries(built), strict=True):
        assert _utc(item.updated_parsed) == int(entry.updated.timestamp())


def test_feed_date_is_newest_update_not_the_clock(built: Project) -> None:
    atom = _parse(built, "atom.xml")
    rss = _parse(built, "rss.xml")
    newest = max(e.updated for e in _entries(built))
    assert _utc(atom.feed.updated_parsed) == int(newest.timestamp())
    assert _utc(rss.feed.updated_parsed) == int(newest.timestamp())


def test_feeds_keep_newest_first_order(built: Project) -> None:
    # feedgen's add_entry() prepends by default, which would reverse the order.
    titles = [item.title for item in _parse(built, "atom.xml").entries]
    assert titles == [
        "Example Agency opens an office & a <help> desk",
        "Example Agency publishes its rates",
        "Example Agency's first statement",
    ]


def test_rss_channel_links_home_and_points_self_at_itself(built: Project) -> None:
    # feedgen makes <channel><link> the last link added and copies Atom's self link.
    rss = _parse(built, "rss.xml")
    assert rss.feed.link == "https://press.example.org/"
    self_links = [link.href for link in rss.feed.links if link.rel == "self"]
    assert self_links == ["https://press.example.org/rss.xml"]
    atom = _parse(built, "atom.xml")
    assert [link.href for link in atom.feed.links if link.rel == "self"] == [
        "https://press.example.org/atom.xml"
    ]


def test_rss_writes_name_only_bylines_as_dc_creator(built: Project) -> None:
    tree = etree.parse(str(built.root / "public/rss.xml"))
    creators = tree.xpath(
        "//item[1]/dc:creator/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"}
    )
    assert creators == ["Example Agency Press Office", "Office of the Director"]
    assert tree.xpath("//item/author") == []


def test_feeds_name_feedpub_as_generator(built: Project) -> None:
    from feedpub import __version__

    atom = etree.parse(str(built.root / "public/atom.xml"))
    (generator,) = atom.xpath(
        "/a:feed/a:generator", namespaces={"a": "http://www.w3.org/2005/Atom"}
    )
    assert (generator.text, generator.get("version")) == ("feedpub", __version__)
    rss = etree.parse(str(built.root / "public/rss.xml"))
    assert rss.xpath("/rss/channel/generator/text()") == [f"feedpub {__version__}"]


def test_feed_bodies_have_absolute_links_for_readers(built: Project) -> None:
    item = _parse(built, "atom.xml").entries[0]
    html = item.content[0].value
    assert 'href="https://press.example.org/2021/11/05/office/office/"' in html
    assert 'src="https://press.example.org/2021/11/05/office/map.png"' in html
    page = (built.root / "public/2021/11/05/office/index.html").read_text()
    assert 'href="office/"' in page  # the page itself keeps links as written


def test_feeds_carry_only_newest_feed_limit_statements(project: Project, run: Run) -> None:
    project.config(project.read("feedpub.yaml") + "feed_limit: 2\n")
    for day in range(1, 6):
        project.entry(
            f"2021-11-0{day}-s{day}.yaml", f"title: S{day}\ndate: 2021-11-0{day}\nbody: x\n"
        )
    assert run("build").exit_code == 0
    for name in ("atom.xml", "rss.xml"):
        assert [i.title for i in _parse(project, name).entries] == ["S5", "S4"]


def test_feeds_of_empty_site_are_valid_and_dated_without_clock(project: Project, run: Run) -> None:
    assert run("build").exit_code == 0
    atom = _parse(project, "atom.xml")
    assert atom.entries == []
    assert atom.feed.updated == "1970-01-01T00:00:00+00:00"


def test_every_feed_carries_the_notes_to_editors_and_the_media_contact(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-flood.yaml",
        "title: Example Agency opens a consultation\ndate: 2021-11-05T10:00\n"
        "contact: {name: Sam Example, email: press@example.org, phone: +44 20 7946 0000}\n"
        "notes_to_editors: |\n  1. The consultation runs for [twelve weeks](weeks/).\n"
        "body: |\n  The consultation opened today.\n",
    )
    assert run("build").exit_code == 0
    json_item = json.loads((project.root / "public/feed.json").read_text())["items"][0]
    for name in ("atom.xml", "rss.xml", "feed.json"):
        if name == "feed.json":
            content = json_item["content_html"]
        else:
            (item,) = feedparser.parse(str(project.root / "public" / name)).entries
            content = item.content[0].value
        body = content.index("The consultation opened today.")
        notes = content.index("<strong>Notes to editors</strong>")
        contact = content.index("<strong>Media contact</strong>")
        assert body < notes < contact, name
        # Links made absolute for readers; the contact as links a reader can follow.
        assert '<a href="https://press.example.org/2021/11/05/flood/weeks/">' in content, name
        assert '<a href="mailto:press@example.org">press@example.org</a>' in content, name
        # feedparser's sanitiser empties tel: links; the feed itself carries them.
        raw = (project.root / "public" / name).read_text()
        assert "tel:+442079460000" in raw and "+44 20 7946 0000</a>" in content, name


def test_a_statement_s_feed_notices_are_in_its_language(project: Project, run: Run) -> None:
    project.entry(
        "2021-11-05-bureau.yaml",
        "title: Tarifs provisoires\ndate: 2021-11-05\nlanguage: fr\nbody: Les tarifs.\n"
        "updated: 2021-11-06T10:00\nchange_note: Un chiffre a été corrigé.\n"
        "withdrawn: {date: 2021-11-08T12:00, reason: Publiés par erreur.}\n",
    )
    assert run("build").exit_code == 0
    (item,) = feedparser.parse(str(project.root / "public/atom.xml")).entries
    content = item.content[0].value
    assert content.startswith(
        '<div dir="ltr" lang="fr">\n<p class="withdrawn"><strong>Retiré le'
        ' <time datetime="2021-11-08T12:00:00+01:00">8 novembre 2021</time>\u00a0:</strong>'
        " Publiés par erreur.</p>"
    )
    assert "<strong>Corrigé le" in content and "Un chiffre a été corrigé." in content


def test_rss_channel_description_is_escaped_as_an_item_description_is(
    project: Project, run: Run
) -> None:
    project.config(
        EXAMPLE_CONFIG.replace(
            "description: Statements from the Example Agency",
            "description: Statements <script>alert(3)</script> & more from the Example Agency",
        )
    )
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\ntype: <img src=x onerror=alert(1)>\n"
        "tags: ['<script>alert(2)</script>']\nbody: x\n",
    )
    assert run("build").exit_code == 0
    for rel, shown in [
        ("rss.xml", "Statements <script>alert(3)</script> & more from the Example Agency"),
        ("types/img-src-x-onerror-alert-1/rss.xml", "Statements of type <img src=x onerror="),
        ("tags/script-alert-2-script/rss.xml", "Statements tagged <script>alert(2)</script>"),
    ]:
        channel = etree.fromstring((project.root / "public" / rel).read_bytes()).find("channel")
        assert channel is not None
        description = channel.findtext("description") or ""
        # One XML decode gives escaped text: a reader that takes it for HTML shows the tag.
        assert "<" not in description
        assert html.unescape(description).startswith(shown)
        atom = (project.root / "public" / rel.replace("rss.xml", "atom.xml")).read_bytes()
        subtitle = etree.fromstring(atom).findtext("{http://www.w3.org/2005/Atom}subtitle")
        assert (subtitle or "").startswith(shown)  # Atom's subtitle is text: as written


def test_atom_entries_made_once_give_the_documents_feedgen_makes_whole(built: Project) -> None:
    # A statement is in several archives: its entry is made by feedgen once, and each
    # document holds a copy; a content or translations changed since make it again.
    from feedpub.render.feeds import AtomEntries, Feed, render_atom

    site = read_site(SiteProject.at(built.root)).site
    entries = site.entries
    translated = {entries[0].id: (("fr", "https://press.example.org/fr/"),)}
    documents = [
        Feed(
            id="tag:x,2021:a", title="A", subtitle="s", home="", atom_path="a.xml", entries=entries
        ),
        Feed(
            id="tag:x,2021:b",
            title="B",
            subtitle="s",
            home="",
            atom_path="b.xml",
            entries=entries[1:],
            archive=True,
            links=(("current", "a.xml"),),
        ),
        Feed(
            id="tag:x,2021:c",
            title="C",
            subtitle="s",
            home="",
            atom_path="c.xml",
            entries=entries,
            alternates=translated,
        ),
    ]
    for kept in (10, 2):  # 2: fewer than the statements, the oldest made again
        made = AtomEntries(kept)
        for content in (lambda e: f"<p>{e.title}</p>", lambda e: f"<p>New: {e.title}</p>"):
            for feed in documents:
                assert render_atom(site.config, feed, content, made) == render_atom(
                    site.config, feed, content
                )
        assert b"New:" in made.render(site.config, documents[0], content)
        assert b'hreflang="fr"' in made.render(site.config, documents[2], content)


def test_a_time_of_local_mean_time_is_written_to_the_minute_in_every_format(
    project: Project, run: Run
) -> None:
    # Paris kept +00:09:21 until 1911: feeds said 1905-03-01T10:00:00+00:09:21 and
    # "+000921", which RFC 3339, RFC 5322 and HTML do not allow (a reader took the RSS date
    # for +09:21, nine hours off). Held at +00:09, the same from the cache as compiled.
    project.entry("1905-03-01-archive.yaml", "title: Archive\ndate: 1905-03-01T10:00\nbody: x\n")
    project.entry("1905-03-02-noon.yaml", "title: Noon\ndate: 1905-03-02T11:50:39Z\nbody: x\n")
    assert run("build").exit_code == 0
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")  # from the cache
    assert run("build").exit_code == 0
    atom, rss = project.read("public/atom.xml"), project.read("public/rss.xml")
    items = {item["title"]: item for item in json.loads(project.read("public/feed.json"))["items"]}
    assert "<published>1905-03-01T10:00:00+00:09</published>" in atom
    assert "<published>1905-03-02T11:59:39+00:09</published>" in atom  # the instant given
    assert "<pubDate>Wed, 01 Mar 1905 10:00:00 +0009</pubDate>" in rss
    assert items["Archive"]["date_published"] == "1905-03-01T10:00:00+00:09"
    page = project.read("public/1905/03/01/archive/index.html")
    assert '<time datetime="1905-03-01T10:00:00+00:09">' in page
    parsed = feedparser.parse(rss).entries
    assert [calendar.timegm(e.published_parsed) for e in parsed][-1] == calendar.timegm(
        (1905, 3, 1, 9, 51, 0)
    )


def test_times_of_the_hour_the_clocks_repeat_are_ordered_by_instant(
    project: Project, run: Run
) -> None:
    # Paris repeats 02:00-03:00 on 2025-10-26. Python orders two times of one zone by their
    # clock readings: 02:40+02:00 (00:40 UTC) came after 02:15+01:00 (01:15 UTC), and the
    # feed's date, taken from the correction, went back 35 minutes with a newer item in it.
    now = "2025-10-26T03:30:00+01:00"
    project.entry("2025-10-26-b.yaml", "title: B\ndate: 2025-10-26T02:15:00+01:00\nbody: x\n")
    project.entry(
        "2025-10-20-z.yaml",
        "title: Z\ndate: 2025-10-20T10:00\nupdated: 2025-10-26T02:40:00+02:00\n"
        "change_note: A figure.\nbody: x\n",
    )
    for _ in range(2):  # compiled, then read back from the build cache
        assert run("build", "--now", now).exit_code == 0
        atom = _parse(project, "atom.xml")
        assert atom.feed.updated == "2025-10-26T02:15:00+01:00"
        assert _parse(project, "rss.xml").feed.updated_parsed[:5] == (2025, 10, 26, 1, 15)
        feed = json.loads(project.read("public/feed.json"))
        assert [item["title"] for item in feed["items"]][:2] == ["B", "Z"]
        project.entry("2025-10-01-a.yaml", "title: A\ndate: 2025-10-01\nbody: x\n")


@pytest.mark.parametrize(
    ("date", "field", "expected"),
    [
        # 02:10+01:00 (01:10 UTC) is after 02:50+02:00 (00:50 UTC): a real correction.
        ("2025-10-26T02:50:00+02:00", "updated: 2025-10-26T02:10:00+01:00", None),
        ("2025-10-26T02:50:00+02:00", "withdrawn: {date: 2025-10-26T01:10:00Z, reason: r}", None),
        (
            "2025-10-26T02:10:00+01:00",
            "updated: 2025-10-26T02:50:00+02:00",
            "3:10: updated: 2025-10-26T02:50:00+02:00 is before the date 2025-10-26T02:10:00+01:00",
        ),
    ],
)
def test_a_correction_in_the_hour_the_clocks_repeat_is_checked_by_instant(
    project: Project, run: Run, date: str, field: str, expected: str | None
) -> None:
    project.entry("2025-10-26-x.yaml", f"title: X\ndate: {date}\n{field}\nbody: x\n")
    result = run("check", "--now", "2025-10-27")
    if expected is None:
        assert result.exit_code == 0, result.errors
    else:
        assert result.exit_code == 1
        assert result.errors[0].startswith(f"entries/2025-10-26-x.yaml:{expected}")

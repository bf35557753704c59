"""Every feed the build writes is correct by its specification, and the formats agree."""

from __future__ import annotations

import calendar
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from conftest import Project, Run, write_corpus

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM = "http://www.w3.org/2005/Atom"
NS = {
    "a": ATOM,
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "fh": "http://purl.org/syndication/history/1.0",
}
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}"
)


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    # tests/schemas/atom.rng is RFC 4287 Appendix B (atom.rnc beside it), converted by trang.
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


# The corpus names WebSub hubs, so every standards test below also holds for feeds that
# carry <link rel="hub">; the shipped sample (no hubs) covers feeds without them.
HUBS = ["https://hub.example.net/", "http://push.example.com/websub"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A site of 230 statements with 4 types and 7 tags, some corrected, in several zones,
    whose feeds name two WebSub hubs."""
    from conftest import EXAMPLE_CONFIG
    from feedpub import cli

    project = Project.create(tmp_path_factory.mktemp("corpus") / "site")
    hubs = "".join(f"  - {hub}\n" for hub in HUBS)
    project.config(EXAMPLE_CONFIG + f"feed_limit: 40\nwebsub_hubs:\n{hubs}")
    write_corpus(project, 230)
    assert cli.main(["build", "--root", str(project.root)]) == 0
    return project


@pytest.fixture
def sample(project: Project, run: Run) -> Project:
    project.copy_sample()
    assert run("build").exit_code == 0
    return project


def _files(project: Project, pattern: str) -> list[Path]:
    return sorted((project.root / "public").rglob(pattern))


def _parse(path: Path) -> Any:
    # What the feed says, not what feedparser's own sanitiser would rewrite.
    parsed = feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def _check_atom(document: Path, schema: etree.RelaxNG) -> None:
    tree = etree.parse(str(document))
    assert schema.validate(tree), (document, schema.error_log)
    # Rules RFC 4287 states in prose (Schematron in Appendix B, which RELAX NG ignores):
    for date in tree.xpath("//a:updated/text() | //a:published/text()", namespaces=NS):
        assert RFC3339.fullmatch(date), (document, date)  # §3.3: an offset is required
    feed_has_author = bool(tree.xpath("/a:feed/a:author", namespaces=NS))
    for entry in tree.xpath("//a:entry", namespaces=NS):
        assert feed_has_author or entry.xpath("a:author", namespaces=NS)  # §4.1.1
        assert entry.xpath("a:link[not(@rel) or @rel='alternate'] | a:content", namespaces=NS)
    assert not tree.xpath("//*[@type='CDATA']")  # not an Atom content type


def test_atom_sample_documents_are_valid_rfc4287(sample: Project, atom_schema: Any) -> None:
    documents = _files(sample, "atom.xml")
    assert len(documents) == 4  # the site, its one type and its two tags
    for document in documents:
        _check_atom(document, atom_schema)


def test_atom_documents_of_large_site_are_valid_rfc4287(corpus: Project, atom_schema: Any) -> None:
    documents = _files(corpus, "*.xml")
    atom = [d for d in documents if d.name not in ("rss.xml", "sitemap.xml")]
    current = [d for d in atom if d.name == "atom.xml"]
    assert len(current) == 1 + 4 + 7  # the site, each type, each tag
    archives = [d for d in atom if d.parent.name == "archive"]
    assert len(archives) + len(current) == len(atom)
    assert len([d for d in archives if d.parent.parent == corpus.root / "public"]) == 230 // 40
    for document in atom:
        _check_atom(document, atom_schema)
        hubs = etree.parse(str(document)).xpath("/a:feed/a:link[@rel='hub']/@href", namespaces=NS)
        assert hubs == ([] if document.parent.name == "archive" else HUBS), document


def test_rss_follows_the_rss_board_best_practices(corpus: Project) -> None:
    for document in _files(corpus, "rss.xml"):
        url = "https://press.example.org/" + document.parent.relative_to(
            corpus.root / "public"
        ).as_posix().removeprefix(".")
        url = url if url.endswith("/") else url + "/"
        tree = etree.parse(str(document))
        channel = tree.getroot().find("channel")
        assert channel is not None
        self_links = channel.xpath("a:link[@rel='self']/@href", namespaces=NS)
        assert self_links == [url + "rss.xml"]
        assert channel.xpath("a:link[@rel='hub']/@href", namespaces=NS) == HUBS
        assert channel.findtext("link") == url
        assert channel.findtext("language") == "en"
        assert RFC822.fullmatch(channel.findtext("lastBuildDate") or "")
        for item in channel.iter("item"):
            guid = item.find("guid")
            assert guid is not None and guid.text and guid.text.startswith("tag:")
            assert guid.get("isPermaLink") == "false"
            assert RFC822.fullmatch(item.findtext("pubDate") or "")
            assert item.xpath("dc:creator", namespaces=NS)
            assert item.find("author") is None  # RSS <author> wants an e-mail address
            assert item.xpath("content:encoded/text()", namespaces=NS)
            assert item.findtext("description")


def test_json_feeds_are_valid_json_feed_1_1(corpus: Project, sample: Project) -> None:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    documents = _files(corpus, "feed.json") + _files(sample, "feed.json")
    assert len(documents) == (1 + 4 + 7) + (1 + 1 + 2)
    for document in documents:
        feed = json.loads(document.read_bytes())
        jsonschema.validate(feed, schema)
        if document.is_relative_to(corpus.root):
            assert feed["hubs"] == [{"type": "WebSub", "url": hub} for hub in HUBS]


def _utc(struct: Any) -> int:
    return calendar.timegm(struct)


@pytest.mark.parametrize("directory", ["", "types/release/", "tags/energy/", "tags/sanktsii/"])
def test_formats_agree_on_statements_order_ids_titles_links_and_dates(
    corpus: Project, directory: str
) -> None:
    public = corpus.root / "public" / directory
    atom = _parse(public / "atom.xml").entries
    rss = _parse(public / "rss.xml").entries
    items = json.loads((public / "feed.json").read_bytes())["items"]
    # The newest 40, and up to 40 older statements corrected since (documents.py).
    assert 0 < len(atom) == len(rss) == len(items) <= 80
    for a, r, j in zip(atom, rss, items, strict=True):
        assert a.id == r.id == j["id"]
        assert a.title == r.title == j["title"]
        assert a.link == r.link == j["url"]
        published = int(datetime.fromisoformat(j["date_published"]).timestamp())
        assert _utc(a.published_parsed) == _utc(r.published_parsed) == published
        modified = int(datetime.fromisoformat(j["date_modified"]).timestamp())
        assert _utc(a.updated_parsed) == _utc(r.updated_parsed) == modified
        assert [t.term for t in a.tags] == [t.term for t in r.tags]
        assert [t.term for t in a.tags][1:] == j.get("tags", [])


def test_type_and_tag_feeds_hold_exactly_their_statements(corpus: Project) -> None:
    everything = {e.id: e for e in _parse(corpus.root / "public/atom.xml").entries}
    tagged = _parse(corpus.root / "public/tags/energy/atom.xml")
    assert tagged.feed.title == "Example Agency Statements – Energy (tag)"
    for item in tagged.entries:
        assert "Energy" in [t.term for t in item.tags]
    typed = _parse(corpus.root / "public/types/advisory/atom.xml")
    for item in typed.entries:
        assert item.tags[0].term == "Advisory"
    assert everything  # the main feed is not empty either
    # Unicode tags get transliterated, URL-safe folders.
    assert (corpus.root / "public/tags/energie-rurale/atom.xml").is_file()
    assert (corpus.root / "public/tags/sanktsii/rss.xml").is_file()


def test_pages_offer_autodiscovery_for_their_feeds(corpus: Project) -> None:
    def alternates(page: str) -> list[str]:
        tree = etree.parse(str(corpus.root / "public" / page), etree.HTMLParser())
        return [str(href) for href in tree.xpath("//head/link[@rel='alternate']/@href")]

    base = "https://press.example.org/"
    main = [base + name for name in ("atom.xml", "rss.xml", "feed.json")]
    assert alternates("index.html") == main
    assert alternates("tags/energy/index.html") == [
        f"{base}tags/energy/{name}" for name in ("atom.xml", "rss.xml", "feed.json")
    ]
    page = next((corpus.root / "public/2019/01").rglob("index.html"))
    links = alternates(str(page.relative_to(corpus.root / "public")))
    assert links[:3] == main
    assert any(link.startswith(f"{base}types/") for link in links)


def test_ids_do_not_change_with_title_body_or_site_address(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: A\ndate: 2021-11-05\nbody: a\n")
    assert run("build").exit_code == 0
    before = _parse(project.root / "public/atom.xml").entries[0].id
    project.entry("2021-11-05-x.yaml", "title: B\ndate: 2021-11-05\nbody: b\n")
    project.config(
        project.read("feedpub.yaml").replace("https://press.example.org/", "https://new.example/")
    )
    assert run("build").exit_code == 0
    after = _parse(project.root / "public/atom.xml").entries[0]
    assert after.id == before == "tag:press.example.org,2020:2021-11-05-x"
    assert after.link == "https://new.example/2021/11/05/x/"


def _archive_chain(public: Path) -> list[list[str]]:
    """Walk prev-archive links from the subscription document, as RFC 5005 §4.2 says."""
    chain: list[list[str]] = []
    document = etree.parse(str(public / "atom.xml"))
    while True:
        prev = document.xpath("/a:feed/a:link[@rel='prev-archive']/@href", namespaces=NS)
        if not prev:
            return chain
        path = public / prev[0].removeprefix("https://press.example.org/")
        document = etree.parse(str(path))
        assert document.xpath("/a:feed/fh:archive", namespaces=NS), path
        current = document.xpath("/a:feed/a:link[@rel='current']/@href", namespaces=NS)
        assert current == ["https://press.example.org/atom.xml"]
        chain.append(document.xpath("/a:feed/a:entry/a:id/text()", namespaces=NS))


def test_archives_let_an_offline_reader_recover_every_statement(corpus: Project) -> None:
    public = corpus.root / "public"
    subscription = etree.parse(str(public / "atom.xml")).xpath(
        "/a:feed/a:entry/a:id/text()", namespaces=NS
    )
    chain = _archive_chain(public)
    assert len(chain) == 230 // 40 and all(len(ids) == 40 for ids in chain)
    recovered = set(subscription).union(*chain)
    all_ids = {e.id for e in _parse(public / "atom.xml").entries}
    assert all_ids <= recovered
    assert len(recovered) == 230


def test_archive_next_links_run_forward(corpus: Project) -> None:
    public = corpus.root / "public"
    for number in range(1, 230 // 40 + 1):
        tree = etree.parse(str(public / f"archive/{number}.xml"))
        nxt = tree.xpath("/a:feed/a:link[@rel='next-archive']/@href", namespaces=NS)
        expected = (
            [] if number == 230 // 40 else [f"https://press.example.org/archive/{number + 1}.xml"]
        )
        assert nxt == expected


def test_archive_bytes_do_not_change_when_a_statement_is_published(
    project: Project, run: Run
) -> None:
    project.config(project.read("feedpub.yaml") + "feed_limit: 3\n")
    for day in range(1, 8):
        project.entry(
            f"2021-03-0{day}-s{day}.yaml", f"title: S{day}\ndate: 2021-03-0{day}\nbody: x\n"
        )
    assert run("build").exit_code == 0
    before = {k: v for k, v in project.tree().items() if k.startswith("archive/")}
    assert sorted(before) == ["archive/1.xml", "archive/2.xml"]
    project.entry("2021-03-09-s9.yaml", "title: S9\ndate: 2021-03-09\nbody: x\n")
    assert run("build").exit_code == 0
    after = {k: v for k, v in project.tree().items() if k.startswith("archive/")}
    assert after == before
    # The ninth statement completes a third archive: the older ones keep their entries, and
    # only the newest of them gains its next-archive link (RFC 5005 §4).
    project.entry("2021-03-10-s10.yaml", "title: S10\ndate: 2021-03-10\nbody: x\n")
    assert run("build").exit_code == 0
    third = project.tree()
    assert third["archive/1.xml"] == before["archive/1.xml"]
    assert (
        third["archive/2.xml"].replace(
            b'  <link href="https://press.example.org/archive/3.xml" rel="next-archive"'
            b' type="application/atom+xml"/>\n',
            b"",
        )
        == before["archive/2.xml"]
    )
    assert "archive/3.xml" in third


def test_attachments_are_copied_and_enclosed_in_every_format(project: Project, run: Run) -> None:
    pdf = b"%PDF-1.4 signed statement\n" * 10
    project.entry("2021-11-05-rates.pdf", pdf)
    project.entry("2021-11-05-photo.jpg", b"\xff\xd8\xff" + b"0" * 97)
    project.entry(
        "2021-11-05-rates.yaml",
        "title: Rates\ndate: 2021-11-05\nbody: x\nattachments:\n"
        "  - {file: 2021-11-05-rates.pdf, title: Signed statement}\n  - 2021-11-05-photo.jpg\n",
    )
    result = run("build")
    assert result.exit_code == 0, result.stderr
    public = project.root / "public"
    assert (public / "2021/11/05/rates/2021-11-05-rates.pdf").read_bytes() == pdf
    url = "https://press.example.org/2021/11/05/rates/2021-11-05-rates.pdf"
    atom = etree.parse(str(public / "atom.xml"))
    enclosures = atom.xpath("//a:entry/a:link[@rel='enclosure']", namespaces=NS)
    assert [dict(e.attrib) for e in enclosures] == [
        {
            "rel": "enclosure",
            "href": url,
            "type": "application/pdf",
            "length": str(len(pdf)),
            "title": "Signed statement",
        },
        {
            "rel": "enclosure",
            "href": url.replace("rates.pdf", "photo.jpg"),
            "type": "image/jpeg",
            "length": "100",
            "title": "2021-11-05-photo.jpg",
        },
    ]
    rss = etree.parse(str(public / "rss.xml"))
    assert [dict(e.attrib) for e in rss.xpath("//item/enclosure")] == [
        {"url": url, "length": str(len(pdf)), "type": "application/pdf"}
    ]
    item = json.loads((public / "feed.json").read_bytes())["items"][0]
    assert item["attachments"][0] == {
        "url": url,
        "mime_type": "application/pdf",
        "title": "Signed statement",
        "size_in_bytes": len(pdf),
    }
    page = (public / "2021/11/05/rates/index.html").read_text()
    assert '<a href="2021-11-05-rates.pdf" type="application/pdf">Signed statement</a>' in page


def test_feed_metadata_icon_logo_rights_generator_and_language(project: Project, run: Run) -> None:
    project.file("static/icon.png", b"\x89PNG")
    project.file("static/logo.png", b"\x89PNG")
    project.config(
        project.read("feedpub.yaml")
        + "icon: icon.png\nlogo: logo.png\nrights: © 2021 Example Agency\n"
    )
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    assert run("build").exit_code == 0
    atom = _parse(project.root / "public/atom.xml").feed
    assert atom.icon == "https://press.example.org/icon.png"
    assert atom.logo == "https://press.example.org/logo.png"
    assert atom.rights == "© 2021 Example Agency"
    assert atom.generator == "feedpub"
    tree = etree.parse(str(project.root / "public/atom.xml"))
    assert tree.getroot().get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    rss = _parse(project.root / "public/rss.xml").feed
    assert rss.image.href == "https://press.example.org/logo.png"
    assert rss.rights == "© 2021 Example Agency"
    document = json.loads((project.root / "public/feed.json").read_bytes())
    assert (document["icon"], document["favicon"]) == (
        "https://press.example.org/logo.png",
        "https://press.example.org/icon.png",
    )


def test_corrections_show_as_updated_in_every_format_and_on_the_page(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05T09:00\nupdated: 2021-11-07T16:30\nbody: x\n",
    )
    assert run("build").exit_code == 0
    public = project.root / "public"
    expected = "2021-11-07T16:30:00+01:00"
    atom = _parse(public / "atom.xml").entries[0]
    rss = _parse(public / "rss.xml").entries[0]
    assert _utc(atom.updated_parsed) == _utc(rss.updated_parsed)
    assert atom.updated == rss.updated == expected
    assert json.loads((public / "feed.json").read_bytes())["items"][0]["date_modified"] == expected
    page = (public / "2021/11/05/x/index.html").read_text()
    assert f'Updated <time datetime="{expected}">November 7, 2021</time>' in page

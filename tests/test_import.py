"""feedpub import: real-world feed shapes become entries that check accepts, ids kept.

Fixtures are in tests/imports/ (their sources and licences in its README.md); feeds that
exercise one rule are written inline. A server on 127.0.0.1 stands in for the old site.
"""

from __future__ import annotations

import html
import http.server
import json
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import feedparser
import pytest

from conftest import EXAMPLE_CONFIG, Project, Run
from feedpub.errors import Problems
from feedpub.imports import attach, import_sources, read
from feedpub.load import read_document
from feedpub.new import EntryFields, format_entry

FIXTURES = Path(__file__).resolve().parent / "imports"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def _entries(project: Project) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((project.root / "entries").glob("*.yaml"))}


def _check_passes(run: Run) -> None:
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Example Agency</title><link>https://press.example.org/</link><description>d</description>
{items}
</channel></rss>
"""


def rss(*items: str) -> str:
    return RSS.format(items="\n".join(f"<item>{item}</item>" for item in items))


# --- real-world shapes --------------------------------------------------------------------


def test_import_wordpress_rss_and_atom_of_one_site_become_one_entry_each(
    project: Project, run: Run
) -> None:
    result = run("import", fixture("wordpress-rss2.xml"), fixture("wordpress-atom10.xml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 2 statements, 0 already present, 0 skipped"
    )
    entries = _entries(project)
    assert sorted(entries) == [
        "2009-02-15-the-example-agency-opens-an-office-in-dunedin.yaml",
        "2009-03-02-example-agency-s-reading-list-for-2009.yaml",
    ]
    text = entries["2009-02-15-the-example-agency-opens-an-office-in-dunedin.yaml"]
    assert text.startswith(
        'title: "The Example Agency opens an office in Dunedin"\n'
        "date: 2009-02-15T03:29:21+00:00\n"
        'type: "Statement"\n'
        'tags: ["Offices", "Announcements"]\n'
        'byline: "pressoffice"\n'
        'summary: "It’s been a busy few weeks. The Example Agency moved its regional team to'
        " Dunedin, where the new office opened on Monday. Currently the office looks much like"
        ' the old one, seeing as [...]"\n'
        "# The permanent id feed readers know this statement by: keep it if you rename the file.\n"
        'id: "http://www.example.org/?p=105"\n'
        "body: |\n"
        "  It’s been a busy few weeks. The Example Agency moved its regional team to"
        " [Dunedin](http://dunedin.example.org), where the new office opened on Monday.\n\n"
        "  \\\n  The move began with a long trip."
    )
    assert (
        "  ![The new office](http://www.example.org/wp-content/uploads/2009/02/office.jpg?v=0)\n"
        in text
    )
    assert "  ```\n  Monday to Friday, 9:00 to 17:00\n  ```\n" in text
    reading = entries["2009-03-02-example-agency-s-reading-list-for-2009.yaml"]
    assert reading.endswith(
        "  **Attachments**\n\n"
        "  - [reading-list.pdf](<http://www.example.org/wp-content/uploads/2009/03/reading-list.pdf>)"
        " (application/pdf, 47 KB)\n"
    )
    _check_passes(run)


def test_import_wordpress_export_takes_published_posts_at_their_own_offset(
    project: Project, run: Run
) -> None:
    result = run("import", fixture("wordpress-com-export.xml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 7 statements, 0 already present, 9 skipped"
    )
    shown = fixture("wordpress-com-export.xml")
    assert f"{shown}:80:5: item: warning: skipped 'About': is a WordPress page, not a post" in (
        result.errors
    )
    assert (
        f"{shown}:510:5: item: warning: skipped 'Placeholder Image': is a WordPress attachment,"
        " not a post"
    ) in result.errors
    text = _entries(project)["2025-01-19-blog-post-1.yaml"]
    # WordPress's local time and its UTC time give the offset; pubDate only says +0000.
    assert "\ndate: 2025-01-18T18:39:44-08:00\n" in text
    assert '\ntags: ["code", "Foo", "ruby", "ship", "stars"]\n' in text
    assert '  ```\n  query = "Generate an image' in text
    art = _entries(project)["2025-01-19-the-art-of-connection.yaml"]
    assert "\ntags: []\n" in art  # WordPress's "Uncategorized" is no tag
    assert 'summary: "In the ever-evolving world, the art of forging' in art  # the excerpt
    _check_passes(run)


def test_import_rss_091_reads_its_entities_and_skips_its_undated_items(
    project: Project, run: Run
) -> None:
    result = run("import", fixture("rss091-netscape.xml"))
    assert result.exit_code == 1  # nothing was brought over
    assert result.errors == [
        f"{fixture('rss091-netscape.xml')}:10:1: date: warning: skipped 'Example Agency names a"
        " new délégué': it has no date (published or updated)"
    ]
    assert result.stdout == "feedpub: imported 0 statements, 0 already present, 1 skipped\n"


def test_import_keeps_a_plain_rss_guid_verbatim(project: Project, run: Run) -> None:
    # Needs the lead's plain-id validation (HELPERS.md: "Entry ids").
    result = run("import", fixture("rss094.xml"))
    assert result.exit_code == 0, result.stderr
    [text] = _entries(project).values()
    assert '\nid: "12345"\n' in text
    assert "\ndate: 2004-02-05T10:00-05:00\n" in text
    assert "  The Example Agency published answers" in text
    assert "\n\n  The answers are in the annex.\n" in text
    _check_passes(run)
    assert run("build").exit_code == 0
    guid = feedparser.parse(project.read("public/rss.xml")).entries[0]
    assert (guid.id, guid.guidislink) == ("12345", False)


def test_import_makes_line_and_paragraph_separators_line_breaks(project: Project, run: Run) -> None:
    # A word processor's U+2029 in an item's text: the entry written held it, check refused
    # it ("a line break to YAML but not to most editors"), and the item was skipped.
    project.file(
        "feed.xml",
        rss(
            "<title>Rates\u2029for 2022</title><guid>urn:example-agency:1</guid>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0000</pubDate>"
            "<description>&lt;p&gt;One.\u2029Two.\u2028Three.&lt;/p&gt;</description>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 1 statement, 0 already present, 0 skipped"
    )
    [text] = _entries(project).values()
    assert 'title: "Rates for 2022"\n' in text
    assert "body: |\n  One.\n  Two.\n  Three.\n" in text  # HTML's text: line breaks are spaces
    _check_passes(run)


def test_import_keeps_a_drupal_guid_with_spaces_verbatim(project: Project, run: Run) -> None:
    # Every item was skipped ("its id has white space") and the run imported nothing.
    result = run("import", fixture("drupal-rss.xml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 2 statements, 0 already present, 0 skipped"
    )
    texts = _entries(project).values()
    assert sorted(t.split("\nid: ")[1].split("\n")[0] for t in texts) == [
        '"1234 at https://www.example.gov"',
        '"1240 at https://www.example.gov"',
    ]
    _check_passes(run)
    again = run("import", fixture("drupal-rss.xml"))
    assert again.stdout == "feedpub: imported 0 statements, 2 already present, 0 skipped\n"


def test_import_skips_an_id_check_would_refuse_saying_why(project: Project, run: Run) -> None:
    dated = "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
    project.file(
        "feed.xml",
        rss(
            f"<guid>1234  at https://www.example.gov</guid><title>Two spaces</title>{dated}",
            f"<guid>tag:example.gov,2021:a b</guid><title>URI</title>{dated}",
            f"<guid>12 at https://www.example.gov</guid><title>Kept</title>{dated}",
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    assert result.errors == [
        "feed.xml:5:1: id: warning: skipped 'Two spaces': feedpub check would refuse its id"
        " ('1234  at https://www.example.gov' holds white space other than single spaces"
        " between words; a plain id may hold those, a URI none)",
        "feed.xml:6:1: id: warning: skipped 'URI': feedpub check would refuse its id"
        " ('tag:example.gov,2021:a b' is a URI (it starts with tag:) and holds white space,"
        " which a URI cannot; write a space as %20)",
    ]
    _check_passes(run)


def test_import_drops_bidirectional_overrides_check_refuses_in_one_line_fields(
    project: Project, run: Run, tmp_path: Path
) -> None:
    # A title holding U+202E was written as it came, and the entry failed `check`.
    feed = tmp_path / "feed.xml"
    feed.write_text(
        rss(
            "<title>Minister \u202eseton s%02 yletarucca</title><guid>1</guid>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            "<category>Budget\u202d</category><description>A \u202etxet\u202c.</description>"
            "<content:encoded>&lt;p&gt;The body.&lt;/p&gt;</content:encoded>"
        )
    )
    result = run("import", str(feed))
    assert result.exit_code == 0, result.stderr
    [text] = _entries(project).values()
    assert 'title: "Minister seton s%02 yletarucca"\n' in text
    assert "\u202e" not in text and "\u202d" not in text
    _check_passes(run)


def test_import_gives_an_item_without_type_the_name_the_default_type_was_renamed(
    project: Project, run: Run, tmp_path: Path
) -> None:
    # With `Statement: Comment` in section_aliases, import wrote `type: "Statement"`, an old
    # name no statement may use, and the next check failed.
    project.config(EXAMPLE_CONFIG + "section_aliases:\n  types:\n    Statement: Comment\n")
    project.entry("2021-11-04-c.yaml", "title: C\ndate: 2021-11-04\ntype: Comment\nbody: x\n")
    feed = tmp_path / "feed.xml"
    feed.write_text(
        rss(
            "<title>Fees</title><guid>1</guid><pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            "<description>Text.</description>"
        )
    )
    assert run("import", str(feed)).exit_code == 0
    assert '\ntype: "Comment"\n' in _entries(project)["2021-11-05-fees.yaml"]
    _check_passes(run)


def test_import_json_feed_with_uri_ids(project: Project, run: Run) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Example Agency",
        "language": "en",
        "items": [
            {
                "id": "https://www.example.org/news/1",
                "url": "https://www.example.org/news/1",
                "title": "Example Agency: rates for <2022>",
                "content_text": "Rates rise by 2 * 3 percent.\n\n# Not a heading",
                "summary": "New rates.",
                "date_published": "2021-11-05T10:00:00.52+01:00",
                "date_modified": "2021-11-06T09:30:00+01:00",
                "authors": [{"name": "Press Office"}, {"name": "Director"}],
                "tags": ["Rates", "rates", "Budget"],
                "language": "fr",
            }
        ],
    }
    project.file("feed.json", json.dumps(feed))
    result = run("import", "feed.json")
    assert result.exit_code == 0, result.stderr
    [text] = _entries(project).values()
    assert text == (
        'title: "Example Agency: rates for <2022>"\n'
        "date: 2021-11-05T10:00+01:00\n"
        "updated: 2021-11-06T09:30+01:00\n"
        'type: "Statement"\n'
        'tags: ["Rates", "Budget"]\n'
        'byline: ["Press Office", "Director"]\n'
        'summary: "New rates."\n'
        'language: "fr"\n'
        "# The permanent id feed readers know this statement by: keep it if you rename the file.\n"
        'id: "https://www.example.org/news/1"\n'
        "body: |\n"
        "  Rates rise by 2 \\* 3 percent.\n"
        "\n"
        "  \\# Not a heading\n"
    )
    _check_passes(run)


def _in_language(kind: str, language: str) -> tuple[str, str]:
    """A feed of one item whose feed (not the item) says `language`: (file name, text)."""
    item = {
        "id": "https://www.example.org/news/1",
        "title": "Communiqué",
        "content_text": "Les tarifs augmentent.",
        "date_published": "2021-11-05T10:00:00+01:00",
    }
    if kind == "json":
        feed = {"version": "https://jsonfeed.org/version/1.1", "language": language}
        return "feed.json", json.dumps({**feed, "items": [item]})
    if kind == "atom":
        return "feed.xml", (
            '<?xml version="1.0"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{language}">'
            "<title>t</title><id>urn:feed</id><updated>2021-11-05T10:00:00+01:00</updated>\n"
            "<entry><id>https://www.example.org/news/1</id><title>Communiqué</title>"
            "<updated>2021-11-05T10:00:00+01:00</updated><content type='html'>"
            "&lt;p&gt;Les tarifs augmentent.&lt;/p&gt;</content></entry></feed>"
        )
    channel = f"<description>d</description><language>{language}</language>"
    text = rss(
        "<guid>https://www.example.org/news/1</guid><title>Communiqué</title>"
        "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
        "<description>Les tarifs augmentent.</description>"
    ).replace("<description>d</description>", channel)
    if kind == "wxr":  # WordPress writes the site's language as the channel's
        text = text.replace("<rss ", '<rss xmlns:wp="http://wordpress.org/export/1.2/" ')
        text = text.replace("description>Les", "content:encoded>Les")
        text = text.replace("augmentent.</description>", "augmentent.</content:encoded>")
    return "feed.xml", text


@pytest.mark.parametrize("kind", ["rss", "atom", "json", "wxr"])
@pytest.mark.parametrize(
    ("site", "feed", "written"),
    [("en", "fr", "fr"), ("en", "fr-FR", "fr-FR"), ("en-GB", "en-gb", ""), ("en", "EN", "")],
)
def test_import_gives_each_item_its_feed_s_language_unless_it_is_the_site_s(
    project: Project, run: Run, kind: str, site: str, feed: str, written: str
) -> None:
    # A French feed imported into an English site wrote no language: its statements were
    # published as English, in the English feeds, with <html lang="en">.
    project.config(EXAMPLE_CONFIG.replace("language: en\n", f"language: {site}\n"))
    name, text = _in_language(kind, feed)
    project.file(name, text)
    result = run("import", name)
    assert result.exit_code == 0, result.stderr
    [entry] = _entries(project).values()
    assert (f'\nlanguage: "{written}"\n' in entry) if written else ("\nlanguage:" not in entry)
    _check_passes(run)


def test_import_json_feed_fixtures_of_other_libraries(project: Project, run: Run) -> None:
    result = run(
        "import",
        fixture("gofeed-version_json_10.json"),
        fixture("gofeed-version_json_11.json"),
        fixture("feedparser-example.json"),
    )
    shown = fixture("feedparser-example.json")
    assert f"{shown}: date: warning: skipped 'post 2': it has no date (published or updated)" in (
        result.errors
    )
    assert f"{shown}: title: warning: skipped '1': it has no title" in result.errors
    # gofeed's two files hold the same item (plain id "id"): one entry, needing plain ids.
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 1 statement, 0 already present, 2 skipped"
    ), result.stderr
    [text] = _entries(project).values()
    assert '\nid: "id"\n' in text and "\ndate: 2019-10-12T07:20:50Z" not in text
    assert "\ndate: 2019-10-12T07:20:50+00:00\n" in text
    assert '\ntags: ["tag1", "tag2"]\n' in text
    assert "  - [title](<https://sample-json-feed.com/attachment>) (audio/mpeg, 100 bytes)" in text
    _check_passes(run)


def test_import_atom_archive_chain_from_local_copies(project: Project, run: Run) -> None:
    result = run("import", fixture("chain/atom.xml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 6 statements, 0 already present, 0 skipped"
    )
    entries = _entries(project)
    assert len(entries) == 6
    # Statement 4 is in the current document and in archive 2: one entry, tags united.
    assert (
        '\ntags: ["Archive test", "Corrected"]\n'
        in (entries["2005-02-10-example-agency-statement-number-4.yaml"])
    )
    _check_passes(run)


_ARCHIVED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Agency</title><id>tag:old.example.org,2005:news</id>
  <updated>2005-03-01T10:00:00+01:00</updated>{self}
  <link rel="prev-archive" href="{previous}"/>
  <entry>
    <title>Rates</title><id>tag:old.example.org,2005:rates</id>
    <published>2005-03-01T10:00:00+01:00</published><updated>2005-03-01T10:00:00+01:00</updated>
    <content type="html">&lt;p&gt;Rates rise.&lt;/p&gt;</content>
  </entry>
</feed>
"""
_SECRET = rss(
    "<guid>memo-1</guid><title>Internal memo</title>"
    "<pubDate>Tue, 03 Mar 2020 10:00:00 GMT</pubDate><description>Confidential</description>"
)


@pytest.mark.parametrize(
    ("self_link", "previous"),
    [
        ("", "{secret}"),
        ("", "{quoted}"),
        ("https://old.example.org/news/atom.xml", "{quoted}"),
        ("", "link.xml"),  # a symbolic link beside the feed, to a file outside its folder
    ],
)
def test_import_reads_local_archives_only_in_the_feed_file_s_folder(
    project: Project, run: Run, tmp_path: Path, self_link: str, previous: str
) -> None:
    # "%2Ftmp%2F...": unquoted, an absolute path replaced the folder, and any file was read.
    secret = tmp_path / "secret" / "private.xml"
    secret.parent.mkdir()
    secret.write_text(_SECRET)
    (project.root / "old").mkdir()
    (project.root / "old" / "link.xml").symlink_to(secret)
    href = previous.format(secret=secret, quoted=str(secret).replace("/", "%2F"))
    link = f'\n  <link rel="self" href="{self_link}"/>' if self_link else ""
    project.file("old/atom.xml", _ARCHIVED.format(self=link, previous=href))
    result = run("import", "old/atom.xml")
    assert result.exit_code == 0, result.stderr
    expected = (
        f"old/atom.xml: warning: its prev-archive {href} is outside the feed file's folder (old),"
        " where its local copies are read from, and was not read; copy the archive beside the"
        " feed file, or import it as a SOURCE of its own"
    )
    if previous == "{secret}":  # absolute, without a self link: refused as before
        expected = (
            f"old/atom.xml: warning: its prev-archive {href} cannot be found beside the file (it"
            " has no self link); import the feed from its URL to follow it"
        )
    assert result.errors == [expected]
    assert [p.name for p in (project.root / "entries").glob("*.yaml")] == ["2005-03-01-rates.yaml"]


# --- bad input ----------------------------------------------------------------------------


def test_import_reports_a_malformed_source_and_still_imports_the_others(
    project: Project, run: Run
) -> None:
    project.file("broken.json", '{"version": "https://jsonfeed.org/version/1.1",\n "items": [}\n')
    result = run("import", fixture("medium-rss.xml"), "broken.json", fixture("wordpress-rss2.xml"))
    assert result.exit_code == 1
    assert result.errors[:2] == [
        f"{fixture('medium-rss.xml')}:31:25: not well-formed XML (not well-formed (invalid"
        " token)); nothing was imported from it",
        "broken.json:2:12: not well-formed JSON (Expecting value); nothing was imported from it",
    ]
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 2 statements, 0 already present, 0 skipped"
    )


def _declared(encoding: str, title: str, codec: str = "") -> bytes:
    """An RSS feed of one item titled `title`, in `codec`, declaring `encoding`."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if encoding else ""
    text = (
        declaration
        + rss(
            f"<guid>https://www.example.org/a</guid><title>{title}</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
        ).split("\n", 1)[1]
    )
    return text.encode(codec or encoding)


@pytest.mark.parametrize(
    ("encoding", "codec", "title"),
    [
        ("Shift_JIS", "", "記者発表"),
        ("GB2312", "", "新闻稿"),
        ("EUC-KR", "", "보도자료"),
        ("Big5", "", "新聞稿"),
        ("UTF-7", "", "Élysée"),
        ("UTF-32", "utf-32", "Élysée"),  # a byte order mark, as UTF-32 needs
        ("", "utf-32-le", "Élysée"),  # none: its first bytes tell (XML 1.0 Appendix F)
        ("Shift_JIS", "utf-16", "記者発表"),  # the byte order mark wins, as feedparser has it
        ("windows-1252", "", "“Quotes” – €"),
        ("UTF8", "utf-8", "Élysée"),  # Python's spellings, not expat's: "invalid token"
        ("utf_8", "utf-8", "Élysée"),
        ("latin1", "latin-1", "Élysée"),
    ],
)
def test_import_decodes_a_feed_in_any_encoding_expat_cannot_read_itself(
    project: Project, run: Run, encoding: str, codec: str, title: str
) -> None:
    # Shift_JIS, GB2312, EUC-KR, Big5, UTF-7 and UTF-32 ended in expat's ValueError.
    project.file("feed.xml", _declared(encoding, title, codec))
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    [text] = _entries(project).values()
    assert text.startswith(f'title: "{title}"\n')
    _check_passes(run)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            _declared("x-unknown", "t", "ascii"),
            "bad.xml:1:31: encoding: the XML declaration names the encoding 'x-unknown', which"
            ' feedpub does not know; save the feed as UTF-8 with encoding="UTF-8" and import it'
            " again; nothing was imported from it",
        ),
        (
            _declared("base64", "t", "ascii"),
            "bad.xml:1:31: encoding: the XML declaration names the encoding 'base64', which"
            ' feedpub does not know; save the feed as UTF-8 with encoding="UTF-8" and import it'
            " again; nothing was imported from it",
        ),
        (
            _declared("UTF-32", "t", "ascii"),
            "bad.xml:1:31: encoding: the XML declaration says UTF-32, but is itself written in"
            " ASCII, so the file cannot be UTF-32; declare the encoding it is written in (such as"
            ' encoding="UTF-8") and import it again; nothing was imported from it',
        ),
        (  # a traceback: UTF-7 can spell half of a UTF-16 pair, which UTF-8 cannot hold
            _declared("UTF-7", "t").replace(b"+-0100", b"GMT").replace(b">t<", b">+2AA-<"),
            "bad.xml:5:52: encoding: UTF-7 text here stands for half of a character (U+D800),"
            " which no text may hold; save the feed as UTF-8 and import it again; nothing was"
            " imported from it",
        ),
        (
            _declared("Shift_JIS", "\u00e9", "latin-1"),
            "bad.xml:5:52: encoding: the byte 0xe9 is not Shift_JIS text, as the file says it is;"
            " save it as UTF-8, or declare the encoding it is written in; nothing was imported"
            " from it",
        ),
    ],
)
def test_import_reports_an_encoding_it_cannot_read_and_still_imports_the_others(
    project: Project, run: Run, data: bytes, expected: str
) -> None:
    # An unknown encoding ended the whole run in LookupError: no source was imported.
    project.file("bad.xml", data)
    result = run("import", "bad.xml", fixture("wordpress-rss2.xml"))
    assert result.exit_code == 1
    assert result.errors == [expected]
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 2 statements, 0 already present, 0 skipped"
    )


def test_import_reads_a_json_feed_holding_a_number_past_int_s_limit(
    project: Project, run: Run
) -> None:
    # json.loads raised ValueError (Python's 4,300-digit limit on int strings): a traceback.
    item = {
        "id": "https://www.example.org/news/1",
        "title": "Rates",
        "content_text": "Rates rise.",
        "date_published": "2021-11-05T10:00:00+01:00",
    }
    text = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]})
    project.file("feed.json", text.replace('"items"', f'"n": {"7" * 5000}, "items"'))
    result = run("import", "feed.json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 1 statement, 0 already present, 0 skipped"
    )


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>Example Agency</title><link>https://old.example.org</link><description>d</description>
{items}
</channel></rss>
"""


def _wxr_post(title: str, password: str) -> str:
    return (
        f'<item><title>{title}</title><guid isPermaLink="false">https://old.example.org/?p={title}'
        "</guid><content:encoded><![CDATA[<p>Only for the board.</p>]]></content:encoded>"
        "<wp:post_date>2020-03-03 10:00:00</wp:post_date>"
        "<wp:post_date_gmt>2020-03-03 09:00:00</wp:post_date_gmt>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        f"<wp:post_password>{password}</wp:post_password></item>"
    )


def test_import_skips_a_password_protected_wordpress_post_and_names_it(
    project: Project, run: Run
) -> None:
    # A published post with a password was imported whole: its body made public.
    items = "\n".join([_wxr_post("Open", ""), _wxr_post("Board", "s3cret")])
    project.file("export.xml", WXR.format(items=items))
    result = run("import", "export.xml")
    assert result.exit_code == 0, result.stderr
    assert result.errors == [
        "export.xml:6:1: item: warning: skipped 'Board': is protected by a WordPress password:"
        " not public, so not imported"
    ]
    assert list(_entries(project)) == ["2020-03-03-open.yaml"]


def test_import_skips_items_without_title_or_date_and_says_why(project: Project, run: Run) -> None:
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            "<description>No title.</description>",
            "<guid>https://www.example.org/b</guid><title>No date</title>"
            "<description>No date.</description>",
            "<title>No id</title><pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>",
            "<guid>https://www.example.org/c</guid><title>Bad date</title>"
            "<pubDate>the fifth of November</pubDate><description>x</description>",
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 1  # nothing was brought over
    assert result.errors == [
        "feed.xml:5:1: title: warning: skipped 'https://www.example.org/a': it has no title",
        "feed.xml:6:1: date: warning: skipped 'No date': it has no date (published or updated)",
        "feed.xml:7:1: id: warning: skipped 'No id': it has no id and no link, so its"
        " subscribers could not recognise it",
        "feed.xml:8:1: date: warning: skipped 'Bad date': its published date 'the fifth of"
        " November' is neither ISO 8601 nor RFC 822",
    ]
    assert result.stdout == "feedpub: imported 0 statements, 0 already present, 4 skipped\n"


def test_import_exits_1_when_every_item_of_every_source_is_skipped(
    project: Project, run: Run
) -> None:
    # It exited 0 having imported nothing: a script moving a site went on as if it had.
    dated = "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
    project.file("a.xml", rss(f"<guid>https://www.example.org/a</guid>{dated}"))
    project.file("b.xml", rss("<guid>https://www.example.org/b</guid><title>B</title>"))
    result = run("import", "a.xml", "b.xml")
    assert (result.exit_code, result.stdout) == (
        1,
        "feedpub: imported 0 statements, 0 already present, 2 skipped\n",
    )
    assert len(result.errors) == 2
    assert not _entries(project)
    # One item taken (or already present) is a run that brought something over.
    project.file("c.xml", rss(f"<guid>https://www.example.org/c</guid><title>C</title>{dated}"))
    assert run("import", "a.xml", "c.xml").exit_code == 0
    assert run("import", "a.xml", "c.xml").exit_code == 0  # c is already present


def test_import_skips_an_item_whose_date_cannot_be_and_imports_the_others(
    project: Project, run: Run
) -> None:
    # An impossible date ended the run in a traceback, and no item was imported.
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>Good</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>",
            "<guid>https://www.example.org/b</guid><title>February</title>"
            "<pubDate>Mon, 31 Feb 2025 10:00:00 +0000</pubDate><description>x</description>",
            "<guid>https://www.example.org/c</guid><title>Far</title>"
            "<pubDate>9999-12-31T23:00:00-05:00</pubDate><description>x</description>",
            "<guid>https://www.example.org/d</guid><title>Leap second</title>"
            "<pubDate>2016-12-31T23:59:60Z</pubDate><description>x</description>"
            "<link>https://www.example.org/2016/00/00/odd/</link>",  # no day: not an address
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:6:1: date: warning: skipped 'February': its published date 'Mon, 31 Feb 2025"
        " 10:00:00 +0000' is not a real date",
        "feed.xml:7:1: date: warning: skipped 'Far': its published date"
        " '9999-12-31T23:00:00-05:00' is not a real date",
    ]
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 2 statements, 0 already present, 2 skipped"
    )
    _check_passes(run)


def test_import_tells_of_two_items_sharing_one_id_not_merges_them_unsaid(
    project: Project, run: Run
) -> None:
    # A CMS putting its section's address in every guid: the second item vanished unsaid.
    guid = "<guid isPermaLink='false'>https://www.example.org/news/</guid>"
    project.file(
        "feed.xml",
        rss(
            f"{guid}<title>Depot</title><pubDate>Tue, 03 Jun 2025 10:00:00 +0000</pubDate>"
            "<description>A depot.</description>",
            f"{guid}<title>Timetable</title><pubDate>Wed, 04 Jun 2025 10:00:00 +0000</pubDate>"
            "<description>A timetable.</description>",
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:6:1: id: warning: skipped 'Timetable': its id 'https://www.example.org/news/'"
        " is also that of 'Depot'"
    ]
    # The same day, another title (a corrected one in an older copy): the same statement.
    project.file("feed.xml", project.read("feed.xml").replace("Wed, 04 Jun", "Tue, 03 Jun"))
    (project.root / "entries" / next(iter(_entries(project)))).unlink()
    again = run("import", "feed.xml")
    assert again.errors == [
        "feed.xml:6:1: id: warning: its id 'https://www.example.org/news/' is also that of"
        " 'Depot', of the same day: merged"
    ]
    assert len(_entries(project)) == 1
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 1 statement, 0 already present, 1 skipped"
    )


def test_import_resolves_relative_links_against_the_item_s_page(project: Project, run: Run) -> None:
    # A JSON Feed's, and an RSS file's with no xml:base, were kept relative: on the new site
    # /img/depot.jpg pointed at nothing.
    body = '<p>See <a href="/news/map.html">the map</a>.</p><p><img src="/img/x.jpg" alt="X"></p>'
    project.file(
        "feed.json",
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Example Agency",
                "items": [
                    {
                        "id": "https://www.example.org/news/depot",
                        "url": "https://www.example.org/news/depot",
                        "title": "Depot",
                        "date_published": "2025-03-01T10:00:00+01:00",
                        "content_html": body,
                    }
                ],
            }
        ),
    )
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/news/bridge</guid><title>Bridge</title>"
            "<link>https://www.example.org/news/bridge</link>"
            "<pubDate>Sat, 01 Mar 2025 10:00:00 +0100</pubDate>"
            f"<description>{html.escape(body)}</description>"
        ),
    )
    assert run("import", "feed.json", "feed.xml").exit_code == 0
    for text in _entries(project).values():
        assert "[the map](https://www.example.org/news/map.html)" in text
        assert "![X](https://www.example.org/img/x.jpg)" in text
    _check_passes(run)


def test_import_resolves_relative_links_however_the_html_writes_its_attributes(
    project: Project, run: Run
) -> None:
    # Only href="..." in double quotes was resolved: the others stayed relative and, on the
    # new site, pointed into it.
    body = (
        "<p><a href='/sq'>single</a> <a href=/uq>unquoted</a> <A HREF=\"/upper\">upper</A>"
        ' <a href = "/spaced">spaced</a> <a title="x>y" href="rel/page.html">after a ">"</a>'
        " <a href='/q?a=1&amp;b=2'>entity</a> <a href=\"https://other.example/x\">absolute</a>"
        ' <a href="mailto:press@example.org">mail</a></p>'
        "<p><img src=/img/a.png alt=A> <IMG SRC='/img/b.png' ALT='B'></p>"
    )
    item = {
        "id": "https://www.example.org/news/depot",
        "url": "https://www.example.org/news/depot",
        "title": "Depot",
        "date_published": "2025-03-01T10:00:00+01:00",
        "content_html": body,
    }
    project.file("feed.json", json.dumps({"version": "1.1", "title": "E", "items": [item]}))
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/news/bridge</guid><title>Bridge</title>"
            "<link>https://www.example.org/news/bridge</link>"
            "<pubDate>Sat, 01 Mar 2025 11:00:00 +0100</pubDate>"
            f"<description>{html.escape(body)}</description>"
        ),
    )
    result = run("import", "feed.json", "feed.xml")
    assert result.exit_code == 0, result.stderr
    entries = _entries(project)
    assert len(entries) == 2
    for text in entries.values():
        for expected in (
            "[single](https://www.example.org/sq)",
            "[unquoted](https://www.example.org/uq)",
            "[upper](https://www.example.org/upper)",
            "[spaced](https://www.example.org/spaced)",
            '[after a ">"](https://www.example.org/news/rel/page.html "x>y")',
            "[entity](https://www.example.org/q?a=1&b=2)",
            "[absolute](https://other.example/x)",
            "[mail](mailto:press@example.org)",
            "![A](https://www.example.org/img/a.png)",
            "![B](https://www.example.org/img/b.png)",
        ):
            assert expected in text
    _check_passes(run)


def test_import_reads_a_date_without_zone_in_the_site_zone_and_says_so(
    project: Project, run: Run
) -> None:
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>Naive</title>"
            "<pubDate>Sun, 31 Oct 2021 02:30:00</pubDate><description>Text.</description>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:5:1: date: warning: 'Naive': its published date 'Sun, 31 Oct 2021 02:30:00'"
        " has no time zone feedpub can read; read in Europe/Paris as 2021-10-31T02:30+02:00"
    ]
    [text] = _entries(project).values()
    assert "\ndate: 2021-10-31T02:30+02:00\n" in text  # the hour the clocks repeat: stated
    _check_passes(run)


def test_import_leaves_out_an_updated_date_later_than_now_and_keeps_the_item(
    project: Project, run: Run
) -> None:
    # A CMS labelling its local time as Z, or a clock gone wrong: `check` refused the
    # `updated` import wrote ("is later than now").
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>Ahead</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
            '<atom:updated xmlns:atom="http://www.w3.org/2005/Atom">2099-01-01T00:00:00Z'
            "</atom:updated>",
            "<guid>https://www.example.org/b</guid><title>Corrected</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>y</description>"
            '<atom:updated xmlns:atom="http://www.w3.org/2005/Atom">2021-11-06T09:00:00Z'
            "</atom:updated>",
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    [message] = result.errors
    assert message.startswith(
        "feed.xml:5:1: updated: warning: 'Ahead': its updated date '2099-01-01T00:00:00Z' is"
        " later than now ("
    )
    assert message.endswith("); left out: check the feed's time zone")
    entries = _entries(project)
    assert "updated" not in entries["2021-11-05-ahead.yaml"]
    assert "\nupdated: 2021-11-06T09:00+00:00\n" in entries["2021-11-05-corrected.yaml"]
    _check_passes(run)


def test_import_warns_of_an_item_dated_later_than_now_which_is_held_back(
    project: Project, run: Run
) -> None:
    # Imported as written, it was silently embargoed: absent from the built site until
    # 2099, with nothing said until a later `check`.
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>Ahead</title>"
            "<pubDate>Thu, 01 Jan 2099 10:00:00 +0100</pubDate><description>x</description>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    assert result.errors == [
        "feed.xml:5:1: date: warning: 'Ahead': dated 'Thu, 01 Jan 2099 10:00:00 +0100', later"
        " than now: held back until then; if not meant, check the feed's time zone"
    ]
    assert "\ndate: 2099-01-01T10:00+01:00\n" in _entries(project)["2099-01-01-ahead.yaml"]


def test_import_dates_a_change_given_by_its_day_alone_on_the_first_day_after_the_statement(
    project: Project, run: Run
) -> None:
    # An older notice gives the day alone: on the statement's first day that is not after
    # it, which check refuses (the change would reach no reader).
    notice = "<p><strong>Withdrawn on 2021-11-05:</strong> Issued in error.</p><p>Text.</p>"
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>Withdrawn: Office</title>"
            "<pubDate>Fri, 05 Nov 2021 09:00:00 +0100</pubDate>"
            f"<content:encoded>{html.escape(notice)}</content:encoded>"
        ).replace(
            "<title>Example Agency</title>", "<generator>feedpub</generator><title>E</title>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:5:1: date: warning: 'Withdrawn: Office': a change dated 2021-11-05 is dated a"
        " minute after the statement (give its time if you know it)"
    ]
    [text] = _entries(project).values()
    assert "withdrawn: {date: 2021-11-05T09:01+01:00, reason:" in text
    _check_passes(run)


def test_import_gives_same_day_same_title_items_distinct_files(project: Project, run: Run) -> None:
    item = (
        "<guid>https://www.example.org/{n}</guid><title>Daily update</title>"
        "<pubDate>Fri, 05 Nov 2021 1{n}:00:00 +0100</pubDate><description>Update {n}.</description>"
    )
    project.file("feed.xml", rss(item.format(n=1), item.format(n=2)))
    project.entry("2021-11-05-daily-update.yaml")  # already taken by a hand-written entry
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    assert sorted(_entries(project)) == [
        "2021-11-05-daily-update-2.yaml",
        "2021-11-05-daily-update-3.yaml",
        "2021-11-05-daily-update.yaml",
    ]
    _check_passes(run)


def test_import_sanitises_hostile_content_with_the_bodies_warnings(
    project: Project, run: Run
) -> None:
    content = (
        '<p onclick="steal()">Hello <a href="javascript:alert(1)">there</a>'
        '<span class="x">.</span></p><script>alert(document.cookie)</script>'
        '<iframe src="https://evil.example/"></iframe>'
    )
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/h</guid><title>Hostile</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:5:1: body: warning: 'Hostile': removed onclick attribute from <p>",
        "feed.xml:5:1: body: warning: 'Hostile': removed javascript: URL from <a href>",
        "feed.xml:5:1: body: warning: 'Hostile': removed <script> element and its content",
        "feed.xml:5:1: body: warning: 'Hostile': removed <iframe> element and its content",
    ]
    [text] = _entries(project).values()
    assert text.endswith("body: |\n  Hello there.\n")
    _check_passes(run)


def test_import_skips_content_nested_past_the_bodies_limit_in_little_time(
    project: Project, run: Run
) -> None:
    nested = "<blockquote>" * 20_000 + "Deep." + "</blockquote>" * 20_000  # hours for nh3
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/deep</guid><title>Deep</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            f"<content:encoded><![CDATA[{nested}]]></content:encoded>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:5:1: body: warning: skipped 'Deep': its content is refused in a body:"
        " quotes,"
        " lists and HTML elements are nested more than 32 levels deep here; at most 32 are"
        " allowed (a tag left open, such as <b> before </div>, counts as a level for all that"
        " follows it)"
    ]
    assert _entries(project) == {}


def test_import_reads_numbers_python_will_not_read_as_ints_without_a_traceback(
    project: Project, run: Run
) -> None:
    # A reference of 5,000 digits (past the 4,300 int() reads: html.unescape and
    # HTMLParser raised ValueError), and an enclosure's length in digits int() refuses.
    zeros = "0" * 5_000
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>A</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            f'<content:encoded><![CDATA[<p>See <a href="/&#{zeros}97;">a</a>.</p>]]>'
            "</content:encoded>",
            "<guid>https://www.example.org/b</guid><title>B</title>"
            "<pubDate>Fri, 05 Nov 2021 11:00:00 +0100</pubDate><description>b</description>"
            '<enclosure url="https://www.example.org/b.pdf" length="\u00b2"'
            ' type="application/pdf"/>',
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    entries = _entries(project)
    assert "See [a](https://www.example.org/a)." in entries["2021-11-05-a.yaml"]
    assert (
        "[b.pdf](<https://www.example.org/b.pdf>) (application/pdf)" in entries["2021-11-05-b.yaml"]
    )


def test_import_refuses_elements_nested_past_its_limit_before_feedparser_reads_them(
    project: Project, run: Run
) -> None:
    # 100,000 nested elements (600 kB) held feedparser 3 s; 2,000,000 took 50 s and 850 MB,
    # and a document of them alone, with no item, was imported as nothing, unsaid.
    project.file("feed.xml", rss("<guid>x</guid>" + "<x>" * 100_000 + "</x>" * 100_000))
    result = run("import", "feed.xml")
    assert result.exit_code == 1
    assert result.errors == [
        "feed.xml:5:3015: elements are nested more than 1,000 levels deep here, which no feed"
        " needs; nothing was imported from it"
    ]


def test_import_is_safe_to_run_again(project: Project, run: Run) -> None:
    sources = (fixture("wordpress-rss2.xml"), fixture("chain/atom.xml"))
    assert run("import", *sources).exit_code == 0
    before = project.tree("entries")
    result = run("import", *sources)
    assert result.stdout == "feedpub: imported 0 statements, 8 already present, 0 skipped\n"
    assert project.tree("entries") == before


def test_import_knows_ids_of_entries_without_an_id_field(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml")  # its id is derived from its file name
    project.file(
        "feed.xml",
        rss(
            "<guid>tag:press.example.org,2020:2021-11-05-x</guid><title>Same</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
        ),
    )
    result = run("import", "feed.xml")
    assert result.stdout == "feedpub: imported 0 statements, 1 already present, 0 skipped\n"


def test_import_writes_an_alias_for_an_old_address_under_base_url(
    project: Project, run: Run
) -> None:
    # Needs the lead's `aliases:` validation (HELPERS.md: "New entry fields").
    project.file(
        "feed.xml",
        rss(
            "<guid>https://press.example.org/news/123.html</guid><title>Moved</title>"
            "<link>https://press.example.org/news/123.html</link>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>",
            "<guid>https://press.example.org/2021/11/05/kept/</guid><title>Kept its address"
            "</title><link>https://press.example.org/2021/11/05/kept/</link>"
            "<pubDate>Fri, 05 Nov 2021 11:00:00 +0100</pubDate><description>y</description>",
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    entries = _entries(project)
    assert '\naliases: ["news/123.html"]\n' in entries["2021-11-05-moved.yaml"]
    assert "aliases" not in entries["2021-11-05-kept.yaml"]  # the old page's own address
    _check_passes(run)


def _at(link: str, title: str, day: str = "05", extra: str = "") -> str:
    return (
        f"<guid>https://www.example.org/{title}</guid><title>{title}</title><link>{link}</link>"
        f"<pubDate>Fri, {day} Nov 2021 10:00:00 +0100</pubDate><description>x</description>" + extra
    )


def test_import_gives_an_old_address_to_one_statement_only(project: Project, run: Run) -> None:
    # Two items whose links were the same section page both got `news/` as an alias, and
    # one was an alias an entry already had: check refused the second ("already an alias").
    project.entry(
        "2020-01-02-old.yaml", "title: Old\ndate: 2020-01-02\naliases: [legacy/]\nbody: x\n"
    )
    news = "https://press.example.org/news/"
    project.file(
        "feed.xml",
        rss(
            _at(news, "One"),
            _at(news, "Two"),
            _at("https://press.example.org/legacy/", "Three"),
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    assert result.errors == [
        f"feed.xml:6:1: aliases: warning: 'Two': its old address {news} is already the alias"
        " of 'One' (entries/2021-11-05-one.yaml), so it gets no redirect page to this"
        " statement; redirect it on the old server if it should lead here",
        "feed.xml:7:1: aliases: warning: 'Three': its old address"
        " https://press.example.org/legacy/ is already an alias in entries/2020-01-02-old.yaml,"
        " so it gets no redirect page to this statement; redirect it on the old server if it"
        " should lead here",
    ]
    entries = _entries(project)
    assert '\naliases: ["news/"]\n' in entries["2021-11-05-one.yaml"]
    assert "aliases" not in entries["2021-11-05-two.yaml"]
    assert "aliases" not in entries["2021-11-05-three.yaml"]
    _check_passes(run)


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("index.html", "the home page, which feedpub writes to public/index.html"),
        ("tags/", "the list of tags/, which feedpub writes to public/tags/index.html"),
        ("types/", "the list of types/, which feedpub writes to public/types/index.html"),
        (
            "types/statement/",
            "types/statement/, which feedpub writes to public/types/statement/index.html",
        ),
        ("tags/energy/", "tags/energy/, which feedpub writes to public/tags/energy/index.html"),
        ("2021/", "the 2021 page, which feedpub writes to public/2021/index.html"),
        ("2020/", "the 2020 page, which feedpub writes to public/2020/index.html"),
        ("languages/fr/", "languages/fr/, which feedpub writes to public/languages/fr/index.html"),
        ("2020/01/02/old/", "entries/2020-01-02-old.yaml"),
        ("about.html", "static/about.html"),
    ],
)
def test_import_gives_no_alias_at_an_address_of_feedpub_s_own(
    project: Project, run: Run, path: str, what: str
) -> None:
    # An item linking to the home page, a list of tags or a year's page got it as an alias,
    # which check refused ("is the address of the home page...").
    project.entry("2020-01-02-old.yaml", "title: Old\ndate: 2020-01-02\nbody: x\n")
    project.file("static/about.html", "<p>About</p>")
    link = f"https://press.example.org/{path}"
    french = "<language>fr</language>"
    project.file(
        "feed.xml",
        rss(
            _at(link, "Linked", extra="<category>Energy</category>"), _at(link, "Fr", "06", french)
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    assert result.errors[0].startswith(
        f"feed.xml:5:1: aliases: warning: 'Linked': its old address {link} is "
    )
    assert what in result.errors[0]
    assert "aliases" not in _entries(project)["2021-11-05-linked.yaml"]
    _check_passes(run)


def test_import_missing_extra_is_a_one_line_message(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "markdownify", None)
    result = run("import", "feed.xml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.errors == [
        "feedpub: feedpub import needs markdownify, which is not installed:"
        " pip install 'feedpub[import]'"
    ]


def test_format_entry_quotes_any_text_so_the_loader_reads_it_back() -> None:
    title = 'A "quoted": title # not a comment \\ \u2028 end'
    text = format_entry(
        EntryFields(title=title, date="2021-11-05", id="12345", body="    indented code\n\ntext")
    )
    problems = Problems()
    document = read_document("x.yaml", text.encode(), problems)
    assert document is not None and not problems
    assert document.fields["title"].value.value == title  # type: ignore[union-attr]
    assert document.fields["id"].value.value == "12345"  # type: ignore[union-attr]
    assert document.fields["body"].value.value == "    indented code\n\ntext\n"  # type: ignore[union-attr]


# --- URLs: an old site on 127.0.0.1 ---------------------------------------------------------


class _OldSite(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, bytes, dict[str, str]]]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/slow.xml":
            time.sleep(2)  # longer than the test's deadline, bounded
            return
        status, body, headers = self.routes.get(self.path, (404, b"not found", {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def old_site() -> Iterator[tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]]]:
    routes: dict[str, tuple[int, bytes, dict[str, str]]] = {}
    handler = type("Handler", (_OldSite,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


def _serve_chain(routes: dict[str, tuple[int, bytes, dict[str, str]]]) -> None:
    for name in ("atom.xml", "archive/2.xml", "archive/1.xml"):
        routes[f"/news/{name}"] = (200, (FIXTURES / "chain" / name).read_bytes(), {})
    routes["/feed"] = (301, b"", {"Location": "/news/atom.xml"})


def test_import_follows_a_redirect_and_the_archive_chain_over_http(
    project: Project, run: Run, old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]]
) -> None:
    url, routes = old_site
    _serve_chain(routes)
    result = run("import", f"{url}/feed")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "feedpub: imported 6 statements, 0 already present, 0 skipped"
    )


_QUOTED = "Caf\u00e9 \u201cquoted\u201d"


@pytest.mark.parametrize(
    ("written_in", "declared", "served_as", "title"),
    [
        # RFC 7303 §3.2: the charset parameter is authoritative; XML 1.0 Appendix F.2
        # defers to it. A Windows-1252 feed served so, read as UTF-8, was "not well-formed".
        ("cp1252", "", "windows-1252", _QUOTED),
        # Old servers name ISO-8859-1 for every file: a UTF-8 feed was then read as
        # Latin-1, which never fails, and "Café" was imported as "CafÃ©", unsaid.
        ("utf-8", "", "ISO-8859-1", _QUOTED),
        # A CMS's template left declaring ISO-8859-1 over UTF-8 text, served as UTF-8.
        ("utf-8", "ISO-8859-1", "utf-8", "Café à Lyon"),
        # The declaration right, the server's default wrong: the bytes are no UTF-8.
        ("latin-1", "ISO-8859-1", "utf-8", "Café à Lyon"),
    ],
)
def test_import_reads_a_feed_in_the_encoding_it_is_written_in_whatever_its_server_says(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    written_in: str,
    declared: str,
    served_as: str,
    title: str,
) -> None:
    url, routes = old_site
    item = f"<guid>https://www.example.org/c</guid><title>{title}</title>"
    item += "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
    declaration = f' encoding="{declared}"' if declared else ""
    feed = rss(item).replace(' encoding="utf-8"', declaration).encode(written_in)
    routes["/feed"] = (200, feed, {"Content-Type": f"application/rss+xml; charset={served_as}"})
    result = run("import", f"{url}/feed")
    assert (result.exit_code, result.errors) == (0, [])
    [text] = _entries(project).values()
    assert text.startswith(f'title: "{title}"\n')


def test_import_reads_a_feed_compressed_with_gzip_within_its_size_limit(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A server gzipping unasked, or a .xml.gz file, was "not well-formed (invalid token)"
    # at 1:1, with no word of compression.
    import gzip

    url, routes = old_site
    item = "<guid>https://www.example.org/z</guid><title>Zipped</title>"
    item += "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
    packed = gzip.compress(rss(item).encode(), mtime=0)
    routes["/feed"] = (200, packed, {"Content-Type": "text/xml", "Content-Encoding": "gzip"})
    project.file("old/feed.xml.gz", packed)
    result = run("import", f"{url}/feed")
    assert (result.exit_code, result.errors) == (0, [])
    assert list(_entries(project)) == ["2021-11-05-zipped.yaml"]
    (project.root / "entries/2021-11-05-zipped.yaml").unlink()
    result = run("import", "old/feed.xml.gz")
    assert (result.exit_code, result.errors) == (0, [])
    assert list(_entries(project)) == ["2021-11-05-zipped.yaml"]
    # What it would uncompress to is bounded, as what is downloaded is.
    monkeypatch.setattr(read, "MAX_SOURCE_BYTES", 1000)
    routes["/bomb"] = (200, gzip.compress(b" " * 100_000), {"Content-Type": "text/xml"})
    assert run("import", f"{url}/bomb").errors == [
        f"{url}/bomb: is compressed (gzip), and uncompressed more than the 1,000 bytes feedpub"
        " imports from one document; nothing was imported from it",
    ]


def test_import_stopped_at_its_archive_limit_names_where_to_go_on(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # It said "import the rest", and the same run again stopped at the same place.
    url, routes = old_site
    _serve_chain(routes)
    monkeypatch.setattr(read, "MAX_ARCHIVES", 2)
    first = run("import", f"{url}/news/atom.xml")
    assert first.errors == [
        f"{url}/news/atom.xml: warning: stopped after 2 archive documents; import the rest"
        f" with `feedpub import {url}/news/archive/1.xml` and the options given here"
    ]
    rest = run("import", f"{url}/news/archive/1.xml")
    assert (rest.exit_code, rest.errors) == (0, [])
    assert len(_entries(project)) == 6


@pytest.mark.parametrize("bound", ["bytes", "seconds"])
def test_import_reads_a_chain_of_archives_within_a_size_and_a_time(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    monkeypatch: pytest.MonkeyPatch,
    bound: str,
) -> None:
    # An endless chain of 50 MB documents took memory without end (914 MB after 40 s),
    # and one of slow documents could take hours: each source's chain is bounded.
    url, routes = old_site
    _serve_chain(routes)
    if bound == "bytes":
        monkeypatch.setattr(read, "MAX_CHAIN_BYTES", 1)  # past it after the first document
    else:
        monkeypatch.setattr(read, "MAX_CHAIN_SECONDS", 0.0)
    result = run("import", f"{url}/news/atom.xml")
    assert result.errors == [
        f"{url}/news/atom.xml: warning: stopped after 1 document (within"
        f" {read.MAX_CHAIN_BYTES // 2**20} MB and {read.MAX_CHAIN_SECONDS / 60:.0f} minutes a"
        f" source); import the rest with `feedpub import {url}/news/archive/2.xml` and the"
        " options given here"
    ]


def test_import_does_not_follow_archives_to_another_site_or_round_a_loop(
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]], project: Project
) -> None:
    url, routes = old_site
    feed = (FIXTURES / "chain" / "atom.xml").read_text()
    routes["/off.xml"] = (
        200,
        feed.replace("archive/2.xml", "http://elsewhere.invalid/2.xml").encode(),
        {},
    )
    routes["/loop.xml"] = (200, feed.replace("archive/2.xml", "loop.xml").encode(), {})
    off = read.read_source(f"{url}/off.xml")
    assert [p.format() for p in off.problems] == [
        f"{url}/off.xml: warning: its prev-archive http://elsewhere.invalid/2.xml is on another"
        " site and was not followed; import it as a SOURCE of its own if it belongs to this one"
    ]
    # An archive on the site that redirects away: its items were imported, unsaid.
    routes["/away.xml"] = (200, feed.replace("archive/2.xml", "moved.xml").encode(), {})
    elsewhere = url.replace("127.0.0.1", "localhost")  # the same server, another origin
    routes["/moved.xml"] = (302, b"", {"Location": f"{elsewhere}/not-served.xml"})
    away = read.read_source(f"{url}/away.xml")
    assert (away.documents, away.failed, [p.format() for p in away.problems]) == (
        1,
        False,
        [  # not asked for: it would have been a 404
            f"{url}/moved.xml: warning: redirected to {elsewhere}/not-served.xml, on another"
            " site, not followed; import it as a SOURCE of its own"
        ],
    )
    loop = read.read_source(f"{url}/loop.xml")
    assert (loop.documents, [p.format() for p in loop.problems]) == (
        1,
        [
            f"{url}/loop.xml: warning: its prev-archive {url}/loop.xml was read already (a"
            " loop); stopped"
        ],
    )


_PLAIN_IDS = {
    "/rss.xml": rss(
        "<guid>12345</guid><title>Plain guid</title><description>x</description>"
        "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
    ),
    "/based.xml": rss(
        "<guid> 2345 </guid><title>Based guid</title><description>x</description>"
        "<pubDate>Fri, 05 Nov 2021 11:00:00 +0100</pubDate>"
    ).replace('<rss version="2.0"', '<rss version="2.0" xml:base="https://www.example.org/n/"'),
    "/atom.xml": """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.example.org/n/">
<title>t</title><id>urn:feed</id><updated>2021-11-05T12:00:00+01:00</updated>
<entry><id>3456</id><title>Atom plain id</title><updated>2021-11-05T12:00:00+01:00</updated>
<content type="html">&lt;p&gt;x&lt;/p&gt;</content>
<source><id>not-the-item-s</id></source></entry>
</feed>
""",
}


@pytest.mark.parametrize("read_from", ["url", "file"])
def test_import_keeps_a_plain_id_as_written_wherever_the_feed_is_read_from(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    read_from: str,
) -> None:
    # feedparser resolved <guid>12345</guid> read from a URL (or under xml:base) into
    # http://host/12345: the same statement got another id than it had in its feed.
    url, routes = old_site
    sources = []
    for path, text in _PLAIN_IDS.items():
        routes[path] = (200, text.encode(), {"Content-Type": "application/xml"})
        sources.append(f"{url}{path}" if read_from == "url" else str(project.file(path[1:], text)))
    result = run("import", *sources)
    assert result.exit_code == 0, result.stderr
    ids = sorted(t.split('\nid: "', 1)[1].split('"', 1)[0] for t in _entries(project).values())
    assert ids == ["12345", "2345", "3456"]
    _check_passes(run)


def test_import_reports_http_status_timeout_and_size(
    project: Project,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, routes = old_site
    routes["/big.xml"] = (200, b"<rss>" + b" " * 2000 + b"</rss>", {})
    monkeypatch.setattr(read, "MAX_SOURCE_BYTES", 1000)
    small = project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/s</guid><title>Small</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>x</description>"
        ),
    )
    report = import_sources(
        project.root,
        [f"{url}/gone.xml", f"{url}/slow.xml", f"{url}/big.xml", str(small)],
        timeout=0.5,
    )
    assert [p.format() for p in report.problems] == [
        f"{url}/gone.xml: the server answered HTTP 404 Not Found; nothing was imported from it",
        f"{url}/slow.xml: no answer in time; nothing was imported from it",
        f"{url}/big.xml: is 2,011 bytes, larger than the 1,000 bytes at most read; nothing was"
        " imported from it",
    ]
    assert (report.imported, report.failed) == (1, True)


def test_import_downloads_attachments_it_may_attach_and_lists_the_others(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, routes = old_site
    routes["/files/annual%20report.pdf"] = (
        200,
        b"%PDF-1.4 report",
        {"Content-Type": "application/pdf"},
    )
    routes["/files/page.svg"] = (200, b"<svg/>", {"Content-Type": "image/svg+xml"})
    routes["/files/login.pdf"] = (200, b"<html>", {"Content-Type": "text/html"})
    enclosures = "".join(
        f'<enclosure url="{url}/files/{name}" length="10" type="{kind}"/>'
        for name, kind in (
            ("annual%20report.pdf", "application/pdf"),
            ("page.svg", "image/svg+xml"),
            ("login.pdf", "application/pdf"),
        )
    )
    feed = rss(
        "<guid>https://www.example.org/r</guid><title>Report</title>"
        "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>See.</description>"
        + enclosures
    )
    routes["/feed.xml"] = (200, feed.encode(), {"Content-Type": "application/rss+xml"})
    # From the feed's own host (here on 127.0.0.1): trusted as the feed is. Each file is kept
    # in a temporary folder, not in memory, until its entry is written; then deleted.
    kept: list[Path] = []
    real_keep = attach.Downloads.keep

    def keep(self: attach.Downloads, url: str, name: str, data: bytes) -> None:
        real_keep(self, url, name, data)
        kept.append(self.files[url][1])
        assert kept[-1].read_bytes() == data

    monkeypatch.setattr(attach.Downloads, "keep", keep)
    result = run("import", f"{url}/feed.xml", "--download-attachments")
    assert result.exit_code == 0, result.stderr
    assert (project.root / "entries/annual-report.pdf").read_bytes() == b"%PDF-1.4 report"
    assert len(kept) == 1 and not kept[0].parent.exists()
    assert result.errors == [
        f"{url}/feed.xml:5:1: attachments: warning: 'Report': not downloaded, listed as a link:"
        f" {url}/files/page.svg (image/svg+xml) is not a kind of file feedpub attaches (avif,"
        " csv, doc, docx, gif, jpeg, jpg, m4a, mp3, mp4, odp, ods, odt, ogg, pdf, png, ppt, pptx,"
        " txt, wav, webm, webp, xls, xlsx, zip)",
        f"{url}/feed.xml:5:1: attachments: warning: 'Report': not downloaded, listed as a link:"
        f" {url}/files/login.pdf: the server sent text/html, not the file",
    ]
    [text] = _entries(project).values()
    assert '\nattachments:\n  - "annual-report.pdf"\n' in text
    assert f"  - [page.svg](<{url}/files/page.svg>) (image/svg+xml, 10 bytes)\n" in text
    _check_passes(run)


def test_import_downloads_no_attachment_from_a_private_address_a_feed_names(
    project: Project,
    run: Run,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
) -> None:
    # A feed's enclosure at a service of the machine's own network (a cloud's metadata,
    # with its keys) was downloaded into entries/, attached, and published.
    url, routes = old_site
    routes["/latest/meta-data/creds.txt"] = (200, b"SECRET", {"Content-Type": "text/plain"})
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/r</guid><title>Report</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>See.</description>"
            f'<enclosure url="{url}/latest/meta-data/creds.txt" length="6" type="text/plain"/>'
        ),
    )
    result = run("import", "feed.xml", "--download-attachments")
    assert result.exit_code == 0, result.stderr
    assert result.errors == [
        "feed.xml:5:1: attachments: warning: 'Report': not downloaded, listed as a link:"
        f" {url}/latest/meta-data/creds.txt: is at 127.0.0.1, not a public address, so it was"
        " not fetched"
    ]
    assert not list((project.root / "entries").glob("*.txt"))
    # From the feed's own host, an enclosure redirected to another is not followed.
    routes["/feed.xml"] = (
        200,
        rss(
            "<guid>https://www.example.org/s</guid><title>Second</title>"
            "<pubDate>Fri, 05 Nov 2021 11:00:00 +0100</pubDate><description>See.</description>"
            f'<enclosure url="{url}/report.txt" length="6" type="text/plain"/>'
        ).encode(),
        {},
    )
    away = url.replace("127.0.0.1", "localhost")
    routes["/report.txt"] = (302, b"", {"Location": f"{away}/latest/meta-data/creds.txt"})
    result = run("import", f"{url}/feed.xml", "--download-attachments")
    assert result.exit_code == 0, result.stderr
    assert result.errors == [
        f"{url}/feed.xml:5:1: attachments: warning: 'Second': not downloaded, listed as a link:"
        f" {away}/latest/meta-data/creds.txt: redirected to {away}/latest/meta-data/creds.txt,"
        " on another site"
    ]
    assert not list((project.root / "entries").glob("*.txt"))


# --- round trip and subscribers -------------------------------------------------------------


def _text(fragment: str) -> str:
    from feedpub.plaintext import plain_text

    return " ".join(plain_text(fragment).split())


def _site(root: Path, base_url: str, feed_limit: int = 50) -> Project:
    from conftest import EXAMPLE_CONFIG

    project = Project.create(root)
    project.config(
        EXAMPLE_CONFIG.replace("https://press.example.org/", base_url)
        + f"feed_limit: {feed_limit}\n"
    )
    return project


def _build(project: Project) -> None:
    from feedpub import cli

    assert cli.main(["build", "--root", str(project.root)]) == 0


def _atom_items(project: Project) -> dict[str, tuple[str, object, object, str]]:
    """Every statement the Atom chain holds: id -> (title, published, updated, text)."""
    found: dict[str, tuple[str, object, object, str]] = {}
    for path in [
        "atom.xml",
        *sorted(p.name for p in (project.root / "public/archive").glob("*.xml")),
    ]:
        rel = path if path == "atom.xml" else f"archive/{path}"
        for e in feedparser.parse(project.read(f"public/{rel}")).entries:
            found.setdefault(
                e.id, (e.title, e.published_parsed, e.updated_parsed, _text(e.content[0].value))
            )
    return found


ROUND_TRIP_ENTRIES = {
    "2021-11-01-opening.yaml": """\
title: Example Agency opens an office
date: 2021-11-01T09:30:00+01:00
type: Release
byline: [Press Office, Director's Office]
tags: [Offices, Énergie]
body: |
  The **Example Agency** opened an [office](https://www.example.org/offices/) today.

  - in *Paris*
  - in Lyon

  ## Opening hours

  From 9:00 to 17:00; call 1-800-EXAMPLE. See [the map](map/) & more.
""",
    "2021-11-02-rates.yaml": """\
title: Rates for 2022
date: 2021-11-02
updated: 2021-11-04T10:00:00+01:00
change_note: The table had a typo.
corrections:
  - {date: 2021-11-02T15:30, note: Fixed a heading.}  # its first day: the time comes back
  - {date: 2021-11-03, note: "Added the annex."}
summary: The rates for 2022, set by the board.
tags: [Rates]
attachments: [{file: annex.pdf, title: The annex}]
contact:
  - {name: Sam Example, email: press@example.org, phone: +44 20 7946 0000}
  - {name: Kim Example, phone: "+33 1 23 45 67 89"}
notes_to_editors: |
  1. The rates apply from *January*.
  2. See [the board](https://www.example.org/board/).
body: |
  The board set the rates.
""",
    "2021-11-03-withdrawn.yaml": """\
title: A statement taken back
date: 2021-11-03T12:00:00+01:00
withdrawn: {date: 2021-11-05T08:15:00+01:00, reason: It named the wrong office.}
body: |
  This was wrong.
""",
    "2021-11-03-retire.yaml": """\
title: Un communiqué retiré
date: 2021-11-03T13:00:00+01:00
language: fr
withdrawn: {date: 2021-11-05T09:00:00+01:00, reason: Il nommait le mauvais bureau.}
body: |
  Ceci était faux.
""",
    "2021-11-04-arabic.yaml": """\
title: بيان الوكالة
date: 2021-11-04
language: ar
body: |
  نص البيان.
""",
    "2021-11-05-plain.yaml": """\
title: "A title: with <brackets> & \\"quotes\\""
date: 2021-11-05T12:00:00-05:00
body: |
  Text with a literal <b> and 2 * 3 = 6, and a_b_c.
""",
}


def test_import_round_trip_of_feedpub_feeds_keeps_ids_titles_dates_and_text(
    tmp_path: Path, old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]]
) -> None:
    url, routes = old_site
    old = _site(tmp_path / "old", f"{url}/", feed_limit=2)
    for name, text in ROUND_TRIP_ENTRIES.items():
        old.entry(name, text)
    old.entry("annex.pdf", b"%PDF-1.4 annex")
    _build(old)
    for rel, data in old.tree("public").items():
        kind = "application/pdf" if rel.endswith(".pdf") else "application/xml"
        routes[f"/{rel}"] = (200, data, {"Content-Type": kind})
    new = _site(tmp_path / "new", f"{url}/", feed_limit=2)
    report = import_sources(
        new.root, [f"{url}/atom.xml", f"{url}/rss.xml", f"{url}/feed.json"], download=True
    )
    assert [p.format() for p in report.problems] == []
    assert report.imported == 6
    _build(new)
    before, after = _atom_items(old), _atom_items(new)
    assert len(before) == 6 and after == before
    # The notices became fields again, not text: one withdrawal notice, one corrections list.
    assert "withdrawn: {date: 2021-11-05T08:15+01:00" in new.read(
        "entries/2021-11-03-withdrawn.yaml"
    )
    # The marks feeds add to a withdrawn statement, in its language, are taken off: its
    # title is its own, and its summary (the body's first sentence) is not kept at all.
    for name, title in [
        ("withdrawn", "A statement taken back"),
        ("retire", "Un communiqué retiré"),
    ]:
        entry = new.read(f"entries/2021-11-03-{name}.yaml")
        assert f'title: "{title}"\n' in entry and "summary:" not in entry
    assert after[next(k for k in after if k.endswith("rates"))][3].count("Corrections") == 1
    rates = new.read("entries/2021-11-02-rates.yaml")
    # Its summary, which feeds start with the last correction's note, is its own again.
    assert 'summary: "The rates for 2022, set by the board."\n' in rates
    assert (
        "contact:\n"
        '  - {name: "Sam Example", email: "press@example.org", phone: "+44 20 7946 0000"}\n'
        '  - {name: "Kim Example", phone: "+33 1 23 45 67 89"}\n'
        "notes_to_editors: |\n"
        "  1. The rates apply from *January*.\n"
        "  2. See [the board](https://www.example.org/board/).\n"
    ) in rates
    for name in ("rss.xml", "feed.json"):
        pairs: list[list[tuple[object, ...]]]
        if name == "rss.xml":
            pairs = [
                [
                    (e.id, e.title, e.published_parsed, _text(e.content[0].value))
                    for e in feedparser.parse(p.read(f"public/{name}")).entries
                ]
                for p in (old, new)
            ]
        else:
            pairs = [
                [
                    (
                        i["id"],
                        i["title"],
                        i["date_published"],
                        i["date_modified"],
                        _text(i["content_html"]),
                    )
                    for i in json.loads(p.read(f"public/{name}"))["items"]
                ]
                for p in (old, new)
            ]
        assert pairs[0] == pairs[1]
    assert (new.root / "entries/annex.pdf").read_bytes() == b"%PDF-1.4 annex"


def test_import_round_trip_of_the_shipped_sample(tmp_path: Path) -> None:
    from conftest import REPO

    new = Project(tmp_path / "new")
    (new.root / "entries").mkdir(parents=True)
    shutil.copy(REPO / "feedpub.yaml", new.root / "feedpub.yaml")
    sources = [str(REPO / "public" / name) for name in ("atom.xml", "rss.xml", "feed.json")]
    report = import_sources(new.root, sources)
    assert (report.imported, report.problems) == (1, [])
    _build(new)
    for name in ("atom.xml", "rss.xml"):
        old_entries = feedparser.parse((REPO / "public" / name).read_bytes()).entries
        new_entries = feedparser.parse(new.read(f"public/{name}")).entries
        assert [
            (e.id, e.title, e.published_parsed, e.updated_parsed, _text(e.content[0].value))
            for e in old_entries
        ] == [
            (e.id, e.title, e.published_parsed, e.updated_parsed, _text(e.content[0].value))
            for e in new_entries
        ]


def _subscriber_sees_nothing_new(
    tmp_path: Path,
    old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]],
    fixtures: list[str],
    feeds: tuple[str, ...] = ("rss.xml", "atom.xml"),
) -> None:
    url, routes = old_site
    for name in fixtures:
        routes[f"/{name}"] = (200, (FIXTURES / name).read_bytes(), {})
    # The reader has read the old feeds: it knows their items by id.
    seen = {e.id for name in fixtures for e in feedparser.parse(f"{url}/{name}").entries}
    new = _site(tmp_path / "new", "https://press.example.org/")
    report = import_sources(new.root, [f"{url}/{name}" for name in fixtures])
    assert report.imported > 0 and not report.failed
    _build(new)
    for feed in feeds:
        # The old address now serves feedpub's feed: every item is one the reader had.
        ids = {e.id for e in feedparser.parse(new.read(f"public/{feed}")).entries}
        assert ids and ids <= seen, ids - seen


def test_import_subscriber_of_the_old_feeds_sees_no_new_items(
    tmp_path: Path, old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]]
) -> None:
    _subscriber_sees_nothing_new(tmp_path, old_site, ["wordpress-rss2.xml", "wordpress-atom10.xml"])


def test_import_subscriber_of_a_feed_with_plain_guids_sees_no_new_items(
    tmp_path: Path, old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]]
) -> None:
    # RSS keeps <guid>12345</guid> as it was; Atom, which needs an IRI and which this
    # reader never subscribed to, gets a tag URI made from it.
    _subscriber_sees_nothing_new(tmp_path, old_site, ["rss094.xml"], feeds=("rss.xml",))


def test_import_subscriber_of_a_drupal_feed_sees_no_new_items(
    tmp_path: Path, old_site: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]]]
) -> None:
    _subscriber_sees_nothing_new(tmp_path, old_site, ["drupal-rss.xml"], feeds=("rss.xml",))


def test_import_feedparser_unit_shapes(project: Project, run: Run) -> None:
    names = [
        "feedparser-aaa_illformed.xml",
        "feedparser-item_guid_not_permalink_not_url.xml",
        "feedparser-item_enclosure_multiple.xml",
    ]
    result = run("import", *(fixture(name) for name in names))
    assert result.exit_code == 1
    assert result.errors == [
        f"{fixture(names[0])}:6:1: not well-formed XML (unclosed token); nothing was imported"
        " from it",
        f"{fixture(names[1])}:7:1: title: warning: skipped 'abc': it has no title",
        f"{fixture(names[2])}:7:1: title: warning: skipped 'http://example.com/': it has no title",
    ]


def test_import_skips_an_item_whose_content_shows_nothing_once_converted(
    project: Project, run: Run
) -> None:
    # A rule alone converts to `---`, which a reader sees nothing of: `check` refuses such
    # a body, so the item is skipped rather than written.
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/e</guid><title>Empty</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            "<content:encoded><![CDATA[<hr>]]></content:encoded>",
            "<guid>https://www.example.org/f</guid><title>Full</title>"
            "<pubDate>Fri, 05 Nov 2021 11:00:00 +0100</pubDate>"
            "<description>Said.</description>",
        ),
    )
    result = run("import", "feed.xml")
    assert result.errors == [
        "feed.xml:5:1: body: warning: skipped 'Empty': its content shows nothing once"
        " converted, neither text nor image"
    ]
    assert list(_entries(project)) == ["2021-11-05-full.yaml"]
    _check_passes(run)


def test_import_keeps_alt_texts_titles_and_urls_as_written_not_read_as_markdown(
    project: Project, run: Run
) -> None:
    # markdownify wrote them as they were: `&#x1B;` in them became a reference (and the
    # item was skipped), `]` ended the alt text, a title's last `\` escaped its quote, a
    # space or a `)` in a URL ended the link (shown as text), `&amp;` was decoded again.
    content = (
        '<p>See <a href="https://www.example.org/r" title="&amp;#x1B; a\\">the report</a>.</p>'
        '<p><img src="https://www.example.org/m.png" alt="&amp;#x1B; [map] *2021*"></p>'
        '<p><a href="https://www.example.org/annual report.pdf">report</a>,'
        ' <a href="https://www.example.org/a)b">odd</a>,'
        ' <a href="https://www.example.org/?a=1&amp;amp;b=2">query</a></p>'
    )
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>A</title>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded>"
            '<enclosure url="https://www.example.org/files/a&gt;b [1].pdf" length="10"'
            ' type="application/pdf"/>'
        ),
    )
    result = run("import", "feed.xml")
    assert result.exit_code == 0, result.stderr
    assert result.errors == []
    _check_passes(run)
    assert run("build").exit_code == 0
    page = (project.root / "public/2021/11/05/a/index.html").read_text()
    assert 'title="&amp;#x1B; a\\">the report</a>' in page
    assert 'alt="&amp;#x1B; [map] *2021*"' in page
    assert '<a href="https://www.example.org/annual%20report.pdf">report</a>' in page
    assert '<a href="https://www.example.org/a)b">odd</a>' in page
    assert '<a href="https://www.example.org/?a=1&amp;amp;b=2">query</a>' in page
    assert 'href="https://www.example.org/files/a%3Eb%20%5B1%5D.pdf">a&gt;b [1].pdf</a>' in page


def test_import_leaves_out_urls_no_browser_opens_with_a_warning_not_a_traceback(
    project: Project, run: Run
) -> None:
    # A host opened with [ that is no IPv6 address: urllib raised ValueError at each step
    # that read one (the item's link, an enclosure, a JSON attachment, a JSON item's url
    # as the base of its relative links, a link in its content).
    project.file(
        "feed.xml",
        rss(
            "<guid>https://www.example.org/a</guid><title>A</title><link>https://[bad/a</link>"
            "<pubDate>Fri, 05 Nov 2021 10:00:00 +0100</pubDate><description>A.</description>"
            '<enclosure url="http://[::1" length="10" type="application/pdf"/>'
        ),
    )
    item = {
        "id": "b",
        "url": "https://[bad/b",
        "title": "B",
        "date_published": "2021-11-06T10:00:00+01:00",
        "content_html": '<p>See <a href="/y">this</a> and <a href="//[zz/">that</a>.</p>',
        "attachments": [{"url": "http://[::1", "mime_type": "application/pdf"}],
    }
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "home_page_url": "https://www.example.org/",  # the base its links are resolved on
        "items": [item],
    }
    project.file("feed.json", json.dumps(feed))
    result = run("import", "feed.xml", "feed.json")
    assert result.exit_code == 0, result.stderr
    from feedpub.values import UNREADABLE_HOST

    unreadable = f"is no URL a browser opens: {UNREADABLE_HOST}"
    assert result.errors == [
        f"feed.xml:5:1: attachments: warning: 'A': its enclosure http://[::1 {unreadable}:"
        " left out",
        f"feed.xml:5:1: aliases: warning: 'A': its old address https://[bad/a {unreadable}:"
        " no redirect page",
        f"feed.json: attachments: warning: 'B': its enclosure http://[::1 {unreadable}: left out",
        f"feed.json: body: warning: 'B': removed unreadable URL from <a href>: {UNREADABLE_HOST}",
        f"feed.json: aliases: warning: 'B': its old address https://[bad/b {unreadable}:"
        " no redirect page",
    ]
    _check_passes(run)
    assert "[this](https://www.example.org/y)" in _entries(project)["2021-11-06-b.yaml"]

"""Pages that stay small at any archive size: type, tag and year pages list at most 50
statements, older ones on numbered pages that never change when a statement is added; the
sitemap splits under an index past the protocol's 50,000 URLs."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from lxml import etree

from conftest import Project, Run
from feedpub.model import SiteConfig
from feedpub.render import sitemap
from feedpub.render.documents import PAGE_SIZE

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _write_releases(project: Project, count: int, *, start: int = 0) -> None:
    for number in range(start, start + count):
        day = 1 + number % 28
        month = 1 + number // 28
        project.entry(
            f"2021-{month:02d}-{day:02d}-release-{number}.yaml",
            f"title: Release {number}\ndate: 2021-{month:02d}-{day:02d}\ntype: Release\nbody: x\n",
        )


def _titles(page: str) -> list[int]:
    return [int(n) for n in re.findall(r">Release (\d+)</(?:span></)?a>", page)]


def test_a_long_list_shows_the_newest_fifty_and_numbered_pages_of_older_ones(
    project: Project, run: Run
) -> None:
    _write_releases(project, 130)
    assert run("build").exit_code == 0
    front = project.read("public/types/release/index.html")
    assert _titles(front) == list(range(129, 129 - PAGE_SIZE, -1))
    assert "130 statements, newest first." in front
    # Complete blocks of 50, counted from the oldest: page 1 holds Releases 0-49.
    assert _titles(project.read("public/types/release/page/1/index.html")) == list(
        range(49, -1, -1)
    )
    assert _titles(project.read("public/types/release/page/2/index.html")) == list(
        range(99, 49, -1)
    )
    assert not (project.root / "public/types/release/page/3").exists()
    assert '<a href="../../types/release/page/2/" rel="next">Older statements</a>' in front
    page_2 = project.read("public/types/release/page/2/index.html")
    assert 'href="../../../../types/release/" rel="prev">Newer statements</a>' in page_2
    assert 'href="../../../../types/release/page/1/" rel="next">Older statements</a>' in page_2
    assert "<title>Release – page 2 – Example Agency Statements</title>" in page_2
    year = project.read("public/2021/index.html")
    assert len(_titles(year)) == PAGE_SIZE
    assert (project.root / "public/2021/page/2/index.html").is_file()


def test_adding_a_statement_leaves_numbered_pages_as_they_are(project: Project, run: Run) -> None:
    _write_releases(project, 120)
    assert run("build").exit_code == 0
    public = project.root / "public"
    before = {p: p.stat().st_ino for p in public.rglob("page/*/index.html")}
    _write_releases(project, 1, start=120)
    assert run("build").exit_code == 0
    after = {p: p.stat().st_ino for p in public.rglob("page/*/index.html")}
    assert after == before  # not rewritten: same files, same inodes
    assert 120 in _titles(project.read("public/types/release/index.html"))


def test_no_list_page_grows_with_the_archive(project: Project, run: Run) -> None:
    _write_releases(project, 250)
    assert run("build").exit_code == 0
    for page in (project.root / "public").rglob("index.html"):
        assert len(_titles(page.read_text())) <= PAGE_SIZE, page


def _config() -> SiteConfig:
    from zoneinfo import ZoneInfo

    from feedpub.model import Publisher

    return SiteConfig(
        title="t",
        base_url="https://press.example.org/",
        description="d",
        language="en",
        timezone_name="UTC",
        timezone=ZoneInfo("UTC"),
        publisher=Publisher(name="p"),
        feed_limit=50,
        id_authority="press.example.org,2020",
    )


def test_sitemap_splits_under_an_index_past_the_protocol_s_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    when = datetime(2021, 11, 5, tzinfo=timezone.utc)
    pages = [(f"2021/11/0{n}/s/", when.replace(day=n), ()) for n in range(1, 8)]
    files = sitemap.render_sitemaps(_config(), pages)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{SITEMAP['s']}}}sitemapindex"
    assert index.xpath("//s:loc/text()", namespaces=SITEMAP) == [
        f"https://press.example.org/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    assert index.xpath("//s:lastmod/text()", namespaces=SITEMAP)[-1] == "2021-11-07T00:00:00+00:00"
    urls = [
        loc
        for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml")
        for loc in etree.fromstring(files[name]).xpath("//s:loc/text()", namespaces=SITEMAP)
    ]
    assert urls == [f"https://press.example.org/{path}" for path, _, _ in pages]


def test_sitemap_splits_by_bytes_counted_in_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths of non-ASCII characters: three bytes each in UTF-8, one character each.
    pages = [(f"tags/{'é' * 40}{n}/", None, ()) for n in range(6)]
    one = sitemap.render_sitemaps(_config(), pages)["sitemap.xml"]
    limit = len(one) - 30  # past it in bytes, not in characters
    monkeypatch.setattr(sitemap, "MAX_BYTES", limit)
    files = sitemap.render_sitemaps(_config(), pages)
    parts = [data for name, data in files.items() if name != "sitemap.xml"]
    assert len(parts) >= 2 and all(len(data) <= limit for data in parts)
    assert sum(data.count(b"<loc>") for data in parts) == len(pages)


def test_sitemap_within_the_limit_is_one_file() -> None:
    files = sitemap.render_sitemaps(_config(), [("", None, ())])
    assert list(files) == ["sitemap.xml"]
    assert b"<urlset" in files["sitemap.xml"]

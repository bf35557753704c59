"""The pages in a real browser (headless Chromium), audited with axe-core and the W3C checker.

Chromium, Java and the npm tools come from tools/install-test-tools. Where Chromium cannot
start these tests fail, loudly: a skipped browser test would hide a missing dependency.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conftest import EXAMPLE_CONFIG, REPO, Project
from feedpub.build import build

ARTIFACTS = REPO / "test-artifacts" / "screenshots"
AXE = REPO / "node_modules/axe-core/axe.min.js"
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
SAMPLE_PAGE = "2021/11/05/joint-statement-iraqi-military-technical-committee-and-cjtf-oir/"
WIDTHS = (375, 1280)

AGENCY_ENTRIES = {
    "2021-11-05-bureau.yaml": """\
title: L'Agence Exemple ouvre son bureau régional dans le quartier du port
date: 2021-11-05T10:00
type: Release
language: fr
translation_of: tag:press.example.org,2020:2021-11-05-office
body: |
  L'Agence Exemple a ouvert son bureau régional aujourd'hui.
""",
    "2021-11-05-office.yaml": """\
title: Example Agency opens its new regional office in the harbour district
date: 2021-11-05T10:00
type: Release
byline: [Example Agency Press Office, Office of the Director]
tags: [Offices, Regions]
updated: 2021-11-06T09:30
change_note: Corrected the opening hours.
attachments: [{file: 2021-11-05-map.png, title: Map of the new office}]
body: |
  The Example Agency opened its regional office today. It is open **Monday to Friday**.

  ## Opening hours

  | Day | Hours |
  | --- | ---: |
  | Monday to Thursday | 09:00–17:00 |
  | Friday | 09:00–15:00 |

  See the [agency's website](https://www.example.org/) and the map:

  ![Map of the harbour district](2021-11-05-map.png)

  A very long word must wrap on a phone:
  Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt.
""",
    "2021-11-04-arabic.yaml": """\
title: "الوكالة النموذجية تفتتح مكتباً جديداً"
date: 2021-11-04
language: ar
tags: [Offices]
byline: المكتب الصحفي
body: |
  افتتحت الوكالة النموذجية اليوم مكتباً جديداً في الميناء.

  سيستقبل المكتب أسئلة الجمهور.
""",
    "2021-11-03-rates.yaml": """\
title: Example Agency withdraws its draft rates
date: 2021-11-03
type: Advisory
withdrawn: {date: 2021-11-04T12:00, reason: The rates were published in error.}
body: The draft rates for 2022.
""",
}
# A one-pixel PNG: an attachment and an image the statement page shows.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e6a86d0000000049454e44ae426082"
)


def _chromium() -> str:
    for candidate in (
        os.environ.get("FEEDPUB_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate:
            return candidate
    pytest.fail("no Chromium found: run tools/install-test-tools (or set FEEDPUB_CHROMIUM)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(
                executable_path=_chromium(),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
        except Exception as exc:
            pytest.fail(f"Chromium could not start: {exc}")
        yield instance
        instance.close()


def _serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))

    class Quiet(handler.func):  # type: ignore[name-defined,misc]
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sample_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project.create(tmp_path_factory.mktemp("sample") / "site")
    project.copy_sample()
    build(project.root)
    return project.root / "public"


@pytest.fixture(scope="module")
def agency_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project.create(tmp_path_factory.mktemp("agency") / "site")
    project.config(EXAMPLE_CONFIG + "logo: logo.png\n")
    project.file("static/logo.png", PNG)
    project.entry("2021-11-05-map.png", PNG)
    for name, text in AGENCY_ENTRIES.items():
        project.entry(name, text)
    for day in range(1, 29):  # enough advisories for a numbered page
        for hour in (9, 15):
            project.entry(
                f"2020-02-{day:02d}-advisory-{hour}.yaml",
                f"title: Advisory {day}.{hour}\ndate: 2020-02-{day:02d}T{hour:02d}:00\n"
                "type: Advisory\nbody: A short advisory.\n",
            )
    build(project.root)
    return project.root / "public"


@pytest.fixture(scope="module")
def sample_url(sample_public: Path) -> Iterator[str]:
    yield from _serve(sample_public)


@pytest.fixture(scope="module")
def agency_url(agency_public: Path) -> Iterator[str]:
    yield from _serve(agency_public)


def _open(browser: Any, url: str, width: int, *, scheme: str = "light", **options: Any) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, **options
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.requests = requests
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path"), [("index", ""), ("statement", SAMPLE_PAGE)])
def test_sample_pages_fit_the_screen_and_show_title_and_date(
    browser: Any, sample_url: str, name: str, path: str, width: int
) -> None:
    for scheme in ("light", "dark"):
        page = _open(browser, sample_url + path, width, scheme=scheme)
        assert page.evaluate("document.documentElement.scrollWidth") == width  # no overflow
        title = page.locator("h1")
        assert title.is_visible()
        box = title.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        date = page.locator("main time").first
        assert date.is_visible()
        if name == "statement":
            assert "November 5, 2021" in date.inner_text()
            assert "Joint Statement" in title.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        suffix = "" if scheme == "light" else "-dark"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}{suffix}.png"), full_page=True)
        assert all(url.startswith(sample_url) for url in page.requests), page.requests
        page.context.close()


AGENCY_PAGES = [
    "",
    "2021/11/05/office/",
    "2021/11/04/arabic/",
    "2021/11/03/rates/",
    "2021/",
    "types/",
    "types/release/",
    "tags/",
    "tags/offices/",
    "types/advisory/page/1/",
    "2021/11/05/bureau/",
    "languages/ar/",
]


def _axe(page: Any) -> list[dict[str, Any]]:
    assert AXE.exists(), "run tools/install-test-tools (npm ci) first"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_kind_of_page_passes_axe_without_serious_violations(
    browser: Any, agency_url: str, sample_url: str, width: int, scheme: str
) -> None:
    urls = [agency_url + path for path in AGENCY_PAGES] + [sample_url, sample_url + SAMPLE_PAGE]
    found = {}
    for url in urls:
        page = _open(browser, url, width, scheme=scheme)
        violations = _axe(page)
        if violations:
            found[url] = [(v["id"], v["impact"], v["help"]) for v in violations]
        assert page.evaluate("document.documentElement.scrollWidth") == width, url
        page.context.close()
    assert found == {}


def test_right_to_left_statement_renders_right_to_left(browser: Any, agency_url: str) -> None:
    page = _open(browser, agency_url + "2021/11/04/arabic/", 375)
    article = page.locator("main article")
    assert article.get_attribute("lang") == "ar"
    assert article.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(ARTIFACTS / "arabic-375.png"), full_page=True)
    page.context.close()


def test_pages_need_no_javascript_and_print_without_navigation(
    browser: Any, agency_url: str
) -> None:
    page = _open(browser, agency_url + "2021/11/05/office/", 1280, java_script_enabled=False)
    assert page.locator("h1").is_visible()
    assert page.locator("table").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator("footer.site").is_visible()
    assert not page.locator("nav").first.is_visible()
    assert page.locator("h1").is_visible()
    page.context.close()


def test_withdrawn_and_corrected_statements_show_their_notices(
    browser: Any, agency_url: str
) -> None:
    page = _open(browser, agency_url + "2021/11/03/rates/", 375)
    notice = page.locator(".notice.withdrawn")
    assert notice.is_visible()
    assert "The rates were published in error." in notice.inner_text()
    page.context.close()
    page = _open(browser, agency_url + "2021/11/05/office/", 375)
    assert "Corrected the opening hours." in page.locator(".corrections").inner_text()
    assert "Updated" in page.locator("header .meta").inner_text()
    page.context.close()


def test_every_page_is_valid_html(sample_public: Path, agency_public: Path) -> None:
    assert VNU.exists(), "run tools/install-test-tools (npm ci) first"
    java = shutil.which("java")
    assert java, "no Java runtime: run tools/install-test-tools"
    pages = sorted(sample_public.rglob("*.html")) + sorted(agency_public.rglob("*.html"))
    assert len(pages) >= 20
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--skip-non-html", *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    problems = [m for m in messages if m["type"] in ("error", "non-document-error")]
    assert problems == [], problems
    warnings = [m for m in messages if m.get("subType") == "warning"]
    assert warnings == [], warnings


def test_pages_carry_what_search_engines_and_previews_read(agency_public: Path) -> None:
    page = etree.parse(str(agency_public / "2021/11/05/office/index.html"), etree.HTMLParser())
    meta = {(m.get("property") or m.get("name")): m.get("content") for m in page.xpath("//meta")}
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "https://press.example.org/2021/11/05/office/"
    ]
    assert meta["description"].startswith("The Example Agency opened its regional office")
    assert meta["og:type"] == "article"
    assert (
        meta["og:title"] == "Example Agency opens its new regional office in the harbour district"
    )
    assert meta["og:image"] == "https://press.example.org/logo.png"
    assert meta["article:published_time"] == "2021-11-05T10:00:00+01:00"
    assert meta["twitter:card"] == "summary"
    (script,) = page.xpath("//script[@type='application/ld+json']/text()")
    data = json.loads(script)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == meta["og:title"]
    assert data["dateModified"] == "2021-11-06T09:30:00+01:00"
    assert data["publisher"]["name"] == "Example Agency"
    assert [a["name"] for a in data["author"]] == [
        "Example Agency Press Office",
        "Office of the Director",
    ]


def test_sitemap_lists_every_page_dated_by_its_statements(agency_public: Path) -> None:
    tree = etree.parse(str(agency_public / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = dict(
        zip(
            tree.xpath("//s:loc/text()", namespaces=ns),
            [u.findtext("s:lastmod", namespaces=ns) for u in tree.xpath("//s:url", namespaces=ns)],
            strict=True,
        )
    )
    pages = {
        "https://press.example.org/"
        + p.relative_to(agency_public).as_posix().removesuffix("index.html")
        for p in agency_public.rglob("index.html")
    }
    assert set(urls) == pages
    assert urls["https://press.example.org/2021/11/05/office/"] == "2021-11-06T09:30:00+01:00"
    assert urls["https://press.example.org/"] == "2021-11-06T09:30:00+01:00"


def test_site_templates_override_feedpub_s(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}{% block main %}<h1>Custom: {{ entry.title }}</h1>{% endblock %}',
    )
    project.file("templates/style.css", "body { color: navy; }\n")
    build(project.root)
    assert "<h1>Custom: X</h1>" in project.read("public/2021/11/05/x/index.html")
    assert project.read("public/style.css") == "body { color: navy; }\n"
    assert "Latest statements" in project.read("public/index.html")  # the rest is feedpub's

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
import re
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
README_SCREENSHOTS = {
    name: REPO / "docs/screenshots" / name for name in ("index-1280.png", "statement-375.png")
}

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
    "2021-11-06-flood.yaml": """\
title: Example Agency opens a consultation on flood defence
date: 2021-11-06T10:30
type: Release
tags: [Flood defence]
contact:
  - {name: Sam Example, email: press@example.org, phone: "+44 20 7946 0000"}
notes_to_editors: |
  1. The consultation runs for twelve weeks.
  2. The Example Agency is a fictional body used in feedpub's tests.
body: |
  The Example Agency opened a consultation on flood defence today.

  Answers are welcome from everyone.
""",
    "2021-11-07-bureau.yaml": """\
title: L'Agence exemple ouvre un bureau régional
date: 2021-11-07T09:00
language: fr
tags: [Offices]
body: |
  L'Agence exemple a ouvert aujourd'hui un bureau régional.
""",
    "2021-11-03-rates.yaml": """\
title: Example Agency withdraws its draft rates
date: 2021-11-03
type: Advisory
withdrawn: {date: 2021-11-04T12:00, reason: The rates were published in error.}
body: The draft rates for 2022.
""",
}


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour, made with the standard library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# A one-pixel PNG: an attachment and an image the statement page shows.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e6a86d0000000049454e44ae426082"
)


ACCENT = "#0b6e4f"  # a green that reads 6.3:1 on white; lightened for the dark scheme
# The Example Agency's logo: a 96x32 PNG drawn here (a green bar), so no image is copied in.
LOGO = _png(96, 32, (11, 110, 79))


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
    config = EXAMPLE_CONFIG.replace("language: en", "language: en-GB")
    project.config(config + f"logo: logo.png\nicon: icon.png\naccent_color: '{ACCENT}'\n")
    project.file("static/logo.png", LOGO)
    project.file("static/icon.png", PNG)
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
    browser: Any, sample_url: str, name: str, path: str, width: int, update_golden: bool
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
        shot = ARTIFACTS / f"{name}-{width}{suffix}.png"
        page.screenshot(path=str(shot), full_page=True)
        if update_golden and shot.name in README_SCREENSHOTS:  # the README shows these
            shutil.copy(shot, README_SCREENSHOTS[shot.name])
        assert all(url.startswith(sample_url) for url in page.requests), page.requests
        page.context.close()


AGENCY_PAGES = [
    "",
    "2021/11/05/office/",
    "2021/11/06/flood/",
    "2021/11/07/bureau/",
    "2021/11/04/arabic/",
    "2021/11/03/rates/",
    "2021/",
    "types/",
    "types/release/",
    "tags/",
    "tags/offices/",
    "tags/flood-defence/",
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
    # The statement's language governs its page: feedpub has Arabic text for it.
    assert page.locator("html").get_attribute("lang") == "ar"
    article = page.locator("main article")
    assert article.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert page.locator("h2#subscribe").inner_text() == "الاشتراك"
    # The site's own name, in English, keeps its language and direction.
    title = page.locator("header.site .site-title")
    assert title.get_attribute("lang") == "en-GB"
    assert title.evaluate("element => getComputedStyle(element).direction") == "ltr"
    # Its type's name, in English, is set apart: the day's number went with it, shown as
    # "Statement · 4" at the right, away from its month: it must stand left of the name.
    day_left_of_type = """element => {
        const range = document.createRange();
        range.setStart(element.firstChild, 0); range.setEnd(element.firstChild, 1);
        const type = element.closest("p").querySelector(".type").getBoundingClientRect();
        return range.getBoundingClientRect().right <= type.left;
    }"""
    assert page.locator("article p.meta time").first.evaluate(day_left_of_type)
    page.screenshot(path=str(ARTIFACTS / "arabic-375.png"), full_page=True)
    page.context.close()


def test_moved_page_of_a_right_to_left_site_shows_the_new_address_whole(
    browser: Any, project: Project
) -> None:
    # In the Arabic sentence of a site in Arabic, the address's last '/' went to its left
    # end ("mktb-/jdyd" for ".../mktb-jdyd/"): the address read wrong to whoever copied it.
    project.config(EXAMPLE_CONFIG.replace("language: en", "language: ar"))
    project.entry(
        "2021-11-04-mktb.yaml",
        "title: مكتب جديد\ndate: 2021-11-04\naliases: [2021/11/04/old/]\nbody: نص.\n",
    )
    build(project.root)
    html = (project.root / "public/2021/11/04/old/index.html").read_text()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # The page sends browsers on at once: its text is read without the refresh.
    page.set_content(re.sub(r'<meta http-equiv="refresh"[^>]*>', "", html))
    link = page.locator("main a")
    assert link.inner_text() == "https://press.example.org/2021/11/04/mktb/"
    last_two_left_to_right = """a => {
        const text = a.firstChild, end = text.length, box = i => {
            const range = document.createRange();
            range.setStart(text, i); range.setEnd(text, i + 1);
            return range.getBoundingClientRect();
        };
        return box(end - 2).right <= box(end - 1).left + 0.5;
    }"""
    assert link.evaluate(last_two_left_to_right)
    page.close()


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


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # en-GB: CLDR's long date, and the release time with its zone.
        ("2021/11/05/office/", "5 November 2021, 10:00 Central European Standard Time"),
        ("2021/11/07/bureau/", "7 novembre 2021, 09:00 heure normale d’Europe centrale"),
        ("2021/11/04/arabic/", "4 نوفمبر 2021"),  # a date without a time shows none
        ("2021/11/03/rates/", "3 November 2021"),
    ],
)
def test_statement_dates_are_in_the_page_s_language_with_the_release_time(
    browser: Any, agency_url: str, path: str, expected: str
) -> None:
    page = _open(browser, agency_url + path, 375)
    date = page.locator("main article header .meta time").first
    assert date.is_visible()
    assert date.inner_text().replace("\u202f", " ") == expected
    assert date.get_attribute("datetime", timeout=1000) is not None  # for machines, unchanged
    page.screenshot(path=str(ARTIFACTS / f"date-{path.split('/')[3]}-375.png"))
    page.context.close()


def test_home_page_lists_dates_in_the_site_s_language(browser: Any, agency_url: str) -> None:
    page = _open(browser, agency_url, 1280)
    dates = page.locator("ol.entries .meta time").all_inner_texts()
    assert dates[:2] == ["7 November 2021", "6 November 2021"]  # the French one too
    page.context.close()


_TITLE_TO_DATE = """item => {
    const title = item.querySelector("h2, h3").getBoundingClientRect();
    const meta = item.querySelector(".meta").getBoundingClientRect();
    return [Math.round(title.top - item.getBoundingClientRect().top),
            Math.round(meta.top - title.bottom),
            getComputedStyle(item.querySelector("h2, h3")).fontSize];
}"""


@pytest.mark.parametrize("path", ["2021/", "types/release/", "tags/offices/"])
def test_lists_show_each_statement_as_the_home_page_does(
    browser: Any, agency_url: str, path: str
) -> None:
    # A list page's items are h2 (its h1 is the page's), the home page's h3: a heading's own
    # margins would float a title away from its date and from the rule above it.
    page = _open(browser, agency_url, 1280)
    home = page.locator("ol.entries > li").first.evaluate(_TITLE_TO_DATE)
    page.context.close()
    page = _open(browser, agency_url + path, 1280)
    assert page.locator("ol.entries > li").first.evaluate(_TITLE_TO_DATE) == home
    page.context.close()


def test_a_list_shows_a_statement_in_another_direction_on_one_side(
    browser: Any, agency_url: str
) -> None:
    # On the English home page an Arabic statement's title started at the left and its
    # summary at the right (its paragraph took the statement's direction): each on one side.
    page = _open(browser, agency_url, 1280)
    item = page.locator("ol.entries > li", has=page.locator('a[href="2021/11/04/arabic/"]'))
    starts = item.evaluate(
        """li => [li.querySelector("h3 span"), li.querySelector("p:not(.meta)")].map(e => {
            const range = document.createRange(); range.selectNodeContents(e);
            return range.getBoundingClientRect().left - li.getBoundingClientRect().left;
        })"""
    )
    assert starts[0] == pytest.approx(0, abs=1) and starts[1] == pytest.approx(0, abs=1)
    assert item.locator("p:not(.meta) span").get_attribute("dir") == "rtl"
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_language_switcher_is_one_line_of_names(browser: Any, agency_url: str, width: int) -> None:
    page = _open(browser, agency_url + "2021/11/05/office/", width)
    items = page.locator("nav.translations li")
    assert items.all_inner_texts() == ["English (United Kingdom)", "Français"]
    tops = items.evaluate_all("items => items.map(i => i.getBoundingClientRect().top)")
    assert len(set(tops)) == 1  # side by side, not a column of bullets
    assert items.first.evaluate("li => getComputedStyle(li).display") == "inline"
    page.context.close()


def test_every_page_shows_the_logo_and_links_the_favicon(browser: Any, agency_url: str) -> None:
    for path in AGENCY_PAGES:
        page = _open(browser, agency_url + path, 375)
        logo = page.locator("header.site img.logo")
        assert logo.is_visible(), path
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 96, path
        icon = page.locator("link[rel=icon]").evaluate("link => link.href")
        touch = page.locator("link[rel=apple-touch-icon]").evaluate("link => link.href")
        assert icon == touch == agency_url + "icon.png", path
        page.context.close()
    page = _open(browser, agency_url + "icon.png", 375)  # it is there, on the site's host
    page.context.close()


def test_home_page_shows_the_site_title_once(browser: Any, agency_url: str) -> None:
    page = _open(browser, agency_url, 375)
    title = "Example Agency Statements"
    shown = page.locator(f"body :text-is('{title}')").all()
    assert [element.evaluate("e => e.closest('h1') !== null") for element in shown] == [True]
    assert page.locator("h1").count() == 1
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accent_colour_marks_links_and_the_header_rule(
    browser: Any, agency_url: str, scheme: str
) -> None:
    page = _open(browser, agency_url + "2021/11/05/office/", 1280, scheme=scheme)
    expected = {"light": "rgb(11, 110, 79)", "dark": "rgb(62, 140, 116)"}[scheme]
    link = page.locator("main .body a").first
    assert link.evaluate("a => getComputedStyle(a).color") == expected
    header = page.locator("header.site")
    assert header.evaluate("h => getComputedStyle(h).borderBottomColor") == expected
    assert header.evaluate("h => getComputedStyle(h).borderBottomWidth") == "4px"
    page.context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_subscribe_block_shows_addresses_a_newcomer_can_copy(
    browser: Any, agency_url: str, width: int
) -> None:
    page = _open(browser, agency_url + "2021/11/06/flood/", width)
    block = page.locator("section.subscribe")
    block.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") == width
    assert block.locator(".feed-name").all_inner_texts() == [
        "Every statement",
        "Releases only",
        "Statements tagged Flood defence",
    ]
    # The addresses are text, as they are to be copied (a break after a slash adds nothing).
    addresses = block.locator(".feed-address a").all_inner_texts()
    assert [a.replace("\n", "") for a in addresses] == [
        "https://press.example.org/atom.xml",
        "https://press.example.org/types/release/atom.xml",
        "https://press.example.org/tags/flood-defence/atom.xml",
    ]
    assert "We recommend the Atom feed" in block.inner_text()
    # A link's visible words stay on one line: never "JSON" on one line and "Feed" on the next.
    lines = block.locator(".feed-other a").evaluate_all(
        """links => links.map(a => { const r = document.createRange();
            r.selectNodeContents(a.firstChild);
            return [...r.getClientRects()].filter(x => x.width > 0).length; })"""
    )
    assert lines == [1] * 6
    block.screenshot(path=str(ARTIFACTS / f"subscribe-{width}.png"))
    page.context.close()


def test_withdrawn_statement_says_so_in_its_title_and_share_card(
    browser: Any, agency_url: str
) -> None:
    page = _open(browser, agency_url + "2021/11/03/rates/", 375)
    assert (
        page.title()
        == "Withdrawn: Example Agency withdraws its draft rates – Example Agency Statements"
    )
    og = page.locator("meta[property='og:title']").get_attribute("content")
    assert og == "Withdrawn: Example Agency withdraws its draft rates"
    data = json.loads(page.locator("script[type='application/ld+json']").inner_text())
    assert data["headline"] == og
    page.context.close()


def test_corrected_statement_says_so_near_the_top(browser: Any, agency_url: str) -> None:
    page = _open(browser, agency_url + "2021/11/05/office/", 375)
    notice = page.locator(".notice.corrected")
    assert notice.inner_text() == (
        "Corrected on 6 November 2021: Corrected the opening hours. See the correction"
    )
    top = notice.bounding_box()
    body = page.locator(".body").bounding_box()
    assert top is not None and body is not None and top["y"] < body["y"] < 900
    notice.locator("a").click()
    assert page.evaluate("location.hash") == "#corrections"
    assert page.locator("#corrections").is_visible()
    page.context.close()


def test_press_release_ends_with_notes_and_media_contact(browser: Any, agency_url: str) -> None:
    page = _open(browser, agency_url + "2021/11/06/flood/", 375)
    body = page.locator(".body").bounding_box()
    notes = page.locator("section.notes")
    contact = page.locator("section.contact")
    assert notes.locator("h2").inner_text() == "Notes to editors"
    assert notes.locator("li").all_inner_texts()[0] == "The consultation runs for twelve weeks."
    assert contact.locator("h2").inner_text() == "Media contact"
    assert contact.locator("address").inner_text() == (
        "Sam Example\nEmail: press@example.org\nPhone: +44 20 7946 0000"
    )
    assert contact.locator("a[href^='tel:']").get_attribute("href") == "tel:+442079460000"
    boxes = [b for b in (body, notes.bounding_box(), contact.bounding_box()) if b is not None]
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes) and len(boxes) == 3
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
    assert urls["https://press.example.org/"] == "2021-11-07T09:00:00+01:00"


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


def test_statement_page_template_reaches_its_sections_and_neighbours(project: Project) -> None:
    for day, title, kind, tags in [
        ("03", "Oldest", "Release", "[Energy]"),
        ("04", "Middle", "Notice", "[Energy, Ports]"),
        ("05", "Newest", "Release", "[Ports]"),
    ]:
        text = f"title: {title}\ndate: 2021-11-{day}\ntype: {kind}\ntags: {tags}\nbody: x\n"
        project.entry(f"2021-11-{day}-{title.lower()}.yaml", text)
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}{% block main %}<p id="probe">'
        '{{ newer.title if newer else "none" }}/{{ older.title if older else "none" }}'
        '{% for s in sections %} {{ s.name }}={{ s.entries|map(attribute="title")|join(",") }}'
        "{% endfor %}</p>{% endblock %}",
    )
    build(project.root)

    def probe(path: str) -> str:
        page = project.read(f"public/2021/11/{path}/index.html")
        return page.split('id="probe">')[1].split("</p>")[0]

    assert probe("03/oldest") == "Middle/none Release=Newest,Oldest Energy=Middle,Oldest"
    assert (
        probe("04/middle") == "Newest/Oldest Notice=Middle Energy=Middle,Oldest Ports=Newest,Middle"
    )
    assert probe("05/newest") == "none/Middle Release=Newest,Oldest Ports=Newest,Middle"


def test_preview_shows_banners_and_reloads_with_the_problems_of_a_failed_rebuild(
    browser: Any, project: Project
) -> None:
    from feedpub.serve import Preview

    project.entry(
        "2021-11-05-office.yaml",
        "title: Example Agency opens an office\ndate: 2021-11-05\nbody: x\n",
    )
    project.entry(
        "2021-11-06-draft.yaml", "title: A draft\ndate: 2021-11-06\nbody: x\ndraft: true\n"
    )
    project.entry(
        "2099-01-01-later.yaml", "title: Under embargo\ndate: 2099-01-01T09:00\nbody: x\n"
    )
    reports: list[object] = []
    preview = Preview(
        project.root, project.root.parent / "preview", 0, preview=True, report=reports.append
    )
    preview.start()
    try:
        page = _open(browser, preview.url, 375)
        marks = page.locator("ol.entries .feedpub-mark").all_inner_texts()
        assert [m.replace("\u202f", " ") for m in marks] == [
            "Embargoed until January 1, 2099, 9:00 AM Central European Standard Time",
            "Draft",
        ]
        page.locator("a", has_text="A draft").click()
        banner = page.locator(".feedpub-preview[role=status]")
        assert banner.inner_text() == (
            "Draft: it is not published until its file loses the line draft: true."
        )
        # A bad edit: the page reloads by itself and shows the problem at its top.
        project.entry("2021-11-07-broken.yaml", "title: Budget: what changes\n")
        failed = page.locator(".feedpub-preview.failed")
        failed.wait_for(timeout=15_000)
        assert (
            "entries/2021-11-07-broken.yaml:1:14: title: ': ' inside a value" in failed.inner_text()
        )
        box = failed.bounding_box()
        assert box is not None and box["y"] == 0
        page.evaluate("scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "preview-failed-375.png"))
        # Fixed: it reloads again, and the problem is gone.
        project.entry(
            "2021-11-07-broken.yaml", 'title: "Budget: what changes"\ndate: 2021-11-07\nbody: x\n'
        )
        failed.wait_for(state="detached", timeout=15_000)
        assert banner.is_visible()
        page.context.close()
    finally:
        preview.stop()

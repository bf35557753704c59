"""Pages in the language of what they show: gettext catalogues, CLDR dates, a statement's own
language, and a site's own wording of any message."""

from __future__ import annotations

import io
import itertools
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import babel.dates
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from lxml import etree

from conftest import EXAMPLE_CONFIG, REPO, Project, Run
from feedpub import messages
from feedpub.messages import LOCALE_DIR, PLACEHOLDER, english_plural, long_date, release_time
from feedpub.validate import PLACEHOLDER_BODY

PACKAGE = REPO / "src/feedpub"
TEMPLATES = PACKAGE / "templates"
FIXED = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))  # the catalogues' dates: no clock


def _extracted() -> Catalog:
    """Every message feedpub's templates and its code (the words of feeds) use, as a
    catalogue template."""
    catalog = Catalog(project="feedpub", creation_date=FIXED, revision_date=FIXED, fuzzy=False)
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
    templates = extract_from_dir(
        str(TEMPLATES),
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        options_map={"**.html": options},
        comment_tags=("Translators:",),
    )
    # The code's own calls: text.gettext("...") with a literal message.
    code = extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"gettext": None}
    )
    for filename, lineno, message, comments, context in itertools.chain(templates, code):
        catalog.add(
            message, locations=[(filename, lineno)], auto_comments=comments, context=context
        )
    return catalog


def _read(name: str) -> Catalog:
    with (LOCALE_DIR / name).open("rb") as handle:
        return read_po(handle, locale=None if name.endswith(".pot") else name[:-3])


def _write(catalog: Catalog, name: str) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, width=100, include_lineno=False)
    (LOCALE_DIR / name).write_bytes(buffer.getvalue())


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_catalogue_template_lists_every_message_of_the_templates(update_golden: bool) -> None:
    extracted = _extracted()
    if update_golden:
        _write(extracted, "feedpub.pot")
        for path in LOCALE_DIR.glob("*.po"):
            catalog = _read(path.name)
            catalog.update(extracted, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            _write(catalog, path.name)
    assert _ids(_read("feedpub.pot")) == _ids(extracted), "run pytest --update-golden"


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_every_catalogue_translates_every_message_with_its_placeholders(language: str) -> None:
    catalog = _read(f"{language}.po")
    assert _ids(catalog) == _ids(_read("feedpub.pot"))
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else " ".join(message.id)
        string = message.string or ""
        forms = [string] if isinstance(string, str) else list(string)
        assert not message.fuzzy, source
        assert len(forms) == (catalog.num_plurals if message.pluralizable else 1), source
        for form in forms:
            assert form.strip(), f"{language}: {source!r} is not translated"
            given = set(PLACEHOLDER.findall(source + " ".join(message.auto_comments)))
            assert set(PLACEHOLDER.findall(form)) <= given, form
            form % dict.fromkeys(given, 1)  # a valid format: no lone %


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_every_catalogue_s_text_to_replace_names_markdown_as_check_looks_for_it(
    language: str,
) -> None:
    # check reads the catalogues only for a short body naming Markdown (validate.py).
    translated = _read(f"{language}.po")[PLACEHOLDER_BODY]
    assert translated is not None
    assert "Markdown" in str(translated.string)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-GB", "5 November 2021"),
        ("en", "November 5, 2021"),
        ("en-US", "November 5, 2021"),
        ("fr", "5 novembre 2021"),
        ("es", "5 de noviembre de 2021"),
        ("ar", "5 نوفمبر 2021"),
        ("de", "5. November 2021"),
    ],
)
def test_long_date_is_cldr_s_for_the_language(language: str, expected: str) -> None:
    value = datetime(2021, 11, 5, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert long_date(value, messages._locale(language)) == expected


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en-GB", "Europe/London", "5 November 2021, 10:00 Greenwich Mean Time"),
        ("en-GB", "Europe/Paris", "5 November 2021, 10:00 Central European Standard Time"),
        ("en", "America/New_York", "November 5, 2021, 10:00 AM Eastern Daylight Time"),
        ("fr", "Europe/Paris", "5 novembre 2021, 10:00 heure normale d’Europe centrale"),
        ("ar", "Asia/Baghdad", "5 نوفمبر 2021، 10:00 ص التوقيت العربي الرسمي"),
    ],
)
def test_release_time_shows_the_time_and_its_zone(language: str, zone: str, expected: str) -> None:
    value = datetime(2021, 11, 5, 10, 0, tzinfo=ZoneInfo(zone))
    assert release_time(value, messages._locale(language)).replace("\u202f", " ") == expected


def test_dates_formatted_once_read_as_babel_formats_each_value() -> None:
    """long_date and release_time remember what they formatted: the same words as Babel's
    for each value, across summer time changes, a repeated hour, and fixed offsets that
    compare equal but are named differently."""
    zones = [
        ZoneInfo("Europe/Paris"),
        ZoneInfo("America/New_York"),
        ZoneInfo("Australia/Lord_Howe"),  # half an hour of summer time
        ZoneInfo("Asia/Kolkata"),
        timezone.utc,
        timezone(timedelta(hours=-5)),
        timezone(timedelta(hours=-5), "EST"),
        timezone(timedelta(hours=5, minutes=30), "IST"),
    ]
    start = datetime(2021, 3, 27, 22, 30, tzinfo=timezone.utc)  # Paris's clocks went forward
    instants = [start + timedelta(hours=n) for n in range(48)]  # each clock time twice
    repeated = datetime(2021, 11, 7, 5, 30, tzinfo=timezone.utc)  # New York's 1:30, twice
    instants += [repeated + timedelta(hours=n) for n in range(3)]
    for language in ("en", "fr", "ar"):
        locale = messages._locale(language)
        for instant, zone in itertools.product(instants, zones):
            value = instant.astimezone(zone)
            day = babel.dates.format_date(value, "long", locale=locale)
            clock = babel.dates.format_time(value, messages._time_pattern(locale), locale=locale)
            joined = str(babel.dates.get_datetime_format("long", locale=locale)).replace("'", "")
            assert long_date(value, locale) == day, value
            assert release_time(value, locale) == joined.replace("{1}", day).replace(
                "{0}", clock
            ), value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Release", "Releases"),
        ("Advisory", "Advisories"),
        ("Speech", "Speeches"),
        ("Press release", "Press releases"),
        ("Essay", "Essays"),
        ("FAQ", "FAQs"),
        ("Q&A", "Q&As"),
        ("Notice #", "Notice #"),
        ("Communiqué", "Communiqués"),
        ("Пресс-релиз", "Пресс-релиз"),
        ("News", "News"),
        ("Series", "Series"),
        ("Analysis", "Analyses"),
        ("Statement by the Minister", "Statements by the Minister"),
        ("Notice of meeting", "Notices of meeting"),
        ("Brief", "Briefs"),
        ("Ministry of Finance update", "Ministry of Finance updates"),
        ("Board of Governors decision", "Board of Governors decisions"),
        ("Remarks", "Remarks"),
        ("Minutes", "Minutes"),
        ("Press", "Presses"),
    ],
)
def test_english_plural_of_a_type(name: str, expected: str) -> None:
    assert english_plural(name) == expected


def test_a_language_s_own_feeds_say_they_are_in_that_language(project: Project, run: Run) -> None:
    # languages/fr/ declared the site's language: a reader took the French feed for English.
    _site(project)
    assert run("build").exit_code == 0
    public = project.root / "public"
    for folder, language in (("", "en"), ("languages/fr/", "fr"), ("languages/de/", "de")):
        atom = etree.parse(str(public / folder / "atom.xml")).getroot()
        assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == language
        rss = etree.parse(str(public / folder / "rss.xml"))
        assert rss.xpath("string(/rss/channel/language)") == language
        assert json.loads((public / folder / "feed.json").read_text())["language"] == language


def test_language_tags_are_written_in_their_canonical_case(project: Project, run: Run) -> None:
    # `language: FR` was counted under languages/fr/ but written as "FR" on its page and in
    # every feed, so one feed mixed FR and fr: tags are case-insensitive, readers compare text.
    project.config(EXAMPLE_CONFIG.replace("language: en", "language: EN-gb"))
    project.entry(
        "2021-11-06-bureau.yaml",
        "title: L'Agence exemple ouvre un bureau\ndate: 2021-11-06\nlanguage: FR\n"
        "body: Le bureau a ouvert aujourd'hui.\n",
    )
    project.entry("2021-11-07-office.yaml", "title: Office\ndate: 2021-11-07\nbody: Open.\n")
    assert run("build").exit_code == 0
    public = project.root / "public"
    assert _page(project, "").getroot().get("lang") == "en-GB"
    assert _page(project, "2021/11/06/bureau").getroot().get("lang") == "fr"
    atom = (public / "atom.xml").read_text()
    assert 'xml:lang="en-GB"' in atom and 'xml:lang="fr"' in atom
    assert "FR" not in atom and "EN-gb" not in atom
    feed = json.loads((public / "feed.json").read_text())
    assert feed["language"] == "en-GB"
    assert [item.get("language") for item in feed["items"]] == [None, "fr"]


def _site(project: Project, config: str = EXAMPLE_CONFIG) -> None:
    project.config(config)
    project.entry(
        "2021-11-05-office.yaml",
        "title: Example Agency opens an office\ndate: 2021-11-05T10:00\ntype: Release\n"
        "tags: [Flood defence]\nbody: The office opened today.\n",
    )
    project.entry(
        "2021-11-06-bureau.yaml",
        "title: L'Agence exemple ouvre un bureau\ndate: 2021-11-06\nlanguage: fr\n"
        "tags: [Flood defence]\nbody: Le bureau a ouvert aujourd'hui.\n",
    )
    project.entry(
        "2021-11-07-amt.yaml",
        "title: Die Beispielagentur eröffnet ein Büro\ndate: 2021-11-07\nlanguage: de\n"
        "body: Das Büro ist eröffnet.\n",
    )


def _page(project: Project, path: str) -> etree._Element:
    return etree.parse(str(project.root / "public" / path / "index.html"), etree.HTMLParser())


def _text(page: etree._Element, xpath: str) -> str:
    return " ".join("".join(e.itertext()) for e in page.xpath(xpath)).strip()


def test_section_feeds_describe_themselves_in_the_site_s_language(
    project: Project, run: Run
) -> None:
    project.config(EXAMPLE_CONFIG.replace("language: en", "language: fr"))
    project.entry(
        "2021-11-05-x.yaml",
        "title: Un communiqué\ndate: 2021-11-05\ntype: Note\ntags: [Énergie]\nbody: x\n",
    )
    assert run("build").exit_code == 0
    a = {"a": "http://www.w3.org/2005/Atom"}
    tag = etree.parse(str(project.root / "public/tags/energie/atom.xml"))
    assert tag.xpath("string(/a:feed/a:title)", namespaces=a) == (
        "Example Agency Statements – Énergie (mot-clé)"
    )
    assert tag.xpath("string(/a:feed/a:subtitle)", namespaces=a) == (
        "Communiqués avec le mot-clé Énergie publiés par Example Agency."  # not "de Example"
    )
    kind = etree.parse(str(project.root / "public/types/note/rss.xml"))
    assert kind.xpath("string(/rss/channel/description)") == (
        "Communiqués de type Note publiés par Example Agency."
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "No statements at present."),
        ("fr", "Aucun communiqué pour le moment."),
        ("es", "Ningún comunicado por el momento."),
        ("ar", "لا توجد بيانات حاليًا."),
    ],
)
def test_a_list_whose_statements_were_all_removed_says_so_in_the_site_s_language(
    project: Project, run: Run, language: str, expected: str
) -> None:
    project.config(EXAMPLE_CONFIG.replace("language: en", f"language: {language}"))
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\ntags: [Budget]\nbody: x\n"
        "removed: {date: 2021-11-20, reason: A court order.}\n",
    )
    assert run("build").exit_code == 0
    for path in ("tags/budget", "types/statement", "2021"):
        assert _text(_page(project, path), "//main/p[1]").startswith(expected), path


def test_statement_in_another_language_has_its_page_in_that_language(
    project: Project, run: Run
) -> None:
    _site(project)
    assert run("build").exit_code == 0, run("build").stderr
    page = _page(project, "2021/11/06/bureau")
    assert page.xpath("/html/@lang") == ["fr"]
    assert page.xpath("/html/@dir") == ["ltr"]
    assert page.xpath("//main/article/@lang") == []  # the page's own language
    assert _text(page, "//main//p[@class='meta']/time") == "6 novembre 2021"
    assert _text(page, "//h2[@id='subscribe']") == "S’abonner"
    assert _text(page, "//ul[@class='feeds']//p[@class='feed-name']") == (
        "Tous les communiqués Type «\u00a0Statement\u00a0» uniquement"
        " Communiqués avec le mot-clé Flood defence"
    )
    # The site's own text keeps its language.
    assert page.xpath("//header[@class='site']/a/@lang") == ["en"]
    # A language feedpub has no text for: the page is the site's, the statement marked.
    page = _page(project, "2021/11/07/amt")
    assert page.xpath("/html/@lang") == ["en"]
    assert page.xpath("//main/article/@lang") == ["de"]
    assert _text(page, "//h2[@id='subscribe']") == "Subscribe"


def test_lists_keep_the_page_s_language_and_mark_each_statement_s(
    project: Project, run: Run
) -> None:
    _site(project)
    assert run("build").exit_code == 0
    home = _page(project, "")
    items = home.xpath("//ol[@class='entries']/li")
    assert [i.xpath("string(.//time)") for i in items] == [
        "November 7, 2021",
        "November 6, 2021",
        "November 5, 2021",
    ]
    assert items[1].xpath(".//h3//span/@lang") == ["fr"]
    assert _text(home, "//ul[@class='feeds']//p[@class='feed-name']") == (
        "Every statement In Deutsch In English In français"  # as French writes it, in a phrase
    )
    section = _page(project, "types/release")
    assert _text(section, "//ul[@class='feeds']//p[@class='feed-name']") == "Releases only"


def test_site_words_any_message_its_own_way(project: Project, run: Run) -> None:
    config = EXAMPLE_CONFIG.replace("language: en", "language: en-GB") + (
        "messages:\n"
        "  en:\n"
        "    Subscribe: Follow our statements\n"
        "    '%(types)s only': 'Only %(type)s <b>100%</b>'\n"
        "    '%(num)d statement':\n"
        "      one: one item\n"
        "      other: '%(num)d items'\n"
        "  fr:\n"
        "    Subscribe: Recevoir nos communiqués\n"
    )
    _site(project, config)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    home = _page(project, "")
    assert _text(home, "//h2[@id='subscribe']") == "Follow our statements"
    assert home.xpath("string(//nav[@class='years']//span[@class='count'])") == "(3 items)"
    assert _text(home, "//p[@class='meta']/time")[:15] == "7 November 2021"  # en-GB's CLDR
    html = (project.root / "public/types/release/index.html").read_text()
    assert "Only <bdi>Release</bdi> &lt;b&gt;100%&lt;/b&gt;" in html  # text, never markup
    assert _text(_page(project, "2021/11/06/bureau"), "//h2[@id='subscribe']") == (
        "Recevoir nos communiqués"
    )


def test_a_message_s_placeholder_written_with_d_is_filled_in_as_the_catalogue_s_is(
    project: Project, run: Run
) -> None:
    # %(type)d for a name, or %(num)s for a number, is how the .pot writes the other kind.
    config = EXAMPLE_CONFIG + (
        "messages:\n"
        "  en:\n"
        "    '%(types)s only': 'Only %(type)d'\n"
        "    '%(num)d statement':\n"
        "      other: '%(num)s items'\n"
    )
    _site(project, config)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    html = (project.root / "public/types/release/index.html").read_text()
    assert "Only <bdi>Release</bdi>" in html
    home = _page(project, "")
    assert home.xpath("string(//nav[@class='years']//span[@class='count'])") == "(3 items)"


def test_a_site_in_a_language_without_a_catalogue_dates_its_pages_in_it(
    project: Project, run: Run
) -> None:
    # A German site's pages said lang="de" and "November 7, 2021", until any one line of
    # `messages: de:` made every date German: its dates are German either way now, its
    # words English until translated.
    _site(project, EXAMPLE_CONFIG.replace("language: en", "language: de"))
    assert run("build").exit_code == 0
    page = _page(project, "2021/11/05/office")
    assert page.xpath("/html/@lang") == ["de"]
    assert _text(page, "//main//p[@class='meta']/time") == (
        "5. November 2021, 10:00 Mitteleuropäische Normalzeit"
    )
    assert _text(page, "//h2[@id='subscribe']") == "Subscribe"
    assert _text(_page(project, ""), "//ol[@class='entries']//time")[:16] == "7. November 2021"


def test_an_arabic_site_sets_apart_names_in_another_script(project: Project, run: Run) -> None:
    # "Statement · 2 ديسمبر 2026" showed as "2 · Statement ديسمبر 2026": the English type
    # took the day's number into its run. It, the publisher and the feeds' names are set
    # apart (dir="auto"); not the description, a sentence in the page's own language.
    _site(project, EXAMPLE_CONFIG.replace("language: en", "language: ar"))
    assert run("build").exit_code == 0
    home, page = _page(project, ""), _page(project, "2021/11/05/office")
    assert home.xpath("//ol[@class='entries']//span[@class='type']/@dir")[:1] == ["auto"]
    assert page.xpath("//p[@class='meta']/a[@class='type']/@dir") == ["auto"]
    assert home.xpath("//footer//a/@dir") == ["auto", "auto", "auto", "auto"]


def test_messages_for_a_language_without_a_catalogue_make_its_pages(
    project: Project, run: Run
) -> None:
    _site(project, EXAMPLE_CONFIG + "messages:\n  de:\n    Subscribe: Abonnieren\n")
    assert run("build").exit_code == 0
    page = _page(project, "2021/11/07/amt")
    assert page.xpath("/html/@lang") == ["de"]
    assert _text(page, "//h2[@id='subscribe']") == "Abonnieren"
    assert _text(page, "//main//p[@class='meta']/time") == "7. November 2021"
    assert _text(page, "//h2[@id='attachments' or @id='latest']") == ""  # untranslated: English
    assert "Skip to content" in _text(page, "//a[@class='skip']")

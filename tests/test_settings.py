"""feedpub.yaml: every setting declared once, read as strictly as an entry, all problems at once."""

from __future__ import annotations

import re

import pytest

from conftest import EXAMPLE_CONFIG, Project, Run
from feedpub.colors import DARK_BACKGROUND, LIGHT_BACKGROUND, contrast
from feedpub.gather import Project as SiteProject
from feedpub.gather import read_site


def _config_with(line: str) -> str:
    """EXAMPLE_CONFIG with one top-level field replaced (or added)."""
    key = line.split(":", 1)[0]
    kept = []
    skipping = False
    for existing in EXAMPLE_CONFIG.splitlines():
        if existing.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and existing.startswith(" "):
            continue
        skipping = False
        kept.append(existing)
    return "\n".join([*kept, line]) + "\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "base_url: ftp://press.example.org/",
            "base_url: expected an absolute http:// or https:// URL, got 'ftp://press.example.org/'",
        ),
        (
            "base_url: press.example.org",
            "base_url: expected an absolute http:// or https:// URL, got 'press.example.org'",
        ),
        (
            "base_url: https://press.example.org/?a=1",
            "base_url: must not have a query or a fragment, got 'https://press.example.org/?a=1'",
        ),
        (
            "language: English",
            "language: expected a BCP 47 language tag such as en or en-GB, got 'English'",
        ),
        (
            "timezone: Europe/Pari",
            "timezone: unknown time zone 'Europe/Pari'; did you mean Europe/Paris?",
        ),
        ("timezone: ../../etc/passwd", "timezone: unknown time zone '../../etc/passwd'"),
        ("feed_limit: 0", "feed_limit: must be between 1 and 1,000, got 0"),
        ("feed_limit: fifty", "feed_limit: expected a whole number, got text ('fifty')"),
        ("feed_limit: 5.5", "feed_limit: expected a whole number, got a number (5.5)"),
        (
            "id_authority: press.example.org",
            "id_authority: expected a domain (or e-mail address) you control and a year you"
            " controlled it, such as 'statements.example.org,2021' (RFC 4151), got"
            " 'press.example.org'",
        ),
        (
            "id_authority: press.example.org,2021-02-30",
            "id_authority: '2021-02-30' is not a real date",
        ),
        ("publisher: [a]", "publisher: expected fields (name: value), got a list"),
        (
            "publisher:\n  mail: press@example.org",
            "publisher.mail: unknown field; did you mean email?",
        ),
        (
            "publisher:\n  name: A\n  email: not-an-address",
            "publisher.email: expected an e-mail address such as press@example.org,"
            " got 'not-an-address'",
        ),
        ("publisher:\n  email: press@example.org", "publisher.name: required field is missing"),
        ("titel: X", "titel: unknown field; did you mean title?"),
        (
            "publisher:\nname: Example Agency\nurl: https://www.example.org/",
            "publisher: `name:` and `url:` (lines 8 to 9) are not indented under `publisher:`,"
            " so YAML reads each as a field of its own and `publisher:` as empty; indent them"
            " by 2 spaces",
        ),
    ],
)
def test_check_reports_bad_setting(project: Project, run: Run, line: str, expected: str) -> None:
    project.config(_config_with(line))
    result = run("check")
    assert result.exit_code == 1
    assert any(
        e.startswith("feedpub.yaml:") and e.split(": ", 1)[1] == expected for e in result.errors
    ), result.errors


# A setting tried replaces its line of EXAMPLE_CONFIG (timezone: line 5), or goes after its
# ten lines, on line 11.
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "timezone: GMT+1",
            "5:11: timezone: unknown time zone 'GMT+1'; for a fixed offset of GMT+1 all year"
            " write Etc/GMT-1 (the sign flips: IANA's Etc names count hours west of Greenwich,"
            " so Etc/GMT-1 is GMT+1); if the office keeps summer time, write its city instead,"
            " such as Europe/Paris",
            id="timezone-gmt-plus-one",
        ),
        pytest.param(
            "timezone: UTC-05:00",
            "5:11: timezone: unknown time zone 'UTC-05:00'; for a fixed offset of GMT-5 all"
            " year write Etc/GMT+5 (the sign flips: IANA's Etc names count hours west of"
            " Greenwich, so Etc/GMT+5 is GMT-5); if the office keeps summer time, write its"
            " city instead, such as America/New_York",
            id="timezone-utc-minus-five",
        ),
        pytest.param(
            "timezone: GMT+5:30",
            "5:11: timezone: unknown time zone 'GMT+5:30'; write the office's city in the IANA"
            " form Region/City, such as Asia/Kolkata",
            id="timezone-half-hour",
        ),
        pytest.param(
            "timezone: localtime",
            "5:11: timezone: 'localtime' is no place's zone but a setting of the machine (a link"
            " some systems keep beside the zones), so builds on two machines could differ:"
            " write the office's city in the IANA form Region/City, as in Europe/Paris",
            id="timezone-the-machine-s-own",
        ),
        pytest.param(
            "timezone: LocalTime",  # as a case-insensitive disk finds it
            "5:11: timezone: 'LocalTime' is no place's zone but a setting of the machine (a link"
            " some systems keep beside the zones), so builds on two machines could differ:"
            " write the office's city in the IANA form Region/City, as in Europe/Paris",
            id="timezone-the-machine-s-own-in-capitals",
        ),
        pytest.param(
            "timezone: posixrules",
            "5:11: timezone: 'posixrules' is no place's zone but a setting of the machine (a link"
            " some systems keep beside the zones), so builds on two machines could differ:"
            " write the office's city in the IANA form Region/City, as in Europe/Paris",
            id="timezone-posix-rules",
        ),
        pytest.param(
            "feed_limit: " + "9" * 5_000,  # past the 4,300 digits Python reads as a number
            "11:13: feed_limit: must be between 1 and 1,000, got 5,000 digits",
            id="feed-limit-thousands-of-digits",
        ),
        pytest.param(
            "accent_color: '#1a9fff'",
            "11:15: accent_color: #1a9fff has a contrast of 2.8:1 against the white background,"
            " and links need 4.5:1 to be readable (WCAG AA); use a darker colour, such as"
            " #147ac4",
            id="accent-too-light",
        ),
        pytest.param(
            "accent_color: teal",
            "11:15: accent_color: expected a colour such as '#0b4fb3' (# and 3 or 6 hex digits),"
            " got 'teal'",
            id="accent-not-hex",
        ),
        pytest.param(
            "accent_color: #0b4fb3",
            "11:14: accent_color: is empty; a colour written unquoted is a comment to YAML,"
            " as a '#' starts one: put it in quotes, accent_color: '#0b4fb3'",
            id="accent-unquoted-is-a-comment",
        ),
        pytest.param(
            "messages:\n  en:\n    Subscrbe: Follow us",
            "13:5: messages.en: 'Subscrbe' is not a message of feedpub's pages; did you mean"
            " Subscribe? (they are listed in feedpub/locale/feedpub.pot)",
            id="messages-unknown",
        ),
        pytest.param(
            "messages:\n  en:\n    Statements tagged %(tag)s: Everything on %(topic)s",
            "13:32: messages.en: %(topic)s is not filled in by this message (it has: %(tag)s)",
            id="messages-placeholder",
        ),
        pytest.param(
            "messages:\n  English:\n    Subscribe: Follow us",
            "12:3: messages: expected a BCP 47 language tag such as en or en-GB, got 'English',"
            " for the language of the messages below it",
            id="messages-language",
        ),
        pytest.param(
            "messages:\n  en:\n    '%(num)d statement':\n      one: '%(num)d release'",
            "14:7: messages.en: '%(num)d statement': the form for 'other' is missing",
            id="messages-plural-without-other",
        ),
        pytest.param(
            "section_aliases: {types: {'': Release}}",
            "11:27: section_aliases.types: an old name ('') must not be empty; write the name"
            " the type had before it was renamed",
            id="section-alias-blank-old-name",
        ),
    ],
)
def test_check_reports_bad_page_setting_at_its_position(
    project: Project, run: Run, line: str, expected: str
) -> None:
    key = line.split(":", 1)[0]
    replaced = re.sub(rf"^{key}:.*$", line, EXAMPLE_CONFIG, flags=re.MULTILINE)
    project.config(replaced if replaced != EXAMPLE_CONFIG else EXAMPLE_CONFIG + line + "\n")
    result = run("check")
    assert result.exit_code == 1
    assert f"feedpub.yaml:{expected}" in result.errors, result.errors


def test_accent_color_is_kept_and_lightened_for_the_dark_scheme(project: Project) -> None:
    project.config(EXAMPLE_CONFIG + "accent_color: '#0B6E4F'\n")
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    accent = read_site(SiteProject.at(project.root)).site.config.accent_color
    assert accent is not None
    assert accent.light == "#0b6e4f"
    assert contrast(accent.light, LIGHT_BACKGROUND) >= 4.5
    assert contrast(accent.dark, DARK_BACKGROUND) >= 4.5
    assert accent.dark != accent.light  # 1.9:1 on the dark background as given


def test_check_reports_every_missing_setting(project: Project, run: Run) -> None:
    project.config("title: X\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors == [
        f"feedpub.yaml:1:1: {name}: required field is missing"
        for name in sorted(
            ["base_url", "description", "language", "timezone", "publisher", "id_authority"]
        )
    ] + ["feedpub: 6 problems in 1 file"]


def test_check_reports_every_wrong_item_of_a_setting_in_one_run(project: Project, run: Run) -> None:
    # Each was told at its first wrong item alone; the next appeared once that was fixed.
    project.config(
        _config_with("publisher:\n  email: nope\n  mail: press@example.org")
        + "websub_hubs: [ftp://hub.example.net/, ftp://hub.example.com/]\n"
        + "section_aliases:\n  types: {Release: 1, Notice: [x]}\n  tgs: {A: B}\n"
        + "messages:\n  en: {Subscrbe: Follow us, Subscribe: [x]}\n  English: {Subscribe: Follow}\n"
        + "  EN: {Subscribe: Follow}\n"  # listed twice, though the first is wrong
    )
    result = run("check")
    assert result.exit_code == 1
    url = "expected an absolute http:// or https:// URL, got"
    message = "is not a message of feedpub's pages"
    pot = "(they are listed in feedpub/locale/feedpub.pot)"
    assert result.errors == [
        "feedpub.yaml:8:3: publisher.name: required field is missing",
        "feedpub.yaml:8:10: publisher.email: expected an e-mail address such as"
        " press@example.org, got 'nope'",
        "feedpub.yaml:9:3: publisher.mail: unknown field; did you mean email?",
        f"feedpub.yaml:10:15: websub_hubs: item 1: {url} 'ftp://hub.example.net/'",
        f"feedpub.yaml:10:39: websub_hubs: item 2: {url} 'ftp://hub.example.com/'",
        "feedpub.yaml:12:20: section_aliases.types.Release: expected text, got a number (1);"
        " put it in quotes if you mean the text '1'",
        "feedpub.yaml:12:31: section_aliases.types.Notice: expected text, got a list",
        "feedpub.yaml:13:3: section_aliases.tgs: unknown field; did you mean tags?",
        f"feedpub.yaml:15:8: messages.en: 'Subscrbe' {message}; did you mean Subscribe? {pot}",
        "feedpub.yaml:15:40: messages.en: expected text, got a list",
        "feedpub.yaml:16:3: messages: expected a BCP 47 language tag such as en or en-GB, got"
        " 'English', for the language of the messages below it",
        "feedpub.yaml:17:3: messages: the language 'EN' is listed twice",
        "feedpub: 12 problems in 1 file",
    ]


def test_check_still_checks_entries_when_settings_are_broken(project: Project, run: Run) -> None:
    project.config(_config_with("timezone: Nowhere/Land"))
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert "entries/2021-11-05-x.yaml:1:8: title: expected text, got a list" in result.errors
    assert result.errors[-1] == "feedpub: 2 problems in 2 files"


def test_check_reports_missing_settings_file(project: Project, run: Run) -> None:
    (project.root / "feedpub.yaml").unlink()
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0].startswith("feedpub.yaml: not found; is ")


def test_config_normalizes_base_url_and_defaults_feed_limit(project: Project) -> None:
    project.config(_config_with("base_url: https://press.example.org/statements"))
    config = read_site(SiteProject.at(project.root)).site.config
    assert config.base_url == "https://press.example.org/statements/"
    assert config.feed_limit == 50
    assert config.publisher.email == "press@example.org"


def test_a_number_written_with_thousands_of_leading_zeros_is_read(project: Project) -> None:
    project.config(EXAMPLE_CONFIG + "feed_limit: " + "0" * 5_000 + "20\n")
    assert read_site(SiteProject.at(project.root)).site.config.feed_limit == 20


def test_config_accepts_publisher_as_one_name(project: Project) -> None:
    project.config(_config_with("publisher: Example Agency"))
    config = read_site(SiteProject.at(project.root)).site.config
    assert config.publisher.name == "Example Agency"
    assert config.publisher.email is None


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "base_url",
            "https://[press.example.org/",
            "'https://[press.example.org/' is not a valid URL",
        ),
        ("base_url", "https://press.example.org:port/", "is not a valid URL"),
        ("timezone", "Europe", "unknown time zone 'Europe'"),
    ],
)
def test_settings_that_crashed_are_problems(
    project: Project, run: Run, field: str, value: str, expected: str
) -> None:
    project.config(_config_with(f"{field}: {value}"))
    result = run("check")
    assert result.exit_code == 1
    assert expected in result.stderr


def test_icon_must_be_a_static_file(project: Project, run: Run) -> None:
    project.config(project.read("feedpub.yaml") + "icon: missing.png\n")
    result = run("check")
    assert result.exit_code == 1
    assert (
        "feedpub.yaml:11:7: icon: 'missing.png' is not a file in static/; put the image"
        " there or give a URL" in result.errors
    )


def test_icon_and_logo_whose_names_need_escaping_are_linked_to_their_files(
    project: Project, run: Run
) -> None:
    # "a%20b.png" served as written would be asked for as "a b.png", a file not there.
    for name in ("a%20b #1.png", "café?.png"):
        (project.root / "static" / name).parent.mkdir(exist_ok=True)
        (project.root / "static" / name).write_bytes(b"\x89PNG")
    project.config(project.read("feedpub.yaml") + "icon: 'a%20b #1.png'\nlogo: café?.png\n")
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: A.\n")
    assert run("build").exit_code == 0
    page = project.read("public/index.html")
    assert '<link rel="icon" href="a%2520b%20%231.png">' in page
    assert 'src="caf%C3%A9%3F.png"' in page
    assert "a%20b #1.png" not in page
    atom = project.read("public/atom.xml")
    assert "<icon>https://press.example.org/a%2520b%20%231.png</icon>" in atom
    assert "<logo>https://press.example.org/caf%C3%A9%3F.png</logo>" in atom


@pytest.mark.parametrize(
    ("hubs", "expected"),
    [
        (
            " https://hub.example.net/",
            "feedpub.yaml:11:14: websub_hubs: expected a list of hub URLs such as"
            " [https://hub.example.org/], got text ('https://hub.example.net/')",
        ),
        (
            "",
            "feedpub.yaml:11:13: websub_hubs: expected a list of hub URLs such as"
            " [https://hub.example.org/], got nothing (null)",
        ),
        (
            " [https://hub.example.net/, ftp://hub.example.net/]",
            "feedpub.yaml:11:41: websub_hubs: item 2: expected an absolute http:// or https://"
            " URL, got 'ftp://hub.example.net/'",
        ),
        (
            "\n  - https://hub.example.net/\n  - hub.example.net",
            "feedpub.yaml:13:5: websub_hubs: item 2: expected an absolute http:// or https://"
            " URL, got 'hub.example.net'",
        ),
        (
            "\n  - 'javascript:alert(1)'",
            "feedpub.yaml:12:5: websub_hubs: item 1: expected an absolute http:// or https://"
            " URL, got 'javascript:alert(1)'",
        ),
        (
            "\n  - https://hub.example.net/\n  - https://hub.example.net/",
            "feedpub.yaml:13:5: websub_hubs: item 2: 'https://hub.example.net/' is listed twice",
        ),
        (
            "\n  - https://press:secret@hub.example.net/",
            "feedpub.yaml:12:5: websub_hubs: item 1: a hub URL must not hold a user name or"
            " password",
        ),
        (
            "\n  - https://hub.example.net/ <b>",
            "feedpub.yaml:12:5: websub_hubs: item 1: 'https://hub.example.net/ <b>' holds"
            " characters a URL cannot (spaces, quotes, <, >)",
        ),
        (
            "\n  - [https://hub.example.net/]",
            "feedpub.yaml:12:5: websub_hubs: item 1: expected text, got a list",
        ),
        (
            " [" + ", ".join(f"https://hub{n}.example.net/" for n in range(11)) + "]",
            "feedpub.yaml:11:14: websub_hubs: has 11 items; at most 10 are allowed",
        ),
    ],
)
def test_check_reports_bad_websub_hubs(
    project: Project, run: Run, hubs: str, expected: str
) -> None:
    project.config(EXAMPLE_CONFIG + f"websub_hubs:{hubs}\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors == [expected, "feedpub: 1 problem in 1 file"]


def test_config_reads_websub_hubs_in_order(project: Project) -> None:
    project.config(
        EXAMPLE_CONFIG
        + "websub_hubs:\n  - https://hub.example.net/\n  - http://push.example.com/w\n"
    )
    config = read_site(SiteProject.at(project.root)).site.config
    assert config.websub_hubs == ("https://hub.example.net/", "http://push.example.com/w")
    project.config(EXAMPLE_CONFIG + "websub_hubs: []\n")
    assert read_site(SiteProject.at(project.root)).site.config.websub_hubs == ()


def test_a_command_run_inside_a_site_s_folder_names_the_site_and_only_that(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from entries/, check warned that the entries were "not in entries/", said to
    # create entries/ (that is, entries/entries/), and asked whether to `feedpub init`.
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    (project.root / "entries" / "deep").mkdir()
    for folder, up in (("entries", ".."), ("entries/deep", "../..")):
        monkeypatch.chdir(project.root / folder)
        for command in ("check", "build"):
            result = run(command)
            assert result.exit_code == 1
            assert result.errors[:-1] == [
                f"feedpub.yaml: not found here, in {project.root}/{folder}, a folder of the"
                f" site at {up}: run feedpub there (`cd {up}`), or give `--root {up}`"
            ]
    # A folder in no site: as before, with `feedpub init` offered.
    monkeypatch.chdir(project.root.parent)
    (project.root / "feedpub.yaml").unlink()
    assert (
        f"site/feedpub.yaml: not found; is {project.root} a feedpub site? Run feedpub in the"
        " site's folder (or give --root), or make a site in site with `feedpub init site`"
    ) in run("check", "--root", "site").errors
    (project.root / "entries" / "deep").rmdir()
    assert run("check", "--root", "site/entries").errors[:-1] == [
        f"site/entries/feedpub.yaml: not found; is {project.root}/entries a feedpub site? Run"
        " feedpub in the site's folder (or give --root), or make a site in site/entries with"
        " `feedpub init site/entries`"
    ]


def test_broken_settings_and_no_entries_folder_are_both_told_in_one_run(
    project: Project, run: Run
) -> None:
    # Only a folder with neither is no site; a site with both wrong hears of both.
    project.config(_config_with("timezone: Nowhere/Land"))
    (project.root / "entries").rmdir()
    result = run("check")
    assert [line.split(":")[0] for line in result.errors[:-1]] == ["entries/", "feedpub.yaml"]

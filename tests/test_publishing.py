"""The press office's loop: new -> check -> build; embargo, drafts, corrections, withdrawal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lxml import etree

from conftest import Project, Run, console
from feedpub.validate import PLACEHOLDER_BODY

LATER = "2021-11-06-later.yaml", "title: Later\ndate: 2021-11-06T09:00\nbody: x\n"


NOW_BEFORE = "2021-11-06T07:59:59+00:00"  # 08:59:59 in Paris, a second before release


NOW_AFTER = "2021-11-06T08:00:00Z"


def test_check_warns_of_embargo_leak_and_counts_held(project: Project, run: Run) -> None:
    project.entry(*LATER)
    result = run("check", "--now", NOW_BEFORE)
    assert result.exit_code == 0
    assert result.errors == [
        "entries/2021-11-06-later.yaml:2:7: date: warning: under embargo until"
        " 2021-11-06T09:00:00+01:00: held back from the site until then, but not secret:"
        " anyone who can read this repository can read it now; commit it at its release time"
        " if it must stay confidential"
    ]
    assert result.stdout == (
        "feedpub: 1 entry checked (1 held under embargo until 2021-11-06T09:00:00+01:00),"
        " no problems, 1 warning\n"
    )


def test_now_without_offset_is_read_in_the_sites_time_zone(project: Project, run: Run) -> None:
    project.entry(*LATER)  # released at 09:00 in Paris, 08:00Z
    held = "(1 held under embargo until 2021-11-06T09:00:00+01:00)"
    assert held in run("build", "--now", "2021-11-06T08:59").stdout  # 07:59Z, not 08:59Z
    released = run("build", "--now", "2021-11-06T09:00")
    assert "feedpub: built 1 statement into public/" in released.stdout
    assert run("check", "--now", "2021-11-06T09:00:00").stdout == (
        "feedpub: 1 entry checked, no problems\n"
    )
    # A date alone is its midnight in the site's zone, as in an entry's date:.
    day = run("check", "--now", "2021-11-06")
    assert (day.exit_code, day.stdout) == (
        0,
        f"feedpub: 1 entry checked {held}, no problems, 1 warning\n",
    )


def test_new_writes_a_draft_that_check_accepts(project: Project, run: Run) -> None:
    result = run(
        "new",
        "Example Agency opens an office in Zürich!",
        "--date",
        "2021-11-05",
        "--type",
        "Release",
        "--tag",
        "Offices",
        "--tag",
        "Énergie",
    )
    assert result.exit_code == 0, result.stderr
    name = "entries/2021-11-05-example-agency-opens-an-office-in-zurich.yaml"
    assert result.stdout == f"{name}\n"
    text = project.read(name)
    assert text.startswith(
        'title: "Example Agency opens an office in Zürich!"\ndate: 2021-11-05\n'
        'type: "Release"\ntags: ["Offices", "Énergie"]\nbyline: "Example Agency"\n'
    )
    assert (
        'id: "tag:press.example.org,2020:2021-11-05-example-agency-opens-an-office-in-zurich"'
        in text
    )
    assert "draft: true\n" in text
    check = run("check")
    assert (check.exit_code, check.stdout) == (
        0,
        "feedpub: 1 entry checked (1 draft not published), no problems\n",
    )


def test_new_asks_in_the_site_s_language_for_the_text_and_check_knows_it_unedited(
    project: Project, run: Run
) -> None:
    # The text to replace was English on every site, and only the English one was refused.
    project.config(project.read("feedpub.yaml").replace("language: en", "language: es-MX"))
    assert run("new", "Aviso", "--date", "2021-11-05").exit_code == 0
    name = "entries/2021-11-05-aviso.yaml"
    text = project.read(name)
    placeholder = "Escriba aquí el comunicado, en Markdown. Deje una línea en blanco entre los"
    assert f"body: |\n  {placeholder} párrafos.\n" in text
    project.file(name, text.replace("draft: true\n", ""))
    check = run("check")
    assert check.exit_code == 1
    assert check.errors[0].startswith(f"{name}:9:7: body: is still the text `feedpub new` wrote")
    # The English one, written before the site had its language, is refused still.
    english = text.replace(f"{placeholder} párrafos.", PLACEHOLDER_BODY)
    project.file(name, english.replace("draft: true\n", ""))
    assert run("check").errors[0].startswith(f"{name}:9:7: body: is still the text")


def test_check_knows_the_text_to_replace_in_any_language_rewrapped_or_as_the_site_words_it(
    project: Project, run: Run
) -> None:
    # A Spanish draft's text was published once the site's language became English; rewrapped
    # by an editor or its accents decomposed, any placeholder passed.
    settings = project.read("feedpub.yaml")
    project.config(settings.replace("language: en", "language: es"))
    assert run("new", "Aviso", "--date", "2021-11-05").exit_code == 0
    name = "entries/2021-11-05-aviso.yaml"
    text = project.read(name).replace("draft: true\n", "")
    project.config(settings)  # English again
    project.file(name, text)
    refused = f"{name}:9:7: body: is still the text `feedpub new` wrote"
    assert run("check").errors[0].startswith(refused)
    spanish = (
        "Escriba aquí el comunicado, en Markdown. Deje una línea en blanco entre los párrafos."
    )
    rewrapped = spanish.replace(" una ", "\n  una ").replace("í", "i\u0301")
    project.file(name, text.replace(spanish, rewrapped))
    assert run("check").errors[0].startswith(refused)
    # A site's own wording of it, in its `messages:`, is what new writes and check refuses.
    own = "Our statement goes here."
    project.config(settings + f"messages:\n  en:\n    {PLACEHOLDER_BODY!r}: {own!r}\n")
    assert run("new", "Notice", "--date", "2021-11-05").exit_code == 0
    notice = "entries/2021-11-05-notice.yaml"
    assert f"body: |\n  {own}\n" in project.read(notice)
    project.file(notice, project.read(notice).replace("draft: true\n", ""))
    assert f"{notice}:9:7: body: is still the text `feedpub new` wrote" in "\n".join(
        run("check").errors
    )


def test_new_never_overwrites_and_numbers_a_title_used_again_that_day(
    project: Project, run: Run
) -> None:
    # A second statement titled alike on one day ("Readout of the call") was refused, with
    # "choose another title": import numbers such files, and so does new now.
    assert run("new", "Same title", "--date", "2021-11-05").exit_code == 0
    path = project.root / "entries/2021-11-05-same-title.yaml"
    path.write_text(path.read_text() + "# edited by hand\n")
    before = path.read_bytes()
    (project.root / "entries/2021-11-05-same-title-2.yml").write_text("# another's\n")
    result = run("new", "Same title", "--date", "2021-11-05")
    assert (result.exit_code, result.stdout) == (0, "entries/2021-11-05-same-title-3.yaml\n")
    assert path.read_bytes() == before
    third = (project.root / "entries/2021-11-05-same-title-3.yaml").read_text()
    assert 'id: "tag:press.example.org,2020:2021-11-05-same-title-3"\n' in third
    (project.root / "entries/2021-11-05-same-title-2.yml").unlink()
    assert run("check").exit_code == 0


@pytest.mark.parametrize(
    ("kept", "named"),
    [
        # Renamed, keeping its id and its old address: each alone is enough.
        ("both", "opening-2"),
        ("id", "opening-2"),
        ("alias", "opening-2"),
        # Its aliases written as a list begun in column 1, or a [ ] list over two lines.
        ("alias-block", "opening-2"),
        ("alias-flow", "opening-2"),
        # A link in a body to another site's page of that date and name is no address here.
        ("link", "opening"),
    ],
)
def test_new_never_gives_the_id_or_address_a_renamed_statement_keeps(
    project: Project, run: Run, kept: str, named: str
) -> None:
    # A statement renamed keeps its id and its old address (aliases:); `new` with its old
    # title wrote the old file name again, with that id, and check then told the office
    # to give the published statement, "the copy", a new id.
    assert run("new", "Opening", "--date", "2021-11-05").exit_code == 0
    old = project.root / "entries/2021-11-05-opening.yaml"
    text = old.read_text().replace("draft: true\n", "").replace(PLACEHOLDER_BODY, "Open.")
    old.unlink()
    if kept != "both" and kept != "id":  # an id of its own
        text = text.replace("2021-11-05-opening", "2021-11-05-new-office")
    text += {
        "both": 'aliases: ["2021/11/05/opening/"]\n',
        "alias": 'aliases: ["2021/11/05/opening/"]\n',
        "alias-block": "aliases:\n- /2021/11/05/opening/\n",
        "alias-flow": "aliases: [/2021/11/05/first-office/,\n  /2021/11/05/opening/]\n",
    }.get(kept, "")
    if kept == "link":
        text = text.replace(
            "Open.", "Open, as [the Gazette](https://gazette.example.com/2021/11/05/opening/) says."
        )
    project.entry("2021-11-05-new-office.yaml", text)
    assert run("check").exit_code == 0
    result = run("new", "Opening", "--date", "2021-11-05")
    assert (result.exit_code, result.stdout) == (0, f"entries/2021-11-05-{named}.yaml\n")
    assert f'id: "tag:press.example.org,2020:2021-11-05-{named}"\n' in project.read(
        f"entries/2021-11-05-{named}.yaml"
    )
    assert run("check").exit_code == 0


def test_new_bounds_the_slug_and_keeps_the_id_through_a_rename(project: Project, run: Run) -> None:
    title = "Заявление " + "о сотрудничестве " * 10
    result = run("new", title, "--date", "2021-11-05T10:30")
    path = project.root / result.stdout.strip()
    slug = path.stem.removeprefix("2021-11-05-")
    assert slug.startswith("zayavlenie-o-sotrudnichestve") and len(slug) <= 60
    assert "date: 2021-11-05T10:30+01:00\n" in path.read_text()
    text = path.read_text().replace("draft: true\n", "")
    path.write_text(
        text.replace(PLACEHOLDER_BODY, "The agency and its partner agreed to cooperate.")
    )
    before = run("build")
    assert before.exit_code == 0
    old_id = json.loads(project.read("public/feed.json"))["items"][0]["id"]
    path.rename(path.with_name("2021-11-05-cooperation.yaml"))
    assert run("build").exit_code == 0
    assert json.loads(project.read("public/feed.json"))["items"][0]["id"] == old_id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "", "--date", "2021-11-05"], "(title): the title is empty"),
        (["new", "!!!", "--date", "2021-11-05"], "(title): the title has no letter or digit"),
        (
            ["new", "Rates\x01", "--date", "2021-11-05"],
            "(title): character U+0001 '\\x01' is not allowed (XML 1.0 forbids it in feeds)",
        ),
        (
            ["new", "Rates\x7f", "--date", "2021-11-05"],
            "(title): character U+007F '\\x7f' is not allowed (XML 1.0 forbids it in feeds)",
        ),
        (
            ["new", "Rates \ufffe", "--date", "2021-11-05"],
            "(title): character U+FFFE '\\ufffe' is not allowed (XML 1.0 forbids it in feeds)",
        ),
        (
            ["new", "Rates", "--tag", "Rates\x85\x9b", "--date", "2021-11-05"],
            "(--tag): character U+009B '\\x9b' is not allowed (XML 1.0 forbids it in feeds)",
        ),
        (
            ["new", "Rates", "--type", "!!!", "--date", "2021-11-05"],
            "(--type): must contain a letter or a digit, got '!!!'",
        ),
        # Refused as check would refuse them in the file, named as given: the file named
        # before (entries/...:4:8: tags:) was never written.
        (["new", "Rates", "--tag", "", "--date", "2021-11-05"], "(--tag): item 1: must not be"),
        (
            ["new", "Rates", "--tag", "A", "--tag", "x" * 61, "--date", "2021-11-05"],
            "(--tag): item 2: is 61 characters long; at most 60",
        ),
        (["new", "Rates", "--type", "y" * 61, "--date", "2021-11-05"], "(--type): is 61 char"),
    ],
)
def test_new_refuses_unusable_titles(
    project: Project, run: Run, args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.errors[0].startswith(message)
    assert list((project.root / "entries").iterdir()) == []


def test_new_refuses_a_bad_date_as_usage_error(project: Project, run: Run) -> None:
    result = run("new", "X", "--date", "5 Nov 2021")
    assert result.exit_code == 2
    assert (
        result.errors[-1]
        == "feedpub: error: --date '5 Nov 2021': expected 2021-11-05 or 2021-11-05T10:00"
    )


def test_new_refuses_a_year_before_1900_once_not_also_as_a_file_name(
    project: Project, run: Run
) -> None:
    # The file name was made with strftime's %Y, unpadded before 1000 ("1-01-01-x.yaml"),
    # which added a second, misleading problem about the file name's form.
    result = run("new", "X", "--date", "0001-01-01")
    assert result.exit_code == 1
    assert result.errors == [
        "(--date): '0001-01-01' is before 1900; date it the day it was released: check the year",
        "feedpub: 1 problem on the command line; nothing was written",
    ]


def test_new_refuses_a_time_the_clocks_skip_and_writes_what_check_accepts(
    project: Project, run: Run
) -> None:
    # It wrote 2021-03-28T02:30+01:00 (03:30 in Paris) where build refuses 02:30, and
    # 1905-03-01T10:00+00:09:21, an offset its own check then refused.
    skipped = run("new", "Gap", "--date", "2021-03-28T02:30")
    assert (skipped.exit_code, skipped.errors) == (
        1,
        [
            "(--date): 2021-03-28T02:30 does not exist in Europe/Paris (the clocks skip it);"
            " give a time before or after the change",
            "feedpub: 1 problem on the command line; nothing was written",
        ],
    )
    for date, written in [
        ("1905-03-01T10:00", "1905-03-01T10:00+00:09"),  # local mean time, to the minute
        ("2021-10-31T02:30", "2021-10-31T02:30+02:00"),  # twice: the first, its offset said
    ]:
        assert run("new", "Dated", "--date", date).exit_code == 0
        path = project.root / "entries" / f"{date[:10]}-dated.yaml"
        assert f"date: {written}\n" in path.read_text()
    assert run("check").errors == []  # drafts, but checked as any entry is


def test_new_with_root_names_a_bad_title_as_on_the_command_line(project: Project, run: Run) -> None:
    # With --root, the title was shown as a file of the site: "site/(title)", "in 1 file".
    (project.root / "site/entries").mkdir(parents=True)
    (project.root / "site/feedpub.yaml").write_text(project.read("feedpub.yaml"))
    result = run("new", "!!!", "--root", "site", "--date", "2021-11-05")
    assert result.errors == [
        "(title): the title has no letter or digit to make a file name from",
        "feedpub: 1 problem on the command line; nothing was written",
    ]


def test_new_with_entries_as_a_file_is_a_problem(project: Project, run: Run) -> None:
    (project.root / "entries").rmdir()
    (project.root / "entries").write_text("not a folder")
    result = run("new", "Title", "--date", "2021-11-05T10:00")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries: is a file; feedpub keeps one file per statement in a folder of this name"
    )


def test_embargo_holds_back_until_release_then_publishes(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry(*LATER)
    held = run("build", "--now", NOW_BEFORE)
    assert "(1 held under embargo until 2021-11-06T09:00:00+01:00)" in held.stdout
    # Answered by the no-change check, the release time reads the same (it read 08:00Z).
    again = run("build", "--now", NOW_BEFORE)
    assert "(1 held under embargo until 2021-11-06T09:00:00+01:00) into public/ (already" in (
        again.stdout
    )
    public = project.root / "public"
    assert "Later" not in (public / "atom.xml").read_text()
    assert not (public / "2021/11/06/later").exists()
    assert "later" not in project.read("public/index.html")
    released = run("build", "--now", NOW_AFTER)
    assert "built 2 statements into" in released.stdout
    assert (public / "2021/11/06/later/index.html").is_file()


def test_correction_or_withdrawal_dated_after_now_is_refused_until_then(
    project: Project, run: Run
) -> None:
    # A typo in a correction's year published "Corrected on 20 December" weeks early, and
    # feeds sorted the statement first as the latest news until then.
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\nupdated: 2021-11-20\nchange_note: Typo.\nbody: x\n",
    )
    project.entry(
        "2021-11-04-y.yaml",
        "title: Y\ndate: 2021-11-04\nwithdrawn: {date: 2021-11-30, reason: Wrong.}\nbody: y\n",
    )
    later = (
        "{} is later than now (2021-11-06T08:59+01:00), and the statement is published: it"
        " would show as made then, and readers would take it for the latest news until then;"
        " date it when it is made"
    )
    result = run("build", "--now", NOW_BEFORE)
    assert (result.exit_code, result.errors[:2]) == (
        1,
        [
            "entries/2021-11-04-y.yaml:3:12: withdrawn: "
            + later.format("2021-11-30T00:00:00+01:00"),
            "entries/2021-11-05-x.yaml:3:10: updated: " + later.format("2021-11-20T00:00:00+01:00"),
        ],
    )
    assert not (project.root / "public").exists()
    assert run("build", "--now", "2021-11-30T00:00:00+01:00").exit_code == 0


def test_embargoed_statement_corrected_after_its_release_is_refused_before_it(
    project: Project, run: Run
) -> None:
    # Else `check` passed, and the unattended build releasing it failed (and with it every
    # other release) until the correction's date.
    project.entry(LATER[0], LATER[1] + "updated: 2021-11-06T10:00\nchange_note: Typo.\n")
    result = run("check", "--now", NOW_BEFORE)
    assert (result.exit_code, result.errors[1]) == (
        1,
        f"entries/{LATER[0]}:4:10: updated: 2021-11-06T10:00:00+01:00 is later than its"
        " release (2021-11-06T09:00+01:00): it would show as made then, and readers would"
        " take it for the latest news until then; date it when it is made",
    )


def test_no_change_check_answers_as_a_full_build_when_now_moves_back_before_a_correction(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\nupdated: 2021-11-06T10:00\nchange_note: Typo.\nbody: x\n",
    )
    assert run("build", "--now", "2021-11-07T00:00:00Z").exit_code == 0
    back = run("build", "--now", NOW_AFTER)  # 09:00 in Paris, before the correction
    assert back.exit_code == 1
    assert "is later than now" in back.errors[0]


def test_same_now_gives_byte_identical_output(project: Project, run: Run, tmp_path: Path) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry(*LATER)
    assert run("build", "--now", NOW_BEFORE).exit_code == 0
    first = project.tree()
    assert run("build", "--now", NOW_AFTER, "--out", str(tmp_path / "after")).exit_code == 0
    assert run("build", "--now", NOW_BEFORE, "--out", str(tmp_path / "again")).exit_code == 0
    assert Project(tmp_path).tree("again") == first
    assert Project(tmp_path).tree("after") != first


def test_source_date_epoch_sets_now(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.entry(*LATER)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1636185599"}  # 2021-11-06T07:59:59Z
    result = console("build", cwd=project.root, env=env)
    assert "0 statements (1 held under embargo" in result.stdout
    env["SOURCE_DATE_EPOCH"] = "1636185600"
    assert "built 1 statement into" in console("build", cwd=project.root, env=env).stdout
    env["SOURCE_DATE_EPOCH"] = "soon"
    bad = console("build", cwd=project.root, env=env)
    assert bad.returncode == 2
    assert "SOURCE_DATE_EPOCH='soon': expected whole seconds since 1970" in bad.stderr


def test_draft_is_checked_but_never_published(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\ndraft: true\n")
    assert "(1 draft not published)" in run("build").stdout
    assert not (project.root / "public/2021/11/05/x").exists()
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\ndraft: true\n")
    assert run("check").exit_code == 1


def test_check_summary_counts_drafts_and_held_as_build_does(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-05-d.yaml", "title: D\ndate: 2021-11-05\nbody: x\ndraft: true\n")
    project.entry(*LATER)
    aside = "(1 held under embargo until 2021-11-06T09:00:00+01:00, 1 draft not published)"
    assert f"feedpub: built 1 statement {aside} into" in run("build", "--now", NOW_BEFORE).stdout
    check = run("check", "--now", NOW_BEFORE)
    assert check.stdout == f"feedpub: 3 entries checked {aside}, no problems, 1 warning\n"


def test_correction_moves_the_statement_up_the_feeds_not_its_id_or_place_in_lists(
    project: Project, run: Run
) -> None:
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: x\n")
    assert run("build").exit_code == 0
    before = json.loads(project.read("public/feed.json"))["items"]
    project.entry(
        "2021-11-05-a.yaml",
        "title: A\ndate: 2021-11-05\nbody: x\nupdated: 2021-11-08T10:00\n"
        "change_note: Corrected the figure in the second paragraph.\n"
        "corrections:\n  - {date: 2021-11-07, note: Fixed a typo in the title.}\n",
    )
    assert run("build").exit_code == 0
    after = json.loads(project.read("public/feed.json"))["items"]
    # Feeds list the most recent change first: the corrected A now stands before B.
    assert [i["id"] for i in after] == [i["id"] for i in before][::-1]
    assert after[0]["date_modified"] == "2021-11-08T10:00:00+01:00"
    assert after[0]["date_published"] == before[1]["date_published"]
    # A reader showing summaries alone saw the item come back unchanged: it says why, as a
    # withdrawn one does, with the last correction's note, in every format.
    summary = "Corrected on November 8, 2021: Corrected the figure in the second paragraph. x"
    assert after[0]["summary"] == summary
    assert after[1]["summary"] == "x"
    atom = etree.parse(str(project.root / "public/atom.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("string(//a:entry[1]/a:summary)", namespaces=ns) == summary
    rss = etree.parse(str(project.root / "public/rss.xml"))
    assert rss.xpath("string(//item[1]/description)") == summary
    home = project.read("public/index.html")  # pages keep the order of publication
    assert home.index("2021/11/06/b/") < home.index("2021/11/05/a/")
    page = project.read("public/2021/11/05/a/index.html")
    assert (
        '<li><time datetime="2021-11-07T00:00:00+01:00">November 7, 2021</time>: Fixed a typo in'
        " the title.</li>\n"
        '<li><time datetime="2021-11-08T10:00:00+01:00">November 8, 2021</time>: Corrected the'
        " figure in the second paragraph.</li>"
    ) in page
    atom = etree.parse(str(project.root / "public/atom.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("//a:entry[1]/a:updated/text()", namespaces=ns) == [
        "2021-11-08T10:00:00+01:00"
    ]


def test_withdrawn_statement_keeps_its_page_with_a_notice(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: Rates\ndate: 2021-11-05\nbody: The rates.\n")
    assert run("build").exit_code == 0
    project.entry(
        "2021-11-05-x.yaml",
        "title: Rates\ndate: 2021-11-05\nbody: The rates.\n"
        "withdrawn: {date: 2021-11-09T12:00, reason: Replaced by the statement of 9 November.}\n",
    )
    assert run("build").exit_code == 0
    page = project.read("public/2021/11/05/x/index.html")
    assert "Withdrawn on <time" in page and "Replaced by the statement of 9 November." in page
    assert "The rates." in page
    item = json.loads(project.read("public/feed.json"))["items"][0]
    assert item["title"] == "Withdrawn: Rates"
    assert item["summary"].startswith(
        "Withdrawn on November 9, 2021: Replaced by the statement of 9 November. "
    )
    assert item["date_modified"] == "2021-11-09T12:00:00+01:00"
    assert item["content_html"].startswith(
        '<div lang="en" dir="ltr">\n<p class="withdrawn"><strong>Withdrawn on'
        ' <time datetime="2021-11-09T12:00:00+01:00">November 9, 2021</time>:</strong>'
        " Replaced by the statement of 9 November.</p>"
    )


def test_check_refuses_now_what_would_stop_the_build_that_releases_an_embargo(
    project: Project, run: Run
) -> None:
    # The pull request's check passed, and the scheduled build at the release time failed:
    # the statement stayed unpublished, and the office learnt of it from a failed run.
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry(LATER[0], LATER[1] + "aliases: [about/]\n")
    project.file("static/about/index.html", "<p>About us</p>\n")
    result = run("check", "--now", NOW_BEFORE)
    assert (result.exit_code, result.errors[1:]) == (
        1,
        [
            f"static/about/index.html: clashes with an alias in entries/{LATER[0]}, which feedpub"
            " writes to public/about/index.html; rename or remove the static file (at the"
            " release at 2021-11-06T09:00+01:00 of statements under embargo, whose build it"
            " would stop)",
            "feedpub: 1 problem in 1 file",
        ],
    )
    (project.root / "static/about/index.html").unlink()
    # A site's template that fails only on the statement under embargo's page, likewise.
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}\n{% block main %}{{ 1 // (entry.title != "Later") }}'
        "{% endblock %}\n",
    )
    result = run("check", "--now", NOW_BEFORE)
    assert (result.exit_code, result.errors[1:]) == (
        1,
        [
            "templates/entry.html:2:1: template error: ZeroDivisionError: integer division or"
            " modulo by zero (at the release at 2021-11-06T09:00+01:00 of statements under"
            " embargo, whose build it would stop)",
            "feedpub: 1 problem in 1 file",
        ],
    )
    assert run("build", "--now", NOW_BEFORE).exit_code == 0  # published now, it is fine


def test_check_refuses_a_template_failing_on_a_page_the_release_changes(
    project: Project, run: Run
) -> None:
    # Only the released statement's own page and the lists and feeds were made at its
    # release: the page of the statement before it, whose "newer" link now names it, and a
    # page reading the newest statements, failed only in the scheduled build.
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-04-w.yaml", "title: W\ndate: 2021-11-04\nbody: w\n")
    project.entry(LATER[0], LATER[1])
    failing = {
        "a neighbour's": '{{ 1 // (newer is none or newer.title != "Later") }}',
        "the newest's": '{{ 1 // (entry.title == "Later" or site.entries[0].title != "Later") }}',
    }
    for template in failing.values():
        project.file(
            "templates/entry.html",
            f'{{% extends "base.html" %}}\n{{% block main %}}{template}{{% endblock %}}\n',
        )
        result = run("check", "--now", NOW_BEFORE)
        assert (result.exit_code, result.errors[1:]) == (
            1,
            [
                "templates/entry.html:2:1: template error: ZeroDivisionError: integer division"
                " or modulo by zero (at the release at 2021-11-06T09:00+01:00 of statements"
                " under embargo, whose build it would stop)",
                "feedpub: 1 problem in 1 file",
            ],
        ), template
        assert run("build", "--now", NOW_BEFORE).exit_code == 0  # before, it is fine


def test_check_plans_each_release_time_not_only_the_last(project: Project, run: Run) -> None:
    # Two statements under embargo until 09:00 and 10:00: only the site with both was
    # checked, and the build at 09:00 failed, leaving the first unpublished.
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry(LATER[0], LATER[1])
    project.entry("2021-11-06-last.yaml", "title: Last\ndate: 2021-11-06T10:00\nbody: x\n")
    project.file(
        "templates/index.html",
        '{% extends "base.html" %}\n{% block main %}{{ 1 // (site.entries[0].title != "Later") }}'
        "{% endblock %}\n",
    )
    result = run("check", "--now", NOW_BEFORE)
    assert (result.exit_code, result.errors[2:]) == (
        1,
        [
            "templates/index.html:2:1: template error: ZeroDivisionError: integer division or"
            " modulo by zero (at the release at 2021-11-06T09:00+01:00 of statements under"
            " embargo, whose build it would stop)",
            "feedpub: 1 problem in 1 file",
        ],
    )
    assert run("build", "--now", "2021-11-06T09:30:00+01:00").exit_code == 1  # as it said


def test_the_preview_refuses_a_change_dated_after_now_as_check_does(
    project: Project, tmp_path: Path
) -> None:
    # `feedpub serve` showed the page as corrected on a later day, with no problem, and the
    # pull request's check failed.
    from datetime import datetime

    from feedpub.build import build
    from feedpub.errors import FeedpubError

    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\nupdated: 2021-11-20\nchange_note: Typo.\nbody: x\n",
    )
    project.entry(
        "2021-11-06-d.yaml",
        "title: D\ndate: 2021-11-06\nupdated: 2021-12-20\ndraft: true\nbody: x\n",
    )
    with pytest.raises(FeedpubError) as raised:
        build(project.root, tmp_path / "out", datetime.fromisoformat(NOW_BEFORE), preview=True)
    assert [p.format().removeprefix(f"{project.root}/") for p in raised.value.problems] == [
        "entries/2021-11-05-x.yaml:3:10: updated: 2021-11-20T00:00:00+01:00 is later than now"
        " (2021-11-06T08:59+01:00), and the statement is published: it would show as made"
        " then, and readers would take it for the latest news until then; date it when it is"
        " made"
    ]  # a draft's is said once it is published

"""`feedpub check --against REV`: nothing published at REV is lost, read from git alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import EXAMPLE_CONFIG, Project, Run, git

NOW = "2021-12-01T12:00:00+01:00"
RATES = (
    "2021-11-05-rates.yaml",
    "title: Rates for 2022\ndate: 2021-11-05\ntype: Release\ntags: [Rates, Budget]\n"
    "body: |\n  The Example Agency sets its rates for 2022, for every office alike.\n",
)
FEES = (
    "2021-11-06-fees.yaml",
    "title: Fees\ndate: 2021-11-06\nid: urn:example-agency:fees\ntags: [Budget]\n"
    "body: The fees stay as they are.\n",
)
RATES_ID = "tag:press.example.org,2020:2021-11-05-rates"


@pytest.fixture
def repo(project: Project) -> Project:
    """The project as a git repository whose HEAD published RATES and FEES."""
    project.entry(*RATES)
    project.entry(*FEES)
    git(project.root, "init", "--quiet", "--initial-branch", "main")
    git(project.root, "add", "--all")
    git(project.root, "commit", "--quiet", "--message", "Published")
    return project


def against(run: Run, rev: str = "HEAD") -> tuple[int, list[str]]:
    result = run("check", "--now", NOW, "--against", rev)
    return result.exit_code, result.errors


def test_guard_passes_when_nothing_published_is_lost(repo: Project, run: Run) -> None:
    repo.entry("2021-11-07-new.yaml", "title: New\ndate: 2021-11-07\nbody: x\n")
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert (result.exit_code, result.stdout) == (
        0,
        "feedpub: 3 entries checked, no problems; nothing published at HEAD is lost\n",
    )


def test_guard_refuses_a_deleted_statement_and_says_how_to_withdraw(
    repo: Project, run: Run
) -> None:
    (repo.root / "entries" / RATES[0]).unlink()
    assert against(run) == (
        1,
        [
            f"entries/{RATES[0]}: the published statement 'Rates for 2022' ({RATES_ID}) was"
            " deleted; a statement is never deleted: restore it (`git checkout HEAD --"
            f" entries/{RATES[0]}`) and add `withdrawn: {{date: ..., reason: ...}}` to it"
            " instead",
            "feedpub: 1 problem in 1 file",
        ],
    )


def test_guard_asks_only_to_restore_a_deleted_statement_that_was_withdrawn(
    repo: Project, run: Run
) -> None:
    # It said to add `withdrawn:` to a statement withdrawn at REV.
    repo.entry(RATES[0], RATES[1] + "withdrawn: {date: 2021-11-20, reason: Superseded.}\n")
    git(repo.root, "commit", "--quiet", "--all", "--message", "Withdrawn")
    (repo.root / "entries" / RATES[0]).unlink()
    assert against(run)[1][0] == (
        f"entries/{RATES[0]}: the published statement 'Rates for 2022' ({RATES_ID}) was"
        " deleted; a statement is never deleted: restore it (`git checkout HEAD --"
        f" entries/{RATES[0]}`): it is withdrawn already, and its page says why"
    )


def test_guard_reads_a_revision_named_by_its_commit_message(repo: Project, run: Run) -> None:
    # `:/Published` was read as `:/Published^{commit}`, a message no commit has.
    (repo.root / "entries" / RATES[0]).unlink()
    code, errors = against(run, ":/Published")
    assert code == 1
    assert errors[0].startswith(f"entries/{RATES[0]}: the published statement 'Rates for 2022'")


def test_guard_quotes_the_restore_command_it_gives_for_a_shell(repo: Project, run: Run) -> None:
    # A tag may be named `v1;$(id)`: pasted as printed, the command ran what followed.
    git(repo.root, "tag", "v1;$(id)")
    (repo.root / "entries" / RATES[0]).unlink()
    result = run("check", "--now", NOW, "--against", "v1;$(id)")
    assert result.exit_code == 1
    assert f"(`git checkout 'v1;$(id)' -- entries/{RATES[0]}`)" in result.errors[0]


def test_guard_accepts_a_withdrawal(repo: Project, run: Run) -> None:
    repo.entry(RATES[0], RATES[1] + "withdrawn: {date: 2021-11-20, reason: Replaced.}\n")
    assert against(run) == (0, [])


def test_guard_refuses_a_changed_id_at_its_line(repo: Project, run: Run) -> None:
    repo.entry(FEES[0], FEES[1].replace("urn:example-agency:fees", "urn:example-agency:fees-2"))
    assert against(run)[1][0] == (
        f"entries/{FEES[0]}:3:1: id: the published statement's id changed from"
        " urn:example-agency:fees to urn:example-agency:fees-2; readers would see it again as"
        ' new. Set `id: "urn:example-agency:fees"`'
    )


def test_guard_names_the_old_file_of_a_renamed_id_less_entry(repo: Project, run: Run) -> None:
    # Moved by hand, not with git mv: the new file is untracked, and git still sees the rename.
    (repo.root / "entries" / RATES[0]).rename(repo.root / "entries/2021-11-05-rates-2022.yaml")
    # Both of what it takes, in one run: its id back, and its old address kept.
    assert against(run) == (
        1,
        [
            "entries/2021-11-05-rates-2022.yaml:1:1: aliases: the page of the published"
            f" statement 'Rates for 2022' ({RATES_ID}) moved from 2021/11/05/rates/ to"
            " 2021/11/05/rates-2022/, so every link to the old address would break; add the"
            ' line `aliases: ["2021/11/05/rates/"]`',
            "entries/2021-11-05-rates-2022.yaml:1:1: id: was renamed from"
            f" entries/{RATES[0]} (so git sees it), whose name gave the statement its id: the"
            f" published statement's id changed from {RATES_ID} to"
            " tag:press.example.org,2020:2021-11-05-rates-2022; readers would see it again as"
            f' new. Add the line `id: "{RATES_ID}"`',
            "feedpub: 2 problems in 1 file",
        ],
    )
    assert git(repo.root, "status", "--porcelain") == (
        f"D entries/{RATES[0]}\n?? entries/2021-11-05-rates-2022.yaml"
    )  # the real index was not touched


def test_guard_follows_a_rename_beside_untracked_files_of_any_name_and_number(
    repo: Project, run: Run
) -> None:
    # Untracked files were named to git on its command line: one whose name is not UTF-8
    # (a dot file, which check leaves alone) or too many of them was a traceback.
    entries = repo.root / "entries"
    (entries / os.fsdecode(b".notes-\xff")).touch()
    for number in range(9_000):  # 2.2 MB of names, past Linux's 2 MiB for arguments
        (entries / f".{number:0240}").touch()
    (entries / RATES[0]).rename(entries / "2021-11-05-rates-2022.yaml")
    assert against(run)[1][1].startswith(
        "entries/2021-11-05-rates-2022.yaml:1:1: id: was renamed from"
        f" entries/{RATES[0]} (so git sees it)"
    )


def test_guard_accepts_a_rename_that_keeps_the_id_and_the_address(repo: Project, run: Run) -> None:
    git(repo.root, "mv", f"entries/{FEES[0]}", "entries/2021-11-06-fees-2022.yaml")
    moved = repo.root / "entries/2021-11-06-fees-2022.yaml"
    moved.write_text(moved.read_text() + "aliases: [/2021/11/06/fees/]\n")
    assert against(run) == (0, [])


def test_guard_refuses_a_published_statement_made_a_draft_again(repo: Project, run: Run) -> None:
    repo.entry(FEES[0], FEES[1] + "draft: true\n")
    assert against(run)[1][0] == (
        f"entries/{FEES[0]}:6:1: draft: the published statement 'Fees'"
        " (urn:example-agency:fees) is a draft again, which would take it off the site and out"
        " of every feed; a statement is never taken back: remove `draft: true`, and add"
        " `withdrawn: {date: ..., reason: ...}` to it instead"
    )


def test_guard_refuses_a_published_statement_dated_past_now(repo: Project, run: Run) -> None:
    repo.file(f"entries/{FEES[0]}", FEES[1].replace("date: 2021-11-06", "date: 2021-12-06"))
    (repo.root / "entries" / FEES[0]).rename(repo.root / "entries/2021-12-06-fees.yaml")
    assert against(run)[1][0] == (
        "entries/2021-12-06-fees.yaml:2:1: date: the published statement 'Fees'"
        " (urn:example-agency:fees) is now dated 2021-12-06T00:00:00+01:00, after now, which"
        " would take it off the site until then; keep `date: 2021-11-06T00:00:00+01:00` and"
        " record the change with `updated:` and `change_note:`"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "type: Release",
            "type: Notice",
            "4:1: type: the type 'Release' would be left with no published statement, so its"
            " feeds (types/release/atom.xml, rss.xml and feed.json), to which readers may"
            ' subscribe, would disappear; set `type: "Release"` again, or if it was renamed,'
            " keep its feeds with `section_aliases: {types: {Release: <its new name>}}` in"
            " feedpub.yaml",
        ),
        (
            "tags: [Rates, Budget]",
            "tags: [Budget]",
            "5:1: tags: the tag 'Rates' would be left with no published statement, so its feeds"
            " (tags/rates/atom.xml, rss.xml and feed.json), to which readers may subscribe, would"
            ' disappear; keep "Rates" in its tags, or if it was renamed, keep its feeds with'
            " `section_aliases: {tags: {Rates: <its new name>}}` in feedpub.yaml",
        ),
    ],
)
def test_guard_refuses_a_section_feed_that_disappears(
    repo: Project, run: Run, old: str, new: str, expected: str
) -> None:
    # RATES is the only Release and the only one tagged Rates; Budget stays on FEES.
    repo.entry(RATES[0], RATES[1].replace(old, new).replace("title:", "summary: x\ntitle:"))
    assert against(run) == (1, [f"entries/{RATES[0]}:{expected}", "feedpub: 1 problem in 1 file"])


def test_guard_ignores_what_was_never_published(project: Project, run: Run) -> None:
    project.entry("2021-11-05-draft.yaml", "title: D\ndate: 2021-11-05\ndraft: true\nbody: x\n")
    project.entry("2021-12-24-later.yaml", "title: L\ndate: 2021-12-24\nbody: x\n")
    git(project.root, "init", "--quiet")
    git(project.root, "add", "--all")
    git(project.root, "commit", "--quiet", "--message", "Not published yet")
    for name in ("2021-11-05-draft.yaml", "2021-12-24-later.yaml"):
        (project.root / "entries" / name).unlink()
    assert against(run) == (0, [])


def test_guard_sees_every_derived_id_change_when_the_authority_changes(
    repo: Project, run: Run
) -> None:
    repo.config(EXAMPLE_CONFIG.replace("press.example.org,2020", "press.example.org,2021"))
    code, errors = against(run)
    assert code == 1
    assert errors[0].startswith(
        f"entries/{RATES[0]}:1:1: id: the published statement's id changed from {RATES_ID} to"
        " tag:press.example.org,2021:2021-11-05-rates;"
    )
    # FEES has its own id; every feed's id changes too, said at the setting.
    assert errors[1:] == [
        "feedpub.yaml:10:1: id_authority: changed from press.example.org,2020 at HEAD to"
        " press.example.org,2021: every feed's id, and the id of every statement made from it,"
        " would change, so readers would see them all again as new; keep `id_authority:"
        " press.example.org,2020`",
        "feedpub: 2 problems in 2 files",
    ]


PARTLY = (
    "(--against HEAD): warning: while the site has problems, statements are compared one by one"
    " only: its feeds and settings{} are compared once they are fixed"
)


def test_guard_names_a_statement_lost_beside_the_entries_problems(repo: Project, run: Run) -> None:
    # The office heard of the deletion only once every other problem was fixed: a pull
    # request fixed in rounds, and no word that the comparison was not made.
    (repo.root / "entries" / RATES[0]).unlink()
    repo.entry(FEES[0], "title: [Fees]\ndate: 2021-11-06\nbody: x\n")  # not read: not lost
    assert against(run) == (
        1,
        [
            PARTLY.format(", and the statements of the 1 file with problems,"),
            f"entries/{RATES[0]}: the published statement 'Rates for 2022' ({RATES_ID}) was"
            " deleted; a statement is never deleted: restore it (`git checkout HEAD --"
            f" entries/{RATES[0]}`) and add `withdrawn: {{date: ..., reason: ...}}` to it"
            " instead",
            f"entries/{FEES[0]}:1:8: title: expected text, got a list",
            "feedpub: 2 problems in 2 files",
        ],
    )


def test_guard_asks_for_the_id_of_a_renamed_statement_beside_its_translation_s_problem(
    repo: Project, run: Run
) -> None:
    # The only message was the translation's: "no statement has the id ...", whose obvious
    # fix (a new translation_of:) was the wrong one.
    repo.entry(
        "2021-11-07-tarifs.yaml",
        f"title: Tarifs\ndate: 2021-11-07\nlanguage: fr\ntranslation_of: {RATES_ID}\nbody: x\n",
    )
    git(repo.root, "add", "--all")
    git(repo.root, "commit", "--quiet", "--message", "Translated")
    git(repo.root, "mv", f"entries/{RATES[0]}", "entries/2021-11-05-rates-2022.yaml")
    code, errors = against(run)
    assert code == 1
    assert errors[0] == PARTLY.format("")
    assert errors[1].startswith("entries/2021-11-05-rates-2022.yaml:1:1: aliases: the page of")
    assert errors[2].endswith(f'new. Add the line `id: "{RATES_ID}"`')
    assert errors[3].startswith(
        f"entries/2021-11-07-tarifs.yaml:4:17: translation_of: no statement has the id {RATES_ID}"
    )
    assert errors[4:] == ["feedpub: 3 problems in 2 files"]


def test_guard_says_nothing_of_a_statement_whose_file_has_problems_now(
    repo: Project, run: Run
) -> None:
    # Renamed and broken, or its id copied into a broken file: not read, so not lost.
    git(repo.root, "mv", f"entries/{RATES[0]}", "entries/2021-11-05-rates-2022.yaml")
    repo.entry("2021-11-05-rates-2022.yaml", RATES[1] + "tpye: Release\n")
    (repo.root / "entries" / FEES[0]).unlink()
    repo.entry("2021-11-06-fees-2022.yaml", FEES[1].replace("title: Fees", "title: [Fees]"))
    assert against(run) == (
        1,
        [
            PARTLY.format(", and the statements of the 2 files with problems,"),
            "entries/2021-11-05-rates-2022.yaml:7:1: tpye: unknown field; did you mean type?",
            "entries/2021-11-06-fees-2022.yaml:1:8: title: expected text, got a list",
            "feedpub: 2 problems in 2 files",
        ],
    )


def test_guard_names_a_deleted_statement_whose_id_a_file_with_problems_only_mentions(
    repo: Project, run: Run
) -> None:
    # A file with problems whose id began with the deleted one's, or whose text named it,
    # was taken for it: the deletion went untold.
    (repo.root / "entries" / RATES[0]).unlink()
    repo.entry(
        "2021-11-07-update.yaml",
        f'title: Update\ndate: 2021-11-07\nid: "{RATES_ID}-update"\nbylin: x\n'
        f"body: Replaces {RATES_ID}.\n",
    )
    code, errors = against(run)
    assert code == 1
    assert errors[1].startswith(
        f"entries/{RATES[0]}: the published statement 'Rates for 2022' ({RATES_ID}) was deleted"
    )
    assert errors[2].startswith("entries/2021-11-07-update.yaml:4:1: bylin: unknown field")


def test_guard_compares_nothing_while_the_settings_have_problems(repo: Project, run: Run) -> None:
    (repo.root / "entries" / RATES[0]).unlink()
    repo.config(EXAMPLE_CONFIG + "feed_limit: lots\n")
    code, errors = against(run)
    assert code == 1
    assert errors[0] == (
        "(--against HEAD): warning: feedpub.yaml has problems: nothing is compared until they"
        " are fixed"
    )
    assert errors[1].startswith("feedpub.yaml:")


def test_guard_in_a_repository_with_no_commit_yet_compares_with_nothing(
    project: Project, run: Run
) -> None:
    project.entry(*RATES)
    git(project.root, "init", "--quiet")
    assert against(run, "HEAD") == (0, [])


def test_guard_warns_of_a_revision_that_holds_no_site(repo: Project, run: Run) -> None:
    # An orphan branch, or a revision from before the site: "nothing published at other is
    # lost", with nothing compared, passed a pull request checked against the wrong base.
    empty = git(repo.root, "hash-object", "-t", "tree", "/dev/null")
    git(repo.root, "branch", "other", git(repo.root, "commit-tree", empty, "-m", "Empty"))
    assert against(run, "other") == (
        0,
        [
            "(--against other): warning: other holds no feedpub.yaml, so no statement was"
            " published there and nothing is compared; if other is not the base of this"
            " change, give the base (the branch the site is published from)"
        ],
    )


def test_guard_reads_a_site_in_a_subfolder_of_the_repository(
    project: Project, run: Run, tmp_path: Path
) -> None:
    project.entry(*RATES)
    top = project.root.parent
    git(top, "init", "--quiet")
    git(top, "add", "--all")
    git(top, "commit", "--quiet", "--message", "Published")
    (project.root / "entries" / RATES[0]).unlink()
    code, errors = against(run)
    assert code == 1
    assert errors[0].startswith(f"entries/{RATES[0]}: the published statement 'Rates for 2022'")


def test_guard_warns_of_a_deleted_entry_it_cannot_read_at_the_revision(
    project: Project, run: Run
) -> None:
    # Written for an older feedpub (a withdrawal at the statement's own moment, refused
    # since), the entry did not compile at REV, and the guard took it for never published:
    # deleting it, as an office might to mend its build after an upgrade, passed unseen.
    project.entry(*FEES)
    project.entry(
        "2021-11-05-old.yaml",
        "title: Old\ndate: 2021-11-05\nbody: x\nwithdrawn: {date: 2021-11-05, reason: Error.}\n",
    )
    git(project.root, "init", "--quiet", "--initial-branch", "main")
    git(project.root, "add", "--all")
    git(project.root, "commit", "--quiet", "--message", "Published by an older feedpub")
    (project.root / "entries/2021-11-05-old.yaml").unlink()
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert (result.exit_code, result.errors) == (
        0,
        [
            "entries/2021-11-05-old.yaml: warning: is gone, and the guard cannot tell whether"
            " it was published at HEAD, where it does not pass this feedpub's checks (written"
            " for an older one?): make sure no statement readers have is lost"
        ],
    )
    assert result.stdout.endswith("; nothing the guard could read at HEAD is lost\n")


def test_guard_says_how_to_fetch_a_missing_revision(repo: Project, run: Run) -> None:
    assert against(run, "origin/main") == (
        1,
        [
            "(--against origin/main): no such revision in this clone; fetch it first (`git fetch"
            " origin` for a branch); in GitHub Actions, give actions/checkout `fetch-depth: 0`",
            "feedpub: 1 problem on the command line",
        ],
    )


def test_guard_says_a_revision_is_missing_beside_the_entries_problems_and_nothing_more(
    repo: Project, run: Run
) -> None:
    # It added that statements "are compared one by one", where none was compared.
    repo.entry(FEES[0], "title: [Fees]\ndate: 2021-11-06\nbody: x\n")
    assert against(run, "origin/main") == (
        1,
        [
            "(--against origin/main): no such revision in this clone; fetch it first (`git fetch"
            " origin` for a branch); in GitHub Actions, give actions/checkout `fetch-depth: 0`",
            f"entries/{FEES[0]}:1:8: title: expected text, got a list",
            "feedpub: 2 problems in 1 file and on the command line",
        ],
    )


def test_guard_says_a_shallow_clone_lacks_the_revision(
    repo: Project, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = git(repo.root, "rev-parse", "HEAD")
    repo.entry("2021-11-07-new.yaml", "title: New\ndate: 2021-11-07\nbody: x\n")
    git(repo.root, "add", "--all")
    git(repo.root, "commit", "--quiet", "--message", "More")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo.root}", str(clone))
    monkeypatch.chdir(clone)
    code, errors = against(run, first)
    assert code == 1
    assert errors[0] == (
        f"(--against {first}): no such revision in this clone (this clone is shallow); fetch it"
        " first (`git fetch origin` for a branch); in GitHub Actions, give actions/checkout"
        " `fetch-depth: 0`"
    )


def test_guard_says_what_git_says_when_it_cannot_look_for_renames(repo: Project, run: Run) -> None:
    # git failing after the revision was read (a damaged index) was a traceback.
    (repo.root / ".git" / "index").write_bytes(b"damaged")
    (repo.root / "entries" / RATES[0]).rename(repo.root / "entries/2021-11-05-rates-2022.yaml")
    (repo.root / "entries" / ".untracked").touch()
    assert against(run) == (
        1,
        [
            "(--against HEAD): fatal: .git/index: index file smaller than expected",
            "feedpub: 1 problem on the command line",
        ],
    )


def test_guard_outside_a_repository_says_so(project: Project, run: Run) -> None:
    project.entry(*RATES)
    code, errors = against(run)
    assert code == 1
    assert errors[0] == (
        f"(--against HEAD): {project.root} is not in a git repository; the guard compares the"
        " entries with a git revision, so run it in a clone"
    )


def test_guard_warns_when_the_revision_s_settings_cannot_be_read(repo: Project, run: Run) -> None:
    repo.config("title: [broken\n")
    git(repo.root, "add", "--all")
    git(repo.root, "commit", "--quiet", "--message", "Broken settings")
    repo.config(EXAMPLE_CONFIG)
    (repo.root / "entries" / RATES[0]).unlink()
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert result.exit_code == 0
    assert result.errors == [
        "feedpub.yaml at HEAD: warning: is not valid there, so what it published cannot be"
        " compared: nothing could be built from it either"
    ]


def test_guard_asks_for_an_alias_when_a_page_moves(repo: Project, run: Run) -> None:
    git(repo.root, "mv", f"entries/{FEES[0]}", "entries/2021-11-06-fees-2022.yaml")
    assert against(run) == (
        1,
        [
            "entries/2021-11-06-fees-2022.yaml:1:1: aliases: the page of the published statement"
            " 'Fees' (urn:example-agency:fees) moved from 2021/11/06/fees/ to"
            " 2021/11/06/fees-2022/, so every link to the old address would break; add the line"
            ' `aliases: ["2021/11/06/fees/"]`',
            "feedpub: 1 problem in 1 file",
        ],
    )
    moved = repo.root / "entries/2021-11-06-fees-2022.yaml"
    moved.write_text(moved.read_text() + "aliases: [2021/11/06/fees/]\n")
    assert against(run) == (0, [])


REMOVAL_WARNING = (
    "removed: warning: the published statement {} is removed since HEAD: it leaves every"
    " feed, list and the sitemap, and its page becomes the notice of its removal; only a"
    " legal reason allows that (a statement no longer right is withdrawn, `withdrawn:`,"
    " and stays for its readers)"
)


def against_after_removal(run: Run) -> tuple[int, list[str]]:
    """against(), less the warning each lawful removal gets (tested on its own, below)."""
    code, lines = against(run)
    return code, [line for line in lines if "is removed since HEAD: it leaves" not in line]


def test_guard_accepts_a_lawful_removal_and_puts_it_before_the_reviewer(
    repo: Project, run: Run
) -> None:
    # Accepted, as the law may require; but nothing told a removal from a statement taken
    # from its readers to be rid of it: the warning shows in the pull request's check.
    warning = f"entries/{RATES[0]}:7:1: " + REMOVAL_WARNING.format(RATES_ID)
    repo.entry(RATES[0], RATES[1] + "removed: {date: 2021-11-20, reason: A court order.}\n")
    # Its type and tag lose their only statement too: their feeds stay, empty.
    assert against(run) == (0, [warning])
    # A tag that is itself what must go (a person's name) goes with it from the file.
    repo.entry(
        RATES[0],
        RATES[1].replace("tags: [Rates, Budget]", "tags: [Budget]")
        + "removed: {date: 2021-11-20, reason: Personal data.}\n",
    )
    assert against(run) == (0, [warning])
    # Removed at HEAD already: told once, by the change that removed it.
    git(repo.root, "commit", "--quiet", "--all", "--message", "Removed")
    assert against(run) == (0, [])


def test_guard_accepts_a_renamed_tag_that_keeps_its_feeds(repo: Project, run: Run) -> None:
    repo.entry(RATES[0], RATES[1].replace("tags: [Rates, Budget]", "tags: [Tariffs, Budget]"))
    repo.config(EXAMPLE_CONFIG + "section_aliases:\n  tags:\n    Rates: Tariffs\n")
    assert against(run) == (0, [])


def test_guard_warns_of_a_new_statement_dated_too_early_to_reach_any_feed(
    project: Project, run: Run
) -> None:
    # A draft started weeks ago and published today, its date left as it was, fell into
    # an archive document readers already had: in no feed they poll, RSS's and JSON
    # Feed's included, and nothing said so.
    project.config(EXAMPLE_CONFIG + "feed_limit: 2\n")
    for day in (1, 2, 3):
        text = f"title: Notice {day}\ndate: 2021-11-0{day}\nbody: x\n"
        project.entry(f"2021-11-0{day}-n{day}.yaml", text)
    late = "title: Late\ndate: 2021-11-01T12:00\nbody: x\n"
    project.entry("2021-11-01-late.yaml", late + "draft: true\n")
    git(project.root, "init", "--quiet", "--initial-branch", "main")
    git(project.root, "add", "--all")
    git(project.root, "commit", "--quiet", "--message", "Published")
    project.entry("2021-11-01-late.yaml", late)
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert result.exit_code == 0
    assert result.errors == [
        "entries/2021-11-01-late.yaml:2:1: date: warning: this statement, new since HEAD, is"
        " older than the 2 newest ones, so it is in none of the feeds readers poll (atom.xml,"
        " rss.xml, feed.json), only in archive/1.xml, which a reader that read it before"
        " does not read again; if it is news, add the line"
        " `updated: 2021-12-01T12:00+01:00` so that it reaches subscribers"
    ]
    # So marked, it reaches them; so does one dated among the newest.
    project.entry("2021-11-01-late.yaml", late + "updated: 2021-12-01T12:00+01:00\n")
    assert run("check", "--now", NOW, "--against", "HEAD").errors == []
    (project.root / "entries" / "2021-11-01-late.yaml").unlink()
    project.entry("2021-11-04-late.yaml", late.replace("2021-11-01T12:00", "2021-11-04"))
    assert run("check", "--now", NOW, "--against", "HEAD").errors == []
    # A removal lifted: not new, though no feed has it either.
    (project.root / "entries" / "2021-11-04-late.yaml").unlink()
    project.entry("2021-11-01-late.yaml", late + "removed: {date: 2021-11-20, reason: Order.}\n")
    git(project.root, "commit", "--quiet", "--all", "--message", "Removed")
    project.entry("2021-11-01-late.yaml", late)
    assert run("check", "--now", NOW, "--against", "HEAD").errors == [
        "entries/2021-11-01-late.yaml:2:1: date: warning: this statement, removed at HEAD, is"
        " older than the 2 newest ones, so it is in none of the feeds readers poll (atom.xml,"
        " rss.xml, feed.json), only in archive/1.xml, which a reader that read it before"
        " does not read again; if it is news, add the line"
        " `updated: 2021-12-01T12:00+01:00` so that it reaches subscribers"
    ]


def _five_notices_two_a_feed(project: Project) -> None:
    """Publish, at HEAD, five notices (1 to 5 November) with feed_limit 2: two archives."""
    project.config(EXAMPLE_CONFIG + "feed_limit: 2\n")
    for day in (1, 2, 3, 4, 5):
        text = f"title: Notice {day}\ndate: 2021-11-0{day}\nbody: x\n"
        project.entry(f"2021-11-0{day}-n{day}.yaml", text)
    git(project.root, "init", "--quiet", "--initial-branch", "main")
    git(project.root, "add", "--all")
    git(project.root, "commit", "--quiet", "--message", "Published")


def test_guard_warns_of_a_correction_too_many_others_push_out_of_every_feed(
    project: Project, run: Run
) -> None:
    # Three old statements corrected in one pull request, two corrections a feed: the
    # earliest correction was in no feed readers poll, only in an archive, and the check
    # said nothing, though a correction "of a statement of any age reaches every subscriber".
    _five_notices_two_a_feed(project)
    for day in (1, 2, 3):
        text = (
            f"title: Notice {day}\ndate: 2021-11-0{day}\nupdated: 2021-11-20T0{day}:00\n"
            "change_note: The contact.\nbody: x\n"
        )
        project.entry(f"2021-11-0{day}-n{day}.yaml", text)
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert (result.exit_code, result.errors) == (
        0,
        [
            "entries/2021-11-01-n1.yaml:3:1: updated: warning: this correction, made since HEAD,"
            " is in none of the feeds readers poll (atom.xml, rss.xml, feed.json), only in"
            " archive/1.xml: they carry the 2 most recent changes to older statements, and 2"
            " others were made with it or after; readers would not see it: publish at most 2"
            " corrections of older statements at a time, letting readers poll between them (or"
            " with a greater `feed_limit`)"
        ],
    )
    # Two at a time, both reach readers.
    project.entry("2021-11-01-n1.yaml", "title: Notice 1\ndate: 2021-11-01\nbody: x\n")
    assert run("check", "--now", NOW, "--against", "HEAD").errors == []


def test_guard_warns_that_a_new_feed_limit_cuts_the_archives_again(
    project: Project, run: Run
) -> None:
    # RFC 5005 archives must not change: with another feed_limit every archive document is
    # cut again, and a reader stops at the first one it has already read.
    _five_notices_two_a_feed(project)
    project.config(EXAMPLE_CONFIG + "feed_limit: 3\n")
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert (result.exit_code, result.errors) == (
        0,
        [
            "feedpub.yaml:11:1: feed_limit: warning: changed from 2 at HEAD to 3, which cuts"
            " every archive document again (the site's 2, archive/*.xml, and each type's, tag's"
            " and language's): a reader that walked them before does not read them again, and"
            " may miss statements; keep `feed_limit: 2` unless no reader relies on them"
        ],
    )
    # Too few statements at HEAD for an archive: nothing to cut again.
    project.config(EXAMPLE_CONFIG + "feed_limit: 9\n")
    git(project.root, "commit", "--quiet", "--all", "--message", "Nine")
    project.config(EXAMPLE_CONFIG + "feed_limit: 7\n")
    assert run("check", "--now", NOW, "--against", "HEAD").errors == []


def test_guard_warns_that_a_statement_taken_out_of_a_type_cuts_its_archives_again(
    project: Project, run: Run
) -> None:
    # Nothing says it was there, so each of the type's archives from the one that held it
    # is cut again (a subscriber-side audit found archive 2 deleted): the guard said nothing.
    _five_notices_two_a_feed(project)
    project.entry(
        "2021-11-01-n1.yaml", "title: Notice 1\ndate: 2021-11-01\ntype: Notice\nbody: x\n"
    )
    assert against(run) == (
        0,
        [
            "entries/2021-11-01-n1.yaml:3:1: type: warning: taken out of the type 'Statement',"
            " whose archive types/statement/archive/1.xml holds it: that archive and the 1"
            " after it are cut again, and a reader that walked them does not read them again;"
            " keep it in the type unless no reader relies on them"
        ],
    )
    # The newest, in no archive yet: nothing is cut again.
    project.entry("2021-11-01-n1.yaml", "title: Notice 1\ndate: 2021-11-01\nbody: x\n")
    project.entry(
        "2021-11-05-n5.yaml", "title: Notice 5\ndate: 2021-11-05\ntype: Notice\nbody: x\n"
    )
    assert against(run) == (0, [])
    # A statement removed at HEAD keeps its place: notice 3 is in the second archive.
    court = "removed: {date: 2021-11-20, reason: A court order.}\n"
    project.entry("2021-11-02-n2.yaml", "title: Notice 2\ndate: 2021-11-02\nbody: x\n" + court)
    project.entry("2021-11-05-n5.yaml", "title: Notice 5\ndate: 2021-11-05\nbody: x\n")
    git(project.root, "commit", "--quiet", "--all", "--message", "Removed")
    project.entry(
        "2021-11-03-n3.yaml", "title: Notice 3\ndate: 2021-11-03\ntype: Notice\nbody: x\n"
    )
    assert against(run) == (
        0,
        [
            "entries/2021-11-03-n3.yaml:3:1: type: warning: taken out of the type 'Statement',"
            " whose archive types/statement/archive/2.xml holds it: that archive is cut again,"
            " and a reader that walked it does not read it again; keep it in the type unless no"
            " reader relies on it"
        ],
    )


# --- what readers already have of a published statement, and of the site ------------------


def _publish(repo: Project, *entries: tuple[str, str], config: str = "") -> None:
    """Commit these entries (and settings) as published at HEAD."""
    for name, text in entries:
        repo.entry(name, text)
    if config:
        repo.config(config)
    git(repo.root, "add", "--all")
    git(repo.root, "commit", "--quiet", "--message", "Published")


FEES_SHOWN = "'Fees' (urn:example-agency:fees)"


def test_guard_warns_of_a_published_statement_s_text_changed_without_updated(
    repo: Project, run: Run
) -> None:
    # Its title, figure and attachment changed, its `updated:` left alone: feed readers
    # kept the old text, and the check said nothing.
    repo.file("entries/table.csv", "a,b\n")
    changed = FEES[1].replace("stay as they are", "rise by 5%") + "attachments: [table.csv]\n"
    repo.entry(FEES[0], changed)
    repo.entry(RATES[0], RATES[1].replace("tags: [Rates, Budget]", "tags: [Rates]"))
    assert against(run) == (
        0,
        [
            "entries/2021-11-06-fees.yaml:5:1: body: warning: the title, text or attachments"
            f" of the published statement {FEES_SHOWN} changed since HEAD, with no later"
            " `updated:`: feed readers are not sent it again, so readers who have it keep"
            " what they had; if the change matters to them, add `updated: 2021-12-01T12:00+01:00`"
            " and a `change_note:` saying what changed"
        ],
    )  # a tag taken off is not the text readers have
    corrected = changed + "updated: 2021-11-20\nchange_note: The rise.\n"
    repo.entry(FEES[0], corrected)
    assert against(run) == (0, [])


def test_guard_warns_of_a_correction_with_no_change_note(repo: Project, run: Run) -> None:
    # `updated:` alone sent every reader the statement again, at the top of their feeds,
    # with no word of what changed; the check said nothing.
    changed = FEES[1].replace("stay as they are", "rise by 5%")
    repo.entry(FEES[0], changed + "updated: 2021-11-20T10:00\n")
    assert against(run) == (
        0,
        [
            "entries/2021-11-06-fees.yaml:6:1: updated: warning: the published statement"
            f" {FEES_SHOWN} is corrected at 2021-11-20T10:00:00+01:00 with no `change_note:`:"
            " feed readers are sent it again, at the top of their feeds, with no word of what"
            " changed; add a `change_note:` line saying what changed (a typo mended needs no"
            " `updated:`)"
        ],
    )
    repo.entry(FEES[0], changed + "updated: 2021-11-20T10:00\nchange_note: The rise.\n")
    assert against(run) == (0, [])
    # A correction published at HEAD without a note was warned of then, not again.
    _publish(repo, (FEES[0], changed + "updated: 2021-11-20T10:00\n"))
    retagged = changed.replace("tags: [Budget]", "tags: [Budget, Fees]")
    repo.entry(FEES[0], retagged + "updated: 2021-11-20T10:00\n")
    assert against(run) == (0, [])


def test_guard_refuses_a_withdrawal_taken_back(repo: Project, run: Run) -> None:
    # Its readers were told it was withdrawn; taken back, their item says nothing more.
    _publish(repo, (FEES[0], FEES[1] + "withdrawn: {date: 2021-11-20, reason: Replaced.}\n"))
    repo.entry(*FEES)
    assert against(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: withdrawn: the published statement {FEES_SHOWN} was withdrawn"
            " at HEAD, and its readers were told so; a withdrawal is never taken back: put its"
            " `withdrawn:` back as it was",
            "feedpub: 1 problem in 1 file",
        ],
    )


def test_guard_refuses_a_last_change_moved_back(repo: Project, run: Run) -> None:
    # A correction taken out (or dated earlier): readers never receive the new version.
    corrected = FEES[1] + "updated: 2021-11-20T10:00\nchange_note: The fee for permits.\n"
    _publish(repo, (FEES[0], corrected))
    repo.entry(FEES[0], FEES[1].replace("stay as they are", "rise"))
    assert against(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: updated: the published statement {FEES_SHOWN} was last"
            " changed 2021-11-20T10:00:00+01:00 at HEAD, and now 2021-11-06T00:00:00+01:00: feed"
            " readers send an item again only when its time of last change moves forward, so"
            " this version would reach no one; keep `updated: 2021-11-20T10:00:00+01:00` (or a"
            " later time, with its `change_note:`), and keep an earlier correction under"
            " `corrections:`",
            "feedpub: 1 problem in 1 file",
        ],
    )
    # A newer correction in its place is what the README describes.
    repo.entry(FEES[0], FEES[1] + "updated: 2021-11-25T10:00\nchange_note: Permits again.\n")
    assert against(run) == (0, [])


def test_guard_refuses_a_published_statement_dated_anew(repo: Project, run: Run) -> None:
    # Redated (an alias keeping its address), it came back to the top of every feed as news.
    repo.entry(FEES[0], FEES[1].replace("date: 2021-11-06", "date: 2021-11-06T18:00"))
    assert against(run) == (
        1,
        [
            f"entries/{FEES[0]}:2:1: date: the published statement {FEES_SHOWN} was dated"
            " 2021-11-06T00:00:00+01:00 at HEAD, and is now dated 2021-11-06T18:00:00+01:00:"
            " readers would see it dated anew, and the archives holding it would change; keep"
            " `date: 2021-11-06T00:00:00+01:00`, and record a change with `updated:` and"
            " `change_note:`",
            "feedpub: 1 problem in 1 file",
        ],
    )


def test_guard_refuses_an_earlier_address_or_an_attachment_dropped(repo: Project, run: Run) -> None:
    repo.file("entries/signed.pdf", b"%PDF-1.4\n%%EOF\n")
    kept = FEES[1] + "aliases: [news/fees.html]\nattachments: [signed.pdf]\n"
    _publish(repo, (FEES[0], kept))
    repo.entry(*FEES)
    (repo.root / "entries/signed.pdf").unlink()
    assert against(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: aliases: news/fees.html, an earlier address of the published"
            f" statement {FEES_SHOWN}, is no longer in its `aliases:`, so every link to it would"
            " break; keep it there",
            f"entries/{FEES[0]}:1:1: attachments: signed.pdf, attached to the published statement"
            f" {FEES_SHOWN}, would be deleted from 2021/11/06/fees/, and readers have it in their"
            " feeds; keep it in `attachments:` (a new version can be attached beside it, under"
            " another name)",
            "feedpub: 2 problems in 1 file",
        ],
    )


def test_guard_keeps_a_removed_statement_s_entry_and_id(repo: Project, run: Run) -> None:
    # Deleted, its address lost the notice; its id, given to another, named new content.
    removed = FEES[1] + "removed: {date: 2021-11-20, reason: A court order.}\n"
    _publish(repo, (FEES[0], removed))
    (repo.root / "entries" / FEES[0]).unlink()
    repo.entry(
        "2021-11-07-other.yaml",
        "title: Other\ndate: 2021-11-07\nid: urn:example-agency:fees\nbody: x\n",
    )
    assert against(run) == (
        1,
        [
            "entries/2021-11-06-fees.yaml: the entry of the removed statement"
            " urn:example-agency:fees was deleted, which would take down the notice at its"
            " address saying why it was removed; keep the entry (`git checkout HEAD --"
            " entries/2021-11-06-fees.yaml`): its `removed:` keeps its text off the site",
            "entries/2021-11-07-other.yaml:3:1: id: urn:example-agency:fees is the id of the"
            " statement removed in entries/2021-11-06-fees.yaml: readers who had that statement"
            " would take this one for it; give this one its own id",
            "feedpub: 2 problems in 2 files",
        ],
    )


def test_guard_refuses_a_published_statement_removed_as_a_draft(repo: Project, run: Run) -> None:
    # `removed:` passed whatever else changed: made a draft with it, its address had no
    # notice at all, and no reader was told why it was gone.
    removed = FEES[1] + "removed: {date: 2021-11-20, reason: A court order.}\n"
    repo.entry(FEES[0], removed + "draft: true\n")
    assert against_after_removal(run) == (
        1,
        [
            # Named by its id alone, as every removed statement: its title may be why.
            f"entries/{FEES[0]}:7:1: draft: the published statement urn:example-agency:fees,"
            " removed, is a draft again, which would take down the notice at its address"
            " saying why it was removed; remove `draft: true`: its `removed:` keeps its text"
            " off the site",
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry(FEES[0], removed)
    assert against_after_removal(run) == (0, [])


def test_guard_keeps_the_notice_of_a_removed_statement_whose_removal_is_lifted(
    repo: Project, run: Run
) -> None:
    # Its `removed:` swapped for `draft: true`, the notice went with no word.
    removed = FEES[1] + "removed: {date: 2021-11-20, reason: A court order.}\n"
    _publish(repo, (FEES[0], removed))
    repo.entry(FEES[0], FEES[1] + "draft: true\n")
    assert against(run) == (
        1,
        [
            f"entries/{FEES[0]}:6:1: draft: the removed statement urn:example-agency:fees would"
            " no longer be published, which would take down the notice at its address saying"
            " why it was removed; keep it as it was at HEAD (`draft:` unset, dated"
            " 2021-11-06T00:00:00+01:00)",
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry(FEES[0], FEES[1])  # lifted: published again
    assert against(run) == (0, [])


def test_guard_refuses_settings_that_re_date_or_drop_feeds(repo: Project, run: Run) -> None:
    aliases = "section_aliases:\n  tags:\n    Charges: Budget\n"
    _publish(repo, config=EXAMPLE_CONFIG + aliases)
    repo.config(EXAMPLE_CONFIG.replace("Europe/Paris", "America/New_York"))
    assert against(run) == (
        1,
        [
            "feedpub.yaml: section_aliases: the tag 'Charges', renamed 'Budget' at HEAD, is no"
            " longer declared, so its old feeds (tags/charges/atom.xml, rss.xml and feed.json),"
            " to which readers may subscribe, would disappear; keep `Charges: Budget` under"
            " `section_aliases: tags:`",
            "feedpub.yaml:5:1: timezone: changed from Europe/Paris at HEAD to America/New_York,"
            " which moves the times of 2 published statements written without an offset (a"
            " `date:`, `updated:`, correction's or withdrawal's date) to those times in the new"
            " zone: readers would see them changed, and pages may move to another day; keep"
            " `timezone: Europe/Paris`",
            "feedpub: 2 problems in 1 file",
        ],
    )


@pytest.mark.parametrize("zone", ["Europe/London", "Europe/Helsinki"])
def test_guard_refuses_a_timezone_that_moves_a_correction_or_withdrawal_time(
    repo: Project, run: Run, zone: str
) -> None:
    # Dated with an offset, corrected or withdrawn at a time without one: a new zone moved
    # those times, so readers were sent the items again (westward), or the guard blamed
    # each entry for moving its last change back (eastward), never the setting.
    for name, text in (RATES, FEES):  # dated with their offset: they do not move
        day = name[:10]
        repo.entry(name, text.replace(f"date: {day}\n", f"date: {day}T09:00+01:00\n"))
    corrected = (
        "2021-11-07-taux.yaml",
        "title: Taux\ndate: 2021-11-07T09:30+01:00\nupdated: 2021-11-20T10:00\n"
        "change_note: Figures.\nbody: x\n",
    )
    withdrawn = (
        "2021-11-08-old.yaml",
        "title: Old\ndate: 2021-11-08T09:30+01:00\nbody: x\n"
        "withdrawn: {date: 2021-11-21T10:00, reason: Replaced.}\n",
    )
    earlier = (  # corrected twice, the first correction's time written without an offset
        "2021-11-09-earlier.yaml",
        "title: Earlier\ndate: 2021-11-09T09:30+01:00\nupdated: 2021-11-22T10:00+01:00\n"
        "change_note: Second.\ncorrections: [{date: 2021-11-21T10:00, note: First.}]\nbody: x\n",
    )
    unnoted = (  # corrected with no note: not told as corrected anew when its time moves
        "2021-11-10-unnoted.yaml",
        "title: Unnoted\ndate: 2021-11-10T09:30+01:00\nupdated: 2021-11-23T10:00\nbody: x\n",
    )
    _publish(repo, corrected, withdrawn, earlier, unnoted)
    repo.config(EXAMPLE_CONFIG.replace("Europe/Paris", zone))
    assert against(run) == (
        1,
        [
            f"feedpub.yaml:5:1: timezone: changed from Europe/Paris at HEAD to {zone}, which"
            " moves the times of 4 published statements written without an offset (a `date:`,"
            " `updated:`, correction's or withdrawal's date) to those times in the new zone:"
            " readers would see them changed, and pages may move to another day; keep"
            " `timezone: Europe/Paris`",
            "feedpub: 1 problem in 1 file",
        ],
    )


def test_guard_refuses_a_language_s_feeds_lost(repo: Project, run: Run) -> None:
    french = ("2021-11-07-taux.yaml", "title: Taux\ndate: 2021-11-07\nlanguage: fr\nbody: x\n")
    _publish(repo, french)
    repo.entry(french[0], french[1].replace("language: fr\n", ""))
    code, errors = against(run)
    assert (code, errors) == (
        1,
        [
            f"entries/{french[0]}:1:1: language: no statement would be in fr any more, so the"
            " feeds of languages/fr/ (atom.xml, rss.xml and feed.json), and every other"
            " language's (the site would be in one language), to which readers may subscribe,"
            " would disappear; keep `language: fr`",
            "feedpub: 1 problem in 1 file",
        ],
    )


def test_guard_refuses_a_language_left_with_only_a_removed_statement_in_it(
    repo: Project, run: Run
) -> None:
    # As a type's or tag's: the removed one keeps languages/fr/'s feeds, which would stay
    # with no statement and none to come. A lawful removal of the last one still passes.
    removal = "removed: {date: 2021-11-20, reason: A court order.}\n"
    french = ("2021-11-07-taux.yaml", "title: Taux\ndate: 2021-11-07\nlanguage: fr\nbody: x\n")
    gone = ("2021-11-08-frais.yaml", "title: Frais\ndate: 2021-11-08\nlanguage: fr\nbody: x\n")
    _publish(repo, french, (gone[0], gone[1] + removal))
    repo.entry(french[0], french[1].replace("language: fr\n", ""))
    assert against_after_removal(run) == (
        1,
        [
            f"entries/{french[0]}:1:1: language: no published statement would be in fr any"
            " more, so the feeds of languages/fr/ (atom.xml, rss.xml and feed.json), to which"
            " readers may subscribe, would stay empty; keep `language: fr`",
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry(french[0], french[1] + removal)
    assert against_after_removal(run) == (0, [])


def test_guard_follows_a_removed_statement_renamed_and_keeps_its_notice(
    repo: Project, run: Run
) -> None:
    # Renamed (a slug naming a person, say) with its alias, it was taken for deleted and
    # its id for reused; made a draft, its notice went with no word.
    removed = FEES[1] + "removed: {date: 2021-11-20, reason: A court order.}\n"
    _publish(repo, (FEES[0], removed))
    (repo.root / "entries" / FEES[0]).unlink()
    repo.entry("2021-11-06-charges.yaml", removed)
    assert against(run) == (
        1,
        [
            "entries/2021-11-06-charges.yaml:1:1: aliases: the notice of the removed statement"
            " urn:example-agency:fees moved from 2021/11/06/fees/ to 2021/11/06/charges/, so"
            ' links to the old address would break; add "2021/11/06/fees/" to its `aliases:`',
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry("2021-11-06-charges.yaml", removed + "aliases: [2021/11/06/fees/]\n")
    assert against(run) == (0, [])
    (repo.root / "entries/2021-11-06-charges.yaml").unlink()
    repo.entry(FEES[0], removed + "draft: true\n")
    assert against(run)[1][0] == (
        f"entries/{FEES[0]}:7:1: draft: the removed statement urn:example-agency:fees would no"
        " longer be published, which would take down the notice at its address saying why it"
        " was removed; keep it as it was at HEAD (`draft:` unset, dated"
        " 2021-11-06T00:00:00+01:00)"
    )


def test_guard_names_the_withdrawal_when_its_date_moves(repo: Project, run: Run) -> None:
    # Blamed on `updated:`, a field it did not have, whose advice made up a correction.
    withdrawn = FEES[1] + "withdrawn: {date: 2021-11-20T10:00, reason: Replaced.}\n"
    _publish(repo, (FEES[0], withdrawn))
    repo.entry(FEES[0], withdrawn.replace("2021-11-20T10:00", "2021-11-19T10:00"))
    assert against(run)[1][0] == (
        f"entries/{FEES[0]}:6:1: withdrawn: the withdrawal of the published statement"
        f" {FEES_SHOWN} was dated 2021-11-20T10:00:00+01:00 at HEAD, and now"
        " 2021-11-19T10:00:00+01:00: feed readers send an item again only when its time of last"
        " change moves forward; keep the withdrawal's date"
    )


def test_guard_refuses_a_withdrawal_dated_before_the_last_change(repo: Project, run: Run) -> None:
    # No reader was told: the item's time of last change did not move.
    corrected = FEES[1] + "updated: 2021-11-20T10:00\nchange_note: The fee for permits.\n"
    _publish(repo, (FEES[0], corrected))
    repo.entry(FEES[0], corrected + "withdrawn: {date: 2021-11-18T10:00, reason: Replaced.}\n")
    assert against(run)[1][0] == (
        f"entries/{FEES[0]}:8:1: withdrawn: the withdrawal of the published statement"
        f" {FEES_SHOWN} is dated 2021-11-18T10:00:00+01:00, not after its last change"
        " (2021-11-20T10:00:00+01:00): feed readers send an item again only when that time"
        " moves forward, so no reader would be told; date the withdrawal when it is made"
    )


def test_guard_accepts_a_time_zone_that_moves_no_published_statement(
    repo: Project, run: Run
) -> None:
    # Europe/Kiev and Europe/Kyiv are one zone; a date with its offset is where it was.
    _publish(repo, config=EXAMPLE_CONFIG.replace("Europe/Paris", "Europe/Kiev"))
    repo.config(EXAMPLE_CONFIG.replace("Europe/Paris", "Europe/Kyiv"))
    assert against(run) == (0, [])
    repo.entry(RATES[0], RATES[1].replace("date: 2021-11-05", "date: 2021-11-05T12:00+02:00"))
    repo.entry(FEES[0], FEES[1].replace("date: 2021-11-06", "date: 2021-11-06T12:00+02:00"))
    _publish(repo)
    repo.config(EXAMPLE_CONFIG.replace("Europe/Paris", "Europe/Helsinki"))
    assert against(run) == (0, [])


def test_guard_says_the_site_s_language_changed_at_the_setting(repo: Project, run: Run) -> None:
    # A new spelling of the site's language (en-GB for its dates) moved the English feeds:
    # the advice to add `language: en` to one statement split them.
    _publish(
        repo, ("2021-11-07-taux.yaml", "title: Taux\ndate: 2021-11-07\nlanguage: fr\nbody: x\n")
    )
    repo.config(EXAMPLE_CONFIG.replace("language: en", "language: en-GB"))
    assert against(run)[1][0] == (
        "feedpub.yaml:4:1: language: no statement would be in en any more, so the feeds of"
        " languages/en/ (atom.xml, rss.xml and feed.json), to which readers may subscribe, would"
        " disappear; keep `language: en`"
    )


def test_guard_refuses_a_renamed_tag_whose_feeds_a_removed_statement_keeps_empty(
    repo: Project, run: Run
) -> None:
    # A statement removed keeps its tags' feeds, so they would not disappear: they would
    # stay, with no statement and none to come, which subscribers would not know.
    removal = "removed: {date: 2021-11-20, reason: A court order.}\n"
    _publish(repo, ("2021-11-05-gone.yaml", RATES[1].replace("Rates for", "Gone") + removal))
    repo.entry(RATES[0], RATES[1].replace("tags: [Rates, Budget]", "tags: [Budget]"))
    assert against(run) == (
        1,
        [
            f"entries/{RATES[0]}:4:1: tags: the tag 'Rates' would be left with no published"
            " statement, so its feeds (tags/rates/atom.xml, rss.xml and feed.json), to which"
            ' readers may subscribe, would stay empty; keep "Rates" in its tags, or if it was'
            " renamed, keep its feeds with `section_aliases: {tags: {Rates: <its new name>}}`"
            " in feedpub.yaml",
            "feedpub: 1 problem in 1 file",
        ],
    )


def test_guard_does_not_advise_an_alias_of_the_default_type(repo: Project, run: Run) -> None:
    # An alias of Statement would refuse every later statement written without a type.
    repo.entry(FEES[0], FEES[1] + "type: Release\n")
    assert against(run)[1][0] == (
        f"entries/{FEES[0]}:6:1: type: the type 'Statement' would be left with no published"
        " statement, so its feeds (types/statement/atom.xml, rss.xml and feed.json), to which"
        ' readers may subscribe, would disappear; set `type: "Statement"` again'
    )


def test_guard_warns_of_an_attachment_replaced_under_its_name(repo: Project, run: Run) -> None:
    # A signed PDF's bytes changed with nothing said: readers who downloaded it kept the old.
    repo.file("entries/signed.pdf", b"%PDF-1.4\n1\n%%EOF\n")
    _publish(repo, (FEES[0], FEES[1] + "attachments: [signed.pdf]\n"))
    repo.file("entries/signed.pdf", b"%PDF-1.4\n2\n%%EOF\n")
    result = run("check", "--now", NOW, "--against", "HEAD")
    assert (result.exit_code, result.errors) == (
        0,
        [
            f"entries/{FEES[0]}:6:1: attachments: warning: signed.pdf, attached to the published"
            f" statement {FEES_SHOWN}, changed since HEAD, and readers who downloaded it keep the"
            " old bytes; attach a new version beside it, under another name, or say what"
            " changed with `updated:` and `change_note:`"
        ],
    )
    note = "updated: 2021-11-20T10:00\nchange_note: The signed copy replaces the draft.\n"
    repo.entry(FEES[0], FEES[1] + "attachments: [signed.pdf]\n" + note)
    assert against(run) == (0, [])


def test_guard_names_a_new_time_zone_when_check_fails_on_what_it_moved(
    project: Project, run: Run
) -> None:
    # The file name's date no longer matched: `check` said to rename the file (which moves
    # its page), and the guard, which never ran, did not say the zone was the cause.
    project.entry("2021-11-06-late.yaml", "title: Late\ndate: 2021-11-05T23:30:00Z\nbody: x\n")
    git(project.root, "init", "--quiet", "--initial-branch", "main")
    git(project.root, "add", "--all")
    git(project.root, "commit", "--quiet", "--message", "Published")
    project.config(EXAMPLE_CONFIG.replace("Europe/Paris", "UTC"))
    code, errors = against(run)
    assert code == 1
    assert errors[-2:] == [
        "feedpub.yaml:5:1: timezone: warning: changed from Europe/Paris at HEAD to UTC, in which"
        " every date is now read (a time without an offset, and the day of one with it): it may"
        " be why a date no longer matches its file name above; keep `timezone: Europe/Paris`",
        "feedpub: 1 problem in 1 file",
    ]
    assert errors[0] == PARTLY.format(", and the statements of the 1 file with problems,")
    assert errors[1].startswith("entries/2021-11-06-late.yaml:2:7: date: 2021-11-05 (in UTC)")


def test_guard_offers_the_new_file_of_the_same_day_as_the_deleted_one_renamed(
    repo: Project, run: Run
) -> None:
    # Renamed and rewritten in one edit, git sees no rename: the advice to restore and
    # withdraw it would have published the statement twice.
    (repo.root / "entries" / RATES[0]).unlink()
    repo.entry(
        "2021-11-05-interest-rates.yaml",
        "title: Interest rates for 2022\ndate: 2021-11-05\nbody: |\n  Entirely new words.\n",
    )
    assert against(run)[1][0] == (
        f"entries/{RATES[0]}: the published statement 'Rates for 2022' ({RATES_ID}) was"
        " deleted; a statement is never deleted: restore it (`git checkout HEAD --"
        f" entries/{RATES[0]}`) and add `withdrawn: {{date: ..., reason: ...}}` to it instead;"
        " if entries/2021-11-05-interest-rates.yaml is it, renamed, add to it the lines `id:"
        f' "{RATES_ID}"` and `aliases: ["2021/11/05/rates/"]` instead'
    )


def test_guard_never_offers_a_removed_statement_as_the_deleted_one_renamed(
    repo: Project, run: Run
) -> None:
    # A statement removed at HEAD, of the deleted one's day, was offered as it renamed:
    # its id changed as advised, the guard then refused the removed statement's new id.
    _publish(
        repo,
        (
            "2021-11-05-alpha.yaml",
            "title: Alpha\ndate: 2021-11-05\nbody: x\n"
            "removed: {date: 2021-11-20, reason: A court order.}\n",
        ),
    )
    (repo.root / "entries" / RATES[0]).unlink()
    deleted = against(run)[1][0]
    assert deleted.startswith(f"entries/{RATES[0]}: the published statement 'Rates for 2022'")
    assert "alpha" not in deleted


def test_guard_keeps_a_published_statement_s_corrections_as_readers_were_told(
    repo: Project, run: Run
) -> None:
    # An earlier correction taken off its list, with no later one, left no trace on its page
    # or in its feeds; a note reworded rewrote what readers were told: both passed silently.
    corrected = (
        FEES[1] + "updated: 2021-11-20T10:00\nchange_note: The fee for permits.\n"
        "corrections: [{date: 2021-11-10T10:00, note: The date of the hearing.}]\n"
    )
    _publish(repo, (FEES[0], corrected))
    repo.entry(FEES[0], corrected.split("corrections:")[0])
    assert against(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: corrections: the correction of 2021-11-10T10:00:00+01:00 to"
            f" the published statement {FEES_SHOWN}, listed at HEAD, is gone with no later"
            " correction: its page and feeds would no longer say it was corrected then; keep"
            ' `{date: 2021-11-10T10:00:00+01:00, note: "The date of the hearing."}` under'
            " `corrections:`",
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry(FEES[0], corrected.replace("The fee for permits.", "Nothing."))
    assert against(run) == (
        0,
        [
            f"entries/{FEES[0]}:7:1: change_note: warning: the note of the correction of"
            f" 2021-11-20T10:00:00+01:00 to the published statement {FEES_SHOWN} changed since"
            " HEAD, with no later correction: readers who were told the first keep it; if the"
            ' change matters to them, keep the note (`change_note: "The fee for permits."`) and'
            " say what changed with a new `updated:` and `change_note:`"
        ],
    )
    # A new correction may leave the earlier ones out (README: they "can be kept").
    repo.entry(FEES[0], FEES[1] + "updated: 2021-11-25T10:00\nchange_note: Permits again.\n")
    assert against(run) == (0, [])


def test_guard_refuses_entries_kept_in_a_git_submodule(repo: Project, run: Run) -> None:
    # At a revision whose entries/ was a submodule, the guard read no statement there, so
    # deleting any passed; a pull request making it one passed too, blinding the next.
    (repo.root / "entries" / ".git").write_text("gitdir: ../.git/modules/entries\n")
    assert against(run) == (
        1,
        [
            "(--against HEAD): entries/ is a git submodule (its statements kept in another"
            " repository) in the working tree, so the guard could not read what it publishes"
            " once this change is the base; keep the entries in the site's own repository",
            "feedpub: 1 problem on the command line",
        ],
    )
    (repo.root / "entries" / ".git").unlink()
    head = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "rm", "--quiet", "--cached", "-r", "entries")
    git(repo.root, "update-index", "--add", "--cacheinfo", f"160000,{head},entries")
    git(repo.root, "commit", "--quiet", "--message", "Entries in a submodule")
    (repo.root / "entries" / RATES[0]).unlink()
    assert against(run) == (
        1,
        [
            "(--against HEAD): entries/ is a git submodule (its statements kept in another"
            " repository) at this revision, so what it published cannot be compared; keep the"
            " entries in the site's own repository",
            "feedpub: 1 problem on the command line",
        ],
    )


def test_guard_warns_of_a_withdrawal_s_reason_reworded_under_its_date(
    repo: Project, run: Run
) -> None:
    # Readers were told why it was withdrawn; the reason rewritten passed without a word.
    withdrawn = FEES[1] + "withdrawn: {date: 2021-11-20, reason: Issued in error.}\n"
    _publish(repo, (FEES[0], withdrawn))
    repo.entry(FEES[0], withdrawn.replace("Issued in error.", "Replaced."))
    assert against(run) == (
        0,
        [
            f"entries/{FEES[0]}:6:1: withdrawn: warning: the reason for withdrawing the"
            f" published statement {FEES_SHOWN} changed since HEAD, under the same date: feed"
            " readers are not sent it again, so readers who were told the first keep it; if"
            " the change matters to them, date the withdrawal anew (`date:"
            " 2021-12-01T12:00+01:00`)"
        ],
    )
    repo.entry(
        FEES[0],
        withdrawn.replace("2021-11-20, reason: Issued in error.", "2021-11-30, reason: Replaced."),
    )
    assert against(run) == (0, [])


def test_guard_warns_of_a_new_base_url_that_moves_every_address(repo: Project, run: Run) -> None:
    # Every page's and feed's address moved (a link in every item, each feed's rel="self"),
    # and the check said nothing; ids, from id_authority, stay.
    repo.config(EXAMPLE_CONFIG.replace("press.example.org/", "press.example.org/old/"))
    assert against(run) == (
        0,
        [
            "feedpub.yaml:3:1: base_url: warning: changed from https://press.example.org/ at"
            " HEAD to https://press.example.org/old/: the address of every page and feed moves"
            ' (a feed\'s own address, `rel="self"`, too, which some readers move a subscription'
            " to), so readers' links and subscriptions break unless the site is served at the"
            " new address and the old one redirects to it; else keep `base_url:"
            " https://press.example.org/`"
        ],
    )


def test_guard_keeps_a_withdrawal_through_a_removal_and_its_lifting(
    repo: Project, run: Run
) -> None:
    # Withdrawn, then removed with its `withdrawn:` dropped (passed: a removal was not
    # compared), then its removal lifted (passed: a removed statement had no record): the
    # statement came back to its feeds as if never withdrawn.
    withdrawn = FEES[1] + "withdrawn: {date: 2021-11-20, reason: Issued in error.}\n"
    removal = "removed: {date: 2021-11-25, reason: Personal data.}\n"
    _publish(repo, (FEES[0], withdrawn))
    repo.entry(FEES[0], FEES[1] + removal)
    taken_back = (
        " was withdrawn at HEAD, and its readers were told so; a withdrawal is never taken"
        " back: put its `withdrawn:` back as it was"
    )
    assert against_after_removal(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: withdrawn: the published statement {FEES_SHOWN}{taken_back}",
            "feedpub: 1 problem in 1 file",
        ],
    )
    _publish(repo, (FEES[0], withdrawn + removal))
    repo.entry(*FEES)
    assert against_after_removal(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: withdrawn: the removed statement urn:example-agency:fees"
            f"{taken_back}",
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry(FEES[0], withdrawn)  # the removal lifted, the withdrawal kept
    assert against_after_removal(run) == (0, [])


def test_guard_keeps_a_correction_through_a_removal_and_its_lifting(
    repo: Project, run: Run
) -> None:
    # Removed with its `updated:` taken out, then its removal lifted: it came back older
    # than the version its readers had, uncorrected, and neither step was refused.
    corrected = FEES[1] + "updated: 2021-11-20T10:00\nchange_note: The fee for permits.\n"
    removal = "removed: {date: 2021-11-25, reason: Personal data.}\n"
    _publish(repo, (FEES[0], corrected))
    repo.entry(FEES[0], FEES[1] + removal)
    was = " was last changed 2021-11-20T10:00:00+01:00 at HEAD: "
    keep = "; keep `updated: 2021-11-20T10:00:00+01:00` (or a later time, with its `change_note:`)"
    assert against_after_removal(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: updated: the published statement {FEES_SHOWN}{was}its"
            f" correction taken out would not come back with it if its removal were lifted{keep}",
            "feedpub: 1 problem in 1 file",
        ],
    )
    _publish(repo, (FEES[0], corrected + removal))
    repo.entry(*FEES)
    assert against_after_removal(run) == (
        1,
        [
            f"entries/{FEES[0]}:1:1: updated: the removed statement urn:example-agency:fees{was}"
            f"its removal lifted, it would come back older than the version readers have{keep}",
            "feedpub: 1 problem in 1 file",
        ],
    )
    repo.entry(FEES[0], corrected)  # the removal lifted, the correction kept
    assert against_after_removal(run) == (0, [])

"""The command line: help with examples, exit codes, and the documented commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Project, Run, console
from feedpub import __version__
from feedpub.arguments import make_parser
from feedpub.errors import Problem, Severity

COMMANDS = sorted(make_parser()._subparsers._group_actions[0].choices or ())  # type: ignore[union-attr]


def test_cli_has_the_commands_users_expect() -> None:
    assert {"build", "check"} <= set(COMMANDS)


def test_cli_help_gives_an_example_and_the_exit_codes(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "example:" in result.stdout
    assert "1  invalid input" in result.stdout
    assert "2  usage error" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help_with_example(run: Run, command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"feedpub {command}" in result.stdout
    assert "example" in result.stdout
    assert "exit status:" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_is_documented_in_readme(command: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"feedpub {command}" in readme


def test_cli_readme_names_the_commands_that_take_no_root(run: Run) -> None:
    # "Every command takes --root DIR" was not true of init, which takes its folder as DIR.
    without = [c for c in COMMANDS if "--root" not in run(c, "--help").stdout]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"Every command[^.]*`--root DIR`[^.]*\.", readme)
    assert sentence, "README.md no longer says which commands take --root"
    assert all(f"`{command}`" in sentence.group(0) for command in without), sentence.group(0)


def test_cli_prints_version(run: Run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"feedpub {__version__}\n")


@pytest.mark.parametrize("args", [[], ["publish"], ["build", "--colour"]])
def test_cli_usage_error_exits_2(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("usage: feedpub")


@pytest.mark.parametrize("value", ["-1", "lots", "\u0663"])
def test_max_problems_that_is_no_count_says_what_to_give(run: Run, value: str) -> None:
    # "-1" was called "not a whole number"; "٣" (Arabic-Indic 3) passed as a digit.
    result = run("check", "--max-problems", value)
    assert result.exit_code == 2
    assert result.errors[-1].endswith(
        f"argument --max-problems: {value!r} is not a count of problems: give 0 (all of them)"
        " or more"
    )


def test_cli_without_a_command_shows_every_command(run: Run) -> None:
    result = run()
    assert result.exit_code == 2
    assert "the following arguments are required" not in result.stderr
    assert all(f"\n    {command} " in result.stderr for command in COMMANDS), result.stderr


def test_usage_error_found_after_parsing_shows_its_command_s_usage(run: Run) -> None:
    result = run("build", "--now", "soon")
    assert result.exit_code == 2
    assert result.errors[0].startswith("usage: feedpub build [-h]"), result.errors


def test_cli_user_error_is_a_message_not_a_traceback(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", b"title: \xff\n")
    result = console("build", cwd=project.root)  # a real process: a traceback would show
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "entries/2021-11-05-x.yaml:1:8: byte 0xFF is not valid UTF-8 (it looks like"
        " Windows-1252 or Latin-1); save the file as UTF-8",
        "feedpub: 1 problem in 1 file; public/ was not changed",
    ]


def test_cli_check_reports_count_and_writes_nothing(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: '<b onclick=x>y</b>'\n")
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == "feedpub: 1 entry checked, no problems, 1 warning\n"
    assert result.errors == [
        "entries/2021-11-05-x.yaml:3:11: body: warning: removed onclick attribute from <b>"
    ]
    assert not (project.root / "public").exists()


def _console_script() -> Path:
    return Path(sys.executable).with_name("feedpub")


def test_cli_console_script_and_python_m_agree(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    for command in ([str(_console_script())], [sys.executable, "-m", "feedpub"]):
        version = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, check=False
        )
        assert (version.returncode, version.stdout) == (0, f"feedpub {__version__}\n")
        check = subprocess.run(
            [*command, "check"], cwd=project.root, capture_output=True, text=True, check=False
        )
        assert (check.returncode, check.stdout) == (0, "feedpub: 1 entry checked, no problems\n")


def test_cli_paths_in_messages_are_relative_to_where_feedpub_runs(
    project: Project, run: Run
) -> None:
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    sub = project.root / "elsewhere"
    sub.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "feedpub", "check", "--root", ".."],
        cwd=sub,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{project.root}/entries/2021-11-05-x.yaml:1:8: title: expected text, got a list"
    )
    inside = subprocess.run(
        [sys.executable, "-m", "feedpub", "check", "--root", "site"],
        cwd=project.root.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert inside.stderr.splitlines()[0] == (
        "site/entries/2021-11-05-x.yaml:1:8: title: expected text, got a list"
    )


def test_check_github_format_prints_annotations(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-05-y.yml", "title: Y\n")
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=entries/2021-11-05-x.yaml,line=1,col=8,title=feedpub::title: expected"
        " text, got a list",
        "::error file=entries/2021-11-05-y.yml,title=feedpub::entry files end in .yaml; rename it"
        " to 2021-11-05-y.yaml",
    ]
    assert result.stderr == "feedpub: 2 problems in 2 files\n"


def test_github_annotation_escapes_what_would_break_it() -> None:
    from feedpub.errors import github_annotation

    problem = Problem(
        path="entries/a,b:c.yaml",
        line=2,
        column=3,
        field="body",
        message="100% sure\nsecond line",
        severity=Severity.WARNING,
    )
    assert github_annotation(problem) == (
        "::warning file=entries/a%2Cb%3Ac.yaml,line=2,col=3,title=feedpub::body: 100%25 sure"
        "%0Asecond line"
    )


@pytest.mark.parametrize("value", ["tomorrow", "2021-11-06T9:00", "2021-02-30", "2021-11-06T24:00"])
def test_bad_now_is_a_usage_error(run: Run, value: str) -> None:
    result = run("build", "--now", value)
    assert result.exit_code == 2
    assert result.errors[-1].startswith(f"feedpub: error: --now {value!r}")


def test_output_read_by_a_command_that_stops_early_ends_without_a_traceback(
    project: Project,
) -> None:
    # `feedpub check --format github | head -3`: once head had its lines, the next write
    # raised BrokenPipeError, printed as a traceback.
    for number in range(300):
        project.entry(f"2021-11-05-x{number}.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    script = Path(sys.executable).with_name("feedpub")
    command = [str(script), "check", "--format", "github", "--max-problems", "0"]
    process = subprocess.Popen(
        command, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.close()  # what reads it went away, before the problems (45 KB) are written
    _, errors = process.communicate(timeout=120)
    assert (process.returncode, errors) == (141, b"")


def test_every_command_through_the_console_script(project: Project) -> None:
    root = project.root
    created = console("new", "Example Agency opens an office", "--date", "2021-11-05", cwd=root)
    assert (created.returncode, created.stdout) == (
        0,
        "entries/2021-11-05-example-agency-opens-an-office.yaml\n",
    )
    empty = console("new", "  ", cwd=root)  # a problem: exit 1, nothing written
    assert (empty.returncode, empty.stdout) == (1, "")
    assert console("check", cwd=root).returncode == 0
    assert console("build", "--now", NOW_AFTER, cwd=root).returncode == 0
    assert console("check", "--now", NOW_AFTER, cwd=root).returncode == 0
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    github = console("check", "--format", "github", cwd=root)
    assert github.returncode == 1
    assert github.stdout.startswith("::error file=entries/2021-11-05-x.yaml,line=1,col=8,")
    assert console("build", cwd=root).returncode == 1
    assert console("build", "--now", "soon", cwd=root).returncode == 2
    assert console("serve", "--port", "-5", cwd=root).returncode == 2
    assert console("frobnicate", cwd=root).returncode == 2


X = ("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
NOW_AFTER = "2021-11-06T08:00:00Z"


@pytest.mark.parametrize("epoch", ["99999999999999", "-1", "+1636086600", "1_636_086_600", " 1"])
def test_source_date_epoch_not_whole_seconds_since_1970_is_a_usage_error(
    project: Project, epoch: str
) -> None:
    project.entry(*X)
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    result = subprocess.run(
        [sys.executable, "-m", "feedpub", "build"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"feedpub: error: SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970"
    )


def test_now_that_is_no_time_says_what_is(run: Run) -> None:
    result = run("build", "--now", "soon")
    assert result.exit_code == 2
    assert result.errors[-1] == (
        "feedpub: error: --now 'soon': expected a time such as 2021-11-05T09:00 (in the"
        " site's time zone), one with its offset such as 2021-11-05T09:00:00+01:00 or"
        " 2021-11-05T08:00:00Z, or a date alone (its midnight)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-28T02:30", "does not exist in Europe/Paris (the clocks skip it); add an offset"),
        (
            "2021-10-31T02:30",
            "happens twice in Europe/Paris (the clocks go back); add an offset such as +02:00"
            " or +01:00",
        ),
    ],
)
def test_now_the_clocks_skip_or_repeat_is_refused_as_in_an_entry(
    run: Run, value: str, expected: str
) -> None:
    result = run("check", "--now", value)
    assert result.exit_code == 2
    assert result.errors[-1] == f"feedpub: error: --now {value!r} {expected}"


def test_now_without_offset_in_a_site_without_a_time_zone_says_both(
    project: Project, run: Run
) -> None:
    settings = project.read("feedpub.yaml")
    (project.root / "feedpub.yaml").write_text(settings.replace("Europe/Paris", "Mars/Olympus"))
    result = run("check", "--now", "2021-11-05T09:00")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "(--now): '2021-11-05T09:00' has no offset, and feedpub.yaml gives no usable timezone"
        " to read it in; fix feedpub.yaml, or give the offset, such as 2021-11-05T09:00:00+01:00"
    )
    assert result.errors[1].endswith("timezone: unknown time zone 'Mars/Olympus'")
    assert run("check", "--now", "2021-11-05T09:00:00+01:00").exit_code == 1  # as ever
    built = run("build", "--now", "2021-11-05T09:00")
    assert (
        built.errors[-1]
        == "feedpub: 2 problems in 1 file and on the command line; public/ was not changed"
    )


@pytest.mark.parametrize("form", ["text", "github"])
def test_file_names_cannot_forge_ci_commands_or_terminal_escapes(
    project: Project, run: Run, form: str
) -> None:
    forged = "bad\n::error file=x::forged\x1b[2K\u202e.yaml"
    (project.root / "entries" / forged).write_text("title: X\n")
    (project.root / "entries").joinpath(os.fsdecode(b"\xff.yaml")).write_text("title: X\n")
    result = run("check", "--format", form)
    assert result.exit_code == 1
    lines = (result.stdout + result.stderr).splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::") and "feedpub" not in line]
    assert not [line for line in lines if "\x1b" in line or "\u202e" in line]
    shown = "entries/bad\\x0a::error file=x::forged\\x1b[2K\\u202e.yaml"
    if form == "text":
        assert f"{shown}:1:1: file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case" in (
            result.stderr
        )
        assert "entries/\\udcff.yaml: the file's name is not UTF-8 text; rename it" in result.errors
    else:
        # The runner decodes %0A inside the annotation's file name: no new line, no command.
        assert "file=entries/bad%0A%3A%3Aerror file=x%3A%3Aforged\\x1b[2K\\u202e.yaml" in (
            result.stdout
        )


def test_problems_past_the_cap_are_counted_and_a_flag_shows_them_all(
    project: Project, run: Run
) -> None:
    for number in range(1, 12):
        fields = "".join(f"field{i}: 1\n" for i in range(20))
        project.entry(
            f"2021-11-{number:02d}-x.yaml", f"title: X\ndate: 2021-11-{number:02d}\n" + fields
        )
    result = run("check")
    assert result.exit_code == 1
    assert len(result.errors) == 202  # 220 unknown fields, 11 bodies missing: 231 problems
    assert result.errors[-2:] == [
        "feedpub: 31 more problems not shown; --max-problems 0 shows them all",
        "feedpub: 231 problems in 11 files",
    ]
    assert len(run("check", "--max-problems", "0").errors) == 232
    assert len(run("build", "--max-problems", "5").errors) == 7
    github = run("check", "--format", "github", "--max-problems", "3")
    assert len(github.stdout.splitlines()) == 3
    assert github.errors == [
        "feedpub: 228 more problems not shown; --max-problems 0 shows them all",
        "feedpub: 231 problems in 11 files",
    ]

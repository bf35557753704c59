"""The command line: help with examples, exit codes, and the documented commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Project, Run
from feedpub import __version__
from feedpub.cli import _parser

COMMANDS = sorted(_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


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


def test_cli_prints_version(run: Run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"feedpub {__version__}\n")


@pytest.mark.parametrize("args", [[], ["publish"], ["build", "--colour"]])
def test_cli_usage_error_exits_2(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("usage: feedpub")
    assert "Traceback" not in result.stderr


def test_cli_user_error_is_a_message_not_a_traceback(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", b"title: \xff\n")
    result = run("build")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


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

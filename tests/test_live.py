"""`feedpub live`: what a deployment releases, then whether it is served (127.0.0.1 only)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLE_CONFIG, Project, Run

A = ("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\n")
B = ("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: y\n")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A folder served on 127.0.0.1, and its address."""
    root = tmp_path / "served"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", root
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(project: Project, served: tuple[str, Path]) -> Project:
    project.config(EXAMPLE_CONFIG.replace("https://press.example.org/", served[0]))
    project.entry(*A)
    return project


def _deploy(project: Project, served: tuple[str, Path]) -> None:
    shutil.rmtree(served[1])
    shutil.copytree(project.root / "public", served[1])


def test_live_prepare_finds_a_first_deployment_due_and_lists_every_statement(
    site: Project, run: Run, served: tuple[str, Path]
) -> None:
    site.entry(*B)
    assert run("build").exit_code == 0
    result = run("live", "--prepare", "--list", "released.json")
    assert result.exit_code == 0, result.stderr
    url = served[0]
    assert result.stdout == (
        f"feedpub: {url} answers 404 for sitemap.xml: a deployment is due, releasing 2"
        f" statements (first: {url}2021/11/06/b/); listed in released.json for `feedpub live`"
        " after deploying\n"
    )


def test_live_prepare_after_a_deployment_finds_nothing_due_until_an_embargo_ends(
    site: Project, run: Run, served: tuple[str, Path]
) -> None:
    site.entry(B[0], B[1].replace("date: 2021-11-06", "date: 2021-11-06T09:00"))
    assert run("build", "--now", "2021-11-06T07:00:00Z").exit_code == 0
    _deploy(site, served)
    quiet = run("live", "--prepare")
    assert quiet.stdout == f"feedpub: {served[0]} already serves this build; nothing is due\n"
    assert run("build", "--now", "2021-11-06T08:00:00Z").exit_code == 0
    due = run("live", "--prepare")
    assert due.stdout.startswith(
        f"feedpub: {served[0]} serves another sitemap.xml or feed.json than this build's: a"
        f" deployment is due, releasing 1 statement (first: {served[0]}2021/11/06/b/)"
    )


def test_live_prepare_sets_the_step_output_for_github(
    site: Project, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert run("build").exit_code == 0
    assert run("live", "--prepare", "--format", "github").exit_code == 0
    assert output.read_text() == "due=true\n"


def test_live_after_a_deployment_finds_each_released_statement(
    site: Project, run: Run, served: tuple[str, Path]
) -> None:
    assert run("build").exit_code == 0
    assert run("live", "--prepare").exit_code == 0
    _deploy(site, served)
    result = run("live", "--served-at", served[0].rstrip("/"))
    assert (result.exit_code, result.stdout) == (
        0,
        f"feedpub: {served[0]} serves this build's feed.json and 1 released statement\n",
    )


def test_live_fails_naming_what_the_deployment_did_not_reach(
    site: Project, run: Run, served: tuple[str, Path]
) -> None:
    assert run("build").exit_code == 0
    assert run("live", "--prepare").exit_code == 0
    _deploy(site, served)
    shutil.rmtree(served[1] / "2021/11/05/a")
    (served[1] / "feed.json").write_text("{}")
    result = run("live", "--tries", "2", "--wait", "0")
    assert result.exit_code == 1
    advice = (
        "the deployment did not reach it: read the deploy step's log, then run the workflow"
        " again (Actions > feeds > Run workflow)"
    )
    assert result.errors == [
        f"{served[0]}2021/11/05/a/: not live after 2 tries over 0 s (last: answers 404); {advice}",
        f"{served[0]}feed.json: not live after 2 tries over 0 s (last: serves another feed.json"
        f" than this build's); {advice}",
        "feedpub: 2 problems in 2 files",
    ]


def test_live_says_when_base_url_is_not_where_the_site_is_served(
    site: Project, run: Run, served: tuple[str, Path]
) -> None:
    assert run("build").exit_code == 0
    assert run("live", "--prepare").exit_code == 0
    _deploy(site, served)
    result = run("live", "--served-at", "https://example-agency.github.io/statements/")
    assert result.exit_code == 1
    assert result.errors == [
        f"feedpub.yaml:3:1: base_url: is {served[0]}, but the site is served at"
        " https://example-agency.github.io/statements/, so every link in the feeds is wrong:"
        " set `base_url: https://example-agency.github.io/statements/`, or, for your own"
        " domain, enter it in Settings > Pages > Custom domain",
        "feedpub: 1 problem in 1 file",
    ]


def test_live_needs_the_list_and_the_build(site: Project, run: Run) -> None:
    missing = run("live", "--list", "nowhere.json")
    assert missing.errors[0] == (
        "nowhere.json: no list here; run `feedpub live --prepare` after building, before deploying"
    )
    unbuilt = run("live", "--prepare")
    assert unbuilt.errors[0] == (
        "public/sitemap.xml: not found: run `feedpub build` before `feedpub live --prepare`"
    )

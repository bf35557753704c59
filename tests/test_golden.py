"""The sample site's output, byte for byte: the committed public/ is the one golden tree.

Refresh: `pytest --update-golden`, then read the diff of public/. Golden files show that
output changed; the other tests say whether the change is right.
"""

from __future__ import annotations

import shutil

from conftest import REPO, Project, Run

# A fixed now, so the sample's public/ never goes stale with the clock.
SAMPLE_NOW = "2026-01-01T00:00:00Z"


def test_committed_public_is_the_build_of_the_committed_sample(
    project: Project, run: Run, update_golden: bool
) -> None:
    project.copy_sample()
    result = run("build", "--now", SAMPLE_NOW)
    assert result.exit_code == 0, result.stderr
    built = project.tree("public")
    if update_golden:
        shutil.rmtree(REPO / "public")
        shutil.copytree(project.root / "public", REPO / "public")
    committed = Project(REPO).tree("public")
    assert sorted(committed) == sorted(built), "public/ lists other files; see --update-golden"
    for path in sorted(built):
        assert committed[path] == built[path], f"public/{path} differs; see --update-golden"

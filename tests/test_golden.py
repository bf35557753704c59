"""The sample site's output, byte for byte. Refresh: `pytest --update-golden`, then read the diff.

Golden files show that output changed; the other tests say whether the change is right.
"""

from __future__ import annotations

import pytest

from conftest import GOLDEN, REPO, Project, Run

SAMPLE_PAGE = (
    "2021/11/05/joint-statement-iraqi-military-technical-committee-and-cjtf-oir/index.html"
)
GOLDEN_FILES = {
    "atom.xml": "atom.xml",
    "rss.xml": "rss.xml",
    "feed.json": "feed.json",
    "index.html": "index.html",
    SAMPLE_PAGE: "statement.html",
    "2021/index.html": "archive-2021.html",
}


@pytest.fixture
def sample(project: Project, run: Run) -> Project:
    project.copy_sample()
    result = run("build")
    assert result.exit_code == 0, result.stderr
    return project


@pytest.mark.parametrize("built", sorted(GOLDEN_FILES))
def test_sample_output_matches_golden_file(
    sample: Project, built: str, update_golden: bool
) -> None:
    actual = (sample.root / "public" / built).read_bytes()
    golden = GOLDEN / "sample" / GOLDEN_FILES[built]
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.read_bytes() == actual, f"{built} differs from {golden}; see --update-golden"


def test_committed_public_is_a_fresh_build_of_committed_entries(sample: Project) -> None:
    # A stale public/ must not land: run `feedpub build` and commit what it writes.
    committed = Project(REPO).tree("public")
    assert committed == sample.tree("public")

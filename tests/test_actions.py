"""The Actions emulator (tests/actions.py) decides which jobs run as GitHub documents it.

GitHub's workflow syntax, jobs.<job_id>.needs: "If a job fails or is skipped, all jobs that
need it are skipped unless the jobs use a conditional expression that causes the job to
continue." Its expressions reference, status check functions: an `if:` without one is
`success() && (...)`; `failure()` "returns true if any ancestor job fails"; `cancelled()`
"returns true if the workflow was canceled"; `!cancelled()` is the recommended way to run
"regardless of success or failure". test_office.py relies on these for the office workflow.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from actions import Runner

# A job `needed` that succeeds, fails or is skipped, and a job `then` that needs it.
WORKFLOW = """\
on: push
jobs:
  needed:
    if: {needed_if}
    runs-on: ubuntu-latest
    steps:
      - run: exit {needed_exit}
  then:
    needs: needed{then_if}
    runs-on: ubuntu-latest
    steps:
      - run: echo ran
"""
PUSH, NOT_PUSH = "github.event_name == 'push'", "github.event_name != 'push'"
NEEDED = {"succeeds": (PUSH, 0), "fails": (PUSH, 1), "is skipped": (NOT_PUSH, 0)}


def _jobs_run(tmp_path: Path, workflow: str) -> dict[str, list[str]]:
    """Each job run, and its steps' statuses."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo/workflow.yml").write_text(workflow)
    runner = Runner(tmp_path / "repo", tmp_path / "temp", {"PATH": os.environ["PATH"]}, {})
    jobs = runner.run("workflow.yml", "push", {})
    return {job.name: [step.status for step in job.steps] for job in jobs}


@pytest.mark.parametrize(
    ("needed", "then_if", "runs"),
    [
        ("succeeds", None, True),
        ("is skipped", None, False),  # no if: is success()
        ("succeeds", PUSH, True),
        ("fails", PUSH, False),  # the implicit success()
        ("is skipped", PUSH, False),  # so too
        ("is skipped", "success()", False),
        ("succeeds", "${{ !cancelled() }}", True),
        ("fails", "${{ !cancelled() }}", True),
        ("is skipped", "${{ !cancelled() }}", True),
        ("fails", "failure()", True),
        ("is skipped", "failure()", False),
        ("is skipped", "always()", True),
        ("is skipped", "${{ !cancelled() && needs.needed.result == 'skipped' }}", True),
        ("fails", "${{ !cancelled() && needs.needed.result == 'skipped' }}", False),
    ],
)
def test_actions_job_runs_after_a_needed_job_as_its_status_functions_say(
    tmp_path: Path, needed: str, then_if: str | None, runs: bool
) -> None:
    needed_if, needed_exit = NEEDED[needed]
    then_if = "" if then_if is None else f"\n    if: {then_if}"
    workflow = WORKFLOW.format(needed_if=needed_if, needed_exit=needed_exit, then_if=then_if)
    jobs = _jobs_run(tmp_path, workflow)
    # Run, its step's implicit success() is of its own steps: none failed before it.
    assert jobs.get("then") == (["ran"] if runs else None)


def test_actions_failure_is_true_after_a_failed_ancestor_further_up(tmp_path: Path) -> None:
    workflow = WORKFLOW.format(needed_if=PUSH, needed_exit=1, then_if="")
    workflow += "  last:\n    needs: then\n    if: failure()\n    runs-on: ubuntu-latest\n"
    workflow += "    steps:\n      - run: echo ran\n"
    assert _jobs_run(tmp_path, workflow) == {"needed": ["failed"], "last": ["ran"]}

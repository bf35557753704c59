"""The benchmark's profiler names feedpub's functions by module and name: a function moved
or renamed must fail here, not in the middle of a 35-minute benchmark run."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO


def _bench_module(name: str) -> Any:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "bench"))


def test_bench_profile_names_only_functions_that_exist() -> None:
    profile_build = _bench_module("profile_build")
    named = [profile_build.BUILD]
    named += [(module, name) for _, module, name in profile_build.STAGES]
    named += [(module, name) for _, module, name in profile_build.CATEGORIES]
    for module, qualname in named:
        code = profile_build.code_of(module, qualname)  # SystemExit names a drifted one
        assert isinstance(code, types.CodeType)
        assert code.co_name == qualname.rpartition(".")[2], (module, qualname)


@pytest.mark.parametrize("scenario", ["cold", "add-one"])
def test_bench_profiler_runs_a_build_and_times_each_phase(scenario: str, tmp_path: Path) -> None:
    # The profiler wraps feedpub's own functions: a changed signature must fail here (one
    # did, after the measurements of a 35-minute run, which were lost with it).
    bench = REPO / "bench"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    generated = subprocess.run(
        [sys.executable, str(bench / "generate.py"), "--out", str(tmp_path / "corpus"), "-n", "30"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    summary = tmp_path / "profile.json"
    site, work = tmp_path / "corpus/feedpub", tmp_path / "work"
    argv = _bench_module("run").profile_command(site, work, summary, ["--scenario", scenario])
    done = subprocess.run([*argv, "--cprofile"], env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    stages = [stage["stage"] for stage in json.loads(summary.read_text())["stages"]]
    assert "plan outputs (plan_site)" in stages
    assert any(stage.startswith("  write outputs: pages") for stage in stages)

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


def _feedpub_built(tmp_path: Path, count: int) -> tuple[dict[str, Any], Path]:
    """A bench corpus of `count` statements, feedpub's form only, and feedpub's build of it."""
    manifest = _bench_module("generate").generate(tmp_path / "corpus", count, 1, ("feedpub",))
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "feedpub", "build", "--root", str(tmp_path / "corpus/feedpub")]
    env = {**os.environ, "FEEDPUB_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([*argv, "--out", str(out)], env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return manifest, out


def test_bench_output_check_refuses_a_short_feed_and_missing_archives(tmp_path: Path) -> None:
    # The ratios mean something only if both tools wrote everything: the check after each
    # build must notice a feed short of an entry and a section without its archives.
    run = _bench_module("run")
    manifest, out = _feedpub_built(tmp_path, 120)
    run.check_output("feedpub", out, manifest)  # complete: nothing to say
    atom = out / "atom.xml"
    text = atom.read_text(encoding="utf-8")
    first = slice(text.index("<entry>"), text.index("</entry>") + len("</entry>"))
    atom.write_text(text[: first.start] + text[first.stop :], encoding="utf-8")
    for archive in (out / "archive").iterdir():
        archive.unlink()
    with pytest.raises(run.measure.BenchError) as refused:
        run.check_output("feedpub", out, manifest)
    assert "atom.xml has 49 entries, expected 50" in str(refused.value)
    assert "archive/ holds 0 entries, expected 100-120" in str(refused.value)


def test_bench_output_check_refuses_statement_pages_lighter_than_feedpubs(tmp_path: Path) -> None:
    # Equal work: each tool's statement pages must hold every part of feedpub's default page
    # (Hugo's once held a third of its bytes: no head of feeds, no JSON-LD, no subscribe list).
    run = _bench_module("run")
    manifest, out = _feedpub_built(tmp_path, 30)
    pages = run.statement_pages(out)
    assert len(pages) == 30
    for part in run.PAGE_PARTS:  # feedpub's own pages hold every part
        assert all(part in page.read_text("utf-8") for page in pages), part
    run.check_output("feedpub", out, manifest)
    page = pages[0]
    text = page.read_text("utf-8")
    cut = slice(text.index('<section class="subscribe"'), text.index("</section>"))
    page.write_text(text[: cut.start] + text[cut.stop :], encoding="utf-8")
    with pytest.raises(run.measure.BenchError) as refused:
        run.check_output("feedpub", out, manifest)
    lacks = '<section class="subscribe", <p class="feed-address">'
    assert f"{page.parent.name}/index.html lacks {lacks}" in str(refused.value)

#!/usr/bin/env python3
"""Profile one feedpub build: where its time and memory go, stage by stage, function by
function.

    python bench/profile_build.py --site bench/work/corpus-n10000-s1/feedpub --scenario cold
    python bench/profile_build.py --site ... --scenario add-one --cprofile

Two ways, both writing a JSON summary (--json) that report.py renders:

- sampled (the default): the build runs as feedpub runs it, forked workers included, under
  py-spy (`pip install py-spy`), which samples every process of the tree 100 times a
  second. Each sample's stack, a worker's included (it holds the parent's frames up to the
  fork), is charged to the innermost of CATEGORIES it passes through: the shares add up to
  the CPU time of the whole tree.
- --cprofile: in this process under cProfile, with feedpub's worker processes turned off
  (cProfile sees one process), so every call is counted: each category's cumulative time
  (categories nest, so a line includes the lines indented below it) and the functions
  with the most own time. cProfile slows Python code more than C code: read the shares.

Either way, every stage of the build (the functions in STAGES, called in the building
process) is timed from outside, with the process tree's peak PSS while it ran (see
measure.py): that is where the memory goes. Every function named here must exist in the
feedpub profiled; a renamed one stops the profile with its name, so this file cannot drift
from the code unnoticed.
"""

from __future__ import annotations

import argparse
import collections
import functools
import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import measure  # noqa: E402

# The build's stages, in the order they run in the building process: (label, module,
# attribute as the caller looks it up). Timed from outside, each with its peak memory.
STAGES = [
    ("no-change check (probe)", "feedpub.build", "probe"),
    ("read the cache (Cache.compiled)", "feedpub.incremental.cache", "Cache.compiled"),
    ("compile entries (compile_entries)", "feedpub.gather", "compile_entries"),
    ("save the cache (Cache.save_compiled)", "feedpub.incremental.cache", "Cache.save_compiled"),
    ("checks across entries (check_across)", "feedpub.gather", "check_across"),
    ("plan outputs (plan_site)", "feedpub.render.plan", "plan_site"),
    ("write outputs (write_outputs)", "feedpub.write", "write_outputs"),
    (
        "save manifest, dependencies (Cache.save_build)",
        "feedpub.incremental.cache",
        "Cache.save_build",
    ),
]
# Where the CPU time goes: (label, module, qualified name). A sampled stack is charged to
# the innermost of these it passes through; under cProfile each has its cumulative time.
CATEGORIES = [
    ("no-change check", "feedpub.incremental", "probe"),
    ("cache: read entries.txt", "feedpub.incremental.cache", "Cache.compiled"),
    ("compile: read files, hash them, hand out work", "feedpub.gather", "compile_entries"),
    ("compile: one entry, other work", "feedpub.validate", "compile_entry"),
    ("compile: YAML with positions (load.read_document)", "feedpub.load", "read_document"),
    ("compile: fields validated (fields.read_fields)", "feedpub.fields", "read_fields"),
    ("compile: Markdown, sanitising (markup.render_markdown)", "feedpub.markup", "render_markdown"),
    ("compile: links made absolute (markup.absolute_links)", "feedpub.markup", "absolute_links"),
    (
        "compile: body appended to the store (Cache.store_body)",
        "feedpub.incremental.cache",
        "Cache.store_body",
    ),
    (
        "cache: write entries.txt (Cache.save_compiled)",
        "feedpub.incremental.cache",
        "Cache.save_compiled",
    ),
    ("checks across entries", "feedpub.across", "check_across"),
    ("plan: sections, keys of last build (plan_site)", "feedpub.render.plan", "plan_site"),
    ("plan: sitemaps", "feedpub.render.sitemap", "render_sitemaps"),
    ("write: compare records, order the steps (_write)", "feedpub.write", "_write"),
    ("write: the output tree, listed or its survey waited for", "feedpub.listing", "Survey.result"),
    ("a forked child's result, waited for (Forked.result)", "feedpub.forked", "Forked.result"),
    ("write: other per-output work (_place)", "feedpub.write", "_place"),
    ("render: key of an output (key_of)", "feedpub.incremental.recording", "key_of"),
    ("plan: keys of the last build's outputs (keyed)", "feedpub.render.plan", "Planner.keyed"),
    ("render: HTML pages (Jinja2)", "feedpub.render.plan", "_Page.make"),
    ("render: page contexts", "feedpub.render.html", "PageRenderer.base_context"),
    ("render: feeds (feedgen, lxml, json)", "feedpub.render.plan", "Planner.feed.<locals>.make"),
    (
        "render: a statement's feed content (_feed_entry)",
        "feedpub.render.plan",
        "Planner.feed_content",
    ),
    ("read a body from the store (model._read_stored)", "feedpub.model", "_read_stored"),
    ("write: compare with the file on disk (same_content)", "feedpub.listing", "same_content"),
    ("write: temporary file and rename (write_atomic)", "feedpub.write", "write_atomic"),
    (
        "save manifest and dependencies (Cache.save_build)",
        "feedpub.incremental.cache",
        "Cache.save_build",
    ),
    # A thread of the parent's pool: it hands out work and receives (unpickles) results.
    (
        "worker pool: the parent hands out work, unpickles results",
        "concurrent.futures.process",
        "_ExecutorManagerThread.run",
    ),
]
BUILD = ("feedpub.build", "build")
OUTSIDE = "outside build(): start-up, imports, the CLI"
OTHER = "in build(), in none of the above"


def resolve(module_name: str, qualname: str) -> Any:
    """The function or code object named `qualname` in `module_name`; a nested function
    (`A.f.<locals>.g`) is found among its parent's code constants."""
    target: Any = importlib.import_module(module_name)
    parts = qualname.split(".")
    index = 0
    while index < len(parts):
        part = parts[index]
        if part == "<locals>":
            code = getattr(target, "__code__", target)
            name = parts[index + 1]
            found = [
                c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == name
            ]
            if not found:
                raise SystemExit(f"profile_build.py: {module_name}.{qualname} no longer exists")
            target = found[0]
            index += 2
            continue
        if not hasattr(target, part):
            raise SystemExit(
                f"profile_build.py: {module_name}.{qualname} no longer exists; update STAGES"
                " or CATEGORIES to the code"
            )
        target = inspect.unwrap(getattr(target, part))  # the function, not a StageClock wrapper
        index += 1
    return target


def code_of(module_name: str, qualname: str) -> types.CodeType:
    found = resolve(module_name, qualname)
    code: types.CodeType = getattr(found, "__code__", found)
    return code


def shown(path: str) -> str:
    """A source file as a path inside its package, never the machine's own path."""
    parts = Path(path).parts
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            position = len(parts) - 1 - parts[::-1].index(anchor)
            parts = parts[position + 1 :]
            if anchor == "lib" and parts and parts[0].startswith("python"):
                parts = parts[1:]
            break
    return "/".join(parts[-3:])


# --- stages, timed from outside -----------------------------------------------------------


class StageClock:
    """Times the STAGES of one build and keeps the process tree's memory over time."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []
        self.timeline: list[tuple[float, int, int]] = []  # (seconds, tree PSS KiB, processes)
        self.started = time.perf_counter()
        self._pid = os.getpid()

    def wrap(self, label: str, module_name: str, attribute: str) -> None:
        owner: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = resolve(module_name, attribute)
        clock = self

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if os.getpid() != clock._pid:  # a forked worker: not a stage of the build
                return original(*args, **kwargs)
            begin = time.perf_counter() - clock.started
            try:
                return original(*args, **kwargs)
            finally:
                clock.spans.append((label, begin, time.perf_counter() - clock.started))

        setattr(owner, name, timed)

    def wrap_write_phases(self) -> None:
        """Time each step of writing (assets, pages, lists, feeds; in each, archives or one
        depth of folders) apart."""
        write = importlib.import_module("feedpub.write")
        original = write._step
        clock = self

        def timed(pool: Any, batch: Any, *how: Any) -> Iterator[Any]:
            phase = batch[0].phase.name.lower() if batch else "?"
            begin = time.perf_counter() - clock.started
            yield from original(pool, batch, *how)
            label = f"  write outputs: {phase} ({len(batch):,} to make)"
            clock.spans.append((label, begin, time.perf_counter() - clock.started))

        setattr(write, "_step", timed)  # noqa: B010 - a module, found by name

    def watch_memory(self, into: Path) -> subprocess.Popen[bytes]:
        """Start sampling this process tree's PSS in a process of its own (measure.py)."""
        into.unlink(missing_ok=True)
        argv = [sys.executable, str(HERE / "measure.py"), "--watch", str(self._pid), str(into)]
        watcher = subprocess.Popen(argv)
        deadline = time.monotonic() + 10  # its first sample, before the build starts
        while not (into.exists() and into.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.01)
        return watcher

    def read_memory(self, watcher: subprocess.Popen[bytes], into: Path) -> None:
        watcher.terminate()
        watcher.wait()
        offset = time.monotonic() - time.perf_counter()  # both clocks are monotonic
        for line in into.read_text(encoding="ascii").splitlines():
            at, pss, processes = line.split()
            seconds = float(at) - offset - self.started
            self.timeline.append((seconds, int(pss), int(processes)))

    def stages(self) -> list[dict[str, Any]]:
        rows = []
        for label, begin, end in sorted(self.spans, key=lambda span: (span[1], -span[2])):
            inside = [(pss, n) for t, pss, n in self.timeline if begin <= t <= end]
            if not inside:  # shorter than the gap between samples: the one before it
                inside = [(pss, n) for t, pss, n in self.timeline if t < begin][-1:]
            rows.append(
                {
                    "stage": label,
                    "start": round(begin, 3),
                    "seconds": round(end - begin, 3),
                    "peak_pss_mib": round(max([p for p, _ in inside], default=0) / 1024),
                    "processes": max([n for _, n in inside], default=1),
                }
            )
        return rows


# --- preparing, building ------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> None:
    """Make the state the scenario starts from, outside the measurement."""
    for folder in (args.out, args.cache):
        if folder.exists():
            shutil.rmtree(folder)
    if args.scenario == "add-one":
        env = {**os.environ, "FEEDPUB_CACHE_DIR": str(args.cache)}
        argv = [sys.executable, "-m", "feedpub", "build", "--root", str(args.site)]
        subprocess.run([*argv, "--out", str(args.out)], env=env, check=True, capture_output=True)
        generate.add_one(args.site.parent, ("feedpub",))
    measure.settle()


def run_build(args: argparse.Namespace, stages_file: Path | None) -> dict[str, Any]:
    """One build in this process, its stages timed; the summary of what it did."""
    os.environ["FEEDPUB_CACHE_DIR"] = str(args.cache)
    build = importlib.import_module("feedpub.build")
    if args.cprofile:
        # cProfile sees this process only: keep every part of the build in it.
        setattr(importlib.import_module("feedpub.parallel"), "workers", lambda: 1)  # noqa: B010
    clock = StageClock()
    for label, module_name, attribute in STAGES:
        clock.wrap(label, module_name, attribute)
    clock.wrap_write_phases()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
    memory = args.work.resolve() / "profile-memory.txt"
    watcher = clock.watch_memory(memory)
    time.sleep(0.2)  # let it start before the build does
    clock.started = time.perf_counter()
    try:
        if profiler is not None:
            profiler.enable()
        result = build.build(args.site, args.out)
        if profiler is not None:
            profiler.disable()
    finally:
        seconds = time.perf_counter() - clock.started
        clock.read_memory(watcher, memory)
        if args.scenario == "add-one":
            generate.remove_added(args.site.parent)
    summary: dict[str, Any] = {
        "scenario": args.scenario,
        "statements": result.statements,
        "written": result.report.written,
        "seconds": round(seconds, 2),
        "stages": clock.stages(),
        "peak_pss_mib": round(max((p for _, p, _ in clock.timeline), default=0) / 1024),
    }
    if profiler is not None:
        summary.update(cprofile_summary(profiler, args.top))
    if stages_file is not None:
        stages_file.write_text(json.dumps(summary), encoding="utf-8")
    return summary


# --- cProfile -----------------------------------------------------------------------------


def _function_name(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    return f"{shown(filename)}:{line}({name})"


def cprofile_summary(profiler: Any, top: int) -> dict[str, Any]:
    import pstats

    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    rows = []
    for label, module_name, qualname in [("build()", *BUILD), *CATEGORIES]:
        code = code_of(module_name, qualname)
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        _, calls, _, cumulative, _ = raw.get(key, (0, 0, 0.0, 0.0, None))
        rows.append({"category": label, "calls": calls, "seconds": round(cumulative, 3)})
    ranked = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return {
        "profiled_seconds": round(total, 2),
        "categories": rows,
        "top_own": [
            {
                "function": _function_name(key),
                "calls": value[1],
                "own": round(value[2], 3),
                "cumulative": round(value[3], 3),
            }
            for key, value in ranked
        ],
    }


# --- py-spy -------------------------------------------------------------------------------


_FRAME = re.compile(r"(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _frame(text: str) -> tuple[str, str]:
    match = _FRAME.match(text)
    return (match["name"], match["file"]) if match else (text, "")


def sampled_summary(raw: Path, top: int) -> dict[str, Any]:
    """Charge each py-spy sample to the innermost category its stack passes through."""
    wanted = []
    for label, module_name, qualname in CATEGORIES:
        code = code_of(module_name, qualname)
        wanted.append((label, qualname, shown(code.co_filename)))
    build_file = shown(code_of(*BUILD).co_filename)
    shares: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    processes: collections.Counter[int] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        parts = stack.split(";")
        frames = [_frame(part) for part in parts if not part.startswith("process ")]
        if not frames or any(filename.endswith("measure.py") for _, filename in frames):
            continue  # the memory sampler's own process
        total += count
        processes[sum(part.startswith("process ") for part in parts)] += count
        name, filename = frames[-1]
        own[f"{name} ({shown(filename)})"] += count
        label = ""
        for name, filename in reversed(frames):
            match = [
                found
                for found, qualname, path in wanted
                if name == qualname and filename.endswith(path)
            ]
            if match:
                label = match[0]
                break
        if not label:
            inside = any(n == BUILD[1] and f.endswith(build_file) for n, f in frames)
            label = OTHER if inside else OUTSIDE
        shares[label] += count
    order = [label for label, _, _ in CATEGORIES] + [OTHER, OUTSIDE]
    return {
        "samples": total,
        "worker_share": round(sum(n for depth, n in processes.items() if depth > 1) / total, 3)
        if total
        else 0.0,
        "categories": [
            {"category": label, "share": round(shares[label] / total, 4)}
            for label in order
            if shares[label]
        ],
        "top_own": [
            {"function": name, "share": round(count / total, 4)}
            for name, count in own.most_common(top)
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile one feedpub build.")
    parser.add_argument("--site", type=Path, required=True, help="a corpus's feedpub/ folder")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="scratch (bench/work)")
    parser.add_argument("--scenario", choices=("cold", "add-one"), default="cold")
    parser.add_argument("--cprofile", action="store_true", help="cProfile, workers off")
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--top", type=int, default=25, help="functions to list (25)")
    parser.add_argument(
        "--keep", action="store_true", help="leave the output and cache (the caller deletes)"
    )
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)  # under py-spy
    args = parser.parse_args(argv)
    args.site = args.site.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out = args.work.resolve() / "profile-out"
    args.cache = args.work.resolve() / "profile-cache"
    for module_name, qualname in [BUILD] + [(m, q) for _, m, q in STAGES + CATEGORIES]:
        resolve(module_name, qualname)  # stop now if any has drifted
    if args.build_only:
        run_build(args, args.build_only)
        return 0
    prepare(args)
    if args.cprofile:
        summary = run_build(args, None)
        summary["profiler"] = "cProfile, workers off"
    else:
        beside = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        py_spy = shutil.which("py-spy", path=beside)
        if py_spy is None:
            raise SystemExit("profile_build.py: py-spy is needed: pip install py-spy")
        raw = args.work.resolve() / "profile.spy"
        stages = args.work.resolve() / "profile-stages.json"
        command = [sys.executable, __file__, "--site", str(args.site), "--work", str(args.work)]
        command += ["--scenario", args.scenario, "--build-only", str(stages)]
        spy = [
            py_spy,
            "record",
            "--subprocesses",
            "--nonblocking",
            "--rate",
            "100",
            "--format",
            "raw",
        ]
        done = subprocess.run(
            [*spy, "--output", str(raw), "--", *command], check=True, capture_output=True
        )
        if not stages.exists():  # py-spy exits 0 whatever the build did: show what it said
            raise SystemExit(done.stdout.decode() + done.stderr.decode())
        summary = json.loads(stages.read_text(encoding="utf-8"))
        summary.update(sampled_summary(raw, args.top))
        summary["profiler"] = "py-spy, 100 samples a second in every process"
    if not args.keep:
        for folder in (args.out, args.cache):
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(summary, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

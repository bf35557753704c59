#!/usr/bin/env python3
"""Profile one feedpub build in-process under cProfile and show where the time goes.

    /work/venv/bin/python bench/profile.py                 # the N=10,000 corpus
    /work/venv/bin/python bench/profile.py --count 1000 --top 40 --save /tmp/build.prof

Builds bench/work/corpus-n{N}-s{seed}/feedpub (generated first when missing, as
bench/run.py does) into a scratch folder with `feedpub.build.build(root, out)` and prints

1. the build's wall time with and without the profiler;
2. stages: the cumulative time of feedpub's main functions (those that exist in the
   version being profiled; nested stages are indented and included in their parent);
3. by component: every function's own time, charged to a component by where the function
   lives (feedpub.load + PyYAML, feedpub.markup + pyromark + nh3, Jinja2 + feedpub.render.html,
   feedgen + lxml + feedpub.render.feeds, feedpub.write, ...). Time spent in the standard
   library or in built-ins is charged to the component that called it, following the call
   graph, so the components add up to the whole build;
4. the top functions by cumulative and by own time.

`--scenario no-change` profiles a rebuild over a fresh build, `--scenario add-one` one
after adding a newest statement to the corpus (removed again afterwards).

Must run with a Python where feedpub is importable (the dev venv). cProfile sees only this
process, so feedpub's worker processes (feedpub.parallel) are turned off unless --parallel
is given; the profile is then of the whole work done on one core.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file shares its name with the standard library's `profile`, which cProfile imports:
# keep bench/ off the path while cProfile loads, then put it back for run.py and generate.py.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import cProfile  # noqa: E402
import pstats  # noqa: E402

sys.path.insert(0, str(HERE))

# Components, first match wins: (label, substrings of a function's file name or C name).
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("load: feedpub.load + PyYAML/libyaml", ("/feedpub/load.py", "/yaml/", "_yaml")),
    (
        "validate: feedpub.validate/values/config",
        (
            "/feedpub/validate.py",
            "/feedpub/values.py",
            "/feedpub/config.py",
            "/feedpub/slug.py",
            "zoneinfo",
        ),
    ),
    (
        "markup: feedpub.markup + pyromark + nh3",
        (
            "/feedpub/markup.py",
            "pyromark",
            "pulldown_cmark",
            "nh3",
            "Cleaner",
        ),
    ),
    (
        "html: Jinja2 + feedpub.render.html + templates",
        (
            "/jinja2/",
            "markupsafe",
            "/feedpub/render/html.py",
            "/feedpub/templates/",
            "<template>",
        ),
    ),
    (
        "feeds: feedgen + lxml + feedpub.render.feeds/jsonfeed",
        (
            "/feedgen/",
            "lxml",
            "/feedpub/render/feeds.py",
            "/feedpub/render/jsonfeed.py",
            "/dateutil/",
            "json/encoder",
            "_json",
        ),
    ),
    ("write: feedpub.write", ("/feedpub/write.py",)),
    ("cache: feedpub.cache + pickle", ("/feedpub/cache.py", "pickle", "blake2b")),
    ("other feedpub (build, render, model, errors)", ("/feedpub/",)),
]
OTHER = "unattributed (stdlib/built-ins with no feedpub caller)"

# Stages: (indent, file suffix, function name). Shown when the function exists.
STAGES = [
    (0, "feedpub/build.py", "build"),
    (1, "feedpub/cache.py", "scan_sources"),
    (1, "feedpub/build.py", "read_site"),
    (2, "feedpub/build.py", "list_entry_files"),
    (2, "feedpub/build.py", "compile_entries"),
    (3, "feedpub/cache.py", "entries"),
    (3, "feedpub/load.py", "read_document"),
    (4, "feedpub/load.py", "_compose"),
    (3, "feedpub/validate.py", "_read_fields"),
    (3, "feedpub/markup.py", "render_markdown"),
    (3, "feedpub/markup.py", "absolute_links"),
    (3, "feedpub/cache.py", "save_entries"),
    (1, "feedpub/build.py", "plan_all"),
    (1, "feedpub/render/__init__.py", "render_site"),
    (1, "feedpub/render/__init__.py", "plan_site"),
    (2, "feedpub/render/feeds.py", "render_atom"),
    (2, "feedpub/render/feeds.py", "render_rss"),
    (2, "feedpub/render/jsonfeed.py", "render_json"),
    (2, "feedpub/render/jsonfeed.py", "render_json_feed"),
    (2, "feedpub/render/html.py", "entry_page"),
    (2, "feedpub/render/html.py", "archive_page"),
    (2, "feedpub/render/html.py", "section_page"),
    (2, "feedpub/render/html.py", "index_page"),
    (1, "feedpub/build.py", "add_static"),
    (1, "feedpub/write.py", "write_tree"),
    (1, "feedpub/write.py", "write_outputs"),
    (2, "feedpub/write.py", "list_tree"),
    (2, "feedpub/write.py", "_fill"),
    (2, "feedpub/write.py", "_write"),
    (3, "feedpub/write.py", "same_content"),
    (3, "feedpub/write.py", "make_each"),
    (3, "feedpub/build.py", "make_in_parallel"),
    (3, "feedpub/write.py", "write"),
    (3, "feedpub/write.py", "link"),
    (2, "feedpub/write.py", "_swap_in"),
    (2, "feedpub/write.py", "_swap"),
    (2, "feedpub/write.py", "_discard"),
]

Func = tuple[str, int, str]


def component_of(func: Func) -> str | None:
    filename, _, name = func
    text = filename.replace("\\", "/") if filename != "~" else name
    for label, needles in COMPONENTS:
        if any(needle in text for needle in needles):
            return label
    return None


def by_component(stats: pstats.Stats) -> dict[str, float]:
    """Own time per component; stdlib/built-in time goes up the call graph to a component."""
    raw = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)

    def charge(func: Func, amount: float, depth: int, seen: frozenset[Func]) -> None:
        label = component_of(func)
        if label is not None:
            totals[label] += amount
            return
        callers = raw.get(func, (0, 0, 0.0, 0.0, {}))[4]
        callers = {c: e for c, e in callers.items() if c not in seen}
        if not callers or depth > 40 or amount < 1e-7:
            totals[OTHER] += amount
            return
        # Each caller edge records (calls, primitive calls, own time, cumulative time).
        weights = {c: e[2] for c, e in callers.items()}
        total = sum(weights.values())
        if total <= 0:
            weights = {c: e[3] or e[0] for c, e in callers.items()}
            total = sum(weights.values()) or 1.0
        for caller, weight in weights.items():
            charge(caller, amount * weight / total, depth + 1, seen | {func})

    for func, (_, _, own, _, _) in raw.items():
        if own > 0:
            charge(func, own, 0, frozenset())
    return dict(totals)


def stage_times(stats: pstats.Stats) -> list[tuple[int, str, float, int]]:
    raw = stats.stats  # type: ignore[attr-defined]
    found = []
    for indent, suffix, name in STAGES:
        matches = [
            (v[3], v[1])
            for (filename, _, fname), v in raw.items()
            if fname == name and filename.replace("\\", "/").endswith(suffix)
        ]
        if matches:
            cumulative = sum(m[0] for m in matches)
            calls = sum(m[1] for m in matches)
            found.append((indent, f"{suffix.removeprefix('feedpub/')}:{name}", cumulative, calls))
    return found


def _short(func: Func) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    return f"{'/'.join(parts[-3:])}:{line}({name})"


def top_functions(stats: pstats.Stats, key: int, count: int) -> list[tuple[Func, tuple]]:
    raw = stats.stats  # type: ignore[attr-defined]
    return sorted(raw.items(), key=lambda item: item[1][key], reverse=True)[:count]


def ensure_site(count: int, seed: int, work: Path) -> Path:
    import run  # bench/run.py: reuses the same cached corpora

    return run.ensure_corpus(work, count, seed, ("feedpub",)) / "feedpub"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile a feedpub build by stage.")
    parser.add_argument("--count", type=int, default=10000, help="corpus size (10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (1)")
    parser.add_argument("--root", type=Path, help="profile this site instead of a corpus")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="bench/work")
    parser.add_argument("--out", type=Path, help="output folder (WORK/profile-out, emptied)")
    parser.add_argument("--top", type=int, default=25, help="functions to list (25)")
    parser.add_argument("--save", type=Path, help="also save the raw profile here")
    parser.add_argument(
        "--scenario",
        choices=("cold", "no-change", "add-one"),
        default="cold",
        help="cold: no output, no cache (default); no-change: over a fresh build;"
        " add-one: after adding one newest statement to the corpus (removed afterwards)",
    )
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="let feedpub fork its workers (their time is then invisible to the profile)",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the unprofiled build used to show the profiler's overhead",
    )
    args = parser.parse_args(argv)

    build_module = importlib.import_module("feedpub.build")
    cache_folder = importlib.import_module("feedpub.cache").cache_folder
    root = args.root or ensure_site(args.count, args.seed, args.work)
    out = args.out or args.work / "profile-out"

    serial = ""
    if not args.parallel:
        # feedpub may fork workers, which cProfile cannot see: keep all the work in this
        # process. Versions size their pools from os.cpu_count() through a helper of their
        # own; pin both the count and the helpers that exist.
        os.cpu_count = lambda: 1
        for module_name, helper in (("feedpub.parallel", "workers"), ("feedpub.build", "_workers")):
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            if hasattr(module, helper):
                setattr(module, helper, lambda: 1)
        serial = " (worker processes turned off: all work in this process)"

    def fresh() -> None:
        if out.exists():
            shutil.rmtree(out)
        shutil.rmtree(cache_folder(Path(root)), ignore_errors=True)  # a cold build
        os.sync()  # the deletion's disk work is not the build's

    import generate  # bench/generate.py, for --scenario add-one

    corpus = Path(root).parent
    if args.scenario == "add-one" and not (corpus / generate.MANIFEST).is_file():
        parser.error("--scenario add-one needs a corpus made by bench/generate.py")

    def wait_for_cleanup() -> None:
        # feedpub may delete a replaced tree in a detached process; let it finish.
        deadline = time.monotonic() + 600
        while any(out.parent.glob(f".{out.name}.trash-*")) and time.monotonic() < deadline:
            time.sleep(0.05)

    def prepare() -> None:
        """Make the state the scenario starts from, outside the measurement."""
        fresh()
        if args.scenario != "cold":
            build_module.build(Path(root), Path(out))
            wait_for_cleanup()
        if args.scenario == "add-one":
            generate.add_one(corpus, ("feedpub",))
        os.sync()

    def finish() -> None:
        wait_for_cleanup()
        if args.scenario == "add-one":
            generate.remove_added(corpus, ("feedpub",))

    baseline = None
    if not args.no_baseline:
        prepare()
        started = time.perf_counter()
        try:
            build_module.build(Path(root), Path(out))
            baseline = time.perf_counter() - started
        finally:
            finish()
    prepare()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    try:
        profiler.enable()
        result = build_module.build(Path(root), Path(out))
        profiler.disable()
        profiled = time.perf_counter() - started
    finally:
        finish()
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]

    statements = getattr(result, "statements", None)  # the result's shape varies by version
    if statements is None:
        statements = len(getattr(getattr(result, "site", None), "entries", ()))
    files = getattr(result, "files", "?")
    print(f"# feedpub build profile ({args.scenario}): {root}")
    print(f"{statements:,} statements, {files} files written to {out}{serial}")
    if baseline is not None:
        print(
            f"{args.scenario} build without profiler: {baseline:.2f} s (in-process, imports done)"
        )
    print(f"{args.scenario} build under cProfile: {profiled:.2f} s (profiled total {total:.2f} s)")
    print("Times below are under the profiler, which inflates Python-heavy code the most.\n")

    print("## Stages (cumulative; nested lines are part of the line above)\n")
    print(f"{'stage':58} {'seconds':>8} {'share':>6} {'calls':>8}")
    for indent, name, cumulative, calls in stage_times(stats):
        label = "  " * indent + name
        print(f"{label:58} {cumulative:8.2f} {cumulative / total:6.1%} {calls:8,}")

    print("\n## By component (own time; stdlib and built-ins charged to their caller)\n")
    components = by_component(stats)
    for label, seconds in sorted(components.items(), key=lambda kv: kv[1], reverse=True):
        print(f"{label:58} {seconds:8.2f} {seconds / total:6.1%}")
    print(f"{'total':58} {sum(components.values()):8.2f}")

    for title, key in (("cumulative", 3), ("own", 2)):
        print(f"\n## Top {args.top} functions by {title} time\n")
        print(f"{'cumulative':>10} {'own':>8} {'calls':>9}  function")
        for func, (_, calls, own, cumulative, _) in top_functions(stats, key, args.top):
            print(f"{cumulative:10.2f} {own:8.2f} {calls:9,}  {_short(func)}")
    if not args.out:
        fresh()
    return 0


if __name__ == "__main__":
    sys.exit(main())

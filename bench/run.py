#!/usr/bin/env python3
"""Benchmark feedpub against Hugo on the same corpus, profile it, and write the report.

    python bench/run.py                 # the full run: about 35 minutes on 2 cores
    python bench/run.py --quick         # a smoke run: 300 statements, 1 run, no profiles

One run measures, on the same N-statement corpus (10,000 by default) and on disk, each
tool's cold build (no output, no cache), its no-change build (again over that output) and
its add-one build (after one newest statement is added), tools taking turns run by run;
then feedpub's cold build of a BIG corpus (100,000); then it profiles feedpub (see
profile_build.py). Every build's output is checked. The samples go to
bench/results/latest.json, and report.py turns that into docs/performance.md.

Each cold build writes into a folder that never existed, and no output is deleted until every
build has been measured: on a filesystem such as ext4 without a journal, making files and
folders just after as many were deleted costs several times more (the kernel skips over the
inodes deleted in the last minutes, one by one), which would measure this harness's own
deletions rather than the tool, and a CI runner's fresh checkout has none.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/ is not a package: these sit next to this file)
import measure  # noqa: E402
import report  # noqa: E402

TOOLS = ("feedpub", "hugo")
SCENARIOS = ("cold", "no-change", "add-one")
LIST_LIMIT = 100  # rewritten files are named up to this many


@dataclass
class Tool:
    name: str
    command: list[str]  # the build command, before the site and output arguments
    env: dict[str, str]
    cache: Path | None  # emptied before every cold build
    version: str = ""

    def argv(self, site: Path, out: Path) -> list[str]:
        if self.name == "hugo":
            assert self.cache is not None
            return [
                *self.command,
                "--source",
                str(site),
                "--destination",
                str(out),
                "--cacheDir",
                str(self.cache),
                "--quiet",
            ]
        return [*self.command, "build", "--root", str(site), "--out", str(out)]


@dataclass
class Build:
    """One measured build and what it did to the output folder."""

    tool: str
    count: int
    scenario: str
    run: int
    sample: measure.Sample
    changes: measure.Changes
    # Rewritten files that do not hold the added statement's slug (add-one; when listed).
    not_listing: list[str] = field(default_factory=list)
    inventory: dict[str, list[int]] = field(default_factory=dict)  # cold: files by kind

    def record(self) -> dict[str, Any]:
        """As stored: file lists only when short (a cold build's would hold every file)."""
        data = asdict(self)
        del data["changes"]
        for name in ("new", "rewritten", "removed"):
            paths: list[str] = getattr(self.changes, name)
            data[f"{name}_count"] = len(paths)
            data[name] = paths if len(paths) <= LIST_LIMIT else []
        data["kept"] = self.changes.kept
        return data


def _capture(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    except OSError as exc:
        raise measure.BenchError(f"cannot run {argv[0]}: {exc}") from exc
    if done.returncode != 0:
        raise measure.BenchError(f"{' '.join(argv)} failed:\n{done.stderr.strip()}")
    return done.stdout.strip()


def feedpub_source(src: Path) -> dict[str, str]:
    """Which feedpub is measured: the commit, whether src/ differs from it, a digest."""
    digest = hashlib.sha256()
    package = src / "feedpub"
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    git = ["git", "--no-optional-locks", "-C", str(REPO)]
    commit = _capture([*git, "rev-parse", "--short", "HEAD"])
    if src.resolve() == (REPO / "src").resolve():
        dirty = _capture([*git, "status", "--porcelain", "--", "src"])
        state = "src/ with uncommitted changes" if dirty else "src/ as committed"
    else:
        state = "a copy of src/ given with --feedpub-src"
    return {"commit": commit, "state": state, "digest": digest.hexdigest()[:12]}


def make_tools(args: argparse.Namespace, work: Path) -> dict[str, Tool]:
    tools: dict[str, Tool] = {}
    if "feedpub" in args.tools:
        env = {**os.environ, "FEEDPUB_CACHE_DIR": str(work / "feedpub-cache")}
        env["PYTHONPATH"] = str(args.feedpub_src)
        # As installed by pip, which compiles every module: not compiled again each run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(args.feedpub_src)], check=True
        )
        command = [sys.executable, "-m", "feedpub"]
        tool = Tool("feedpub", command, env, work / "feedpub-cache")
        tool.version = _capture([*command, "--version"], env)
        tools["feedpub"] = tool
    if "hugo" in args.tools:
        if not shutil.which(args.hugo):
            raise measure.BenchError(
                f"{args.hugo} not found: apt-get install -y hugo (Debian's is 0.111)"
            )
        tool = Tool("hugo", [args.hugo], dict(os.environ), work / "hugo-cache")
        tool.version = _capture([args.hugo, "version"]).split(" BuildDate")[0]
        tools["hugo"] = tool
    return tools


# --- checking outputs ----------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def statement_pages(out: Path) -> list[Path]:
    """Pages at YYYY/MM/DD/slug/index.html."""
    pages = []
    for year in os.scandir(out):
        if year.is_dir() and re.fullmatch(r"\d{4}", year.name):
            for folder, _, files in os.walk(year.path):
                if "index.html" in files and folder.count(os.sep) - year.path.count(os.sep) == 3:
                    pages.append(Path(folder, "index.html"))
    return pages


# What every statement page holds, in both tools' output: the parts of feedpub's default
# page, so that Hugo's pages are made with equal work (they once held a third of the bytes).
PAGE_PARTS = (
    '<meta name="description" content="',
    '<meta property="og:description" content="',
    '<meta property="article:published_time" content="',
    '<script type="application/ld+json">',
    '<ul class="byline"',
    '<div class="body" dir="auto">',
    '<section class="subscribe"',
    '<p class="feed-address">',
    '<footer class="site">',
)
# The site's feeds and its type's, as Atom, RSS and JSON Feed; and one more of each per tag.
FEWEST_ALTERNATES = 6


def _page_problems(pages: list[Path]) -> list[str]:
    """The first statement pages (of `pages`) lacking a part of PAGE_PARTS, with how many."""
    lacking = []
    for page in pages:
        text = page.read_text("utf-8")
        missing = [part for part in PAGE_PARTS if part not in text]
        if text.count('rel="alternate"') < FEWEST_ALTERNATES:
            missing.append(f"{FEWEST_ALTERNATES} alternate links")
        if missing:
            lacking.append(f"{page.parent.name}/index.html lacks " + ", ".join(missing))
    more = [f"and {len(lacking) - 3} more statement pages"] if len(lacking) > 3 else []
    return lacking[:3] + more


def check_output(
    tool: str, out: Path, corpus: dict[str, Any], added: generate.Statement | None = None
) -> None:
    """Fail loudly unless `out` holds a complete site of the corpus's statements, and the
    one `added` to it if any."""
    expected = corpus["count"] + (added is not None)
    problems = []
    pages = statement_pages(out)
    if len(pages) != expected:
        problems.append(f"{len(pages)} statement pages, expected {expected}")
    problems += _page_problems(pages)
    needed = ["sitemap.xml", "types/index.html", "tags/index.html"]
    needed += [f"{year}/index.html" for year in corpus["years"]]
    # The site's, then each type's and tag's: a list page, three feeds of its newest 50, and
    # archives (RFC 5005) holding at least its complete blocks of 50, oldest first.
    sizes = dict(corpus["sizes"])
    for name in (added.type, *added.tags) if added is not None else ():
        sizes[name] += 1
    sections = [("", expected)]
    for kind, names in (("types", corpus["types"]), ("tags", corpus["tags"])):
        sections += [(f"{kind}/{_slug(n)}/", sizes[n]) for n in names]
    for section, size in sections:
        needed += [section + f for f in ("index.html", "rss.xml", "atom.xml", "feed.json")]
        problems += _feed_problems(out / section, section, size)
    problems += [f"{path} is missing" for path in needed if not (out / path).is_file()]
    if (out / "rss.xml").is_file():
        text = (out / "rss.xml").read_text(encoding="utf-8")
        items = text.count("<item>")
        if items != min(expected, generate.FEED_LIMIT):
            shown = min(expected, generate.FEED_LIMIT)
            problems.append(f"rss.xml has {items} items, expected {shown}")
        if expected == corpus["count"] and corpus["newest_snippet"] not in text:
            problems.append("rss.xml lacks the full text of the newest statement")
    if problems:
        raise measure.BenchError(f"{tool}'s output is not as expected:\n  " + "\n  ".join(problems))


def _feed_problems(folder: Path, section: str, size: int) -> list[str]:
    """What is wrong with a section's Atom feed, JSON Feed and archives (`size` statements)."""
    problems = []
    newest = min(size, generate.FEED_LIMIT)
    atom, json_feed = folder / "atom.xml", folder / "feed.json"
    if atom.is_file() and (found := atom.read_text("utf-8").count("<entry>")) != newest:
        problems.append(f"{section}atom.xml has {found} entries, expected {newest}")
    if json_feed.is_file():
        try:
            items = len(json.loads(json_feed.read_text("utf-8"))["items"])
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{section}feed.json is not a JSON Feed: {exc}")
        else:
            if items != newest:
                problems.append(f"{section}feed.json has {items} items, expected {newest}")
    archived = sum(
        path.read_text("utf-8").count("<entry>") for path in (folder / "archive").rglob("*.xml")
    )
    blocks = size // generate.FEED_LIMIT * generate.FEED_LIMIT
    if not blocks <= archived <= size:
        problems.append(f"{section}archive/ holds {archived} entries, expected {blocks}-{size}")
    return problems


# (kind, pattern of a path inside the output), first match wins
KINDS = [
    ("statement pages", r"\d{4}/\d{2}/\d{2}/[^/]+/index\.html"),
    ("numbered list pages (page/N/)", r"(.+/)?page/\d+/index\.html"),
    ("other pages: home, years, types, tags", r".*index\.html"),
    # feedpub's archive/N.xml; Hugo's archive/archive.xml, then archive/page/N/archive.xml
    ("archive documents (RFC 5005)", r"(.+/)?archive/(\d+|(page/\d+/)?archive)\.xml"),
    ("feeds: RSS", r"(.+/)?rss\.xml"),
    ("feeds: Atom", r"(.+/)?atom\.xml"),
    ("feeds: JSON Feed", r"(.+/)?feed\.json"),
    ("sitemaps", r"sitemap.*\.xml"),
    ("other files", r".*"),
]


def inventory(files: measure.Snapshot) -> dict[str, list[int]]:
    """How many files of each kind an output holds, and their bytes."""
    found = {kind: [0, 0] for kind, _ in KINDS}
    patterns = [(kind, re.compile(pattern)) for kind, pattern in KINDS]
    for path, (_, _, size) in files.items():
        kind = next(kind for kind, pattern in patterns if pattern.fullmatch(path))
        found[kind][0] += 1
        found[kind][1] += size
    return found


# --- measuring -----------------------------------------------------------------------------


def ensure_corpus(work: Path, count: int, seed: int, forms: tuple[str, ...]) -> Path:
    """The corpus of `count` statements, generated unless one that still matches is kept."""
    root = work / f"corpus-n{count}-s{seed}"
    try:
        manifest = generate.read_manifest(root)
    except (OSError, ValueError):  # none yet, or cut short by an interruption
        manifest = None
    fingerprint = generate.fingerprint(count, seed)
    if (
        manifest
        and manifest.get("fingerprint") == fingerprint
        and set(forms) <= set(manifest["forms"])
    ):
        generate.remove_added(root)  # left over by an interrupted run
        return root
    if root.exists():  # made for another version, or left half-made by an interruption
        root.rename(_set_aside(work))  # deleted after the builds (see fresh_outputs)
    print(f"generating {count:,} statements ({', '.join(forms)}) ...", file=sys.stderr)
    generate.generate(root, count, seed, forms)
    return root


def _empty(path: Path | None) -> None:
    if path is not None and path.exists():
        shutil.rmtree(path)


def _set_aside(work: Path) -> Path:
    return work / f"out-old-{time.time_ns()}"


def fresh_outputs(work: Path) -> Path:
    """A folder for this run's outputs, none of them deleted until all are measured (see the
    module's docstring). What is to go (an earlier run's outputs, left by an interruption; a
    corpus made again) is set aside by a rename, and deleted with this run's outputs."""
    outputs = work / "out"
    if outputs.exists():
        outputs.rename(_set_aside(work))
    outputs.mkdir(parents=True)
    for old in work.glob("out-old-*"):
        old.rename(outputs / old.name)
    return outputs


def measure_build(
    tool: Tool, corpus: Path, out: Path, scenario: str, run: int, manifest: dict[str, Any]
) -> Build:
    """One build of `scenario`, from the state the scenario before it left."""
    count = manifest["count"]
    if scenario == "cold":
        if out.exists():
            raise measure.BenchError(f"{out} exists: a cold build is made into a new folder")
        _empty(tool.cache)
    added = None
    if scenario == "add-one":
        added, _ = generate.add_one(corpus, tuple(manifest["forms"]))
    before = measure.snapshot(out) if out.exists() else {}
    quiet = measure.wait_until_quiet()
    measure.settle()
    site = corpus / tool.name
    try:
        sample, _ = measure.run(tool.argv(site, out), tool.env)
    finally:
        if added is not None:
            generate.remove_added(corpus)
    after = measure.snapshot(out)
    changes = measure.compare(before, after)
    check_output(tool.name, out, manifest, added)
    build = Build(tool.name, count, scenario, run, sample, changes)
    if scenario == "cold":
        build.inventory = inventory(after)
    if added is not None:
        y, m, d = added.paris_date.split("-")
        page = f"{y}/{m}/{d}/{added.slug}/"
        if len(changes.rewritten) <= LIST_LIMIT:
            build.not_listing = [
                path
                for path in changes.rewritten
                if added.slug not in (out / path).read_text("utf-8")
            ]
        if page + "index.html" not in changes.new:
            raise measure.BenchError(f"{tool.name} did not write the added page {page}")
    label = f"{tool.name} {count:,} {scenario} #{run}"
    print(
        f"  {label:28} {sample.wall:7.2f} s  cpu {sample.cpu:6.2f} s"
        f"  pss {sample.pss_kb / 1024:6.0f} MiB  rss {sample.rss_kb / 1024:6.0f} MiB"
        f"  touched {changes.touched:6}"
        f"  others {sample.others:.2f} (before {quiet:.2f})",
        file=sys.stderr,
    )
    return build


def floor(corpus: Path) -> dict[str, float]:
    """Seconds to parse every entry file with libyaml, without and with positions."""
    script = r"""
import json, os, sys, time
import yaml
directory = sys.argv[1]
texts = []
for name in sorted(os.listdir(directory)):
    with open(os.path.join(directory, name), encoding="utf-8") as handle:
        texts.append(handle.read())
started = time.perf_counter()
for text in texts:
    yaml.load(text, Loader=yaml.CSafeLoader)
load = time.perf_counter() - started
started = time.perf_counter()
for text in texts:
    yaml.compose(text, Loader=yaml.CSafeLoader)
compose = time.perf_counter() - started
print(json.dumps({"load": load, "compose": compose}))
"""
    entries = corpus / "feedpub" / "entries"
    output = _capture([sys.executable, "-c", script, str(entries)])
    value: dict[str, float] = json.loads(output)
    return value


def profile_command(site: Path, work: Path, result: Path, how: list[str]) -> list[str]:
    """profile_build.py's command line: profile a build of `site`, its summary to `result`."""
    script = str(HERE / "profile_build.py")
    return [
        sys.executable,
        script,
        "--site",
        str(site),
        "--work",
        str(work),
        "--json",
        str(result),
        *how,
    ]


def profile(args: argparse.Namespace, corpus: Path, work: Path, how: list[str]) -> dict[str, Any]:
    """Run profile_build.py on `corpus` in a process of its own, in `work` (a folder of its
    own, left for the caller to delete); return its summary."""
    result = work / "profile.json"
    argv = [*profile_command(corpus / "feedpub", work, result, how), "--keep"]
    env = {**os.environ, "PYTHONPATH": str(args.feedpub_src)}
    print(f"profiling: {' '.join(how)} ({corpus.name}) ...", file=sys.stderr)
    measure.wait_until_quiet()
    done = subprocess.run(argv, env=env, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise measure.BenchError(f"profile_build.py {' '.join(how)} failed:\n{done.stderr}")
    value: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return value


def machine() -> dict[str, Any]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    kib = int(Path("/proc/meminfo").read_text(encoding="ascii").split()[1])
    import yaml

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "pyyaml": f"{yaml.__version__} (libyaml: {yaml.__with_libyaml__})",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark feedpub against Hugo, profile it, and write the report.",
        epilog="example: python bench/run.py   (the full run, as docs/performance.md shows it)",
    )
    parser.add_argument("--count", type=int, default=10_000, help="statements (10000)")
    parser.add_argument("--big", type=int, default=100_000, help="feedpub only, cold (100000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (3)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (1)")
    parser.add_argument("--tools", default="feedpub,hugo", help="feedpub,hugo (both)")
    parser.add_argument("--hugo", default="hugo", help="the Hugo command (hugo)")
    parser.add_argument(
        "--feedpub-src",
        type=Path,
        default=REPO / "src",
        help="the src/ folder feedpub is imported from (this repository's); give a copy"
        " (git archive HEAD src | tar -x -C DIR) to measure it while src/ is being edited",
    )
    parser.add_argument("--work", type=Path, default=HERE / "work", help="corpora, outputs")
    parser.add_argument("--no-profile", action="store_true", help="measure only")
    parser.add_argument("--quick", action="store_true", help="300 statements, 1 run, no big")
    parser.add_argument(
        "--results", type=Path, default=HERE / "results" / "latest.json", help="samples"
    )
    parser.add_argument(
        "--doc", type=Path, default=REPO / "docs" / "performance.md", help="the report"
    )
    args = parser.parse_args(argv)
    args.tools = [t for t in args.tools.split(",") if t]
    if set(args.tools) - set(TOOLS):
        parser.error(f"--tools: choose among {', '.join(TOOLS)}")
    if args.quick:
        args.count, args.big, args.runs, args.no_profile = 300, 0, 1, True
        args.results = args.work / "quick.json"
        args.doc = args.work / "quick.md"
    args.feedpub_src = args.feedpub_src.resolve()
    if not (args.feedpub_src / "feedpub" / "__init__.py").is_file():
        parser.error(f"--feedpub-src: no feedpub/ in {args.feedpub_src}; give the src/ folder")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        tools = make_tools(args, work)
        corpus = ensure_corpus(work, args.count, args.seed, generate.FORMS)
        manifest = generate.read_manifest(corpus)
        big = ensure_corpus(work, args.big, args.seed, ("feedpub",)) if args.big else None
        outputs = fresh_outputs(work)
        builds: list[Build] = []
        for run in range(1, args.runs + 1):
            for tool in tools.values():
                out = outputs / f"{tool.name}-{run}"
                for scenario in SCENARIOS:
                    builds.append(measure_build(tool, corpus, out, scenario, run, manifest))
        floors = floor(corpus)
        big_manifest = generate.read_manifest(big) if big else None
        if big is not None and big_manifest is not None and "feedpub" in tools:
            for run in range(1, args.runs + 1):
                out = outputs / f"feedpub-big-{run}"
                builds.append(measure_build(tools["feedpub"], big, out, "cold", run, big_manifest))
        profiles: dict[str, Any] = {}
        if not args.no_profile and "feedpub" in tools:
            cold, add_one = ["--scenario", "cold"], ["--scenario", "add-one"]
            for name, site, how in (
                ("cold", corpus, [*cold, "--cprofile"]),
                ("add-one", corpus, [*add_one, "--cprofile"]),
                ("cold-sampled", corpus, cold),
                ("big-sampled", big, cold),
            ):
                if site is not None:
                    profiles[name] = profile(args, site, outputs / f"profile-{name}", how)
    except measure.BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        kept = f"bench: outputs kept in {work / 'out'}, deleted at the end of the next run"
        print(kept, file=sys.stderr)
        return 1
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "runs": args.runs,
        "seed": args.seed,
        "machine": machine(),
        "feedpub": feedpub_source(args.feedpub_src) if "feedpub" in tools else {},
        "versions": {name: tool.version for name, tool in tools.items()},
        "corpus": {k: v for k, v in manifest.items() if k != "fingerprint"},
        "big": big_manifest["count"] if big_manifest else None,
        "floor": floors,
        "builds": [build.record() for build in builds],
        "profiles": profiles,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    args.doc.write_text(report.render(results), encoding="utf-8")
    print(f"written: {args.results} and {args.doc}", file=sys.stderr)
    print(f"deleting the outputs ({outputs}) ...", file=sys.stderr)
    _empty(outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

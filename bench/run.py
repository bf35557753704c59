#!/usr/bin/env python3
"""Benchmark feedpub against Hugo and Pelican on the same corpus (issue 7).

    python bench/run.py --sizes 1000,10000 --feedpub-only-sizes 100000 --runs 3
    python bench/run.py --quick

For each corpus size N it generates (or reuses, from bench/work/) a corpus of N statements
in feedpub's, Hugo's and Pelican's forms, then measures each tool's

  cold      build into an empty (deleted) output folder,
  no-change rebuild over the output of the build before, nothing changed,
  add-one   rebuild after one new, newest statement was added (it is removed afterwards),

taking turns run by run (run 1: feedpub, Hugo, Pelican; run 2: ...), and the floor: a
subprocess that only reads and parses the N feedpub YAML files with PyYAML's C loader.
Wall time is taken around the subprocess; peak RSS and CPU time come from
`/usr/bin/time -v`. Medians are reported, as a Markdown table on stdout and in
bench/results/latest.md, with every sample in bench/results/latest.json.

Every build's exit code and output are checked (pages per statement, year pages, home page,
both feeds with the newest 50 statements and their full text): a failed check stops the run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, next to this file)

TOOLS = ("feedpub", "hugo", "pelican")
SCENARIOS = ("cold", "no-change", "add-one")
TIME = "/usr/bin/time"
FEED_LIMIT = generate.FEED_LIMIT

FLOOR_SCRIPT = r"""
import json, os, sys, time
import yaml
started = time.perf_counter()
directory = sys.argv[1]
count = 0
for name in sorted(os.listdir(directory)):
    if name.endswith(".yaml"):
        with open(os.path.join(directory, name), "rb") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)
        count += 1
print(json.dumps({"files": count, "seconds": time.perf_counter() - started}))
"""


class BenchError(RuntimeError):
    """A tool failed or its output is not what the benchmark expects: stop loudly."""


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float  # seconds, around the subprocess
    user: float  # CPU seconds, from time -v
    sys: float
    max_rss_kb: int  # peak resident set size of the process (tree), from time -v
    run: int = 0
    note: str = ""
    # Seconds a detached clean-up the build left behind (feedpub's .NAME.trash-* deletion)
    # went on after the build's process exited. Not part of `wall`.
    background: float = 0.0

    @property
    def cpu(self) -> float:
        return self.user + self.sys


_TIME_FIELDS = {
    "User time (seconds)": "user",
    "System time (seconds)": "sys",
    "Maximum resident set size (kbytes)": "max_rss_kb",
}


def measure(
    argv: list[str],
    cwd: Path | None = None,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> tuple[Sample, subprocess.CompletedProcess[str]]:
    """Run argv under /usr/bin/time -v; return the sample and the finished process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as report:
        report_path = report.name
    try:
        started = time.perf_counter()
        proc = subprocess.run(
            [TIME, "-v", "-o", report_path, *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        wall = time.perf_counter() - started
        text = Path(report_path).read_text(encoding="utf-8", errors="replace")
    finally:
        os.unlink(report_path)
    values: dict[str, float] = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key in _TIME_FIELDS:
            values[_TIME_FIELDS[key]] = float(value)
    if len(values) != len(_TIME_FIELDS):
        raise BenchError(f"could not read /usr/bin/time's report for {argv}:\n{text}")
    sample = Sample(
        wall=wall,
        user=values["user"],
        sys=values["sys"],
        max_rss_kb=int(values["max_rss_kb"]),
    )
    return sample, proc


def require_success(proc: subprocess.CompletedProcess[str], what: str) -> None:
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-40:])
        raise BenchError(f"{what} failed with exit code {proc.returncode}:\n{tail}")


# --- the tools ----------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    label: str
    command: Callable[[Path, Path], list[str]]  # (site folder, output folder) -> argv
    cwd: Callable[[Path], Path | None] = lambda site: None
    version: str = ""
    env: dict[str, str] | None = None
    source: str = ""


def find_feedpub() -> list[str]:
    """`feedpub` next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "feedpub"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("feedpub")
    if found:
        return [found]
    raise BenchError(
        "no feedpub executable next to this Python or on PATH; pass --feedpub CMD"
        " (for example --feedpub '/work/venv/bin/feedpub')"
    )


def script_python(executable: str) -> str | None:
    """The interpreter named by a script's #! line, if it is a Python script."""
    try:
        with open(executable, "rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return None


def ensure_pelican(work: Path) -> list[str]:
    """Pelican in its own virtualenv under the work folder, made on first use."""
    venv = work / "pelican-venv"
    pelican = venv / "bin" / "pelican"
    if not pelican.exists():
        print(f"setting up Pelican in {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "pelican", "markdown"],
            check=True,
        )
    return [str(pelican)]


def ensure_system_tools(need_hugo: bool, setup: bool) -> None:
    missing = []
    if not Path(TIME).exists():
        missing.append("time")
    if need_hugo and not shutil.which("hugo"):
        missing.append("hugo")
    if not missing:
        return
    if not setup:
        raise BenchError(
            f"missing Debian package(s): {' '.join(missing)}. Install them with"
            f" `apt-get update && apt-get install -y {' '.join(missing)}`, or rerun with --setup"
        )
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", *missing], check=True)


def capture(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=120, check=False, env=env
        )
    except OSError as exc:
        return f"unavailable ({exc})"
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else ""


def describe_feedpub_source(python: str, env: dict[str, str] | None) -> str:
    """Where the measured feedpub was imported from, a digest of its files, and git state."""
    where = capture(
        [python, "-c", "import feedpub, os; print(os.path.dirname(feedpub.__file__))"], env=env
    )
    if not where or not Path(where).is_dir():
        return "unknown"
    digest = hashlib.sha256()
    for path in sorted(Path(where).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(where).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    text = f"{where} (files sha256 {digest.hexdigest()[:12]})"
    repo = HERE.parent
    head = capture(["git", "--no-optional-locks", "-C", str(repo), "rev-parse", "--short", "HEAD"])
    if head:
        text += f"; repository HEAD {head}"
        if Path(where).resolve().is_relative_to((repo / "src").resolve()):
            dirty = subprocess.run(
                [
                    "git",
                    "--no-optional-locks",
                    "-C",
                    str(repo),
                    "status",
                    "--porcelain",
                    "--",
                    "src",
                ],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            text += ", src/ with uncommitted changes" if dirty else ", src/ clean"
        else:
            text += " (feedpub was not imported from the repository's src/)"
    return text


def make_tools(args: argparse.Namespace, work: Path) -> dict[str, Tool]:
    tools: dict[str, Tool] = {}
    if "feedpub" in args.tools:
        # feedpub's build cache goes to a folder of the benchmark's own, emptied for cold runs.
        env = {**os.environ, "FEEDPUB_CACHE_DIR": str((work / "feedpub-cache").resolve())}
        if args.feedpub_src:
            # A copy of src/ taken before the run, so edits made meanwhile change nothing.
            python = args.floor_python or script_python(find_feedpub()[0]) or sys.executable
            feedpub = [python, "-m", "feedpub"]
            env["PYTHONPATH"] = str(args.feedpub_src.resolve())
        else:
            feedpub = shlex.split(args.feedpub) if args.feedpub else find_feedpub()
        args.feedpub_argv = feedpub
        args.feedpub_env = env
        tools["feedpub"] = Tool(
            "feedpub",
            "feedpub",
            lambda site, out: [*feedpub, "build", "--root", str(site), "--out", str(out)],
            version=capture([*feedpub, "--version"], env=env),
            env=env,
            source=describe_feedpub_source(_default_floor_python(args), env),
        )
    if "hugo" in args.tools:
        hugo = shlex.split(args.hugo)
        tools["hugo"] = Tool(
            "hugo",
            "Hugo",
            lambda site, out: [*hugo, "--source", str(site), "--destination", str(out), "--quiet"],
            version=capture([*hugo, "version"]),
        )
    if "pelican" in args.tools:
        pelican = shlex.split(args.pelican) if args.pelican else ensure_pelican(work)
        python = script_python(pelican[0]) or ""
        markdown = (
            capture([python, "-c", "import markdown; print(markdown.__version__)"])
            if python
            else "?"
        )
        tools["pelican"] = Tool(
            "pelican",
            "Pelican",
            lambda site, out: [
                *pelican,
                str(site / "content"),
                "-o",
                str(out),
                "-s",
                str(site / "pelicanconf.py"),
                "--fatal",
                "errors",
            ],
            cwd=lambda site: site,
            version=f"{capture([*pelican, '--version'])} (markdown {markdown})",
        )
    return tools


# --- checking outputs ---------------------------------------------------------------------


def count_entry_pages(out: Path) -> int:
    """Pages at YYYY/MM/DD/slug/index.html."""
    count = 0
    for year in os.scandir(out):
        if not (year.is_dir() and re.fullmatch(r"\d{4}", year.name)):
            continue
        for month in os.scandir(year.path):
            if not (month.is_dir() and re.fullmatch(r"\d{2}", month.name)):
                continue
            for day in os.scandir(month.path):
                if not (day.is_dir() and re.fullmatch(r"\d{2}", day.name)):
                    continue
                for slug in os.scandir(day.path):
                    if os.path.isfile(os.path.join(slug.path, "index.html")):
                        count += 1
    return count


def count_year_pages(out: Path) -> int:
    return sum(
        1
        for item in os.scandir(out)
        if re.fullmatch(r"\d{4}", item.name)
        and os.path.isfile(os.path.join(item.path, "index.html"))
    )


def check_output(
    tool: str, out: Path, expected: int, years: int, newest_title: str, snippet: str
) -> None:
    """Fail loudly unless `out` holds a complete, comparable site."""
    problems = []
    for name in ("index.html", "atom.xml", "rss.xml"):
        if not (out / name).is_file():
            problems.append(f"{name} is missing")
    pages = count_entry_pages(out)
    if pages != expected:
        problems.append(f"{pages} statement pages, expected {expected}")
    year_pages = count_year_pages(out)
    if year_pages < years:
        problems.append(f"{year_pages} year pages, expected at least {years}")
    in_feed = min(expected, FEED_LIMIT)
    for name, tag in (("rss.xml", "<item>"), ("atom.xml", "<entry>")):
        path = out / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        items = text.count(tag) + text.count(tag[:-1] + " ")
        if items != in_feed:
            problems.append(f"{name} has {items} items, expected {in_feed}")
        if snippet and snippet not in text:
            problems.append(f"{name} lacks the newest statement's full text ({snippet!r})")
        title = newest_title if re.fullmatch(r"[A-Za-z ]+", newest_title) else ""
        if title and title not in text:
            problems.append(f"{name} lacks the newest statement's title")
    if problems:
        raise BenchError(f"{tool} output in {out} is not as expected:\n  " + "\n  ".join(problems))


# --- corpora ------------------------------------------------------------------------------


def ensure_corpus(work: Path, count: int, seed: int, forms: tuple[str, ...]) -> Path:
    """A corpus of `count` statements in `forms` at least, reused while it still matches."""
    root = work / f"corpus-n{count}-s{seed}"
    manifest_path = root / generate.MANIFEST
    if manifest_path.is_file():
        manifest = generate.read_manifest(root)
        if manifest.get("fingerprint") == generate.fingerprint(count, seed) and set(forms) <= set(
            manifest["forms"]
        ):
            removed = generate.remove_added(root)  # left over by an interrupted run
            if removed:
                print(f"  removed {removed} leftover added statement file(s)", file=sys.stderr)
            entries = root / "feedpub" / "entries"
            if "feedpub" not in manifest["forms"] or len(os.listdir(entries)) == count:
                return root
        forms = tuple(sorted(set(forms) | set(manifest.get("forms", [])), key=TOOLS.index))
    if root.exists():
        shutil.rmtree(root)
    print(f"  generating {count:,} statements ({', '.join(forms)}) in {root} ...", file=sys.stderr)
    started = time.perf_counter()
    generate.generate(root, count, seed, forms)
    print(f"  generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root


def wait_for_background(out_base: Path, limit: float = 600) -> float:
    """Wait until no `.NAME.trash-*` tree is left beside the outputs; return the seconds."""
    started = time.perf_counter()
    deadline = time.monotonic() + limit
    while any(out_base.glob(".*.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    waited = time.perf_counter() - started
    return waited if waited > 0.025 else 0.0


def settle(out_base: Path | None = None) -> None:
    """Before each measured build: flush what earlier builds and deletions left to the disk,
    so that no build pays for another's writes. feedpub deletes a replaced output tree
    (.NAME.trash-*) in a detached process after its build returns; wait for that too, so
    the deletion does not slow the next measured build (its cost is reported separately)."""
    if out_base is not None:
        deadline = time.monotonic() + 120
        while any(out_base.glob(".*.trash-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
    os.sync()
    time.sleep(0.2)


def clear_output(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    # feedpub builds beside its output (.NAME.new-*); drop any a crash left.
    for leftover in out.parent.glob(f".{out.name}.*"):
        shutil.rmtree(leftover, ignore_errors=True)


# --- the benchmark ------------------------------------------------------------------------


@dataclass
class SizeResult:
    count: int
    tools: list[str]
    samples: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)
    floor: list[Sample] = field(default_factory=list)
    floor_parse: list[float] = field(default_factory=list)  # seconds inside the process
    corpus: dict = field(default_factory=dict)


def run_size(
    count: int, tools: dict[str, Tool], args: argparse.Namespace, work: Path
) -> SizeResult:
    names = list(tools)
    print(f"\n== N = {count:,}: {', '.join(names)}, {args.runs} run(s)", file=sys.stderr)
    root = ensure_corpus(work, count, args.seed, tuple(names))
    manifest = generate.read_manifest(root)
    years = len(manifest["years"])
    result = SizeResult(count=count, tools=names, corpus=manifest)
    result.samples = {name: {s: [] for s in SCENARIOS} for name in names}
    out_base = (args.out_base or work / "out") / f"n{count}"
    out_base.mkdir(parents=True, exist_ok=True)
    added = generate.added_statement(root)
    floor_python = args.floor_python or _default_floor_python(args)

    for run in range(1, args.runs + 1):
        for name, tool in tools.items():
            site = root / name
            out = out_base / name
            cwd = tool.cwd(site)

            def build(
                scenario: str,
                expected: int,
                title: str,
                snippet: str,
                tool: Tool = tool,
                site: Path = site,
                out: Path = out,
                cwd: Path | None = cwd,
                name: str = name,
                run: int = run,
            ) -> None:
                settle(out_base)
                sample, proc = measure(
                    tool.command(site, out), cwd=cwd, timeout=args.timeout, env=tool.env
                )
                require_success(proc, f"{tool.label} {scenario} build (N={count}, run {run})")
                sample.background = wait_for_background(out_base)
                check_output(tool.label, out, expected, years, title, snippet)
                sample.run = run
                result.samples[name][scenario].append(sample)
                print(
                    f"  run {run} {tool.label:8} {scenario:9} {sample.wall:8.2f} s"
                    f"  {sample.max_rss_kb / 1024:7.0f} MiB  cpu {sample.cpu:7.2f} s",
                    file=sys.stderr,
                )

            clear_output(out)
            # Cold means no cache either (feedpub's; the peers keep none here).
            shutil.rmtree(work / "feedpub-cache", ignore_errors=True)
            newest = (manifest["newest_title"], manifest["newest_snippet"])
            build("cold", count, *newest)
            build("no-change", count, *newest)
            generate.add_one(root, (name,))
            try:
                build("add-one", count + 1, added.title, generate.content_snippet(added.body))
            finally:
                generate.remove_added(root, (name,))
            if not args.keep_outputs and run == args.runs:
                clear_output(out)
        if not args.no_floor and "feedpub" in manifest["forms"]:
            entries = root / "feedpub" / "entries"
            settle()
            sample, proc = measure(
                [floor_python, "-c", FLOOR_SCRIPT, str(entries)], timeout=args.timeout
            )
            require_success(proc, "the floor (YAML parsing alone)")
            inner = json.loads(proc.stdout)
            if inner["files"] != count:
                raise BenchError(f"the floor parsed {inner['files']} files, expected {count}")
            sample.run = run
            result.floor.append(sample)
            result.floor_parse.append(inner["seconds"])
            print(
                f"  run {run} floor    yaml      {sample.wall:8.2f} s"
                f"  {sample.max_rss_kb / 1024:7.0f} MiB  (parsing alone {inner['seconds']:.2f} s)",
                file=sys.stderr,
            )
    return result


def _default_floor_python(args: argparse.Namespace) -> str:
    """The Python that runs feedpub, so the floor uses the same PyYAML build."""
    argv = getattr(args, "feedpub_argv", None)
    if argv:
        named = script_python(argv[0])
        if named:
            return named
        if "python" in Path(argv[0]).name:
            return argv[0]
    return sys.executable


# --- reporting ----------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine_info(tools: dict[str, Tool], args: argparse.Namespace) -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    floor_python = args.floor_python or _default_floor_python(args)
    yaml_version = capture(
        [
            floor_python,
            "-c",
            "import yaml; print(yaml.__version__, 'libyaml', yaml.__with_libyaml__)",
        ]
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": capture([floor_python, "--version"]) or platform.python_version(),
        "pyyaml": yaml_version,
        "tools": {name: tool.version for name, tool in tools.items()},
        "feedpub_source": tools["feedpub"].source if "feedpub" in tools else "",
    }


def _fmt_time(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "–"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def _fmt_cell(samples: list[Sample]) -> str:
    if not samples:
        return "–"
    rss = median([s.max_rss_kb for s in samples]) / 1024
    return f"{_fmt_time(median([s.wall for s in samples]))} · {rss:,.0f} MiB"


def _ratio(a: list[Sample], b: list[Sample]) -> str:
    if not a or not b:
        return "–"
    return f"{median([s.wall for s in a]) / median([s.wall for s in b]):.2f}×"


def render_markdown(results: list[SizeResult], machine: dict, args: argparse.Namespace) -> str:
    peers = [t for t in TOOLS if t != "feedpub" and any(t in r.tools for r in results)]
    labels = {"feedpub": "feedpub", "hugo": "Hugo", "pelican": "Pelican"}
    lines = [
        "# feedpub benchmark",
        "",
        f"Median of {args.runs} run(s) per cell: wall time · peak RSS (of the largest single"
        " process, from /usr/bin/time -v). Ratios are feedpub's median wall time divided by"
        " the peer's (below 1 means feedpub is faster).",
        "",
        "## Machine",
        "",
        f"- date: {machine['date']}",
        f"- CPU: {machine['cpu']}, nproc {machine['nproc']}, memory {machine['memory']}",
        f"- OS: {machine['os']}",
        f"- Python (feedpub and the floor): {machine['python']}; PyYAML {machine['pyyaml']}",
    ]
    for name, version in machine["tools"].items():
        lines.append(f"- {labels[name]}: {version}")
    if machine.get("feedpub_source"):
        lines.append(f"- feedpub measured from: {machine['feedpub_source']}")
    lines += [
        f"- corpus: seed {args.seed}; see bench/README.md for what a statement holds",
        f"- outputs written under: {args.out_base or args.work / 'out'}",
        "",
        "## Wall time and peak memory",
        "",
    ]
    header = ["N", "build", "feedpub"] + [labels[p] for p in peers]
    header += [f"feedpub ÷ {labels[p]}" for p in peers]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---:", "---"] + ["---:"] * (len(header) - 2)) + "|")
    for r in results:
        for scenario in SCENARIOS:
            mine = r.samples.get("feedpub", {}).get(scenario, [])
            row = [f"{r.count:,}", scenario, _fmt_cell(mine)]
            for p in peers:
                row.append(_fmt_cell(r.samples.get(p, {}).get(scenario, [])))
            for p in peers:
                row.append(_ratio(mine, r.samples.get(p, {}).get(scenario, [])))
            lines.append("| " + " | ".join(row) + " |")
        if r.floor:
            inner = median(r.floor_parse)
            row = [f"{r.count:,}", "floor: parse YAML only", _fmt_cell(r.floor)]
            row += ["–"] * len(peers)
            row += [""] * len(peers)
            lines.append("| " + " | ".join(row) + " |")
            cold = r.samples.get("feedpub", {}).get("cold", [])
            if cold:
                cold_wall = median([s.wall for s in cold])
                floor_wall = median([s.wall for s in r.floor])
                lines.append(
                    f"| {r.count:,} | feedpub cold ÷ floor | {cold_wall / floor_wall:.1f}×"
                    f" (÷ parsing alone, {inner:.2f} s: {cold_wall / inner:.1f}×) |"
                    + " |"
                    * (len(peers) * 2)
                )
    background = [
        (r.count, scenario, [x.background for x in r.samples["feedpub"][scenario]])
        for r in results
        if "feedpub" in r.samples
        for scenario in SCENARIOS
        if any(x.background for x in r.samples["feedpub"][scenario])
    ]
    if background:
        lines += [
            "",
            "## feedpub's detached clean-up (not in the wall times above)",
            "",
            "feedpub returns before the replaced output tree is deleted, by a process it"
            " leaves running. Median seconds that deletion went on after the build exited"
            " (the harness waits for it before the next build):",
            "",
            "| N | build | clean-up after exit |",
            "|---:|---|---:|",
        ]
        for count, scenario, values in background:
            lines.append(f"| {count:,} | {scenario} | {_fmt_time(median(values))} |")
    lines += [
        "",
        "## CPU time (user + system)",
        "",
        "Median CPU seconds per build. More CPU than wall time means the build used more"
        " than one core: Hugo does, and so does feedpub where it forks workers; Pelican"
        " uses one.",
        "",
    ]
    header = ["N", "build", "feedpub"] + [labels[p] for p in peers]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---:", "---"] + ["---:"] * (len(header) - 2)) + "|")
    for r in results:
        for scenario in SCENARIOS:
            row = [f"{r.count:,}", scenario]
            for name in ["feedpub", *peers]:
                samples = r.samples.get(name, {}).get(scenario, [])
                row.append(_fmt_time(median([s.cpu for s in samples])) if samples else "–")
            lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "cold: into an empty output folder. no-change: again over that output."
        " add-one: after adding one newest statement. floor: a Python process that reads and"
        " parses the N entry files with yaml.CSafeLoader and does nothing else (startup"
        " included; 'parsing alone' is the time inside it).",
        "",
    ]
    return "\n".join(lines)


def to_json(results: list[SizeResult], machine: dict, args: argparse.Namespace) -> dict:
    return {
        "machine": machine,
        "settings": {
            "runs": args.runs,
            "seed": args.seed,
            "tools": args.tools,
            "sizes": args.sizes,
            "feedpub_only_sizes": args.feedpub_only_sizes,
            "out_base": str(args.out_base) if args.out_base else None,
            "work": str(args.work),
        },
        "results": [
            {
                "count": r.count,
                "tools": r.tools,
                "corpus": r.corpus,
                "samples": {
                    name: {
                        scenario: [asdict(s) for s in samples]
                        for scenario, samples in scenarios.items()
                    }
                    for name, scenarios in r.samples.items()
                },
                "medians": {
                    name: {
                        scenario: {
                            "wall": median([s.wall for s in samples]),
                            "cpu": median([s.cpu for s in samples]),
                            "max_rss_kb": median([s.max_rss_kb for s in samples]),
                        }
                        for scenario, samples in scenarios.items()
                        if samples
                    }
                    for name, scenarios in r.samples.items()
                },
                "floor": [asdict(s) for s in r.floor],
                "floor_parse_seconds": r.floor_parse,
            }
            for r in results
        ],
    }


# --- command line -------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark feedpub against Hugo and Pelican.",
        epilog="example: python bench/run.py --sizes 1000,10000 --feedpub-only-sizes 100000"
        " --runs 3",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[1000, 10000],
        help="corpus sizes for every tool (1000,10000)",
    )
    parser.add_argument(
        "--feedpub-only-sizes",
        type=_sizes,
        default=[],
        help="corpus sizes for feedpub (and the floor) only, e.g. 100000",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and size (3)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (1)")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated tools to run (feedpub,hugo,pelican)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: N=200, 1 run, results in bench/results/quick.*",
    )
    parser.add_argument(
        "--feedpub",
        metavar="CMD",
        help="feedpub command (default: feedpub next to this Python, or on PATH)",
    )
    parser.add_argument(
        "--feedpub-src",
        metavar="DIR",
        type=Path,
        help="run `python -m feedpub` with PYTHONPATH=DIR (a copy of src/)",
    )
    parser.add_argument("--hugo", metavar="CMD", default="hugo", help="Hugo command (hugo)")
    parser.add_argument(
        "--pelican",
        metavar="CMD",
        help="Pelican command (default: its own venv in the work folder)",
    )
    parser.add_argument(
        "--floor-python",
        metavar="PYTHON",
        help="Python for the floor (default: the one that runs feedpub)",
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the floor")
    parser.add_argument(
        "--work",
        type=Path,
        default=HERE / "work",
        help="corpora, outputs and Pelican's venv (bench/work)",
    )
    parser.add_argument(
        "--out-base",
        type=Path,
        help="where builds write (WORK/out); e.g. /dev/shm/feedpub-bench to"
        " take the disk out of the measurement",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=HERE / "results",
        help="folder for the report (bench/results)",
    )
    parser.add_argument("--name", help="report file name without extension (latest; quick)")
    parser.add_argument(
        "--feedpub-note",
        metavar="TEXT",
        help="add TEXT to the report's line on the measured feedpub",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="FILE",
        help="only render FILE (a report's .json) again, as the .md beside it",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds before one build is killed (3600)"
    )
    parser.add_argument(
        "--keep-outputs", action="store_true", help="keep each tool's last output in WORK/out/"
    )
    parser.add_argument(
        "--setup", action="store_true", help="apt-get install hugo and time when missing"
    )
    args = parser.parse_args(argv)
    args.tools = [t for t in args.tools.split(",") if t]
    unknown = set(args.tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tool(s): {', '.join(sorted(unknown))}")
    if args.quick:
        args.sizes, args.feedpub_only_sizes, args.runs = [200], [], 1
    args.name = args.name or ("quick" if args.quick else "latest")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def from_json(path: Path) -> tuple[list[SizeResult], dict, argparse.Namespace]:
    """Read back a report's JSON, to render its Markdown again."""
    data = json.loads(path.read_text(encoding="utf-8"))
    results = []
    for item in data["results"]:
        result = SizeResult(count=item["count"], tools=item["tools"], corpus=item["corpus"])
        result.samples = {
            name: {scenario: [Sample(**s) for s in samples] for scenario, samples in sc.items()}
            for name, sc in item["samples"].items()
        }
        result.floor = [Sample(**s) for s in item["floor"]]
        result.floor_parse = item["floor_parse_seconds"]
        results.append(result)
    settings = argparse.Namespace(**data["settings"])
    settings.out_base = data["settings"].get("out_base")
    settings.work = Path(data["settings"].get("work", "bench/work"))
    return results, data["machine"], settings


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        results, machine, settings = from_json(args.from_json)
        if args.feedpub_note:
            machine["feedpub_source"] += f"; {args.feedpub_note}"
        report = render_markdown(results, machine, settings)
        args.from_json.with_suffix(".md").write_text(report, encoding="utf-8")
        print(report)
        return 0
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        ensure_system_tools("hugo" in args.tools and bool(args.sizes), args.setup)
        tools = make_tools(args, work)
        machine = machine_info(tools, args)
        if args.feedpub_note:
            machine["feedpub_source"] += f"; {args.feedpub_note}"
        results = []
        for count in args.sizes:
            results.append(run_size(count, tools, args, work))
        if args.feedpub_only_sizes:
            if "feedpub" not in tools:
                raise BenchError("--feedpub-only-sizes needs feedpub among --tools")
            only = {"feedpub": tools["feedpub"]}
            for count in args.feedpub_only_sizes:
                results.append(run_size(count, only, args, work))
    except BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 1
    report = render_markdown(results, machine, args)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{args.name}.md").write_text(report, encoding="utf-8")
    (args.results / f"{args.name}.json").write_text(
        json.dumps(to_json(results, machine, args), indent=2) + "\n", encoding="utf-8"
    )
    print(report)
    print(f"written: {args.results / (args.name + '.md')} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

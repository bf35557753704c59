"""Run one build and measure it: wall time, CPU time, and peak memory over its process tree.

Memory is read from /proc for the build's process and every process below it (forked
workers included), summed over the tree, and its peak kept:

- **PSS** (proportional set size, /proc/PID/smaps_rollup): a page shared by k processes
  counts 1/k in each, so the sum over the tree counts every page once. The pages a forked
  worker shares with its parent (copy-on-write, never touched) are not counted twice; the
  ones it touched, and so copied, are counted in full. This is the figure the targets are
  checked against.
- **RSS** (/proc/PID/statm): each process's resident pages in full, so a page shared after
  a fork, or by a shared library, counts once per process. An upper bound, shown beside.

Neither counts the page cache the build fills by writing files (a cgroup's memory peak
would, which is why it is not used). PSS is a sample: its reading walks the page tables,
so it is taken less often (see TreeSampler) and can miss a peak shorter than the gap; the
largest RSS of any one process is kept too. (The kernel's own peak, ru_maxrss, is not
used: for a child it includes the harness's memory from before the exec.)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.025
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured build."""

    wall: float  # seconds, from start to the exit of the build's process
    cpu: float  # user + system seconds of the process and every child it waited for
    pss_kb: int  # peak of the summed PSS of the process tree
    rss_kb: int  # peak of the summed RSS of the process tree
    largest_kb: int  # the largest RSS of any one process of the tree, sampled
    processes: int  # the most processes seen at once in the tree
    pss_gap: float  # the longest time between two PSS samples, in seconds
    others: float  # CPU the rest of the machine used meanwhile, in cores (0 = quiet)


class BenchError(RuntimeError):
    """A build failed or its output is not what the benchmark expects: stop loudly."""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(item) for item in handle.read().split()]
    except OSError:
        pass  # the process exited meanwhile
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it (through /proc/PID/task/TID/children)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def pss_of(pid: int) -> int:
    """PSS of one process in KiB (0 once it has exited). Costs a page-table walk."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_of(pid: int) -> int:
    """RSS of one process in KiB (0 once it has exited). A counter: cheap."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler:
    """Samples a process tree's memory in a thread until stopped; keeps the peaks.

    RSS is read every `interval`; PSS, whose reading walks every page table of the tree
    (about 5 ms per 100 MB here), at most every `interval` and at least ten times its own
    cost apart, so that sampling never takes more than a tenth of one core.
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        self.pid = pid
        self.interval = interval
        self.rss_kb = self.pss_kb = self.processes = self.largest_kb = 0
        self.pss_samples = 0
        self.pss_interval = interval  # the longest gap between two PSS samples
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        next_pss = 0.0
        while not self._stop.is_set():
            tree = process_tree(self.pid)
            self.processes = max(self.processes, len(tree))
            sizes = [rss_of(pid) for pid in tree]
            self.rss_kb = max(self.rss_kb, sum(sizes))
            self.largest_kb = max(self.largest_kb, max(sizes, default=0))
            now = time.perf_counter()
            if now >= next_pss:
                self.pss_kb = max(self.pss_kb, sum(pss_of(pid) for pid in tree))
                cost = time.perf_counter() - now
                gap = max(self.interval, 10 * cost)
                self.pss_interval = max(self.pss_interval, gap)
                self.pss_samples += 1
                next_pss = now + gap
            self._stop.wait(self.interval)


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def wait_until_quiet(limit: float = 0.3, patience: float = 30.0) -> float:
    """Wait (at most `patience` s) until the rest of the machine uses under `limit` cores
    over one second; return the cores it used in the last second measured."""
    deadline = time.monotonic() + patience
    while True:
        busy, _ = busy_jiffies()
        time.sleep(1.0)
        cores = (busy_jiffies()[0] - busy) / CLOCK_TICKS
        if cores < limit or time.monotonic() > deadline:
            return cores
        time.sleep(2.0)


def settle() -> None:
    """Flush the disk so that no build pays for the writes of the one before."""
    os.sync()
    time.sleep(0.5)


def run(
    argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 3600
) -> tuple[Sample, str]:
    """Run `argv`, measuring it; return the sample and its output (stdout, then stderr).

    Raises BenchError when it exits with another status than 0.
    """
    busy_before, _ = busy_jiffies()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            list(argv),
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # wait4, not Popen.wait: it gives the CPU time and peak RSS of the whole tree.
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        with TreeSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    busy_after, _ = busy_jiffies()
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, ((busy_after - busy_before) / CLOCK_TICKS - cpu) / wall)
    if process.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-30:])
        raise BenchError(f"{' '.join(argv[:3])} exited with {process.returncode}:\n{tail}")
    sample = Sample(
        wall=wall,
        cpu=cpu,
        pss_kb=sampler.pss_kb,
        rss_kb=sampler.rss_kb,
        largest_kb=sampler.largest_kb,
        processes=sampler.processes,
        pss_gap=sampler.pss_interval,
        others=others,
    )
    return sample, output


# --- what a build wrote ------------------------------------------------------------------

Snapshot = dict[str, tuple[int, int, int]]  # path -> (inode, mtime_ns, size)


def snapshot(out: Path) -> Snapshot:
    """Every file below `out` with what shows that it was written: inode, mtime, size."""
    found: Snapshot = {}
    for folder, _, files in os.walk(out):
        base = os.path.relpath(folder, out)
        for name in files:
            st = os.stat(os.path.join(folder, name), follow_symlinks=False)
            rel = name if base == "." else f"{base}/{name}"
            found[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


@dataclass(frozen=True, slots=True)
class Changes:
    """What a build did to an output folder, file by file."""

    new: list[str]
    rewritten: list[str]  # written again: another inode or modification time
    removed: list[str]
    kept: int

    @property
    def touched(self) -> int:
        return len(self.new) + len(self.rewritten) + len(self.removed)


def compare(before: Snapshot, after: Snapshot) -> Changes:
    new = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    rewritten = sorted(p for p in before.keys() & after.keys() if before[p] != after[p])
    kept = len(before.keys() & after.keys()) - len(rewritten)
    return Changes(new, rewritten, removed, kept)


def watch(pid: int, into: Path) -> None:
    """Append (monotonic seconds, tree PSS KiB, processes) lines for the tree of `pid`,
    this process left out, until `pid` exits or this process is terminated. A process of
    its own: a sampling thread in the build's process would turn feedpub's workers off."""
    me = os.getpid()
    with open(into, "a", encoding="ascii") as handle:
        while True:
            now = time.monotonic()
            tree = [member for member in process_tree(pid) if member != me]
            if not tree or not os.path.exists(f"/proc/{pid}"):
                return
            pss = sum(pss_of(member) for member in tree)
            handle.write(f"{now:.3f} {pss} {len(tree)}\n")
            handle.flush()
            time.sleep(max(SAMPLE_SECONDS * 2, 10 * (time.monotonic() - now)))


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "--watch":
        sys.exit("usage: measure.py --watch PID FILE")
    watch(int(sys.argv[2]), Path(sys.argv[3]))

"""The one gate to disk: changed files written in place, each whole, in an order that never
lets a list or feed point to a statement page or attachment not yet written (other links
may wait for the rest of the build: a statement's page to its year's list, which lists it).

Each output goes to a temporary file in its own folder, renamed over the old one, so a
reader (or a web server serving the folder as it is built) sees the old bytes or the new,
never half a file. Outputs are written in phases: assets (attachments, static files, the
stylesheet), then statement and redirect pages, then list pages, then feeds and the
sitemap; in each, new files before those rewritten, which may now link to them. Files the
site no longer has are removed last, but first one in a new file's way (a file where a
folder must now be) and any symbolic link (feedpub writes none, and would write through
it). A file whose bytes did not change is not rewritten, so a deploy uploads nothing new.

While a build writes, `.feedpub-unfinished` in the output says so. A build killed at any
moment leaves every file whole, and no list or feed pointing to a page or attachment not
yet written, but possibly a mix of old and new files; the next build finishes the job, and
`check` says to run it. Nothing is ever written beside the output folder, and a folder
feedpub did not make is refused, never emptied.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from feedpub.errors import PARTLY_UPDATED, FeedpubError, Problem
from feedpub.incremental import Record, current
from feedpub.listing import NOT_A_FILE, Status, Survey, same_content, status_tree
from feedpub.model import WriteReport
from feedpub.parallel import Pool, fork_map
from feedpub.pickled import across_processes
from feedpub.stamp import content_hash

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; builds there are not locked
    fcntl = None  # type: ignore[assignment]

UNFINISHED = ".feedpub-unfinished"
# A file being written: `.feedpub-tmp-PID` in its folder (so a name of 255 bytes has room),
# or `.NAME.feedpub-tmp-PID`, left by a build killed under the earlier naming.
_TEMPORARY = re.compile(r"\.(?:.+\.)?feedpub-tmp-\d+")


class Phase(IntEnum):
    """The order outputs are written in: what is linked to comes before what links to it."""

    ASSETS = 0
    PAGES = 1
    LISTS = 2
    FEEDS = 3


# Outputs of one step to make before forking workers pays: a list page or a feed document
# names up to 50 statements and takes ten times a statement page's time to make. At 10,000
# statements, the 191 year pages (one step: one depth of folders) took 0.5 s on one core.
PARALLEL_FROM = {Phase.ASSETS: 200, Phase.PAGES: 200, Phase.LISTS: 20, Phase.FEEDS: 20}

# Spans (of up to 64 outputs) a worker makes before a fresh one is forked: what a worker
# copies of the building process's memory grows with the statements it reads (fork_map),
# one per statement page, up to 50 per list page or feed document. At 100,000 statements,
# renewing after each span in those phases, not every 4, took the tree's peak 925->713 MB.
RENEW_WORKERS_AFTER = {Phase.ASSETS: 32, Phase.PAGES: 32, Phase.LISTS: 1, Phase.FEEDS: 1}
# ...but only for a site of this many outputs or more (about 25,000 statements). Each
# renewal is a pause in which a core waits for the other worker's last span, then both are
# forked: at 10,000 statements, about 1 s of a 12 s cold build, to keep the peak over the
# tree at 140 MiB instead of 230 (the parent itself is about 125).
RENEW_FROM = 30_000

Content = bytes | Path  # bytes to write, or a file to copy as it is


@dataclass(frozen=True, slots=True)
class Made:
    """An output's bytes, its key, and the dependency tokens its making recorded."""

    content: Content
    key: str
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the site. `key` is what the last build's dependencies resolve to now
    (None when unknown): equal to the remembered key, the file need not be made again."""

    path: str
    phase: Phase
    make: Callable[[], Made]
    key: str | None = None
    # Outputs with a value are made first in their phase, in its order: those near in it
    # read the same statements (a site's archive documents), which a worker keeps.
    together: float | None = None


def output_problem(out: Path, message: str) -> FeedpubError:
    return FeedpubError([Problem(path=f"{out}/", line=0, message=message)])


def check_relative(path: str) -> None:
    """Refuse any output path that could land outside the output directory."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"unsafe output path {path!r}")


def guard_output(out: Path, marker: str) -> None:
    """Refuse to write into a directory that feedpub did not make."""
    if out.is_symlink():
        raise output_problem(out, "is a symbolic link; point --out at a real directory")
    if not out.exists():
        return
    if not out.is_dir():
        raise output_problem(out, "exists and is not a directory; refusing to replace it")
    if (out / marker).is_file():
        return
    if any(out.iterdir()):
        raise output_problem(
            out,
            f"holds files that feedpub did not write (no {marker} marker); refusing to"
            " replace it. Move them away, or choose another --out",
        )


def unfinished(out: Path) -> bool:
    """True when a build into `out` was stopped before it finished."""
    return (out / UNFINISHED).exists()


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output's parent, so two builds take turns."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_atomic(target: Path, content: Content) -> os.stat_result:
    """Replace `target` with `content` in one rename: never half a file. Returns the new
    file's status (a rename keeps the inode, size and modification time)."""
    temporary = f"{target.parent}/.feedpub-tmp-{os.getpid()}"  # one file at a time a process
    try:
        if isinstance(content, Path):
            shutil.copyfile(content, temporary)
            st = os.stat(temporary)
        else:
            # Not open(): its file object asks the kernel 3 times more (status, terminal?, where?).
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
            handle = os.open(temporary, flags, 0o666)  # as open(): the umask decides
            try:
                rest = memoryview(content)
                while rest:
                    rest = rest[os.write(handle, rest) :]
                st = os.fstat(handle)
            finally:
                os.close(handle)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return st


@across_processes
@dataclass(frozen=True, slots=True)
class Written:
    path: str
    record: Record
    tokens: tuple[str, ...]
    changed: bool


def _make_and_place(
    out: Path,
    outputs: Sequence[Output],
    existing: Mapping[str, Status],
    folders: set[str],
    span: tuple[int, int],
) -> list[Written]:
    """Make outputs[start:end] and write those whose bytes changed: what a forked worker
    does. Only what to remember of each file travels back, not its bytes."""
    return [_place(out, output, existing, folders) for output in outputs[span[0] : span[1]]]


def _place(out: Path, output: Output, existing: Mapping[str, Status], folders: set[str]) -> Written:
    """Make an output and write it if its bytes changed; remember what is on disk either
    way, and what its making read."""
    made = output.make()
    target = out / output.path
    folder = output.path.rpartition("/")[0]
    if folder and folder not in folders:
        _make_folder(out, folder, folders)
    # A file that was not there when the build began is new: nothing to compare.
    changed = output.path not in existing or not same_content(target, made.content)
    st = write_atomic(target, made.content) if changed else target.stat()
    content = content_hash(made.content) if isinstance(made.content, bytes) else ""
    record = Record(made.key, st.st_size, st.st_mtime_ns, st.st_ino, output.phase, content)
    return Written(output.path, record, made.tokens, changed)


def _make_folder(out: Path, folder: str, folders: set[str]) -> None:
    """Make `folder` below `out` (one mkdir when its parent is known to exist; a worker
    forked before another made it finds it there)."""
    parent = folder.rpartition("/")[0]
    if parent and parent not in folders:
        _make_folder(out, parent, folders)
    with contextlib.suppress(FileExistsError):
        os.mkdir(f"{out}/{folder}")
    folders.add(folder)


def write_outputs(
    out: Path,
    outputs: Iterable[Output],
    marker: str,
    remembered: Mapping[str, Record],
    workers: int = 1,
    survey: Survey | None = None,
    prepare: Callable[[], object] = lambda: None,
) -> tuple[WriteReport, dict[str, Written]]:
    """Make `out` hold exactly `outputs`, making and writing only what may have changed.
    `survey` is of `out` as the build began: used if no other build wrote there since;
    `prepare` is called before workers are first forked to make outputs.

    Returns the report and, for every output, what to remember of it.
    """
    out = Path(os.path.abspath(out))
    was_finished = not unfinished(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out.parent):
            guard_output(out, marker)
            if survey is not None and survey.still_holds():
                existing = dict(survey.result())
            else:
                existing = status_tree(out) if out.exists() else {}
            return _write(out, list(outputs), marker, remembered, workers, existing, prepare)
    except (FeedpubError, OSError) as exc:
        # A site template's error shows only as its page is made, perhaps after others
        # were written: then the output is partly updated, as after a full disk.
        if isinstance(exc, FeedpubError):
            problems = exc.problems
        else:
            where = exc.filename or out
            problems = output_problem(out, f"cannot write {where}: {exc.strerror}").problems
        if was_finished and not unfinished(out):
            raise FeedpubError(problems) from exc
        raise FeedpubError(
            problems,
            outcome=f"{out.name}/ {PARTLY_UPDATED}; run the build again once this is fixed",
        ) from exc


def _write(
    out: Path,
    outputs: list[Output],
    marker: str,
    remembered: Mapping[str, Record],
    workers: int,
    existing: dict[str, Status],
    prepare: Callable[[], object],
) -> tuple[WriteReport, dict[str, Written]]:
    for rel in [rel for rel in existing if _TEMPORARY.fullmatch(rel.rpartition("/")[2])]:
        os.unlink(f"{out}/{rel}")  # left by a killed build
        del existing[rel]
    # A link (or a pipe...) is no file feedpub wrote: one to a folder would have what is
    # written below it land outside `out`, so it goes before anything is written.
    foreign = [rel for rel, status in existing.items() if status[0] == NOT_A_FILE]
    for rel in foreign:
        del existing[rel]
    paths = set()
    for output in outputs:
        check_relative(output.path)
        if output.path in paths:
            raise ValueError(f"{output.path} would be written twice")
        paths.add(output.path)
    gone = sorted(rel for rel in existing.keys() - paths if rel != UNFINISHED)
    done: dict[str, Written] = {}
    todo: list[Output] = []
    for output in outputs:
        record = current(out, output.path, output.key, remembered, existing)
        if record is not None:
            done[output.path] = Written(output.path, record, (), changed=False)
        else:
            todo.append(output)
    if not todo and not gone and not foreign and not unfinished(out):
        return WriteReport(written=0, unchanged=len(outputs), removed=0), done
    out.mkdir(exist_ok=True)
    # A file gone where a folder must now be (static/docs become static/docs/a.txt), or in
    # a folder where a file must now be (the reverse): removed before writing, not after.
    in_the_way: list[str] = []
    if gone:  # (a cold build's 11,667 paths split into their folders for nothing: 30 ms)
        needed = {folder for path in paths for folder in _above(path)}  # as folders
        in_the_way = [rel for rel in gone if rel in needed or not paths.isdisjoint(_above(rel))]
    # Links (the marker or UNFINISHED among them) before anything: never written through.
    for rel in [*foreign, *in_the_way]:
        os.unlink(f"{out}/{rel}")
        _remove_empty_folders(out, rel)
    if not (out / marker).exists():
        (out / marker).write_bytes(b"")  # claimed before anything else: a killed build's
    (out / UNFINISHED).write_bytes(b"a build into this folder has not finished\n")
    folders: set[str] = set()  # known to exist
    tokens: dict[str, str] = {}
    # Phase by phase; in each, the files that are new before those rewritten, which may
    # now link to them (2019's page to 2020's, just begun); then those made together
    # (archive documents, before the feeds that link to them), then the deepest files,
    # all of one depth written before any of the next: a section's page before the home
    # page that links to it.
    steps: dict[tuple[Phase, bool, bool, int], list[Output]] = {}
    for output in sorted(todo, key=lambda o: o.path):
        alone = output.together is None
        depth = -output.path.count("/") if alone else 0
        steps.setdefault((output.phase, output.path in existing, alone, depth), []).append(output)
    large = len(outputs) >= RENEW_FROM  # a site whose workers are renewed as they go
    batches = [batch for _, batch in sorted(steps.items())]
    for batch in batches:
        if batch[0].together is not None:
            batch.sort(key=lambda o: o.together or 0.0)

    def place(item: tuple[int, tuple[int, int]]) -> list[Written]:
        return _make_and_place(out, batches[item[0]], existing, folders, item[1])

    with Pool(place, workers) as pool:  # forked once for every step, unless `large`
        for index, batch in enumerate(batches):
            for placed in _step(pool, batch, index, workers, large, prepare):
                for item in placed:
                    # Each token one string, shared by every output that read it, not the
                    # copy each result brings from a worker (3 million at 100,000 statements).
                    shared = tuple(map(tokens.setdefault, item.tokens, item.tokens))
                    done[item.path] = Written(item.path, item.record, shared, item.changed)
    # What links to others goes first (feeds, lists, pages): none left points at a file gone.
    later = sorted(set(gone) - set(in_the_way))
    for rel in sorted(later, key=lambda rel: (-_phase(remembered, rel), rel.count("/"), rel)):
        os.unlink(f"{out}/{rel}")
        _remove_empty_folders(out, rel)
    (out / UNFINISHED).unlink()
    changed = sum(written.changed for written in done.values())
    removed = len(gone) + len(foreign)
    return WriteReport(written=changed, unchanged=len(done) - changed, removed=removed), done


def _step(
    pool: Pool[tuple[int, tuple[int, int]], list[Written]],
    batch: list[Output],
    index: int,
    workers: int,
    large: bool,
    prepare: Callable[[], object],
) -> Iterator[list[Written]]:
    """Make and write batches[index] (the pool's function does) in spans, in order."""
    # Forked workers make the outputs and write them, the system calls of making folders
    # and files spread over the cores too; only for work worth forking for (PARALLEL_FROM):
    # one added makes a few dozen. Once forked, they make each step after.
    phase = batch[0].phase
    count = workers if len(batch) >= PARALLEL_FROM[phase] or pool.forked else 1
    if count > 1 and (large or not pool.forked):  # before workers are forked
        prepare()
    size = max(1, min(64, -(-len(batch) // (count * 8))))
    if batch[0].together is not None and not large:  # one run each: what a document reads,
        size = -(-len(batch) // count)  # the next reads too (content made twice: 24% -> 4%)
    items = [(index, (i, min(i + size, len(batch)))) for i in range(0, len(batch), size)]
    if count > 1 and not large:
        return pool.map(items)
    # Here, or on workers renewed as they go.
    return fork_map(pool.function, items, count, RENEW_WORKERS_AFTER[phase] if large else 0)


def _phase(remembered: Mapping[str, Record], rel: str) -> int:
    """The phase a file was written in; for one no build recorded (the cache was deleted),
    a guess from what it is: a feed, a page (shallower pages list deeper ones), an asset."""
    record = remembered.get(rel)
    if record is not None:
        return record.phase
    if rel.endswith((".xml", ".json")):
        return Phase.FEEDS
    return Phase.LISTS if rel.endswith(".html") else Phase.ASSETS


def _above(rel: str) -> list[str]:
    """The folders `rel` is in: a/b/c -> a, a/b."""
    return [rel[:i] for i, char in enumerate(rel) if char == "/"]


def _remove_empty_folders(out: Path, rel: str) -> None:
    with contextlib.suppress(OSError):  # the first folder not empty ends it
        for folder in reversed(_above(rel)):
            os.rmdir(f"{out}/{folder}")

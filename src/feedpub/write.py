"""The one gate to disk: a complete new tree beside the output, swapped in whole.

A build never writes into the published directory. It makes `.public.new-*` beside it,
fills it (hard-linking every file whose bytes did not change, so their modification times
stay and a deploy step uploads nothing new), then exchanges the two directories with one
renameat2(RENAME_EXCHANGE) call where Linux offers it. A build that changes nothing swaps
nothing. A build killed at any moment leaves the old tree or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import filecmp
import functools
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from feedpub.cache import Record
from feedpub.errors import FeedpubError, Problem
from feedpub.parallel import fork_map

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; builds there are not locked
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int  # files whose bytes are new
    unchanged: int  # files carried over untouched
    removed: int  # files of the old tree that the new one no longer has

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def output_problem(out: Path, message: str) -> FeedpubError:
    return FeedpubError([Problem(path=f"{out}/", line=0, message=message)])


def check_relative(path: str) -> PurePosixPath:
    """Refuse any output path that could land outside the output directory."""
    pure = PurePosixPath(path)
    if (
        not path
        or pure.is_absolute()
        or "\\" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise ValueError(f"unsafe output path {path!r}")
    return pure


def list_tree(directory: Path) -> dict[str, Path]:
    """Every regular file below `directory`, by its '/'-separated relative path."""
    found: dict[str, Path] = {}
    for folder, subfolders, files in os.walk(directory):
        subfolders.sort()
        base = Path(folder)
        rel = base.relative_to(directory).as_posix()
        prefix = "" if rel == "." else rel + "/"
        for name in sorted(files):
            found[prefix + name] = base / name
    return found


Content = bytes | Path  # bytes to write, or a file to copy as it is


def same_content(path: Path, content: Content) -> bool:
    """True when the file at `path` holds exactly `content`."""
    try:
        if isinstance(content, Path):
            return filecmp.cmp(path, content, shallow=False)
        if path.stat().st_size != len(content):
            return False
        return path.read_bytes() == content
    except OSError:
        return False


def guard_output(out: Path, marker: str) -> None:
    """Refuse to replace a directory that feedpub did not make."""
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


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - not glibc >= 2.28
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # pragma: no cover
        return False
    raise OSError(code, os.strerror(code), str(b))


def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.{kind}-*"))


def _recover(out: Path) -> None:
    """Finish or undo what a killed build left: restore a parked tree, drop half-made ones."""
    parked = _siblings(out, "old")
    if not out.exists() and parked:
        os.replace(parked[-1], out)
        parked = parked[:-1]
    for leftover in [*parked, *_siblings(out, "new"), *_siblings(out, "trash")]:
        _discard(leftover, _count_files(leftover))


def _count_files(tree: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(tree))


def _make_folder(tree: Path, rel: str, made: set[str]) -> Path:
    folder, _, _ = rel.rpartition("/")
    if folder and folder not in made:
        os.makedirs(tree / folder, exist_ok=True)  # another worker may make it at once
        made.add(folder)
    return tree / rel


def _link(existing: Path, target: Path) -> None:
    try:
        os.link(existing, target)  # keeps the file's mtime: a deploy uploads nothing new
    except OSError:
        shutil.copy2(existing, target)  # a file system without hard links


def _write_file(target: Path, content: Content) -> None:
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    else:
        with open(target, "xb") as handle:
            handle.write(content)


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the site: its path, a key that changes when its bytes may, how to make it."""

    path: str
    key: str
    make: Callable[[], Content]


@dataclass(frozen=True, slots=True)
class _Step:
    output: Output
    existing: Path | None
    stat: os.stat_result | None
    reusable: bool  # as the last build left it: linked without being made


def _plan(
    outputs: Iterable[Output], old: Mapping[str, Path], remembered: Mapping[str, Record]
) -> list[_Step]:
    steps: list[_Step] = []
    seen: set[str] = set()
    for output in outputs:
        rel = output.path
        check_relative(rel)
        if rel in seen:
            raise ValueError(f"{rel} would be written twice")
        seen.add(rel)
        existing = old.get(rel)
        st = existing.stat() if existing is not None else None
        record = remembered.get(rel)
        reusable = (
            st is not None
            and record is not None
            and record.key == output.key
            and record.matches(st)
        )
        steps.append(_Step(output, existing, st, reusable))
    return steps


def _place(tree: Path, steps: list[_Step], bounds: tuple[int, int]) -> list[tuple[Record, bool]]:
    """Link or write steps[start:end] into the new tree; True where bytes were written."""
    placed: list[tuple[Record, bool]] = []
    made: set[str] = set()
    for step in steps[bounds[0] : bounds[1]]:
        output, existing = step.output, step.existing
        target = _make_folder(tree, output.path, made)
        if existing is not None and step.stat is not None:
            content = None if step.reusable else output.make()
            if content is None or same_content(existing, content):
                _link(existing, target)
                st = step.stat
                placed.append((Record(output.key, st.st_size, st.st_mtime_ns, st.st_ino), False))
                continue
        else:
            content = output.make()
        assert content is not None
        _write_file(target, content)
        st = target.stat()
        placed.append((Record(output.key, st.st_size, st.st_mtime_ns, st.st_ino), True))
    return placed


def write_outputs(
    out: Path,
    outputs: Iterable[Output],
    marker: str,
    remembered: Mapping[str, Record] | None = None,
    workers: int = 1,
) -> tuple[WriteReport, dict[str, Record]]:
    """Make `out` hold exactly `outputs`, atomically, rendering only what may have changed.

    An output whose key and file are as `remembered` is linked without being made; one that
    is made but has the old bytes is linked too. With `workers` > 1 the outputs are made
    and placed on that many forked processes. Returns what to remember for next time.
    """
    out = Path(os.path.abspath(out))
    remembered = remembered or {}
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out.parent):
            _recover(out)
            guard_output(out, marker)
            old = list_tree(out) if out.exists() else {}
            steps = _plan(outputs, old, remembered)
            removed = len(old.keys() - {step.output.path for step in steps})
            if not removed and all(step.reusable for step in steps):
                records = {step.output.path: remembered[step.output.path] for step in steps}
                return WriteReport(written=0, unchanged=len(steps), removed=0), records
            return _replace(out, steps, removed, workers)
    except FeedpubError:
        raise
    except OSError as exc:
        where = exc.filename or out
        raise output_problem(out, f"cannot write {where}: {exc.strerror}") from exc


def _replace(
    out: Path, steps: list[_Step], removed: int, workers: int
) -> tuple[WriteReport, dict[str, Record]]:
    tree = out.parent / f".{out.name}.new-{uuid.uuid4().hex[:12]}"
    tree.mkdir()
    try:
        size = max(1, min(256, -(-len(steps) // (workers * 8))))
        ranges = [(i, min(i + size, len(steps))) for i in range(0, len(steps), size)]
        placed = [
            item
            for batch in fork_map(functools.partial(_place, tree, steps), ranges, workers)
            for item in batch
        ]
        records = {
            step.output.path: record for step, (record, _) in zip(steps, placed, strict=True)
        }
        written = sum(wrote for _, wrote in placed)
        report = WriteReport(written=written, unchanged=len(steps) - written, removed=removed)
        if report.changed:
            _swap(tree, out, len(steps) - written + removed)
        else:  # every file was made again and came out the same: nothing to swap
            shutil.rmtree(tree)
        return report, records
    except BaseException:
        shutil.rmtree(tree, ignore_errors=True)
        raise


# Deleting the old tree costs more than making the new one (ext4: about 1 s per 10,000
# pages). A large one is removed by a detached process after the swap; a build that finds
# one left over removes it first.
_DELETE_INLINE_BELOW = 2000
_BACKGROUND: list[subprocess.Popen[bytes]] = []


def _discard(tree: Path, files: int) -> None:
    if files < _DELETE_INLINE_BELOW:
        shutil.rmtree(tree, ignore_errors=True)
        return
    code = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    _BACKGROUND.append(
        subprocess.Popen(  # kept referenced: it outlives this call on purpose
            [sys.executable, "-c", code, str(tree)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    )


def _swap(new: Path, out: Path, old_files: int) -> None:
    token = new.name.rsplit("-", 1)[-1]
    trash = out.parent / f".{out.name}.trash-{token}"
    if not out.exists():
        os.replace(new, out)
        return
    if _exchange(new, out):
        os.replace(new, trash)  # `new` now holds the old tree
    else:  # pragma: no cover - exercised only where renameat2 is missing
        parked = out.parent / f".{out.name}.old-{token}"
        os.replace(out, parked)
        os.replace(new, out)  # killed before this line: the next build restores `parked`
        os.replace(parked, trash)
    _discard(trash, old_files)

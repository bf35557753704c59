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


class _NewTree:
    """The tree being built beside the output, made on the first file that differs."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path: Path | None = None
        self._folders: set[str] = set()

    def open(self) -> Path:
        if self.path is None:
            self.path = self.out.parent / f".{self.out.name}.new-{uuid.uuid4().hex[:12]}"
            self.path.mkdir()
        return self.path

    def _target(self, rel: str) -> Path:
        tree = self.open()
        folder, _, _ = rel.rpartition("/")
        if folder and folder not in self._folders:
            (tree / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return tree / rel

    def link(self, rel: str, existing: Path) -> None:
        target = self._target(rel)
        try:
            os.link(existing, target)  # keeps the file's mtime: a deploy uploads nothing new
        except OSError:
            shutil.copy2(existing, target)  # a file system without hard links

    def write(self, rel: str, content: Content) -> os.stat_result:
        target = self._target(rel)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            with open(target, "xb") as handle:
                handle.write(content)
        return target.stat()


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the site: its path, a key that changes when its bytes may, how to make it."""

    path: str
    key: str
    make: Callable[[], Content]


Maker = Callable[[list[Output]], Iterator[Content]]


def make_each(outputs: list[Output]) -> Iterator[Content]:
    """Make outputs one after the other, in this process."""
    return (output.make() for output in outputs)


def write_outputs(
    out: Path,
    outputs: Iterable[Output],
    marker: str,
    remembered: Mapping[str, Record] | None = None,
    maker: Maker = make_each,
) -> tuple[WriteReport, dict[str, Record]]:
    """Make `out` hold exactly `outputs`, atomically, rendering only what may have changed.

    An output whose key and file are as `remembered` is linked without being made; one that
    is made but has the old bytes is linked too. `maker` makes the rest, in order (perhaps
    on several cores). Returns what to remember for next time.
    """
    out = Path(os.path.abspath(out))
    remembered = remembered or {}
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out.parent):
            _recover(out)
            guard_output(out, marker)
            old = list_tree(out) if out.exists() else {}
            tree = _NewTree(out)
            try:
                report, records = _write(tree, list(outputs), old, remembered, maker)
                if report.changed:
                    _swap(tree.open(), out, len(old))
                elif tree.path is not None:  # pragma: no cover - only if a write was undone
                    shutil.rmtree(tree.path)
            except BaseException:
                if tree.path is not None:
                    shutil.rmtree(tree.path, ignore_errors=True)
                raise
            return report, records
    except FeedpubError:
        raise
    except OSError as exc:
        where = exc.filename or out
        raise output_problem(out, f"cannot write {where}: {exc.strerror}") from exc


def _write(
    tree: _NewTree,
    outputs: list[Output],
    old: Mapping[str, Path],
    remembered: Mapping[str, Record],
    maker: Maker,
) -> tuple[WriteReport, dict[str, Record]]:
    stats: dict[str, os.stat_result] = {}
    to_make: list[Output] = []
    seen: set[str] = set()
    for output in outputs:
        rel = output.path
        check_relative(rel)
        if rel in seen:
            raise ValueError(f"{rel} would be written twice")
        seen.add(rel)
        existing = old.get(rel)
        record = remembered.get(rel)
        if existing is not None:
            stats[rel] = st = existing.stat()
            if record is not None and record.key == output.key and record.matches(st):
                continue  # as the last build left it: not even made
        to_make.append(output)
    made = maker(to_make)
    next_made = to_make[0].path if to_make else None
    made_index = 0

    records: dict[str, Record] = {}
    unchanged_so_far: list[str] = []  # linked into the new tree once it exists
    written = unchanged = 0
    for output in outputs:
        rel = output.path
        existing = old.get(rel)
        content: Content | None = None
        if rel == next_made:
            content = next(made)
            made_index += 1
            next_made = to_make[made_index].path if made_index < len(to_make) else None
        if existing is not None and (content is None or same_content(existing, content)):
            st = stats[rel]
            records[rel] = Record(output.key, st.st_size, st.st_mtime_ns, st.st_ino)
            unchanged += 1
            if tree.path is None:
                unchanged_so_far.append(rel)
            else:
                tree.link(rel, existing)
            continue
        assert content is not None
        if tree.path is None:
            for earlier in unchanged_so_far:
                tree.link(earlier, old[earlier])
            unchanged_so_far.clear()
        st = tree.write(rel, content)
        records[rel] = Record(output.key, st.st_size, st.st_mtime_ns, st.st_ino)
        written += 1
    removed = len(old.keys() - records.keys())
    if removed and tree.path is None:
        for earlier in unchanged_so_far:
            tree.link(earlier, old[earlier])
    return WriteReport(written=written, unchanged=unchanged, removed=removed), records


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


def write_tree(out: Path, files: Mapping[str, Content], marker: str) -> WriteReport:
    """Make `out` hold exactly `files` (without keys: every file is compared by its bytes)."""
    outputs = [Output(rel, "", functools.partial(lambda c: c, data)) for rel, data in files.items()]
    for output in outputs:
        check_relative(output.path)
    report, _ = write_outputs(out, outputs, marker)
    return report

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
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
    for leftover in [*parked, *_siblings(out, "new")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _fill(new: Path, files: Mapping[str, Content], old: Mapping[str, Path]) -> tuple[int, int]:
    written = unchanged = 0
    made: set[Path] = set()
    for rel, data in files.items():
        target = new.joinpath(*check_relative(rel).parts)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        previous = old.get(rel)
        if previous is not None and same_content(previous, data):
            try:
                os.link(previous, target)
                unchanged += 1
                continue
            except OSError:
                pass  # a file system without hard links: write the bytes instead
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            with open(target, "xb") as handle:
                handle.write(data)
        written += 1
    return written, unchanged


def write_tree(out: Path, files: Mapping[str, Content], marker: str) -> WriteReport:
    """Make `out` hold exactly `files`, atomically; unchanged files keep their mtimes."""
    out = Path(os.path.abspath(out))
    for rel in files:
        check_relative(rel)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out.parent):
            _recover(out)
            guard_output(out, marker)
            old = list_tree(out) if out.exists() else {}
            if old.keys() == files.keys() and all(
                same_content(old[rel], data) for rel, data in files.items()
            ):
                return WriteReport(written=0, unchanged=len(files), removed=0)
            return _swap_in(out, files, old)
    except FeedpubError:
        raise
    except OSError as exc:
        where = exc.filename or out
        raise output_problem(out, f"cannot write {where}: {exc.strerror}") from exc


def _swap_in(out: Path, files: Mapping[str, Content], old: Mapping[str, Path]) -> WriteReport:
    token = uuid.uuid4().hex[:12]
    new = out.parent / f".{out.name}.new-{token}"
    try:
        new.mkdir()
        written, unchanged = _fill(new, files, old)
        if not out.exists():
            os.replace(new, out)
        elif _exchange(new, out):
            shutil.rmtree(new)  # `new` now holds the old tree
        else:  # pragma: no cover - exercised only where renameat2 is missing
            parked = out.parent / f".{out.name}.old-{token}"
            os.replace(out, parked)
            os.replace(new, out)
            shutil.rmtree(parked)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    removed = len(old.keys() - files.keys())
    return WriteReport(written=written, unchanged=unchanged, removed=removed)

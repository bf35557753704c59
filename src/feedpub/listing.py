"""The files a build reads and writes, listed with scandir: a site has tens of thousands,
listed on every build (a path and a stat call each would be most of a no-change check);
and a file compared with what would be written over it. Standard library only, for the
no-change check's sake."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
from pathlib import Path

from feedpub.forked import Forked

Status = tuple[int, int, int]  # a file's size, modification time (ns) and inode
# The size a status gives anything but a regular file (a symbolic link above all): feedpub
# writes none, never one, and would write through a link to a folder.
NOT_A_FILE = -1

WATCHED_FILES = ("feedpub.yaml",)
ENTRIES_DIR = "entries"
WATCHED_DIRS = (ENTRIES_DIR, "static", "templates")
OUTPUT_DIR = "public"

# A statement saved where feedpub does not read statements: in static/, published at once
# as it is (an embargo ignored); elsewhere, never published (see folders.py).
STATEMENT_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-.+\.ya?ml", re.IGNORECASE)


def source_status(st: os.stat_result) -> list[int]:
    """What tells that a source file changed: its size, its modification time, and the time
    its inode last changed, which no tool can set back (cp -p, rsync -a and tar -x put back
    the mtime of a file they replace: an edit of the same size would go unseen)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def scan_sources(root: Path) -> dict[str, list[int]]:
    """The status (source_status) of every file a build reads, by path relative to the
    root; and what each folder a build checks is (a folder, or a link in place of one), by
    its path and a separator. A build refuses a folder inside entries/, and a link in place
    of entries/, static/ or templates/: the no-change check sees them come, as a build
    does, though they hold no file."""
    found: dict[str, list[int]] = {}
    for name in WATCHED_FILES:
        with contextlib.suppress(OSError):
            st = os.stat(os.path.join(root, name), follow_symlinks=False)
            found[name] = source_status(st)
    folders = [(os.path.join(root, name), name + os.sep) for name in WATCHED_DIRS]
    for path, shown in folders:
        with contextlib.suppress(OSError):
            found[shown] = [stat.S_IFMT(os.stat(path, follow_symlinks=False).st_mode)]
    while folders:  # scandir's entries, not a path and a stat call each: 10,000 files
        folder, shown = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, shown + entry.name + os.sep))
                    found[shown + entry.name + os.sep] = [stat.S_IFDIR]
                    continue
                st = entry.stat(follow_symlinks=False)
                found[shown + entry.name] = source_status(st)
    # Watched as well: a statement saved in a folder not read, warned of by the build that
    # finds it, and so by the next build after one is saved there.
    for entry in stray_statements(root):
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            found[os.path.relpath(entry.path, root)] = source_status(st)
    return found


def stray_statements(root: Path | str) -> list[os.DirEntry[str]]:
    """Files named as a statement in the site's folder, or in a folder of it feedpub does
    not read (`entry/`), in order of their paths."""
    skipped = {*WATCHED_DIRS, OUTPUT_DIR}
    found: list[os.DirEntry[str]] = []
    with contextlib.suppress(OSError):  # a folder that cannot be listed hides no statement
        for top in os.scandir(root):
            if not top.is_dir(follow_symlinks=False):
                found.append(top)
            elif top.name not in skipped and not top.name.startswith("."):
                with contextlib.suppress(OSError):
                    found.extend(os.scandir(top.path))
    named = [item for item in found if STATEMENT_NAME.fullmatch(item.name)]
    return sorted(
        (item for item in named if item.is_file(follow_symlinks=False)),
        key=lambda item: item.path,
    )


def list_tree(directory: Path) -> dict[str, os.DirEntry[str]]:
    """Every file below `directory` (a link is a file: never followed), by its '/'-separated
    relative path. Its scandir entry keeps the status it is asked for once: a site's tree
    has tens of thousands of files, each listed and checked on every build."""
    found: dict[str, os.DirEntry[str]] = {}
    folders = [(os.fspath(directory), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, prefix + entry.name + "/"))
                else:
                    found[prefix + entry.name] = entry
    return found


def status_tree(directory: Path) -> dict[str, Status]:
    """Every file below `directory`, as list_tree gives it, with its status (not followed:
    a link's own, its size NOT_A_FILE); a file gone since it was listed is left out."""
    found: dict[str, Status] = {}
    for rel, entry in list_tree(directory).items():
        with contextlib.suppress(FileNotFoundError):
            st = entry.stat(follow_symlinks=False)
            size = st.st_size if stat.S_ISREG(st.st_mode) else NOT_A_FILE
            found[rel] = (size, st.st_mtime_ns, st.st_ino)
    return found


class Survey:
    """status_tree(directory), made by a forked child while the build reads the site: on a
    virtual disk, listing and checking a site's 10,000 output files was a tenth of adding
    a statement. The survey holds only until another build writes into the folder (a
    build makes and removes its unfinished marker there): see still_holds()."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._folder = _folder_status(directory)
        self._child = Forked(functools.partial(status_tree, directory))
        self._found: dict[str, Status] | None = None

    def result(self) -> dict[str, Status]:
        """The survey (raises OSError as status_tree does, when the child could not list)."""
        if self._found is None:
            found = self._child.result()
            self._found = {rel: (status[0], status[1], status[2]) for rel, status in found.items()}
        return self._found

    def still_holds(self) -> bool:
        """True while the folder itself is as it was when the survey began."""
        return self._folder is not None and _folder_status(self.directory) == self._folder

    def close(self) -> None:
        """Reap the child, if its result was not asked for."""
        self._child.close()


def _folder_status(directory: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(directory, follow_symlinks=False)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def same_content(path: Path, content: bytes | Path) -> bool:
    """True when the file at `path` holds exactly `content`."""
    try:
        if isinstance(content, Path):
            return _same_file(path, content)
        if path.stat().st_size != len(content):
            return False
        return path.read_bytes() == content
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as first, open(b, "rb") as second:
        while chunk := first.read(1 << 20):
            if chunk != second.read(1 << 20):
                return False
    return True

"""The files a build reads and writes, listed with scandir: a site has tens of thousands,
listed on every build (a path and a stat call each would be most of a no-change check).
Standard library only, for the no-change check's sake."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

WATCHED_FILES = ("feedpub.yaml",)
WATCHED_DIRS = ("entries", "static", "templates")


def scan_sources(root: Path) -> dict[str, list[int]]:
    """Size and mtime of every file a build reads, by path relative to the root."""
    found: dict[str, list[int]] = {}
    for name in WATCHED_FILES:
        with contextlib.suppress(OSError):
            st = os.stat(os.path.join(root, name), follow_symlinks=False)
            found[name] = [st.st_size, st.st_mtime_ns]
    folders = [(os.path.join(root, name), name + os.sep) for name in WATCHED_DIRS]
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
                    continue
                st = entry.stat(follow_symlinks=False)
                found[shown + entry.name] = [st.st_size, st.st_mtime_ns]
    return found


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

"""Where a site's build cache lives, and how its files are read: never through a link, never
from a named pipe or a device, never past a size (a cache restored in CI may hold anything).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from feedpub.errors import Problems
from feedpub.read import read_bytes
from feedpub.stamp import digest

# A cache file is not read past this size: entries.txt holds about 1.5 KB a statement (150
# MB at 100,000); a larger site's builds compile every entry, as a cold build does.
MAX_CACHE_FILE = 1 << 30


def cache_folder(root: Path) -> Path:
    """The cache folder of the site at `root`, outside it."""
    base = os.environ.get("FEEDPUB_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "feedpub")
    absolute = os.path.abspath(root)
    return Path(base) / f"{Path(absolute).name or 'site'}-{digest(absolute)[:16]}"


def contents(path: Path) -> bytes | None:
    """The bytes of the cache file at `path`, or None: not a file (a named pipe planted there
    would block every build and check), a link, or past MAX_CACHE_FILE (a link to /dev/zero,
    a sparse file of 30 GB): as a file that does not read back, it is ignored."""
    return read_bytes(path, path.name, Problems(), limit=MAX_CACHE_FILE)


def real(path: Path, kind: Callable[[int], bool]) -> None:
    """Remove what is at `path` unless it is of `kind` (stat.S_ISDIR, S_ISREG): a link, above
    all, is never followed."""
    with contextlib.suppress(FileNotFoundError):
        if not kind(os.lstat(path).st_mode):
            os.unlink(path)

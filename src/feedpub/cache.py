"""The build cache: safe to delete, kept outside the site, never read from public/.

It lives in the user's cache folder ($FEEDPUB_CACHE_DIR, else $XDG_CACHE_HOME/feedpub, else
~/.cache/feedpub), one folder per site, and never in the site itself: it is pickled, and a
pickle from a pull request could run code on whoever builds that branch.

Two kinds of file, each stamped with feedpub's version, its libraries' versions and a hash
of its own source; a file with another stamp is ignored:
- entries.pickle: every compiled entry by a key that hashes the file's bytes with all that
  its compilation depends on, so an unchanged entry is neither re-parsed nor re-rendered;
- manifest-<out>.pickle: what the last build read (size and mtime of every source file) and
  wrote (a content key, size, mtime and inode for every output file). When the sources are as
  they were and the output is as it was left, a build has nothing to do and stops there.

This module imports only the standard library, so the no-change check starts fast.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from feedpub import __version__

WATCHED_FILES = ("feedpub.yaml",)
WATCHED_DIRS = ("entries", "static", "templates")
_FORMAT = 3  # bump when what is pickled changes shape
_CHUNK = 2000
# The libraries whose output ends up in public/: a new version of any may change it.
_LIBRARIES = ("PyYAML", "pyromark", "nh3", "Jinja2", "MarkupSafe", "feedgen", "lxml", "anyascii")


def digest(*parts: bytes | str) -> str:
    """A short, stable hash of its parts, in order."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@functools.cache
def stamp() -> str:
    """What a cache was made by: feedpub (its version and the hash of its own files, for an
    editable install) and the version of every library whose output reaches public/."""
    package = Path(__file__).parent
    parts: list[bytes | str] = [str(_FORMAT), __version__]
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".html", ".css")):
                path = Path(folder, name)
                parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for library in _LIBRARIES:
        try:
            parts += [library, metadata.version(library)]
        except metadata.PackageNotFoundError:
            parts += [library, "-"]
    return digest(*parts)


def cache_folder(root: Path) -> Path:
    """The cache folder of the site at `root`, outside it."""
    base = os.environ.get("FEEDPUB_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "feedpub")
    absolute = os.path.abspath(root)
    return Path(base) / f"{Path(absolute).name or 'site'}-{digest(absolute)[:16]}"


def scan_sources(root: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every file a build reads, by path relative to the root (a link's
    target's, since the build reads through links where it allows them)."""
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED_FILES:
        try:
            st = os.stat(root / name)
        except OSError:
            continue
        found[name] = (st.st_size, st.st_mtime_ns)
    for name in WATCHED_DIRS:
        for folder, subfolders, files in os.walk(root / name):
            subfolders.sort()
            for file_name in files:
                path = os.path.join(folder, file_name)
                try:
                    st = os.stat(path)
                except OSError:  # a broken link: the build reports it
                    found[os.path.relpath(path, root)] = (-1, -1)
                    continue
                found[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return found


@dataclass(frozen=True, slots=True)
class Record:
    """What a build remembers of one output file."""

    key: str
    size: int
    mtime_ns: int
    ino: int

    def matches(self, st: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.ino) == (st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass(slots=True)
class Manifest:
    """What the last build into one output folder read, wrote and reported."""

    sources: dict[str, tuple[int, int]]
    outputs: dict[str, Record]
    preview: bool
    shown_root: str  # how paths were shown: warnings replayed must read the same
    newest: float | None  # the latest date published, as a POSIX timestamp
    held_until: float | None  # the earliest embargo's release, as a POSIX timestamp
    result: Any  # the BuildResult to replay when nothing has changed


class Cache:
    """The cache folder of one site; every failure to read or write it is ignored."""

    def __init__(self, root: Path) -> None:
        self.directory = cache_folder(root)

    def _load(self, name: str) -> Any:
        try:
            with open(self.directory / name, "rb") as handle:
                made_by, value = pickle.load(handle)  # noqa: S301 - ours, outside the site
        except Exception:
            return None
        return value if made_by == stamp() else None

    def _save(self, name: str, value: Any) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".{name}.{os.getpid()}"
            with open(temporary, "wb") as handle:
                pickle.dump((stamp(), value), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.directory / name)
        except OSError:
            pass

    @staticmethod
    def _manifest_name(out: Path) -> str:
        return f"manifest-{digest(os.path.abspath(out))}.pickle"

    def manifest(self, out: Path) -> Manifest | None:
        value = self._load(self._manifest_name(out))
        return value if isinstance(value, Manifest) else None

    def save_manifest(self, out: Path, manifest: Manifest) -> None:
        self._save(self._manifest_name(out), manifest)

    def entries(self) -> dict[str, Any]:
        """Every cached entry by key, read chunk by chunk (see save_entries)."""
        found: dict[str, Any] = {}
        try:
            with open(self.directory / "entries.pickle", "rb") as handle:
                if pickle.load(handle) != stamp():  # noqa: S301 - ours, outside the site
                    return {}
                while chunk := pickle.load(handle):  # noqa: S301
                    found.update(chunk)
        except Exception:
            return {}
        return found

    def save_entries(self, entries: dict[str, Any]) -> None:
        """Pickle in chunks: one pickle of 100,000 entries would need a memo table of
        every object in it, hundreds of megabytes at the peak of a build."""
        items = list(entries.items())
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".entries.pickle.{os.getpid()}"
            with open(temporary, "wb") as handle:
                pickle.dump(stamp(), handle, pickle.HIGHEST_PROTOCOL)
                for start in range(0, len(items), _CHUNK):
                    chunk = dict(items[start : start + _CHUNK])
                    pickle.dump(chunk, handle, pickle.HIGHEST_PROTOCOL)
                pickle.dump({}, handle, pickle.HIGHEST_PROTOCOL)  # the end
            os.replace(temporary, self.directory / "entries.pickle")
        except OSError:
            pass


def output_untouched(out: Path, outputs: dict[str, Record]) -> bool:
    """True when `out` holds exactly the files a manifest lists, each as it was left."""
    seen = 0
    for folder, _, files in os.walk(out):
        rel_folder = os.path.relpath(folder, out)
        for name in files:
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            record = outputs.get(rel.replace(os.sep, "/"))
            if record is None:
                return False
            try:
                st = os.stat(os.path.join(folder, name), follow_symlinks=False)
            except OSError:
                return False
            if not record.matches(st):
                return False
            seen += 1
    return seen == len(outputs)


@dataclass(frozen=True, slots=True)
class Probe:
    """What the no-change check read: the last manifest, and the sources as they are now."""

    manifest: Manifest | None
    sources: dict[str, tuple[int, int]]
    up_to_date: bool


def probe(root: Path, out: Path, now_timestamp: float, *, preview: bool, shown_root: str) -> Probe:
    """Check whether nothing the last build read or wrote has changed since, and whether
    "now" still falls where it did: after the newest statement it published and before the
    first one it held back."""
    manifest = Cache(root).manifest(out)
    sources = scan_sources(root)
    if manifest is None or manifest.preview != preview or manifest.shown_root != shown_root:
        return Probe(None, sources, up_to_date=False)
    fresh = (
        (manifest.newest is None or manifest.newest <= now_timestamp)
        and (manifest.held_until is None or now_timestamp < manifest.held_until)
        and sources == manifest.sources
        and output_untouched(out, manifest.outputs)
    )
    return Probe(manifest, sources, up_to_date=fresh)

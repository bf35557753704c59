"""The build cache in .feedpub-cache/: safe to delete, never read from public/.

Two files, both checked against feedpub's version before use:
- entries.pickle: every compiled entry by a key that hashes the file's bytes with all that
  its compilation depends on, so an unchanged entry is neither re-parsed nor re-rendered;
- manifest-<out>.pickle: what the last build read (size and mtime of every source file) and
  wrote (a content key, size, mtime and inode for every output file). When the sources are as
  they were and the output is as it was left, a build has nothing to do and stops there.

This module imports only the standard library, so the no-change check starts fast.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedpub import __version__

CACHE_DIR = ".feedpub-cache"
WATCHED_FILES = ("feedpub.yaml",)
WATCHED_DIRS = ("entries", "static", "templates")
_FORMAT = 2  # bump when what is pickled changes shape
_CHUNK = 2000


def digest(*parts: bytes | str) -> str:
    """A short, stable hash of its parts, in order."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def scan_sources(root: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every file a build reads, by path relative to the root."""
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED_FILES:
        try:
            st = os.stat(root / name)
        except OSError:
            continue
        found[name] = (st.st_size, st.st_mtime_ns)
    # feedpub's own templates too: an editable install can change them without a new version.
    own = Path(__file__).parent / "templates"
    for name in sorted(os.listdir(own)):
        st = os.stat(own / name)
        found[f"(feedpub)/templates/{name}"] = (st.st_size, st.st_mtime_ns)
    for name in WATCHED_DIRS:
        for folder, subfolders, files in os.walk(root / name):
            subfolders.sort()
            for file_name in files:
                path = os.path.join(folder, file_name)
                try:
                    st = os.stat(path, follow_symlinks=False)
                except OSError:
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
    version: str
    sources: dict[str, tuple[int, int]]
    outputs: dict[str, Record]
    preview: bool
    held_until: float | None  # the earliest embargo's release, as a POSIX timestamp
    extra: dict[str, Any] = field(default_factory=dict)


class Cache:
    """The cache folder of one site; every failure to read or write it is ignored."""

    def __init__(self, root: Path) -> None:
        self.directory = root / CACHE_DIR

    def _load(self, name: str) -> Any:
        try:
            with open(self.directory / name, "rb") as handle:
                stamp, value = pickle.load(handle)  # noqa: S301 - our own file, written below
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            return None
        except Exception:
            return None
        return value if stamp == (_FORMAT, __version__) else None

    def _save(self, name: str, value: Any) -> None:
        try:
            self.directory.mkdir(exist_ok=True)
            (self.directory / ".gitignore").write_text("*\n")
            temporary = self.directory / f".{name}.{os.getpid()}"
            with open(temporary, "wb") as handle:
                pickle.dump(((_FORMAT, __version__), value), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.directory / name)
        except OSError:
            pass

    @staticmethod
    def _manifest_name(out: Path) -> str:
        return f"manifest-{digest(str(out))}.pickle"

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
                if pickle.load(handle) != (_FORMAT, __version__):  # noqa: S301 - our own file
                    return {}
                while chunk := pickle.load(handle):  # noqa: S301
                    found.update(chunk)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return {}
        return found

    def save_entries(self, entries: dict[str, Any]) -> None:
        """Pickle in chunks: one pickle of 100,000 entries would need a memo table of
        every object in it, hundreds of megabytes at the peak of a build."""
        items = list(entries.items())
        try:
            self.directory.mkdir(exist_ok=True)
            (self.directory / ".gitignore").write_text("*\n")
            temporary = self.directory / f".entries.pickle.{os.getpid()}"
            with open(temporary, "wb") as handle:
                pickle.dump((_FORMAT, __version__), handle, pickle.HIGHEST_PROTOCOL)
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


def probe(root: Path, out: Path, now_timestamp: float, *, preview: bool) -> Probe:
    """Check whether nothing the last build read or wrote has changed since."""
    manifest = Cache(root).manifest(out)
    sources = scan_sources(root)
    if manifest is None or manifest.version != __version__ or manifest.preview != preview:
        return Probe(None, sources, up_to_date=False)
    fresh = (
        (manifest.held_until is None or now_timestamp < manifest.held_until)  # no embargo ended
        and sources == manifest.sources
        and output_untouched(out, manifest.outputs)
    )
    return Probe(manifest, sources, up_to_date=fresh)


def fingerprint_files(paths: Iterable[Path]) -> str:
    """One key for the bytes of several files (templates), in the order given."""
    parts: list[bytes | str] = []
    for path in paths:
        parts += [path.name, path.read_bytes()]
    return digest(*parts)

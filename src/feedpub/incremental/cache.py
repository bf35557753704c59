"""The build cache: what the last build read and wrote. It lives outside the site
($FEEDPUB_CACHE_DIR, else $XDG_CACHE_HOME/feedpub, else ~/.cache/feedpub), one folder per
site, and holds:
- `entries.txt`: compiled entries, by a key hashing each file's bytes with all that
  compiling it depends on, one line each (the key, then the entry as JSON: an unchanged
  entry's line is written back as it was read), after a line giving each entry file's
  size, mtime, ctime and key (a file listed so is not read again); their bodies in
  `bodies/`, append-only segments read on demand (with, while a build compiles, each
  worker's lines);
- per output folder, `manifest-*.json` (what the last build read: each source's size,
  mtime and ctime; what it wrote: a key, size, mtime, inode, phase and the hash of its bytes per
  output; what it reported)
  and `deps-*.json` (the dependencies each output recorded while it was rendered).

Every file is JSON or plain text stamped with feedpub's and its libraries' versions: a
cache file can never run code, and one that does not read back is ignored; a link in it
(the cache's folder, `bodies/`, a segment, the lock) is never followed. Standard
library and the model only: the no-change check starts fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
import stat
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from feedpub.forked import Forked, can_fork
from feedpub.incremental.appending import Appending
from feedpub.incremental.folder import cache_folder, contents, real
from feedpub.incremental.recording import Dependencies
from feedpub.listing import Status
from feedpub.model import Body, BuildResult, Entry, close_segment
from feedpub.pickled import across_processes
from feedpub.stamp import digest, stamp
from feedpub.stored import Reader, converted, encode

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: builds there are not locked
    fcntl = None  # type: ignore[assignment]

ENTRIES = "entries.txt"
_SEGMENT = re.compile(r"\d+-[0-9a-f]{12}\.txt")
_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{32}")  # see _save_lines
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
SAVED_APART_UP_TO = 20_000  # compiled entries saved by a child while a build goes on


# --- the cache folder --------------------------------------------------------------------


@across_processes
@dataclass(frozen=True, slots=True)
class Record:
    """What a build remembers of one output file: its key and the file as it left it."""

    key: str
    size: int
    mtime_ns: int
    ino: int
    phase: int = 0  # write.Phase: removals go in the reverse order
    # The hash of the bytes written (stamp.content_hash), or "" for a file copied as it is:
    # the same file put back with another time and inode (public/ restored from a CI
    # cache) is known by them.
    content: str = ""

    def matches(self, status: Status | None) -> bool:
        """True when a file's status (listing.Status) is as this build left the file."""
        return (self.size, self.mtime_ns, self.ino) == status


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the last build into one output folder read, wrote and reported."""

    sources: dict[str, list[int]]
    outputs: dict[str, Record]
    preview: bool
    shown_root: str  # how paths were shown: warnings replayed must read the same
    newest: float | None  # the latest date published, as a POSIX timestamp
    held_until: float | None  # the earliest embargo's release, as a POSIX timestamp
    result: BuildResult


# How each file is read back: checked against its types by msgspec (stored.Reader).
_MANIFEST = Reader(tuple[str, Manifest])
_DEPENDENCIES = Reader(tuple[str, tuple[list[str], dict[str, list[int]]]])
_FILES = Reader(tuple[str, dict[str, tuple[int, int, int, str]]])  # entries.txt's second line


@functools.cache
def _compiled_reader() -> Reader:
    from feedpub.validate import Compiled  # heavy: not on the no-change path

    return Reader(Compiled)


# Where an entry's body stands in its stored list of fields (stored.converted).
_BODY_FIELD = [f.name for f in dataclasses.fields(Entry)].index("body")


class Cache:
    """The cache folder of one site; a failure to read or write it only costs speed."""

    def __init__(self, root: Path) -> None:
        self.directory = cache_folder(root)
        self.bodies = self.directory / "bodies"
        self._read: dict[bytes, bytes] = {}  # entries.txt's lines as read, by key
        self._made: dict[bytes, tuple[str, int, int]] = {}  # lines a worker stored (see keep)
        self._files: tuple[str, dict[str, tuple[int, int, int, str]]] = ("", {})
        self._segment_sizes: dict[str, tuple[str, int]] = {}  # segment -> (path, size)
        self._appending: dict[str, Appending] = {}  # this process's segment, file of lines
        self._holding = False  # the lock: a child saving entries is waited for as it goes
        self._saving: Forked | None = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One build or check of a site at a time uses its cache."""
        try:
            self._made_real()
            lock = self.directory / "lock"
            real(lock, stat.S_ISREG)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | _NO_FOLLOW, 0o600)
        except OSError:
            yield  # an unwritable cache: nothing to protect
            return
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            self._holding = True
            yield
        finally:
            self._holding = False
            saving, self._saving = self._saving, None
            if saving is not None:
                saving.result()  # saved here if the child could not
            with contextlib.suppress(OSError):  # left by a process killed as it saved
                for name in os.listdir(self.directory):
                    if _TEMPORARY.fullmatch(name):
                        os.unlink(self.directory / name)
            os.close(fd)

    def _load(self, name: str, reader: Reader) -> Any:
        """A file _save() wrote, its value checked and made by `reader`; None if it does
        not read back (made by another feedpub or library, or not as saved)."""
        data = contents(self.directory / name)
        try:
            # Datetimes with their offsets as stored: an embargo's release replayed reads
            # as the build that found it wrote it (10:00+01:00, not 09:00+00:00).
            made_by, value = reader.read(data, None) if data is not None else (None, None)
        except ValueError:
            return None
        return value if made_by == stamp() else None

    def _save(self, name: str, value: Any) -> None:
        self._save_lines(name, [encode([stamp(), value])])

    def _save_lines(self, name: str, lines: Iterable[bytes]) -> bool:
        """Write `lines` (made as they are written: 100,000 entries are 150 MB) to `name`,
        which is replaced only once they all are. False when that failed."""
        temporary = self.directory / f".{name}.{uuid.uuid4().hex}"
        try:
            self._made_real()
            with open(temporary, "wb") as handle:
                handle.writelines(lines)
            os.replace(temporary, self.directory / name)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
            return False
        return True

    def _made_real(self, *inside: Path) -> None:
        """Make the cache's folder (and `inside` it) real folders: anything else found there,
        a link above all (a CI cache restored with one), is removed, never written through."""
        for folder in (self.directory, *inside):
            real(folder, stat.S_ISDIR)
            folder.mkdir(parents=True, exist_ok=True)

    # Compiled entries: their fields here, their bodies in the body store.

    def store_body(self, html: str, absolute: str) -> Body:
        """Append a body to this process's segment; kept in memory if that fails."""
        data = html.encode()
        extra = b"" if absolute == html else absolute.encode()
        try:
            segment, offset = self._append(".txt", data + extra)
        except OSError:
            return Body(html, absolute)
        return Body(stored=(segment, offset, len(data), len(extra)))

    def _append(self, suffix: str, data: bytes) -> tuple[str, int]:
        """Append `data` to this process's file of `suffix` among the bodies; return the
        file and where `data` starts in it."""
        found = self._appending.get(suffix)
        if found is None or found.pid != os.getpid():  # none yet, or a forked worker's
            self._made_real(self.bodies)
            path = self.bodies / f"{os.getpid()}-{uuid.uuid4().hex[:12]}{suffix}"
            found = self._appending[suffix] = Appending(path)
        try:
            return str(found.path), found.append(data)
        except OSError:
            del self._appending[suffix]  # a disk full or failing: a new file next time
            raise

    def compiled(self, zone: tzinfo) -> dict[str, Any]:
        """Every cached compiled entry by key (validate.Compiled); {} if none reads back."""
        data = contents(self.directory / ENTRIES)
        try:
            if data is None:
                return {}
            made_by, files, *lines = data.split(b"\n")
            if made_by != stamp().encode():
                return {}
            self._files = _FILES.read(files, zone)
            # Kept as read: an entry still compiled to the same key is written back as it is.
            for line in lines:
                key, _, data = line.partition(b" ")
                if data:
                    self._read[key] = data
            reader = _compiled_reader()
            return {
                key.decode(): reader.build(self._placed(reader.decode(line)), zone)
                for key, line in self._read.items()
            }
        except (ValueError, OSError, OverflowError):  # Overflow: a time past 9999 in the zone
            self._read = {}
            self._files = ("", {})
            return {}

    def files(self, context: str) -> dict[str, tuple[int, int, int, str]]:
        """Each entry file's status (size, mtime, ctime: listing.source_status) and key, as
        the last build compiling entries in `context` listed them (read by compiled())."""
        return self._files[1] if self._files[0] == context else {}

    def _placed(self, data: Any) -> Any:
        """A stored compiled entry (checked, not yet made: see stored.Reader) whose body is
        named by its segment's file name alone, placed in this cache's body folder: a
        planted cache file cannot make a build read (and so publish) any file outside it,
        nor a body past the end of a segment."""
        entry = data[0]
        if entry is None or entry[_BODY_FIELD][2] is None:
            return data
        html, absolute, (name, offset, html_size, absolute_size) = entry[_BODY_FIELD]
        if not _SEGMENT.fullmatch(name):
            raise ValueError(name)
        segment = self._segment_sizes.get(name)
        if segment is None:  # a handful of segments for thousands of entries
            path = os.path.join(self.bodies, name)
            st = os.stat(path, follow_symlinks=False)
            if os.path.islink(self.bodies) or not stat.S_ISREG(st.st_mode):
                raise ValueError(name)  # a link: never read through
            segment = self._segment_sizes[name] = (path, st.st_size)
        if offset < 0 or min(html_size, absolute_size) < 0:
            raise ValueError(name)
        if offset + html_size + absolute_size > segment[1]:
            raise ValueError(name)  # a truncated segment: compile again
        body = (html, absolute, (segment[0], offset, html_size, absolute_size))
        return ((*entry[:_BODY_FIELD], body, *entry[_BODY_FIELD + 1 :]), *data[1:])

    def save_compiled(
        self, compiled: list[Any], context: str, files: dict[str, tuple[int, int, int, str]]
    ) -> None:
        """Remember compiled entries (bodies to the store) and each entry file's size, time
        and key (see files()); drop segments none uses. While the cache is locked, a forked
        child saves them as the build goes on (a twentieth of adding a statement to 10,000),
        waited for as the lock is let go of; not for a larger site (the child copies each
        page of the parent it reads from: 100,000 entries' lines and objects)."""
        self._appending = {}  # its files of lines are deleted: what follows goes to new ones
        if self._holding and can_fork() and len(compiled) <= SAVED_APART_UP_TO:
            self._saving = Forked(functools.partial(self._save_compiled, compiled, context, files))
            self._read, self._made = {}, {}  # the child's now
            return
        self._save_compiled(compiled, context, files)

    def _save_compiled(
        self, compiled: list[Any], context: str, files: dict[str, tuple[int, int, int, str]]
    ) -> None:
        used: set[str] = set()
        saved = self._save_lines(ENTRIES, self._lines(compiled, context, files, used))
        self._read, self._made = {}, {}  # not needed again: 100,000 entries' data let go of
        if not saved:
            return  # `used` may not be whole: every segment is kept
        with contextlib.suppress(OSError):
            (self.directory / "entries.json").unlink(missing_ok=True)  # feedpub 0.2.0's
            real(self.bodies, stat.S_ISDIR)  # a link's folder is not emptied
            for segment in self.bodies.iterdir():
                if segment.name not in used:
                    close_segment(str(segment))
                    segment.unlink()

    def _lines(
        self,
        compiled: Iterable[Any],
        context: str,
        files: dict[str, tuple[int, int, int, str]],
        used: set[str],
    ) -> Iterator[bytes]:
        """entries.txt's lines, each compiled entry's as read when it is unchanged, or as a
        worker stored it; the segments their bodies are in are added to `used`."""
        yield stamp().encode() + b"\n" + encode([context, files]) + b"\n"
        with contextlib.ExitStack() as opened:
            handles: dict[str, BinaryIO] = {}
            for item in compiled:
                entry, key = item.entry, item.key.encode()
                line, made = self._read.get(key), self._made.get(key)
                if made is not None:  # compiled now (a cached one refused, say): one at a time
                    if made[0] not in handles:
                        handles[made[0]] = opened.enter_context(open(made[0], "rb"))
                    handles[made[0]].seek(made[1])
                    line = handles[made[0]].read(made[2])
                if line is None or (entry is not None and entry.body.stored is None):
                    if entry is not None and entry.body.stored is None:
                        body = self.store_body(entry.body.html, entry.body.absolute)
                        entry = dataclasses.replace(entry, body=body)
                        item = dataclasses.replace(item, entry=entry)
                    line = self.encode(item)
                if entry is not None and entry.body.stored is not None:
                    used.add(os.path.basename(entry.body.stored[0]))
                yield key + b" " + line + b"\n"

    @staticmethod
    def encode(item: Any) -> bytes:
        """A compiled entry as its line in entries.txt holds it, after its key: JSON (which
        escapes a line break in a string), its body named by its segment's name alone."""
        data = converted(item)  # (lists: the body's place is written in)
        if item.entry is not None and item.entry.body.stored is not None:
            segment, *place = item.entry.body.stored
            data[0][_BODY_FIELD][2] = [os.path.basename(segment), *place]
        return encode(data)

    def store_line(self, item: Any) -> bytes | tuple[str, int, int]:
        """A compiled entry's line (see encode), appended to this process's file of lines
        beside the bodies: only where it stands travels back from a forked worker, for
        keep() (100,000 lines held at once by the building process are 150 MB)."""
        line = self.encode(item)
        try:
            path, offset = self._append(".lines", line)
        except OSError:
            return line
        return path, offset, len(line)

    def keep(self, key: str, line: bytes | tuple[str, int, int]) -> None:
        """A compiled entry's line, or where store_line() put it, to write in entries.txt."""
        if isinstance(line, bytes):
            self._read[key.encode()] = line
        else:
            self._made[key.encode()] = line

    # What the last build of one output folder read and wrote.

    @staticmethod
    def _names(out: Path) -> tuple[str, str]:
        key = digest(os.path.abspath(out))
        return f"manifest-{key}.json", f"deps-{key}.json"

    def manifest(self, out: Path) -> Manifest | None:
        return self._load(self._names(out)[0], _MANIFEST)  # type: ignore[no-any-return]

    def dependencies(self, out: Path) -> Dependencies:
        value = self._load(self._names(out)[1], _DEPENDENCIES)
        if value is None:
            return Dependencies([], {})  # not as saved: every output is made again
        tokens, outputs = value
        count = len(tokens)
        for numbers in outputs.values():  # each a token's place in `tokens`
            if numbers and (min(numbers) < 0 or max(numbers) >= count):
                return Dependencies([], {})
        return Dependencies(tokens, outputs)

    def save_build(self, out: Path, manifest: Manifest, dependencies: Dependencies) -> None:
        """Remember what the build wrote (the manifest) and what each output read."""
        manifest_name, deps_name = self._names(out)
        self._save(deps_name, [dependencies.tokens, dependencies.outputs])
        self._save(manifest_name, converted(manifest))  # as to_data() would: 3x faster

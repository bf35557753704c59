"""A file one process appends to, kept open: one system call a piece, where opening and
closing it for each (the body store's pieces are an entry's body and its cache line) was a
fourteenth of compiling an entry."""

from __future__ import annotations

import os
import weakref
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC


class Appending:
    """A new file at `path`, made now, for this process (`pid`) to append to. Closed with
    the object, or at exit."""

    def __init__(self, path: Path) -> None:
        self.path, self.pid, self.size = path, os.getpid(), 0
        fd = os.open(path, _FLAGS, 0o666)  # new: no link followed; the umask decides
        self._fd = fd
        weakref.finalize(self, os.close, fd)

    def append(self, data: bytes) -> int:
        """Write `data` at the end; return where it starts. After an error, part of it
        may be written: the size counts what was, so later pieces stand where it says."""
        offset = self.size
        rest = memoryview(data)
        while rest:
            written = os.write(self._fd, rest)
            self.size += written
            rest = rest[written:]
        return offset

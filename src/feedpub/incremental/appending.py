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
        """Write `data` at the end; return where it starts. After an OSError the file's
        size is unknown: append nothing more to it."""
        offset = self.size
        rest = memoryview(data)
        while rest:
            rest = rest[os.write(self._fd, rest) :]
        self.size += len(data)
        return offset

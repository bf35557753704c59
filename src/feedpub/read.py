"""The one way a site's file is read: with a bound, never through a link, never from a pipe.

A file is refused by its size before a byte is read (a 3 GB sparse file costs nothing),
opened without following a symbolic link (a link could lead outside the site), and never
read from a named pipe, a socket or a device, which could block or never end.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from feedpub.errors import Problems

MAX_FILE_BYTES = 1024 * 1024


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def too_large(size: int, limit: int = MAX_FILE_BYTES) -> str:
    return (
        f"file is {size:,} bytes; a file may hold at most {limit:,} bytes: shorten it (a"
        " long document can be published as an attachment, `attachments:`)"
    )


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def check_readable(path: str | Path, shown: str, problems: Problems) -> bool:
    """Whether a file copied as it is (a static file, an attachment) can be opened to read;
    if not, add why: found as the site is read, not as its copy is written."""
    try:
        os.close(os.open(path, _OPEN_FLAGS))
    except OSError as exc:
        problems.add(shown, f"cannot read: {exc.strerror}", line=0)
        return False
    return True


def read_bytes(
    path: str | Path, shown: str, problems: Problems, limit: int = MAX_FILE_BYTES
) -> bytes | None:
    """Read a site's file, or add why not and return None: never more than `limit` + 1
    bytes (a 3 GB file is refused by its size, unread), never through a symbolic link, and
    never from a named pipe or a device, which could block or never end."""
    try:
        # Non-blocking: opening a named pipe to read would wait for a writer.
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problems.add(shown, "is a symbolic link; keep the real file in the site", line=0)
        else:
            problems.add(shown, f"cannot read: {exc.strerror}", line=0)
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = file_kind(st.st_mode)
            problems.add(shown, f"is {kind}, not a file; keep only files here", line=0)
            return None
        if st.st_size > limit:
            problems.add(shown, too_large(st.st_size, limit))
            return None
        # Its size and one byte more (a file grown since is seen growing), not the limit:
        # os.read allocates what it is asked for, a megabyte a file, mapped and unmapped.
        data, ask = b"", st.st_size + 1
        while len(data) <= limit and (chunk := os.read(fd, min(ask, limit + 1 - len(data)))):
            data, ask = data + chunk, 1 << 16
    except OSError as exc:
        problems.add(shown, f"cannot read: {exc.strerror}", line=0)
        return None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew since it was measured
        problems.add(shown, too_large(len(data), limit))
        return None
    return data


_BOMS = {  # UTF-32's first: its little-endian mark begins with UTF-16's
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 told by its NUL bytes where no byte-order mark says so: text of
    Latin letters (as YAML's field names are) has a NUL byte beside each, on one side."""
    sample = data[:400]
    if b"\x00" not in sample:  # as for every file saved as UTF-8: 10,000 of them a build
        return None
    for name, width in (("UTF-32", 4), ("UTF-16", 2)):
        if len(data) % width or len(sample) < 2 * width:
            continue
        units = [sample[i : i + width] for i in range(0, len(sample), width)]
        zeros = b"\x00" * (width - 1)
        little = sum(unit[1:] == zeros and unit[0] != 0 for unit in units)
        big = sum(unit[:-1] == zeros and unit[-1] != 0 for unit in units)
        if max(little, big) * 2 >= len(units):
            return name
    return None


def decode_utf8(path: str, data: bytes, problems: Problems, advice: str = "") -> str | None:
    """A site's text file as text, or None, adding where its first byte that is not UTF-8
    stands (with a hint when the file looks like Windows-1252) and `advice`."""
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            problems.add(path, f"file is encoded as {name}; {advice or 'save it as UTF-8'}")
            return None
    if wide := _wide_encoding(data):
        problems.add(
            path,
            f"file is encoded as {wide} without a byte-order mark (NUL bytes between its"
            f" letters); {advice or 'save it as UTF-8'}",
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        byte = data[exc.start]
        guess = ""
        try:
            data.decode("cp1252")
            if b"\x00" not in data:  # NUL bytes are a binary file's, not a text's
                guess = " (it looks like Windows-1252 or Latin-1)"
        except UnicodeDecodeError:
            pass
        problems.add(
            path,
            f"byte 0x{byte:02X} is not valid UTF-8{guess}; {advice or 'save the file as UTF-8'}",
            line=line,
            column=column,
        )
        return None

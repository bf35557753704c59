"""The table of every file a build writes, refusing two at one name: the same path, a
file where a folder must be, or names that differ only in case or in Unicode normalisation,
one name on a disk that ignores them (macOS's, Windows')."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from feedpub.errors import Problem
from feedpub.listing import source_status
from feedpub.slug import disk_key
from feedpub.stamp import digest
from feedpub.write import Made, Output, Phase

_CASE = ": one name on a disk that ignores case (macOS's, Windows')"


class Outputs(dict[str, Output]):
    """The files a build writes, refusing to write one path twice."""

    def __init__(self) -> None:
        super().__init__()
        self.origin: dict[str, str] = {}
        # Called before workers are forked to make them: what they share, made once.
        self.prepare: Callable[[], object] = lambda: None
        self.warnings: list[Problem] = []  # found as they were planned (a section alias)
        # Each file and each folder the outputs need, by disk_key: made once clash() is asked
        # (by aliases and static files only), then kept up to date as outputs are added.
        self._files: dict[str, str] | None = None
        self._folders: dict[str, str] = {}
        self._seen: set[str] = set()  # the folders in _folders, as written

    def _index(self) -> dict[str, str]:
        if self._files is None:
            self._files = {}
            for path in self:
                self._note(path)
        return self._files

    def _note(self, path: str) -> None:
        assert self._files is not None
        self._files.setdefault(disk_key(path), path)
        folder = path.rpartition("/")[0]
        while folder and folder not in self._seen:  # those above it are known already
            self._seen.add(folder)
            self._folders.setdefault(disk_key(folder), folder)
            folder = folder.rpartition("/")[0]

    def clash(self, path: str) -> str:
        """What planned output `path` would collide with ('' for nothing), in any case: a
        file of the same name, a folder where it would be a file, or a file where it needs
        a folder."""
        files = self._index()
        key = disk_key(path)
        other = files.get(key)
        if other is not None:
            case = "" if other == path else _CASE
            return f"{self.origin[other]}, which feedpub writes to public/{other}{case}"
        folder = self._folders.get(key)
        if folder is not None:
            case = "" if folder == path else _CASE
            return f"the folder public/{folder}/ that feedpub writes{case}"
        parts = key.split("/")
        for i in range(1, len(parts)):
            other = files.get("/".join(parts[:i]))
            if other is not None:
                case = "" if path.startswith(f"{other}/") else _CASE
                return f"{self.origin[other]}, which feedpub writes to public/{other}{case}"
        return ""

    def alias_clash(self, alias: str) -> str:
        """What an alias (an earlier address of a statement) would collide with, or ''."""
        return self.clash(page_file(alias))

    def add(self, output: Output, origin: str) -> None:
        if output.path in self:
            raise ValueError(f"{output.path} would be written twice ({self.origin[output.path]})")
        self[output.path] = output
        self.origin[output.path] = origin
        if self._files is not None:
            self._note(output.path)

    def add_file(self, path: str, source: Path, origin: str) -> None:
        """A file copied as it is (static/, attachments), keyed by its status (size, mtime
        and ctime: see listing.source_status)."""
        key = digest("file", str(source), *map(str, source_status(source.stat())))
        self.add(Output(path, Phase.ASSETS, functools.partial(Made, source, key), key), origin)


def page_file(path: str) -> str:
    """The file that answers an address: a folder's index.html, or the page itself."""
    return path + "index.html" if path.endswith("/") or not path else path

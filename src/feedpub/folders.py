"""What a site's folders may hold besides its entries: templates and static files (no link
out of the site, no pipe or device, nothing too large), and no statement saved where it
would be published as it is (static/) or not at all (the site's own folder, `entry/`)."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from feedpub.config import STATIC_DIR
from feedpub.errors import Problems, Severity
from feedpub.listing import STATEMENT_NAME, stray_statements
from feedpub.read import MAX_FILE_BYTES, check_readable, decode_utf8, file_kind, read_bytes
from feedpub.sitepaths import DEVICE_NAME_REASON
from feedpub.slug import is_device_name

if TYPE_CHECKING:
    from feedpub.gather import Project

TEMPLATE_DIR = "templates"

# A static file is published as it is; GitHub refuses files over 100 MB, and an office's
# site has no need of one. A template is read whole, so it is held to an entry's size.
MAX_STATIC_BYTES = 100 * 1024 * 1024
MAX_TEMPLATE_BYTES = MAX_FILE_BYTES


NOT_UTF8 = "the file's name is not UTF-8 text; rename it"
_TEMPLATE_TEXT = "templates/ holds only templates, which are text: save it as UTF-8, or move it out"


# What a computer or an editor leaves beside a template (a Mac's .DS_Store, Vim's
# .entry.html.swp, Emacs's entry.html~ and #entry.html#, Windows's Thumbs.db) is not text,
# and was read as a template: the check failed while an office edited one with `feedpub
# serve` running. It is no template (render/sitefiles.py).
_LEFT_BY_SYSTEMS = frozenset({"thumbs.db", "desktop.ini"})


def is_left_beside(name: str) -> bool:
    """Whether `name` (a path in templates/, `/`-separated, perhaps `./parts/x.html`) is a
    file a system or an editor leaves there, in any folder, or in a hidden folder (.git)."""
    parts = name.split("/")
    file = parts[-1]
    return (
        any(part.startswith(".") and part not in (".", "..") for part in parts)
        or file.endswith("~")
        or (file.startswith("#") and file.endswith("#"))
        or file.casefold() in _LEFT_BY_SYSTEMS
    )


def is_utf8(name: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python holds them as lone surrogates)."""
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


_PUBLISHED_AS_IT_IS = (
    "is named as a statement, and static/ is published as it is: a statement here would be"
    " public at once, embargo or draft. Move it into entries/; a data file, rename it"
)


def check_strays(project: Project, problems: Problems) -> None:
    """Warn of a file named as a statement in the site's folder, or in a folder of it
    feedpub does not read (`entry/`), as it would not be published."""
    for item in stray_statements(project.root):
        problems.add(
            project.show(os.path.relpath(item.path, project.root).replace(os.sep, "/")),
            "is named as a statement but is not in entries/, so it is not published:"
            " move it into entries/ if it is one",
            line=0,
            severity=Severity.WARNING,
        )


def check_folders(project: Project, problems: Problems) -> None:
    """A site's templates and static files are published or run: none may be a link to a
    file outside the site, as `templates/style.css -> ~/.ssh/id_rsa` would publish it, nor
    a named pipe or a device (reading one could wait for ever), nor too large."""
    why = "(a link could publish files from outside the site)"
    for folder, most in ((TEMPLATE_DIR, MAX_TEMPLATE_BYTES), (STATIC_DIR, MAX_STATIC_BYTES)):
        path = project.root / folder
        if path.is_symlink():
            problems.add(
                project.show(f"{folder}/"),
                f"is a symbolic link; make it a real folder {why}",
                line=0,
            )
            continue
        if not path.is_dir():
            continue
        # A folder that cannot be listed would otherwise be skipped: its files unpublished
        # (a CNAME among them), and no one told.
        unreadable = functools.partial(_unreadable, project, problems)
        for parent, subfolders, files in os.walk(path, onerror=unreadable):
            subfolders.sort()
            for name in sorted(subfolders + files):
                item = Path(parent, name)
                if folder == TEMPLATE_DIR and is_left_beside(item.relative_to(path).as_posix()):
                    if name in subfolders:
                        subfolders.remove(name)
                    continue  # never read, whatever it is (Emacs's lock is a dangling link)
                shown = project.show(item.relative_to(project.root).as_posix())
                try:
                    st = item.lstat()
                except OSError as exc:  # a folder that can be listed but not searched
                    problems.add(shown, f"cannot read: {exc.strerror}", line=0)
                    continue
                if not is_utf8(name):
                    problems.add(shown, NOT_UTF8, line=0)
                    if name in subfolders:
                        subfolders.remove(name)
                elif stat.S_ISLNK(st.st_mode):
                    if folder == TEMPLATE_DIR:  # static/'s links are refused as it is planned
                        problems.add(
                            shown,
                            f"is a symbolic link; {folder}/ may hold only real files {why}",
                            line=0,
                        )
                elif folder == STATIC_DIR and is_device_name(name):
                    problems.add(shown, DEVICE_NAME_REASON, line=0)
                elif folder == STATIC_DIR and STATEMENT_NAME.fullmatch(name):
                    problems.add(shown, _PUBLISHED_AS_IT_IS, line=0)
                elif stat.S_ISDIR(st.st_mode):
                    continue
                elif not stat.S_ISREG(st.st_mode):
                    problems.add(
                        shown,
                        f"is {file_kind(st.st_mode)}, not a file; {folder}/ may hold only files",
                        line=0,
                    )
                elif st.st_size > most:
                    problems.add(
                        shown,
                        f"is {st.st_size:,} bytes; a file in {folder}/ may hold at most"
                        f" {most:,} bytes",
                        line=0,
                    )
                elif folder == TEMPLATE_DIR:  # Jinja reads every template as UTF-8
                    data = read_bytes(item, shown, problems, most)
                    if data is not None:
                        decode_utf8(shown, data, problems, _TEMPLATE_TEXT)
                else:  # found now, not as it is copied into the output
                    check_readable(item, shown, problems)


def _unreadable(project: Project, problems: Problems, exc: OSError) -> None:
    where = os.path.relpath(exc.filename or project.root, project.root).replace(os.sep, "/")
    problems.add(project.show(f"{where}/"), f"cannot read: {exc.strerror}", line=0)

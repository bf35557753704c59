"""`feedpub init`: start an office's own site, ready to publish from GitHub.

Everything it writes comes from the files in `feedpub/starter/` (package data), with the
office's settings filled in: feedpub.yaml, a README, requirements.txt pinning this feedpub
and what it uses (pins.py), .gitignore, the workflows and Dependabot's settings. The
example statement is written by `feedpub new`'s own code, as a draft. Nothing is ever
overwritten: if any file init would write is there already, it names each one and writes
nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from feedpub import __version__, messages
from feedpub.config import CONFIG_NAME, STATIC_DIR, settings_from_bytes
from feedpub.errors import FeedpubError, Problem, Problems, Severity
from feedpub.gather import Project
from feedpub.listing import ENTRIES_DIR
from feedpub.pins import pinned
from feedpub.repository import published_branch, work_tree

# Package data -> where init writes it. Dotted names are stored without their dot, since
# package-data globs skip hidden files.
STARTER_FILES = {
    "feedpub.yaml": CONFIG_NAME,
    "README.md": "README.md",
    "requirements.txt": "requirements.txt",
    "gitignore": ".gitignore",
    "github/dependabot.yml": ".github/dependabot.yml",
    "github/workflows/feeds.yml": ".github/workflows/feeds.yml",
    "github/workflows/embargo.yml": ".github/workflows/embargo.yml",
}
FOLDERS = (ENTRIES_DIR, STATIC_DIR)  # made empty; entries/ then gets the example

# How the workflows install feedpub: an office's site, the release requirements.txt pins;
# feedpub's own repository, its checkout (a test keeps its workflow equal to the office's).
INSTALL_RELEASE = """\
      - name: Install feedpub (the release requirements.txt pins)
        run: |
          if ! pip install --requirement requirements.txt; then
            echo "::error file=requirements.txt::pip could not install what requirements.txt\
 pins. If it says 'No matching distribution found', no such release exists: run 'pip index\
 versions NAME' to list those that do, set one (NAME==X.Y.Z) in requirements.txt, and commit\
 it."
            exit 1
          fi"""
INSTALL_CHECKOUT = """\
      - name: Install feedpub from this checkout (an office's site installs a release)
        run: pip install ."""

_PLACEHOLDER = re.compile(r"@@([a-z_]+)@@")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What an office says about its site; each field has a flag and a question."""

    title: str
    publisher: str
    base_url: str
    language: str
    timezone: str


QUESTIONS = {
    "title": ("--title", "The site's title"),
    "publisher": ("--publisher", "Who publishes the statements (the feeds' author)"),
    "base_url": ("--base-url", "The address the site will be served at"),
    "language": ("--language", "The statements' language (BCP 47, such as en or fr)"),
    "timezone": ("--timezone", "The office's time zone (IANA, such as Europe/Paris)"),
}
DEFAULT_TITLE = "Press statements"
DEFAULT_PUBLISHER = "Press office"


@dataclass(frozen=True, slots=True)
class Created:
    """What init wrote, as shown to the user, and the settings left at a stand-in value."""

    root: str
    files: list[str]
    stand_ins: list[str]
    in_git: bool = False  # written in a git repository's work tree
    branch: str = "main"  # the workflow publishes what is pushed to it
    warnings: tuple[Problem, ...] = ()
    # Folders left empty, which git does not keep (and a .gitkeep in static/ would be
    # refused: static/ publishes no file whose name starts with a dot).
    empty: tuple[str, ...] = ()


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted scalar


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/,+@%~=?&-]*")
_GUESSES = re.compile(r"(?i)y|n|yes|no|on|off|true|false|null|[-+.0-9_:eE]+")  # YAML 1.1


def _scalar(text: str) -> str:
    """A setting as YAML: plain when it reads back as the same text, else double-quoted."""
    plain = _PLAIN.fullmatch(text) and not _GUESSES.fullmatch(text)
    return text if plain else _quoted(text)


def _markdown(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def read_starter(name: str) -> str:
    """A file of the starter site, as shipped in the package."""
    return (resources.files("feedpub") / "starter" / name).read_text(encoding="utf-8")


def render(template: str, values: dict[str, str]) -> str:
    """Fill `@@name@@` placeholders; an unknown name is a bug in the starter files."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def render_workflow(install: str, dependencies: str, branch: str = "main") -> str:
    """feeds.yml, installing feedpub as `install` says (INSTALL_RELEASE or INSTALL_CHECKOUT)."""
    text = read_starter("github/workflows/feeds.yml")
    return render(text, {"install": install, "dependencies": dependencies, "branch": branch})


def id_authority(base_url: str, now: datetime) -> str:
    """An RFC 4151 tagging entity from the site's address: its host, and this year."""
    host = (urlsplit(base_url).hostname or "").lower()
    return f"{host},{now:%Y}"


def starter_files(settings: Settings, now: datetime, branch: str = "main") -> dict[str, str]:
    """Every file init writes (but the example statement), by path in the site; the
    workflow deploys what is pushed to `branch`."""
    values = {
        "branch": branch,
        "version": __version__,
        "pins": "\n".join(pinned(__version__)),
        "title": _quoted(settings.title),
        "title_md": _markdown(settings.title),
        "publisher": _quoted(settings.publisher),
        "publisher_md": _markdown(settings.publisher),
        "publisher_plain": " ".join(settings.publisher.split()),
        "description": _quoted(_description(settings)),
        "base_url": _scalar(settings.base_url),
        "base_url_md": settings.base_url,  # checked: no spaces, quotes or <>
        "language": _scalar(settings.language),
        "timezone": _scalar(settings.timezone),
        "id_authority": _scalar(id_authority(settings.base_url, now)),
        "year": f"{now:%Y}",
        "install": INSTALL_RELEASE,
        "dependencies": "requirements.txt",
    }
    return {target: render(read_starter(name), values) for name, target in STARTER_FILES.items()}


def _has_dates(language: str) -> bool:
    """Whether CLDR (Babel) writes dates in `language` (or its primary subtag)."""
    return messages.dates_locale(language).language == language.split("-")[0].lower()


def _description(settings: Settings) -> str:
    """The site's description, in its language when feedpub has words in it."""
    text = messages.text_in(settings.language, {})
    return text.gettext("Statements from %(publisher)s.") % {"publisher": settings.publisher}


def settings_problems(settings: Settings, now: datetime) -> dict[str, str]:
    """What is wrong with each setting, by field name, as feedpub.yaml's own checks say it."""
    text = starter_files(settings, now)[CONFIG_NAME]
    problems = Problems()
    settings_from_bytes(CONFIG_NAME, text.encode(), problems)
    wrong: dict[str, str] = {}
    for problem in problems.errors:
        name = problem.field.split(".")[0]
        if name == "id_authority":  # made from base_url's host
            wrong.setdefault("base_url", "its host is no domain name to make permanent ids under")
        else:  # the description is made from the publisher's name
            wrong.setdefault(_ASKED_AS.get(name, name), problem.message)
    return wrong


_ASKED_AS = {"description": "publisher", "": "title"}


def placeholders(settings: Settings, given: dict[str, str | None]) -> list[str]:
    """The settings left at a stand-in value, to set before publishing."""
    stand_ins = {"title": DEFAULT_TITLE, "publisher": DEFAULT_PUBLISHER}
    return [
        f.name
        for f in fields(settings)
        if given.get(f.name) is None and stand_ins.get(f.name) == getattr(settings, f.name)
    ]


def init_site(root: Path, settings: Settings, now: datetime) -> Created:
    """Write a new site at `root`, or, if anything is in the way, raise and write nothing."""
    project = Project.at(root)
    branch = published_branch(project.root)
    files = starter_files(settings, now, branch)
    problems = Problems()
    if project.root.exists() and not project.root.is_dir():
        problems.add(project.show("") or str(root), "is a file; give a folder to start the site in")
        raise FeedpubError(problems.items, outcome="nothing was written")
    for rel in files:
        path = project.root / rel
        if path.exists() or path.is_symlink():
            problems.add(
                project.show(rel),
                "already exists; feedpub init never overwrites a file: move it away, or start"
                " the site in an empty folder",
                line=0,
            )
    for folder in FOLDERS:
        path = project.root / folder
        if path.is_symlink() or (path.exists() and (not path.is_dir() or any(path.iterdir()))):
            problems.add(
                project.show(folder + "/"),
                "already exists and is not an empty folder; feedpub init writes a new site"
                " only: move it away, or start the site in an empty folder",
                line=0,
            )
    if problems:
        raise FeedpubError(problems.items, outcome="nothing was written")
    made: list[Path] = []  # undone, newest first, if anything fails
    try:
        if not project.root.exists():
            project.root.mkdir(parents=True)
            made.append(project.root)
        for rel, text in files.items():
            path = project.root / rel
            for parent in reversed(Path(rel).parents[:-1]):
                if not (project.root / parent).exists():
                    (project.root / parent).mkdir()
                    made.append(project.root / parent)
            with path.open("x", encoding="utf-8") as handle:
                made.append(path)
                handle.write(text)
        for folder in FOLDERS:
            path = project.root / folder
            if not path.exists():
                path.mkdir()
                made.append(path)
        example = _write_example(project.root, settings, now)
        made.append(example)
    except OSError as exc:
        _undo(made)
        raise FeedpubError(
            [Problem(path=project.show(""), line=0, message=f"cannot write: {exc.strerror}")],
            outcome="nothing was kept",
        ) from None
    except FeedpubError:
        _undo(made)
        raise
    shown = [*files, f"{ENTRIES_DIR}/{example.name}"]
    shown_root = project.shown_root or "./"
    shown_files = [project.show(rel) for rel in shown]
    empty = (project.show(f"{STATIC_DIR}/"),)
    top = work_tree(project.root)
    warnings = []
    if top is not None and top != project.root.resolve():  # its workflows would never run
        warnings.append(
            Problem(
                path=project.show(".github/workflows/"),
                line=0,
                message="GitHub runs only the workflows at the top of the repository"
                f" ({top}/.github/workflows/), so these will not run: start the site in a"
                " repository of its own, or move them there and run their steps in this folder",
                severity=Severity.WARNING,
            )
        )
    if not messages.has_text(settings.language, {}):  # no catalogue: English words
        warnings.append(
            Problem(
                path=project.show(CONFIG_NAME),
                line=0,
                message=f"feedpub has no page text in {settings.language}: its pages' dates"
                + (" will be in it" if _has_dates(settings.language) else " will be in English")
                + ", their words (Subscribe, Updated...) and its description in English until"
                f" translated, in feedpub.yaml under `messages:` then `{settings.language}:`, a"
                " line each (`Subscribe: ...`: see feedpub's README)",
                severity=Severity.WARNING,
            )
        )
    return Created(shown_root, shown_files, [], top is not None, branch, tuple(warnings), empty)


def _write_example(root: Path, settings: Settings, now: datetime) -> Path:
    from feedpub.new import new_entry

    text = messages.text_in(settings.language, {})  # in the site's language, if feedpub can
    title = text.gettext("%(publisher)s publishes its statements here")
    return new_entry(
        root,
        title % {"publisher": settings.publisher},
        when=now,
        with_time=False,
    )


def _undo(made: list[Path]) -> None:
    for path in reversed(made):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass

"""Fixtures that build on each other: project (a temporary site) -> run (the CLI inside it)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest

from feedpub import cli

REPO = Path(__file__).resolve().parents[1]

# Every fixture speaks for the fictional Example Agency, never for a real organisation.
EXAMPLE_CONFIG = """\
title: Example Agency Statements
description: Statements from the Example Agency, a fictional office used in feedpub's tests.
base_url: https://press.example.org/
language: en
timezone: Europe/Paris
publisher:
  name: Example Agency
  email: press@example.org
  url: https://www.example.org/
id_authority: press.example.org,2020
"""

EXAMPLE_ENTRY = """\
title: Example Agency opens a new office
date: 2021-11-05
byline: Example Agency Press Office
tags: [Offices, Announcements]
body: |
  The Example Agency opened a new office today.

  It will answer questions from the public.
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing",
    )


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep feedpub's build cache out of the user's home, for every test and subprocess."""
    folder = tmp_path_factory.mktemp("feedpub-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDPUB_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


class Project:
    """A feedpub site's folder; `Project.create` makes a new one for the Example Agency."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def create(cls, root: Path) -> Project:
        project = cls(root)
        (root / "entries").mkdir(parents=True, exist_ok=True)
        project.config(EXAMPLE_CONFIG)
        return project

    def config(self, text: str) -> Path:
        return self.file("feedpub.yaml", text)

    def entry(self, name: str, text: str | bytes = EXAMPLE_ENTRY) -> Path:
        return self.file(f"entries/{name}", text)

    def file(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
        return path

    def tree(self, rel: str = "public") -> dict[str, bytes]:
        """Every file below `rel`, by relative path, with its bytes."""
        base = self.root / rel
        return {
            p.relative_to(base).as_posix(): p.read_bytes()
            for p in sorted(base.rglob("*"))
            if p.is_file()
        }

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def copy_sample(self) -> None:
        """Make this project the repository's shipped sample site."""
        shutil.rmtree(self.root / "entries")
        shutil.copytree(REPO / "entries", self.root / "entries")
        shutil.copy(REPO / "feedpub.yaml", self.root / "feedpub.yaml")


SITE_URL = "https://press.example.org/"  # EXAMPLE_CONFIG's base_url
_LINK = re.compile(rb'(?:href|src)="([^"#]+)"|<link>([^<]+)</link>|"url": "([^"]+)"')


def site_links(path: str, data: bytes) -> set[str]:
    """The paths inside the site that a page or feed at `path` links to (a folder's as its
    index.html)."""
    found = set()
    for match in _LINK.finditer(data):
        url = next(g for g in match.groups() if g).decode()
        absolute = urljoin(SITE_URL + path, url)
        if absolute.startswith(SITE_URL):
            target = absolute.removeprefix(SITE_URL)
            found.add(target + "index.html" if target.endswith("/") or not target else target)
    return found


def console(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `feedpub` console script, as a user's shell would."""
    script = Path(sys.executable).with_name("feedpub")
    return subprocess.run(
        [str(script), *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "site")


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return self.stderr.splitlines()


Run = Callable[..., Result]


class Traceback(AssertionError):
    """feedpub raised what a user would see as a Python traceback."""


@pytest.fixture
def run(project: Project, capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """Run the CLI in-process at the project's root; stdout and stderr kept apart.

    An exception escaping `cli.main` is what a user would see as a traceback: it fails
    the test here, so no test needs to look for "Traceback" in the output.
    """

    def _run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse's usage errors, --help and --version
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:
            raise Traceback(f"feedpub {' '.join(args)} ended in a traceback: {exc!r}") from exc
        out, err = capsys.readouterr()
        return Result(code, out, err)

    # A context of its own, so a test's monkeypatch.undo() cannot undo the chdir.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project.root)
        yield _run


TYPES = ("Statement", "Release", "Transcript", "Advisory")
TAGS = ("Energy", "Health", "Offices", "Budget", "Énergie rurale", "Санкции", "Trade")
OFFSETS = ("", "Z", "+01:00", "-05:00", "+05:30")


def write_corpus(project: Project, count: int, seed: int = 7) -> None:
    """Write `count` varied Example Agency statements: types, tags, offsets, corrections."""
    import random
    from datetime import date, timedelta

    rng = random.Random(seed)
    start = date(2019, 1, 1)
    for number in range(count):
        day = start + timedelta(days=number * 3 + rng.randint(0, 2))
        hour = rng.randint(9, 17)
        offset = rng.choice(OFFSETS)
        when = f"{day.isoformat()}T{hour:02d}:{rng.randint(0, 59):02d}:00{offset}"
        if offset:  # keep the statement on its file's date in the site's zone (Europe/Paris)
            when = f"{day.isoformat()}T12:00:00{offset}" if offset != "+05:30" else when
        tags = rng.sample(TAGS, rng.randint(0, 3))
        lines = [
            f"title: 'Example Agency statement number {number} on {rng.choice(TAGS)}'",
            f"date: {when}",
            f"type: {rng.choice(TYPES)}",
            "byline: [Example Agency Press Office"
            + (", Office of the Director]" if number % 3 == 0 else "]"),
            f"tags: [{', '.join(tags)}]",
        ]
        if number % 5 == 0:
            lines.append(f"updated: {(day + timedelta(days=1)).isoformat()}T10:00:00+01:00")
        lines.append("body: |")
        for paragraph in range(rng.randint(1, 4)):
            lines.append(f"  Paragraph {paragraph} of statement {number}, with *emphasis* and a")
            lines.append(
                "  [relative link](../../../) and an [absolute one](https://www.example.org/)."
            )
            lines.append("")
        project.entry(f"{day.isoformat()}-statement-{number}.yaml", "\n".join(lines) + "\n")


def git(root: Path, *args: str, when: str | None = None) -> str:
    """Run git in `root` as the Example Agency's press office (at `when`, if given, for
    both dates); its output, stripped."""
    env = None
    if when is not None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", "-c", "user.name=Example Agency", "-c", "user.email=press@example.org", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout.strip()


def wait_for(predicate: Callable[[], object], seconds: float = 15.0) -> bool:
    """Whether `predicate()` comes true within `seconds` (polled ten times a second). A
    file or folder vanishing as the predicate reads it (a build removing a page as a test
    walks the output) is not yet true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError):
            if predicate():
                return True
        time.sleep(0.1)
    return False


def children_left() -> list[str]:
    """This process's child processes (a zombie is one nobody waited for), listed until two
    listings agree: a thread that ends meanwhile hands its children to another, perhaps one
    already read."""
    last: list[str] | None = None
    while True:
        found = []
        for task in Path("/proc/self/task").iterdir():
            try:
                found += (task / "children").read_text().split()
            except (FileNotFoundError, ProcessLookupError):
                continue  # the thread ended: its children are another's now
        found.sort()
        if found == last:
            return found
        last = found

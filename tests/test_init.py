"""`feedpub init`: a new office site that `check` accepts at once, and nothing overwritten."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import Result, Run, git
from feedpub import __version__, cli
from feedpub.init import STARTER_FILES, read_starter

FLAGS = (
    "--title",
    "Example Agency statements",
    "--publisher",
    "Example Agency",
    "--base-url",
    "https://press.example.org/",
    "--timezone",
    "Europe/Paris",
    "--language",
    "en",
)
WRITTEN = [
    "feedpub.yaml",
    "README.md",
    "requirements.txt",
    ".gitignore",
    ".github/dependabot.yml",
    ".github/workflows/feeds.yml",
    ".github/workflows/embargo.yml",
    "entries/2021-11-05-example-agency-publishes-its-statements-here.yaml",
]
EMPTY_STATIC = "  site/static/ (empty: git commits a folder only once a file is in it)"


@pytest.fixture
def here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """The CLI in an empty folder, stdin no terminal, now 2021-11-05T09:00Z."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1636102800")

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    yield run


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_init_writes_a_site_that_check_passes(here: Run, tmp_path: Path) -> None:
    result = here("init", "site", *FLAGS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[: len(WRITTEN) + 2] == [
        "feedpub: started a site in site/",
        *(f"  site/{path}" for path in WRITTEN),
        EMPTY_STATIC,
    ]
    site = tmp_path / "site"
    assert _files(site) == sorted(WRITTEN)
    assert (site / "static").is_dir()
    pins = [line for line in (site / "requirements.txt").read_text().splitlines() if "==" in line]
    assert pins[0] == f"feedpub=={__version__}" and any(p.startswith("Jinja2==") for p in pins)
    assert (site / ".gitignore").read_text().splitlines()[1] == "/public/"
    settings = yaml.safe_load((site / "feedpub.yaml").read_text())
    assert settings["base_url"] == "https://press.example.org/"
    assert settings["id_authority"] == "press.example.org,2021"
    example = (site / WRITTEN[7]).read_text()
    assert "draft: true\n" in example
    assert 'id: "tag:press.example.org,2021:2021-11-05-example-agency-publishes-its' in example
    check = here("check", "--root", "site")
    assert (check.exit_code, check.stdout) == (
        0,
        "feedpub: 1 entry checked (1 draft not published), no problems\n",
    )
    assert here("build", "--root", "site").exit_code == 0
    assert (site / "public/index.html").is_file()


def test_init_says_static_is_empty_and_not_committed_until_a_file_is_in_it(
    here: Run, tmp_path: Path
) -> None:
    git(tmp_path, "init", "--quiet", "--initial-branch", "main")
    result = here("init", "site", *FLAGS)
    assert result.exit_code == 0, result.stderr
    assert EMPTY_STATIC in result.stdout.splitlines()
    assert "  site/static/" not in result.stdout.splitlines()  # as if it were a file written
    git(tmp_path, "add", "--all")
    staged = git(tmp_path, "diff", "--cached", "--name-only").splitlines()
    assert "site/entries/" + WRITTEN[7].removeprefix("entries/") in staged
    assert not [name for name in staged if name.startswith("site/static")]


def test_init_refuses_to_overwrite_and_names_every_clash(here: Run, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("Our repository\n")
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/feeds.yml").write_text("name: ours\n")
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries/note.txt").write_text("x")
    before = _files(tmp_path)
    result = here("init", *FLAGS)
    assert result.exit_code == 1
    advice = (
        "feedpub init never overwrites a file: move it away, or start the site in an empty folder"
    )
    assert result.errors == [
        f".github/workflows/feeds.yml: already exists; {advice}",
        f"README.md: already exists; {advice}",
        "entries/: already exists and is not an empty folder; feedpub init writes a new site"
        " only: move it away, or start the site in an empty folder",
        "feedpub: 3 problems in 3 files; nothing was written",
    ]
    assert _files(tmp_path) == before


def _clone_of(folder: Path, remote: str) -> None:
    """`folder` made a git repository whose `origin` is `remote`, as a clone's is."""
    subprocess.run(["git", "init", "--quiet", str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True)


def test_init_without_an_address_derives_it_from_the_github_remote(
    here: Run, tmp_path: Path
) -> None:
    _clone_of(tmp_path, "https://github.com/Example-Agency/statements.git")
    result = here("init", "--title", "T", "--publisher", "Example Agency", "--timezone", "UTC")
    assert result.exit_code == 0, result.stderr
    settings = yaml.safe_load((tmp_path / "feedpub.yaml").read_text())
    assert settings["base_url"] == "https://example-agency.github.io/statements/"
    assert settings["id_authority"] == "example-agency.github.io,2021"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        (
            "git@github.com:Example-Agency/statements.git",
            "https://example-agency.github.io/statements/",
        ),
        (
            "https://github.com/example-agency/example-agency.github.io",
            "https://example-agency.github.io/",
        ),
        ("https://gitlab.example.org/agency/statements.git", None),
    ],
)
def test_init_github_pages_address_of_a_remote(
    tmp_path: Path, remote: str, expected: str | None
) -> None:
    from feedpub.repository import github_pages_url

    _clone_of(tmp_path, remote)
    assert github_pages_url(tmp_path) == expected


def test_init_with_no_terminal_and_no_address_says_what_to_give(here: Run, tmp_path: Path) -> None:
    result = here("init", "--title", "T")
    assert result.exit_code == 1
    assert result.errors == [
        "(--base-url): needed: the address the site will be served at, such as"
        " https://ORG.github.io/REPO/ for GitHub Pages or https://press.example.org/ (no GitHub"
        " remote `origin` here to derive it from)",
        "feedpub: 1 problem on the command line; nothing was written",
    ]
    assert _files(tmp_path) == []


def test_init_of_a_folder_inside_a_github_clone_says_why_it_has_no_address(
    here: Run, tmp_path: Path
) -> None:
    # It said there was no GitHub `origin` here, in a clone whose origin is on GitHub.
    _clone_of(tmp_path, "https://github.com/example-agency/website.git")
    result = here("init", "statements", "--title", "T")
    assert result.exit_code == 1
    assert result.errors[0].endswith(
        " (statements/ would be a folder inside a clone of a GitHub repository, and GitHub runs"
        " only the workflows at the top of a repository: run `feedpub init` at the top of the"
        " clone, or give --base-url)"
    )
    assert not (tmp_path / "statements").exists()


def test_init_writes_the_description_in_the_site_s_language_and_warns_of_one_without_text(
    here: Run, tmp_path: Path
) -> None:
    # A French site's description, on its home page and in every feed, was English.
    flags = [f for f in FLAGS if f not in ("--language", "en")]
    assert here("init", "fr", *flags, "--language", "fr").exit_code == 0
    settings = yaml.safe_load((tmp_path / "fr/feedpub.yaml").read_text())
    assert settings["description"] == "Communiqués publiés par Example Agency."
    result = here("init", "de", *flags, "--language", "de")
    assert result.exit_code == 0
    assert result.errors == [
        "de/feedpub.yaml: warning: feedpub has no page text in de: its pages' dates will be in"
        " it, their words (Subscribe, Updated...) and its description in English until"
        " translated, in feedpub.yaml under `messages:` then `de:`, a line each (`Subscribe:"
        " ...`: see feedpub's README)"
    ]
    settings = yaml.safe_load((tmp_path / "de/feedpub.yaml").read_text())
    assert settings["description"] == "Statements from Example Agency."
    # A language CLDR has no dates for either (qaa is for local use): dates in English too.
    result = here("init", "qaa", *flags, "--language", "qaa")
    assert result.errors[0].startswith(
        "qaa/feedpub.yaml: warning: feedpub has no page text in qaa: its pages' dates will be"
        " in English, their words"
    )


def test_init_writes_the_example_draft_in_the_site_s_language_and_check_knows_it_unedited(
    here: Run, tmp_path: Path
) -> None:
    # A French office's example draft was English: its title, so its file name, and the text
    # to replace, which check told apart from a statement only in English.
    flags = [f for f in FLAGS if f not in ("--language", "en")]
    assert here("init", "fr", *flags, "--language", "fr").exit_code == 0
    (draft,) = (tmp_path / "fr/entries").iterdir()
    assert draft.name == "2021-11-05-example-agency-publie-ses-communiques-ici.yaml"
    fields = yaml.safe_load(draft.read_text())
    assert fields["title"] == "Example Agency publie ses communiqués ici"
    assert fields["body"] == (
        "Écrivez le communiqué ici, en Markdown. Laissez une ligne vide entre les paragraphes.\n"
    )
    draft.write_text(draft.read_text().replace("draft: true\n", ""))
    result = here("check", "--root", "fr")
    assert result.exit_code == 1
    assert result.errors[0] == (
        f"fr/entries/{draft.name}:9:7: body: is still the text `feedpub new` wrote; write the"
        " statement here, or put back 'draft: true' until it is ready"
    )


def test_init_refuses_settings_feedpub_yaml_would_refuse(here: Run, tmp_path: Path) -> None:
    flags = list(FLAGS)
    flags[flags.index("Europe/Paris")] = "Mars/Olympus_Mons"
    flags[flags.index("https://press.example.org/")] = "press.example.org"
    result = here("init", *flags)
    assert result.exit_code == 1
    assert result.errors == [
        "(--base-url): expected an absolute http:// or https:// URL, got 'press.example.org'",
        "(--timezone): unknown time zone 'Mars/Olympus_Mons'",
        "feedpub: 2 problems on the command line; nothing was written",
    ]
    assert _files(tmp_path) == []


def test_init_asks_in_a_terminal_and_asks_again_when_an_answer_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each answer is checked as it is given, not after the last question; asked again, the
    # refused answer was offered, so Enter repeated it: now the fix the refusal names is.
    from feedpub.questions import choose_settings

    answers = iter(
        [
            "Example Agency statements",
            "",
            "press.example.org",
            "",  # https://press.example.org/, offered
            "english",
            "",  # nothing to offer: asked again
            "fr",
            "Paris",
            "",  # Europe/Paris, offered
        ]
    )
    asked: list[tuple[str, str]] = []
    told: list[str] = []

    def ask(question: str, default: str) -> str:
        asked.append((question, default))
        return next(answers)

    from datetime import datetime, timezone

    monkeypatch.setenv("TZ", "UTC")
    settings = choose_settings(
        tmp_path, {"publisher": None}, datetime(2021, 11, 5, tzinfo=timezone.utc), ask, told.append
    )
    address = "The address the site will be served at"
    language = "The statements' language (BCP 47, such as en or fr)"
    zone = "The office's time zone (IANA, such as Europe/Paris)"
    assert asked == [
        ("The site's title", "Press statements"),
        ("Who publishes the statements (the feeds' author)", "Press office"),
        (address, ""),
        (address, "https://press.example.org/"),
        (language, "en"),
        (language, ""),
        (language, ""),
        (zone, "UTC"),
        (zone, "Europe/Paris"),
    ]
    assert told == [
        "--base-url: expected an absolute http:// or https:// URL, got 'press.example.org'",
        "--language: expected a BCP 47 language tag such as en or en-GB, got 'english'",
        "--language: an answer is needed",
        "--timezone: unknown time zone 'Paris'; did you mean Europe/Paris?",
    ]
    assert settings.publisher == "Press office"  # the default, taken with an empty answer
    assert settings.base_url == "https://press.example.org/"
    assert (settings.language, settings.timezone) == ("fr", "Europe/Paris")


def test_init_starter_files_have_no_placeholder_left(here: Run, tmp_path: Path) -> None:
    assert here("init", *FLAGS).exit_code == 0
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert "@@" not in path.read_text(), path
    assert set(STARTER_FILES) == {
        p.relative_to(Path(str(_starter()))).as_posix()
        for p in Path(str(_starter())).rglob("*")
        if p.is_file()
    }
    assert read_starter("gitignore").startswith("#")


def _starter() -> object:
    from importlib import resources

    return resources.files("feedpub") / "starter"


def test_init_s_readme_names_the_pull_request_check_to_make_required(
    here: Run, tmp_path: Path
) -> None:
    # A push to main, or a merge over a failing check, publishes what the guard refused:
    # the office is told which status check to require, and it is the guard's job.
    assert here("init", "site", *FLAGS).exit_code == 0
    readme = " ".join((tmp_path / "site/README.md").read_text().split())
    workflow = yaml.safe_load((tmp_path / "site/.github/workflows/feeds.yml").read_text())
    guards = [
        name
        for name, job in workflow["jobs"].items()
        if job.get("if") == "github.event_name == 'pull_request'"
        and any("--against" in step.get("run", "") for step in job["steps"])
    ]
    assert guards == ["check"]
    assert f"requires a pull request before merging and the status check `{guards[0]}`" in readme


def test_init_s_next_steps_make_a_repository_where_there_is_none(here: Run, tmp_path: Path) -> None:
    # "git add -A && git commit && git push" was the advice in a folder git knows nothing of.
    result = here("init", "site", *FLAGS)
    assert result.stdout.splitlines()[-3:] == [
        "  cd site && feedpub serve        # preview, with the example draft",
        "  git init -b main && git add -A && git commit -m 'Start the statements site'",
        "  then make an empty repository on GitHub: git remote add origin URL && git push -u"
        " origin main; Settings > Pages > Source: GitHub Actions (see README.md)",
    ]
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "clone")], check=True)
    result = here("init", "clone", *FLAGS)
    assert result.stdout.splitlines()[-3:] == [
        "  cd clone && feedpub serve        # preview, with the example draft",
        "  git add -A && git commit -m 'Start the statements site' && git push",
        "  on GitHub: Settings > Pages > Source: GitHub Actions (see README.md)",
    ]


class _Terminal:
    """`feedpub init` in a real terminal (a pseudo-terminal), answered as a person would."""

    def __init__(self, folder: Path) -> None:
        import os
        import sys

        self.master, slave = os.openpty()
        env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8", "SOURCE_DATE_EPOCH": "1636102800"}
        command = [sys.executable, "-m", "feedpub", "init", "site"]
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, cwd=folder, env=env
        )
        os.close(slave)
        self.shown = ""

    def answer(self, question: str, text: str) -> None:
        """Wait for `question`, then type `text` and Enter (Ctrl-D when text is EOT)."""
        import os

        self.wait_for(question)
        os.write(self.master, text.encode() if text == "\x04" else f"{text}\n".encode())

    def wait_for(self, text: str) -> None:
        import os
        import select
        import time

        deadline = time.monotonic() + 60
        while text not in self.shown:
            assert time.monotonic() < deadline, f"never shown: {text!r}; shown:\n{self.shown}"
            if select.select([self.master], [], [], 0.5)[0]:
                try:
                    self.shown += os.read(self.master, 4096).decode()
                except OSError:  # the terminal closed: init has exited
                    assert text in self.shown, f"never shown: {text!r}; shown:\n{self.shown}"
        self.shown = self.shown[self.shown.index(text) + len(text) :]

    def finish(self) -> tuple[int, str]:
        import os

        rest = b""
        try:
            while chunk := os.read(self.master, 4096):
                rest += chunk
        except OSError:  # EIO: the terminal closed with the process
            pass
        os.close(self.master)
        return self.process.wait(60), self.shown + rest.decode()


ADDRESS = "The address the site will be served at: "


def test_init_in_a_terminal_asks_again_for_an_address_left_empty(tmp_path: Path) -> None:
    terminal = _Terminal(tmp_path)
    terminal.answer("The site's title [Press statements]: ", "Example Agency statements")
    terminal.answer("[Press office]: ", "Example Agency")
    terminal.answer(ADDRESS, "")  # Enter alone: there is nothing to propose
    terminal.wait_for("--base-url: needed: the address the site will be served at")
    terminal.answer(ADDRESS, "https://press.example.org/")
    terminal.answer("(BCP 47, such as en or fr) [", "")
    terminal.answer("(IANA, such as Europe/Paris) [UTC]: ", "Europe/Paris")
    code, shown = terminal.finish()
    assert code == 0, shown
    assert "feedpub: started a site in site/" in shown
    config = yaml.safe_load((tmp_path / "site/feedpub.yaml").read_text())
    assert config["base_url"] == "https://press.example.org/"
    assert config["timezone"] == "Europe/Paris"


def test_init_in_a_terminal_stops_on_ctrl_d_with_nothing_written(tmp_path: Path) -> None:
    terminal = _Terminal(tmp_path)
    terminal.answer("The site's title [Press statements]: ", "")
    terminal.answer("[Press office]: ", "")
    terminal.answer(ADDRESS, "\x04")  # Ctrl-D: the input ends
    code, shown = terminal.finish()
    assert code == 1, shown
    assert shown.replace("\r\n", "\n").strip().splitlines()[-2:] == [
        "(--base-url): no answer: the input ended; run `feedpub init` again, or give --base-url",
        "feedpub: 1 problem on the command line; nothing was written",
    ]
    assert _files(tmp_path) == []


def _git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def test_init_s_workflow_publishes_the_branch_the_office_pushes(here: Run, tmp_path: Path) -> None:
    # `branches: [main]` was written whatever the clone: an office on `master` pushed, and
    # nothing was ever deployed.
    _git("init", "--quiet", "--initial-branch", "trunk", str(tmp_path / "fresh"))
    result = here("init", "fresh", *FLAGS)
    assert "feedpub: the workflow publishes what is pushed to trunk" in result.stdout.splitlines()
    workflow = yaml.safe_load((tmp_path / "fresh/.github/workflows/feeds.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["trunk"]
    readme = " ".join((tmp_path / "fresh/README.md").read_text().split())
    assert "feedpub check --against origin/trunk #" in readme
    assert "add a ruleset for `trunk` that requires a pull request" in readme
    # A clone is published from its origin's default branch, whatever branch is checked out.
    origin = tmp_path / "origin.git"
    _git("init", "--quiet", "--bare", "--initial-branch", "release", str(origin))
    _git("clone", "--quiet", str(origin), str(tmp_path / "work"))
    _git("-C", str(tmp_path / "work"), "commit", "--quiet", "--allow-empty", "-m", "Start")
    _git("-C", str(tmp_path / "work"), "push", "--quiet", "origin", "release")
    _git("clone", "--quiet", str(origin), str(tmp_path / "clone"))
    _git("-C", str(tmp_path / "clone"), "switch", "--quiet", "--create", "add-feedpub")
    assert here("init", "clone", *FLAGS).exit_code == 0
    workflow = yaml.safe_load((tmp_path / "clone/.github/workflows/feeds.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["release"]
    # A site started on a branch of its own, in a repository pushed (not cloned, so with
    # no origin/HEAD), is merged into main and published from it.
    pushed = tmp_path / "pushed"
    _git("init", "--quiet", "--initial-branch", "main", str(pushed))
    _git("-C", str(pushed), "commit", "--quiet", "--allow-empty", "-m", "Start")
    _git("-C", str(pushed), "switch", "--quiet", "--create", "add-statements-site")
    assert here("init", "pushed", *FLAGS).exit_code == 0
    workflow = yaml.safe_load((pushed / ".github/workflows/feeds.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]
    # Outside git, the next steps make `main`, as the workflow expects.
    assert here("init", "new", *FLAGS).exit_code == 0
    workflow = yaml.safe_load((tmp_path / "new/.github/workflows/feeds.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]


def test_init_below_the_top_of_a_repository_warns_its_workflows_will_not_run(
    here: Run, tmp_path: Path
) -> None:
    # An office starting its site in a folder of an existing repository pushed, and nothing
    # was checked or deployed: GitHub reads .github/workflows/ at the repository's top only.
    _git("init", "--quiet", str(tmp_path / "website"))
    result = here("init", "website/statements", *FLAGS)
    assert result.exit_code == 0
    assert result.errors == [
        "website/statements/.github/workflows/: warning: GitHub runs only the workflows at the"
        f" top of the repository ({(tmp_path / 'website').resolve()}/.github/workflows/), so these"
        " will not run: start the site in a repository of its own, or move them there and run"
        " their steps in this folder"
    ]
    assert here("init", "website", *FLAGS).errors == []  # at the top: nothing to say

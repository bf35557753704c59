"""Faults around the output: killed builds, full disks, unwritable folders, builds at once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Project, Run, write_corpus

ENTRY = ("2021-11-05-office.yaml", "title: Office\ndate: 2021-11-05\nbody: x\n")


def _build_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "feedpub", "build", "--root", str(root)]


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".public."))


def _edit_every_entry(root: Path) -> None:
    for path in sorted((root / "entries").glob("*.yaml")):
        path.write_text(path.read_text().replace("with *emphasis*", "with *new emphasis*"))


def test_build_killed_at_any_moment_leaves_old_or_new_public(
    project: Project, tmp_path: Path
) -> None:
    write_corpus(project, 200)
    assert subprocess.run(_build_command(project.root), check=False).returncode == 0
    old_tree = project.tree()
    saved_public = tmp_path / "saved-public"
    shutil.copytree(project.root / "public", saved_public)
    old_entries = {p.name: p.read_bytes() for p in (project.root / "entries").iterdir()}

    reference = Project(tmp_path / "reference")
    shutil.copytree(project.root, reference.root, ignore=shutil.ignore_patterns("public"))
    _edit_every_entry(reference.root)
    started = time.perf_counter()
    assert subprocess.run(_build_command(reference.root), check=False).returncode == 0
    duration = time.perf_counter() - started
    new_tree = reference.tree()
    assert new_tree != old_tree

    outcomes = []
    for step in (1, 3, 5, 7, 8, 9, 10):
        # Start each time from the old site and the old public/.
        shutil.rmtree(project.root / "public")
        for leftover in _leftovers(project.root):
            shutil.rmtree(project.root / leftover)
        for name, data in old_entries.items():
            (project.root / "entries" / name).write_bytes(data)
        shutil.copytree(saved_public, project.root / "public")
        assert project.tree() == old_tree
        _edit_every_entry(project.root)

        child = subprocess.Popen(_build_command(project.root), stdout=subprocess.DEVNULL)
        time.sleep(duration * step / 10)
        child.send_signal(signal.SIGKILL)
        child.wait()

        public = project.tree() if (project.root / "public").exists() else {}
        assert public in (old_tree, new_tree), f"a build killed at step {step} left a mix"
        outcomes.append("new" if public == new_tree else "old")

        # The next build cleans up whatever the killed one left and finishes the job.
        assert subprocess.run(_build_command(project.root), check=False).returncode == 0
        assert project.tree() == new_tree
        assert _leftovers(project.root) == []
    assert "old" in outcomes  # some kills landed before the swap


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
    assert _leftovers(project.root) == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(28, "No space left on device"), "No space left on device"),
        (PermissionError(13, "Permission denied"), "Permission denied"),
    ],
)
def test_disk_fault_gives_a_clear_error_and_keeps_old_public(
    project: Project,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    error: OSError,
    message: str,
) -> None:
    project.entry(*ENTRY)
    assert run("build").exit_code == 0
    before = project.tree()
    project.entry("2021-11-06-more.yaml", "title: More\ndate: 2021-11-06\nbody: x\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise type(error)(error.errno, error.strerror, str(args[0]))

    monkeypatch.setattr(os, "mkdir", refuse)
    result = run("build")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.errors[0].startswith(f"{project.root}/public/: cannot write ")
    assert result.errors[0].endswith(f": {message}")
    assert result.errors[1] == "feedpub: 1 problem in 1 file; public/ was not changed"
    assert "Traceback" not in result.stderr
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

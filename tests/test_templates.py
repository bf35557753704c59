"""A site's own templates: used instead of feedpub's, noticed when edited, and every error in
one named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Project, Run

X = ("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")


def test_broken_site_template_names_its_file_and_line(project: Project, run: Run) -> None:
    project.entry(*X)
    project.file("templates/entry.html", '{% extends "base.html" %}\n{% block main %}\n{% if %}\n')
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].startswith("templates/entry.html:3:1: template error: ")


def test_unknown_variable_in_site_template_names_it(project: Project, run: Run) -> None:
    project.entry(*X)
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ site.tagline }}</p>\n{% endblock %}\n',
    )
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "templates/entry.html:3:1: template error: site has no attribute 'tagline'"
    )


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            "templates/style.css",
            "templates/style.css: is a symbolic link; templates/ may hold"
            " only real files (a link could publish files from outside the site)",
        ),
        (
            "templates",
            "templates/: is a symbolic link; make it a real folder (a link could"
            " publish files from outside the site)",
        ),
        (
            "static",
            "static/: is a symbolic link; make it a real folder (a link could publish"
            " files from outside the site)",
        ),
        ("feedpub.yaml", "feedpub.yaml: is a symbolic link; keep the real file in the site"),
    ],
)
def test_links_that_could_publish_files_from_outside_the_site_are_refused(
    project: Project, run: Run, tmp_path: Path, link: str, expected: str
) -> None:
    project.entry(*X)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "style.css").write_text("the office's private notes")
    (secret / "x.txt").write_text("the office's private notes")
    target = project.root / link
    if link == "feedpub.yaml":
        (secret / "feedpub.yaml").write_text(target.read_text())
        target.unlink()
        target.symlink_to(secret / "feedpub.yaml")
    elif link == "templates/style.css":
        target.parent.mkdir()
        target.symlink_to(secret / "style.css")
    else:
        target.symlink_to(secret)
    result = run("build")
    assert result.exit_code == 1
    assert expected in result.errors
    assert not (project.root / "public").exists()


def test_edit_to_a_template_in_a_subfolder_is_noticed_in_one_process(project: Project) -> None:
    from feedpub.build import build

    project.entry(*X)
    project.file("templates/parts/note.html", "<p>first note</p>\n")
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}\n'
        '{% block main %}{% include "parts/note.html" %}{% endblock %}\n',
    )
    build(project.root)
    project.file("templates/parts/note.html", "<p>second note, longer</p>\n")
    build(project.root)
    assert "second note" in project.read("public/2021/11/05/x/index.html")

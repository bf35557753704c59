"""Each defect a code review found stays fixed: no traceback for a user's mistake, no stale
page after a change, no script from the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE_CONFIG, Project, Run

X = ("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")


def _config_with(field: str, value: str) -> str:
    lines = [line for line in EXAMPLE_CONFIG.splitlines() if not line.startswith(f"{field}:")]
    return "\n".join([*lines, f"{field}: {value}"]) + "\n"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "base_url",
            "https://[press.example.org/",
            "'https://[press.example.org/' is not a valid URL",
        ),
        ("base_url", "https://press.example.org:port/", "is not a valid URL"),
        ("timezone", "Europe", "unknown time zone 'Europe'"),
    ],
)
def test_settings_that_crashed_are_problems(
    project: Project, run: Run, field: str, value: str, expected: str
) -> None:
    project.config(_config_with(field, value))
    result = run("check")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr


def test_date_past_the_last_year_is_a_problem(project: Project, run: Run) -> None:
    project.entry("9999-12-31-x.yaml", "title: X\ndate: 9999-12-31T23:30Z\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries/9999-12-31-x.yaml:2:7: date: '9999-12-31T23:30Z' is out of the range of dates"
        " feedpub can publish"
    )


def test_huge_source_date_epoch_is_a_usage_error(project: Project) -> None:
    project.entry(*X)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "99999999999999"}
    result = subprocess.run(
        [sys.executable, "-m", "feedpub", "build"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_date_alone_for_now_is_a_usage_error_saying_why(run: Run) -> None:
    result = run("build", "--now", "2021-11-05")
    assert result.exit_code == 2
    assert result.errors[-1] == (
        "feedpub: error: --now '2021-11-05': expected a time with its offset, such as"
        " 2021-11-05T09:00:00+01:00 or 2021-11-05T08:00:00Z"
    )


def test_broken_site_template_names_its_file_and_line(project: Project, run: Run) -> None:
    project.entry(*X)
    project.file("templates/entry.html", '{% extends "base.html" %}\n{% block main %}\n{% if %}\n')
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].startswith("templates/entry.html:3:1: template error: ")
    assert "Traceback" not in result.stderr


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


def test_static_names_that_crashed_are_problems(project: Project, run: Run) -> None:
    project.entry(*X)
    project.file("static/img\\logo.png", b"png")
    project.file("static/tags", b"a file where feedpub writes a folder")
    result = run("build")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert (
        "static/img\\logo.png: a static file's path may not hold a backslash or start with a dot"
        in result.errors
    )
    assert (
        "static/tags: clashes with the folder public/tags/ that feedpub writes; rename or remove"
        " the static file"
    ) in result.errors


def test_new_with_entries_as_a_file_is_a_problem(project: Project, run: Run) -> None:
    (project.root / "entries").rmdir()
    (project.root / "entries").write_text("not a folder")
    result = run("new", "Title", "--date", "2021-11-05T10:00")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries: is a file; feedpub keeps one file per statement in a folder of this name"
    )


def test_check_public_survives_a_page_with_odd_json_ld(project: Project, run: Run) -> None:
    project.entry(*X)
    assert run("build").exit_code == 0
    page = project.root / "public/2021/11/05/x/index.html"
    text = page.read_text()
    start = text.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    end = text.index("</script>", start)
    page.write_text(text[:start] + json.dumps([1, 2]) + text[end:])
    result = run("check", "--public")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_check_public_says_a_published_statement_cannot_become_a_draft(
    project: Project, run: Run
) -> None:
    project.entry(*X)
    assert run("build").exit_code == 0
    project.entry(X[0], X[1] + "draft: true\n")
    result = run("check", "--public")
    assert result.exit_code == 1
    assert (
        "entries/2021-11-05-x.yaml:1:1: the published statement 'X'"
        " (tag:press.example.org,2020:2021-11-05-x) is a draft now, which would take it off the"
        " site; a statement is never taken back: add `withdrawn: {date: ..., reason: ...}` to it"
        " instead"
    ) in result.errors


def test_type_in_any_script_is_accepted(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\ntype: بيان\nbody: x\n")
    assert run("build").exit_code == 0
    assert (project.root / "public/types/byn/atom.xml").is_file()


def test_bad_file_name_does_not_hide_the_file_s_other_problems(project: Project, run: Run) -> None:
    project.entry("21-11-05-x.yaml", "titel: X\ndate: Nov. 5\nbody: x\n")
    result = run("check")
    assert "entries/21-11-05-x.yaml:1:1: titel: unknown field; did you mean title?" in result.errors
    assert any("date: not an ISO 8601 date" in e for e in result.errors)
    assert any("file name must be" in e for e in result.errors)


def test_equals_and_merge_signs_are_text(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: =\ndate: 2021-11-05\nbody: <<\n")
    assert run("build").exit_code == 0
    assert '<h1 dir="auto">=</h1>' in project.read("public/2021/11/05/x/index.html")


def test_links_shown_as_code_are_not_rewritten_and_code_keeps_its_language(
    project: Project, run: Run
) -> None:
    body = 'body: |\n  Write `<a href="page.html">` to link.\n\n  ```python\n  x = 1\n  ```\n'
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\n" + body)
    result = run("build")
    assert result.errors == []  # nothing the renderer made itself is "removed"
    content = json.loads(project.read("public/feed.json"))["items"][0]["content_html"]
    assert '&lt;a href="page.html"&gt;' in content
    assert '<code class="language-python">' in content


def test_edit_to_a_linked_site_template_is_noticed(
    project: Project, run: Run, tmp_path: Path
) -> None:
    project.entry(*X)
    shared = tmp_path / "shared-style.css"
    shared.write_text("body { color: navy; }\n")
    (project.root / "templates").mkdir()
    (project.root / "templates/style.css").symlink_to(shared)
    assert run("build").exit_code == 0
    shared.write_text("body { color: maroon; }\n")
    assert run("build").exit_code == 0
    assert project.read("public/style.css") == "body { color: maroon; }\n"


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

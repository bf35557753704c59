"""A site's own templates: used instead of feedpub's, noticed when edited, and every error in
one named by file and line."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import feedpub
from conftest import EXAMPLE_CONFIG, REPO, Project, Run

X = ("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")


def test_broken_site_template_names_its_file_and_line(project: Project, run: Run) -> None:
    project.entry(*X)
    project.file("templates/entry.html", '{% extends "base.html" %}\n{% block main %}\n{% if %}\n')
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].startswith("templates/entry.html:3:7: template error: ")


def test_every_broken_template_is_named_with_the_entries_problems_in_one_run(
    project: Project, run: Run
) -> None:
    # Each layer hid the next: the entry's problems first, then one template per run.
    project.entry("2021-11-05-x.yaml", "titel: X\ndate: 2021-11-05\nbody: x\n")
    project.file("templates/entry.html", '{% extends "base.html" %}\n{% block main %}\n{% if %}\n')
    project.file("templates/index.html", "<p>{{ site.title }</p>\n")
    for command in ("check", "build"):
        result = run(command)
        assert result.exit_code == 1
        assert [line.split(": ")[0] for line in result.errors[:-1]] == [
            "entries/2021-11-05-x.yaml:1:1",
            "entries/2021-11-05-x.yaml:1:1",
            "templates/entry.html:3:7",
            "templates/index.html:1:18",
        ], result.errors
        assert result.errors[-1].startswith("feedpub: 4 problems in 3 files")


PAGE = '{% extends "base.html" %}\n{% block main %}\n{}\n{% endblock %}\n'
# Where feedpub's README lists what a template is given: a message that knows no nearer
# name points there.
LISTED = '; feedpub\'s README lists what templates are given, under "The pages"'
TEMPLATES_LISTED = (
    "; a template names another by its path in templates/ (parts/note.html for"
    " templates/parts/note.html) or by the name of one of feedpub's (base.html)"
)
FILTERS_LISTED = (
    "; the filters are Jinja's built-in ones and those feedpub's README lists under \"The pages\""
)


def _first_template_error(run: Run, command: str, where: str) -> None:
    """`command` fails, its first problem `templates/entry.html:WHERE`, a template error."""
    result = run(command)
    assert result.exit_code == 1
    assert result.errors[0] == f"templates/entry.html:{where}".replace(
        ": ", ": template error: ", 1
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # The column is the name's own, and the message offers the nearest existing name.
        (
            "<p>{{ entry.titel.upper() }}</p>",
            "13: entry has no attribute 'titel'; did you mean title?",
        ),
        ("<p>{{ site.titel }}</p>", "12: site has no attribute 'titel'; did you mean title?"),
        ("<p>{{ site.tagline }}</p>", "12: site has no attribute 'tagline'" + LISTED),
        ("<p>{{ entry . zzqx }}</p>", "15: entry has no attribute 'zzqx'" + LISTED),
        ("<p>{{ entri.title }}</p>", "7: 'entri' is undefined; did you mean entry?"),
        # The same word in the page's text is not the name read.
        ("<p>entri: {{ entri }}</p>", "14: 'entri' is undefined; did you mean entry?"),
        ("<p>{{ zzqx }}</p>", "7: 'zzqx' is undefined" + LISTED),
        (
            "{% for item in site.entries %}{{ itm.title }}{% endfor %}",
            "34: 'itm' is undefined; did you mean item?",
        ),
        ("<p>{{ entry.title.uppr() }}</p>", "19: str has no attribute 'uppr'; did you mean upper?"),
        ("<p>{{ site.title|uper }}</p>", "18: unknown filter 'uper'; did you mean upper?"),
        ("<p>{{ site.title | uper }}</p>", "20: unknown filter 'uper'; did you mean upper?"),
        ("<p>{{ site.title|zzqx }}</p>", "18: unknown filter 'zzqx'" + FILTERS_LISTED),
        ("{% filter uper %}x{% endfilter %}", "11: unknown filter 'uper'; did you mean upper?"),
        ("<p>{{ entry.title is strin }}</p>", "22: unknown test 'strin'; did you mean string?"),
        # Inside {% if %}, Jinja checks a filter's or test's name only as the page renders.
        (
            "{% if entry.title is strin %}x{% endif %}",
            "22: unknown test 'strin'; did you mean string?",
        ),
        (
            "{% if entry.title %}{{ entry.title|uper }}{% endif %}",
            "36: unknown filter 'uper'; did you mean upper?",
        ),
        # A template loaded that is not there is named, with the nearest that is.
        (
            "{% include 'subscribe.html' %}",
            "13: there is no template 'subscribe.html'; did you mean _subscribe.html?",
        ),
        (
            "<p>{% from '../feedpub.yaml' import x %}</p>",
            "13: there is no template '../feedpub.yaml'" + TEMPLATES_LISTED,
        ),
        # Not one that only ends in .html too: header.html was "_years.html?".
        (
            "{% include 'header.html' %}",
            "13: there is no template 'header.html'" + TEMPLATES_LISTED,
        ),
        # feedpub's own, as named in a message: it cannot be extended by a site's own.
        (
            "{% include '(feedpub)/templates/entry.html' %}",
            "13: there is no template '(feedpub)/templates/entry.html': a site's template"
            " replaces feedpub's of its name, and cannot name it; copy feedpub's into"
            " templates/ and change it there (feedpub's README says where they are)",
        ),
        # One of its name in a subfolder first: note.html was "_notices.html?".
        (
            "{% include 'note.html' %}",
            "13: there is no template 'note.html'; did you mean parts/note.html?",
        ),
    ],
)
def test_site_template_mistake_names_its_column_and_what_was_meant(
    project: Project, run: Run, line: str, expected: str
) -> None:
    project.entry(*X)
    project.file("templates/parts/note.html", "<p>{{ entry.title }}</p>\n")
    project.file("templates/entry.html", PAGE.replace("{}", line))
    for command in ("check", "build"):
        _first_template_error(run, command, f"3:{expected}")


@pytest.mark.parametrize(
    "lines",
    [
        # The name read on line 3, used on line 4, where it is only the page's text.
        "{% set t = entri %}\n<p>entri: {{ t }}</p>",
        # An expression over two lines: on the line Jinja names, the word is text.
        "<p>entri: {{ entry.title\n ~ entri }}</p>",
    ],
)
def test_site_template_mistake_is_never_pointed_at_the_page_s_text(
    project: Project, run: Run, lines: str
) -> None:
    project.entry(*X)
    project.file("templates/entry.html", PAGE.replace("{}", lines))
    result = run("check")
    assert result.exit_code == 1
    where, _, message = result.errors[0].partition(": template error: ")
    assert message == "'entri' is undefined; did you mean entry?"
    assert where.endswith(":1"), where  # which word is meant would be a guess


def test_site_template_failing_on_a_page_of_no_statements_says_which_page_and_why(
    project: Project, run: Run
) -> None:
    # Written when every list had a statement: a lawful removal of a tag's last one keeps
    # its page with none, and the template fails there. The office needs the page, and why.
    own = (REPO / "src/feedpub/templates/section.html").read_text()
    latest = "{% block main %}\n<p>Latest: {{ entries[0].title }}</p>\n"
    project.file("templates/section.html", own.replace("{% block main %}\n", latest, 1))
    project.entry(X[0], X[1] + "tags: [Jane Doe]\n")
    assert run("check").exit_code == 0
    project.entry(X[0], X[1] + "tags: [Jane Doe]\nremoved: {date: 2021-11-20, reason: Privacy.}\n")
    result = run("check")
    assert result.exit_code == 1
    where, _, message = result.errors[0].partition(": template error: ")
    assert where.startswith("templates/section.html:")
    assert message == (
        "tuple has no element 0; on the page tags/jane-doe/, which lists no statement:"
        " `entries` is empty on the page of a type, tag, language or year whose statements"
        " were all removed (`removed:`); test it with {% if entries %}"
    )


def test_site_template_mistake_in_a_subfolder_is_named_by_its_path_in_templates(
    project: Project, run: Run
) -> None:
    # A part kept in a subfolder, as offices share parts between templates: it was named
    # by its file's name alone, as if feedpub's own (feedpub)/templates/note.html were wrong.
    project.entry(*X)
    project.file("templates/parts/note.html", "<p>\n{{ entry.titel }}</p>\n")
    project.file("templates/entry.html", PAGE.replace("{}", '{% include "parts/note.html" %}'))
    for command in ("check", "build"):
        result = run(command)
        assert result.exit_code == 1
        assert result.errors[0] == (
            "templates/parts/note.html:2:10: template error: entry has no attribute 'titel';"
            " did you mean title?"
        )


def test_site_template_no_page_uses_is_warned_of_with_the_name_meant(
    project: Project, run: Run
) -> None:
    # A misspelt file name (entry.htm) or a part nothing includes was passed over in
    # silence: the site kept feedpub's page, and the office wondered why.
    project.entry(*X)
    project.file("templates/entry.htm", PAGE.replace("{}", "<p>Ours</p>"))
    project.file("templates/Index.html", PAGE.replace("{}", "<p>Ours</p>"))
    project.file("templates/header.html", "<p>Example Agency</p>\n")
    project.file("templates/parts/note.html", "<p>{{ entry.title }}</p>\n")  # included
    project.file("templates/notes.md", "Why our templates are as they are.\n")  # no template
    # Named as Jinja's loader finds it: "./parts/note.html" is parts/note.html.
    project.file("templates/entry.html", PAGE.replace("{}", '{% include "./parts/note.html" %}'))
    not_used = (
        ": warning: no page uses it: feedpub makes no page with a template of this name, and"
        " none of the site's templates includes, imports or extends it"
    )
    for command in ("check", "build"):
        result = run(command)
        assert (result.exit_code, result.errors) == (
            0,
            [
                f"templates/Index.html{not_used}; did you mean index.html?",
                f"templates/entry.htm{not_used}; did you mean entry.html?",
                f"templates/header.html{not_used}; a site's template is used in place of"
                " feedpub's of the same name (its README lists them), or where another includes"
                " it",
            ],
        )
    # Included by a name made as the page is rendered: which it may be cannot be told.
    dynamic = '{% include "parts/" ~ entry.type ~ ".html" ignore missing %}'
    project.file("templates/entry.html", PAGE.replace("{}", dynamic))
    assert [line for line in run("check").errors if "warning" in line] == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Which of the two is meant is a guess.
        (
            "<p>{{ entry.titel }} {{ entry.titel }}</p>",
            "entry has no attribute 'titel'; did you mean title?",
        ),
        (
            "<p>{{ site.title|uper }} {{ entry.title|uper }}</p>",
            "unknown filter 'uper'; did you mean upper?",
        ),
        # Read as an item, not as .titel: the line holds no `.titel` to point at.
        ("<p>{{ entry['titel'] }}</p>", "entry has no attribute 'titel'; did you mean title?"),
    ],
)
def test_site_template_mistake_whose_name_is_not_once_on_its_line_is_at_column_1(
    project: Project, run: Run, line: str, expected: str
) -> None:
    project.entry(*X)
    project.file("templates/entry.html", PAGE.replace("{}", line))
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0] == f"templates/entry.html:3:1: template error: {expected}"


TAGS = (
    "autoescape, block, call, extends, filter, for, from, if, import, include, macro, print,"
    " raw, set, trans, with"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # A misspelt tag at its name, with the nearest; the same word in the text is not it.
        (
            "{% for e in site.entries %}<p>endfo: {{ e.title }}{% endfo %}</p>",
            "3:54: unknown tag 'endfo'; did you mean endfor?",
        ),
        ("<p>{% iff entry.title %}x{% endif %}</p>", "3:7: unknown tag 'iff'; did you mean if?"),
        ("<p>{% zzqx %}</p>", f"3:7: unknown tag 'zzqx'; the tags are Jinja's: {TAGS}"),
        # An end tag with nothing of its kind open.
        (
            "<p>endif: {% endif %}</p>",
            "3:14: {% endif %} closes no {% if %}: remove it, or add the {% if %} it belongs to",
        ),
        (
            "<p>{% else %}</p>",
            "3:7: {% else %} is inside no {% if %} or {% for %}: remove it, or add the {% if %}"
            " or {% for %} it belongs to",
        ),
        # The token Jinja did not expect, never the same word in the text or the code before.
        (
            "<p>title: {{ entry.title title }}</p>",
            "3:26: expected token 'end of print statement', got 'title'; end the {{ before it"
            " with }}, or join the two with an operator (~ joins them as text)",
        ),
        (
            "<p>{{ entry.title }</p>",
            "3:19: unexpected '}'; end {{ with }} and {% with %}, or remove it",
        ),
        (
            '<p>{{ "a" ~ }}</p>',
            "3:13: unexpected 'end of print statement'; a value was expected before it: write"
            " it, or remove what asks for it",
        ),
        (
            "<p>{{ entry.title|truncate(30,, '...') }}</p>",
            "3:31: unexpected ','"
            " where a value was expected: remove it, or write the value (a name, a number, a"
            ' "string") before it',
        ),
        (
            "<p>{{ entry.title|truncate(30 '...') }}</p>",
            "3:31: expected token ',', got 'string'; separate two arguments or items with a"
            " comma, or close the bracket before it",
        ),
        # Lexed apart from the parser: at the quote that opens it.
        (
            "<p>{{ 'Press office }}</p>",
            "3:7: a string opened with ' is never closed: end it with '",
        ),
        ("<p>{% block %}x{% endblock %}</p>", "3:13: {% block %} needs a name: {% block NAME %}"),
        # Found by Jinja once past it: at the name or value itself.
        ("<p>{% set 1 = 2 %}</p>", "3:11: can't assign to 'const'"),
        (
            "{% macro m(a=1, b) %}{% endmacro %}",
            "3:17: non-default argument follows default argument",
        ),
        # The second block of a name, which says where the first is.
        (
            "{% block main %}x{% endblock %}",
            "3:10: block 'main' is defined twice, first at line 2, column 10: rename one of them",
        ),
        # A block closed inside another still open: at the end tag, naming the one open.
        (
            "<p>{% for e in site.entries %}{{ e.title }}</p>",
            "4:4: {% endblock %} while the {% for %} at line 3, column 4 is still open: add its"
            " {% endfor %} before this",
        ),
    ],
)
def test_site_template_syntax_error_names_its_column_and_how_to_fix_it(
    project: Project, run: Run, line: str, expected: str
) -> None:
    # Jinja's syntax errors carry a line, not a column: the column is the token's that
    # Jinja's own lexer finds where the message says, the message what to write.
    project.entry(*X)
    project.file("templates/entry.html", PAGE.replace("{}", line))
    for command in ("check", "build"):
        _first_template_error(run, command, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<main>\n  {% for e in site.entries %}\n  <p>{{ e.title }}</p>\n</main>\n",
            "2:3: {% for %} is left open at the end of the template: it needs its {% endfor %}"
            " where its body ends",
        ),
        (
            "<main>\n{% if site.entries %}{% for e in site.entries %}{% endfor %}\n</main>\n",
            "2:1: {% if %} is left open at the end of the template: it needs its {% endif %}"
            " where its body ends",
        ),
        (
            '{% extends "base.html" %}\n{% block main %}\n<p>{{ entry.title }}</p>\n',
            "2:1: {% block %} is left open at the end of the template: it needs its"
            " {% endblock %} where its body ends",
        ),
        ("<p>\r\n  {{ entry.title\r\n", "2:3: {{ is never closed: end it with }}"),
        ("<p>{# a note\n</p>\n", "1:4: the comment {# is never closed: add its #}"),
    ],
)
def test_site_template_left_open_at_its_end_is_named_where_it_opens(
    project: Project, run: Run, text: str, expected: str
) -> None:
    # Jinja names the template's last line, where nothing is to be fixed.
    project.entry(*X)
    project.file("templates/entry.html", text)
    _first_template_error(run, "check", expected)


LONG = "a" * 100_000
CUT = "a" * 57 + "..."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"<p>{{{{ entry.{LONG} }}}}</p>",
            f"3:13: template error: entry has no attribute '{CUT}'" + LISTED,
        ),
        (f"<p>{{{{ {LONG} }}}}</p>", f"3:7: template error: '{CUT}' is undefined" + LISTED),
        (
            f"<p>{{{{ 1|{LONG} }}}}</p>",
            f"3:9: template error: unknown filter '{CUT}'" + FILTERS_LISTED,
        ),
        (
            f"<p>{{{{ 1 {LONG} }}}}</p>",
            f"3:9: template error: expected token 'end of print statement', got '{CUT}'; end"
            " the {{ before it with }}, or join the two with an operator (~ joins them as text)",
        ),
        # Whatever else repeats what the template gave is cut at 500 characters.
        (
            f"<p>{{{{ 'x'.encode('{LONG}') }}}}</p>",
            "3:1: template error: LookupError: unknown encoding: " + "a" * 466 + "...",
        ),
        # Shown escaped, never acted on by a terminal or a CI log.
        (
            '<p>{{ entry["ti\\u202etel\\n\\x1b[31m"] }}</p>',
            "3:1: template error: entry has no attribute 'ti\\u202etel\\n\\x1b[31m'" + LISTED,
        ),
    ],
)
def test_site_template_mistake_with_a_huge_or_odd_name_gives_a_short_plain_message(
    project: Project, run: Run, line: str, expected: str
) -> None:
    project.entry(*X)
    project.file("templates/entry.html", PAGE.replace("{}", line))
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0] == f"templates/entry.html:{expected}", result.errors[0][:600]


def test_readme_lists_what_templates_are_given_where_messages_say() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("\n## The pages\n")[1].split("\n## ")[0]
    assert "A template may use anything it is given." in section
    assert "the filters `long_date`" in section


def test_readme_names_every_template_a_site_may_replace_and_where_an_install_keeps_them() -> None:
    # It listed 14 of the 18 (redirect.html, removed.html... replace feedpub's all the same)
    # and sent an office that installed a wheel to src/feedpub/templates/, which it has not.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = " ".join(readme.split("- **Your own templates:**")[1].split("\n\n")[0].split())
    shipped = REPO / "src/feedpub/templates"
    missing = [p.name for p in sorted(shipped.iterdir()) if f"`{p.name}`" not in section]
    assert missing == []
    command = re.search(r'`(python -c "import feedpub[^`]*)`', section)
    assert command is not None, "no command that prints where feedpub's templates are"
    code = shlex.split(command[1])[2]
    printed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(printed).resolve() == Path(feedpub.__file__).resolve().parent / "templates"
    assert (Path(printed) / "entry.html").is_file()


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


MAIN = "{{% extends 'base.html' %}}\n{{% block main %}}\n{}\n{{% endblock %}}\n"
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ joiner.__init__.__globals__['os'].system('touch MARKER') }}",
    "{{ site.config.__class__.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ subscriptions.append(1) }}",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_site_template_runs_sandboxed_and_cannot_run_code(
    project: Project, run: Run, expression: str
) -> None:
    project.entry(*X)
    project.file("templates/index.html", MAIN.format(expression))
    for command in ("check", "build"):
        result = run(command)
        assert result.exit_code == 1
        assert result.errors[0].startswith("templates/index.html:3:1: template error: ")
        assert "unsafe" in result.errors[0] or "immutable" in result.errors[0], result.errors
        assert not (project.root / "MARKER").exists()


# A function printed or made into text, not called, would print where it lies in memory: a
# page different on every build.
_A_FUNCTION = (
    " a function itself, not what it gives (which would show only where it lies in"
    " memory): call it, with its arguments in ( ) after its name"
)
_PRINTS_A_FUNCTION = "prints" + _A_FUNCTION
_MAKES_TEXT_OF_A_FUNCTION = "makes text of" + _A_FUNCTION
_MAKES_TEXT_OF_ITEMS = (
    "makes text of items given one at a time (which would show only where they lie in"
    ' memory): add |list, or |join(", ") to show them'
)


_READS_THE_CLOCK = (
    "reads the build machine's clock, which --now does not set (a page different on every"
    " build): show the statement's own dates, entry.published and entry.updated"
)


def _locale_data(name: str) -> str:
    return (
        f"{name!r} is babel's locale data, which templates are not given (its text would show"
        " where it lies in memory, a page different on every build): show a date with"
        " |long_date, a time with |release_time, a language's name with |language_name"
    )


_EPOCH_SECONDS = (
    "%s counts seconds in the build machine's zone, a page different on each machine: show"
    " them with entry.published.timestamp()|int"
)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("1 / 0", "ZeroDivisionError: division by zero"),
        *[
            (function, _PRINTS_A_FUNCTION)
            for function in (
                "linked_data",
                "entry.published.isoformat",
                "site.entries[0].path.count",
                "lipsum",
                "_",
            )
        ],
        *[
            (joined, _MAKES_TEXT_OF_A_FUNCTION)
            for joined in (
                '"On " ~ entry.published.isoformat',
                "linked_data ~ ''",
                "site.entries[0].path.count|string",
                "entry.title.upper|e",
                '"%s" % lipsum',
                '"{}".format(_)',
                "[site.url]|join",
                "range|lower",
                "self.title ~ ''",
                "entry.published|attr('isoformat') ~ ''",
            )
        ],
        *[
            (items, _MAKES_TEXT_OF_ITEMS)
            for items in (
                "entry.tags|map('upper')",
                "entry.tags|reverse ~ ''",
                "range(3)|reverse|e",
                "{'a': 1}|items|string",
                "entry.tags|select|lower",
                "entry.tags|unique",
            )
        ],
        ('page_text.locale.eras.get("wide")', _locale_data("eras")),
        ("page_text.locale|attr('months')", _locale_data("months")),
        ('page_text["locale"]["territories"]|length', _locale_data("territories")),
        ("page_text.locale.number_symbols.values()|list", _locale_data("number_symbols")),
        *[
            (clock, _READS_THE_CLOCK)
            for clock in ("entry.published.now()", "entry.published.today().year")
        ],
        (
            "entry.published.astimezone()",
            "astimezone() without a zone gives a time in the build machine's zone, a page"
            " different on each machine: name the zone, as in astimezone(site.config.timezone)",
        ),
        (
            "entry.published.astimezone(none)",
            "astimezone() without a zone gives a time in the build machine's zone, a page"
            " different on each machine: name the zone, as in astimezone(site.config.timezone)",
        ),
        (
            "entry.published.fromtimestamp(0)",
            "fromtimestamp() without a zone gives a time in the build machine's zone, a page"
            " different on each machine: name the zone, as in"
            " entry.published.fromtimestamp(t, site.config.timezone)",
        ),
        (
            "page_text.locale.default()",
            "reads the build machine's language settings (LANG, LANGUAGE), a page different"
            " on each machine: the page's own locale is page_text.locale",
        ),
        (
            "entry.body.stored",
            "'stored' is where feedpub keeps the body, which differs from one build to the"
            " next: show the body with entry.body_html",
        ),
        *[
            (
                f"entry.{name}",
                f"{name!r} depends on the folder the build was started from (entries/... here,"
                " the whole path there), a page different on each machine: a statement is"
                " named by entry.id and entry.path",
            )
            # A build started from another folder published another path (and key).
            for name in ("source", "key")
        ],
        (
            "[1, 2]|random",
            "|random picks anew on every build, and a page must be the same on every build:"
            " pick by something of the page, as in items[entry.published.day % items|length]",
        ),
        (
            "entry.published.replace(tzinfo=None).timestamp()",
            "timestamp() of a time without its zone reads it in the build machine's zone, a"
            " page different on each machine: keep the zone (entry.published.timestamp())",
        ),
        (
            "entry.published.replace(tzinfo=none).astimezone(site.config.timezone)",
            "astimezone() of a time without its zone reads it in the build machine's zone, a"
            " page different on each machine: keep the zone"
            " (entry.published.astimezone(site.config.timezone))",
        ),
        *[
            (seconds, _EPOCH_SECONDS)
            for seconds in (
                'entry.published.strftime("%s")',
                'entry.published.date().strftime("%-s")',
                '"{:%s}".format(entry.published)',
                '"{d:%s}".format_map({"d": entry.published})',
                'entry.published.strftime("%Os")',
                '"{0.published:%Es}".format(entry)',
            )
        ],
        (
            'site.config.timezone.no_cache("localtime")',
            "'no_cache' reads zones from the build machine (\"localtime\" is its own), a page"
            " different on each machine: the site's zone is site.config.timezone",
        ),
        (
            '("%999999d" * 300) % ((1,) * 300)',
            "the format '%999999d%999999d%999999d%999999d%999999d' would add up to 300,002,100"
            " characters; a template may make at most 1,000,000 characters or items",
        ),
        (
            "lipsum(1)",
            "lipsum() makes new placeholder text on every build, and a page must be the same on"
            " every build: write the text",
        ),
        (
            "cycler.current",
            "'current' is read from Cycler itself, not from one it made, which shows only"
            " where it lies in memory: read it from the value that has it",
        ),
    ],
)
def test_error_raised_inside_site_template_is_a_positioned_problem(
    project: Project, run: Run, printed: str, expected: str
) -> None:
    project.entry(*X)
    assert run("build").exit_code == 0
    before = project.tree()
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ P }}</p>\n{% endblock %}\n'.replace(
            "P", printed
        ),
    )
    expected = f"templates/entry.html:3:1: template error: {expected}"
    check = run("check")  # the pull request's check makes the pages, so it finds it too
    assert (check.exit_code, check.errors[0]) == (1, expected)
    result = run("build")
    assert (result.exit_code, result.errors[0]) == (1, expected)
    assert {path: data for path, data in project.tree().items() if path in before} == before


def test_percent_formatting_counts_what_it_adds_to_the_largest_value_given() -> None:
    # A body of 2 MiB is legal: printed once through "%s" it adds nothing, and was refused
    # ("asks for 0 characters of widths"); printed twice it adds as much again.
    from feedpub.render.limits import TemplateLimit, check_percent

    body = "Agency R&D. " * 100_000  # 1.2 million characters
    check_percent("<div>%s</div>", (body,))
    check_percent("%(b)s", {"b": body})
    with pytest.raises(TemplateLimit, match="would add up to 1,200,004 characters"):
        check_percent("%s%s", (body, body))


def test_a_site_template_may_print_a_large_body_once_through_percent(
    project: Project,
) -> None:
    # Once made, the text is measured against the values given: those of a mapping too
    # ("%(b)s" % {"b": body} was measured against its format alone).
    from feedpub.render.environment import make_environment

    project.file("templates/_years.html", "<p>years</p>\n")
    environment = make_environment(project.root)
    body = "Agency R&D. " * 100_000
    for source in (
        '("%(b)s" % {"b": body})|length',
        '("%s" % body)|length',
        '("%s" % (body,))|length',
    ):
        assert environment.from_string("{{ " + source + " }}").render(body=body) == "1200000"


def _statement_page(project: Project, run: Run, template: str) -> bytes:
    """The statement page a build makes with `template` as the site's entry.html."""
    project.file("templates/entry.html", template)
    assert run("build").exit_code == 0
    return next(data for path, data in project.tree().items() if path.count("/") == 4)


def test_site_template_calling_the_functions_it_is_given_still_builds(
    project: Project, run: Run
) -> None:
    project.entry(*X)
    page = _statement_page(
        project,
        run,
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ linked_data(entry)["@type"] }}'
        " {{ entry.published.isoformat() }} {{ _('Statements') }} {{ entry }}</p>\n"
        "<p>{{ entry.published.strftime('%Y %%s') }} {{ '{:%d}'.format(entry.published) }}</p>\n"
        "{% set comma = joiner(', ') %}{% for tag in entry.tags %}{{ comma() }}{{ tag }}"
        "{% endfor %}\n{% endblock %}\n",
    )
    assert b"<p>NewsArticle 20" in page and b" at 0x" not in page
    assert b"<p>2021 %s 05</p>" in page  # a date's own format, %% kept


def test_site_template_showing_functions_and_helpers_whole_shows_no_address(
    project: Project, run: Run
) -> None:
    # Where text of them is not refused (inside a list, |pprint, cycler() and joiner()
    # themselves), it names them, and never where they lie in memory.
    project.entry(*X)
    page = _statement_page(
        project,
        run,
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ [linked_data, site.url] }}'
        " {{ {'f': entry.published.isoformat}|pprint }} {{ cycler('a', 'b') }}"
        " {{ joiner(', ') ~ '' }} {{ [_, lipsum, range] }} {{ [entry.tags|map('upper')] }}"
        "</p>\n{% endblock %}\n",
    )
    assert (
        b"<p>[&lt;function _linked_data&gt;, &lt;function url&gt;]"
        b" {&#39;f&#39;: &lt;function isoformat&gt;} &lt;cycler&gt; &lt;joiner&gt;"
        b" [&lt;function _newstyle_gettext&gt;, &lt;function lipsum&gt;,"
        b" &lt;function safe_range&gt;] [&lt;items&gt;]</p>"
    ) in page


def test_site_template_showing_a_set_shows_it_in_order_not_in_this_run_s_hash_order(
    project: Project, run: Run
) -> None:
    # A set's own order is its hash table's, which PYTHONHASHSEED makes differ from one run
    # of Python to the next: a page showing one differed between builds of the same site.
    # Eight items: in hash order, sorted by chance once in 40,320 runs.
    project.entry(*X)
    fruit = "{'pear': 1, 'apple': 2, 'fig': 3, 'kiwi': 4, 'lime': 5, 'plum': 6, 'date': 7,"
    page = _statement_page(
        project,
        run,
        MAIN.format(
            f"{{% set s = {fruit} 'yuzu': 8}}.keys() - ['x'] %}}"
            "<p>{{ s|join(',') }}|{% for x in s %}{{ x }};{% endfor %}|{{ s|first }}"
            "|{{ s.union(['b'])|list|join(',') }}|{{ s.difference(['fig'])|join(',') }}"
            "|{{ s|length }} {{ 'fig' in s }}</p><p>{{ s }} {{ [s] }}</p>"
        ),
    )
    in_order = "apple,date,fig,kiwi,lime,pear,plum,yuzu"
    assert (
        f"<p>{in_order}|{in_order.replace(',', ';')};|apple|apple,b,date,fig,kiwi,lime,pear,plum,"
        "yuzu|apple,date,kiwi,lime,pear,plum,yuzu|8 True</p>"
    ).encode() in page
    shown = ", ".join(f"&#39;{name}&#39;" for name in in_order.split(","))
    assert f"<p>{{{shown}}} [{{{shown}}}]</p>".encode() in page


def test_site_macro_imported_without_context_speaks_the_page_s_language(
    project: Project, run: Run
) -> None:
    # A template imported without context sees none of the page's variables: its _() and
    # |long_date were in plain English, the site's messages and the statement's language
    # ignored.
    project.config(EXAMPLE_CONFIG + "messages:\n  en:\n    Subscribe: Follow us\n")
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nlanguage: fr\nbody: x\n")
    project.file(
        "templates/_lib.html",
        '{% macro said(when) %}<p id="said">{{ _("Subscribe") }}, {{ when|long_date }}</p>'
        "{% endmacro %}",
    )
    project.file(
        "templates/entry.html",
        MAIN.format('{% import "_lib.html" as lib %}{{ lib.said(entry.published) }}'),
    )
    assert run("build").exit_code == 0
    tree = project.tree()
    assert b'<p id="said">Follow us, November 5, 2021</p>' in tree["2021/11/05/x/index.html"]
    assert (
        b'<p id="said">S\xe2\x80\x99abonner, 6 novembre 2021</p>' in tree["2021/11/06/y/index.html"]
    )


def test_site_template_making_text_of_super_without_its_parentheses_is_refused(
    project: Project, run: Run
) -> None:
    project.entry(*X)
    project.file(
        "templates/entry.html",
        '{% extends "base.html" %}\n{% block main %}\n{{ "x" ~ super }}\n{% endblock %}\n',
    )
    result = run("build")
    assert (result.exit_code, result.errors[0]) == (
        1,
        "templates/entry.html:3:1: template error: " + _MAKES_TEXT_OF_A_FUNCTION,
    )


def test_site_template_keeping_state_in_an_imported_template_shows_it_afresh_on_each_page(
    project: Project, run: Run
) -> None:
    # Jinja keeps a template imported without context for later pages: a namespace counting
    # pages, or a cycler, there made each page depend on those made before it (and in which
    # worker), so a cached build differed from a cold one.
    for day in (5, 6, 7):
        project.entry(f"2021-11-0{day}-s.yaml", f"title: S{day}\ndate: 2021-11-0{day}\nbody: x\n")
    project.file(
        "templates/_state.html",
        '{% set counter = namespace(n=0) %}{% set stripe = cycler("odd", "even") %}',
    )
    project.file(
        "templates/entry.html",
        MAIN.format(
            '{% import "_state.html" as st %}{% set c = st.counter %}{% set c.n = c.n + 1 %}'
            "<p>page {{ c.n }} {{ st.stripe.next() }}</p>"
        ),
    )
    assert run("build").exit_code == 0
    pages = [data for path, data in project.tree().items() if path.count("/") == 4]
    assert len(pages) == 3
    assert all(b"<p>page 1 odd</p>" in page for page in pages)


def test_site_macro_of_another_signature_than_feedpub_s_is_a_problem_not_a_traceback(
    project: Project, run: Run
) -> None:
    # feedpub's list pages call entry_item(entry, ..., level=...) from _macros.html.
    project.entry(*X)
    project.file(
        "templates/_macros.html",
        "{% macro entry_item(entry) %}<li>{{ entry.title }}</li>{% endmacro %}\n",
    )
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].endswith(
        "template error: TypeError: macro 'entry_item' takes no keyword argument 'level';"
        " raised in feedpub's template, which uses the site's own templates: check that what"
        " they define takes what feedpub's pass"
    ), result.errors


def test_site_template_reading_the_page_locale_s_own_values_still_builds(
    project: Project, run: Run
) -> None:
    # Only babel's locale data mappings are kept from templates: what else the page's
    # locale holds prints the same on every build.
    project.entry(*X)
    shown = "{{ page_text.locale }}|{{ page_text.locale.display_name }}"
    page = _statement_page(project, run, MAIN.format(f"<p>{shown}|{{{{ language }}}}</p>"))
    assert b"<p>en|English|en</p>" in page, page


def test_site_template_reading_what_a_function_holds_and_comparing_functions_still_builds(
    project: Project, run: Run
) -> None:
    # A function a template holds is the function for what it reads and compares: a
    # macro's name and arguments, a block's parent, the same method twice; and items given
    # one at a time still go through loops and filters.
    project.entry(
        "2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\ntags: [Rates, Offices]\nbody: x\n"
    )
    page = _statement_page(
        project,
        run,
        '{% extends "base.html" %}\n{% import "_notices.html" as notices %}\n'
        "{% block title %}Child{% endblock %}\n{% block main %}\n"
        '<p>{{ notices.withdrawal.name }}|{{ notices.withdrawal.arguments|join(",") }}'
        "|{{ self.title() }}|{{ self.title.super() }}"
        "|{{ entry.title.upper == entry.title.upper }}"
        "|{{ [entry.title.upper, entry.title.upper]|unique|list|length }}"
        '|{{ entry.tags|map("upper")|join(",") }}|{{ entry.tags|reverse|list|length }}'
        "|{% for t in entry.tags|select %}{{ loop.length }}{% endfor %}</p>\n{% endblock %}\n",
    )
    assert (
        b"<p>withdrawal|entry,feed|Child|Example Agency Statements|True|1|RATES,OFFICES|2|22</p>"
    ) in page, page


def test_error_after_some_pages_are_written_says_public_is_partly_updated(
    project: Project, run: Run
) -> None:
    project.entry(*X)
    assert run("build").exit_code == 0
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y\n")
    # The new statement's page is written before the home page fails.
    project.file("templates/index.html", MAIN.format("{{ entries[0].title / 2 }}"))
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[-1] == (
        "feedpub: 1 problem in 1 file; public/ is partly updated: every file in it is whole,"
        " and no list or feed links to a statement page or attachment not yet written; run the"
        " build again once this is fixed"
    )
    assert (project.root / "public/.feedpub-unfinished").exists()
    (project.root / "templates/index.html").unlink()
    assert run("build").exit_code == 0
    assert not (project.root / "public/.feedpub-unfinished").exists()


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("'x' * 10**9", "repeating 1 items 1,000,000,000 times"),
        ("'x'|center(10**9)", "1,000,000,000 is too large a number to pass"),
        ("'x'.ljust(10**9)", "1,000,000,000 is too large a number to pass"),
        ("'%0999999999d' % 1", "the format '%0999999999d' asks for a width or precision too large"),
        ("'{:>999999999}'.format(1)", "the format '{:>999999999}' asks for a width too large"),
        ("9 ** 99999", "9 ** 99999 has more than 10,000 digits"),
        # Each operand within the limit, the value adding more than it to the largest: one
        # doubled again and again took gigabytes.
        ("(A ~ A) ~ (A ~ A)", "joining 3,999,996 characters or items"),
        ("(A + A) + (A + A)", "adding up to 3,999,996 characters or items"),
        ("(A|list + A|list) + (A|list + A|list)", "adding up to 3,999,996 characters or items"),
        ("range(3)|join(A)", "joining 3 items with 1,999,998 characters between"),
        ("[A, A, 'yy']|join", "making 2,000,000 characters or items"),
        ("'x'|replace('x', A)|replace('x', A)", "replacing 999,999 times with 999,999"),
        ("('a\\n' * 1000)|indent(A)", "indenting 1,001 lines by 999,999 characters"),
        ("([range(99999)|list] * 100)|sum(start=[])", "adding up to 9,999,900 characters or"),
        ("'x'.replace('x', A).replace('x', A)", "replacing 999,999 times with 999,999"),
        ("A.join(range(3))", "joining 3 items with 999,999 characters between"),
    ],
)
def test_site_template_cannot_make_a_huge_value(
    project: Project, run: Run, expression: str, message: str
) -> None:
    project.entry(*X)
    project.file(
        "templates/index.html",
        MAIN.format("{% set A = 'x' * 999999 %}" + f"{{{{ {expression} }}}}"),
    )
    result = run("build")
    assert result.errors[0].startswith(f"templates/index.html:3:1: template error: {message}")


def test_site_template_may_print_a_long_body_as_it_is_and_wrapped(
    project: Project, run: Run
) -> None:
    # A body may hold 2 MB of HTML, past the limit of what one operation makes: printing
    # it, or wrapping it in a tag, makes nothing new.
    lines = ("  " + "**w** " * 1000 + "\n") * 100  # 600 KB, 1.9 million characters of HTML
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: |\n" + lines)
    page = "{% extends 'base.html' %}\n{% block main %}\n{}\n{% endblock %}\n"
    body = "{{ '<div>'|safe ~ entry.body_html|safe ~ '</div>'|safe }}"
    body += "{{ entry.body_html|upper|length }}{{ entry.body_html|replace('<p>', '<p class=x>') }}"
    body += "{{ [entry.body_html]|join }}{{ entry.body_html|indent(2)|length }}"
    project.file("templates/entry.html", page.replace("{}", body))
    assert run("build").errors == []


def test_site_template_nested_too_deeply_is_named(project: Project, run: Run) -> None:
    # A RecursionError in Jinja's parser named no template, and was put on feedpub's own.
    project.entry(*X)
    project.file("templates/index.html", "{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000)
    result = run("check")
    assert result.errors[0] == (
        "templates/index.html:1:1: template error: blocks nested too deeply to compile: nest"
        " fewer {% if %}, {% for %} and {% block %} inside one another"
    )


def test_site_template_that_loops_too_long_is_stopped(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedpub.render import sandbox

    monkeypatch.setattr(sandbox, "PAGE_SECONDS", 0.5)
    project.entry(*X)
    project.file(
        "templates/index.html",
        "{% extends 'base.html' %}\n{% block main %}\n{% for a in range(99999) %}"
        "{% for b in range(99999) %}{% endfor %}{% endfor %}\n{% endblock %}\n",
    )
    result = run("build")
    assert result.errors[0] == (
        "templates/index.html:3:1: template error: a page took more than 0.5 s to render, and a"
        " page of the site's own templates may take at most that: look for a loop that runs"
        " too long"
    )
    project.file("templates/index.html", "{% extends 'base.html' %}\n")
    assert run("build").exit_code == 0  # the timer is gone with the page


def test_site_template_slow_on_every_page_is_stopped_by_the_pages_shared_budget(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 8 s a page, under the 10 s limit: a check of a 1,000-page site took two hours.
    from feedpub.render import sandbox

    monkeypatch.setattr(sandbox, "_LEFT", 0.6)
    monkeypatch.setattr(sandbox, "PAGE_SHARE", 0.01)
    monkeypatch.setattr(sandbox, "SHARED_SECONDS", 0.6)
    for day in range(1, 6):
        project.entry(f"2021-11-0{day}-x.yaml", f"title: X{day}\ndate: 2021-11-0{day}\nbody: x\n")
    project.file(  # 0.3-1 s a page: five pages are more than the 0.6 s shared
        "templates/entry.html",
        "{% extends 'base.html' %}\n{% block main %}\n{% for a in range(3000) %}"
        "{% for b in range(3000) %}{% endfor %}{% endfor %}\n{% endblock %}\n",
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "templates/entry.html:3:1: template error: the site's own templates took 0.01 s a page"
        " or more, far more than a page takes (milliseconds), over the pages made before this"
        " one: look for a loop that runs too long, or work done again on every page"
    )


def test_site_template_in_another_language_keeps_its_page_time_limit(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A French statement's page on an English site first makes its feeds' links in French,
    # under a limit of their own: ending, it switched off the page's, which then ran on.
    from feedpub.render import sandbox

    monkeypatch.setattr(sandbox, "PAGE_SECONDS", 0.3)
    project.entry(*X)
    project.entry(
        "2021-11-06-bureau.yaml", "title: Bureau\ndate: 2021-11-06\nlanguage: fr\nbody: x\n"
    )
    project.file(
        "templates/entry.html",
        "{% extends 'base.html' %}\n{% block main %}\n{% if entry.language == 'fr' %}"
        "{% for a in range(30000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"
        "{% endif %}\n{% endblock %}\n",
    )
    result = run("build")
    assert result.errors[0].startswith(
        "templates/entry.html:3:1: template error: a page took more than 0.3 s to render"
    )


@pytest.mark.parametrize(
    "loop",
    [
        # A megabyte printed 100,000 times: within the time limit, it reached 2.5 GB.
        '{% set big = "x" * 1000000 %}{% for i in range(100000) %}{{ big }}{% endfor %}',
        # The same kept in a variable, never printed.
        '{% set big = "x" * 1000000 %}{% set all %}{% for i in range(100000) %}{{ big }}'
        "{% endfor %}{% endset %}",
    ],
    ids=["printed", "kept"],
)
def test_site_template_that_prints_too_much_is_stopped_before_it_exhausts_memory(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch, loop: str
) -> None:
    # From a pull request, it had `check` killed by the machine, naming no template.
    import resource

    from feedpub.render import sandbox

    monkeypatch.setattr(sandbox, "PAGE_MEMORY", 200 << 20)
    before = resource.getrlimit(resource.RLIMIT_AS)
    project.entry(*X)
    project.file(
        "templates/index.html",
        f"{{% extends 'base.html' %}}\n{{% block main %}}\n{loop}\n{{% endblock %}}\n",
    )
    result = run("check")
    assert result.errors == [
        "templates/index.html:3:1: template error: a page needed more than 200 MB of memory to"
        " render, and a page of the site's own templates may use at most that: look for a"
        " loop that prints too much",
        "feedpub: 1 problem in 1 file",
    ]
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the limit is gone with the page
    project.file("templates/index.html", "{% extends 'base.html' %}\n")
    assert run("build").exit_code == 0


def test_feedpub_own_templates_run_unsandboxed_and_site_templates_sandboxed(
    project: Project,
) -> None:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from feedpub.render.environment import make_environment

    assert not isinstance(make_environment(project.root), ImmutableSandboxedEnvironment)
    project.file("templates/_years.html", "<p>years</p>\n")
    assert isinstance(make_environment(project.root), ImmutableSandboxedEnvironment)


def test_site_template_writing_a_character_feeds_cannot_hold_is_refused(
    project: Project, run: Run
) -> None:
    project.entry(*X)
    project.file("templates/_feed_entry.html", "{{ entry.title }}{{ '\\x08' }}\n")
    result = run("check")
    assert result.errors[0] == (
        "templates/_feed_entry.html: template error: it writes the character U+0008 '\\x08',"
        " which XML 1.0 forbids in feeds; remove it"
    )


def test_a_character_feeds_cannot_hold_is_blamed_on_the_site_template_an_included_part_is(
    project: Project, run: Run
) -> None:
    # Written by the site's _footer.html, it was blamed on feedpub's own entry.html, the
    # page's template, which the office cannot change; with two of the site's templates in
    # the page, both are named.
    project.entry(*X)
    footer = (Path(feedpub.__file__).parent / "templates/_footer.html").read_text()
    project.file("templates/_footer.html", footer + "<p>{{ 'Example\\x01Agency' }}</p>\n")
    refused = "template error: it writes the character U+0001 '\\x01', which XML 1.0 forbids"
    assert run("check").errors[0] == f"templates/_footer.html: {refused} in feeds; remove it"
    project.file("templates/_translations.html", "")  # a site in one language
    assert run("check").errors[0] == (
        f"(feedpub)/templates/entry.html: {refused} in feeds; remove it (it comes from one of"
        " the site's templates templates/_footer.html, templates/_translations.html)"
    )


@pytest.mark.parametrize(
    "source",
    [
        '{{ _("Statements") }}|{{ _("50%% of <them>") }}',
        '{{ _("Hello %(name)s", name="<b>") }}|{{ gettext("Hi") }}',
        '{{ ngettext("%(num)d page", "%(num)d pages", 3) }}|{{ ngettext("a", "b", 1, x=2) }}',
        '{% trans who="<x>" %}Hi {{ who }}, 100%{% endtrans %}',
        "{% trans count=2 %}one statement{% pluralize %}{{ count }} statements{% endtrans %}",
        '{% autoescape false %}{{ _("<raw> %% sign") }}{% endautoescape %}',
        '{% block b %}{% set x %}<y>{% endset %}{{ _("Hi %(x)s", x=x) }}{{ _("a") }}{% endblock %}',
        '{% for i in [1] %}{% set y = i %}{{ ngettext("%(num)d", "%(num)d", y) }}{% endfor %}',
    ],
)
def test_page_text_calls_give_what_jinja_s_newstyle_gettext_gives(
    source: str, tmp_path: Path
) -> None:
    # feedpub installs its own _(), gettext and ngettext, in one call each instead of the
    # extension's three: every page shows the same text as with the extension's.
    import jinja2

    from feedpub.render import environment, filters

    env = environment.make_environment(None)
    ours = env.from_string(source).render()
    theirs = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    theirs.install_gettext_callables(*filters.GETTEXT, newstyle=True)  # type: ignore[attr-defined]
    assert ours == theirs.from_string(source).render()
    assert env.globals["_"] is filters.NEWSTYLE_GETTEXT["_"]


class _Html:
    def __html__(self) -> str:
        return "<i>own</i>"


@pytest.mark.parametrize(
    "source",
    [
        "{{ text }}|{{ markup }}|{{ number }}|{{ none }}|{{ own }}|{{ text ~ markup }}",
        "{% set x %}<p>{{ text }}</p>{% endset %}{{ x }}|{{ x|length }}|{{ x|upper }}",
        "{% macro m(v) %}[{{ v }}]{% endmacro %}{{ m(text) }}|{{ m(m(markup)) }}",
        "{% filter upper %}{{ text }}{{ markup }}{% endfilter %}|{{ [text]|join(markup) }}",
        "{% block b %}{{ text }}{% endblock %}|{{ self.b() }}|{{ self.b()|e }}",
        "{% autoescape false %}{{ text }}{% endautoescape %}|{{ text|safe }}|{{ text|e }}",
    ],
)
def test_printed_values_are_escaped_as_jinja_escapes_them(source: str) -> None:
    # feedpub's templates escape what they print in one step (render/escaping.py): every
    # page shows the same text as with Jinja's own escape().
    import jinja2
    from markupsafe import Markup, escape

    from feedpub.render import environment, escaping

    values = {
        "text": "<a href=\"x\">'Tom' & Jerry</a> é",
        "markup": Markup("<b>&amp;</b>"),
        "number": 1.5,
        "none": None,
        "own": _Html(),
    }
    for value in values.values():
        assert escaping.escaped(value) == escape(value)
    template = environment.make_environment(None).from_string(source)
    assert template.root_render_func.__globals__["escape"] is escaping.escaped  # in use
    theirs = jinja2.Environment(autoescape=True).from_string(source).render(values)
    assert template.render(values) == theirs


def test_broken_site_template_no_page_uses_is_reported_before_anything_is_written(
    project: Project, run: Run
) -> None:
    project.entry(*X)
    assert run("build").exit_code == 0
    built = project.tree()
    project.file("templates/removed.html", "{% if %}\n")  # no statement was removed
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y\n")
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0].startswith("templates/removed.html:1:")
    assert project.tree() == built


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "entry.html",
            "<p>Caf\u00e9 {{ entry.title }}</p>\n".encode("cp1252"),
            "templates/entry.html:1:7: byte 0xE9 is not valid UTF-8 (it looks like"
            " Windows-1252 or Latin-1); templates/ holds only templates, which are text: save"
            " it as UTF-8, or move it out",
        ),
        (  # an image, which belongs in static/
            "seal.png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\xff",
            "templates/seal.png:1:1: byte 0x89 is not valid UTF-8; templates/ holds only"
            " templates, which are text: save it as UTF-8, or move it out",
        ),
    ],
)
def test_site_template_not_utf8_is_a_message_at_its_byte_not_a_traceback(
    project: Project, run: Run, name: str, content: bytes, expected: str
) -> None:
    project.entry(*X)
    assert run("build").exit_code == 0
    built = project.tree()
    project.file(f"templates/{name}", content)
    for command in ("check", "build"):
        result = run(command)
        assert result.exit_code == 1
        assert expected in result.errors, result.errors
    assert project.tree() == built


def test_what_systems_and_editors_leave_in_templates_is_no_template(
    project: Project, run: Run
) -> None:
    # A Mac's .DS_Store, or Vim's swap file while an office edits a template with `feedpub
    # serve` running, was read as a template: the build failed (a traceback, then "not
    # valid UTF-8") until the file was found and deleted.
    project.entry(*X)
    project.file("templates/entry.html", PAGE.replace("{}", "<p>Ours</p>"))
    assert run("build").exit_code == 0
    built = project.tree()
    binary = b"\x00\x00\x00\x01Bud1\x00\xff\xfe"
    for name in (".DS_Store", ".entry.html.swp", "Thumbs.db", "parts/.DS_Store", ".git/x"):
        project.file(f"templates/{name}", binary)
    project.file("templates/entry.html~", "{% if %}")  # Emacs's backup: not compiled
    project.file("templates/#entry.html#", "{% if %}")  # and its autosave
    (project.root / "templates/.#entry.html").symlink_to("office@host.1234:1700000000")  # lock
    for command in ("check", "build"):
        result = run(command)
        assert (result.exit_code, result.errors) == (0, []), command
    # Nor keyed: no page depends on them, so none is made again.
    assert re.search(r"\((0 written|already up to date), ", result.stdout), result.stdout
    assert project.tree() == built
    # Not loaded either: a page that names one is told it is not there.
    project.file("templates/entry.html", PAGE.replace("{}", '{% include ".DS_Store" %}'))
    assert "there is no template '.DS_Store'" in run("check").errors[0]


def test_feedpub_templates_are_compiled_when_first_used_or_all_before_workers_fork(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedpub.build import check
    from feedpub.render import environment, plan

    project.entry(*X)
    fresh = environment._environment.__wrapped__(None, ())  # not cached: nothing compiled
    monkeypatch.setattr(plan, "make_environment", lambda root: fresh)

    def compiled() -> set[str | None]:
        assert fresh.cache is not None
        return {template.name for template in fresh.cache.values()}

    outputs = plan.plan_site(check(project.root).site, project.root)
    assert compiled() == {"_subscription.html"}  # rendered for every section's feeds
    outputs["index.html"].make()
    assert {"index.html", "base.html"} <= compiled() < set(fresh.list_templates(["html"]))
    outputs.prepare()
    assert compiled() == set(fresh.list_templates(["html"]))


def test_templates_are_compiled_by_a_forked_child_while_the_site_is_read(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from conftest import children_left
    from feedpub.build import build

    project.entry(*X)
    # A template of the site's own: an environment no build in this process compiled yet.
    project.file("templates/removed.html", '{% extends "base.html" %}\n')
    compiled_here: list[str | None] = []
    compile_: Any = jinja2.Environment.compile

    def counted(env: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        compiled_here.append(name)
        return compile_(env, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    build(project.root)
    # The child compiled every template (its calls are not seen here), this process none.
    assert compiled_here == []
    assert children_left() == []
    assert b"<h1" in (project.root / "public/2021/11/05/x/index.html").read_bytes()
    # The same pages as templates compiled here make.
    from feedpub.render import environment, precompiled

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    monkeypatch.setattr(precompiled, "can_fork", lambda: False)
    environment._environment.cache_clear()
    build(project.root, out=project.root / "here")
    assert project.tree() == project.tree("here")


_FIRST_BUILD = """
import os
import select
import shutil
import sys
from pathlib import Path

import jinja2

import feedpub.gather
from feedpub import forked, parallel
from feedpub.build import build
from feedpub.render import precompiled

assert "feedpub.render.environment" not in sys.modules, "imported before the build"
root, change = Path(sys.argv[1]), sys.argv[2]
feedpub.gather.PARALLEL_FROM = 2  # the entries compiled by a pool of workers
parallel.workers = lambda: 2
compiled_here = []
compile_ = jinja2.Environment.compile


def counted(env, source, name=None, *args):
    compiled_here.append(name)
    return compile_(env, source, name, *args)


jinja2.Environment.compile = counted
children, loaded_at_fork = [], []
fork = forked.Forked.__init__


def forking(self, function):
    fork(self, function)
    if getattr(function, "func", None) is precompiled._compiled:  # the templates' child
        children.append(self)
        loaded_at_fork.append("feedpub.render.environment" in sys.modules)


forked.Forked.__init__ = forking
executor = parallel._executor
jinja_at_pool = []


def pool(count):
    jinja_at_pool.append("feedpub.render.environment" in sys.modules)
    return executor(count)


parallel._executor = pool
compile_entries = feedpub.gather.compile_entries


def changed_meanwhile(*args, **kwargs):
    # Once the child has compiled for the site as it was, its templates/ goes or comes.
    if change != "none":
        select.select([children[0]._child[1]], [], [], 60)
        if change == "remove":
            shutil.rmtree(root / "templates")
        else:
            (root / "templates").mkdir()
            (root / "templates/removed.html").write_text('{% extends "base.html" %}\\n')
    return compile_entries(*args, **kwargs)


feedpub.gather.compile_entries = changed_meanwhile
build(root)
assert loaded_at_fork == [False], loaded_at_fork
# (A site with templates/ of its own imports them first, to say which no page uses.)
assert jinja_at_pool[:1] == [change == "remove"], jinja_at_pool
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a child of the build is left")
except ChildProcessError:
    pass
from feedpub.render.environment import make_environment

env = make_environment(root)
print(len(compiled_here), len(env._compiled), len(env.list_templates(extensions=["html"])))
"""


def _first_build(project: Project, change: str = "none") -> tuple[int, int, int]:
    script = project.root.parent / "first_build.py"
    script.write_text(_FIRST_BUILD)
    done = subprocess.run(
        [sys.executable, str(script), str(project.root), change],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    here, given, templates = map(int, done.stdout.split())
    return here, given, templates


def test_a_first_build_in_a_process_imports_jinja_while_a_child_compiles_the_templates(
    project: Project,
) -> None:
    # `feedpub build`: the child is forked before the environment's modules are imported
    # here, the workers compiling the entries too, and the child's code objects are taken
    # once they are imported (while the entries compile). No child of the build is left.
    project.entry(*X)
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y\n")
    here, given, templates = _first_build(project)
    assert (here, given) == (0, templates) and templates > 10
    assert b"<h1" in (project.root / "public/2021/11/05/x/index.html").read_bytes()


@pytest.mark.parametrize("change", ["remove", "add"])
def test_templates_compiled_for_the_site_before_its_templates_folder_changed_are_not_used(
    project: Project, change: str
) -> None:
    from feedpub.build import build

    # A site's templates/ makes its pages sandboxed, and its code differs: code the child
    # compiled before the folder came or went is compiled again, never run in the other.
    project.entry(*X)
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: y\n")
    if change == "remove":
        project.file("templates/removed.html", '{% extends "base.html" %}\n')
    _first_build(project, change)
    page = (project.root / "public/2021/11/05/x/index.html").read_bytes()
    assert b"<h1" in page and b"Subscribe" in page
    build(project.root, out=project.root / "here")  # templates compiled in this process
    assert project.tree() == project.tree("here")


def test_a_template_compiled_from_another_source_than_its_file_s_is_compiled_again(
    project: Project,
) -> None:
    import base64
    import marshal

    from feedpub.build import build
    from feedpub.render import environment

    project.entry(*X)
    project.file("templates/removed.html", '{% extends "base.html" %}\n')
    env = environment.make_environment(project.root)
    planted = env.compile("<p>PLANTED</p>", "entry.html", "entry.html")
    assert isinstance(env, environment._Recording)
    env._compiled = {  # as if the file had changed since the child compiled it
        "entry.html": ["0" * 32, base64.b64encode(marshal.dumps(planted)).decode()]
    }
    env._asked = frozenset(env.list_templates())  # no child this time
    build(project.root)
    page = (project.root / "public/2021/11/05/x/index.html").read_bytes()
    assert b"PLANTED" not in page and b"<h1" in page


def test_site_template_text_that_gettext_doubles_is_stopped_where_it_grows_too_long(
    project: Project, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # feedpub's own templates call _() without Jinja's context copy (render/environment.py);
    # a site's own, sandboxed, keep Jinja's call and every check of the sandbox: text that
    # _() doubles is stopped at the call that makes it too long, not once the page has run
    # out of memory.
    from jinja2.runtime import Context

    from feedpub.render import environment, sandbox

    assert environment._SandboxedContext.call is Context.call

    monkeypatch.setattr(sandbox, "PAGE_MEMORY", 200 << 20)
    nested = '"x"'
    for _ in range(31):
        nested = f'_("%(a)s%(a)s", a={nested})'
    project.entry(*X)
    project.file(
        "templates/index.html",
        "{% extends 'base.html' %}\n{% block main %}\n{% set published %}p{% endset %}"
        f"{{{{ ({nested})|length }}}}\n{{% endblock %}}\n",
    )
    result = run("check")
    assert result.errors == [
        "templates/index.html:3:1: template error: making 1,048,576 characters or items; a"
        " template may make at most 1,000,000 characters or items",
        "feedpub: 1 problem in 1 file",
    ]


_CALLS = {
    "macro, by position": "{% macro m(a, b=2, c=3) %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}"
    "{{ m(1) }} {{ m(1, 5) }} {{ m(1, 2, 3) }}",
    "macro, by name": "{% macro m(a, b=2, c=3) %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}"
    "{{ m(1, c=5) }} {{ m(a=1) }} {{ m(c=0, b=1, a=2) }}",
    "macro, an argument missing": "{% macro m(a, b=2) %}{{ a }}{% endmacro %}{{ m(b=1) }}",
    "macro, in a loop": "{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}"
    "{% for i in [1, 2] %}{{ m(i, b=loop.index) }}{% endfor %}",
    "macro, too many": "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}",
    "macro, an unknown name": "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, d=4) }}",
    "macro, a name given twice": "{% macro m(a, b) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}",
    "macro, with caller": "{% macro w(x=1) %}[{{ caller() }}{{ x }}]{% endmacro %}"
    "{% call w() %}in{% endcall %}{% call w(x=2) %}in{% endcall %}",
    "macro, varargs and kwargs": "{% macro v(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}"
    "{{ v(1, 2, x=3) }} {{ v(a=1) }}",
    "macro, escaping": "{% macro e(x) %}<i>{{ x }}</i>{% endmacro %}{{ e('<b>') }}"
    "{% autoescape false %}{{ e('<b>')|escape }}{% endautoescape %}",
    "a built-in type's method": "{{ 'a,b'.split(',') }} {{ when.isoformat() }}"
    " {{ 'x'.center(5, '*') }}{% for i in [1] %}{{ 'ab'.upper() }}{% endfor %}",
    "a built-in type's method, by name": "{{ 'a b'.split(maxsplit=0) }}",
    "a built-in type's method, refusing": "{{ 'a'.split(1) }}",
    "a function": "{{ plain(1, b=2) }}{% for i in [1] %}{{ plain(i) }}{% endfor %}",
    "a function stopping": "{{ stop() }}",
    "a macro stopping": "{% macro m(o) %}[{{ o.boom }}]{% endmacro %}<{{ m(made) }}>",
    "a function given the context": "{% for i in [7] %}{{ given() }}{% endfor %}"
    "{% set j = 8 %}{{ given() }}",
    "a class and an object": "{{ kind(5) }} {{ made() }}",
}


@pytest.mark.parametrize("template", list(_CALLS.values()), ids=list(_CALLS))
def test_each_kind_of_call_in_feedpub_s_templates_is_made_as_jinja_makes_it(
    template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # render/calls.py calls macros, built-in methods and plain functions itself: each must
    # give what Jinja's Context.call gives, text or error, in feedpub's own environment.
    from datetime import datetime, timezone

    import jinja2
    from jinja2.runtime import Context

    from feedpub.render import calls
    from feedpub.render.environment import make_environment

    def stop() -> None:
        raise StopIteration

    class Made:
        def __call__(self) -> str:
            return "made"

        @property
        def boom(self) -> str:
            raise StopIteration

    given = jinja2.pass_context(lambda context: f"{context.get('i')}{context.get('j')}")
    names = {
        "when": datetime(2021, 11, 5, 10, tzinfo=timezone.utc),
        "plain": lambda a, b=0: a + b,
        "stop": stop,
        "given": given,
        "kind": str,
        "made": Made(),
    }

    def outcome() -> str:
        try:
            return make_environment(None).from_string(template).render(names)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    ours = outcome()
    monkeypatch.setattr(calls, "call", lambda c, o, a, k: Context.call(c, o, *a, **k))
    assert ours == outcome()

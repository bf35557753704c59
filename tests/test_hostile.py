"""A corpus of hostile inputs (tests/hostile/), each with the exact answer it must get.

Each case folder holds `entries/` (and maybe `static/` or `feedpub.yaml`) to drop into a
site that has already been built once, and `expected`: the exit status, then every line
feedpub must print on stderr. A refused case must leave the previous public/ byte for byte;
an accepted one must publish nothing that runs script. `pytest --update-golden` rewrites
the `expected` files from what feedpub prints now; read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import Project, Run

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())
GOOD = ("2020-01-01-good.yaml", "title: A good statement\ndate: 2020-01-01\nbody: Good.\n")

_SCRIPT_HOSTS = ("javascript:", "vbscript:", "data:")


def assert_publishes_no_script(public: Path) -> None:
    """No page or feed carries script, event handlers, frames or dangerous URLs."""
    for path in public.rglob("*"):
        if path.suffix == ".html":
            documents = [path.read_text()]
        elif path.suffix == ".xml":
            parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
            documents = [c.value for e in parsed.entries for c in e.get("content", [])]
            documents += [e.summary for e in parsed.entries if e.summary_detail.type == "text/html"]
            subtitle = parsed.feed.get("subtitle_detail")  # RSS's channel <description>
            if subtitle is not None and subtitle.type == "text/html":
                documents.append(subtitle.value)
        elif path.suffix == ".json":
            documents = [i.get("content_html", "") for i in json.loads(path.read_bytes())["items"]]
        else:
            continue
        for document in documents:
            tree = etree.fromstring(f"<div>{document}</div>", etree.HTMLParser())
            if tree is None:
                continue
            # The one script a page has is its JSON-LD data block, which browsers never run.
            scripts = "//script[not(@type='application/ld+json')]"
            assert not tree.xpath(f"{scripts} | //iframe | //object | //embed | //form"), path
            for element in tree.iter():
                for name, value in element.attrib.items():
                    assert not name.lower().startswith("on"), (path, name)
                    assert not (name == "style" and path.suffix != ".html"), path
                    cleaned = "".join(value.split()).lower()
                    assert not cleaned.startswith(_SCRIPT_HOSTS), (path, name, value)


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_gets_its_expected_answer(
    project: Project, run: Run, case: str, update_golden: bool
) -> None:
    project.entry(*GOOD)
    assert run("build").exit_code == 0
    before = project.tree()
    folder = HOSTILE / case
    for sub in ("entries", "static"):
        if (folder / sub).is_dir():
            shutil.copytree(folder / sub, project.root / sub, dirs_exist_ok=True)
    if (folder / "feedpub.yaml").is_file():
        shutil.copy(folder / "feedpub.yaml", project.root / "feedpub.yaml")

    result = run("build")

    answer = [f"exit {result.exit_code}", *result.errors]
    expected_file = folder / "expected"
    if update_golden:
        expected_file.write_text("\n".join(answer) + "\n")
    assert answer == expected_file.read_text().splitlines()
    if result.exit_code == 0:
        assert_publishes_no_script(project.root / "public")
    else:
        assert project.tree() == before, "a refused build changed public/"
    # Nothing is ever written beside public/, whatever the names in the entries say.
    assert {p.name for p in project.root.iterdir()} <= {
        "entries",
        "feedpub.yaml",
        "public",
        "static",
    }


def test_hostile_corpus_covers_every_kind_of_bad_input() -> None:
    kinds = {case.split("-", 1)[0] for case in CASES}
    assert kinds == {"yaml", "type", "encoding", "size", "collision", "path", "markup"}
    assert len(CASES) >= 60


def _limited_check(project: Project, memory: int) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # runs in the child: cap its address space
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "feedpub", "check"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        check=False,
    )


def test_billion_laughs_is_refused_in_little_memory(project: Project) -> None:
    shutil.copytree(
        HOSTILE / "yaml-billion-laughs/entries", project.root / "entries", dirs_exist_ok=True
    )
    result = _limited_check(project, 512 * 1024 * 1024)
    assert result.returncode == 1
    assert "YAML anchors and aliases (&, *) are not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_multi_megabyte_body_is_refused_with_its_limit(project: Project) -> None:
    body = ("  " + "word " * 19 + "\n") * 40_000  # about 4 MB
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: |\n" + body)
    result = _limited_check(project, 512 * 1024 * 1024)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "entries/2021-11-05-x.yaml:1:1: file is 3,920,034 bytes; a file may hold at most"
        " 1,048,576 bytes:"
        " shorten it (a long document can be published as an attachment, `attachments:`)"
    )


def test_body_just_under_the_limit_builds(project: Project, run: Run) -> None:
    body = ("  " + "word " * 19 + "\n") * 10_000  # about 1 MB of Markdown
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: |\n" + body)
    result = run("build")
    assert result.exit_code == 0, result.stderr


# --- what a corpus file cannot hold: large, generated, special files ------------------------


def _refused(project: Project, run: Run, expected: list[str]) -> None:
    project.entry(*GOOD)
    assert run("build").exit_code == 0
    before = project.tree()
    result = run("build")
    assert result.errors == expected
    assert result.exit_code == 1
    assert project.tree() == before


def test_body_with_more_links_than_the_limit_is_refused_at_the_one_past_it(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-04-x.yaml", "title: X\ndate: 2021-11-04\nbody: |\n" + "  [a](x/)\n" * 10_001
    )
    project.entry(*GOOD)
    assert run("build").exit_code == 1
    assert run("build").errors == [
        "entries/2021-11-04-x.yaml:10004:3: body: has 10,001 links and images; at most 10,000"
        " are allowed: split the statement, or attach the list as a file (CSV or PDF)",
        "feedpub: 1 problem in 1 file; public/ was not changed",
    ]
    project.entry(
        "2021-11-04-x.yaml", "title: X\ndate: 2021-11-04\nbody: |\n" + "  [a](x/)\n" * 1_000
    )
    assert run("build").exit_code == 0  # a thousand links are a statement's right


def test_a_reference_to_a_character_feeds_refuse_is_refused_before_its_release(
    project: Project, run: Run
) -> None:
    # Told by the pull request's check, not by the build at the release, which would fail.
    project.entry("2031-06-01-x.yaml", "title: X\ndate: 2031-06-01\nbody: |\n  a &#x1B; b\n")
    project.entry(*GOOD)
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries/2031-06-01-x.yaml:4:5: body: &#x1B; stands for the character U+001B"
        " '\\x1b', which is not allowed (XML 1.0 forbids it in feeds): remove it"
    )


def test_line_longer_than_the_limit_is_refused_and_64_kib_is_not(
    project: Project, run: Run
) -> None:
    long_line = "word " * 20_001  # 100,005 characters
    project.entry("2021-11-04-x.yaml", f"title: X\ndate: 2021-11-04\nbody: |\n  {long_line}\n")
    project.entry(*GOOD)
    assert run("build").errors == [
        "entries/2021-11-04-x.yaml:4:100001: body: line is 100,007 characters long; a line may"
        " hold at most 100,000: break it into shorter lines (in a body, one line break inside"
        " a paragraph reads as a space)",
        "feedpub: 1 problem in 1 file; public/ was not changed",
    ]
    kib_64 = "word " * (65_536 // 5 + 1)
    project.entry("2021-11-04-x.yaml", f"title: X\ndate: 2021-11-04\nbody: |\n  {kib_64}\n")
    assert run("build").exit_code == 0


def test_html_a_body_makes_is_bounded_even_from_few_characters(project: Project, run: Run) -> None:
    # 31 bold tags left open: the parser would repeat them in each of 60,000 paragraphs.
    opened = "".join(f'<b title="{i}">' for i in range(31))
    body = f"  <div>{opened}</div>\n\n" + "  x\n\n" * 60_000
    project.entry("2021-11-04-x.yaml", "title: X\ndate: 2021-11-04\nbody: |\n" + body)
    project.entry(*GOOD)
    result = run("build")
    assert result.errors[0].startswith("entries/2021-11-04-x.yaml:3:7: body: makes ")
    assert result.errors[0].endswith(
        " characters of HTML; at most 2,097,152 are allowed: split the statement, or attach"
        " long tables as a file (CSV or PDF)"
    )


def test_many_kinds_of_removal_are_listed_once_then_counted(project: Project, run: Run) -> None:
    attributes = " ".join(f"data-n{i}=1" for i in range(25))
    project.entry(
        "2021-11-05-x.yaml", f"title: X\ndate: 2021-11-05\nbody: |\n  <b {attributes}>x</b>\n"
    )
    result = run("build")
    assert result.exit_code == 0
    assert result.errors[:3] == [
        "entries/2021-11-05-x.yaml:3:7: body: warning: removed 5 more kinds of tag, attribute"
        " or URL besides those listed",
        "entries/2021-11-05-x.yaml:4:6: body: warning: removed data-n0 attribute from <b>",
        "entries/2021-11-05-x.yaml:4:16: body: warning: removed data-n1 attribute from <b>",
    ]
    assert len(result.errors) == 21


def test_many_unknown_fields_are_listed_then_counted(project: Project, run: Run) -> None:
    fields = "".join(f"field{i}: 1\n" for i in range(30))
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n" + fields)
    result = run("check")
    assert len(result.errors) == 22
    assert result.errors[20] == (
        "entries/2021-11-05-x.yaml:24:1: 10 more unknown fields, from here on (the first are"
        " listed above)"
    )


def test_windows_device_names_get_folders_a_windows_checkout_can_hold(
    project: Project, run: Run
) -> None:
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\ntype: CON\ntags: [nul, Lpt1, COM1, Aux, PRN, Conference]\n"
        "body: x\n",
    )
    assert run("build").exit_code == 0
    folders = {p.name for p in (project.root / "public/tags").iterdir() if p.is_dir()}
    assert folders == {"nul-0", "lpt1-0", "com1-0", "aux-0", "prn-0", "conference"}
    assert (project.root / "public/types/con-0/index.html").is_file()


def test_a_name_as_long_as_a_disk_allows_is_written_and_a_longer_alias_is_refused(
    project: Project, run: Run
) -> None:
    # Each file was written to `.NAME.feedpub-tmp-PID`, past 255 bytes for a name of 244:
    # `check` passed, then the build failed half-way with "File name too long".
    longest = "é" * 125 + ".txt"  # 254 bytes: a name ext4 and APFS hold
    project.file(f"static/{longest}", "kept\n")
    page = "p" * 250 + ".html"  # 255 bytes
    project.entry("2021-11-05-x.yaml", f"title: X\ndate: 2021-11-05\nbody: x\naliases: [{page}]\n")
    assert run("build").exit_code == 0
    assert (project.root / "public" / longest).read_text() == "kept\n"
    assert "2021/11/05/x/" in (project.root / "public" / page).read_text()

    before = project.tree()
    project.entry("2021-11-05-x.yaml", f"title: X\ndate: 2021-11-05\nbody: x\naliases: [o{page}]\n")
    result = run("build")
    assert result.exit_code == 1
    assert result.errors[0] == (
        f"entries/2021-11-05-x.yaml:4:11: aliases: item 1: 'o{page}' has a part of 256 bytes;"
        " no disk holds a file or folder name of more than 255"
    )
    assert project.tree() == before


def _sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)


def test_huge_sparse_files_are_refused_by_size_without_being_read(project: Project) -> None:
    gigabytes_3 = 3 * 1024**3
    _sparse(project.root / "entries/2021-11-05-x.yaml", gigabytes_3)
    _sparse(project.root / "templates/entry.html", gigabytes_3)
    _sparse(project.root / "static/video.mp4", gigabytes_3)
    project.entry(
        "2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nattachments: [a.pdf]\nbody: x\n"
    )
    _sparse(project.root / "entries/a.pdf", gigabytes_3)
    result = _limited_check(project, 512 * 1024 * 1024)
    assert result.stderr.splitlines() == [
        "entries/2021-11-05-x.yaml:1:1: file is 3,221,225,472 bytes; a file may hold at most"
        " 1,048,576 bytes:"
        " shorten it (a long document can be published as an attachment, `attachments:`)",
        "entries/2021-11-06-y.yaml:3:15: attachments: item 1: 'a.pdf' is 3,221,225,472 bytes;"
        " an attachment may be at most 100 MB",
        "static/video.mp4: is 3,221,225,472 bytes; a file in static/ may hold at most"
        " 104,857,600 bytes",
        "templates/entry.html: is 3,221,225,472 bytes; a file in templates/ may hold at most"
        " 1,048,576 bytes",
        "feedpub: 4 problems in 4 files",
    ]
    assert result.returncode == 1


def test_huge_sparse_settings_file_is_refused_without_being_read(project: Project) -> None:
    project.entry(*GOOD)
    _sparse(project.root / "feedpub.yaml", 3 * 1024**3)
    result = _limited_check(project, 512 * 1024 * 1024)
    assert result.stderr.splitlines()[0] == (
        "feedpub.yaml:1:1: file is 3,221,225,472 bytes; a file may hold at most 1,048,576 bytes:"
        " shorten it (a long document can be published as an attachment, `attachments:`)"
    )


@pytest.mark.parametrize(
    ("fifo", "expected"),
    [
        (
            "entries/2021-11-05-x.yaml",
            "entries/2021-11-05-x.yaml: is a named pipe (FIFO), not a file; entries/ may hold"
            " only files",
        ),
        (
            "entries/annex.pdf",
            "entries/annex.pdf: is a named pipe (FIFO), not a file; entries/ may hold only files",
        ),
        (
            "static/robots.txt",
            "static/robots.txt: is a named pipe (FIFO), not a file; static/ may hold only files",
        ),
        (
            "templates/entry.html",
            "templates/entry.html: is a named pipe (FIFO), not a file; templates/ may hold only"
            " files",
        ),
        ("feedpub.yaml", "feedpub.yaml: is a named pipe (FIFO), not a file; keep only files here"),
    ],
)
def test_named_pipes_are_refused_and_never_waited_on(
    project: Project, fifo: str, expected: str
) -> None:
    project.entry("2021-11-06-y.yaml", "title: Y\ndate: 2021-11-06\nbody: x\n")
    target = project.root / fifo
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    result = subprocess.run(  # a read would wait for a writer for ever: bounded here
        [sys.executable, "-m", "feedpub", "check"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert expected in result.stderr.splitlines()
    assert result.returncode == 1


@pytest.mark.parametrize("name", ["a\udcff.txt", "d\udcff/a.txt"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_static_name_not_utf8_is_a_message_not_a_traceback(
    project: Project, run: Run, name: str, command: str
) -> None:
    # A name of bytes that are not UTF-8 cannot be an address, nor be hashed for the cache.
    project.entry(*GOOD)
    path = project.root / "static" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    result = run(command)
    shown = "static/" + name.split("/")[0].replace("\udcff", "\\udcff")
    assert result.exit_code == 1
    assert f"{shown}: the file's name is not UTF-8 text; rename it" in result.errors

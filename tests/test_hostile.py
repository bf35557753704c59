"""A corpus of hostile inputs (tests/hostile/), each with the exact answer it must get.

Each case folder holds `entries/` (and maybe `static/` or `feedpub.yaml`) to drop into a
site that has already been built once, and `expected`: the exit status, then every line
feedpub must print on stderr. A refused case must leave the previous public/ byte for byte;
an accepted one must publish nothing that runs script. `pytest --update-golden` rewrites
the `expected` files from what feedpub prints now; read the diff before committing it.
"""

from __future__ import annotations

import json
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
        " 1,048,576 bytes"
    )


def test_body_just_under_the_limit_builds(project: Project, run: Run) -> None:
    body = ("  " + "word " * 19 + "\n") * 10_000  # about 1 MB of Markdown
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: |\n" + body)
    result = run("build")
    assert result.exit_code == 0, result.stderr

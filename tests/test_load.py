"""Reading YAML: syntax errors keep the parser's position, and only YAML's safe subset loads."""

from __future__ import annotations

import pytest

from conftest import Project, Run

NAME = "2021-11-05-x.yaml"
SHOWN = f"entries/{NAME}"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b'title: "X\ndate: 2021-11-05\nbody: x\n',
            "4:1: YAML syntax error: found unexpected end of stream (while scanning a quoted"
            " scalar at line 1, column 8)",
            id="unclosed-quote",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody:\n\tx\n",
            "4:1: a tab cannot indent YAML; indent with spaces",
            id="tab-indent",
        ),
        pytest.param(
            b"title: X\n  date: 2021-11-05\nbody: x\n",
            # libyaml and PyYAML end this message differently: compare up to the ellipsis.
            "2:7: YAML syntax error: mapping values are not allowed …",
            id="bad-indentation",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\n---\ntitle: Y\n",
            "4:1: several YAML documents in one file ('---'); keep one entry per file",
            id="two-documents",
        ),
        pytest.param(
            b"- title: X\n- date: 2021-11-05\n",
            "1:1: expected fields such as 'title: ...', got a list",
            id="list-not-mapping",
        ),
        pytest.param(
            b"just some text\n",
            "1:1: expected fields such as 'title: ...', got text ('just some text')",
            id="scalar-not-mapping",
        ),
        pytest.param(b"", "1:1: file is empty; expected fields such as 'title: ...'", id="empty"),
        pytest.param(
            b"# only a comment\n",
            "1:1: file is empty; expected fields such as 'title: ...'",
            id="only-comment",
        ),
        pytest.param(
            b'title: !!python/object/apply:os.system ["echo owned"]\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not"
            " allowed; only plain values, lists and mappings",
            id="python-tag",
        ),
        pytest.param(
            b"title: !custom X\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: YAML tag '!custom' is not allowed; only plain values, lists and mappings",
            id="local-tag",
        ),
        pytest.param(
            b"title: &t X\nsummary: *t\ndate: 2021-11-05\nbody: x\n",
            "2:1: summary: YAML anchors and aliases (&, *) are not allowed; write the value out",
            id="alias",
        ),
        pytest.param(
            b"title: X\xe9\ndate: 2021-11-05\nbody: x\n",
            "1:9: byte 0xE9 is not valid UTF-8 (it looks like Windows-1252 or Latin-1); save"
            " the file as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            b"\xff\xfet\x00i\x00",
            "1:1: file is encoded as UTF-16; save it as UTF-8",
            id="utf-16",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: a\x00b\n",
            "3:8: body: character U+0000 '\\x00' is not allowed (XML 1.0 forbids it in feeds)",
            id="nul-byte",
        ),
        pytest.param(
            b"title: X\x1b\ndate: 2021-11-05\nbody: x\n",
            "1:9: title: character U+001B '\\x1b' is not allowed (XML 1.0 forbids it in feeds)",
            id="escape-control",
        ),
        pytest.param(
            b'title: "X\\0"\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: character U+0000 '\\x00' is not allowed (XML 1.0 forbids it in feeds);"
            " remove the escape that makes it",
            id="nul-escape",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: a\ufffeb\n".encode(),
            "3:8: body: character U+FFFE '\\ufffe' is not allowed (XML 1.0 forbids it in feeds)",
            id="noncharacter",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\n? [a]\n: b\n",
            "4:3: a field name must be plain text, got a list",
            id="complex-key",
        ),
    ],
)
def test_check_reports_unreadable_yaml(
    project: Project, run: Run, data: bytes, expected: str
) -> None:
    project.entry(NAME, data)
    result = run("check")
    assert result.exit_code == 1
    if expected.endswith("…"):
        assert any(e.startswith(f"{SHOWN}:{expected[:-1]}") for e in result.errors), result.errors
    else:
        assert f"{SHOWN}:{expected}" in result.errors
    assert "Traceback" not in result.stderr


def test_load_accepts_byte_order_mark_and_crlf(project: Project, run: Run) -> None:
    project.entry(NAME, b"\xef\xbb\xbftitle: X\r\ndate: 2021-11-05\r\nbody: |\r\n  a\r\n  b\r\n")
    result = run("check")
    assert result.exit_code == 0, result.stderr


def test_load_refuses_oversized_file_before_parsing(project: Project, run: Run) -> None:
    project.entry(NAME, b"title: X\ndate: 2021-11-05\nbody: " + b"x" * (1024 * 1024) + b"\n")
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"{SHOWN}:1:1: file is 1,048,609 bytes; a file may hold at most 1,048,576 bytes"
        in result.errors
    )


def test_load_never_executes_python_tags(project: Project, run: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "owned"
    project.entry(
        NAME,
        f'title: !!python/object/apply:os.system ["touch {marker}"]\ndate: 2021-11-05\nbody: x\n',
    )
    result = run("check")
    assert result.exit_code == 1
    assert not marker.exists()

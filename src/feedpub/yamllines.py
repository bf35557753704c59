"""A YAML file's lines as a person wrote them, read without the parser: which field a line
starts, its value without a comment, the block it stands under, a quote left open above it;
and a value quoted as a person would write it.

The parser says where it stopped; these find where the mistake is, for syntax.py to word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

KEY = re.compile(r"(\s*)(?:- )?([^\s#'\"{}\[\],&*!|>%@`-][^:#]*?):(?:\s|$)")
BLOCK_HEADER = re.compile(r"[|>](?:[1-9]?[-+]?|[-+][1-9])")  # a block's header: |, >-, |2, >+1


def field_of(line: str) -> str:
    """The field a line starts (`  - name: x` starts name), or ''."""
    key = KEY.match(line)
    return key.group(2).strip() if key else ""


def uncommented(value: str) -> str:
    """A value as written on its line, without a comment after it (` # ...`, not inside
    quotes: `"Plan #2"`)."""
    quote = ""
    for at, char in enumerate(value):
        before = value[at - 1] if at else " "
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and (before.isspace() or before in "[{,:"):  # not Agency's
            quote = char
        elif char == "#" and before.isspace():
            return value[:at].rstrip()
    return value.rstrip()


def field_above(lines: list[str], number: int) -> int | None:
    """How far the nearest field above line `number` is indented (comments passed over)."""
    for n in range(number - 1, -1, -1):
        if lines[n].lstrip().startswith("#"):
            continue
        key = KEY.match(lines[n])
        if key is not None:
            return len(key.group(1))
    return None


def left_open(lines: list[str], number: int, quote: str, indent: int) -> tuple[int, int] | None:
    """(line, column) of a quote left open on a line above `number`: the nearest line
    above holding that quote is a field indented as `indent` (not a line of a | block)
    whose value starts with it, and holds an odd number of them (none doubled or escaped);
    an apostrophe in plain text is not one."""
    for n in range(number - 1, -1, -1):
        line = lines[n].replace("\\" + quote, "").replace(quote * 2, "")
        if quote not in line:
            continue
        key = KEY.match(lines[n])
        if key is None or len(key.group(1)) != indent:
            return None
        if not lines[n][key.end() :].lstrip().startswith(quote):
            return None
        return (n, lines[n].index(quote, key.end())) if line.count(quote) % 2 else None
    return None


def is_prose(rest: str) -> bool:
    """Whether what follows a line's first word reads as a sentence going on (three words
    or more, or ending as sentences end), not as a field's value (`date 2021-11-05`)."""
    return len(rest.split()) >= 3 or rest.rstrip().endswith((".", "!", "?", ",", ";"))


def block_above(lines: list[str], number: int, indent: int) -> tuple[str, str, int] | None:
    """(field, indicator, spaces more) of the '|' or '>' block whose lines, indented more
    than line `number`, stand right above it (blank lines between), or None."""
    inside = None
    for n in range(number - 1, -1, -1):
        line = lines[n]
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if width > indent:
            inside = width
            continue
        key = KEY.match(line)
        indicator = uncommented(line[key.end() :]).strip() if key else ""
        if key is None or inside is None or not BLOCK_HEADER.fullmatch(indicator):
            return None
        return key.group(2).strip(), indicator, inside - indent
    return None


def text_above(lines: list[str], number: int, indent: int) -> str | None:
    """The field above line `number` that the line would continue, if any: the nearest
    field at its indentation or less."""
    for n in range(number - 1, -1, -1):
        key = KEY.match(lines[n])
        if key is not None and len(key.group(1)) <= indent:
            return key.group(2).strip()
    return None


def _outside_quotes(line: str) -> Iterator[tuple[int, str, str]]:
    """(column, character, the [ and { open before it) for each character of `line` outside
    quotes; a [ inside text (`Budget [draft]`) opens nothing."""
    opened, quote, last = "", "", ""
    for at, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        else:
            yield at, char, opened
            if char in "'\"" and last in ("", ":", "-", "[", "{", ","):
                quote = char
            elif char in "[{" and (opened or last in ("", ":", "-")):
                opened += char
            elif char in "]}" and opened:
                opened = opened[:-1]
        last = last if char.isspace() else char


def flow_depth(line: str, end: int) -> int:
    """How many [ or { opened on `line` are still open at column `end`."""
    for at, _, opened in _outside_quotes(line):
        if at == end:
            return len(opened)
    return 0


def flow_comment(line: str) -> tuple[int, str] | None:
    """(column, the [ or { it leaves open) of a '#' that YAML reads as the start of a
    comment inside [ ] or { } on `line`, where the comment holds what would close them
    (`tags: [Water, #x]`), or None."""
    comment = None
    for at, char, opened in _outside_quotes(line):
        if comment is None and char == "#" and opened and line[at - 1] in " \t[{,":
            comment = at, opened[-1]
        elif comment is not None and char in "]}" and len(opened) == 1:
            return comment
    return None


def quoted(value: str) -> str:
    """A value in straight quotes, as a person would write it in the file."""
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', '\\"') + '"'

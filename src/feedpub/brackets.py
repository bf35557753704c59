"""YAML syntax errors in a value written with [ ] or { } on its line (a flow collection,
YAML 1.2 §7.4), in words: a [ or { never closed, text after a [list], a ': ' inside { },
a '#' that starts a comment before the ] or }.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from feedpub.yamllines import KEY, field_of, flow_comment, quoted, uncommented

_NEXTKEY = re.compile(r", [A-Za-z_][\w-]*: ")
_OPENS = {"]": "[", "}": "{"}
_CLOSES = {"[": "]", "{": "}"}


def bracket_mistake(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str, str] | None:
    """(line, column, field, message) for a mistake in a value in [ ] or { }, or None."""
    lines = text.splitlines()
    problem, context = exc.problem or "", exc.context or ""
    at, begun = exc.problem_mark, exc.context_mark
    at_line = "" if at is None or at.line >= len(lines) else lines[at.line]
    if at is not None:  # whatever the parser then stumbled on, the '#' is the mistake
        found = _comment_in_flow(lines, at, begun if "flow" in context else None)
        if found is not None:
            return found
    if "flow mapping" in context and problem.startswith("did not find expected ','"):
        found = _colon_in_braces(at_line, begun, at)
        if found is not None:
            return found
    if "flow" in context and problem.startswith("did not find expected ','"):
        found = _never_closed(text, lines, begun, at)
        if found is not None:
            return found
    if problem == "did not find expected key" and at is not None and at.column > 0:
        return _text_after(at_line, at.line, at.column)
    return None


def _text_after(line: str, number: int, column: int) -> tuple[int, int, str, str] | None:
    """`title: [Draft] Budget statement`: a list, then text after it."""
    before = line[:column].rstrip()
    key = KEY.match(line)
    written = line[key.end() :].lstrip() if key else ""
    value = uncommented(written)
    if not (key and before and before[-1] in "]}" and value[:1] == _OPENS.get(before[-1])):
        return None
    kind = "a list" if value[0] == "[" else "a mapping"
    return (
        number + 1,
        len(line) - len(written) + 1,
        key.group(2),
        f"a value that starts with {value[0]} is read as {kind}, so no text may"
        f" follow its {before[-1]}; if the value is text, put it in quotes:"
        f" {key.group(2)}: {quoted(value)}",
    )


def _never_closed(
    text: str, lines: list[str], begun: Any, at: Any
) -> tuple[int, int, str, str] | None:
    """`tags: [Energy, Budget` (or `title: [`) with no ] after it: the parser stops lines
    below, where the next field is read as part of the list."""
    if begun is None or at is None or at.line <= begun.line:
        return None
    opener = lines[begun.line][begun.column : begun.column + 1]
    close = _CLOSES.get(opener)
    if close is None or close in text[begun.index : at.index]:
        return None  # closed on a line below: another mistake inside it
    field = field_of(lines[begun.line])
    value = uncommented(lines[begun.line][begun.column :])
    kind = "list" if opener == "[" else "mapping"
    told = (
        f"the {opener} that starts here is never closed, so the lines below are read as part"
        f" of its {kind}; end it with {close}"
    )
    if not field or value.endswith(","):  # an item of a list, or items on several lines
        return begun.line + 1, begun.column + 1, field, f"{told} after its last item"
    example = f"{field}: {value}{close}" if len(value) > 1 else f"{field}: {opener}a, b{close}"
    return (
        begun.line + 1,
        begun.column + 1,
        field,
        f"{told} ({example}), or if the value is text, put it in quotes: {field}: {quoted(value)}",
    )


def _colon_in_braces(line: str, begun: Any, at: Any) -> tuple[int, int, str, str] | None:
    """`withdrawn: {date: ..., reason: Issued in error: not confirmed}`: the ': ' inside
    the reason reads as a new field, where { } allows none without a ','."""
    if at is None or begun is None or begun.line != at.line:
        return None
    start = max(line.rfind(", ", begun.column, at.column) + 2, begun.column + 1)
    end = line.find("}", at.column)
    following = _NEXTKEY.search(line, at.column)  # reason: a: b, date: ... ends at ", date"
    if following is not None and (end < 0 or following.start() < end):
        end = following.start()
    key, colon, value = line[start : end if end >= 0 else len(line)].partition(": ")
    if not colon or not value.strip():
        return None
    return (
        at.line + 1,
        start + len(key) + 3,
        key.strip(),
        f"': ' inside a value in {{ }} reads as the start of a new field; put the value in"
        f" quotes: {key.strip()}: {quoted(value.strip())}",
    )


def _comment_in_flow(lines: list[str], at: Any, begun: Any) -> tuple[int, int, str, str] | None:
    """`tags: [Water, #x]`: the '#' starts a comment (YAML 1.2 §6.6), so the ] is not read
    and the list runs on to the lines below, or to the end of the file."""
    here = flow_comment(lines[at.line]) if at.line < len(lines) else None
    if begun is not None and begun.line < at.line:
        number = begun.line  # the [ or { the parser was reading when it stopped
    elif here is not None and here[0] < at.column:
        number = at.line
    else:  # the line above, which the parser read on from
        above = range(min(at.line, len(lines)) - 1, -1, -1)
        texts = (n for n in above if lines[n].strip() and not lines[n].lstrip().startswith("#"))
        number = next(texts, -1)
    found = flow_comment(lines[number]) if number >= 0 else None
    if found is None:
        return None
    line, (hash_at, opener) = lines[number], found
    start = max(line.rfind(mark, 0, hash_at) for mark in "[{,") + 1
    close = re.search(r"[,\]}]", line[hash_at:])
    end = hash_at + close.start() if close else len(line)
    # `[#a, #b]`: every item the comment took that holds a '#' goes in quotes
    rest = re.sub(r"(?<=,)[^,\]}]*", lambda item: _quoted_item(item.group(), opener), line[end:])
    fix = (line[:start] + _quoted_item(line[start:end], opener) + uncommented(rest)).strip()
    field = field_of(line)
    noun = "tag" if field == "tags" else "item" if opener == "[" else "value"
    after = "after a space" if line[hash_at - 1].isspace() else "here"
    return (
        number + 1,
        hash_at + 1,
        field,
        f"'#' {after} starts a comment in YAML, so the rest of this line"
        f" ({line[hash_at:].rstrip()}) is not read and the {opener} is never closed; put the"
        f" {noun} in quotes: {fix}",
    )


def _quoted_item(item: str, opener: str) -> str:
    """An item of a list (or a value of a mapping, after its 'key: ') in quotes, its
    spaces kept."""
    text = item.strip()
    key, colon, value = text.partition(": ") if opener == "{" else ("", "", text)
    if "#" not in (value if colon else text) or text[:1] in ("'", '"'):
        return item
    shown = f"{key}: {quoted(value.strip())}" if colon else quoted(text)
    return item[: len(item) - len(item.lstrip())] + shown

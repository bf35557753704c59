"""YAML syntax errors in words a person can act on, at the place to fix.

The parser says where it stopped ("could not find expected ':'", "mapping values are not
allowed here"), which is often a line after the mistake. The mistakes people make most (a
missing colon, a ': ' inside a value, curly quotes, a quote closed too early, a block's
lines not indented, a tab, a value begun with @ or `) are recognised here and explained
where they are; brackets.py explains those in a value in [ ] or { }, and yamllines.py
reads the file's lines as they were written.
"""

from __future__ import annotations

import re

import yaml

from feedpub.brackets import bracket_mistake
from feedpub.errors import Problems
from feedpub.yamllines import (
    KEY,
    block_above,
    field_above,
    field_of,
    flow_depth,
    is_prose,
    left_open,
    quoted,
    text_above,
    uncommented,
)


def report_syntax_error(
    path: str, text: str, exc: yaml.MarkedYAMLError, problems: Problems
) -> None:
    """Add the problem a YAML syntax error is: in words where the mistake is known, else the
    parser's own."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "not valid YAML"
    context = exc.context or ""
    # A byte-order mark starts a file; inside one, it is where another file was pasted in.
    # Blamed only on the line the parser stopped at, before where it stopped: one in a
    # quoted value above is text, and the error is another's.
    start = text.rfind("\n", 0, mark.index) + 1 if mark else 0
    bom = text.find("\ufeff", start, mark.index + 1) if mark else -1
    if bom >= 0:
        line = text.count("\n", 0, bom) + 1
        column = bom - text.rfind("\n", 0, bom)
        after = text[bom + 1 :].split("\n", 1)[0].strip()[:30]
        problems.add(
            path,
            "an invisible byte-order mark (U+FEFF) stands here"
            + (f", before {after!r}" if after else "")
            + ", left from pasting another file into this one; delete it (most editors show"
            " nothing there: delete the character before the text, or retype the line)",
            line=line,
            column=column,
        )
        return
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        problems.add(path, "a tab cannot indent YAML; indent with spaces", line=line, column=column)
        return
    if "single document" in problem + context:
        message = "several YAML documents in one file ('---'); keep one entry per file"
        problems.add(path, message, line=line, column=column)
        return
    explained = _explain(text, exc)
    if explained is not None:
        line, column, field, message = explained
        problems.add(path, message, line=line, column=column, field=field)
        return
    message = f"YAML syntax error: {problem}"
    if context and exc.context_mark and exc.context_mark is not mark:
        message += (
            f" ({context} at line {exc.context_mark.line + 1},"
            f" column {exc.context_mark.column + 1})"
        )
    problems.add(path, message, line=line, column=column)


# --- the mistakes people make, explained where they are -------------------------------------

_NO_COLON = re.compile(r"(\s*)(?:- )?([A-Za-z_][\w-]*)\s+(\S.*?)\s*")
_CURLY = "“”‘’„‚«»"


def _explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str, str] | None:
    """(line, column, field, message) in words for a syntax error people often make, or
    None for the parser's own words."""
    lines = text.splitlines()
    problem, context = exc.problem or "", exc.context or ""
    at, begun = exc.problem_mark, exc.context_mark
    at_line = "" if at is None or at.line >= len(lines) else lines[at.line]
    found = bracket_mistake(text, exc)
    if found is not None:
        return found
    if "cannot start any token" in problem and at is not None:
        found = _reserved(at_line, at.line, at.column)
        if found is not None:
            return found
    if problem == "could not find expected ':'" and begun is not None:
        return _missing_colon(lines, begun.line)
    if "expected <document start>" in problem and at is not None:  # the first field indented
        first = next((n for n, t in enumerate(lines) if t.strip() and t.lstrip()[0] != "#"), 0)
        key = KEY.match(lines[first]) if first < len(lines) else None
        # ...and a field in column 1 where YAML stopped, not a stray line after the fields.
        after = KEY.match(at_line)
        if key is not None and lines[first][0] == " " and after and not after.group(1):
            name, margin = key.group(2).strip(), len(key.group(1))
            before = "the space" if margin == 1 else f"the {margin} spaces"
            return (
                first + 1,
                1,
                name,
                f"'{name}' starts in column {margin + 1}, and a field starts in column 1:"
                f" delete {before} before it (and before any field below indented the same)",
            )
    if problem == "did not find expected '-' indicator" and at is not None and begun is not None:
        found = _item_out_of_line(lines, at.line, at.column) or _field_at_dash(
            lines, at.line, at.column, begun.column
        )
        if found is not None:
            return found
    if problem.startswith("mapping values are not allowed") and at is not None:
        return _colon_in_value(lines, at.line, at.column)
    if "quoted scalar" in context and begun is not None and "end of stream" in problem:
        quote = lines[begun.line][begun.column]
        return (
            begun.line + 1,
            begun.column + 1,
            field_of(lines[begun.line]),
            f"the quote {quote} that starts here is never closed; end the text with {quote}",
        )
    if problem == "did not find expected key" and at is not None and at.column == 0:
        return _item_out_of_line(lines, at.line, 0)  # `- Economy` under ` - Rates`
    if problem == "did not find expected key" and at is not None and at.column > 0:
        before = at_line[: at.column].rstrip()
        key = KEY.match(at_line)
        if before and before[-1] in "'\"" and key:
            quote = before[-1]
            value = at_line[key.end() :].strip()
            opened = left_open(lines, at.line, quote, len(key.group(1)))
            if opened is not None:  # the text that closed here began lines above
                line_number, column = opened
                return (
                    line_number + 1,
                    column + 1,
                    field_of(lines[line_number]),
                    f"the quote {quote} that starts here is not closed on its line, so the"
                    f" text runs on to the next {quote} (line {at.line + 1}); end it with"
                    f" {quote}",
                )
            if value.startswith(quote):
                inside = (
                    "write it twice ('')" if quote == "'" else 'write it as \\" (a backslash first)'
                )
                other = '"' if quote == "'" else "'"
                return (
                    at.line + 1,
                    len(before),
                    key.group(2),
                    f"the quote {quote} closes before the text ends; to put {quote} inside"
                    f" text quoted with {quote}, {inside}, or quote the text with {other}"
                    " instead",
                )
        if key is None or any(char.isspace() for char in key.group(2).strip()):
            found = _less_indented(lines, at.line)  # text, not a field: a block's line
            if found is not None:
                return found
        found = _item_out_of_line(lines, at.line, at.column)
        if found is not None:
            return found
        above = field_above(lines, at.line)
        if key and above is not None and len(key.group(1)) != above:
            # A field indented unlike the one above it, after a quoted value or a comment
            # (a '#' taken off to use a setting, its space left).
            name, width = key.group(2).strip(), len(key.group(1))
            spaces = f"{width} space" + ("s" if width != 1 else "")
            return (
                at.line + 1,
                width + 1,
                name,
                f"'{name}' is indented by {spaces}, but the field above it starts in column"
                f" {above + 1}; line it up with the fields around it",
            )
    return None


def _field_at_dash(
    lines: list[str], number: int, column: int, dash: int
) -> tuple[int, int, str, str] | None:
    """`  - name: Jane` then `  email: ...`: a field of a list's item written in the column of
    the item's '-', not in line with its first field."""
    key = KEY.match(lines[number])
    if key is None or len(key.group(1)) != column or column != dash:
        return None
    for n in range(number - 1, -1, -1):
        line = lines[n]
        if line[:dash].strip() or not line[dash:].startswith("- "):
            continue
        first = KEY.match(line)
        if first is None or len(first.group(1)) != dash:
            return None  # an item that is no fields ('- Rates'): the parser's words
        name, item = key.group(2).strip(), first.group(2).strip()
        return (
            number + 1,
            column + 1,
            name,
            f"'{name}' is in the column of the '-' that begins the item above it (line"
            f" {n + 1}), so YAML takes it for no part of that item; indent it by 2 more spaces,"
            f" in line with '{item}', or begin a new item with '- '",
        )
    return None


def _item_out_of_line(
    lines: list[str], number: int, column: int
) -> tuple[int, int, str, str] | None:
    """A list's item whose '-' is not in the column of the items above it."""
    if not lines[number][column:].startswith(("- ", "-\t")) and lines[number][column:] != "-":
        return None
    for n in range(number - 1, -1, -1):
        line = lines[n]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dash = len(line) - len(line.lstrip())
        if not line[dash:].startswith("- ") and dash > column:
            continue  # more of an item above (its second field)
        if not line[dash:].startswith("- ") or dash == column:
            return None  # not an item above: the parser's words
        owners = (lines[m] for m in range(n - 1, -1, -1))
        owner = next((field_of(o) for o in owners if field_of(o) and o[:dash].strip()), "")
        return (
            number + 1,
            column + 1,
            owner,
            f"this item's '-' is in column {column + 1}, but the items above it begin in column"
            f" {dash + 1} (line {n + 1}); line its '-' up with theirs",
        )
    return None


def _reserved(line: str, number: int, column: int) -> tuple[int, int, str, str] | None:
    """`title: @home`: YAML 1.2 §5.3 reserves @ and ` as indicators, so no plain value may
    start with one."""
    if line[column : column + 1] not in ("@", "`"):
        return None
    if line[:column].rstrip()[-1:] not in (":", "-", "[", "{", ","):  # not a value's start
        return None
    written = uncommented(line[column:])
    item = written
    if flow_depth(line, column):  # `tags: [Water, @home]`: only the item goes in quotes
        item = re.split(r"[,\]}]", written, maxsplit=1)[0].rstrip()
    fix = (line[:column] + quoted(item) + written[len(item) :]).strip()
    return (
        number + 1,
        column + 1,
        field_of(line),
        f"YAML reserves @ and ` at the start of a value, so a value cannot begin with"
        f" {line[column]}; put it in quotes: {fix}",
    )


def _missing_colon(lines: list[str], number: int) -> tuple[int, int, str, str]:
    """A line that YAML reads as the start of a field, whose ':' never comes."""
    content = lines[number]
    indent = len(content) - len(content.lstrip())
    above = next((lines[n] for n in range(number - 1, -1, -1) if lines[n].strip()), "")
    if above.rstrip().endswith(("|", ">", "|-", ">-")):
        return (
            number + 1,
            indent + 1,
            field_of(above),
            "the lines of a '|' block must be indented under its field; indent this line"
            " (and the rest of the text) with two spaces",
        )
    m = _NO_COLON.fullmatch(content)
    if m and is_prose(m.group(3)):  # "The agency opened an office today."
        paragraph = unindented_paragraph(lines, number, indent)
        if paragraph is not None:
            return number + 1, indent + 1, *paragraph
        text = text_above(lines, number, indent)
        if text is not None:
            return number + 1, indent + 1, text, _as_block(text, "a new field with no ':'")
    if m:
        fix = f"{m.group(2)}: {m.group(3)}"
        return (
            number + 1,
            indent + 1,
            m.group(2),
            f"this line has no ':' after the field name; write '{fix.strip()}'",
        )
    return (
        number + 1,
        indent + 1,
        "",
        "this line has no ':' after the field name; write 'name: value'",
    )


def unindented_paragraph(lines: list[str], number: int, indent: int) -> tuple[str, str] | None:
    """(field, message) for line `number`, a paragraph of the '|' or '>' block above it left
    unindented, which YAML reads as a new field (with a ':' in it, a valid one), or None."""
    block = block_above(lines, number, indent)
    if block is None:
        return None
    field, indicator, spaces = block
    return field, (
        f"this line is not indented like the lines of '{field}: {indicator}' above it,"
        f" so YAML reads it as a new field; indent it (and the rest of the text) by"
        f" {spaces} spaces, as they are"
    )


def _less_indented(lines: list[str], number: int) -> tuple[int, int, str, str] | None:
    """A line of a '|' or '>' block indented less than the lines above it, yet not at its
    field's margin: the block ends above it, where no field may start."""
    indent = len(lines[number]) - len(lines[number].lstrip())
    block = block_above(lines, number, indent)
    if block is None:
        return None
    field, indicator, more = block
    return (
        number + 1,
        indent + 1,
        field,
        f"this line is indented by {_spaces(indent)}, less than the {indent + more} of the"
        f" lines of '{field}: {indicator}' above it, so YAML reads their text as ended;"
        f" indent it (and the rest of the text) by {_spaces(more, 'more ')}, as they are",
    )


def _spaces(count: int, more: str = "") -> str:
    return f"{count} {more}space" + ("" if count == 1 else "s")


def _colon_in_value(lines: list[str], number: int, column: int) -> tuple[int, int, str, str]:
    """YAML found ': ' where no field can start: inside a value, or on a line that
    continues a value begun above (a missing colon, or an indented field)."""
    content = lines[number]
    key = KEY.match(content)
    if key is not None and key.end() <= column:
        # A second ': ' on a line that already has 'name: ': the value holds it.
        name = key.group(2).strip()
        value = content[key.end() :].strip()
        start = key.end() + (len(content[key.end() :]) - len(content[key.end() :].lstrip()))
        if value[:1] in _CURLY:
            fix = quoted(value.strip(_CURLY))
            shown = f"{value[0]}…{value[-1]}" if value[-1] in _CURLY else value[0]
            return (
                number + 1,
                start + 1,
                name,
                f"curly quotes ({shown}) do not quote text in YAML, so the ': ' inside"
                f" reads as the start of a new field; use straight quotes: {name}: {fix}",
            )
        return (
            number + 1,
            column + 1,
            name,
            f"': ' inside a value reads as the start of a new field; put the whole value in"
            f" quotes: {name}: {quoted(value)}",
        )
    indent = len(content) - len(content.lstrip())
    above_number = next((n for n in range(number - 1, -1, -1) if lines[n].strip()), None)
    if above_number is not None:
        above = lines[above_number]
        above_indent = len(above) - len(above.lstrip())
        above_key = KEY.match(above)
        if above_key is None:
            return _missing_colon(lines, above_number)
        name = content[indent:column].strip()
        if indent > above_indent and " " in name:  # prose: "Opening hours: Monday..."
            text = above_key.group(2).strip()
            return number + 1, indent + 1, text, _as_block(text, "the start of a new field")
        if indent > above_indent:
            return (
                number + 1,
                indent + 1,
                name,
                f"'{name}' is indented more than '{above_key.group(2).strip()}' above it,"
                " so YAML reads this line as more of that field's value; start it in column"
                f" {above_indent + 1}",
            )
    return (
        number + 1,
        column + 1,
        field_of(content),
        "': ' here reads as the start of a new field, where none can start; put the value"
        " in quotes",
    )


def _as_block(field: str, read_as: str) -> str:
    return (
        f"this line reads as {read_as}; if it is more of the text of '{field}', write that"
        f" text as a block: '{field}: |', then each of its lines indented by two spaces"
    )

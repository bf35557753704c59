"""Read one YAML file into a node tree that keeps the position of every key and value.

Nothing here decides what a value means: `yaml.safe_load` would turn `NO` into False and
`2021-11-05` into a date, so we compose nodes and let the validators read the text.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

import yaml

from feedpub.errors import Problems
from feedpub.read import MAX_FILE_BYTES, decode_utf8, too_large
from feedpub.syntax import report_syntax_error

try:  # libyaml is several times faster; PyYAML's wheels ship it, source builds may not.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Node = yaml.Node
ScalarNode = yaml.ScalarNode
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode

MAX_DEPTH = 32
# Far past any real line (a word processor's paragraph pasted whole is one line), and a
# bound on anything whose cost grows with a line's length.
MAX_LINE = 100_000
# Past this many, the characters a file may not hold are counted, not each listed.
MAX_CHARACTERS_SHOWN = 20

# XML 1.0 §2.2 Char, less the C0/C1 controls and DEL that §2.2 discourages and that
# only ever arrive here as mojibake. Tab, LF and CR stay allowed.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR end a line for YAML (1.1 and libyaml) but not
# for editors, git or GitHub, which show the file's lines by its line feeds: unescaped in a
# file, every position after one would be told on a line the writer cannot find.
# One class, not _FORBIDDEN or those three: the alternation took a tenth of compiling.
_REFUSED = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_ASCII_ALLOWED = b"\t\n\r" + bytes(range(0x20, 0x7F))  # what _REFUSED allows of ASCII
_LINE_BREAK_UNSEEN = (
    "character {} is a line break to YAML but not to most editors, so YAML reads this line"
    " otherwise than it shows; replace it with a space, or start a new line"
)

# Spaces a word processor or a French keyboard types (no-break, figure, narrow no-break,
# ideographic) that YAML does not read as spaces. Where YAML needs a space (before and
# right after a top-level field's ':', the start of a line) the line reads otherwise than
# it shows: "title\xa0: X" is a field "title\xa0", "title:\xa0X" no field at all. (In an
# indented line it may be a statement's text: "  Prix\xa0: 100 €" in a body.)
_WIDE = "\xa0\u2007\u202f\u3000"
_UNREAD_SPACE = re.compile(
    rf"^[A-Za-z_][\w-]*(?:( *[{_WIDE}][ {_WIDE}]*):|:([{_WIDE}][ {_WIDE}]*))|^([{_WIDE}]+)",
    re.MULTILINE,
)
_UNREAD_MESSAGE = (
    "a {} stands here, where YAML needs an ordinary space, so this line reads otherwise than"
    " it shows (word processors and French keyboards type it); replace it with a space"
)

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "value", "merge")
)


@dataclass(frozen=True, slots=True)
class Field:
    """A top-level `key: value` pair and where the key stands; `value` None if refused."""

    name: str
    line: int
    column: int
    value: Node | None


@dataclass(frozen=True, slots=True)
class Document:
    """A YAML mapping with its fields in file order; `path` is the path shown to users."""

    path: str
    text: str
    fields: dict[str, Field]


def position(node: Node) -> tuple[int, int]:
    """Return the 1-based line and column where a node starts."""
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def node_position(node: Node | None, fallback: tuple[int, int]) -> tuple[int, int]:
    return position(node) if node is not None else fallback


def forbidden_character(text: str) -> str | None:
    """The first character of `text` that XML 1.0 forbids (or discourages), if any."""
    m = _FORBIDDEN.search(text)
    return m.group() if m else None


def forbidden_message(text: str) -> str | None:
    """The message `check` gives for the first character of `text` a file may not hold."""
    char = forbidden_character(text)
    if char is None:
        return None
    return f"character {describe_character(char)} is not allowed (XML 1.0 forbids it in feeds)"


def describe_character(char: str) -> str:
    """Name a character the way a user can search for it: U+0000 and its repr."""
    return f"U+{ord(char):04X} {char!r}"


def read_document(path: str, data: bytes, problems: Problems) -> Document | None:
    """Parse `data` (the bytes of the file shown as `path`) into a Document, or report why not.

    Every problem is added to `problems`; None means the file could not be read as a mapping.
    """
    if len(data) > MAX_FILE_BYTES:
        problems.add(path, too_large(len(data)))
        return None
    text = decode_utf8(path, data, problems)
    if text is None:
        return None
    bad_characters: list[tuple[int, str]] = []
    # An ASCII file (most are) holds none once the bytes allowed are deleted: seven times
    # faster than the pattern, which looks at every character in Python's regex engine.
    if not data.isascii() or data.translate(None, _ASCII_ALLOWED):
        bad_characters = [(m.start(), m.group()) for m in _REFUSED.finditer(text)]
    if bad_characters:
        # Parse a copy with each bad character replaced by one of the same length, so the
        # positions still hold and the field that holds each character can be named.
        text = _REFUSED.sub("\ufffd", text)
    unread: list[tuple[int, str]] = []
    if any(char in text for char in _WIDE):  # (rare: a statement's text may hold them)
        text, unread = _unread_spaces(text)
    before = len(problems.items)
    document = _compose(path, text, problems)
    for offset, char in unread:
        line, column = _line_column(text, offset)
        name = f"{unicodedata.name(char).lower()} ({describe_character(char).split()[0]})"
        problems.add(
            path,
            _UNREAD_MESSAGE.format(name),
            line=line,
            column=column,
            field=_field_at(document, line, column),
        )
    if bad_characters:  # a fix quoting the line shows each, as it is told, made a space
        problems.items[before:] = [
            dataclasses.replace(p, message=p.message.replace("\ufffd", " "))
            for p in problems.items[before:]
        ]
    for offset, char in bad_characters[:MAX_CHARACTERS_SHOWN]:
        line, column = _line_column(text, offset)
        problems.add(
            path,
            forbidden_message(char) or _LINE_BREAK_UNSEEN.format(describe_character(char)),
            line=line,
            column=column,
            field=_field_at(document, line, column),
        )
    if len(bad_characters) > MAX_CHARACTERS_SHOWN:
        offset = bad_characters[MAX_CHARACTERS_SHOWN][0]
        line, column = _line_column(text, offset)
        problems.add(
            path,
            f"{len(bad_characters) - MAX_CHARACTERS_SHOWN:,} more characters that are not"
            " allowed, from here on (the first are listed above)",
            line=line,
            column=column,
            field=_field_at(document, line, column),
        )
    if len(text) > MAX_LINE:
        _check_lines(path, text, document, problems)
    return document


def _unread_spaces(text: str) -> tuple[str, list[tuple[int, str]]]:
    """`text` with each space YAML would not read as one, where it needs one, made an
    ordinary space (so the rest reads as it shows), and where the first of each run was."""
    found: list[tuple[int, str]] = []
    chars = list(text)
    for m in _UNREAD_SPACE.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        start, end = m.span(group)
        first = next(i for i in range(start, end) if text[i] != " ")
        found.append((first, text[first]))
        chars[start:end] = " " * (end - start)
    return "".join(chars), found


def _check_lines(path: str, text: str, document: Document | None, problems: Problems) -> None:
    for number, line in enumerate(text.split("\n"), 1):
        if len(line.rstrip("\r")) > MAX_LINE:
            problems.add(
                path,
                f"line is {len(line.rstrip(chr(13))):,} characters long; a line may hold at most"
                f" {MAX_LINE:,}: break it into shorter lines (in a body, one line break inside"
                " a paragraph reads as a space)",
                line=number,
                column=MAX_LINE + 1,
                field=_field_at(document, number, 1),
            )


def _compose(path: str, text: str, problems: Problems) -> Document | None:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        report_syntax_error(path, text, exc, problems)
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error we know is marked
        problems.add(path, f"not valid YAML: {exc}")
        return None
    except RecursionError:
        problems.add(path, f"nesting is too deep; a file may nest at most {MAX_DEPTH} levels")
        return None
    if root is None:
        problems.add(path, "file is empty; expected fields such as 'title: ...'")
        return None
    if not isinstance(root, MappingNode):
        line, column = position(root)
        problems.add(
            path,
            f"expected fields such as 'title: ...', got {describe_node(root)}",
            line=line,
            column=column,
        )
        return None
    return _read_fields(path, text, root, problems)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    line = text.count("\n", 0, offset) + 1
    if "\n" not in text and "\r" in text:  # old Mac line ends
        line = text.count("\r", 0, offset) + 1
    return line, offset - line_start + 1


def is_plain(node: Node) -> bool:
    """True for an unquoted scalar (libyaml marks its style '', PyYAML None)."""
    return isinstance(node, ScalarNode) and not node.style


def describe_node(node: Node) -> str:
    """Say what a node holds in words a non-programmer knows."""
    if isinstance(node, MappingNode):
        return "a mapping of fields"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    value = node.value
    if not is_plain(node) or kind in ("str", "value", "merge"):
        return f"text ({value!r})" if value else "empty text"
    if kind == "null":
        return "nothing (null)"
    if kind == "bool":
        return f"true/false ({value})"
    if kind in ("int", "float"):
        return f"a number ({value})"
    if kind == "timestamp":
        return f"a date ({value})"
    return f"a value ({value!r})"  # pragma: no cover - other tags are refused earlier


def _read_fields(path: str, text: str, root: MappingNode, problems: Problems) -> Document:
    fields: dict[str, Field] = {}
    seen: set[int] = set()
    for key, value in root.value:
        line, column = position(key)
        if isinstance(key, ScalarNode) and key.tag.endswith(":merge"):
            problems.add(
                path,
                "YAML merge keys (<<) are not supported; write the fields out",
                line=line,
                column=column,
            )
            continue
        if not (isinstance(key, ScalarNode) and key.tag.endswith(":str")):
            problems.add(
                path,
                f"a field name must be plain text, got {describe_node(key)}",
                line=line,
                column=column,
            )
            continue
        name = key.value
        if name in fields:
            first = fields[name]
            problems.add(
                path,
                f"defined twice (first at line {first.line}, column {first.column})",
                line=line,
                column=column,
                field=name,
            )
            continue
        if _check_nodes(path, name, value, seen, problems, depth=1, key_at=(line, column)):
            fields[name] = Field(name, line, column, value)
        else:
            # Keep the name so that it is not also reported as missing.
            fields[name] = Field(name, line, column, None)
    return Document(path, text, fields)


def _check_nodes(
    path: str,
    field: str,
    node: Node,
    seen: set[int],
    problems: Problems,
    depth: int,
    key_at: tuple[int, int],
) -> bool:
    """Refuse non-standard tags, aliases and deep nesting; never expand anything."""
    line, column = position(node)
    if id(node) in seen:
        # An alias is the anchored node itself, which stands elsewhere: name the field.
        problems.add(
            path,
            "YAML anchors and aliases (&, *) are not allowed; write the value out",
            line=key_at[0],
            column=key_at[1],
            field=field,
        )
        return False
    seen.add(id(node))
    if node.tag not in _STANDARD_TAGS:
        problems.add(
            path,
            f"YAML tag {node.tag!r} is not allowed; only plain values, lists and mappings",
            line=line,
            column=column,
            field=field,
        )
        return False
    # The raw text was scanned already; only a double-quoted value's escapes can add more.
    if isinstance(node, ScalarNode) and node.style == '"' and (m := _FORBIDDEN.search(node.value)):
        # The raw text was clean, so an escape such as "\0" in a quoted value made it.
        problems.add(
            path,
            f"character {describe_character(m.group())} is not allowed"
            " (XML 1.0 forbids it in feeds); remove the escape that makes it",
            line=line,
            column=column,
            field=field,
        )
        return False
    if depth > MAX_DEPTH:
        problems.add(
            path,
            f"nesting is too deep; a file may nest at most {MAX_DEPTH} levels",
            line=line,
            column=column,
            field=field,
        )
        return False
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = node.value
    elif isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
        keys: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.value in keys:
                key_line, key_column = position(key)
                problems.add(
                    path,
                    f"{key.value!r} is defined twice",
                    line=key_line,
                    column=key_column,
                    field=field,
                )
                return False
            keys.add(key.value if isinstance(key, ScalarNode) else "")
    # Stop at a field's first refused node: one alias is reason enough, a thousand are noise.
    return all(_check_nodes(path, field, c, seen, problems, depth + 1, key_at) for c in children)


def _field_at(document: Document | None, line: int, column: int) -> str:
    """Name the top-level field whose text holds a position, or '' before the first one."""
    if document is None:
        return ""
    name = ""
    for field in document.fields.values():
        if (field.line, field.column) <= (line, column):
            name = field.name
    return name

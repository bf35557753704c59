"""Fields declared once: an entry's and feedpub.yaml's, each with its reader, whether it is
required or what it defaults to, its limits, and the line the README's tables show.

Adding a field means declaring it here-like (in entryfields.ENTRY_FIELDS or
config.SETTINGS) and giving the model an attribute; the reading loop, the "required"
check, the limits in messages and the README's tables all come from the declaration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from feedpub.errors import Problems
from feedpub.load import Document, Node, ScalarNode, node_position
from feedpub.syntax import unindented_paragraph
from feedpub.values import Invalid, unknown_field

C = TypeVar("C")
# Past this many unknown fields in one file, the rest are counted (each would cost a
# search for the name it may be a typo of).
MAX_UNKNOWN_SHOWN = 20
Limits = Mapping[str, int]


@dataclass(frozen=True, slots=True)
class FieldSpec(Generic[C]):
    """One field: `read(node, context, limits)` returns its value or raises Invalid."""

    name: str
    read: Callable[[Node, C, Limits], Any]
    rule: str  # what the README says of it; {name} is replaced by limits[name]
    required: bool = False
    default: Any = None  # the value when the field is absent
    limits: Limits = field(default_factory=dict)
    attribute: str = ""  # the model's attribute, when it is not the field's name
    # The names of the fields it holds, when it holds fields (`withdrawn: {date, reason}`):
    # written under it unindented, they are told as such, not as unknown or repeated.
    parts: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return self.attribute or self.name

    def describe(self) -> str:
        """The README's rule for this field, limits filled in."""
        text = self.rule.format(**{k: f"{v:,}" for k, v in self.limits.items()})
        return f"required; {text}" if self.required else text


def read_fields(
    document: Document, specs: Sequence[FieldSpec[C]], context: C, problems: Problems
) -> dict[str, Any]:
    """Read every field of `document` by its declaration, by model attribute.

    An unknown field (with a hint when it looks like a typo), a bad value and a missing
    required field are each a problem; every one is reported. Absent optional fields get
    their default.
    """
    by_name = {spec.name: spec for spec in specs}
    found: dict[str, Any] = {}
    unknown = [name for name in document.fields if name not in by_name]
    for name in unknown[MAX_UNKNOWN_SHOWN : MAX_UNKNOWN_SHOWN + 1]:
        item = document.fields[name]
        problems.add(
            document.path,
            f"{len(unknown) - MAX_UNKNOWN_SHOWN:,} more unknown fields, from here on (the"
            " first are listed above)",
            line=item.line,
            column=item.column,
        )
    listed = set(unknown[:MAX_UNKNOWN_SHOWN])
    unindented = _unindented_parts(document, by_name, problems)
    for name, item in document.fields.items():
        spec = by_name.get(name)
        if item.line in unindented:
            continue  # a part of the field above it, told there
        if spec is not None and name in unindented.values():
            continue
        if spec is None:
            if name in listed:
                shown, message = _unknown(document, name, item.line, item.column, by_name)
                problems.add(
                    document.path, message, line=item.line, column=item.column, field=shown
                )
            continue
        if item.value is None:  # already reported (a refused tag or alias)
            continue
        try:
            found[spec.target] = spec.read(item.value, context, spec.limits)
        except Invalid as exc:
            for each in (exc, *exc.also):  # a list's wrong items, each where it stands
                line, column = node_position(each.node, (item.line, item.column))
                shown = f"{name}.{each.part}" if each.part else name
                message = each.message
                if message == "must not be empty":
                    column, message = _commented_out(document, each.node, line, column, message)
                problems.add(document.path, message, line=line, column=column, field=shown)
    for spec in specs:
        if spec.name in document.fields:
            continue
        if spec.required:
            problems.add(document.path, "required field is missing", field=spec.name)
        else:
            found.setdefault(spec.target, spec.default)
    return found


def _unindented_parts(
    document: Document, by_name: Mapping[str, FieldSpec[C]], problems: Problems
) -> dict[int, str]:
    """The lines of fields written under a field that holds fields (`withdrawn:`, then
    `date: ...` and `reason: ...`) but not indented, so that YAML reads them as fields of
    their own (a `date` twice, a `reason` unknown) and the field above as empty: each such
    field told once, with the fix, and its parts' lines returned by the field they are of."""
    lines: list[str] = []  # split only for a file with such a field left empty
    found: dict[int, str] = {}
    for name, item in document.fields.items():
        spec = by_name.get(name)
        empty = isinstance(item.value, ScalarNode) and item.value.value == ""
        if spec is None or not spec.parts or not empty:
            continue
        lines = lines or document.text.splitlines()
        parts: list[tuple[int, str]] = []
        for number in range(item.line, len(lines)):
            written = lines[number]
            if not written.strip() or written.lstrip().startswith("#"):
                continue
            key = _PART.match(written)
            if key is None or len(key[1]) + 1 != item.column or key[2] not in spec.parts:
                break
            parts.append((number + 1, key[2]))
        if not parts:
            continue
        found.update((line, name) for line, _ in parts)
        names = [f"`{part}:`" for _, part in parts]
        listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        first, last = parts[0][0], parts[-1][0]
        many = last > first
        where = f"lines {first} to {last}" if many else f"line {first}"
        problems.add(
            document.path,
            f"{listed} ({where}) {'are' if many else 'is'} not indented under `{name}:`, so"
            f" YAML reads {'each' if many else 'it'} as a field of its own and `{name}:` as"
            f" empty; indent {'them' if many else 'it'} by 2 spaces",
            line=item.line,
            column=item.column,
            field=name,
        )
    # Such a part named like a field already given (a withdrawal's `date:`) was reported
    # when the file was read as that field written twice: it is told above instead.
    problems.items[:] = [
        p
        for p in problems.items
        if not (p.path == document.path and p.line in found and p.message.startswith("defined"))
    ]
    return found


_PART = re.compile(r"( *)([A-Za-z_]+) *:(?: |$)")


def _unknown(
    document: Document, name: str, line: int, column: int, known: Iterable[str]
) -> tuple[str, str]:
    """(field, message) for a field not declared: a paragraph of a body left unindented
    whose ': ' makes it a field (`It will answer: ...` under `body: |`) is told as such,
    since no field's name holds a space; any other, as an unknown field."""
    if any(char.isspace() for char in name):
        lines = document.text.splitlines()
        paragraph = unindented_paragraph(lines, line - 1, column - 1)
        if paragraph is not None:
            return paragraph
    return name, unknown_field(name, known)


def _commented_out(
    document: Document, node: Node | None, line: int, column: int, message: str
) -> tuple[int, str]:
    """A value begun with '#' (`title: #1 priority`) is a comment to YAML, and the field is
    left empty: say so at the '#', with the quoted line (else the message as it was)."""
    lines = document.text.splitlines()
    if not (isinstance(node, ScalarNode) and node.value == "" and 0 < line <= len(lines)):
        return column, message
    written = lines[line - 1]
    rest = written[column - 1 :]
    key = written[: column - 1].strip().removeprefix("- ").rstrip(":").strip()
    if not rest.lstrip().startswith("#") or not key:
        return column, message
    value = rest.strip()
    quoted = f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"
    return column + len(rest) - len(rest.lstrip()), (
        f"is empty: YAML reads a '#' after a space as the start of a comment, so {value!r} is"
        f" not the value; to begin the text with #, put it in quotes: {key}: {quoted}"
    )


def markdown_table(specs: Iterable[FieldSpec[Any]], heading: str = "field") -> str:
    """The README's table of fields, made from their declarations."""
    lines = [f"| {heading} | rules |", "| --- | --- |"]
    lines += [f"| `{spec.name}` | {spec.describe()} |" for spec in specs]
    return "\n".join(lines) + "\n"

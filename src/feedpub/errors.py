"""Problems found in a user's files, and the one place that formats them."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in one file, with its 1-based position (0: none)."""

    path: str
    line: int = 1
    column: int = 1
    field: str = ""
    message: str
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """Render as `path:line:col: field: message`, the form editors and CI understand, on
        one line whatever the file's name holds (see `printable`)."""
        path = printable(self.path)
        where = f"{path}:{self.line}:{self.column}:" if self.line else f"{path}:"
        what = f" {printable(self.field)}:" if self.field else ""
        tag = " warning:" if self.severity is Severity.WARNING else ""
        return f"{where}{what}{tag} {printable(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


# Characters that would end the line (and so let a file named "x\n::error::..." write a
# GitHub Actions command of its own), move a terminal's cursor or colour its text (ESC and
# the C1 controls), reorder what is shown (bidirectional overrides), or not print at all
# (a file name that is not UTF-8 reaches Python as lone surrogates).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """`text` with every character that could forge output escaped as \\xNN or \\uNNNN:
    file names and values are shown as they are, never acted on by a terminal or a CI log."""
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(_escape_character, text)


def _escape_character(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(slots=True)
class Problems:
    """An append-only collector: validators add to it and never stop at the first problem."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        path: str,
        message: str,
        *,
        line: int = 1,
        column: int = 1,
        field: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.items.append(
            Problem(
                path=path,
                line=line,
                column=column,
                field=field,
                message=message,
                severity=severity,
            )
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def __bool__(self) -> bool:
        return bool(self.items)


class FeedpubError(Exception):
    """A user's input cannot be built; carries every problem found, never a traceback."""

    def __init__(self, problems: Iterable[Problem], *, outcome: str = "") -> None:
        self.problems = sorted(problems)
        self.outcome = outcome
        super().__init__(summarize(self.problems, outcome))

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a worker process, it travels back pickled: keep its problems.
        return (_rebuild, (self.problems, self.outcome))


class UsageError(Exception):
    """A command-line value that is no use; exit status 2."""


def _rebuild(problems: list[Problem], outcome: str) -> FeedpubError:
    return FeedpubError(problems, outcome=outcome)


# What a build stopped while writing leaves in its output (see write.py).
PARTLY_UPDATED = (
    "is partly updated: every file in it is whole, and no list or feed links to a statement"
    " page or attachment not yet written"
)


def summarize(problems: list[Problem], outcome: str = "") -> str:
    """Say how many problems in how many files, and what happened to the output."""
    errors = [p for p in problems if p.is_error]
    # A problem with what was given on the command line is in no file: its path is the
    # option or argument in parentheses, "(--base-url)", "(title)".
    options = {p.path for p in errors if p.path.startswith("(") and p.path.endswith(")")}
    files = {p.path for p in errors} - options
    noun = "problem" if len(errors) == 1 else "problems"
    places = [f"in {len(files)} file" + ("" if len(files) == 1 else "s")] if files else []
    if options or not places:
        places.append("on the command line" if options else "in 0 files")
    text = f"{len(errors)} {noun} {' and '.join(places)}"
    return f"{text}; {outcome}" if outcome else text


def shown_root(root: Path) -> str:
    """The prefix for paths inside a site, as shown to users: '' at the site's root, else
    its path relative to the working directory (or absolute, outside it) and a '/'."""
    absolute = os.path.abspath(root)
    rel = os.path.relpath(absolute, os.getcwd())
    if rel == ".":
        return ""
    shown = absolute if rel.startswith("..") else rel
    return shown.replace(os.sep, "/") + "/"


def shown_path(path: Path) -> str:
    """A path as the person who ran feedpub can use it: relative when under the working
    directory, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return printable(absolute.relative_to(Path.cwd()).as_posix() or ".")
    except ValueError:
        return printable(str(absolute))


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command, shown on the pull request's diff. Line breaks are
    escaped as the runner decodes them; other controls (a terminal's ESC sequences, which
    the log viewer renders) as text."""
    kind = "error" if problem.is_error else "warning"
    properties = [f"file={_escape(_visible(problem.path), property_value=True)}"]
    if problem.line:
        properties += [f"line={problem.line}", f"col={problem.column}"]
    properties.append("title=feedpub")
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"::{kind} {','.join(properties)}::{_escape(_visible(message))}"


def _visible(text: str) -> str:
    # Line breaks are %0A-escaped below (the runner turns them back into breaks inside the
    # one annotation); everything else that is not printable is shown as an escape.
    return "\n".join(printable(line) for line in text.split("\n"))

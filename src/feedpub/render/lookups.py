"""A name, attribute, filter or test a template asks for and does not find: what it asked
of what, carried from where Jinja finds it missing to the message, which points at the
name in its line and offers the nearest that exists.

An undefined name or attribute raises when used, not when read (StrictUndefined): Jinja
makes the Undefined with the object and the name, and `Undefined` below has it raise
`UndefinedRead` holding both. An unknown filter or test is found as the template compiles,
or inside `{% if %}` as it renders (Jinja 3.0 defers the check there): `NamesChecked` and
`NamedOnly` raise `UnknownName` and `UnknownNameCalled`.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.utils import missing, object_type_repr

from feedpub.values import hint

SHOWN = 60  # characters of a name a message repeats: a template may hold a name of 100,000
_CANDIDATES = 1000  # the names a suggestion is chosen from, at most (a mapping may hold more)

# What a template is given, and feedpub's filters, are listed in the README.
_LISTED = '; feedpub\'s README lists what templates are given, under "The pages"'
_TEMPLATES_LISTED = (
    "; a template names another by its path in templates/ (parts/note.html for"
    " templates/parts/note.html) or by the name of one of feedpub's (base.html)"
)
_KINDS_LISTED = {
    "filter": (
        "; the filters are Jinja's built-in ones and those feedpub's README lists under"
        ' "The pages"'
    ),
    "test": "; the tests are Jinja's built-in ones",
}
# Printed whole, feedpub's values are named as templates know them.
VARIABLES = {
    "SiteConfig": "site",
    "SiteView": "site",
    "Entry": "entry",
    "Section": "section",
    "Subscription": "subscription",
}


def shown(name: object) -> str:
    """`name` as a message repeats it: quoted, cut to SHOWN characters; an item's key
    (site.entries[99]) as Python writes it, cut short too."""
    if not isinstance(name, str):
        return reprlib.repr(name)
    return repr(name if len(name) <= SHOWN else name[: SHOWN - 3] + "...")


class UndefinedRead(jinja2.UndefinedError):
    """A template used a name, attribute or item that is not there."""

    def __init__(self, message: str | None = None, *, obj: Any = missing, name: Any = None):
        super().__init__(message)
        self.obj = obj  # what it was asked of (missing: a name of the template's)
        self.asked = name

    def __reduce__(self) -> Any:  # pickled as what it is to Jinja: obj may not pickle
        return (jinja2.UndefinedError, (self.message,))


class Undefined(jinja2.StrictUndefined):
    """Jinja's StrictUndefined, raising UndefinedRead with what was asked of what (unless
    it says something of its own: a sandbox refusal)."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:
        if hint is None and exc is jinja2.UndefinedError:
            # Jinja raises exc(message): the partial is a maker of the exception
            exc = functools.partial(UndefinedRead, obj=obj, name=name)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)


class UnknownName(jinja2.TemplateAssertionError):
    """A filter or test the environment does not have, found as the template compiles."""

    def __init__(
        self,
        kind: str,
        unknown: str,
        lineno: int,
        name: str | None = None,
        filename: str | None = None,
    ) -> None:
        super().__init__(f"No {kind} named {unknown!r}.", lineno, name, filename)
        self.kind = kind
        self.unknown = unknown

    def __reduce__(self) -> Any:  # pickled as what it is to Jinja
        return (
            jinja2.TemplateAssertionError,
            (self.message, self.lineno, self.name, self.filename),
        )


class UnknownNameCalled(jinja2.TemplateRuntimeError):
    """A filter or test the environment does not have, called as a page renders. (Not a
    syntax error, whose traceback Jinja replaces with one frame: its line would be lost.)"""

    def __init__(self, kind: str, unknown: str) -> None:
        super().__init__(f"No {kind} named {unknown!r} found.")
        self.kind = kind
        self.unknown = unknown

    def __reduce__(self) -> Any:
        return (jinja2.TemplateRuntimeError, (self.message,))


class NamesChecked(CodeGenerator):
    """Compiles a template, raising UnknownName where Jinja raises its message alone."""

    def visit_Filter(self, node: nodes.Filter, frame: Frame) -> None:
        self._check(node, frame, "filter", self.environment.filters)
        super().visit_Filter(node, frame)

    def visit_Test(self, node: nodes.Test, frame: Frame) -> None:
        self._check(node, frame, "test", self.environment.tests)
        super().visit_Test(node, frame)

    def _check(self, node: nodes.Filter | nodes.Test, frame: Frame, kind: str, known: Any) -> None:
        # As Jinja's own check (CodeGenerator._filter_test_common, 3.1.6): inside {% if %}
        # (a soft frame) the name is checked as the page renders, by NamedOnly. A Jinja
        # with no soft frames has it checked here, where Jinja 2 checked it.
        if node.name not in known and not getattr(frame, "soft_frame", False):
            raise UnknownName(kind, node.name, node.lineno, self.name, self.filename)


class NamedOnly(dict[str, Any]):
    """An environment's filters or tests. A template inside `{% if %}` takes each it uses
    as `environment.filters[name]` (Jinja 3.1.6, CodeGenerator.pull_dependencies): one not
    there raises UnknownNameCalled when called, as Jinja's own stand-in raises its message."""

    def __init__(self, kind: str, found: Mapping[str, Any]) -> None:
        super().__init__(found)
        self.kind = kind

    def __missing__(self, name: str) -> Callable[..., NoReturn]:
        def unknown(*args: Any, **kwargs: Any) -> NoReturn:
            raise UnknownNameCalled(self.kind, name)

        return unknown


def explained(
    exc: BaseException, env: jinja2.Environment, scope: Iterable[str]
) -> tuple[str, str] | None:
    """What is wrong, and what to write instead, for a name, attribute, filter or test not
    found, and a pattern whose one match in the line is the name; None for another error.
    `scope` is the names the template could use where it failed; the pattern's group
    `name` is the name, and a match with a group `after` is not of it."""
    if isinstance(exc, UnknownName | UnknownNameCalled):
        kind, name = exc.kind, exc.unknown
        known = env.filters if kind == "filter" else env.tests
        message = f"unknown {kind} {shown(name)}" + nearest(name, known, _KINDS_LISTED[kind])
        before = r"(?:\|\s*|\bfilter\s+)" if kind == "filter" else r"\bis\s+(?:not\s+)?"
        return message, rf"{before}(?P<name>{re.escape(name)})(?![\w.])"
    if isinstance(exc, jinja2.TemplateNotFound) and not isinstance(exc, jinja2.TemplatesNotFound):
        name = exc.name if isinstance(exc.name, str) else str(exc.name)
        templates = env.list_templates()
        meant = nearest_template(name, templates) if len(name) <= SHOWN else ""
        if name.startswith("(feedpub)/"):  # its own name, suggested, would extend itself
            meant = (
                ": a site's template replaces feedpub's of its name, and cannot name it; copy"
                " feedpub's into templates/ and change it there (feedpub's README says where"
                " they are)"
            )
        message = f"there is no template {shown(name)}" + (meant or _TEMPLATES_LISTED)
        return message, rf"['\"](?P<name>{re.escape(name)})['\"]"
    if not isinstance(exc, UndefinedRead):
        return None
    obj, name = exc.obj, exc.asked
    if obj is missing:
        names = (n for n in scope if not n.startswith("__"))
        message = f"{shown(name)} is undefined" + nearest(name, names, _LISTED)
        # The name as a word; after a dot or a bar it is an attribute's or a filter's.
        return message, rf"(?:(?P<after>[.|])\s*)?(?<!\w)(?P<name>{re.escape(name)})(?!\w)"
    kind = type(obj).__name__
    what = VARIABLES.get(kind) or f"'{object_type_repr(obj)}'"
    if not isinstance(name, str):
        return f"{what} has no element {shown(name)}", "(?!)"
    listed = _LISTED if type(obj).__module__.startswith("feedpub.") else ""
    message = f"{what} has no attribute {shown(name)}" + nearest(name, _offered(env, obj), listed)
    return message, rf"\.\s*(?P<name>{re.escape(name)})(?!\w)"


def source_line(exc: BaseException, filename: str, line: int) -> str:
    """The template's line `line` as Jinja numbers them, or "" if it cannot be read; what
    is not inside `{{ }}` or `{% %}` (the page's text, comments) is blanked out, so that a
    name is never pointed at in the text."""
    source = getattr(exc, "source", None)  # a syntax error's (jinja2/debug.py, 3.1.6)
    if not isinstance(source, str):
        try:
            source = Path(filename).read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
    source = source.removeprefix("\ufeff")
    code, at = [], 0
    for tag in _TAG.finditer(source):
        text = _BLANKED.sub(" ", source[at : tag.start()])
        code += [text, tag[0] if tag[1] else _BLANKED.sub(" ", tag[0])]
        at = tag.end()
    code.append(_BLANKED.sub(" ", source[at:]))
    lines = re.split(r"\r\n|\r|\n", "".join(code))  # as Jinja's lexer
    return lines[line - 1] if 0 < line <= len(lines) else ""


_TAG = re.compile(r"\{#.*?#\}|(\{\{.*?\}\}|\{%.*?%\})", re.DOTALL)  # group 1: code
_BLANKED = re.compile(r"[^\r\n]")


def column(line: str, pattern: str) -> int:
    """The 1-based column of the name `pattern` finds in `line`, when it finds it once; 1
    when it finds it more than once or not at all (which is meant would be a guess)."""
    matches = re.finditer(pattern, line)
    found = list(itertools.islice((m for m in matches if not m.groupdict().get("after")), 2))
    return found[0].start("name") + 1 if len(found) == 1 else 1


def nearest(name: str, names: Iterable[str], otherwise: str) -> str:
    """'; did you mean X?' with the name nearest `name`, else `otherwise`."""
    if len(name) > SHOWN:  # nearer to none: difflib would only take the time
        return otherwise
    chosen = [n for n in itertools.islice(names, _CANDIDATES) if isinstance(n, str)]
    return hint(name, chosen) or otherwise


def nearest_template(name: str, templates: Iterable[str]) -> str:
    """'; did you mean X?' with the template `name` was meant for, or ''. One of its name in
    another folder (note.html: parts/note.html) first; else the nearest by name, less the
    extension every template shares (by which header.html was near _years.html)."""
    found = [t for t in templates if isinstance(t, str) and t != name]
    file = name.rpartition("/")[2]
    same = [t for t in found if t.rpartition("/")[2] == file]
    if same:
        return f"; did you mean {same[0]}?"
    stems = {t.rpartition(".")[0] or t: t for t in found}
    close = difflib.get_close_matches(name.rpartition(".")[0] or name, stems, n=1, cutoff=0.75)
    return f"; did you mean {stems[close[0]]}?" if close else ""


def _offered(env: jinja2.Environment, obj: Any) -> list[str]:
    """The attributes and keys `obj` offers a template: what dir() lists (SiteView and
    Subscription list what they pass on), and a mapping's keys, less what a sandbox
    refuses."""
    safe = getattr(env, "is_safe_attribute", None)
    try:
        listed = dir(obj)
    except Exception:  # a __dir__ that fails: no suggestion, and still the message
        listed = []
    found = [n for n in listed if not n.startswith("_") and (safe is None or safe(obj, n, None))]
    if isinstance(obj, Mapping):
        found += itertools.islice((k for k in obj if isinstance(k, str)), _CANDIDATES)
    return found


_LONG_WORD = re.compile(rf"'([^'\s]{{{SHOWN + 1},}})'")
_MESSAGE_MOST = 500  # characters


def brief(message: str) -> str:
    """A template error's message, with no long name of the template's repeated whole
    ("got 'aaa...'", "unknown tag 'aaa...'") and cut at _MESSAGE_MOST characters."""
    message = _LONG_WORD.sub(lambda m: f"'{m[1][: SHOWN - 3]}...'", message)
    return message if len(message) <= _MESSAGE_MOST else message[: _MESSAGE_MOST - 3] + "..."

"""A template's error as a problem to fix, named by the template's file and line: the site's
own (templates/NAME) or feedpub's ((feedpub)/templates/NAME)."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from feedpub.errors import FeedpubError, Problem
from feedpub.render import lookups, syntax
from feedpub.render.environment import FEEDPUB_TEMPLATES, TEMPLATE_DIR, loaded_as


class template_problems:  # (named as a function: used as one, as contextlib.suppress is)
    """Turn a template's error into a FeedpubError naming the template file and line.

    A Jinja error (syntax, an unknown variable, a sandbox refusal) anywhere, and any other
    exception raised inside a site's own template ({{ 1 / 0 }}), is a problem to fix in
    that file, not a traceback. `why`, asked only then, says what about the page may
    explain it. A class, not a generator: entered for every page, a microsecond each so.
    """

    __slots__ = ("_env", "_why")

    def __init__(self, env: jinja2.Environment, why: Callable[[], str] | None = None) -> None:
        self._env, self._why = env, why

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        # (Any other exception, and one of feedpub's own templates, raised as it is.)
        if isinstance(exc, Exception) and not isinstance(exc, FeedpubError):
            problem = _problem(self._env, self._why, exc)
            if problem is not None:
                raise FeedpubError([problem]) from None


def _problem(
    env: jinja2.Environment, why: Callable[[], str] | None, exc: Exception
) -> Problem | None:
    """The problem `exc` is, raised rendering with `env`; None for an error of feedpub's."""
    name = getattr(exc, "name", None) or getattr(exc, "filename", None) or ""
    line = getattr(exc, "lineno", None) or 0
    scope: Mapping[str, Any] = {}
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".css")):  # Jinja maps frames to templates
            # with the names the template could use there (jinja2/debug.py, 3.1.6)
            name, line, scope = filename, lineno, frame.f_locals
    shown = template_shown(env, name)
    sandboxed = isinstance(env, ImmutableSandboxedEnvironment)
    theirs = shown.startswith(TEMPLATE_DIR)
    if not isinstance(exc, jinja2.TemplateError) and not theirs and not sandboxed:
        return None  # an error in feedpub's own template, with none of the site's
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}"
    column = 1
    if (explained := lookups.explained(exc, env, scope)) is not None:
        message, pattern = explained
        column = lookups.column(lookups.source_line(exc, name, line), pattern)
    elif isinstance(exc, jinja2.TemplateSyntaxError) and (at := syntax.located(env, exc)):
        line, column, message = at.line, at.column, at.message
    if sandboxed and not theirs:  # feedpub's, calling a site's own (a macro's signature)
        message += (
            "; raised in feedpub's template, which uses the site's own templates: check"
            " that what they define takes what feedpub's pass"
        )
    # "'feedpub.model.SiteConfig object' has no attribute 'x'" -> "site has no attribute 'x'"
    message = _OBJECT.sub(lambda m: lookups.VARIABLES.get(m[1], m[1]), message)
    message = lookups.brief(message)  # a name of 100,000 characters is not repeated whole
    message += why() if why is not None else ""
    return Problem(path=shown, line=line, column=column, message=f"template error: {message}")


_OBJECT = re.compile(r"'(?:[\w.]+\.)?(\w+) object'")


def own_templates(env: jinja2.Environment) -> list[str]:
    """The HTML templates of the site's own templates/ folder, by name."""
    loader = env.loader
    if isinstance(loader, jinja2.ChoiceLoader):
        first = loader.loaders[0]
        if isinstance(first, jinja2.FileSystemLoader):
            return [name for name in first.list_templates() if name.endswith(".html")]
    return []


def syntax_problems(env: jinja2.Environment) -> list[Problem]:
    """Every template of the site's own that does not compile, named by file and line."""
    found: list[Problem] = []
    for name in own_templates(env):
        try:
            with template_problems(env):
                env.get_template(name)
        except FeedpubError as exc:
            found.extend(exc.problems)
    return found


def template_shown(env: jinja2.Environment, name: str) -> str:
    """templates/NAME for a site's own template, (feedpub)/templates/NAME for feedpub's;
    `name` is a template's name (parts/note.html: in a subfolder too) or its file."""
    loader = env.loader
    own = None  # the site's templates/ folder
    if isinstance(loader, jinja2.ChoiceLoader) and len(loader.loaders) > 1:
        first = loader.loaders[0]
        if isinstance(first, jinja2.FileSystemLoader):
            own = Path(os.path.abspath(first.searchpath[0]))
    file = Path(os.path.abspath(name))
    for folder, shown in ((own, TEMPLATE_DIR), (FEEDPUB_TEMPLATES, f"(feedpub)/{TEMPLATE_DIR}")):
        if folder is not None and file.is_relative_to(folder):  # a file, as tracebacks name it
            return f"{shown}/{file.relative_to(folder).as_posix()}"
    found = loaded_as(name)
    if own is not None and (own / found).is_file():
        return f"{TEMPLATE_DIR}/{found}"
    return f"(feedpub)/{TEMPLATE_DIR}/{found}"

"""The Jinja2 environment pages are rendered in, recording what each page reads.

Templates are package data; a site's own `templates/` may override any of them, and is
then rendered in Jinja's immutable sandbox, since a pull request can change it, within the
limits of render/sandbox.py. Every attribute a template reads of a statement, a section or
the site, every variable and every template it loads is recorded (incremental.record): that
is the page's key, so a page is rendered again exactly
when something it showed may have changed.
"""

from __future__ import annotations

import base64
import functools
import marshal
import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from feedpub import __version__
from feedpub.forked import Forked
from feedpub.incremental import record, record_all, recording
from feedpub.model import Entry
from feedpub.render import calls, filters, lookups
from feedpub.render.escaping import EscapedOnce
from feedpub.render.limits import JoinsLimited
from feedpub.render.parts import PARTS, kept_part
from feedpub.render.sandbox import Limited, sandboxed_filters, sandboxed_globals
from feedpub.render.sitefiles import SiteLoader, is_left_beside
from feedpub.render.textless import printed, textless
from feedpub.render.views import dependency_of
from feedpub.stamp import digest

TEMPLATE_DIR = "templates"


class _Recording:
    """Jinja's attribute, item, variable and template lookups, each recorded; templates
    compiled by a forked child as the build began taken from it (render/precompiled.py)."""

    _compiling: Forked | None = None
    _compiled: dict[str, list[str]] = {}  # noqa: RUF012 - each environment sets its own
    _asked: frozenset[str] = frozenset()  # the templates it compiled or was given compiled

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._found: dict[tuple[str, str | None], tuple[str, jinja2.Template, Any]] = {}

    def overlay(self, *args: Any, **kwargs: Any) -> Any:
        made = super().overlay(*args, **kwargs)  # type: ignore[misc]
        made._found = {}  # its own, as Jinja's cache is (overlay() copies the attributes)
        return made

    def compile(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if self._compiling is not None:
            made, self._compiling = self._compiling.made(), None
            self._compiled = {**self._compiled, **made} if isinstance(made, dict) else {}
        self._asked |= {name or ""}
        found = self._compiled.get(name or "")
        if (
            found is not None
            and isinstance(source, str)
            and not (raw or defer_init)
            and found[0] == code_key(self, source, filename)  # for this, as it is now
        ):
            return marshal.loads(base64.b64decode(found[1]))  # noqa: S302 - our own child's
        return super().compile(source, name, filename, raw, defer_init)  # type: ignore[misc]

    def make_globals(self, d: Any) -> Any:
        # A dict, not Jinja's ChainMap over the environment's (all set before a template is
        # loaded): each render and include copies it, and a ChainMap copies in Python.
        return {**self.globals, **(d or {})}  # type: ignore[attr-defined]

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Entry:  # half of a page's reads: one call less
            record(f"entry:{obj.id}")
        elif (token := dependency_of(obj, attribute)) is not None:
            record(token)
        return super().getattr(obj, attribute)  # type: ignore[misc]

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            token = dependency_of(obj, argument)
            if token is not None:
                record(token)
        return super().getitem(obj, argument)  # type: ignore[misc]

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        if not isinstance(name, str):
            return super().get_template(name, parent, globals)  # type: ignore[misc]
        # Every include and extends of every page asks: Jinja's cache (with its lock, and
        # the template's loader) answered once, the environment's templates never change.
        found = self._found.get((name, parent)) if globals is None else None
        loader = self.loader  # type: ignore[attr-defined]
        if found is None or found[2] is not loader:  # (Jinja's cache is by loader too)
            token = f"template:{loaded_as(name)}"
            record(token)
            template = super().get_template(name, parent, globals)  # type: ignore[misc]
            if globals is None:
                self._found[(name, parent)] = (token, template, loader)
            return template
        record(found[0])
        return found[1]

    def select_template(self, names: Any, *args: Any, **kwargs: Any) -> Any:
        # {% include ["a.html", "b.html"] %}: the page depends on every name it may take,
        # those missing included (one added later is taken first).
        if not isinstance(names, jinja2.Undefined):
            names = list(names)
            for name in names:
                if isinstance(name, str):
                    record(f"template:{loaded_as(name)}")
        return super().select_template(names, *args, **kwargs)  # type: ignore[misc]


@functools.lru_cache(maxsize=1024)  # asked at every include and extends
def loaded_as(name: str) -> str:
    """The name a loader finds a template by ("./a.html", "/a.html" and "a.html" are one):
    Jinja's loaders drop empty and "." parts of the path."""
    return "/".join(part for part in name.split("/") if part and part != ".")


class _RecordingTemplate(EscapedOnce):
    """A template imported without context ({% import %}, {% from %}) or included without
    it is made into a module once, then kept: what making it read is recorded again by
    every page that uses the kept module, not only by the first. (A site's own, which could
    keep state from page to page, is made afresh at each import.)"""

    _module_read: frozenset[str] = frozenset()

    @classmethod
    def _from_namespace(
        cls,
        environment: jinja2.Environment,
        namespace: MutableMapping[str, Any],
        globals: MutableMapping[str, Any],
    ) -> jinja2.Template:
        template = super()._from_namespace(environment, namespace, globals)
        name = template.name or ""
        if name in PARTS and type(environment) is _Environment:  # feedpub's own only
            template.root_render_func = kept_part(template.root_render_func, name, PARTS[name])
        return template

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        fresh = isinstance(self.environment, ImmutableSandboxedEnvironment)
        if fresh:
            # A site's module is made afresh at each import: what it holds could change as
            # pages use it (a namespace counting them, a cycler), and a page would then
            # depend on which were made before it, and in which worker.
            self._module = None
        with recording() as read:
            module = super()._get_default_module(ctx)
        if module is self._module and not fresh:  # kept (made now, or for another page)
            self._module_read = self._module_read | read
            read = set(self._module_read)
        record_all(read)
        return module


# Set by the page renderer from the page's statement and the settings, which it records.
_RENDERER_SET = frozenset({"language", filters.TEXT})
_GETTEXT, _NGETTEXT = filters.NEWSTYLE_GETTEXT["_"], filters.NEWSTYLE_GETTEXT["ngettext"]


class _RecordingContext(Context):
    def resolve_or_missing(self, key: str) -> Any:
        # Jinja's (runtime.py, 3.1.6), recording: `vars` are the template's own names
        # (imported macros); what the page was given, and the environment's globals, are in
        # `parent`. A global is the same for every page of a build (a function records
        # what it reads itself): only what the page was given is its own variable,
        # fingerprinted with its key.
        if key in self.vars:
            return self.vars[key]
        value = self.parent.get(key, missing)
        if value is not missing and key not in _RENDERER_SET:
            globals_ = self.environment.globals
            if key not in globals_ or value is not globals_[key]:
                record(f"var:{key}")
        return value

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        # The page's text (_(), gettext, ngettext) reads the page's text and escaping of the
        # context, never a variable a block or a loop set: Jinja would copy the context with
        # them for every such call after a {% set %} in a block (runtime.py, 3.1.6).
        if obj is _GETTEXT or obj is _NGETTEXT:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return obj(self, *args, **kwargs)
        return calls.call(self, obj, args, kwargs)


class _SandboxedContext(_RecordingContext):
    call = Context.call  # a site's templates: Jinja's own call (the checks are Limited.call's)

    def super(self, name: str, current: Any) -> Any:
        # `super` without its ( ) is a function too: never made into text.
        return textless(super().super(name, current))


class _Environment(_Recording, jinja2.Environment):
    context_class = _RecordingContext
    template_class = _RecordingTemplate
    code_generator_class = lookups.NamesChecked

    def getattr(self, obj: Any, attribute: str) -> Any:
        # _Recording's and Jinja's (environment.py, 3.1.6) in one call, not three: a page
        # of feedpub's own templates reads a hundred attributes.
        if type(obj) is Entry:
            record(f"entry:{obj.id}")
        elif (token := dependency_of(obj, attribute)) is not None:
            record(token)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


class _SandboxedCode(lookups.NamesChecked, JoinsLimited):
    pass


class _SandboxedEnvironment(_Recording, Limited, ImmutableSandboxedEnvironment):
    context_class = _SandboxedContext
    template_class = _RecordingTemplate
    code_generator_class = _SandboxedCode


def code_key(env: Any, source: str, filename: str | None) -> str:
    """What a template's code was compiled from: its source, its file, and the kind of
    environment, whose code differs (a site's own templates/ makes it sandboxed, and one
    may appear or go while a child compiles for the site as it was)."""
    return digest(type(env).__name__, filename or "", source)


def compiled_code(env: jinja2.Environment, names: list[str]) -> dict[str, list[str]]:
    """Each template's key (code_key) and code object (marshal, base64), by its name: what
    the child of precompiled.compiled_meanwhile hands back."""
    assert env.loader is not None
    found = {}
    for name in names:
        try:
            source, filename, _ = env.loader.get_source(env, name)
            code = env.compile(source, name, filename)
        except Exception:  # noqa: S112 - reported when the build compiles it itself
            continue
        key = code_key(env, source, filename)
        found[name] = [key, base64.b64encode(marshal.dumps(code)).decode()]
    return found


def template_digests(env: jinja2.Environment) -> dict[str, str]:
    """A digest of every template the environment can load, the site's and feedpub's."""
    assert env.loader is not None
    found = {}
    for name in env.loader.list_templates():
        source, _, _ = env.loader.get_source(env, name)
        found[name] = digest(source)
    return found


FEEDPUB_TEMPLATES = Path(os.path.abspath(Path(__file__).parent.parent / TEMPLATE_DIR))


def make_environment(root: Path | None) -> jinja2.Environment:
    """Templates from the site's own `templates/` first, then feedpub's."""
    own = root / TEMPLATE_DIR if root is not None else None
    own = own if own is not None and own.is_dir() else None
    # Any write changes a file's ctime, which no tool can set back (cp -p, rsync -a and
    # tar restore the mtime): an edited template is never rendered as it was.
    signature = tuple(
        (str(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        for folder in (own, Path(__file__).parent.parent / TEMPLATE_DIR)
        if folder is not None
        for path in sorted(folder.rglob("*"))  # templates may include from subfolders
        if path.is_file()
        and not is_left_beside(path.relative_to(folder).as_posix())  # a swap file's writes
        and (st := path.stat())
    )
    return _environment(own, signature)


@functools.lru_cache(maxsize=8)
def _environment(own: Path | None, signature: tuple[tuple[Any, ...], ...]) -> jinja2.Environment:
    # Cached by the templates' status: repeated builds in one process (tests, `feedpub
    # serve`) compile templates once, and an edited template makes a new environment. So
    # Jinja need not check every template's mtime on every render (auto_reload off).
    loaders: list[jinja2.BaseLoader] = []
    if own is not None:
        loaders.append(SiteLoader(own))
    loaders.append(jinja2.PackageLoader("feedpub", TEMPLATE_DIR))
    # A site's own templates come from its repository, so from any pull request: they run
    # sandboxed. feedpub's own templates are trusted, and faster unsandboxed.
    kind = _SandboxedEnvironment if own is not None else _Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        undefined=lookups.Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        finalize=printed if kind is _SandboxedEnvironment else None,
    )
    env.globals["feedpub_version"] = __version__
    env.globals.update(filters.GLOBALS)
    # Page text through gettext (Jinja's i18n extension: _(), gettext, ngettext, {% trans %}).
    env.install_gettext_callables(  # type: ignore[union-attr]
        *filters.GETTEXT, newstyle=True
    )
    env.globals.update(filters.NEWSTYLE_GETTEXT)
    env.filters.update(filters.FILTERS)
    if kind is _SandboxedEnvironment:
        env.filters = sandboxed_filters(env.filters)
        env.globals = sandboxed_globals(env.globals)
    env.filters = lookups.NamedOnly("filter", env.filters)
    env.tests = lookups.NamedOnly("test", env.tests)
    return env

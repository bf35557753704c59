"""HTML pages with Jinja2 (autoescaped), recording what each page reads.

Templates are package data; a site's own `templates/` may override any of them, and is
then rendered in Jinja's immutable sandbox, since a pull request can change it. Every
attribute a template reads of a statement, a section or the site, every variable and every
template it loads is recorded (incremental.record): that is the page's key, so a page
is rendered again exactly when something it showed may have changed.
"""

from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
from babel import Locale, UnknownLocaleError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from feedpub import __version__, messages
from feedpub.errors import FeedpubError, Problem
from feedpub.incremental import digest, record, recording
from feedpub.load import describe_character, forbidden_character
from feedpub.messages import PageText
from feedpub.model import Entry, SiteConfig
from feedpub.render.feeds import ATOM_TYPE, RSS_TYPE
from feedpub.render.jsonfeed import MEDIA_TYPE as JSON_FEED_TYPE

TEMPLATE_DIR = "templates"


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    path: str  # inside public/
    media_type: str


@dataclass(frozen=True, slots=True)
class Section:
    """A list of statements with its own page and feeds: the whole site, one type or one tag."""

    kind: str  # "all", "type" or "tag"
    name: str  # what people read: "Release", "Energy"
    slug: str
    directory: str  # its page and feeds live here inside public/: '', 'types/release/'
    entries: tuple[Entry, ...]  # newest first
    feed_title: str
    removed: tuple[Entry, ...] = ()  # removed for a lawful reason: archive slots only

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.slug}"

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def atom(self) -> str:
        return self.directory + "atom.xml"

    @property
    def rss(self) -> str:
        return self.directory + "rss.xml"

    @property
    def json(self) -> str:
        return self.directory + "feed.json"

    @property
    def feed_links(self) -> tuple[FeedLink, ...]:
        """Its feeds, for <link rel="alternate"> autodiscovery."""
        return (
            FeedLink(f"{self.feed_title} (Atom)", self.atom, ATOM_TYPE),
            FeedLink(f"{self.feed_title} (RSS)", self.rss, RSS_TYPE),
            FeedLink(f"{self.feed_title} (JSON Feed)", self.json, JSON_FEED_TYPE),
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A section's feeds as HTML, rendered once per build: its <link> tags for <head>, its
    item for the "Subscribe" list."""

    section: Section
    head_html: Markup
    item_html: Markup

    def __getattr__(self, name: str) -> Any:
        # A site's own templates may ask a subscription for its section's name, kind...
        return getattr(self.section, name)


class SiteView:
    """`site` in templates: the settings, and every published statement, type, tag and year."""

    COLLECTIONS = frozenset({"entries", "types", "tags", "languages", "years"})

    def __init__(
        self,
        config: SiteConfig,
        entries: tuple[Entry, ...],
        types: tuple[Section, ...],
        tags: tuple[Section, ...],
        languages: tuple[Section, ...],
        years: tuple[tuple[int, int], ...],
    ) -> None:
        self.config = config
        self.entries = entries  # newest first
        self.types = types
        self.tags = tags
        self.languages = languages  # when statements are in more than one language
        self.years = years  # (year, statements), newest first

    def __getattr__(self, name: str) -> Any:
        return getattr(self.config, name)

    def url(self, path: str) -> str:
        return self.config.url(path)


def _token(obj: Any, attribute: str) -> str | None:
    """The dependency a template takes on when it reads `obj.attribute`."""
    kind = type(obj)
    if kind is Entry:
        return f"entry:{obj.id}"  # its key covers every field
    if kind is SiteView:
        return f"site:{attribute}" if attribute in SiteView.COLLECTIONS else "config"
    if kind is SiteConfig:
        return "config"
    if kind is Section:
        return f"section:{obj.key}:{attribute}"
    if kind is Subscription:
        return f"subscription:{obj.section.key}:{attribute}"
    return None  # a value inside one of those, covered by its owner's token


class _Recording:
    """Jinja's attribute, item, variable and template lookups, each recorded."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        token = _token(obj, attribute)
        if token is not None:
            record(token)
        return super().getattr(obj, attribute)  # type: ignore[misc]

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            token = _token(obj, argument)
            if token is not None:
                record(token)
        return super().getitem(obj, argument)  # type: ignore[misc]

    def get_template(self, name: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(name, str):
            record(f"template:{name}")
        return super().get_template(name, *args, **kwargs)  # type: ignore[misc]


class _RecordingContext(jinja2.runtime.Context):
    def resolve_or_missing(self, key: str) -> Any:
        # `vars` are the template's own names (imported macros); what the page was given,
        # and the environment's globals, are in `parent`.
        if key not in self.vars and key in self.parent:
            record(f"var:{key}")
        return super().resolve_or_missing(key)


class _Environment(_Recording, jinja2.Environment):
    context_class = _RecordingContext


# A site's own template runs sandboxed: it cannot reach Python's internals, change the
# values it is given, nor (below) run for long or make a huge value. A page renders in
# milliseconds; PAGE_SECONDS stops a loop that would run for hours. Values a template may
# make with one operation or call: MAX_MADE characters or items, MAX_DIGITS digits.
PAGE_SECONDS = 10.0
MAX_MADE = 1_000_000
MAX_DIGITS = 10_000
_FORMAT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{7,})|\.(?:\*|\d{7,})|\{[^{}]*\d{7,}[^{}]*\}")


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A site's template went past a limit that bounds the time and memory it takes."""


def _too_big(what: str) -> TemplateLimit:
    return TemplateLimit(f"{what}; a template may make at most {MAX_MADE:,} characters or items")


def _check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_MADE:
            raise _too_big(f"{value:,} is too large a number to pass")


class _SandboxedEnvironment(_Recording, ImmutableSandboxedEnvironment):
    context_class = _RecordingContext
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(
        __self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:
        _check_arguments(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_format(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_format(obj, argument)
        return super().getitem(obj, argument)


def _check_format(obj: Any, attribute: Any) -> None:
    """'{:>999999999}'.format(1) would make a gigabyte: refused when the method is looked up
    (the sandbox hands the call a wrapper that no longer shows the format)."""
    if attribute in ("format", "format_map") and isinstance(obj, str) and _FORMAT_WIDTH.search(obj):
        raise _too_big(f"the format {obj[:40]!r} asks for a width too large")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    both_int = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and both_int and abs(left) > 1:
        if right * abs(left).bit_length() > MAX_DIGITS * 4:
            raise TemplateLimit(f"{left} ** {right} has more than {MAX_DIGITS:,} digits")
    elif operator == "*" and both_int:
        if left.bit_length() + right.bit_length() > MAX_DIGITS * 4:
            raise TemplateLimit(f"a product with more than {MAX_DIGITS:,} digits")
    elif operator == "*":
        for sequence, count in ((left, right), (right, left)):
            sized = isinstance(sequence, str | list | tuple) and isinstance(count, int)
            if sized and len(sequence) * count > MAX_MADE:
                raise _too_big(f"repeating {len(sequence):,} items {count:,} times")
    elif operator == "%" and isinstance(left, str) and _FORMAT_WIDTH.search(left):
        raise _too_big(f"the format {left[:40]!r} asks for a width or precision too large")


def _guarded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter for sandboxed templates: refuses numbers past MAX_MADE (|center(10**9))."""
    passes = getattr(function, "jinja_pass_arg", None)
    skip = 2 if passes is not None else 1  # the context (or environment), then the value

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[skip:], kwargs)
        return function(*args, **kwargs)

    return guarded


class TemplateTimeout(jinja2.TemplateRuntimeError):
    """A page of a site's own templates took longer than PAGE_SECONDS to render."""


@contextlib.contextmanager
def deadline(env: jinja2.Environment) -> Iterator[None]:
    """Stop rendering with a site's templates after PAGE_SECONDS. Only where a timer
    signal can interrupt: the main thread of a process on a system that has one (so not in
    `feedpub serve`'s rebuilds, which run on the previewer's own machine)."""
    if (
        not isinstance(env, ImmutableSandboxedEnvironment)
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TemplateTimeout(
            f"a page took more than {PAGE_SECONDS:g} s to render, and a page of the site's"
            " own templates may take at most that: look for a loop that runs too long"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, PAGE_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def human_size(length: int) -> str:
    """1536 -> '1.5 KB', for links to attachments."""
    size = float(length)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{length:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover


# The office's accent colour, after the stylesheet: links, focus rings and the header's rule.
ACCENT_CSS = """
/* accent_color (feedpub.yaml), and a shade of it readable on the dark background */
:root {{ --link: {light}; --header-rule: 4px solid {light}; }}
@media (prefers-color-scheme: dark) {{
  :root {{ --link: {dark}; --header-rule: 4px solid {dark}; }}
}}
"""

# The variable that carries a page's text (its language, the site's overrides) to the
# gettext callables and the date filters. PageRenderer.render sets it, and records what it
# is made from: the settings and the page's statement.
TEXT = "page_text"


def _text(context: jinja2.runtime.Context) -> PageText:
    found = context.get(TEXT)
    if isinstance(found, PageText):
        return found
    site = context.get("site")  # a template rendered without one: the site's language
    config = site.config if isinstance(site, SiteView) else None
    if config is None:
        return messages.PageText("en", "en", {})
    return messages.page_text(config, config.language)


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    record("config")  # the site's overrides
    text = _text(context).gettext(message)
    return escape(text) if context.eval_ctx.autoescape else text


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int) -> str:
    record("config")
    text = _text(context).ngettext(singular, plural, count)
    return escape(text) if context.eval_ctx.autoescape else text


def language_name(code: str) -> str:
    """A language's name in itself (CLDR, through Babel): 'français', 'العربية'."""
    try:
        locale = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


@jinja2.pass_context
def _long_date_filter(context: jinja2.runtime.Context, value: datetime) -> str:
    """5 November 2021, in the page's language (CLDR)."""
    return messages.long_date(value, _text(context).locale)


@jinja2.pass_context
def _release_time_filter(context: jinja2.runtime.Context, value: datetime) -> str:
    """5 November 2021, 10:00 Central European Standard Time, in the page's language."""
    return messages.release_time(value, _text(context).locale)


def text_direction(language: str) -> str:
    """'rtl' for a right-to-left language (BCP 47), else 'ltr'."""
    return messages.direction(language)


@jinja2.pass_context
def _lang_filter(context: jinja2.runtime.Context, language: str | None) -> Markup:
    """` lang="ar" dir="rtl"` for text in another language than the page's, else nothing."""
    if not language or language == _text(context).language:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(language, messages.direction(language))


@jinja2.pass_context
def _relative_filter(context: jinja2.runtime.Context, url: str) -> str:
    """A URL under the site's base_url, made relative to the page (so a preview or a copy
    on disk loads the site's own logo); any other URL as it is."""
    record("config")
    base = context["site"].config.base_url
    if url.startswith(base):
        return str(context["root"]) + url[len(base) :]
    return url


_URL_BREAK = re.compile(r"(?<=[^:/]/)")


def _breakable_filter(url: str) -> Markup:
    """A URL shown as text that a narrow screen may break after its slashes (<wbr>), and
    nowhere else: copying it gives the URL unchanged."""
    return Markup("<wbr>").join(escape(part) for part in _URL_BREAK.split(url))


def _plural_filter(name: str, language: str) -> str:
    """A type's name made plural for an English label ("Releases only"), else as it is."""
    return messages.english_plural(name) if language.lower().startswith("en") else name


def template_digests(env: jinja2.Environment) -> dict[str, str]:
    """A digest of every template the environment can load, the site's and feedpub's."""
    assert env.loader is not None
    found = {}
    for name in env.loader.list_templates():
        source, _, _ = env.loader.get_source(env, name)
        found[name] = digest(source)
    return found


@contextlib.contextmanager
def template_problems(env: jinja2.Environment) -> Iterator[None]:
    """Turn a template's error into a FeedpubError naming the template file and line.

    A Jinja error (syntax, an unknown variable, a sandbox refusal) anywhere, and any other
    exception raised inside a site's own template ({{ 1 / 0 }}), is a problem to fix in
    that file, not a traceback.
    """
    try:
        yield
    except FeedpubError:
        raise
    except Exception as exc:
        name = getattr(exc, "name", None) or getattr(exc, "filename", None) or ""
        line = getattr(exc, "lineno", None) or 0
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".html", ".css")):  # Jinja maps frames to templates
                name, line = frame.filename, frame.lineno or 0
        shown = _template_shown(env, name)
        if not isinstance(exc, jinja2.TemplateError) and not shown.startswith(TEMPLATE_DIR):
            raise  # an error in feedpub's own template is feedpub's bug
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if not isinstance(exc, jinja2.TemplateError):
            message = f"{type(exc).__name__}: {message}"
        # "'feedpub.model.SiteConfig object' has no attribute 'x'" -> "site has no attribute 'x'"
        message = _OBJECT.sub(lambda m: _VARIABLES.get(m.group(1), m.group(1)), message)
        problem = Problem(path=shown, line=line, message=f"template error: {message}")
        raise FeedpubError([problem]) from None


_OBJECT = re.compile(r"'(?:[\w.]+\.)?(\w+) object'")
_VARIABLES = {
    "SiteConfig": "site",
    "SiteView": "site",
    "Entry": "entry",
    "Section": "section",
    "Subscription": "subscription",
}


def _template_shown(env: jinja2.Environment, name: str) -> str:
    """templates/NAME for a site's own template, (feedpub)/templates/NAME for feedpub's."""
    base = Path(name).name
    loader = env.loader
    if isinstance(loader, jinja2.ChoiceLoader):
        first = loader.loaders[0]
        if isinstance(first, jinja2.FileSystemLoader) and base in first.list_templates():
            return f"{TEMPLATE_DIR}/{base}"
    return f"(feedpub)/{TEMPLATE_DIR}/{base}"


def make_environment(root: Path | None) -> jinja2.Environment:
    """Templates from the site's own `templates/` first, then feedpub's."""
    own = root / TEMPLATE_DIR if root is not None else None
    own = own if own is not None and own.is_dir() else None
    signature = tuple(
        (str(path), path.stat().st_mtime_ns)
        for folder in (own, Path(__file__).parent.parent / TEMPLATE_DIR)
        if folder is not None
        for path in sorted(folder.rglob("*"))  # templates may include from subfolders
        if path.is_file()
    )
    return _environment(own, signature)


@functools.lru_cache(maxsize=8)
def _environment(own: Path | None, signature: tuple[tuple[str, int], ...]) -> jinja2.Environment:
    # Cached by the templates' mtimes: repeated builds in one process (tests, `feedpub
    # serve`) compile templates once, and an edited template makes a new environment. So
    # Jinja need not check every template's mtime on every render (auto_reload off).
    loaders: list[jinja2.BaseLoader] = []
    if own is not None:
        loaders.append(jinja2.FileSystemLoader(own))
    loaders.append(jinja2.PackageLoader("feedpub", TEMPLATE_DIR))
    # A site's own templates come from its repository, so from any pull request: they run
    # sandboxed. feedpub's own templates are trusted, and faster unsandboxed.
    kind = _SandboxedEnvironment if own is not None else _Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["feedpub_version"] = __version__
    env.globals["linked_data"] = _linked_data
    # Page text through gettext (Jinja's i18n extension: _(), gettext, ngettext, {% trans %}).
    env.install_gettext_callables(  # type: ignore[union-attr]
        _gettext, _ngettext, newstyle=True
    )
    env.filters["human_size"] = human_size
    env.filters["long_date"] = _long_date_filter
    env.filters["release_time"] = _release_time_filter
    env.filters["lang"] = _lang_filter
    env.filters["relative"] = _relative_filter
    env.filters["breakable"] = _breakable_filter
    env.filters["plural"] = _plural_filter
    env.filters["text_direction"] = text_direction
    env.filters["language_name"] = language_name
    if kind is _SandboxedEnvironment:
        env.filters = {name: _guarded_filter(f) for name, f in env.filters.items()}
    return env


Context = dict[str, Any]


class PageRenderer:
    """Render the site's pages; one instance per build, templates compiled once."""

    PAGES = (
        "entry",
        "index",
        "archive",
        "section",
        "sections",
        "redirect",
        "removed",
        "_feed_entry",
    )

    def __init__(self, site: SiteView, env: jinja2.Environment, main: Section) -> None:
        self.site = site
        self.env = env
        self.main = main
        self.sandboxed = isinstance(env, ImmutableSandboxedEnvironment)
        # Compile every template now: a site's broken template is reported before anything
        # is rendered, with its file and line.
        with template_problems(env):
            for name in env.list_templates(extensions=["html"]):
                env.get_template(name)
            self._templates = {name: env.get_template(f"{name}.html") for name in self.PAGES}
            part = env.get_template("_subscription.html")
        self._part = part
        self._texts: dict[str, PageText] = {}
        language = site.config.language
        self.subscriptions = {
            section.key: self._subscription(section, language)
            for section in (main, *site.types, *site.tags, *site.languages)
        }
        # In another language (a statement's own), made when a page first needs them.
        self._translated: dict[tuple[str, str], tuple[Subscription, frozenset[str]]] = {}

    def text(self, language: str) -> PageText:
        """The text of pages in `language`, made once per build."""
        found = self._texts.get(language)
        if found is None:
            found = self._texts[language] = messages.page_text(self.site.config, language)
        return found

    def _subscription(self, section: Section, language: str) -> Subscription:
        def html(which: str) -> Markup:
            with template_problems(self.env), deadline(self.env):
                text = self._part.render(
                    site=self.site,
                    section=section,
                    part=which,
                    language=language,
                    **{TEXT: self.text(language)},
                ).strip()
            text = self._checked(text, "_subscription.html")
            # Autoescaped by Jinja2 already; Markup only keeps it from being escaped twice.
            return Markup(text)  # noqa: S704

        return Subscription(section, html("head"), html("item"))

    def _subscription_in(self, subscription: Subscription, language: str) -> Subscription:
        key = (subscription.section.key, language)
        found = self._translated.get(key)
        if found is None:
            with recording() as tokens:
                made = self._subscription(subscription.section, language)
            # Its own variables (section, part) are no page's: what they hold is recorded.
            found = self._translated[key] = (
                made,
                frozenset(t for t in tokens if not t.startswith("var:")),
            )
        for token in found[1]:
            record(token)
        return found[0]

    def stylesheet(self) -> bytes:
        """The stylesheet, from the site's templates/ when it has one, and the office's
        accent colour."""
        assert self.env.loader is not None
        record("template:style.css")
        record("config")
        source, _, _ = self.env.loader.get_source(self.env, "style.css")
        accent = self.site.config.accent_color
        if accent is not None:
            source += ACCENT_CSS.format(light=accent.light, dark=accent.dark)
        return source.encode()

    def render(self, template: str, context: Context) -> str:
        """Render one of PAGES with `context`; the caller records what it reads."""
        with template_problems(self.env), deadline(self.env):
            record(f"template:{template}.html")
            text = self._templates[template].render(self._in_language(context))
            return self._checked(text, f"{template}.html")

    def page_language(self, entry: Entry | None) -> str:
        """A page's language: its statement's, when feedpub has text for it, else the site's."""
        record("config")
        if entry is None:
            return self.site.config.language
        record(f"entry:{entry.id}")
        return messages.page_language(self.site.config, entry.language)

    def _in_language(self, context: Context) -> Context:
        """The context with the page's language and its text; a statement's page in its own
        language offers its feeds in that language too."""
        entry = context.get("entry")
        language = self.page_language(entry if isinstance(entry, Entry) else None)
        extra: Context = {"language": language, TEXT: self.text(language)}
        offered = context.get("subscriptions")
        if language != self.site.config.language and offered:
            extra["subscriptions"] = [self._subscription_in(s, language) for s in offered]
        return {**context, **extra}

    def _checked(self, text: str, name: str) -> str:
        """A site's template can write any character: refuse those XML 1.0 forbids, which
        would break every feed (and a page's validity)."""
        if self.sandboxed and (char := forbidden_character(text)):
            message = (
                f"template error: it writes the character {describe_character(char)}, which"
                " XML 1.0 forbids in feeds; remove it"
            )
            raise FeedpubError(
                [Problem(path=_template_shown(self.env, name), line=0, message=message)]
            )
        return text

    def base_context(self, path: str, offered: Sequence[Section]) -> Context:
        """What every page gets: the site, the way back to its root, its address, feeds."""
        return {
            "site": self.site,
            "root": "../" * path.count("/"),  # relative: public/ works anywhere, even on disk
            "canonical": self.site.url(path),
            "subscriptions": [self.subscriptions[section.key] for section in offered],
        }


def _headline(entry: Entry, text: PageText) -> str:
    """The title a share card or search result shows: a withdrawn statement says so."""
    if entry.withdrawn is None:
        return entry.title
    return text.gettext("Withdrawn: %(title)s") % {"title": entry.title}


@jinja2.pass_context
def _linked_data(
    context: jinja2.runtime.Context, entry: Entry, translations: Sequence[Any] = ()
) -> dict[str, Any]:
    """schema.org NewsArticle, so search engines and link previews read it right; a
    statement in several languages names its translations (workTranslation) or its
    original (translationOfWork). A template function, so that a page's dependencies are
    what this reads (recorded here), not a dictionary made for every page to compare."""
    record("config")
    record(f"entry:{entry.id}")
    config = context["site"].config
    publisher: dict[str, Any] = {"@type": "Organization", "name": config.publisher.name}
    if config.publisher.url:
        publisher["url"] = config.publisher.url
    if config.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": config.logo}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "identifier": entry.id,
        "url": config.url(entry.path),
        "mainEntityOfPage": config.url(entry.path),
        "headline": _headline(entry, _text(context)),
        "description": entry.summary,
        "articleSection": entry.type,
        "datePublished": entry.published.isoformat(),
        "dateModified": entry.updated.isoformat(),
        "inLanguage": entry.language or config.language,
        "publisher": publisher,
        "author": [{"@type": "Organization", "name": name} for name in entry.bylines]
        or [publisher],
    }
    if entry.tags:
        data["keywords"] = list(entry.tags)
    for other in translations:
        if other.entry.id == entry.id:
            continue
        work = {
            "@type": "NewsArticle",
            "@id": config.url(other.entry.path),
            "url": config.url(other.entry.path),
            "inLanguage": other.language,
        }
        if other.original:
            data["translationOfWork"] = work
        else:
            data.setdefault("workTranslation", []).append(work)
    return data


def fingerprint(value: Any) -> str:
    """A value as text that changes when what a template could show of it does: a
    statement, section or subscription by its identity (its contents are tokens of their
    own), anything else by its contents."""
    kind = type(value)
    if kind is Entry:
        return f"entry:{value.id}"
    if kind is Section or kind is Subscription:
        return f"section:{value.key}" if kind is Section else f"subscription:{value.section.key}"
    if kind is SiteView:
        return "site"
    if kind in (tuple, list):
        return "[" + ",".join(fingerprint(item) for item in value) + "]"
    if kind is dict:
        return "{" + ",".join(f"{k!r}:{fingerprint(v)}" for k, v in sorted(value.items())) + "}"
    if kind is datetime:
        return value.isoformat()  # type: ignore[no-any-return]
    if callable(value) and hasattr(value, "__self__"):
        return f"method:{getattr(value, '__qualname__', '')}@{fingerprint(value.__self__)}"
    if hasattr(value, "__dataclass_fields__"):
        names = value.__dataclass_fields__
        return f"{kind.__name__}(" + ",".join(fingerprint(getattr(value, n)) for n in names) + ")"
    return repr(value)

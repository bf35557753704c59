"""The filters and functions feedpub gives templates: page text in the page's language
(gettext, dates), links, sizes, and a statement's schema.org data. Each records what it
reads of the site on the page's behalf."""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import jinja2
import jinja2.runtime
from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from feedpub import messages
from feedpub.incremental import record
from feedpub.messages import PageText
from feedpub.model import Entry
from feedpub.render.views import SiteView


def human_size(length: int) -> str:
    """1536 -> '1.5 KB', for links to attachments."""
    size = float(length)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{length:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover


# gettext callables and the date filters. PageRenderer.render sets it, and records what it
# is made from: the settings and the page's statement.
TEXT = "page_text"


# The text of the page being rendered, for a macro of a template imported without context
# ({% import "_macros.html" as m %}), which sees none of the page's variables: its _() and
# dates are still in the page's language, with the site's own messages.
_PAGE_TEXT: contextvars.ContextVar[PageText | None] = contextvars.ContextVar(TEXT, default=None)


T = TypeVar("T")


class setting(Generic[T]):  # (named as a function: used as one, as contextlib.suppress is)
    """`var` set to `value` within a with block, and back as it was after it. A class, not
    a generator: entered for every page, a microsecond each so."""

    __slots__ = ("_token", "_value", "_var")

    def __init__(self, var: contextvars.ContextVar[T], value: T) -> None:
        self._var, self._value = var, value

    def __enter__(self) -> None:
        self._token = self._var.set(self._value)

    def __exit__(self, *exc: object) -> None:
        self._var.reset(self._token)


def speaking(text: PageText) -> setting[PageText | None]:
    """Render with `text` as the page's, for what is rendered without its variables."""
    return setting(_PAGE_TEXT, text)


def page_text(context: jinja2.runtime.Context) -> PageText:
    """The text of the page being rendered, as its _() and dates read it."""
    # context.get(TEXT) without its three calls (asked some twenty times a page); the
    # renderer's own variable, never recorded (see render/environment.py).
    found = context.vars[TEXT] if TEXT in context.vars else context.parent.get(TEXT)
    if isinstance(found, PageText):
        return found
    current = _PAGE_TEXT.get()
    if current is not None:
        return current
    site = context.get("site")  # a template rendered without one: the site's language
    config = site.config if isinstance(site, SiteView) else None
    if config is None:
        return messages.PageText("en", "en", {})
    return messages.page_text(config, config.language)


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    record("config")  # the site's overrides
    text = page_text(context).gettext(message)
    return escape(text) if context.eval_ctx.autoescape else text


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int) -> str:
    record("config")
    text = page_text(context).ngettext(singular, plural, count)
    return escape(text) if context.eval_ctx.autoescape else text


# What Jinja's i18n extension installs as `_`, `gettext` and `ngettext` with newstyle
# gettext, in one call: its own wrap three calls through the context and a formatting of
# each message (a twentieth of a cold build's time, in pages showing dozens of them).
@jinja2.pass_context
def _newstyle_gettext(context: jinja2.runtime.Context, message: str, /, **variables: Any) -> str:
    if not variables:
        record("config")
        return page_text(context).shown(message, bool(context.eval_ctx.autoescape))
    text = _gettext(context, message)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704


@jinja2.pass_context
def _newstyle_ngettext(
    context: jinja2.runtime.Context, singular: str, plural: str, count: int, /, **variables: Any
) -> str:
    variables.setdefault("num", count)
    text = _ngettext(context, singular, plural, count)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704


@functools.lru_cache(maxsize=1024)  # asked once per statement: a site has a few languages
def language_name(code: str, capitalized: bool = True) -> str:
    """A language's name in itself (CLDR, through Babel): 'Français', 'العربية'; as a
    sentence writes it with `capitalized=False`: 'français'."""
    try:
        locale = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:] if capitalized else name


@jinja2.pass_context
def _long_date_filter(context: jinja2.runtime.Context, value: datetime) -> str:
    """5 November 2021, in the page's language (CLDR)."""
    return messages.long_date(value, page_text(context).locale)


@jinja2.pass_context
def _release_time_filter(context: jinja2.runtime.Context, value: datetime) -> str:
    """5 November 2021, 10:00 Central European Standard Time, in the page's language."""
    return messages.release_time(value, page_text(context).locale)


def text_direction(language: str) -> str:
    """'rtl' for a right-to-left language (BCP 47), else 'ltr'."""
    return messages.direction(language)


_AUTO = Markup(' dir="auto"')


@jinja2.pass_context
def _lang_filter(
    context: jinja2.runtime.Context, language: str | None, auto: bool = False
) -> Markup:
    """` lang="ar" dir="rtl"` for text in another language than the page's, else nothing;
    with `auto`, ` dir="auto"`: a name that may be in another script (an English type on an
    Arabic page) is set apart, so the text around it keeps its order."""
    if not language or language == page_text(context).language:
        return _AUTO if auto else Markup()
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
        "headline": _headline(entry, page_text(context)),
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
        record(f"entry:{other.entry.id}")  # its address, read here
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


# What every environment is given: filters, then globals.
FILTERS: dict[str, Callable[..., Any]] = {
    "human_size": human_size,
    "long_date": _long_date_filter,
    "release_time": _release_time_filter,
    "lang": _lang_filter,
    "relative": _relative_filter,
    "breakable": _breakable_filter,
    "plural": _plural_filter,
    "text_direction": text_direction,
    "language_name": language_name,
}
GLOBALS: dict[str, Any] = {"linked_data": _linked_data}
GETTEXT = (_gettext, _ngettext)
# Installed over the extension's (see _newstyle_gettext).
NEWSTYLE_GETTEXT: dict[str, Callable[..., Any]] = {
    "_": _newstyle_gettext,
    "gettext": _newstyle_gettext,
    "ngettext": _newstyle_ngettext,
}

"""Page text and dates in a page's language: gettext catalogues and CLDR data, through Babel.

The text of feedpub's pages (`Subscribe`, `Updated`, `Withdrawn on ...`) is English in the
templates and translated by the catalogues in `locale/` (`feedpub.pot` lists every message;
`fr.po`, `es.po`, `ar.po` translate them). A site may override any message, per language,
with `messages:` in feedpub.yaml. Dates and times are formatted with CLDR's patterns and
names (Babel), never with month names written here.

A page's language is its statement's `language:` when feedpub has text for it, else the
site's. Text comes from the catalogue of that language or of its primary subtag (`fr-CA`
reads `fr`), else English.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

import babel
import babel.dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

from feedpub.model import RTL_LANGUAGES, SiteConfig

LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_NAME = "feedpub.pot"
SOURCE_LANGUAGE = "en"  # the templates' own text
# A message's placeholders, as gettext writes them: %(name)s, %(num)d.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

# An override: one text, or for a message that counts, a text per CLDR plural category.
Override = str | Mapping[str, str]
Overrides = Mapping[str, Mapping[str, Override]]  # language -> message id -> override


@dataclass(frozen=True, slots=True)
class MessageId:
    """A message of feedpub's pages: its text in English, and its plural when it counts."""

    text: str
    plural: str | None
    placeholders: frozenset[str]


@functools.cache
def message_ids() -> dict[str, MessageId]:
    """Every message feedpub's templates use, by its English text (from feedpub.pot)."""
    with (LOCALE_DIR / TEMPLATE_NAME).open("rb") as handle:
        template = read_po(handle)
    found: dict[str, MessageId] = {}
    for message in template:
        if not message.id:
            continue  # the header
        if isinstance(message.id, str):
            text, plural = message.id, None
        else:
            text, plural = str(message.id[0]), str(message.id[1])
        # A translator's comment may name more: "%(type)s is the type's name as written".
        described = " ".join([text, plural or "", *message.auto_comments])
        names = set(PLACEHOLDER.findall(described))
        found[text] = MessageId(text, plural, frozenset(names))
    return found


@functools.cache
def catalogue_languages() -> frozenset[str]:
    """The languages feedpub's catalogues translate into, and English."""
    return frozenset({SOURCE_LANGUAGE, *(path.stem for path in LOCALE_DIR.glob("*.po"))})


@functools.cache
def _catalogue(language: str) -> NullTranslations:
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    with (LOCALE_DIR / f"{language}.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    # Babel reads the .po file and writes it compiled; gettext reads the plural rule from
    # the compiled header, so Arabic's six plural forms come out right.
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


def _candidates(language: str) -> tuple[str, ...]:
    """en-GB -> ('en-GB', 'en'): the tag, then its primary subtag."""
    primary = language.split("-")[0].lower()
    return (language, primary) if primary != language else (language,)


def _find_overrides(language: str, overrides: Overrides) -> Mapping[str, Override]:
    by_lower = {tag.lower(): tag for tag in overrides}
    for candidate in _candidates(language):
        if candidate.lower() in by_lower:
            return overrides[by_lower[candidate.lower()]]
    return {}


def has_text(language: str, overrides: Overrides) -> bool:
    """Whether feedpub can write a page's text in `language` (a catalogue or overrides)."""
    return any(c.lower() in catalogue_languages() for c in _candidates(language)) or bool(
        _find_overrides(language, overrides)
    )


def page_language(config: SiteConfig, language: str | None) -> str:
    """The language of a page whose statement is in `language` (None: the site's)."""
    if language and has_text(language, config.messages):
        return language
    return config.language


def direction(language: str) -> str:
    """'rtl' for a language written right to left, else 'ltr'."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@functools.cache
def dates_locale(language: str) -> babel.Locale:
    """CLDR's data for dates in `language`: its own, its primary subtag's, else English."""
    return _locale(language)


def _locale(language: str) -> babel.Locale:
    for candidate in _candidates(language):
        try:
            return babel.Locale.parse(candidate, sep="-")
        except (ValueError, babel.UnknownLocaleError):
            continue
    return babel.Locale.parse(SOURCE_LANGUAGE)


@dataclass(frozen=True, slots=True)
class PageText:
    """The text of a page in one language: the site's overrides, else the catalogue's."""

    language: str  # the page's language (BCP 47), as its `lang` says
    text_language: str  # the catalogue's: the page's, its primary subtag, or English
    overrides: Mapping[str, Override]
    # Each message as a page shows it (see shown()): asked for dozens of times per page.
    _shown: dict[tuple[str, bool], str] = field(default_factory=dict, compare=False, repr=False)

    def shown(self, message: str, escaped: bool) -> str:
        """A message with no variables as a template's _() gives it: translated, escaped
        when the page is, then formatted (so "%%" is "%"), as Jinja's newstyle gettext."""
        found = self._shown.get((message, escaped))
        if found is None:
            text = self.gettext(message)
            found = self._shown[(message, escaped)] = (escape(text) if escaped else text) % {}
        return found

    def gettext(self, message: str) -> str:
        override = self.overrides.get(message)
        if isinstance(override, str):
            return override
        return str(self._catalogue.gettext(message))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        override = self.overrides.get(singular)
        if isinstance(override, Mapping):
            category = dates_locale(self.language).plural_form(count)
            return str(override.get(category) or override["other"])
        if isinstance(override, str):
            return override
        return str(self._catalogue.ngettext(singular, plural, count))

    @property
    def _catalogue(self) -> NullTranslations:
        if self.text_language in catalogue_languages():
            return _catalogue(self.text_language)
        return _catalogue(SOURCE_LANGUAGE)

    @property
    def locale(self) -> babel.Locale:
        """CLDR's data for the page's dates: its language's (fr-CA's, though its text is
        fr's; de's, though feedpub has no German text), else English, for one CLDR lacks.
        One object per language: the formatted dates are kept by locale, and an equal but
        new one is compared field by field (a page asks for it a dozen times)."""
        return dates_locale(self.language)


def page_text(config: SiteConfig, language: str) -> PageText:
    """The text of a page in `language`: the site's overrides, else feedpub's catalogue of
    the language or of its primary subtag, else English."""
    return text_in(language, config.messages)


def text_in(language: str, overrides: Overrides) -> PageText:
    """page_text() with these overrides (none: feedpub's own words, for `feedpub init`)."""
    found = _find_overrides(language, overrides)
    text_language = next(
        (c.lower() for c in _candidates(language) if c.lower() in catalogue_languages()),
        SOURCE_LANGUAGE,
    )
    if text_language == SOURCE_LANGUAGE:
        # A language feedpub has no catalogue for (de, ja): the words the site's overrides
        # leave out are English, but the page's dates are in its language, as CLDR writes
        # them, overrides or not (one line of `messages:` changed every date).
        text_language = _candidates(language)[-1].lower()
    return PageText(language, text_language, found)


# --- dates --------------------------------------------------------------------------------


# Days are formatted once per process, and times of day once for each time, zone and
# offset: Babel applies a pattern field by field, a tenth of a statement page's making,
# and a list page shows fifty dates, most of them shown on other pages too.
_FORMATTED = 16384
_times: dict[tuple[object, ...], str] = {}


def long_date(value: datetime, locale: babel.Locale) -> str:
    """'5 November 2021' (en-GB), 'November 5, 2021' (en), '5 novembre 2021' (fr)."""
    return _long_date(value.date(), locale)  # the day format_date(value) reads


@functools.lru_cache(maxsize=_FORMATTED)
def _long_date(day: date, locale: babel.Locale) -> str:
    return babel.dates.format_date(day, "long", locale=locale)


def release_time(value: datetime, locale: babel.Locale) -> str:
    """A date with its time of day and zone, as CLDR writes them for the language:
    '5 November 2021, 10:00 Central European Standard Time' (en-GB)."""
    # What format_time reads of `value`: the time of day, and of the zone its name, which
    # depends on whether summer time is in force, or for a zone CLDR does not name, the
    # offset. (The zone object alone is not enough: fixed offsets of two names are equal.)
    key = (value.time(), value.tzinfo, value.tzname(), value.dst(), value.utcoffset(), locale)
    time_text = _times.get(key)
    if time_text is None:
        if len(_times) >= _FORMATTED:
            _times.clear()
        time_text = babel.dates.format_time(value, _time_pattern(locale), locale=locale)
        _times[key] = time_text
    return _join_pattern(locale).replace("{1}", long_date(value, locale)).replace("{0}", time_text)


@functools.cache
def _join_pattern(locale: babel.Locale) -> str:
    # CLDR's pattern joins the two ("{1}, {0}", "{1} 'at' {0}"); quotes mark literal text.
    return str(babel.dates.get_datetime_format("long", locale=locale)).replace("'", "")


@functools.cache
def _time_pattern(locale: babel.Locale) -> str:
    # CLDR's full time pattern names the zone in full ("HH:mm:ss zzzz"); seconds are noise
    # for a release time, so they go, with the separator before them.
    full = str(locale.time_formats["full"].pattern)
    return re.sub(r"[:.]?ss(?:秒)?", "", full)


# --- names in sentences ---------------------------------------------------------------------


# Nouns whose plural is the singular; the words after which a name's noun may stand
# ("Notice of meeting").
_SAME_IN_PLURAL = frozenset({"news", "series", "species", "means", "headquarters"})
_OF = re.compile(r" (?:by|of|from|for|on|to|in|at|with|about|under) ", re.IGNORECASE)
_ARTICLES = frozenset({"the", "a", "an"})


def english_plural(name: str) -> str:
    """'Release' -> 'Releases', 'Advisory' -> 'Advisories', 'Statement by the Minister' ->
    'Statements by the Minister': the noun made plural, for an English label such as
    "Releases only". Other languages' labels use the name as it is (their messages are
    written around it)."""
    of = _OF.search(name)
    after = name[of.end() :].split() if of is not None else []
    # The noun before "of", "by"... when what follows names one thing ("Statement by the
    # Minister", "Notice of meeting"), not when it qualifies the last ("Ministry of Finance
    # update").
    if (
        of is not None
        and of.start() > 0
        and after
        and (len(after) == 1 or after[0].lower() in _ARTICLES)
    ):
        return english_plural(name[: of.start()]) + name[of.start() :]
    head, _, last = name.rpartition(" ")
    latin = all(char.isascii() or "\u00c0" <= char <= "\u024f" for char in last)
    if not last or not last[-1].isalpha() or not latin or last.lower() in _SAME_IN_PLURAL:
        return name
    lower = last.lower()
    if last.isupper() and len(last) > 1:  # FAQ, Q&A: an abbreviation
        plural = last + "s"
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    elif lower.endswith("sis"):  # Analysis, Synopsis
        plural = last[:-2] + "es"
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")):  # Remarks, Minutes
        plural = last
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural

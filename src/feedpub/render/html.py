"""HTML pages with Jinja2 (autoescaped). Templates are package data a site may override."""

from __future__ import annotations

import contextlib
import functools
import re
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from feedpub import __version__
from feedpub.cache import digest
from feedpub.errors import FeedpubError, Problem
from feedpub.model import Entry, SiteConfig
from feedpub.render.feeds import ATOM_TYPE, RSS_TYPE
from feedpub.render.jsonfeed import MEDIA_TYPE as JSON_FEED_TYPE

TEMPLATE_DIR = "templates"

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Section:
    """A list of statements with its own page and feeds: the whole site, one type or one tag."""

    kind: str  # "all", "type" or "tag"
    name: str  # what people read: "Release", "Energy"
    slug: str
    directory: str  # its page and feeds live here inside public/: '', 'types/release/'
    entries: tuple[Entry, ...]  # newest first
    feed_title: str

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

    def feed_links(self) -> tuple[FeedLink, ...]:
        """Its feeds, for <link rel="alternate"> autodiscovery."""
        return (
            FeedLink(f"{self.feed_title} (Atom)", self.atom, ATOM_TYPE),
            FeedLink(f"{self.feed_title} (RSS)", self.rss, RSS_TYPE),
            FeedLink(f"{self.feed_title} (JSON Feed)", self.json, JSON_FEED_TYPE),
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A section's feeds as HTML: its <link> tags for <head>, its item for "Subscribe"."""

    section: Section
    head_html: Markup
    item_html: Markup

    def __getattr__(self, name: str) -> Any:
        # A site's own templates may ask a subscription for its section's name, kind...
        return getattr(self.section, name)


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    path: str  # inside public/
    media_type: str


def long_date(value: datetime, language: str) -> str:
    """A date for people: 'November 5, 2021' in English, ISO 8601 in other languages."""
    if language.lower().startswith("en"):
        return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"
    return value.date().isoformat()


def human_size(length: int) -> str:
    """1536 -> '1.5 KB', for links to attachments."""
    size = float(length)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{length:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover


def template_fingerprint(env: jinja2.Environment) -> str:
    """One key for every template the environment can load, the site's and feedpub's."""
    assert env.loader is not None
    parts: list[str] = []
    for name in sorted(env.loader.list_templates()):
        source, _, _ = env.loader.get_source(env, name)
        parts += [name, source]
    return digest(*parts)


@contextlib.contextmanager
def template_problems(env: jinja2.Environment) -> Iterator[None]:
    """Turn a template's error (syntax, an unknown variable...) into a FeedpubError that
    names the template file and line, instead of a traceback."""
    try:
        yield
    except jinja2.TemplateError as exc:
        name = getattr(exc, "name", None) or getattr(exc, "filename", None) or ""
        line = getattr(exc, "lineno", None) or 0
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".html", ".css")):  # Jinja maps frames to templates
                name, line = frame.filename, frame.lineno or 0
        message = getattr(exc, "message", None) or str(exc)
        # "'feedpub.model.SiteConfig object' has no attribute 'x'" -> "site has no attribute 'x'"
        message = _OBJECT.sub(lambda m: _VARIABLES.get(m.group(1), m.group(1)), message)
        raise FeedpubError(
            [
                Problem(
                    path=_template_shown(env, name), line=line, message=f"template error: {message}"
                )
            ]
        ) from None


_OBJECT = re.compile(r"'(?:[\w.]+\.)?(\w+) object'")
_VARIABLES = {
    "SiteConfig": "site",
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


@jinja2.pass_context
def _long_date_filter(context: jinja2.runtime.Context, value: datetime) -> str:
    return long_date(value, context["site"].language)


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
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["feedpub_version"] = __version__
    env.filters["human_size"] = human_size
    env.filters["long_date"] = _long_date_filter
    return env


class PageRenderer:
    """Render the site's pages; one instance per build, templates compiled once."""

    def __init__(
        self,
        config: SiteConfig,
        env: jinja2.Environment,
        main: Section,
        types: Sequence[Section],
        tags: Sequence[Section],
        years: Sequence[tuple[int, int]],
    ) -> None:
        self.config = config
        self.env = env
        self.main = main
        self.types = types
        self.tags = tags
        self.years = years
        self._by_slug = {(s.kind, s.slug): s for s in (*types, *tags)}
        # Each section's feed links are rendered once here, not once per page that shows them.
        part = env.get_template("_subscription.html")

        def html(section: Section, which: str) -> Markup:
            # Autoescaped by Jinja2 already; Markup only keeps it from being escaped twice.
            return Markup(part.render(site=config, section=section, part=which).strip())  # noqa: S704

        self._subscriptions = {
            (s.kind, s.slug): Subscription(s, html(s, "head"), html(s, "item"))
            for s in (main, *types, *tags)
        }
        # Compile every template now: a site's broken template is reported before anything
        # is rendered, with its file and line.
        with template_problems(env):
            for name in env.list_templates(extensions=["html"]):
                env.get_template(name)
            self._templates = {
                name: env.get_template(f"{name}.html")
                for name in ("entry", "index", "archive", "section", "sections")
            }

    def stylesheet(self) -> bytes:
        """The stylesheet, from the site's templates/ when it has one."""
        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, "style.css")
        return source.encode()

    def _render(self, template: str, path: str, offered: Sequence[Section], **extra: Any) -> bytes:
        # Each page gets only what its cache key covers (render/__init__.py): a variable a
        # page could show but its key ignores would leave the page stale after a change.
        context = {
            "site": self.config,
            "root": "../" * path.count("/"),  # relative: public/ works anywhere, even on disk
            "canonical": self.config.url(path),
            "subscriptions": [self._subscriptions[(s.kind, s.slug)] for s in offered],
        }
        with template_problems(self.env):
            return self._templates[template].render(**context, **extra).encode()

    def entry_page(self, entry: Entry) -> bytes:
        own = [self._by_slug[("type", entry.type_slug)]] + [
            self._by_slug[("tag", slug)] for slug in entry.tag_slugs
        ]
        return self._render(
            "entry",
            entry.path,
            [self.main, *own],
            entry=entry,
            linked_data=self._linked_data(entry),
        )

    def _linked_data(self, entry: Entry) -> dict[str, Any]:
        """schema.org NewsArticle, so search engines and link previews read it right."""
        config = self.config
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
            "headline": entry.title,
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
        return data

    def index_page(self) -> bytes:
        entries = self.main.entries[: self.config.feed_limit]
        return self._render(
            "index",
            "",
            [self.main],
            entries=entries,
            total=len(self.main.entries),
            years=self.years,
            types=self.types,
            tags=self.tags,
        )

    def archive_page(
        self, year: int, entries: Sequence[Entry], newer: int | None, older: int | None
    ) -> bytes:
        """A year's statements, with links to the years next to it (not to every year, so
        a year's page changes only when its own statements or its neighbours do)."""
        return self._render(
            "archive", f"{year}/", [self.main], year=year, entries=entries, newer=newer, older=older
        )

    def section_page(self, section: Section) -> bytes:
        return self._render("section", section.directory, [section], section=section)

    def sections_page(self, kind: str) -> bytes:
        sections = self.types if kind == "type" else self.tags
        directory = "types/" if kind == "type" else "tags/"
        return self._render("sections", directory, [self.main], kind=kind, sections=sections)

"""HTML pages with Jinja2 (autoescaped). Templates are package data a site may override."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from feedpub import __version__
from feedpub.model import Entry, SiteConfig

TEMPLATE_DIR = "templates"

_MONTHS = [
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
]


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page offers: for <link rel="alternate"> and for the visible subscribe links."""

    title: str
    path: str  # inside public/
    media_type: str


def long_date(value: datetime, language: str) -> str:
    """A date for people: 'November 5, 2021' in English, ISO 8601 in other languages."""
    if language.lower().startswith("en"):
        return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"
    return value.date().isoformat()


def make_environment(root: Path | None) -> jinja2.Environment:
    """Templates from the site's own `templates/` first, then feedpub's."""
    loaders: list[jinja2.BaseLoader] = []
    if root is not None and (root / TEMPLATE_DIR).is_dir():
        loaders.append(jinja2.FileSystemLoader(root / TEMPLATE_DIR))
    loaders.append(jinja2.PackageLoader("feedpub", TEMPLATE_DIR))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["feedpub_version"] = __version__
    return env


class PageRenderer:
    """Render the site's pages; one instance per build, templates compiled once."""

    def __init__(self, config: SiteConfig, env: jinja2.Environment) -> None:
        self.config = config
        self.env = env
        env.filters["long_date"] = lambda value: long_date(value, config.language)
        self._entry = env.get_template("entry.html")
        self._index = env.get_template("index.html")
        self._archive = env.get_template("archive.html")

    def stylesheet(self) -> bytes:
        """The stylesheet, from the site's templates/ when it has one."""
        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, "style.css")
        return source.encode()

    def _common(self, path: str, feeds: Sequence[FeedLink]) -> dict[str, Any]:
        depth = path.count("/")
        return {
            "site": self.config,
            "root": "../" * depth,  # relative, so public/ works from any address or on disk
            "canonical": self.config.url(path),
            "feeds": feeds,
        }

    def entry_page(self, entry: Entry, feeds: Sequence[FeedLink]) -> bytes:
        context = self._common(entry.path, feeds)
        return self._entry.render(entry=entry, **context).encode()

    def index_page(
        self,
        entries: Sequence[Entry],
        years: Sequence[tuple[int, int]],
        feeds: Sequence[FeedLink],
        total: int,
    ) -> bytes:
        context = self._common("", feeds)
        return self._index.render(entries=entries, years=years, total=total, **context).encode()

    def archive_page(
        self,
        year: int,
        entries: Sequence[Entry],
        years: Sequence[tuple[int, int]],
        feeds: Sequence[FeedLink],
    ) -> bytes:
        context = self._common(f"{year}/", feeds)
        return self._archive.render(year=year, entries=entries, years=years, **context).encode()

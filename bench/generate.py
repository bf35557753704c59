#!/usr/bin/env python3
"""Generate a deterministic corpus of press statements for feedpub, Hugo and Pelican.

    python bench/generate.py --count 1000 --seed 1 --out bench/work/corpus-1000-s1
    python bench/generate.py --add-one --out bench/work/corpus-1000-s1

writes the same statements three times into OUT:

    OUT/feedpub/  feedpub.yaml + entries/YYYY-MM-DD-slug.yaml
    OUT/hugo/     config.toml, content/posts/*.md (YAML front matter), layouts/
    OUT/pelican/  pelicanconf.py, content/*.md (metadata header), theme/

Every form holds the same titles, dates, types, bylines, tags and Markdown bodies, and each
tool is set up to produce comparable output: one page per statement at
YYYY/MM/DD/slug/index.html, a home page listing the newest 50, a page per year, and an
Atom and an RSS feed of the newest 50 statements with their full content.

`--add-one` (or `add_one()`) adds one statement, newer than every other, to an existing
corpus in all its forms and returns the files it made, so a benchmark can remove them.

Only the standard library is used, so any Python 3.11 can run this file. Every name, link
and organisation in the corpus is fictional ("Example Agency").
"""

# ruff: noqa: E501, S311  (templates keep their long lines; the corpus needs no crypto)
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re
import sys
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

# Bump when the corpus or the site configurations change, so cached corpora are remade.
GENERATOR_VERSION = "3"
FORMS = ("feedpub", "hugo", "pelican")
FEED_LIMIT = 50
SITE_TZ = "Europe/Paris"
SITE_TITLE = "Example Agency Statements"
SITE_DESCRIPTION = "Statements from the Example Agency, a fictional office."
BASE_URL = "https://press.example.org/"
FIRST_YEAR, LAST_YEAR = 2010, 2024

TYPES = ("Statement", "Release", "Transcript", "Advisory")
TAGS = (
    "Energy",
    "Health",
    "Transport",
    "Education",
    "Budget",
    "Housing",
    "Environment",
    "Digital Services",
    "Public Safety",
    "Agriculture",
    "Trade",
    "Research",
)
BYLINES = (
    "Example Agency Press Office",
    "Office of the Director of the Example Agency",
    "Example Agency Communications Team",
    "Example Agency Regional Office",
    "Example Agency Deputy Director for Operations",
)
# Offsets statements are written in; each is tried only when it keeps the Paris date.
OFFSETS = ("Z", "+00:00", "+01:00", "+02:00", "-05:00", "-04:00", "+05:30", "-08:00", "+09:00")

_SUBJECTS = [
    "The Example Agency",
    "The agency",
    "The Director of the Example Agency",
    "The Example Agency's regional office",
    "The agency's advisory board",
    "Staff of the Example Agency",
    "The Example Agency's research unit",
    "The agency's press office",
]
_VERBS = [
    "announced",
    "confirmed",
    "published",
    "welcomed",
    "launched",
    "reviewed",
    "completed",
    "extended",
    "presented",
    "updated",
    "outlined",
    "opened",
]
_OBJECTS = [
    "a new programme for {topic}",
    "the results of its annual review of {topic}",
    "updated guidance on {topic}",
    "a consultation on {topic}",
    "its plan for {topic} over the next five years",
    "a partnership with local councils on {topic}",
    "new funding for {topic}",
    "a report on {topic} in rural districts",
    "a pilot project on {topic}",
    "its response to public comments on {topic}",
    "the second phase of its work on {topic}",
    "a set of open data about {topic}",
]
_TOPICS = [
    "energy efficiency",
    "public health",
    "regional transport",
    "adult education",
    "the annual budget",
    "affordable housing",
    "clean water",
    "digital services",
    "public safety",
    "sustainable agriculture",
    "small business trade",
    "applied research",
    "flood prevention",
    "air quality",
    "road maintenance",
    "school meals",
    "library services",
    "emergency planning",
]
_CLAUSES = [
    "after months of consultation with residents",
    "in line with the commitments made last year",
    "following a review by independent experts",
    "with the support of partner organisations",
    "as part of its long-term strategy",
    "in response to questions from the public",
    "ahead of the next reporting period",
    "to make its work easier to follow",
    "with a budget that was approved in the spring",
    "on the basis of data collected in every district",
]
_FOLLOWUPS = [
    "Further details will be published on the agency's website in the coming weeks.",
    "Members of the public can send comments until the end of the month.",
    "The agency will report on progress at its next public meeting.",
    "A summary of the main findings is available in several languages.",
    "The work will be carried out in three stages, each reviewed before the next begins.",
    "Local offices will hold information sessions for anyone who wants to know more.",
    "The full dataset can be downloaded and reused under an open licence.",
    "Questions from journalists should be sent to the press office.",
    "The programme is expected to reach several thousand households.",
    "An independent panel will assess the results and publish its own report.",
    "The agency thanks everyone who took part in the consultation.",
    "Earlier statements on this subject remain available in the archive.",
]
_QUOTES = [
    "This is an important step for everyone who relies on our services",
    "We listened carefully to what people told us, and this plan reflects it",
    "Our staff worked hard to deliver this on time and within budget",
    "We want every decision we take to be open to scrutiny",
    "The figures show real progress, but there is more to do",
    "Working with our partners makes this possible",
]
_SPEAKERS = [
    "the Director of the Example Agency",
    "a spokesperson for the agency",
    "the head of the agency's regional office",
    "the chair of the advisory board",
]
_LIST_ITEMS = [
    "more frequent updates on {topic}",
    "a single contact point for questions about {topic}",
    "clearer reporting on spending for {topic}",
    "training for staff working on {topic}",
    "an online map of projects on {topic}",
    "a yearly public review of {topic}",
    "simpler forms for applications related to {topic}",
    "new targets for {topic}",
]
_LINK_TEXTS = ["the full report", "the consultation page", "the programme details", "the data"]
_TITLE_TAILS = [
    "after public consultation",
    "for the coming year",
    "in all regional offices",
    "with partner councils",
    "ahead of the winter season",
    "following an independent review",
    "as part of its long-term strategy",
    "and invites public comment",
]


@dataclass(frozen=True, slots=True)
class Statement:
    stem: str  # YYYY-MM-DD-slug, the date in the site's time zone
    slug: str
    title: str
    date: str  # ISO 8601 with an explicit offset ('Z' or +HH:MM)
    paris_date: str  # YYYY-MM-DD in Europe/Paris
    type: str
    byline: str
    tags: tuple[str, ...]
    body: str  # Markdown


def _sentence(rng: random.Random, topic: str) -> str:
    subject = rng.choice(_SUBJECTS)
    verb = rng.choice(_VERBS)
    obj = rng.choice(_OBJECTS).format(topic=topic if rng.random() < 0.6 else rng.choice(_TOPICS))
    roll = rng.random()
    if roll < 0.12:
        obj = f"**{obj}**"
    elif roll < 0.22:
        obj = f"_{obj}_"
    text = f"{subject} {verb} {obj}"
    if rng.random() < 0.6:
        text += f" {rng.choice(_CLAUSES)}"
    return text + "."


def _quote(rng: random.Random) -> str:
    return f'"{rng.choice(_QUOTES)}," said {rng.choice(_SPEAKERS)}.'


def _link(rng: random.Random) -> str:
    text = rng.choice(_LINK_TEXTS)
    return f"Read [{text}](https://www.example.org/x/{rng.randrange(1000, 9999)})."


def _paragraph(rng: random.Random, topic: str, target: int) -> str:
    parts: list[str] = []
    size = 0
    while size < target:
        roll = rng.random()
        if roll < 0.55:
            part = _sentence(rng, topic)
        elif roll < 0.75:
            part = rng.choice(_FOLLOWUPS)
        elif roll < 0.9:
            part = _quote(rng)
        else:
            part = _link(rng)
        parts.append(part)
        size += len(part) + 1
    # Wrap as an office's editor would; Markdown joins the lines back into one paragraph.
    return textwrap.fill(" ".join(parts), width=90, break_on_hyphens=False)


def _bullets(rng: random.Random, topic: str) -> str:
    count = rng.randint(3, 5)
    items = rng.sample(_LIST_ITEMS, count)
    lead = "The plan includes:"
    return lead + "\n\n" + "\n".join(f"- {item.format(topic=topic)}" for item in items)


def _body(rng: random.Random, topic: str) -> str:
    paragraphs = rng.randint(4, 6)
    total = rng.randint(2100, 2500)
    per = total // paragraphs
    blocks = [_paragraph(rng, topic, per) for _ in range(paragraphs)]
    if rng.random() < 0.2:
        blocks.insert(rng.randint(1, len(blocks) - 1), _bullets(rng, topic))
        blocks.pop()  # keep the length about the same
    return "\n\n".join(blocks)


def _title(rng: random.Random, topic: str) -> str:
    verb = rng.choice(_VERBS)
    obj = rng.choice(_OBJECTS).format(topic=topic)
    title = f"Example Agency {verb} {obj}"
    tail = rng.choice(_TITLE_TAILS)
    if len(title) + len(tail) + 1 <= 95:
        title += f" {tail}"
    return title[:1].upper() + title[1:]


def _slugify(title: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "statement"


def _moment(rng: random.Random, local: datetime) -> tuple[str, str]:
    """Write a Paris-time moment in some offset that keeps its Paris date; return both."""
    paris_date = local.date().isoformat()
    instant = local.astimezone(UTC)
    for _ in range(4):
        name = rng.choice(OFFSETS)
        if name == "Z":
            shown = instant
        else:
            sign = 1 if name[0] == "+" else -1
            hours, minutes = int(name[1:3]), int(name[4:6])
            shown = instant.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
        if shown.date().isoformat() == paris_date:
            text = shown.strftime("%Y-%m-%dT%H:%M:%S")
            return text + ("Z" if name == "Z" else name), paris_date
    paris = local.strftime("%Y-%m-%dT%H:%M:%S") + local.strftime("%z")
    return paris[:-2] + ":" + paris[-2:], paris_date


def make_statements(count: int, seed: int) -> list[Statement]:
    """`count` statements, oldest first, spread over 2010-2024, the same for the same seed."""
    rng = random.Random(seed)
    paris = ZoneInfo(SITE_TZ)
    start = datetime(FIRST_YEAR, 1, 1, tzinfo=paris)
    days = (datetime(LAST_YEAR, 12, 31, tzinfo=paris) - start).days
    locals_ = []
    for _ in range(count):
        day = start + timedelta(days=rng.randrange(days + 1))
        minute = rng.randrange(8 * 60, 19 * 60)
        locals_.append(
            datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=paris)
        )
    locals_.sort()
    used: set[str] = set()
    return [_statement(rng, local, used) for local in locals_]


def _statement(rng: random.Random, local: datetime, used: set[str]) -> Statement:
    topic = rng.choice(_TOPICS)
    title = _title(rng, topic)
    base = _slugify(title)
    slug, n = base, 1
    while slug in used:  # unique across the corpus: Pelican and Hugo want unique slugs
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    date, paris_date = _moment(rng, local)
    tags = tuple(rng.sample(TAGS, rng.randint(0, 4)))
    return Statement(
        stem=f"{paris_date}-{slug}",
        slug=slug,
        title=title,
        date=date,
        paris_date=paris_date,
        type=rng.choice(TYPES),
        byline=rng.choice(BYLINES),
        tags=tags,
        body=_body(rng, topic),
    )


# --- feedpub ------------------------------------------------------------------------------

FEEDPUB_CONFIG = f"""\
title: {SITE_TITLE}
description: {SITE_DESCRIPTION}
base_url: {BASE_URL}
language: en
timezone: {SITE_TZ}
publisher:
  name: Example Agency
feed_limit: {FEED_LIMIT}
id_authority: press.example.org,2010
"""


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def feedpub_entry(s: Statement) -> str:
    tags = "[" + ", ".join(_q(t) for t in s.tags) + "]"
    body = textwrap.indent(s.body, "  ", lambda line: bool(line.strip()))
    return (
        f"title: {_q(s.title)}\n"
        f"date: {s.date}\n"
        f"type: {s.type}\n"
        f"byline: {_q(s.byline)}\n"
        f"tags: {tags}\n"
        f"body: |\n{body}\n"
    )


def feedpub_path(root: Path, s: Statement) -> Path:
    return root / "feedpub" / "entries" / f"{s.stem}.yaml"


# --- Hugo ---------------------------------------------------------------------------------

HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
languageCode = "en"
title = "{SITE_TITLE}"
timeZone = "{SITE_TZ}"
# Only what feedpub makes: statements, home page, year pages, Atom and RSS.
disableKinds = ["section", "taxonomy", "sitemap", "robotsTXT", "404"]
# "taxonomy" is the list of all years (/years/); the year pages themselves are "term".
ignoreErrors = ["error-disable-taxonomy"]
enableRobotsTXT = false
# Older Hugo reads rssLimit, newer reads services.rss.limit.
rssLimit = {FEED_LIMIT}
summaryLength = 50

[services.rss]
  limit = {FEED_LIMIT}

[taxonomies]
  year = "years"

[permalinks]
  years = "/:slug/"

[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]

[outputFormats.RSS]
  baseName = "rss"
[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "atom"
  isPlainText = false
  rel = "alternate"

[outputs]
  home = ["HTML", "RSS", "Atom"]
  page = ["HTML"]
  term = ["HTML"]

[params]
  description = "{SITE_DESCRIPTION}"
"""

_HUGO_BASE = """\
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="alternate" type="application/atom+xml" href="{{ "atom.xml" | absURL }}">
<link rel="alternate" type="application/rss+xml" href="{{ "rss.xml" | absURL }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>Published by Example Agency.</p></footer>
</body>
</html>
"""

_HUGO_ITEM = """\
<li><article>
<h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p>{{ .Params.release_type }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
<p>{{ .Summary | plainify | htmlUnescape }}</p>
</article></li>
"""

_HUGO_YEARS = """\
<nav><h2>Archive by year</h2><ul>
{{ range site.Taxonomies.years.ByTerm.Reverse }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul></nav>
"""

_HUGO_SINGLE = """\
{{ define "title" }}{{ .Title }} – {{ site.Title }}{{ end }}
{{ define "main" }}
<article>
<header>
<p>{{ .Params.release_type }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
<h1>{{ .Title }}</h1>
<ul>{{ range .Params.byline }}<li>{{ . }}</li>{{ end }}</ul>
</header>
<div class="body">
{{ .Content }}
</div>
{{ with .Params.tags }}<footer><h2>Tags</h2><ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul></footer>{{ end }}
</article>
<nav><a href="{{ "/" | relURL }}">All statements</a> · <a href="{{ printf "/%s/" (index .Params.years 0) | relURL }}">Statements from {{ index .Params.years 0 }}</a></nav>
{{ end }}
"""

_HUGO_HOME = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<p>{{ site.Params.description }}</p>
<h2>Latest statements</h2>
<ol>
{{ range first FEED_LIMIT site.RegularPages.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}
</ol>
{{ partial "years.html" . }}
{{ end }}
"""

_HUGO_TERM = """\
{{ define "title" }}Statements from {{ .Title }} – {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>Statements from {{ .Title }}</h1>
<ol>
{{ range .Pages.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}
</ol>
{{ partial "years.html" . }}
{{ end }}
"""

# Hugo's built-in RSS template has summaries only: this one carries the full content.
_HUGO_RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{{ site.Title }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Params.description }}</description>
<language>{{ site.LanguageCode }}</language>
<atom:link href="{{ "rss.xml" | absURL }}" rel="self" type="application/rss+xml"/>
{{- $pages := first FEED_LIMIT site.RegularPages.ByDate.Reverse }}
{{- with index $pages 0 }}
<lastBuildDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</lastBuildDate>
{{- end }}
{{- range $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid isPermaLink="false">{{ .Params.id }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
{{- range .Params.byline }}
<dc:creator>{{ . }}</dc:creator>
{{- end }}
<category>{{ .Params.release_type }}</category>
{{- range .Params.tags }}
<category>{{ . }}</category>
{{- end }}
<description>{{ .Summary | plainify | htmlUnescape }}</description>
<content:encoded>{{ .Content | html }}</content:encoded>
</item>
{{- end }}
</channel>
</rss>
"""

_HUGO_ATOM = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ site.LanguageCode }}">
<id>tag:press.example.org,2010:feed</id>
<title>{{ site.Title }}</title>
<subtitle>{{ site.Params.description }}</subtitle>
<link href="{{ "atom.xml" | absURL }}" rel="self" type="application/atom+xml"/>
<link href="{{ .Permalink }}" rel="alternate" type="text/html"/>
<author><name>Example Agency</name></author>
{{- $pages := first FEED_LIMIT site.RegularPages.ByDate.Reverse }}
{{- with index $pages 0 }}
<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</updated>
{{- end }}
{{- range $pages }}
<entry>
<id>{{ .Params.id }}</id>
<title>{{ .Title }}</title>
<link href="{{ .Permalink }}" rel="alternate" type="text/html"/>
<published>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</published>
<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</updated>
{{- range .Params.byline }}
<author><name>{{ . }}</name></author>
{{- end }}
<category term="{{ .Params.release_type }}"/>
{{- range .Params.tags }}
<category term="{{ . }}"/>
{{- end }}
<summary>{{ .Summary | plainify | htmlUnescape }}</summary>
<content type="html">{{ .Content | html }}</content>
</entry>
{{- end }}
</feed>
"""


def _hugo_files() -> dict[str, str]:
    limit = str(FEED_LIMIT)
    return {
        "config.toml": HUGO_CONFIG,
        "layouts/_default/baseof.html": _HUGO_BASE,
        "layouts/_default/single.html": _HUGO_SINGLE,
        "layouts/_default/term.html": _HUGO_TERM,
        "layouts/index.html": _HUGO_HOME.replace("FEED_LIMIT", limit),
        "layouts/index.rss.xml": _HUGO_RSS.replace("FEED_LIMIT", limit),
        "layouts/index.atom.xml": _HUGO_ATOM.replace("FEED_LIMIT", limit),
        "layouts/partials/item.html": _HUGO_ITEM,
        "layouts/partials/years.html": _HUGO_YEARS,
    }


def hugo_page(s: Statement) -> str:
    y, m, d = s.paris_date.split("-")
    lines = [
        "---",
        f"title: {_q(s.title)}",
        f"date: {s.date}",
        f"url: /{y}/{m}/{d}/{s.slug}/",
        f"slug: {s.slug}",
        f"id: {_q('tag:press.example.org,2010:' + s.stem)}",
        f"release_type: {s.type}",
        f"byline: [{_q(s.byline)}]",
        "tags: [" + ", ".join(_q(t) for t in s.tags) + "]",
        f'years: ["{y}"]',
        "---",
        "",
    ]
    return "\n".join(lines) + s.body + "\n"


def hugo_path(root: Path, s: Statement) -> Path:
    return root / "hugo" / "content" / "posts" / f"{s.stem}.md"


# --- Pelican ------------------------------------------------------------------------------

PELICAN_CONFIG = f"""\
# Pelican settings for the feedpub benchmark: one page per article, a home page of the
# newest {FEED_LIMIT}, a page per year, and Atom + RSS feeds of the newest {FEED_LIMIT} with
# full content. Category, tag, author and archive pages are turned off, as feedpub has none.
import os

_HERE = os.path.dirname(os.path.abspath(__file__))

AUTHOR = "Example Agency"
SITENAME = "{SITE_TITLE}"
SITEURL = "{BASE_URL.rstrip("/")}"
FEED_DOMAIN = SITEURL
PATH = "content"
TIMEZONE = "{SITE_TZ}"
DEFAULT_LANG = "en"
THEME = os.path.join(_HERE, "theme")
THEME_STATIC_PATHS = []
STATIC_PATHS = []
PLUGINS = []
DEFAULT_PAGINATION = False
SUMMARY_MAX_LENGTH = 50
RELATIVE_URLS = False

ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/index.html"
YEAR_ARCHIVE_URL = "{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "{{date:%Y}}/index.html"
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""

DIRECT_TEMPLATES = ["index"]
INDEX_SAVE_AS = "index.html"
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAGS_SAVE_AS = ""
TAG_SAVE_AS = ""
PAGE_SAVE_AS = ""
DRAFT_SAVE_AS = ""

FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "rss.xml"
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = {FEED_LIMIT}
RSS_FEED_SUMMARY_ONLY = False
"""

_PELICAN_BASE = """\
<!DOCTYPE html>
<html lang="{{ DEFAULT_LANG }}">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="alternate" type="application/atom+xml" href="{{ FEED_DOMAIN }}/{{ FEED_ALL_ATOM }}">
<link rel="alternate" type="application/rss+xml" href="{{ FEED_DOMAIN }}/{{ FEED_ALL_RSS }}">
</head>
<body>
<header><a href="{{ SITEURL }}/">{{ SITENAME }}</a></header>
<main>{% block main %}{% endblock %}</main>
<footer><p>Published by Example Agency.</p></footer>
</body>
</html>
"""

_PELICAN_ITEM = """\
<li><article>
<h3><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></h3>
<p>{{ article.category }} · <time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p>
<p>{{ article.summary|striptags }}</p>
</article></li>
"""

_PELICAN_YEARS = """\
<nav><h2>Archive by year</h2><ul>
{% for archive in period_archives.year %}<li><a href="{{ SITEURL }}/{{ archive.url }}">{{ archive.period[0] }}</a> ({{ archive.dates|length }})</li>
{% endfor %}</ul></nav>
"""

_PELICAN_INDEX = """\
{% extends "base.html" %}
{% block main %}
<h1>{{ SITENAME }}</h1>
<h2>Latest statements</h2>
<ol>
{% for article in articles[:FEED_LIMIT] %}{% include "item.html" %}{% endfor %}
</ol>
{% include "years.html" %}
{% endblock %}
"""

_PELICAN_ARTICLE = """\
{% extends "base.html" %}
{% block title %}{{ article.title|striptags }} – {{ SITENAME }}{% endblock %}
{% block main %}
<article>
<header>
<p>{{ article.category }} · <time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p>
<h1>{{ article.title }}</h1>
<ul>{% for author in article.authors %}<li>{{ author }}</li>{% endfor %}</ul>
</header>
<div class="body">
{{ article.content }}
</div>
{% if article.tags %}<footer><h2>Tags</h2><ul>{% for tag in article.tags %}<li>{{ tag }}</li>{% endfor %}</ul></footer>{% endif %}
</article>
<nav><a href="{{ SITEURL }}/">All statements</a> · <a href="{{ SITEURL }}/{{ article.date.year }}/">Statements from {{ article.date.year }}</a></nav>
{% endblock %}
"""

_PELICAN_PERIOD = """\
{% extends "base.html" %}
{% block title %}Statements from {{ period[0] }} – {{ SITENAME }}{% endblock %}
{% block main %}
<h1>Statements from {{ period[0] }}</h1>
<ol>
{% for article in dates %}{% include "item.html" %}{% endfor %}
</ol>
{% include "years.html" %}
{% endblock %}
"""


def _pelican_files() -> dict[str, str]:
    limit = str(FEED_LIMIT)
    return {
        "pelicanconf.py": PELICAN_CONFIG,
        "theme/templates/base.html": _PELICAN_BASE,
        "theme/templates/item.html": _PELICAN_ITEM,
        "theme/templates/years.html": _PELICAN_YEARS,
        "theme/templates/index.html": _PELICAN_INDEX.replace("FEED_LIMIT", limit),
        "theme/templates/article.html": _PELICAN_ARTICLE,
        "theme/templates/period_archives.html": _PELICAN_PERIOD,
    }


def pelican_page(s: Statement) -> str:
    lines = [
        f"Title: {s.title}",
        f"Date: {s.date}",
        f"Slug: {s.slug}",
        f"Category: {s.type}",
        f"Author: {s.byline}",
    ]
    if s.tags:
        lines.append(f"Tags: {', '.join(s.tags)}")
    return "\n".join(lines) + "\n\n" + s.body + "\n"


def pelican_path(root: Path, s: Statement) -> Path:
    return root / "pelican" / "content" / f"{s.stem}.md"


# --- writing ------------------------------------------------------------------------------

_WRITERS = {
    "feedpub": (feedpub_path, feedpub_entry),
    "hugo": (hugo_path, hugo_page),
    "pelican": (pelican_path, pelican_page),
}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site_files(root: Path, forms: tuple[str, ...] = FORMS) -> None:
    """The fixed files of each form: settings, layouts, theme."""
    if "feedpub" in forms:
        _write(root / "feedpub" / "feedpub.yaml", FEEDPUB_CONFIG)
        (root / "feedpub" / "entries").mkdir(parents=True, exist_ok=True)
    if "hugo" in forms:
        for rel, text in _hugo_files().items():
            _write(root / "hugo" / rel, text)
        (root / "hugo" / "content" / "posts").mkdir(parents=True, exist_ok=True)
    if "pelican" in forms:
        for rel, text in _pelican_files().items():
            _write(root / "pelican" / rel, text)
        (root / "pelican" / "content").mkdir(parents=True, exist_ok=True)


def write_statement(root: Path, s: Statement, forms: tuple[str, ...] = FORMS) -> list[Path]:
    made = []
    for form in forms:
        path_of, text_of = _WRITERS[form]
        path = path_of(root, s)
        _write(path, text_of(s))
        made.append(path)
    return made


def fingerprint(count: int, seed: int) -> str:
    """What a cached corpus must match to be reused (this file's source included)."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"v{GENERATOR_VERSION} count={count} seed={seed} src={digest}"


def content_snippet(body: str) -> str:
    """Words from a body's last paragraph that every tool's HTML keeps as they are.

    Found in a feed, they show that the feed carries the full text, not a summary.
    """
    last = body.split("\n\n")[-1]
    best = ""
    for line in last.splitlines():
        for run in re.findall(r"[A-Za-z]+(?: [A-Za-z]+)+", line):
            if len(run) > len(best):
                best = run
    return best


MANIFEST = "corpus.json"


def read_manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST).read_text(encoding="utf-8"))


def generate(root: Path, count: int, seed: int, forms: tuple[str, ...] = FORMS) -> dict:
    """Write a fresh corpus of `count` statements into `root` (which must not exist)."""
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"{root} is not empty; remove it first")
    root.mkdir(parents=True, exist_ok=True)
    write_site_files(root, forms)
    statements = make_statements(count, seed)
    for s in statements:
        write_statement(root, s, forms)
    newest = statements[-1] if statements else None
    manifest = {
        "fingerprint": fingerprint(count, seed),
        "count": count,
        "seed": seed,
        "forms": list(forms),
        "newest_date": newest.date if newest else None,
        "newest_paris_date": newest.paris_date if newest else None,
        "newest_title": newest.title if newest else None,
        "newest_snippet": content_snippet(newest.body) if newest else None,
        "years": sorted({s.paris_date[:4] for s in statements}),
        "body_chars_mean": round(sum(len(s.body) for s in statements) / max(count, 1)),
        "title_chars_mean": round(sum(len(s.title) for s in statements) / max(count, 1)),
        "tags_mean": round(sum(len(s.tags) for s in statements) / max(count, 1), 2),
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def added_statement(root: Path) -> Statement:
    """The statement `add_one` adds: a day after the corpus's newest, 11:30 in Paris."""
    manifest = read_manifest(root)
    newest = manifest.get("newest_paris_date") or f"{LAST_YEAR}-12-31"
    day = datetime.fromisoformat(newest) + timedelta(days=1)
    local = datetime(day.year, day.month, day.day, 11, 30, tzinfo=ZoneInfo(SITE_TZ))
    rng = random.Random(f"add-one-{manifest['seed']}")
    s = _statement(rng, local, used=set())
    slug = f"{s.slug[:70].rstrip('-')}-latest"  # never the slug of an older statement
    return dataclasses.replace(s, slug=slug, stem=f"{s.paris_date}-{slug}")


def added_paths(root: Path, forms: tuple[str, ...] | None = None) -> list[Path]:
    """Where `add_one` writes, whether or not it has: for cleaning up after a crash."""
    forms = forms or tuple(read_manifest(root)["forms"])
    s = added_statement(root)
    return [_WRITERS[form][0](root, s) for form in forms]


def add_one(root: Path, forms: tuple[str, ...] | None = None) -> tuple[Statement, list[Path]]:
    """Add one statement, newer than all others, in each form; return it and its files."""
    forms = forms or tuple(read_manifest(root)["forms"])
    s = added_statement(root)
    made = write_statement(root, s, forms)
    return s, made


def remove_added(root: Path, forms: tuple[str, ...] | None = None) -> int:
    """Undo `add_one`; return how many files were removed."""
    removed = 0
    for path in added_paths(root, forms):
        if path.exists():
            path.unlink()
            removed += 1
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", "-n", type=int, default=1000, help="statements (1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--forms",
        default=",".join(FORMS),
        help="comma-separated forms to write: feedpub,hugo,pelican (all)",
    )
    parser.add_argument(
        "--add-one",
        action="store_true",
        help="add one newest statement to the existing corpus in --out, print its files",
    )
    parser.add_argument(
        "--remove-added",
        action="store_true",
        help="remove the statement --add-one adds from the corpus in --out",
    )
    args = parser.parse_args(argv)
    if args.add_one:
        _, made = add_one(args.out)
        for path in made:
            print(path)
        return 0
    if args.remove_added:
        print(f"removed {remove_added(args.out)} file(s)")
        return 0
    forms = tuple(f for f in args.forms.split(",") if f)
    unknown = set(forms) - set(FORMS)
    if unknown:
        parser.error(f"unknown form(s): {', '.join(sorted(unknown))}")
    manifest = generate(args.out, args.count, args.seed, forms)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

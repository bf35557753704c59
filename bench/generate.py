#!/usr/bin/env python3
"""Generate a deterministic corpus of press statements as a feedpub site and a Hugo site.

    python bench/generate.py --count 10000 --out /tmp/corpus          # both forms
    python bench/generate.py --add-one --out /tmp/corpus               # + one newest
    python bench/generate.py --remove-added --out /tmp/corpus          # undo it

OUT/feedpub/ holds feedpub.yaml and entries/YYYY-MM-DD-slug.yaml; OUT/hugo/ holds a Hugo
site configured to write the same kinds of output as feedpub (see HUGO_CONFIG). Standard
library only; every name in the corpus is the fictional Example Agency's.
"""

# ruff: noqa: E501, S311  (templates keep their long lines; the corpus needs no crypto)
from __future__ import annotations

import argparse
import collections
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
from typing import Any
from zoneinfo import ZoneInfo

# Bump when the corpus or the site configurations change shape, so cached corpora are remade
# (the fingerprint also hashes this file).
GENERATOR_VERSION = "6"
FORMS = ("feedpub", "hugo")
FEED_LIMIT = 50
SITE_TZ = "Europe/Paris"
SITE_TITLE = "Example Agency Statements"
SITE_DESCRIPTION = "Statements from the Example Agency, a fictional office."
BASE_URL = "https://press.example.org/"
FIRST_YEAR, LAST_YEAR = 2010, 2024
MANIFEST = "corpus.json"

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

# The same kinds of output as feedpub: a page per statement at feedpub's path, the home page
# (the newest 50, links to every year, type and tag), a page per year (/YYYY/), per type
# (/types/SLUG/) and per tag (/tags/SLUG/) listing their statements 50 to a page (numbered
# pages under page/N/, as feedpub's; Hugo counts them from the newest, feedpub from the
# oldest), the lists of types and of tags, sitemap.xml, and for the site and each type and
# tag the feeds feedpub writes: RSS (rss.xml), Atom (atom.xml) and JSON Feed (feed.json) with
# the full text of the newest 50, and archives of every statement in Atom, 50 to a document
# from the oldest, as RFC 5005's (archive/archive.xml, then archive/page/N/archive.xml:
# Hugo's paginated paths; feedpub's are archive/N.xml).
HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
languageCode = "en"
title = "{SITE_TITLE}"
timeZone = "{SITE_TZ}"
# content/posts/ is not a section of the site: feedpub has no such list.
disableKinds = ["section", "robotsTXT", "404"]
# Older Hugo reads rssLimit, newer services.rss.limit.
rssLimit = {FEED_LIMIT}
paginate = {FEED_LIMIT}
summaryLength = 40

[services.rss]
  limit = {FEED_LIMIT}

[taxonomies]
  year = "years"
  statement_type = "types"
  tag = "tags"

[permalinks]
  years = "/:slug/"

[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]

[mediaTypes."application/feed+json"]
  suffixes = ["json"]

[outputFormats.RSS]
  baseName = "rss"

[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "atom"

[outputFormats.JSONFeed]
  mediaType = "application/feed+json"
  baseName = "feed"
  isPlainText = true

[outputFormats.Archive]
  mediaType = "application/atom+xml"
  baseName = "archive"
  path = "archive"

[outputs]
  home = ["HTML", "RSS", "Atom", "JSONFeed", "Archive"]
  page = ["HTML"]
  term = ["HTML", "RSS", "Atom", "JSONFeed", "Archive"]
  taxonomy = ["HTML"]

[params]
  description = "{SITE_DESCRIPTION}"
"""

# Every page as feedpub's default templates write it, part for part: the head (description,
# Open Graph and article properties, the feeds of what the page shows as alternate links, a
# statement's JSON-LD), the skip link, the list or the statement, a statement's feeds to
# subscribe to, the footer's feed links. Equal work: Hugo's pages once held a third of the
# bytes of feedpub's (42 MB against 117 for 10,000 statement pages).
_HUGO_BASE = """\
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ block "description" . }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ block "social" . }}
<meta property="og:type" content="website">
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:title" content="{{ template "title" . }}">
<meta property="og:description" content="{{ template "description" . }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta name="twitter:card" content="summary">
{{ end }}
{{ block "alternates" . }}{{ partial "alternates.html" (dict "title" site.Title "url" ("/" | absURL)) }}{{ end }}
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
<meta name="generator" content="Hugo {{ hugo.Version }}">
{{ block "head" . }}{{ end }}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<a class="site-title" href="{{ "/" | relURL }}"><span>{{ site.Title }}</span></a>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site">
<p>Published by <span>Example Agency</span>.</p>
<p>Follow every statement: <a href="{{ "atom.xml" | absURL }}">Atom feed</a> · <a href="{{ "rss.xml" | absURL }}">RSS feed</a> · <a href="{{ "feed.json" | absURL }}">JSON&nbsp;Feed</a></p>
</footer>
</body>
</html>
"""

# A section's three feeds: as alternate links in a page's head (dict: title, url), and as
# an item of a page's list of feeds to subscribe to (dict: name, url).
_HUGO_ALTERNATES = """\
<link rel="alternate" type="application/atom+xml" title="{{ .title }} (Atom)" href="{{ .url }}atom.xml">
<link rel="alternate" type="application/rss+xml" title="{{ .title }} (RSS)" href="{{ .url }}rss.xml">
<link rel="alternate" type="application/feed+json" title="{{ .title }} (JSON Feed)" href="{{ .url }}feed.json">
"""

_HUGO_SUBSCRIPTION = """\
<li>
<p class="feed-name">{{ .name }}</p>
<p class="feed-address"><a href="{{ .url }}atom.xml" dir="ltr">{{ replace (printf "%satom.xml" .url) "/" "/<wbr>" | safeHTML }}</a></p>
<p class="feed-other">Or as: <a href="{{ .url }}rss.xml">RSS<span class="visually-hidden"> ({{ .name }})</span></a> · <a href="{{ .url }}feed.json" class="nowrap">JSON Feed<span class="visually-hidden"> ({{ .name }})</span></a></p>
</li>
"""

_HUGO_SUBSCRIBE_HEAD = """\
<section class="subscribe" aria-labelledby="subscribe">
<h2 id="subscribe">Subscribe</h2>
<p>A feed brings each new statement to your feed reader or newsroom tool as soon as it is published: copy an address below into it.</p>
<p>We recommend the Atom feed, whose address is shown, as almost every reader accepts it; use the RSS link only if your reader is too old for Atom.</p>
<ul class="feeds">
"""

_HUGO_SUBSCRIBE_END = """\
</ul>
<p class="count">Opened in a browser, a feed shows code: that is expected.</p>
</section>
"""

# A statement in a list: with its summary on the home page (dict: page, summary), as
# feedpub's.
_HUGO_ITEM = """\
{{ with .page }}<li>
<article>
<h3><a href="{{ .RelPermalink }}"><span dir="auto">{{ .Title }}</span></a></h3>
<p class="meta">{{ range .GetTerms "types" }}<span class="type">{{ .LinkTitle }}</span>{{ end }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
{{ if $.summary }}<p><span dir="auto">{{ .Summary | plainify | htmlUnescape }}</span></p>{{ end }}
</article>
</li>{{ end }}
"""

_HUGO_BROWSE = """\
<nav><h2>Archive by year</h2><ul>
{{ range site.Taxonomies.years.ByTerm.Reverse }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
<h2>Types</h2><ul>
{{ range site.Taxonomies.types.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
<h2>Tags</h2><ul>
{{ range site.Taxonomies.tags.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul></nav>
"""

_HUGO_SINGLE = """\
{{ define "title" }}{{ .Title }} – {{ site.Title }}{{ end }}
{{ define "description" }}{{ .Summary | plainify | htmlUnescape }}{{ end }}
{{ define "social" }}
<meta property="og:type" content="article">
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:description" content="{{ .Summary | plainify | htmlUnescape }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta property="article:published_time" content="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
<meta property="article:modified_time" content="{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" }}">
{{ range .GetTerms "types" }}<meta property="article:section" content="{{ .LinkTitle }}">{{ end }}
{{ range .GetTerms "tags" }}<meta property="article:tag" content="{{ .LinkTitle }}">
{{ end }}
<meta name="twitter:card" content="summary">
{{ end }}
{{ define "alternates" }}
{{ partial "alternates.html" (dict "title" site.Title "url" ("/" | absURL)) }}
{{ range .GetTerms "types" }}{{ partial "alternates.html" (dict "title" (printf "%s – %s" site.Title .LinkTitle) "url" .Permalink) }}{{ end }}
{{ range .GetTerms "tags" }}{{ partial "alternates.html" (dict "title" (printf "%s – %s (tag)" site.Title .LinkTitle) "url" .Permalink) }}{{ end }}
{{ end }}
{{ define "head" }}
{{ $authors := slice }}{{ range .Params.byline }}{{ $authors = $authors | append (dict "@type" "Organization" "name" .) }}{{ end }}
{{ $keywords := slice }}{{ range .GetTerms "tags" }}{{ $keywords = $keywords | append .LinkTitle }}{{ end }}
{{ $section := "" }}{{ range .GetTerms "types" }}{{ $section = .LinkTitle }}{{ end }}
{{ $ld := dict "@context" "https://schema.org" "@type" "NewsArticle" "articleSection" $section "author" $authors "dateModified" (.Lastmod.Format "2006-01-02T15:04:05-07:00") "datePublished" (.Date.Format "2006-01-02T15:04:05-07:00") "description" (.Summary | plainify | htmlUnescape) "headline" .Title "identifier" .Params.id "inLanguage" site.LanguageCode "keywords" $keywords "mainEntityOfPage" .Permalink "publisher" (dict "@type" "Organization" "name" "Example Agency") "url" .Permalink }}
<script type="application/ld+json">{{ $ld | jsonify | safeJS }}</script>
{{ end }}
{{ define "main" }}
<article>
<header>
<p class="meta">{{ range .GetTerms "types" }}<a class="type" href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006, 3:04 PM MST" }}</time></p>
<h1 dir="auto">{{ .Title }}</h1>
<ul class="byline" aria-label="Issued by">
{{ range .Params.byline }}<li>{{ . }}</li>
{{ end }}</ul>
</header>
<div class="body" dir="auto">
{{ .Content }}
</div>
{{ with .GetTerms "tags" }}<footer>
<h2>Tags</h2>
<ul class="tags">
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end }}</ul>
</footer>{{ end }}
</article>
<nav class="back" aria-label="More statements">
{{ range .GetTerms "years" }}<p><a href="{{ "/" | relURL }}">All statements from <span>{{ site.Title }}</span></a> · <a href="{{ .RelPermalink }}">Statements from {{ .LinkTitle }}</a></p>{{ end }}
</nav>
SUBSCRIBE_HEAD{{ partial "subscription.html" (dict "name" "Every statement" "url" ("/" | absURL)) }}
{{ range .GetTerms "types" }}{{ partial "subscription.html" (dict "name" (printf "<bdi>%s</bdi> only" .LinkTitle | safeHTML) "url" .Permalink) }}{{ end }}
{{ range .GetTerms "tags" }}{{ partial "subscription.html" (dict "name" (printf "Statements tagged <bdi>%s</bdi>" .LinkTitle | safeHTML) "url" .Permalink) }}{{ end }}
SUBSCRIBE_END{{ end }}
"""

_HUGO_HOME = """\
{{ define "main" }}
<p class="lead">{{ site.Params.description }}</p>
<section aria-labelledby="latest">
<h2 id="latest">Latest statements</h2>
<ol class="entries">
{{ range first FEED_LIMIT site.RegularPages.ByDate.Reverse }}{{ partial "item.html" (dict "page" . "summary" true) }}{{ end }}
</ol>
</section>
<p>{{ len site.RegularPages }} statements in all.</p>
{{ partial "browse.html" . }}
SUBSCRIBE_HEAD{{ partial "subscription.html" (dict "name" "Every statement" "url" ("/" | absURL)) }}
SUBSCRIBE_END{{ end }}
"""

_HUGO_TERM = """\
{{ define "title" }}{{ .Title }} – {{ site.Title }}{{ end }}
{{ define "alternates" }}{{ if .Data.Plural | eq "years" }}{{ partial "alternates.html" (dict "title" site.Title "url" ("/" | absURL)) }}{{ else }}{{ partial "alternates.html" (dict "title" (printf "%s – %s" site.Title .Title) "url" .Permalink) }}{{ end }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p class="lead">{{ len .Pages }} statements, newest first.</p>
<ol class="entries">
{{ range (.Paginate .Pages.ByDate.Reverse).Pages }}{{ partial "item.html" (dict "page" . "summary" false) }}{{ end }}
</ol>
{{ template "_internal/pagination.html" . }}
{{ if .Data.Plural | eq "years" | not }}SUBSCRIBE_HEAD{{ partial "subscription.html" (dict "name" .Title "url" .Permalink) }}
SUBSCRIBE_END{{ end }}{{ end }}
"""

_HUGO_TAXONOMY = """\
{{ define "title" }}{{ .Title }} – {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
"""

# Hugo's own RSS template gives summaries only: this one carries the full text, as feedpub's
# feeds do. `.Pages` is the home page's or the term's statements.
_HUGO_RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ site.Title }} – {{ .Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Params.description }}</description>
<language>{{ site.LanguageCode }}</language>
{{- with .OutputFormats.Get "rss" }}
<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>
{{- end }}
{{- $pages := .Pages }}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{- $pages = first FEED_LIMIT $pages.ByDate.Reverse }}
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
{{- range .GetTerms "types" }}
<category>{{ .LinkTitle }}</category>
{{- end }}
{{- range .GetTerms "tags" }}
<category>{{ .LinkTitle }}</category>
{{- end }}
<description>{{ .Summary | plainify | htmlUnescape }}</description>
<content:encoded>{{ .Content | html }}</content:encoded>
</item>
{{- end }}
</channel>
</rss>
"""


# One statement in Atom, with its full text: in the current Atom feed and in the archives.
_HUGO_ATOM_ENTRY = """\
{{- range PAGES }}
<entry>
<id>{{ .Params.id }}</id>
<title>{{ .Title }}</title>
<link href="{{ .Permalink }}" rel="alternate" type="text/html"/>
<published>{{ .Date.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</published>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
{{- range .Params.byline }}
<author><name>{{ . }}</name></author>
{{- end }}
{{- range .GetTerms "types" }}
<category term="{{ .LinkTitle }}"/>
{{- end }}
{{- range .GetTerms "tags" }}
<category term="{{ .LinkTitle }}"/>
{{- end }}
<summary>{{ .Summary | plainify | htmlUnescape }}</summary>
<content type="html">{{ .Content | html }}</content>
</entry>
{{- end }}
"""

_HUGO_FEED_HEAD = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="http://purl.org/syndication/history/1.0" xml:lang="{{ site.LanguageCode }}">
<id>{{ .Permalink }}</id>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ site.Title }} – {{ .Title }}{{ end }}</title>
<author><name>Example Agency</name></author>
<link href="{{ .Permalink }}" rel="alternate" type="text/html"/>
{{- with .OutputFormats.Get "atom" }}
<link href="{{ .Permalink }}" rel="current" type="application/atom+xml"/>
{{- end }}
{{- $pages := .Pages }}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
"""

_HUGO_ATOM = (
    _HUGO_FEED_HEAD
    + """\
{{- $pages = first FEED_LIMIT $pages.ByDate.Reverse }}
{{- with index $pages 0 }}
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
{{- end }}
"""
    + _HUGO_ATOM_ENTRY.replace("PAGES", "$pages")
    + "</feed>\n"
)

# An archive document: 50 statements from the oldest, the links to its neighbours.
_HUGO_ARCHIVE = (
    _HUGO_FEED_HEAD
    + """\
{{- $pager := .Paginate $pages.ByDate FEED_LIMIT }}
<fh:archive/>
<link href="{{ $pager.URL | absURL }}" rel="self" type="application/atom+xml"/>
{{- with $pager.Prev }}
<link href="{{ .URL | absURL }}" rel="prev-archive" type="application/atom+xml"/>
{{- end }}
{{- with $pager.Next }}
<link href="{{ .URL | absURL }}" rel="next-archive" type="application/atom+xml"/>
{{- end }}
{{- with index $pager.Pages 0 }}
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" | safeHTML }}</updated>
{{- end }}
"""
    + _HUGO_ATOM_ENTRY.replace("PAGES", "$pager.Pages")
    + "</feed>\n"
)

# JSON Feed 1.1 (plain text: each value through jsonify).
_HUGO_JSON_FEED = """\
{{- $pages := .Pages }}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{- $pages = first FEED_LIMIT $pages.ByDate.Reverse -}}
{
"version": "https://jsonfeed.org/version/1.1",
"title": {{ if .IsHome }}{{ site.Title | jsonify }}{{ else }}{{ printf "%s – %s" site.Title .Title | jsonify }}{{ end }},
"home_page_url": {{ .Permalink | jsonify }},
"feed_url": {{ with .OutputFormats.Get "jsonfeed" }}{{ .Permalink | jsonify }}{{ end }},
"language": {{ site.LanguageCode | jsonify }},
"items": [
{{- range $i, $p := $pages }}{{ if $i }},{{ end }}
{"id": {{ $p.Params.id | jsonify }}, "url": {{ $p.Permalink | jsonify }}, "title": {{ $p.Title | jsonify }},
"content_html": {{ $p.Content | jsonify }},
"summary": {{ $p.Summary | plainify | htmlUnescape | jsonify }},
"date_published": {{ $p.Date.Format "2006-01-02T15:04:05-07:00" | jsonify }},
"date_modified": {{ $p.Lastmod.Format "2006-01-02T15:04:05-07:00" | jsonify }},
"authors": [{{ range $j, $b := $p.Params.byline }}{{ if $j }}, {{ end }}{"name": {{ $b | jsonify }}}{{ end }}],
"tags": [{{ range $j, $t := $p.GetTerms "tags" }}{{ if $j }}, {{ end }}{{ $t.LinkTitle | jsonify }}{{ end }}]}
{{- end }}
]
}
"""


def _subscribing(template: str) -> str:
    return template.replace("SUBSCRIBE_HEAD", _HUGO_SUBSCRIBE_HEAD).replace(
        "SUBSCRIBE_END", _HUGO_SUBSCRIBE_END
    )


def _hugo_files() -> dict[str, str]:
    limit = str(FEED_LIMIT)
    return {
        "config.toml": HUGO_CONFIG,
        "layouts/_default/baseof.html": _HUGO_BASE,
        "layouts/_default/single.html": _subscribing(_HUGO_SINGLE),
        "layouts/_default/term.html": _subscribing(_HUGO_TERM),
        "layouts/_default/taxonomy.html": _HUGO_TAXONOMY,
        "layouts/_default/rss.xml": _HUGO_RSS.replace("FEED_LIMIT", limit),
        "layouts/_default/list.atom.xml": _HUGO_ATOM.replace("FEED_LIMIT", limit),
        "layouts/_default/list.archive.xml": _HUGO_ARCHIVE.replace("FEED_LIMIT", limit),
        "layouts/_default/list.jsonfeed.json": _HUGO_JSON_FEED.replace("FEED_LIMIT", limit),
        "layouts/index.html": _subscribing(_HUGO_HOME).replace("FEED_LIMIT", limit),
        "layouts/partials/item.html": _HUGO_ITEM,
        "layouts/partials/alternates.html": _HUGO_ALTERNATES,
        "layouts/partials/subscription.html": _HUGO_SUBSCRIPTION,
        "layouts/partials/browse.html": _HUGO_BROWSE,
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
        f"types: [{_q(s.type)}]",
        f"byline: [{_q(s.byline)}]",
        "tags: [" + ", ".join(_q(t) for t in s.tags) + "]",
        f'years: ["{y}"]',
        "---",
        "",
    ]
    return "\n".join(lines) + s.body + "\n"


def hugo_path(root: Path, s: Statement) -> Path:
    return root / "hugo" / "content" / "posts" / f"{s.stem}.md"


def hugo_year(root: Path, year: str) -> Path:
    """A year's term page: HTML only, as feedpub has no feed per year."""
    path = root / "hugo" / "content" / "years" / year / "_index.md"
    if not path.exists():
        _write(path, f'---\ntitle: "{year}"\noutputs: ["HTML"]\n---\n')
    return path


# --- writing ------------------------------------------------------------------------------

_WRITERS = {"feedpub": (feedpub_path, feedpub_entry), "hugo": (hugo_path, hugo_page)}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site_files(root: Path, forms: tuple[str, ...]) -> None:
    """The fixed files of each form: settings and layouts."""
    if "feedpub" in forms:
        _write(root / "feedpub" / "feedpub.yaml", FEEDPUB_CONFIG)
        (root / "feedpub" / "entries").mkdir(parents=True, exist_ok=True)
    if "hugo" in forms:
        for rel, text in _hugo_files().items():
            _write(root / "hugo" / rel, text)
        (root / "hugo" / "content" / "posts").mkdir(parents=True, exist_ok=True)


def write_statement(root: Path, s: Statement, forms: tuple[str, ...]) -> list[Path]:
    """Write one statement in each form; return the files made (a new year's page too)."""
    made = []
    for form in forms:
        path_of, text_of = _WRITERS[form]
        path = path_of(root, s)
        _write(path, text_of(s))
        made.append(path)
        if form == "hugo":
            year = hugo_year(root, s.paris_date[:4])
            if year not in made:
                made.append(year)
    return made


def fingerprint(count: int, seed: int) -> str:
    """What a cached corpus must match to be reused (this file's source included)."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"v{GENERATOR_VERSION} count={count} seed={seed} src={digest}"


def content_snippet(body: str) -> str:
    """Words from a body's last paragraph that every tool's HTML keeps as they are: found in
    a feed, they show that it carries the full text, not a summary."""
    best = ""
    for line in body.split("\n\n")[-1].splitlines():
        for run in re.findall(r"[A-Za-z]+(?: [A-Za-z]+)+", line):
            if len(run) > len(best):
                best = run
    return best


def read_manifest(root: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return value


def generate(root: Path, count: int, seed: int, forms: tuple[str, ...] = FORMS) -> dict[str, Any]:
    """Write a fresh corpus of `count` statements into `root` (which must be empty)."""
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"{root} is not empty; remove it first")
    root.mkdir(parents=True, exist_ok=True)
    write_site_files(root, forms)
    statements = make_statements(count, seed)
    for s in statements:
        write_statement(root, s, forms)
    newest = statements[-1]
    manifest = {
        "fingerprint": fingerprint(count, seed),
        "count": count,
        "seed": seed,
        "forms": list(forms),
        "newest_paris_date": newest.paris_date,
        "newest_title": newest.title,
        "newest_snippet": content_snippet(newest.body),
        "years": sorted({s.paris_date[:4] for s in statements}),
        "types": sorted({s.type for s in statements}),
        "tags": sorted({t for s in statements for t in s.tags}),
        # Statements per type and per tag (no type is named as a tag): what its feeds and
        # archives must hold.
        "sizes": dict(
            sorted(collections.Counter(n for s in statements for n in (s.type, *s.tags)).items())
        ),
        "body_chars_mean": round(sum(len(s.body) for s in statements) / count),
        "title_chars_mean": round(sum(len(s.title) for s in statements) / count),
        "tags_mean": round(sum(len(s.tags) for s in statements) / count, 2),
        "entry_bytes": sum(len(feedpub_entry(s).encode()) for s in statements),
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def added_statement(root: Path) -> Statement:
    """The statement `add_one` adds: a day after the corpus's newest, 11:30 in Paris."""
    manifest = read_manifest(root)
    day = datetime.fromisoformat(manifest["newest_paris_date"]) + timedelta(days=1)
    local = datetime(day.year, day.month, day.day, 11, 30, tzinfo=ZoneInfo(SITE_TZ))
    rng = random.Random(f"add-one-{manifest['seed']}")
    s = _statement(rng, local, used=set())
    slug = f"{s.slug[:70].rstrip('-')}-latest"  # never the slug of an older statement
    return dataclasses.replace(s, slug=slug, stem=f"{s.paris_date}-{slug}")


def add_one(root: Path, forms: tuple[str, ...]) -> tuple[Statement, list[Path]]:
    """Add one statement, newer than all others, in each form; return it and its files."""
    s = added_statement(root)
    return s, write_statement(root, s, forms)


def remove_added(root: Path) -> int:
    """Undo `add_one` in every form; return how many files were removed."""
    s = added_statement(root)
    year = root / "hugo" / "content" / "years" / s.paris_date[:4]
    paths = [feedpub_path(root, s), hugo_path(root, s)]
    if s.paris_date[:4] not in read_manifest(root)["years"]:
        paths.append(year / "_index.md")
    removed = 0
    for path in paths:
        if path.exists():
            path.unlink()
            removed += 1
    if year.is_dir() and not any(year.iterdir()):
        year.rmdir()
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", "-n", type=int, default=1000, help="statements (1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--forms", default=",".join(FORMS), help="feedpub,hugo (both)")
    parser.add_argument("--add-one", action="store_true", help="add one newest statement")
    parser.add_argument("--remove-added", action="store_true", help="remove it again")
    args = parser.parse_args(argv)
    if args.add_one:
        forms = tuple(read_manifest(args.out)["forms"])
        for path in add_one(args.out, forms)[1]:
            print(path)
        return 0
    if args.remove_added:
        print(f"removed {remove_added(args.out)} file(s)")
        return 0
    forms = tuple(f for f in args.forms.split(",") if f)
    unknown = set(forms) - set(FORMS)
    if unknown:
        parser.error(f"unknown form(s): {', '.join(sorted(unknown))}")
    print(json.dumps(generate(args.out, args.count, args.seed, forms), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Site -> the plan of public/: every output's path, its phase, how to make it, and what
the dependencies it recorded last time resolve to now.

Nothing is rendered here. The writer makes an output only when its file is not as the last
build left it or its dependencies resolve differently (see incremental/); making it
records its dependencies afresh. Static files join them after (addresses.add_static).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from feedpub.errors import FeedpubError, Problems
from feedpub.forked import halves
from feedpub.incremental import Dependencies, key_line, key_of, key_of_lines, recording
from feedpub.incremental.recording import record, record_all
from feedpub.model import Entry, Site
from feedpub.render.addresses import plan_aliases, plan_section_aliases
from feedpub.render.documents import (
    Paged,
    Year,
    feed_documents,
    make_sections,
    make_years,
    pages_of,
)
from feedpub.render.environment import make_environment, template_digests
from feedpub.render.feeds import AtomEntries, Feed, render_atom, render_rss
from feedpub.render.html import Context, PageRenderer
from feedpub.render.jsonfeed import render_json
from feedpub.render.outputs import Outputs
from feedpub.render.sitemap import Page, render_sitemaps
from feedpub.render.views import Section, SiteView, fingerprint
from feedpub.stamp import digest
from feedpub.translations import translation_groups
from feedpub.write import Content, Made, Output, Phase

MARKER = ".feedpub"
# An entry's feed content is kept for this many statements per process (a few MB).
FEED_CONTENT_KEPT = 4096
# Outputs to key before some are keyed by a forked child (see keyed), and the share keyed
# here: the child is 1.75 times slower, copying each page of this process it touches.
KEYED_APART_FROM, KEYED_HERE = 2000, 0.625
MARKER_TEXT = (
    b"This directory is written by feedpub: edit entries/ and feedpub.yaml instead,\n"
    b"then run `feedpub build`. feedpub refuses to write into a folder without this file.\n"
)


class Planner:
    """Plans one build: the outputs, and how to resolve the tokens they recorded."""

    def __init__(self, site: Site, root: Path | None, remembered: Dependencies):
        self.site = site
        self.config = site.config
        self.remembered = remembered
        # A page's own variables, resolved when its key is made (see keyed).
        self._own: dict[str, _Page] = {}
        self.outputs = Outputs()
        sections = make_sections(site)
        self.main = main = sections.main
        self.kept = sections.kept  # only removed statements are in them: listed nowhere
        self.years = make_years(site)
        years = tuple((year.year, len(year.entries)) for year in self.years if year.entries)
        self.view = SiteView(
            self.config, site.entries, sections.types, sections.tags, sections.languages, years
        )
        self.sections = {s.key: s for s in sections.all()}
        self.translations = translation_groups(site.entries, self.config.language)
        # Each statement's translations as feeds and the sitemap name them.
        self.alternates = {
            entry_id: tuple(
                (t.language, self.config.url(t.entry.path)) for t in group if t.entry.id != entry_id
            )
            for entry_id, group in self.translations.items()
        }
        # ...and as the sitemap names every member: each one's language, and x-default for
        # the original (the version for a reader whose language none of them is).
        self.hreflang = {
            entry_id: tuple((t.language, self.config.url(t.entry.path)) for t in group)
            + tuple(("x-default", self.config.url(t.entry.path)) for t in group if t.original)
            for entry_id, group in self.translations.items()
        }
        self.feeds: dict[str, Feed] = {}
        # A removed statement's notice page reads it too: its reason may be edited.
        self.entries = {entry.id: entry for entry in (*site.entries, *site.removed)}
        env = make_environment(root)
        self.templates = template_digests(env)
        self.renderer = PageRenderer(self.view, env, main, self.kept)
        self.config_digest = digest(repr(self.config))
        self._feed_content: dict[str, tuple[str, frozenset[str]]] = {}
        self.atom_entries = AtomEntries(FEED_CONTENT_KEPT)  # a statement's, in every archive
        self._lines: dict[str, str] = {}
        self._table: list[str | None] = []  # the remembered tokens' lines (see keyed)

    # Resolving recorded tokens against this build.

    def line(self, token: str) -> str:
        """A token's part of an output's key, resolved once per build (a site's outputs
        share most of their tokens: 300,000 lookups for 10,000 statements)."""
        found = self._lines.get(token)
        if found is None:
            found = key_line(token, self.resolve(token))
            if not token.startswith("var:"):  # a variable is one output's own
                self._lines[token] = found
        return found

    def resolve(self, token: str) -> str:
        kind, _, rest = token.partition(":")
        if kind == "config":
            return self.config_digest
        if kind == "entry":
            entry = self.entries.get(rest)
            return entry.key if entry is not None else "-"
        if kind == "template":
            return self.templates.get(rest, "-")
        if kind == "site":
            return fingerprint(getattr(self.view, rest, None))
        if kind == "feed":
            feed = self.feeds.get(rest)
            return fingerprint(feed) if feed is not None else "-"
        if kind in ("section", "subscription"):
            key, _, attribute = rest.rpartition(":")
            found: object = self.sections.get(key)
            if found is not None and kind == "subscription":
                found = self.renderer.subscriptions[key]
            return "-" if found is None else fingerprint(getattr(found, attribute, None))
        return uuid.uuid4().hex  # a token this feedpub does not know: never equal, made again

    def _output(
        self,
        path: str,
        phase: Phase,
        make: Callable[[], Content],
        line: Callable[[str], str],
        together: float | None = None,
    ) -> Output:
        """An output, its key made by keyed()."""

        def made() -> Made:
            with recording() as tokens:
                content = make()
            ordered = tuple(sorted(tokens))  # sorted once: key_of finds them in order
            return Made(content, key_of(ordered, line), ordered)

        return Output(path, phase, made, together=together)

    def keyed(self) -> Outputs:
        """The outputs, each with the key the tokens it recorded last time resolve to now,
        once everything is planned (a token may name any output), from one table of the
        remembered tokens' lines (most are shared). Some are keyed by a forked child."""
        tokens = self.remembered.tokens
        self._table = [None if token.startswith("var:") else self.line(token) for token in tokens]
        paths = [
            path
            for path, output in self.outputs.items()
            if output.key is None and path in self.remembered.outputs  # a file's key is its own
        ]
        apart = len(paths) >= KEYED_APART_FROM
        keys = halves(self._keys, paths, KEYED_HERE) if apart else self._keys(paths)
        for path, key in zip(paths, keys, strict=True):
            if key is not None:
                output = self.outputs[path]
                self.outputs[path] = Output(path, output.phase, output.make, key, output.together)
        self._own.clear()
        return self.outputs

    def _keys(self, paths: list[str]) -> list[str | None]:
        """Each output's key (see keyed); None where a variable it read is no longer its
        page's: it is made again."""
        tokens, table, keys = self.remembered.tokens, self._table, []
        for path in paths:
            numbers = self.remembered.outputs[path]
            found = [table[i] for i in numbers]
            page = self._own.get(path)
            if page is not None and None in found:
                context = page.get()  # the page's own variables, from its context
                found = [
                    x
                    if x is not None
                    else key_line(tokens[i], fingerprint(context.get(tokens[i][4:])))
                    for x, i in zip(found, numbers, strict=True)
                ]
                page.done()
            lines = [x for x in found if x is not None]
            keys.append(key_of_lines(lines) if len(lines) == len(found) else None)
        return keys

    def page(
        self,
        folder: str,
        template: str,
        context: Callable[..., Context],
        origin: str,
        phase: Phase = Phase.LISTS,
        *,
        path: str | None = None,
        args: tuple[Any, ...] = (),
    ) -> None:
        """A page rendered from `template` with what `context(*args)` gives (made when
        needed), written to `path`, by default the folder's index.html."""
        page = _Page(self, template, context, args)
        path = path or folder + "index.html"
        self.outputs.add(Output(path, phase, page.make), origin)
        self._own[path] = page

    def feed_content(self, entry: Entry) -> str:
        """An entry's content in every feed, made once per process for the last few
        thousand statements asked for: a statement is in the current documents of its
        sections, and in an archive document of each, which a worker makes in a row (see
        feed()); all of a large site's would not fit in memory."""
        found = self._feed_content.get(entry.id)
        if found is None:
            with recording() as tokens:
                html = self.renderer.render("_feed_entry", {"site": self.view, "entry": entry})
            # Its variables (site, entry) are the feed's own fingerprint: only what they
            # lead to (the entry's contents, settings, templates) is kept.
            kept = frozenset(token for token in tokens if not token.startswith("var:"))
            found = (html.strip(), kept)
            if len(self._feed_content) >= FEED_CONTENT_KEPT:
                del self._feed_content[next(iter(self._feed_content))]  # the oldest
            self._feed_content[entry.id] = found
        record_all(found[1])
        return found[0]

    def feed(self, feed: Feed, name: str) -> None:
        """A feed in each of its formats; `name` says whose it is in messages ("main")."""
        self.feeds[feed.atom_path] = feed
        formats: list[tuple[str, Callable[..., bytes], str]] = [
            (feed.atom_path, functools.partial(render_atom, kept=self.atom_entries), "Atom feed")
        ]
        if feed.rss_path:
            formats.append((feed.rss_path, render_rss, "RSS feed"))
        if feed.json_path:
            formats.append((feed.json_path, render_json, "JSON Feed"))
        # Archive documents are made first, by the date of their newest statement, not
        # section by section: those a worker makes in a row hold the same statements.
        newest = max((e.published for e in feed.entries), default=None) if feed.archive else None
        near = (newest.timestamp() if newest else 0.0) if feed.archive else None  # one each
        for path, render, kind in formats:

            def make(render: Callable[..., bytes] = render) -> bytes:
                record("config")
                record(f"feed:{feed.atom_path}")
                return render(self.config, feed, self.feed_content)

            output = self._output(path, Phase.FEEDS, make, self.line, near)
            self.outputs.add(output, f"the {name} {kind}")


class _Page:
    """A page to make: its template, and its context, built at most once for its key and
    its making and then let go of (a site's 100,000 contexts are not kept). One object a
    page, not closures and their cells (about 130 MB at 100,000 statements)."""

    __slots__ = ("args", "built", "context", "plan", "template")

    def __init__(
        self, plan: Planner, template: str, context: Callable[..., Context], args: tuple[Any, ...]
    ) -> None:
        self.plan, self.template, self.context, self.args = plan, template, context, args
        self.built: Context | None = None

    def get(self) -> Context:
        if self.built is None:
            self.built = self.context(*self.args)
        return self.built

    def done(self) -> None:
        self.built = None

    def line(self, token: str) -> str:
        if token.startswith("var:"):  # the page's own variables
            return key_line(token, fingerprint(self.get().get(token[4:])))
        found = self.plan._lines.get(token)  # the site's tokens, shared by every output
        return found if found is not None else self.plan.line(token)

    def make(self) -> Made:
        with recording() as tokens:
            content = self.plan.renderer.render(self.template, self.get()).encode()
        ordered = tuple(sorted(tokens))  # sorted once: key_of finds them in order
        key = key_of(ordered, self.line)
        self.done()
        return Made(content, key, ordered)


def plan_site(
    site: Site, root: Path | None = None, remembered: Dependencies | None = None
) -> Outputs:
    """Plan every page, feed, attachment and static file of the site."""
    plan = Planner(site, root, remembered or Dependencies([], {}))
    config, view, renderer = site.config, plan.view, plan.renderer
    main = plan.main

    for section in (main, *view.types, *view.tags, *view.languages, *plan.kept):
        current, *archives = feed_documents(config, section, plan.alternates)
        plan.feed(current, section.directory or "main")
        for archive in archives:
            plan.feed(archive, f"archive {archive.atom_path}")

    pages: list[Page] = []
    ordered = site.entries

    def entry_context(entry: Entry, at: int) -> Context:
        # Its sections (its type's, then its tags') and its neighbours, newest first.
        sections = [plan.sections[f"type/{entry.type_slug}"]]
        sections += [plan.sections[f"tag/{slug}"] for slug in entry.tag_slugs]
        context = renderer.base_context(entry.path, [main, *sections])
        newer = ordered[at - 1] if at > 0 else None
        older = ordered[at + 1] if at + 1 < len(ordered) else None
        translations = plan.translations.get(entry.id, ())
        context.update(entry=entry, translations=translations, sections=sections)
        context.update(newer=newer, older=older)
        return context

    for at, entry in enumerate(ordered):
        plan.page(entry.path, "entry", entry_context, entry.source, Phase.PAGES, args=(entry, at))
        pages.append((entry.path, entry.updated, plan.hreflang.get(entry.id, ())))
        for attachment in entry.attachments:
            if site.entries_dir is not None:
                source = site.entries_dir / attachment.name
                plan.outputs.add_file(
                    entry.path + attachment.name, source, f"{entry.source} (attachment)"
                )

    def year_context(year: Year, paged: Paged) -> Context:
        context = renderer.base_context(paged.path, [main])
        context.update(year=year.year, newer=year.newer, older=year.older, **paged.context())
        return context

    def section_context(section: Section, paged: Paged) -> Context:
        context = renderer.base_context(paged.path, [section])
        context.update(section=section, **paged.context())
        return context

    for year in plan.years:  # newest first
        for paged in pages_of(f"{year.year}/", year.entries):
            origin = f"the {year.year} page"
            plan.page(paged.path, "archive", year_context, origin, args=(year, paged))
            if paged.entries:  # a page of none is listed nowhere (see make_years)
                pages.append((paged.path, paged.lastmod, ()))
    for section in (*view.types, *view.tags, *view.languages, *plan.kept):
        for paged in pages_of(section.directory, section.entries):
            args = (section, paged)
            plan.page(paged.path, "section", section_context, section.directory, args=args)
            if paged.entries:
                pages.append((paged.path, paged.lastmod, ()))
    latest = max((e.updated for e in site.entries), default=None)
    for kind, folder, sections in (("type", "types/", view.types), ("tag", "tags/", view.tags)):

        def sections_context(
            kind: str = kind, folder: str = folder, sections: tuple[Section, ...] = sections
        ) -> Context:
            context = renderer.base_context(folder, [main])
            context.update(kind=kind, sections=sections)
            return context

        plan.page(folder, "sections", sections_context, f"the list of {folder}")
        pages.append((folder, latest, ()))

    def index_context() -> Context:
        context = renderer.base_context("", [main, *view.languages])
        context.update(entries=site.entries[: config.feed_limit], total=len(site.entries))
        context.update(years=view.years, types=view.types, tags=view.tags)
        return context

    plan.page("", "index", index_context, "the home page")
    pages.append(("", latest, ()))

    def removed_context(entry: Entry) -> Context:
        context = renderer.base_context(entry.path, [main])
        context.update(entry=entry)
        return context

    for entry in site.removed:
        plan.page(entry.path, "removed", removed_context, entry.source, Phase.PAGES, args=(entry,))
    for path, content in render_sitemaps(config, pages).items():
        key = digest(content)
        made = functools.partial(Made, content, key)
        plan.outputs.add(Output(path, Phase.FEEDS, made, key), "the sitemap")
    stylesheet = plan._output("style.css", Phase.ASSETS, renderer.stylesheet, plan.line)
    plan.outputs.add(stylesheet, "the stylesheet")
    marker_key = digest(MARKER_TEXT)
    plan.outputs.add(
        Output(MARKER, Phase.ASSETS, lambda: Made(MARKER_TEXT, marker_key), marker_key),
        "the marker",
    )
    # Earlier addresses last: each is checked against every file feedpub writes.
    problems = Problems()
    plan_section_aliases(plan, problems)
    plan_aliases(plan, (*site.entries, *site.removed), problems)
    if problems.errors:
        raise FeedpubError(problems.items)
    plan.outputs.warnings = problems.items
    plan.outputs.prepare = renderer.compile_all
    return plan.keyed()

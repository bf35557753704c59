"""HTML pages: a statement's, the lists', the subscriptions offered on each, the stylesheet.

Rendered with Jinja2 (autoescaped) in the environment of render/environment.py, which
records what each page reads; the page's text is in its language (render/filters.py).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from feedpub import messages
from feedpub.errors import FeedpubError, Problem
from feedpub.incremental import record, record_all, recorded, recording
from feedpub.load import describe_character, forbidden_character
from feedpub.messages import PageText
from feedpub.model import Entry
from feedpub.render.environment import TEMPLATE_DIR
from feedpub.render.filters import TEXT, speaking
from feedpub.render.parts import Kept, keeping
from feedpub.render.problems import syntax_problems, template_problems, template_shown
from feedpub.render.sandbox import deadline
from feedpub.render.views import Section, SiteView, Subscription

_UNLIMITED = contextlib.nullcontext()  # no deadline for feedpub's own templates

# The office's accent colour, after the stylesheet: links, focus rings and the header's rule.
ACCENT_CSS = """
/* accent_color (feedpub.yaml), and a shade of it readable on the dark background */
:root {{ --link: {light}; --header-rule: 4px solid {light}; }}
@media (prefers-color-scheme: dark) {{
  :root {{ --link: {dark}; --header-rule: 4px solid {dark}; }}
}}
"""


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

    def __init__(
        self,
        site: SiteView,
        env: jinja2.Environment,
        main: Section,
        kept: Sequence[Section] = (),
    ) -> None:
        self.site = site
        self.env = env
        self.main = main
        self.sandboxed = isinstance(env, ImmutableSandboxedEnvironment)
        # The site's own templates are compiled now: a broken one is reported before
        # anything is rendered, with its file and line. feedpub's, when first used (a
        # statement added uses half of them, and compiling all was a twentieth of the
        # time), or all at once before workers are forked (compile_all).
        if broken := syntax_problems(env):
            raise FeedpubError(broken)
        with template_problems(env):
            self._part = env.get_template("_subscription.html")
        self._templates: dict[str, jinja2.Template] = {}
        self._texts: dict[str, PageText] = {}
        self._kept: Kept = {}  # parts of pages made once (render/parts.py)
        language = site.config.language
        self.subscriptions = {
            section.key: self._subscription(section, language)
            for section in (main, *site.types, *site.tags, *site.languages, *kept)
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
            with template_problems(self.env), deadline(self.env), speaking(self.text(language)):
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
        record_all(found[1])
        return found[0]

    def compile_all(self) -> None:
        """Compile every template, so that workers forked next inherit them compiled."""
        with template_problems(self.env):
            for name in self.env.list_templates(extensions=["html"]):
                self.env.get_template(name)
            for name in self.PAGES:
                self._templates.setdefault(name, self.env.get_template(f"{name}.html"))

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
        why = functools.partial(self._nothing_listed, template, context)
        limits = deadline(self.env) if self.sandboxed else _UNLIMITED  # feedpub's: none
        with template_problems(self.env, why), limits:
            record(f"template:{template}.html")
            found = self._templates.get(template)
            if found is None:
                found = self._templates[template] = self.env.get_template(f"{template}.html")
            context = self._in_language(context)
            with speaking(context[TEXT]), keeping(self._kept):
                text = found.render(context)
            return self._checked(text, f"{template}.html")

    def _nothing_listed(self, template: str, context: Context) -> str:
        """For a template error on a type's, tag's, language's or year's page kept with no
        statement, which a site's template written when every list had one may not expect:
        which page, and why."""
        if template not in ("section", "archive") or context["entries"]:
            return ""
        path = str(context["canonical"]).removeprefix(self.site.config.base_url)
        return (
            f"; on the page {path}, which lists no statement: `entries` is empty on the page"
            " of a type, tag, language or year whose statements were all removed"
            " (`removed:`); test it with {% if entries %}"
        )

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
            # Which of the site's own templates it came from, when the page used one only
            # (its line is not known: the character was made as it ran).
            used = (
                template_shown(self.env, t.removeprefix("template:"))
                for t in recorded()
                if t.startswith("template:")
            )
            own = sorted({shown for shown in used if shown.startswith(f"{TEMPLATE_DIR}/")})
            message = (
                f"template error: it writes the character {describe_character(char)}, which"
                " XML 1.0 forbids in feeds; remove it"
            )
            if len(own) > 1:
                message += f" (it comes from one of the site's templates {', '.join(own)})"
            path = own[0] if len(own) == 1 else template_shown(self.env, name)
            raise FeedpubError([Problem(path=path, line=0, message=message)])
        return text

    def base_context(self, path: str, offered: Sequence[Section]) -> Context:
        """What every page gets: the site, the way back to its root, its address, feeds."""
        return {
            "site": self.site,
            "root": "../" * path.count("/"),  # relative: public/ works anywhere, even on disk
            "canonical": self.site.url(path),
            "subscriptions": [self.subscriptions[section.key] for section in offered],
        }

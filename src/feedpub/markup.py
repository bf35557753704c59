"""Markdown bodies -> safe HTML: render with pulldown-cmark, then sanitise with an allow-list.

pyromark wraps pulldown-cmark, a CommonMark-compliant Rust parser (with GFM tables and
strikethrough); nh3 wraps ammonia, an allow-list sanitiser built on a browser-grade HTML5
parser. Raw HTML is rendered first and sanitised after, so an office can use harmless markup
such as <sup> or <abbr> while <script>, event handlers and javascript: URLs never reach a
reader. (cmarkgfm was measured and dropped: its Python binding never frees what cmark
returns, about 40 KB per body, so 100,000 statements took gigabytes.)

Both are fast on all but a few bodies, which measure.py refuses before they are sanitised.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import nh3
import pyromark

from feedpub.load import forbidden_character
from feedpub.measure import (
    MARKDOWN_OPTIONS,
    MAX_HTML,
    MAX_LINKS,
    BodyRefused,
    check_limits,
    html_too_long,
    locate_limit,
)
from feedpub.plaintext import summarize
from feedpub.references import readable_references, refused_reference, unescape
from feedpub.values import UNREADABLE_HOST, readable_url

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "abbr": set(),
    "blockquote": {"cite"},
    "code": {"class"},  # ```python fences: <code class="language-python">, no other class
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "q": {"cite"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "time": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed together with everything inside them: their content is code or an embedded page.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
)
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
    # Table cells are aligned with style="text-align: ..."; no other style survives.
    filter_style_properties={"text-align"},
)


@dataclass(frozen=True, slots=True)
class Removal:
    """Something the sanitiser took out, and text to find where it stood in the source."""

    what: str
    needle: str


@dataclass(frozen=True, slots=True)
class Body:
    html: str  # safe HTML, with links as written (pages resolve them against themselves)
    summary: str  # plain text of the first paragraph, shortened
    removed: tuple[Removal, ...]


def render_markdown(source: str, top: int = 2) -> Body:
    """Render a Markdown body to safe HTML and say what, if anything, was removed; its
    headings start at level `top`.

    Raises BodyRefused for a body past the limits that keep this fast, or one whose
    character references make a character no file may hold.
    """
    raw = pyromark.html(source, options=MARKDOWN_OPTIONS)
    check_limits(raw, source)
    removed: tuple[Removal, ...] = ()
    if "<" in source or _has_unsafe_scheme(raw):
        removed = _audit(raw)
    clean = _clean(raw, source)
    # The file's own characters were checked as it was read (load.py); a reference such
    # as &#x1B; is the one way to make a character XML 1.0 forbids, which would break every
    # feed the statement is in.
    if "&#" in source and (char := forbidden_character(clean)) is not None:
        raise refused_reference(char, source)
    if "<h" in clean:
        clean = _shift_headings(clean, top)
    return Body(html=clean, summary=summarize(clean), removed=removed)


def sanitize_html(fragment: str) -> tuple[str, tuple[Removal, ...]]:
    """Sanitise an HTML fragment with the bodies' allow-list; say what was removed.

    `feedpub import` runs it on content from other sites before converting to Markdown, so
    the warnings are those a body gets and the Markdown never holds what would be removed.
    Raises BodyRefused, as a body would, for HTML past the limits.
    """
    check_limits(fragment)
    return _clean(fragment), _audit(fragment)


def _clean(raw: str, source: str | None = None) -> str:
    clean = _CLEANER.clean(raw).strip()
    if len(clean) > MAX_HTML:  # tags left open, repeated by the parser (within MAX_DEPTH)
        raise html_too_long(len(clean))
    if ' cite="' in clean:
        clean = _drop_unsafe_cites(clean)
    if ' class="' in clean:
        clean = _keep_language_classes(clean)
    # pulldown-cmark percent-encodes the URLs of Markdown's links: only raw HTML can hold
    # one urllib cannot read (see readable_url).
    if (source is None or "<" in source) and ("[" in clean or "]" in clean or not clean.isascii()):
        clean = _drop_unreadable_urls(clean)
    # ammonia writes each attribute after one space; text may count too, never too few.
    links = clean.count(' href="') + clean.count(' src="') + clean.count(' cite="')
    if links > MAX_LINKS:
        offset = locate_limit(source, links=True) if source is not None else -1
        raise BodyRefused(
            f"has {links:,} links and images; at most {MAX_LINKS:,} are allowed: split the"
            " statement, or attach the list as a file (CSV or PDF)",
            offset,
        )
    return clean


_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s>])")


def _shift_headings(fragment: str, top: int) -> str:
    # The page's title is its one <h1>: the body's top heading level becomes <h2> (<h3>
    # under a section's own heading), whether the author began with # or ##, and the
    # levels below it keep their distance.
    levels = [int(level) for _, level in _HEADING.findall(fragment)]
    if not levels:
        return fragment
    shift = top - min(levels)
    if shift == 0:
        return fragment
    return _HEADING.sub(
        lambda m: f"<{m.group(1)}h{min(6, max(top, int(m.group(2)) + shift))}", fragment
    )


_URL_IN_ATTRIBUTE = re.compile(r'\s(?:href|src|cite)="([^"]*)"')
_CITE = re.compile(r'\scite="([^"]*)"')
# A start tag in sanitised HTML: text never holds a raw "<" there (it is escaped as &lt;), so
# an href shown inside <code> is not mistaken for a link. Only one with a space, as every
# pattern looked for inside a tag starts with one: <p>, <em>, <li>, four tags in five, are
# passed over in C, not each handed to a Python function (a third of absolute_links).
_START_TAG = re.compile(r"<[A-Za-z][^<>\s]*\s[^<>]*>")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_IGNORED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: the URL standard drops tabs and line breaks inside
    a URL and C0 controls and spaces before it, so `java&#9;script:` is still javascript:."""
    m = _SCHEME.match(_URL_IGNORED.sub("", url).lstrip(_C0_AND_SPACE))
    return m.group(1).lower() if m else None


# A URL that starts with one of these, as written, has that scheme: nothing before it is
# dropped or decoded (most of a body's links; the check below takes some 10 µs a link).
_SAFE_AS_WRITTEN = tuple(sorted(f"{scheme}:" for scheme in URL_SCHEMES))


def _has_unsafe_scheme(fragment: str) -> bool:
    # Tags first, then their URLs: a pattern starting with any white space is tried at each
    # space of the text (a tenth of rendering a body's Markdown).
    for tag in _START_TAG.findall(fragment):
        for value in _URL_IN_ATTRIBUTE.findall(tag):
            if value.startswith(_SAFE_AS_WRITTEN):
                continue
            scheme = url_scheme(unescape(value))
            if scheme is not None and scheme not in URL_SCHEMES:
                return True
    return False


_CLASS = re.compile(r'\sclass="([^"]*)"')
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]+")


def _keep_language_classes(fragment: str) -> str:
    """A fence's `language-python` is the one class a body may give: the page's own (a
    withdrawal notice, text hidden from sight) would let it pass for feedpub's words."""

    def keep(m: re.Match[str]) -> str:
        kept = [name for name in m.group(1).split() if _LANGUAGE_CLASS.fullmatch(name)]
        return f' class="{" ".join(kept)}"' if kept else ""

    return _START_TAG.sub(lambda tag: _CLASS.sub(keep, tag.group(0)), fragment)


def _drop_unsafe_cites(fragment: str) -> str:
    """nh3 checks the schemes of href and src only: drop a cite= URL it would refuse there."""

    def drop(m: re.Match[str]) -> str:
        scheme = url_scheme(unescape(m.group(1)))
        return "" if scheme is not None and scheme not in URL_SCHEMES else m.group(0)

    return _START_TAG.sub(lambda tag: _CITE.sub(drop, tag.group(0)), fragment)


def _drop_unreadable_urls(fragment: str) -> str:
    """Drop an href, src or cite whose URL is not `readable_url`, as nh3 drops a
    javascript: one (the auditor says so)."""

    def drop(m: re.Match[str]) -> str:
        return m.group(0) if readable_url(unescape(m.group(1))) else ""

    return _START_TAG.sub(lambda tag: _URL_IN_ATTRIBUTE.sub(drop, tag.group(0)), fragment)


def absolute_links(fragment: str, page_url: str) -> str:
    """Resolve relative href/src/cite URLs against the page, so they work inside a reader.

    Returns `fragment` itself when every URL is already absolute, so the page's and the
    feed's HTML share one string in memory.
    """
    changed = False

    def resolve(m: re.Match[str]) -> str:
        nonlocal changed
        if m.group(1).startswith(_SAFE_AS_WRITTEN):  # absolute already
            return m.group(0)
        value = unescape(m.group(1))
        if url_scheme(value) is not None or value.startswith("//"):
            return m.group(0)
        changed = True
        attribute = m.group(0).split("=", 1)[0]
        return f'{attribute}="{html.escape(urljoin(page_url, value))}"'

    def in_tag(m: re.Match[str]) -> str:
        return _URL_IN_ATTRIBUTE.sub(resolve, m.group(0))

    resolved = _START_TAG.sub(in_tag, fragment)
    return resolved if changed else fragment


class _Auditor(HTMLParser):
    """Walk the renderer's raw output; note each tag, attribute and URL the allow-list refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: dict[str, Removal] = {}

    def _note(self, what: str, needle: str) -> None:
        self.removed.setdefault(what, Removal(what, needle))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            if tag in DROPPED_WITH_CONTENT:
                self._note(f"removed <{tag}> element and its content", f"<{tag}")
            else:
                self._note(f"removed <{tag}> tag (its text is kept)", f"<{tag}")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        for name, value in attrs:
            if name not in allowed:
                self._note(f"removed {name} attribute from <{tag}>", f"{name}=")
            elif name in _URL_ATTRIBUTES and value:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in URL_SCHEMES:
                    self._note(f"removed {scheme}: URL from <{tag} {name}>", value.strip()[:8])
                elif not readable_url(value):
                    what = f"removed unreadable URL from <{tag} {name}>: {UNREADABLE_HOST}"
                    self._note(what, value.strip()[:8])
            elif name == "style" and value and not _only_text_align(value):
                self._note(f"removed style attribute from <{tag}>", "style")

    handle_startendtag = handle_starttag


def _only_text_align(style: str) -> bool:
    declarations = [d.strip() for d in style.split(";") if d.strip()]
    return all(d.split(":", 1)[0].strip().lower() == "text-align" for d in declarations)


def _audit(raw: str) -> tuple[Removal, ...]:
    auditor = _Auditor()
    auditor.feed(readable_references(raw))  # as HTMLParser unescapes each attribute
    auditor.close()
    return tuple(auditor.removed.values())

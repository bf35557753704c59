"""Markdown bodies -> safe HTML: render with pulldown-cmark, then sanitise with an allow-list.

pyromark wraps pulldown-cmark, a CommonMark-compliant Rust parser (with GFM tables and
strikethrough); nh3 wraps ammonia, an allow-list sanitiser built on a browser-grade HTML5
parser. Raw HTML is rendered first and sanitised after, so an office can use harmless markup
such as <sup> or <abbr> while <script>, event handlers and javascript: URLs never reach a
reader. (cmarkgfm was measured and dropped: its Python binding never frees what cmark
returns, about 40 KB per body, so 100,000 statements took gigabytes.)

Both are fast on any body but one: html5ever, the parser inside nh3, takes time that grows
with the square of nesting depth (20,000 nested `>` quotes, 40 KB of text, took 11 s; a
megabyte, hours), and repeats a formatting tag left open (`<b>` before `</div>`) in every
later block. So a body's nesting is measured before it is sanitised, as the browser's
parser would nest it, and refused past MAX_DEPTH levels; the HTML it makes, and its links,
are bounded too (see `check_limits`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import nh3
import pyromark

# Tables align cells with style="text-align: ..." (valid HTML5, unlike align=).
_MARKDOWN_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH

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
    "code": {"class"},  # ```python fences render as <code class="language-python">
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

SUMMARY_LENGTH = 300

# Limits that bound the time a body takes (README, "Errors and safety"). Each is far past
# what a statement needs, and low enough that the worst body within them renders in about
# a second (docs/performance.md).
MAX_DEPTH = 32  # quotes, lists and HTML elements inside one another
MAX_LINKS = 10_000  # links, images and citations (href, src and cite URLs)
MAX_HTML = 2 * 1024 * 1024  # characters of HTML a body may make


class BodyTooComplex(Exception):
    """A body past one of the limits above. `offset` is the character of the Markdown
    where the limit is passed, or -1 when no one place is to blame."""

    def __init__(self, message: str, offset: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


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

    Raises BodyTooComplex for a body past the limits that keep this fast.
    """
    raw = pyromark.html(source, options=_MARKDOWN_OPTIONS)
    check_limits(raw, source)
    removed: tuple[Removal, ...] = ()
    if "<" in source or _has_unsafe_scheme(raw):
        removed = _audit(raw)
    clean = _clean(raw, source)
    if "<h" in clean:
        clean = _shift_headings(clean, top)
    return Body(html=clean, summary=summarize(clean), removed=removed)


def sanitize_html(fragment: str) -> tuple[str, tuple[Removal, ...]]:
    """Sanitise an HTML fragment with the bodies' allow-list; say what was removed.

    `feedpub import` runs it on content from other sites before converting to Markdown, so
    the warnings are those a body gets and the Markdown never holds what would be removed.
    Raises BodyTooComplex, as a body would, for HTML past the limits.
    """
    check_limits(fragment)
    return _clean(fragment), _audit(fragment)


def _clean(raw: str, source: str | None = None) -> str:
    clean = _CLEANER.clean(raw).strip()
    if len(clean) > MAX_HTML:  # tags left open, repeated by the parser (within MAX_DEPTH)
        raise _too_long(len(clean))
    if ' cite="' in clean:
        clean = _drop_unsafe_cites(clean)
    # ammonia writes each attribute after one space; text may count too, never too few.
    links = clean.count(' href="') + clean.count(' src="') + clean.count(' cite="')
    if links > MAX_LINKS:
        offset = _locate(source, links=True) if source is not None else -1
        raise BodyTooComplex(
            f"has {links:,} links and images; at most {MAX_LINKS:,} are allowed: split the"
            " statement, or attach the list as a file (CSV or PDF)",
            offset,
        )
    return clean


def _too_long(size: int) -> BodyTooComplex:
    return BodyTooComplex(
        f"makes {size:,} characters of HTML; at most {MAX_HTML:,} are allowed: split the"
        " statement, or attach long tables as a file (CSV or PDF)"
    )


def check_limits(raw: str, source: str | None = None) -> None:
    """Refuse HTML (rendered from `source`, when given) that would take long to sanitise:
    too much of it, or nested more than MAX_DEPTH levels as a browser would nest it."""
    # Markdown alone: pulldown-cmark closes every tag it opens, so no tag is left open to
    # repeat, and counting opens and closes is enough (and quick).
    markdown_alone = source is not None and "<" not in source and len(raw) <= MAX_HTML
    if markdown_alone and (len(_COUNTED.findall(raw)) <= MAX_DEPTH or _depth(raw) <= MAX_DEPTH):
        return
    nesting = _Nesting()
    # Within MAX_HTML (a longer body is refused below), so this takes little time.
    for m in _TAG_NAME.finditer(raw, 0, MAX_HTML):
        nesting.tag(m.group(2).lower(), closing=bool(m.group(1)), size=m.end() - m.start())
        if nesting.depth > MAX_DEPTH:
            raise BodyTooComplex(
                f"quotes, lists and HTML elements are nested more than {MAX_DEPTH} levels"
                f" deep here; at most {MAX_DEPTH} are allowed (a tag left open, such as <b>"
                " before </div>, counts as a level for all that follows it)",
                _locate(source) if source is not None else -1,
            )
    # A tag left open past its block is repeated in every later one: count those copies.
    if len(raw) + nesting.repeated > MAX_HTML:
        raise _too_long(len(raw) + nesting.repeated)


def _depth(raw: str) -> int:
    """The deepest nesting of well-formed HTML, counted as _Nesting counts it."""
    depth = deepest = 0
    for closing in _COUNTED.findall(raw):
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    return deepest


# HTML's tree construction rules (WHATWG HTML §13.2.6), as far as nesting depth goes.
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>?")
# The tags pulldown-cmark writes that _Nesting counts (not p, li, table cells or void ones).
_COUNTED = re.compile(r"<(/?)(?:blockquote|ul|ol|em|strong|del|a|code|pre|table|h[1-6])[\s>]")
_TAG_OR_URL = re.compile(
    r'<(?P<slash>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)|(?P<url>\s(?:href|src|cite)=")'
)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID = _names(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param"
    " source track wbr"
)
# Closed by the next of their kind or by their parent's end, so never nested by repetition:
# not counted (their parents are).
_IMPLIED = _names(
    "p li dt dd tr td th thead tbody tfoot caption colgroup option optgroup rb rt rtc rp"
    " html head body"
)
# The "formatting" elements: one left open when its block ends is reopened in every later
# block (the list of active formatting elements).
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
# An end tag that is not an open element's is ignored when one of these stands between.
_SPECIAL = _names(
    "address applet area article aside base basefont bgsound blockquote body br button"
    " caption center col colgroup dd details dir div dl dt embed fieldset figcaption figure"
    " footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img"
    " input keygen li link listing main marquee menu meta nav noembed noframes noscript"
    " object ol p param plaintext pre script search section select source style summary"
    " table tbody td template textarea tfoot th thead title tr track ul wbr xmp"
)
_SCOPE = _names("applet caption html table td th marquee object template")
# End tags that close their element through other open ones, unless a scope boundary
# stands between.
_BLOCK_ENDS = _names(
    "address article aside blockquote button center details dialog dir div dl fieldset"
    " figcaption figure footer form header hgroup listing main menu nav ol pre search"
    " section summary ul table applet marquee object h1 h2 h3 h4 h5 h6"
)


class _Nesting:
    """How deep a browser's parser nests the elements of a tag stream (never less), and how
    much it adds by repeating formatting tags left open."""

    def __init__(self) -> None:
        self.open: list[tuple[str, int]] = []  # (name, size of its tags)
        self.reopened: list[tuple[str, int]] = []  # formatting elements left open past
        self.depth = 0  # their block's end: reopened wherever content comes next
        self.repeated = 0  # characters the parser adds, repeating them

    def tag(self, name: str, *, closing: bool, size: int = 0) -> None:
        if not closing and self.reopened:
            # Counted at every start tag, which comes at least as often as they reopen.
            self.repeated += sum(tag_size for _, tag_size in self.reopened)
        if name in _VOID or name in _IMPLIED:
            return
        if not closing:
            self.open.append((name, 2 * size + 1))  # its start tag and about its end tag
            self.depth = max(self.depth, len(self.open) + len(self.reopened))
            return
        if name in _FORMATTING:
            # The adoption agency closes the element itself; what opened after it stays.
            for stack in (self.open, self.reopened):
                for index in range(len(stack) - 1, -1, -1):
                    if stack[index][0] == name:
                        del stack[index]
                        return
            return
        stops = _SCOPE if name in _BLOCK_ENDS else _SPECIAL
        for index in range(len(self.open) - 1, -1, -1):
            current = self.open[index][0]
            if current == name:
                closed = self.open[index + 1 :]
                del self.open[index:]
                self.reopened += [element for element in closed if element[0] in _FORMATTING]
                return
            if current in stops:
                return  # the parser ignores this end tag


_HEADING_TAG = {f"H{level}": f"h{level}" for level in range(1, 7)}


def _event_tags(event: Any) -> list[tuple[str, bool]]:
    """The tags pulldown-cmark writes for one event, as (name, closing), in order."""
    if not isinstance(event, dict):
        return []  # Rule, SoftBreak, HardBreak...: void or nothing
    for kind, closing in (("Start", False), ("End", True)):
        if kind in event:
            what = event[kind]
            name = next(iter(what)) if isinstance(what, dict) else what
            if name == "Heading":
                value = what[name]
                level = value["level"] if isinstance(value, dict) else value
                return [(_HEADING_TAG.get(level, "h1"), closing)]
            if name == "List":
                value = what[name]
                # Start: the first number (None for a bullet list); End: ordered or not.
                ordered = value is not None if not closing else bool(value)
                return [("ol" if ordered else "ul", closing)]
            if name == "CodeBlock":
                tags = [("pre", closing), ("code", closing)]
                return tags[::-1] if closing else tags
            simple = {
                "BlockQuote": "blockquote",
                "Emphasis": "em",
                "Strong": "strong",
                "Strikethrough": "del",
                "Link": "a",
                "Table": "table",
            }
            return [(simple[name], closing)] if name in simple else []
    if "Code" in event:
        return [("code", False), ("code", True)]
    return []


def _locate(source: str | None, *, links: bool = False) -> int:
    """The character of `source` where nesting passes MAX_DEPTH (or, with `links`, where
    the link past MAX_LINKS stands), walking pulldown-cmark's events as check_limits walks
    its HTML; -1 if not found."""
    if source is None:
        return -1
    nesting = _Nesting()
    count = 0
    in_image = 0
    encoded = source.encode()

    def passed() -> bool:
        return count > MAX_LINKS if links else nesting.depth > MAX_DEPTH

    def character(at: int) -> int:
        return len(encoded[:at].decode(errors="ignore"))

    for event, span in pyromark.events_with_range(source, options=_MARKDOWN_OPTIONS):
        at = span["start"]
        if not isinstance(event, dict):
            continue
        html_text = event.get("Html", event.get("InlineHtml"))
        if isinstance(html_text, str):
            if in_image:
                continue  # an image's description becomes its alt text, with no tags
            for m in _TAG_OR_URL.finditer(html_text):
                if m.group("url"):
                    count += 1
                else:
                    nesting.tag(m.group("name").lower(), closing=bool(m.group("slash")))
                if passed():  # the offset inside the event, where its text is the source's
                    return character(at + len(html_text[: m.start()].encode()))
            continue
        what = event.get("Start", event.get("End"))
        name = next(iter(what)) if isinstance(what, dict) else what
        if name == "Image":
            in_image += 1 if "Start" in event else -1
            count += "Start" in event
        elif not in_image:
            count += name == "Link" and "Start" in event
            for tag, closing in _event_tags(event):
                nesting.tag(tag, closing=closing)
        if passed():
            return character(at)
    return -1


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
# an href shown inside <code> is not mistaken for a link.
_START_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_IGNORED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: the URL standard drops tabs and line breaks inside
    a URL and C0 controls and spaces before it, so `java&#9;script:` is still javascript:."""
    m = _SCHEME.match(_URL_IGNORED.sub("", url).lstrip(_C0_AND_SPACE))
    return m.group(1).lower() if m else None


def _has_unsafe_scheme(fragment: str) -> bool:
    for value in _URL_IN_ATTRIBUTE.findall(fragment):
        scheme = url_scheme(html.unescape(value))
        if scheme is not None and scheme not in URL_SCHEMES:
            return True
    return False


def _drop_unsafe_cites(fragment: str) -> str:
    """nh3 checks the schemes of href and src only: drop a cite= URL it would refuse there."""

    def drop(m: re.Match[str]) -> str:
        scheme = url_scheme(html.unescape(m.group(1)))
        return "" if scheme is not None and scheme not in URL_SCHEMES else m.group(0)

    return _START_TAG.sub(lambda tag: _CITE.sub(drop, tag.group(0)), fragment)


def absolute_links(fragment: str, page_url: str) -> str:
    """Resolve relative href/src/cite URLs against the page, so they work inside a reader.

    Returns `fragment` itself when every URL is already absolute, so the page's and the
    feed's HTML share one string in memory.
    """
    changed = False

    def resolve(m: re.Match[str]) -> str:
        nonlocal changed
        value = html.unescape(m.group(1))
        if url_scheme(value) is not None or value.startswith("//"):
            return m.group(0)
        changed = True
        attribute = m.group(0).split("=", 1)[0]
        return f'{attribute}="{html.escape(urljoin(page_url, value))}"'

    def in_tag(m: re.Match[str]) -> str:
        return _URL_IN_ATTRIBUTE.sub(resolve, m.group(0))

    resolved = _START_TAG.sub(in_tag, fragment)
    return resolved if changed else fragment


_FIRST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.DOTALL)
_IMAGE_ALT = re.compile(r'<img\s[^>]*?alt="([^"]*)"[^>]*>')
_BREAKING_TAG = re.compile(
    r"</?(?:p|br|hr|li|ol|ul|dl|dt|dd|h[1-6]|blockquote|pre|table|tr|td|th|div|figure"
    r"|figcaption|caption|details|summary)(?:\s[^>]*)?/?>"
)
_TAG = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """Strip tags from an HTML fragment (an image becomes its alt text); fold white space."""
    text = _TAG.sub("", _BREAKING_TAG.sub(" ", _IMAGE_ALT.sub(r"\1", fragment)))
    return " ".join(html.unescape(text).split())


def summarize(fragment: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph as plain text, cut at a word boundary with an ellipsis."""
    m = _FIRST_PARAGRAPH.search(fragment)
    text = plain_text(m.group(1) if m else fragment)
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


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
            elif name == "style" and value and not _only_text_align(value):
                self._note(f"removed style attribute from <{tag}>", "style")

    handle_startendtag = handle_starttag


def _only_text_align(style: str) -> bool:
    declarations = [d.strip() for d in style.split(";") if d.strip()]
    return all(d.split(":", 1)[0].strip().lower() == "text-align" for d in declarations)


def _audit(raw: str) -> tuple[Removal, ...]:
    auditor = _Auditor()
    auditor.feed(raw)
    auditor.close()
    return tuple(auditor.removed.values())

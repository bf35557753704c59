"""A body measured before it is sanitised: nested as a browser's parser would nest it, the
HTML it makes, its links; past a limit it is refused, saying where in the Markdown.

pulldown-cmark and nh3 (markup.py) are fast on any body but one: html5ever, the parser
inside nh3, takes time that grows with the square of nesting depth (20,000 nested `>`
quotes, 40 KB of text, took 11 s; a megabyte, hours), and repeats a formatting tag left open
(`<b>` before `</div>`) in every later block. So a body's nesting is measured before it is
sanitised, as the browser's parser would nest it, and refused past MAX_DEPTH levels; the
HTML it makes, and its links, are bounded too (see `check_limits`).
"""

from __future__ import annotations

import re
from typing import Any

import pyromark

# Tables align cells with style="text-align: ..." (valid HTML5, unlike align=). Rendering
# (markup.py) and locate_limit parse alike.
MARKDOWN_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH

# Limits that bound the time a body takes (README, "Errors and safety"). Each is far past
# what a statement needs, and low enough that the worst body within them renders in about
# a second (docs/performance.md).
MAX_DEPTH = 32  # quotes, lists and HTML elements inside one another
MAX_LINKS = 10_000  # links, images and citations (href, src and cite URLs)
MAX_HTML = 2 * 1024 * 1024  # characters of HTML a body may make


class BodyRefused(Exception):
    """A body that cannot be published: past one of the limits above, or making a character
    no file may hold (markup.py). `offset` is the character of the Markdown to blame, or -1
    when no one place is."""

    def __init__(self, message: str, offset: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def html_too_long(size: int) -> BodyRefused:
    return BodyRefused(
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
            raise BodyRefused(
                f"quotes, lists and HTML elements are nested more than {MAX_DEPTH} levels"
                f" deep here; at most {MAX_DEPTH} are allowed (a tag left open, such as <b>"
                " before </div>, counts as a level for all that follows it)",
                locate_limit(source) if source is not None else -1,
            )
    # A tag left open past its block is repeated in every later one: count those copies.
    if len(raw) + nesting.repeated > MAX_HTML:
        raise html_too_long(len(raw) + nesting.repeated)


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


def locate_limit(source: str | None, *, links: bool = False) -> int:
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

    for event, span in pyromark.events_with_range(source, options=MARKDOWN_OPTIONS):
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

"""What a reader reads of a body's sanitised HTML: its plain text, the summary made from
its first paragraph, and whether it shows anything at all."""

from __future__ import annotations

import re

from feedpub import invisible
from feedpub.references import unescape

SUMMARY_LENGTH = 300

_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>")
_IMAGE_ALT = re.compile(r'<img\s[^>]*?alt="([^"]*)"[^>]*>')
_BREAKING_TAG = re.compile(
    r"</?(?:p|br|hr|li|ol|ul|dl|dt|dd|h[1-6]|blockquote|pre|table|tr|td|th|div|figure"
    r"|figcaption|caption|details|summary)(?:\s[^>]*)?/?>"
)
_TAG = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """Strip tags from an HTML fragment (an image becomes its alt text); fold white space."""
    text = _TAG.sub("", _BREAKING_TAG.sub(" ", _IMAGE_ALT.sub(r"\1", fragment)))
    return " ".join(unescape(text).split())


NOTHING_SHOWN = (
    "shows nothing once rendered, neither text nor image (a link definition, an HTML"
    " comment or removed markup is not shown): write the text readers should see"
)


def shows_nothing(fragment: str) -> bool:
    """True for sanitised HTML a reader sees nothing of, neither text nor image: a body of
    only a link definition, an HTML comment or markup the allow-list removed."""
    text = plain_text(fragment)  # &#x200B; is text, drawn as nothing
    return "<img" not in fragment and (not text or invisible.shows_nothing(text))


def summarize(fragment: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph as plain text, cut at a word boundary with an ellipsis."""
    # The first <p ...>...</p>: its end found by find(), not by a lazy .*? that tries to
    # end at every character (a tenth of rendering a body's Markdown).
    m = _PARAGRAPH.search(fragment)
    end = fragment.find("</p>", m.end()) if m else -1
    text = plain_text(fragment[m.end() : end] if m and end >= 0 else fragment)
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"

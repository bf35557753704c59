"""Imported HTML -> Markdown a press officer can edit, sanitised as bodies are.

The HTML is sanitised first, with the allow-list every body gets (`markup.sanitize_html`),
so the removals are reported in the words `check` uses and the Markdown never holds a
script or a javascript: link. markdownify then writes paragraphs, links, lists, emphasis,
headings, images and tables as Markdown. (html-to-markdown, measured against it, is 25 times
faster but turns the text `&lt;b&gt;` into a real <b> tag; an import runs once.)
"""

from __future__ import annotations

import html
import re
from typing import Any

from feedpub.markup import Removal, sanitize_html

# Text that Markdown would read as markup. Everywhere: \ ` * _ [ ] ~, a < that opens a tag
# and an & that starts an entity. At the start of a text node, which is where a line starts:
# headings, quotes, list markers and setext underlines.
_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_MARKER = re.compile(r"^(\s*)([#>+=-])")
_ORDERED_MARKER = re.compile(r"^(\s*\d{1,9})([.)])")
_BLOCK_TAG = re.compile(
    r"<(?:p|div|ul|ol|li|h[1-6]|blockquote|pre|table|figure|hr|br)[\s>/]", re.IGNORECASE
)
_CONVERTER: Any = None


def _converter() -> Any:
    global _CONVERTER  # built once, on first use: only imports need markdownify
    if _CONVERTER is None:
        from markdownify import MarkdownConverter

        base: Any = MarkdownConverter  # its stubs lack the convert_ methods

        class Converter(MarkdownConverter):
            def escape(self, value: str, parent_tags: set[str]) -> str:
                escaped = text(value)
                return escaped.replace("|", r"\|") if parent_tags & {"td", "th"} else escaped

            # markdownify writes an image's alt text, a title and a URL as they are:
            # `&#x1B;` in them became a reference, `]` ended the alt text, a space the URL.
            def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
                _escape_attributes(el)
                return str(base.convert_img(self, el, text, parent_tags))

            def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
                _escape_attributes(el)
                return str(base.convert_a(self, el, text, parent_tags))

        _CONVERTER = Converter(
            heading_style="ATX",
            bullets="-",
            strong_em_symbol="*",
            newline_style="backslash",  # a trailing-space break would not survive an editor
            sup_symbol="<sup>",
            sub_symbol="<sub>",
        )
    return _CONVERTER


def text(value: str) -> str:
    """Text, such as a link's, written so that Markdown reads nothing in it."""
    escaped = _ENTITY.sub(r"\\&", _TAG_START.sub(r"\\<", _SPECIAL.sub(r"\\\1", value)))
    return _ORDERED_MARKER.sub(r"\1\\\2", _LINE_MARKER.sub(r"\1\\\2", escaped))


# What Markdown reads in a link's destination written as it is: a space or a parenthesis
# ends it, a backslash escapes, an entity is decoded. Between < and >, only a space is safe.
_READ_IN_DESTINATION = re.compile(r"[\s()<>\\]|&(?=#?[A-Za-z0-9]+;)")
_READ_IN_ANGLES = re.compile(r"[\\<>]")


def destination(url: str, *, angles: bool = False) -> str:
    """A link's URL written so that Markdown reads it back unchanged: as it is when nothing
    in it is read (or `angles`), else between < and >, with what is read there escaped.
    Tabs and line breaks are dropped, as a browser drops them from a URL."""
    url = re.sub(r"[\t\n\r]", "", url)
    if not angles and not _READ_IN_DESTINATION.search(url):
        return url
    escaped = _ENTITY.sub(r"\\&", _READ_IN_ANGLES.sub(r"\\\g<0>", url))
    return f"<{escaped}>"


def _escape_attributes(element: Any) -> None:
    """Escape, in place, what Markdown would read in an image's or link's attributes, as
    `markdownify` writes them as they are: the alt text as text (between [ and ]), the
    title between double quotes, where only a backslash, an entity and `"` (escaped by
    `markdownify`) are read, and the URL (`destination`)."""
    attributes = element.attrs
    if attributes.get("alt"):
        attributes["alt"] = text(attributes["alt"])
    if attributes.get("title"):
        attributes["title"] = _ENTITY.sub(r"\\&", attributes["title"].replace("\\", "\\\\"))
    for name in ("href", "src"):
        if attributes.get(name):
            attributes[name] = destination(attributes[name])


def html_to_markdown(fragment: str) -> tuple[str, tuple[Removal, ...]]:
    """Sanitise an HTML fragment as a body is, then write it as Markdown."""
    clean, removed = sanitize_html(fragment)
    markdown = _converter().convert(clean)
    return _tidy(markdown), removed


def text_to_markdown(text: str) -> str:
    """Plain text: paragraphs at blank lines, every character kept as text."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text.replace("\r", ""))]
    fragment = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return _tidy(_converter().convert(fragment))


def wordpress_paragraphs(fragment: str) -> str:
    """WordPress stores classic posts with blank lines for paragraphs (wpautop adds <p>)."""
    if _BLOCK_TAG.search(fragment):
        return fragment
    parts = re.split(r"\n[ \t]*\n", fragment.replace("\r", ""))
    return "".join(f"<p>{p.strip()}</p>" for p in parts if p.strip())


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))

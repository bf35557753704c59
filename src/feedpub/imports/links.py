"""Relative links in imported HTML made absolute, however the HTML writes its attributes.

An old site's HTML is a CMS's or a hand's: `href='/a'`, `href=/a`, `HREF="/a"`,
`href = "/a"`, a `>` inside another attribute's quotes. A regular expression that knows
one of these spellings leaves the others relative, and on the new site they point into
it. So the fragment is read by Python's HTML parser (the tokenizer of the HTML standard,
as lenient as a browser's), and each start tag holding a relative URL is written again;
everything else is kept byte for byte.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urljoin

from feedpub.markup import url_scheme
from feedpub.references import readable_references

# The attributes that hold a URL in what bodies may keep (markup.absolute_links' own).
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})


class _Tags(HTMLParser):
    """Each start tag with a relative URL: where it starts, its source text, and the tag
    written again with that URL resolved."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: list[tuple[tuple[int, int], str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        resolved = [(name, self._resolve(name, value)) for name, value in attrs]
        if resolved == attrs:
            return
        source = self.get_starttag_text() or ""
        parts = [tag]
        for name, value in resolved:
            parts.append(name if value is None else f'{name}="{html.escape(value)}"')
        end = "/>" if source.endswith("/>") else ">"
        self.found.append((self.getpos(), source, f"<{' '.join(parts)}{end}"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _resolve(self, name: str, value: str | None) -> str | None:
        if name not in _URL_ATTRIBUTES or value is None:
            return value
        if url_scheme(value) is not None or value.startswith("//"):
            return value  # absolute, or the page's own scheme: it works anywhere
        return urljoin(self.base, value.strip())


def absolute_links(fragment: str, base: str) -> str:
    """`fragment` with every relative href, src and cite resolved against `base`."""
    fragment = readable_references(fragment)  # HTMLParser unescapes each attribute
    parser = _Tags(base)
    parser.feed(fragment)
    parser.close()
    if not parser.found:
        return fragment
    starts = [0]  # where each line begins: the parser says where a tag is by line, column
    starts += [i + 1 for i, character in enumerate(fragment) if character == "\n"]
    pieces, done = [], 0
    for (line, column), source, written in parser.found:
        at = starts[line - 1] + column
        if fragment.startswith(source, at) and at >= done:
            pieces += [fragment[done:at], written]
            done = at + len(source)
    return "".join(pieces) + fragment[done:]

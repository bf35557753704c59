"""Numeric character references in a body (&#27;, &#x1B;): read whatever their digits, and
refused where they make a character no file may hold.

A file's own characters are checked as it is read (load.py); a reference is the one way a
body can still make one XML 1.0 forbids, which lxml refuses in a feed, so a statement that
passed `check` would fail the build (at its release, under embargo). And Python reads no
number of more than 4,300 digits: html.unescape, and HTMLParser with it, raise ValueError
on &#0000...27; (written with 5,000 zeros), where a browser's parser reads U+001B.
"""

from __future__ import annotations

import html
import re

from feedpub.load import describe_character, forbidden_character
from feedpub.measure import BodyRefused

# A numeric character reference: &#27; or &#x1B; (CommonMark's), and in raw HTML also
# without its ";" and with any number of digits, as a browser's parser (nh3's) reads it.
_REFERENCE = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]+)|(?P<dec>[0-9]+));?")

# A numeric reference written with more digits than any character needs (&#0000...27;):
# past 4,300 digits Python refuses to read it as a number, and html.unescape (and so
# HTMLParser) raises ValueError.
_LONG_REFERENCE = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]{9,})|(?P<dec>[0-9]{9,}))")


def _character(reference: re.Match[str]) -> str:
    """The character a numeric reference stands for: U+FFFD for U+0000, a surrogate, and a
    number past Unicode, as HTML's parsers and CommonMark read them."""
    digits = (reference["hex"] or reference["dec"]).lstrip("0") or "0"
    code = int(digits, 16 if reference["hex"] else 10) if len(digits) <= 8 else 0x110000
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def readable_references(text: str) -> str:
    """`text` with each numeric character reference of many digits written with few, for
    the same character."""
    if "&#" not in text:
        return text
    return _LONG_REFERENCE.sub(lambda reference: f"&#{ord(_character(reference))}", text)


def unescape(text: str) -> str:
    """html.unescape, for any text (see readable_references)."""
    return html.unescape(readable_references(text))


def refused_reference(found: str, source: str) -> BodyRefused:
    """The body refused for the character `found` that a reference in it makes, saying
    where the first reference to a refused character stands, and how many follow."""
    refused = []
    for match in _REFERENCE.finditer(source):
        if forbidden_character(char := _character(match)) is not None:
            refused.append((match, char))
    if not refused:  # pragma: no cover - a reference is the only way in (see render_markdown)
        return BodyRefused(
            f"makes the character {describe_character(found)}, which is not allowed (XML 1.0"
            " forbids it in feeds): remove it"
        )
    (first, made), more = refused[0], len(refused) - 1
    written = first[0] if len(first[0]) <= 16 else f"{first[0][:8]}...{first[0][-6:]}"
    follow = "reference follows" if more == 1 else "references follow"
    after = f"; {more:,} more such {follow} it" if more else ""
    return BodyRefused(
        f"{written} stands for the character {describe_character(made)}, which is not"
        f" allowed (XML 1.0 forbids it in feeds): remove it{after}",
        first.start(),
    )

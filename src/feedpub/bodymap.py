"""Where something in an entry's body stands in its file: the point a body too complex to
render reaches, what the sanitiser removed (each a warning), the links that lead into the site."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from feedpub.errors import Problems, Severity
from feedpub.load import Document, ScalarNode
from feedpub.markup import Body, url_scheme
from feedpub.references import unescape


def body_position(document: Document, body: str, offset: int) -> tuple[int, int]:
    """Where the character `offset` of the body (as read: stripped) stands in the file: exact
    in a `|` or `>` block, else (and for -1) where the body's value starts."""
    node = document.fields["body"].value
    assert node is not None  # the body was read, so it was not refused
    start = node.start_mark.line + 1, node.start_mark.column + 1
    if offset < 0 or not isinstance(node, ScalarNode) or node.style not in ("|", ">"):
        return start
    offset += len(node.value) - len(node.value.lstrip())  # read stripped
    line_in_body = node.value.count("\n", 0, offset)
    column = offset - (node.value.rfind("\n", 0, offset) + 1)
    lines = document.text.splitlines()
    first = node.start_mark.line + 1  # the block's text starts on the line after `|`
    content = [text for text in lines[first:] if text.strip()]
    indent = len(content[0]) - len(content[0].lstrip(" ")) if content else 0
    return first + line_in_body + 1, indent + column + 1


# A body's warnings say what to fix, not how often: past this many, one line counts the rest.
MAX_REMOVALS_SHOWN = 20


def report_removals(document: Document, body: Body, problems: Problems, name: str = "body") -> None:
    if not body.removed:
        return
    field = document.fields[name]
    assert field.value is not None  # the body was read, so it was not refused
    start = field.value.start_mark
    shown = body.removed[:MAX_REMOVALS_SHOWN]
    for removal in shown:
        line, column = _find(document.text, removal.needle, start.index)
        if line == 0:
            line, column = start.line + 1, start.column + 1
        problems.add(
            document.path,
            removal.what,
            line=line,
            column=column,
            field=name,
            severity=Severity.WARNING,
        )
    if len(body.removed) > len(shown):
        problems.add(
            document.path,
            f"removed {len(body.removed) - len(shown):,} more kinds of tag, attribute or URL"
            " besides those listed",
            line=start.line + 1,
            column=start.column + 1,
            field=name,
            severity=Severity.WARNING,
        )


def _find(text: str, needle: str, start: int) -> tuple[int, int]:
    """Return the 1-based line and column of `needle` (in any case) at or after `start`, or
    (0, 0)."""
    found = re.compile(re.escape(needle), re.IGNORECASE).search(text, start)
    if found is None:
        return 0, 0
    offset = found.start()
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_LINK = re.compile(r'<(?:a|img)\s[^>]*?(?:href|src)="([^"]*)"')
# An http(s) address as most links are written, holding nothing urlsplit() would drop or
# refuse before its path (white space, controls, brackets, and in an ASCII host nothing
# NFKC would make a delimiter): its host is what follows "//", up to the path, query or
# fragment. Anything else is split by urlsplit(), three times slower (a tenth of compiling
# a statement whose links lead elsewhere).
_PLAIN_HTTP = re.compile(r"https?://([!$-.0-;=@-Z_a-z~]*)(?:[/?#]|\Z)")


def link_host(url: str) -> str | None:
    """urlsplit(url).netloc of an address that may lead into the site (no scheme, http or
    https, as a browser reads it); None for any other scheme."""
    plain = _PLAIN_HTTP.match(url)
    if plain is not None:
        return plain.group(1)
    if url_scheme(url) not in (None, "http", "https"):
        return None
    return urlsplit(url).netloc


def find_site_links(
    document: Document, html: str, page_url: str, base_url: str
) -> tuple[tuple[str, int, int, bool], ...]:
    """The body's links and images that lead into the site, as paths inside public/, each
    with where it stands in the file, so a check can say which ones lead nowhere; and, on a
    site served under a folder, those on its host outside that folder (`/2021/11/05/a/`
    where the site is https://example.github.io/statements/), as if from the folder:
    a check can say which ones name a page of the site, and so were meant to."""
    found: list[tuple[str, int, int, bool]] = []
    field = document.fields.get("body")
    start = field.value.start_mark.index if field is not None and field.value is not None else 0
    text = document.text
    cursor: dict[str, int] = {}  # where to look for the next occurrence of each address
    base = urlsplit(base_url)
    # Links outside the site's folder, on its host, when it has one (else none is outside).
    host_root = f"{base.scheme}://{base.netloc}/" if base.path != "/" else base_url
    for match in _LINK.finditer(html):
        written = unescape(match.group(1))
        if not written or written.startswith("#"):
            continue
        host = link_host(written)
        if host is None:
            continue
        if host and host != base.netloc:
            continue  # another site's: urljoin keeps the host an address names
        target = urljoin(page_url, written)
        outside = not target.startswith(base_url)
        if outside and not target.startswith(host_root):
            continue
        offset = text.find(written, cursor.get(written, start))
        cursor[written] = offset + 1 if offset >= 0 else start
        at = max(offset, start)
        line_start = text.rfind("\n", 0, at) + 1
        path = urlsplit(target).path
        path = path.removeprefix("/") if outside else path.removeprefix(base.path)
        found.append((unquote(path), text.count("\n", 0, at) + 1, at - line_start + 1, outside))
    return tuple(found)

"""Read typed values out of YAML nodes, strictly, with messages a non-programmer can act on.

Each reader takes a node and returns a Python value or raises Invalid naming what was
expected and what was given. YAML 1.1 guesses (`yes` as true, `1.0` as a number,
`2021-11-05` as a date) are not trusted: text must be text, booleans are `true`/`false`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import NoReturn
from urllib.parse import urlsplit

from feedpub import invisible
from feedpub.load import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    describe_node,
    is_plain,
)


class Invalid(Exception):
    """A value is not what its field needs; carries the node that is wrong.

    `part` names a key inside the field's value (publisher.email), where there is one.
    """

    def __init__(self, message: str, node: Node | None = None, part: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.part = part
        self.also: tuple[Invalid, ...] = ()  # the other items of a list that are wrong


def fail(message: str, node: Node | None = None, part: str = "") -> NoReturn:
    raise Invalid(message, node, part)


def fail_items(errors: list[Invalid]) -> None:
    """Raise the first of a list's wrong items carrying the others (and theirs): all told."""
    every = [each for error in errors for each in (error, *error.also)]
    if every:
        every[0].also = tuple(every[1:])
        raise every[0]


# Plain scalars YAML 1.1 tags specially but which hold nothing but their text: '=' and '<<'.
_TEXT_TAGS = (":str", ":value", ":merge")


def _is_text(node: Node) -> bool:
    # A quoted or block scalar is always text; a plain one only when YAML reads it as text.
    return isinstance(node, ScalarNode) and (not is_plain(node) or node.tag.endswith(_TEXT_TAGS))


def _quote_hint(node: Node) -> str:
    if is_plain(node) and node.value:
        return f"; put it in quotes if you mean the text '{node.value}'"
    return ""


# What ends a line for str.splitlines() and for feed readers; \x0b, \x0c, \x1c-\x1e are
# refused as characters XML forbids.
_LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")


def text(
    node: Node, *, max_length: int, single_line: bool = True, allow_empty: bool = False
) -> str:
    """Read text, stripped of surrounding white space."""
    if not _is_text(node):
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            if allow_empty:
                return ""
            fail("must not be empty", node)
        fail(f"expected text, got {describe_node(node)}{_quote_hint(node)}", node)
    value = str(node.value).strip()
    if not value and not allow_empty:
        fail("must not be empty", node)
    if not allow_empty and invisible.shows_nothing(value):
        fail(invisible.describe(value), node)
    if single_line and _LINE_BREAKS.search(value):
        fail("must be a single line", node)
    if single_line:
        no_override(value, node)
    if len(value) > max_length:
        fail(f"is {len(value):,} characters long; at most {max_length:,} are allowed", node)
    return value


# LEFT-TO-RIGHT and RIGHT-TO-LEFT OVERRIDE: they reorder what follows them, as the "Trojan
# Source" attacks do; the embeddings, isolates and marks right-to-left text uses are kept.
OVERRIDES = re.compile("[\u202d\u202e]")


def no_override(value: str, node: Node) -> None:
    """Refuse a bidirectional override in text shown on one line (a title, a summary)."""
    if found := OVERRIDES.search(value):
        fail(
            f"holds U+{ord(found.group()):04X}, a bidirectional override, which shows the text"
            " after it in reverse order in feed readers and pages, so that it can read as"
            " something else; remove it (right-to-left text needs none: readers lay it out)",
            node,
        )


def one_line(value: str) -> str:
    """Fold runs of white space into single spaces."""
    return " ".join(value.split())


_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


def boolean(node: Node) -> bool:
    """Read `true` or `false`; YAML 1.1's yes/no/on/off are refused, not guessed."""
    if is_plain(node):
        if node.value in _TRUE:
            return True
        if node.value in _FALSE:
            return False
        if node.tag.endswith(":bool"):
            fail(f"write true or false, not {node.value!r}", node)
    fail(f"expected true or false, got {describe_node(node)}", node)


def integer(node: Node, *, minimum: int, maximum: int) -> int:
    """Read a whole number within bounds."""
    if not (is_plain(node) and node.tag.endswith(":int")):
        fail(f"expected a whole number, got {describe_node(node)}", node)
    if not re.fullmatch(r"[+-]?[0-9]+", node.value):
        fail(f"expected a whole number in decimal digits, got {node.value!r}", node)
    digits = node.value.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 100:  # told by its length: Python reads at most 4,300 digits
        fail(f"must be between {minimum:,} and {maximum:,}, got {len(digits):,} digits", node)
    number = -int(digits) if node.value.startswith("-") else int(digits)
    if not minimum <= number <= maximum:
        fail(f"must be between {minimum:,} and {maximum:,}, got {number:,}", node)
    return number


def text_list(
    node: Node,
    *,
    max_items: int,
    max_length: int,
    single_allowed: bool = False,
) -> tuple[str, ...]:
    """Read a list of single-line texts (or one text, where `single_allowed`)."""
    if single_allowed and _is_text(node):
        return (text(node, max_length=max_length),)
    if not isinstance(node, SequenceNode):
        expected = "a list of texts or one text" if single_allowed else "a list of texts"
        # tags: Offices, Budget -> [Offices, Budget]: YAML splits a list in [ ] at commas.
        plain = _is_text(node) and node.value and not set(node.value) & set("#[]{}'\"&*!|>%@`")
        fix = f"; write it as a list: [{node.value}]" if plain else ""
        fail(f"expected {expected}, got {describe_node(node)}{fix}", node)
    if len(node.value) > max_items:
        fail(f"has {len(node.value):,} items; at most {max_items:,} are allowed", node)
    values = []
    errors = []
    for number, item in enumerate(node.value, 1):
        try:
            values.append(text(item, max_length=max_length))
        except Invalid as exc:
            errors.append(Invalid(f"item {number}: {exc.message}", exc.node or item))
    fail_items(errors)
    return tuple(values)


def mapping(node: Node, example: str = "") -> MappingNode:
    """Read fields (name: value); `example` shows how, when they are not."""
    if not isinstance(node, MappingNode):
        how = f"; write them as {example}" if example else ""
        fail(f"expected fields (name: value), got {describe_node(node)}{how}", node)
    return node


def mapping_items(node: MappingNode) -> Iterable[tuple[str, Node, Node]]:
    for key, value in node.value:
        yield str(key.value), key, value


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# RFC 3986 characters, with percent-escapes; no spaces, quotes, angle brackets or controls.
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


# Schemes that run or embed content where a reader or a page might follow the id.
UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})
# RFC 3987: an IRI may also hold characters beyond ASCII, but no spaces or controls.
_NON_ASCII_IRI = re.compile("[\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0010fffd]")


# A plain id's words, one space between each: Drupal's RSS guids are `1234 at
# https://www.example.gov`, and readers know its items by that string. RSS and JSON Feed
# carry it as it is; Atom gets it percent-encoded in a tag URI (see validate.atom_id).
_PLAIN_ID = re.compile(r"[^\s]+(?: [^\s]+)*")


def identifier(node: Node, *, max_length: int) -> str:
    """Read an entry's permanent id: an absolute IRI (RFC 3987), or a plain id with no
    scheme, such as an RSS guid `12345` carried over from an earlier feed."""
    value = text(node, max_length=max_length)
    if problem := id_problem(value):
        fail(problem, node)
    return value


def id_problem(value: str) -> str:
    """Why `value` (stripped, one line) cannot be an entry's id, or '': the rule `check`
    and `import` share."""
    m = _SCHEME.match(value)
    if m is None:  # a plain id
        if _PLAIN_ID.fullmatch(value):
            return ""
        return (
            f"{value!r} holds white space other than single spaces between words; a plain id"
            " may hold those, a URI none"
        )
    scheme = m.group()[:-1].lower()
    if scheme in UNSAFE_SCHEMES:
        return (
            f"{scheme}: ids are refused, since a reader could run or embed what they hold;"
            " use a tag: URI such as tag:example.org,2021:statement-1"
        )
    if any(character.isspace() for character in value):
        return (
            f"{value!r} is a URI (it starts with {m.group()}) and holds white space, which a"
            " URI cannot; write a space as %20"
        )
    if not _URI_CHARACTERS.fullmatch(_NON_ASCII_IRI.sub("x", value)):
        return f"{value!r} holds characters a URI cannot (quotes, <, >, braces)"
    if not readable_url(value):
        return f"{value!r} is no URI: {UNREADABLE_HOST}"
    return ""


def is_iri(identifier: str) -> bool:
    """True for an id that is an absolute IRI, false for a plain id."""
    return _SCHEME.match(identifier) is not None


# Why urllib refuses to split a URL, which no browser opens either.
UNREADABLE_HOST = (
    "its host cannot be read, being [ ] around no IPv6 address or holding a full-width"
    " ／ ？ ＃ ＠ ： that reads as / ? # @ :"
)


def readable_url(url: str) -> bool:
    """False for a URL urllib refuses to split (UNREADABLE_HOST: `//[zz/`, or a host with
    a full-width solidus). No browser opens it, and every later step reads URLs."""
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def web_url(node: Node, *, directory: bool = False) -> str:
    """Read an absolute http(s) URL; a `directory` URL always ends in '/'."""
    value = text(node, max_length=500)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        fail(f"{value!r} is not a valid URL", node)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"expected an absolute http:// or https:// URL, got {value!r}", node)
    if not _URI_CHARACTERS.fullmatch(value):
        fail(f"{value!r} holds characters a URL cannot (spaces, quotes, <, >)", node)
    if directory:
        if parts.query or parts.fragment:
            fail(f"must not have a query or a fragment, got {value!r}", node)
        if not value.endswith("/"):
            value += "/"
    return value


_EMAIL = re.compile(r"[^@\s<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")


def email(node: Node) -> str:
    value = text(node, max_length=254)
    if not _EMAIL.fullmatch(value):
        fail(f"expected an e-mail address such as press@example.org, got {value!r}", node)
    return value


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def language(node: Node) -> str:
    """Read a BCP 47 language tag such as en, fr or en-GB, in its canonical case (AR and
    en-gb are ar and en-GB: one feed would mix them, and feeds compare them as text)."""
    value = text(node, max_length=35)
    if not _LANGUAGE.fullmatch(value):
        fail(f"expected a BCP 47 language tag such as en or en-GB, got {value!r}", node)
    return canonical_case(value)


def canonical_case(tag: str) -> str:
    """RFC 5646 §2.1.1: the language lower case, a script title case (Latn), a region
    upper case (GB, 419), the rest, and all after a singleton (x-, u-), lower case."""
    parts = tag.split("-")
    cased = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 1:  # a singleton (x-, u-) and what follows it
            cased.extend(p.lower() for p in parts[len(cased) :])
            break
        if len(part) == 4 and part.isalpha():
            cased.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            cased.append(part.upper())
        else:
            cased.append(part.lower())
    return "-".join(cased)


def hint(name: str, choices: Iterable[str]) -> str:
    """Suggest the closest of `choices` to a misspelt name, as '; did you mean X?'."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


# Names other tools give a field, and feedpub's (of an entry, then of the settings).
_OTHER_NAMES = {
    "author": ("byline", "publisher"),
    "authors": ("byline", "publisher"),
    "category": ("type",),
    "categories": ("tags",),
    "content": ("body",),
    "text": ("body",),
    "published": ("date",),
    "modified": ("updated",),
}


def unknown_field(name: str, known: Iterable[str]) -> str:
    known = list(known)
    ours = [other for other in _OTHER_NAMES.get(name.casefold(), ()) if other in known]
    suggestion = f"; did you mean {ours[0]}?" if ours else hint(name, known)
    if suggestion:
        return f"unknown field{suggestion}"
    return "unknown field; known fields are " + ", ".join(known)

"""Where a template's syntax error is, and how to fix it.

Jinja's syntax errors carry a line, not a column (Jinja 3.1.6). The template is parsed
again by Jinja's own lexer and parser, each token placed in the source, and the message
points at the token it is about: the misspelt tag's name, the unexpected token, the
`{% for %}` left open at the end of the file, the second block of a name. Nothing in the
page's text is pointed at: only tokens the lexer found inside `{{ }}`, `{% %}` or `{# #}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import jinja2
from jinja2 import nodes
from jinja2.lexer import Token, TokenStream, newline_re
from jinja2.parser import Parser, _statement_keywords

from feedpub.render.lookups import nearest

# The tags that open a block Jinja closes with "end" and their name (Jinja 3.1.6).
_BLOCKS = ("autoescape", "block", "call", "filter", "for", "if", "macro", "set", "trans", "with")
_INSIDE = {"else": "{% if %} or {% for %}", "elif": "{% if %}", "pluralize": "{% trans %}"}
_AFTER_EXPECTED = {
    "end of print statement": (
        "; end the {{ before it with }}, or join the two with an operator (~ joins them as text)"
    ),
    "end of statement block": "; end the tag before it with %}, or remove what follows",
    ",": "; separate two arguments or items with a comma, or close the bracket before it",
}
_VALUE_EXPECTED = (
    " where a value was expected: remove it, or write the value (a name, a number, a"
    ' "string") before it'
)
# Raised by Jinja's parser once it has taken the token they are about (Jinja 3.1.6).
_AFTER_IT = ("can't assign to", "non-default argument follows default argument")
_VALUE_MISSING = "; a value was expected before it: write it, or remove what asks for it"


@dataclass(frozen=True, slots=True)
class Found:
    """Where a syntax error is, by 1-based line and column, and what to write instead."""

    line: int
    column: int
    message: str


class _Placed:
    """The template's tokens as Jinja's parser takes them, each with its offset in the
    source as Jinja's lexer reads it (line breaks made \\n)."""

    def __init__(self, env: jinja2.Environment, source: str) -> None:
        self.env = env
        self.text = "\n".join(newline_re.split(source)[::2])
        self.at: dict[int, int] = {}  # id(token) -> offset
        self.tokens: list[Token] = []  # in order, kept so that their ids stay theirs
        self.raw: list[tuple[str, int]] = []  # every token of the lexer's, with its offset
        self.end = 0  # where the last token of the lexer's ends
        self.failed = ""  # "lexer" or "wrap" when one of them raised

    def _lexed(self) -> Iterator[tuple[int, str, str]]:
        lexed = self.env.lexer.tokeniter(self.text, None)
        while True:
            try:
                lineno, kind, value = next(lexed)
            except StopIteration:
                return
            except jinja2.TemplateSyntaxError:
                self.failed = "lexer"
                raise
            at = self.text.find(value, self.end) if value else self.end
            if at < 0:  # not where it should be: placed no further
                raise _Lost
            self.raw.append((kind, at))
            self.end = at + len(value)
            yield lineno, kind, value

    def stream(self) -> TokenStream:
        def placed() -> Iterator[Token]:
            try:
                for token in self.env.lexer.wrap(self._lexed()):
                    self.at[id(token)] = self.raw[-1][1]
                    self.tokens.append(token)
                    yield token
            except jinja2.TemplateSyntaxError:
                self.failed = self.failed or "wrap"
                raise

        return TokenStream(placed(), None, None)

    def where(self, at: int) -> tuple[int, int]:
        """The 1-based line and column of offset `at`."""
        start = self.text.rfind("\n", 0, at) + 1
        bom = 1 if start == 0 and self.text.startswith("\ufeff") and at > 0 else 0
        return self.text.count("\n", 0, at) + 1, at - start + 1 - bom

    def of(self, token: Token) -> tuple[int, int] | None:
        at = self.at.get(id(token))
        return None if at is None else self.where(at)

    def before(self, token: Token) -> Token | None:
        """The token the parser took before `token`."""
        index = next((i for i, t in enumerate(self.tokens) if t is token), 0)
        return self.tokens[index - 1] if index > 0 else None


class _Lost(Exception):
    """A token of the lexer's not found in the source as expected."""


class _Parser(Parser):
    """Jinja's parser, keeping the name token of every tag it is parsing: those left when
    it fails are the tags still open, innermost last."""

    opened: list[Token]
    looked_for: list[str]  # the end tags Jinja was looking for when it failed

    def _fail_ut_eof(
        self, name: str | None, end_token_stack: list[tuple[str, ...]], lineno: int | None
    ) -> NoReturn:
        self.looked_for = [end.partition(":")[2] for ends in end_token_stack for end in ends]
        super()._fail_ut_eof(name, end_token_stack, lineno)

    def parse_statement(self) -> nodes.Node | list[nodes.Node]:
        self.opened.append(self.stream.current)
        node = super().parse_statement()
        self.opened.pop()
        return node


def located(env: jinja2.Environment, exc: jinja2.TemplateSyntaxError) -> Found | None:
    """Where `exc`, raised compiling a template, is in it, and what to write; None where
    no better place than the start of its line is found."""
    try:
        return _located(env, exc)
    except Exception:  # the template's error at its line, not a traceback that hides it
        return None


def _located(env: jinja2.Environment, exc: jinja2.TemplateSyntaxError) -> Found | None:
    source = getattr(exc, "source", None)  # a syntax error's (jinja2/debug.py, 3.1.6)
    if not isinstance(source, str):
        return None
    placed = _Placed(env, source)
    parser = _Parser(env, "", exc.name, exc.filename)
    parser.opened, parser.looked_for = [], []
    try:
        parser.stream = placed.stream()
        for ext in env.iter_extensions():  # as Environment._tokenize
            stream = ext.filter_stream(parser.stream)
            parser.stream = (
                stream if isinstance(stream, TokenStream) else TokenStream(stream, None, None)
            )
        parser.parse()
    except _Lost:
        return None
    except jinja2.TemplateSyntaxError as again:
        if again.message != exc.message or again.lineno != exc.lineno:
            return None
        found = _found(placed, parser, exc.message or "")
        # What is left open is pointed at where it opens, not where the template ends.
        moved = re.match(r"(?i)unexpected end of template|Missing end of", exc.message or "")
        return found if found is not None and (moved or found.line == exc.lineno) else None
    return _compiled(placed, exc.message or "", exc.lineno)


def _found(placed: _Placed, parser: _Parser, message: str) -> Found | None:
    if placed.failed == "lexer":
        return _lexer(placed, message)
    if placed.failed == "wrap":
        line, column = placed.where(placed.raw[-1][1])
        return Found(line, column, message)
    current = parser.stream.current
    if message.startswith(_AFTER_IT):  # Jinja has taken the token the message is about
        current = placed.before(current) or current
    if message.startswith("Unexpected end of template.") and parser.opened:
        return _left_open(placed, parser.opened[-1])
    if message.startswith("unexpected end of template"):
        return _unclosed_tag(placed, message)
    where = placed.of(current)
    if where is None:
        return None
    if message.startswith("Encountered unknown tag"):
        return Found(*where, _unknown_tag(placed, parser, current))
    if got := re.fullmatch(r"expected token '(.+)', got '(.+)'", message):
        before = placed.before(current)
        if got[1] == "name" and before is not None and before.value in ("block", "macro"):
            kind = before.value
            shape = "NAME" if kind == "block" else "NAME(ARGUMENTS)"
            return Found(*where, f"{{% {kind} %}} needs a name: {{% {kind} {shape} %}}")
        return Found(*where, message + _AFTER_EXPECTED.get(got[1], ""))
    if got := re.fullmatch(r"unexpected '(.+)'", message):
        ends = ("end of print statement", "end of statement block")
        return Found(*where, message + (_VALUE_MISSING if got[1] in ends else _VALUE_EXPECTED))
    if message == "tag name expected":
        return Found(*where, message + ": write the tag's name after {%")
    return Found(*where, message)


def _lexer(placed: _Placed, message: str) -> Found | None:
    """A token the lexer could not read: a character, an unclosed string, comment or raw
    block, a bracket closed that was never opened."""
    if char := re.fullmatch(r"unexpected char (.+) at (\d+)", message):
        line, column = placed.where(int(char[2]))
        if char[1] in ('"\'"', "'\"'"):
            quote = char[1][1]
            return Found(
                line, column, f"a string opened with {quote} is never closed: end it with {quote}"
            )
        return Found(
            line, column, f"unexpected character {char[1]}: write it in a string or in the text"
        )
    for kind, what, end in (("comment_begin", "comment {#", "#}"), ("raw_begin", "{% raw %}", "")):
        if message.startswith(f"Missing end of {'comment tag' if end else 'raw'}"):
            begun = [at for k, at in placed.raw if k == kind]
            if not begun:
                return None
            end = end or "{% endraw %}"
            return Found(*placed.where(begun[-1]), f"the {what} is never closed: add its {end}")
    at = len(placed.text) - len(placed.text[placed.end :].lstrip())
    line, column = placed.where(at)
    if message == "unexpected '}'":
        message += "; end {{ with }} and {% with %}, or remove it"
    return Found(line, column, message)


def _left_open(placed: _Placed, tag: Token) -> Found | None:
    """The tag left open at the end of the template, at its {%."""
    begun = placed.before(tag)
    where = placed.of(begun) if begun is not None else None
    if where is None:
        return None
    return Found(
        *where,
        f"{{% {tag.value} %}} is left open at the end of the template: it needs its"
        f" {{% end{tag.value} %}} where its body ends",
    )


def _unclosed_tag(placed: _Placed, message: str) -> Found | None:
    """A {{ or {% the template ends inside of."""
    begun = [t for t in placed.tokens if t.type in ("variable_begin", "block_begin")]
    where = placed.of(begun[-1]) if begun else None
    if where is None:
        return None
    end = "}}" if begun[-1].type == "variable_begin" else "%}"
    return Found(*where, f"{begun[-1].value} is never closed: end it with {end}")


def _unknown_tag(placed: _Placed, parser: _Parser, token: Token) -> str:
    name = str(token.value)
    looked_for = parser.looked_for
    innermost = parser.opened[-2] if len(parser.opened) > 1 else None
    if name in looked_for and innermost is not None:  # closes a block further out
        at = placed.of(placed.before(innermost) or innermost)
        where = f" at line {at[0]}, column {at[1]}" if at else ""
        return (
            f"{{% {name} %}} while the {{% {innermost.value} %}}{where} is still open: add"
            f" its {{% end{innermost.value} %}} before this"
        )
    opened = name.removeprefix("end")
    if (name.startswith("end") and opened in _BLOCKS) or name in _INSIDE:
        what = _INSIDE.get(name, f"{{% {opened} %}}")
        verb = "closes no" if name.startswith("end") else "is inside no"
        return f"{{% {name} %}} {verb} {what}: remove it, or add the {what} it belongs to"
    opening = {*_statement_keywords, "call", "filter", "raw", *parser.extensions}
    known = {*opening, *looked_for, *(f"end{tag}" for tag in _BLOCKS)}
    return f"unknown tag {name!r}" + nearest(
        name, known, "; the tags are Jinja's: " + ", ".join(sorted(opening))
    )


def _compiled(placed: _Placed, message: str, lineno: int | None) -> Found | None:
    """An error Jinja's compiler finds in a template that parses: a block's name used
    twice."""
    twice = re.fullmatch(r"block '(.+)' defined twice", message)
    if twice is None:
        return None
    names = [
        token
        for tag, token in zip(placed.tokens, placed.tokens[1:], strict=False)
        if tag.test("name:block") and token.test(f"name:{twice[1]}")
    ]
    first, second = (placed.of(token) for token in names[:2]) if len(names) > 1 else (None, None)
    if first is None or second is None or second[0] != lineno:
        return None
    return Found(
        *second,
        f"block {twice[1]!r} is defined twice, first at line {first[0]}, column {first[1]}:"
        " rename one of them",
    )

"""What one operation of a site's own template may make (see sandbox.py): at most MAX_MADE
characters or items more than the largest value it was given, MAX_DIGITS digits. A pull
request can change the templates, and a value doubled again and again would take the build
machine's memory; what could make a huge value is refused before it does, the rest once made.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame

MAX_MADE = 1_000_000
MAX_DIGITS = 10_000
_FORMAT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{7,})|\.(?:\*|\d{7,})|\{[^{}]*\d{7,}[^{}]*\}")


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A site's template went past a limit that bounds the time and memory it takes."""


def too_big(what: str) -> TemplateLimit:
    return TemplateLimit(f"{what}; a template may make at most {MAX_MADE:,} characters or items")


def check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_MADE:
            raise too_big(f"{value:,} is too large a number to pass")


class JoinsLimited(CodeGenerator):
    """Compiles `a ~ b` so that what it joins is measured (see Limited.joined): doubled 30
    times, a page's string took a gigabyte."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write("environment.joined((")  # as Jinja's own, the parts measured (3.1.6)
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write(f"), {join})")


def adds_too_much(sizes: Sequence[int]) -> bool:
    """Whether a value made of parts of these sizes adds more than MAX_MADE characters or
    items to the largest of them (a 2 MB body wrapped in a <div> adds a few)."""
    return sum(sizes) - max(sizes, default=0) > MAX_MADE


def measured(value: Any, what: str, given: Sequence[Any] = ()) -> Any:
    """`value`, unless it holds more than MAX_MADE characters or items more than the largest
    of what it was made from (`given`): a statement's body of 2 MB may be printed, wrapped
    in a <div>, but a value doubled again and again is stopped."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_MADE:
        sizes = [len(item) for item in given if isinstance(item, str | list | tuple)]
        for items in (item for item in given if isinstance(item, list | tuple)):
            sizes += [len(one) for one in items if isinstance(one, str | list | tuple)]  # |join
        if len(value) - max(sizes, default=0) > MAX_MADE:
            raise too_big(f"{what} {len(value):,} characters or items")
    return value


def check_text_method(text: str, name: str, args: Sequence[Any], kwargs: Any) -> None:
    """Refuse a text method that would make more than MAX_MADE characters, before it does."""
    if name == "replace" and len(args) >= 2:
        check_replace(text, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], Sequence) else ()
        if len(text) * max(0, len(items) - 1) > MAX_MADE:
            raise too_big(f"joining {len(items):,} items with {len(text):,} characters between")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and text.count("\t") * size > MAX_MADE:
            raise too_big(f"expanding {text.count(chr(9)):,} tabs to {size:,} spaces each")


def check_replace(text: Any, old: Any, new: Any, count: Any) -> None:
    text, old, new = str(text), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    if times * (len(new) - len(old)) > MAX_MADE:  # what it adds (see measured)
        raise too_big(f"replacing {times:,} times with {len(new):,} characters")


def measured_replace(replace: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(replace)
    def checked(context: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        check_replace(s, old, new, count)
        return replace(context, s, old, new, count)

    return checked


def measured_indent(indent: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(indent)
    def checked(s: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        each = width if isinstance(width, int) else len(str(width))
        lines = str(s).count("\n") + 1
        if lines * each > MAX_MADE:  # what it adds (see measured)
            raise too_big(f"indenting {lines:,} lines by {each:,} characters")
        return indent(s, width, *args, **kwargs)

    return checked


def measured_sum(add: Callable[..., Any]) -> Callable[..., Any]:
    """|sum of lists or texts, refused before it adds them up: each step copies the total
    so far, and a hundred lists of 99,999 items took longer than a page may."""

    @functools.wraps(add)
    def checked(context: Any, value: Any, attribute: Any = None, start: Any = 0) -> Any:
        items = list(value)
        sizes = [len(i) for i in (*items, start) if isinstance(i, str | list | tuple)]
        if adds_too_much(sizes):
            raise too_big(f"adding up to {sum(sizes):,} characters or items")
        return add(context, items, attribute, start)

    return checked


def measured_join(join: Callable[..., Any]) -> Callable[..., Any]:
    """|join, refusing before it joins more than MAX_MADE characters: a thousand copies of
    a long separator would be a gigabyte before it could be measured."""

    @functools.wraps(join)
    def checked(context: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value) if not isinstance(value, str) else value
        separators = len(str(d)) * max(0, len(items) - 1)
        if separators > MAX_MADE:
            raise too_big(f"joining {len(items):,} items with {separators:,} characters between")
        return measured(join(context, items, d, attribute), "joining", [items])

    return checked


def check_format(obj: Any, attribute: Any) -> None:
    """'{:>999999999}'.format(1) would make a gigabyte: refused when the method is looked up
    (the sandbox hands the call a wrapper that no longer shows the format)."""
    if attribute in ("format", "format_map") and isinstance(obj, str) and _FORMAT_WIDTH.search(obj):
        raise too_big(f"the format {obj[:40]!r} asks for a width too large")


def check_binop(operator: str, left: Any, right: Any) -> None:
    both_int = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and both_int and abs(left) > 1:
        if right * abs(left).bit_length() > MAX_DIGITS * 4:
            raise TemplateLimit(f"{left} ** {right} has more than {MAX_DIGITS:,} digits")
    elif operator == "*" and both_int:
        if left.bit_length() + right.bit_length() > MAX_DIGITS * 4:
            raise TemplateLimit(f"a product with more than {MAX_DIGITS:,} digits")
    elif operator == "*":
        for sequence, count in ((left, right), (right, left)):
            sized = isinstance(sequence, str | list | tuple) and isinstance(count, int)
            if sized and len(sequence) * count > MAX_MADE:
                raise too_big(f"repeating {len(sequence):,} items {count:,} times")
    elif operator == "%" and isinstance(left, str):
        check_percent(left, right)
    elif operator == "+":
        sizes = [len(side) for side in (left, right) if isinstance(side, str | list | tuple)]
        if adds_too_much(sizes):
            raise too_big(f"adding up to {sum(sizes):,} characters or items")


# A %-conversion: its width and precision (`%999999d`, `%.5s`, `%(name)s`).
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d*))?[A-Za-z]")


def check_percent(text: str, args: Any) -> None:
    """`text % args`, refused before it is made when its widths, precisions and values
    would add more than MAX_MADE characters: each `%999999d` of a format repeated 300
    times made 300 MB."""
    if _FORMAT_WIDTH.search(text):
        raise too_big(f"the format {text[:40]!r} asks for a width or precision too large")
    given = tuple(args.values()) if isinstance(args, dict) else args
    given = given if isinstance(given, tuple) else (given,)
    largest = max((len(a) for a in given if isinstance(a, str | list | tuple)), default=0)
    conversions = _CONVERSION.findall(text.replace("%%", ""))
    widths = sum(int(width or 0) + int(precision or 0) for width, precision in conversions)
    # What it adds to the largest value given (see measured): a body printed once is not.
    adds = len(text) + widths + max(0, len(conversions) - 1) * largest
    if adds > MAX_MADE:
        raise too_big(f"the format {text[:40]!r} would add up to {adds:,} characters")

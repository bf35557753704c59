"""What a site's own template may do. Its templates come from its repository, so from any
pull request: they run in Jinja's immutable sandbox (render/environment.py), and within
limits on the time a page takes and the size of what one operation makes, so that a
hostile template cannot hang or exhaust the build machine. What it shows should not show where
a value lies in memory (different on every build): a function printed or made into text
instead of called ({{ linked_data }}, {{ "On " ~ entry.published.isoformat }}) is refused
with its line, and so are items given one at a time (|map without |join); inside a list
or |pprint they show as their name. Babel's locale data, whose text is an address too, is
not given to templates, nor what differs between builds of one site (the clock, the
machine's zone and language, |random, lipsum(), where the build cache keeps a body). How a
function, items and a set are held is in render/textless.py.
"""

from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NoReturn

import babel
import jinja2
from babel.localedata import LocaleDataDict
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from feedpub.model import Body
from feedpub.render.textless import Cycler, Function, Joiner, held, textless

# A site's own template runs sandboxed: it cannot reach Python's internals, change the
# values it is given, nor (below) run for long or make a huge value. A page renders in
# milliseconds; PAGE_SECONDS stops a loop that would run for hours. Values a template may
# make with one operation or call: MAX_MADE characters or items, MAX_DIGITS digits.
PAGE_SECONDS = 10.0
MAX_MADE = 1_000_000
MAX_DIGITS = 10_000
_FORMAT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{7,})|\.(?:\*|\d{7,})|\{[^{}]*\d{7,}[^{}]*\}")


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A site's template went past a limit that bounds the time and memory it takes."""


def _too_big(what: str) -> TemplateLimit:
    return TemplateLimit(f"{what}; a template may make at most {MAX_MADE:,} characters or items")


def _check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_MADE:
            raise _too_big(f"{value:,} is too large a number to pass")


class _JoinsLimited(CodeGenerator):
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


def _measured(value: Any, what: str, given: Sequence[Any] = ()) -> Any:
    """`value`, unless it holds more than MAX_MADE characters or items more than the largest
    of what it was made from (`given`): a statement's body of 2 MB may be printed, wrapped
    in a <div>, but a value doubled again and again is stopped."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_MADE:
        sizes = [len(item) for item in given if isinstance(item, str | list | tuple)]
        if len(value) - max(sizes, default=0) > MAX_MADE:
            raise _too_big(f"{what} {len(value):,} characters or items")
    return value


class Limited:
    """The limits of a site's own templates, for a sandboxed environment."""

    # "-" for what it may give: a set (d.keys() - ["x"]), held in order (see Sorted); "+"
    # for what it may join (see _check_binop).
    intercepted_binops = frozenset({"*", "**", "%", "-", "+"})
    code_generator_class: type[CodeGenerator] = _JoinsLimited

    def joined(self, parts: Sequence[Any], join: Callable[[Sequence[Any]], str]) -> Any:
        return _measured(join(parts), "joining", parts)

    def compile(self, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        """Compile, naming the template whose blocks nest too deeply for Jinja's parser (a
        RecursionError, which names no template)."""
        try:
            return super().compile(source, name, *args, **kwargs)  # type: ignore[misc]
        except RecursionError:
            raise jinja2.TemplateSyntaxError(
                "blocks nested too deeply to compile: nest fewer {% if %}, {% for %} and"
                " {% block %} inside one another",
                lineno=1,
                name=name,
                filename=args[0] if args else kwargs.get("filename"),
            ) from None

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return textless(super().call_binop(context, operator, left, right))  # type: ignore[misc]

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        if isinstance(__obj, Function):  # the sandbox checks the function itself
            __obj = __obj.function
        _check_zone(__obj, args, kwargs)
        if isinstance(getattr(__obj, "__self__", None), str):  # "x".replace(...), .join(...)
            _check_text_method(__obj.__self__, __obj.__name__, args, kwargs)
        made = super().call(__context, __obj, *args, **kwargs)  # type: ignore[misc]
        made = _measured(made, "making", (getattr(__obj, "__self__", None), *args))
        # Items a call gives, and a set, are held as a filter's are; a function it gives
        # is not (joiner() makes one that prints as <joiner>).
        return textless(made) if isinstance(made, Iterator | set | frozenset) else made

    def getattr(self, obj: Any, attribute: str) -> Any:
        obj = held(obj)  # a macro's .name, self.title.super()
        _check_format(obj, attribute)
        return textless(super().getattr(obj, attribute))  # type: ignore[misc]

    def getitem(self, obj: Any, argument: Any) -> Any:
        obj = held(obj)
        _check_format(obj, argument)
        return textless(super().getitem(obj, argument))  # type: ignore[misc]

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Babel's locale data (page_text.locale.eras, .months...) are mappings whose text
        # is where they lie in memory, and so is that of much of what they hold: no
        # template is given them (a wrapper could not keep them mappings, and leaked
        # through .get(), .values() and loops).
        if isinstance(value, LocaleDataDict | property) or _machine(obj, attr) is not None:
            return False
        return super().is_safe_attribute(obj, attr, value)  # type: ignore[misc, no-any-return]

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        message = _machine(obj, attribute)
        if message is None and isinstance(getattr(obj, attribute, None), LocaleDataDict):
            message = (
                f"{attribute!r} is babel's locale data, which templates are not given (its"
                " text would show where it lies in memory, a page different on every"
                " build): show a date with |long_date, a time with |release_time, a"
                " language's name with |language_name"
            )
        if message is None and isinstance(getattr(obj, attribute, None), property):
            message = (
                f"{attribute!r} is read from {getattr(obj, '__name__', 'a class')} itself, not"
                " from one it made, which shows only where it lies in memory: read it from"
                " the value that has it"
            )
        if message is None:
            return super().unsafe_undefined(obj, attribute)  # type: ignore[misc, no-any-return]
        return self.undefined(message, name=attribute, obj=obj, exc=SecurityError)  # type: ignore[attr-defined, no-any-return]


# What a template could read that differs from one build to the next though the site did
# not: the build machine's clock and language settings, where the build cache lies.
_CLOCK = (
    "reads the build machine's clock, which --now does not set (a page different on every"
    " build): show the statement's own dates, entry.published and entry.updated"
)
_MACHINE: Mapping[str, tuple[tuple[type, str], ...]] = {
    "now": ((datetime, _CLOCK),),
    "utcnow": ((datetime, _CLOCK),),
    "today": ((date, _CLOCK),),
    "default": (
        (
            babel.Locale,
            "reads the build machine's language settings (LANG, LANGUAGE), a page different"
            " on each machine: the page's own locale is page_text.locale",
        ),
    ),
    **{
        name: (
            (
                Body,
                f"{name!r} is where feedpub keeps the body, which differs from one build to"
                " the next: show the body with entry.body_html",
            ),
        )
        for name in ("stored", "html_text", "absolute_text")
    },
}


def _machine(obj: Any, attribute: str) -> str | None:
    """Why reading `attribute` of `obj` would make a page differ between builds of the
    same site, or None."""
    for kind, message in _MACHINE.get(attribute, ()):
        if isinstance(obj, kind):
            return message
    return None


def _check_zone(function: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """astimezone() and fromtimestamp(t) without a zone, and timestamp() of a time without
    one, use the build machine's zone."""
    name = getattr(function, "__name__", None)
    owner = getattr(function, "__self__", None)
    if name == "timestamp" and isinstance(owner, datetime) and owner.tzinfo is None:
        raise jinja2.TemplateRuntimeError(
            "timestamp() of a time without its zone reads it in the build machine's zone, a"
            " page different on each machine: keep the zone (entry.published.timestamp())"
        )
    if name not in ("astimezone", "fromtimestamp"):
        return
    if not isinstance(owner, date) and not (isinstance(owner, type) and issubclass(owner, date)):
        return
    if "tz" in kwargs or len(args) >= (1 if name == "astimezone" else 2):
        return
    example = {"astimezone": "astimezone(site.config.timezone)"}.get(
        name, "entry.published.fromtimestamp(t, site.config.timezone)"
    )
    raise jinja2.TemplateRuntimeError(
        f"{name}() without a zone gives a time in the build machine's zone, a page"
        f" different on each machine: name the zone, as in {example}"
    )


def _refused(name: str, message: str) -> Callable[..., NoReturn]:
    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        raise jinja2.TemplateRuntimeError(message)

    refused.__name__ = refused.__qualname__ = name
    return refused


_RANDOM = (
    "|random picks anew on every build, and a page must be the same on every build: pick by"
    " something of the page, as in items[entry.published.day % items|length]"
)
_LIPSUM = (
    "lipsum() makes new placeholder text on every build, and a page must be the same on"
    " every build: write the text"
)


def sandboxed_globals(globals_: dict[str, Any]) -> dict[str, Any]:
    """The environment's globals as a site's own template is given them: its functions
    never become text (linked_data, _, range), nor do cycler() and joiner(); lipsum(),
    different on every build, is refused."""
    found = {name: textless(value) for name, value in globals_.items()}
    found.update(cycler=Cycler, joiner=Joiner, lipsum=textless(_refused("lipsum", _LIPSUM)))
    return found


def sandboxed_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """The environment's filters as a site's own template is given them: guarded (see
    guarded_filter); |random, different on every build, is refused."""
    found = {name: guarded_filter(function) for name, function in filters.items()}
    found["random"] = _refused("random", _RANDOM)
    found["join"] = _measured_join(found["join"])
    found["replace"] = _measured_replace(found["replace"])
    found["indent"] = _measured_indent(found["indent"])
    return found


def _check_text_method(text: str, name: str, args: Sequence[Any], kwargs: Any) -> None:
    """Refuse a text method that would make more than MAX_MADE characters, before it does."""
    if name == "replace" and len(args) >= 2:
        _check_replace(text, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], Sequence) else ()
        if len(text) * max(0, len(items) - 1) > MAX_MADE:
            raise _too_big(f"joining {len(items):,} items with {len(text):,} characters between")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and text.count("\t") * size > MAX_MADE:
            raise _too_big(f"expanding {text.count(chr(9)):,} tabs to {size:,} spaces each")


def _check_replace(text: Any, old: Any, new: Any, count: Any) -> None:
    text, old, new = str(text), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    if len(text) + times * len(new) > MAX_MADE:
        raise _too_big(f"replacing {times:,} times with {len(new):,} characters")


def _measured_replace(replace: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(replace)
    def measured(context: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        _check_replace(s, old, new, count)
        return replace(context, s, old, new, count)

    return measured


def _measured_indent(indent: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(indent)
    def measured(s: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        each = width if isinstance(width, int) else len(str(width))
        lines = str(s).count("\n") + 1
        if len(str(s)) + lines * each > MAX_MADE:
            raise _too_big(f"indenting {lines:,} lines by {each:,} characters")
        return indent(s, width, *args, **kwargs)

    return measured


def _measured_join(join: Callable[..., Any]) -> Callable[..., Any]:
    """|join, refusing before it joins more than MAX_MADE characters: a thousand copies of
    a long separator would be a gigabyte before it could be measured."""

    @functools.wraps(join)
    def measured(context: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value) if not isinstance(value, str) else value
        separators = len(str(d)) * max(0, len(items) - 1)
        if separators > MAX_MADE:
            raise _too_big(f"joining {len(items):,} items with {separators:,} characters between")
        return _measured(join(context, items, d, attribute), "joining")

    return measured


def _check_format(obj: Any, attribute: Any) -> None:
    """'{:>999999999}'.format(1) would make a gigabyte: refused when the method is looked up
    (the sandbox hands the call a wrapper that no longer shows the format)."""
    if attribute in ("format", "format_map") and isinstance(obj, str) and _FORMAT_WIDTH.search(obj):
        raise _too_big(f"the format {obj[:40]!r} asks for a width too large")


def _check_binop(operator: str, left: Any, right: Any) -> None:
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
                raise _too_big(f"repeating {len(sequence):,} items {count:,} times")
    elif operator == "%" and isinstance(left, str) and _FORMAT_WIDTH.search(left):
        raise _too_big(f"the format {left[:40]!r} asks for a width or precision too large")
    elif operator == "+":
        sizes = [len(side) for side in (left, right) if isinstance(side, str | list | tuple)]
        if sum(sizes) > MAX_MADE and sum(sizes) - max(sizes) > MAX_MADE:  # see _measured
            raise _too_big(f"adding up to {sum(sizes):,} characters or items")


def guarded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter for sandboxed templates: refuses numbers past MAX_MADE (|center(10**9)), and
    a function it gives (|attr("isoformat"), |first) never becomes text."""
    passes = getattr(function, "jinja_pass_arg", None)
    skip = 2 if passes is not None else 1  # the context (or environment), then the value

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[skip:], kwargs)
        made = function(*args, **kwargs)
        return textless(_measured(made, "making", args[skip - 1 :]))  # |sum of lists

    return guarded


class TemplateTimeout(jinja2.TemplateRuntimeError):
    """A page of a site's own templates took longer than PAGE_SECONDS to render."""


@contextlib.contextmanager
def deadline(env: jinja2.Environment) -> Iterator[None]:
    """Stop rendering with a site's templates after PAGE_SECONDS. Only where a timer
    signal can interrupt: the main thread of a process on a system that has one (so not in
    `feedpub serve`'s rebuilds, which run on the previewer's own machine)."""
    if (
        not isinstance(env, ImmutableSandboxedEnvironment)
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TemplateTimeout(
            f"a page took more than {PAGE_SECONDS:g} s to render, and a page of the site's"
            " own templates may take at most that: look for a loop that runs too long"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, PAGE_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

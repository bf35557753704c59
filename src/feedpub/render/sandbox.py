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
from datetime import date, datetime, time
from time import monotonic
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import babel
import jinja2
from babel.localedata import LocaleDataDict
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from feedpub.model import Body, Entry
from feedpub.render.limits import (
    JoinsLimited,
    check_arguments,
    check_binop,
    check_format,
    check_text_method,
    measured,
    measured_indent,
    measured_join,
    measured_replace,
    measured_sum,
)
from feedpub.render.textless import Cycler, Function, Joiner, held, textless

# A site's own template runs sandboxed: it cannot reach Python's internals, change the
# values it is given, nor (below) run for long or (render/limits.py) make a huge value. A
# page renders in milliseconds; PAGE_SECONDS stops a loop that would run for hours, and
# PAGE_MEMORY one that prints a megabyte a thousand times over (gigabytes within seconds:
# the build machine would kill the build, with no word of which template did it).
PAGE_SECONDS = 10.0
PAGE_MEMORY = 1 << 30  # bytes a page may add to the process's address space
# Beside each page's limit, the pages a process makes share a budget: PAGE_SECONDS to
# begin with, PAGE_SHARE more for each page begun, never more than SHARED_SECONDS. A page
# renders in milliseconds; one slow on every page (8 s each) made a check of a 1,000-page
# site take two hours, where it now stops within a minute or two.
PAGE_SHARE = 0.2
SHARED_SECONDS = 60.0


class Limited:
    """The limits of a site's own templates, for a sandboxed environment."""

    # "-" for what it may give: a set (d.keys() - ["x"]), held in order (see Sorted); "+"
    # for what it may join (see check_binop).
    intercepted_binops = frozenset({"*", "**", "%", "-", "+"})
    code_generator_class: type[CodeGenerator] = JoinsLimited

    def joined(self, parts: Sequence[Any], join: Callable[[Sequence[Any]], str]) -> Any:
        return measured(join(parts), "joining", parts)

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
        check_binop(operator, left, right)
        made = super().call_binop(context, operator, left, right)  # type: ignore[misc]
        if operator == "%":  # measured against its format and the values it was given
            values = tuple(right.values()) if isinstance(right, Mapping) else right
            made = measured(made, "making", (left, values))
        return textless(made)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        check_arguments(args, kwargs)
        if isinstance(__obj, Function):  # the sandbox checks the function itself
            __obj = __obj.function
        _check_zone(__obj, args, kwargs)
        if isinstance(getattr(__obj, "__self__", None), str):  # "x".replace(...), .join(...)
            check_text_method(__obj.__self__, __obj.__name__, args, kwargs)
        made = super().call(__context, __obj, *args, **kwargs)  # type: ignore[misc]
        made = measured(made, "making", (getattr(__obj, "__self__", None), *args))
        # Items a call gives, and a set, are held as a filter's are; a function it gives
        # is not (joiner() makes one that prints as <joiner>).
        return textless(made) if isinstance(made, Iterator | set | frozenset) else made

    def getattr(self, obj: Any, attribute: str) -> Any:
        obj = held(obj)  # a macro's .name, self.title.super()
        check_format(obj, attribute)
        return textless(super().getattr(obj, attribute))  # type: ignore[misc]

    def getitem(self, obj: Any, argument: Any) -> Any:
        obj = held(obj)
        check_format(obj, argument)
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
                ZoneInfo,
                f'{name!r} reads zones from the build machine ("localtime" is its own), a'
                " page different on each machine: the site's zone is site.config.timezone",
            ),
        )
        for name in ("no_cache", "from_file", "clear_cache")
    },
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
    **{
        name: (
            (
                Entry,
                f"{name!r} depends on the folder the build was started from (entries/... here,"
                " the whole path there), a page different on each machine: a statement is"
                " named by entry.id and entry.path",
            ),
        )
        for name in ("source", "key")
    },
}


def _machine(obj: Any, attribute: str) -> str | None:
    """Why reading `attribute` of `obj` would make a page differ between builds of the
    same site, or None."""
    for kind, message in _MACHINE.get(attribute, ()):
        if isinstance(obj, kind):
            return message
    return None


# glibc's %s (with any flag, width or modifier): seconds since 1970, in the machine's zone;
# in a format string, inside a field's spec ("{0.published:%s}": any value, so any path).
_EPOCH_SECONDS = re.compile(r"%[-_0^#]*\d*[EO]?s")
_EPOCH_FIELD = re.compile(r"\{[^{}]*:[^{}]*%[-_0^#]*\d*[EO]?s[^{}]*\}")


def _epoch_seconds(name: Any, owner: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> bool:
    """Whether a call formats a date or time with %s: `d.strftime("%s")`, `"{:%s}".format(d)`."""
    if name == "strftime" and isinstance(owner, date | time) and args:
        return _EPOCH_SECONDS.search(str(args[0]).replace("%%", "")) is not None
    if name in ("format", "format_map") and isinstance(owner, str):
        return _EPOCH_FIELD.search(owner.replace("%%", "")) is not None
    return False


def _check_zone(function: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """astimezone() and fromtimestamp(t) without a zone, timestamp() or astimezone() of a
    time without one, and %s in a date's format use the build machine's zone."""
    function = getattr(function, "__wrapped__", function)  # Jinja wraps str.format at access
    name = getattr(function, "__name__", None)
    owner = getattr(function, "__self__", None)
    naive = isinstance(owner, datetime) and owner.tzinfo is None
    if name in ("timestamp", "astimezone") and naive:
        kept = {"timestamp": "timestamp()", "astimezone": "astimezone(site.config.timezone)"}
        raise jinja2.TemplateRuntimeError(
            f"{name}() of a time without its zone reads it in the build machine's zone, a"
            f" page different on each machine: keep the zone (entry.published.{kept[name]})"
        )
    if _epoch_seconds(name, owner, args, kwargs):
        raise jinja2.TemplateRuntimeError(
            "%s counts seconds in the build machine's zone, a page different on each"
            " machine: show them with entry.published.timestamp()|int"
        )
    if name not in ("astimezone", "fromtimestamp"):
        return
    if not isinstance(owner, date) and not (isinstance(owner, type) and issubclass(owner, date)):
        return
    at = 0 if name == "astimezone" else 1  # where the zone is among the arguments
    if kwargs.get("tz", args[at] if len(args) > at else None) is not None:
        return  # (astimezone(none) is the machine's zone too)
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
    found["join"] = measured_join(found["join"])
    found["replace"] = measured_replace(found["replace"])
    found["indent"] = measured_indent(found["indent"])
    found["sum"] = measured_sum(found["sum"])
    return found


def guarded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter for sandboxed templates: refuses numbers past MAX_MADE (|center(10**9)), and
    a function it gives (|attr("isoformat"), |first) never becomes text."""
    passes = getattr(function, "jinja_pass_arg", None)
    skip = 2 if passes is not None else 1  # the context (or environment), then the value

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_arguments(args[skip:], kwargs)
        made = function(*args, **kwargs)
        return textless(measured(made, "making", args[skip - 1 :]))  # |sum of lists

    return guarded


class TemplateTimeout(jinja2.TemplateRuntimeError):
    """A page of a site's own templates took longer than PAGE_SECONDS to render."""


class TemplateMemory(jinja2.TemplateRuntimeError):
    """A page of a site's own templates needed more than PAGE_MEMORY to render."""


@contextlib.contextmanager
def deadline(env: jinja2.Environment) -> Iterator[None]:
    """Stop rendering with a site's templates after PAGE_SECONDS, or past PAGE_MEMORY more
    memory. Only where a timer signal can interrupt, and no other thread allocates: the
    main thread of a process on a system that has both (so not in `feedpub serve`'s
    rebuilds, which run on the previewer's own machine)."""
    global _WITHIN, _LEFT
    if (
        _WITHIN  # a part rendered for the page (its feeds' links): the page's limits hold
        or not isinstance(env, ImmutableSandboxedEnvironment)
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    _LEFT = min(_LEFT + PAGE_SHARE, SHARED_SECONDS)
    allowed, began = max(min(PAGE_SECONDS, _LEFT), 0.001), monotonic()  # 0 would stop it

    def expire(signum: int, frame: Any) -> None:
        if allowed < PAGE_SECONDS:  # the pages before took the rest
            raise TemplateTimeout(
                f"the site's own templates took {PAGE_SHARE:g} s a page or more, far more"
                " than a page takes (milliseconds), over the pages made before this one: look"
                " for a loop that runs too long, or work done again on every page"
            )
        raise TemplateTimeout(
            f"a page took more than {PAGE_SECONDS:g} s to render, and a page of the site's"
            " own templates may take at most that: look for a loop that runs too long"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, allowed)
    restore: Callable[[], None] = lambda: None  # noqa: E731 - until the limit is lowered
    _WITHIN = True
    try:
        restore = _memory_capped()
        yield
    except MemoryError as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)  # no timeout raised within what follows
        restore()  # first: making the message needs memory too
        raise TemplateMemory(
            f"a page needed more than {PAGE_MEMORY >> 20:,} MB of memory to render, and a page"
            " of the site's own templates may use at most that: look for a loop that prints"
            " too much"
        ).with_traceback(exc.__traceback__) from None  # its frames name the template's line
    finally:
        _WITHIN = False
        signal.setitimer(signal.ITIMER_REAL, 0)  # first: a timeout now would skip the rest
        restore()
        signal.signal(signal.SIGALRM, previous)
        _LEFT -= monotonic() - began


_WITHIN = False  # a page is being rendered under deadline()
_LEFT = PAGE_SECONDS  # of the budget the pages of this process share


def _memory_capped() -> Callable[[], None]:
    """Lower the process's address-space limit to what it uses now and PAGE_MEMORY more
    (never above a limit already set); returns what sets the limit back."""
    try:
        import resource

        with open("/proc/self/statm", "rb") as status:  # Linux: pages of address space
            used = int(status.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, IndexError):  # another system: no cap
        return lambda: None
    cap = used + PAGE_MEMORY
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        return lambda: None  # a lower limit is set already
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

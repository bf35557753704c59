"""Values as a site's own template holds them, so that their text is the same on every
build of one site: never where a value lies in memory (a function, items given one at a
time), never the order of a hash table (a set)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jinja2

_PRINTS_A_FUNCTION = (
    "{} a function itself, not what it gives (which would show only where it lies in"
    " memory): call it, with its arguments in ( ) after its name"
)


def printed(value: Any) -> Any:
    """What `{{ value }}` prints (the environment's finalize): a function printed rather
    than called would show where it lies in memory, a page different on every build."""
    if callable(value) and not isinstance(value, jinja2.Undefined):
        raise jinja2.TemplateRuntimeError(_PRINTS_A_FUNCTION.format("prints"))
    return value


class Function:
    """A function or method as a site's template holds it: called, it is the function (the
    sandbox calls the function itself, see Limited.call); made into text (`~`, |string,
    |e, `%`, format) it is refused, as printing it is. Its repr (|pprint, a list printed)
    is its name alone, never where it lies in memory."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)

    def __str__(self) -> str:
        raise jinja2.TemplateRuntimeError(_PRINTS_A_FUNCTION.format("makes text of"))

    __html__ = __str__

    def __format__(self, spec: str) -> str:
        return str(self)

    def __repr__(self) -> str:
        function = self.function
        name = getattr(function, "__name__", None) or getattr(function, "name", None)
        return f"<function {name or type(function).__name__}>"

    def __eq__(self, other: object) -> bool:
        return bool(self.function == (other.function if isinstance(other, Function) else other))

    def __hash__(self) -> int:
        return hash(self.function)


class Items:
    """What a filter gives one at a time (|map, |select, |reverse...), as a site's template
    holds it: it goes through a loop, |list or |join, and is refused as text (printing it
    as it is shows where it lies in memory)."""

    __slots__ = ("items",)

    def __init__(self, items: Iterator[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return self.items

    def __next__(self) -> Any:
        return next(self.items)

    def __str__(self) -> str:
        raise jinja2.TemplateRuntimeError(
            "makes text of items given one at a time (which would show only where they lie"
            ' in memory): add |list, or |join(", ") to show them'
        )

    __html__ = __str__

    def __format__(self, spec: str) -> str:
        return str(self)

    def __repr__(self) -> str:
        return "<items>"


def held(value: Any) -> Any:
    """What a Function or Items holds: its attributes and items are the template's."""
    if isinstance(value, Function):
        return value.function
    return value.items if isinstance(value, Items) else value


def textless(value: Any) -> Any:
    """`value`, wrapped if its text would show where it lies in memory (a function, items
    given one at a time: Function, Items) or the order of a hash table (a set: Sorted)."""
    kind = type(value)
    wrap = _WRAPS.get(kind, _UNKNOWN)
    if wrap is _UNKNOWN:  # decided once per type: templates read thousands of values a page
        wrap = _WRAPS[kind] = _wrap(kind)
    return value if wrap is None else wrap(value)


_UNKNOWN: Any = object()
_WRAPS: dict[type, Callable[[Any], Any] | None] = {}


def _wrap(kind: type) -> Callable[[Any], Any] | None:
    if issubclass(kind, Function | Items | Sorted | type | jinja2.Undefined):
        return None
    if issubclass(kind, set | frozenset):
        return Sorted
    if issubclass(kind, Iterator):
        return Items
    if any("__call__" in vars(base) for base in kind.__mro__):  # its values are callable
        return Function
    return None


class Sorted(frozenset[Any]):
    """A set as a site's template holds it ({{ d.keys() - ['x'] }}, a.union(b)): gone
    through (a loop, |list, |join, |first) and shown in sorted order. In its own order, that
    of a hash table, it would differ from one run of Python to the next (PYTHONHASHSEED),
    and so a page from one build of the same site to the next. Its set operations still
    work, giving another."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter(_in_order(frozenset.__iter__(self)))

    def __repr__(self) -> str:
        return "{" + ", ".join(map(repr, self)) + "}" if self else "set()"

    __str__ = __repr__


def _in_order(items: Iterator[Any]) -> list[Any]:
    """Items in their own order where they have one, else by their type and text."""
    found = list(items)
    try:
        return sorted(found)
    except TypeError:  # of several types, or of one without an order
        return sorted(found, key=lambda item: (type(item).__qualname__, repr(item)))


class Cycler(jinja2.utils.Cycler):
    """Jinja's cycler(), whose text is the same on every build."""

    def __repr__(self) -> str:
        return "<cycler>"


class Joiner(jinja2.utils.Joiner):
    """Jinja's joiner(), whose text is the same on every build."""

    def __repr__(self) -> str:
        return "<joiner>"

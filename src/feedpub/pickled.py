"""Frozen dataclasses with slots that travel between a build and its forked workers.

Each compiled entry comes back from a worker pickled, and so does what was written of each
output: 10,000 of each at 10,000 statements. A frozen dataclass with slots is pickled by
methods dataclasses add, which call `fields()` for every object, and set each field by
name: half the time of pickling a compiled entry, in a worker, and of loading it, in the
building process. `across_processes` gives a class the same state, a tuple of its fields in
order, read at once and set through the slots themselves. Nothing pickled is ever stored:
a worker is a fork of the process that loads its results, with the same classes.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, TypeVar

T = TypeVar("T")


def across_processes(cls: type[T]) -> type[T]:
    """Pickle `cls` (a frozen dataclass with slots) by a tuple of its fields. A subclass
    that is no dataclass with slots of its own (its fields unknown here) is pickled as
    dataclasses do it, field by field."""
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    setters = tuple(getattr(cls, name).__set__ for name in names)  # the slots' descriptors
    read = operator.attrgetter(*names) if names else lambda _: ()
    single = len(names) == 1  # attrgetter of one name gives the value, not a tuple

    def getstate(self: T) -> Any:
        if type(self) is not cls:
            return [getattr(self, f.name) for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        state = read(self)
        return (state,) if single else state

    def setstate(self: T, state: Any) -> None:
        if type(self) is not cls:
            fields = dataclasses.fields(self)  # type: ignore[arg-type]
            for field, value in zip(fields, state, strict=True):
                object.__setattr__(self, field.name, value)
            return
        for setter, value in zip(setters, state, strict=True):
            setter(self, value)

    setattr(cls, "__getstate__", getstate)  # noqa: B010 - a method mypy will not let be set
    setattr(cls, "__setstate__", setstate)  # noqa: B010
    return cls

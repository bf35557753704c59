"""Spread work over the machine's cores with forked workers that inherit the work's state.

Forked workers see the parent's memory as it was at the fork: the function (a closure is
fine) and everything it refers to need no pickling; only each item and each result travel.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_FUNCTION: Callable[[Any], Any] | None = None


def _call(item: Any) -> Any:
    assert _FUNCTION is not None
    return _FUNCTION(item)


def workers() -> int:
    """How many worker processes pay: one per core, none under threads or without fork."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1  # forking a threaded process (feedpub serve) can deadlock
    return min(os.cpu_count() or 1, 8)


def fork_map(function: Callable[[T], R], items: Iterable[T], count: int) -> Iterator[R]:
    """`map(function, items)` on `count` forked workers, results in order.

    At most two items per worker are in flight: results the caller has not taken yet do
    not pile up in memory (a site's pages and feeds, made faster than they are written,
    would be gigabytes)."""
    items = list(items)
    if count <= 1 or len(items) <= 1:
        yield from map(function, items)
        return
    global _FUNCTION
    _FUNCTION = function
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            waiting = iter(items)
            pending: deque[Future[R]] = deque(
                pool.submit(_call, item) for item in itertools.islice(waiting, 2 * count)
            )
            while pending:
                result = pending.popleft().result()
                pending.extend(pool.submit(_call, item) for item in itertools.islice(waiting, 1))
                yield result
    finally:
        _FUNCTION = None

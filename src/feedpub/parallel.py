"""Spread work over the machine's cores with forked workers that inherit the work's state.

Forked workers see the parent's memory as it was at the fork: the function (a closure is
fine) and everything it refers to need no pickling; only each item and each result travel.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from feedpub.forked import interrupts_held, let_interrupts_through

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")

_FUNCTION: Callable[[Any], Any] | None = None


def _start_worker(parent: int) -> None:
    """Leave Ctrl-C to the process that forked this worker, and die with it.

    A terminal sends Ctrl-C's SIGINT to the whole process group: a worker waiting for work
    printed a KeyboardInterrupt traceback of its own under the parent's one-line message.
    The parent stops the pool instead, and its workers finish the item in hand.

    Killed (SIGKILL, a CI job cancelled), the parent cannot stop its workers, and they
    would wait for work for ever, holding the locks it held: the next build would wait for
    ever too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    let_interrupts_through()  # forked under interrupts_held
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: Linux; elsewhere nothing to do
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # died before the call above
        os._exit(1)


def _call(item: Any) -> Any:
    assert _FUNCTION is not None
    return _FUNCTION(item)


def workers() -> int:
    """How many worker processes pay: one per core, none under threads or without fork."""
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        return 1  # forking a threaded process (feedpub serve) can deadlock
    return min(os.cpu_count() or 1, 8)


def fork_map(
    function: Callable[[T], R],
    items: Iterable[T],
    count: int,
    renew_after: int = 0,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[R]:
    """`map(function, items)` on `count` forked workers, results in order; `meanwhile` is
    called once the first workers are at work (first, with no workers).

    At most two items per worker are in flight: results the caller has not taken yet do
    not pile up in memory (a site's pages and feeds, made faster than they are written,
    would be gigabytes). With `renew_after`, the workers are replaced by new ones, forked
    from the parent as it is then, once they have taken that many items each: a worker
    copies each page of the parent's memory holding an object it reads (reading one writes
    its reference count), and keeps what its allocator grew to; over the 100,000 pages of
    a large site, that was most of the parent, in each worker."""
    items = list(items)
    if count <= 1 or len(items) <= 1:
        if meanwhile is not None:
            meanwhile()
        yield from map(function, items)
        return
    size = count * renew_after if renew_after > 0 else len(items)
    for start in range(0, len(items), size):
        yield from _pool_map(function, items[start : start + size], count, meanwhile)
        meanwhile = None


def _pool_map(
    function: Callable[[T], R],
    items: list[T],
    count: int,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[R]:
    """fork_map on one pool of workers, forked now."""
    with Pool(function, min(count, len(items))) as pool:
        yield from pool.map(items, meanwhile)


class Pool(Generic[T, R]):
    """Workers for several maps of one function in turn, forked at the first map that uses
    them: each map's results in order, as fork_map's. Each fork costs what a worker copies
    of the parent's memory again (see fork_map), and what it kept warm: the steps of a
    build's writing share one pool (a pool for each step took 8% more CPU time at 10,000
    statements)."""

    def __init__(self, function: Callable[[T], R], count: int) -> None:
        self.function, self.count = function, count
        self._pool: Any = None  # a ProcessPoolExecutor once forked

    @property
    def forked(self) -> bool:
        return self._pool is not None

    def __enter__(self) -> Pool[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, items: Iterable[T], meanwhile: Callable[[], object] | None = None) -> Iterator[R]:
        """`map(function, items)` on the workers: at most two items per worker in flight;
        `meanwhile` is called once they are at work."""
        global _FUNCTION
        waiting = iter(items)
        pending: deque[Future[R]] = deque()
        try:
            with interrupts_held():  # the first submission forks every worker
                if self._pool is None:
                    self._pool = _executor(self.count)
                held, _FUNCTION = _FUNCTION, self.function  # what the workers inherit
                try:
                    first = list(itertools.islice(waiting, 2 * self.count))
                    pending.extend(self._pool.submit(_call, item) for item in first)
                finally:
                    _FUNCTION = held
            if meanwhile is not None:
                meanwhile()
            while pending:
                result = pending.popleft().result()
                following = itertools.islice(waiting, 1)
                pending.extend(self._pool.submit(_call, item) for item in following)
                yield result
        except BaseException:  # Ctrl-C, or the caller stopped: start nothing more
            self.__exit__()
            raise


def _executor(count: int) -> Any:
    # Imported when first needed: adding a statement forks no pool (a hundredth of it).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        count,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )

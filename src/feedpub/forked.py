"""Work done by a forked child while the caller goes on, its result brought back through a
pipe as JSON (made by this process's own child, never read from a file). Standard library
only: the no-change check uses it before any heavy module is imported.

Where forking is unsafe (threads: `feedpub serve`) or impossible, or the child fails, the
work is done in the caller when its result is asked for, and its error is raised there.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no fork either
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")
PIPE_SIZE = 1 << 20


def can_fork() -> bool:
    """False where a forked child could deadlock (threads: `feedpub serve`) or cannot be."""
    return threading.active_count() == 1 and hasattr(os, "fork")


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while this process forks; raise it (KeyboardInterrupt) once done.

    A fork runs the at-fork hooks of the modules imported (logging's, imported with
    concurrent.futures), and Python prints a KeyboardInterrupt raised in one as "Exception
    ignored" and drops it: the build went on to the end, exit 0. A child inherits the hold:
    it lets Ctrl-C through (let_interrupts_through) once it is ready for it."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows: no fork either
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def let_interrupts_through() -> None:
    """In a child forked under interrupts_held: take Ctrl-C again, one held included."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


class Forked:
    """`function()`, made by a forked child from the moment this is made."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self._function = function
        self._child: tuple[int, int] | None = None  # (pid, read end of its pipe)
        self._parent = os.getpid()  # a process forked from it later has no such child
        if not can_fork():
            return
        read, write = os.pipe()
        # A result larger than the pipe (64 KiB) keeps the child, and its memory, until
        # the caller reads it: the templates' 230 KB would wait through a whole compile
        # phase. Linux lets a pipe hold up to 1 MiB (pipe-max-size); elsewhere, as it is.
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        with interrupts_held():
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: coverage does not follow it
            code = 1
            try:  # Ctrl-C ends it here, silently: the parent reports it
                let_interrupts_through()
                gc.disable()  # short-lived: nothing of the parent's is walked (and copied)
                os.close(read)
                with open(write, "wb") as pipe:
                    pipe.write(json.dumps(function()).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._child = (pid, read)

    def result(self) -> Any:
        """The result as JSON brings it back (a tuple as a list), or as `function()` gives
        it when it is made here. Asked for once."""
        data = self._collect()
        if data is not None:
            with contextlib.suppress(ValueError):
                return json.loads(data)
        return self._function()

    def made(self) -> Any:
        """The child's result, or None where there is no child or it failed: nothing is
        made here (for work worth doing only on the side). Asked for once."""
        data = self._collect()
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def close(self) -> None:
        """Reap the child, if its result was not asked for."""
        self._collect()

    def _collect(self) -> bytes | None:
        if self._child is None or os.getpid() != self._parent:
            return None
        (pid, read), self._child = self._child, None
        with open(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        return data if status == 0 else None


def halves(
    function: Callable[[list[T]], list[Any]], items: list[T], mine: float = 0.5
) -> list[Any]:
    """`function(items)`, the last items made by a forked child while this process makes
    the first ones, a share `mine` of them (more than half where the child is slower: it
    copies each page of this process's memory it touches); on one core, all here."""
    if (os.cpu_count() or 1) < 2 or len(items) < 2:
        return function(items)
    middle = min(max(1, round(len(items) * mine)), len(items) - 1)
    second = Forked(functools.partial(function, items[middle:]))
    with contextlib.closing(second):
        first = function(items[:middle])
        return first + list(second.result())

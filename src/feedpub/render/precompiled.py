"""The site's templates compiled by a forked child while the entries are read.

Compiling feedpub's dozen templates, and a site's own, took a twentieth of adding a
statement; Jinja's and the environment's modules took a hundredth of a cold build to import.
Both are done beside the work that must come first: the child is forked before either is
imported here (`feedpub build`); the building process imports them, with what writing
needs, while the workers compile the entries (`meanwhile`), then takes the child's code
objects (marshal, through a pipe from its own child: never a file). A template changed
since, or that failed there, is compiled as usual. Standard library only, as forked.py.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from feedpub.forked import Forked, can_fork

_ENVIRONMENT = "feedpub.render.environment"


@contextlib.contextmanager
def compiled_meanwhile(root: Path | None) -> Iterator[Callable[[], None]]:
    """While the site is read, a forked child compiles the templates of its environment
    that no build in this process compiled yet (every one, for `feedpub build`). Gives
    `meanwhile`, to call once the workers compiling the entries are forked (or at any
    time): it imports what writing needs, then hands the child's work to the environment,
    which takes it as it compiles."""
    loaded = _ENVIRONMENT in sys.modules  # a process that built before (tests, serve)
    child: Forked | None = None
    env: Any = None
    if loaded:
        env, names = _environment(root)
        if names and env._compiling is None and can_fork():
            child = env._compiling = Forked(functools.partial(_compiled, root, names))
    elif can_fork():
        child = Forked(functools.partial(_compiled, root, None))

    def meanwhile() -> None:
        nonlocal env
        import feedpub.render.addresses
        import feedpub.render.plan
        import feedpub.write  # noqa: F401 - what writing needs (lxml's, feedgen's modules)

        if child is None or env is not None:
            return
        env, names = _environment(root)
        if env is not None and names and env._compiling is None:
            env._compiling = child

    try:
        yield meanwhile
    finally:
        if env is not None and env._compiling is child:
            env._compiling = None  # taken, or not needed
        if child is not None:
            child.close()


def _environment(root: Path | None) -> tuple[Any, list[str]]:
    """The site's environment and the templates it has not compiled yet (none, with a
    folder that cannot be listed: reported as the site is read, not here)."""
    from feedpub.render.environment import make_environment

    try:
        env: Any = make_environment(root)
        return env, [n for n in env.list_templates(extensions=["html"]) if n not in env._asked]
    except OSError:
        return None, []


def _compiled(root: Path | None, names: list[str] | None) -> dict[str, list[str]]:
    """What the child does: each template's digest and code object, by its name."""
    from feedpub.render.environment import compiled_code

    env, found = _environment(root)
    return compiled_code(env, found if names is None else names) if env is not None else {}

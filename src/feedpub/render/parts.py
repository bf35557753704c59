"""Parts of feedpub's own pages that are the same on many: made once per build, not once
per page.

A statement's page ends with the "Subscribe" section and the site's footer, as most list
pages do; together a fifth of the time a statement's page took to make, though the
footer is the same on every page in a language, and the "Subscribe" section on every page
offering the same feeds. Such a part, included by feedpub's own templates, is rendered once
for its inputs (the page's text, its language, and the page variables PARTS names), then
its text is reused and what its rendering read recorded again for each page that includes
it, so each page's key is as if it had been rendered there.

Only feedpub's own templates, which read nothing else, are kept so: a site with templates of
its own renders every part for every page, as it is written (it may read anything).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from typing import Any

from jinja2.runtime import Context

from feedpub.incremental import record_all, recording
from feedpub.render.filters import page_text, setting

# A part's name, and the page variables its text depends on (besides the page's text and
# language). tests/test_parts.py checks that rendering each reads no other variable.
PARTS: dict[str, tuple[str, ...]] = {
    "_subscribe.html": ("subscriptions",),
    "_footer.html": ("site",),
}

# Parts kept per build, at most (each a few kilobytes): a site whose statements offer
# thousands of different sets of feeds (by their tags) makes the oldest again.
KEPT = 1024

Kept = dict[tuple[Any, ...], tuple[tuple[Any, ...], str, frozenset[str]]]
_KEPT: contextvars.ContextVar[Kept | None] = contextvars.ContextVar("parts", default=None)


def keeping(kept: Kept) -> setting[Kept | None]:
    """Keep the parts rendered meanwhile in `kept`: one dictionary per build (the page
    renderer's), as what a part shows is the same only within a build."""
    return setting(_KEPT, kept)


def _identity(value: Any) -> tuple[Any, ...]:
    """The objects a part was given in a variable: the site; the build's subscriptions a
    page offers, in a list made for the page."""
    return tuple(value) if type(value) in (list, tuple) else (value,)


def kept_part(
    render: Callable[[Context], Iterator[str]], name: str, inputs: tuple[str, ...]
) -> Callable[[Context], Iterator[str]]:
    """`render` (a template's root render function) as a part kept for its inputs while a
    build keeps them (see keeping)."""

    def render_kept(context: Context) -> Iterator[str]:
        kept = _KEPT.get()
        if kept is None:
            yield from render(context)
            return
        # An include's variables: the page's, the globals, and (Jinja 3.1.6's new_context)
        # those a {% for %} or {% with %} around the include set.
        given = context.parent
        held: list[Any] = [page_text(context)]  # the page's, or what speaking() set
        key: list[Any] = [name, given.get("language"), id(held[0])]
        for variable in inputs:
            objects = _identity(given.get(variable))
            held.extend(objects)
            key.append(tuple(map(id, objects)))
        # Known by identity: the objects are held with their key, so that none is freed,
        # and its address given to another, while the key stands.
        found = kept.get(tuple(key))
        if found is None:
            with recording() as read:
                made = "".join(render(context))
            if len(kept) >= KEPT:
                del kept[next(iter(kept))]  # the oldest
            found = kept[tuple(key)] = (tuple(held), made, frozenset(read))
        record_all(found[2])
        yield found[1]

    return render_kept

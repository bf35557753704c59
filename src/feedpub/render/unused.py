"""A file in a site's templates/ that no page uses: named like none of feedpub's templates,
and included, imported or extended by none of the site's. A misspelt name (`entry.htm`,
`Index.html`) left feedpub's page in place, and no one was told why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from feedpub.errors import Problems, Severity
from feedpub.folders import TEMPLATE_DIR

if TYPE_CHECKING:
    import jinja2

# Files that may be templates; no other (notes.md, notes.txt) is warned of.
_TEMPLATE_LIKE = (".html", ".htm", ".css", ".jinja", ".jinja2", ".j2", ".xml", ".svg")
_NOT_USED = (
    "no page uses it: feedpub makes no page with a template of this name, and none of the"
    " site's templates includes, imports or extends it"
)
_USED_HOW = (
    "; a site's template is used in place of feedpub's of the same name (its README lists"
    " them), or where another includes it"
)


def check_unused_templates(root: Path, show: Callable[[str], str], problems: Problems) -> None:
    """Warn of the site's templates no page uses, once its folders passed their checks (a
    link or a pipe there is not read)."""
    if (root / TEMPLATE_DIR).is_dir() and not problems.errors:
        # Imported here: a site without templates of its own, checked, reads no Jinja.
        from feedpub.render.environment import make_environment

        for name, meant in _unused(make_environment(root)):
            problems.add(
                show(f"{TEMPLATE_DIR}/{name}"),
                _NOT_USED + meant,
                line=0,
                severity=Severity.WARNING,
            )


@functools.lru_cache(maxsize=8)
def _unused(env: jinja2.Environment) -> tuple[tuple[str, str], ...]:
    """(name, '; did you mean ...') of each template-like file of the site's own that no
    page can use; none when a template names what it includes as it renders (which may be
    any), or when one does not compile (said as its error). Kept for the environment, which
    is made anew when a template changes: `serve` does not parse them at each rebuild."""
    import jinja2
    from jinja2 import meta

    from feedpub.render.environment import FEEDPUB_TEMPLATES, loaded_as
    from feedpub.render.lookups import nearest_template

    loader = env.loader
    if not isinstance(loader, jinja2.ChoiceLoader) or len(loader.loaders) < 2:
        return ()  # no templates/ folder
    own = loader.loaders[0].list_templates()
    feedpubs = sorted(p.name for p in FEEDPUB_TEMPLATES.iterdir() if p.is_file())
    referenced: set[str] = set()
    for name in own:
        if name.endswith(".css") or not name.endswith(_TEMPLATE_LIKE):
            continue
        try:
            source = loader.get_source(env, name)[0]
            names = list(meta.find_referenced_templates(env.parse(source)))
        except (jinja2.TemplateError, OSError, UnicodeError, RecursionError):
            return ()  # its error is told as it is compiled
        if None in names:
            return ()
        referenced.update(loaded_as(n) for n in names if n is not None)
    return tuple(
        (name, nearest_template(name, feedpubs) or _USED_HOW)
        for name in own
        if name not in feedpubs and name not in referenced and name.endswith(_TEMPLATE_LIKE)
    )

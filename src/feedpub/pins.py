"""The versions an office's site is built with: this feedpub release, and those of what it
uses as they are installed where `feedpub init` runs. Pinned in the site's
requirements.txt, every build installs the same ones, so the same entries give the same
site; a new release of a library (a template engine, a feed writer) reaches it only through
the pull request Dependabot opens, which the workflow checks."""

from __future__ import annotations

import re
from importlib import metadata

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EXTRA = re.compile(r"\bextra\s*==")


def pinned(version: str) -> list[str]:
    """`name==version` lines: feedpub at `version`, then, sorted by name, every
    distribution installed here that it requires, and those they require (an extra's
    only when named: none is). A requirement not installed here (one for another
    platform) is left to pip."""
    found: dict[str, str] = {}
    todo = ["feedpub"]
    while todo:
        name = todo.pop()
        key = _normal(name)
        if key in found:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[key] = f"{distribution.metadata['Name']}=={distribution.version}"
        for requirement in distribution.requires or ():
            named = _NAME.match(requirement)
            if named is not None and not _EXTRA.search(requirement.partition(";")[2]):
                todo.append(named.group(1))
    found.pop("feedpub", None)
    return [f"feedpub=={version}", *sorted(found.values(), key=str.lower)]


def _normal(name: str) -> str:
    """A distribution's name as PEP 503 compares it: PyYAML, pyyaml and py_yaml are one."""
    return re.sub(r"[-_.]+", "-", name).lower()

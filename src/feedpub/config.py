"""feedpub.yaml -> SiteConfig, validated as strictly as an entry and all at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from feedpub import values
from feedpub.errors import Problems
from feedpub.load import Document, Node, ScalarNode, read_document
from feedpub.model import Publisher, SiteConfig
from feedpub.values import Invalid, fail

CONFIG_NAME = "feedpub.yaml"
DEFAULT_FEED_LIMIT = 50

_DOMAIN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
_TAGGING_ENTITY = re.compile(
    rf"(?P<authority>{_DOMAIN}|[^@\s,:]+@{_DOMAIN}),(?P<date>\d{{4}}(?:-\d{{2}}(?:-\d{{2}})?)?)"
)


def _id_authority(node: Node) -> str:
    value = values.text(node, max_length=200)
    m = _TAGGING_ENTITY.fullmatch(value)
    if not m:
        fail(
            "expected a domain (or e-mail address) you control and a year you controlled it,"
            f" such as 'statements.example.org,2021' (RFC 4151), got {value!r}",
            node,
        )
    parts = [int(p) for p in m.group("date").split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError:
        fail(f"{m.group('date')!r} is not a real date", node)
    return value


def _publisher(node: Node) -> Publisher:
    if isinstance(node, ScalarNode):
        return Publisher(name=values.text(node, max_length=200))
    found: dict[str, Any] = {}
    readers: dict[str, Callable[[Node], str]] = {
        "name": lambda n: values.text(n, max_length=200),
        "email": values.email,
        "url": values.web_url,
    }
    for name, key, value in values.mapping_items(values.mapping(node)):
        if name not in readers:
            fail(values.unknown_field(name, readers), key, name)
        try:
            found[name] = readers[name](value)
        except Invalid as exc:
            fail(exc.message, exc.node or value, name)
    if "name" not in found:
        fail("required field is missing", node, "name")
    return Publisher(**found)


_READERS: dict[str, Callable[[Node], Any]] = {
    "title": lambda n: values.text(n, max_length=200),
    "base_url": lambda n: values.web_url(n, directory=True),
    "description": lambda n: values.one_line(values.text(n, max_length=1000, single_line=False)),
    "language": values.language,
    "timezone": values.time_zone,
    "publisher": _publisher,
    "feed_limit": lambda n: values.integer(n, minimum=1, maximum=1000),
    "id_authority": _id_authority,
}
_REQUIRED = (
    "title",
    "base_url",
    "description",
    "language",
    "timezone",
    "publisher",
    "id_authority",
)


def read_config(root: Path, problems: Problems, shown: str = CONFIG_NAME) -> SiteConfig | None:
    """Read `root/feedpub.yaml`, adding every problem found; None when it is unusable."""
    path = root / CONFIG_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(shown, f"not found; is {root} a feedpub site?", line=0)
        return None
    except OSError as exc:
        problems.add(shown, f"cannot read: {exc.strerror}", line=0)
        return None
    document = read_document(shown, data, problems)
    if document is None:
        return None
    return config_from_document(document, problems)


def config_from_document(document: Document, problems: Problems) -> SiteConfig | None:
    found: dict[str, Any] = {}
    before = len(problems.errors)
    for name, field in document.fields.items():
        reader = _READERS.get(name)
        if reader is None:
            problems.add(
                document.path,
                values.unknown_field(name, _READERS),
                line=field.line,
                column=field.column,
                field=name,
            )
            continue
        if field.value is None:  # already reported (a refused tag or alias)
            continue
        try:
            found[name] = reader(field.value)
        except Invalid as exc:
            line, column = values.node_position(exc.node, (field.line, field.column))
            shown = f"{name}.{exc.part}" if exc.part else name
            problems.add(document.path, exc.message, line=line, column=column, field=shown)
    for name in _REQUIRED:
        if name not in document.fields:
            problems.add(document.path, "required field is missing", field=name)
    if len(problems.errors) > before:
        return None
    timezone_name, zone = found["timezone"]
    return SiteConfig(
        title=found["title"],
        base_url=found["base_url"],
        description=found["description"],
        language=found["language"],
        timezone_name=timezone_name,
        timezone=zone,
        publisher=found["publisher"],
        feed_limit=found.get("feed_limit", DEFAULT_FEED_LIMIT),
        id_authority=found["id_authority"],
    )

"""feedpub.yaml -> SiteConfig, validated as strictly as an entry and all at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedpub import values
from feedpub.errors import Problems
from feedpub.load import Document, Node, ScalarNode, SequenceNode, describe_node, read_document
from feedpub.model import Publisher, SiteConfig
from feedpub.values import Invalid, fail

CONFIG_NAME = "feedpub.yaml"
STATIC_DIR = "static"
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


def _image(node: Node) -> str:
    """An image's absolute URL, or its path inside public/ (usually a file from static/)."""
    value = values.text(node, max_length=500)
    if "://" in value:
        return values.web_url(node)
    if value.startswith("/") or ".." in value.split("/") or "\\" in value:
        fail(f"expected a URL or a path inside public/ such as logo.png, got {value!r}", node)
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


MAX_HUBS = 10


def _websub_hubs(node: Node) -> tuple[str, ...]:
    """WebSub hubs (W3C WebSub §4): a list of http(s) URLs, each once."""
    if not isinstance(node, SequenceNode):
        fail(
            "expected a list of hub URLs such as [https://hub.example.org/],"
            f" got {describe_node(node)}",
            node,
        )
    if len(node.value) > MAX_HUBS:
        fail(f"has {len(node.value):,} items; at most {MAX_HUBS} are allowed", node)
    hubs: list[str] = []
    for number, item in enumerate(node.value, 1):
        try:
            url = values.web_url(item)
        except Invalid as exc:
            fail(f"item {number}: {exc.message}", exc.node or item)
        if "@" in urlsplit(url).netloc:  # every feed publishes it
            fail(f"item {number}: a hub URL must not hold a user name or password", item)
        if url in hubs:
            fail(f"item {number}: {url!r} is listed twice", item)
        hubs.append(url)
    return tuple(hubs)


_READERS: dict[str, Callable[[Node], Any]] = {
    "title": lambda n: values.text(n, max_length=200),
    "base_url": lambda n: values.web_url(n, directory=True),
    "description": lambda n: values.one_line(values.text(n, max_length=1000, single_line=False)),
    "language": values.language,
    "timezone": values.time_zone,
    "publisher": _publisher,
    "feed_limit": lambda n: values.integer(n, minimum=1, maximum=1000),
    "id_authority": _id_authority,
    "icon": _image,
    "logo": _image,
    "rights": lambda n: values.one_line(values.text(n, max_length=300)),
    "websub_hubs": _websub_hubs,
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
    config = config_from_document(document, problems)
    for name in ("icon", "logo"):
        field = document.fields.get(name)
        image = getattr(config, name, None)
        if field and config and image and image.startswith(config.base_url):
            rel = image.removeprefix(config.base_url)
            if not (root / STATIC_DIR / rel).is_file():
                line, column = values.node_position(field.value, (field.line, field.column))
                problems.add(
                    shown,
                    f"{rel!r} is not a file in {STATIC_DIR}/; put the image there or give a URL",
                    line=line,
                    column=column,
                    field=name,
                )
                config = None
    return config


def config_from_document(document: Document, problems: Problems) -> SiteConfig | None:
    before = len(problems.errors)
    found = values.read_fields(document, _READERS, _REQUIRED, problems)
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
        icon=_absolute(found.get("icon"), found["base_url"]),
        logo=_absolute(found.get("logo"), found["base_url"]),
        rights=found.get("rights"),
        websub_hubs=found.get("websub_hubs", ()),
    )


def _absolute(image: str | None, base_url: str) -> str | None:
    if image is None or "://" in image:
        return image
    return base_url + image

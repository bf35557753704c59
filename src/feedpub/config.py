"""feedpub.yaml -> SiteConfig, validated as strictly as an entry and all at once."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from datetime import date, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from feedpub import times, values
from feedpub.colors import read_accent_color
from feedpub.errors import Problems, shown_root
from feedpub.fields import FieldSpec, Limits, read_fields
from feedpub.load import (
    Document,
    Node,
    ScalarNode,
    SequenceNode,
    describe_node,
    node_position,
    read_document,
)
from feedpub.model import Publisher, SectionAlias, SiteConfig
from feedpub.overrides import read_messages
from feedpub.read import read_bytes
from feedpub.values import Invalid, fail, fail_items

CONFIG_NAME = "feedpub.yaml"
STATIC_DIR = "static"
DEFAULT_FEED_LIMIT = 50

_DOMAIN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
_TAGGING_ENTITY = re.compile(
    rf"(?P<authority>{_DOMAIN}|[^@\s,:]+@{_DOMAIN}),(?P<date>\d{{4}}(?:-\d{{2}}(?:-\d{{2}})?)?)"
)


def _id_authority(node: Node, ctx: None, limits: Limits) -> str:
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


def _image(node: Node, ctx: None, limits: Limits) -> str:
    """An image's absolute URL, or its path inside public/ (usually a file from static/)."""
    value = values.text(node, max_length=500)
    if "://" in value:
        return values.web_url(node)
    if value.startswith("/") or ".." in value.split("/") or "\\" in value:
        fail(f"expected a URL or a path inside public/ such as logo.png, got {value!r}", node)
    return value


def _publisher(node: Node, ctx: None, limits: Limits) -> Publisher:
    if isinstance(node, ScalarNode):
        return Publisher(name=values.text(node, max_length=200))
    found: dict[str, Any] = {}
    readers: dict[str, Callable[[Node], str]] = {
        "name": lambda n: values.text(n, max_length=200),
        "email": values.email,
        "url": values.web_url,
    }
    fields = values.mapping(node)
    errors = []
    for name, key, value in values.mapping_items(fields):
        try:
            if name not in readers:
                fail(values.unknown_field(name, readers), key)
            found[name] = readers[name](value)
        except Invalid as exc:
            errors.append(Invalid(exc.message, exc.node or value, name))
    if not any(name == "name" for name, _, _ in values.mapping_items(fields)):
        errors.append(Invalid("required field is missing", node, "name"))
    fail_items(errors)
    return Publisher(**found)


def _websub_hubs(node: Node, ctx: None, limits: Limits) -> tuple[str, ...]:
    """WebSub hubs (W3C WebSub §4): a list of http(s) URLs, each once."""
    if not isinstance(node, SequenceNode):
        fail(
            "expected a list of hub URLs such as [https://hub.example.org/],"
            f" got {describe_node(node)}",
            node,
        )
    if len(node.value) > limits["hubs"]:
        fail(f"has {len(node.value):,} items; at most {limits['hubs']} are allowed", node)
    hubs: list[str] = []
    errors = []
    for number, item in enumerate(node.value, 1):
        try:
            url = _hub(item, hubs)
        except Invalid as exc:
            errors.append(Invalid(f"item {number}: {exc.message}", exc.node or item))
            continue
        hubs.append(url)
    fail_items(errors)
    return tuple(hubs)


def _hub(node: Node, before: list[str]) -> str:
    url = values.web_url(node)
    if "@" in urlsplit(url).netloc:  # every feed publishes it
        fail("a hub URL must not hold a user name or password", node)
    if url in before:
        fail(f"{url!r} is listed twice", node)
    return url


def _line(node: Node, ctx: None, limits: Limits) -> str:
    return values.one_line(values.text(node, max_length=limits["length"]))


def _paragraph(node: Node, ctx: None, limits: Limits) -> str:
    return values.one_line(values.text(node, max_length=limits["length"], single_line=False))


def _base_url(node: Node, ctx: None, limits: Limits) -> str:
    return values.web_url(node, directory=True)


def _language(node: Node, ctx: None, limits: Limits) -> str:
    return values.language(node)


def _time_zone(node: Node, ctx: None, limits: Limits) -> tuple[str, tzinfo]:
    return times.time_zone(node)


def _feed_limit(node: Node, ctx: None, limits: Limits) -> int:
    return values.integer(node, minimum=1, maximum=limits["most"])


def _section_aliases(node: Node, ctx: None, limits: Limits) -> tuple[SectionAlias, ...]:
    """{types: {Old name: New name}, tags: {...}}: renamed sections keep their subscribers."""
    found: list[SectionAlias] = []
    errors = []
    for kind, key, names in values.mapping_items(values.mapping(node)):
        try:
            if kind not in ("types", "tags"):
                fail(values.unknown_field(kind, ["types", "tags"]), key)
            pairs = list(values.mapping_items(values.mapping(names)))
        except Invalid as exc:
            errors.append(Invalid(exc.message, exc.node, kind))
            continue
        for old, old_node, new_node in pairs:
            try:
                found.append(_section_alias(kind, old, old_node, new_node, limits))
            except Invalid as exc:
                part = f"{kind}.{old}" if old.strip() else kind  # no blank part in the path
                errors.append(Invalid(exc.message, exc.node, part))
    fail_items(errors)
    return tuple(found)


def _section_alias(
    kind: str, old: str, old_node: Node, new_node: Node, limits: Limits
) -> SectionAlias:
    if not old.strip():
        what = f"the name the {kind[:-1]} had before it was renamed"
        fail(f"an old name ({old!r}) must not be empty; write {what}", old_node)
    new = values.one_line(values.text(new_node, max_length=limits["length"]))
    line, column = node_position(old_node, (1, 1))
    return SectionAlias(kind=kind[:-1], old=old, new=new, at=(line, column))


SETTINGS: tuple[FieldSpec[None], ...] = (
    FieldSpec(
        "title",
        _line,
        "the site's name, on every page and feed; at most {length} characters",
        required=True,
        limits={"length": 200},
    ),
    FieldSpec(
        "description",
        _paragraph,
        "one sentence on what the site publishes; at most {length} characters",
        required=True,
        limits={"length": 1000},
    ),
    FieldSpec(
        "base_url",
        _base_url,
        "where `public/` is served: an absolute http(s) URL, such as"
        " `https://ORG.github.io/REPO/` or `https://statements.example.org/`",
        required=True,
    ),
    FieldSpec(
        "language",
        _language,
        "the site's language (BCP 47), such as `en`, `en-GB`, `fr`",
        required=True,
    ),
    FieldSpec(
        "timezone",
        _time_zone,
        "the office's time zone (IANA), such as `Europe/Paris`, never the machine's own"
        " (`localtime`): dates without an offset are read in it",
        required=True,
    ),
    FieldSpec(
        "publisher",
        _publisher,
        "the office: a name, or `{{name: ..., email: ..., url: ...}}` (email and url optional)",
        required=True,
        parts=("name", "email", "url"),
    ),
    FieldSpec(
        "id_authority",
        _id_authority,
        "RFC 4151's authority for permanent ids: a"
        " domain (or e-mail address) the office held and a date it held it, such as"
        " `statements.example.org,2021`",
        required=True,
    ),
    FieldSpec(
        "feed_limit",
        _feed_limit,
        "how many of the newest statements each feed holds, 1 to {most}; default 50",
        default=DEFAULT_FEED_LIMIT,
        limits={"most": 1000},
    ),
    FieldSpec("icon", _image, "a small square image: a file in `static/`, or a URL"),
    FieldSpec("logo", _image, "the office's logo: a file in `static/`, or a URL"),
    FieldSpec(
        "rights",
        _line,
        "the feeds' copyright line; at most {length} characters",
        limits={"length": 300},
    ),
    FieldSpec(
        "section_aliases",
        _section_aliases,
        "types and tags renamed, so their subscribers keep their feeds: `{{types: {{Old name:"
        " New name}}, tags: {{Old name: New name}}}}`; the old addresses keep serving the"
        " renamed section's feeds and archives, and its page redirects; names at most"
        " {length} characters",
        default=(),
        limits={"length": 60},
    ),
    FieldSpec(
        "websub_hubs",
        _websub_hubs,
        "WebSub hubs to tell when a feed changes (`feedpub ping`): a list of at most {hubs}"
        " http(s) URLs, named in every subscription feed",
        default=(),
        limits={"hubs": 10},
    ),
    FieldSpec(
        "accent_color",
        read_accent_color,
        "the office's colour for links and the line under the header, such as `'#0b4fb3'`"
        " (quoted: `#` starts a comment). It must reach a contrast of 4.5:1 against the"
        " white background (WCAG AA), and a lighter shade is made for the dark scheme",
    ),
    FieldSpec(
        "messages",
        read_messages,
        "page text worded the site's way, by language: `{{en: {{Subscribe: Follow us}}}}`."
        " Any message of feedpub's pages (listed in `feedpub/locale/feedpub.pot`), each at"
        " most {length} characters; a `%(name)s` in a message is filled in",
        default={},
        limits={"length": 500},
    ),
)


# Where feedpub.yaml is unusable, entries are still checked, against what it does say and
# these stand-ins for the rest. An unknown time zone (timezone_name "") turns off the one
# check that needs it, a date against its file name, rather than guess and report wrongly.
_STAND_INS: dict[str, Any] = {
    "title": "(unusable feedpub.yaml)",
    "description": "",
    "base_url": "https://invalid.example/",
    "language": "en",
    "timezone": ("", ZoneInfo("UTC")),
    "publisher": Publisher(name="(unusable feedpub.yaml)"),
    "id_authority": "invalid.example,2000",
}


def read_config(root: Path, problems: Problems, shown: str = CONFIG_NAME) -> SiteConfig | None:
    """Read `root/feedpub.yaml`, adding every problem found; None when it is unusable."""
    return read_settings(root, problems, shown)[0]


def not_found(root: Path) -> str:
    """What is wrong where feedpub.yaml is missing: most often, the wrong folder (one of a
    site's own, such as entries/, or one outside any site)."""
    here = Path(os.path.abspath(root))
    for above in here.parents:
        if os.path.lexists(above / CONFIG_NAME):
            up = shlex.quote(os.path.relpath(above, here))
            return (
                f"not found here, in {here}, a folder of the site at {up}: run feedpub there"
                f" (`cd {up}`), or give `--root {up}`"
            )
    folder = shown_root(root).rstrip("/")
    init = (
        f"make a site in {folder} with `feedpub init {shlex.quote(folder)}`"
        if folder
        else ("make a site here with `feedpub init`")
    )
    return (
        f"not found; is {root} a feedpub site? Run feedpub in the site's folder (or give"
        f" --root), or {init}"
    )


def read_settings(
    root: Path, problems: Problems, shown: str = CONFIG_NAME
) -> tuple[SiteConfig | None, SiteConfig]:
    """Read `root/feedpub.yaml`: the settings (None when unusable, every problem added), and
    the settings to check entries against, stand-ins taking the place of broken fields."""
    path = root / CONFIG_NAME
    found: dict[str, Any] = {}
    if path.is_symlink():
        problems.add(shown, "is a symbolic link; keep the real file in the site", line=0)
        return None, _make(found, complete=False)
    if not path.exists():
        problems.add(shown, not_found(root), line=0)
        return None, _make(found, complete=False)
    data = read_bytes(path, shown, problems)
    if data is None:
        return None, _make(found, complete=False)
    before = len(problems.errors)
    document = read_document(shown, data, problems)
    if document is not None:
        found = read_fields(document, SETTINGS, None, problems)
        _check_images(root, document, found, shown, problems)
    if len(problems.errors) > before:
        return None, _make(found, complete=False)
    config = _make(found, complete=True)
    return config, config


def settings_from_bytes(shown: str, data: bytes, problems: Problems) -> SiteConfig | None:
    """Settings read from bytes, not from a site (the guard's git revision, `init`'s draft):
    every check but the one that looks for icon and logo files in static/."""
    before = len(problems.errors)
    document = read_document(shown, data, problems)
    found = read_fields(document, SETTINGS, None, problems) if document is not None else {}
    return _make(found, complete=True) if len(problems.errors) == before else None


def _check_images(
    root: Path, document: Document, found: dict[str, Any], shown: str, problems: Problems
) -> None:
    """An icon or logo given as a path must be a file in static/, which copies it."""
    for name in ("icon", "logo"):
        field = document.fields.get(name)
        image = found.get(name)
        if field is None or not image or "://" in image:
            continue
        if not (root / STATIC_DIR / image).is_file():
            line, column = node_position(field.value, (field.line, field.column))
            problems.add(
                shown,
                f"{image!r} is not a file in {STATIC_DIR}/; put the image there or give a URL",
                line=line,
                column=column,
                field=name,
            )


def _make(found: dict[str, Any], *, complete: bool) -> SiteConfig:
    values_ = {spec.target: spec.default for spec in SETTINGS if not spec.required}
    if not complete:
        values_.update(_STAND_INS)
    values_.update({key: value for key, value in found.items() if value is not None})
    values_["timezone_name"], values_["timezone"] = values_["timezone"]
    for image in ("icon", "logo"):
        values_[image] = _absolute(values_[image], values_["base_url"])
    return SiteConfig(**values_)


def _absolute(image: str | None, base_url: str) -> str | None:
    if image is None or "://" in image:
        return image
    # A file's name, not a URL: "a%20b.png" and "logo#2.png" would be asked for as another.
    return base_url + quote(image)

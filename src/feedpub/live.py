"""`feedpub live`: know what a deployment releases, then check that it is served.

Once the new site is deployed, nothing shows what it changed, so this takes two steps, like
`feedpub ping`. `prepare` (after building, before deploying) compares the built site with
the one served at `base_url`, by its `sitemap.xml` (every page) and `feed.json` (the
newest statements): the statement pages in the build that the served sitemap lacks are the
ones this deployment releases, and any difference at all means a deployment is due. That is
how a scheduled run knows that an embargo has ended, with no state kept anywhere: it asks
the live site. `verify` (after deploying) fetches each released page and the main feed, with
a timeout and retries, and fails naming every one that is not served, so a missed release
is noticed.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from feedpub.config import CONFIG_NAME, read_config
from feedpub.errors import FeedpubError, Problem, Problems, shown_path
from feedpub.fetch import FetchError, Response, fetch
from feedpub.gather import Project
from feedpub.incremental import cache_folder
from feedpub.listing import OUTPUT_DIR
from feedpub.load import read_document
from feedpub.model import SiteConfig

LIST_NAME = "live-released.json"
MAX_CHECKED = 100  # released statements fetched after a deployment, newest first
FETCH_WORKERS = 8
DEFAULT_TRIES = 10
DEFAULT_WAIT = 30.0  # seconds between tries: GitHub Pages usually serves a deployment at once
_LOC = re.compile(rb"<loc>([^<]*)</loc>(?:<lastmod>([^<]*)</lastmod>)?")
_STATEMENT = re.compile(r"\d{4}/\d{2}/\d{2}/[^/]+/")  # a statement's page, in the sitemap

Fetch = Callable[[str], Response]


def default_list(root: Path) -> Path:
    """Where `prepare` writes what it found: the site's cache folder, never deployed."""
    return cache_folder(root) / LIST_NAME


def _fresh(url: str) -> str:
    # A query no cache has seen: a CDN in front of the site must answer from the origin.
    return f"{url}?feedpub-live={secrets.token_hex(4)}"


def _sitemap(data: bytes) -> dict[str, str]:
    """Each URL of a sitemap with its lastmod ('' when none), in the order given."""
    return {
        html.unescape(loc.decode("utf-8", "replace")): html.unescape(
            (mod or b"").decode("utf-8", "replace")
        )
        for loc, mod in _LOC.findall(data)
    }


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the built site changes on the served one."""

    base_url: str
    due: bool  # the build differs from what is served: a deployment is due
    released: tuple[str, ...]  # statement pages the served site lacks, newest first
    why: str  # how the difference was found
    list_path: Path

    def summary(self) -> str:
        if not self.due:
            return f"{self.base_url} already serves this build; nothing is due"
        count = len(self.released)
        statements = f"{count:,} statement{'' if count == 1 else 's'}"
        first = f" (first: {self.released[0]})" if self.released else ""
        return (
            f"{self.base_url} {self.why}: a deployment is due, releasing {statements}{first};"
            f" listed in {shown_path(self.list_path)} for `feedpub live` after deploying"
        )


def _built(out: Path, name: str, shown: str) -> bytes:
    try:
        return (out / name).read_bytes()
    except OSError:
        raise FeedpubError(
            [
                Problem(
                    path=f"{shown}{name}",
                    line=0,
                    message="not found: run `feedpub build` before `feedpub live --prepare`",
                )
            ]
        ) from None


def _served(url: str, get: Fetch) -> tuple[bytes | None, str]:
    try:
        response = get(_fresh(url))
    except FetchError as exc:
        return None, f"cannot serve {url.rsplit('/', 1)[-1]} ({exc.message})"
    if response.status != 200:
        return None, f"answers {response.status} for {url.rsplit('/', 1)[-1]}"
    return response.body, ""


def _config(project: Project) -> SiteConfig:
    problems = Problems()
    config = read_config(project.root, problems, shown=project.show(CONFIG_NAME))
    if config is None:
        raise FeedpubError(problems.items)
    return config


def prepare(
    root: Path, out: Path | None = None, list_path: Path | None = None, get: Fetch = fetch
) -> Prepared:
    """Compare the build in `out` with the site served at base_url; write what it releases."""
    project = Project.at(root)
    config = _config(project)
    out = out or project.root / OUTPUT_DIR
    shown = f"{shown_path(out)}/"
    built_map, built_feed = _built(out, "sitemap.xml", shown), _built(out, "feed.json", shown)
    served_map, why = _served(config.url("sitemap.xml"), get)
    served_feed, feed_why = _served(config.url("feed.json"), get)
    why = why or feed_why
    if not why and (served_map != built_map or served_feed != built_feed):
        why = "serves another sitemap.xml or feed.json than this build's"
    served = _sitemap(served_map or b"")
    built = _sitemap(built_map)
    new = [
        url
        for url in built
        if url not in served and _STATEMENT.fullmatch(url.removeprefix(config.base_url))
    ]
    new.sort(key=lambda url: built[url], reverse=True)  # ISO dates, one zone per site
    prepared = Prepared(
        config.base_url, bool(why), tuple(new), why, list_path or default_list(project.root)
    )
    _write_list(
        prepared.list_path,
        {
            "base_url": config.base_url,
            "feed": hashlib.sha256(built_feed).hexdigest(),
            "released": list(prepared.released),
        },
    )
    return prepared


def _write_list(path: Path, data: dict[str, object]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, prefix=f".{path.name}.", delete=False, encoding="utf-8"
        ) as handle:
            json.dump(data, handle, indent=1)
        os.replace(handle.name, path)
    except OSError as exc:
        raise FeedpubError(
            [Problem(path=shown_path(path), line=0, message=f"cannot write: {exc.strerror}")]
        ) from None


@dataclass(frozen=True, slots=True)
class Verified:
    base_url: str
    checked: int  # released statements found live
    unchecked: int  # released beyond MAX_CHECKED, not fetched
    tries: int

    def summary(self) -> str:
        statements = f"{self.checked:,} released statement{'' if self.checked == 1 else 's'}"
        more = f" ({self.unchecked:,} more not fetched)" if self.unchecked else ""
        return f"{self.base_url} serves this build's feed.json and {statements}{more}"


def _read_list(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = "no list here; run `feedpub live --prepare` after building, before deploying"
    except (OSError, ValueError) as exc:
        message = f"cannot read it ({exc}); run `feedpub live --prepare` again"
    else:
        if isinstance(data, dict) and isinstance(data.get("released"), list):
            return data
        message = "is not a list `feedpub live --prepare` wrote; run it again"
    raise FeedpubError([Problem(path=shown_path(path), line=0, message=message)])


def _served_at(project: Project, config: SiteConfig, served_at: str) -> list[Problem]:
    """base_url must be where the host says it serves the site (GitHub Pages' page_url)."""
    served = served_at if served_at.endswith("/") else served_at + "/"
    if served == config.base_url:
        return []
    shown = project.show(CONFIG_NAME)
    document = read_document(shown, (project.root / CONFIG_NAME).read_bytes(), Problems())
    field = document.fields.get("base_url") if document else None
    line, column = (field.line, field.column) if field else (1, 1)
    same_place = served.split("://", 1)[-1] == config.base_url.split("://", 1)[-1]
    if same_place:
        message = (
            f"the site is served at {served}, not {config.base_url}; in Settings > Pages, tick"
            " 'Enforce HTTPS'"
        )
    else:
        message = (
            f"is {config.base_url}, but the site is served at {served}, so every link in the"
            f" feeds is wrong: set `base_url: {served}`, or, for your own domain, enter it"
            " in Settings > Pages > Custom domain"
        )
    return [Problem(path=shown, line=line, column=column, field="base_url", message=message)]


def verify(
    root: Path,
    list_path: Path | None = None,
    *,
    served_at: str = "",
    tries: int = DEFAULT_TRIES,
    wait: float = DEFAULT_WAIT,
    get: Fetch = fetch,
    sleep: Callable[[float], None] = time.sleep,
) -> Verified:
    """Fetch what `prepare` listed until it is served, or fail naming what is not."""
    project = Project.at(root)
    config = _config(project)
    listed = _read_list(list_path or default_list(project.root))
    problems = _served_at(project, config, served_at) if served_at else []
    released = [str(url) for url in listed["released"]][:MAX_CHECKED]  # type: ignore[attr-defined]
    feed_url = config.url("feed.json")
    expected = str(listed.get("feed", ""))
    pending = {url: "not fetched" for url in [feed_url, *released]}

    def attempt(url: str) -> tuple[str, str]:
        try:
            response = get(_fresh(url))
        except FetchError as exc:
            return url, exc.message
        if response.status != 200:
            return url, f"answers {response.status}"
        if url == feed_url and hashlib.sha256(response.body).hexdigest() != expected:
            return url, "serves another feed.json than this build's"
        return url, ""

    used = 0
    while pending and used < tries:
        if used:
            sleep(wait)
        used += 1
        with ThreadPoolExecutor(min(FETCH_WORKERS, len(pending))) as pool:
            answers = list(pool.map(attempt, sorted(pending)))
        pending = {url: why for url, why in answers if why}
    over = f" over {wait * (used - 1):.0f} s" if used > 1 else ""
    for url, why in sorted(pending.items()):
        problems.append(
            Problem(
                path=url,
                line=0,
                message=f"not live after {used} {'try' if used == 1 else 'tries'}{over}"
                f" (last: {why}); the deployment did not reach it: read the deploy step's log,"
                " then run the workflow again (Actions > feeds > Run workflow)",
            )
        )
    if problems:
        raise FeedpubError(problems)
    all_released = len(listed["released"])  # type: ignore[arg-type]
    return Verified(config.base_url, len(released), all_released - len(released), used)

"""`feedpub ping`: tell the site's WebSub hubs which subscription feeds changed.

A hub fetches a feed as soon as it is told, so the ping must follow the deployment; but once
the new site is served, nothing shows what it changed. So it takes two steps:
`prepare` (before deploying) compares each built subscription feed with the one served at
`base_url` and writes the URLs of those that differ to a list; `ping` (after deploying)
sends every hub one publish request per listed feed.

WebSub (W3C Recommendation, §6) leaves how a publisher tells its hubs to the two of them;
its note names the form public hubs accept: a form-encoded POST with `hub.mode=publish` and
`hub.url=<the feed's URL>`. PubSubHubbub 0.3 (§7.1) let `hub.url` repeat in one request,
but the Recommendation's note has it once, and a hub that reads only the first would drop
the rest without a sign, so each feed gets its own request. A hub accepts with 204 No
Content (0.3 §7.1; any 2xx is taken as accepted) and refuses with 4xx or 5xx.

A hub that refuses or cannot be reached is reported, never fatal: the deployment has
happened, and readers still get the statement at their next poll.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin

from feedpub.config import CONFIG_NAME, read_config
from feedpub.errors import FeedpubError, Problem, Problems, shown_path, shown_root
from feedpub.fetch import DEFAULT_TIMEOUT, FetchError, fetch
from feedpub.incremental import cache_folder
from feedpub.model import SiteConfig

LIST_NAME = "websub-changed.txt"
# Subscription documents (RFC 5005's term: the feeds readers subscribe to), by folder inside
# public/: the whole site's, each type's and each tag's. Archives (archive/N.xml) are not.
SUBSCRIPTION_FOLDERS = ("", "types/*/", "tags/*/", "languages/*/")
FEED_NAMES = ("atom.xml", "rss.xml", "feed.json")
FETCH_WORKERS = 8  # served feeds fetched at once by `prepare`
MAX_FEED_BYTES = 20 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"


def default_list(root: Path) -> Path:
    """Where `prepare` writes the changed feeds by default: the site's cache folder, outside
    the site and public/, so the list is never deployed or committed."""
    return cache_folder(root) / LIST_NAME


@dataclass(frozen=True, slots=True)
class Report:
    """What to tell the person who ran the command: lines, and warnings (never fatal)."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun if count == 1 else noun + 's'}"


@dataclass(frozen=True, slots=True)
class Prepared:
    """What `prepare` found: every subscription feed, those that changed, and why some
    could not be compared."""

    hubs: tuple[str, ...]
    list_path: Path | None  # None: no hubs, nothing written
    feeds: tuple[str, ...] = ()  # URLs of every built subscription feed
    changed: tuple[str, ...] = ()
    unreachable: tuple[tuple[str, str], ...] = ()  # (feed URL, why it could not be fetched)

    def report(self) -> Report:
        if self.list_path is None:
            return Report(["no websub_hubs in feedpub.yaml; no feed to compare"])
        report = Report()
        if self.unreachable:
            url, why = self.unreachable[0]
            report.warnings.append(
                f"{_plural(len(self.unreachable), 'served feed')} could not be fetched, so"
                f" each counts as changed (first: {url}: {why})"
            )
        report.lines.append(
            f"{len(self.changed):,} of {_plural(len(self.feeds), 'feed')} changed since the"
            f" served site; listed in {shown_path(self.list_path)} for `feedpub ping` after"
            " deploying"
        )
        return report


@dataclass(frozen=True, slots=True)
class Answer:
    """One hub's answer to one publish request; status None when it gave none."""

    hub: str
    feed: str
    status: int | None
    detail: str = ""  # the start of the hub's reply, or why there was none
    moved_to: str = ""  # where the hub's URL redirected the request, if it did

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def unfollowed(self) -> bool:
        """A redirect a publish request cannot follow (it would be a GET): no hub told."""
        return bool(self.moved_to) and self.status is not None and 300 <= self.status < 400


@dataclass(frozen=True, slots=True)
class Pinged:
    """What `ping` did: the feeds it told the hubs about and each answer."""

    hubs: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    answers: tuple[Answer, ...] = ()
    not_sent: dict[str, int] = field(default_factory=dict)  # unreachable hub -> feeds untold
    list_path: Path | None = None  # the list read; None with --all or without hubs

    def report(self) -> Report:
        if not self.hubs:
            return Report(["no websub_hubs in feedpub.yaml; no hub to ping"])
        if not self.feeds:
            where = f" (listed in {shown_path(self.list_path)})" if self.list_path else ""
            return Report([f"no feed changed{where}; no hub pinged"])
        report = Report()
        for hub in self.hubs:
            accepted: dict[int, int] = {}
            answers = [a for a in self.answers if a.hub == hub]
            if moved := next((a.moved_to for a in answers if a.moved_to), ""):
                report.warnings.append(
                    f"{hub}: the hub answered with a redirect to {moved}, so websub_hubs in"
                    f" {CONFIG_NAME} should say {moved}"
                )
            for answer in answers:
                detail = f": {answer.detail}" if answer.detail else ""
                if answer.status is None or answer.unfollowed:
                    why = answer.detail or (
                        f"HTTP {answer.status}, a redirect that would turn the publish request"
                        " (a POST) into a GET, which tells a hub nothing"
                    )
                    report.warnings.append(
                        f"{hub}: {why}; {_plural(self.not_sent[hub], 'feed')} not"
                        " pinged (readers still get them at their next poll)"
                    )
                elif answer.accepted:
                    accepted[answer.status] = accepted.get(answer.status, 0) + 1
                else:
                    report.warnings.append(f"{hub}: HTTP {answer.status} for {answer.feed}{detail}")
            if accepted:
                statuses = ", ".join(
                    f"HTTP {status} for {_plural(count, 'feed')}"
                    for status, count in sorted(accepted.items())
                )
                report.lines.append(f"{hub}: {statuses}")
        return report


def _read_config(root: Path) -> SiteConfig:
    problems = Problems()
    config = read_config(root, problems, shown_root(root) + CONFIG_NAME)
    if config is None or problems.errors:
        raise FeedpubError(problems.items)
    return config


def _problem(path: Path, message: str, *, folder: bool = False) -> FeedpubError:
    shown = shown_path(path) + ("/" if folder else "")
    return FeedpubError([Problem(path=shown, line=0, message=message)])


def subscription_feeds(out: Path) -> list[str]:
    """The subscription feeds built in `out`, as paths inside it, in a stable order."""
    found = []
    for folder in SUBSCRIPTION_FOLDERS:
        directories = sorted(out.glob(folder)) if folder else [out]
        for directory in directories:
            for name in FEED_NAMES:
                path = directory / name
                if path.is_file() and not path.is_symlink():
                    found.append(path.relative_to(out).as_posix())
    return found


def _built_feeds(root: Path, out: Path | None) -> tuple[Path, list[str]]:
    out = out if out is not None else root / "public"
    feeds = subscription_feeds(out) if out.is_dir() else []
    if not feeds:
        raise _problem(
            out, "holds no built feeds; run `feedpub build` first (or give --out)", folder=True
        )
    return out, feeds


def _compare(url: str, built: bytes, timeout: float) -> tuple[bool, str]:
    """Whether the feed served at `url` differs from `built`, and why it could not be
    fetched (''). A feed that cannot be fetched counts as changed; so does a 404: new."""
    try:
        response = fetch(url, timeout=timeout, max_bytes=MAX_FEED_BYTES)
    except FetchError as exc:
        return True, exc.message
    return not (response.ok and response.body == built), ""


def prepare(
    root: Path,
    out: Path | None = None,
    list_path: Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Prepared:
    """Before deploying: list the built subscription feeds that differ from those served."""
    config = _read_config(root)
    if not config.websub_hubs:
        return Prepared(hubs=(), list_path=None)
    out, paths = _built_feeds(root, out)
    urls = [config.url(path) for path in paths]
    built = [(out / path).read_bytes() for path in paths]
    with ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
        results = list(pool.map(lambda u, b: _compare(u, b, timeout), urls, built))
    changed = tuple(url for url, (differs, _) in zip(urls, results, strict=True) if differs)
    unreachable = tuple((url, why) for url, (_, why) in zip(urls, results, strict=True) if why)
    list_path = list_path if list_path is not None else default_list(root)
    _write_list(list_path, changed)
    return Prepared(
        hubs=config.websub_hubs,
        list_path=list_path,
        feeds=tuple(urls),
        changed=changed,
        unreachable=unreachable,
    )


def _write_list(path: Path, urls: Iterable[str]) -> None:
    """One URL a line, replaced whole: a list is never half written."""
    text = "".join(f"{url}\n" for url in urls)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise _problem(path, f"cannot write the list of changed feeds: {exc.strerror}") from None


def read_list(path: Path) -> list[str]:
    """The feed URLs `prepare` listed; blank lines and # comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _problem(
            path,
            "no list of changed feeds here; run `feedpub ping --prepare` before deploying"
            " (or `feedpub ping --all` to tell the hubs about every feed)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise _problem(path, f"cannot read the list of changed feeds: {reason}") from None
    problems = []
    urls = []
    for number, line in enumerate(text.splitlines(), 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
            problems.append(
                Problem(
                    path=shown_path(path),
                    line=number,
                    message=f"expected one feed URL a line, got {url!r}; run"
                    " `feedpub ping --prepare` to write the list again",
                )
            )
        urls.append(url)
    if problems:
        raise FeedpubError(problems)
    return urls


def _publish(hub: str, feed: str, timeout: float) -> Answer:
    body = urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
    response = fetch(
        hub, data=body, content_type=FORM, timeout=timeout, max_bytes=64 * 1024, keep_post=True
    )
    # 307 and 308 were followed with the POST; 301, 302 and 303 would have made it a GET,
    # which tells a hub nothing, so they come back unfollowed. Either way, say where to.
    location = response.headers.get("Location") if 300 <= response.status < 400 else None
    moved = urljoin(response.url, location) if location else response.url
    if moved == hub:
        detail = " ".join(response.body[:200].decode("utf-8", "replace").split())
        return Answer(hub, feed, response.status, detail)
    return Answer(hub, feed, response.status, moved_to=moved)


def ping(
    root: Path,
    list_path: Path | None = None,
    *,
    every: bool = False,
    out: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Pinged:
    """After deploying: tell each hub about each listed feed (or every feed)."""
    config = _read_config(root)
    if not config.websub_hubs:
        return Pinged(hubs=())
    if every:
        _, paths = _built_feeds(root, out)
        feeds = [config.url(path) for path in paths]
        list_path = None
    else:
        list_path = list_path if list_path is not None else default_list(root)
        feeds = read_list(list_path)
    answers: list[Answer] = []
    not_sent: dict[str, int] = {}
    for hub in config.websub_hubs:
        for number, feed in enumerate(feeds):
            try:
                answer = _publish(hub, feed, timeout)
                answers.append(answer)
                if answer.unfollowed:  # and so would every other feed be
                    not_sent[hub] = len(feeds) - number
                    break
            except FetchError as exc:
                # A hub that cannot be reached now will not be for the next feed either.
                answers.append(Answer(hub, feed, None, exc.message))
                not_sent[hub] = len(feeds) - number
                break
    return Pinged(
        hubs=config.websub_hubs,
        feeds=tuple(feeds),
        answers=tuple(answers),
        not_sent=not_sent,
        list_path=list_path,
    )

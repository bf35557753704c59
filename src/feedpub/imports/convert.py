"""One imported Item -> a Draft of an entry: id, dates, title, text, tags, old address.

Every value is made to pass `feedpub check` as it is, or the item is skipped with a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from feedpub.entryfields import default_type, limit
from feedpub.errors import Problem
from feedpub.imports import markdown
from feedpub.imports.dates import after, read_date, written
from feedpub.imports.items import Enclosure, Item
from feedpub.imports.notices import contact, unmarked_summary, unmarked_title
from feedpub.imports.report import Skip, item_name, note
from feedpub.imports.text import clean, clean_line
from feedpub.markup import render_markdown
from feedpub.measure import BodyRefused
from feedpub.model import SiteConfig
from feedpub.plaintext import plain_text, shorten, shows_nothing
from feedpub.references import unescape
from feedpub.slug import slugify
from feedpub.validate import FILE_NAME
from feedpub.values import UNREADABLE_HOST, id_problem, readable_url
from feedpub.zones import as_written, in_zone

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# The notices feedpub adds to a feed item's content (templates/_notices.html): recognised
# only in feeds feedpub wrote, and turned back into fields instead of being copied into the
# body. Their words are in the statement's language, so they are found by their class and
# their <time datetime>; earlier versions wrote them in English with ISO dates.
_WITHDRAWN = re.compile(
    r"\s*(?:<p><strong>Withdrawn on (\d{4}-\d{2}-\d{2}):</strong> ?(.*?)</p>"
    r'|<p class="withdrawn"><strong>[^<]*<time datetime="(\d{4}-\d{2}-\d{2}[^"]*)">'
    r"[^<]*</time>[^<]*</strong> ?(.*?)</p>)\s*",
    re.DOTALL,
)
_CORRECTED = re.compile(r'\s*<p class="corrected">.*?</p>\s*', re.DOTALL)
_CORRECTIONS = re.compile(
    r'\s*<p(?: class="corrections")?><strong>[^<]*</strong></p>\s*<ul>'
    r"((?:<li>(?:\d{4}-\d{2}-\d{2}|<time datetime=[^>]*>[^<]*</time>)[^<]*?: .*?</li>)+)"
    r"</ul>\s*$",
    re.DOTALL,
)
_CORRECTION = re.compile(
    r'<li>(?:(\d{4}-\d{2}-\d{2})|<time datetime="(\d{4}-\d{2}-\d{2}[^"]*)">[^<]*</time>)'
    r"[^<:]*: (.*?)</li>",
    re.DOTALL,
)
_LIST_AT_END = re.compile(
    r"\s*(?:<(h[2-6]|p)\b[^>]*>[^<]*(?:<strong>[^<]*</strong>)?[^<]*</\1>\s*)?"
    r"<ul\b[^>]*>((?:(?!<ul\b).)*?)</ul>\s*$",
    re.DOTALL,
)
_HREF = re.compile(r'href="([^"]*)"')
# The parts of a press release feedpub writes after the body (templates/_notices.html).
_CONTACT = re.compile(r'\s*<div class="media-contact">(.*?)</div>\s*$', re.DOTALL)
_NOTES = re.compile(
    r'\s*<div class="notes-to-editors"><p><strong>[^<]*</strong></p>\s*(.*)</div>\s*$',
    re.DOTALL,
)
_ADDRESS = re.compile(r"<address>(.*?)</address>", re.DOTALL)
# feedpub's <div lang dir> around an item's content; readers may reorder its attributes.
_WRAPPER = re.compile(r'\s*<div (?=[^>]*\blang="([^"]+)")[^>]*>(.*)</div>\s*', re.DOTALL)
_OLD_PAGE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/([a-z0-9]+(?:-[a-z0-9]+)*)(?:/|\.html?)$")
_REPORTED = re.compile(r"element and its content|removed on\w+ attribute|URL from")
_ALIAS = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+")
_UNREADABLE = f"is no URL a browser opens: {UNREADABLE_HOST}"


@dataclass(slots=True, kw_only=True)
class Draft:
    """An entry about to be written: every field as text, in the site's terms."""

    item: Item
    id: str
    title: str
    date: str
    day: dt.date  # in the site's zone: the file name's date
    updated: str = ""
    change_note: str = ""
    corrections: list[tuple[str, str]] = field(default_factory=list)
    withdrawn: tuple[str, str] | None = None
    type: str = ""
    tags: list[str] = field(default_factory=list)
    bylines: tuple[str, ...] = ()
    summary: str = ""
    language: str = ""
    body: str = ""
    slug: str = ""
    alias: str = ""
    enclosures: tuple[Enclosure, ...] = ()
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # name, email, phone
    notes_to_editors: str = ""  # Markdown


def check_id(value: str) -> str:
    """Why `check` would refuse `value` as an entry's id (by its own rule), or ''."""
    if len(value) > limit("id", "length"):
        return f"its id is {len(value):,} characters long; at most 500 are allowed"
    problem = id_problem(value)
    return f"feedpub check would refuse its id ({problem})" if problem else ""


@dataclass(frozen=True, slots=True)
class _Moment:
    at: datetime  # in the site's zone
    text: str  # as the entry file will hold it


def _moment(raw: str, config: SiteConfig, item: Item, label: str, notes: list[Problem]) -> _Moment:
    try:
        return _read_moment(raw, config, item, label, notes)
    except (ValueError, OverflowError):  # 2025-02-30, an offset of +25:00, past 9999
        raise Skip("date", f"its {label} date {raw!r} is not a real date") from None


def _updated(
    item: Item, config: SiteConfig, notes: list[Problem], published: _Moment, now: datetime
) -> _Moment | None:
    """An item's updated time; one that is no real date, or later than now (as `check`
    refuses: after its release for one under embargo), is left out, and said so."""
    try:
        at = _moment(item.updated, config, item, "updated", notes) if item.updated else None
    except Skip as exc:
        notes.append(note(item, "updated", f"{item_name(item)}: {exc.reason}; left out"))
        return None
    limit = max(published.at, now)
    if at is not None and at.at > limit:
        when = "its release" if limit > now else "now"
        shown = limit.astimezone(config.timezone).isoformat(timespec="minutes")
        notes.append(
            note(
                item,
                "updated",
                f"{item_name(item)}: its updated date {item.updated!r} is later than {when}"
                f" ({shown}); left out: check the feed's time zone",
            )
        )
        return None
    return at


def _read_moment(
    raw: str, config: SiteConfig, item: Item, label: str, notes: list[Problem]
) -> _Moment:
    value = read_date(raw)
    if value is None:
        raise Skip("date", f"its {label} date {raw!r} is neither ISO 8601 nor RFC 822")
    if not isinstance(value, datetime):
        at = datetime(value.year, value.month, value.day, tzinfo=config.timezone)
        at = as_written(at.astimezone(timezone.utc).astimezone(config.timezone))
        return _Moment(at, written(value))
    if value.year < 1900:
        raise Skip("date", f"its {label} date {raw!r} is before 1900")
    if value.tzinfo is None:
        local = value.replace(tzinfo=config.timezone).astimezone(timezone.utc)
        local = as_written(local.astimezone(config.timezone))
        text = written(local)
        notes.append(
            note(
                item,
                "date",
                f"{item_name(item)}: its {label} date {raw!r} has no time zone feedpub can"
                f" read; read in {config.timezone_name} as {text}",
            )
        )
        return _Moment(local, text)
    return _Moment(in_zone(value, config.timezone), written(value))


def convert_item(
    item: Item, config: SiteConfig, entry_type: str | None, notes: list[Problem], now: datetime
) -> Draft:
    """Map one item to a Draft, adding warnings to `notes`; raise Skip when it cannot be."""
    if item.not_a_post:
        raise Skip("item", item.not_a_post)
    identifier = clean(item.id or item.link).strip()
    if not identifier:
        raise Skip("id", "it has no id and no link, so its subscribers could not recognise it")
    if reason := check_id(identifier):
        raise Skip("id", reason)
    title = clean_line(plain_text(item.title) if item.title_is_html else item.title)
    if not title:
        raise Skip("title", "it has no title")
    raw = item.published or item.updated
    if not raw.strip():
        raise Skip("date", "it has no date (published or updated)")
    published = _moment(raw, config, item, "published", notes)
    if published.at > now:  # kept, as a statement under embargo would be
        told = f"{item_name(item)}: dated {raw!r}, later than now: held back until then"
        notes.append(note(item, "date", told + "; if not meant, check the feed's time zone"))
    for enclosure in item.enclosures:
        if not readable_url(enclosure.url):
            told = f"{item_name(item)}: its enclosure {enclosure.url} {_UNREADABLE}: left out"
            notes.append(note(item, "attachments", told))
    draft = Draft(
        item=item,
        id=identifier,
        title=title,
        date=published.text,
        day=published.at.date(),
        enclosures=tuple(e for e in item.enclosures if readable_url(e.url)),
        language=item.language.replace("_", "-"),  # fr_FR: a locale, written as a tag
    )
    if len(title) > limit("title", "length"):
        draft.title = shorten(title, limit("title", "length"))
        notes.append(note(item, "title", f"{item_name(item)}: title shortened to 300 characters"))
    content = clean(item.content)
    if item.feedpub:
        content = _take_notices(draft, content, published, item, config, notes, now)
    elif item.updated and item.published:
        updated = _updated(item, config, notes, published, now)
        if updated is not None and updated.at > published.at:
            draft.updated = updated.text
    _set_text(draft, content, item, notes)
    draft.type = _type(item, entry_type, config)
    draft.tags = [clean_line(t) for t, _ in item.categories]
    draft.bylines = tuple(shorten(clean_line(a), limit("byline", "length")) for a in item.authors)
    draft.bylines = tuple(dict.fromkeys(b for b in draft.bylines if b))[: limit("byline", "names")]
    _set_address(draft, item, config, notes)
    # The entry says its language only when it is not the site's (BCP 47 tags are
    # compared case-insensitively, RFC 5646 §2.1.1); one that is no tag is left out.
    if not _LANGUAGE.fullmatch(draft.language) or draft.language.lower() == config.language.lower():
        draft.language = ""
    return draft


def _type(item: Item, entry_type: str | None, config: SiteConfig) -> str:
    return clean_line(item.feedpub_type) or entry_type or default_type(config)


def _set_text(draft: Draft, content: str, item: Item, notes: list[Problem]) -> None:
    """Body from the content (else the description), summary from the description."""
    description = clean(item.description)
    source, is_text = (content, item.content_is_text)
    if not source.strip():
        source, is_text, description = description, item.description_is_text, ""
    if is_text:
        body = markdown.text_to_markdown(source)
    else:
        if item.wordpress:
            source = markdown.wordpress_paragraphs(source)
        try:
            body, removed = markdown.html_to_markdown(source)
        except BodyRefused as exc:  # what `check` would refuse in a body
            raise Skip("body", f"its content is refused in a body: {exc.message}") from None
        for removal in removed:
            # What can run or leak is reported; class, id and <span> are every CMS's habit.
            if _REPORTED.search(removal.what):
                notes.append(note(item, "body", f"{item_name(item)}: {removal.what}"))
    draft.body = body
    if not body and not draft.enclosures:
        raise Skip("body", "it has no text (no content, summary or description)")
    summary = clean_line(description if item.description_is_text else plain_text(description))
    # feedpub's feeds start it with the withdrawal notice, or the last correction's
    last = draft.change_note or (draft.corrections[-1][1] if draft.corrections else "")
    if draft.withdrawn is not None or (item.feedpub and last):
        summary = unmarked_summary(summary, draft.withdrawn[1] if draft.withdrawn else last)
    try:
        rendered = render_markdown(body) if body else None
    except BodyRefused as exc:
        raise Skip("body", f"its content is refused in a body: {exc.message}") from None
    if rendered and not draft.enclosures and shows_nothing(rendered.html):
        raise Skip("body", "its content shows nothing once converted, neither text nor image")
    if rendered and summary in (rendered.summary, plain_text(rendered.html)):
        summary = ""
    draft.summary = shorten(summary, limit("summary", "length"))


def _take_notices(
    draft: Draft,
    content: str,
    published: _Moment,
    item: Item,
    config: SiteConfig,
    notes: list[Problem],
    now: datetime,
) -> str:
    """Turn the notices feedpub writes into feed content back into fields."""
    if m := _WRAPPER.fullmatch(content):
        draft.language = m.group(1)  # written only for a statement in another language
        content = m.group(2)
    withdrawn = None
    if m := _WITHDRAWN.match(content):
        day, reason = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        withdrawn = (day, unescape(reason).strip())
        content = content[m.end() :]
        draft.title = unmarked_title(draft.title, config)
    if m := _CORRECTED.match(content):  # the latest correction again, listed below
        content = content[m.end() :]
    corrections: list[tuple[str, str]] = []
    urls = {e.url for e in item.enclosures}
    while True:
        if m := _CORRECTIONS.search(content):
            corrections = [
                (old or new, unescape(n).strip()) for old, new, n in _CORRECTION.findall(m.group(1))
            ]
            content = content[: m.start()]
        elif m := _CONTACT.search(content):
            draft.contacts = [contact(address) for address in _ADDRESS.findall(m.group(1))]
            content = content[: m.start()]
        elif m := _NOTES.search(content):
            draft.notes_to_editors = markdown.html_to_markdown(m.group(1))[0]
            content = content[: m.start()]
        elif (m := _LIST_AT_END.search(content)) and urls:
            hrefs = [unescape(h) for h in _HREF.findall(m.group(2))]
            if not hrefs or not set(hrefs) <= urls:
                break
            content = content[: m.start()]
        else:
            break
    updated = _updated(item, config, notes, published, now)
    latest = updated if updated and updated.at > published.at else None
    latest_day = latest.at.date().isoformat() if latest else ""

    def change_text(when: str) -> str:
        # feedpub's notices give the time (<time datetime>), older ones the day only. One
        # not after the statement (its first day) is dated a minute after it, and told.
        if after(when, published.at):
            return when
        told = f"{item_name(item)}: a change dated {when} is dated a minute after the statement"
        notes.append(note(item, "date", told + " (give its time if you know it)"))
        return (published.at + timedelta(minutes=1)).isoformat(timespec="minutes")

    # The feed's updated time is the latest of the withdrawal and the corrections: give it
    # back to the one that falls on its day, so the statement keeps its exact time.
    if withdrawn:
        on_day = latest is not None and withdrawn[0][:10] == latest_day
        draft.withdrawn = (
            latest.text if on_day and latest else change_text(withdrawn[0]),
            withdrawn[1],
        )
        latest = None if on_day else latest
    if latest is not None and corrections and corrections[-1][0][:10] == latest_day:
        draft.updated, draft.change_note = latest.text, corrections.pop()[1]
    elif latest is not None:  # a correction without a note: only its time is known
        draft.updated = latest.text
    draft.corrections = [(change_text(when), text) for when, text in corrections]
    return content


def _set_address(draft: Draft, item: Item, config: SiteConfig, notes: list[Problem]) -> None:
    """The file's slug (the old one when the old address has feedpub's shape), and an alias
    when the old address is under the site's base_url and differs from the new page's."""
    link = item.link if readable_url(item.link) else ""
    if link != item.link:
        told = f"{item_name(item)}: its old address {item.link} {_UNREADABLE}: no redirect page"
        notes.append(note(item, "aliases", told))
    parts = urlsplit(link)
    m = _OLD_PAGE.search(parts.path)
    if m and m.group(1, 2, 3) == tuple(f"{draft.day:%Y %m %d}".split()) and len(m.group(4)) <= 80:
        draft.slug = m.group(4)
    else:
        draft.slug = slugify(draft.title, 60) or slugify(draft.id.rsplit("/", 1)[-1], 60)
        draft.slug = draft.slug or "statement"
    base = urlsplit(config.base_url)
    if not link or parts.netloc.lower() != base.netloc.lower():
        return
    if not parts.path.startswith(base.path):
        return
    old = parts.path[len(base.path) :]
    if not old or old == f"{draft.day:%Y/%m/%d}/{draft.slug}/" or parts.query:
        return
    if not (old.endswith(("/", ".html", ".htm")) and _ALIAS.fullmatch(old)) or ".." in old:
        told = (
            f"{item_name(item)}: its old address {item.link} gets no redirect page (an alias is"
            " a path ending in / or .html); redirect it on the old server"
        )
        notes.append(note(item, "aliases", told))
        return
    draft.alias = old
    if not FILE_NAME.fullmatch(f"{draft.day.isoformat()}-{draft.slug}.yaml"):  # pragma: no cover
        draft.slug = "statement"

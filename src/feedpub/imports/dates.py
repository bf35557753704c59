"""A date as a feed writes it -> as an entry file holds it: ISO 8601 (RFC 3339) or RFC 822,
its own offset kept, naive when it has none."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_tz

_RFC822_ZONE = re.compile(r"\s(?:[+-]\d{4}|UTC?|GMT|Z|[ECMP][SD]T|A[SD]T)$", re.IGNORECASE)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r" ?(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?)?"
)


def read_date(raw: str) -> datetime | date | None:
    """A date as written: ISO 8601/RFC 3339 or RFC 822, its own offset kept; naive if none."""
    raw = " ".join(raw.split())
    if m := _ISO.fullmatch(raw):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if m.group(4) is None:
            return date(year, month, day)
        second = min(int(m.group(6) or 0), 59)  # :60, a leap second, as its last second
        at = datetime(year, month, day, int(m.group(4)), int(m.group(5)), second)  # noqa: DTZ001
        return at.replace(tzinfo=_offset(m.group("zone"))) if m.group("zone") else at
    parts = parsedate_tz(raw)
    if parts is None:
        return None
    year = parts[0] + (2000 if parts[0] < 50 else 1900 if parts[0] < 100 else 0)
    at = datetime(year, *parts[1:5], min(parts[5], 59))  # noqa: DTZ001 - zone: parts[9]
    # parsedate_tz answers 0 for a missing or unknown zone; RFC 5322's -0000 means unknown.
    if not _RFC822_ZONE.search(raw) or raw.endswith("-0000"):
        return at
    return at.replace(tzinfo=timezone(timedelta(seconds=parts[9] or 0)))


def _offset(zone: str) -> timezone:
    if zone in ("Z", "z"):
        return timezone.utc
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def written(value: datetime | date) -> str:
    """A date as an entry file holds it: seconds only when there are some."""
    if not isinstance(value, datetime):
        return value.isoformat()
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def after(when: str, published: datetime) -> bool:
    """Whether a notice's date (a day, or a time with its offset) is after `published`."""
    try:
        at = datetime.fromisoformat(when) if len(when) > 10 else None
        return at > published if at is not None else when > published.date().isoformat()
    except (ValueError, TypeError):  # not a time, or one without its offset
        return False

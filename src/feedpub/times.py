"""Dates, times and time zones as an office writes them: ISO 8601 read in the site's zone
(refusing times the clocks skip or repeat), and IANA zone names, with a hint for an offset
written where a zone is asked for."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from feedpub.load import Node, ScalarNode, describe_node
from feedpub.values import fail, hint, text
from feedpub.zones import as_written, in_zone

# ISO 8601 extended format, as RFC 3339 profiles it; a space may stand for the T (YAML's habit).
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2}))?"
    r" ?(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))?"
)


@dataclass(frozen=True, slots=True)
class Moment:
    """A point in time, in the site's zone, and whether a time of day was written."""

    at: datetime
    has_time: bool


def moment(node: Node, zone: tzinfo, zone_name: str) -> Moment:
    """Read an ISO 8601 date or date-time; without an offset it is read in `zone`."""
    try:
        return _moment(node, zone, zone_name)
    except OverflowError:  # 9999-12-31T23:30Z is past the last year datetime can hold
        fail(f"{node.value.strip()!r} is out of the range of dates feedpub can publish", node)


def _moment(node: Node, zone: tzinfo, zone_name: str) -> Moment:
    if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
        fail(f"expected an ISO 8601 date such as 2021-11-05, got {describe_node(node)}", node)
    raw = node.value.strip()
    if m := _DATE.fullmatch(raw):
        day = _make_date(m.group(1, 2, 3), raw, node)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        # Midnight may not exist on a day the clocks change; take the first moment that does.
        first = as_written(_normalize(midnight, zone))
        if first.date() != day:  # Samoa skipped 2011-12-30 whole, crossing the date line
            fail(f"{raw!r} does not exist in {zone_name} (the clocks skip that day)", node)
        return Moment(first, has_time=False)
    m = _DATETIME.fullmatch(raw)
    if not m:
        fail(
            f"not an ISO 8601 date (got {raw!r}); write 2021-11-05,"
            " 2021-11-05T14:30 or 2021-11-05T14:30:00-05:00",
            node,
        )
    day = _make_date(m.group(1, 2, 3), raw, node)
    hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        fail(f"{raw!r} is not a real time of day", node)
    naive = datetime(day.year, day.month, day.day, hour, minute, second)  # noqa: DTZ001
    if m.group("utc"):
        return Moment(in_zone(naive.replace(tzinfo=UTC), zone), has_time=True)
    if m.group("sign"):
        oh, om = int(m.group("oh")), int(m.group("om"))
        if oh > 23 or om > 59:
            fail(f"{raw!r} has an offset out of range", node)
        delta = timedelta(hours=oh, minutes=om)
        offset = timezone(delta if m.group("sign") == "+" else -delta)
        return Moment(in_zone(naive.replace(tzinfo=offset), zone), has_time=True)
    return Moment(as_written(_localize(naive, zone, zone_name, raw, node)), has_time=True)


def _make_date(parts: tuple[str, ...], raw: str, node: Node) -> date:
    year, month, day = (int(p) for p in parts)
    try:
        value = date(year, month, day)
    except ValueError:
        fail(f"{raw!r} is not a real date", node)
    if value.year < 1900:
        fail(f"{raw!r} is before 1900; date it the day it was released: check the year", node)
    return value


def _normalize(value: datetime, zone: tzinfo) -> datetime:
    return value.astimezone(UTC).astimezone(zone)


def _localize(naive: datetime, zone: tzinfo, zone_name: str, raw: str, node: Node) -> datetime:
    """Attach `zone` to a wall-clock time, refusing times the clocks skip or repeat."""
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        round_trip = _normalize(early, zone).replace(tzinfo=None)
        if round_trip != naive:
            fail(
                f"{raw!r} does not exist in {zone_name} (the clocks skip it); add an offset",
                node,
            )
        fail(
            f"{raw!r} happens twice in {zone_name} (the clocks go back); add an offset"
            f" such as {_offset(early)} or {_offset(late)}",
            node,
        )
    return _normalize(early, zone)


def _offset(value: datetime) -> str:
    """+01:00: an offset as an entry may give it (to the minute, as zones.py holds it)."""
    minutes = round((value.utcoffset() or timedelta()).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# Names beside the zones in a system's database that no office is in: Debian's `localtime`
# is a link to the machine's own /etc/localtime; `posixrules`, the rules POSIX TZ strings
# borrow, is chosen as the database is built. (A case-insensitive disk finds "LocalTime".)
_MACHINE_ZONES = frozenset({"localtime", "posixrules"})


def time_zone(node: Node) -> tuple[str, tzinfo]:
    """Read an IANA time zone name such as Europe/Paris."""
    name = text(node, max_length=64)
    if name.casefold() in _MACHINE_ZONES:
        fail(
            f"{name!r} is no place's zone but a setting of the machine (a link some systems"
            " keep beside the zones), so builds on two machines could differ: write"
            " the office's city in the IANA form Region/City, as in Europe/Paris",
            node,
        )
    try:
        if ".." in name or name.startswith("/"):
            raise ValueError(name)
        return name, zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder's name
        offset = _OFFSET_NAME.fullmatch(name.strip())
        if offset:
            fail(f"unknown time zone {name!r}; {_offset_hint(offset)}", node)
        zones = zoneinfo.available_timezones()
        # A city alone (Paris): the zone named after it, which difflib finds too far.
        city = sorted(z for z in zones if z.rpartition("/")[2].casefold() == name.casefold())
        suggestion = f"; did you mean {city[0]}?" if city else hint(name, zones)
        fail(f"unknown time zone {name!r}{suggestion}", node)


# GMT+1, UTC-05:00, +0530: an offset, which the IANA database names otherwise.
_OFFSET_NAME = re.compile(
    r"(?:GMT|UTC|UT)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?",
    re.IGNORECASE,
)
# Cities whose standard (winter) offset is known, to suggest one with the same offset.
_CITIES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Paris",
    "Europe/Athens",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
    "Pacific/Auckland",
)


def _offset_hint(m: re.Match[str]) -> str:
    """Etc/GMT-1 for GMT+1 (IANA's Etc names count the other way), or a city."""
    minutes = int(m.group("hours")) * 60 + int(m.group("minutes") or 0)
    minutes = -minutes if m.group("sign") == "-" else minutes
    shown = f"{m.group('sign')}{abs(minutes) // 60}" + (
        f":{abs(minutes) % 60:02d}" if minutes % 60 else ""
    )
    cities = [c for c in _CITIES if _standard_minutes(c) == minutes]
    city = f", such as {cities[0]}" if cities else ""
    if minutes % 60 == 0 and -12 * 60 <= minutes <= 14 * 60:
        hours = minutes // 60
        etc = "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"
        flipped = (
            f" (the sign flips: IANA's Etc names count hours west of Greenwich, so {etc}"
            f" is GMT{shown})"
            if hours
            else ""
        )
        return (
            f"for a fixed offset of GMT{shown} all year write {etc}{flipped}; if the office"
            f" keeps summer time, write its city instead{city}"
        )
    return f"write the office's city in the IANA form Region/City{city}"


def _standard_minutes(zone: str) -> int:
    """A zone's offset from UTC outside summer time, in minutes."""
    at = datetime(2025, 1, 15, 12, tzinfo=UTC).astimezone(zoneinfo.ZoneInfo(zone))
    offset = (at.utcoffset() or timedelta()) - (at.dst() or timedelta())
    return int(offset.total_seconds()) // 60

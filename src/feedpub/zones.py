"""A time in a site's zone, as every format can write it (standard library only: the build
cache reads times back with it).

Until the 20th century many zones kept local mean time, an offset with seconds (Paris
+00:09:21 until 1911, Monrovia -00:44:30 until 1972). RFC 3339 (Atom, JSON Feed), RFC 5322
(RSS) and HTML's `<time>` write offsets to the minute only: such a time is held at its
offset to the minute, moved by those seconds, the same way wherever it is read.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo


class Repeated(ZoneInfo):
    """A zone for the times of the hour its clocks repeat, second time round (`fold=1`:
    02:10+01:00 in Paris on the last Sunday of October, after 02:50+02:00). Python orders
    two times of one zone object by their clock readings alone, so 02:50+02:00 (00:50 UTC)
    came after 02:10+01:00 (01:10 UTC): a feed's date went back, a real correction was
    refused. Times of two zone objects are ordered by their instants. The same zone
    otherwise (its name, its offsets), one object a process (a subclass has its own cache),
    pickled by name. Python holds a time of that hour unequal to the same instant in any
    other zone object (`astimezone()` gives one): compare two such times' timestamp()."""


def _settled(local: datetime) -> datetime:
    """`local`, in Repeated when its clock reading is the second of two."""
    zone = local.tzinfo
    if local.fold and type(zone) is ZoneInfo and zone.key is not None:
        return local.replace(tzinfo=Repeated(zone.key))
    return local


def in_zone(value: datetime, zone: tzinfo) -> datetime:
    """The instant `value` (aware) in `zone`, at an offset to the minute."""
    local = value.astimezone(zone)
    fixed = _to_the_minute(local)
    return _settled(local) if fixed is None else value.astimezone(fixed)


def as_written(local: datetime) -> datetime:
    """A wall-clock time with its zone attached (`local`), at an offset to the minute: the
    time as written, the instant moved by the offset's seconds."""
    fixed = _to_the_minute(local)
    return _settled(local) if fixed is None else local.replace(tzinfo=fixed)


def _to_the_minute(local: datetime) -> timezone | None:
    offset = local.utcoffset()
    if offset is None or not offset.seconds % 60:  # as nearly every time is
        return None
    # Unnamed, as the build cache reads it back (datetime.fromisoformat): see from_cache.
    return timezone(timedelta(minutes=round(offset.total_seconds() / 60)))


def from_cache(stored: datetime, zone: tzinfo) -> datetime:
    """A time the build cache kept (with its offset), as it was compiled: in `zone`, or at
    its offset to the minute where the zone's own then had seconds (in_zone, as_written:
    put back in the zone, it could fall on the other side of a change of offset)."""
    local = stored.astimezone(zone)
    return _settled(local) if local.utcoffset() == stored.utcoffset() else stored

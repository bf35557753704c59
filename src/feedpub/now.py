""" "Now" for check and build: `--now`, else SOURCE_DATE_EPOCH, else the clock.

A `--now` without an offset (2021-11-05T09:00, or a date alone, its midnight) is read in
the site's `timezone`, exactly as an entry's `date:` is: the same refusals of a time the
clocks skip or repeat, the same words. Only then is feedpub.yaml read here, and lazily:
a `--now` with its offset, and a build the no-change check answers, import nothing heavy.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

from feedpub.errors import FeedpubError, Problem, UsageError, shown_root

_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})")
_WITHOUT_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?")
EXPECTED = (
    "expected a time such as 2021-11-05T09:00 (in the site's time zone), one with its"
    " offset such as 2021-11-05T09:00:00+01:00 or 2021-11-05T08:00:00Z, or a date alone"
    " (its midnight)"
)


def resolve_now(given: str | None, root: Path) -> datetime:
    """--now (read in the zone of the site at `root` when it has no offset), else
    SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if given is not None:
        if _WITH_OFFSET.fullmatch(given):
            try:
                return datetime.fromisoformat(given.replace("Z", "+00:00"))
            except ValueError:
                raise UsageError(f"--now {given!r} is not a real time") from None
        if _WITHOUT_OFFSET.fullmatch(given):
            return _in_site_zone(given, root)
        raise UsageError(f"--now {given!r}: {EXPECTED}")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:  # digits alone, as reproducible-builds.org says (int() takes "-1", " 1_0 ")
            if not epoch.isascii() or not epoch.isdigit():
                raise ValueError(epoch)
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970"
            ) from None
    return datetime.now(timezone.utc)


def _in_site_zone(given: str, root: Path) -> datetime:
    from feedpub.config import CONFIG_NAME, read_settings
    from feedpub.errors import Problems
    from feedpub.load import ScalarNode
    from feedpub.times import moment
    from feedpub.values import Invalid

    problems = Problems()
    shown = shown_root(root) + CONFIG_NAME
    # The settings to check entries against: the zone, when feedpub.yaml gives a usable one
    # though other fields are wrong (check and build then tell those, as for any --now).
    config = read_settings(Path(os.path.abspath(root)), problems, shown)[1]
    if not config.timezone_name:  # no feedpub.yaml, or no usable timezone in it
        no_zone = (
            f"{given!r} has no offset, and {shown} gives no usable timezone to read it in;"
            f" fix {shown}, or give the offset, such as 2021-11-05T09:00:00+01:00"
        )
        problems.items.append(Problem(path="(--now)", line=0, message=no_zone))
        raise FeedpubError(problems.items)
    try:
        node = ScalarNode("tag:yaml.org,2002:str", given)
        return moment(node, config.timezone, config.timezone_name).at
    except Invalid as exc:  # a date or time that is not real, or not in the zone
        said = exc.message
        raise UsageError(
            f"--now {said}" if said.startswith(repr(given)) else f"--now {given!r}: {said}"
        ) from None

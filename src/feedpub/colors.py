"""The `accent_color` setting: a colour checked for contrast (WCAG 2.2) against the pages'
light background, and made readable on the dark one."""

from __future__ import annotations

import re

from feedpub import values
from feedpub.fields import Limits
from feedpub.load import Node, ScalarNode
from feedpub.model import Accent
from feedpub.values import fail

# The backgrounds of feedpub's stylesheet (templates/style.css), light and dark.
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#141414"
# WCAG 2.2 §1.4.3 (AA): text, links included, needs 4.5:1 against its background.
MINIMUM_CONTRAST = 4.5
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str | tuple[float, float, float], second: str) -> float:
    """WCAG 2.2's contrast ratio of two colours, 1 to 21."""
    a = _luminance(_rgb(first) if isinstance(first, str) else first)
    b = _luminance(_rgb(second))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def readable(color: str, background: str) -> str:
    """`color`, or the nearest colour on its way to black or white (whichever the
    background is not) that reaches the minimum contrast against `background`."""
    start = _rgb(color)
    target = 255.0 if _luminance(_rgb(background)) < 0.18 else 0.0
    for step in range(101):
        t = step / 100
        mixed = tuple(round(c + (target - c) * t) for c in start)
        if contrast((mixed[0], mixed[1], mixed[2]), background) >= MINIMUM_CONTRAST:
            return "#{:02x}{:02x}{:02x}".format(*mixed)
    raise AssertionError("black or white always reaches 4.5:1")  # pragma: no cover


def read_accent_color(node: Node, ctx: None, limits: Limits) -> Accent:
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        fail(
            "is empty; a colour written unquoted is a comment to YAML, as a '#' starts one:"
            " put it in quotes, accent_color: '#0b4fb3'",
            node,
        )
    value = values.text(node, max_length=7)
    if not _HEX_COLOR.fullmatch(value):
        fail(f"expected a colour such as '#0b4fb3' (# and 3 or 6 hex digits), got {value!r}", node)
    color = "#" + "".join(d * (2 if len(value) == 4 else 1) for d in value[1:].lower())
    ratio = contrast(color, LIGHT_BACKGROUND)
    if ratio < MINIMUM_CONTRAST:
        fail(
            f"{value} has a contrast of {ratio:.1f}:1 against the white background, and links"
            f" need {MINIMUM_CONTRAST}:1 to be readable (WCAG AA); use a darker colour, such"
            f" as {readable(color, LIGHT_BACKGROUND)}",
            node,
        )
    # One colour cannot reach 4.5:1 against both white and near-black: the dark scheme
    # gets the colour lightened until it does.
    return Accent(light=color, dark=readable(color, DARK_BACKGROUND))

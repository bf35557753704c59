"""Text drawn as nothing: a title of only a zero-width space publishes as a blank title."""

from __future__ import annotations

import unicodedata

# Characters drawn as nothing on their own: format controls (zero-width space and joiners,
# bidi marks and controls, the byte-order mark), combining marks with no letter to sit on,
# separators and controls, and the Hangul and Braille blanks, which Unicode counts as a
# letter or a symbol.
_NOTHING_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"})
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def shows_nothing(value: str) -> bool:
    """Whether `value` holds characters and none of them is seen."""
    if not value or (value[0].isalnum() and value[0] not in _BLANKS):
        return False  # as almost every text: seen from its first character
    return all(c in _BLANKS or unicodedata.category(c) in _NOTHING_CATEGORIES for c in value)


def describe(value: str) -> str:
    """What is wrong with text that shows as nothing, naming its characters."""
    named = [f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in dict.fromkeys(value)]
    more = f" and {len(named) - 3:,} more" if len(named) > 3 else ""
    return (
        f"shows as nothing: it holds only invisible characters ({', '.join(named[:3])}{more}),"
        " pasted or typed by mistake; delete them and write the text it should show"
    )

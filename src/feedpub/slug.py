"""Names made safe for URLs and file names: ASCII, lower case, digits and single hyphens."""

from __future__ import annotations

import re

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Transliterate to ASCII (Санкции -> sanktsii) and keep letters and digits; '' if none."""
    slug = _NOT_SLUG.sub("-", anyascii(text).lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
    return slug.strip("-")

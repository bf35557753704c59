"""Names made safe for URLs and file names: ASCII, lower case, digits and single hyphens."""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Windows refuses a file or folder named after a device, alone or before an extension
# (CON, con.txt, Lpt1.pdf), so a checkout of public/ holding one fails there.
# https://learn.microsoft.com/windows/win32/fileio/naming-a-file
_DEVICE = re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?", re.IGNORECASE)
# Added to a slug that is a device's name (con -> con-0): still a slug, so good in a URL,
# a folder and an entry's file name.
DEVICE_SUFFIX = "-0"


def is_device_name(name: str) -> bool:
    """True for a name Windows reserves for a device: CON, nul.txt, Lpt1..."""
    return _DEVICE.fullmatch(name.rstrip(" .")) is not None


# Why two addresses that differ are one file, as a message ends.
SAME_FILE = (
    " (a folder/ is folder/index.html, and macOS's and Windows' disks ignore case): keep one"
    " spelling"
)


def disk_key(address: str) -> str:
    """The file a site address is written to, named as a disk that ignores case and Unicode
    normalisation tells files apart (macOS's; Windows' ignores case): News/Old/ and
    news/old/index.html are one file there."""
    file = f"{address}index.html" if address.endswith("/") else address
    return unicodedata.normalize("NFC", file).casefold()


# Every statement's type and tags are slugged twice as it is compiled, and a site has few
# of them: each slug is made once per process (0.17 s of compiling 10,000 -> 0.02 s).
@functools.lru_cache(maxsize=4096)
def slugify(text: str, max_length: int = 80) -> str:
    """Transliterate to ASCII (Санкции -> sanktsii) and keep letters and digits; '' if none.

    A name Windows keeps for a device gets a suffix: CON -> con-0.
    """
    slug = _NOT_SLUG.sub("-", anyascii(text).lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
    slug = slug.strip("-")
    return slug + DEVICE_SUFFIX if is_device_name(slug) else slug

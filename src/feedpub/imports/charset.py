"""An XML feed's bytes -> bytes expat reads itself: UTF-8, ASCII or ISO-8859-1 as given,
any other encoding decoded with Python's codecs and written again as UTF-8.

Python's expat reads UTF-8, UTF-16, ASCII and ISO-8859-1 itself and other single-byte
encodings through a 256-character table; a multi-byte encoding (Shift_JIS, GB2312, EUC-KR,
Big5, UTF-7, UTF-32) makes it raise ValueError, and a name no codec has, LookupError. So
the encoding is found as XML 1.0 Appendix F finds it (a byte order mark, else the first
bytes, else the declaration), as feedparser does, and the text is given to expat and
feedparser alike as UTF-8 with a declaration that says so. Lines stay where they were.
"""

from __future__ import annotations

import codecs
import re

from feedpub.errors import Problem

# XML 1.0 §4.3.3 EncName, in a declaration read as ASCII (any ASCII-compatible encoding).
_DECLARATION = re.compile(rb"<\?xml\s[^>]*?\bencoding\s*=\s*([\"'])([^\"'>]*)\1")
_TEXT_DECLARATION = re.compile(r"\A(<\?xml\s[^>]*?\bencoding\s*=\s*)([\"'])[^\"'>]*\2")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,39}")
# What expat reads itself from bytes that begin in ASCII (its built-in encodings).
_NATIVE = frozenset({"utf-8", "ascii", "iso8859-1"})
_EXPAT_NAMES = frozenset({"utf-8", "us-ascii", "iso-8859-1"})  # as expat spells them
# Byte order marks and the bytes `<?` begins with, longest first (XML 1.0 Appendix F).
_MARKS = (
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
# Codecs that are no character set a feed could be written in.
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined"})
# gb18030 is a superset of GB2312 that feeds labelled GB2312 are often written in (feedparser).
_WIDER = {"gb2312": "gb18030"}
_ASCII = b'<?xml version="1.0" encoding="utf-8"?>\n<rss>'
_UNDECLARED = "; nothing was imported from it"


def xml_as_utf8(shown: str, data: bytes, charset: str = "") -> bytes | Problem:
    """`data` as bytes expat reads without a codec of Python's, or why it cannot be;
    `charset`, its server's word for its encoding, counts where the document has none."""
    marked = next((name for mark, name in _MARKS if data.startswith(mark)), "")
    declared = _DECLARATION.match(data.removeprefix(codecs.BOM_UTF8))
    name = declared.group(2).decode("ascii", "replace") if declared else ""
    if marked == "utf-8-sig" and (declared is None or _codec(name) == "utf-8"):
        return data
    if marked:  # the byte order mark says, whatever the declaration (XML 1.0 Appendix F)
        return _transcode(shown, data, marked, marked.upper().removesuffix("-SIG"))
    if declared is None and charset:  # RFC 7303 §3.2, XML 1.0 Appendix F.2
        return _served_as(shown, data, charset)
    if declared is None:
        return data  # UTF-8, the default (XML 1.0 §4.3.3): expat says if it is not
    column = declared.start(2) + 1
    codec = _codec(name)
    if codec is None:
        return _problem(
            shown,
            f"the XML declaration names the encoding {name!r}, which feedpub does not know;"
            ' save the feed as UTF-8 with encoding="UTF-8" and import it again',
            column,
        )
    if codec in _NATIVE and name.lower() in _EXPAT_NAMES:
        return data  # else "UTF8", "utf_8", "latin1": Python's names, not expat's
    if not _reads_ascii(codec):  # UTF-32, EBCDIC: its declaration was read as ASCII
        return _problem(
            shown,
            f"the XML declaration says {name}, but is itself written in ASCII, so the file"
            f" cannot be {name}; declare the encoding it is written in (such as"
            ' encoding="UTF-8") and import it again',
            column,
        )
    return _transcode(shown, data, codec, name)


def _served_as(shown: str, data: bytes, charset: str) -> bytes | Problem:
    codec = _codec(charset)
    if codec is None:
        return _problem(
            shown,
            f"its server says it is written in {charset!r}, which feedpub does not know, and"
            " the document declares no encoding",
        )
    if codec in ("utf-8", "ascii"):
        return data
    try:  # UTF-8 (or ASCII) whatever its server says: old servers name ISO-8859-1 for every
        data.decode("utf-8")  # file, and Latin-1 would read any UTF-8 as other letters
    except UnicodeDecodeError:
        return _transcode(shown, data, codec, charset)
    return data


def _codec(name: str) -> str | None:
    if not _NAME.fullmatch(name):
        return None
    try:
        info = codecs.lookup(_WIDER.get(name.lower(), name))
        b"<".decode(info.name)  # LookupError: a codec of bytes to bytes (base64, zlib)
    except LookupError:
        return None
    except UnicodeError:  # a text encoding, in which one byte is not a character (UTF-16)
        pass
    return None if info.name in _NOT_CHARSETS else info.name


def _reads_ascii(codec: str) -> bool:
    try:
        return _ASCII.decode(codec) == _ASCII.decode("ascii")
    except UnicodeError:
        return False


def _transcode(shown: str, data: bytes, codec: str, name: str) -> bytes | Problem:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return _problem(
            shown,
            f"the byte {data[exc.start]:#04x} is not {name} text, as the file says it is; save"
            " it as UTF-8, or declare the encoding it is written in",
            column,
            line,
        )
    text = text.removeprefix("\ufeff")
    try:
        return _TEXT_DECLARATION.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")
    except UnicodeEncodeError as exc:  # UTF-7's "+2AA-": half of a UTF-16 pair, alone
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        return _problem(
            shown,
            f"{name} text here stands for half of a character (U+{ord(text[exc.start]):04X}),"
            " which no text may hold; save the feed as UTF-8 and import it again",
            column,
            line,
        )


def _problem(shown: str, message: str, column: int = 1, line: int = 1) -> Problem:
    return Problem(
        path=shown, line=line, column=column, field="encoding", message=message + _UNDECLARED
    )

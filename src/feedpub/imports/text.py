"""Imported text made fit for an entry file: what no entry may hold is dropped."""

from __future__ import annotations

import re

from feedpub.values import OVERRIDES

# Characters an entry file cannot hold (load.py's rule): dropped from imported text.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Drop what no entry file may hold (controls, U+FFFE); line breaks as LF, and the line
    breaks only YAML sees as such (NEL, U+2028; U+2029 a paragraph's) as LF too."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n\n")
    return _FORBIDDEN.sub("", text.replace("\x85", "\n").replace("\u2028", "\n"))


def clean_line(text: str) -> str:
    """`clean`, on one line (runs of white space as one space), without the bidirectional
    overrides `check` refuses in a one-line field (values.OVERRIDES)."""
    return " ".join(OVERRIDES.sub("", clean(text)).split())

"""The marks feedpub's own feeds add to a withdrawn statement's title and summary, taken
off again when its feeds are imported (the withdrawal itself comes back as a field), and
the media contact as they write it."""

from __future__ import annotations

import re

from feedpub import messages
from feedpub.model import SiteConfig
from feedpub.references import unescape


def unmarked_title(title: str, config: SiteConfig) -> str:
    """A withdrawn statement's title without the mark feedpub's feeds add, in any language
    feedpub or the site words it in ("Withdrawn: ...", "Retiré : ...", or 0.1's
    "[Withdrawn] ...")."""
    forms = ["[Withdrawn] %(title)s"]
    for language in sorted({*messages.catalogue_languages(), *config.messages}):
        forms.append(messages.page_text(config, language).gettext("Withdrawn: %(title)s"))
    plain = " ".join(title.split())  # a no-break space may have become a space on the way
    for form in forms:
        before, after = (" ".join(part.split()) for part in form.split("%(title)s", 1))
        if plain.startswith(before) and plain.endswith(after) and len(plain) > len(before + after):
            return plain[len(before) : len(plain) - len(after)].strip()
    return title


def unmarked_summary(summary: str, reason: str) -> str:
    """A withdrawn statement's summary without the notice feeds start it with ("Withdrawn on
    5 November 2021: REASON ..."), in whatever language the notice is."""
    reason = " ".join(reason.split())
    at = summary.find(reason)
    # The notice is a few words and a date: the reason follows it closely, or it is not one.
    return summary[at + len(reason) :].strip() if 0 <= at <= 100 else summary


_LINK_TEXT = re.compile(r"<a\b[^>]*>([^<]+)</a>")


def contact(address: str) -> tuple[str, str, str]:
    """A media contact as feedpub writes it: name<br>Email: <a><br>Phone: <a>. Its links
    are read by their text: a reader's sanitiser may have emptied a tel: link."""
    name, *lines = re.split(r"<br\s*/?>", address)
    email = phone = ""
    for line in lines:
        link = _LINK_TEXT.search(line)
        text = unescape(link.group(1)).strip() if link else ""
        if "@" in text:
            email = text
        elif text:
            phone = text
    return unescape(name).strip(), email, phone

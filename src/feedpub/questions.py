"""`feedpub init`'s questions: each setting from its flag, else asked (in a terminal), else
defaulted; an answer is checked as it is given, by feedpub.yaml's own checks, and asked for
again with the fix the refusal names offered (a zone's full name, https:// before an
address), never the refused answer."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from feedpub.errors import FeedpubError, Problem
from feedpub.init import (
    DEFAULT_PUBLISHER,
    DEFAULT_TITLE,
    QUESTIONS,
    Created,
    Settings,
    init_site,
    placeholders,
    settings_problems,
)
from feedpub.repository import github_pages_url, no_pages_url


def default_settings(root: Path) -> dict[str, str | None]:
    """What init proposes when a setting is neither given nor answered."""
    return {
        "title": DEFAULT_TITLE,
        "publisher": DEFAULT_PUBLISHER,
        "base_url": github_pages_url(root),
        "language": _system_language(),
        "timezone": _system_timezone(),
    }


def _system_timezone() -> str:
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.path.realpath("/etc/localtime")
            name = target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else ""
        except OSError:
            name = ""
    return name if re.fullmatch(r"[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*", name) else "UTC"


def _system_language() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        m = re.match(r"([a-z]{2,3})(?:_([A-Z]{2}))?(?:[.@]|$)", value)
        if m:
            return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
    return "en"


Ask = Callable[[str, str], str]  # (question, default) -> answer
Tell = Callable[[str], None]


def choose_settings(
    root: Path, given: dict[str, str | None], now: datetime, ask: Ask | None, tell: Tell
) -> Settings:
    """The settings from the flags given; the others asked (when `ask`) or defaulted.

    A value the checks of feedpub.yaml refuse is asked again, or, without `ask`, refused.
    """
    defaults = default_settings(root)
    chosen: dict[str, str] = {}
    for name in QUESTIONS:
        value = given.get(name)
        if value is None and ask is not None:
            value = _asked(ask, tell, name, defaults[name] or "", chosen, now)
        value = value or defaults[name]
        if value is None:
            raise _refused({name: f"{_NEEDED} ({no_pages_url(root)})"})
        chosen[name] = value
    wrong = settings_problems(Settings(**chosen), now)
    if wrong and ask is None:
        raise _refused(wrong)
    for name, message in wrong.items():  # a flag's value refused: another asked for
        assert ask is not None
        tell(f"{QUESTIONS[name][0]}: {message}")
        chosen[name] = _asked(ask, tell, name, _proposal(chosen[name], message), chosen, now)
    return Settings(**chosen)


# Valid values for the settings not asked for yet, to check an answer as it is given.
_STAND_INS = {"base_url": "https://press.example.org/", "language": "en", "timezone": "UTC"}


def _asked(
    ask: Ask, tell: Tell, name: str, default: str, chosen: dict[str, str], now: datetime
) -> str:
    """An answer, asked for again until feedpub.yaml's checks take it; then, the fix the
    refusal names is offered, never the refused answer (Enter would only repeat it)."""
    while True:
        value = _answer(ask, name, default) or default  # Enter takes what is offered
        if not value:  # no answer, and nothing to offer
            tell(
                f"{QUESTIONS[name][0]}: {_NEEDED if name == 'base_url' else 'an answer is needed'}"
            )
            continue
        values = {"title": DEFAULT_TITLE, "publisher": DEFAULT_PUBLISHER, **_STAND_INS}
        problem = settings_problems(Settings(**{**values, **chosen, name: value}), now).get(name)
        if problem is None:
            return value
        tell(f"{QUESTIONS[name][0]}: {problem}")
        default = _proposal(value, problem)


def _proposal(value: str, problem: str) -> str:
    """What to offer after `value` was refused: the fix the refusal names (a zone's full
    name), or an address given without https://; else nothing."""
    if m := re.search(r"did you mean (\S+)\?", problem):
        return m.group(1)
    if "URL" in problem and "://" not in value and re.fullmatch(r"[\w.-]+\.[\w.-]+/?", value):
        return f"https://{value.rstrip('/')}/"
    return ""


_NEEDED = (
    "needed: the address the site will be served at, such as https://ORG.github.io/REPO/"
    " for GitHub Pages or https://press.example.org/"
)


def _answer(ask: Ask, name: str, default: str) -> str | None:
    """An answer (None for none); input ended (Ctrl-D) stops init with nothing written."""
    try:
        return ask(QUESTIONS[name][1], default) or None
    except EOFError:
        flag = QUESTIONS[name][0]
        ended = f"no answer: the input ended; run `feedpub init` again, or give {flag}"
        raise _refused({name: ended}) from None


def _refused(wrong: dict[str, str]) -> FeedpubError:
    problems = [Problem(path=f"({QUESTIONS[n][0]})", line=0, message=m) for n, m in wrong.items()]
    return FeedpubError(problems, outcome="nothing was written")


def start_site(
    root: Path, given: dict[str, str | None], now: datetime, ask: Ask | None, tell: Tell
) -> Created:
    """`feedpub init`: settle the settings (flags, answers, defaults), then write the site."""
    settings = choose_settings(root, given, now, ask, tell)
    created = init_site(root, settings, now)
    return replace(created, stand_ins=placeholders(settings, given))

"""The `messages` setting: page text a site words its own way, by language, each message one
of feedpub's (with its plural forms and placeholders)."""

from __future__ import annotations

import re

from feedpub import values
from feedpub.fields import Limits
from feedpub.load import MappingNode, Node
from feedpub.values import Invalid, fail, fail_items

_PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def read_messages(node: Node, ctx: None, limits: Limits) -> dict[str, dict[str, object]]:
    """Page text the site words its own way: {language: {message: text}}."""
    found: dict[str, dict[str, object]] = {}
    seen: set[str] = set()  # each language listed, its messages read or not
    errors = []
    for language_name, key, value in values.mapping_items(values.mapping(node)):
        try:
            try:
                language = values.language(key)
            except Invalid as exc:
                fail(f"{exc.message}, for the language of the messages below it", key)
            if language.lower() in seen:
                fail(f"the language {language_name!r} is listed twice", key)
            seen.add(language.lower())
            found[language] = _language_messages(value, language, limits)
        except Invalid as exc:
            errors.append(exc)
    fail_items(errors)
    return found


def _language_messages(node: Node, language: str, limits: Limits) -> dict[str, object]:
    from feedpub.messages import message_ids  # Babel: only when a site overrides text

    known = message_ids()
    messages: dict[str, object] = {}
    errors = []
    for message, key, value in values.mapping_items(values.mapping(node)):
        try:
            spec = known.get(message)
            if spec is None:
                fail(
                    f"{message!r} is not a message of feedpub's pages"
                    f"{values.hint(message, known)} (they are listed in"
                    " feedpub/locale/feedpub.pot)",
                    key,
                    language,
                )
            if spec.plural is not None and isinstance(value, MappingNode):
                messages[message] = _plural_forms(
                    message, value, spec.placeholders, language, limits
                )
            else:
                messages[message] = _message_text(value, spec.placeholders, language, limits)
        except Invalid as exc:
            errors.append(exc)
    fail_items(errors)
    return messages


def _plural_forms(
    message: str, node: MappingNode, placeholders: frozenset[str], language: str, limits: Limits
) -> dict[str, str]:
    forms = {}
    errors = []
    for category, category_key, text in values.mapping_items(node):
        try:
            if category not in _PLURAL_CATEGORIES:
                fail(
                    f"{category!r} is not a plural category; use " + ", ".join(_PLURAL_CATEGORIES),
                    category_key,
                    language,
                )
            forms[category] = _message_text(text, placeholders, language, limits)
        except Invalid as exc:
            errors.append(exc)
    fail_items(errors)
    if "other" not in forms:
        fail(f"{message!r}: the form for 'other' is missing", node, language)
    return forms


def _message_text(node: Node, placeholders: frozenset[str], language: str, limits: Limits) -> str:
    from feedpub.messages import PLACEHOLDER

    try:
        text = values.one_line(values.text(node, max_length=limits["length"]))
    except Invalid as exc:
        fail(exc.message, exc.node, language)
    for name in PLACEHOLDER.findall(text):
        if name not in placeholders:
            shown = ", ".join(f"%({p})s" for p in sorted(placeholders)) or "none"
            fail(f"%({name})s is not filled in by this message (it has: {shown})", node, language)
    # A lone % is text, not a placeholder: gettext's format needs it doubled. Every placeholder
    # becomes %(name)s, which writes a number as %(name)d does and a name, which %d cannot.
    return PLACEHOLDER.sub(r"%(\1)s", re.sub(r"%(?!\(\w+\)[sd])", "%%", text))

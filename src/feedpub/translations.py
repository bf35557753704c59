"""Statements in several languages: a statement's translations (`translation_of: <id>`)
form a group with it; every member links to the others, on its page, in its Atom entry, in
the sitemap and in its JSON-LD. The checks here refuse what would make a group ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from feedpub.errors import Problems
from feedpub.model import Entry
from feedpub.validate import Compiled


@dataclass(frozen=True, slots=True)
class Translation:
    """Another member of a statement's group, as its page links to it."""

    language: str  # BCP 47
    entry: Entry
    original: bool  # the statement the others translate (hreflang="x-default")


def language_of(entry: Entry, site_language: str) -> str:
    return entry.language or site_language


def _version(language: str) -> str:
    """The version of a statement a language tag names: the tag without its extensions
    (`ar-u-nu-arab` is `ar` with its digits chosen, `en-x-plain` is `en`), which change how
    a text is shown, not which language it is in."""
    parts = language.split("-")
    singleton = next((i for i, part in enumerate(parts) if i and len(part) == 1), len(parts))
    return "-".join(parts[:singleton])


def check_translations(
    compiled: Sequence[Compiled], site_language: str, problems: Problems
) -> None:
    """A translation names a statement that exists and translates nothing itself, says its
    language, and no group holds one language twice."""
    by_id = {item.entry.id: item for item in compiled if item.entry is not None}
    groups: dict[str, list[Compiled]] = {}
    for item in compiled:
        entry = item.entry
        if entry is None or entry.translation_of is None:
            continue
        line, column = item.at("translation_of")

        def refuse(
            message: str, entry: Entry = entry, at: tuple[int, int] = (line, column)
        ) -> None:
            problems.add(entry.source, message, line=at[0], column=at[1], field="translation_of")

        original = by_id.get(entry.translation_of)
        if original is None or original.entry is None:
            refuse(
                f"no statement has the id {entry.translation_of}; give the `id:` of the"
                " statement this one translates"
            )
        elif original.entry.translation_of is not None:
            refuse(
                f"{original.entry.source} is itself a translation (of"
                f" {original.entry.translation_of}); name the original statement's id instead"
            )
        elif original.entry.id == entry.id:
            refuse("a statement cannot be a translation of itself")
        elif entry.language is None:
            refuse("a translation must say its language: add `language:` (such as `language: fr`)")
        else:
            groups.setdefault(original.entry.id, [original]).append(item)
    for members in groups.values():
        seen: dict[str, Compiled] = {}
        for item in members:
            assert item.entry is not None
            language = language_of(item.entry, site_language).lower()
            first = seen.setdefault(_version(language), item)
            if first is not item:
                assert first.entry is not None
                line, column = item.at("language")
                problems.add(
                    item.entry.source,
                    f"{first.entry.source} is already the {language} version of this statement;"
                    " a group holds one statement per language",
                    line=line,
                    column=column,
                    field="language",
                )


def translation_groups(
    entries: Sequence[Entry], site_language: str
) -> Mapping[str, tuple[Translation, ...]]:
    """For each published statement in a group, every member of the group (itself
    included), the original first, then by language."""
    members: dict[str, list[Entry]] = {}
    by_id = {entry.id: entry for entry in entries}
    for entry in entries:
        original = entry.translation_of
        if original is not None and original in by_id:
            members.setdefault(original, [by_id[original]]).append(entry)
    found: dict[str, tuple[Translation, ...]] = {}
    for original, group in members.items():
        ordered = [group[0], *sorted(group[1:], key=lambda e: language_of(e, site_language))]
        links = tuple(
            Translation(language_of(e, site_language), e, e.id == original) for e in ordered
        )
        for entry in group:
            found[entry.id] = links
    return found

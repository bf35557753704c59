"""The checks across entries, what no single file shows: one id twice, two spellings sharing
one address, an address claimed twice, a file in entries/ that no entry publishes."""

from __future__ import annotations

import math
import os
import subprocess
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from feedpub.errors import Problems, Severity
from feedpub.listing import ENTRIES_DIR
from feedpub.load import describe_character
from feedpub.model import SiteConfig
from feedpub.slug import SAME_FILE, disk_key
from feedpub.validate import Compiled, atom_id, entry_id

# Entry file names, oldest first, and why that order: the copy of an entry is the later one.
AddedFirst = Callable[[Sequence[str]], tuple[list[str], str]]


def by_name(names: Sequence[str]) -> tuple[list[str], str]:
    """File names in order, when nothing says which was added first."""
    return sorted(names), "whose file name comes first"


def by_git_history(root: Path, names: list[str]) -> tuple[list[str], str]:
    """Entry files oldest first by the commit that added each (a file not in the last
    commit is the newest, even under a name a renamed file once had); by name outside a
    git repository, or when git cannot tell."""

    def git(*arguments: str) -> str | None:
        try:
            result = subprocess.run(
                ["git", *arguments],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout if result.returncode == 0 else None  # no repository, no commit

    committed = git("ls-tree", "-r", "-z", "--name-only", "HEAD", "--", f"{ENTRIES_DIR}/")
    if committed is None:
        return by_name(names)
    kept = set(committed.split("\0"))
    added: dict[str, float] = {}
    for name in names:
        if f"{ENTRIES_DIR}/{name}" not in kept:
            added[name] = math.inf  # untracked, or added but not committed
            continue
        log = git(
            "log", "--follow", "--diff-filter=A", "--format=%ct", "--", f"{ENTRIES_DIR}/{name}"
        )
        if log is None:
            return by_name(names)
        times = log.split()
        added[name] = float(times[-1]) if times else math.inf  # the first commit adding it
    if len(set(added.values())) < 2:
        return by_name(names)
    return sorted(names, key=lambda n: (added[n], n)), "added earlier in git history"


def check_across(
    compiled: Sequence[Compiled],
    attachable: Mapping[str, int],
    entries_shown: str,
    problems: Problems,
    config: SiteConfig | None = None,
    added_first: AddedFirst = by_name,
) -> None:
    """What no single file shows: one id twice, two spellings sharing one address, an
    address claimed twice, a file in entries/ (shown as `entries_shown`) that no entry
    publishes. `added_first` orders files sharing an id, to name the copy."""
    valid = [item for item in compiled if item.entry is not None]
    _check_unique_ids(valid, problems, config, added_first)
    _check_shared_names(valid, problems)
    _check_addresses(valid, problems)
    used = {a.name for item in valid if item.entry for a in item.entry.attachments}
    used.update(name for item in compiled for name in item.listed)  # refused: told there
    for name in sorted(attachable.keys() - used):
        problems.add(
            f"{entries_shown}{name}",
            "no entry lists this file under attachments, so it is not published",
            line=0,
            severity=Severity.WARNING,
        )


def _check_unique_ids(
    compiled: Sequence[Compiled],
    problems: Problems,
    config: SiteConfig | None,
    added_first: AddedFirst,
) -> None:
    """One id, one statement: the files added after the first are the copies to change.
    Ids are compared as Atom writes them: a plain `id: 12345` is a tag URI there, which
    another statement may give as its id."""
    first: dict[str, Compiled] = {}
    shared: dict[str, dict[str, Compiled]] = {}  # ids used more than once: file name -> item
    for item in compiled:
        assert item.entry is not None
        key = item.entry.id if config is None else atom_id(config, item.entry.id)
        seen = first.setdefault(key, item)
        if seen is not item:
            assert seen.entry is not None
            items = shared.setdefault(key, {_name(seen): seen})
            items[_name(item)] = item
    used = set(first)
    for identifier in [i for i in first if i in shared] if shared else []:
        items = shared[identifier]
        names, why = added_first(list(items))
        original = items[names[0]]
        assert original.entry is not None
        line, column = original.at("id")
        for name in names[1:]:
            copy = items[name]
            assert copy.entry is not None
            fix = "give it an id of its own"
            if config is not None:
                fresh = entry_id(config, name.removesuffix(".yaml"))
                while fresh in used:
                    fresh += "-2"
                used.add(fresh)
                fix += f", such as {fresh}"
            used_by = f"{original.entry.source}:{line}:{column}"
            if original.entry.id != identifier:
                used_by += f" (`id: {original.entry.id}`, in Atom {identifier})"
            given = copy.entry.id
            if given != identifier:
                given += f" (in Atom {identifier})"
            problems.add(
                copy.entry.source,
                f"{given} is already used by {used_by}, {why}; this file is the copy: {fix}",
                line=copy.at("id")[0],
                column=copy.at("id")[1],
                field="id",
            )


def _name(item: Compiled) -> str:
    assert item.entry is not None
    return os.path.basename(item.entry.source)  # not a Path each: 100,000 of them


def _check_shared_names(compiled: Sequence[Compiled], problems: Problems) -> None:
    """Two spellings of one type or tag (Energy, energy) would share one address."""
    # (kind, slug) -> the first spelling seen, its item, and where: -1 the type, else a tag
    first: dict[tuple[str, str], tuple[str, Compiled, int]] = {}
    for item in compiled:
        entry = item.entry
        assert entry is not None
        seen = first.setdefault(("type", entry.type_slug), (entry.type, item, -1))
        if seen[0] != entry.type:
            _shared_address(problems, "type", entry.type_slug, (entry.type, item, -1), seen)
        for number, (tag, slug) in enumerate(zip(entry.tags, entry.tag_slugs, strict=True)):
            seen = first.setdefault(("tag", slug), (tag, item, number))
            if seen[0] != tag:
                _shared_address(problems, "tag", slug, (tag, item, number), seen)


def _shared_address(
    problems: Problems,
    kind: str,
    slug: str,
    this: tuple[str, Compiled, int],
    seen: tuple[str, Compiled, int],
) -> None:
    (name, item, number), (seen_name, seen_item, seen_number) = this, seen
    assert item.entry is not None and seen_item.entry is not None
    folder = "types" if kind == "type" else "tags"
    seen_line, seen_column = seen_item.at("type" if seen_number < 0 else f"tags.{seen_number}")
    line, column = item.at("type" if number < 0 else f"tags.{number}")
    problems.add(
        item.entry.source,
        f"{kind} {name!r} and {kind} {seen_name!r} in"
        f" {seen_item.entry.source}:{seen_line}:{seen_column} would share one address,"
        f" {folder}/{slug}/; spell them the same{_difference(name, seen_name)}",
        line=line,
        column=column,
        field="type" if kind == "type" else "tags",
    )


def _difference(name: str, other: str) -> str:
    """Where two spellings that look alike differ: the first characters that are not the
    same, apart from capitals (Energy and energy need no help)."""
    folded, other_folded = name.lower(), other.lower()
    if folded == other_folded:
        return ""
    at = next(
        (i for i, (a, b) in enumerate(zip(folded, other_folded, strict=False)) if a != b),
        min(len(folded), len(other_folded)),
    )
    if unicodedata.normalize("NFKC", folded).casefold() != (
        unicodedata.normalize("NFKC", other_folded).casefold()
    ):
        return ""  # visibly different names that make one address (C++ and C)
    mine = describe_character(folded[at]) if at < len(folded) else "nothing"
    theirs = describe_character(other_folded[at]) if at < len(other_folded) else "nothing"
    return (
        f" (they look alike but differ at character {at + 1}: {mine} here, {theirs} there;"
        " retype one)"
    )


def _check_addresses(compiled: Sequence[Compiled], problems: Problems) -> None:
    """Every statement's page and every alias is one file, claimed once, in any case: on a
    disk that ignores case (macOS's, Windows'), News/ and news/ are one folder."""
    owner: dict[str, tuple[str, str, str]] = {}  # file -> its address, how, which file
    for item in compiled:
        assert item.entry is not None
        path = item.entry.path
        owner[disk_key(path)] = (path, "the page of", item.entry.source)
    for item in compiled:
        entry = item.entry
        assert entry is not None
        if not entry.aliases:
            continue
        for alias, (line, column) in zip(entry.aliases, entry.aliases_at, strict=True):
            claimed = owner.setdefault(disk_key(alias), (alias, "an alias in", entry.source))
            address, how, source = claimed
            if source == entry.source and how == "an alias in":
                continue  # its own (a list's repeats are told as it is read)
            if alias == entry.path:
                why = "is this statement's own address; remove it"
            elif address == alias:
                why = f"is already {how} {source}; an address can lead to one statement only"
            else:
                own = source == entry.source  # (not an alias of its own: skipped above)
                whose = "this statement's own address" if own else f"{how} {source}"
                why = f"names the same file as {address!r}, {whose}{SAME_FILE}"
            problems.add(
                entry.source, f"{alias!r} {why}", line=line, column=column, field="aliases"
            )

"""`feedpub new`: start an entry file with its fields filled in and a permanent id."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from feedpub.config import CONFIG_NAME, read_config
from feedpub.errors import FeedpubError, Problem, Problems
from feedpub.gather import ENTRIES_DIR, Project
from feedpub.slug import slugify
from feedpub.validate import ENTRY_FIELDS, MAX_SLUG, entry_id

MAX_NEW_SLUG = 60  # room under MAX_SLUG for a "-2" should the office reuse a title


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is a subset of it."""
    return json.dumps(text, ensure_ascii=False)


def new_entry(
    root: Path,
    title: str,
    *,
    when: datetime,
    with_time: bool,
    entry_type: str | None = None,
    tags: tuple[str, ...] = (),
) -> Path:
    """Write entries/YYYY-MM-DD-slug.yaml as a draft and return its path; never overwrite.

    A `when` without a zone is a wall-clock time in the site's time zone.
    """
    project = Project.at(root)
    problems = Problems()
    config = read_config(project.root, problems, shown=project.show(CONFIG_NAME))
    title = " ".join(title.split())
    shown = project.show("(title)")
    if not title:
        problems.add(shown, "the title is empty", line=0)
    elif len(title) > (most := ENTRY_FIELDS[0].limits["length"]):
        problems.add(shown, f"the title is {len(title)} characters; at most {most}", line=0)
    slug = slugify(title, MAX_NEW_SLUG)
    if title and not slug:
        problems.add(shown, "the title has no letter or digit to make a file name from", line=0)
    if config is None or problems.errors:
        raise FeedpubError(problems.items)
    local = (
        when.replace(tzinfo=config.timezone)
        if when.tzinfo is None
        else when.astimezone(config.timezone)
    )
    stem = f"{local:%Y-%m-%d}-{slug}"
    assert len(slug) <= MAX_SLUG
    directory = project.root / ENTRIES_DIR
    path = directory / f"{stem}.yaml"
    date_text = local.isoformat(timespec="minutes") if with_time else local.date().isoformat()
    lines = [
        f"title: {_quoted(title)}",
        f"date: {date_text}",
        f"type: {_quoted(entry_type or 'Statement')}",
        f"tags: [{', '.join(_quoted(t) for t in tags)}]",
        "byline: " + _quoted(config.publisher.name),
        "# The permanent id feed readers know this statement by: keep it if you rename the file.",
        f"id: {_quoted(entry_id(config, stem))}",
        "# Remove the next line when the statement is ready to publish.",
        "draft: true",
        "body: |",
        "  Write the statement here, in Markdown. Leave a blank line between paragraphs.",
        "",
    ]
    shown_file = project.show(f"{ENTRIES_DIR}/{path.name}")
    if directory.exists() and not directory.is_dir():
        raise FeedpubError(
            [
                Problem(
                    path=project.show(ENTRIES_DIR),
                    line=0,
                    message="is a file; feedpub keeps one file per statement in a folder of"
                    " this name",
                )
            ]
        )
    try:
        directory.mkdir(exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
    except FileExistsError:
        message = (
            "already exists; feedpub new never overwrites an entry. Choose another title or --date"
        )
        raise FeedpubError([Problem(path=shown_file, line=0, message=message)]) from None
    except OSError as exc:
        message = f"cannot write: {exc.strerror}"
        raise FeedpubError([Problem(path=shown_file, line=0, message=message)]) from None
    return path

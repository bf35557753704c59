"""The README tells the truth: its field tables come from the fields' declarations."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from feedpub.config import SETTINGS
from feedpub.entryfields import ENTRY_FIELDS
from feedpub.fields import FieldSpec, markdown_table

TABLES: dict[str, tuple[FieldSpec[object], ...]] = {
    "entry": ENTRY_FIELDS,  # type: ignore[dict-item]
    "settings": SETTINGS,  # type: ignore[dict-item]
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_readme_field_table_is_made_from_the_declarations(name: str, update_golden: bool) -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    block = re.compile(rf"(<!-- fields: {name} [^\n]*-->\n)(.*?)(<!-- /fields -->)", re.DOTALL)
    match = block.search(text)
    assert match, f"README.md has no '<!-- fields: {name} ... -->' block"
    table = markdown_table(TABLES[name])
    if update_golden:
        text = text[: match.start(2)] + table + text[match.end(2) :]
        readme.write_text(text)
        match = block.search(text)
        assert match
    assert match.group(2) == table, "README.md's table differs; run pytest --update-golden"


@pytest.mark.parametrize("spec", [*ENTRY_FIELDS, *SETTINGS], ids=lambda s: s.name)
def test_every_field_says_its_limits(spec: FieldSpec[object]) -> None:
    # A limit the README does not state would surprise the office that meets it.
    for name in spec.limits:
        assert f"{{{name}}}" in spec.rule, f"{spec.name}: the rule does not state {name}"

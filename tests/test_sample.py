"""The shipped sample entry transcribes its source faithfully."""

from __future__ import annotations

from conftest import REPO
from feedpub.gather import Project, read_site


def test_sample_entry_has_the_statement_s_title_date_type_byline_and_six_paragraphs() -> None:
    (entry,) = read_site(Project.at(REPO)).site.entries
    assert entry.title == "Joint Statement: Iraqi Military Technical Committee and CJTF-OIR"
    assert entry.published.date().isoformat() == "2021-11-05"
    assert entry.type == "Statement"
    assert entry.bylines == ("Staff Iraqi Military Technical Committee and CJTF-OIR",)
    assert entry.body_html.count("<p>") == 6
    assert entry.body_html.startswith(
        "<p>The Iraqi National Security Advisor Mr. Qasim Alaraji hosted a meeting today"
    )
    assert entry.body_html.endswith("by the time set for it at the end of this year.</p>")

"""Entry files: every field read strictly, every problem reported with its position, in words
a non-programmer can act on; YAML read without trusting its guesses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from conftest import EXAMPLE_CONFIG, EXAMPLE_ENTRY, Project, Run, git
from feedpub.gather import Project as SiteProject
from feedpub.gather import read_site

NAME = "2021-11-05-x.yaml"
SHOWN = f"entries/{NAME}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "date: 2021-11-05\nbody: x\n",
            "1:1: title: required field is missing",
            id="title-missing",
        ),
        pytest.param(
            'title: ""\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: must not be empty",
            id="title-empty",
        ),
        pytest.param(
            "title:\ndate: 2021-11-05\nbody: x\n",
            "1:7: title: must not be empty",
            id="title-null",
        ),
        pytest.param(
            'title: "\\u200b"\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: shows as nothing: it holds only invisible characters (U+200B ZERO"
            " WIDTH SPACE), pasted or typed by mistake; delete them and write the text it"
            " should show",
            id="title-zero-width-space",
        ),
        pytest.param(
            'title: "\\u0301\\u0301"\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: shows as nothing: it holds only invisible characters (U+0301"
            " COMBINING ACUTE ACCENT), pasted or typed by mistake; delete them and write the"
            " text it should show",
            id="title-combining-marks",
        ),
        pytest.param(
            'title: "\\u2067\\u200f\\u2069\\u200e"\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: shows as nothing: it holds only invisible characters (U+2067"
            " RIGHT-TO-LEFT ISOLATE, U+200F RIGHT-TO-LEFT MARK, U+2069 POP DIRECTIONAL ISOLATE"
            " and 1 more), pasted or typed by mistake; delete them and write the text it should"
            " show",
            id="title-bidi-controls",
        ),
        pytest.param(
            'title: X\ndate: 2021-11-05\nsummary: "\\u2800"\nbody: x\n',
            "3:10: summary: shows as nothing: it holds only invisible characters (U+2800"
            " BRAILLE PATTERN BLANK), pasted or typed by mistake; delete them and write the"
            " text it should show",
            id="summary-braille-blank",
        ),
        pytest.param(
            'title: X\ndate: 2021-11-05\nbyline: [Example Agency, "\\u3164"]\nbody: x\n',
            "3:26: byline: item 2: shows as nothing: it holds only invisible characters (U+3164"
            " HANGUL FILLER), pasted or typed by mistake; delete them and write the text it"
            " should show",
            id="byline-hangul-filler",
        ),
        pytest.param(
            "title: #1 priority for the agency\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: is empty: YAML reads a '#' after a space as the start of a comment, so"
            " '#1 priority for the agency' is not the value; to begin the text with #, put it"
            ' in quotes: title: "#1 priority for the agency"',
            id="title-starting-with-a-hash",
        ),
        pytest.param(
            'title: X\ndate: 2021-11-05\nbody: x\nsummary: #1 "best" agency\'s\n',
            "4:10: summary: is empty: YAML reads a '#' after a space as the start of a comment,"
            " so '#1 \"best\" agency\\'s' is not the value; to begin the text with #, put it in"
            " quotes: summary: '#1 \"best\" agency''s'",
            id="summary-starting-with-a-hash-holding-both-quotes",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nwithdrawn:\n  date: 2021-11-06\n"
            "  reason:   # to say\n",
            "6:13: withdrawn.reason: is empty: YAML reads a '#' after a space as the start of a"
            " comment, so '# to say' is not the value; to begin the text with #, put it in"
            ' quotes: reason: "# to say"',
            id="nested-value-starting-with-a-hash",
        ),
        pytest.param(
            "title: [a, b]\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: expected text, got a list",
            id="title-list",
        ),
        pytest.param(
            "title: |\n  a\n  b\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: must be a single line",
            id="title-spans-lines",
        ),
        pytest.param(  # pasted from a word processor: a line break to YAML, not to an editor
            "title: Example Agency\u2028opens an office\ndate: 2021-11-05\nbody: x\n",
            "1:22: title: character U+2028 '\\u2028' is a line break to YAML but not to most"
            " editors, so YAML reads this line otherwise than it shows; replace it with a"
            " space, or start a new line",
            id="title-with-a-line-separator",
        ),
        pytest.param(  # the quoted value offered shows the space it is told to become, not �
            "title: Rates\u2028held: x\ndate: 2021-11-05\nbody: x\n",
            "1:18: title: ': ' inside a value reads as the start of a new field; put the whole"
            ' value in quotes: title: "Rates held: x"',
            id="title-with-a-line-separator-and-a-colon",
        ),
        pytest.param(
            "title: x\ndate: 2021-11-05\nbody: |\n  One.\x85Two.\n",
            "4:7: body: character U+0085 '\\x85' is a line break to YAML but not to most"
            " editors, so YAML reads this line otherwise than it shows; replace it with a"
            " space, or start a new line",
            id="body-with-a-next-line",
        ),
        pytest.param(
            'title: "Example Agency\\u2029opens an office"\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: must be a single line",
            id="title-with-an-escaped-paragraph-separator",
        ),
        pytest.param(
            "title: 1.0\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: expected text, got a number (1.0); put it in quotes if you mean"
            " the text '1.0'",
            id="title-number",
        ),
        pytest.param(
            "title: null\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: must not be empty",
            id="title-null-word",
        ),
        pytest.param(
            f"title: {'x' * 301}\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: is 301 characters long; at most 300 are allowed",
            id="title-too-long",
        ),
        pytest.param(
            "title: X\nbody: x\n",
            "1:1: date: required field is missing",
            id="date-missing",
        ),
        pytest.param(
            "title: X\ndate: Nov. 5, 2021\nbody: x\n",
            "2:7: date: not an ISO 8601 date (got 'Nov. 5, 2021'); write 2021-11-05,"
            " 2021-11-05T14:30 or 2021-11-05T14:30:00-05:00",
            id="date-prose",
        ),
        pytest.param(
            "title: X\ndate: 2021-02-30\nbody: x\n",
            "2:7: date: '2021-02-30' is not a real date",
            id="date-out-of-range",
        ),
        pytest.param(
            "title: X\ndate: 0221-11-05\nbody: x\n",
            "2:7: date: '0221-11-05' is before 1900; date it the day it was released: check the"
            " year",
            id="date-before-1900",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05T25:00\nbody: x\n",
            "2:7: date: '2021-11-05T25:00' is not a real time of day",
            id="time-out-of-range",
        ),
        pytest.param(
            "title: X\ndate: 20211105\nbody: x\n",
            "2:7: date: not an ISO 8601 date (got '20211105'); write 2021-11-05,"
            " 2021-11-05T14:30 or 2021-11-05T14:30:00-05:00",
            id="date-read-as-number",
        ),
        pytest.param(
            "title: X\ndate: [2021-11-05]\nbody: x\n",
            "2:7: date: expected an ISO 8601 date such as 2021-11-05, got a list",
            id="date-list",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-04\nbody: x\n",
            "2:7: date: 2021-11-04 does not match the date in the file name (2021-11-05):"
            " correct the date, or rename the file 2021-11-04-x.yaml",
            id="date-not-file-name",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05T23:30:00-05:00\nbody: x\n",
            "2:7: date: 2021-11-06 (in Europe/Paris) does not match the date in the file"
            " name (2021-11-05): correct the date, or rename the file 2021-11-06-x.yaml",
            id="date-offset-moves-day-in-site-zone",
        ),
        pytest.param(
            "title: X\ndate: 2021-03-28T02:30\nbody: x\n",
            "2:7: date: '2021-03-28T02:30' does not exist in Europe/Paris (the clocks skip"
            " it); add an offset",
            id="date-in-clock-gap",
        ),
        pytest.param(
            "title: X\ndate: 2021-10-31T02:30\nbody: x\n",
            "2:7: date: '2021-10-31T02:30' happens twice in Europe/Paris (the clocks go"
            " back); add an offset such as +02:00 or +01:00",
            id="date-in-clock-fold",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05T10:00\nupdated: 2021-11-05T09:00\nbody: x\n",
            "3:10: updated: 2021-11-05T09:00:00+01:00 is before the date 2021-11-05T10:00:00+01:00",
            id="updated-before-date",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntype: [a]\n",
            "4:7: type: expected text, got a list",
            id="type-list",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntype: '***'\n",
            "4:7: type: must contain a letter or a digit, got '***'",
            id="type-without-letters",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nbyline: {name: A}\n",
            "4:9: byline: expected a list of texts or one text, got a mapping of fields",
            id="byline-mapping",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\n",
            "1:1: body: required field is missing",
            id="body-missing",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: '  '\n",
            "3:7: body: must not be empty",
            id="body-blank",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nsummary: |\n  a\n\n  b\n",
            "4:10: summary: must be one paragraph (no blank lines)",
            id="summary-two-paragraphs",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntags: a, b\n",
            "4:7: tags: expected a list of texts, got text ('a, b'); write it as a list: [a, b]",
            id="tags-not-a-list",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntags: '#budget'\n",
            "4:7: tags: expected a list of texts, got text ('#budget')",
            id="tags-not-a-list-that-would-not-be-one-in-brackets",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nwithdrawn: true\n",
            "4:12: withdrawn: expected fields (name: value), got true/false (true); write them"
            " as {date: YYYY-MM-DD, reason: ...}",
            id="withdrawn-true",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nauthor: Example Agency\nbody: x\n",
            "3:1: author: unknown field; did you mean byline?",
            id="author-for-byline",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05T10:00\nupdated: 2021-11-05\nchange_note: y\nbody: x\n",
            "3:10: updated: 2021-11-05T00:00:00+01:00 is before the date"
            " 2021-11-05T10:00:00+01:00; give its time of day too, after 10:00",
            id="updated-the-same-day-without-its-time",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntags: [a, [b]]\n",
            "4:11: tags: item 2: expected text, got a list",
            id="tags-item-not-text",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntags: [Energy, energy]\n",
            "4:7: tags: 'energy' is listed twice",
            id="tags-listed-twice",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ntags: [" + ", ".join(["t"] * 51) + "]\n",
            "4:7: tags: has 51 items; at most 50 are allowed",
            id="tags-too-many",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: not  one space\n",
            "4:5: id: 'not  one space' holds white space other than single spaces between"
            " words; a plain id may hold those, a URI none",
            id="id-with-two-spaces",
        ),
        pytest.param(
            'title: X\ndate: 2021-11-05\nbody: x\nid: "12\\t34"\n',
            "4:5: id: '12\\t34' holds white space other than single spaces between"
            " words; a plain id may hold those, a URI none",
            id="id-with-a-tab",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: tag:a.org,2021:a b\n",
            "4:5: id: 'tag:a.org,2021:a b' is a URI (it starts with tag:) and holds white"
            " space, which a URI cannot; write a space as %20",
            id="id-uri-with-a-space",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: 'tag:a.org,2021:<x>'\n",
            "4:5: id: 'tag:a.org,2021:<x>' holds characters a URI cannot (quotes, <, >, braces)",
            id="id-unsafe-characters",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: 'https://[press/1'\n",
            "4:5: id: 'https://[press/1' is no URI: its host cannot be read, being [ ] around"
            " no IPv6 address or holding a full-width ／ ？ ＃ ＠ ： that reads as / ? # @ :",
            id="id-host-in-brackets-not-ipv6",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: javascript:alert(1)\n",
            "4:5: id: javascript: ids are refused, since a reader could run or embed what they"
            " hold; use a tag: URI such as tag:example.org,2021:statement-1",
            id="id-javascript",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: 'DATA:text/html,<b>x</b>'\n",
            "4:5: id: data: ids are refused, since a reader could run or embed what they"
            " hold; use a tag: URI such as tag:example.org,2021:statement-1",
            id="id-data",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: 'VBScript:msgbox(1)'\n",
            "4:5: id: vbscript: ids are refused, since a reader could run or embed what they"
            " hold; use a tag: URI such as tag:example.org,2021:statement-1",
            id="id-vbscript",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nid: file:///etc/passwd\n",
            "4:5: id: file: ids are refused, since a reader could run or embed what they"
            " hold; use a tag: URI such as tag:example.org,2021:statement-1",
            id="id-file",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: 2021/11/05/old/\n",
            "4:10: aliases: expected a list of earlier paths, got text ('2021/11/05/old/')",
            id="aliases-not-a-list",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: [../outside/]\n",
            "4:11: aliases: item 1: '../outside/' is not a path inside the site (empty, '.',"
            " '..' or hidden parts)",
            id="aliases-dot-dot",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: ['https://press.example.org/news/3.html']\n",
            "4:11: aliases: item 1: 'https://press.example.org/news/3.html' is a full address;"
            " an alias is written relative to base_url: write 'news/3.html'",
            id="aliases-full-address-of-the-site",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: ['https://press.example.org/?p=12']\n",
            "4:11: aliases: item 1: 'https://press.example.org/?p=12': a static site cannot"
            " serve a query or a fragment",
            id="aliases-full-address-with-a-query",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: ['https://press.example.org/']\n",
            "4:11: aliases: item 1: 'https://press.example.org/' is the site's own home page,"
            " which no alias can be",
            id="aliases-full-address-of-the-home-page",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: ['https://www.example.org/n/3.html']\n",
            "4:11: aliases: item 1: 'https://www.example.org/n/3.html' is not under base_url"
            " (https://press.example.org/): an alias is an earlier address of this site, written"
            " relative to base_url, such as 2021/11/05/old-slug/",
            id="aliases-address-of-another-site",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: [news/Lpt1.html]\n",
            "4:11: aliases: item 1: 'news/Lpt1.html': Windows keeps CON, PRN, AUX, NUL, COM0-9"
            " and LPT0-9 (with any extension) for devices, so a Windows checkout of public/"
            " could not hold it; choose another name",
            id="aliases-windows-device",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: ['news?id=3']\n",
            "4:11: aliases: item 1: 'news?id=3': a static site cannot serve a query or a"
            " fragment; give the path alone",
            id="aliases-query",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: [news/3.php]\n",
            "4:11: aliases: item 1: 'news/3.php': write a folder ending in '/' or a page"
            " ending in .html",
            id="aliases-not-a-page",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: [old/, /old/]\n",
            "4:17: aliases: 'old/' is listed twice",
            id="aliases-twice",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\naliases: [News/Old/, news/old/index.html]\n",
            "4:22: aliases: 'news/old/index.html' names the same file as 'News/Old/' (a folder/"
            " is folder/index.html, and macOS's and Windows' disks ignore case): keep one"
            " spelling",
            id="aliases-one-file-in-two-spellings",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ndraft: yes\n",
            "4:8: draft: write true or false, not 'yes'",
            id="draft-yes",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody:\n  First paragraph.\n\n  Second paragraph.\n",
            "3:1: body: text on several lines must be a block: write '|' after the colon and"
            " indent the lines below it; without it, YAML joins the lines and the paragraphs"
            " are lost",
            id="body-not-a-block",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: >\n  First paragraph.\n\n  Second.\n",
            "3:1: body: text on several lines must be a block: write '|' after the colon and"
            " indent the lines below it; with '>', YAML joins the lines and the paragraphs"
            " are lost",
            id="body-folded",
        ),
        pytest.param(
            'title: X\ndate: 2021-11-05\nbody: "First paragraph.\n\n  Second."\n',
            "3:1: body: text on several lines must be a block: write '|' after the colon and"
            " indent the lines below it; with quotes, YAML joins the lines and the paragraphs"
            " are lost",
            id="body-quoted-lines",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: |\n  Write the statement here, in Markdown."
            " Leave a blank line between paragraphs.\n",
            "3:7: body: is still the text `feedpub new` wrote; write the statement here, or put"
            " back 'draft: true' until it is ready",
            id="placeholder-body",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ncontact: {email: press@example.org}\n",
            "4:10: contact: name: required field is missing (whom to ask for)",
            id="contact-no-name",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ncontact: {name: Sam Example}\n",
            "4:10: contact: give an email, a phone, or both: how a journalist reaches the contact",
            id="contact-unreachable",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\n"
            "contact:\n  - {name: Sam, phone: +44 20 7946 0000}\n  - {name: Kim, phone: call us}\n",
            "6:24: contact: item 2: phone: expected a phone number such as +44 20 7946 0000"
            " (digits, spaces and + ( ) - .), got 'call us'",
            id="contact-bad-phone",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ncontact: {name: Sam, mail: sam@example.org}\n",
            "4:22: contact: mail: unknown field; did you mean email?",
            id="contact-unknown-part",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nnotes_to_editors:\n  1. One.\n\n  2. Two.\n",
            "4:1: notes_to_editors: text on several lines must be a block: write '|' after the"
            " colon and indent the lines below it; without it, YAML joins the lines and the"
            " paragraphs are lost",
            id="notes-not-a-block",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ndraft: 'true'\n",
            "4:8: draft: expected true or false, got text ('true')",
            id="draft-quoted",
        ),
        pytest.param(
            "titel: X\ndate: 2021-11-05\nbody: x\n",
            "1:1: titel: unknown field; did you mean title?",
            id="unknown-field-typo",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ncolour: red\n",
            "4:1: colour: unknown field; known fields are title, date, type, byline, body,"
            " summary, language, tags, id, aliases, translation_of, updated, change_note,"
            " corrections, withdrawn, removed, attachments, contact, notes_to_editors, draft",
            id="unknown-field",
        ),
        pytest.param(
            # The paragraph's ': ' makes it a field to YAML: the same mistake as
            # block-paragraph-not-indented, told the same way.
            "title: X\ndate: 2021-11-05\nbody: |\n  The agency opened an office today.\n\n"
            "It will answer: questions from the public.\n",
            "6:1: body: this line is not indented like the lines of 'body: |' above it, so YAML"
            " reads it as a new field; indent it (and the rest of the text) by 2 spaces, as"
            " they are",
            id="block-paragraph-with-a-colon-not-indented",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: |\n  The agency opened an office today.\n"
            "summry: x\n",
            "5:1: summry: unknown field; did you mean summary?",
            id="unknown-field-below-a-block",
        ),
        pytest.param(
            "title: X\ntitle: Y\ndate: 2021-11-05\nbody: x\n",
            "2:1: title: defined twice (first at line 1, column 1)",
            id="field-twice",
        ),
    ],
)
def test_check_reports_bad_entry(project: Project, run: Run, text: str, expected: str) -> None:
    project.entry(NAME, text)
    result = run("check")
    assert result.exit_code == 1
    assert f"{SHOWN}:{expected}" in result.errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "title: X\ndate: 2021-11-05T10:00\nbody: x\nwithdrawn:\ndate: 2021-11-06\n"
            "reason: Issued in error.\n",
            "4:1: withdrawn: `date:` and `reason:` (lines 5 to 6) are not indented under"
            " `withdrawn:`, so YAML reads each as a field of its own and `withdrawn:` as empty;"
            " indent them by 2 spaces",
            id="withdrawn",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\ncontact:\nname: Jane Doe\n\n"
            "# the press desk\nemail: press@example.org\nphone: +33 1 23 45 67 89\n",
            "4:1: contact: `name:`, `email:` and `phone:` (lines 5 to 9) are not indented"
            " under `contact:`, so YAML reads each as a field of its own and `contact:` as"
            " empty; indent them by 2 spaces",
            id="contact",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: x\nremoved:\nreason: A court order.\n",
            "4:1: removed: `reason:` (line 5) is not indented under `removed:`, so YAML reads"
            " it as a field of its own and `removed:` as empty; indent it by 2 spaces",
            id="removed",
        ),
    ],
)
def test_check_tells_the_fields_of_a_field_left_unindented(
    project: Project, run: Run, text: str, expected: str
) -> None:
    # Told as "date: defined twice" and "reason: unknown field; known fields are ...", with
    # "withdrawn: expected fields (name: value), got nothing (null)": nothing said to indent.
    project.entry(NAME, text)
    result = run("check")
    assert result.exit_code == 1
    assert result.errors == [f"{SHOWN}:{expected}", "feedpub: 1 problem in 1 file"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "21-11-05-x.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens (for example 2021-11-05-joint-statement.yaml)",
        ),
        (
            "2021-11-05-Upper.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens: rename it 2021-11-05-upper.yaml",
        ),
        (
            "2021-11-05-a--b.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens: rename it 2021-11-05-a-b.yaml",
        ),
        (  # named after its title in Arabic: the name `feedpub new` would have given it
            "2021-11-05-بيان-حول-المكتب.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens: rename it 2021-11-05-byn-hwl-lmktb.yaml",
        ),
        (  # saved with a space after its date
            "2021-11-05 Budget speech.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens: rename it 2021-11-05-budget-speech.yaml",
        ),
        (  # no name to give it: its date is none
            "2021-19-45-Rates.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens (for example 2021-11-05-joint-statement.yaml)",
        ),
        (
            "2021-11-05-!!!.yaml",
            "file name must be YYYY-MM-DD-slug.yaml, the slug in lower-case ASCII letters,"
            " digits and single hyphens (for example 2021-11-05-joint-statement.yaml)",
        ),
        ("2021-02-30-x.yaml", "file name holds 2021-02-30, which is not a real date"),
        (
            f"2021-11-05-{'a' * 81}.yaml",
            "slug is 81 characters long; at most 80 are allowed",
        ),
    ],
)
def test_check_rejects_bad_file_name(project: Project, run: Run, name: str, expected: str) -> None:
    project.entry(name, "title: X\ndate: 2021-11-05\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert f"entries/{name}:1:1: {expected}" in result.errors


def test_a_day_the_zone_skipped_whole_is_told_so(project: Project, run: Run) -> None:
    # Samoa crossed the date line in 2011: 2011-12-30 never happened there. It was told
    # "2011-12-31 does not match the date in the file name".
    project.config(EXAMPLE_CONFIG.replace("Europe/Paris", "Pacific/Apia"))
    project.entry("2011-12-30-x.yaml", "title: X\ndate: 2011-12-30\nbody: x\n")
    assert run("check").errors == [
        "entries/2011-12-30-x.yaml:2:7: date: '2011-12-30' does not exist in Pacific/Apia (the"
        " clocks skip that day)",
        "feedpub: 1 problem in 1 file",
    ]


def test_no_break_spaces_in_a_statement_s_text_are_kept_not_refused(
    project: Project, run: Run
) -> None:
    # After an ordinary space a no-break space is the value's, as YAML reads it; in an
    # indented line, a body's French text ("Prix : 100 €") holds it before its ':'.
    project.entry(
        "2021-11-05-x.yaml",
        "title:  \xa0Tarifs\xa02022\ndate: 2021-11-05\nbody: |\n  Prix\xa0: 100\xa0€.\n",
    )
    result = run("check")
    assert (result.exit_code, result.errors) == (0, [])


def test_a_time_repeated_in_local_mean_time_is_told_with_offsets_an_entry_may_give(
    project: Project, run: Run
) -> None:
    # Amsterdam kept +00:19:32 and +01:19:32 until 1937: the hint said "+01:1932".
    project.config(EXAMPLE_CONFIG.replace("Europe/Paris", "Europe/Amsterdam"))
    project.entry("1916-09-30-x.yaml", "title: X\ndate: 1916-09-30T23:00:10\nbody: x\n")
    assert run("check").errors[0] == (
        "entries/1916-09-30-x.yaml:2:7: date: '1916-09-30T23:00:10' happens twice in"
        " Europe/Amsterdam (the clocks go back); add an offset such as +01:20 or +00:20"
    )
    project.entry("1916-09-30-x.yaml", "title: X\ndate: 1916-09-30T23:00:10+01:20\nbody: x\n")
    assert run("check").errors == []


def test_check_rejects_yml_extension_without_losing_it(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yml", "title: X\ndate: 2021-11-05\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert (
        "entries/2021-11-05-x.yml: entry files end in .yaml; rename it to 2021-11-05-x.yaml"
        in result.errors
    )


def test_a_statement_saved_with_a_suffix_after_yaml_is_refused_not_dropped(
    project: Project, run: Run
) -> None:
    # Saved as .yaml.bak (or .txt after .yaml), a statement passed check with a warning
    # about attachments, and its published page and feed items were removed by the build.
    text = "title: X\ndate: 2021-11-05\nbody: x\n"
    for name, after in (("2021-11-05-x.yaml.bak", ".bak"), ("2021-11-05-x.YML.txt", ".txt")):
        project.entry(name, text)
        result = run("check")
        assert result.exit_code == 1
        assert result.errors[0] == (
            f"entries/{name}: is named as a statement, then {after!r}, so it is not read:"
            " rename it to 2021-11-05-x.yaml, or move it out of entries/"
        )
        (project.root / "entries" / name).unlink()
    # Beside its statement, an editor's copy is not one: a file no entry publishes.
    project.entry("2021-11-05-x.yaml", text)
    project.entry("2021-11-05-x.yaml~", text)
    assert run("check").errors == [
        "entries/2021-11-05-x.yaml~: warning: no entry lists this file under attachments,"
        " so it is not published"
    ]


def test_check_reports_every_problem_in_every_file_with_a_count(project: Project, run: Run) -> None:
    project.entry("2021-11-05-a.yaml", "titel: X\ndate: Nov. 5\nbody: x\n")
    project.entry("2021-11-06-b.yaml", "title: X\ndate: 2021-11-06\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors == [
        "entries/2021-11-05-a.yaml:1:1: titel: unknown field; did you mean title?",
        "entries/2021-11-05-a.yaml:1:1: title: required field is missing",
        "entries/2021-11-05-a.yaml:2:7: date: not an ISO 8601 date (got 'Nov. 5'); write"
        " 2021-11-05, 2021-11-05T14:30 or 2021-11-05T14:30:00-05:00",
        "entries/2021-11-06-b.yaml:1:1: body: required field is missing",
        "feedpub: 4 problems in 2 files",
    ]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (
            "tags: [Offices, 1, null]",
            [
                "4:17: tags: item 2: expected text, got a number (1); put it in quotes if you"
                " mean the text '1'",
                "4:20: tags: item 3: must not be empty",
            ],
        ),
        (
            "attachments: [../feedpub.yaml, sub/x.pdf]",
            [
                "4:15: attachments: item 1: '../feedpub.yaml' is not a plain file name"
                " (letters, digits, '.', '_', '-'; no folders); keep the file in entries/,"
                " beside the entry, and write its name alone",
                "4:32: attachments: item 2: 'sub/x.pdf' is not a plain file name (letters,"
                " digits, '.', '_', '-'; no folders); keep the file in entries/, beside the"
                " entry, and write its name alone",
            ],
        ),
        (
            "corrections: [{date: x, note: y}, {date: 2021-11-06}]",
            [
                "4:22: corrections: item 1.date: not an ISO 8601 date (got 'x'); write"
                " 2021-11-05, 2021-11-05T14:30 or 2021-11-05T14:30:00-05:00",
                "4:35: corrections: item 2.note: required field is missing",
            ],
        ),
    ],
)
def test_check_reports_every_bad_item_of_a_list(
    project: Project, run: Run, field: str, expected: list[str]
) -> None:
    project.entry(NAME, f"title: X\ndate: 2021-11-05\nbody: x\n{field}\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[:-1] == [f"{SHOWN}:{line}" for line in expected]


def test_check_rejects_id_used_twice_naming_both_files(project: Project, run: Run) -> None:
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\nid: urn:x:1\n")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nid: urn:x:1\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert (
        "entries/2021-11-06-b.yaml:3:5: id: urn:x:1 is already used by"
        " entries/2021-11-05-a.yaml:4:5, whose file name comes first; this file is the copy:"
        " give it an id of its own, such as tag:press.example.org,2020:2021-11-06-b"
    ) in result.errors


def test_check_rejects_a_plain_id_and_the_tag_uri_atom_makes_of_it(
    project: Project, run: Run
) -> None:
    # Atom gives a plain id a tag URI; a statement with that URI as its id shared it, and
    # Atom readers took the second for a new version of the first.
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nid: '12345'\nbody: x\n")
    copy = "title: B\ndate: 2021-11-06\nid: tag:press.example.org,2020:id:12345\nbody: x\n"
    project.entry("2021-11-06-b.yaml", copy)
    result = run("check")
    assert result.errors == [
        "entries/2021-11-06-b.yaml:3:5: id: tag:press.example.org,2020:id:12345 is already used"
        " by entries/2021-11-05-a.yaml:3:5 (`id: 12345`, in Atom"
        " tag:press.example.org,2020:id:12345), whose file name comes first; this file is the"
        " copy: give it an id of its own, such as tag:press.example.org,2020:2021-11-06-b",
        "feedpub: 1 problem in 1 file",
    ]


def test_check_names_the_copy_added_later_in_git_history(project: Project, run: Run) -> None:
    # The copy's name sorts first; git says which file came later.
    git(project.root, "init", "-q")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nid: urn:x:1\nbody: x\n")
    git(project.root, "add", "entries")
    git(project.root, "commit", "-qm", "B", when="2021-11-06T10:00:00+00:00")
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nid: urn:x:1\nbody: x\n")
    git(project.root, "add", "entries")
    git(project.root, "commit", "-qm", "A, copied from B", when="2021-11-07T10:00:00+00:00")
    result = run("check")
    assert result.errors == [
        "entries/2021-11-05-a.yaml:3:5: id: urn:x:1 is already used by"
        " entries/2021-11-06-b.yaml:3:5, added earlier in git history; this file is the copy:"
        " give it an id of its own, such as tag:press.example.org,2020:2021-11-05-a",
        "feedpub: 1 problem in 1 file",
    ]
    # A copy not committed yet is the newest of all.
    project.entry("2021-11-04-c.yaml", "title: C\ndate: 2021-11-04\nid: urn:x:1\nbody: x\n")
    copies = [line.split(":", 1)[0] for line in run("check").errors[:-1]]
    assert copies == ["entries/2021-11-04-c.yaml", "entries/2021-11-05-a.yaml"]


def test_check_names_a_file_git_does_not_track_the_copy_though_its_name_was_committed(
    project: Project, run: Run
) -> None:
    # B renamed C (git follows the rename to B's commit), then B's name written again
    # untracked: both seemed added at once, and the names' order called C, the
    # committed statement, the copy.
    git(project.root, "init", "-q")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nid: urn:x:1\nbody: x\n")
    git(project.root, "add", "entries")
    git(project.root, "commit", "-qm", "B", when="2021-11-06T10:00:00+00:00")
    git(project.root, "mv", "entries/2021-11-06-b.yaml", "entries/2021-11-06-c.yaml")
    git(project.root, "commit", "-qm", "B renamed C", when="2021-11-07T10:00:00+00:00")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nid: urn:x:1\nbody: x\n")
    for staged in (False, True):  # untracked, then added but not committed
        if staged:
            git(project.root, "add", "entries")
        first = run("check").errors[0]
        assert first.startswith(
            "entries/2021-11-06-b.yaml:3:5: id: urn:x:1 is already used by"
            " entries/2021-11-06-c.yaml:3:5, added earlier in git history; this file is the"
            " copy"
        )


def test_check_rejects_derived_id_clashing_with_explicit_one(project: Project, run: Run) -> None:
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\n")
    project.entry(
        "2021-11-06-b.yaml",
        "title: B\ndate: 2021-11-06\nbody: x\nid: 'tag:press.example.org,2020:2021-11-05-a'\n",
    )
    result = run("check")
    assert result.exit_code == 1
    assert (
        "entries/2021-11-06-b.yaml:4:5: id: tag:press.example.org,2020:2021-11-05-a is already"
        " used by entries/2021-11-05-a.yaml:1:1, whose file name comes first; this file is the"
        " copy: give it an id of its own, such as tag:press.example.org,2020:2021-11-06-b"
    ) in result.errors


def _read(project: Project):  # type: ignore[no-untyped-def]
    return read_site(SiteProject.at(project.root)).site


def test_validate_reads_date_without_offset_in_site_zone(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05T14:30\nbody: x\n")
    (entry,) = _read(project).entries
    assert entry.published.isoformat() == "2021-11-05T14:30:00+01:00"


def test_validate_reads_date_alone_as_midnight_in_site_zone(project: Project) -> None:
    project.entry("2021-07-01-x.yaml", "title: X\ndate: 2021-07-01\nbody: x\n")
    (entry,) = _read(project).entries
    assert entry.published.isoformat() == "2021-07-01T00:00:00+02:00"


def test_validate_keeps_instant_of_date_with_offset(project: Project) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05T09:00:00Z\nbody: x\n")
    (entry,) = _read(project).entries
    assert entry.published == datetime(2021, 11, 5, 9, tzinfo=UTC)
    assert entry.published.utcoffset() == timedelta(hours=1)


def test_validate_fills_defaults_and_derives_id_and_summary(project: Project) -> None:
    project.entry(
        "2021-11-05-new-office.yaml",
        "title: '  Example Agency opens an office '\ndate: 2021-11-05\nbody: |\n"
        "  First *paragraph*\n  continues.\n\n  Second.\n",
    )
    (entry,) = _read(project).entries
    assert entry.title == "Example Agency opens an office"
    assert entry.type == "Statement"
    assert entry.bylines == ()
    assert entry.tags == ()
    assert entry.id == "tag:press.example.org,2020:2021-11-05-new-office"
    assert entry.summary == "First paragraph continues."
    assert entry.updated == entry.published
    assert entry.path == "2021/11/05/new-office/"


def test_validate_accepts_byline_as_one_text_or_a_list(project: Project) -> None:
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\nbyline: One\n")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: x\nbyline: [One, Two]\n")
    b, a = _read(project).entries
    assert a.bylines == ("One",)
    assert b.bylines == ("One", "Two")


def test_validate_id_survives_title_and_body_edits(project: Project) -> None:
    path = project.entry("2021-11-05-x.yaml", "title: First\ndate: 2021-11-05\nbody: a\n")
    (before,) = _read(project).entries
    path.write_text("title: Second\ndate: 2021-11-05\nbody: b\n")
    (after,) = _read(project).entries
    assert before.id == after.id


def test_validate_explicit_id_survives_file_rename(project: Project) -> None:
    text = (
        "title: X\ndate: 2021-11-05\nbody: x\nid: urn:uuid:0b3c1e5e-6f0a-4d7e-9c41-1f2a3b4c5d6e\n"
    )
    path = project.entry("2021-11-05-x.yaml", text)
    (before,) = _read(project).entries
    path.rename(path.with_name("2021-11-05-renamed.yaml"))
    (after,) = _read(project).entries
    assert before.id == after.id


def test_validate_keeps_drafts_out_of_the_site(project: Project) -> None:
    project.entry("2021-11-05-a.yaml", "title: A\ndate: 2021-11-05\nbody: x\ndraft: true\n")
    project.entry("2021-11-06-b.yaml", "title: B\ndate: 2021-11-06\nbody: x\ndraft: false\n")
    site = _read(project)
    assert [e.title for e in site.entries] == ["B"]
    assert [e.title for e in site.drafts] == ["A"]


def test_validate_orders_newest_first_and_breaks_ties_by_id(project: Project) -> None:
    for slug in ("b", "a", "c"):
        project.entry(f"2021-11-05-{slug}.yaml", f"title: {slug}\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-06-z.yaml", "title: z\ndate: 2021-11-06\nbody: x\n")
    assert [e.title for e in _read(project).entries] == ["z", "a", "b", "c"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b'title: "X\ndate: 2021-11-05\nbody: x\n',
            '1:8: title: the quote " that starts here is never closed; end the text with "',
            id="unclosed-quote",
        ),
        pytest.param(
            b"title: X\ndate 2021-11-05\nbody: x\n",
            "2:1: date: this line has no ':' after the field name; write 'date: 2021-11-05'",
            id="missing-colon",
        ),
        pytest.param(
            b"title Example Agency opens an office\ndate: 2021-11-05\nbody: x\n",
            "1:1: title: this line has no ':' after the field name; write"
            " 'title: Example Agency opens an office'",
            id="missing-colon-first-line",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody |\n  The text.\n",
            "3:1: body: this line has no ':' after the field name; write 'body: |'",
            id="missing-colon-before-block",
        ),
        pytest.param(
            b"title: X\nwithdrawn:\n  date 2021-11-09\n  reason: Issued in error.\nbody: x\n",
            "3:3: date: this line has no ':' after the field name; write 'date: 2021-11-09'",
            id="missing-colon-inside-a-field",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: |\nThe text.\n",
            "4:1: body: the lines of a '|' block must be indented under its field; indent this"
            " line (and the rest of the text) with two spaces",
            id="block-not-indented",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: |\n  The agency opened an office today.\n\n"
            b"It will answer questions from the public.\n",
            "6:1: body: this line is not indented like the lines of 'body: |' above it, so YAML"
            " reads it as a new field; indent it (and the rest of the text) by 2 spaces, as"
            " they are",
            id="block-paragraph-not-indented",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: |2-\n  The agency opened an office today.\n\n"
            b"It will answer questions from the public.\n",
            "6:1: body: this line is not indented like the lines of 'body: |2-' above it, so"
            " YAML reads it as a new field; indent it (and the rest of the text) by 2 spaces, as"
            " they are",
            id="block-paragraph-not-indented-under-an-indentation-indicator",
        ),
        pytest.param(
            b"title: @home\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: YAML reserves @ and ` at the start of a value, so a value cannot begin"
            ' with @; put it in quotes: title: "@home"',
            id="value-starts-with-at-sign",
        ),
        pytest.param(
            b"title: `code` review\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: YAML reserves @ and ` at the start of a value, so a value cannot begin"
            ' with `; put it in quotes: title: "`code` review"',
            id="value-starts-with-backtick",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\ntags: [Water, @home]  # from the old site\n",
            "4:15: tags: YAML reserves @ and ` at the start of a value, so a value cannot begin"
            ' with @; put it in quotes: tags: [Water, "@home"]',
            id="list-item-starts-with-at-sign",
        ),
        pytest.param(
            b"title: Budget 2022: what changes\ndate: 2021-11-05\nbody: x\n",
            "1:19: title: ': ' inside a value reads as the start of a new field; put the whole"
            ' value in quotes: title: "Budget 2022: what changes"',
            id="colon-in-title",
        ),
        pytest.param(
            "title: “Budget 2022: what changes”\ndate: 2021-11-05\nbody: x\n".encode(),
            "1:8: title: curly quotes (“…”) do not quote text in YAML, so the ': ' inside reads"
            ' as the start of a new field; use straight quotes: title: "Budget 2022: what'
            ' changes"',
            id="curly-quotes",
        ),
        pytest.param(
            b"title: 'The agency's new office'\ndate: 2021-11-05\nbody: x\n",
            "1:19: title: the quote ' closes before the text ends; to put ' inside text quoted"
            " with ', write it twice (''), or quote the text with \" instead",
            id="apostrophe-in-single-quotes",
        ),
        pytest.param(
            b'title: "Office opens\ndate: 2021-11-05\ntype: "Statement"\nbody: x\n',
            '1:8: title: the quote " that starts here is not closed on its line, so the text'
            ' runs on to the next " (line 3); end it with "',
            id="quote-left-open-above-a-quoted-value",
        ),
        pytest.param(
            b"summary: The agency's plan\ntitle: 'The agency's new office'\nbody: x\n",
            "2:19: title: the quote ' closes before the text ends; to put ' inside text quoted"
            " with ', write it twice (''), or quote the text with \" instead",
            id="apostrophe-in-single-quotes-below-one-in-plain-text",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody:\n\tx\n",
            "4:1: a tab cannot indent YAML; indent with spaces",
            id="tab-indent",
        ),
        pytest.param(
            b"title: X\n  date: 2021-11-05\nbody: x\n",
            "2:3: date: 'date' is indented more than 'title' above it, so YAML reads this line"
            " as more of that field's value; start it in column 1",
            id="bad-indentation",
        ),
        # Spaces YAML does not read as spaces, where it needs one: the line read otherwise
        # than it shows, and was told as a missing title, an unknown "title ", or no ':'.
        *[
            pytest.param(
                text,
                f"{place}: a {name} stands here, where YAML needs an ordinary space, so this"
                " line reads otherwise than it shows (word processors and French keyboards type"
                " it); replace it with a space",
                id=case,
            )
            for text, place, name, case in (
                (
                    "title\xa0: X\ndate: 2021-11-05\nbody: x\n".encode(),
                    "1:6: title",
                    "no-break space (U+00A0)",
                    "no-break-space-before-colon",
                ),
                (
                    "title:\u202fX\ndate: 2021-11-05\nbody: x\n".encode(),
                    "1:7: title",
                    "narrow no-break space (U+202F)",
                    "narrow-no-break-space-after-colon",
                ),
                (
                    "title: X\ndate: 2021-11-05\nbody: |\n\xa0 Text.\n".encode(),
                    "4:1: body",
                    "no-break space (U+00A0)",
                    "no-break-space-indenting-a-body-line",
                ),
            )
        ],
        pytest.param(  # fields indented alike, then a stray line: YAML's words, at the line
            b"  title: X\n  date: 2021-11-05\n  body: x\nOops a stray line\n",
            "4:1: YAML syntax error: did not find expected <document start>",
            id="stray-line-after-indented-fields",
        ),
        # The first field indented (pasted with its margin): YAML's "did not find expected
        # <document start>", on the line after.
        pytest.param(
            b"# A statement\n  title: X\ndate: 2021-11-05\nbody: x\n",
            "2:1: title: 'title' starts in column 3, and a field starts in column 1: delete the"
            " 2 spaces before it (and before any field below indented the same)",
            id="first-field-indented",
        ),
        pytest.param(
            b" title: X\n date: 2021-11-05\nbody: x\n",
            "1:1: title: 'title' starts in column 2, and a field starts in column 1: delete the"
            " space before it (and before any field below indented the same)",
            id="first-fields-indented-by-one",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: |\n    The agency opened an office today.\n"
            b"  It will answer questions from the public.\n",
            "5:3: body: this line is indented by 2 spaces, less than the 4 of the lines of"
            " 'body: |' above it, so YAML reads their text as ended; indent it (and the rest of"
            " the text) by 2 more spaces, as they are",
            id="block-line-indented-less-than-the-block",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: |\n    The agency opened an office today.\n\n"
            b"  It will answer: questions from the public.\n",
            "6:3: body: this line is indented by 2 spaces, less than the 4 of the lines of"
            " 'body: |' above it, so YAML reads their text as ended; indent it (and the rest of"
            " the text) by 2 more spaces, as they are",
            id="block-line-with-a-colon-indented-less-than-the-block",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\ncontact:\n  - name: Jane Doe\n  email: p@example.org\n"
            b"body: x\n",
            "5:3: email: 'email' is in the column of the '-' that begins the item above it"
            " (line 4), so YAML takes it for no part of that item; indent it by 2 more spaces,"
            " in line with 'name', or begin a new item with '- '",
            id="list-item-field-in-the-column-of-its-dash",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\ntags:\n  - Rates\n - Budget\nbody: x\n",
            "5:2: tags: this item's '-' is in column 2, but the items above it begin in"
            " column 3 (line 4); line its '-' up with theirs",
            id="list-item-indented-unlike-the-items-above",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\ntags:\n - Rates\n- Budget\nbody: x\n",
            "5:1: tags: this item's '-' is in column 1, but the items above it begin in"
            " column 2 (line 4); line its '-' up with theirs",
            id="list-item-in-column-1-under-items-indented",
        ),
        pytest.param(
            b'title: "X"\n  date: 2021-11-05\nbody: x\n',
            "2:3: date: 'date' is indented by 2 spaces, but the field above it starts in"
            " column 1; line it up with the fields around it",
            id="bad-indentation-after-a-quoted-value",
        ),
        pytest.param(
            b"title: X\n# The day it was issued.\n date: 2021-11-05\nbody: x\n",
            "3:2: date: 'date' is indented by 1 space, but the field above it starts in"
            " column 1; line it up with the fields around it",
            id="comment-mark-taken-off-its-space-left",
        ),
        pytest.param(
            b'title: X\ndate: 2021-11-05\nwithdrawn:\n  date: "2021-11-06"\n reason: y\nbody: x\n',
            "5:2: reason: 'reason' is indented by 1 space, but the field above it starts in"
            " column 3; line it up with the fields around it",
            id="nested-field-indented-unlike-the-one-above",
        ),
        pytest.param(
            b'title: X\ndate: 2021-11-05\nbody: |\n  She said: "We will open.\n\n  More.\n'
            b'byline: "The "press" office"\n',
            '7:14: byline: the quote " closes before the text ends; to put " inside text'
            ' quoted with ", write it as \\" (a backslash first), or quote the text with \''
            " instead",
            id="quote-left-open-in-a-block-is-no-field-s",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: The agency opened an office in the centre of\n"
            b"the city today.\n",
            "4:1: body: this line reads as a new field with no ':'; if it is more of the text"
            " of 'body', write that text as a block: 'body: |', then each of its lines"
            " indented by two spaces",
            id="prose-in-lower-case-continuing-a-field",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\nDate 2021-11-06\n",
            "4:1: Date: this line has no ':' after the field name; write 'Date: 2021-11-06'",
            id="capitalised-field-without-its-colon",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\n"
            b"withdrawn: {reason: Issued in error: not confirmed, date: 2021-11-06}\n",
            "4:21: reason: ': ' inside a value in { } reads as the start of a new field; put"
            ' the value in quotes: reason: "Issued in error: not confirmed"',
            id="colon-in-a-value-in-braces",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: The agency opened an office.\n\n"
            b"  Opening hours: Monday to Friday.\n",
            "5:3: body: this line reads as the start of a new field; if it is more of the text"
            " of 'body', write that text as a block: 'body: |', then each of its lines"
            " indented by two spaces",
            id="prose-with-a-colon-continuing-a-field",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: The agency opened an office.\n"
            b"The agency opened an office today.\n",
            "4:1: body: this line reads as a new field with no ':'; if it is more of the text"
            " of 'body', write that text as a block: 'body: |', then each of its lines"
            " indented by two spaces",
            id="prose-continuing-a-field",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\n---\ntitle: Y\n",
            "4:1: several YAML documents in one file ('---'); keep one entry per file",
            id="two-documents",
        ),
        pytest.param(
            b"- title: X\n- date: 2021-11-05\n",
            "1:1: expected fields such as 'title: ...', got a list",
            id="list-not-mapping",
        ),
        pytest.param(
            b"just some text\n",
            "1:1: expected fields such as 'title: ...', got text ('just some text')",
            id="scalar-not-mapping",
        ),
        pytest.param(b"", "1:1: file is empty; expected fields such as 'title: ...'", id="empty"),
        pytest.param(
            b"# only a comment\n",
            "1:1: file is empty; expected fields such as 'title: ...'",
            id="only-comment",
        ),
        pytest.param(
            b'title: !!python/object/apply:os.system ["echo owned"]\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not"
            " allowed; only plain values, lists and mappings",
            id="python-tag",
        ),
        pytest.param(
            b"title: !custom X\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: YAML tag '!custom' is not allowed; only plain values, lists and mappings",
            id="local-tag",
        ),
        pytest.param(
            b"title: &t X\nsummary: *t\ndate: 2021-11-05\nbody: x\n",
            "2:1: summary: YAML anchors and aliases (&, *) are not allowed; write the value out",
            id="alias",
        ),
        pytest.param(
            b"title: X\xe9\ndate: 2021-11-05\nbody: x\n",
            "1:9: byte 0xE9 is not valid UTF-8 (it looks like Windows-1252 or Latin-1); save"
            " the file as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            b"\xff\xfet\x00i\x00",
            "1:1: file is encoded as UTF-16; save it as UTF-8",
            id="utf-16",
        ),
        pytest.param(  # its byte order mark begins with UTF-16's
            "\ufefftitle: X\n".encode("utf-32-le"),
            "1:1: file is encoded as UTF-32; save it as UTF-8",
            id="utf-32",
        ),
        pytest.param(
            "\ufefftitle: X\n".encode("utf-32-be"),
            "1:1: file is encoded as UTF-32; save it as UTF-8",
            id="utf-32-big-endian",
        ),
        pytest.param(  # as Windows' "Unicode" and PowerShell 5's Out-File write it
            "title: Example Agency\ndate: 2021-11-05\nbody: |\n  Élysée\n".encode("utf-16-le"),
            "1:1: file is encoded as UTF-16 without a byte-order mark (NUL bytes between its"
            " letters); save it as UTF-8",
            id="utf-16-without-byte-order-mark",
        ),
        pytest.param(
            "title: Example Agency\ndate: 2021-11-05\nbody: x\n".encode("utf-16-be"),
            "1:1: file is encoded as UTF-16 without a byte-order mark (NUL bytes between its"
            " letters); save it as UTF-8",
            id="utf-16-big-endian-without-byte-order-mark",
        ),
        pytest.param(
            "title: Example Agency\ndate: 2021-11-05\nbody: x\n".encode("utf-32-le"),
            "1:1: file is encoded as UTF-32 without a byte-order mark (NUL bytes between its"
            " letters); save it as UTF-8",
            id="utf-32-without-byte-order-mark",
        ),
        pytest.param(  # two files pasted together: the second's mark stays, unseen
            "title: X\ndate: 2021-11-05\n\ufeffbody: x\n".encode(),
            "3:1: an invisible byte-order mark (U+FEFF) stands here, before 'body: x', left"
            " from pasting another file into this one; delete it (most editors show nothing"
            " there: delete the character before the text, or retype the line)",
            id="byte-order-mark-inside",
        ),
        pytest.param(  # one in a quoted title is text: the error below is another's
            'title: "Rates\ufeff update"\ndate: 2021-11-05\ntags: [a, b\nbody: x\n'.encode(),
            "3:7: tags: the [ that starts here is never closed…",
            id="byte-order-mark-in-a-value-above-an-error",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: a\x00b\n",
            "3:8: body: character U+0000 '\\x00' is not allowed (XML 1.0 forbids it in feeds)",
            id="nul-byte",
        ),
        pytest.param(
            b"title: X\x1b\ndate: 2021-11-05\nbody: x\n",
            "1:9: title: character U+001B '\\x1b' is not allowed (XML 1.0 forbids it in feeds)",
            id="escape-control",
        ),
        pytest.param(
            b'title: "X\\0"\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: character U+0000 '\\x00' is not allowed (XML 1.0 forbids it in feeds);"
            " remove the escape that makes it",
            id="nul-escape",
        ),
        pytest.param(
            "title: X\ndate: 2021-11-05\nbody: a\ufffeb\n".encode(),
            "3:8: body: character U+FFFE '\\ufffe' is not allowed (XML 1.0 forbids it in feeds)",
            id="noncharacter",
        ),
        pytest.param(
            b"title: X\ntags: [Energy, Budget\ndate: 2021-11-05\nbody: x\n",
            "2:7: tags: the [ that starts here is never closed, so the lines below are read as"
            " part of its list; end it with ] (tags: [Energy, Budget]), or if the value is"
            ' text, put it in quotes: tags: "[Energy, Budget"',
            id="list-never-closed",
        ),
        pytest.param(
            b"title: [\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: the [ that starts here is never closed, so the lines below are read as"
            " part of its list; end it with ] (title: [a, b]), or if the value is text, put it"
            ' in quotes: title: "["',
            id="bracket-alone-never-closed",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\nwithdrawn: {date: 2021-11-06, reason: Error.\n",
            "4:12: withdrawn: the { that starts here is never closed, so the lines below are"
            " read as part of its mapping; end it with } (withdrawn: {date: 2021-11-06, reason:"
            ' Error.}), or if the value is text, put it in quotes: withdrawn: "{date:'
            ' 2021-11-06, reason: Error."',
            id="mapping-never-closed",
        ),
        pytest.param(
            b"title: X\ntags: [Energy, Budget  # from the old site\ndate: 2021-11-05\nbody: x\n",
            "2:7: tags: the [ that starts here is never closed, so the lines below are read as"
            " part of its list; end it with ] (tags: [Energy, Budget]), or if the value is"
            ' text, put it in quotes: tags: "[Energy, Budget"',
            id="list-never-closed-before-a-comment",
        ),
        pytest.param(
            b"title: X\ntags: [Energy,\n  Budget\ndate: 2021-11-05\nbody: x\n",
            "2:7: tags: the [ that starts here is never closed, so the lines below are read as"
            " part of its list; end it with ] after its last item",
            id="list-on-several-lines-never-closed",
        ),
        pytest.param(
            b"title: X\ntags: [Water, #x]\ndate: 2021-11-05\nbody: x\n",
            "2:15: tags: '#' after a space starts a comment in YAML, so the rest of this line"
            " (#x]) is not read and the [ is never closed; put the tag in quotes:"
            ' tags: [Water, "#x"]',
            id="hash-in-a-list-starts-a-comment",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\ntags: [Water, #x]\n",
            "4:15: tags: '#' after a space starts a comment in YAML, so the rest of this line"
            " (#x]) is not read and the [ is never closed; put the tag in quotes:"
            ' tags: [Water, "#x"]',
            id="hash-in-a-list-on-the-last-line-starts-a-comment",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\ntags: [Water, Plan #2, Energy]\n",
            "4:20: tags: '#' after a space starts a comment in YAML, so the rest of this line"
            " (#2, Energy]) is not read and the [ is never closed; put the tag in quotes:"
            ' tags: [Water, "Plan #2", Energy]',
            id="hash-inside-a-tag-starts-a-comment",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\ncontact:\n  - {name: Ann, email: a@b.org\n",
            "5:5: the { that starts here is never closed, so the lines below are read as part of"
            " its mapping; end it with } after its last item",
            id="item-never-closed",
        ),
        pytest.param(
            b'title: [Draft] "Budget #1" plan\ndate: 2021-11-05\nbody: x\n',
            "1:8: title: a value that starts with [ is read as a list, so no text may follow"
            " its ]; if the value is text, put it in quotes: title: '[Draft] \"Budget #1\" plan'",
            id="text-after-a-list-with-a-hash-in-quotes",
        ),
        pytest.param(
            b"title: [Draft] Agency's budget  # a note\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: a value that starts with [ is read as a list, so no text may follow"
            ' its ]; if the value is text, put it in quotes: title: "[Draft] Agency\'s budget"',
            id="text-after-a-list-with-an-apostrophe-before-a-comment",
        ),
        pytest.param(
            b"title: [Draft] Budget statement  # a note\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: a value that starts with [ is read as a list, so no text may follow"
            ' its ]; if the value is text, put it in quotes: title: "[Draft] Budget statement"',
            id="text-after-a-list-before-a-comment",
        ),
        pytest.param(
            b"title: [Draft] Budget statement\ndate: 2021-11-05\nbody: x\n",
            "1:8: title: a value that starts with [ is read as a list, so no text may follow"
            ' its ]; if the value is text, put it in quotes: title: "[Draft] Budget statement"',
            id="text-after-a-list",
        ),
        pytest.param(
            b"title: X\ndate: 2021-11-05\nbody: x\n? [a]\n: b\n",
            "4:3: a field name must be plain text, got a list",
            id="complex-key",
        ),
    ],
)
def test_check_reports_unreadable_yaml(
    project: Project, run: Run, data: bytes, expected: str
) -> None:
    project.entry(NAME, data)
    result = run("check")
    assert result.exit_code == 1
    if expected.endswith("…"):
        assert any(e.startswith(f"{SHOWN}:{expected[:-1]}") for e in result.errors), result.errors
    else:
        assert f"{SHOWN}:{expected}" in result.errors


def test_a_file_saved_as_utf16_without_its_mark_is_one_message(project: Project, run: Run) -> None:
    # Read as UTF-8, its NUL bytes were a score of problems, and its text came out garbled.
    project.entry(NAME, EXAMPLE_ENTRY.encode("utf-16-le"))
    result = run("check")
    assert result.exit_code == 1
    assert result.errors == [
        f"{SHOWN}:1:1: file is encoded as UTF-16 without a byte-order mark (NUL bytes between"
        " its letters); save it as UTF-8",
        "feedpub: 1 problem in 1 file",
    ]


def test_load_accepts_byte_order_mark_and_crlf(project: Project, run: Run) -> None:
    project.entry(NAME, b"\xef\xbb\xbftitle: X\r\ndate: 2021-11-05\r\nbody: |\r\n  a\r\n  b\r\n")
    result = run("check")
    assert result.exit_code == 0, result.stderr


def test_load_refuses_oversized_file_before_parsing(project: Project, run: Run) -> None:
    project.entry(NAME, b"title: X\ndate: 2021-11-05\nbody: " + b"x" * (1024 * 1024) + b"\n")
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"{SHOWN}:1:1: file is 1,048,609 bytes; a file may hold at most 1,048,576 bytes:"
        " shorten it (a long document can be published as an attachment, `attachments:`)"
        in result.errors
    )


def test_load_never_executes_python_tags(project: Project, run: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "owned"
    project.entry(
        NAME,
        f'title: !!python/object/apply:os.system ["touch {marker}"]\ndate: 2021-11-05\nbody: x\n',
    )
    result = run("check")
    assert result.exit_code == 1
    assert not marker.exists()


X = ("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")


def test_date_past_the_last_year_is_a_problem(project: Project, run: Run) -> None:
    project.entry("9999-12-31-x.yaml", "title: X\ndate: 9999-12-31T23:30Z\nbody: x\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.errors[0] == (
        "entries/9999-12-31-x.yaml:2:7: date: '9999-12-31T23:30Z' is out of the range of dates"
        " feedpub can publish"
    )


def test_type_in_any_script_is_accepted(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\ntype: بيان\nbody: x\n")
    assert run("build").exit_code == 0
    assert (project.root / "public/types/byn/atom.xml").is_file()


def test_bad_file_name_does_not_hide_the_file_s_other_problems(project: Project, run: Run) -> None:
    project.entry("21-11-05-x.yaml", "titel: X\ndate: Nov. 5\nbody: x\n")
    result = run("check")
    assert "entries/21-11-05-x.yaml:1:1: titel: unknown field; did you mean title?" in result.errors
    assert any("date: not an ISO 8601 date" in e for e in result.errors)
    assert any("file name must be" in e for e in result.errors)


def test_equals_and_merge_signs_are_text(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: =\ndate: 2021-11-05\nbody: <<\n")
    assert run("build").exit_code == 0
    assert '<h1 dir="auto">=</h1>' in project.read("public/2021/11/05/x/index.html")


def test_links_shown_as_code_are_not_rewritten_and_code_keeps_its_language(
    project: Project, run: Run
) -> None:
    body = 'body: |\n  Write `<a href="page.html">` to link.\n\n  ```python\n  x = 1\n  ```\n'
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\n" + body)
    result = run("build")
    assert result.errors == []  # nothing the renderer made itself is "removed"
    content = json.loads(project.read("public/feed.json"))["items"][0]["content_html"]
    assert '&lt;a href="page.html"&gt;' in content
    assert '<code class="language-python">' in content


def test_a_body_cannot_borrow_the_page_s_own_classes(project: Project, run: Run) -> None:
    # `class` is kept on <code> for a fence's language: a body gave itself the look of
    # feedpub's withdrawal notice, and hid text from sight.
    body = (
        'body: |\n  <code class="visually-hidden">hidden</code>\n'
        '  <code class="notice withdrawn language-js">shown</code>\n'
    )
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\n" + body)
    assert run("build").exit_code == 0
    content = json.loads(project.read("public/feed.json"))["items"][0]["content_html"]
    assert '<code>hidden</code>\n<code class="language-js">shown</code>' in content
    assert (
        "visually-hidden"
        not in project.read("public/2021/11/05/x/index.html")
        .split('<div class="body"')[1]
        .split("</div>")[0]
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("change_note: Fixed.\n", "4:14: change_note: needs an updated date"),
        ("updated: 2021-11-04\n", "4:10: updated: 2021-11-04T00:00:00+01:00 is before the date"),
        (
            "updated: 2021-11-06\ncorrections:\n  - {date: 2021-11-07, note: Later.}\n",
            "4:10: updated: must be the latest correction",
        ),
        ("corrections:\n  - {date: 2021-11-07}\n", "5:5: corrections: item 1.note: required"),
        ("withdrawn: {date: 2021-11-04, reason: Wrong.}\n", "4:12: withdrawn: 2021-11-04T00:00"),
        ("withdrawn: 2021-11-06\n", "4:12: withdrawn: expected fields (name: value), got a date"),
        ("withdrawn: {date: 2021-11-06}\n", "4:12: withdrawn.reason: required field is missing"),
        # Dated at the statement's own moment, a change did not move its updated time: the
        # page said "Withdrawn" and no reader was told.
        (
            "withdrawn: {date: 2021-11-05, reason: Wrong.}\n",
            "4:12: withdrawn: 2021-11-05T00:00:00+01:00 is the statement's own date, and a change"
            " must come after it; give the time it was withdrawn, after 00:00",
        ),
        (
            "updated: 2021-11-05\nchange_note: Fixed.\n",
            "4:10: updated: 2021-11-05T00:00:00+01:00 is the statement's own date, and a change"
            " must come after it; give its time of day too, after 00:00",
        ),
        (
            "corrections:\n  - {date: 2021-11-05, note: Fixed.}\n",
            "5:3: corrections: 2021-11-05T00:00:00+01:00 is the statement's own date, and a"
            " change must come after it",
        ),
    ],
)
def test_corrections_and_withdrawal_problems(
    project: Project, run: Run, extra: str, expected: str
) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n" + extra)
    result = run("check")
    assert result.exit_code == 1
    assert any(e.startswith(f"entries/2021-11-05-x.yaml:{expected}") for e in result.errors), (
        result.errors
    )


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ("[missing.pdf]", "4:15: attachments: item 1: 'missing.pdf' is not a file in entries/"),
        (
            "[x.svg]",
            "4:15: attachments: item 1: 'x.svg': cannot attach .svg files (HTML, SVG and scripts"
            " could run in a reader's browser); attach one of avif, csv, doc, docx, gif, jpeg,"
            " jpg, m4a, mp3, mp4, odp, ods, odt, ogg, pdf, png, ppt, pptx, txt, wav, webm, webp,"
            " xls, xlsx, zip",
        ),
        (
            "[../secret.pdf]",
            "4:15: attachments: item 1: '../secret.pdf' is not a plain file name (letters,"
            " digits, '.', '_', '-'; no folders); keep the file in entries/, beside the entry,"
            " and write its name alone",
        ),
        (
            "[Rapport année 2026.pdf]",
            "4:15: attachments: item 1: 'Rapport année 2026.pdf' is not a plain file name"
            " (letters, digits, '.', '_', '-'; no folders); rename the file, such as to"
            " Rapport-annee-2026.pdf, and write that name here",
        ),
        ("[a.pdf, a.pdf]", "4:22: attachments: 'a.pdf' is listed twice"),
        (
            "[a.pdf, A.pdf]",
            "4:22: attachments: 'A.pdf' and 'a.pdf' are one name on a disk that ignores case"
            " (macOS's, Windows'), where one would replace the other in the statement's folder:"
            " rename one",
        ),
        (  # CON.pdf would be refused in turn: no name is offered
            "[CON .pdf]",
            "4:15: attachments: item 1: 'CON .pdf' is not a plain file name (letters, digits,"
            " '.', '_', '-'; no folders)",
        ),
        ("a.pdf", "4:14: attachments: expected a list of file names, got text ('a.pdf')"),
    ],
)
def test_attachment_problems_are_reported_with_the_fix(
    project: Project, run: Run, listed: str, expected: str
) -> None:
    project.entry("a.pdf", b"%PDF")
    project.entry("A.pdf", b"%PDF")  # beside a.pdf on Linux's disks, not on macOS's
    project.entry("x.svg", b"<svg onload='alert(1)'/>")
    project.entry(
        "2021-11-05-x.yaml", f"title: X\ndate: 2021-11-05\nbody: x\nattachments: {listed}\n"
    )
    result = run("check")
    assert result.exit_code == 1
    assert f"entries/2021-11-05-x.yaml:{expected}" in result.errors, result.errors


def test_unreferenced_file_in_entries_is_a_warning(project: Project, run: Run) -> None:
    project.entry("2021-11-05-x.yaml", "title: X\ndate: 2021-11-05\nbody: x\n")
    project.entry("2021-11-05-forgotten.pdf", b"%PDF")
    result = run("build")
    assert result.exit_code == 0
    assert result.errors == [
        "entries/2021-11-05-forgotten.pdf: warning: no entry lists this file under attachments,"
        " so it is not published"
    ]


def test_a_file_refused_under_attachments_is_not_also_told_as_unlisted(
    project: Project, run: Run
) -> None:
    # The refusal says what to do with the file; "no entry lists it" contradicted it.
    project.entry(
        "2021-11-05-x.yaml",
        "title: X\ndate: 2021-11-05\nbody: x\nattachments: [page.html, {file: 1.svg}]\n",
    )
    project.entry("page.html", b"<p>Example Agency</p>")
    project.entry("1.svg", b"<svg/>")
    project.entry("forgotten.pdf", b"%PDF")
    result = run("check")
    assert result.exit_code == 1
    assert [e.split(": ", 1)[0] for e in result.errors] == [
        "entries/2021-11-05-x.yaml:4:15",
        "entries/2021-11-05-x.yaml:4:33",
        "entries/forgotten.pdf",
        "feedpub",
    ], result.errors


def test_plain_id_with_single_spaces_is_kept_in_rss_and_json_and_encoded_in_atom(
    project: Project, run: Run
) -> None:
    # Drupal's guids: readers know its items by this string, so it stays as it is.
    plain = "1234 at https://www.example.gov"
    project.entry(NAME, f"title: X\ndate: 2021-11-05\nbody: x\nid: '{plain}'\n")
    result = run("build")
    assert result.exit_code == 0, result.errors
    assert json.loads(project.read("public/feed.json"))["items"][0]["id"] == plain
    assert ElementTree.fromstring(project.read("public/rss.xml")).findtext(".//guid") == plain
    atom = ElementTree.fromstring(project.read("public/atom.xml"))
    assert atom.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}id") == (
        "tag:press.example.org,2020:id:1234%20at%20https%3A%2F%2Fwww.example.gov"
    )


@pytest.mark.parametrize("plain", ["12345", "post-7", "ID_42", "news/2019/123"])
def test_plain_ids_without_a_scheme_are_accepted(project: Project, run: Run, plain: str) -> None:
    project.entry(NAME, f"title: X\ndate: 2021-11-05\nbody: x\nid: '{plain}'\n")
    result = run("build")
    assert result.exit_code == 0, result.errors
    assert json.loads(project.read("public/feed.json"))["items"][0]["id"] == plain


def test_characters_an_entry_may_not_hold_are_xml_s_forbidden_and_yaml_s_unseen_breaks() -> None:
    # One character class, made so for speed: it must refuse exactly what XML 1.0 forbids
    # (and the controls it discourages) and the line breaks only YAML sees.
    from feedpub.load import _FORBIDDEN, _REFUSED

    unseen_breaks = {"\x85", "\u2028", "\u2029"}
    for code in [*range(0x30000), 0x10FFFF]:
        char = chr(code)
        refused = _FORBIDDEN.match(char) is not None or char in unseen_breaks
        assert (_REFUSED.match(char) is not None) == refused, hex(code)


def test_an_ascii_file_is_told_each_character_the_refused_class_names_and_no_other() -> None:
    # An ASCII file is checked by deleting the bytes allowed (load._ASCII_ALLOWED), not by
    # the pattern: each of the 128 characters, alone in a title and twice among others, is
    # told exactly when the pattern refuses it, at its place.
    from feedpub.errors import Problems
    from feedpub.load import _REFUSED, describe_character, read_document

    for code in range(128):
        char = chr(code)
        for title in (f"a{char}b", f"{char}x {char}"):
            problems = Problems()
            data = f"title: '{title}'\ndate: 2021-11-05\nbody: x\n".encode()
            read_document("entries/x.yaml", data, problems)
            told = [p for p in problems.items if describe_character(char) in p.message]
            expected = [(1, 9 + i) for i, c in enumerate(title) if c == char]
            refused = _REFUSED.match(char) is not None
            assert [(p.line, p.column) for p in told] == (expected if refused else []), hex(code)

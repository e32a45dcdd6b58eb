"""Junk found by the shape of a line rather than its wording (issue 18, fourth round)."""

from __future__ import annotations

import pytest

from cleaning.junk import classify_line, load_junk_rules, remove_junk

RULES = load_junk_rules()
PARA = "The harbour was rebuilt over ten years, with money from the port and the city council."
OTHER = "Fishermen say the new quay has made their work easier, though the fees went up in spring."


@pytest.mark.parametrize(
    "line",
    [
        "Revised · 5 hrs ago",  # a label no term list has, then a time ago
        "Geändert vor 3 Tagen",
        "il y a 2 h · mis en ligne",
        "Rinnovato pochi minuti fa",
        "Poprawiono 4 godz. temu",
    ],
)
def test_a_time_ago_with_any_label_is_an_updated_line(line: str) -> None:
    assert classify_line(line, RULES) == "updated_label"


@pytest.mark.parametrize(
    "line", ["Opened 120 years ago", "Flight time: 2 hours 30 minutes", "Three days in Lisbon"]
)
def test_a_timeline_or_a_duration_is_no_updated_line(line: str) -> None:
    assert classify_line(line, RULES) is None


@pytest.mark.parametrize(
    "line",
    [
        "Sign up for The Morning Ledger",  # a publication's name, no channel word
        "Want more? Sign up for Daily Dispatch",
        "Suscríbete a El Despertador",
        "Assine O Despertador",
    ],
)
def test_subscribing_to_a_named_publication_is_a_subscribe_prompt(line: str) -> None:
    assert classify_line(line, RULES) == "subscribe"


@pytest.mark.parametrize(
    "line", ["Sign up for the trial by March", "How to sign up for Medicare"]
)
def test_signing_up_for_a_thing_of_the_article_is_not(line: str) -> None:
    assert classify_line(line, RULES) is None


def test_a_lone_label_between_two_paragraphs_goes_whatever_its_wording() -> None:
    # "Bookmark" scores under the model's threshold for short lines, above the lower one of
    # lone labels; alone between two paragraphs it is a page tool left in the text
    text = f"{PARA}\n{OTHER}\nBookmark\n{PARA}\n{OTHER}"
    assert [r.line for r in remove_junk(text, RULES).removed] == ["Bookmark"]
    # a subheading standing alone stays, and so does a label in a list of short lines
    assert remove_junk(f"{PARA}\n{OTHER}\nThe old bridge\n{PARA}\n{OTHER}", RULES).removed == ()
    listed = f"{PARA}\nBookmark\nHarbour\nQuay\n{OTHER}"
    assert remove_junk(listed, RULES).removed == ()

"""Junk found by the shape of a line rather than its wording (issue 18, fourth round)."""

from __future__ import annotations

import pytest

from cleaning.junk import classify_line, load_junk_rules

RULES = load_junk_rules()


@pytest.mark.parametrize(
    "line",
    [
        "Revised · 5 hrs ago",  # a label no term list has, then a time ago
        "Geändert vor 3 Tagen",
        "Modifié · il y a 2 h",
        "Rinnovato pochi minuti fa",
        "Poprawiono 4 godz. temu",
    ],
)
def test_a_time_ago_with_any_label_is_an_updated_line(line: str) -> None:
    assert classify_line(line, RULES) == "updated_label"


@pytest.mark.parametrize(
    "line",
    [
        "Opened 120 years ago",
        "Flight time: 2 hours 30 minutes",
        "Three days in Lisbon",
        # a forum post's time, which the thread's text keeps (wcxb-dev 4359, 0547)
        "1 week ago",
        "10 hours ago, R C-R said:",
    ],
)
def test_a_timeline_a_duration_or_a_posts_time_is_no_updated_line(line: str) -> None:
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


@pytest.mark.parametrize("line", ["Sign up for the trial by March", "How to sign up for Medicare"])
def test_signing_up_for_a_thing_of_the_article_is_not(line: str) -> None:
    assert classify_line(line, RULES) is None

"""A line of three or more short items between one and the same bar or dot, standing alone
between paragraphs, is a site's sections or a story's topics, whatever their words (issue
18: tags and breadcrumbs the line model scored low); the same shape in a run of short lines,
or with digits, is the article's own (a spec sheet, a score)."""

from __future__ import annotations

import pytest

from cleaning import CleaningOptions, clean_page
from cleaning.junk import is_item_list

OPTIONS = CleaningOptions(min_words=10)
URL = "https://news.example.org/2025/trade"

PARAGRAPH = (
    "The ministers met for a second day on Tuesday and agreed on a timetable for the talks, "
    "which will resume in March after both sides have consulted their industries at home."
)


def _page(middle: str) -> str:
    return (
        "<html><head><title>Talks resume</title>"
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Talks resume</h1><p>{PARAGRAPH}</p>{middle}<p>{PARAGRAPH}</p>"
        "</article></body></html>"
    )


@pytest.mark.parametrize(
    "line",
    [
        "Themen | Handel | Zölle | Export",
        "Home • Science • Space",
        "Startseite • Wissen • Raumfahrt",
    ],
)
def test_an_item_list_standing_alone_goes(line: str) -> None:
    result = clean_page(_page(f"<p>{line}</p>"), URL, OPTIONS)
    assert ("item_list", line) in [(r.reason, r.line) for r in result.removed_lines]


@pytest.mark.parametrize(
    "line",
    [
        "Weight 2 kg | Width 40 cm | Colour red",  # digits: a spec sheet
        "Flour, sugar, eggs and butter",  # commas: the article's own list
        "News | Sport",  # two items: a title and its site
        "Trade talks resume. Tariffs stay. Exports fall.",  # sentences
    ],
)
def test_other_shapes_are_no_item_list(line: str) -> None:
    assert not is_item_list(line)


def test_an_item_list_in_a_run_of_short_lines_stays() -> None:
    # in a run of short lines it is the article's contents or a product's details
    run = "<p>Colours</p><p>Red | Green | Blue</p><p>Sizes</p><p>Small | Medium | Large</p>"
    result = clean_page(_page(run), URL, OPTIONS)
    assert "Red | Green | Blue" in result.text.split("\n")

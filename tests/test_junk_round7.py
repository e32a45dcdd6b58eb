"""Issue 18, seventh round: junk known by shapes that hold whatever the wording. A short line
is judged alone once the junk beside it is cut, and a heading beside it counts as a
paragraph; author biographies by a name, a biography's verb and a newsroom role; rating
prompts, symbol-only rating lines, form field labels and labels with a count in brackets."""

from __future__ import annotations

import pytest

from cleaning import CleaningOptions, clean_page
from cleaning.junk import classify_line, load_junk_rules, remove_junk
from tests.trade_article import OTHER, PARAGRAPH, URL

RULES = load_junk_rules()
OPTIONS = CleaningOptions(min_words=10)


def _page(middle: str) -> str:
    return (
        "<html><head><title>Talks resume</title>"
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Talks resume</h1><p>{PARAGRAPH}</p>{middle}<p>{OTHER}</p>"
        "</article></body></html>"
    )


def test_a_tags_line_beside_a_cut_junk_line_is_judged_alone() -> None:
    # the share line is cut by its kind; the item list beside it is then alone between
    # paragraphs (before, the share line made it part of a run of short lines)
    text = f"{PARAGRAPH}\nThemen | Handel | Zölle | Export\nShare on Facebook\n{OTHER}"
    removed = [(r.reason, r.line) for r in remove_junk(text, RULES).removed]
    assert ("item_list", "Themen | Handel | Zölle | Export") in removed


def test_a_tags_line_over_a_heading_is_judged_alone() -> None:
    middle = "<p>Themen | Handel | Zölle | Export</p><h2>What the exporters say</h2>"
    result = clean_page(_page(middle), URL, OPTIONS)
    assert ("item_list", "Themen | Handel | Zölle | Export") in [
        (r.reason, r.line) for r in result.removed_lines
    ]
    assert "What the exporters say" in result.text.split("\n")


def test_a_run_of_short_article_lines_still_stays() -> None:
    run = "<p>Colours</p><p>Red | Green | Blue</p><p>Sizes</p><p>Small | Medium | Large</p>"
    result = clean_page(_page(run), URL, OPTIONS)
    assert "Red | Green | Blue" in result.text.split("\n")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Jane Doe is a freelance writer based in Lisbon.", "author_bio"),
        ("Anja Seidel arbeitet im Ressort Wirtschaft und betreut das Thema Rente.", "author_bio"),
        ("Jonas Albrecht, Jahrgang 1984, ist freier Journalist in Leipzig.", "author_bio"),
        ("Jan de Vries is verslaggever bij de redactie Binnenland.", "author_bio"),
        ("Maria Rossi è giornalista della redazione Esteri.", "author_bio"),
        ("Click on a star to rate it!", "rating_prompt"),
        ("Jetzt mit Sternen bewerten", "rating_prompt"),
        ("War dieser Artikel hilfreich?", "rating_prompt"),
        ("Cet article vous a-t-il été utile ?", "rating_prompt"),
        ("👍 641 · 👎 84", "rating"),
        ("Name (Pflichtfeld)", "form_field"),
        ("E-Mail *", "form_field"),
        ("🗨 Discussion (372)", "lone_label"),
        ("Kommentare (12)", "lone_label"),
        ("Zuletzt bearbeitet vor 11 Std.", "updated_label"),
    ],
)
def test_junk_of_the_seventh_round(line: str, kind: str) -> None:
    assert classify_line(line, RULES) == kind


@pytest.mark.parametrize(
    "line",
    [
        # a sentence about a person, begun with an article, not a name
        "Der Journalist Max Müller sagte am Montag, die Lage sei ernst.",
        # a product, not a person: the role comes before the verb
        "Movavi Video Editor is one of those programs that manages to feel capable.",
        # the role word is in a later sentence
        "NBA League Pass is moving to Amazon Prime Video. Our writer reached out.",
        # someone quoted is the article's report
        'John Smith is a reporter and said "we will appeal" on Monday.',
        "Conor Allison, Wareable Editor",
        "Is this the most useful guide you can buy?",
        "Five stars for the hotel rating agencies.",
        "Results (2019)",
        "Terms and conditions apply to all offers *",
    ],
)
def test_article_lines_of_those_shapes_stay(line: str) -> None:
    assert classify_line(line, RULES) is None


def test_a_sentence_is_judged_against_the_floor_whatever_the_trained_threshold() -> None:
    import math

    from cleaning.linemodel import SENTENCE_THRESHOLD_FLOOR, LineModel

    # every line scores 0.98: over the trained sentence threshold, under the floor
    model = LineModel(
        weights={},
        bias=math.log(0.98 / 0.02),
        threshold=0.5,
        max_words=16,
        sentence_threshold=0.9,
    )
    assert SENTENCE_THRESHOLD_FLOOR > 0.98
    assert not model.is_junk("The implementation is discussed below.", sentence=True)
    assert model.is_junk("Share this", sentence=False)

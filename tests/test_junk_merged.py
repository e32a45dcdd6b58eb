"""Issue 18, stop 30: junk blocks the extractor merges into a longer line. trafilatura writes a
list item or a table cell as one line whatever paragraphs it holds, and its fallbacks may join
a header's blocks, so a junk ``<p>`` there is no line of its own for the junk rules; such a
block is judged alone and cut out of the line (``cleaning.merged``)."""

from __future__ import annotations

import lxml.html

from cleaning import CleaningOptions, clean_page
from cleaning.junk import load_junk_rules
from cleaning.merged import cut_merged_junk, leaf_blocks
from tests.trade_article import OTHER, PARAGRAPH, URL

RULES = load_junk_rules()
OPTIONS = CleaningOptions(min_words=10)


def _page(body: str) -> str:
    return f"<html><head><title>Talks resume</title></head><body>{body}</body></html>"


def _removed(html: str) -> list[tuple[str, str]]:
    return [(r.reason, r.line) for r in clean_page(html, URL, OPTIONS).removed_lines]


def test_a_junk_paragraph_inside_a_list_item_is_cut_from_its_line() -> None:
    html = _page(
        f"<article><ul><li><p>{PARAGRAPH}</p><p>1,204 views</p><p>{OTHER}</p></li>"
        f"<li><p>{OTHER} More.</p><p>Sign up for our weekly newsletter</p></li></ul></article>"
    )
    result = clean_page(html, URL, OPTIONS)
    assert f"- {PARAGRAPH} {OTHER}" in result.text.split("\n")
    assert f"- {OTHER} More." in result.text.split("\n")
    assert "views" not in result.text and "newsletter" not in result.text
    removed = _removed(html)
    assert ("view_counter", "1,204 views") in removed
    assert ("newsletter", "Sign up for our weekly newsletter") in removed


def test_a_junk_paragraph_inside_a_table_cell_is_cut_from_its_line() -> None:
    html = _page(
        f"<table><tr><td><p>{PARAGRAPH}</p><p>Photo 3 of 11</p><p>{OTHER}</p></td></tr></table>"
    )
    result = clean_page(html, URL, OPTIONS)
    assert "Photo 3 of 11" not in result.text
    assert PARAGRAPH in result.text and OTHER in result.text
    assert ("gallery_counter", "Photo 3 of 11") in _removed(html)


def test_a_header_joined_into_one_line_loses_its_junk_blocks() -> None:
    # as a fallback of trafilatura joins a header's blocks: the byline's date stays (a date is
    # the line pass's), the share and counter blocks go
    tree = lxml.html.fromstring(
        "<div><p>Updated on 04/03/2025</p><div><span>Email this story · Print</span></div>"
        f"<p>2,310 views</p><p>{PARAGRAPH}</p></div>"
    )
    text = f"Updated on 04/03/2025 Email this story · Print 2,310 views {PARAGRAPH}\n{OTHER}"
    cut = cut_merged_junk(text, leaf_blocks(tree), RULES)
    assert cut.text == f"Updated on 04/03/2025 {PARAGRAPH}\n{OTHER}"
    assert [r.line for r in cut.removed] == ["Email this story · Print", "2,310 views"]


def test_article_blocks_merged_into_a_line_stay() -> None:
    # a list of events and of forum posts: each item's date, place or size is a paragraph of
    # its own, merged by the extractor. The line model, reading such a part alone, takes "8
    # min" or "In-ear, closed-back" for junk, and a post's time reads as an updated label:
    # only the junk rules judge, dates never. A one-word block is as likely a word of a
    # sentence and is not judged.
    items = [
        ("March 11, 2023, 09:14:02 PM", "Colorado, United States", PARAGRAPH),
        ("July 12, 2026", "8 min", OTHER),
        ("In-ear, closed-back", "Frisco, United States", PARAGRAPH),
        (f"{OTHER} Share", "Share", PARAGRAPH),
    ]
    html = _page(
        "<main><ul>"
        + "".join("<li>" + "".join(f"<p>{part}</p>" for part in item) + "</li>" for item in items)
        + "</ul></main>"
    )
    lines = clean_page(html, URL, OPTIONS).text.split("\n")
    for item in items:
        assert "- " + " ".join(item) in lines


def test_a_junk_block_on_a_line_of_its_own_is_left_to_the_line_pass() -> None:
    tree = lxml.html.fromstring(f"<div><p>{PARAGRAPH}</p><p>1,204 views</p></div>")
    text = f"{PARAGRAPH}\n1,204 views"
    cut = cut_merged_junk(text, leaf_blocks(tree), RULES)
    assert cut.text == text and cut.removed == ()


def test_blocks_holding_blocks_are_not_read_and_single_words_not_cut() -> None:
    tree = lxml.html.fromstring(
        "<div><div><p>Share</p><p>Sign up for our weekly newsletter</p></div><p>Comments</p></div>"
    )
    leaves = leaf_blocks(tree)
    assert leaves == frozenset({"Share", "Sign up for our weekly newsletter", "Comments"})
    text = f"{PARAGRAPH} Share Comments\n{OTHER}"
    assert cut_merged_junk(text, leaves, RULES).text == text


def test_a_junk_block_s_words_inside_a_sentence_stay() -> None:
    # a menu's "Sign up" and "Read more" are junk alone, and the article's sentences start
    # with the same words: a block is cut only where the line joins blocks on both sides
    sentences = (
        "To start, open the app. Sign up for an account with your email, then confirm the "
        "link. Read more about the privacy settings before you share anything."
    )
    html = _page(
        "<header><div>Sign up</div><div>Read more</div></header>"
        f"<article><ul><li><p>{sentences}</p><p>Sign up</p></li></ul>"
        f"<p>{PARAGRAPH}</p><p>Read more about the plan in the ministry's own guide.</p>"
        f"<p>{OTHER}</p></article>"
    )
    lines = clean_page(html, URL, OPTIONS).text.split("\n")
    assert f"- {sentences}" in lines  # the item's own "Sign up" block, at its end, goes
    assert "Read more about the plan in the ministry's own guide." in lines

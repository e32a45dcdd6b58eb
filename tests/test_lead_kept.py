"""An article's lead paragraph is kept where trafilatura leaves it out (issue 15): trafilatura
deletes blocks named "teaser" and starts its text at the body's container, so a standfirst set
apart above the body (TYPO3's ``div.teaser-text``, ``p.lead``) was lost; related-story teasers
named the same stay out."""

from __future__ import annotations

import trafilatura

from cleaning import CleaningOptions, clean_page

LEAD = (
    "The town council decided on Monday to rebuild the old bridge over the river, "
    "after two years of debate about its cost."
)
BODY = "".join(
    f"<p>Paragraph {i} of the report tells how the council weighed the plans for the bridge, "
    f"what the engineers said about the river bed, and when the work is to begin.</p>"
    for i in range(6)
)
RELATED = "".join(
    f'<div class="teaser"><p class="teaser-text">Another story number {i} about the council '
    f"and a different matter entirely, read it on the next page now.</p></div>"
    for i in range(3)
)
URL = "https://news.example.com/bridge"


def _page(lead_class: str) -> str:
    return f"""<html><head><title>The bridge is to be rebuilt</title></head><body>
<div class="news"><div class="article">
<h1>The bridge is to be rebuilt</h1>
<div class="{lead_class}"><p>{LEAD}</p></div>
<div class="news-text-wrap">{BODY}</div>
</div>
<div class="related">{RELATED}</div>
</div></body></html>"""


def test_a_lead_named_teaser_is_kept_before_the_article_text() -> None:
    page = _page("teaser-text")
    assert LEAD not in (trafilatura.extract(page) or "")  # trafilatura deletes it
    result = clean_page(page, URL, CleaningOptions())
    assert result.kept
    lines = result.text.split("\n")
    assert LEAD in lines
    # in its place: right before the article's first paragraph
    assert lines[lines.index(LEAD) + 1].startswith("Paragraph 0 of the report")
    # the related stories, named like it, are not the article's
    assert "Another story number" not in result.text


def test_a_lead_outside_the_body_container_is_kept() -> None:
    # trafilatura starts its text at the body's container (class "entry-content")
    page = f"""<html><head><title>The bridge is to be rebuilt</title></head><body><main>
<h1>The bridge is to be rebuilt</h1>
<div class="entry-excerpt"><p>{LEAD}</p></div>
<div class="entry-content">{BODY}</div>
</main></body></html>"""
    assert LEAD not in (trafilatura.extract(page) or "")
    result = clean_page(page, URL, CleaningOptions())
    lines = result.text.split("\n")
    assert LEAD in lines
    assert lines[lines.index(LEAD) + 1].startswith("Paragraph 0 of the report")


def test_a_teaser_not_followed_by_the_article_text_stays_out() -> None:
    # a teaser of another story above the article, its next paragraphs those of other teasers
    teasers = "".join(
        f'<div class="teaser"><p>Top story {i}: the mayor opened a new school in the north of '
        f"the town, with a speech about the future of its children.</p></div>"
        for i in range(4)
    )
    page = _page("body-text").replace(
        '<div class="news">', f'<div class="top">{teasers}</div><div class="news">'
    )
    result = clean_page(page, URL, CleaningOptions())
    assert result.kept
    assert "Top story" not in result.text

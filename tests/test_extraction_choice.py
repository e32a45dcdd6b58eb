"""Cleaning a page must not flip trafilatura's choice of extractor (issue 15): pruning a widget
that shortens its own extraction and not readability's made readability's text of another part
of the page win (wcxb-dev 3054, 2834)."""

from __future__ import annotations

import trafilatura

from cleaning import CleaningOptions, clean_page

GUIDE = "".join(
    f"<p>Opening hours of the shop {i}, the store, and the garden centre change in winter.</p>"
    for i in range(6)
)
ARTICLE = " ".join(
    ["The article itself is about the weather in the town today, which was fine."] * 4
)
# a purchase box inside the article: pruned (its class names a subscription widget), it makes
# trafilatura's own extraction of the article less than half as long as readability's text
PLANS = "".join(
    f"<p>Plan {i}: twelve issues a year, delivered to the door, cancel at any time.</p>"
    for i in range(7)
)
PAGE = f"""<html><head><title>A page</title></head><body>
<div class="guide">{GUIDE}</div>
<article><h1>A page</h1><p>{ARTICLE}</p><div class="subscription-box">{PLANS}</div></article>
</body></html>"""


def test_pruning_a_widget_does_not_make_a_fallback_take_another_part_of_the_page() -> None:
    served = trafilatura.extract(PAGE) or ""
    assert ARTICLE in served and "Opening hours" not in served  # trafilatura takes the article
    result = clean_page(PAGE, "https://shop.example.com/weather", CleaningOptions())
    assert result.kept
    assert ARTICLE in result.text
    assert "Opening hours" not in result.text
    # the page as served was extracted: the box is in the text, and is no removed line
    assert "Plan 0: twelve issues a year" in result.text
    assert [r.reason for r in result.removed_lines if r.reason == "widget"] == []


def test_a_widget_pruned_without_a_flip_is_still_removed() -> None:
    # the same page without the guide: trafilatura's choice does not change, the box goes
    page = PAGE.replace(f'<div class="guide">{GUIDE}</div>', "")
    result = clean_page(page, "https://shop.example.com/weather", CleaningOptions())
    assert ARTICLE in result.text
    assert "Plan 0" not in result.text
    assert "widget" in [r.reason for r in result.removed_lines]


def test_the_escalation_measures_the_page_with_the_text_cleaning_removed() -> None:
    # trafilatura retries a short text when it covers less than a fifth of the page: the
    # widgets pruned before are the page's too (trafilatura-eval elnuevodia.com-mujeres: 69
    # pruned characters of share buttons kept a 360-character text from its retry)
    from cleaning.cascade import _covers_little_of_the_page
    from cleaning.extraction import parse_html

    words = " ".join(f"word{i}" for i in range(160))
    tree = parse_html(f"<html><body><div><p>{words}</p></div></body></html>")
    assert tree is not None
    length = len(words) // 5 + 10  # just over a fifth of the page's text
    assert not _covers_little_of_the_page(tree, length)
    assert _covers_little_of_the_page(tree, length, removed=100)


def test_an_escalation_that_keeps_trafilaturas_own_text_is_no_fallback() -> None:
    # a short article on a page of links: the recall escalation runs (the text covers less
    # than a fifth of the page) and keeps trafilatura's own text; its own run of stages 1-2
    # in recall mode chose nothing for the page, so the page is not extracted again as served
    from cleaning.extraction import extract_choosing, parse_html

    article = " ".join(["The council met on Tuesday to discuss the new bridge."] * 5)
    links = "".join(f'<li><a href="/t/{i}">Topic {i} of the archive</a></li>' for i in range(80))
    tree = parse_html(
        f"<html><body><article><h1>Bridge</h1><p>{article}</p></article>"
        f'<div class="more"><ul>{links}</ul></div></body></html>'
    )
    assert tree is not None
    document, fallback = extract_choosing(tree, "https://example.com/a", CleaningOptions())
    assert document is not None and article in (document.text or "")
    assert not fallback

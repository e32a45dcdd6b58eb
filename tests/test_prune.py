"""Widget pruning: what a class or id name makes a widget, and what it must not (issue 15)."""

from __future__ import annotations

import pytest
from lxml.etree import XPath
from trafilatura.utils import load_html

from cleaning import CleaningOptions, clean_page
from cleaning.prune import _CLASSES, _IDS, _maybe_named, _maybe_widget, prune_widgets

PARAGRAPH = (
    "<p>The article's own paragraph is long enough to be the main text of the page, and it says "
    "what the company sells, to whom, and what its customers think of it after a year.</p>"
)


def pruned(body: str) -> tuple[str, list[str]]:
    """The text left after pruning a page of ``body``, and the removed lines."""
    tree = load_html(f"<html><body><article>{PARAGRAPH}{body}</article></body></html>")
    assert tree is not None
    removed = prune_widgets(tree)
    return " ".join(" ".join(tree.itertext()).split()), [line.line for line in removed]


def test_follow_up_is_not_a_follow_us_box() -> None:
    text, removed = pruned(
        '<div class="follow-up__item"><div class="follow-up__text">Brilliant program, easy to '
        "use, a huge boost to our sales team.</div></div>"
        '<div class="follow-us">Follow us on Facebook</div>'
    )
    assert "Brilliant program" in text
    assert removed == ["Follow us on Facebook"]


def test_drupal_views_blocks_hold_content_but_view_counters_go() -> None:
    text, removed = pruned(
        '<div class="block block-views block-views-article-content-block-3">'
        "<p>They are: Heather Grant, 33, and a man whose address was not given.</p></div>"
        '<div class="pane-views-latest">Latest: the second story of the day.</div>'
        '<span class="post-views">1,204 views</span>'
        '<span class="entry-meta__views">88 views</span>'
    )
    assert "Heather Grant" in text
    assert "the second story of the day" in text
    assert removed == ["1,204 views", "88 views"]


def test_testimonials_are_no_reader_comments() -> None:
    text, removed = pruned(
        '<section class="lf_pdp-testimonials-comments">'
        '<div class="lf_pdp-testimonials-comments-comment-content-body">I particularly enjoyed '
        "the practical approach of this course.</div></section>"
        '<div class="comments">Reader one: first!</div>'
    )
    assert "I particularly enjoyed" in text
    assert removed == ["Reader one: first!"]


def test_a_table_of_contents_with_its_entries_stays_and_its_toggle_goes() -> None:
    text, removed = pruned(
        '<div id="ez-toc-container"><p class="ez-toc-title">Table of contents [show]</p><ul>'
        '<li><a href="#intro">Introduction</a></li><li><a href="#workers">Workers</a></li>'
        '<li><a href="#commands">Commands</a></li></ul></div>'
        '<div class="toc-toggle">Contents (hide)</div>'
    )
    assert "Introduction Workers Commands" in text
    assert removed == ["Table of contents [show]", "Contents (hide)"]


def test_a_numbered_id_is_a_section_anchor_not_a_widget() -> None:
    text, removed = pruned(
        '<div class="content_body" id="TOC_TITLE_1"><p>It can be frustrating to step on the '
        "scale and see no change.</p></div>"
        '<div id="toc">Jump to section</div>'
    )
    assert "It can be frustrating" in text
    assert removed == ["Jump to section"]


def test_clean_page_keeps_a_testimonial_section() -> None:
    html = f"""<html><head><title>OnePageCRM</title></head><body><article>
    <h1>OnePageCRM</h1>{PARAGRAPH}
    <section class="google-testimonials"><div class="follow-up__item">
    <div class="follow-up__text">Brilliant program, highly intuitive and easy to use. Has been a
    huge boost to our sales team in the short time we have been using it.</div>
    <div class="follow-up__name">Joe Lyons, Google review</div></div></section>
    {PARAGRAPH.replace("own", "second")}
    </article></body></html>"""
    result = clean_page(html, "https://crm.test/", CleaningOptions(min_words=10))
    assert "Brilliant program, highly intuitive" in result.text


def test_a_table_of_contents_entry_named_on_its_own_stays() -> None:
    text, removed = pruned(
        '<div class="toc_list_box"><ul class="list">'
        '<li class="toc_heading2"><a href="#tab1">Dynamic Pricing</a></li>'
        '<li class="toc_heading2"><a href="#tab2">Churn Prediction</a></li></ul></div>'
        '<div class="toc-title"><a href="#">Table of contents</a> [show]</div>'
    )
    assert "Dynamic Pricing Churn Prediction" in text
    assert removed == ["Table of contents [show]"]


def test_a_link_in_a_heading_is_the_heading_text() -> None:
    # docutils links each section title back to the table of contents
    text, removed = pruned(
        '<h2><a class="toc-backref" href="#id1">Specifying destination nodes</a></h2>'
        '<div class="share-bar">Share this page</div>'
    )
    assert "Specifying destination nodes" in text
    assert removed == ["Share this page"]


def test_widget_names_are_found_in_any_case_by_class_or_id_and_in_document_order() -> None:
    # pruning reads the page's class and id strings first and fetches only the elements
    # carrying one that may name a widget: these must be the same elements, in order
    text, removed = pruned(
        '<div id="Share-Bar">Share on X</div>'
        '<div class="header shadow"><p>The header stays.</p></div>'
        '<div class="entry\tREADING_TIME">4 min read</div>'
        '<div class="box" id="related">Related: the other story</div>'
        '<div class="newsletter"><span class="newsletter">Sign up</span> today</div>'
    )
    assert removed == ["Share on X", "4 min read", "Related: the other story", "Sign up today"]
    assert "The header stays." in text


# what _maybe_named's XPath was: every element tested in turn; the attributes-first XPath must
# find the same elements in the same order, the empty names and tabs included (an empty id
# is "carried" where no id may name a widget: the joined list is then two tabs)
_EVERY_ELEMENT = XPath(
    "//*[(@class and contains($classes, concat($tab, @class, $tab)))"
    " or (@id and contains($ids, concat($tab, @id, $tab)))]"
)


@pytest.mark.parametrize(
    "body",
    [
        '<div id="">x</div><div class="share">y</div><p class="">z</p>',
        '<div id="share-bar" class="">x</div><p class="a" id="">y</p><p class="">z</p>',
        '<div class="share\tbox" id="related"><span class="share">a</span></div>'
        '<p class="box">b</p><p id="x" class="related">c</p>',
        '<p class="plain">nothing here</p>',
    ],
)
def test_the_elements_carrying_a_maybe_widget_name_are_those_of_an_element_by_element_test(
    body: str,
) -> None:
    tree = load_html(f"<html><body class='main'><article>{body}</article></body></html>")
    assert tree is not None
    classes = [v for v in set(_CLASSES(tree)) if _maybe_widget(v)]
    ids = [v for v in set(_IDS(tree)) if _maybe_widget(v)]
    joined = {"classes": "\t" + "\t".join(classes) + "\t", "ids": "\t" + "\t".join(ids) + "\t"}
    expected = _EVERY_ELEMENT(tree, tab="\t", **joined) if classes or ids else []
    assert _maybe_named(tree) == expected

"""The page-type markup signals: the one-pass reading gives what the XPath reading gives."""

from __future__ import annotations

import pytest

from cleaning.extraction import parse_html
from cleaning.pagetype import (
    _CHROME,
    _MIN_TEASERS,
    _link_text,
    _link_text_fast,
    _outer_chrome,
    _teaser_parents,
    read_markup,
)

CARDS = "".join(
    f'<li class="card c{i}"><a href="/story-{i}">Story number {i} about the town</a>'
    f"<p>A summary of story {i}, told in a few more words.</p></li>"
    for i in range(6)
)
PAGES = {
    "plain": f"""<html><head><meta property="og:type" content="Website">
        <meta name="og:type" content="article"></head><body>
        <header><a href="/">Home of the site here</a><nav><a href="/a">A menu entry link</a>
        <ul><li>x</li><li>y</li><li>z</li><li>w</li></ul></nav></header>
        <main><h2><a href="/one">The first story of the day</a></h2>
        <p>Text <!-- a comment --> with a <a href="/two">link in it, four words</a> tail.</p>
        <ul>{CARDS}</ul></main>
        <aside><ul>{CARDS}</ul></aside>
        <form><p>Sign up <a href="/signup">for the daily letter today</a></p></form>
        <script>var x = "<a href='/no'>not a link</a>";</script>
        <footer><p>Footer text</p><a href="/about">About the people here</a></footer>
        </body></html>""",
    # a chrome element inside a chrome element, and links without href
    "nested chrome": f"""<html><body><div><nav><header><a href="/n">Nested nav link here
        </a></header></nav><p>Body <a>no target at all here</a> and
        <a href="">an empty target link here</a></p><div>{CARDS}</div></div></body></html>""",
    # broken markup: text after </html> makes a second top-level element
    "two roots": f"""<html><body><p>First root</p></body></html><!-- x -->
        <html><body><h3><a href="/late">A late heading link</a></h3>{CARDS}</body></html>""",
    "json-ld": """<html><head><script type="application/ld+json">{"@type": "NewsArticle"}
        </script><meta property="article:published_time" content="2024-01-01"></head>
        <body><article><p>One article.</p></article></body></html>""",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_fast_link_text_and_teaser_parents_match_xpath(name: str) -> None:
    tree = parse_html(PAGES[name])
    assert tree is not None
    bodies = tree.xpath("//body")
    if len(bodies) != 1:
        pytest.skip("read_markup takes the XPath path itself")
    chrome = _outer_chrome(bodies[0])
    assert chrome is not None
    assert _link_text_fast(bodies[0], chrome) == _link_text(tree)
    expected = tree.xpath(f"//body//*[count(*) >= {_MIN_TEASERS}][not({_CHROME})]")
    assert _teaser_parents(bodies[0]) == expected


def test_markup_signals_read_the_whole_document() -> None:
    plain = read_markup(parse_html(PAGES["plain"]), "https://example.com/")
    assert plain.signals["og_website"] == 1.0  # the first og:type, by property or name
    assert plain.signals["teaser_headings"] > 0
    # the cards in the sidebar are chrome; the six in the main text are teasers
    assert len(plain.teasers) == 6
    assert "link in it, four words" in plain.links
    assert not {"a menu entry link", "about the people here"} & plain.links
    # a heading link after a second <html>: //h3 finds it, so must the one pass
    broken = read_markup(parse_html(PAGES["two roots"]), "https://example.com/")
    assert broken.signals["teaser_headings"] > 0
    declared = read_markup(parse_html(PAGES["json-ld"]), "https://example.com/a")
    assert declared.signals["ld_article"] == declared.signals["published_time"] == 1.0
    assert declared.signals["article_cards"] > 0

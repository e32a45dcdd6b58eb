"""The page-type signals: the one-pass reading of the markup gives what the XPath reading
gives; a page whose text is not its links and teasers is no listing."""

from __future__ import annotations

import pytest

from cleaning.elements import text_of
from cleaning.extraction import parse_html
from cleaning.pagetype import (
    _CHROME,
    _MIN_TEASERS,
    MIN_LINKED_TEXT,
    Markup,
    PageType,
    _fold,
    _link_text,
    _link_text_fast,
    _linked_text,
    _outer_chrome,
    _squash,
    _teaser_parents,
    could_be_listing,
    load_model,
    read_markup,
    text_signals,
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


# pages with one <body>: read_markup reads a page with two by XPath itself
@pytest.mark.parametrize("name", sorted(set(PAGES) - {"two roots"}))
def test_fast_link_text_and_teaser_parents_match_xpath(name: str) -> None:
    tree = parse_html(PAGES[name])
    assert tree is not None
    bodies = tree.xpath("//body")
    assert len(bodies) == 1
    chrome = _outer_chrome(bodies[0])
    assert chrome is not None
    assert _link_text_fast(bodies[0], chrome) == _link_text(tree)
    expected = tree.xpath(f"//body//*[count(*) >= {_MIN_TEASERS}][not({_CHROME})]")
    assert _teaser_parents(bodies[0]) == expected


@pytest.mark.parametrize(
    "link",
    [
        '<a href="/a">Plain headline text</a>',
        '<a href="/a"></a>',
        '<a href="/a">Before<!-- a comment -->after</a>',
        '<a href="/a"><span>Inside</span> and <b>bold</b> tail</a>',
        '<a href="/a">AT&amp;T &eacute;t&eacute;</a>',
    ],
)
def test_a_links_text_is_its_string_value(link: str) -> None:
    tree = parse_html(f"<html><body><p>{link}</p></body></html>")
    assert tree is not None
    (anchor,) = tree.iter("a")
    assert text_of(anchor) == tree.xpath("string(//a)")


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


# the signals of two pages of the extraction data: huggingface.co's home page (a service page
# whose main text is its own pitch, beside a grid of model cards) and bbc.com/news (a link hub
# whose teasers extraction ran together into one line)
HOME_PAGE_PITCH = {
    "article_cards": 0.6356, "body_chars": 1.6132, "has_date": 1.0, "headline_density": 0.7782,
    "headline_links": 0.7475, "link_density": 0.8203, "linked_text": 0.0, "og_website": 1.0,
    "prose_share": 0.3232, "short_line_share": 0.6522, "teaser_cards": 0.7167,
    "teaser_cover": 0.0061, "teaser_share": 0.6343, "url_home": 1.0, "words": 1.0212,
}  # fmt: skip
NEWS_HUB = {
    "article_cards": 0.1386, "body_chars": 1.8114, "headline_density": 0.962,
    "headline_links": 0.8051, "link_density": 0.9667, "linked_text": 0.9889,
    "teaser_cards": 0.7978, "teaser_share": 1.0, "url_depth": 0.1667, "url_listing_segment": 1.0,
    "url_slug_words": 0.1667, "words": 1.4597,
}  # fmt: skip


def test_a_page_whose_text_is_not_its_links_is_no_listing() -> None:
    model = load_model()
    assert model.classify(HOME_PAGE_PITCH)[0] != PageType.LISTING
    assert model.classify(NEWS_HUB)[0] == PageType.LISTING
    assert not could_be_listing({**NEWS_HUB, "linked_text": MIN_LINKED_TEXT / 2})


def _markup(links: set[str], teasers: tuple[str, ...] = ()) -> Markup:
    return Markup({}, frozenset(), frozenset(links), teasers)


def _linked_lines(lines: list[str], markup: Markup, cards: str) -> float:
    return _linked_text([_fold(line) for line in lines], markup, cards)


def test_linked_text_finds_teasers_run_together() -> None:
    cards = tuple(_squash(f"Story number {i} about the town. A summary of it.") for i in range(5))
    markup = _markup({"story number 1 about the town", "home"}, cards)
    joined = "\x00".join(cards)
    hub = " ".join(f"Story number {i} about the town. A summary of it." for i in range(5))
    # spans across two cards are not found: 21 of 25 spans here
    assert _linked_lines([hub], markup, joined) == pytest.approx(0.84)
    prose = "The council met on Monday to discuss the budget for the coming year."
    assert _linked_lines([prose], markup, joined) == 0.0
    # a short line counts only as a whole link text: a word or two is found in any text
    assert _linked_lines(["Home", "town"], markup, joined) == 0.5
    # the rest of a line (here 1 word of 17) is looked up in the line's last 4 words
    assert _linked_lines([prose + " Story number 3 about"], markup, joined) == pytest.approx(1 / 17)


def test_teasers_too_few_for_a_teaser_list_count_as_linked_text() -> None:
    # three <article> teasers (a list needs four); extraction kept one headline of three
    cards = "".join(
        f'<article class="teaser"><h2><a href="/news/{i}/">Headline number {i} of this'
        f" section</a></h2><p>The summary of story {i} says what happened in it, in a"
        f" sentence.</p></article>"
        for i in range(3)
    )
    page = f"<html><body><main><h1>Section</h1>{cards}</main></body></html>"
    markup = read_markup(parse_html(page), "https://example.com/de/")
    assert not markup.teasers and len(markup.link_cards) == 3
    text = "Headline number 0 of this section\n" + "\n".join(
        f"The summary of story {i} says what happened in it, in a sentence." for i in range(3)
    )
    signals = text_signals(text, markup, has_date=False, has_author=False)
    assert signals["teaser_cover"] == 0.0
    assert signals["linked_text"] == 1.0

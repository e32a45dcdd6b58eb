"""cleaning.selectors: trafilatura's regex XPaths as Python functions, the same elements."""

from __future__ import annotations

import random

import pytest
from lxml.html import fromstring
from trafilatura import xpaths

import cleaning.cascade
import cleaning.extraction
from cleaning import selectors
from cleaning.selectors import PINNED, translated, xpath_sha256

# attribute names and value pieces the XPaths test, and some they do not
_NAMES = [
    "id", "class", "style", "role", "itemprop", "aria-hidden", "data-component",
    "data-lp-replacement-content", "href", "title",
]  # fmt: skip
_PIECES = [
    "", " ", "comment", "Comments", "commentary", "comment-list", "comments", "comol",
    "disqus_thread", "dsq-comments", "post-comments", "article-comments", "reply-", "x-reply-x",
    "hidden", " hidden", "hide-print", "display:none", "display: none", "true", "false",
    "nav", "NAV", "Navigation", "navbar", "menu", "cookie", "share-", "^shar", "shareit",
    "social", "sidebar", "widget", "meta", "footer", "tags", "tag-list", "author", "byline",
    "mvp-post-add-box", "infinite-scroll", "infinitescroll", "elementor-share-buttons",
    "MostPopularStories", "post", "entry", "articleBody", "articleContent", "article-content",
    "post-text", "primary", "story-body", "article", "story", "FullText", "fulltext", "cell",
    "text", "content", "Main-Content", "main-content", "Page-Content", "content-main", " ad ",
    "akismet", "message", "premium", "ad-", "related", "x", "main",
]  # fmt: skip
_TAGS = [
    "div", "section", "span", "p", "article", "main", "aside", "ol", "ul", "li", "details",
    "list", "item", "a", "h1", "footer",
]  # fmt: skip


def _attribute(rng: random.Random) -> str:
    name = rng.choice(_NAMES)
    value = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 3)))
    return f'{name}="{value}"'


def _element(rng: random.Random, depth: int) -> str:
    tag = rng.choice(_TAGS)
    # names may repeat: the parser keeps the first, and the order decides @id|@class
    attributes = " ".join(_attribute(rng) for _ in range(rng.randint(0, 4)))
    children = "".join(
        _element(rng, depth + 1) for _ in range(rng.randint(0, 3) if depth < 4 else 0)
    )
    return f"<{tag} {attributes}>t{children}</{tag}>tail"


def _pages() -> list[str]:
    rng = random.Random(17)
    return [
        "<html><body>" + "".join(_element(rng, 0) for _ in range(6)) + "</body></html>"
        for _ in range(200)
    ]


@pytest.mark.parametrize(("name", "index"), sorted(PINNED))
def test_the_installed_xpath_is_the_one_translated(name: str, index: int) -> None:
    # a new trafilatura whose XPath changed runs its own XPath (translated() falls back), and
    # this fails to say that the translation is stale
    expression = getattr(xpaths, name)[index]
    assert xpath_sha256(expression) == PINNED[name, index][0]
    assert translated(name)[index] is PINNED[name, index][1]


@pytest.mark.parametrize(("name", "index"), sorted(PINNED))
def test_the_same_elements_as_the_xpath(name: str, index: int) -> None:
    expression = getattr(xpaths, name)[index]
    function = PINNED[name, index][1]
    selected = 0
    for page in _pages():
        tree = fromstring(page)
        expected = expression(tree)
        if name == "BODY_XPATH":  # _extract reads the first element alone
            expected = expected[:1]
        assert function(tree) == expected, page
        selected += len(expected)
    assert selected  # the pages hold elements that each expression selects


def test_first_of_two_attributes_in_source_order() -> None:
    # XPath's string of @id|@class is the first attribute in the source, even an empty one
    tree = fromstring(
        '<div><div id="" class="cookie">a</div><div class="cookie" id="">b</div></div>'
    )
    assert [e.text for e in selectors.overall_discard(tree)] == ["b"]
    assert [e.text for e in xpaths.OVERALL_DISCARD_XPATH[0](tree)] == ["b"]


def test_the_extraction_uses_the_translations() -> None:
    assert cleaning.cascade.RAW_TREE_PRUNE_XPATH[0] is selectors.raw_follow_ups
    assert (
        cleaning.cascade.REMOVE_COMMENTS_AND_LISTS_XPATH[0] is selectors.remove_comments_and_lists
    )
    main_extractor = cleaning.extraction._SWAPPED_XPATHS[0][0]
    shipped = main_extractor.OVERALL_DISCARD_XPATH
    with cleaning.extraction._xpaths_in_python():
        assert main_extractor.OVERALL_DISCARD_XPATH[0] is selectors.overall_discard
        assert main_extractor.BODY_XPATH[0] is selectors.first_article_body
    assert main_extractor.OVERALL_DISCARD_XPATH is shipped  # trafilatura as shipped outside

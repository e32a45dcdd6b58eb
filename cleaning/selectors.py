"""trafilatura's pruning XPaths with regular expressions, as Python functions: the same
elements in the same order, without a call back into Python for every element.

trafilatura's XPaths test the class and id of elements with EXSLT ``re:test``, which lxml
runs by calling a Python function for each element the test reaches: on the pages of the
extraction data sets ``OVERALL_DISCARD_XPATH`` takes about 10 ms a page of 1,000 elements,
the cascade's first prunes (``RAW_TREE_PRUNE_XPATH``, ``REMOVE_COMMENTS_AND_LISTS_XPATH``)
about 4 ms, more than a tenth of what ``trafilatura.extract`` spends on the page. Here the
elements are walked in C by tag (``iterdescendants``), their attributes read once, and each
regular expression runs once per distinct attribute value (pages repeat their classes).

Each function stands for one XPath of trafilatura 2.3.1, pinned by the sha256 of the XPath's
text (``PINNED``): ``translated`` hands the installed XPath back unchanged where its text is
not the one translated, so a new trafilatura is never run with a stale translation
(``tests/test_selectors.py`` fails then, to tell). The comment above each function is the XPath.

What the XPaths' attribute tests mean, as lxml evaluates them: ``@id`` of an element without
one is the empty string (``re:test`` searches it like any string); ``@id|@class`` is the
first of the two attributes in the element's source order (XPath's string of a node set is
its first node's); ``re:test(s, r)`` is ``re.search(r, s)``, ``'i'`` adding IGNORECASE.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from lxml.etree import Element
from trafilatura import xpaths

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.etree import _Element

    Selector = Callable[[_Element], list[_Element]]

# a cache of a pattern's verdicts is emptied past this many values (a crawl sees many sites)
_MAX_CACHED = 20_000


class Test:
    """``re:test(value, pattern)``: whether ``pattern`` is found in a value, each value's
    verdict remembered."""

    __slots__ = ("_search", "_verdicts")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._search = re.compile(pattern, flags).search
        self._verdicts: dict[str, bool] = {}

    def __call__(self, value: str) -> bool:
        verdict = self._verdicts.get(value)
        if verdict is None:
            if len(self._verdicts) >= _MAX_CACHED:
                self._verdicts.clear()
            verdict = self._verdicts[value] = self._search(value) is not None
        return verdict


def _first(
    keys: list[str], name: str, value: str | None, other: str, other_value: str | None
) -> str:
    """XPath's string of ``@name|@other``: the value of whichever of the two attributes comes
    first in the element's source (``keys``), the empty string for neither."""
    if value is None:
        return other_value or ""
    if other_value is None or keys.index(name) < keys.index(other):
        return value
    return other_value


# ---------------------------------------------------------------------------------------------
# OVERALL_DISCARD_XPATH (trafilatura.main_extractor.prune_unwanted_sections, and the
# readability input in precision mode)

_DISCARD_TAGS = ("div", "item", "list", "p", "section", "span")
_DISCARD_COOKIE = Test(xpaths._alt(xpaths._CONSENT_ID_CLASS_TOKENS))
_DISCARD_ID = Test(
    xpaths._alt(xpaths._OVERALL_DISCARD_BOTH_TOKENS + xpaths._OVERALL_DISCARD_ID_TOKENS)
)
_DISCARD_CLASS = Test(
    xpaths._alt(xpaths._OVERALL_DISCARD_BOTH_TOKENS + xpaths._OVERALL_DISCARD_CLASS_TOKENS)
)


# the attributes the test reads; an element with none of them is selected only if the
# patterns match the empty string (they do not: checked here, not assumed)
_DISCARD_NAMES = frozenset({"id", "class", "data-lp-replacement-content", "role", "data-component"})
_DISCARD_BARE = _DISCARD_ID("") or _DISCARD_CLASS("") or _DISCARD_COOKIE("")


def overall_discard(tree: _Element) -> list[_Element]:
    """.//*[self::div or self::item or self::list or self::p or self::section or self::span][
    @data-lp-replacement-content or contains(translate(@role, 'N', 'n'), 'nav') or
    contains(@data-component, 'MostPopularStories') or re:test(@id|@class, COOKIE) or
    re:test(@id, BOTH+ID tokens) or re:test(@class, BOTH+CLASS tokens)]"""
    found = []
    for element in tree.iterdescendants(*_DISCARD_TAGS):
        keys = element.keys()
        if _DISCARD_NAMES.isdisjoint(keys) and not _DISCARD_BARE:
            continue
        get = element.get
        ident, cls = get("id"), get("class")
        if (
            _DISCARD_ID(ident or "")
            or _DISCARD_CLASS(cls or "")
            or _DISCARD_COOKIE(_first(keys, "id", ident, "class", cls))
            or get("data-lp-replacement-content") is not None
            or "nav" in (get("role") or "").replace("N", "n")
            or "MostPopularStories" in (get("data-component") or "")
        ):
            found.append(element)
    return found


_HIDDEN_ID_STYLE = Test("hidden")
_HIDDEN_ID = Test("reader-comments|akismet")
_HIDDEN_CLASS = Test(
    "^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print"
    "| hidden| hide|noprint|notloaded"
)


_HIDDEN_NAMES = frozenset({"id", "class", "style", "aria-hidden"})
_HIDDEN_BARE = _HIDDEN_CLASS("") or _HIDDEN_ID("") or _HIDDEN_ID_STYLE("")


def overall_discard_hidden(tree: _Element) -> list[_Element]:
    """.//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or
    re:test(@id|@style, 'hidden') or contains(@style, 'display:none') or
    contains(@style, 'display: none') or re:test(@id, 'reader-comments|akismet') or
    re:test(@class, '^hide-|comments-title|...|notloaded') or @aria-hidden='true']"""
    found = []
    for element in tree.iterdescendants(Element):
        keys = element.keys()
        if _HIDDEN_NAMES.isdisjoint(keys) and not _HIDDEN_BARE:
            continue
        get = element.get
        ident, cls, style = get("id"), get("class"), get("style") or ""
        if (
            _HIDDEN_CLASS(cls or "")
            or _HIDDEN_ID(ident or "")
            or "display:none" in style
            or "display: none" in style
            or get("aria-hidden") == "true"
            or cls == "comments-title"
            or _HIDDEN_ID_STYLE(_first(keys, "id", ident, "style", get("style")))
            or _first(keys, "id", ident, "class", cls).startswith("reply-")
        ):
            found.append(element)
    return found


# ---------------------------------------------------------------------------------------------
# The cascade's first prunes (trafilatura.core.trafilatura_sequence, cleaning.cascade)

_COMMENTS_ID = Test(f"^(?:{xpaths._COMMENTS_ID}|disqus_thread|dsq-comments)")
_COMMENTS_LIST_ID = Test(f"^(?:{xpaths._COMMENTS_ID})")
_COMMENTS_CLASS = Test(xpaths._COMMENTS_CLASS)


def remove_comments(tree: _Element) -> list[_Element]:
    """.//*[self::div or self::list or self::section or self::details][
    re:test(@id, '^(?:COMMENTS_ID|disqus_thread|dsq-comments)') or
    re:test(@class, 'COMMENTS_CLASS')]"""
    return [
        element
        for element in tree.iterdescendants("div", "list", "section", "details")
        if _COMMENTS_ID(element.get("id") or "") or _COMMENTS_CLASS(element.get("class") or "")
    ]


def remove_comments_and_lists(tree: _Element) -> list[_Element]:
    """.//*[self::div or self::list or self::section or self::details or self::ol or
    self::ul][re:test(@id, '^(?:COMMENTS_ID|disqus_thread|dsq-comments)') or
    re:test(@class, 'COMMENTS_CLASS')][not(self::ol or self::ul) or
    re:test(@id, '^(?:COMMENTS_ID)') or re:test(@class, 'COMMENTS_CLASS')]"""
    found = []
    for element in tree.iterdescendants("div", "list", "section", "details", "ol", "ul"):
        ident, cls = element.get("id") or "", element.get("class") or ""
        # the class test is in both predicates; the id test of ol and ul is the narrower one
        if _COMMENTS_CLASS(cls) or (
            _COMMENTS_ID(ident) and (element.tag not in ("ol", "ul") or _COMMENTS_LIST_ID(ident))
        ):
            found.append(element)
    return found


_FOLLOW_UP = Test("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_FOLLOW_UP_BOX = Test("mvp-post-add-(?:box|wrap)")


def raw_follow_ups(tree: _Element) -> list[_Element]:
    """.//*[self::div or self::section or self::aside][
    re:test(@id, 'mvp-post-add-(?:box|wrap)|infinite-?scroll') or re:test(@class, same)][
    not(.//h1) or re:test(@id, 'mvp-post-add-(?:box|wrap)') or re:test(@class, same)]"""
    found = []
    for element in tree.iterdescendants("div", "section", "aside"):
        ident, cls = element.get("id") or "", element.get("class") or ""
        if (_FOLLOW_UP(ident) or _FOLLOW_UP(cls)) and (
            _FOLLOW_UP_BOX(ident) or _FOLLOW_UP_BOX(cls) or element.find(".//h1") is None
        ):
            found.append(element)
    return found


def raw_share_buttons(tree: _Element) -> list[_Element]:
    """.//*[self::div or self::section or self::aside][
    contains(@class, 'elementor-share-buttons')]"""
    return [
        element
        for element in tree.iterdescendants("div", "section", "aside")
        if "elementor-share-buttons" in (element.get("class") or "")
    ]


# ---------------------------------------------------------------------------------------------
# BODY_XPATH (trafilatura.main_extractor._extract): the main content's container. _extract
# takes the first element an expression selects (``next(...)``), and nothing else reads them:
# these functions give that first element alone, and stop walking when they find it.

_BODY_TAGS = ("article", "div", "main", "section")
_ARTICLE_ID = Test(xpaths._alt(xpaths._ARTICLE_CONTENT_ID_TOKENS))
_ARTICLE_CLASS = Test(xpaths._alt(xpaths._ARTICLE_CONTENT_CLASS_TOKENS))


def first_article_body(tree: _Element) -> list[_Element]:
    """The first of .//*[self::article or self::div or self::main or self::section][
    @class='post' or @class='entry' or @itemprop='articleBody' or @id='articleContent' or
    re:test(@id, ARTICLE_CONTENT_ID) or re:test(@class, ARTICLE_CONTENT_CLASS)][1]
    (the first element in document order is the first child selected of its parent)."""
    for element in tree.iterdescendants(*_BODY_TAGS):
        get = element.get
        ident, cls = get("id") or "", get("class") or ""
        if (
            _ARTICLE_CLASS(cls)
            or _ARTICLE_ID(ident)
            or cls in ("post", "entry")
            or ident == "articleContent"
            or get("itemprop") == "articleBody"
        ):
            return [element]
    return []


_STORY_ID = Test(xpaths._alt(xpaths._STORY_ID_TOKENS))
_STORY_CLASS = Test(xpaths._alt(xpaths._STORY_CLASS_TOKENS))
_FULLTEXT_CLASS = Test("fulltext", re.IGNORECASE)
_STORY_CLASSES = frozenset({"postarea", "art-postcontent", "text", "cell", "story"})


def first_story_body(tree: _Element) -> list[_Element]:
    """(.//*[self::article or self::div or self::main or self::section][@role='article' or
    @id='article' or @id='story' or @class='postarea' or @class='art-postcontent' or
    @class='text' or @class='cell' or @class='story' or re:test(@id, STORY_ID) or
    re:test(@class, 'fulltext', 'i') or re:test(@class, STORY_CLASS)])[1]"""
    for element in tree.iterdescendants(*_BODY_TAGS):
        get = element.get
        ident, cls = get("id"), get("class")
        if (
            (cls is not None and (cls in _STORY_CLASSES or _STORY_CLASS(cls)))
            or _FULLTEXT_CLASS(cls or "")
            or _STORY_ID(ident or "")
            or ident in ("article", "story")
            or get("role") == "article"
        ):
            return [element]
    return []


_MAIN_ID = Test(xpaths._alt(xpaths._MAIN_CONTENT_ID_TOKENS))
_MAIN_CLASS = Test(xpaths._alt(xpaths._MAIN_CONTENT_CLASS_TOKENS))


def first_main_content(tree: _Element) -> list[_Element]:
    """(.//*[self::article or self::div or self::main or self::section][@id='content' or
    @class='content' or re:test(@id, MAIN_CONTENT_ID) or re:test(@class, MAIN_CONTENT_CLASS)
    or contains(translate(@id, 'CM','cm'), 'main-content') or
    contains(translate(@class, 'CM','cm'), 'main-content') or
    contains(translate(@class, 'CP','cp'), 'page-content')])[1]"""
    for element in tree.iterdescendants(*_BODY_TAGS):
        get = element.get
        ident, cls = get("id") or "", get("class") or ""
        if (
            _MAIN_ID(ident)
            or _MAIN_CLASS(cls)
            or get("id") == "content"
            or get("class") == "content"
            or "main-content" in ident.replace("C", "c").replace("M", "m")
            or "main-content" in cls.replace("C", "c").replace("M", "m")
            or "page-content" in cls.replace("C", "c").replace("P", "p")
        ):
            return [element]
    return []


# sha256 of each translated XPath's text (trafilatura 2.3.1), by (list name, index)
PINNED: dict[tuple[str, int], tuple[str, Selector]] = {
    ("OVERALL_DISCARD_XPATH", 0): (
        "a837e58a1b1ea116ce1dada53d856dec093fe9f64b37dc503698e30f96a87dd3",
        overall_discard,
    ),
    ("OVERALL_DISCARD_XPATH", 1): (
        "c1d5b70b8cd03783545d6b715c69062ae6967c222b2d8f4e2399762362d426c0",
        overall_discard_hidden,
    ),
    ("REMOVE_COMMENTS_XPATH", 0): (
        "5d97216ca15d05582de538174e876b27626b7a166810320152081c7e26bb5ca2",
        remove_comments,
    ),
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0): (
        "9cc18d34e6e2d258172b5df02bc44e578c95ef709b8e06722846c7a410c3a46f",
        remove_comments_and_lists,
    ),
    ("RAW_TREE_PRUNE_XPATH", 0): (
        "01e7c660fd6406f29932819d2dbd7530e2f3bdac11dde83565e977e391303444",
        raw_follow_ups,
    ),
    ("RAW_TREE_PRUNE_XPATH", 1): (
        "3c7afe92279543d5530365aa7b921c6e5b51243033e5622cae1dc85e08976f87",
        raw_share_buttons,
    ),
    ("BODY_XPATH", 0): (
        "caaa561ceca17064773e97bf7c610f55e6c6a64a2477328c060642912d489b3b",
        first_article_body,
    ),
    ("BODY_XPATH", 2): (
        "6c9b5e1fdc092943ebdd87206a2e8a8b4c4666497fb00e6661d2a519d00f37f9",
        first_story_body,
    ),
    ("BODY_XPATH", 3): (
        "10a7ceacc0ff8cdfd8c58a575b5197b5d07ba24000f072101735478c2c585978",
        first_main_content,
    ),
}


def xpath_sha256(expression: Any) -> str:
    return hashlib.sha256(expression.path.encode()).hexdigest()


def translated(name: str) -> list[Any]:
    """trafilatura's XPath list ``name`` (of ``trafilatura.xpaths``), each expression whose
    text is the one pinned replaced by its Python function; the others as installed."""
    expressions = []
    for index, expression in enumerate(getattr(xpaths, name)):
        pinned = PINNED.get((name, index))
        if pinned is not None and xpath_sha256(expression) == pinned[0]:
            expressions.append(pinned[1])
        else:
            expressions.append(expression)
    return expressions

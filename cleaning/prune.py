"""Remove page widgets from the HTML before extraction, where the markup names them."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml.etree import XPath

if TYPE_CHECKING:
    from collections.abc import Iterable

    from lxml.html import HtmlElement

# class or id tokens of widgets that sit inside article containers; matched as whole words
# of a token split at "-" and "_" ("post-views", "kk-star-ratings", "ez-toc-container")
WIDGET_WORDS = (
    "share",
    "sharing",
    "sharedaddy",
    "social",
    "shariff",
    "addtoany",
    "rating",
    "ratings",
    "stars",
    "views",
    "viewcount",
    "toc",
    "newsletter",
    "subscribe",
    "subscription",
    "related",
    "relatedposts",
    "yarpp",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "advert",
    "advertisement",
    "adsbygoogle",
    "ad",
    "ads",
    "sponsored",
    "promo",
    "readtime",
    "reading",
    "follow",
)
# reader comments are widgets too, unless the user keeps comments
COMMENT_WORDS = ("respond", "comments", "comment-form", "commentform")
_WIDGET = re.compile(rf"(?:^|[-_])(?:{'|'.join(WIDGET_WORDS)})(?:$|[-_])", re.IGNORECASE)
_COMMENTS = re.compile(rf"(?:^|[-_])(?:{'|'.join(COMMENT_WORDS)})(?:$|[-_])", re.IGNORECASE)
# never removed, whatever their class: the page and its main containers
_KEEP_TAGS = frozenset({"html", "body", "main", "article", "head"})
# a widget is small: an element with this much paragraph text is content, whatever its name
MAX_WIDGET_TEXT = 600


def prune_widgets(
    tree: HtmlElement,
    extra_xpaths: Iterable[str] = (),
    *,
    keep_comments: bool = False,
    by_name: bool = True,
) -> int:
    """Remove widget elements from ``tree`` in place; return how many were removed.

    Elements go when a class or id token names a widget (``WIDGET_WORDS``) and they hold
    little text (``by_name``), or when they match one of ``extra_xpaths`` (per-site selectors).
    """
    doomed = [
        element
        for element in (tree.iter("*") if by_name else ())
        if isinstance(element.tag, str)
        and element.tag not in _KEEP_TAGS
        and _named_widget(element, keep_comments)
        and len(element.text_content()) <= MAX_WIDGET_TEXT
    ]
    for expression in extra_xpaths:
        doomed.extend(_compiled(expression)(tree))
    removed = 0
    for element in doomed:
        parent = element.getparent()
        if parent is not None and _attached(element, tree):
            element.drop_tree()  # keeps the tail text, which belongs to the parent
            removed += 1
    return removed


def _named_widget(element: HtmlElement, keep_comments: bool) -> bool:
    tokens = f"{element.get('class', '')} {element.get('id', '')}".split()
    return any(
        _WIDGET.search(token) or (not keep_comments and _COMMENTS.search(token)) for token in tokens
    )


def _attached(element: HtmlElement, tree: HtmlElement) -> bool:
    # an element inside one already removed is gone with it
    for ancestor in element.iterancestors():
        if ancestor is tree:
            return True
    return element is tree


@lru_cache(maxsize=256)
def _compiled(expression: str) -> XPath:
    return XPath(expression)

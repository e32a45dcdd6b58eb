"""Remove page widgets from the HTML before extraction, where the markup names them."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml.etree import XPath
from trafilatura.settings import MANUALLY_CLEANED

from cleaning.junk import RemovedLine

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
    "readingtime",
    "reading-time",
    "read-time",
    "follow",
)
# reader comments are widgets too, unless the user keeps comments
COMMENT_WORDS = ("respond", "comments", "comment-form", "commentform")
# a name matches when one of its parts (split at "-" and "_"), or two adjacent ones, is a word
_WIDGET_SET = frozenset(WIDGET_WORDS)
_COMMENT_SET = frozenset(COMMENT_WORDS)
# never removed, whatever their class: the page and its main containers, and headings (whose
# ids are slugs of their text: "what-is-social-media-marketing" names no widget)
_KEEP_TAGS = frozenset({"html", "body", "main", "article", "head", *(f"h{n}" for n in range(1, 7))})
# an id of more parts than this is a slug of some text, not a widget's name
_ID_MAX_PARTS = 3
_PARTS = re.compile(r"[-_]+")
_COUNT_PARTS = frozenset({"count", "counter"})
# Drupal's Views module names blocks and panes that hold content ("block-views-article-content",
# "views-row", "pane-views-…"): "views" is a view counter only as a name's last part
# ("post-views", "entry-meta__views") or before a count word ("views-count")
_VIEWS_CONTAINERS = frozenset({"block", "pane"})
# name parts that say what a widget word next to them means: a testimonial's "comments" are
# the testimonials (customer reviews the page shows as its content), a "follow-up" is no
# "follow us" box
_TESTIMONIAL_PARTS = frozenset({"testimonial", "testimonials"})
_NOT_WIDGET_PAIRS = frozenset({"follow-up"})
# a table of contents with this many in-page links is the page's outline, which extraction
# data sets count as its text, and so is one of its entries (a link to a section) named on its
# own; a TOC's toggle ("Table of contents [show]") is no entry and still goes
_TOC_MIN_LINKS = 3
_IN_PAGE_LINKS = XPath(
    "descendant-or-self::a[starts-with(@href, '#') and string-length(@href) > 1]"
)
_HEADINGS = tuple(f"h{n}" for n in range(1, 7))
# Only a class or id with a widget word as one of its parts (or two adjacent ones) can name a
# widget: the page's distinct class and id values are read as strings (no element objects,
# which cost most of a walk over the tree in Python), these are tested against one regular
# expression, and only the elements carrying a value that passed are fetched, in document
# order, in one pass in C. The test is loose (case, every id, every widget word): the exact
# one, ``_named_widget``, decides for the elements it lets through. The attributes are
# selected, then their elements: the same elements, each once and in document order, as
# ``//*[(@class and contains(...)) or (@id and contains(...))]``, at a third of its time (the
# predicate was evaluated on every element of the page).
_CLASSES = XPath("//@class", smart_strings=False)
_IDS = XPath("//@id", smart_strings=False)
_TAB = "\t"
_CARRYING = XPath(
    "(//@class[contains($classes, concat($tab, ., $tab))]"
    " | //@id[contains($ids, concat($tab, ., $tab))])/.."
)
# (on the value in lower case: faster than a case-insensitive expression)
_MAYBE_WIDGET = re.compile(
    "(?<![^-_\\s])(?:"
    + "|".join(
        sorted(
            {word.replace("-", "[-_]+") for word in (*WIDGET_WORDS, *COMMENT_WORDS)},
            key=len,
            reverse=True,
        )
    )
    + ")(?![^-_\\s])"
)
# a widget is small: an element with this much paragraph text is content, whatever its name
MAX_WIDGET_TEXT = 600
# reasons of what pruning removes, as removed lines: named by a widget word, or by a site's
# own prune selector
WIDGET = "widget"
SITE_PRUNE = "site_prune"
# Elements trafilatura deletes whatever their content (aside, nav, footer, form, button,
# script, style…): text in them is text it would not have extracted, so pruning it loses
# nothing and is no removed line (a sidebar's newsletter box, a widget's "Subscribe" button).
_DELETED_TAGS = frozenset({*MANUALLY_CLEANED, "template"})
_SPACE = re.compile(r"\s+")


def prune_widgets(
    tree: HtmlElement,
    extra_xpaths: Iterable[str] = (),
    *,
    keep_comments: bool = False,
    by_name: bool = True,
) -> list[RemovedLine]:
    """Remove widget elements from ``tree`` in place.

    Elements go when a class or id token names a widget (``WIDGET_WORDS``) and they hold
    little text (``by_name``), or when they match one of ``extra_xpaths`` (per-site selectors).

    Returns:
        The text of each removed element (white space folded), as a removed line of reason
        ``widget`` or ``site_prune``, for the audit and the stats; not the text of elements
        trafilatura deletes anyway (``aside``, ``nav``, ``footer``, ``form``, ``button``…),
        and no line for an element without other text. Text it would have left out on other
        grounds (a sidebar that is a ``div``) is reported: pruning runs before extraction
        and cannot tell.
    """
    doomed: list[tuple[HtmlElement, str]] = []
    for element in _maybe_named(tree) if by_name else ():
        key = (element.get("class", ""), element.get("id", ""))
        if (
            _named_widget(*key, keep_comments)
            and element.tag not in _KEEP_TAGS
            and isinstance(element.tag, str)
            and len(element.text_content()) <= MAX_WIDGET_TEXT
            and not _outline(element, *key)
            # a heading's text is the heading's, whatever its links are named ("toc-backref")
            and next(element.iterancestors(*_HEADINGS), None) is None
        ):
            doomed.append((element, WIDGET))
    for expression in extra_xpaths:
        doomed.extend((element, SITE_PRUNE) for element in _compiled(expression)(tree))
    removed = []
    for element, reason in doomed:
        parent = element.getparent()
        if parent is not None and _attached(element, tree):
            deleted_anyway = next(element.iterancestors(*_DELETED_TAGS), None) is not None
            if not deleted_anyway and (text := _visible_text(element)):
                removed.append(RemovedLine(reason, text))
            element.drop_tree()  # keeps the tail text, which belongs to the parent
    return removed


def _visible_text(element: HtmlElement) -> str:
    """The text of an element that trafilatura could extract (not its tail, comments, or
    what is in elements it deletes), white space folded."""
    parts: list[str] = []
    _collect_text(element, parts)
    return _SPACE.sub(" ", " ".join(parts)).strip()


def _collect_text(element: HtmlElement, parts: list[str]) -> None:
    if isinstance(element.tag, str) and element.tag not in _DELETED_TAGS:
        parts.append(element.text or "")
        for child in element:
            _collect_text(child, parts)
            parts.append(child.tail or "")  # a skipped child's tail is still this one's text


def _maybe_named(tree: HtmlElement) -> list[HtmlElement]:
    """The elements whose class or id may name a widget, in document order."""
    classes = [value for value in set(_CLASSES(tree)) if _maybe_widget(value)]
    ids = [value for value in set(_IDS(tree)) if _maybe_widget(value)]
    if not classes and not ids:
        return []
    return _CARRYING(  # type: ignore[no-any-return]
        tree,
        classes=_TAB + _TAB.join(classes) + _TAB,
        ids=_TAB + _TAB.join(ids) + _TAB,
        tab=_TAB,
    )


@lru_cache(maxsize=16384)  # sites repeat their class names on every page
def _maybe_widget(value: str) -> bool:
    return _MAYBE_WIDGET.search(value.lower()) is not None


@lru_cache(maxsize=16384)
def _named_widget(classes: str, identifier: str, keep_comments: bool) -> bool:
    names = classes.lower().split()
    identifier = identifier.strip().lower()
    id_parts = _PARTS.split(identifier)
    # a numbered id ("TOC_TITLE_1", "section-3") is one of a series of anchors, the sections a
    # table of contents links to, not the widget
    if identifier and len(id_parts) <= _ID_MAX_PARTS and not id_parts[-1].isdigit():
        names.append(identifier)
    for name in names:
        parts = [part for part in _PARTS.split(name) if part]
        pairs = {f"{a}-{b}" for a, b in itertools.pairwise(parts)}
        # single parts, and pairs for the two-part words ("reading-time")
        words = ({*parts} - _drupal_views(parts) - _paired(parts)) | pairs
        if not _WIDGET_SET.isdisjoint(words):
            return True
        comments = not keep_comments and not _COMMENT_SET.isdisjoint(words)
        if comments and _TESTIMONIAL_PARTS.isdisjoint(parts):
            return True
    return False


def _drupal_views(parts: list[str]) -> set[str]:
    """``{"views"}`` when the name's "views" is Drupal's Views module, not a view counter."""
    for i, part in enumerate(parts):
        if part != "views":
            continue
        after = parts[i + 1] if i + 1 < len(parts) else None
        before = parts[i - 1] if i else None
        if (after is not None and after not in _COUNT_PARTS) or before in _VIEWS_CONTAINERS:
            return {"views"}
    return set()


def _paired(parts: list[str]) -> set[str]:
    """Widget words that are half of a pair meaning something else ("follow" of "follow-up")."""
    return {
        word
        for pair in _NOT_WIDGET_PAIRS
        for word in pair.split("-")
        if pair in {f"{a}-{b}" for a, b in itertools.pairwise(parts)}
    }


def _outline(element: HtmlElement, classes: str, identifier: str) -> bool:
    """A table of contents with its entries (in-page links), or one of its entries: text the
    data sets count as the page's."""
    if "toc" not in _PARTS.split(f"{classes} {identifier}".lower().replace(" ", "-")):
        return False
    links = _IN_PAGE_LINKS(element)
    if len(links) >= _TOC_MIN_LINKS:
        return True
    linked = "".join("".join(link.itertext()) for link in links).split()
    return bool(linked) and linked == element.text_content().split()


def _attached(element: HtmlElement, tree: HtmlElement) -> bool:
    # an element inside one already removed is gone with it
    for ancestor in element.iterancestors():
        if ancestor is tree:
            return True
    return element is tree


@lru_cache(maxsize=256)
def _compiled(expression: str) -> XPath:
    return XPath(expression)

"""Junk blocks among the article's paragraphs, removed from the HTML before extraction.

A view counter or a share prompt marked up as a ``<span>`` or ``<div>`` between two
paragraphs is often merged by the extractor into the line before or after it ("Updated 4 hours
ago Share: Facebook, X"), and a merged line no longer looks like junk. So the short blocks
that sit beside the page's long paragraphs are judged one by one, with the same junk rules as
lines, while they are still separate elements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cleaning.elements import text_of
from cleaning.junk import LEARNED, JunkRules, RemovedLine, classify_line, learned_junk

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# a paragraph this long is article text: its parent is the article container
ARTICLE_PARAGRAPH_CHARS = 120
# a block longer than this is no junk block (cookie notices are the longest junk kind)
MAX_BLOCK_CHARS = 400
# Paragraphs, headings, list items and tables stay lines of their own after extraction, where
# the line pass judges them with their neighbours (a "Related" heading and the links after
# it, a short line between two junk lines); scripts are no text.
_LINE_TAGS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "table",
        "pre",
        "blockquote",
        "script",
        "style",
        "noscript",
        "template",
    }
)
_INLINE_TAGS = frozenset(
    {"span", "a", "small", "em", "strong", "b", "i", "time", "label", "button", "font", "sup"}
)
# kinds left to the line pass: a related-posts heading or comment form takes the lines after
# it there, and a date line becomes the publication date
_LINE_ONLY = frozenset({"date_line", "site_list"})
_SPACE = re.compile(r"\s+")
_SEPARATOR = re.compile(r"^[\s|·•–—\-/,;]*$")


def remove_junk_blocks(
    tree: HtmlElement, rules: JunkRules, skip: frozenset[str] = frozenset()
) -> list[RemovedLine]:
    """Remove junk blocks next to the long paragraphs of ``tree``, in place.

    Returns:
        What was removed and why, as lines, for the audit and the stats.
    """
    never = _LINE_ONLY | rules.absorbing | skip
    removed: list[RemovedLine] = []
    for container in _containers(tree):
        for child in [c for c in container if isinstance(c.tag, str)]:
            if child.tag in _LINE_TAGS:
                continue  # a line of its own after extraction: judged there, with its neighbours
            text = _text(child)
            if not text or len(text) > MAX_BLOCK_CHARS:
                continue
            kind = _kind(child, text, never, rules)
            if kind is not None:
                child.drop_tree()  # keeps the tail text, which is the parent's
                removed.append(RemovedLine(kind, text))
            elif len(child) > 1:
                # a wrapper of several spans ("5 min read · 1,234 views"): judge each of them
                removed += _remove_parts(child, never, rules)
    return removed


def _kind(element: HtmlElement, text: str, never: frozenset[str], rules: JunkRules) -> str | None:
    if element.tag in _INLINE_TAGS and not _standalone(element):
        return None
    kind = classify_line(text, rules)
    if kind is None and LEARNED not in never and learned_junk(text, rules):
        kind = LEARNED
    return None if kind in never else kind


def _remove_parts(
    wrapper: HtmlElement, never: frozenset[str], rules: JunkRules
) -> list[RemovedLine]:
    removed = []
    for part in [c for c in wrapper if c.tag in _INLINE_TAGS and _standalone(c)]:
        text = _text(part)
        if text and (kind := _kind(part, text, never, rules)) is not None:
            part.drop_tree()
            removed.append(RemovedLine(kind, text))
    return removed


def _containers(tree: HtmlElement) -> list[HtmlElement]:
    seen: dict[HtmlElement, None] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None and len(text_of(paragraph)) >= ARTICLE_PARAGRAPH_CHARS:
            seen.setdefault(parent, None)
    return list(seen)


def _text(element: HtmlElement) -> str:
    return _SPACE.sub(" ", " ".join(element.itertext())).strip()


def _standalone(element: HtmlElement) -> bool:
    """Not inline in running text: only white space or separators before and after it."""
    previous = element.getprevious()
    before = previous.tail if previous is not None else element.getparent().text
    return bool(_SEPARATOR.match(before or "")) and bool(_SEPARATOR.match(element.tail or ""))

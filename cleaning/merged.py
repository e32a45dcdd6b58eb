"""Junk blocks the extractor merged into a longer line, cut out of that line.

A ``<p>`` or ``<div>`` is a line of its own after extraction, and the line pass judges it
there, with its neighbours, so the block pass leaves it alone. But not always: trafilatura
writes a list item or a table cell as one line whatever paragraphs it holds, and its
fallbacks (the baseline, readability) may join a header's blocks into a paragraph, so a share
prompt or a view counter in its own ``<p>`` ends up inside a line of 200 to 7,000 characters
that no junk rule or model reads ("Updated on 09/10/2025 Print | E-mail Daniel Brooks, ...
939 views The Internet of Things ..."). The short leaf blocks of the page are read before
extraction; each one whose text turns up inside a longer line is judged on its own, as the
block pass judges a block, and cut from the line if it is junk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cleaning.blocks import MAX_BLOCK_CHARS
from cleaning.elements import text_of
from cleaning.junk import JunkRules, RemovedLine, classify_line
from cleaning.words import word_count

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# the blocks judged: a paragraph or a division holding no other block, at most the block
# pass's MAX_BLOCK_CHARS (longer ones are no junk block)
# a single word inside a line ("Share", "Comments") is as likely a word of its sentence
MIN_BLOCK_WORDS = 2
_BLOCK_TAGS = ("p", "div")
# elements that start a line of their own: a paragraph or division holding one is no leaf
_NESTED_BLOCKS = (
    "p",
    "div",
    "ul",
    "ol",
    "li",
    "dl",
    "dd",
    "dt",
    "table",
    "tr",
    "td",
    "th",
    *(f"h{n}" for n in range(1, 7)),
    "blockquote",
    "pre",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "figure",
    "figcaption",
    "form",
    "br",
)
# kinds the line pass keeps to itself: a bare date becomes the publication date, and a date
# merged into a list item is the item's (an event's, a forum post's: "June 04, 2024, 11:23:55
# AM" reads as an updated label); a site list is a line's whole length
_NOT_CUT = frozenset({"date_line", "updated_label", "site_list"})


@dataclass(frozen=True, slots=True)
class MergedCut:
    """The text with the merged junk blocks cut out of its lines, and what was cut."""

    text: str
    removed: tuple[RemovedLine, ...]


def leaf_blocks(tree: HtmlElement) -> frozenset[str]:
    """The texts (white space folded) of the paragraphs and divisions of ``tree`` that hold no
    other block; read before extraction, which changes the tree. The short ones are judged
    (``cut_merged_junk``), and all of them tell where a line joins two blocks."""
    texts = set()
    # the elements holding a block, marked from each block up (once each): asking every
    # paragraph and division for a block below it took a twelfth of trafilatura's time
    holding: set[HtmlElement] = set()
    for block in tree.iter(*_NESTED_BLOCKS):
        parent = block.getparent()
        while parent is not None and parent not in holding:
            holding.add(parent)
            parent = parent.getparent()
    for element in tree.iter(*_BLOCK_TAGS):
        if element in holding:
            continue
        # as the extractor joins inline text: "<b>Print</b>|<i>E-mail</i>" is "Print|E-mail"
        text = " ".join(text_of(element).split())
        if text:
            texts.add(text)
    return frozenset(texts)


def cut_merged_junk(
    text: str, blocks: frozenset[str], rules: JunkRules, skip: frozenset[str] = frozenset()
) -> MergedCut:
    """Cut the junk blocks of ``blocks`` (``leaf_blocks``) that are part of a longer line of
    ``text``.

    A block found as a whole line is left to the line pass. One found inside a line is cut
    from it if the junk rules judge it junk alone and the line is joined there: on each side
    of it the line's end (or a list item's "-") or another block's whole text. A block's words
    inside a sentence are the sentence's: "Sign up" of a menu is not cut from "To start,
    open the app. Sign up for an account".
    """
    never = _NOT_CUT | skip
    lines = text.split("\n")
    folded_lines = [" ".join(line.split()) for line in lines]
    # most blocks are whole lines (the article's paragraphs) or not in the text at all (the
    # menus): one search each in the whole text, and the few left are judged before any line
    whole = set(folded_lines)
    joined = "\n".join(folded_lines)
    junk = {
        block: kind
        for block in blocks
        if len(block) <= MAX_BLOCK_CHARS
        and block not in whole
        and block in joined
        and word_count(block) >= MIN_BLOCK_WORDS
        and (kind := _kind(block, never, rules))
    }
    if not junk:
        return MergedCut(text, ())
    removed: list[RemovedLine] = []
    for i, folded in enumerate(folded_lines):
        inside = [b for b in junk if len(b) < len(folded) and b in folded]
        if not inside:
            continue
        neighbours = [b for b in blocks if b in folded]
        spans: list[tuple[int, int, str]] = []
        for block in sorted(inside, key=lambda b: (-len(b), b)):
            for found in re.finditer(rf"(?<!\S){re.escape(block)}(?!\S)", folded):
                start, end = found.span()
                taken = any(start < e and s < end for s, e, _ in spans)
                if not taken and _joined_at(folded, start, end, neighbours):
                    spans.append((start, end, block))
        removed.extend(RemovedLine(junk[block], block) for _, _, block in sorted(spans))
        for start, end, _ in sorted(spans, reverse=True):
            folded = folded[:start] + " " + folded[end:]
        if spans:
            lines[i] = " ".join(folded.split())
            if lines[i] == "-":  # a list item whose only text was cut
                lines[i] = ""
    kept = "\n".join(line for line in lines if line)
    return MergedCut(kept, tuple(removed))


def _joined_at(line: str, start: int, end: int, neighbours: list[str]) -> bool:
    """Whether ``line[start:end]`` stands between two joined blocks: before it the line's
    start, a list item's "-" or the end of another block's text; after it the line's end or
    the start of another block's text."""
    before, after = line[:start].rstrip(), line[end:].lstrip()
    left = before in ("", "-") or any(
        before.endswith(other) and before[: -len(other)][-1:] in ("", " ") for other in neighbours
    )
    right = after == "" or any(
        after.startswith(other) and after[len(other) : len(other) + 1] in ("", " ")
        for other in neighbours
    )
    return left and right


def _kind(text: str, never: frozenset[str], rules: JunkRules) -> str | None:
    # the junk rules only: the line model, reading a list item's or a spec table's short
    # parts out of their context, took 17 wcxb-dev article parts for junk in 13 pages
    # ("Colorado, United States", "6 min", "Stratum 3.0") for 9 junk ones
    kind = classify_line(text, rules)
    return None if kind in never else kind

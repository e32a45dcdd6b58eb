"""trafilatura's cascade of extractors (``trafilatura.core.trafilatura_sequence``), its recall
escalation's page measure run only where it can change the outcome.

The escalation (stage 4) retries a short extraction in recall mode when it covers less than a
fifth of the page's text, and measures that text with ``html2txt``: a copy of the page, its
asides, footers, scripts and cookie banners deleted, block elements spaced apart. That ran on
two pages in five, at 4 to 6 ms a page, and on most of them the extraction is far over a fifth
of any measure of the page: a bound on the measure (``_page_text_bound``) taken in a fraction
of that time settles it, and ``html2txt`` runs only where the bound cannot. Its first prunes
select their elements with ``cleaning.selectors`` (the same elements as trafilatura's XPaths,
found without calling back into Python for each element). The rest is
trafilatura 2.3.1's function as it is (``tests/test_extraction.py`` checks that the function
copied is the one installed); the result is the same on any page.
"""

from __future__ import annotations

import importlib
from copy import copy
from typing import TYPE_CHECKING, Any

import trafilatura.core
from lxml.etree import Element
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_JUSTEXT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    LOGGER,
    _forum_thread_page,
    _prepare_tree,
    _recall_retry,
)
from trafilatura.external import justext_rescue
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes
from trafilatura.main_extractor import _elem_text, extract_comments

from cleaning.selectors import translated

if TYPE_CHECKING:
    from lxml.etree import _Element
    from lxml.html import HtmlElement
    from trafilatura.settings import Extractor

# the module (``trafilatura.baseline`` is its function of that name)
_BASELINE: Any = importlib.import_module("trafilatura.baseline")
# trafilatura's XPaths of the first prunes, in Python where their text is the one translated
# (``cleaning.selectors``: the same elements, without EXSLT's call back into Python for every
# element; about 4 ms a page, 0.1x of trafilatura.extract's time)
RAW_TREE_PRUNE_XPATH = translated("RAW_TREE_PRUNE_XPATH")
REMOVE_COMMENTS_AND_LISTS_XPATH = translated("REMOVE_COMMENTS_AND_LISTS_XPATH")
REMOVE_COMMENTS_XPATH = translated("REMOVE_COMMENTS_XPATH")
# sha256 of the source of the function copied here, trafilatura 2.3.1's
TRAFILATURA_SEQUENCE_SHA256 = "f03dc4d2946dacbd0e023ca1c51fdf329e0fdc0be342fd0f14924396ec646e05"


def _page_text_bound(tree: HtmlElement) -> int:
    """At least ``len(html2txt(tree))``, without its copy of the page.

    html2txt's text is the body's text with elements deleted (scripts and styles among
    them) and a space put at the start and end of each block element, white space folded.
    Deleting text never makes the folded text longer, nor does a space add more than one
    character (it splits a word at most): the body's whole text folded, less the scripts'
    and styles' characters other than white space, plus two a block element.
    """
    body = tree.find(".//body")
    if body is None:
        body = tree
    length = len(" ".join(body.text_content().split()))
    for element in body.iter("script", "style"):
        if element.text:
            length -= len("".join(element.text.split()))
    return length + 2 * sum(1 for _ in body.iter(*_BASELINE._BLOCK_ELEMS))


def _covers_little_of_the_page(tree: HtmlElement, length: int, removed: int = 0) -> bool:
    """``length < ESCALATION_PAGE_SHARE * len(html2txt(tree))``, html2txt run only where
    ``_page_text_bound`` does not settle it; ``removed`` characters of the page (widgets
    cleaning took out before) count as the page's."""
    if length >= ESCALATION_PAGE_SHARE * (_page_text_bound(tree) + removed):
        return False
    return length < ESCALATION_PAGE_SHARE * (len(_BASELINE.html2txt(tree)) + removed)


def trafilatura_sequence(
    tree: HtmlElement,
    options: Extractor,
    url: str | None = None,
    removed: int = 0,
) -> tuple[_Element, str, _Element, str]:
    """``trafilatura.core.trafilatura_sequence``, the escalation's page measure by
    ``_covers_little_of_the_page`` and the first prunes' XPaths in Python. Its steps call
    trafilatura's functions as ``trafilatura.core`` holds them, so that the swaps of
    ``cleaning.extraction`` apply.

    ``removed``: characters of text cleaning took out of ``tree`` before (pruned widgets, junk
    blocks). The escalation asks whether the text covers little of the page as served, and a
    few pruned characters must not answer it (trafilatura-eval elnuevodia.com-mujeres: 69
    characters of share buttons kept a 360-character text from its escalation)."""
    is_forum = _forum_thread_page(tree)
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    if not options.comments and (options.focus == "precision" or not is_forum):
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    cleaned_tree, cleaned_tree_backup = _prepare_tree(tree, options, url)

    commentsbody, temp_comments = Element("body"), ""
    forum_posts = None
    if options.comments:
        commentsbody, temp_comments, cleaned_tree = extract_comments(cleaned_tree, options)
        if temp_comments and is_forum:
            forum_posts = commentsbody
            commentsbody, temp_comments = Element("body"), ""
            cleaned_tree = convert_tags(copy(cleaned_tree_backup), options, url)
    if options.focus == "precision" and not is_forum:
        cleaned_tree = prune_unwanted_nodes(cleaned_tree, REMOVE_COMMENTS_XPATH)

    postbody, temp_text = trafilatura.core._extract_and_compare(
        cleaned_tree, cleaned_tree_backup, tree, options
    )

    # 3. rescue: baseline on the original tree, accepted only if it adds text
    if len(temp_text) < options.min_extracted_size and options.focus != "precision":
        b_body, b_text, b_len = _BASELINE.baseline(tree)
        LOGGER.debug("non-clean extracted length: %s (extraction)", b_len)
        if b_len > len(temp_text):
            postbody, temp_text = b_body, b_text
            forum_posts = None

    # 4. recall escalation
    if (
        options.focus == "balanced"
        and 0 < len(temp_text) < ESCALATION_MAX_LENGTH
        and _covers_little_of_the_page(tree, len(temp_text), removed)
    ):
        r_options = copy(options)
        r_options.focus = "recall"
        esc_tree = (
            tree
            if is_forum or not options.comments
            else prune_unwanted_nodes(
                copy(tree),
                REMOVE_COMMENTS_AND_LISTS_XPATH if temp_comments else REMOVE_COMMENTS_XPATH,
            )
        )
        r_text = ""
        try:
            r_body, r_text = _recall_retry(esc_tree, r_options, url)
        except Exception as err:  # pragma: no cover
            LOGGER.warning("recall retry failed: %s %s", err, url)
        j_text = ""
        if not options.fast:
            try:
                j_body, j_text = justext_rescue(copy(esc_tree), options)
            except Exception as err:  # pragma: no cover
                LOGGER.warning("justext candidate failed: %s %s", err, url)

        len_text, r_len, j_len = len(temp_text), len(r_text), len(j_text)
        if j_len > r_len and j_len > ESCALATION_JUSTEXT_RATIO * len_text:
            postbody, temp_text, forum_posts = j_body, j_text, None
        elif r_len >= options.min_extracted_size and r_len > ESCALATION_ACCEPT_RATIO * len_text:
            postbody, temp_text, forum_posts = r_body, r_text, None

    if forum_posts is not None:
        existing = "\n".join(filter(None, (_elem_text(el) for el in postbody)))
        salvaged = [el for el in forum_posts if (t := _elem_text(el)) and t not in existing]
        if salvaged:
            LOGGER.debug(
                "thread-forum salvage: %s captured posts appended to the body", len(salvaged)
            )
            postbody.extend(salvaged)
            temp_text = " ".join(postbody.itertext()).strip()

    return postbody, temp_text, commentsbody, temp_comments

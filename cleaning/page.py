"""The cleaning entry point: HTML of one page in, clean text and metadata or a drop reason out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from cleaning.blocks import remove_junk_blocks
from cleaning.extraction import extract, extract_choosing, parse_html
from cleaning.junk import (
    DEFAULT_JUNK_FILE,
    RemovedLine,
    link_texts,
    load_junk_rules,
    remove_junk,
)
from cleaning.language import identify_language, is_wanted_language
from cleaning.lead import find_leads, with_leads
from cleaning.merged import cut_merged_junk, leaf_blocks
from cleaning.metadata import author_names, clean_value, title_and_site, unique_tags
from cleaning.neardup import shingles
from cleaning.pagetype import load_model, read_markup, text_signals
from cleaning.prune import prune_widgets
from cleaning.reasons import CLEAN_PAGE_REASONS

# in a light module of their own, for the crawl's process that unpickles workers' results;
# named here too, where pickles made before stop 34 (cleancrawl clean's spill) look for them
from cleaning.result import CleanResult as CleanResult
from cleaning.result import content_hash as content_hash
from cleaning.words import word_count

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.html import HtmlElement
    from trafilatura.settings import Document

    from cleaning.options import CleaningOptions

# every reason clean_page gives for not writing a page
DROP_REASONS = CLEAN_PAGE_REASONS

# C0 controls that text does not hold, and U+FFFD (bytes no encoding could read)
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\ufffd]")
_BINARY_SAMPLE = 8192
_BINARY_SHARE = 0.1


def clean_page(
    html: str,
    url: str,
    options: CleaningOptions,
    *,
    on_tree: Callable[[HtmlElement], object] | None = None,
) -> CleanResult:
    """Extract the article of one page and describe it.

    Drop reasons: ``empty`` (no markup at all), ``binary`` (control characters no text
    has: bytes of an image or archive decoded as text), ``unparseable`` (no HTML tree could be
    built), ``no_text`` (the extractor found no main text, balanced, then in recall mode:
    ``_in_recall_mode``), ``page_type_<type>`` (the page is a ``listing``, ``article`` or
    ``other`` page and that type is not in
    ``options.page_types``, see ``cleaning.pagetype``), ``too_short`` (fewer words than
    ``options.min_words``), ``language`` (not one of ``options.languages``).

    ``on_tree`` is called with the page's tree as parsed, before any step changes it.
    """
    if not html.strip():
        return CleanResult(url=url, drop_reason="empty")
    if _looks_binary(html):
        return CleanResult(url=url, drop_reason="binary")
    tree = parse_html(html)
    if tree is None:
        return CleanResult(url=url, drop_reason="unparseable")
    if on_tree is not None:  # the page as parsed, before any step changes it (cleaning.hrefs)
        on_tree(tree)
    pruned: list[RemovedLine] = []
    if options.prune_widgets or options.prune_xpaths:
        pruned = prune_widgets(
            tree,
            options.prune_xpaths,
            keep_comments=options.include_comments,
            by_name=options.prune_widgets,
        )
    # before extraction, which may change the tree
    markup = read_markup(tree, url)
    links = link_texts(tree, url) if options.remove_junk else frozenset()
    rules = load_junk_rules(options.junk_file or DEFAULT_JUNK_FILE)
    blocks = pruned + (
        remove_junk_blocks(tree, rules, options.skip_junk_kinds) if options.remove_junk else []
    )
    # the short blocks the extractor may merge into a longer line, read before it changes the tree
    leaves = leaf_blocks(tree) if options.remove_junk else frozenset()
    # the escalation's page measure counts the removed text as the page's (cleaning.cascade)
    removed = sum(len(line.line) for line in blocks)
    # lead paragraphs trafilatura leaves out, read before extraction changes the tree
    leads = find_leads(tree)
    document, fallback = extract_choosing(tree, url, options, removed=removed)
    if fallback and blocks:
        document, blocks = _as_served(html, url, options, document, blocks)
    text = _main_text(document, options.include_comments)
    if text and leads:
        text = _tidy(with_leads(text, leads)[0])
    if document is None or not text:
        return _in_recall_mode(html, url, options)
    result = _describe(document, url)
    result.removed_lines = tuple(blocks)  # pruned widgets, also without junk removal
    if options.remove_junk:
        merged = cut_merged_junk(text, leaves, rules, options.skip_junk_kinds)
        removal = remove_junk(
            merged.text,
            rules,
            title=result.title,
            skip=options.skip_junk_kinds,
            headings=_headings(document),
            links=links,
        )
        result.removed_lines = (*blocks, *merged.removed, *removal.removed)
        # a bare date line is the publication date when the page declares none
        result.date_published = result.date_published or removal.date_found
        text = removal.text
    _set_text(result, text)
    if not result.text:
        result.drop_reason = "no_text"
        return result
    if options.min_words is not None and result.word_count < options.min_words:
        result.drop_reason = "too_short"
        return result
    signals = text_signals(
        result.text,
        markup,
        has_date=bool(document.date),
        has_author=bool(result.authors),
    )
    result.page_signals = {**markup.signals, **signals}
    result.page_type, result.listing_score = load_model().classify(result.page_signals)
    if result.page_type not in options.page_types:
        result.drop_reason = f"page_type_{result.page_type}"
        return result
    found = identify_language(
        result.text,
        backend=options.language_backend,
        sample_chars=options.language_sample_chars,
        seed=options.language_seed,
    )
    result.language, result.language_score = found.code, found.score
    result.language_share = found.share
    if not is_wanted_language(found.code, options.languages):
        result.drop_reason = "language"
    return result


def _in_recall_mode(html: str, url: str, options: CleaningOptions) -> CleanResult:
    """The page cleaned again with trafilatura in recall mode, where the balanced extraction
    found no main text; ``no_text`` if that finds none either.

    trafilatura deletes every ``<aside>`` before it looks for the article, and a popup left
    unclosed (``<aside class="Popup-Overlay">`` without its end tag) puts the whole page
    inside one: wcxb-dev 4111, an article of 1,893 words, had no text at all. In recall mode
    trafilatura undoes those deletions when they leave no paragraph (``tree_cleaning``). Only
    pages with no text pay for the second pass; a caller who chose a focus (precision or
    recall) gets what that focus found.
    """
    if options.favor_recall or options.favor_precision:
        return CleanResult(url=url, drop_reason="no_text")
    return clean_page(html, url, replace(options, favor_recall=True))


# Below this share of common shingles (of 4 words) the text of the cleaned page and that of the
# page as served are two different parts of the page, not one text with a few widgets less.
FLIP_MAX_SHARED = 0.5
_SHINGLE_WORDS = 4


def _as_served(
    html: str,
    url: str,
    options: CleaningOptions,
    document: Document | None,
    blocks: list[RemovedLine],
) -> tuple[Document | None, list[RemovedLine]]:
    """The extraction of the page as served, where cleaning it first flipped trafilatura's
    choice of extractor; else ``document`` and ``blocks`` as they are.

    trafilatura picks its own extraction or a fallback (readability, jusText, the baseline, the
    recall escalation) by the lengths of their texts. Pruning a widget or a junk block shortens
    some of them and not others, so it can make a fallback win that would not on the page as
    served, or lose: on wcxb-dev 3054 (a store page) pruning a purchase box made the escalation
    take jusText's store description (F1 0.02) over the recall retry's text (0.29); on 2834
    removing one "karri · 4 min ago" block made jusText take a product demo's issue tracker.
    Where the cleaned page's text came from a fallback and shares less than half its text with
    the served page's, the served page's is taken: junk lines are still cut from it, and the
    pruned widgets and junk blocks, which are in it, are no removed lines.
    """
    served_tree = parse_html(html)
    if document is None or served_tree is None:
        return document, blocks
    # the metadata as the cleaned page gave it: read again, it cost a fifth of an extraction
    served = extract(served_tree, url, options, metadata=document)
    if served is None or _shared(served.text or "", document.text or "") >= FLIP_MAX_SHARED:
        return document, blocks
    return served, []


def _shared(first: str, second: str) -> float:
    """The share of shingles two texts have in common (of all the shingles of either)."""
    one, two = shingles(first, _SHINGLE_WORDS), shingles(second, _SHINGLE_WORDS)
    if not one or not two:
        return 1.0 if one == two else 0.0
    return len(one & two) / len(one | two)


def _looks_binary(html: str) -> bool:
    # stray NUL characters are no text, but no sign of a binary either (decode_html removes
    # them); a text that is more than a quarter NUL, or has other controls, is a binary
    sample = html[:_BINARY_SAMPLE]
    nul = sample.count("\x00")
    controls = len(_CONTROL.findall(sample)) - nul
    return nul * 4 > len(sample) or controls > _BINARY_SHARE * (len(sample) - nul)


def _main_text(document: Document | None, include_comments: bool) -> str:
    """The extracted text, reader comments appended when wanted, tidied and NFC-normalized."""
    if document is None:
        return ""
    # bare_extraction keeps comments apart (trafilatura.extract appends them the same way)
    parts = [document.text, document.comments if include_comments else None]
    return _tidy("\n".join(part for part in parts if part))


def _headings(document: Document) -> frozenset[str]:
    """The text of the headings trafilatura kept (``<head>`` in its tree), white space folded."""
    if document.body is None:
        return frozenset()
    return frozenset(
        " ".join("".join(head.itertext()).split()) for head in document.body.iter("head")
    )


def _describe(document: Document, url: str) -> CleanResult:
    """The page's metadata, cleaned; its text is set apart (``_set_text``), once cleaned."""
    # the site's name comes off the title, so that the title repeated as the text's first
    # line is found (``remove_junk``'s ``title``); see cleaning/metadata.py
    title, sitename = title_and_site(document.title, document.sitename, url)
    return CleanResult(
        url=url,
        title=title,
        authors=author_names(document.author),
        date_published=_parse_date(document.date),
        sitename=sitename,
        description=clean_value(document.description),
        tags=unique_tags([*(document.categories or []), *(document.tags or [])]),
    )


def _set_text(result: CleanResult, text: str) -> None:
    result.text = text
    result.word_count = word_count(text)
    result.content_hash = content_hash(text)


def _tidy(text: str) -> str:
    # NFC as trafilatura.extract returns it: decomposed umlauts break exact matching downstream
    lines = (line.strip() for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None

"""Cleaning that also makes the kept text's MinHash signature, in the worker process.

The crawl's own process shares the cores with the cleaning workers, and a signature costs a
page's worth of hashing (every word 5-gram of the text, 128 permutations): made where the
text is cleaned, it comes back with the result, and the near-duplicate step only looks it up.
So do the page's link hrefs (``cleaning.hrefs``: the crawl's process follows them without
parsing the page again), the text's quality signals and its lines' keys for the site
templates (the template step counted and then cut by them, hashing every line twice): the
crawl's steps, and ``cleancrawl clean``'s (whose second pass, the cut after every page is
counted, runs in its one process while the workers wait), use them as long as the text is the
one they were made of.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, TypeVar

from cleaning.hrefs import PageHrefs
from cleaning.neardup import text_signature_bytes
from cleaning.quality import QualitySignals, quality_signals
from cleaning.result import CleanResult
from cleaning.templates import LineKeys, text_line_keys

if TYPE_CHECKING:
    from collections.abc import Callable

    from cleaning.neardup import NearDuplicateOptions

# what ``clean_and_sign``'s cleaning function takes as the page: its HTML, or an HTTP body
# and its Content-Type (``cleaning.worker.clean_payload_in_worker``)
Page = TypeVar("Page")


@dataclass(slots=True, kw_only=True)
class SignedResult(CleanResult):
    """A kept page's ``CleanResult`` with the MinHash signature of its text (and any page's,
    kept or dropped, with its hrefs)."""

    # signature_bytes of text_signature(text, options), None for a text without words
    minhash: bytes | None = None
    # text_line_keys(text), when asked for
    line_keys: LineKeys | None = None
    # quality_signals(text, language), when asked for
    quality: QualitySignals | None = None
    # the page's hrefs (cleaning.hrefs.page_hrefs), when asked for and the page was parsed
    hrefs: PageHrefs | None = None


@dataclass(frozen=True, slots=True)
class TextFacts:
    """A kept text's line keys and quality signals as its worker made them (either may not
    have been asked for), carried on the item until a step changes the text
    (``ArticleItem.facts``): the crawl's and ``cleancrawl clean``'s steps take them from there."""

    line_keys: LineKeys | None
    quality: QualitySignals | None


def with_hrefs(result: CleanResult, hrefs: PageHrefs | None) -> SignedResult:
    """``result`` as a ``SignedResult`` (kept or dropped) carrying ``hrefs``."""
    values = {each.name: getattr(result, each.name) for each in fields(result)}
    return SignedResult(**values, hrefs=hrefs)


def text_facts(result: CleanResult) -> TextFacts | None:
    """The ``TextFacts`` a worker made with ``result``, if it made any."""
    if isinstance(result, SignedResult) and (
        result.line_keys is not None or result.quality is not None
    ):
        return TextFacts(result.line_keys, result.quality)
    return None


def clean_and_sign(
    clean: Callable[[Page, str, str], CleanResult],
    options: NearDuplicateOptions | None,
    html: Page,
    url: str,
    site: str,
    *,
    line_keys: bool = False,
    quality: bool = False,
) -> CleanResult:
    """``clean(html, url, site)``, and for a kept page the signature of its text made with
    ``options`` (none without them), with ``line_keys`` its ``text_line_keys``, with
    ``quality`` its ``quality_signals`` (a ``SignedResult``); a dropped page's result as
    it is."""
    result = clean(html, url, site)
    if not result.kept:
        return result
    values = {each.name: getattr(result, each.name) for each in fields(result)}
    # what a wrapped clean (a SignedResult already) made is kept: the wrappers compose
    if options is not None:
        values["minhash"] = text_signature_bytes(result.text, options)
    if line_keys:
        values["line_keys"] = text_line_keys(result.text, result.removed_lines)
    if quality:
        values["quality"] = quality_signals(result.text, result.language)
    return SignedResult(**values)

"""Cleaning that also makes the kept text's MinHash signature, in the worker process.

The crawl's own process shares the cores with the cleaning workers, and a signature costs a
page's worth of hashing (every word 5-gram of the text, 128 permutations): made where the
text is cleaned, it comes back with the result, and the near-duplicate step only looks it up.
So do the text's line keys (the template step counted and then cut by them, hashing every
line twice) and its quality signals (``TextFacts``), which the crawl's steps use as long as
the text is the one they were made of.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from cleaning.neardup import signature_bytes, text_signature
from cleaning.page import CleanResult
from cleaning.quality import QualitySignals, quality_signals
from cleaning.templates import text_line_keys

if TYPE_CHECKING:
    from collections.abc import Callable

    from cleaning.neardup import NearDuplicateOptions


@dataclass(slots=True, kw_only=True)
class SignedResult(CleanResult):
    """A kept page's ``CleanResult`` with the MinHash signature of its text."""

    # signature_bytes of text_signature(text, options), None for a text without words
    minhash: bytes | None = None
    facts: TextFacts | None = None  # made by clean_and_describe


@dataclass(frozen=True, slots=True)
class TextFacts:
    """What the crawl's steps after cleaning compute from a kept text, made in the worker:
    ``text_line_keys(text)`` and ``quality_signals(text, language)``."""

    line_keys: tuple[int, ...]
    template_keys: frozenset[int]
    quality: QualitySignals


def text_facts(text: str, language: str) -> TextFacts:
    line_keys, template_keys = text_line_keys(text)
    return TextFacts(line_keys, template_keys, quality_signals(text, language))


def clean_and_sign(
    clean: Callable[[str, str, str], CleanResult],
    options: NearDuplicateOptions,
    html: str,
    url: str,
    site: str,
) -> CleanResult:
    """``clean(html, url, site)``, and for a kept page the signature of its text made with
    ``options`` (a ``SignedResult``); a dropped page's result as it is."""
    result = clean(html, url, site)
    if not result.kept:
        return result
    signature = text_signature(result.text, options)
    return _signed(result, minhash=signature_bytes(signature) if signature is not None else None)


def clean_and_describe(
    clean: Callable[[str, str, str], CleanResult], html: str, url: str, site: str
) -> CleanResult:
    """``clean(html, url, site)``, and for a kept page the ``TextFacts`` of its text (a
    ``SignedResult``); a dropped page's result as it is. Composes with ``clean_and_sign``
    either way round."""
    result = clean(html, url, site)
    if not result.kept:
        return result
    return _signed(result, facts=text_facts(result.text, result.language))


def _signed(result: CleanResult, **extra: object) -> SignedResult:
    """``result`` as a ``SignedResult`` (what it carries already kept), with ``extra`` set."""
    values = {each.name: getattr(result, each.name) for each in fields(result)}
    return SignedResult(**{**values, **extra})

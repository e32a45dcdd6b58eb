"""Cleaning that also makes the kept text's MinHash signature, in the worker process.

The crawl's own process shares the cores with the cleaning workers, and a signature costs a
page's worth of hashing (every word 5-gram of the text, 128 permutations): made where the
text is cleaned, it comes back with the result, and the near-duplicate step only looks it up.
``cleancrawl clean`` has the workers hash the text's lines for the site templates too
(``line_keys``) and make its quality signals (``quality``): its own process then counts and
cuts templates without hashing a line, and takes the signature and the signals of every text
its template leaves as it is. Its second pass (the cut, after every page is counted) runs in
that one process while the workers wait: what moves to the first pass runs on every core.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from cleaning.neardup import signature_bytes, text_signature
from cleaning.page import CleanResult
from cleaning.quality import QualitySignals, quality_signals
from cleaning.templates import LineKeys, text_line_keys

if TYPE_CHECKING:
    from collections.abc import Callable

    from cleaning.neardup import NearDuplicateOptions


@dataclass(slots=True, kw_only=True)
class SignedResult(CleanResult):
    """A kept page's ``CleanResult`` with the MinHash signature of its text."""

    # signature_bytes of text_signature(text, options), None for a text without words
    minhash: bytes | None = None
    # text_line_keys(text), when asked for (cleancrawl clean with site templates on)
    line_keys: LineKeys | None = None
    # quality_signals(text, language), when asked for (cleancrawl clean)
    quality: QualitySignals | None = None


def clean_and_sign(
    clean: Callable[[str, str, str], CleanResult],
    options: NearDuplicateOptions | None,
    html: str,
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
    signature = text_signature(result.text, options) if options is not None else None
    return SignedResult(
        **{each.name: getattr(result, each.name) for each in fields(result)},
        minhash=signature_bytes(signature) if signature is not None else None,
        line_keys=text_line_keys(result.text) if line_keys else None,
        quality=quality_signals(result.text, result.language) if quality else None,
    )

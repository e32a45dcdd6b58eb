"""Cleaning that also makes the kept text's MinHash signature, in the worker process.

The crawl's own process shares the cores with the cleaning workers, and a signature costs a
page's worth of hashing (every word 5-gram of the text, 128 permutations): made where the
text is cleaned, it comes back with the result, and the near-duplicate step only looks it up.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from cleaning.neardup import signature_bytes, text_signature
from cleaning.page import CleanResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from cleaning.neardup import NearDuplicateOptions


@dataclass(slots=True, kw_only=True)
class SignedResult(CleanResult):
    """A kept page's ``CleanResult`` with the MinHash signature of its text."""

    # signature_bytes of text_signature(text, options), None for a text without words
    minhash: bytes | None = None


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
    return SignedResult(
        **{each.name: getattr(result, each.name) for each in fields(result)},
        minhash=signature_bytes(signature) if signature is not None else None,
    )

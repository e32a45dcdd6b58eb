"""Quality signals of a cleaned text, as web-corpus filters (Gopher, C4) compute them.

Signals are computed for every row and written as columns; nothing is dropped unless a
``QualityThresholds`` filter is asked for, so a user can also filter later, from the Parquet.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

STOPWORDS_FILE = Path(__file__).parent / "data" / "stopwords.toml"

_WORD = re.compile(r"\w+")
# C4 keeps lines ending in terminal punctuation; closing quotes and brackets may follow it,
# after a space in French typography
_TERMINAL = re.compile("[.!?…\u3002\uff01\uff1f][\\s'\"”’»)\\]]*$")  # and CJK full stops


@dataclass(frozen=True, slots=True)
class QualitySignals:
    """Per-document signals; the Parquet columns of the same names.

    Attributes:
        mean_word_length: Mean length of the words (``\\w+`` runs), in characters.
        symbol_word_ratio: ``#`` and ellipses per word (Gopher: at most 0.1).
        alpha_word_share: Share of words with a letter in them (Gopher: at least 0.8).
        punctuation_line_share: Share of lines ending in terminal punctuation (C4's line rule).
        duplicate_line_share: Share of lines that repeat an earlier line (Gopher: at most 0.3).
        stop_words: Stop words of the text's language it contains, None for a language without
            a list (Gopher: at least 2 of the English eight).
    """

    mean_word_length: float
    symbol_word_ratio: float
    alpha_word_share: float
    punctuation_line_share: float
    duplicate_line_share: float
    stop_words: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityThresholds:
    """Limits of an opt-in quality filter; None turns one off. Defaults follow Gopher."""

    min_mean_word_length: float | None = 3.0
    max_mean_word_length: float | None = 10.0
    max_symbol_word_ratio: float | None = 0.1
    min_alpha_word_share: float | None = 0.8
    min_punctuation_line_share: float | None = None
    max_duplicate_line_share: float | None = 0.3
    min_stop_words: int | None = 2


def quality_signals(text: str, language: str) -> QualitySignals:
    """Compute the signals of ``text`` (lines separated by ``\\n``) in ``language``."""
    words = _WORD.findall(text)
    lines = [line for line in map(str.strip, text.splitlines()) if line]
    count = len(words) or 1
    stops = stopwords().get(language)
    repeated = sum(n - 1 for n in Counter(lines).values())
    # a word (a \w run) has no letter ([^\W\d_]) if it is of digits (\d: Unicode's Nd, as
    # str.isdecimal) and underscores only: counted by str methods, not each word searched
    # by a regex (0.15 of 0.44 CPU ms a real text)
    unlettered = sum(map(str.isdecimal, words))
    if "_" in text:
        unlettered += sum(1 for w in words if "_" in w and _digits_or_nothing(w.replace("_", "")))
    return QualitySignals(
        mean_word_length=round(sum(map(len, words)) / count, 4),
        symbol_word_ratio=round((text.count("#") + text.count("...") + text.count("…")) / count, 4),
        alpha_word_share=round((len(words) - unlettered) / count, 4),
        punctuation_line_share=round(
            sum(1 for line in lines if _TERMINAL.search(line)) / (len(lines) or 1), 4
        ),
        duplicate_line_share=round(repeated / (len(lines) or 1), 4),
        stop_words=None if stops is None else sum(1 for w in words if w.casefold() in stops),
    )


def _digits_or_nothing(text: str) -> bool:
    return not text or text.isdecimal()


def quality_verdict(signals: QualitySignals, limits: QualityThresholds) -> str | None:
    """The name of the first limit the signals break (``quality_<signal>``), or None."""
    checks = (
        ("mean_word_length", limits.min_mean_word_length, signals.mean_word_length, True),
        ("mean_word_length", limits.max_mean_word_length, signals.mean_word_length, False),
        ("symbol_word_ratio", limits.max_symbol_word_ratio, signals.symbol_word_ratio, False),
        ("alpha_word_share", limits.min_alpha_word_share, signals.alpha_word_share, True),
        (
            "punctuation_line_share",
            limits.min_punctuation_line_share,
            signals.punctuation_line_share,
            True,
        ),
        (
            "duplicate_line_share",
            limits.max_duplicate_line_share,
            signals.duplicate_line_share,
            False,
        ),
    )
    for name, limit, value, is_minimum in checks:
        if limit is not None and (value < limit if is_minimum else value > limit):
            return f"quality_{name}"
    stops, minimum = signals.stop_words, limits.min_stop_words
    if minimum is not None and stops is not None and stops < minimum:
        return "quality_stop_words"
    return None


@lru_cache(maxsize=1)
def stopwords() -> dict[str, frozenset[str]]:
    """Stop-word lists by ISO 639-1 code (``cleaning/data/stopwords.toml``)."""
    with STOPWORDS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return {code: frozenset(word.casefold() for word in words) for code, words in data.items()}

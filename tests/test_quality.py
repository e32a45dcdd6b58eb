from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from cleaning.quality import QualitySignals, QualityThresholds, quality_signals, quality_verdict
from crawler.config import ConfigError
from crawler.items import ArticleItem
from crawler.quality import QualityPipeline
from tests.conftest import make_crawler
from tests.test_writer import row

TEXT = "Hello world.\nHello world.\n# tag ...\nThe cat and the dog, with a hat"


# letters, digits of several scripts, numerals that are not digits (², ½, Ⅻ), underscores,
# a combining mark, a capital whose casefold is two characters, spaces and punctuation
TRICKY = "ab_1٣²½Ⅻİßǅ \n.!#…-'\u0307"


@given(st.text(alphabet=TRICKY, max_size=40))
def test_word_shares_are_their_definitions(text: str) -> None:
    """The counts made with str methods (not a regex search a word) are the definitions':
    a word (\\w run) is alphabetic if a letter ([^\\W\\d_]) is in it."""
    words = re.findall(r"\w+", text)
    signals = quality_signals(text, "en")
    lettered = sum(1 for w in words if re.search(r"[^\W\d_]", w))
    assert signals.alpha_word_share == round(lettered / (len(words) or 1), 4)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    repeated = len(lines) - len(set(lines))
    assert signals.duplicate_line_share == round(repeated / (len(lines) or 1), 4)


def test_signals_by_hand() -> None:
    # 13 words of 46 letters; '#' and '...'; 3 of 4 lines end in a full stop; one repeat;
    # the, and, the, with are English stop words
    assert quality_signals(TEXT, "en") == QualitySignals(
        mean_word_length=round(46 / 13, 4),
        symbol_word_ratio=round(2 / 13, 4),
        alpha_word_share=1.0,
        punctuation_line_share=0.75,
        duplicate_line_share=0.25,
        stop_words=4,
    )


def test_digits_closing_quotes_and_languages_without_a_list() -> None:
    signals = quality_signals("Il a dit « oui. »\n2024 2025 2026 fin", "fr")
    assert signals.punctuation_line_share == 0.5  # a closing guillemet after the full stop
    assert signals.alpha_word_share == pytest.approx(5 / 8, abs=1e-4)
    assert signals.stop_words == 0
    assert quality_signals("Salamat po", "tl").stop_words is None
    assert quality_signals("", "en").mean_word_length == 0.0  # no division by zero


def test_verdict_names_the_first_broken_threshold() -> None:
    signals = quality_signals(TEXT, "en")
    assert quality_verdict(signals, QualityThresholds()) == "quality_symbol_word_ratio"
    assert quality_verdict(signals, QualityThresholds(max_symbol_word_ratio=None)) is None
    assert (
        quality_verdict(signals, QualityThresholds(max_symbol_word_ratio=None, min_stop_words=5))
        == "quality_stop_words"
    )
    strict = QualityThresholds(max_symbol_word_ratio=None, min_punctuation_line_share=0.9)
    assert quality_verdict(signals, strict) == "quality_punctuation_line_share"


def article(text: str) -> ArticleItem:
    fields = {k: v for k, v in row(1).items() if k in ArticleItem.__dataclass_fields__}
    return ArticleItem(**{**fields, "text": text})


def test_pipeline_fills_the_columns_and_drops_only_when_asked(tmp_path: Path) -> None:
    keep = QualityPipeline.from_crawler(make_crawler(tmp_path))
    item = keep.process_item(article(TEXT))
    assert item.stop_words == 4
    assert item.duplicate_line_share == 0.25
    crawler = make_crawler(
        tmp_path,
        settings={
            "CLEANCRAWL_QUALITY_FILTER": True,
            "CLEANCRAWL_QUALITY_THRESHOLDS": {"max_duplicate_line_share": 0.2},
        },
    )
    with pytest.raises(DropItem, match="quality_symbol_word_ratio"):
        QualityPipeline.from_crawler(crawler).process_item(article(TEXT))
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/quality_symbol_word_ratio") == 1
    # an unknown threshold stops the crawl at start-up
    with pytest.raises(ConfigError, match="CLEANCRAWL_QUALITY_THRESHOLDS: unknown threshold 'x'"):
        make_crawler(
            tmp_path,
            settings={"CLEANCRAWL_QUALITY_FILTER": True, "CLEANCRAWL_QUALITY_THRESHOLDS": {"x": 1}},
        )

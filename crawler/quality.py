"""Quality signals on every row, and an opt-in filter with named thresholds."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals as scrapy_signals

from cleaning.quality import (
    QualityThresholds,
    quality_signals,
    quality_verdict,
)
from crawler.items import ArticleItem
from crawler.pipelines import ask_for_text_facts
from crawler.stats import drop_cleaned

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class QualityPipeline:
    """Compute the signals on the final text (after templates); drop only when asked to."""

    def __init__(self, stats: StatsCollector, limits: QualityThresholds | None) -> None:
        self.stats = stats
        self.limits = limits
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        limits = None
        if settings.getbool("CLEANCRAWL_QUALITY_FILTER"):
            # names and numbers checked at start-up (crawler/settings_spec.py)
            limits = QualityThresholds(**settings.getdict("CLEANCRAWL_QUALITY_THRESHOLDS"))
        pipeline = cls(crawler.stats, limits)
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.ask_for_facts, signal=scrapy_signals.spider_opened)
        return pipeline

    def ask_for_facts(self) -> None:
        """Have the cleaning workers compute the signals (the pipelines are all built by
        now); the template step gets the text's line keys with them."""
        assert self.crawler is not None
        ask_for_text_facts(self.crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        # made by the cleaning worker from this text (the item's ``facts``), or made here
        facts, item.facts = item.facts, None  # not needed further, nor written
        signals = facts.quality if facts is not None else None
        if signals is None:
            signals = quality_signals(item.text, item.language)
        for name, value in asdict(signals).items():
            setattr(item, name, value)
        if self.limits is not None and (reason := quality_verdict(signals, self.limits)):
            raise drop_cleaned(self.stats, reason, item.url)
        return item

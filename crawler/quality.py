"""Quality signals on every row, and an opt-in filter with named thresholds."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Self

from cleaning.quality import (
    QualitySignals,
    QualityThresholds,
    quality_signals,
    quality_verdict,
)
from crawler.items import ArticleItem
from crawler.stats import drop_cleaned

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class QualityPipeline:
    """Compute the signals on the final text (after templates); drop only when asked to."""

    def __init__(self, stats: StatsCollector, limits: QualityThresholds | None) -> None:
        self.stats = stats
        self.limits = limits

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        limits = None
        if settings.getbool("CLEANCRAWL_QUALITY_FILTER"):
            # names and numbers checked at start-up (crawler/settings_spec.py)
            limits = QualityThresholds(**settings.getdict("CLEANCRAWL_QUALITY_THRESHOLDS"))
        return cls(crawler.stats, limits)

    def process_item(self, item: Any, signals: QualitySignals | None = None) -> Any:
        """``signals``: the item's text's, made already (``cleancrawl clean``'s workers)."""
        if not isinstance(item, ArticleItem):
            return item
        if signals is None:
            signals = quality_signals(item.text, item.language)
        for name, value in asdict(signals).items():
            setattr(item, name, value)
        if self.limits is not None and (reason := quality_verdict(signals, self.limits)):
            raise drop_cleaned(self.stats, reason, item.url)
        return item

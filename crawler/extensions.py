"""Scrapy extensions of cleancrawl."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.outcome import note_write_failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class StatsFile:
    """Write the crawl's final stats as JSON, for schedulers, dashboards and reports."""

    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("CLEANCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured  # off by default: no message, so Scrapy logs no warning
        assert crawler.stats is not None
        extension = cls(Path(path), crawler.stats)
        # after the pipelines' spider_closed handlers, so their final counts are in
        crawler.signals.connect(extension.write, signal=signals.engine_stopped)
        return extension

    def write(self) -> None:
        text = json.dumps(self.stats.get_stats(), default=_json_value, indent=2, sort_keys=True)
        temp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(text, encoding="utf-8")
            temp.replace(self.path)
        except OSError as exc:
            # a scheduler reads this file to judge the run: its loss is the exit code's too
            note_write_failure(self.stats, "stats_file")
            logger.error("Could not write the stats file %s: %s", self.path, exc)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)

"""Scrapy extensions of cleancrawl."""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.cluster import cluster_for, required_cluster
from crawler.crawl_stats import add_stats, crawl_stats_of, note_started
from crawler.outcome import note_write_failure

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.cluster import Cluster

logger = logging.getLogger(__name__)


class StatsFile:
    """Write the crawl's final stats as JSON, for schedulers, dashboards and reports.

    In a distributed crawl each worker writes its own stats next to the file
    (``stats.json`` -> ``stats.<worker id>.json``) and the crawl's merged stats, as far as
    the workers that have ended added them, to the file itself: the last worker to end
    leaves the whole crawl's (``cleancrawl/workers``, ``cleancrawl/workers_started``).
    """

    def __init__(self, path: Path, stats: StatsCollector, cluster: Cluster | None = None) -> None:
        self.path = path
        self.stats = stats
        self.cluster = cluster

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("CLEANCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured  # off by default: no message, so Scrapy logs no warning
        assert crawler.stats is not None
        extension = cls(Path(path), crawler.stats, cluster_for(crawler))
        # after the pipelines' spider_closed handlers, so their final counts are in
        crawler.signals.connect(extension.write, signal=signals.engine_stopped)
        return extension

    def write(self) -> None:
        if self.cluster is None:
            self._write(self.path, self.stats.get_stats())
            return
        worker = self.path.with_name(f"{self.path.stem}.{self.cluster.worker_id}{self.path.suffix}")
        self._write(worker, self.stats.get_stats())
        if merged := crawl_stats_of(self.cluster):
            self._write(self.path, merged)

    def _write(self, path: Path, stats: Mapping[str, Any]) -> None:
        text = json.dumps(stats, default=_json_value, indent=2, sort_keys=True)
        # a temporary name of this process's: workers on one machine may share the folder
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(text, encoding="utf-8")
            temp.replace(path)
        except OSError as exc:
            # a scheduler reads this file to judge the run: its loss is the exit code's too
            note_write_failure(self.stats, "stats_file")
            logger.error("Could not write the stats file %s: %s", path, exc)


class SharedStats:
    """In a distributed crawl, add this worker's final stats to the crawl's merged stats in
    Redis (``crawler/crawl_stats.py``), with the counts of the rows it wrote (for the
    whole crawl's summary); before ``StatsFile`` and ``CrawlSummary`` read them."""

    def __init__(self, crawler: Crawler, cluster: Cluster) -> None:
        self.crawler = crawler
        self.cluster = cluster
        self.opened = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # one process: its stats are the crawl's (NotConfigured without REDIS_URL)
        extension = cls(crawler, required_cluster(crawler))
        crawler.signals.connect(extension.open, signal=signals.spider_opened)
        crawler.signals.connect(extension.add, signal=signals.engine_stopped)
        return extension

    def open(self) -> None:
        self.opened = True
        note_started(self.cluster)

    def add(self) -> None:
        if not self.opened or self.crawler.stats is None:
            return  # the crawl never started
        from crawler.pipelines import ParquetPipeline
        from crawler.summary import OUTPUT, written_counts

        stats = dict(self.crawler.stats.get_stats())
        parquet = self.crawler.get_item_pipeline(ParquetPipeline)
        counts = written_counts(list(parquet.writer.files) if parquet is not None else [])
        if isinstance(counts, dict):
            stats.update({OUTPUT + key: n for key, n in counts.items()})
        import redis

        try:
            add_stats(self.cluster, stats)
        except redis.RedisError as exc:
            logger.error("Could not add this worker's stats to the crawl's in Redis: %s", exc)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)

"""Scrapy extensions of cleancrawl."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.cluster import cluster_for, required_cluster
from crawler.crawl_stats import (
    add_stats,
    crawl_stats_of,
    note_started,
    run_id,
    save_snapshot,
)
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
    whole crawl's summary); before ``StatsFile`` and ``CrawlSummary`` read them.

    Until then it keeps a snapshot of what this run did durably in Redis, written with every
    lease the run ends and at every heartbeat (``Leases.snapshot``): if the run is killed,
    the snapshot is its share of the merged stats. The rows of its unfinished Parquet file
    are left out of it (their pages are fetched again by others)."""

    def __init__(self, crawler: Crawler, cluster: Cluster) -> None:
        self.crawler = crawler
        self.cluster = cluster
        self.opened = False
        self.run = ""
        self.fresh_ms = int(crawler.settings.getfloat("CLEANCRAWL_WORKER_TIMEOUT") * 1000)
        self.parquet: Any = None
        self._counted: tuple[int, dict[str, int]] = (0, {})  # output counts per file count

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # one process: its stats are the crawl's (NotConfigured without REDIS_URL)
        extension = cls(crawler, required_cluster(crawler))
        crawler.signals.connect(extension.open, signal=signals.spider_opened)
        crawler.signals.connect(extension.add, signal=signals.engine_stopped)
        return extension

    def open(self) -> None:
        from crawler.leases import leases_for
        from crawler.pipelines import ParquetPipeline

        leases = leases_for(self.crawler)
        if leases is not None and leases.frontier.late:
            return  # the crawl ended before this worker opened: it did nothing of it
        self.opened = True
        self.run = run_id(self.cluster, datetime.now(UTC))
        note_started(self.cluster)
        self.parquet = self.crawler.get_item_pipeline(ParquetPipeline)
        if leases is not None:
            leases.snapshot = self.queue_snapshot
        self.queue_snapshot(None)  # known as started and alive from now on

    def queue_snapshot(self, pipeline: Any) -> None:
        """Write (or queue on ``pipeline``) this run's snapshot: what it did durably."""
        if self.crawler.stats is not None:
            stats = self.durable_stats(self.crawler.stats.get_stats())
            save_snapshot(self.cluster, self.run, stats, self.fresh_ms, client=pipeline)

    def durable_stats(self, stats: Mapping[str, Any]) -> dict[str, Any]:
        """``stats`` less the rows not yet in a renamed Parquet file, with the counts of
        the rows in renamed ones (``output/*``)."""
        from crawler.summary import OUTPUT

        durable = dict(stats)
        writer = self.parquet.writer if self.parquet is not None else None
        if writer is None:
            return durable
        pending, committed = writer.rows_pending, writer.rows_committed
        if isinstance(durable.get("cleaning/kept"), int):
            durable["cleaning/kept"] = max(0, durable["cleaning/kept"] - pending)
        if isinstance(scraped := durable.get("item_scraped_count"), int):
            # the rows in renamed files, and the items scraped that are no rows; counted
            # from the rows, as a file is renamed before its last item counts as scraped
            durable["item_scraped_count"] = committed + max(0, scraped - committed - pending)
        durable["parquet/rows_written"] = writer.rows_committed
        durable["parquet/files_written"] = len(writer.files)
        durable.update({OUTPUT + key: n for key, n in self._output_counts(writer.files).items()})
        return durable

    def _output_counts(self, files: list[Path]) -> dict[str, int]:
        from crawler.summary import written_counts

        if self._counted[0] != len(files):  # read back once per new file
            counts = written_counts(list(files))
            self._counted = (len(files), counts if isinstance(counts, dict) else {})
        return self._counted[1]

    def add(self) -> None:
        if not self.opened or self.crawler.stats is None:
            return  # the crawl never started
        stats = dict(self.crawler.stats.get_stats())
        files = list(self.parquet.writer.files) if self.parquet is not None else []
        from crawler.summary import OUTPUT, written_counts

        counts = written_counts(files)
        if isinstance(counts, dict):
            stats.update({OUTPUT + key: n for key, n in counts.items()})
        import redis

        try:
            add_stats(self.cluster, stats, self.run)
        except redis.RedisError as exc:
            logger.error("Could not add this worker's stats to the crawl's in Redis: %s", exc)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)

"""A progress line every ``LOGSTATS_INTERVAL`` seconds, in place of Scrapy's ``LogStats``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.extensions.logstats import LogStats
from scrapy.utils.log import get_scrapy_root_handler

from crawler.pipelines import TemplatePipeline
from crawler.stats import dropped_by_reason

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Progress(LogStats):
    """Scrapy's ``LogStats`` (same setting, same final stats), saying what a person
    watching a crawl asks: how fast, how much written, how much dropped and why, how much
    is left to fetch."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        skip_records_not_logged()
        # and again once the engine starts: Crawler.crawl() installs Scrapy's log handler
        # anew after the extensions are built (Scrapy 2.19), which puts the root logger back
        # at NOTSET
        crawler.signals.connect(skip_records_not_logged, signal=signals.engine_started)
        progress = super().from_crawler(crawler)
        progress.crawler = crawler
        return progress

    def log(self, spider: Spider | None = None) -> None:
        self.calculate_stats()
        templates = self.crawler.get_item_pipeline(TemplatePipeline) if self.crawler else None
        logger.info(
            "%s",
            progress_line(
                self.stats.get_stats(),
                pages_per_second=self.prate / 60,
                held=templates.held_pages if templates is not None else 0,
            ),
            extra={"spider": spider},
        )


# the level skip_records_not_logged last gave the scrapy logger
_GIVEN = {"scrapy": logging.DEBUG}


def skip_records_not_logged() -> None:
    """Set the root logger to the level of Scrapy's log handler, where Scrapy installed one
    (``scrapy crawl``) and left the root logger at NOTSET, as it does; and the ``scrapy``
    logger too where it is at the DEBUG Scrapy's own logging set-up gives it (its
    ``DEFAULT_LOGGING``), which its loggers follow whatever the root's level.

    At NOTSET every ``logger.debug()`` of Scrapy and of the libraries it calls makes a log
    record (the caller's frame found, the message's arguments kept) that the handler, at
    ``LOG_LEVEL`` (INFO by default), then drops: several per response. At the handler's
    level the loggers skip them at once. What is logged does not change (the handler and
    Scrapy's ``log_count/*`` stats count from ``LOG_LEVEL`` up); ``-s LOG_LEVEL=DEBUG`` logs
    everything, as before. A crawl run from a script without Scrapy's handler
    (``CrawlerRunner``) keeps its own logging set-up.
    """
    handler = get_scrapy_root_handler()
    if handler is None:
        return
    if logging.root.level == logging.NOTSET:
        logging.root.setLevel(handler.level)
    scrapy_logger = logging.getLogger("scrapy")
    # (or at the level given it here for an earlier crawl of the process, whose LOG_LEVEL
    # may have been another)
    if scrapy_logger.level in (logging.DEBUG, _GIVEN["scrapy"]):
        scrapy_logger.setLevel(handler.level)
        _GIVEN["scrapy"] = handler.level


def progress_line(stats: Mapping[str, Any], *, pages_per_second: float, held: int = 0) -> str:
    """One line on a running crawl, from its stats."""
    dropped = dropped_by_reason(stats)
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
    # requests scheduled and not yet taken from the scheduler (Scrapy's own scheduler)
    queue = stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0)
    parts = [
        f"Progress: {stats.get('response_received_count', 0)} responses ({pages_per_second:.1f}/s)",
        f"written {stats.get('item_scraped_count', 0)}",
        f"dropped {sum(dropped.values())}" + (f" ({reasons})" if reasons else ""),
        f"queue {queue}",
    ]
    if held:
        parts.append(f"held for templates {held}")
    return ", ".join(parts)

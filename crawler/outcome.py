"""How a crawl ended, as an exit code a scheduler can act on (see the README's table)."""

from __future__ import annotations

import asyncio
import sys
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from twisted.internet.defer import Deferred

from crawler.cluster import cluster_for
from crawler.config import ConfigError
from crawler.crawl_stats import WORKERS, WORKERS_KILLED, WORKERS_STARTED, crawl_stats_of
from crawler.robots import FETCH as ROBOTS_FETCH

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy import Request
    from scrapy.crawler import Crawler, CrawlerProcessBase
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

# stat: responses with a 2xx or 3xx status (304 included), robots.txt aside
RESPONSES_OK = "crawl/responses_ok"
# stat prefix: writes that failed, per kind of file (parquet, stats_file)
WRITE_FAILED = "crawl/write_failed/"


class ExitCode(IntEnum):
    """Exit codes of ``scrapy crawl`` and ``cleancrawl demo``."""

    OK = 0  # the crawl finished; pages were written or skipped for a named reason
    FAILED = 1  # Scrapy's own: the crawl could not start, or the command itself broke
    CONFIG_ERROR = 2  # a bad setting, argument or sites file: nothing was fetched
    NOTHING_FETCHED = 3  # no page, sitemap or feed answered with a success status
    WRITE_FAILED = 4  # the Parquet output or the stats file could not be written


_MESSAGES = {
    ExitCode.NOTHING_FETCHED: "nothing was fetched: every request failed or was refused"
    " (see the log)",
    ExitCode.WRITE_FAILED: "the Parquet output or the stats file could not be written"
    " (see the log)",
}


def note_write_failure(stats: StatsCollector | None, what: str) -> None:
    """Count a write that failed (``what``: parquet, stats_file): the crawl exits with 4."""
    if stats is not None:
        stats.inc_value(WRITE_FAILED + what)


def exit_code(stats: Mapping[str, Any]) -> ExitCode:
    """The exit code of a crawl that ran, from its final stats."""
    if any(key.startswith(WRITE_FAILED) for key in stats):
        return ExitCode.WRITE_FAILED
    # None: the CrawlOutcome extension was turned off, so nothing is known either way
    if stats.get(RESPONSES_OK) == 0:
        return ExitCode.NOTHING_FETCHED
    return ExitCode.OK


def worker_exit_code(stats: Mapping[str, Any], crawl: Mapping[str, Any]) -> ExitCode:
    """The exit code of one worker of a distributed crawl: ``stats`` its own, ``crawl`` the
    crawl's merged stats (``crawler.crawl_stats``).

    A worker that fetched nothing because the others had taken all the work is not a
    failure: "nothing fetched" only when no worker that ended reached a site and none is
    still running (which would add its own). A failed write is the worker's own.
    """
    code = exit_code(stats)
    if code is not ExitCode.NOTHING_FETCHED:
        return code
    ended = crawl.get(WORKERS, 0) + crawl.get(WORKERS_KILLED, 0)
    others_running = crawl.get(WORKERS_STARTED, 0) > ended
    if crawl.get(RESPONSES_OK, 0) > 0 or others_running:
        return ExitCode.OK
    return code


class CrawlOutcome:
    """Count the responses that show the crawl reached its sites, for the exit code.

    Counted as they come off the network (before redirects and conditional requests are
    handled), so a ``301`` or a ``304 Not Modified`` counts as reaching the site; a
    robots.txt does not, as it says nothing about the pages.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.open, signal=signals.spider_opened)
        crawler.signals.connect(extension.downloaded, signal=signals.response_downloaded)
        return extension

    def open(self) -> None:
        self.stats.set_value(RESPONSES_OK, 0)

    def downloaded(self, response: Response, request: Request) -> None:
        if response.status < 400 and not request.meta.get(ROBOTS_FETCH):
            self.stats.inc_value(RESPONSES_OK)


def run_crawl(process: CrawlerProcessBase, crawler: Crawler, **spider_args: Any) -> ExitCode:
    """Run one crawl to its end and return its exit code.

    A ``ConfigError`` raised while the crawl starts (by the spider or a component's
    ``from_crawler``) is printed as one line on stderr. Scrapy would hand it to asyncio,
    which prints "Task exception was never retrieved" with a traceback: right for a bug,
    noise for a typo in a sites file.
    """
    errors: list[ConfigError] = []

    def on_task_done(task: asyncio.Future[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()  # retrieved: asyncio no longer prints it
        if isinstance(error, ConfigError):
            errors.append(error)
        elif error is not None:
            asyncio.get_event_loop().call_exception_handler(
                {"message": "The crawl failed to start", "exception": error, "task": task}
            )

    def on_deferred_error(failure: Failure) -> Failure | None:
        if isinstance(failure.value, ConfigError):
            errors.append(failure.value)
            return None
        return failure

    started = process.crawl(crawler, **spider_args)
    if isinstance(started, Deferred):  # a Twisted reactor without asyncio
        started.addErrback(on_deferred_error)
    elif isinstance(started, asyncio.Future):
        started.add_done_callback(on_task_done)
    process.start()
    if errors:
        print(f"cleancrawl: error: {errors[0]}", file=sys.stderr)
        return ExitCode.CONFIG_ERROR
    if process.bootstrap_failed or crawler.stats is None:
        return ExitCode.FAILED
    code = exit_code(crawler.stats.get_stats())
    if code is ExitCode.NOTHING_FETCHED and (joined := cluster_for(crawler)) is not None:
        code = worker_exit_code(crawler.stats.get_stats(), crawl_stats_of(joined))
    if code in _MESSAGES:  # the last line of a cron mail: why the run is a failure
        print(f"cleancrawl: error: {_MESSAGES[code]}", file=sys.stderr)
    return code

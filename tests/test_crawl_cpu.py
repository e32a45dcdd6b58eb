"""What the crawl's process does per response that it need not (issue 17): log records below
the level logged, and Scrapy's deprecation shim on every stat."""

from __future__ import annotations

import logging
from logging.config import dictConfig
from pathlib import Path

from scrapy import Request, signals
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.log import (
    DEFAULT_LOGGING,
    _uninstall_scrapy_root_handler,
    install_scrapy_root_handler,
)

from crawler.logformatter import QuietLogFormatter
from crawler.progress import Progress, skip_records_not_logged
from crawler.spiders.technews import TechNewsSpider
from crawler.stats import QuickStatsCollector
from tests.conftest import make_crawler


def test_records_below_the_log_level_are_not_made() -> None:
    before = logging.root.level, logging.getLogger("scrapy").level
    try:
        logging.getLogger("scrapy").setLevel(logging.DEBUG)  # as Scrapy's logging set-up does
        install_scrapy_root_handler(Settings({"LOG_LEVEL": "INFO"}))
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
        skip_records_not_logged()
        assert not logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("crawler.progress").isEnabledFor(logging.INFO)
        request = Request("https://news.test/")
        response = HtmlResponse("https://news.test/", body=b"<html></html>", request=request)
        spider = TechNewsSpider(url="https://news.test/")
        assert QuietLogFormatter().crawled(request, response, spider) is None
        install_scrapy_root_handler(Settings({"LOG_LEVEL": "DEBUG"}))
        skip_records_not_logged()
        # (a later crawl of the process, at DEBUG: the scrapy logger at DEBUG again)
        assert QuietLogFormatter().crawled(request, response, spider) is not None
    finally:
        _uninstall_scrapy_root_handler()
        logging.root.setLevel(before[0])
        logging.getLogger("scrapy").setLevel(before[1])


def test_records_below_the_log_level_are_not_made_once_the_crawl_runs(tmp_path: Path) -> None:
    before = logging.root.level, logging.getLogger("scrapy").level
    try:
        # as `scrapy crawl` sets logging up (configure_logging, less its Twisted observer):
        # the scrapy logger at DEBUG, Scrapy's handler on the root at LOG_LEVEL
        dictConfig(DEFAULT_LOGGING)
        install_scrapy_root_handler(Settings({"LOG_LEVEL": "INFO"}))
        crawler = make_crawler(tmp_path)  # its extensions built, Progress among them
        assert crawler.extensions.middlewares
        assert any(isinstance(e, Progress) for e in crawler.extensions.middlewares)
        # what Crawler.crawl() does next: Scrapy's handler installed anew, the root at NOTSET
        crawler._update_root_log_handler()
        assert logging.root.level == logging.NOTSET
        crawler.signals.send_catch_log(signals.engine_started)
        assert logging.root.level == logging.INFO
        assert not logging.getLogger("urllib3").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("scrapy.core.scraper").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("scrapy.core.scraper").isEnabledFor(logging.INFO)
    finally:
        _uninstall_scrapy_root_handler()
        logging.root.setLevel(before[0])
        logging.getLogger("scrapy").setLevel(before[1])


def test_the_crawl_counts_its_stats_without_scrapys_shim(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    stats = crawler.stats
    assert type(stats) is QuickStatsCollector
    stats.inc_value("cleaning/dropped/x")
    stats.inc_value("cleaning/dropped/x", 2)
    stats.max_value("m", 3)
    stats.set_value("s", "v")
    assert stats.get_stats() == {"cleaning/dropped/x": 3, "m": 3, "s": "v"}
    assert stats.get_value("m") == 3

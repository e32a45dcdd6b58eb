"""A spider that fetches a list of URLs and parses nothing: Scrapy's own CPU per response.

``benchmarks/crawl.py`` runs it on the links site's pages (``--variants floor``), once with
Scrapy's default settings and once inside cleancrawl's project (its add-on's middlewares,
extensions, stats, duplicate filter and log formatter; no item pipelines), to tell Scrapy's
and Twisted's share of the crawl process's CPU from cleancrawl's::

    scrapy runspider benchmarks/bare_spider.py -a urls=URLS.txt -a stats=STATS.json
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.http import Response
    from twisted.python.failure import Failure


class BareSpider(Spider):
    """Requests every URL of the file ``urls`` (one a line), in its order; the stats at
    the end to ``stats`` (JSON)."""

    name = "bare"
    # as the technews spider: one task for a response's output, not Scrapy's 100
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012

    def __init__(self, urls: str = "", stats: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = Path(urls).read_text().split()
        self.stats_path = stats

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            # an errback, as the technews spider has: a 404 goes the same way, not logged
            yield Request(url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response, **kwargs: Any) -> None:
        return None

    def on_error(self, failure: Failure) -> None:
        return None

    def closed(self, reason: str) -> None:
        if not self.stats_path:
            return
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        # (Scrapy's own elapsed_time_seconds may be set after this handler runs)
        stats["elapsed_time_seconds"] = (datetime.now(UTC) - stats["start_time"]).total_seconds()
        Path(self.stats_path).write_text(json.dumps(stats, default=str))

"""The duplicate-request filter: Scrapy's, but a page it filters is counted, not lost.

In distributed mode (``REDIS_URL``) the add-on sets ``crawler.frontier.SharedDupeFilter``
instead: the fingerprints in Redis, counted the same way (``count_filtered``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.dupefilters import RFPDupeFilter

from crawler.stats import count_drop

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

# request meta key the technews spider sets on page requests (crawler.spiders.technews.DEPTH)
PAGE_META_KEY = "cleancrawl_depth"


def count_filtered(stats: StatsCollector | None, request: Request) -> None:
    """Count a filtered page request under ``redirect_loop`` or ``duplicate``.

    The spider queues each page URL once, so a page request is filtered only when a
    redirect leads to a URL already fetched: back into its own chain (a loop, which
    Scrapy would otherwise end silently) or to a page reached another way.
    """
    if PAGE_META_KEY in request.meta:
        loop = request.url in request.meta.get("redirect_urls", ())
        count_drop(stats, "redirect_loop" if loop else "duplicate")


class CountingDupeFilter(RFPDupeFilter):
    """Scrapy's filter, counting a filtered page request (``count_filtered``)."""

    stats: StatsCollector | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        dupefilter = super().from_crawler(crawler)
        dupefilter.stats = crawler.stats
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        if seen:
            count_filtered(self.stats, request)
        return seen

"""Log lines for scraped and dropped items that do not repeat a whole article, made only
when they will be logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure


# the loggers Scrapy sends these records to: "Crawled (200)" and "Scraped from" / "Dropped"
_ENGINE = logging.getLogger("scrapy.core.engine")
_SCRAPER = logging.getLogger("scrapy.core.scraper")


class QuietLogFormatter(LogFormatter):
    """Scrapy's log formatter, with items shown by URL instead of in full.

    A record below the level logged (``LOG_LEVEL``, INFO by default: ``crawler.progress``
    sets it on the root logger) is not made at all: Scrapy logs what these methods return,
    and nothing when they return None. Each response's "Crawled" line and each item's
    "Scraped from" or "Dropped" line cost the crawl's process CPU for every page.
    """

    def crawled(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider
    ) -> LogFormatterResult | None:
        if not _ENGINE.isEnabledFor(logging.DEBUG):  # Scrapy logs it at DEBUG
            return None
        return super().crawled(request, response, spider)

    def scraped(  # type: ignore[override]
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        if not _SCRAPER.isEnabledFor(logging.DEBUG):  # Scrapy logs it at DEBUG
            return None
        result = super().scraped(item, response, spider)
        return _with_summary(result, item)

    def dropped(  # type: ignore[override]
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult | None:
        result = super().dropped(item, exception, response, spider)
        if not _SCRAPER.isEnabledFor(result["level"]):
            return None
        return _with_summary(result, item)


def _with_summary(result: LogFormatterResult, item: Any) -> LogFormatterResult:
    args = result["args"]
    if isinstance(args, dict):
        result["args"] = {**args, "item": _summary(item)}
    return result


def _summary(item: Any) -> str:
    adapter = ItemAdapter(item)
    fields = {k: adapter.get(k) for k in ("url", "language", "word_count") if k in adapter}
    return f"{type(item).__name__}({fields})"

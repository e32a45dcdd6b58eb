"""Log lines for scraped and dropped items that do not repeat a whole article."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure


class QuietLogFormatter(LogFormatter):
    """Scrapy's log formatter, with items shown by URL instead of in full."""

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        result = super().scraped(item, response, spider)
        return _with_summary(result, item)

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
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

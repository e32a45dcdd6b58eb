"""An extension that notes, as the crawl closes, which modules of the cleaning steps its
process has imported (the stat ``test/cleaning_stack``), for the pool's import test.

``-s 'EXTENSIONS={"tests.noted_modules.NotedModules": 0}'`` adds it to a crawl.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Self

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

# what clean_page imports that the crawl's process, handing its pages to workers, does not need
CLEANING_STACK = (
    "cleaning.extraction",
    "cleaning.language",
    "cleaning.page",
    "courlan",
    "ftfy",
    "htmldate",
    "justext",
    "langdetect",
    "trafilatura",
)


class NotedModules:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.note, signal=signals.spider_closed)
        return extension

    def note(self) -> None:
        imported = [name for name in CLEANING_STACK if name in sys.modules]
        self.stats.set_value("test/cleaning_stack", imported)

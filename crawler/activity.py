"""What a crawl is doing, counted from Scrapy's signals rather than read from its engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.signalmanager import SignalManager


class CrawlActivity:
    """Downloads in flight, whether the scheduler ran dry, and a count of events.

    The engine keeps the same facts in private attributes that change between Scrapy
    releases (``engine._start``, ``scraper.slot.itemproc_size``, ``engine._slot.scheduler``);
    signals are Scrapy's public API for them.
    """

    def __init__(self) -> None:
        # requests the downloader took and has not given back (queued for their slot's
        # delay, or transferring)
        self.downloading = 0
        # True when the engine found the scheduler empty after the last request scheduled
        self.scheduler_drained = True
        # grows with every request scheduled, download, response and finished item: equal
        # values at two moments mean nothing happened in between
        self.events = 0

    def connect(self, manager: SignalManager) -> None:
        manager.connect(self.scheduled, signal=signals.request_scheduled)
        manager.connect(self.drained, signal=signals.scheduler_empty)
        manager.connect(self.reached_downloader, signal=signals.request_reached_downloader)
        manager.connect(self.left_downloader, signal=signals.request_left_downloader)
        for signal in (
            signals.response_received,
            signals.item_scraped,
            signals.item_dropped,
            signals.item_error,
        ):
            manager.connect(self.happened, signal=signal)

    def scheduled(self) -> None:
        self.scheduler_drained = False
        self.events += 1

    def drained(self) -> None:
        self.scheduler_drained = True
        self.events += 1  # the last request taken may not have reached the downloader yet

    def reached_downloader(self) -> None:
        self.downloading += 1
        self.events += 1

    def left_downloader(self) -> None:
        self.downloading -= 1
        self.events += 1

    def happened(self) -> None:
        self.events += 1

"""The memory budget of pages held for their site's template, apart from Scrapy's own.

A page ``TemplatePipeline`` holds keeps its response in Scrapy's scraper, which counts it
against ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` (5 MB by default) and downloads nothing more past
it. That budget is the crawl's back-pressure: it keeps downloads at the cleaning workers'
pace. Held pages filling it made a crawl of 30 sites decide each template from one or two
pages (``benchmarks/site_junk.py``). So the budget is raised by exactly the bytes held, up
to ``CLEANCRAWL_TEMPLATE_HOLD_BYTES``, and lowered again as they go: pages on their way
through the pipelines keep the back-pressure they had.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.core.scraper import Slot

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def counted_size(body_bytes: int) -> int:
    """The bytes Scrapy's scraper counts for a response of ``body_bytes``."""
    return max(body_bytes, Slot.MIN_RESPONSE_SIZE)


class HoldBudget:
    """Bytes of held responses, taken out of the scraper's count up to ``limit``.

    Scrapy has no public API for its scraper's budget, nor to wake its engine: this reads
    ``engine.scraper.slot`` and ``engine._slot`` (the same in every Scrapy release
    ``pyproject.toml`` allows; a crawl test fails if they change). Where the slot is not
    found, nothing is taken and held pages count against Scrapy's budget, as with ``limit``
    0.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.peak = 0
        self._slot: Any = None
        self._engine: Any = None
        self._looked = False

    def take(self, crawler: Crawler | None, size: int) -> bool:
        """Count ``size`` bytes held outside the scraper's budget, if they fit in ``limit``."""
        self._find(crawler)
        if not self.active or self.used + size > self.limit:
            return False
        self._slot.max_active_size += size
        self.used += size
        self.peak = max(self.peak, self.used)
        return True

    def give_back(self, size: int) -> None:
        """Put ``size`` bytes taken before back in the scraper's count (the page goes on)."""
        if size and self._slot is not None:
            self._slot.max_active_size -= size
            self.used -= size

    def wake(self, crawler: Crawler | None) -> None:
        """Have the engine look for requests to send now (a page was just held).

        It looks when a response's scrape ends, and every 5 seconds (its heartbeat). A held
        page's scrape does not end until it goes on: with every page in flight held (a
        crawl of many sites begins so), the crawl sent its next requests every 5 seconds.
        """
        self._find(crawler)
        nextcall = getattr(getattr(self._engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def engine_closing(self) -> bool:
        """Whether the engine is closing the spider (``CLOSESPIDER_*``): it waits for every
        page in progress, held ones too."""
        return bool(getattr(getattr(self._engine, "_slot", None), "closing", None))

    @property
    def active(self) -> bool:
        """Whether held pages are kept out of the scraper's budget (``take`` can succeed)."""
        return self._slot is not None and self.limit > 0

    def _find(self, crawler: Crawler | None) -> None:
        """Find the engine and its scraper's budget, once the spider is open."""
        if self._looked or crawler is None:
            return
        engine = getattr(crawler, "engine", None)
        slot = getattr(getattr(engine, "scraper", None), "slot", None)
        if slot is None:
            return  # the spider is not open yet: look again at the next page
        self._looked, self._engine = True, engine
        if isinstance(getattr(slot, "max_active_size", None), int):
            self._slot = slot
        elif self.limit > 0:
            logger.info(
                "Scrapy's scraper budget was not found: pages held for site templates count "
                "against SCRAPER_SLOT_MAX_ACTIVE_SIZE"
            )

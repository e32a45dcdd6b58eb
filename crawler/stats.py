"""Stats keys shared by the spider and the pipelines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.statscollectors import StatsCollector

DROPPED = "cleaning/dropped/"


def count_drop(stats: StatsCollector | None, reason: str) -> None:
    """Count a page that is not written, under ``cleaning/dropped/<reason>``."""
    if stats is not None:
        stats.inc_value(DROPPED + reason)


def drop_cleaned(stats: StatsCollector, reason: str, url: str, detail: str = "") -> DropItem:
    """The ``DropItem`` to raise for an article that passed cleaning but is not written.

    It is counted under ``reason`` and taken off ``cleaning/kept``, which counted it already.
    """
    count_drop(stats, reason)
    stats.inc_value("cleaning/kept", -1)
    return DropItem(f"{reason}{detail}: {url}", log_level="DEBUG")


def dropped_by_reason(stats: Mapping[str, Any]) -> dict[str, int]:
    """Pages not written so far, per drop reason (those counted at least once)."""
    return {key[len(DROPPED) :]: n for key, n in stats.items() if key.startswith(DROPPED) and n}


class QuickStatsCollector(MemoryStatsCollector):
    """Scrapy's ``MemoryStatsCollector`` (the default ``STATS_CLASS``), its attributes read
    the plain way.

    Scrapy 2.19's ``StatsCollector.__getattribute__`` wraps its methods to warn about a
    deprecated ``spider`` argument, and so every attribute read, its own ``self._stats``
    inside every ``inc_value`` too, builds a name and raises and catches an AttributeError:
    5 microseconds a call against 0.25, for the dozens of stats Scrapy and cleancrawl count
    per response in the crawl's process. Only that warning is gone: the methods are the same
    (and still take the ``spider`` argument)."""

    __getattribute__ = object.__getattribute__

"""Stats keys shared by the spider and the pipelines."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector


def count_drop(stats: StatsCollector | None, reason: str) -> None:
    """Count a page that is not written, under ``cleaning/dropped/<reason>``."""
    if stats is not None:
        stats.inc_value(f"cleaning/dropped/{reason}")

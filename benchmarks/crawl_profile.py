"""cProfile of a crawl's process from "Spider opened" to its close, and where its time went.

``python -m benchmarks.crawl --profile DIR`` adds ``ProfileCrawl`` to each crawl's
extensions: the reactor's thread (where the spider, middlewares, extensions and pipelines
run) is profiled while the spider is open, so imports and start-up are not in the figures.
``owner_shares`` then charges the time of every function to the package it belongs to, and
the time of the standard library and built-ins to the nearest caller that has one, so that
``dict.get`` called by Scrapy counts for Scrapy and ``urljoin`` called by the spider for
``crawler``.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

ROOT = Path(__file__).resolve().parents[1]
SETTING = "BENCHMARK_PROFILE_FILE"
UNOWNED = ("stdlib", "built-ins")

Function = tuple[str, int, str]  # (file, line, name), as pstats keys them


class ProfileCrawl:
    """Profile the reactor's thread while the spider is open, to ``BENCHMARK_PROFILE_FILE``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # the thread's CPU time, not the wall clock: the reactor waits in epoll between events
        self.profile = cProfile.Profile(time.thread_time)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(Path(crawler.settings[SETTING]))
        crawler.signals.connect(extension.start, signal=signals.spider_opened)
        crawler.signals.connect(extension.stop, signal=signals.spider_closed)
        return extension

    def start(self) -> None:
        self.profile.enable()

    def stop(self) -> None:
        self.profile.disable()
        self.profile.dump_stats(self.path)


def package_of(filename: str) -> str:
    """The folder under site-packages, the project's top-level folder, or the stdlib."""
    if filename == "~":
        return "built-ins"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    path = Path(filename)
    if path.is_relative_to(ROOT):
        return path.relative_to(ROOT).parts[0].removesuffix(".py")
    return "stdlib"


def owner_shares(path: Path) -> tuple[float, list[tuple[str, float]]]:
    """A profile's seconds in all, and its shares by package, largest first (the stdlib's
    and built-ins' time charged to their callers, in proportion to the time of each call)."""
    raw: dict[Function, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    memo: dict[Function, dict[str, float]] = {}

    def owners(function: Function, seen: frozenset[Function]) -> dict[str, float]:
        if function in memo:
            return memo[function]
        package = package_of(function[0])
        callers = raw[function][4]
        total = sum(edge[3] for caller, edge in callers.items() if caller in raw)
        if package not in UNOWNED or function in seen or total <= 0:
            return {package: 1.0}
        shares: dict[str, float] = {}
        for caller, edge in callers.items():
            if caller in raw:
                for owner, share in owners(caller, seen | {function}).items():
                    shares[owner] = shares.get(owner, 0.0) + share * edge[3] / total
        memo[function] = shares
        return shares

    seconds: dict[str, float] = {}
    for function, (_, _, own, _, _) in raw.items():
        for owner, share in owners(function, frozenset()).items():
            seconds[owner] = seconds.get(owner, 0.0) + own * share
    whole = sum(seconds.values()) or 1.0
    return whole, sorted(((p, s / whole) for p, s in seconds.items()), key=lambda x: -x[1])

"""Cleaning in worker processes: the reactor keeps downloading while every core extracts."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from pebble import ProcessExpired, ProcessPool
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredSemaphore

from cleaning import CleanResult
from cleaning.worker import clean_in_worker, start_worker

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future

    from cleaning import CleaningOptions


def default_workers() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class PoolUse:
    """How much of the pool's time went unused: its workers' seconds without a page.

    Counted from the first page handed over to the last result, so the crawl's start (before
    any page) and its end (after the last page, fetching pages that are no articles) are not
    in it: they are the crawl's time less ``seconds``. Read by ``benchmarks/crawl.py``, and
    by anyone asking whether the pool waited for pages while requests waited for it.
    """

    def __init__(self, workers: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.workers = workers
        self.clock = clock
        self.in_pool = 0  # pages handed to the pool (running or in its queue) and not back
        self.idle_worker_seconds = 0.0
        self.first: float | None = None  # when the first page was handed over
        self.last: float | None = None  # when the last event (page in or result out) was

    @property
    def seconds(self) -> float:
        """From the first page handed over to the last result."""
        return 0.0 if self.first is None or self.last is None else self.last - self.first

    def page_in(self) -> None:
        self._advance()
        self.in_pool += 1

    def page_out(self) -> None:
        self._advance()
        self.in_pool -= 1

    def _advance(self) -> None:
        now = self.clock()
        if self.last is not None:
            self.idle_worker_seconds += max(0, self.workers - self.in_pool) * (now - self.last)
        if self.first is None:
            self.first = now
        self.last = now


class CleaningPool:
    """A pool of processes running ``clean_page``, each set up once with the options.

    Pages are handed over with ``clean()``, which returns without blocking the reactor.
    At most ``max_in_flight`` pages are in the pool or its queue at once; further callers
    wait, so the item pipeline, and through Scrapy's scraper slot the downloader, slow
    down to the cleaners' pace instead of piling pages up in memory. A page that takes
    longer than ``timeout`` seconds is abandoned and its worker replaced (pebble does
    both); a worker that dies (killed, out of memory) is replaced too.
    """

    def __init__(
        self,
        options: CleaningOptions,
        site_options: dict[str, CleaningOptions],
        *,
        workers: int,
        timeout: float | None,
        max_in_flight: int,
        task: Callable[[str, str, str], CleanResult] = clean_in_worker,
    ) -> None:
        self.timeout = timeout
        # what a worker runs per page (html, url, site): a module-level function, as the
        # workers import it by name
        self.task = task
        self.workers = workers
        self.use = PoolUse(workers)
        self._slots = DeferredSemaphore(max_in_flight)
        self._pool = ProcessPool(
            max_workers=workers,
            initializer=start_worker,
            initargs=(options, site_options),
            context=pool_context(),
        )

    async def clean(self, html: str, url: str, site: str) -> CleanResult:
        """Clean one page in a worker; a time-out or a dead worker gives a named drop."""
        await maybe_deferred_to_future(self._slots.acquire())
        self.use.page_in()
        try:
            future = self._pool.submit(self.task, self.timeout, html, url, site)
            return await maybe_deferred_to_future(_deferred(future, url))
        finally:
            self.use.page_out()
            self._slots.release()

    def close(self) -> None:
        """Stop the workers; pages still queued are abandoned (the crawl is over)."""
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()


def _deferred(future: Future[CleanResult], url: str) -> Deferred[CleanResult]:
    """A Deferred fired in the reactor thread when the pool's future is done."""
    # imported here: at module level the import would install Twisted's default reactor
    # before Scrapy installs the one its settings name
    from twisted.internet import reactor

    done: Deferred[CleanResult] = Deferred()

    def finished(future: Future[CleanResult]) -> None:
        try:
            result = future.result()
        except FutureTimeout:
            result = CleanResult(url=url, drop_reason="timeout")
        except ProcessExpired:
            result = CleanResult(url=url, drop_reason="worker_crashed")
        except Exception as exc:  # any other failure travels on as the item's error
            reactor.callFromThread(done.errback, exc)
            return
        reactor.callFromThread(done.callback, result)

    # called in the pool's thread (or at once if already done): hand over to the reactor
    future.add_done_callback(finished)
    return done


def pool_context() -> multiprocessing.context.BaseContext:
    """The way worker processes are started: a forkserver on Linux, spawn elsewhere."""
    # Not fork: forking a process that runs a reactor and threads copies their locks in
    # whatever state they are. The forkserver starts workers from a clean process that has
    # the cleaning modules imported already, so a replaced worker is ready in milliseconds.
    if sys.platform == "linux":
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cleaning.worker"])
        return context
    return multiprocessing.get_context("spawn")

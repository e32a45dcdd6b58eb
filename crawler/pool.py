"""Cleaning in worker processes: the reactor keeps downloading while every core extracts."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import socket
import sys
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredSemaphore
from twisted.internet.protocol import Factory, connectionDone
from twisted.protocols.basic import Int32StringReceiver

from cleaning.result import CleanResult
from cleaning.worker import clean_in_worker, page_message, serve
from crawler.clean_start import PRELOAD, main_hidden

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.process import BaseProcess

    from twisted.internet.base import DelayedCall
    from twisted.python.failure import Failure

    from cleaning.options import CleaningOptions


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
    longer than ``timeout`` seconds is abandoned and its worker replaced; a worker that dies
    (killed, out of memory) is replaced too.

    Each worker is a socket in the reactor (``cleaning.worker.serve`` at the other end):
    the page is written and its result read by the reactor's own thread. A pool of threads
    handing pages over (pebble's, until stop 33) cost the crawl's process some 0.85 CPU ms
    an article, for its messages and wake-ups, on cores the workers need.
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
        self._setup = (options, site_options)
        self._context = pool_context()
        if isinstance(self._context, multiprocessing.context.ForkServerContext):
            # its preloads (some 1.2 CPU s) run beside the rest of the crawl's start, not
            # while the first page waits for its worker
            with main_hidden():
                multiprocessing.forkserver.ensure_running()
        self._running: list[_Worker] = []  # started at the first page
        self._closed = False

    async def clean(self, html: str, url: str, site: str) -> CleanResult:
        """Clean one page in a worker; a time-out or a dead worker gives a named drop."""
        await maybe_deferred_to_future(self._slots.acquire())
        self.use.page_in()
        try:
            page = _Page(url, page_message(self.task, self.timeout, html, url, site))
            self._least_busy().send(page)
            return await maybe_deferred_to_future(page.done)
        finally:
            self.use.page_out()
            self._slots.release()

    def close(self) -> None:
        """Stop the workers; pages still queued are abandoned (the crawl is over)."""
        self._closed = True
        running, self._running = self._running, []
        for worker in running:
            worker.stop()
        for worker in running:
            worker.process.join(_STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()

    def _least_busy(self) -> _Worker:
        if self._closed:
            raise RuntimeError("the cleaning pool is closed")
        while len(self._running) < self.workers:
            self._running.append(self._start())
        return min(self._running, key=lambda worker: len(worker.pages))

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        context: Any = self._context  # (BaseContext does not declare Process in typeshed)
        process = context.Process(target=serve, args=(theirs, *self._setup), daemon=True)
        # else the worker imports the crawl's main module (Scrapy's script, and Scrapy with
        # it: 1.1 CPU s a worker) before its first page
        with main_hidden():
            process.start()
        theirs.close()
        worker = _Worker(self, process)
        # imported here: at module level the import would install Twisted's default reactor
        # before Scrapy installs the one its settings name
        from twisted.internet import reactor

        reactor.adoptStreamConnection(ours.fileno(), ours.family, _Connecting(worker))
        ours.close()  # (the reactor has its own copy)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """A dead worker's pages, but the one that was running, to a new worker."""
        if worker in self._running:
            self._running.remove(worker)
        worker.process.join(_STOP_SECONDS)  # its socket closed as it ended: at once
        if self._closed:
            return
        for page in worker.pages:
            self._least_busy().send(page)


# How long a stopped worker is given to end, in seconds, before it is killed.
_STOP_SECONDS = 5.0
# A page still running this long past its time-out has a worker the alarm did not end
# (a hang in C code that holds the signal back): the worker is killed.
_KILL_AFTER_SECONDS = 1.0


class _Page:
    """A page on its way to a worker: its message, and the Deferred its result fires."""

    __slots__ = ("done", "message", "url")

    def __init__(self, url: str, message: bytes) -> None:
        self.url = url
        self.message = message
        self.done: Deferred[CleanResult] = Deferred()


class _Worker(Int32StringReceiver):
    """One worker process and its socket: the pages written to it, in order; the first is
    the one it is cleaning."""

    MAX_LENGTH = 2**32 - 1  # a result is as long as its page's text, whatever that is

    def __init__(self, pool: CleaningPool, process: BaseProcess) -> None:
        self.pool = pool
        self.process = process
        self.pages: deque[_Page] = deque()
        self.since = 0.0  # when the first page of ``pages`` started
        self.deadline: DelayedCall | None = None
        self.stopping = False
        self.ready = False  # set up (its language profiles and junk rules loaded)

    def send(self, page: _Page) -> None:
        self.pages.append(page)
        if len(self.pages) == 1 and self.ready:
            self._started()
        self.sendString(page.message)  # type: ignore[no-untyped-call]

    def stringReceived(self, string: bytes) -> None:
        if not self.ready:  # set up: the first page starts now
            self.ready = True
            if self.pages:
                self._started()
            return
        page = self.pages.popleft()
        self._cancel_deadline()
        if self.pages:
            self._started()
        try:
            ok, value = pickle.loads(string)
        except Exception as exc:  # (an error class this process cannot import)
            ok, value = False, exc
        if ok:
            page.done.callback(value)
        else:
            page.done.errback(value)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._cancel_deadline()
        if self.stopping:
            return
        if self.pages:
            page = self.pages.popleft()
            timeout = self.pool.timeout
            # ended by its alarm or killed by the deadline: the page ran past its time-out
            # (a worker that died before it was ready never started it)
            late = self.ready and timeout is not None and time.monotonic() - self.since >= timeout
            reason_name = "timeout" if late else "worker_crashed"
            page.done.callback(CleanResult(url=page.url, drop_reason=reason_name))
        self.pool._replace(self)

    def stop(self) -> None:
        """Close the socket: an idle worker ends at once; one with pages is ended."""
        self.stopping = True
        self._cancel_deadline()
        transport: Any = self.transport
        # abortConnection closes the socket at the reactor's next turn, and close() joins the
        # workers before that turn: each waited out _STOP_SECONDS and was killed (10 s at the
        # end of every crawl with two workers). Shut down now, the worker reads its end.
        with contextlib.suppress(OSError):  # closed already: the worker is gone
            transport.getHandle().shutdown(socket.SHUT_RDWR)
        transport.abortConnection()
        if self.pages:
            self.process.terminate()

    def _started(self) -> None:
        self.since = time.monotonic()
        if self.pool.timeout is not None:
            from twisted.internet import reactor

            seconds = self.pool.timeout + _KILL_AFTER_SECONDS
            clock: Any = reactor  # (typeshed's IReactorTime.callLater takes self first)
            self.deadline = clock.callLater(seconds, self._kill)

    def _kill(self) -> None:
        self.deadline = None
        self.process.kill()  # its socket closes: connectionLost

    def _cancel_deadline(self) -> None:
        if self.deadline is not None and self.deadline.active():
            self.deadline.cancel()
        self.deadline = None


class _Connecting(Factory):
    """Hands the reactor the worker whose socket it adopts."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker

    def buildProtocol(self, addr: object) -> _Worker:
        return self.worker


def pool_context() -> multiprocessing.context.BaseContext:
    """The way worker processes are started: a forkserver on Linux, spawn elsewhere."""
    # Not fork: forking a process that runs a reactor and threads copies their locks in
    # whatever state they are. The forkserver starts workers from a clean process that has
    # the cleaning modules imported already, so a replaced worker is ready in milliseconds.
    if sys.platform == "linux":
        context = multiprocessing.get_context("forkserver")
        # the default language profiles and junk rules loaded once, in the forkserver (and out
        # of the collector's sight there): not again in each worker (crawler.clean_preload)
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")

"""The shared frontier of a distributed crawl: scrapy-redis's scheduler, with leases.

Switched on by the add-on when ``REDIS_URL`` is set (``SCHEDULER``); without it Scrapy's own
scheduler runs, as before. Every key is one of this crawl's (``Cluster.key``):

- ``queue``: a sorted set of requests (scrapy-redis's priority queue: score ``-priority``,
  so sitemaps and feeds come first, then pages by link hops, as on one machine);
- ``fingerprints``: the requests seen in *this* crawl (``crawler.dupefilter``), so the next
  scheduled run, with a new crawl id, reads the sitemaps and feeds again; a fingerprint is
  added with its request, in one Lua script (``Frontier.enqueue``), so a worker killed in
  between cannot leave a request seen but never queued;
- ``inflight:<worker>``: a hash of the requests a worker has taken and not yet finished
  (lease id -> ``score|request``), moved there from the queue by one Lua script, so a
  request is always in exactly one of the two;
- ``heartbeat:<worker>``: a key with a time to live (``CLEANCRAWL_WORKER_TIMEOUT``) that the
  worker refreshes a few times per timeout; ``workers``: the set of workers with leases;
  ``starting``: the workers still queueing their start requests.

A lease ends (``release``) only once the request's outcome is durable: a page whose row is
written, when the Parquet file holding the row is renamed into place (``ParquetPipeline``
calls ``Leases.rows_committed``); a request yielding no row (a sitemap or feed, whose
requests are queued by then, a page dropped under a reason, an HTTP error), when its
callback or errback is done and its items are through the pipelines; a redirect or retry,
when the new request is queued. Any worker finding a worker whose heartbeat expired puts that
worker's leases back on the queue (``reap``): a worker killed with ``kill -9`` loses nothing,
its requests are fetched by the others (or by a worker started later). What it had
claimed but not queued (``crawler.leases.PageClaims``) is queued again by the parent
claiming it: a claim records its claimer.

A worker closes only when the queue is empty, no worker holds a lease and none alive is still
queueing its start requests (``spider_idle``: ``DontCloseSpider`` until then; a worker
starting may have claimed start URLs it has not queued yet); an idle worker first closes its
Parquet file, so its own leases end and no two idle workers wait on each other. The last
worker out clears the crawl id, so the next run starts a new crawl: in the same step as it
finds nothing outstanding, as a worker joins in one step counted as starting
(``crawler.cluster.join``), so no worker joins a crawl as it ends.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from itemadapter import is_item
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy_redis.dupefilter import RFPDupeFilter as RedisDupeFilter
from scrapy_redis.queue import Base as RedisQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.cluster import required_cluster
from crawler.dupefilter import count_filtered
from crawler.leases import AGAIN, LEASE, Frontier, Leases, lease_of, leases_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.dupefilters import BaseDupeFilter
    from scrapy.http import Response
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

    from crawler.cluster import Cluster

logger = logging.getLogger(__name__)

# How soon a worker that found the queue empty looks again. Scrapy's engine asks the
# scheduler again only when a download ends or at its heartbeat (every 5 s): a worker that
# started before the sitemaps were read, or that ran dry while others queued more, would
# idle for seconds with the queue full.
WAKE_SECONDS = 0.2


class LeasedQueue(RedisQueue):  # type: ignore[misc]
    """scrapy-redis's queue base (its request encoding), over the leasing ``Frontier``."""

    def __init__(self, frontier: Frontier, spider: Spider) -> None:
        super().__init__(frontier.client, spider, frontier.queue_key)
        self.frontier = frontier

    def __len__(self) -> int:
        return self.frontier.queued()

    def encode(self, request: Request) -> bytes:
        data: bytes = self._encode_request(request)
        return data

    def push(self, request: Request) -> None:
        self.frontier.push(self.encode(request), request.priority, site_of(request))

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.frontier.take()
        if taken is None:
            return None
        lease, data = taken
        request: Request = self._decode_request(data)
        request.meta[LEASE] = lease
        return request

    def clear(self) -> None:  # the queue is the crawl's, not this worker's: never cleared here
        pass


class LeasedScheduler(RedisScheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler over the leasing frontier.

    What differs from scrapy-redis's: requests are leased, not popped; the queue and the
    fingerprints are never flushed by a worker (they are the crawl's); the stats are counted
    without the ``spider=`` argument Scrapy 2.19 deprecates; the duplicate filter is built as
    Scrapy builds one (``DUPEFILTER_CLASS``, ``from_crawler``): cleancrawl's counts what it
    filters; and the worker stays open while any other holds a lease.
    """

    def __init__(self, crawler: Crawler, leases: Leases, dupefilter: BaseDupeFilter) -> None:
        frontier = leases.frontier
        super().__init__(
            frontier.client,
            persist=True,
            queue_key=frontier.queue_key,
            dupefilter=dupefilter,
            dupefilter_key=frontier.cluster.key("fingerprints"),
        )
        self.crawler = crawler
        self.stats = crawler.stats
        self.leases = leases
        self.frontier = frontier
        self._timer: AsyncioLoopingCall | LoopingCall | None = None
        self._waking: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        leases = leases_for(crawler)
        if leases is None:
            raise NotConfigured("LeasedScheduler runs in distributed mode only (REDIS_URL)")
        dupefilter = build_from_crawler(load_object(crawler.settings["DUPEFILTER_CLASS"]), crawler)
        return cls(crawler, leases, dupefilter)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.frontier, spider)
        self.df.open()
        if not self.frontier.open():
            logger.warning(
                "Crawl %s ended while worker %s was starting: nothing to do (a worker started"
                " now begins the next crawl)",
                self.frontier.cluster.crawl_id,
                self.frontier.worker,
            )
            return
        if earlier := self.frontier.take_over():
            logger.info(
                "Worker %s restarted: put back %d requests it had leased",
                self.frontier.worker,
                earlier,
            )
        # an earlier process under this worker id left its unfinished file (whether its
        # leases came back here or another worker put them back first): fetched again
        remove_stale_files(self.crawler, self.frontier)
        moved = self.frontier.reap()  # (the first heartbeat was open's)
        if moved:
            logger.info("Put back %d requests leased by workers that stopped", moved)
        logger.info(
            "Worker %s in crawl %s (%d requests queued)",
            self.frontier.worker,
            self.frontier.cluster.crawl_id,
            self.frontier.queued(),
        )
        interval = max(0.2, self.frontier.timeout_ms / 3000)
        self._timer = create_looping_call(self._beat)
        self._timer.start(interval, now=False)
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)
        self.crawler.signals.connect(self._queue_empty, signal=signals.scheduler_empty)
        self.crawler.signals.connect(self.leases.item_finished, signal=signals.item_dropped)
        self.crawler.signals.connect(self.leases.item_finished, signal=signals.item_error)
        self.crawler.signals.connect(self.leases.item_scraped, signal=signals.item_scraped)
        # connected after ParquetPipeline's spider_closed (built with the engine, before the
        # scheduler): its last file is closed, and its rows' leases ended, before this runs
        self.crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _beat(self) -> None:
        self.frontier.heartbeat()
        self.leases.flush(snapshot=True)  # a killed worker's stats as of its last beat
        if moved := self.frontier.reap():
            logger.info("Put back %d requests leased by workers that stopped", moved)

    def _queue_empty(self) -> None:
        """The engine found the queue empty: look again every ``WAKE_SECONDS`` until it is
        not, then have the engine ask for requests (not at its next heartbeat, 5 s on)."""
        if self._waking is None or not self._waking.running:
            self._waking = create_looping_call(self._wake)
            self._waking.start(WAKE_SECONDS, now=False)

    def _wake(self) -> None:
        if not self.frontier.queued():
            return
        if self._waking is not None and self._waking.running:
            self._waking.stop()
        # no public call for it: what the engine's own heartbeat calls
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def close(self, reason: str) -> None:
        for timer in (self._timer, self._waking):
            if timer is not None and timer.running:
                timer.stop()
        self.df.close(reason)

    def _closed(self, reason: str) -> None:
        self.leases.flush()
        # a lease still held was not finished (a stop before the end): fetched by another
        self.frontier.leave()
        if self.frontier.end_crawl():
            logger.info(
                "Crawl %s is over: the next run starts a new one", self.frontier.cluster.crawl_id
            )

    def enqueue_request(self, request: Request) -> bool:
        if self.frontier.late:
            return False  # queued under the ended crawl, its pages would be fetched again
        lease = request.meta.get(LEASE)
        if lease is not None:
            # a redirect or retry of a leased request, made by a downloader middleware: it
            # is queued as a request of its own, and its parent's lease ends with it
            del request.meta[LEASE]
            if self.leases.downloading(lease):
                self.leases.forget(lease)  # ended by the enqueue, in the same step
            else:
                lease = None  # a request that copied its response's meta: not a follow-up
        # queued again by its claimer (crawler.leases.PageClaims): if the crawl has seen it,
        # the first claim queued it, and it is no duplicate of itself
        again = request.meta.pop(AGAIN, False)
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        # the fingerprint and the request in one step: never one without the other
        queued = self.frontier.enqueue(
            self.queue.encode(request),
            request.priority,
            site_of(request),
            fingerprint=fingerprint,
            lease=lease,
        )
        if again and self.stats:
            # queued: its first claimer died before queueing it; seen: it did queue it
            self.stats.inc_value("frontier/requeued" if queued else "frontier/requeued_seen")
        if not queued:
            if not again:
                count_filtered(self.stats, request)
                self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.frontier.late:
            return None
        request: Request | None = self.queue.pop()
        if request is not None:
            self.leases.taken(request.meta[LEASE])
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    def _idle(self) -> None:
        self.leases.idle()
        if moved := self.frontier.reap():
            logger.info("Put back %d requests leased by workers that stopped", moved)
        if self.frontier.outstanding():
            # other workers still hold leases (whose pages may link to more) or the queue
            # was refilled: stay, and take what comes
            raise DontCloseSpider


def site_of(request: Request) -> str:
    return urlparse_cached(request).hostname or ""


def remove_stale_files(crawler: Crawler, frontier: Frontier) -> None:
    """Remove the temporary Parquet files an earlier process of this worker left (killed
    before it closed them): their rows are fetched again, as their leases were put back.

    Only files named with this crawl id and this worker id (``ParquetPipeline``'s names):
    no other live process writes under both names.
    """
    directory = Path(crawler.settings.get("CLEANCRAWL_OUTPUT_DIR") or ".")
    crawl_id, worker = frontier.cluster.crawl_id, frontier.worker
    # (not w0010's or alpha2's files for w001 or alpha)
    own = re.compile(rf"\..*-{re.escape(crawl_id)}-{re.escape(worker)}-\d+\.parquet\.tmp")
    for path in directory.glob(f".*{crawl_id}-{worker}-*.parquet.tmp"):
        if not own.fullmatch(path.name):
            continue
        logger.info("Removing %s, left by a killed process of this worker", path)
        path.unlink(missing_ok=True)


class _LeaseMiddleware:
    """A middleware of the leased frontier: built only in distributed mode (REDIS_URL)."""

    def __init__(self, leases: Leases) -> None:
        self.leases = leases

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        leases = leases_for(crawler)
        if leases is None:
            raise NotConfigured("distributed mode only (REDIS_URL)")
        return cls(leases)


class LeaseOutput(_LeaseMiddleware):
    """Spider middleware: a response's lease waits for its callback's output.

    Requests the callback yields are queued (the engine queues each as it comes) before the
    lease ends; each item holds the lease until it is dropped or its row is committed.
    Enabled with the frontier (distributed mode); lowest order, so it sees the final output.
    """

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        lease = lease_of(response)
        if lease is not None:
            self.leases.scraping(lease)
        try:
            async for output in result:
                if isinstance(output, Request):
                    output.meta.pop(LEASE, None)  # a child has no lease before it is taken
                elif lease is not None and is_item(output):
                    self.leases.item_yielded(lease, output)
                yield output
        finally:
            self.leases.done(lease)


class LeaseFailures(_LeaseMiddleware):
    """Downloader middleware: a request that failed for good ends its lease.

    Lowest order, so its ``process_exception`` is the last asked: reached only when no other
    middleware turned the failure into a retry or a response. The errback that follows
    (``TechNewsSpider.on_error``) counts the failure and yields nothing.
    """

    def process_exception(self, request: Request, exception: BaseException) -> None:
        lease = request.meta.get(LEASE)
        if lease is not None and self.leases.downloading(lease):
            self.leases.done(lease)


class SharedDupeFilter(RedisDupeFilter):  # type: ignore[misc]
    """The crawl's fingerprints in Redis, shared by its workers, counting what it filters.

    scrapy-redis's filter, with Scrapy's fingerprints (``REQUEST_FINGERPRINTER_CLASS``, as on
    one machine) under a key of this crawl (``Cluster.key("fingerprints")``): the next run,
    with a new crawl id, reads the sitemaps and feeds again. A filtered page is counted as
    ``CountingDupeFilter`` counts it. The set is not deleted when a worker closes
    (scrapy-redis's filter deletes it): the others still use it; it goes with the frontier
    when the crawl is over (``Frontier.end_crawl``).
    """

    def __init__(self, crawler: Crawler, cluster: Cluster) -> None:
        debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        super().__init__(cluster.client, key=cluster.key("fingerprints"), debug=debug)
        self.stats = crawler.stats
        self.fingerprinter = crawler.request_fingerprinter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, required_cluster(crawler))

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def request_seen(self, request: Request) -> bool:
        seen: bool = super().request_seen(request)
        if seen:
            count_filtered(self.stats, request)
        return seen

    def close(self, reason: str = "") -> None:
        pass

"""Politeness for the whole crawl, not per process: one shared gate per site in Redis.

Design (distributed mode only, ``REDIS_URL``): every request passes a per-domain gate in
Redis before it reaches Scrapy's downloader. The gate of a download slot (its host, as
Scrapy's downloader keys slots) holds

- ``next``: the earliest time (Redis's own clock, so machines need not agree on theirs) the
  next request of the slot may start, set to now + the slot's delay by every request let
  through: the delay holds between *any* two requests of the crawl, whichever workers send
  them;
- ``holders``: the requests let through and not yet answered, each with an expiry, at most
  ``CONCURRENT_REQUESTS_PER_DOMAIN`` for the whole crawl. A request's place is given back
  when its response or error comes; a worker killed mid-download gives back nothing, and its
  places expire after ``DOWNLOAD_TIMEOUT`` (twice, plus a minute).

The delay is the slot's as Scrapy knows it in this process (``DOWNLOAD_DELAY``, the
``Crawl-delay`` of robots.txt, AutoThrottle's), so the gate adds no setting: N workers share
what one would do alone. Scrapy's own per-process delay and concurrency still apply after the
gate; a request waiting at the gate waits in the middleware, not in the queue (it is leased).
``max_pages``, ``max_sitemaps`` and ``max_sitemap_urls`` are counted in Redis by the spider
(``crawler.leases.PageClaims``).

Why a gate and not domain-sharded queues: the queue stays scrapy-redis's one priority queue
(sitemaps and feeds first, pages by link hops, across sites), leases stay one step, and the
gate also covers requests that never pass the scheduler (robots.txt).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Self

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

from crawler.cluster import required_cluster

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.cluster import Cluster

TOKEN = "cleancrawl_gate"  # request meta: the request's place at its slot's gate
POLL_SECONDS = 0.05  # how soon to ask again when the slot is full

# KEYS: holders (sorted set: token -> expiry), next (ms); ARGV: concurrency, delay ms,
# hold ms, token. 0: let through; > 0: wait that many ms; -1: full, ask again soon.
_PASS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local next_at = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_at then return next_at - now end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local delay = tonumber(ARGV[2])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay) end
return 0
"""


class SharedPoliteness:
    """Downloader middleware: each request waits for its slot's gate in Redis (see above)."""

    def __init__(self, crawler: Crawler, cluster: Cluster) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.cluster = cluster
        self.concurrency = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self.hold_ms = int((2 * settings.getfloat("DOWNLOAD_TIMEOUT") + 60) * 1000)
        self._pass = cluster.client.register_script(_PASS)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, required_cluster(crawler))

    def slot_of(self, request: Request) -> str:
        return str(request.meta.get("download_slot") or urlparse_cached(request).hostname or "")

    def slot_delay(self, slot: str) -> float:
        """The slot's delay in this process: DOWNLOAD_DELAY, Crawl-delay, AutoThrottle's."""
        engine = self.crawler.engine
        slots: dict[str, Any] = getattr(getattr(engine, "downloader", None), "slots", {}) or {}
        local = slots.get(slot)
        return max(self.delay, float(getattr(local, "delay", 0.0) or 0.0))

    async def process_request(self, request: Request) -> None:
        slot = self.slot_of(request)
        keys = [self.cluster.key("politeness", slot, part) for part in ("holders", "next")]
        token = secrets.token_hex(8)
        while True:
            delay_ms = int(self.slot_delay(slot) * 1000)
            wait = int(
                self._pass(keys=keys, args=[self.concurrency, delay_ms, self.hold_ms, token])
            )
            if wait == 0:
                request.meta[TOKEN] = (keys[0], token)
                return
            seconds = POLL_SECONDS if wait < 0 else wait / 1000
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(deferLater(reactor, seconds))

    def _leave(self, request: Request) -> None:
        place = request.meta.pop(TOKEN, None)
        if place is not None:
            self.cluster.client.zrem(*place)

    def process_response(self, request: Request, response: Response) -> Response:
        self._leave(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._leave(request)

"""This worker's leases on the shared frontier, and the frontier's steps in Redis.

No Scrapy component here (they are in ``crawler.frontier``, which needs scrapy-redis): the
pipelines and the spider use these in distributed mode only, and import them without the
redis extra installed. See ``crawler.frontier`` for the design.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from itemadapter import ItemAdapter, is_item
from scrapy.utils.asyncio import call_later

from crawler.cluster import cluster_for

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import redis
    from scrapy.crawler import Crawler

    from crawler.cluster import Cluster
    from crawler.sites import Site

LEASE = "cleancrawl_lease"  # request meta: the lease id of a request taken from the queue

# Take the first request of the queue and lease it to a worker, in one step: the request is
# always either queued or leased, never both or neither. The hash value keeps the score, so a
# request put back keeps its priority.
_TAKE = """
local item = redis.call('ZPOPMIN', KEYS[1])
if #item == 0 then return false end
local id = redis.sha1hex(item[1])
redis.call('HSET', KEYS[2], id, item[2] .. '|' .. item[1])
return {id, item[1]}
"""

# Queue a request (KEYS: queue, the push count of its site; ARGV: -priority, request). The
# score is -priority plus n/(n+1) for the n-th request of its site: higher priorities first,
# and within one priority the sites take turns (each one's requests first in, first out), so
# workers do not all take the requests of one site and wait at its gate (crawler/politeness.py).
_PUSH = """
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + n / (n + 1), ARGV[2])
return n
"""

# Put back the leases of every worker whose heartbeat expired (ARGV: key prefixes).
_REAP = """
local moved = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[2] .. worker) == 0 then
    local leases = redis.call('HGETALL', ARGV[1] .. worker)
    for i = 2, #leases, 2 do
      local bar = string.find(leases[i], '|', 1, true)
      redis.call('ZADD', KEYS[2], tonumber(string.sub(leases[i], 1, bar - 1)),
                 string.sub(leases[i], bar + 1))
      moved = moved + 1
    end
    redis.call('DEL', ARGV[1] .. worker)
    redis.call('SREM', KEYS[1], worker)
  end
end
return moved
"""

# Put back every lease of one worker (KEYS: its in-flight hash, the queue).
_RETURN = """
local leases = redis.call('HGETALL', KEYS[1])
for i = 2, #leases, 2 do
  local bar = string.find(leases[i], '|', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(leases[i], 1, bar - 1)),
             string.sub(leases[i], bar + 1))
end
redis.call('DEL', KEYS[1])
return #leases / 2
"""

# Requests queued or leased, by anyone: 0 means the crawl is over.
_OUTSTANDING = """
local n = redis.call('ZCARD', KEYS[2])
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  n = n + redis.call('HLEN', ARGV[1] .. worker)
end
return n
"""

# Count a page URL of a site against its max_pages, for the whole crawl:
# 1 counted now, 0 counted already, -1 the site is full.
_CLAIM_PAGE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""

# Count a sitemap or feed URL of a site against its max_sitemaps, for the whole crawl (KEYS:
# the site's sitemaps requested, its entries read; ARGV: url, max_sitemaps, max_sitemap_urls):
# 1 counted now, 0 counted already, -1 the site has max_sitemaps, -2 max_sitemap_urls are read.
_CLAIM_SITEMAP = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[3]) then return -2 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""

# Read up to ARGV[1] more sitemap or feed entries of a site, within its max_sitemap_urls
# (ARGV[2]) for the whole crawl: how many may be read (counted as read).
_READ_ENTRIES = """
local room = tonumber(ARGV[2]) - tonumber(redis.call('GET', KEYS[1]) or '0')
local n = math.min(tonumber(ARGV[1]), room)
if n <= 0 then return 0 end
redis.call('INCRBY', KEYS[1], n)
return n
"""

# Delete a key only if it still holds ARGV[1] (the crawl id of the crawl that ended).
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Frontier:
    """The frontier's keys in Redis and the few atomic steps on them (no Scrapy here)."""

    def __init__(self, cluster: Cluster, timeout: float) -> None:
        self.cluster = cluster
        self.client: redis.Redis = cluster.client
        self.worker = cluster.worker_id
        self.timeout_ms = max(1, int(timeout * 1000))
        self.queue_key = cluster.key("queue")
        self.workers_key = cluster.key("workers")
        self._inflight_prefix = cluster.key("inflight") + ":"
        self._heartbeat_prefix = cluster.key("heartbeat") + ":"
        self.inflight_key = self._inflight_prefix + self.worker
        self._take = self.client.register_script(_TAKE)
        self._push = self.client.register_script(_PUSH)
        self._reap = self.client.register_script(_REAP)
        self._return = self.client.register_script(_RETURN)
        self._outstanding = self.client.register_script(_OUTSTANDING)
        self._claim = self.client.register_script(_CLAIM_PAGE)
        self._claim_sitemap = self.client.register_script(_CLAIM_SITEMAP)
        self._read_entries = self.client.register_script(_READ_ENTRIES)
        self._delete_if = self.client.register_script(_DELETE_IF)

    def heartbeat(self) -> None:
        """Say this worker is alive for one more timeout."""
        pipe = self.client.pipeline()
        pipe.set(self._heartbeat_prefix + self.worker, 1, px=self.timeout_ms)
        pipe.sadd(self.workers_key, self.worker)
        pipe.execute()

    def push(self, data: bytes, priority: int, site: str = "") -> None:
        self._push(keys=[self.queue_key, self.cluster.key("pushed", site)], args=[-priority, data])

    def take(self) -> tuple[str, bytes] | None:
        """Lease the first queued request to this worker: (lease id, request), or None."""
        taken = self._take(keys=[self.queue_key, self.inflight_key])
        if not taken:
            return None
        lease, data = taken
        return (lease.decode() if isinstance(lease, bytes) else str(lease)), data

    def release(self, *leases: str, also: Callable[[Any], None] | None = None) -> None:
        """End ``leases``; ``also(pipeline)`` adds writes to the same transaction (the
        worker's stats snapshot, ``crawler.crawl_stats``)."""
        if also is None:
            if leases:
                self.client.hdel(self.inflight_key, *leases)
            return
        pipe = self.client.pipeline()
        if leases:
            pipe.hdel(self.inflight_key, *leases)
        also(pipe)
        pipe.execute()

    def replace(self, lease: str, data: bytes, priority: int, site: str = "") -> None:
        """End a lease and queue its follow-up (a redirect, a retry) in one transaction."""
        pipe = self.client.pipeline()
        keys = [self.queue_key, self.cluster.key("pushed", site)]
        self._push(keys=keys, args=[-priority, data], client=pipe)
        pipe.hdel(self.inflight_key, lease)
        pipe.execute()

    def leases(self) -> list[str]:
        keys = self.client.hkeys(self.inflight_key)
        return [k.decode() if isinstance(k, bytes) else str(k) for k in keys]

    def reap(self) -> int:
        """Queue again the leases of workers whose heartbeat expired; how many."""
        keys = [self.workers_key, self.queue_key]
        return int(self._reap(keys=keys, args=[self._inflight_prefix, self._heartbeat_prefix]))

    def take_over(self) -> int:
        """Put back the leases held under this worker's id by an earlier process (killed,
        restarted with the same ``CLEANCRAWL_WORKER_ID``): they were never finished."""
        return int(self._return(keys=[self.inflight_key, self.queue_key]))

    def outstanding(self) -> int:
        """Requests queued or leased by any worker."""
        keys = [self.workers_key, self.queue_key]
        return int(self._outstanding(keys=keys, args=[self._inflight_prefix]))

    def queued(self) -> int:
        return int(self.client.zcard(self.queue_key))

    def leave(self) -> None:
        """This worker stops: its leases not ended go back on the queue, it leaves the set."""
        self.client.delete(self._heartbeat_prefix + self.worker)
        self.reap()

    def claim_page(self, site: str, url: str, max_pages: int) -> int:
        """Count ``url`` against the site's ``max_pages`` for the whole crawl (1, 0 or -1)."""
        key = self.cluster.key("pages", site)
        return int(self._claim(keys=[key], args=[url, max_pages]))

    def claim_sitemap(self, site: str, url: str, max_sitemaps: int, max_sitemap_urls: int) -> int:
        """Count a sitemap or feed against the site's ``max_sitemaps`` for the whole crawl (1,
        0 or -1; -2: the site's ``max_sitemap_urls`` entries are read)."""
        keys = [self.cluster.key("sitemaps", site), self.cluster.key("sitemap_urls", site)]
        return int(self._claim_sitemap(keys=keys, args=[url, max_sitemaps, max_sitemap_urls]))

    def read_entries(self, site: str, wanted: int, max_sitemap_urls: int) -> int:
        """How many of ``wanted`` more sitemap or feed entries of the site may be read within
        its ``max_sitemap_urls`` for the whole crawl (counted as read)."""
        key = self.cluster.key("sitemap_urls", site)
        return int(self._read_entries(keys=[key], args=[wanted, max_sitemap_urls]))

    def end_crawl(self) -> bool:
        """If nothing is queued or leased, clear the crawl id (the next run starts a new
        crawl) and the crawl's keys but its merged stats (``crawler.crawl_stats``): the
        frontier's, the worker numbers (``crawler.cluster.join``), the text claims, template
        decisions and own near-duplicate index (``crawler.shared_state``); True if the
        crawl is over."""
        if self.outstanding():
            return False
        cluster = self.cluster
        self._delete_if(keys=[cluster.shared_key("crawl_id")], args=[cluster.crawl_id])
        parts = ("queue", "fingerprints", "workers", "worker_numbers", "claims")
        mine = [cluster.key(part) for part in parts]
        for part in (
            *("pages", "sitemaps", "sitemap_urls", "pushed", "politeness"),
            *("template", "neardup"),
        ):
            mine += list(self.client.scan_iter(match=cluster.key(part, "*")))
        self.client.delete(*mine)
        return True


class Leases:
    """This worker's leases: what each still waits for before it may end.

    A lease counts its open obligations: the request itself (until its callback or errback is
    done, or its redirect or retry is queued) and each item it yielded (until the item is
    dropped, or its row is in a renamed Parquet file). At 0 the lease ends.
    """

    def __init__(self, frontier: Frontier) -> None:
        self.frontier = frontier
        self._open: dict[str, int] = {}
        self._downloading: set[str] = set()
        self._rows: dict[str, list[str]] = defaultdict(list)  # row URL -> leases
        self._ended: list[str] = []  # leases to end on the next turn of the loop
        self._commit: Callable[[], None] | None = None
        self.writes_rows = False
        # queues this worker's stats snapshot on a pipeline (``SharedStats``): written with
        # every lease ended, so the snapshot holds what the ended leases did
        self.snapshot: Callable[[Any], None] | None = None

    # -- the request's own obligation

    def taken(self, lease: str) -> None:
        self._open[lease] = 1
        self._downloading.add(lease)

    def downloading(self, lease: str) -> bool:
        return lease in self._downloading

    def scraping(self, lease: str) -> None:
        self._downloading.discard(lease)

    def forget(self, lease: str) -> None:
        """A lease the caller ends itself (its follow-up request queued in its place)."""
        self._downloading.discard(lease)
        self._open.pop(lease, None)

    def done(self, lease: str | None) -> None:
        """One obligation of ``lease`` met."""
        if lease is None or lease not in self._open:
            return
        self._downloading.discard(lease)
        self._open[lease] -= 1
        if self._open[lease] <= 0:
            del self._open[lease]
            self._ended.append(lease)
            call_later(0, self.flush)

    # -- items

    def item_yielded(self, lease: str, item: Any) -> None:
        if lease in self._open:
            self._open[lease] += 1
            self._rows[_url(item)].append(lease)

    def item_finished(self, item: Any, response: Any) -> None:
        """An item dropped or failed in the pipelines: its obligation is met."""
        self._forget_row(_url(item), lease_of(response))

    def item_scraped(self, item: Any, response: Any) -> None:
        if not self.writes_rows:  # no Parquet file to wait for (Parquet off)
            self._forget_row(_url(item), lease_of(response))

    def _forget_row(self, url: str, lease: str | None) -> None:
        leases = self._rows.get(url)
        if lease is not None and leases and lease in leases:
            leases.remove(lease)
            if not leases:
                del self._rows[url]
            self.done(lease)

    def rows_committed(self, path: Path, urls: list[Any]) -> None:
        """``before_rename`` of the Parquet writer: the leases of these rows end once the
        file is renamed into place (on the next turn of the loop, after the rename)."""
        for url in urls:
            for lease in self._rows.pop(str(url), []):
                self.done(lease)

    def committing_with(self, commit: Callable[[], None]) -> None:
        """How to close the current Parquet file (called when the worker is idle)."""
        self._commit = commit
        self.writes_rows = True

    # -- ending leases

    def flush(self, snapshot: bool = False) -> None:
        """End the leases done, with a stats snapshot if any (or ``snapshot``: a heartbeat)."""
        ended, self._ended = self._ended, []
        also = self.snapshot if ended or snapshot else None
        self.frontier.release(*ended, also=also)

    def idle(self) -> None:
        """Nothing is downloading, scraping or in the pipelines: close the Parquet file,
        so every row is committed, and end every lease this worker holds (all are done)."""
        if self._commit is not None:
            self._commit()
        self._open.clear()
        self._downloading.clear()
        self._rows.clear()
        self._ended.clear()
        self.frontier.release(*self.frontier.leases(), also=self.snapshot)


_leases: WeakKeyDictionary[Crawler, Leases] = WeakKeyDictionary()


def leases_for(crawler: Crawler) -> Leases | None:
    """This worker's ``Leases`` in distributed mode (``REDIS_URL``), else None."""
    if crawler in _leases:
        return _leases[crawler]
    cluster = cluster_for(crawler)
    if cluster is None:
        return None
    timeout = crawler.settings.getfloat("CLEANCRAWL_WORKER_TIMEOUT")
    leases = _leases[crawler] = Leases(Frontier(cluster, timeout))
    return leases


def _url(item: Any) -> str:
    return str(ItemAdapter(item).get("url")) if is_item(item) else ""


def lease_of(response: Any) -> str | None:
    meta = getattr(response, "meta", None) if response is not None else None
    try:
        return meta.get(LEASE) if meta is not None else None
    except AttributeError:  # a response without a request
        return None


class PageClaims:
    """``max_pages``, ``max_sitemaps`` and ``max_sitemap_urls`` of every site counted for the
    whole crawl, in Redis."""

    def __init__(self, frontier: Frontier) -> None:
        self.frontier = frontier
        self.full: set[str] = set()  # sites at max_pages: no need to ask Redis again

    def claim(self, site: str, url: str, max_pages: int) -> int:
        """1: the page is this worker's to queue; 0: queued by someone already; -1: the site
        has max_pages pages queued."""
        if site in self.full:
            return -1
        verdict = self.frontier.claim_page(site, url, max_pages)
        if verdict < 0:
            self.full.add(site)
        return verdict

    def claim_sitemap(self, site: Site, url: str) -> int:
        """1: the sitemap or feed is this worker's to request; 0: requested by someone
        already; -1: the site has max_sitemaps requested; -2: max_sitemap_urls read."""
        return self.frontier.claim_sitemap(site.name, url, site.max_sitemaps, site.max_sitemap_urls)

    def read_entries(self, site: Site, wanted: int) -> int:
        """How many of ``wanted`` sitemap or feed entries this worker may read now."""
        return self.frontier.read_entries(site.name, wanted, site.max_sitemap_urls)


def page_claims(crawler: Crawler) -> PageClaims | None:
    leases = leases_for(crawler)
    return PageClaims(leases.frontier) if leases is not None else None

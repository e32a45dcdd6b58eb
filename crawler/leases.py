"""This worker's leases on the shared frontier, and the frontier's steps in Redis.

No Scrapy component here (they are in ``crawler.frontier``, which needs scrapy-redis): the
pipelines and the spider use these in distributed mode only, and import them without the
redis extra installed. See ``crawler.frontier`` for the design.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from itemadapter import ItemAdapter, is_item
from scrapy.utils.asyncio import call_later

from crawler.cluster import cluster_for, text

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import redis
    from scrapy.crawler import Crawler

    from crawler.cluster import Cluster
    from crawler.sites import Site

LEASE = "cleancrawl_lease"  # request meta: the lease id of a request taken from the queue
# request meta: a request queued again by its claimer (PageClaims, verdict 2): if the crawl
# has seen it, it was queued by the first claim, so it is filtered without being counted
AGAIN = "cleancrawl_again"

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

# Put back the leases of every worker whose heartbeat expired, and forget it was starting
# (KEYS: workers, queue, starting; ARGV: in-flight and heartbeat key prefixes).
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
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('EXISTS', ARGV[2] .. worker) == 0 then redis.call('SREM', KEYS[3], worker) end
end
return moved
"""

# Queue a request unless the crawl has seen its fingerprint, and end the lease of the request
# it follows (a redirect or retry), in one step (KEYS: fingerprints, queue, the push count of
# its site, the worker's in-flight hash; ARGV: fingerprint or '' (not filtered), -priority,
# request, lease or ''): 1 queued, 0 seen. One step, so that a worker killed in between
# cannot leave a fingerprint whose request was never queued: its parent, fetched again,
# would find it seen, and it would be lost.
_ENQUEUE = """
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[4], ARGV[4]) end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + n / (n + 1), ARGV[3])
return 1
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

# Requests queued or leased, by anyone, and workers still queueing their start requests
# (KEYS: workers, queue, starting; ARGV: in-flight and heartbeat key prefixes): 0 means the
# crawl is over. A starting worker counts while its heartbeat lives: it may have claimed
# start URLs it has not queued yet, so an empty queue does not mean the end.
_COUNT = """
local n = redis.call('ZCARD', KEYS[2])
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  n = n + redis.call('HLEN', ARGV[1] .. worker)
end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  n = n + redis.call('EXISTS', ARGV[2] .. worker)
end
"""
_OUTSTANDING = _COUNT + "return n\n"

# End the crawl if nothing is outstanding (as above; KEYS also: the crawl id key; ARGV also:
# this crawl's id): 1 if it is over (its id cleared, if no other crawl's id is there yet).
# The count and the clearing in one step, as a worker joins in one step
# (crawler.cluster._JOIN): either it joined first, counts as starting and the crawl goes on,
# or it finds no crawl id and starts a new crawl.
_END = (
    _COUNT
    + """
if n > 0 then return 0 end
if redis.call('GET', KEYS[4]) == ARGV[3] then redis.call('DEL', KEYS[4]) end
return 1
"""
)

# Claims. A page, sitemap or feed URL is claimed (counted against its site's max_pages or
# max_sitemaps) before its request reaches the queue; a worker killed in between would lose
# it, as its parent, fetched again by another worker, would find it claimed. So a claim
# records its claimer (a digest of the parent's URL, or of "start" for the sites file's
# URLs): the same claimer claiming again, a parent processed again after its worker died or
# a worker running start(), gets 2 and queues the URL again, not counted twice (the crawl's
# fingerprints filter it if it was queued); any other claimer gets 0 and the claimer's id.

# Count a page, sitemap or feed URL of a site against its max_pages or max_sitemaps, for the
# whole crawl (KEYS: the site's claims, URL -> claimer, and for a sitemap its entries read;
# ARGV: url, the limit, claimer, and for a sitemap max_sitemap_urls): {1} counted now, {2}
# claimed by this claimer before, {0, claimer} by another one, {-1} the site is full, {-2}
# max_sitemap_urls entries are read.
_CLAIM = """
local claimer = redis.call('HGET', KEYS[1], ARGV[1])
if claimer then
  if claimer == ARGV[3] then return {2, claimer} end
  return {0, claimer}
end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return {-1, ''} end
if KEYS[2] and tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[4]) then
  return {-2, ''}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {1, ARGV[3]}
"""

# Read up to ARGV[1] more entries of one sitemap or feed (ARGV[3]) of a site, within its
# max_sitemap_urls (ARGV[2]) for the whole crawl (KEYS: the site's entries read, the entries
# each sitemap read): how many may be read (counted as read). A sitemap read again (its
# worker died before its pages were queued) reads what it read the first time, not counted
# twice.
_READ_ENTRIES = """
local before = redis.call('HGET', KEYS[2], ARGV[3])
if before then return math.min(tonumber(before), tonumber(ARGV[1])) end
local room = tonumber(ARGV[2]) - tonumber(redis.call('GET', KEYS[1]) or '0')
local n = math.max(0, math.min(tonumber(ARGV[1]), room))
redis.call('HSET', KEYS[2], ARGV[3], n)
if n > 0 then redis.call('INCRBY', KEYS[1], n) end
return n
"""


# A worker's first heartbeat, as its frontier opens (KEYS: the crawl id key, its heartbeat,
# workers, starting; ARGV: this crawl's id, the worker, the timeout in ms): 0 if the crawl
# ended meanwhile. A worker joins as starting with a heartbeat (crawler.cluster._JOIN), but
# its opening (settings, pipelines, state) may outlast that heartbeat, and the crawl end
# without it: it must not then run under the ended id, where it would fetch every page again.
_OPEN = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], 1, 'PX', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
return 1
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
        self.starting_key = cluster.key("starting")
        self._inflight_prefix = cluster.key("inflight") + ":"
        self._heartbeat_prefix = cluster.key("heartbeat") + ":"
        self.inflight_key = self._inflight_prefix + self.worker
        self._take = self.client.register_script(_TAKE)
        self._push = self.client.register_script(_PUSH)
        self._enqueue = self.client.register_script(_ENQUEUE)
        self._reap = self.client.register_script(_REAP)
        self._return = self.client.register_script(_RETURN)
        self._outstanding = self.client.register_script(_OUTSTANDING)
        self._claim = self.client.register_script(_CLAIM)
        self._read_entries = self.client.register_script(_READ_ENTRIES)
        self._end = self.client.register_script(_END)
        self._open = self.client.register_script(_OPEN)
        self.late = False  # the crawl ended before this worker opened (``open``)

    def open(self) -> bool:
        """This worker's first heartbeat, if its crawl is still on; else False (``late``):
        it ended while this worker was starting, and the worker has nothing to do."""
        cluster = self.cluster
        keys = [cluster.shared_key("crawl_id"), self._heartbeat_prefix + self.worker]
        keys += [self.workers_key, self.starting_key]
        self.late = not self._open(keys=keys, args=[cluster.crawl_id, self.worker, self.timeout_ms])
        return not self.late

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

    def enqueue(
        self,
        data: bytes,
        priority: int,
        site: str = "",
        *,
        fingerprint: str | None,
        lease: str | None = None,
    ) -> bool:
        """Queue a request unless its ``fingerprint`` was seen in this crawl (None: never
        filtered), and end ``lease``, the request it follows (a redirect, a retry), in one
        step; False if it was seen."""
        keys = [
            self.cluster.key("fingerprints"),
            self.queue_key,
            self.cluster.key("pushed", site),
            self.inflight_key,
        ]
        args: list[str | int | bytes] = [fingerprint or "", -priority, data, lease or ""]
        return bool(self._enqueue(keys=keys, args=args))

    def leases(self) -> list[str]:
        keys = self.client.hkeys(self.inflight_key)
        return [k.decode() if isinstance(k, bytes) else str(k) for k in keys]

    def reap(self) -> int:
        """Queue again the leases of workers whose heartbeat expired; how many."""
        keys = [self.workers_key, self.queue_key, self.starting_key]
        return int(self._reap(keys=keys, args=[self._inflight_prefix, self._heartbeat_prefix]))

    def starting(self) -> None:
        """This worker is queueing its start requests: until ``started``, or its heartbeat
        expires, the crawl is not over (it may hold claims of requests not queued yet)."""
        self.client.sadd(self.starting_key, self.worker)

    def started(self) -> None:
        self.client.srem(self.starting_key, self.worker)

    def take_over(self) -> int:
        """Put back the leases held under this worker's id by an earlier process (killed,
        restarted with the same ``CLEANCRAWL_WORKER_ID``): they were never finished."""
        return int(self._return(keys=[self.inflight_key, self.queue_key]))

    def outstanding(self) -> int:
        """Requests queued or leased by any worker, and workers alive still queueing their
        start requests."""
        keys = [self.workers_key, self.queue_key, self.starting_key]
        args = [self._inflight_prefix, self._heartbeat_prefix]
        return int(self._outstanding(keys=keys, args=args))

    def queued(self) -> int:
        return int(self.client.zcard(self.queue_key))

    def leave(self) -> None:
        """This worker stops: its leases not ended go back on the queue, it leaves the set."""
        self.client.delete(self._heartbeat_prefix + self.worker)
        self.reap()

    def claim_page(self, site: str, url: str, max_pages: int, claimer: str) -> tuple[int, str]:
        """Count ``url`` against the site's ``max_pages`` for the whole crawl: (1, 2, 0 or
        -1, the URL's claimer); see ``_CLAIM``."""
        key = self.cluster.key("pages", site)
        return _verdict(self._claim(keys=[key], args=[url, max_pages, claimer]))

    def page_claims(self, site: str) -> dict[str, str]:
        """Every page URL claimed for the site: URL -> claimer."""
        pairs = self.client.hscan_iter(self.cluster.key("pages", site), count=1000)
        return {text(url): text(claimer) for url, claimer in pairs}

    def claim_sitemap(
        self, site: str, url: str, max_sitemaps: int, max_sitemap_urls: int, claimer: str
    ) -> tuple[int, str]:
        """Count a sitemap or feed against the site's ``max_sitemaps`` for the whole crawl:
        (1, 2, 0, -1 or -2, its claimer); see ``_CLAIM``."""
        keys = [self.cluster.key("sitemaps", site), self.cluster.key("sitemap_urls", site)]
        args: list[str | int] = [url, max_sitemaps, claimer, max_sitemap_urls]
        return _verdict(self._claim(keys=keys, args=args))

    def read_entries(self, site: str, sitemap: str, wanted: int, max_sitemap_urls: int) -> int:
        """How many of ``wanted`` more entries of the site's ``sitemap`` (or feed) may be read
        within its ``max_sitemap_urls`` for the whole crawl (counted as read, once per
        sitemap)."""
        keys = [self.cluster.key("sitemap_urls", site), self.cluster.key("sitemap_entries", site)]
        return int(self._read_entries(keys=keys, args=[wanted, max_sitemap_urls, sitemap]))

    def end_crawl(self) -> bool:
        """If nothing is queued or leased and no worker is starting, clear the crawl id (the
        next run starts a new crawl) and the crawl's keys but its merged stats
        (``crawler.crawl_stats``): the frontier's, the worker numbers
        (``crawler.cluster.join``), the text claims, template decisions and own
        near-duplicate index (``crawler.shared_state``); True if the crawl is over."""
        cluster = self.cluster
        keys = [self.workers_key, self.queue_key, self.starting_key, cluster.shared_key("crawl_id")]
        args = [self._inflight_prefix, self._heartbeat_prefix, cluster.crawl_id]
        if not self._end(keys=keys, args=args):
            return False
        parts = ("queue", "fingerprints", "workers", "starting", "worker_numbers", "claims")
        mine = [cluster.key(part) for part in parts]
        for part in (
            *("pages", "sitemaps", "sitemap_urls", "sitemap_entries", "pushed", "politeness"),
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

    def flush(self, snapshot: bool = False, also: Callable[[Any], None] | None = None) -> None:
        """End the leases done, with a stats snapshot if any (or ``snapshot``: a heartbeat),
        and ``also(pipeline)``'s writes, in one transaction."""
        ended, self._ended = self._ended, []
        writes = [also] if also is not None else []
        if self.snapshot is not None and (ended or snapshot or also is not None):
            writes.append(self.snapshot)
        self.frontier.release(*ended, also=_all(writes) if writes else None)

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


def _all(writes: list[Callable[[Any], None]]) -> Callable[[Any], None]:
    def write(pipeline: Any) -> None:
        for each in writes:
            each(pipeline)

    return write


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


def _verdict(answer: Any) -> tuple[int, str]:
    """A claim script's answer: (verdict, claimer id)."""
    return int(answer[0]), text(answer[1])


def _url(item: Any) -> str:
    return str(ItemAdapter(item).get("url")) if is_item(item) else ""


def lease_of(response: Any) -> str | None:
    meta = getattr(response, "meta", None) if response is not None else None
    try:
        return meta.get(LEASE) if meta is not None else None
    except AttributeError:  # a response without a request
        return None


START = "start"  # the claimer of the requests of start(): the sites file's URLs


def claimer_id(parent: str) -> str:
    """The id a claim records for its claimer: a digest of the parent's URL (or ``START``),
    short, as every claimed URL keeps one in Redis."""
    return hashlib.sha1(parent.encode(), usedforsecurity=False).hexdigest()[:16]


class PageClaims:
    """``max_pages``, ``max_sitemaps`` and ``max_sitemap_urls`` of every site counted for the
    whole crawl, in Redis, by claimer (see ``_CLAIM``).

    ``parent``: the URL of the response whose output the URL is (a page, a sitemap, a feed,
    robots.txt), or ``START``. Verdicts: 1 the URL is this worker's to queue (counted now);
    2 its parent claimed it before, so queue it again (a parent processed again after its
    worker died, or start() run again by another worker; not counted); 0 claimed by another
    parent; -1 (-2) a limit of the site refuses it.
    """

    def __init__(self, frontier: Frontier) -> None:
        self.frontier = frontier
        # page claims this worker knows of, per site: URL -> claimer id (answered here,
        # without Redis, when the claimer is another parent's)
        self._pages: dict[str, dict[str, str]] = defaultdict(dict)
        # sites at max_pages: every claim of the site is in _pages (loaded once full, as
        # claims are never added then), so a URL not in it is refused here
        self.full: set[str] = set()
        self._sitemaps: dict[str, dict[str, str]] = defaultdict(dict)

    def claim(self, site: str, url: str, max_pages: int, parent: str) -> int:
        known = self._pages[site]
        claimer = claimer_id(parent)
        if url in known:
            if known[url] != claimer:
                return 0
        elif site in self.full:
            return -1
        verdict, by = self.frontier.claim_page(site, url, max_pages, claimer)
        if verdict >= 0:
            known[url] = by
        elif site not in self.full:
            known.update(self.frontier.page_claims(site))
            self.full.add(site)
        return verdict

    def knows(self, site: str) -> bool:
        """Whether any page or sitemap of the site is known claimed (by any worker)."""
        return bool(self._pages[site] or self._sitemaps[site])

    def claim_sitemap(self, site: Site, url: str, parent: str) -> int:
        known = self._sitemaps[site.name]
        claimer = claimer_id(parent)
        if known.get(url, claimer) != claimer:
            return 0
        max_sitemaps, max_urls = site.max_sitemaps, site.max_sitemap_urls
        verdict, by = self.frontier.claim_sitemap(site.name, url, max_sitemaps, max_urls, claimer)
        if verdict >= 0:
            known[url] = by
        return verdict

    def read_entries(self, site: Site, sitemap: str, wanted: int) -> int:
        """How many of the ``wanted`` entries of ``sitemap`` (or a feed) this worker may read:
        as many as the first time if it was read before."""
        return self.frontier.read_entries(site.name, sitemap, wanted, site.max_sitemap_urls)

    @property
    def late(self) -> bool:
        """The crawl ended before this worker opened: it has nothing to queue or claim."""
        return self.frontier.late

    def starting(self) -> None:
        """This worker queues its start requests (the crawl cannot end meanwhile)."""
        self.frontier.starting()

    def started(self) -> None:
        """Every start request of this worker is queued (or filtered)."""
        self.frontier.started()


def page_claims(crawler: Crawler) -> PageClaims | None:
    leases = leases_for(crawler)
    return PageClaims(leases.frontier) if leases is not None else None

"""Distributed mode: several ``scrapy crawl technews`` processes sharing one crawl in Redis.

Switched on by scrapy-redis's own setting, ``REDIS_URL``. Every process started with the
same spider, the same sites (file or ``-a url=``) and the same Redis joins one crawl:

- the *namespace* ``cleancrawl:<spider>:<sites digest>`` holds what outlives a crawl (the
  crawl history, duplicate claims, near-duplicate index, template counts), so each scheduled
  run builds on the last, as the state directory does on one machine;
- the *crawl id*, agreed through Redis (the first process to start sets it, the others read
  it), names the crawl's own keys (frontier, fingerprints, workers, stats) and the rows and
  files every worker writes;
- each process has a *worker id* (``CLEANCRAWL_WORKER_ID``, or a number handed out by Redis),
  unique within the crawl, in its file names.

Without ``REDIS_URL`` nothing here runs: one process, SQLite state, as before.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy.exceptions import NotConfigured

from crawler.config import ConfigError

if TYPE_CHECKING:
    # an optional extra: imported where distributed mode runs (the annotation is a string)
    import redis  # noqa: TC004
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

PREFIX = "cleancrawl"


def new_crawl_id() -> str:
    """A crawl id: UTC time and a random suffix (sorts by start time)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def sites_digest(spider: Spider | None) -> str:
    """A short digest of what the spider crawls: processes agreeing on it share a crawl.

    The technews spider's sites (names, entry URLs, allowed domains) are hashed, so the
    same sites file, or the same ``-a url=``, gives the same digest on every machine,
    whatever the path of the file.
    """
    sites = getattr(spider, "sites", None) or {}
    described: list[Any] = []
    for name in sorted(sites):
        site = sites[name]
        described.append(
            [
                name,
                sorted(getattr(site, "entry_urls", ()) or ()),
                sorted(getattr(site, "allowed_domains", ()) or ()),
            ]
        )
    data = json.dumps(described, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Cluster:
    """The Redis connection and the names of one crawl shared by several processes."""

    client: redis.Redis
    namespace: str  # cleancrawl:<spider>:<sites digest>: state kept from crawl to crawl
    crawl_id: str
    worker_id: str

    def key(self, *parts: str) -> str:
        """A key of this crawl only (frontier, fingerprints, workers, stats)."""
        return ":".join((self.namespace, "crawl", self.crawl_id, *parts))

    def shared_key(self, *parts: str) -> str:
        """A key kept from crawl to crawl (history, duplicates, templates)."""
        return ":".join((self.namespace, *parts))


def connect(url: str) -> redis.Redis:
    """A client for ``url``, checked with a PING (``ConfigError`` if Redis cannot be reached)."""
    import redis

    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"REDIS_URL={url}: cannot reach Redis ({exc})") from None
    return client


# Join the crawl of a namespace, or start one, in one step (KEYS: the crawl id key; ARGV:
# the proposed crawl id, the namespace, the worker id or '' (number one), the worker
# timeout in ms): {crawl id, worker id}. In the same step the worker counts as starting,
# with a heartbeat, so no worker ending the crawl can end it under a worker that just joined
# it (crawler.leases: _END checks and clears the crawl id in one step too): read the id,
# then counted as starting in another call, and a crawl ended in between would be joined
# after its end, its pages fetched again under an id nobody else uses.
_JOIN = """
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local id = redis.call('GET', KEYS[1])
local base = ARGV[2] .. ':crawl:' .. id .. ':'
local worker = ARGV[3]
if worker == '' then
  worker = string.format('w%03d', redis.call('INCR', base .. 'worker_numbers'))
end
redis.call('SADD', base .. 'starting', worker)
redis.call('SET', base .. 'heartbeat:' .. worker, 1, 'PX', ARGV[4])
return {id, worker}
"""


def join(settings: BaseSettings, spider: Spider | None) -> Cluster | None:
    """Join (or start) the crawl of ``spider`` in the Redis of ``REDIS_URL``; None without it.

    The crawl id is the one in Redis if a crawl of these sites is running, else this
    process's (``CLEANCRAWL_CRAWL_ID`` or a new one), set atomically so two processes
    starting together agree. The worker joins as *starting* (``crawler.leases``): the crawl
    cannot end until it has queued its start requests or its heartbeat expired.
    """
    url = settings.get("REDIS_URL")
    if not url:
        return None
    client = connect(url)
    name = spider.name if spider is not None else "crawl"
    namespace = f"{PREFIX}:{name}:{sites_digest(spider)}"
    proposed = settings.get("CLEANCRAWL_CRAWL_ID") or new_crawl_id()
    timeout_ms = max(1, int(settings.getfloat("CLEANCRAWL_WORKER_TIMEOUT", 30.0) * 1000))
    args = [proposed, namespace, settings.get("CLEANCRAWL_WORKER_ID") or "", timeout_ms]
    crawl_id, worker_id = client.eval(_JOIN, 1, f"{namespace}:crawl_id", *args)
    return Cluster(client, namespace, text(crawl_id), text(worker_id))


def text(value: Any) -> str:
    """A Redis reply as text (bytes decoded)."""
    return value.decode() if isinstance(value, bytes) else str(value)


_clusters: WeakKeyDictionary[Crawler, Cluster] = WeakKeyDictionary()


def remember(crawler: Crawler, cluster: Cluster) -> None:
    _clusters[crawler] = cluster


def cluster_for(crawler: Crawler) -> Cluster | None:
    """The crawl's cluster (joined by the add-on), or None when ``REDIS_URL`` is not set."""
    return _clusters.get(crawler)


def required_cluster(crawler: Crawler) -> Cluster:
    """The crawl's cluster, for a component of distributed mode only: ``NotConfigured``
    without ``REDIS_URL`` (with no message: on one machine the component is simply off)."""
    cluster = _clusters.get(crawler)
    if cluster is None:
        raise NotConfigured
    return cluster

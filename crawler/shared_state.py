"""The crawl state of a distributed crawl, in Redis: what every worker reads and adds to.

The same state as the SQLite file of a state directory (``crawler/state.py``), shared by all
the processes of a crawl and kept from crawl to crawl under the crawl's namespace (see
``crawler/cluster.py``)::

    <ns>:pages                      hash   url -> JSON [content_hash, written_at, etag,
                                           last_modified, lastmod]; set once the row's file
                                           is closed (as History.commit does)
    <ns>:texts                      hash   content_hash -> url of the written row
    <ns>:neardup:<options>:...      the near-duplicate index (``RedisNearDuplicateIndex``)
    <ns>:templates:<domain>         hash   line key -> pages it was on ("0": the page count)
    <ns>:template_domains           set    domains with counts
    <ns>:template_pages             set    page keys counted (a page counts once)
    <ns>:crawl:<id>:claims          hash   content_hash -> first URL of that text this crawl
    <ns>:crawl:<id>:template:<dom>  string the template of <dom> decided for this crawl
    <ns>:crawl:<id>:stats           hash   the crawl's merged stats (``crawler/crawl_stats.py``)

Every write that two workers may race on is one atomic Redis command or Lua script: a text
is claimed by one URL (``HSETNX``), a page adds to the template counts once, a domain's
template is decided once per crawl (``SET NX``).
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import TYPE_CHECKING, Any

import numpy as np

from cleaning.neardup import (
    NearDuplicateOptions,
    best_match,
    lsh_bands,
    signature_bytes,
    signature_from_bytes,
)
from crawler.state import PageEntry

if TYPE_CHECKING:
    from collections.abc import Iterable

    import redis

    from cleaning.neardup import Signature
    from cleaning.templates import SiteTemplates
    from crawler.cluster import Cluster

# a page's template counts: SISMEMBER + SADD + HINCRBY in one step, so two workers counting
# the same page (or one re-fetched after its worker died) add it once
COUNT_PAGE = """
local seen = redis.call('SISMEMBER', KEYS[1], ARGV[1]) + redis.call('SISMEMBER', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1], ARGV[2])
if seen > 0 then return 0 end
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('HINCRBY', KEYS[2], '0', 1)
for i = 4, #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
return 1
"""
# the rarest lines of a domain go first beyond the limit (SiteTemplates does the same)
PRUNE_LINES = """
local limit = tonumber(ARGV[1])
if redis.call('HLEN', KEYS[1]) <= limit + 1 then return 0 end
local all = redis.call('HGETALL', KEYS[1])
local rows = {}
for i = 1, #all, 2 do
  if all[i] ~= '0' then rows[#rows + 1] = {all[i], tonumber(all[i + 1])} end
end
table.sort(rows, function(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] < b[1]
end)
local keep = math.floor(limit / 2)
for i = keep + 1, #rows do redis.call('HDEL', KEYS[1], rows[i][1]) end
return #rows - keep
"""
# near-duplicate index: a URL keeps one id; its signature (and URL) under the id; the id
# appended to its bucket of every band, unless there already or the bucket is full
ADD_TEXT = """
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then
  id = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[1], ARGV[1], id)
end
redis.call('HSET', KEYS[3], id, ARGV[2])
local packed = struct.pack('<I4', tonumber(id))
local limit = 4 * tonumber(ARGV[3])
for i = 4, #KEYS do
  local bucket = redis.call('HGET', KEYS[i], ARGV[i]) or ''
  local found = false
  for j = 1, #bucket, 4 do
    if string.sub(bucket, j, j + 3) == packed then found = true break end
  end
  if not found and #bucket < limit then redis.call('HSET', KEYS[i], ARGV[i], bucket .. packed) end
end
return id
"""
# ids kept per LSH bucket: a bucket with this many texts has enough to find a copy among
BUCKET_LIMIT = 32


class RedisState:
    """The crawl state of a distributed crawl (``crawler.state.CrawlState``), in Redis."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.client: redis.Redis = cluster.client
        self._count_page = self.client.register_script(COUNT_PAGE)
        self._prune = self.client.register_script(PRUNE_LINES)

    # crawl history

    def page(self, url: str) -> PageEntry | None:
        data = self.client.hget(self.cluster.shared_key("pages"), url)
        return PageEntry(*json.loads(data)) if data else None

    def url_of_text(self, content_hash: str) -> str | None:
        url = self.client.hget(self.cluster.shared_key("texts"), content_hash)
        return _text(url) if url else None

    def claim_text(self, content_hash: str, url: str) -> str:
        """The first URL of this text in this crawl: ``url`` if it is the first (or was
        claimed by it before: a page fetched again after its worker died is no copy of
        itself)."""
        key = self.cluster.key("claims")
        if self.client.hsetnx(key, content_hash, url):
            return url
        return _text(self.client.hget(key, content_hash)) or url

    def save_pages(
        self,
        rows: Iterable[tuple[str, str, str, str | None, str | None, str | None]],
        pipeline: Any = None,
    ) -> None:
        """Record rows in the history; with ``pipeline``, queued on it (one transaction
        with the rows' lease end: ``ParquetPipeline``)."""
        rows = list(rows)
        if not rows:
            return
        pages: dict[Any, Any] = {
            url: json.dumps(list(entry), separators=(",", ":")) for url, *entry in rows
        }
        texts: dict[Any, Any] = {row[1]: row[0] for row in rows}
        if pipeline is not None:
            pipeline.hset(self.cluster.shared_key("pages"), mapping=pages)
            pipeline.hset(self.cluster.shared_key("texts"), mapping=texts)
            return
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.cluster.shared_key("pages"), mapping=pages)
            pipe.hset(self.cluster.shared_key("texts"), mapping=texts)
            pipe.execute()

    def save_minhashes(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Nothing to do: signatures go into the shared index as they are made."""

    def near_duplicate_index(
        self, options: NearDuplicateOptions, *, earlier_runs: bool
    ) -> RedisNearDuplicateIndex:
        """The shared index; without ``earlier_runs`` (``CLEANCRAWL_RECRAWL=all``) one of
        this crawl only, the shared one still taking every text for the next crawl."""
        shared = self.cluster.shared_key("neardup", options.key)
        if earlier_runs:
            return RedisNearDuplicateIndex(self.client, shared, options)
        own = self.cluster.key("neardup", options.key)
        return RedisNearDuplicateIndex(self.client, own, options, also=(shared,))

    # site templates

    def template_rows(self) -> list[tuple[str, int, int]]:
        rows: list[tuple[str, int, int]] = []
        for raw in sorted(self.client.smembers(self.cluster.shared_key("template_domains"))):
            domain = _text(raw)
            counts = self.client.hgetall(self.cluster.shared_key("templates", domain))
            rows += [(domain, int(key), int(pages)) for key, pages in counts.items()]
        return rows

    def count_template_page(self, domain: str, keys: tuple[int, int], lines: Iterable[int]) -> bool:
        """Add a page to its domain's counts unless one of its ``keys`` was counted."""
        shared = self.cluster.shared_key
        names = ("template_pages",), ("templates", domain), ("template_domains",)
        counted = self._count_page(
            keys=[shared(*name) for name in names], args=[*keys, domain, *sorted(set(lines))]
        )
        return bool(counted)

    def save_templates(self, templates: SiteTemplates, pages: Iterable[int]) -> None:
        """The counts are in Redis already: keep each domain's within its limit."""
        limit = templates.options.max_lines_per_domain
        for domain in templates.domains():
            self._prune(keys=[self.cluster.shared_key("templates", domain)], args=[limit])

    def template_decision(
        self, domain: str, proposal: frozenset[int] | None
    ) -> frozenset[int] | None:
        """The template of ``domain`` decided for this crawl: the first proposal made by any
        worker; None if there is none yet (and ``proposal`` is None)."""
        key = self.cluster.key("template", domain)
        if proposal is not None:
            packed = struct.pack(f"<{len(proposal)}q", *sorted(proposal))
            self.client.set(key, packed, nx=True)
        data = self.client.get(key)
        if not isinstance(data, bytes):
            return None
        return frozenset(struct.unpack(f"<{len(data) // 8}q", data))


class RedisNearDuplicateIndex:
    """The near-duplicate index (``cleaning.neardup.NearDuplicateIndex``'s methods) in Redis,
    shared by every worker and kept from crawl to crawl.

    Layout under ``prefix``: ``ids`` (hash url -> id), ``next_id``, ``signatures`` (hash
    id -> the signature's bytes followed by the URL), and one hash per LSH band, ``band:<i>``
    (4-byte bucket digest -> the ids in it, 4 bytes each). The bands are those of the
    in-memory index (``cleaning.neardup.lsh_bands``), so both find the same candidates.
    A changed text keeps its URL's id and replaces its signature; its old buckets still
    hold the id, a candidate that the signature comparison then rejects.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        options: NearDuplicateOptions,
        *,
        also: Iterable[str] = (),
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.options = options
        self.also = tuple(also)  # more indexes every text is added to (not looked up in)
        self.bands, self.rows = lsh_bands(options)
        self._add = client.register_script(ADD_TEXT)
        self._size = options.num_perm * 4  # bytes of a stored signature

    def __len__(self) -> int:
        return int(self.client.hlen(f"{self.prefix}:ids"))

    def _buckets(self, signature: Signature) -> list[bytes]:
        values = np.asarray(signature.hashvalues, dtype="<u4")
        return [
            hashlib.blake2b(
                values[i * self.rows : (i + 1) * self.rows].tobytes(), digest_size=4
            ).digest()
            for i in range(self.bands)
        ]

    def add(self, key: str, signature: Signature) -> None:
        """Index ``signature`` under ``key`` (a URL), in place of an earlier one."""
        buckets = self._buckets(signature)
        value = signature_bytes(signature) + key.encode()
        for prefix in (self.prefix, *self.also):
            bands = [f"{prefix}:band:{i}" for i in range(self.bands)]
            self._add(
                keys=[f"{prefix}:ids", f"{prefix}:next_id", f"{prefix}:signatures", *bands],
                args=[key, value, BUCKET_LIMIT, *buckets],
            )

    def find(self, signature: Signature, *, exclude: str = "") -> tuple[str, float] | None:
        """As ``NearDuplicateIndex.find``: the most similar text over the threshold."""
        buckets = self._buckets(signature)
        with self.client.pipeline(transaction=False) as pipe:
            for i, bucket in enumerate(buckets):
                pipe.hget(f"{self.prefix}:band:{i}", bucket)
            found = pipe.execute()
        ids = sorted({n for data in found if data for n in _ids(data)})
        if not ids:
            return None
        stored = self.client.hmget(f"{self.prefix}:signatures", ids)
        candidates = []
        for data in stored:
            if not isinstance(data, bytes):
                continue
            url = data[self._size :].decode()
            if url != exclude:
                candidates.append((url, signature_from_bytes(data[: self._size], self.options)))
        return best_match(signature, candidates, self.options.threshold)


def _ids(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 4}I", data)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")

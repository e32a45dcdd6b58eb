"""The stats of a distributed crawl, merged: each worker adds its final stats to one hash,
and until then keeps a snapshot of what it did durably.

Under the crawl's keys (``crawler/cluster.py``)::

    <ns>:crawl:<id>:stats            hash  the merged final stats of the runs that ended
    <ns>:crawl:<id>:workers_started  set   worker ids that opened
    <ns>:crawl:<id>:workers_done     set   worker ids whose stats are in the hash
    <ns>:crawl:<id>:runs_done        set   the runs of them (a restarted worker runs again)
    <ns>:crawl:<id>:snapshots        hash  run -> its latest snapshot, until its end
    <ns>:crawl:<id>:snapshot_until   hash  run -> Redis time (ms) its snapshot is fresh until

Counters are summed (``HINCRBY``, ``HINCRBYFLOAT``), maxima kept as maxima, the start
time is the earliest and the finish time the latest; ``finish_reason`` is ``finished``
unless a worker ended otherwise. All of one worker's stats go in one Lua script, so a
reader never sees half of them. ``cleancrawl stats`` prints them.

Why snapshots: a worker killed with SIGKILL never adds its final stats, yet what it did
durably stays done (its renamed Parquet files, the pages it dropped, whose leases ended).
So each run stores a snapshot of its stats at its durable points: in the same transaction
as every lease it ends (a row's file renamed, a page dropped) and at every heartbeat. A
snapshot counts the rows of the run's renamed files only (``item_scraped_count``,
``cleaning/kept``, ``parquet/rows_written`` and ``output/*`` leave out the rows of its
unfinished file: those pages are fetched and counted again by others, as their leases were
never ended). The merged stats are the final stats of the runs that ended plus the latest
snapshot of every run that has not (the final merge of a run deletes its snapshot in the
same script: nothing is counted twice). A run whose snapshot was not refreshed within
``CLEANCRAWL_WORKER_TIMEOUT`` stopped without ending (killed): ``cleancrawl/runs_killed``.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from crawler.cluster import text

if TYPE_CHECKING:
    from collections.abc import Mapping

    import redis

    from crawler.cluster import Cluster

logger = logging.getLogger(__name__)

MERGE = """
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
for i = 3, #ARGV, 3 do
  local op, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'sum' or op == 'fsum' then
    -- a counter is an integer in one worker's stats and a float in another's at times: an
    -- error here would leave the merge half done (a script's writes are not rolled back)
    local current = redis.call('HGET', KEYS[1], field)
    if current and not tonumber(current) then
      redis.call('HSET', KEYS[1], field, value)
    elseif op == 'sum' and (not current or string.find(current, '^%-?%d+$')) then
      redis.call('HINCRBY', KEYS[1], field, value)
    else
      redis.call('HINCRBYFLOAT', KEYS[1], field, value)
    end
  else
    local current = redis.call('HGET', KEYS[1], field)
    local take = not current
    if current then
      if op == 'max' then take = tonumber(value) > tonumber(current)
      elseif op == 'first' then take = value < current
      elseif op == 'last' then take = value > current
      elseif op == 'reason' then take = current == 'finished' and value ~= 'finished'
      end
    end
    if take then redis.call('HSET', KEYS[1], field, value) end
  end
end
return 1
"""
# The latest snapshot of a run (KEYS: snapshots, snapshot_until, runs_done; ARGV: run,
# snapshot, fresh for ms); none once the run ended (a late one after its final stats)
SNAPSHOT = """
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[3]))
return 1
"""
WORKERS = "cleancrawl/workers"  # how many workers added their stats
WORKERS_STARTED = "cleancrawl/workers_started"
# runs that stopped without ending (kill -9, a crash): their latest snapshot is counted
RUNS_KILLED = "cleancrawl/runs_killed"
# worker ids whose runs were all killed (none ended, none running): not running any more
WORKERS_KILLED = "cleancrawl/workers_killed"
# not additive: the largest of the workers'
MAXIMA = frozenset({"elapsed_time_seconds", "memusage/max", "memusage/startup"})


def note_started(cluster: Cluster) -> None:
    """Count this worker as started (the summary says how many have finished of them)."""
    cluster.client.sadd(cluster.key("workers_started"), cluster.worker_id)


def run_id(cluster: Cluster, started: Any = "") -> str:
    """The id of one run of this worker (a worker restarted under its own id runs again)."""
    return f"{cluster.worker_id} {_plain(started)} {os.getpid()}"


def add_stats(cluster: Cluster, stats: Mapping[str, Any], run: str = "") -> None:
    """Add one worker's final stats to the crawl's merged stats, once per run of it (a
    worker restarted under its own id adds the stats of each of its runs), in place of
    the run's snapshot."""
    run = run or run_id(cluster, stats.get("start_time", ""))
    args: list[Any] = [run, cluster.worker_id]
    for entry in _entries(stats):
        args += entry
    script = cluster.client.register_script(MERGE)
    keys = [cluster.key("stats"), cluster.key("workers_done"), cluster.key("runs_done")]
    keys += [cluster.key("snapshots"), cluster.key("snapshot_until")]
    script(keys=keys, args=args)


def save_snapshot(
    cluster: Cluster, run: str, stats: Mapping[str, Any], fresh_ms: int, client: Any = None
) -> None:
    """Store ``stats`` as the latest snapshot of ``run``, fresh for ``fresh_ms`` (the worker
    timeout); ``client``: a pipeline, to make it one transaction with other writes."""
    entries = _entries(stats)
    script = cluster.client.register_script(SNAPSHOT)
    keys = [cluster.key("snapshots"), cluster.key("snapshot_until"), cluster.key("runs_done")]
    args: list[str | int] = [run, json.dumps(sorted(entries)), fresh_ms]
    script(keys=keys, args=args, client=client or cluster.client)


def _entries(stats: Mapping[str, Any]) -> list[list[str]]:
    """(operation, name, value) of each stat, by name; stats of no value left out: Scrapy's
    ``items_per_minute`` is None for a run under a second, and a "None" stored by one worker
    is no number for the next one's to be added to."""
    return [
        [_operation(name, value), name, _plain(value)]
        for name, value in sorted(stats.items())
        if value is not None
    ]


def _operation(name: str, value: Any) -> str:
    if name == "finish_reason":
        return "reason"
    if isinstance(value, datetime | date):
        return "first" if name.startswith("start") else "last"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "last"
    if name in MAXIMA or name.endswith("/max"):
        return "max"
    return "sum" if isinstance(value, int) else "fsum"


def _plain(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def merged_stats(client: redis.Redis, crawl_key: str) -> dict[str, Any]:
    """The merged stats of the crawl whose keys start with ``crawl_key``
    (``<ns>:crawl:<id>``), with the number of workers, numbers as numbers."""
    # one transaction: a run ending meanwhile is read either as its snapshot or as its
    # final stats, never both
    pipe = client.pipeline()
    pipe.hgetall(f"{crawl_key}:stats")
    pipe.smembers(f"{crawl_key}:workers_done")
    pipe.smembers(f"{crawl_key}:workers_started")
    pipe.hgetall(f"{crawl_key}:snapshots")
    pipe.hgetall(f"{crawl_key}:snapshot_until")
    pipe.time()
    raw, done, started, snapshots, until, (seconds, micros) = pipe.execute()
    stats = {text(name): _number(text(value)) for name, value in raw.items()}
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    killed, running = 0, set()
    dead: set[str] = set()
    fresh_until = {text(run): int(ms) for run, ms in until.items()}
    for run, snapshot in sorted((text(k), v) for k, v in snapshots.items()):
        for op, name, value in json.loads(snapshot):
            _combine(stats, op, name, _number(value))
        worker = run.split(" ", 1)[0]
        if fresh_until.get(run, 0) < now_ms:
            killed += 1
            dead.add(worker)
        else:
            running.add(worker)
    stats[WORKERS] = len(done)
    stats[WORKERS_STARTED] = len(started)
    stats[RUNS_KILLED] = killed
    stats[WORKERS_KILLED] = len(dead - running - {text(w) for w in done})
    start, finish = stats.get("start_time"), stats.get("finish_time")
    if isinstance(start, str) and isinstance(finish, str):
        try:
            elapsed = datetime.fromisoformat(finish) - datetime.fromisoformat(start)
            stats["elapsed_time_seconds"] = round(elapsed.total_seconds(), 3)
        except ValueError:
            pass
    return dict(sorted(stats.items()))


def _combine(stats: dict[str, Any], op: str, name: str, value: Any) -> None:
    """Add one snapshot entry to ``stats`` as the merge script adds a final one."""
    current = stats.get(name)
    if op in ("sum", "fsum"):
        stats[name] = (current if isinstance(current, int | float) else 0) + value
    elif current is None:
        stats[name] = value
    elif op == "max":
        stats[name] = max(current, value)
    elif op == "first":
        if str(value) < str(current):
            stats[name] = value
    elif op == "last":
        if str(value) > str(current):
            stats[name] = value
    elif op == "reason" and current == "finished" and value != "finished":
        stats[name] = value


def crawl_stats_of(cluster: Cluster) -> dict[str, Any]:
    """The merged stats of ``cluster``'s crawl; empty (and logged) if Redis cannot say."""
    import redis

    try:
        return merged_stats(cluster.client, cluster.key())
    except redis.RedisError as exc:
        logger.error("Could not read the crawl's merged stats from Redis: %s", exc)
        return {}


def crawls(client: redis.Redis, crawl_id: str = "*") -> list[str]:
    """The keys (``<ns>:crawl:<id>``) of the crawls with merged stats or snapshots (a crawl
    whose workers were all killed has only these), oldest id first."""
    found = set()
    for part in ("stats", "snapshots"):
        for key in client.scan_iter(match=f"cleancrawl:*:crawl:{crawl_id}:{part}"):
            found.add(text(key).removesuffix(f":{part}"))
    return sorted(found, key=lambda key: (key.rsplit(":", 1)[1], key))


def stats_json(stats: Mapping[str, Any]) -> str:
    return json.dumps(stats, indent=2, sort_keys=True, default=str)


def _number(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value

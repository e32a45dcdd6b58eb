"""The stats of a distributed crawl, merged: each worker adds its final stats to one hash.

Under the crawl's keys (``crawler/cluster.py``)::

    <ns>:crawl:<id>:stats            hash  the merged stats
    <ns>:crawl:<id>:workers_started  set   worker ids that opened
    <ns>:crawl:<id>:workers_done     set   worker ids whose stats are in the hash
    <ns>:crawl:<id>:runs_done        set   the runs of them (a restarted worker runs again)

Counters are summed (``HINCRBY``, ``HINCRBYFLOAT``), maxima kept as maxima, the start
time is the earliest and the finish time the latest; ``finish_reason`` is ``finished``
unless a worker ended otherwise. All of one worker's stats go in one Lua script, so a
reader never sees half of them. ``cleancrawl stats`` prints them.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    import redis

    from crawler.cluster import Cluster

logger = logging.getLogger(__name__)

MERGE = """
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
for i = 3, #ARGV, 3 do
  local op, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'sum' then
    redis.call('HINCRBY', KEYS[1], field, value)
  elseif op == 'fsum' then
    redis.call('HINCRBYFLOAT', KEYS[1], field, value)
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
WORKERS = "cleancrawl/workers"  # how many workers added their stats
WORKERS_STARTED = "cleancrawl/workers_started"
# not additive: the largest of the workers'
MAXIMA = frozenset({"elapsed_time_seconds", "memusage/max", "memusage/startup"})


def note_started(cluster: Cluster) -> None:
    """Count this worker as started (the summary says how many have finished of them)."""
    cluster.client.sadd(cluster.key("workers_started"), cluster.worker_id)


def add_stats(cluster: Cluster, stats: Mapping[str, Any]) -> None:
    """Add one worker's final stats to the crawl's merged stats, once per run of it (a
    worker restarted under its own id adds the stats of each of its runs)."""
    run = f"{cluster.worker_id} {_plain(stats.get('start_time', ''))} {os.getpid()}"
    args: list[Any] = [run, cluster.worker_id]
    for name, value in sorted(stats.items()):
        args += [_operation(name, value), name, _plain(value)]
    script = cluster.client.register_script(MERGE)
    keys = [cluster.key("stats"), cluster.key("workers_done"), cluster.key("runs_done")]
    script(keys=keys, args=args)


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
    raw = client.hgetall(f"{crawl_key}:stats")
    stats = {_text(name): _number(_text(value)) for name, value in raw.items()}
    stats[WORKERS] = int(client.scard(f"{crawl_key}:workers_done"))
    stats[WORKERS_STARTED] = int(client.scard(f"{crawl_key}:workers_started"))
    start, finish = stats.get("start_time"), stats.get("finish_time")
    if isinstance(start, str) and isinstance(finish, str):
        try:
            elapsed = datetime.fromisoformat(finish) - datetime.fromisoformat(start)
            stats["elapsed_time_seconds"] = round(elapsed.total_seconds(), 3)
        except ValueError:
            pass
    return dict(sorted(stats.items()))


def crawl_stats_of(cluster: Cluster) -> dict[str, Any]:
    """The merged stats of ``cluster``'s crawl; empty (and logged) if Redis cannot say."""
    import redis

    try:
        return merged_stats(cluster.client, cluster.key())
    except redis.RedisError as exc:
        logger.error("Could not read the crawl's merged stats from Redis: %s", exc)
        return {}


def crawls(client: redis.Redis, crawl_id: str = "*") -> list[str]:
    """The keys (``<ns>:crawl:<id>``) of the crawls with merged stats, oldest id first."""
    keys = {_text(key) for key in client.scan_iter(match=f"cleancrawl:*:crawl:{crawl_id}:stats")}
    found = [key.removesuffix(":stats") for key in keys]
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


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

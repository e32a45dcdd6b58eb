"""Benchmark the Redis memory of a distributed crawl's state, per written text.

Stores ``--texts`` articles (word salad of a few hundred words each, unique per article,
with URLs of a usual length) the way a crawl does: each text's signature in the
near-duplicate index (``RedisNearDuplicateIndex``), its row in the history (``pages`` and
``texts``) and its exact-duplicate claim; and reports Redis's ``used_memory`` growth per
text for each part, as well as the time per index lookup and insert. A Redis server of its
own is started on a free port (``redis-server`` must be installed), or ``--redis-url``
names an empty database to use.

::

    python -m benchmarks.shared_state                 # 5,000 texts
    python -m benchmarks.shared_state --texts 20000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from cleaning.neardup import NearDuplicateOptions, text_signature
from crawler.cluster import Cluster
from crawler.shared_state import RedisState
from tests.test_incremental import WORDS


def article(n: int) -> str:
    rng = random.Random(n)
    return "\n".join(
        " ".join(rng.choices(WORDS, k=rng.randint(40, 80))) + "." for _ in range(rng.randint(4, 8))
    )


def url(n: int) -> str:
    rng = random.Random(-n)
    section = rng.choice(["world", "business", "technology", "science", "politics"])
    slug = "-".join(rng.choices(WORDS, k=6))
    return f"https://www.example-news.com/{section}/2026/12/{slug}-{n}"  # ~70 characters


def used(client: Any) -> int:
    return int(client.info("memory")["used_memory"])


def measure(client: Any, texts: int) -> dict[str, float]:
    options = NearDuplicateOptions()
    cluster = Cluster(client, "cleancrawl:technews:bench", "c1", "w001")
    state = RedisState(cluster)
    index = state.near_duplicate_index(options, earlier_runs=True)
    signatures = []
    for n in range(texts):
        signature = text_signature(article(n), options)
        assert signature is not None
        signatures.append(signature)
    results: dict[str, float] = {}

    before = used(client)
    started = time.perf_counter()
    for n, signature in enumerate(signatures):
        index.add(url(n), signature)
    results["index insert ms"] = (time.perf_counter() - started) * 1000 / texts
    results["near-duplicate index bytes/text"] = (used(client) - before) / texts

    started = time.perf_counter()
    found = sum(index.find(signature) is not None for signature in signatures[:1000])
    results["index lookup ms"] = (time.perf_counter() - started) * 1000 / min(texts, 1000)
    results["lookups finding their own text"] = found

    before = used(client)
    now = "2026-12-05T00:00:00+00:00"
    batch = []
    for n in range(texts):
        batch.append((url(n), f"{n:064x}", now, f'"etag-{n}"', None, "2026-12-04"))
        if len(batch) == 1000:
            state.save_pages(batch)
            batch = []
    state.save_pages(batch)
    results["history bytes/text"] = (used(client) - before) / texts

    before = used(client)
    for n in range(texts):
        state.claim_text(f"{n:064x}", url(n))
    results["claims bytes/text"] = (used(client) - before) / texts
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=5_000)
    parser.add_argument("--redis-url", default="", help="an empty database (default: own)")
    args = parser.parse_args()
    import redis

    if args.redis_url:
        results = measure(redis.Redis.from_url(args.redis_url), args.texts)
    else:
        from tests.redis_server import RedisServer, redis_binary

        with tempfile.TemporaryDirectory() as folder:
            server = RedisServer(redis_binary(), Path(folder))
            try:
                results = measure(redis.Redis.from_url(server.url), args.texts)
            finally:
                server.stop()
    print(f"{args.texts} texts")
    for name, value in results.items():
        print(f"  {name}: {value:,.2f}")


if __name__ == "__main__":
    main()

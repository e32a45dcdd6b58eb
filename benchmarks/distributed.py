"""Benchmark distributed mode: 1, 2 and 3 `scrapy crawl technews` processes on one crawl.

Four generated sites (tests/article_site.py) on 127.0.0.1 to 127.0.0.4, each answer after a
fixed latency, so the crawl is bound by waiting, not by the CPU: each process runs with
``CLEANCRAWL_WORKERS=1`` and ``CONCURRENT_REQUESTS=4``, the sites with Scrapy's default of 4
requests at once per site, now for the whole crawl (crawler/politeness.py). A local
``redis-server`` is started on a free port. One command::

    python -m benchmarks.distributed                 # 4 sites x 80 pages, latency 0.5 s
    python -m benchmarks.distributed --pages 30      # a quick look

Throughput is the articles fetched per second between the first and the last article
request the sites saw (start-up and shut-down of the processes aside), and the wall time
of the whole run; the ratios to one process are measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from tests.article_site import ArticleSite
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")


class TimedSites:
    """The sites, with the time of every article request."""

    def __init__(self, pages: int, latency: float) -> None:
        self.sites = [ArticleSite(pages, latency, host) for host in HOSTS]
        self.times: list[float] = []
        self._lock = threading.Lock()
        for site in self.sites:
            original = site.answer

            def answer(path: str, original: Any = original) -> tuple[int, str, bytes]:
                if path.startswith("/news/"):
                    with self._lock:
                        self.times.append(time.monotonic())
                result: tuple[int, str, bytes] = original(path)
                return result

            site.answer = answer  # type: ignore[method-assign]

    def sites_file(self, path: Path) -> Path:
        text = ""
        for number, site in enumerate(self.sites):
            text += (
                f'[[site]]\nname = "site{number}"\nstart_urls = ["{site.url}/"]\n'
                f'sitemap_urls = ["{site.url}/sitemap.xml"]\nmax_pages = 100000\n\n'
            )
        path.write_text(text, encoding="utf-8")
        return path


def run(workers: int, sites: TimedSites, redis_url: str, workdir: Path) -> dict[str, float]:
    sites.times.clear()
    for site in sites.sites:
        site.requests.clear()
    sites_file = sites.sites_file(workdir / "sites.toml")
    processes = []
    started = time.monotonic()
    for number in range(workers):
        output = workdir / f"{workers}-w{number}"
        command = [sys.executable, "-m", "scrapy", "crawl", "technews"]
        command += ["-a", f"sites={sites_file}", "-a", f"output={output}"]
        for key, value in {
            "REDIS_URL": redis_url,
            "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
            "AUTOTHROTTLE_ENABLED": "False",
            "CLEANCRAWL_WORKERS": "1",
            "CONCURRENT_REQUESTS": "4",
            "LOG_LEVEL": "WARNING",
        }.items():
            command += ["-s", f"{key}={value}"]
        processes.append(
            subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
    for process in processes:
        process.wait()
    wall = time.monotonic() - started
    rows = sum(
        pq.read_metadata(path).num_rows
        for number in range(workers)
        for path in (workdir / f"{workers}-w{number}").glob("*.parquet")
    )
    times = sorted(sites.times)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "articles": len(times),
        "rows": rows,
        "fetch_rate": (len(times) - 1) / span,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=80, help="articles per site")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per answer")
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (Debian: apt-get install -y redis-server)")
    os.environ.setdefault("PYTHONWARNINGS", "default")
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(binary, Path(tmp))
        sites = TimedSites(args.pages, args.latency)
        for site in sites.sites:
            site.__enter__()
        try:
            results = {}
            for workers in (1, 2, 3):
                results[workers] = run(workers, sites, server.url, Path(tmp))
                r = results[workers]
                print(
                    f"{workers} process(es): {r['articles']} articles fetched, {r['rows']} rows,"
                    f" {r['fetch_rate']:.1f} articles/s, wall {r['wall']:.1f} s",
                    flush=True,
                )
        finally:
            for site in sites.sites:
                site.__exit__()
            server.stop()
    base = results[1]
    for workers in (2, 3):
        r = results[workers]
        print(
            f"{workers} vs 1: throughput x{r['fetch_rate'] / base['fetch_rate']:.2f},"
            f" wall time x{base['wall'] / r['wall']:.2f}"
        )


if __name__ == "__main__":
    main()

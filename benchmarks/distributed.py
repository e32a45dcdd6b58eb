"""Benchmark distributed mode: 1, 2 and 3 `scrapy crawl technews` processes on one crawl.

Four generated sites (tests/article_site.py) on 127.0.0.1 to 127.0.0.4, each answer after a
fixed latency, so the crawl is bound by waiting, not by the CPU: each process runs with
``CLEANCRAWL_WORKERS=1`` and ``CONCURRENT_REQUESTS=4``. The sites keep Scrapy's 4 requests at
once per site, now for the whole crawl (crawler/politeness.py): 16 for the four sites, more
than the 12 that 3 processes send, so the shared gate does not cap the crawl; the
benchmark is four sites, as a real crawl is several, because with one site the whole crawl
would be held to 4 requests at once, one process's worth. A local ``redis-server`` is
started on a free port. One command::

    python -m benchmarks.distributed                 # 4 sites x 80 pages, latency 0.5 s
    python -m benchmarks.distributed --pages 40 --repeats 3

Throughput is the articles fetched per second between the first and the last article
request the sites saw (start-up and shut-down of the processes aside), and the wall time
of the whole run; the ratios to one process are measured in the same round (1, 2, then 3
processes; ``--repeats`` rounds, median ratio). Each line also gives the CPU per article of
the crawlers and their cleaning workers (from /proc; in all and while articles were
fetched, start-up aside), Redis's CPU and commands per article, how long after the first
article each process fetched its first, and the longest a process waited between two of its
article requests (a process idle while the queue is full shows there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from tests.article_site import ArticleSite
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")


class TimedSites:
    """The sites, with the time of every article request and the process that sent it (its
    User-Agent names it)."""

    def __init__(self, pages: int, latency: float) -> None:
        self.sites = [ArticleSite(pages, latency, host) for host in HOSTS]
        self.times: list[float] = []
        self.by_agent: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        local = threading.local()
        for site in self.sites:
            original = site.answer
            handler = site._httpd.RequestHandlerClass
            do_get = handler.do_GET  # type: ignore[attr-defined]

            def timed_get(request: Any, do_get: Any = do_get) -> None:
                local.agent = request.headers.get("User-Agent", "")
                do_get(request)

            handler.do_GET = timed_get  # type: ignore[attr-defined]

            def answer(path: str, original: Any = original) -> tuple[int, str, bytes]:
                if path.startswith("/news/"):
                    now = time.monotonic()
                    with self._lock:
                        self.times.append(now)
                        self.by_agent.setdefault(getattr(local, "agent", ""), []).append(now)
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


def run(
    workers: int, sites: TimedSites, server: RedisServer, workdir: Path, settings: dict[str, str]
) -> dict[str, float]:
    sites.times.clear()
    sites.by_agent.clear()
    for site in sites.sites:
        site.requests.clear()
    sites_file = sites.sites_file(workdir / "sites.toml")
    processes = []
    redis_before = redis_usage(server)
    started = time.monotonic()
    for number in range(workers):
        output = workdir / f"{workers}-w{number}-{time.monotonic_ns()}"
        command = [sys.executable, "-m", "scrapy", "crawl", "technews"]
        command += ["-a", f"sites={sites_file}", "-a", f"output={output}"]
        for key, value in {
            "REDIS_URL": server.url,
            "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
            "AUTOTHROTTLE_ENABLED": "False",
            "CLEANCRAWL_WORKERS": "1",
            "CONCURRENT_REQUESTS": "4",
            "LOG_LEVEL": "WARNING",
            "USER_AGENT": f"bench-{number}",
            **settings,
        }.items():
            command += ["-s", f"{key}={value}"]
        processes.append(
            (
                subprocess.Popen(
                    command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                ),
                output,
            )
        )
    # each crawler's own CPU and its cleaning workers': read from /proc until they exit
    # (a cleaning worker is not always waited for, so RUSAGE_CHILDREN may miss it)
    main_cpu = {process.pid: 0.0 for process, _ in processes}
    cpu: dict[int, float] = {}
    samples: list[tuple[float, float, float]] = []  # (time, all CPU, crawlers' CPU)
    while any(process.poll() is None for process, _ in processes):
        for process, _ in processes:
            for pid in (process.pid, *descendants(process.pid)):
                cpu[pid] = max(cpu.get(pid, 0.0), process_cpu(pid))
            main_cpu[process.pid] = cpu[process.pid]
        samples.append((time.monotonic(), sum(cpu.values()), sum(main_cpu.values())))
        time.sleep(0.1)
    wall = time.monotonic() - started
    redis_after = redis_usage(server)
    rows = sum(
        pq.read_metadata(path).num_rows
        for _, output in processes
        for path in output.glob("*.parquet")
    )
    times = sorted(sites.times)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    articles = len(times)
    # CPU while the articles were fetched: without the start-up of the processes (imports,
    # the spider, the cleaning worker), which a crawl this short would otherwise be about
    during = [sample for sample in samples if times[0] <= sample[0] <= times[-1]]
    steady = (during[-1][1] - during[0][1]) if len(during) > 1 else float("nan")
    steady_main = (during[-1][2] - during[0][2]) if len(during) > 1 else float("nan")
    steady_n = sum(1 for t in times if during and during[0][0] <= t <= during[-1][0]) or 1
    # the longest wait of a process between two of its article requests
    stalls = [
        max((b - a for a, b in pairwise(mine)), default=0.0)
        for mine in (sorted(v) for v in sites.by_agent.values())
    ]
    starts = [min(v) - times[0] for v in sites.by_agent.values()]
    return {
        "articles": articles,
        "rows": rows,
        "fetch_rate": (articles - 1) / span,
        "wall": wall,
        "cpu_per_article": sum(cpu.values()) / articles,
        "steady_cpu_per_article": steady / steady_n,
        "steady_main_cpu_per_article": steady_main / steady_n,
        "longest_stall": max(stalls, default=0.0),
        "latest_start": max(starts, default=0.0),
        "main_cpu_per_article": sum(main_cpu.values()) / articles,
        "redis_cpu_per_article": (redis_after[0] - redis_before[0]) / articles,
        "redis_calls_per_article": (redis_after[1] - redis_before[1]) / articles,
    }


def process_cpu(pid: int) -> float:
    """User and system CPU seconds of a live process (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    except OSError:
        pass
    return found


def redis_usage(server: RedisServer) -> tuple[float, int]:
    """Redis's CPU seconds so far, and the commands it ran."""
    import redis

    client = redis.Redis.from_url(server.url)
    cpu = client.info("cpu")
    calls = sum(int(stat["calls"]) for stat in client.info("commandstats").values())
    client.close()
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]), calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=80, help="articles per site")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per answer")
    parser.add_argument("--repeats", type=int, default=1, help="rounds of 1, 2, 3 processes")
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], help="NAME=VALUE for every process"
    )
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.settings)
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (Debian: apt-get install -y redis-server)")
    os.environ.setdefault("PYTHONWARNINGS", "default")
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores", flush=True)
    ratios: dict[int, list[float]] = {2: [], 3: []}
    results: dict[int, list[dict[str, float]]] = {1: [], 2: [], 3: []}
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(binary, Path(tmp))
        sites = TimedSites(args.pages, args.latency)
        for site in sites.sites:
            site.__enter__()
        try:
            for _ in range(args.repeats):
                round_results = {}
                for workers in (1, 2, 3):  # interleaved: the load of the moment hits all three
                    server_flush(server)
                    r = run(workers, sites, server, Path(tmp), settings)
                    round_results[workers] = r
                    results[workers].append(r)
                    print(
                        f"{workers} process(es): {r['articles']} articles fetched,"
                        f" {r['rows']} rows, {r['fetch_rate']:.1f} articles/s,"
                        f" wall {r['wall']:.1f} s; CPU per article"
                        f" {1000 * r['cpu_per_article']:.0f} ms (crawlers"
                        f" {1000 * r['main_cpu_per_article']:.0f} ms, Redis"
                        f" {1000 * r['redis_cpu_per_article']:.1f} ms,"
                        f" {r['redis_calls_per_article']:.0f} Redis commands); while fetching:"
                        f" {1000 * r['steady_cpu_per_article']:.0f} ms (crawlers"
                        f" {1000 * r['steady_main_cpu_per_article']:.0f} ms); a process's"
                        f" first article {r['latest_start']:.1f} s after the first, its longest"
                        f" wait between two {r['longest_stall']:.1f} s",
                        flush=True,
                    )
                for workers in (2, 3):
                    rate = round_results[workers]["fetch_rate"]
                    ratios[workers].append(rate / round_results[1]["fetch_rate"])
        finally:
            for site in sites.sites:
                site.__exit__()
            server.stop()
    for workers in (2, 3):
        print(
            f"{workers} vs 1: throughput x{statistics.median(ratios[workers]):.2f} (median of"
            f" {len(ratios[workers])}: {', '.join(f'{r:.2f}' for r in ratios[workers])})"
        )
    cores = os.cpu_count() or 1
    for workers in (1, 2, 3):
        cpu = statistics.median(r["steady_cpu_per_article"] for r in results[workers])
        print(
            f"{workers} process(es): median CPU {1000 * cpu:.0f} ms per article while"
            f" fetching: {cores} idle cores would keep up with {cores / cpu:.0f} articles/s"
        )
    print(f"load average after: {os.getloadavg()}")


def server_flush(server: RedisServer) -> None:
    """Each run a first crawl: the history of the one before would make it incremental."""
    import redis

    client = redis.Redis.from_url(server.url)
    client.flushdb()
    client.close()


if __name__ == "__main__":
    main()

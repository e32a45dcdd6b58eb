"""Benchmark whole crawls: the fetch ceiling, cleaning in-process, and the worker pool.

A server in its own process serves thousands of article pages on 127.0.0.1, built from the
HTML of the extraction data sets (``../shared/data/extraction``), behind listing pages of 100
links each. The real ``technews`` spider crawls it three ways, taking turns:

- ``fetch``: no item pipelines (what Scrapy alone fetches and parses: the ceiling);
- ``in-process``: cleancrawl end to end with ``CLEANCRAWL_WORKERS=0``;
- ``pool``: cleancrawl end to end with one worker per core (the default).

While a crawl runs, the CPU time and resident memory of its whole process tree (crawler and
workers) are sampled from ``/proc``. The pool's cleaning capacity (pages/s of the workers alone
on the same pages) is measured in the same run::

    python -m benchmarks.crawl                          # 2,000 pages, 3 rounds
    python -m benchmarks.crawl --pages 500 --rounds 1   # a quick look
    python -m benchmarks.crawl --memory                 # peak RSS over a 20,000-page crawl
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.clean import pool_seconds
from benchmarks.extraction import default_datasets, load_docs
from crawler.pool import default_workers

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

ROOT = Path(__file__).resolve().parents[1]
LINKS_PER_LIST = 100
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
_CRAWLED = re.compile(r"Crawled (\d+) pages")

VARIANTS: dict[str, dict[str, str]] = {
    "fetch": {"ITEM_PIPELINES": "{}"},
    "in-process": {"CLEANCRAWL_WORKERS": "0"},
    "pool": {},  # the default: one worker per core
}
COMMON = {
    "AUTOTHROTTLE_ENABLED": "False",
    "ROBOTSTXT_OBEY": "False",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
    "CLEANCRAWL_TEMPLATE_HOLD_SECONDS": "2",
    "LOGSTATS_INTERVAL": "1",
    "LOG_LEVEL": "INFO",
}


def source_pages() -> list[str]:
    """HTML of the data sets' article pages (and pages of unknown type)."""
    return [
        doc.read_html()
        for folder in default_datasets()
        for doc in load_docs(folder)
        if doc.meta.get("page_type") in (None, "article")
    ]


def serve(pages: int, connection: Connection) -> None:
    """Serve ``pages`` articles (cycling through the data) and their listings; send the port."""
    from twisted.internet import reactor as installed
    from twisted.web import resource, server

    reactor: Any = installed  # Twisted types the module attribute, not the reactor it holds

    sources = [html.encode("utf-8") for html in source_pages()]
    lists = (pages + LINKS_PER_LIST - 1) // LINKS_PER_LIST
    home = "".join(f'<li><a href="/list/{k}.html">list {k}</a></li>' for k in range(lists))

    def listing(k: int) -> bytes:
        first, last = k * LINKS_PER_LIST, min((k + 1) * LINKS_PER_LIST, pages)
        items = "".join(f'<li><a href="/a/{i}.html">story {i}</a></li>' for i in range(first, last))
        return f"<html><body><h1>List {k}</h1><ul>{items}</ul></body></html>".encode()

    class Site(resource.Resource):
        isLeaf = True

        def render_GET(self, request: Any) -> bytes:
            path = request.path.decode()
            request.setHeader(b"content-type", b"text/html; charset=utf-8")
            if path == "/":
                return f"<html><body><ul>{home}</ul></body></html>".encode()
            if match := re.fullmatch(r"/list/(\d+)\.html", path):
                return listing(int(match[1]))
            if (match := re.fullmatch(r"/a/(\d+)\.html", path)) and int(match[1]) < pages:
                return sources[int(match[1]) % len(sources)]
            request.setResponseCode(404)
            return b"not found"

    site = server.Site(Site())  # type: ignore[no-untyped-call]
    port = reactor.listenTCP(0, site, interface="127.0.0.1")
    connection.send(port.getHost().port)
    reactor.run()


@dataclass
class Sample:
    """What a crawl's process tree used: CPU seconds per process and peak memory."""

    cpu: dict[int, float] = field(default_factory=dict)
    peak_rss: int = 0
    # (pages crawled so far, RSS of the tree at that moment)
    rss_by_pages: list[tuple[int, int]] = field(default_factory=list)

    def take(self, pid: int, crawled: int) -> None:
        rss = 0
        for each in [pid, *descendants(pid)]:
            try:
                stat = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
                rss += int(Path(f"/proc/{each}/statm").read_text().split()[1]) * PAGE_SIZE
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue  # the process ended between the listing and the read
            self.cpu[each] = (int(stat[11]) + int(stat[12])) / TICKS  # utime + stime
        self.peak_rss = max(self.peak_rss, rss)
        self.rss_by_pages.append((crawled, rss))


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


@dataclass(frozen=True)
class Run:
    variant: str
    pages: int  # article pages fetched
    written: int
    seconds: float
    cpu_seconds: float
    peak_rss: int
    server_cpu: float
    rss_by_pages: list[tuple[int, int]]

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def crawl(variant: str, url: str, pages: int, server_pid: int, workdir: Path) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    sites = workdir / "sites.toml"
    sites.write_text(
        f'[[site]]\nname = "bench"\nstart_urls = ["{url}/"]\n'
        f"max_pages = {pages + pages // LINKS_PER_LIST + 10}\nmax_depth = 2\n"
    )
    stats_file = workdir / f"{variant}-stats.json"
    command = [sys.executable, "-m", "scrapy", "crawl", "technews", "-a", f"sites={sites}"]
    command += ["-a", f"output={workdir / variant}"]
    settings = {**COMMON, **VARIANTS[variant], "CLEANCRAWL_STATS_FILE": str(stats_file)}
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    server_before = cpu_of(server_pid)
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    crawled = [0]

    def read_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if match := _CRAWLED.search(line):
                crawled[0] = int(match[1])

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    sample = Sample()
    while process.poll() is None:
        sample.take(process.pid, crawled[0])
        time.sleep(0.25)
    reader.join()
    stats = json.loads(stats_file.read_text())
    fetched = stats.get("response_received_count", 0) - 1 - pages // LINKS_PER_LIST
    return Run(
        variant=variant,
        pages=fetched,
        written=stats.get("parquet/rows_written", 0),
        seconds=stats["elapsed_time_seconds"],
        cpu_seconds=sum(sample.cpu.values()),
        peak_rss=sample.peak_rss,
        server_cpu=cpu_of(server_pid) - server_before,
        rss_by_pages=sample.rss_by_pages,
    )


def cpu_of(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICKS


def pool_capacity(workers: int, count: int = 200) -> float:
    """Pages/s of the worker pool alone on ``count`` of the served pages (in order)."""
    pages = [(html, "") for html in source_pages()[:count]]
    return len(pages) / pool_seconds(pages, workers)


def start_server(pages: int) -> tuple[multiprocessing.process.BaseProcess, str]:
    parent, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(pages, child), daemon=True
    )
    server.start()
    return server, f"http://127.0.0.1:{parent.recv()}"


def throughput(args: argparse.Namespace) -> None:
    server, url = start_server(args.pages)
    assert server.pid is not None
    runs: dict[str, list[Run]] = {name: [] for name in VARIANTS}
    names = list(VARIANTS)
    with tempfile.TemporaryDirectory() as tmp:
        crawl("pool", url, min(args.pages, 200), server.pid, Path(tmp) / "warm")  # warm-up
        for round_ in range(args.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                workdir = Path(tmp) / f"{name}-{round_}"
                workdir.mkdir(parents=True)
                runs[name].append(crawl(name, url, args.pages, server.pid, workdir))
                print(
                    f"  {name} round {round_ + 1}: {runs[name][-1].rate:.1f} pages/s",
                    file=sys.stderr,
                )
    server.terminate()
    capacity = pool_capacity(args.workers)
    median = {name: statistics.median(r.rate for r in runs[name]) for name in names}
    print(f"# Crawl throughput: {args.pages} article pages, median of {args.rounds} rounds\n")
    print(f"{os.cpu_count()} cores; pool: {args.workers} workers; server in its own process.\n")
    print(
        "| variant | pages/s | written | CPU s (crawler + workers) | server CPU s | peak RSS MB |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    for name in names:
        last = runs[name][-1]
        print(
            f"| {name} | {median[name]:.1f} | {last.written} | {last.cpu_seconds:.0f} | "
            f"{last.server_cpu:.0f} | {last.peak_rss / 2**20:.0f} |"
        )
    ceiling = min(median["fetch"], capacity)
    print(f"\nPool cleaning capacity (workers alone, same pages): {capacity:.1f} pages/s.\n")
    print("| ratio | value | target |")
    print("|---|--:|--:|")
    print(
        f"| pool / min(fetch ceiling, pool capacity) | {median['pool'] / ceiling:.2f} | >= 0.85 |"
    )
    print(f"| pool / in-process | {median['pool'] / median['in-process']:.2f} | >= 1.7 |")


def memory(args: argparse.Namespace) -> None:
    pages = args.pages if args.pages != 2000 else 20_000
    server, url = start_server(pages)
    assert server.pid is not None
    with tempfile.TemporaryDirectory() as tmp:
        run = crawl("pool", url, pages, server.pid, Path(tmp))
    server.terminate()
    print(f"# Memory: peak RSS of crawler and workers over a {pages}-page crawl\n")
    print("| pages crawled | peak RSS so far, MB |")
    print("|--:|--:|")
    peak = 0
    marks = [m for m in (1000, 2500, 5000, 10_000, 15_000, 20_000) if m <= pages]
    for crawled, rss in run.rss_by_pages:
        peak = max(peak, rss)
        while marks and crawled >= marks[0]:
            print(f"| {marks.pop(0):,} | {peak / 2**20:.0f} |")
    print(f"| {run.pages:,} (end) | {run.peak_rss / 2**20:.0f} |")
    at_5000 = max((rss for crawled, rss in run.rss_by_pages if crawled <= 5000), default=0)
    if at_5000:
        print(
            f"\nPeak at the end / peak at 5,000 pages: {run.peak_rss / at_5000:.3f}"
            " (target <= 1.10)"
        )
    print(f"\n{run.pages} pages in {run.seconds:.0f} s ({run.rate:.1f} pages/s).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--memory", action="store_true", help="one pool crawl of 20,000 pages")
    args = parser.parse_args()
    memory(args) if args.memory else throughput(args)


if __name__ == "__main__":
    main()

"""Benchmark whole crawls: the fetch ceiling, cleaning in-process, and the worker pool.

A server in its own process serves thousands of article pages on 127.0.0.1, built from the
HTML of the extraction data sets (``../shared/data/extraction``), as one of two sites:

- ``listings`` (default): the articles behind listing pages of 100 links each, no sitemap;
- ``links``: the articles in a sitemap (and a home page of topic links), each article with
  dozens of links of its own, as real ones have: to pages that are missing (404), to topic
  pages that are no articles (and link to more missing pages and topics), and to other
  articles. A crawl that follows those links before it has fetched the sitemap's articles
  leaves the cleaning workers waiting.

The real ``technews`` spider crawls it three ways, taking turns:

- ``fetch``: no item pipelines (what Scrapy alone fetches and parses: the ceiling);
- ``in-process``: cleancrawl end to end with ``CLEANCRAWL_WORKERS=0``;
- ``pool``: cleancrawl end to end with one worker per core (the default), or ``--workers``;
- ``bare`` and ``bare-addon`` (links site; ``--variants floor`` runs them with ``fetch``): a
  spider that requests the same URLs and parses nothing (``benchmarks/bare_spider.py``), with
  Scrapy's defaults and inside cleancrawl's project with no pipelines: Scrapy's own CPU a
  response, and what cleancrawl's add-on adds to it. ``--profile DIR`` profiles each crawl's
  reactor thread (``benchmarks/crawl_profile.py``).

While a crawl runs, the CPU time and resident memory of its whole process tree (crawler and
workers) are sampled from ``/proc``. The pool's cleaning capacity (pages/s of the workers alone
doing the crawl's work on the crawl's articles) is measured before the first round and after
each, so that each round has a ratio against the capacities around it::

    python -m benchmarks.crawl                          # 2,000 pages, 3 rounds
    python -m benchmarks.crawl --pages 500 --rounds 1   # a quick look
    python -m benchmarks.crawl --site links             # the site of many broken links
    python -m benchmarks.crawl --site links --variants floor,pool   # and Scrapy's floor
    python -m benchmarks.crawl --memory                 # peak RSS over a 20,000-page crawl
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import multiprocessing
import os
import pickle
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.crawl_profile import SETTING as PROFILE_SETTING
from benchmarks.crawl_profile import owner_shares
from benchmarks.extraction import default_datasets, load_docs
from cleaning.signed import clean_and_sign
from cleaning.worker import MESSAGE_LENGTH, clean_in_worker_with_hrefs, page_message
from cleaning.worker import serve as serve_pages
from crawler.addon import COMPONENTS
from crawler.neardup import near_duplicate_options
from crawler.pipelines import cleaning_options
from crawler.pool import default_workers, pool_context
from crawler.settings_spec import SETTINGS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from multiprocessing.connection import Connection

ROOT = Path(__file__).resolve().parents[1]
LINKS_PER_LIST = 100
SITES = ("listings", "links")
# the links site: per article, links to missing pages (out of MISSING_PER_ARTICLE missing
# pages per article in all), to topic pages (out of TOPICS) and to other articles; per
# topic page, links to missing pages and other topics
MISSING_LINKS = 24
MISSING_PER_ARTICLE = 1
TOPIC_LINKS = 8
TOPICS = 50
ARTICLE_LINKS = 6
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SERVERS: set[int] = set()  # the benchmark site's server processes (no part of the pool)
TICKS = os.sysconf("SC_CLK_TCK")
# the progress line (crawler/progress.py): responses so far
_CRAWLED = re.compile(r"Progress: (\d+) responses")
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)

# the fetch ceiling: every item pipeline of the add-on switched off by name (a project's own
# entry wins over the add-on's; an empty ITEM_PIPELINES would leave the add-on's in place)
NO_PIPELINES = json.dumps(dict.fromkeys(COMPONENTS["ITEM_PIPELINES"]))
VARIANTS: dict[str, dict[str, str]] = {
    "fetch": {"ITEM_PIPELINES": NO_PIPELINES},
    "in-process": {"CLEANCRAWL_WORKERS": "0"},
    "pool": {},  # one worker per core (the default), or --workers
    # Scrapy's floor (benchmarks/bare_spider.py: the same URLs, parsed for nothing): with
    # Scrapy's default settings, then inside cleancrawl's project (its add-on's middlewares,
    # extensions, stats, duplicate filter and log formatter) with no item pipelines
    "bare": {},
    "bare-addon": {"ITEM_PIPELINES": NO_PIPELINES},
}
BARE = ("bare", "bare-addon")
# a variant with "+LOOP" after its name runs on that asyncio event loop (ASYNCIO_EVENT_LOOP),
# not the project's: the loops compared in turns in one run
LOOPS = {"asyncio": "asyncio.SelectorEventLoop", "uvloop": "uvloop.Loop"}
# --variants floor: the bare spider both ways and the real spider with no pipelines
FLOOR = ("bare", "bare-addon", "fetch")
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


def source_pages() -> list[tuple[str, str]]:
    """HTML and URL of the data sets' article pages (and pages of unknown type)."""
    return [
        (doc.read_html(), doc.url)
        for folder in default_datasets()
        for doc in load_docs(folder)
        if doc.meta.get("page_type") in (None, "article")
    ]


def article_html(
    index: int, pages: int, site: str, sources: list[tuple[str, str]], origin: str
) -> str:
    """The article page ``index`` of ``site``: a source page, on the links site with a block
    of links added and its own relative links sent back to its original site."""
    html, url = sources[index % len(sources)]
    if site == "listings":
        return html
    before, after = article_parts(html, url)
    return before + links_block(index, pages, origin) + after


def article_parts(html: str, url: str) -> tuple[str, str]:
    """A source page of the links site, cut where its block of links goes (before
    ``</body>``), with its ``<base>``."""
    # the source's own relative links would be as many more missing pages per article as
    # its real site has links: they go to the real site (off this one) instead, so that the
    # links of the block are the only ones, and of a known number
    base = f'<base href="{url}">' if url else ""
    page, found = _HEAD.subn(lambda match: match[0] + base, html, count=1)
    page = page if found else base + html
    at = page.lower().rfind("</body>")
    return (page[:at], page[at:]) if at >= 0 else (page, "")


def links_block(index: int, pages: int, origin: str) -> str:
    """The block of links the links site adds to its article ``index``."""
    missing = pages * MISSING_PER_ARTICLE
    links = [f"/missing/{(index * 37 + k * 101) % missing}.html" for k in range(MISSING_LINKS)]
    links += [f"/topic/{(index + k * 7) % TOPICS}/" for k in range(TOPIC_LINKS)]
    links += [f"/a/{(index * 13 + k + 1) % pages}.html" for k in range(ARTICLE_LINKS)]
    # absolute: resolved against the base, a path would leave the site
    items = "".join(f'<li><a href="{origin}{link}">More: {link}</a></li>' for link in links)
    return f'<aside class="more-links"><ul>{items}</ul></aside>'


def topic_html(index: int, pages: int, origin: str) -> bytes:
    """A topic page of the links site: no article, links to missing pages and topics."""
    missing = pages * MISSING_PER_ARTICLE
    links = [f"/missing/{(index * 53 + k * 211) % missing}.html" for k in range(20)]
    links += [f"/topic/{(index + k + 1) % TOPICS}/" for k in range(10)]
    items = "".join(f'<li><a href="{origin}{link}">{link}</a></li>' for link in links)
    return (
        f"<html><head><title>Topic {index}</title></head><body><h1>Topic {index}</h1>"
        f"<p>Stories filed under topic {index}.</p><ul>{items}</ul></body></html>"
    ).encode()


def sitemap_xml(pages: int, origin: str) -> bytes:
    entries = "".join(f"<url><loc>{origin}/a/{i}.html</loc></url>" for i in range(pages))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


HTML = b"text/html; charset=utf-8"
_ARTICLE_PATH = re.compile(rb"/a/(\d+)\.html")


class FixedPages:
    """Responses made once, by request path (path to content type and body); any other path
    is a 404. Any site of path→bytes: ``benchmarks/site_junk.py`` serves its sites so."""

    def __init__(self, fixed: Mapping[str, tuple[bytes, bytes]]) -> None:
        self.fixed = {
            path.encode(): [_head(b"200 OK", kind, len(body)), body]
            for path, (kind, body) in fixed.items()
        }
        self.not_found = [_head(b"404 Not Found", HTML, len(NOT_FOUND)), NOT_FOUND]

    def article(self, path: bytes) -> list[bytes] | None:
        """A page made on request (none here: every page is in ``fixed``)."""
        return None


class SitePages(FixedPages):
    """The pages of the benchmark's site as HTTP responses, by request path: all but the
    articles made at the start, each article from its source's bytes (cut before ``</body>``
    on the links site) and, on the links site, its own block of links."""

    def __init__(self, pages: int, site: str, sources: list[tuple[str, str]], origin: str):
        self.pages, self.site, self.origin = pages, site, origin
        fixed = {"/": (HTML, _home(pages, site))}
        if site == "listings":
            for k in range(_lists(pages)):
                fixed[f"/list/{k}.html"] = (HTML, _listing(k, pages))
            self.sources = [(html.encode(), b"") for html, _ in sources]
        else:
            fixed["/sitemap.xml"] = (b"application/xml", sitemap_xml(pages, origin))
            for k in range(TOPICS):
                fixed[f"/topic/{k}/"] = (HTML, topic_html(k, pages, origin))
            self.sources = [
                (before.encode(), after.encode())
                for before, after in (article_parts(html, url) for html, url in sources)
            ]
        super().__init__(fixed)

    def article(self, path: bytes) -> list[bytes] | None:
        """The article at ``path``, or None if it is no article of the site."""
        match = _ARTICLE_PATH.fullmatch(path)
        if match is None or (index := int(match[1])) >= self.pages:
            return None
        before, after = self.sources[index % len(self.sources)]
        if self.site == "listings":
            return [_head(b"200 OK", HTML, len(before)), before]
        block = links_block(index, self.pages, self.origin).encode()
        return [_head(b"200 OK", HTML, len(before) + len(block) + len(after)), before, block, after]


NOT_FOUND = b"not found"


def _head(status: bytes, content_type: bytes, length: int) -> bytes:
    return b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
        status,
        content_type,
        length,
    )


def _lists(pages: int) -> int:
    return (pages + LINKS_PER_LIST - 1) // LINKS_PER_LIST


def _home(pages: int, site: str) -> bytes:
    if site == "links":
        items = "".join(f'<li><a href="/topic/{k}/">topic {k}</a></li>' for k in range(TOPICS))
    else:
        count = _lists(pages)
        items = "".join(f'<li><a href="/list/{k}.html">list {k}</a></li>' for k in range(count))
    return f"<html><body><ul>{items}</ul></body></html>".encode()


def _listing(k: int, pages: int) -> bytes:
    first, last = k * LINKS_PER_LIST, min((k + 1) * LINKS_PER_LIST, pages)
    items = "".join(f'<li><a href="/a/{i}.html">story {i}</a></li>' for i in range(first, last))
    return f"<html><body><h1>List {k}</h1><ul>{items}</ul></body></html>".encode()


class SiteProtocol(asyncio.Protocol):
    """HTTP/1.1 GETs on a kept-alive connection, answered from ``SitePages`` (or any
    ``FixedPages``); any other path is a 404. A plain protocol, not a web framework: the
    server shares the 2 cores with the crawl it serves, and twisted.web took 0.5 CPU ms a
    request (2 CPU s a crawl of the links site) that the pool crawl's ratio paid and a remote
    site would not have cost it."""

    def __init__(self, site: FixedPages, served: Synchronized[int]) -> None:
        self.site = site
        self.served = served
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            words = head.split(b" ", 2)
            path = words[1].split(b"?", 1)[0] if len(words) > 1 else b""
            response = self.site.fixed.get(path)
            if response is None and (response := self.site.article(path)) is not None:
                with self.served.get_lock():
                    self.served.value += 1
            self.transport.writelines(response or self.site.not_found)


@contextlib.contextmanager
def serving_in_thread(
    sites: Sequence[tuple[str, Callable[[str], FixedPages]]],
    served: Synchronized[int] | None = None,
) -> Iterator[list[str]]:
    """Serve sites from a thread of this process (a crawl runs in another): each ``(host,
    pages_for)`` on a free port of its host, ``pages_for`` given the origin it is served at
    (``http://HOST:PORT``, known once bound); yields the origins, in order. ``served``
    counts the pages made on request."""
    sockets: list[socket.socket] = []
    for host, _ in sites:
        sockets.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sockets[-1].bind((host, 0))
    origins = [
        f"http://{host}:{sock.getsockname()[1]}"
        for (host, _), sock in zip(sites, sockets, strict=True)
    ]
    counter = served if served is not None else multiprocessing.get_context("spawn").Value("i", 0)
    loop = asyncio.new_event_loop()
    servers: list[asyncio.AbstractServer] = []

    async def start() -> None:
        for (_, pages_for), sock, origin in zip(sites, sockets, origins, strict=True):
            protocol = functools.partial(SiteProtocol, pages_for(origin), counter)
            servers.append(await loop.create_server(protocol, sock=sock))

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(start(), loop).result()
        yield origins
    finally:
        for server in servers:
            loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        for sock in sockets:
            sock.close()


def serve(pages: int, site: str, served: Synchronized[int], connection: Connection) -> None:
    """Serve ``pages`` articles (cycling through the data) and the rest of ``site``; send
    the port. ``served`` counts the article pages served."""
    asyncio.run(_serve(pages, site, served, connection))


async def _serve(pages: int, site: str, served: Synchronized[int], connection: Connection) -> None:
    loop = asyncio.get_running_loop()
    pages_of_site: list[SitePages] = []

    def protocol() -> SiteProtocol:
        return SiteProtocol(pages_of_site[0], served)

    server = await loop.create_server(protocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    # the articles' origin names the port, known once bound; no crawl connects before it is sent
    pages_of_site.append(SitePages(pages, site, source_pages(), f"http://127.0.0.1:{port}"))
    connection.send(port)
    await server.serve_forever()


@dataclass
class Sample:
    """What a crawl's process tree used: CPU seconds per process and peak memory."""

    cpu: dict[int, float] = field(default_factory=dict)
    peak_rss: int = 0
    # (pages crawled so far, RSS of the tree at that moment)
    rss_by_pages: list[tuple[int, int]] = field(default_factory=list)
    # the crawl process's threads but its main one (the reactor's): Twisted's
    threads: dict[int, float] = field(default_factory=dict)

    def take(self, pid: int, crawled: int) -> None:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            if (tid := int(task.name)) != pid:
                with contextlib.suppress(OSError, IndexError):
                    self.threads[tid] = cpu_of(pid, tid)
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
    fetched: int  # responses of every kind
    written: int
    seconds: float
    cpu_seconds: float
    # the Scrapy process alone (no workers): the CPU it takes from the cleaning workers
    crawler_cpu: float
    # its CPU when Scrapy logged "Spider opened": imports, settings, components made
    crawler_cpu_at_open: float
    crawler_threads_cpu: float  # of that, its threads but the main one (the reactor's)
    peak_rss: int
    server_cpu: float
    rss_by_pages: list[tuple[int, int]]
    # the pool variant (crawler.pool.PoolUse): from the first page handed to the pool to the
    # last result, and its workers' seconds without a page in that time
    pool_seconds: float = 0.0
    pool_idle_worker_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


@dataclass(frozen=True)
class Server:
    """The benchmark site's server process, its address and its count of articles served."""

    process: BaseProcess
    url: str
    site: str
    served: Synchronized[int]

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid


def sites_file(server: Server, pages: int) -> str:
    """The sites file of a crawl of ``pages`` articles of the server's site."""
    if server.site == "listings":
        return (
            f'[[site]]\nname = "bench"\nstart_urls = ["{server.url}/"]\n'
            f"max_pages = {pages + pages // LINKS_PER_LIST + 10}\nmax_depth = 2\n"
        )
    # room for every missing and topic page: all links are followed (default max_depth, 3)
    return (
        f'[[site]]\nname = "bench"\nstart_urls = ["{server.url}/"]\n'
        f'sitemap_urls = ["{server.url}/sitemap.xml"]\n'
        f"max_pages = {pages * (MISSING_PER_ARTICLE + 1) + TOPICS + 100}\n"
    )


def site_urls(server: Server, pages: int) -> list[str]:
    """What a crawl of ``pages`` articles of the links site fetches: the home page, the
    sitemap, the articles in its order, then the missing and topic pages."""
    paths = ["/", "/sitemap.xml", *(f"/a/{i}.html" for i in range(pages))]
    paths += [f"/missing/{i}.html" for i in range(pages * MISSING_PER_ARTICLE)]
    paths += [f"/topic/{k}/" for k in range(TOPICS)]
    return [server.url + path for path in paths]


def project_loop() -> str | None:
    """The asyncio event loop cleancrawl's crawls run on (None: asyncio's default)."""
    from crawler import settings

    return getattr(settings, "ASYNCIO_EVENT_LOOP", None)


def crawl_command(
    variant: str,
    server: Server,
    pages: int,
    workdir: Path,
    workers: int | None = None,
    profile: Path | None = None,
) -> tuple[list[str], Path, Path]:
    """The command line of a crawl, the folder to run it in and the stats file it writes."""
    workdir.mkdir(parents=True, exist_ok=True)
    stats_file = workdir / f"{variant}-stats.json"
    base, _, loop = variant.partition("+")
    settings = {**COMMON, **VARIANTS[base]}
    if loop:
        settings["ASYNCIO_EVENT_LOOP"] = LOOPS[loop]
    elif base == "bare" and (project := project_loop()):
        # Scrapy's defaults but the project's loop: the floor moves with the crawl's loop
        settings["ASYNCIO_EVENT_LOOP"] = project
    if profile is not None:
        settings["EXTENSIONS"] = json.dumps({"benchmarks.crawl_profile.ProfileCrawl": 0})
        settings[PROFILE_SETTING] = str(profile)
    if base == "pool" and workers is not None:
        settings["CLEANCRAWL_WORKERS"] = str(workers)
    if base in BARE:
        urls = workdir / "urls.txt"
        urls.write_text("\n".join(site_urls(server, pages)) + "\n")
        command = ["-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_spider.py")]
        command += ["-a", f"urls={urls}", "-a", f"stats={stats_file}"]
        # out of the project (no scrapy.cfg above the folder): Scrapy's own defaults
        cwd = ROOT if base == "bare-addon" else workdir
    else:
        sites = workdir / "sites.toml"
        sites.write_text(sites_file(server, pages))
        command = ["-m", "scrapy", "crawl", "technews", "-a", f"sites={sites}"]
        command += ["-a", f"output={workdir / variant}"]
        settings["CLEANCRAWL_STATS_FILE"] = str(stats_file)
        cwd = ROOT
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return [sys.executable, *command], cwd, stats_file


def crawl(
    variant: str,
    server: Server,
    pages: int,
    workdir: Path,
    workers: int | None = None,
    profile: Path | None = None,
) -> Run:
    """One crawl of ``variant``; with ``profile``, its reactor thread profiled while the
    spider is open, the stats to that file (its CPU figures then include the profiler's)."""
    command, cwd, stats_file = crawl_command(variant, server, pages, workdir, workers, profile)
    # (the bare spider runs out of the project's folder, and the profile's extension is in it)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server_before = cpu_of(server.pid)
    served_before = server.served.value
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    crawled = [0]
    opened: list[float] = []

    def read_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if match := _CRAWLED.search(line):
                crawled[0] = int(match[1])
            elif not opened and "Spider opened" in line:
                with contextlib.suppress(OSError):
                    opened.append(cpu_of(process.pid))

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    sample = Sample()
    while process.poll() is None:
        sample.take(process.pid, crawled[0])
        time.sleep(0.25)
    reader.join()
    stats = json.loads(stats_file.read_text())
    return Run(
        variant=variant,
        pages=server.served.value - served_before,
        fetched=stats.get("response_received_count", 0),
        written=stats.get("parquet/rows_written", 0),
        seconds=stats["elapsed_time_seconds"],
        cpu_seconds=sum(sample.cpu.values()),
        crawler_cpu=sample.cpu.get(process.pid, 0.0),
        crawler_cpu_at_open=opened[0] if opened else 0.0,
        crawler_threads_cpu=sum(sample.threads.values()),
        peak_rss=sample.peak_rss,
        server_cpu=cpu_of(server.pid) - server_before,
        rss_by_pages=sample.rss_by_pages,
        pool_seconds=stats.get("cleaning/pool_seconds", 0.0),
        pool_idle_worker_seconds=stats.get("cleaning/pool_idle_worker_seconds", 0.0),
    )


def cpu_of(pid: int, thread: int | None = None) -> float:
    task = f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat"
    stat = Path(task).read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICKS


def crawl_task(html: str, url: str, site: str) -> Any:
    """What a cleaning worker of the pool crawl runs per page, with its default settings:
    clean (reading the page's hrefs for the spider), describe the kept text (line keys and
    quality signals) and sign it."""
    options = near_duplicate_options(crawl_settings())  # (settings made once per worker)
    return clean_and_sign(
        clean_in_worker_with_hrefs, options, html, url, site, line_keys=True, quality=True
    )


def timed_crawl_task(html: str, url: str, site: str) -> tuple[float, Any]:
    """``crawl_task``'s CPU seconds in the worker, and its result (sent back as in the crawl)."""
    started = time.process_time()
    result = crawl_task(html, url, site)
    return time.process_time() - started, result


@functools.cache
def crawl_settings() -> Any:
    """The crawl's defaults (the add-on's) with the benchmark's settings over them."""
    from scrapy.settings import Settings

    settings = Settings()
    for spec in SETTINGS:
        settings.set(spec.name, spec.default)
    settings.setdict(COMMON)
    return settings


@dataclass(frozen=True)
class Capacity:
    """The worker pool alone doing the pool crawl's work on the crawl's articles."""

    pages: int
    seconds: float
    worker_cpu: float  # the workers' CPU seconds on the pages (process time, summed)
    # the pool's processes (forkserver and workers) as /proc counts them, as the crawl's are:
    # from the pool's start to the warm-up's end (imports, models, 8 pages), and on the pages
    # (``worker_cpu`` with the pages' and results' pickling and the workers' loop)
    start_cpu: float = 0.0
    proc_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def crawl_articles(pages: int, site: str, server_url: str) -> list[tuple[str, str]]:
    """HTML and URL of every article page the crawl of ``pages`` articles cleans, as served."""
    sources = source_pages()
    return [
        (article_html(i, pages, site, sources, server_url), f"{server_url}/a/{i}.html")
        for i in range(pages)
    ]


def crawl_capacity(workers: int, served: list[tuple[str, str]]) -> Capacity:
    """The worker pool alone doing what it does in the pool crawl: the crawl's cleaning
    options and work per page (``crawl_task``) on the crawl's article pages with their URLs,
    in the crawl's order, at most two pages per worker handed over at a time (as
    ``CLEANCRAWL_MAX_IN_FLIGHT`` allows), to the crawl's workers (``cleaning.worker.serve``)
    over their sockets, as the crawl's reactor hands them over, by a plain ``select`` loop
    of this process that never waits on one worker while another has a result. A new pool
    each time, as each crawl starts one, warmed up on the first pages before the clock
    starts."""
    options = cleaning_options(crawl_settings())
    context: Any = pool_context()
    before = pool_cpu()
    links: list[_Link] = []
    for _ in range(workers):
        ours, theirs = socket.socketpair()
        process = context.Process(target=serve_pages, args=(theirs, options, {}), daemon=True)
        process.start()
        theirs.close()
        ours.setblocking(False)
        links.append(_Link(ours, process))
    _pump(links, served[:8], 2 * workers)  # warm-up
    warmed = pool_cpu()
    started = time.perf_counter()
    cpu = _pump(links, served, 2 * workers)
    seconds = time.perf_counter() - started
    finished = pool_cpu()
    for link in links:
        link.socket.close()
        link.process.join()
    start_cpu = sum(used - before.get(pid, 0.0) for pid, used in warmed.items())
    proc_cpu = sum(used - warmed.get(pid, 0.0) for pid, used in finished.items())
    return Capacity(len(served), seconds, cpu, start_cpu, proc_cpu)


@dataclass
class _Link:
    """A worker of ``crawl_capacity``: its socket, what is still to be written to it, what
    was read from it and not yet taken, and its pages not yet answered."""

    socket: socket.socket
    process: BaseProcess
    out: bytearray = field(default_factory=bytearray)
    read: bytearray = field(default_factory=bytearray)
    pages: int = 0


def _pump(links: list[_Link], pages: list[tuple[str, str]], in_flight: int) -> float:
    """Hand ``pages`` over (at most ``in_flight`` unanswered) and take every answer; the
    workers' CPU seconds on them, as ``timed_crawl_task`` measured it."""
    cpu, queue = 0.0, list(reversed(pages))
    while queue or any(link.pages for link in links):
        while queue and sum(link.pages for link in links) < in_flight:
            html, url = queue.pop()
            link = min(links, key=lambda each: each.pages)
            message = page_message(timed_crawl_task, None, html, url, "bench")
            link.out += MESSAGE_LENGTH.pack(len(message)) + message
            link.pages += 1
        readable, writable, _ = select.select(
            [link.socket for link in links], [link.socket for link in links if link.out], []
        )
        for link in links:
            if link.socket in writable:
                del link.out[: link.socket.send(link.out)]
            if link.socket in readable:
                chunk = link.socket.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("a worker ended")
                link.read += chunk
                head = MESSAGE_LENGTH.size
                while len(link.read) >= head:
                    size = MESSAGE_LENGTH.unpack_from(link.read)[0]
                    if len(link.read) < head + size:
                        break
                    answer = bytes(link.read[head : head + size])
                    del link.read[: head + size]
                    if size:  # (an empty message: the worker is ready)
                        ok, (seconds, _) = pickle.loads(answer)
                        assert ok
                        cpu += seconds
                        link.pages -= 1
    return cpu


def pool_cpu() -> dict[int, float]:
    """CPU seconds of this process's children but the benchmark's server (the forkserver,
    made once, and the pool's workers) and theirs, by process."""
    found: dict[int, float] = {}
    for pid in descendants(os.getpid()):
        if pid in SERVERS:
            continue
        with contextlib.suppress(OSError, IndexError):
            found[pid] = cpu_of(pid)
    return found


def start_server(pages: int, site: str) -> Server:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    served = context.Value("i", 0)
    process = context.Process(target=serve, args=(pages, site, served, child), daemon=True)
    process.start()
    assert process.pid is not None
    SERVERS.add(process.pid)
    return Server(process, f"http://127.0.0.1:{parent.recv()}", site, served)


def throughput(args: argparse.Namespace) -> None:
    server = start_server(args.pages, args.site)
    args.load_before = os.getloadavg()[0]
    names = args.variants
    runs: dict[str, list[Run]] = {name: [] for name in names}
    # the capacity on the very pages the crawl cleans, measured before the first round and
    # after each: a figure taken once, for a few seconds, met whatever else the machine did
    # then (33.7 and 56.0 pages/s in two runs of the same code at stop 27)
    served = crawl_articles(args.pages, args.site, server.url)
    capacities: list[Capacity] = []

    def measure_capacity() -> None:
        capacities.append(crawl_capacity(args.workers, served))
        print(f"  capacity {len(capacities)}: {capacities[-1].rate:.1f} pages/s", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        # warm-up (the page cache, the forkserver's imports)
        warm = "pool" if "pool" in names else names[-1]
        crawl(warm, server, min(args.pages, 200), Path(tmp) / "warm", args.workers)
        if "pool" in names:
            measure_capacity()
        for round_ in range(args.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                workdir = Path(tmp) / f"{name}-{round_}"
                workdir.mkdir(parents=True)
                profile = args.profile / f"{name}-{round_ + 1}.prof" if args.profile else None
                runs[name].append(crawl(name, server, args.pages, workdir, args.workers, profile))
                print(
                    f"  {name} round {round_ + 1}: {runs[name][-1].rate:.1f} pages/s, "
                    f"{per_response(runs[name][-1]):.2f} ms CPU a response",
                    file=sys.stderr,
                )
            if "pool" in names:
                measure_capacity()
    server.process.terminate()
    report_cpu(args, runs)
    if "pool" in names:
        report(args, runs, capacities)


def per_response(run: Run, start_up: bool = True) -> float:
    """The crawl process's CPU milliseconds a response, its start-up included or not."""
    cpu = run.crawler_cpu if start_up else run.crawler_cpu - run.crawler_cpu_at_open
    return 1000 * cpu / max(run.fetched, 1)


def report_cpu(args: argparse.Namespace, runs: dict[str, list[Run]]) -> None:
    """The crawl process's CPU a response, by variant and round (the floor)."""
    rounds = len(next(iter(runs.values())))
    print(f"# Crawl process CPU a response, {args.site} site: {args.pages} articles\n")
    print(
        f"Load (1 min) before: {args.load_before:.1f}, at the end: {os.getloadavg()[0]:.1f}; "
        "variants in turns, round by round.\n"
    )
    print(
        'ms a response without the start-up (the CPU before Scrapy\'s "Spider opened"), and '
        "with it in brackets:\n"
    )
    head = " | ".join(f"round {k + 1}" for k in range(rounds))
    print(
        f"| variant | responses | start-up CPU s | {head} | median ms | of which threads "
        "but the reactor's, ms | median pages/s |"
    )
    print("|---|--:|--:|" + "--:|" * rounds + "--:|--:|--:|")
    for name, each in runs.items():
        cells = " | ".join(f"{per_response(r, False):.2f} ({per_response(r):.2f})" for r in each)
        print(
            f"| {name} | {statistics.median(r.fetched for r in each):.0f} | "
            f"{statistics.median(r.crawler_cpu_at_open for r in each):.2f} | {cells} | "
            f"{statistics.median(per_response(r, False) for r in each):.2f} "
            f"({statistics.median(per_response(r) for r in each):.2f}) | "
            f"{statistics.median(1000 * r.crawler_threads_cpu / r.fetched for r in each):.2f} | "
            f"{statistics.median(r.rate for r in each):.1f} |"
        )
    if args.profile:
        print(
            f"\nProfiles of round 1 in {args.profile} (python -m pstats), the reactor's thread "
            'from "Spider opened" to the close; time by package, the standard library\'s and '
            "built-ins' charged to their callers:\n"
        )
        for name in runs:
            whole, shares = owner_shares(args.profile / f"{name}-1.prof")
            print(
                f"- {name} ({1000 * whole / runs[name][0].fetched:.2f} ms a response "
                "profiled): " + ", ".join(f"{pkg} {share:.0%}" for pkg, share in shares[:8])
            )


def report(
    args: argparse.Namespace, runs: dict[str, list[Run]], capacities: list[Capacity]
) -> None:
    """Print the rounds, the capacities between them and the ratios."""
    names = list(runs)
    median = {name: statistics.median(r.rate for r in runs[name]) for name in names}
    print(
        f"# Crawl throughput, {args.site} site: {args.pages} article pages, "
        f"median of {args.rounds} rounds\n"
    )
    print(f"{os.cpu_count()} cores; pool: {args.workers} workers; server in its own process.\n")
    if args.site == "links":
        fetched = statistics.median(r.fetched for r in runs["pool"])
        print(f"Pages fetched in all (articles, missing and topic pages): {fetched:.0f}.\n")
    print(
        "| variant | pages/s | written | CPU s (crawler + workers) | crawler CPU ms/response "
        "| server CPU s | peak RSS MB |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    for name in names:
        last = runs[name][-1]
        # the Scrapy process's CPU per response, median of the rounds: unlike pages/s, it
        # hardly moves with the machine's load
        cpu = statistics.median(per_response(r) for r in runs[name])
        print(
            f"| {name} | {median[name]:.1f} | {last.written} | {last.cpu_seconds:.0f} | "
            f"{cpu:.1f} | {last.server_cpu:.1f} | {last.peak_rss / 2**20:.0f} |"
        )
    pool = runs["pool"]
    idle = statistics.median(
        [
            r.pool_idle_worker_seconds / (args.workers * r.pool_seconds)
            for r in pool
            if r.pool_seconds
        ]
        or [0.0]
    )
    outside = statistics.median(r.seconds - r.pool_seconds for r in pool)
    print(
        f"\nPool crawl: workers without a page {idle:.0%} of the time from the first page to the "
        f"last result; {outside:.1f} s of the crawl outside that (start-up, and the pages "
        "fetched after the last article was cleaned)."
    )
    capacity = statistics.median(c.rate for c in capacities)
    print(
        f"\nPool cleaning capacity (the workers alone doing the pool crawl's work: its options, "
        f"hrefs, signatures, line keys and quality signals, on its {capacities[0].pages} "
        "articles with their URLs), measured before the first round and after each:\n"
    )
    print(
        "| measure | pages/s | workers' CPU ms/article, in the task | the same, the pool's "
        "processes by /proc | their start-up CPU s (and 8 pages) |"
    )
    print("|---|--:|--:|--:|--:|")
    for k, each in enumerate(capacities):
        when = "before round 1" if k == 0 else f"after round {k}"
        print(
            f"| {when} | {each.rate:.1f} | {1000 * each.worker_cpu / each.pages:.1f} | "
            f"{1000 * each.proc_cpu / each.pages:.1f} | {each.start_cpu:.1f} |"
        )
    print(
        f"| median | {capacity:.1f} | "
        f"{statistics.median(1000 * c.worker_cpu / c.pages for c in capacities):.1f} | "
        f"{statistics.median(1000 * c.proc_cpu / c.pages for c in capacities):.1f} | "
        f"{statistics.median(c.start_cpu for c in capacities):.1f} |"
    )
    # each pool round against the capacities measured just before and just after it (the
    # machine as the round met it), and the fetch crawl of the same round
    print(
        "\n| round | fetch pages/s | pool pages/s | capacity around it "
        "| pool / min(fetch, capacity) |"
    )
    print("|--:|--:|--:|--:|--:|")
    per_round = []
    for k, (fetch, crawl_) in enumerate(zip(runs["fetch"], pool, strict=True)):
        around = (capacities[k].rate + capacities[k + 1].rate) / 2
        per_round.append(crawl_.rate / min(fetch.rate, around))
        print(
            f"| {k + 1} | {fetch.rate:.1f} | {crawl_.rate:.1f} | {around:.1f} | "
            f"{per_round[-1]:.2f} |"
        )
    print("\n| ratio | value | target |")
    print("|---|--:|--:|")
    print(
        "| pool / min(fetch ceiling, pool capacity), median of the rounds' "
        f"| {statistics.median(per_round):.2f} | >= 0.85 |"
    )
    ceiling = min(median["fetch"], capacity)
    print(f"| the same, medians over medians | {median['pool'] / ceiling:.2f} | >= 0.85 |")
    # not the target's ceiling, which gives the fetch and the workers the cores each to
    # themselves: the pool crawl's own CPU seconds spread over the cores, as the fastest it
    # could have been with the spider and the workers sharing them
    cores = os.cpu_count() or 1
    cpu_bound = statistics.median(r.cpu_seconds / cores / r.seconds for r in pool)
    print(f"| pool / its CPU-bound rate (own CPU s over {cores} cores) | {cpu_bound:.2f} | - |")
    # What 2 cores allow: the crawl's process takes S CPU s and the workers W; sharing the
    # cores, the pool crawl takes at least (S + W) / cores, the workers alone W / cores
    articles = statistics.median(r.pages for r in pool)
    spider = statistics.median(r.crawler_cpu for r in pool)
    alone = statistics.median(c.worker_cpu / c.pages for c in capacities) * articles
    # the workers alone as /proc counts the crawl's: the pages with their pickling, and
    # the pool's start (forkserver, imports, models), which the crawl's figure includes
    by_proc = statistics.median(c.proc_cpu / c.pages for c in capacities) * articles
    start = statistics.median(c.start_cpu for c in capacities)
    in_crawl = statistics.median(r.cpu_seconds - r.crawler_cpu for r in pool)
    print(
        f"| bound W / (S + W): W the workers alone ({by_proc:.0f} CPU s by /proc), S the crawl "
        f"process ({spider:.0f} CPU s) | {by_proc / (by_proc + spider):.2f} | - |"
    )
    print(
        f"| workers' CPU in the pool crawl ({in_crawl:.0f} s, start-up included) / alone, "
        f"in the task ({alone:.0f} s) | {in_crawl / alone:.2f} | - |"
    )
    print(
        f"| the same / alone by /proc with the pool's start-up ({by_proc:.0f} + {start:.0f} s) "
        f"| {in_crawl / (by_proc + start):.2f} | - |"
    )
    if "in-process" in median:
        print(f"| pool / in-process | {median['pool'] / median['in-process']:.2f} | >= 1.7 |")


def memory(args: argparse.Namespace) -> None:
    pages = args.pages if args.pages != 2000 else 20_000
    server = start_server(pages, args.site)
    with tempfile.TemporaryDirectory() as tmp:
        run = crawl("pool", server, pages, Path(tmp))
    server.process.terminate()
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


def variants(value: str) -> list[str]:
    """``--variants``: known names (``floor`` for its three), each with an optional
    ``+LOOP`` (``LOOPS``), in ``VARIANTS``' order, a name's loops after it."""
    asked = set(value.split(","))
    if "floor" in asked:
        asked = (asked - {"floor"}) | set(FLOOR)
    known = set(VARIANTS) | {f"{v}+{loop}" for v in VARIANTS for loop in LOOPS}
    if unknown := asked - known:
        raise argparse.ArgumentTypeError(f"unknown: {', '.join(sorted(unknown))}")
    return [v for v in sorted(known, key=_in_order) if v in asked]


def _in_order(variant: str) -> tuple[int, str]:
    base, _, loop = variant.partition("+")
    return list(VARIANTS).index(base), loop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--memory", action="store_true", help="one pool crawl of 20,000 pages")
    parser.add_argument("--site", choices=SITES, default="listings", help="the site served")
    parser.add_argument(
        "--variants",
        type=variants,
        default=["fetch", "in-process", "pool"],
        help="comma-separated, of " + ", ".join(VARIANTS) + ": fetch,pool to leave out the "
        "slow in-process crawls; floor for Scrapy's own CPU a response (bare,bare-addon,fetch); "
        "NAME+asyncio or NAME+uvloop: that variant on that event loop, not the project's",
    )
    parser.add_argument(
        "--profile", type=Path, help="a folder: each crawl process under cProfile, stats there"
    )
    args = parser.parse_args(argv)
    for name in ("pages", "rounds", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}: at least 1")
    bases = {v.partition("+")[0] for v in args.variants}
    if "pool" in args.variants and "fetch" not in args.variants:
        parser.error("--variants: the ratios need fetch beside pool")
    if not bases & {"pool", *FLOOR}:
        parser.error("--variants: pool (with fetch) for the ratios, or floor")
    if args.site != "links" and set(BARE) & bases:
        parser.error("--variants: the bare spider fetches the links site's pages (--site links)")
    if args.profile:
        try:
            args.profile.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            parser.error(f"--profile: {error}")
    memory(args) if args.memory else throughput(args)


if __name__ == "__main__":
    main()

"""Distributed mode, end to end: several `scrapy crawl technews` processes sharing one crawl.

A real Redis (tests/redis_server.py) and a generated site with a fixed latency per answer
(tests/article_site.py). Each worker writes to its own output folder (``-a output=``), so
that the files of two processes of one crawl cannot collide on names whatever the Parquet
naming; the rows of a crawl are the union of its workers' folders.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest
import redis

from tests.article_site import ArticleSite
from tests.conftest import ROOT, run_scrapy_crawl
from tests.warc_site import TEMPLATE_LINE

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.slow

PAGES = 40  # articles; the home page is written too (a page of links)


@dataclass
class Worker:
    process: subprocess.Popen[str]
    output: Path
    stats_file: Path
    log_file: Path

    def wait(self, timeout: float = 240) -> int:
        return self.process.wait(timeout=timeout)

    @property
    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    @property
    def stats(self) -> dict[str, Any]:
        return json.loads(self.stats_file.read_text()) if self.stats_file.exists() else {}


def start_worker(
    tmp: Path, name: str, redis_url: str, site_args: list[str], **settings: Any
) -> Worker:
    tmp.mkdir(parents=True, exist_ok=True)
    output, stats, log = tmp / f"out-{name}", tmp / f"stats-{name}.json", tmp / f"log-{name}"
    command = [sys.executable, "-m", "scrapy", "crawl", "technews", *site_args]
    command += ["-a", f"output={output}"]
    for key, value in {
        "REDIS_URL": redis_url,
        "CLEANCRAWL_STATS_FILE": str(stats),
        "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
        "AUTOTHROTTLE_ENABLED": "False",
        "CLEANCRAWL_WORKERS": "0",
        # few requests per process, so that every worker gets a share of a small site
        "CONCURRENT_REQUESTS": "2",
        "CLEANCRAWL_WORKER_TIMEOUT": "3",
        **settings,
    }.items():
        command += ["-s", f"{key}={value}"]
    handle = log.open("w")
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, text=True
    )
    return Worker(process, output, stats, log)


def rows_of(folders: list[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for folder in folders:
        for path in sorted(folder.glob("*.parquet")):
            rows += pq.read_table(path).to_pylist()
    return rows


def temp_files(folders: list[Path]) -> list[Path]:
    return [p for folder in folders for p in folder.glob(".*") if folder.exists()]


def check_clean(worker: Worker) -> None:
    log = worker.log
    assert "Traceback" not in log, log[-3000:]
    assert "ScrapyDeprecationWarning" not in log, log[-3000:]
    assert "DeprecationWarning" not in log, log[-3000:]
    # a worker may find the crawl done before it fetched anything (exit code 3)
    assert worker.process.returncode in (0, 3), log[-3000:]


def crawl(tmp: Path, redis_url: str, site: ArticleSite, workers: int) -> list[dict[str, Any]]:
    started = [
        start_worker(tmp, f"w{i}", redis_url, ["-a", f"url={site.url}/"]) for i in range(workers)
    ]
    for worker in started:
        worker.wait()
        check_clean(worker)
    assert not temp_files([w.output for w in started])
    return rows_of([w.output for w in started])


@pytest.fixture(scope="module")
def site() -> Any:
    with ArticleSite(PAGES, latency=0.1) as running:
        yield running


def by_url(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {row["url"]: row["text"] for row in rows}


def test_one_two_and_three_workers_write_the_same_rows(
    site: ArticleSite, redis_url: str, tmp_path: Path
) -> None:
    client = redis.Redis.from_url(redis_url)
    written = {}
    for workers in (1, 2, 3):
        # each a first crawl: the shared history of the one before would make it incremental
        client.flushdb()
        rows = crawl(tmp_path / str(workers), redis_url, site, workers)
        urls = [row["url"] for row in rows]
        assert len(urls) == len(set(urls)), f"{workers} workers: a URL written twice"
        written[workers] = by_url(rows)
        # the crawl is over: its id is cleared, the next run is a new crawl that reads the
        # sitemap again (fingerprints are per crawl)
        assert not list(client.scan_iter(match="cleancrawl:*:crawl_id"))
        assert not list(client.scan_iter(match="*:inflight:*"))
    assert site.article_urls() <= set(written[1])
    assert written[2] == written[1]
    assert written[3] == written[1]


def test_a_killed_worker_loses_nothing(redis_url: str, tmp_path: Path) -> None:
    with ArticleSite(60, latency=0.3) as site:
        args = ["-a", f"url={site.url}/"]
        workers = [start_worker(tmp_path, f"w{i}", redis_url, args) for i in range(3)]
        victim = workers[1]
        client = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 120
        # kill at about 30% of the crawl, while the victim holds leases
        while time.monotonic() < deadline:
            fetched = sum(n for path, n in site.requests.items() if path.startswith("/news/"))
            if fetched >= 18 and victim_leases(client, victim):
                break
            time.sleep(0.05)
        held = victim_leases(client, victim)
        assert held, "the victim held no lease when killed"
        victim.process.send_signal(signal.SIGKILL)
        victim.wait()
        replacement = replace(victim, workers, site, tmp_path, redis_url, args)
        folders = [w.output for w in workers]
        assert not temp_files(folders)
        rows = rows_of(folders)
        urls = [row["url"] for row in rows]
        assert len(urls) == len(set(urls)), "a URL written twice"
        assert site.article_urls() <= set(urls), "an article lost"
        # every URL the victim had leased was fetched after it died
        for url in held:
            assert url in set(urls) or not url.startswith(f"{site.url}/news/")
        logs = " ".join(w.log for w in (workers[0], workers[2], replacement))
        assert "put back" in logs.lower()  # the victim's leases were queued again


def replace(
    victim: Worker,
    workers: list[Worker],
    site: ArticleSite,
    tmp_path: Path,
    redis_url: str,
    args: list[str],
    **settings: str,
) -> Worker:
    """Start the killed ``victim``'s replacement, as systemd restarts a unit (same worker id,
    same output folder), and wait for the three workers to end cleanly. The site holds its
    answers until the replacement has joined, so the crawl cannot end before (a worker
    started after the end starts the next crawl)."""
    site.serving.clear()
    replacement = start_worker(
        tmp_path, "w1", redis_url, args, CLEANCRAWL_WORKER_ID=worker_id(victim), **settings
    )
    while "Worker " not in replacement.log and replacement.process.poll() is None:
        time.sleep(0.1)
    site.serving.set()
    for worker in (workers[0], workers[2], replacement):
        worker.wait()
        check_clean(worker)
    return replacement


def kill_at_a_durable_point(
    victim: Worker, client: redis.Redis, ready: Callable[[], bool] = lambda: True
) -> None:
    """SIGKILL ``victim`` while its renamed files hold the rows its stats snapshot counts:
    not in the instant between a file's rename and the transaction that ends its rows'
    leases (that window is the README's known limit, tested on its own in
    ``test_a_worker_killed_at_its_files_rename``), and when ``ready()`` holds too. Stopped
    first, so it cannot move on between the check and the kill."""
    for _ in range(200):
        victim.process.send_signal(signal.SIGSTOP)
        renamed = sum(pq.read_metadata(f).num_rows for f in victim.output.glob("*.parquet"))
        if renamed == snapshot_rows(client, worker_id(victim)) and ready():
            break
        victim.process.send_signal(signal.SIGCONT)
        time.sleep(0.02)
    victim.process.send_signal(signal.SIGKILL)
    victim.wait()


def snapshot_rows(client: redis.Redis, worker: str) -> int:
    """``parquet/rows_written`` in the stats snapshot of ``worker``'s run (crawler.crawl_stats)."""
    for key in client.scan_iter(match="cleancrawl:*:crawl:*:snapshots"):
        for run, snapshot in client.hgetall(key).items():
            if (run.decode() if isinstance(run, bytes) else run).split()[0] == worker:
                entries = json.loads(snapshot)
                return sum(int(v) for _, name, v in entries if name == "parquet/rows_written")
    return 0


def worker_id(worker: Worker) -> str:
    for line in worker.log.splitlines():
        if " in crawl " in line and "Worker " in line:
            return line.split("Worker ", 1)[1].split()[0]
    raise AssertionError("no worker id in the log:\n" + worker.log[-2000:])


def victim_leases(client: redis.Redis, worker: Worker) -> list[str]:
    """The URLs the worker holds leases on (its in-flight hash in Redis)."""
    try:
        wid = worker_id(worker)
    except AssertionError:
        return []
    from scrapy_redis import picklecompat

    urls = []
    for key in client.scan_iter(match=f"*:inflight:{wid}"):
        for value in client.hvals(key):
            data = value if isinstance(value, bytes) else value.encode()
            urls.append(picklecompat.loads(data.split(b"|", 1)[1])["url"])
    return urls


def test_max_pages_and_politeness_hold_for_the_whole_crawl(redis_url: str, tmp_path: Path) -> None:
    with ArticleSite(40, latency=0.3) as site:
        args = ["-a", f"url={site.url}/", "-a", "max_pages=12"]
        settings = {"CONCURRENT_REQUESTS": "8", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
        workers = [start_worker(tmp_path, f"w{i}", redis_url, args, **settings) for i in range(2)]
        for worker in workers:
            worker.wait()
            check_clean(worker)
        fetched = [path for path in site.requests if path != "/robots.txt"]
        pages = [p for p in fetched if p != "/sitemap.xml"]
        assert len(pages) == 12, sorted(pages)  # max_pages=12 for the crawl, not per worker
        assert all(site.requests[path] == 1 for path in fetched)  # each fetched once
        # CONCURRENT_REQUESTS_PER_DOMAIN=2 for the crawl: never 4 at once from 2 workers
        assert site.most_active <= 2
        # each stats file holds the crawl's merged stats as far as its worker ended: the
        # last one to end has both workers'
        assert max(w.stats.get("technews/pages_queued", 0) for w in workers) == 12


class SitemapIndexSite(ArticleSite):
    """An article site whose sitemap is an index of two indexes of four sitemaps each, every
    sitemap listing four articles. An index (or a sitemap) is answered only once two indexes
    (or two sitemaps) were asked for, or after a minute: with one request at a time per
    worker, each of two workers reads one index, and one sitemap."""

    def __init__(self) -> None:
        super().__init__(32, latency=0.05)
        self.pairs = {"index": threading.Event(), "sitemap": threading.Event()}

    def answer(self, path: str) -> tuple[int, str, bytes]:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        level = path.strip("/").split("-")[0]
        if level in self.pairs:
            if sum(n for p, n in self.requests.items() if p.startswith(f"/{level}-")) >= 2:
                self.pairs[level].set()
            self.pairs[level].wait(60)
        if path == "/sitemap.xml":
            children = [f"{self.url}/index-{half}.xml" for half in "ab"]
        elif level == "index":
            half = path[len("/index-")]
            children = [f"{self.url}/sitemap-{half}{n}.xml" for n in range(4)]
        elif level == "sitemap":
            half, n = path[len("/sitemap-")], int(path[len("/sitemap-x")])
            first = (0 if half == "a" else 16) + 4 * n
            urls = "".join(
                f"<url><loc>{self.url}/news/{k}/</loc></url>" for k in range(first, first + 4)
            )
            return 200, "application/xml", f"<urlset {ns}>{urls}</urlset>".encode()
        else:
            return super().answer(path)
        entries = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
        return 200, "application/xml", f"<sitemapindex {ns}>{entries}</sitemapindex>".encode()


def test_max_sitemaps_and_max_sitemap_urls_hold_for_the_whole_crawl(
    redis_url: str, tmp_path: Path
) -> None:
    with SitemapIndexSite() as site:
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[[site]]\nname = "idx"\nsitemap_urls = ["{site.url}/sitemap.xml"]\n'
            "robots_sitemaps = false\nmax_depth = 0\nmax_sitemaps = 5\nmax_sitemap_urls = 6\n"
        )
        args = ["-a", f"sites={sites}"]
        settings = {"CONCURRENT_REQUESTS": "1"}  # so two indexes go to two workers
        workers = [start_worker(tmp_path, f"w{i}", redis_url, args, **settings) for i in range(2)]
        for worker in workers:
            worker.wait()
            check_clean(worker)
        # each worker read one index, then one sitemap
        assert all(pair.is_set() for pair in site.pairs.values())
        xml = sorted(path for path in site.requests if path.endswith(".xml"))
        # the index, its two indexes and 2 of the 8 sitemaps: max_sitemaps=5 for the crawl
        assert len(xml) == 5, xml
        pages = sorted(path for path in site.requests if path.startswith("/news/"))
        assert len(pages) == 6, pages  # max_sitemap_urls=6 entries read for the crawl
        assert all(site.requests[path] == 1 for path in (*xml, *pages))
        merged = max((w.stats for w in workers), key=lambda s: s.get("cleancrawl/workers", 0))
        assert merged["cleancrawl/workers"] == 2
        assert merged["technews/limits/max_sitemaps"] == 6  # the other 6 sitemaps
        assert merged["technews/xml/sitemap"] == 2


# the keys a finished crawl leaves (README, "What lives where"): under the namespace, the
# state kept from crawl to crawl; under the crawl's own keys, its merged stats only
KEPT = re.compile(
    r"(pages|texts|neardup:[^:]+:(ids|signatures|next_id|band:\d+)"
    r"|templates:.+|template_domains|template_pages"
    r"|crawl:[^:]+:(stats|workers_started|workers_done|runs_done))"
)


def test_a_finished_crawl_leaves_only_its_state_and_its_stats(
    site: ArticleSite, redis_url: str, tmp_path: Path
) -> None:
    client = redis.Redis.from_url(redis_url)
    crawl(tmp_path, redis_url, site, 2)  # workers numbered by Redis (worker_numbers)
    keys = sorted(key.decode() for key in client.scan_iter())
    assert keys and all(key.startswith("cleancrawl:technews:") for key in keys), keys
    namespaces = {":".join(key.split(":")[:3]) for key in keys}
    assert len(namespaces) == 1, keys
    (namespace,) = namespaces
    left = [key.removeprefix(namespace + ":") for key in keys]
    unexpected = [key for key in left if not KEPT.fullmatch(key)]
    assert unexpected == [], "\n".join(unexpected)
    assert any(key.startswith("crawl:") for key in left)  # the stats


class TemplateSite(ArticleSite):
    """The article site with one line on every article: its template."""

    def answer(self, path: str) -> tuple[int, str, bytes]:
        status, kind, body = super().answer(path)
        if path.startswith("/news/") and status == 200:
            body = body.replace(b"</article>", TEMPLATE_LINE + b"</article>")
        return status, kind, body


def test_two_workers_cut_the_template_as_one_process_does(redis_url: str, tmp_path: Path) -> None:
    template = TEMPLATE_LINE.decode().removeprefix("<p>").removesuffix("</p>")
    settings = {"CLEANCRAWL_TEMPLATE_HOLD_PAGES": "5", "CLEANCRAWL_WORKERS": "0"}
    with TemplateSite(30, latency=0.2) as site:
        alone = run_scrapy_crawl(tmp_path / "alone", "-a", f"url={site.url}/", settings=settings)
        assert alone.returncode == 0, alone.log[-3000:]
        # the two workers wait for each other: the site answers once both asked for robots.txt
        site.requests.clear()
        site.serving.clear()
        args = ["-a", f"url={site.url}/"]
        workers = [start_worker(tmp_path, f"w{i}", redis_url, args, **settings) for i in range(2)]
        deadline = time.monotonic() + 60
        while site.requests["/robots.txt"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        site.serving.set()
        for worker in workers:
            worker.wait()
            check_clean(worker)
        one = by_url(rows_of([alone.output]))
        two = {w.output.name: by_url(rows_of([w.output])) for w in workers}
    assert site.article_urls() <= set(one)
    assert not [url for url, text in one.items() if template in text]
    assert alone.stats["cleaning/lines_removed/template"] == 30
    assert all(two.values()), "a worker wrote no row"  # both cleaned pages
    merged = {url: text for rows in two.values() for url, text in rows.items()}
    assert sum(map(len, two.values())) == len(merged)  # no URL written twice
    assert merged == one  # every row cut, and the same text, as in one process


class SomeShortSite(ArticleSite):
    """The article site with every fifth article too short to keep: pages dropped."""

    def answer(self, path: str) -> tuple[int, str, bytes]:
        status, kind, body = super().answer(path)
        if path.startswith("/news/") and path.strip("/").endswith(("3", "8")):
            body = b"<html><body><article><p>Too short.</p></article></body></html>"
        return status, kind, body


NOT_PAGES = ("/robots.txt", "/sitemap.xml")


def test_a_killed_workers_durable_stats_are_in_the_merged_stats(
    redis_url: str, tmp_path: Path
) -> None:
    """kill -9 of one of 3 workers, then a replacement: the merged stats count every row
    of the crawl's Parquet files once (the killed run's renamed files by its last snapshot,
    the rows of its unfinished file by whoever fetched them again) and every dropped page
    once."""
    settings = {
        "CLEANCRAWL_PARQUET_MAX_ROWS": "3",  # files renamed all along
        "CLEANCRAWL_PARQUET_BATCH_SIZE": "1",
        "CLEANCRAWL_TEMPLATES_ENABLED": "False",  # rows as they come, not held per domain
    }
    with SomeShortSite(60, latency=0.3) as site:
        args = ["-a", f"url={site.url}/"]
        # the victim starts first, so it has written files by the time it is killed
        victim = start_worker(tmp_path, "w1", redis_url, args, **settings)
        client = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and victim.process.poll() is None:
            if list(victim.output.glob("*.parquet")) if victim.output.exists() else []:
                break
            time.sleep(0.05)
        workers = [start_worker(tmp_path, f"w{i}", redis_url, args, **settings) for i in (0, 2)]
        workers.insert(1, victim)
        # killed holding leases: the rows of its unfinished file, pages in flight
        while time.monotonic() < deadline and len(victim_leases(client, victim)) < 2:
            time.sleep(0.05)
        assert victim_leases(client, victim), "the victim held no lease when killed"

        def fetched_a_leased_page() -> bool:
            # a lease on a page the site has served: the replacement must fetch it again
            # (leases taken before their requests went out, as seen on uvloop, show nothing)
            held = [urlsplit(url).path for url in victim_leases(client, victim)]
            return any(site.requests[path] for path in held if path not in NOT_PAGES)

        kill_at_a_durable_point(victim, client, fetched_a_leased_page)
        victim_files = list(victim.output.glob("*.parquet"))
        assert victim_files
        replacement = replace(victim, workers, site, tmp_path, redis_url, args, **settings)
        rows = rows_of([w.output for w in workers])
        assert len(rows) == len({row["url"] for row in rows}), "a URL written twice"
        pages = [p for p in site.requests if p not in NOT_PAGES]
        assert any(site.requests[p] > 1 for p in pages), "no page fetched again after the kill"
        keys = [k.decode() for k in client.scan_iter(match="cleancrawl:*:crawl:*:stats")]
        assert len(keys) == 1, keys
        crawl_id = keys[0].split(":crawl:", 1)[1].removesuffix(":stats")
    from crawler.cli import main as cleancrawl

    out = tmp_path / "merged.json"
    assert cleancrawl(["stats", redis_url, "--crawl-id", crawl_id, "--output", str(out)]) == 0
    merged = json.loads(out.read_text())
    # every written page once: the killed run's renamed files, not its unfinished one
    assert merged["parquet/rows_written"] == len(rows)
    assert merged["output/rows"] == len(rows)
    assert merged["item_scraped_count"] == len(rows)
    assert merged["cleancrawl/runs_killed"] == 1
    assert merged["cleancrawl/workers"] == 3  # the replacement ended under the victim's id
    dropped = {k: v for k, v in merged.items() if k.startswith("cleaning/dropped/") and v}
    assert dropped, merged
    # every page fetched is written or dropped under one reason, once for the crawl
    assert len(rows) + sum(dropped.values()) == len(pages), (dropped, len(rows), len(pages))
    # the whole crawl's stats file, left by the last worker to end, says the same
    last = max((workers[0], workers[2], replacement), key=lambda w: w.stats_file.stat().st_mtime)
    whole = json.loads(last.stats_file.read_text())
    assert whole["parquet/rows_written"] == len(rows)


class KillAtRename:
    """An extension of the victim in ``test_a_worker_killed_at_its_files_rename``: its
    process kills itself at the rename of its first Parquet file, just before it or just
    after it (setting ``TEST_KILL_AT_RENAME``: ``before``, ``after``)."""

    def __init__(self, when: str) -> None:
        rename = Path.rename

        def killing(path: Path, target: Any) -> Any:
            if not path.name.endswith(".tmp"):
                return rename(path, target)
            if when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            renamed = rename(path, target)
            os.kill(os.getpid(), signal.SIGKILL)
            return renamed

        Path.rename = killing  # type: ignore[method-assign,assignment]

    @classmethod
    def from_crawler(cls, crawler: Any) -> KillAtRename:
        return cls(crawler.settings.get("TEST_KILL_AT_RENAME"))


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_worker_killed_at_its_files_rename(redis_url: str, tmp_path: Path, when: str) -> None:
    """Killed just before its first file's rename, or in the instant after it, before the
    transaction that records its rows' history and ends their leases: its rows are fetched
    again and written by others, never dropped as unchanged (lost). After the rename they
    are in its file too: a duplicate row (the README's known limit), never a lost one."""
    settings = {
        "CLEANCRAWL_PARQUET_MAX_ROWS": "3",
        "CLEANCRAWL_PARQUET_BATCH_SIZE": "1",
        "CLEANCRAWL_TEMPLATES_ENABLED": "False",
    }
    with ArticleSite(12, latency=0.05) as site:
        args = ["-a", f"url={site.url}/"]
        extension = json.dumps({f"{__name__}.KillAtRename": 0})
        victim = start_worker(
            tmp_path,
            "victim",
            redis_url,
            args,
            EXTENSIONS=extension,
            TEST_KILL_AT_RENAME=when,
            **settings,
        )
        assert victim.wait() == -signal.SIGKILL, victim.log[-3000:]
        files = list(victim.output.glob("*.parquet"))
        assert len(files) == (1 if when == "after" else 0)
        in_file = {row["url"] for row in rows_of([victim.output])}
        # its replacement (same worker id and folder: takes its leases back) and one more
        replacement = start_worker(
            tmp_path, "victim", redis_url, args, CLEANCRAWL_WORKER_ID=worker_id(victim), **settings
        )
        other = start_worker(tmp_path, "other", redis_url, args, **settings)
        for worker in (replacement, other):
            worker.wait()
            check_clean(worker)
    folders = [victim.output, other.output]
    assert not temp_files(folders)
    urls = [row["url"] for row in rows_of(folders)]
    assert site.article_urls() <= set(urls), "an article lost"
    twice = {url for url in urls if urls.count(url) > 1}
    assert twice == in_file  # none before the rename; after it, the victim's file's rows
    merged = max((replacement.stats, other.stats), key=lambda s: s.get("cleancrawl/workers", 0))
    assert not merged.get("cleaning/dropped/unchanged"), merged

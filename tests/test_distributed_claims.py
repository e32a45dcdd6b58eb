"""Distributed mode: the kill windows between a claim in Redis and the shared queue.

A page, sitemap or feed URL is claimed (max_pages, max_sitemaps, max_sitemap_urls) before its
request is queued. A worker killed in between must not lose it: its parent, fetched again by
another worker once the dead worker's lease is put back, claims it again and queues it (the
crawl's fingerprints filter it if it was queued after all, without counting a duplicate). And
a worker that has claimed its start URLs, not queued them yet, keeps the crawl open.

The in-process tests replay a kill step by step with two workers of one crawl on a real Redis
(the first "dies": its heartbeat goes, its leases are put back); the last one kills a real
`scrapy crawl` process between its claims and the queue.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.frontier import LeasedQueue, LeasedScheduler
from crawler.leases import AGAIN, Frontier, leases_for, page_claims
from crawler.spiders.technews import TechNewsSpider
from tests.article_site import ArticleSite
from tests.test_cluster import worker
from tests.test_distributed import check_clean, rows_of, start_worker, temp_files, worker_id
from tests.test_sitemap_limits import index, requests, urlset

# start URLs only: no sitemap, no feed, no robots.txt sitemaps
SITES = """
[[site]]
name = "news"
start_urls = ["https://news.test/"]
robots_sitemaps = false
max_pages = 10
"""
HOME = "https://news.test/"
LINKS = [f"https://news.test/a{i}" for i in range(3)]
HOME_HTML = "<html><body>" + "".join(f'<a href="{u}">{u}</a>' for u in LINKS) + "</body></html>"


def joined(path: Path, redis_url: str, sites: str = SITES) -> TechNewsSpider:
    """A worker of the crawl, its claims set up as ``start()`` sets them."""
    spider = worker(path, sites, redis_url)
    spider._claims = page_claims(spider.crawler)
    frontier(spider).heartbeat()
    # joined as starting (crawler.cluster.join): here as if its start() were done, for the
    # tests to replay it where they need it
    frontier(spider).started()
    return spider


def frontier(spider: TechNewsSpider) -> Frontier:
    leases = leases_for(spider.crawler)
    assert leases is not None
    return leases.frontier


def scheduler(spider: TechNewsSpider) -> LeasedScheduler:
    """The worker's scheduler, open without its timer (no reactor here)."""
    built = LeasedScheduler.from_crawler(spider.crawler)
    built.spider = spider
    built.queue = LeasedQueue(built.frontier, spider)
    built.df.open()
    return built


def dies(spider: TechNewsSpider) -> None:
    """The worker is killed: its heartbeat expires (its leases are put back by the next reap)."""
    dead = frontier(spider)
    dead.client.delete(dead._heartbeat_prefix + dead.worker)


def page(request: Request, body: str = HOME_HTML) -> HtmlResponse:
    return HtmlResponse(url=request.url, body=body.encode(), encoding="utf-8", request=request)


def stats(spider: TechNewsSpider) -> dict[str, Any]:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_stats()


def start(spider: TechNewsSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def test_a_parent_fetched_again_queues_the_links_its_dead_worker_claimed(
    tmp_path: Path, redis_url: str
) -> None:
    a, b = (joined(tmp_path / name, redis_url) for name in ("a", "b"))
    queue_a, queue_b = scheduler(a), scheduler(b)
    (home,) = start(a)
    assert queue_a.enqueue_request(home)
    taken = queue_a.next_request()
    assert taken is not None and taken.url == HOME
    # a claims the home page's links, and is killed before they reach the queue
    assert [r.url for r in requests(a.parse_page(page(taken)))] == LINKS
    dies(a)
    assert frontier(b).reap() == 1  # the home page is queued again...
    again = queue_b.next_request()
    assert again is not None and again.url == HOME
    # ...and its links with it: claimed by the home page, so queued again by it
    links = requests(b.parse_page(page(again)))
    assert [r.url for r in links] == LINKS
    assert all(queue_b.enqueue_request(r) for r in links)
    assert frontier(b).queued() == 3
    assert stats(b)["frontier/requeued"] == 3
    # counted once against max_pages and in pages_queued (by the worker that claimed them)
    assert frontier(b).client.hlen(frontier(b).cluster.key("pages", "news")) == 4
    assert stats(a)["technews/pages_queued"] == 4
    assert "technews/pages_queued" not in stats(b)
    # another page linking to them does not queue them
    other = page(Request("https://news.test/other", meta=again.meta))
    assert requests(b.parse_page(other)) == []


def test_links_queued_before_their_worker_died_are_filtered_not_counted(
    tmp_path: Path, redis_url: str
) -> None:
    a, b = (joined(tmp_path / name, redis_url) for name in ("a", "b"))
    queue_a, queue_b = scheduler(a), scheduler(b)
    (home,) = start(a)
    queue_a.enqueue_request(home)
    taken = queue_a.next_request()
    assert taken is not None
    for link in requests(a.parse_page(page(taken))):
        assert queue_a.enqueue_request(link)
    dies(a)  # before the home page's lease ended
    frontier(b).reap()
    again = queue_b.next_request()
    assert again is not None and again.url == HOME
    links = requests(b.parse_page(page(again)))
    assert [r.url for r in links] == LINKS
    assert all(r.meta[AGAIN] for r in links)
    assert not any(queue_b.enqueue_request(r) for r in links)  # queued already
    assert frontier(b).queued() == 3
    assert stats(b)["frontier/requeued_seen"] == 3
    # not pages dropped as duplicates: each is still written or dropped once, when fetched
    assert not [key for key in stats(b) if key.startswith("cleaning/dropped/")]


SITEMAP_SITES = """
[[site]]
name = "news"
start_urls = ["https://news.test/"]
sitemap_urls = ["https://news.test/i.xml"]
robots_sitemaps = false
max_sitemap_urls = 3
"""


def test_a_sitemap_read_again_queues_what_its_dead_worker_claimed_and_read(
    tmp_path: Path, redis_url: str
) -> None:
    a, b = (joined(tmp_path / name, redis_url, SITEMAP_SITES) for name in ("a", "b"))
    root = "https://news.test/i.xml"
    children = [f"https://news.test/{name}.xml" for name in ("s", "t")]
    # a reads the index and a sitemap (its 3 entries: max_sitemap_urls for the crawl)...
    assert [r.url for r in requests(a.parse_xml(index(root, *children)))] == children
    entries = [r.url for r in requests(a.parse_xml(urlset(children[0], 3)))]
    assert len(entries) == 3
    dies(a)  # ...and is killed before any of those requests is queued
    # b, given the index and the sitemap again, queues them again: the same sitemaps, and
    # the same entries, as max_sitemap_urls counted them once
    again = requests(b.parse_xml(index(root, *children)))
    assert [r.url for r in again] == children
    assert all(r.meta[AGAIN] for r in again)
    assert [r.url for r in requests(b.parse_xml(urlset(children[0], 3)))] == entries
    assert requests(b.parse_xml(urlset(children[1], 3))) == []  # the crawl's 3 are read
    assert stats(b)["technews/limits/max_sitemap_urls"] == 1


def test_a_worker_queueing_its_start_requests_keeps_the_crawl_open(
    tmp_path: Path, redis_url: str
) -> None:
    a, b = (joined(tmp_path / name, redis_url) for name in ("a", "b"))

    async def scenario() -> None:
        starting: AsyncIterator[Request] = a.start()
        first = await anext(starting)
        assert first.url == HOME  # claimed, not queued yet
        # b finds the queue empty and no lease: but a is starting, so the crawl goes on
        assert frontier(b).queued() == 0
        assert not frontier(b).end_crawl()
        assert [r async for r in starting] == []  # a's start requests are all queued
        assert frontier(b).end_crawl()  # (none was: nothing is left)

    asyncio.run(scenario())


def test_a_worker_killed_while_starting_does_not_keep_the_crawl_open(
    tmp_path: Path, redis_url: str
) -> None:
    a, b = (joined(tmp_path / name, redis_url) for name in ("a", "b"))

    async def killed_while_starting() -> None:
        starting: AsyncIterator[Request] = a.start()
        await anext(starting)  # the start URL claimed, not queued, and no more

    asyncio.run(killed_while_starting())
    assert not frontier(b).end_crawl()
    dies(a)
    frontier(b).reap()
    # the start URL a claimed is queued again by any worker's start()...
    assert [r.url for r in start(b)] == [HOME]
    # ...and a dead worker's start does not keep the crawl open (none was queued here)
    assert frontier(b).end_crawl()


def test_a_request_and_its_fingerprint_are_added_in_one_step(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = joined(tmp_path / "a", redis_url)
    queue = scheduler(a)
    client = frontier(a).client
    queue.enqueue_request(Request("https://news.test/warm-up"))  # the scripts are loaded
    sent: list[str] = []
    execute: Callable[..., Any] = client.execute_command

    def recorded(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]).upper())
        return execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", recorded)
    assert queue.enqueue_request(Request("https://news.test/x"))
    assert not queue.enqueue_request(Request("https://news.test/x"))
    # one script call per request: a worker killed between adding a fingerprint and
    # queueing its request would leave the request filtered for good, and lost
    assert sent == ["EVALSHA", "EVALSHA"]
    assert frontier(a).queued() == 2


class KillAfterClaiming:
    """A spider middleware of the victim in ``test_a_worker_killed_between_claims_and_the_
    queue_loses_nothing``: once the spider's output for the home page is claimed (all of it
    taken from the spider), the process kills itself, before any of it reaches the queue."""

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        output = [o async for o in result]
        if urlsplit(response.url).path == "/":
            os.kill(os.getpid(), signal.SIGKILL)
        for o in output:
            yield o


def test_a_worker_killed_between_claims_and_the_queue_loses_nothing(
    redis_url: str, tmp_path: Path
) -> None:
    with ArticleSite(30, latency=0.05) as site:
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[[site]]\nname = "articles"\nstart_urls = ["{site.url}/"]\n'
            "robots_sitemaps = false\nmax_depth = 40\n"
        )
        args = ["-a", f"sites={sites}"]
        middleware = {f"{__name__}.KillAfterClaiming": 950}  # next to the spider
        victim = start_worker(
            tmp_path, "victim", redis_url, args, SPIDER_MIDDLEWARES=json.dumps(middleware)
        )
        assert victim.wait() == -signal.SIGKILL, victim.log[-3000:]
        assert site.requests["/"] == 1
        assert not [path for path in site.requests if path.startswith("/news/")]
        # its replacement (same worker id: takes its leases back at once) and one more
        replacement = start_worker(
            tmp_path, "victim", redis_url, args, CLEANCRAWL_WORKER_ID=worker_id(victim)
        )
        other = start_worker(tmp_path, "other", redis_url, args)
        for worker_ in (replacement, other):
            worker_.wait()
            check_clean(worker_)
        folders = [victim.output, other.output]
        assert not temp_files(folders)
        urls = [row["url"] for row in rows_of(folders)]
        assert len(urls) == len(set(urls)), "a URL written twice"
        assert site.article_urls() <= set(urls), "an article lost"
        assert site.requests["/"] == 2  # the home page, leased by the victim, fetched again
        assert all(site.requests[urlsplit(url).path] == 1 for url in site.article_urls())
        merged = max((replacement.stats, other.stats), key=lambda s: s.get("cleancrawl/workers", 0))
        assert not [key for key in merged if key.startswith("cleaning/dropped/duplicate")]

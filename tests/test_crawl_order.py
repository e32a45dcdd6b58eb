"""Crawl order: sitemaps and feeds first, then their articles, then the links pages hold.

A crawl that follows a page's links (404s, tag and author hubs) before it has fetched the
sitemap's remaining articles leaves the cleaning workers waiting (issue 17).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.http import HtmlResponse, XmlResponse

from crawler.spiders.technews import DEPTH, SITE, SOURCE, TechNewsSpider
from tests.conftest import make_crawler

SITES = """
[[site]]
name = "news"
start_urls = ["https://news.test/"]
sitemap_urls = ["https://news.test/sitemap.xml"]
max_pages = 1000
max_depth = 2
"""
ARTICLES = 20


def sitemap() -> XmlResponse:
    entries = "".join(
        f"<url><loc>https://news.test/2025/story-{n}/</loc></url>" for n in range(ARTICLES)
    )
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    url = "https://news.test/sitemap.xml"
    return XmlResponse(url=url, body=body.encode(), request=Request(url, meta={SITE: "news"}))


def feed() -> XmlResponse:
    items = "".join(f"<item><link>https://news.test/2025/feed-{n}/</link></item>" for n in range(3))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    url = "https://news.test/feed.xml"
    return XmlResponse(url=url, body=body.encode(), request=Request(url, meta={SITE: "news"}))


def article(url: str, depth: int) -> HtmlResponse:
    """An article with dozens of links of its own, as real ones have."""
    links = "".join(f'<a href="/missing/{url[-3:-1]}-{k}">More {k}</a>' for k in range(30))
    links += "".join(f'<a href="/tag/topic-{k}/">Topic {k}</a>' for k in range(10))
    body = f"<html><body><h1>Story</h1><p>Text of the story.</p>{links}</body></html>"
    request = Request(url, meta={SITE: "news", DEPTH: depth, SOURCE: "sitemap"})
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=request)


def requests(results: list[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def make_spider(tmp_path: Path) -> TechNewsSpider:
    return make_crawler(tmp_path, SITES).spider  # type: ignore[return-value]


def test_sitemap_and_feed_entries_come_before_links(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    start = asyncio.run(_collect(spider))
    entries = requests(list(spider.parse_xml(sitemap())))
    entries += requests(list(spider.parse_xml(feed())))
    links = requests(list(spider.parse_page(article(entries[0].url, 0))))
    deeper = requests(list(spider.parse_page(article("https://news.test/tag/topic-1/", 1))))
    sitemaps = [r for r in start if r.callback == spider.parse_xml]
    assert sitemaps and len(entries) == ARTICLES + 3 and links and deeper
    # sitemaps (and robots.txt) > sitemap entries and start URLs > links > links of links
    assert min(r.priority for r in sitemaps) > max(r.priority for r in entries)
    assert {r.priority for r in entries} == {
        r.priority for r in start if r.callback == spider.parse_page
    }
    assert min(r.priority for r in entries) > max(r.priority for r in links)
    assert min(r.priority for r in links) > max(r.priority for r in deeper)


def test_scheduler_hands_out_every_sitemap_article_before_any_link(tmp_path: Path) -> None:
    # Scrapy's own scheduler, fed as a crawl feeds it: the sitemap's entries, then, as the
    # first articles come back, their links
    crawler = make_crawler(
        tmp_path,
        SITES,
        settings={"SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"},
    )
    spider: TechNewsSpider = crawler.spider  # type: ignore[assignment]
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    for request in requests(list(spider.parse_xml(sitemap()))):
        scheduler.enqueue_request(request)
    order: list[str] = []
    while (taken := scheduler.next_request()) is not None:
        order.append(taken.url)
        if "/2025/" in taken.url and len(order) <= 3:  # the first articles' links
            for link in requests(list(spider.parse_page(article(taken.url, 0)))):
                scheduler.enqueue_request(link)
    articles = [n for n, url in enumerate(order) if "/2025/" in url]
    others = [n for n, url in enumerate(order) if "/2025/" not in url]
    assert len(articles) == ARTICLES
    assert len(others) == 3 * 30 + 10  # the tag pages are shared
    assert max(articles) < min(others)


async def _collect(spider: TechNewsSpider) -> list[Request]:
    return [r async for r in spider.start()]

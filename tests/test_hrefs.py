"""The links a cleaning worker reads for the spider (issue 17): the same as the spider's own.

The crawl's process followed each page's links by parsing it (a seventh of its CPU) while the
worker cleaning the page parses it too: the worker now reads the hrefs from its parse
(``cleaning.hrefs``) and the spider follows those. These tests hold the two parses to the same
hrefs and feeds, the spider to the same requests and item, and the pipeline to one cleaning.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from cleaning import CleanResult
from cleaning.extraction import parse_html
from cleaning.hrefs import FEED_HREFS, LINK_TAGS, PageHrefs, page_hrefs
from cleaning.options import CleaningOptions
from cleaning.signed import SignedResult, with_hrefs
from cleaning.worker import clean_in_worker_with_hrefs, start_worker
from crawler.items import PageItem
from crawler.pipelines import CleaningPipeline
from crawler.spiders.technews import DEPTH, SITE, SOURCE, TechNewsSpider
from tests.conftest import load_golden, make_crawler
from tests.test_links import TRICKY
from tests.test_pipelines import page

SITES = """
[[site]]
name = "news"
start_urls = ["https://news.test/"]
max_pages = 1000
max_depth = 2
"""
FEED = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
# pages where a parse could go wrong: each is parsed both ways and must give the same hrefs
PAGES = {
    **{name: f"<html><body>{body}</body></html>" for name, body in TRICKY.items()},
    "no html element, a fragment": '<div><a href="/one">1</a><a href="/two">2</a></div>',
    "leading whitespace and a doctype with a URL": (
        '  \n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/x.dtd">\n'
        '<html><head><title>t</title></head><body><a href="/d">d</a></body></html>'
    ),
    "an XML prolog declaring an encoding": (
        '<?xml version="1.0" encoding="utf-8"?><html><body><a href="/x">x</a></body></html>'
    ),
    "comments and conditional comments": (
        '<html><body><!-- <a href="/hidden">h</a> --><a href="/shown">s</a>'
        '<!--[if IE]><a href="/ie">ie</a><![endif]--><area href="/map"></body></html>'
    ),
    "links in the head, feeds, a second head": (
        f"<html><head>{FEED}"
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="alternate" href="/no-type"><link rel="stylesheet" type="rss" href="/css">'
        '<link rel="alternate" type="application/rss+xml"><a href="/in-head">h</a></head>'
        '<head><link rel="alternate" type="text/rss" href="/second"></head>'
        '<body><div><head><link rel="alternate" type="rss" href="/nested"></head></div>'
        '<a href="/body">b</a></body></html>'
    ),
    "nesting 250 deep": "<html><body>" + "<div>" * 250 + '<a href="/deep">d</a>' + "</div>" * 250,
    "upper case, unclosed, broken attributes": (
        '<HTML><BODY><A HREF="/upper">u</A><a href=/bare>b<a href="/unclosed>x</a>'
        '<a href="/y" href="/z">y</a><p><a href=\'/single\'>s</p></BODY></HTML>'
    ),
    "characters outside ASCII, entities": (
        '<html><body><a href="/caf\u00e9">c</a><a href="/a&amp;b">a</a>'
        '<a href="/\U0001f600">e</a><a href="/nul\x00byte">n</a></body></html>'
    ),
}


def scrapy_hrefs(html: str) -> PageHrefs:
    """The hrefs the spider reads from its own parse of the page (Scrapy's Selector)."""
    response = HtmlResponse("https://news.test/section/page.html", body=html, encoding="utf-8")
    root = response.selector.root
    links = dict.fromkeys(h for e in root.iter(*LINK_TAGS) if (h := e.get("href")) is not None)
    return PageHrefs(tuple(links), tuple(response.xpath(FEED_HREFS.path).getall()))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_worker_reads_the_hrefs_the_spider_would(name: str) -> None:
    html = PAGES[name]
    tree = parse_html(html)
    assert tree is not None
    assert page_hrefs(tree, html) == scrapy_hrefs(html)


def test_feed_hrefs_as_the_spider_finds_them() -> None:
    html = PAGES["links in the head, feeds, a second head"]
    tree = parse_html(html)
    assert tree is not None
    found = page_hrefs(tree, html)
    assert found is not None
    # (the <a> ends the head; a <head> after the body's start is no head)
    assert found.feeds == ("/feed.xml", "/atom.xml")


@pytest.mark.parametrize(
    "html",
    [
        '<html><body><a href="/a\x0bb">x</a></body></html>',  # removed by trafilatura only
        '<html><body><a href="/a">x</a>\x1f</body></html>',
        '<html lang="en"/>\n<body><a href="/a">x</a></body>',  # <html/> repaired first
        "<html><body>" + "<b>" * 300 + '<a href="/a">x</a>',  # cut short at depth 256
    ],
)
def test_no_hrefs_where_the_parses_may_differ(html: str) -> None:
    tree = parse_html(html)
    assert tree is not None
    assert page_hrefs(tree, html) is None


@pytest.fixture
def worker() -> None:
    start_worker(CleaningOptions(), {})


@pytest.mark.usefixtures("worker")
def test_the_worker_reads_hrefs_of_kept_and_dropped_pages() -> None:
    html, expected = load_golden("seed_002")
    kept = clean_in_worker_with_hrefs(html, expected["url"], "news")
    assert kept.kept
    assert isinstance(kept, SignedResult)
    assert kept.hrefs == scrapy_hrefs(html)
    links = "<html><body>" + "".join(f'<a href="/s/{k}"></a>' for k in range(60))
    dropped = clean_in_worker_with_hrefs(links + "</body></html>", "https://n.test/", "news")
    assert not dropped.kept
    assert isinstance(dropped, SignedResult)
    assert dropped.hrefs is not None
    assert dropped.hrefs.links == tuple(f"/s/{k}" for k in range(60))
    # not parsed (or not taken for HTML): nothing read, the spider parses the page itself
    for html, reason in (("   ", "empty"), ('<a href="/only">only</a>', "unparseable")):
        unread = clean_in_worker_with_hrefs(html, "https://n.test/", "news")
        assert isinstance(unread, SignedResult)
        assert (unread.drop_reason, unread.hrefs) == (reason, None)


class Cleaner:
    """A CleaningPipeline's ``clean_for_links`` as a worker answers it."""

    def __init__(self, read: bool = True) -> None:
        self.read = read
        self.cleaned: list[str] = []

    async def clean_for_links(self, item: PageItem) -> PageHrefs | None:
        self.cleaned.append(item.url)
        tree = parse_html(item.html)
        return page_hrefs(tree, item.html) if self.read and tree is not None else None


def article(spider: TechNewsSpider, body: str = "", depth: int = 0) -> HtmlResponse:
    links = "".join(f'<a href="/story/{k}/">Story {k}</a>' for k in range(12))
    links += '<a href="https://other.test/x">off</a><a href="mailto:a@news.test">m</a>'
    html = f"<html><head>{FEED}</head><body><h1>Story</h1>{body}{links}</body></html>"
    url = "https://news.test/2025/story/"
    request = Request(
        url, callback=spider.parse_page, meta={SITE: "news", DEPTH: depth, SOURCE: "sitemap"}
    )
    return HtmlResponse(url=url, body=html.encode(), request=request)


def output(spider: TechNewsSpider, response: HtmlResponse) -> list[Any]:
    produced = spider.parse_page(response)
    if hasattr(produced, "__aiter__"):

        async def collect() -> list[Any]:
            return [each async for each in produced]

        return asyncio.run(collect())
    return list(produced)


def described(results: list[Any]) -> list[Any]:
    """Requests by URL, callback, priority and meta; the item as its fields (but its time)."""
    return [
        (r.url, r.callback.__name__ if r.callback else None, r.priority, r.meta)
        if isinstance(r, Request)
        else {**dataclasses.asdict(r), "fetched_at": None}
        for r in results
    ]


def spiders(tmp_path: Path) -> tuple[TechNewsSpider, TechNewsSpider]:
    """Two spiders of one site: one parses pages itself, the other is handed cleaned ones."""
    made = []
    for name in ("here", "cleaned"):
        (tmp_path / name).mkdir()
        spider = make_crawler(tmp_path / name, SITES).spider
        assert isinstance(spider, TechNewsSpider)
        made.append(spider)
    return made[0], made[1]


def test_the_spider_follows_the_hrefs_the_worker_read(tmp_path: Path) -> None:
    here, cleaned = spiders(tmp_path)
    cleaner = Cleaner()
    cleaned._cleaner = cleaner  # type: ignore[assignment]
    expected = output(here, article(here))
    response = article(cleaned)
    got = output(cleaned, response)
    assert cleaner.cleaned == [response.url]  # cleaned before the spider followed its links
    assert len(got) == len(expected) == 14  # 12 stories, the feed, the page
    assert described(got) == described(expected)
    # the response keeps no copy of its text once the page goes on (Scrapy keeps the response
    # while the page is held for its site's template: 4.5 times the bytes held, 1 without)
    assert response._cached_ubody is None
    assert response.text == got[-1].html  # decoded again if asked
    # and the page was not parsed in the crawl's process
    assert response.selector is not None  # (made now, by this line)
    fresh = article(cleaned)
    fresh.meta[DEPTH] = 0
    output(cleaned, fresh)
    assert fresh._cached_selector is None


def test_pages_the_worker_did_not_read_are_parsed_by_the_spider(tmp_path: Path) -> None:
    here, cleaned = spiders(tmp_path)
    cleaned._cleaner = Cleaner(read=False)  # type: ignore[assignment]
    # not read by the worker (None): parsed here, the same requests
    assert described(output(cleaned, article(cleaned))) == described(output(here, article(here)))
    # called other than as the request's callback (scrapy parse, contracts): parsed here
    cleaner = Cleaner()
    cleaned._cleaner = cleaner  # type: ignore[assignment]
    response = article(cleaned)
    response.request.callback = None  # type: ignore[union-attr]
    assert isinstance(output(cleaned, response), list)
    assert cleaner.cleaned == []


def test_a_page_at_max_depth_has_its_feeds_from_the_worker(tmp_path: Path) -> None:
    # no links to follow, but its feeds are looked for: from the worker's parse, not one here
    here, cleaned = spiders(tmp_path)
    cleaner = Cleaner()
    cleaned._cleaner = cleaner  # type: ignore[assignment]
    expected = output(here, article(here, depth=2))
    response = article(cleaned, depth=2)
    got = output(cleaned, response)
    assert cleaner.cleaned == [response.url]
    assert described(got) == described(expected)
    assert [r.url for r in got if isinstance(r, Request)] == ["https://news.test/feed.xml"]
    assert isinstance(got[-1], PageItem)
    assert response._cached_selector is None  # not parsed in the crawl's process


class Pool:
    """A CleaningPool that cleans in-process and counts its pages."""

    def __init__(self, options: CleaningOptions) -> None:
        self.options = options
        self.pages = 0

    async def clean(self, html: str, url: str, site: str) -> CleanResult:
        self.pages += 1
        start_worker(self.options, {})
        return clean_in_worker_with_hrefs(html, url, site)


def test_a_page_cleaned_for_its_links_is_cleaned_once(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, SITES)
    pipeline = CleaningPipeline.from_crawler(crawler)
    pool = Pool(pipeline.options)
    pipeline.pool = pool  # type: ignore[assignment]
    item = page("seed_002")
    html = item.html

    async def crawl() -> Any:
        hrefs = await pipeline.clean_for_links(item)
        assert hrefs == scrapy_hrefs(html)
        return await pipeline.process_item(item)

    article = asyncio.run(crawl())
    assert pool.pages == 1
    assert article.language == "fr"
    assert pipeline._cleaned == {}  # the result went with the item
    assert item.html == ""  # nor does the page item keep its HTML while the article waits


def test_the_pipeline_reads_hrefs_for_a_spider_that_follows_them(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, SITES, settings={"CLEANCRAWL_WORKERS": 1})
    pipeline = CleaningPipeline.from_crawler(crawler)
    try:
        assert pipeline.reads_hrefs
        assert pipeline.pool is not None
        assert pipeline.pool.task is clean_in_worker_with_hrefs
    finally:
        pipeline.close()
    (tmp_path / "in").mkdir()
    in_process = CleaningPipeline.from_crawler(make_crawler(tmp_path / "in", SITES))
    assert not in_process.reads_hrefs


def test_with_hrefs_keeps_the_result() -> None:
    result = CleanResult(url="https://n.test/", drop_reason="too_short")
    carried = with_hrefs(result, PageHrefs(("/a",), ()))
    assert (carried.url, carried.drop_reason, carried.hrefs) == (
        "https://n.test/",
        "too_short",
        PageHrefs(("/a",), ()),
    )

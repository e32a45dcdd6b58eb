from __future__ import annotations

import asyncio
import gzip
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from cleaning import clean_page
from crawler.items import PageItem
from crawler.pipelines import cleaning_options
from crawler.spiders.technews import DEPTH, LASTMOD, SITE, SOURCE, TechNewsSpider
from tests.conftest import SITES, load_golden, make_crawler


def make_spider(tmp_path: Path, sites: str = SITES, **kwargs: Any) -> TechNewsSpider:
    return make_crawler(tmp_path, sites, **kwargs).spider  # type: ignore[return-value]


def stats(spider: TechNewsSpider) -> dict[str, Any]:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_stats()


def request_for(url: str, **meta: Any) -> Request:
    return Request(url, meta={SITE: "news", **meta})


def xml(url: str, body: str | bytes, **meta: Any) -> XmlResponse:
    data = body.encode() if isinstance(body, str) else body
    return XmlResponse(url=url, body=data, request=request_for(url, **meta))


def html(url: str, body: str, **meta: Any) -> HtmlResponse:
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=request_for(url, **meta))


def urls(results: list[Any]) -> list[str]:
    return [r.url for r in results if isinstance(r, Request)]


def test_start_requests_robots_and_start_urls(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    assert [r.url for r in requests] == ["https://news.test/robots.txt", "https://news.test/"]
    assert requests[0].callback == spider.parse_robots
    assert requests[1].callback == spider.parse_page
    assert requests[1].meta[DEPTH] == 0


def test_one_off_url_argument(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, url="http://127.0.0.1:8123/")
    assert list(spider.sites) == ["127.0.0.1"]
    assert spider.allowed_domains == ["127.0.0.1"]


def test_output_argument_sets_the_output_setting(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, output=str(tmp_path / "out"))
    assert spider.settings.get("CLEANCRAWL_OUTPUT_DIR") == str(tmp_path / "out")
    assert spider.settings.get("CLEANCRAWL_CRAWL_ID")


def test_robots_txt_sitemaps(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    body = b"User-agent: *\nDisallow: /admin/\nSitemap: https://news.test/sitemap_index.xml\n"
    url = "https://news.test/robots.txt"
    response = TextResponse(url=url, body=body, request=request_for(url))
    (request,) = spider.parse_robots(response)
    assert request.url == "https://news.test/sitemap_index.xml"
    assert request.callback == spider.parse_xml
    assert "allow_offsite" not in request.meta  # on the site's domain: the offsite filter passes


SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.test/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>https://news.test/sitemap-posts.xml.gz</loc></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.test/2025/a/</loc><lastmod>2025-03-01</lastmod>
    <news:news><news:publication><news:name>N</news:name><news:language>en</news:language>
    </news:publication><news:publication_date>2025-03-01</news:publication_date>
    <news:title>A</news:title></news:news></url>
  <url><loc>https://news.test/private/b/</loc></url>
  <url><loc>https://elsewhere.test/c/</loc></url>
  <url><loc>https://news.test/2025/d/#comments</loc></url>
</urlset>"""


def test_sitemap_index_and_news_sitemap(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    index = list(spider.parse_xml(xml("https://news.test/sitemap_index.xml", SITEMAP_INDEX)))
    assert urls(index) == [
        "https://news.test/sitemap-news.xml",
        "https://news.test/sitemap-posts.xml.gz",
    ]
    pages = list(spider.parse_xml(xml("https://news.test/sitemap-news.xml", NEWS_SITEMAP)))
    # the denied and the offsite URL are skipped; the fragment is dropped
    assert urls(pages) == ["https://news.test/2025/a/", "https://news.test/2025/d/"]
    assert pages[0].meta[LASTMOD] == "2025-03-01"
    assert pages[0].meta[SOURCE] == "sitemap"
    assert pages[0].callback == spider.parse_page


def test_gzipped_sitemap(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    url = "https://news.test/sitemap-posts.xml.gz"
    body = gzip.compress(NEWS_SITEMAP.encode())
    response = Response(url=url, body=body, request=request_for(url))
    assert urls(list(spider.parse_xml(response)))[0] == "https://news.test/2025/a/"


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
<item><title>A</title><link>https://news.test/2025/rss-a/</link>
<pubDate>Tue, 04 Mar 2025 10:00:00 +0000</pubDate></item>
<item><title>B</title><guid>https://news.test/2025/rss-b/</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>N</title><entry><title>A</title>
<link rel="alternate" href="https://news.test/2025/atom-a/"/>
<link rel="enclosure" href="https://news.test/a.mp3"/>
<updated>2025-03-04T10:00:00Z</updated></entry></feed>"""


@pytest.mark.parametrize(
    ("body", "expected", "lastmod"),
    [
        (
            RSS,
            ["https://news.test/2025/rss-a/", "https://news.test/2025/rss-b/"],
            "Tue, 04 Mar 2025 10:00:00 +0000",
        ),
        (ATOM, ["https://news.test/2025/atom-a/"], "2025-03-04T10:00:00Z"),
    ],
)
def test_feeds(tmp_path: Path, body: str, expected: list[str], lastmod: str) -> None:
    spider = make_spider(tmp_path)
    requests = list(spider.parse_xml(xml("https://news.test/feed", body)))
    assert urls(requests) == expected
    assert requests[0].meta[LASTMOD] == lastmod
    assert requests[0].meta[SOURCE] == "feed"


LISTING = """<html><head><title>News</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>
<h2><a href="/2025/one/">One</a></h2><h2><a href="/2025/two/">Two</a></h2>
<a href="https://elsewhere.test/x">offsite</a><a href="/private/y">denied</a>
<a href="mailto:a@news.test">mail</a><a href="/logo.png">logo</a></body></html>"""


def test_listing_page_links_feeds_and_item(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    results = list(spider.parse_page(html("https://news.test/", LISTING, **{DEPTH: 0})))
    assert urls(results) == [
        "https://news.test/2025/one/",
        "https://news.test/2025/two/",
        "https://news.test/feed.xml",
    ]
    assert results[0].meta[DEPTH] == 1
    assert results[0].meta[SOURCE] == "link"
    assert results[2].callback == spider.parse_xml
    (item,) = [r for r in results if isinstance(r, PageItem)]
    assert (item.url, item.site, item.http_status) == ("https://news.test/", "news", 200)
    assert "<h2>" in item.html


def test_links_stop_at_max_depth(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    results = list(spider.parse_page(html("https://news.test/2025/one/", LISTING, **{DEPTH: 1})))
    assert urls(results) == ["https://news.test/feed.xml"]  # feeds are not link hops
    assert len([r for r in results if isinstance(r, PageItem)]) == 1


def test_max_pages_per_site(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    body = "".join(f'<a href="/2025/{n}/">{n}</a>' for n in range(20))
    results = list(spider.parse_page(html("https://news.test/", f"<html><body>{body}</body>")))
    assert len(urls(results)) == 5
    assert stats(spider)["technews/max_pages_reached/news"] == 15


def test_non_html_page_is_counted_not_yielded(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    url = "https://news.test/file.bin"
    response = Response(url=url, body=b"\x00\x01\x02binary", request=request_for(url))
    assert list(spider.parse_page(response)) == []
    assert stats(spider)["cleaning/dropped/not_html"] == 1


def test_feed_given_as_start_url_is_parsed_as_feed(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    results = list(spider.parse_page(xml("https://news.test/feed", RSS)))
    assert urls(results)[0] == "https://news.test/2025/rss-a/"


def test_http_errors_are_counted_by_status(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    request = request_for("https://news.test/gone/")
    request.callback = spider.parse_page
    response = HtmlResponse(url=request.url, status=404, body=b"", request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    spider.on_error(failure)
    assert stats(spider)["cleaning/dropped/http_404"] == 1


ABOUT = """<html><head><meta property="og:type" content="website">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "AboutPage"}
</script></head><body><main><h1>About us</h1><p>We are a small team of editors who write
about chips, phones and software every day, from three cities.</p></main></body></html>"""


@pytest.mark.parametrize(
    ("url", "body", "page_type"),
    [
        ("https://news.test/2023/meta/", load_golden("seed_000")[0], "article"),
        ("https://news.test/about/", ABOUT, "other"),
    ],
    ids=["article", "non-article"],
)
def test_article_and_non_article_pages(tmp_path: Path, url: str, body: str, page_type: str) -> None:
    # the spider hands every HTML page on; cleaning tells articles from the rest
    crawler = make_crawler(tmp_path)
    spider = crawler.spider
    assert isinstance(spider, TechNewsSpider)
    (item,) = [r for r in spider.parse_page(html(url, body)) if isinstance(r, PageItem)]
    result = clean_page(item.html, item.url, cleaning_options(crawler.settings))
    assert result.kept  # an about page has main text of its own: written as "other"
    assert result.page_type == page_type
    articles_only = make_crawler(tmp_path, settings={"CLEANCRAWL_PAGE_TYPES": '["article"]'})
    only = clean_page(item.html, item.url, cleaning_options(articles_only.settings))
    assert only.drop_reason == (None if page_type == "article" else f"page_type_{page_type}")

"""Sitemap and feed discovery within the limits of the site (spider parse methods, no crawl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.sites import SitesFileError, load_sites
from crawler.spiders.technews import SITE, SITEMAP_DEPTH, TechNewsSpider
from tests.conftest import make_crawler


def sites(**keys: Any) -> str:
    extra = "".join(f"{k} = {v!r}\n" for k, v in keys.items())
    return (
        '[[site]]\nname = "news"\nstart_urls = ["https://news.test/"]\n'
        'sitemap_urls = ["https://cdn.test/sitemap.xml"]\n' + extra
    )


def spider(tmp_path: Path, **keys: Any) -> TechNewsSpider:
    return make_crawler(tmp_path, sites(**keys)).spider  # type: ignore[return-value]


def limits(spider: TechNewsSpider) -> dict[str, int]:
    assert spider.crawler.stats is not None
    stats = spider.crawler.stats.get_stats()
    return {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("technews/limits/")}


def index(url: str, *children: str, depth: int = 0) -> XmlResponse:
    entries = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    request = Request(url, meta={SITE: "news", SITEMAP_DEPTH: depth})
    return XmlResponse(url=url, body=body.encode(), request=request)


def urlset(url: str, count: int) -> XmlResponse:
    entries = "".join(f"<url><loc>{url}/a{i}</loc></url>" for i in range(count))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    return XmlResponse(url=url, body=body.encode(), request=Request(url, meta={SITE: "news"}))


def requests(results: Any) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def test_children_one_level_deeper_until_the_depth_limit(tmp_path: Path) -> None:
    news = spider(tmp_path, max_sitemap_depth=2)
    children = requests(news.parse_xml(index("https://news.test/i.xml", "/a.xml", depth=1)))
    assert [r.meta[SITEMAP_DEPTH] for r in children] == [2]
    assert requests(news.parse_xml(index("https://news.test/a.xml", "/b.xml", depth=2))) == []
    assert limits(news) == {"max_sitemap_depth": 1}


def test_sitemaps_per_site(tmp_path: Path) -> None:
    news = spider(tmp_path, max_sitemaps=3)
    children = [f"/s{i}.xml" for i in range(5)]
    got = requests(news.parse_xml(index("https://news.test/i.xml", *children, *children)))
    assert [r.url for r in got] == [f"https://news.test/s{i}.xml" for i in range(3)]
    # s3 and s4, each time they are named; the repeats of those requested are no new ones
    assert limits(news) == {"max_sitemaps": 4}


def test_offsite_children_and_sitemap_hosts(tmp_path: Path) -> None:
    news = spider(tmp_path, allowed_domains=["news.test"])
    got = requests(
        news.parse_xml(
            index(
                "https://cdn.test/sitemap.xml",
                "https://news.test/a.xml",  # the site's own domain
                "https://www.news.test/b.xml",  # a subdomain of it
                "https://cdn.test/c.xml",  # the host the sites file names a sitemap on
                "https://evil.test/d.xml",
                "ftp://news.test/e.xml",
            )
        )
    )
    assert [r.url for r in got] == [
        "https://news.test/a.xml",
        "https://www.news.test/b.xml",
        "https://cdn.test/c.xml",
    ]
    # only the sitemap outside the site's domains gets past Scrapy's offsite filter
    assert [r.meta.get("allow_offsite", False) for r in got] == [False, False, True]
    assert limits(news) == {"offsite_sitemap": 2}


def test_robots_txt_sitemaps_on_other_hosts_are_offsite(tmp_path: Path) -> None:
    news = spider(tmp_path)
    body = b"Sitemap: https://news.test/s.xml\nSitemap: https://evil.test/s.xml\n"
    url = "https://news.test/robots.txt"
    response = TextResponse(url=url, body=body, request=Request(url, meta={SITE: "news"}))
    assert [r.url for r in news.parse_robots(response)] == ["https://news.test/s.xml"]
    assert limits(news) == {"offsite_sitemap": 1}


def test_entries_read_per_site(tmp_path: Path) -> None:
    news = spider(tmp_path, max_sitemap_urls=5, max_pages=100)
    assert len(requests(news.parse_xml(urlset("https://news.test/s1.xml", 3)))) == 3
    assert len(requests(news.parse_xml(urlset("https://news.test/s2.xml", 3)))) == 2
    # the budget is spent: no more sitemaps or feeds are fetched for the site
    page = HtmlResponse(
        url="https://news.test/",
        body=b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed">'
        b"</head><body></body></html>",
        request=Request("https://news.test/", meta={SITE: "news"}),
    )
    assert [r.url for r in requests(news.parse_page(page))] == []
    assert limits(news) == {"max_sitemap_urls": 2}  # the rest of s2, and the feed


@pytest.mark.parametrize(
    ("key", "value"),
    [("max_sitemaps", 0), ("max_sitemap_urls", 0), ("max_sitemap_depth", -1)],
)
def test_bad_limits_in_the_sites_file(tmp_path: Path, key: str, value: int) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(sites(**{key: value}), encoding="utf-8")
    with pytest.raises(SitesFileError, match=key):
        load_sites(path)

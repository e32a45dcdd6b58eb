"""Start URLs are always fetched; allow/deny decide what is written and followed; max_pages."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import pyarrow.dataset as ds
import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.config import ConfigError
from crawler.items import PageItem
from crawler.spiders.technews import TechNewsSpider
from tests.conftest import make_crawler, run_scrapy_crawl
from tests.tiny_site import ARTICLE, ROBOTS, TinySite

if TYPE_CHECKING:
    from pathlib import Path

ALLOW = """
[[site]]
name = "news"
start_urls = ["https://news.test/tech/"]
allow = ["/20\\\\d\\\\d/"]
deny = ["/2024/ads/"]
"""
LISTING = """<html><body><h1>Tech</h1><ul>
<li><a href="/2024/chips/">Chips</a></li><li><a href="/2024/ads/buy/">Ad</a></li>
<li><a href="/about/">About</a></li></ul></body></html>"""


def spider_for(tmp_path: Path, sites: str, **kwargs: Any) -> TechNewsSpider:
    spider = make_crawler(tmp_path, sites, **kwargs).spider
    assert isinstance(spider, TechNewsSpider)
    return spider


def start_requests(spider: TechNewsSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def test_start_url_left_out_by_allow_is_fetched_followed_not_written(tmp_path: Path) -> None:
    spider = spider_for(tmp_path, ALLOW)
    requests = start_requests(spider)
    assert [r.url for r in requests] == ["https://news.test/robots.txt", "https://news.test/tech/"]
    start = requests[1]
    response = HtmlResponse(url=start.url, body=LISTING, encoding="utf-8", request=start)
    results = list(spider.parse_page(response))
    # its links are held to allow and deny; the page itself is not written, but counted
    assert [r.url for r in results if isinstance(r, Request)] == ["https://news.test/2024/chips/"]
    assert not [r for r in results if isinstance(r, PageItem)]
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("cleaning/dropped/not_allowed") == 1


def test_start_url_matching_deny_is_fetched(tmp_path: Path) -> None:
    sites = ALLOW.replace('deny = ["/2024/ads/"]', 'deny = ["/tech/"]')
    assert "https://news.test/tech/" in [r.url for r in start_requests(spider_for(tmp_path, sites))]


def test_a_site_with_nothing_to_fetch_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sites = """
[[site]]
name = "elsewhere"
start_urls = ["https://news.test/"]
allowed_domains = ["other.test"]
robots_sitemaps = false
"""
    with caplog.at_level(logging.WARNING):
        assert start_requests(spider_for(tmp_path, sites)) == []
    assert "Site elsewhere: nothing to fetch" in caplog.text


@pytest.mark.slow
def test_start_urls_fetched_end_to_end(tmp_path: Path) -> None:
    pages = {
        "/robots.txt": (200, ROBOTS),
        "/tech/": (200, LISTING.encode()),
        "/2024/chips/": (200, ARTICLE),
    }
    with TinySite(pages) as site:
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[[site]]\nname = "tiny"\nstart_urls = ["{site.url}/tech/"]\nallow = ["/2024/"]\n',
            encoding="utf-8",
        )
        run = run_scrapy_crawl(tmp_path, "-a", f"sites={sites}")
    assert run.returncode == 0, run.log[-3000:]
    assert "/tech/" in site.requests
    urls = ds.dataset(run.output).to_table(columns=["url"]).column("url").to_pylist()
    assert urls == [f"{site.url}/2024/chips/"]
    assert run.stats["cleaning/dropped/not_allowed"] == 1


@pytest.mark.parametrize("url", [None, "https://news.test/"])
def test_max_pages_argument(tmp_path: Path, url: str | None) -> None:
    spider = spider_for(tmp_path, ALLOW, url=url, max_pages="2")
    assert [site.max_pages for site in spider.sites.values()] == [2]


@pytest.mark.parametrize("value", ["0", "-3", "many", "2.5"])
def test_max_pages_argument_is_checked(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=f"-a max_pages={value}: must be a whole number >= 1"):
        spider_for(tmp_path, ALLOW, url="https://news.test/", max_pages=value)


@pytest.mark.slow
def test_max_pages_with_url_end_to_end(tmp_path: Path) -> None:
    links = "".join(f'<a href="/2024/{n}/">{n}</a>' for n in range(10))
    pages = {
        "/robots.txt": (200, ROBOTS),
        "/": (200, f"<html><body>{links}</body></html>".encode()),
    }
    with TinySite(pages, default=(200, ARTICLE)) as site:
        run = run_scrapy_crawl(tmp_path, "-a", f"url={site.url}/", "-a", "max_pages=3")
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["technews/pages_queued"] == 3
    assert len([path for path in site.requests if path.startswith("/2024/")]) == 2  # and "/"

"""crawler.links.page_links: the URLs Scrapy's LinkExtractor finds, in its order."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawler.links import href_links, page_links
from crawler.sample_server import SAMPLE_SITE

if TYPE_CHECKING:
    from collections.abc import Callable

# each body is a page of https://news.test/section/page.html
TRICKY = {
    "relative, root, dot segments, protocol-relative": (
        '<a href="next.html">n</a><a href="/about/">a</a><a href="../up/x">u</a>'
        '<a href="//cdn.test/p">c</a><a href="./same">s</a>'
    ),
    "whitespace around, tab and newline inside": (
        '<a href="  /a \n">a</a><a href="/b\tc">b</a><a href="\r\n/d\n/e">d</a>'
    ),
    "duplicates, fragments, empty, query only": (
        '<a href="/x">1</a><a href="/x">2</a><a href="/x#top">3</a><a href="#top">4</a>'
        '<a href="">5</a><a href="?page=2">6</a><a href="/x?">7</a><a href="//">8</a>'
        '<a href="http://">9</a>'
    ),
    "schemes left out": (
        '<a href="mailto:a@news.test">m</a><a href="javascript:void(0)">j</a>'
        '<a href="tel:+1">t</a><a href="ftp://news.test/f">f</a><a href="data:,x">d</a>'
        '<a href="HTTPS://News.Test/Caps">c</a><a href="https:rel">r</a>'
    ),
    "denied extensions, and near misses": (
        '<a href="/a.jpg">1</a><a href="/a.JPG?x=1">2</a><a href="/b.tar.gz">3</a>'
        '<a href="/c.gz">4</a><a href="/d.eps">5</a><a href="/e.ps">6</a>'
        '<a href="/f.pdf#p2">7</a><a href="/g.html">8</a><a href="/dir.zip/page">9</a>'
        '<a href="/h.">10</a><a href="/.css">11</a>'
    ),
    "area, other tags and attributes, no href": (
        '<map><area href="/area"></map><link href="/link"><img src="/img.html">'
        '<a name="anchor">n</a><a data-href="/data">d</a><A HREF="/upper">u</A>'
        "<svg><a href='/svg'>s</a></svg><!-- <a href='/comment'>c</a> -->"
    ),
    "base href": '<head><base href="https://other.test/dir/"></head><a href="p">p</a>',
    "non-ASCII and bad URLs": (
        '<a href="/café ü?q=é">c</a><a href="https://bücher.test/x">i</a>'
        '<a href="http://[::1/x">v6</a><a href="http://news.test:99999/p">port</a>'
        '<a href="https://news.test:80/p">p80</a><a href="/%zz">pct</a>'
    ),
}


def response(body: str | bytes, url: str = "https://news.test/section/page.html") -> HtmlResponse:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return HtmlResponse(url=url, body=data, encoding="utf-8")


def extractor_urls(page: HtmlResponse) -> list[str]:
    return [link.url for link in LinkExtractor(unique=True).extract_links(page)]


@pytest.mark.parametrize("body", TRICKY.values(), ids=TRICKY.keys())
def test_same_urls_in_the_same_order_as_link_extractor(body: str) -> None:
    page = response(f"<html><body>{body}</body></html>")
    assert page_links(page) == extractor_urls(page)


def test_page_encoding_is_used_for_the_query() -> None:
    body = '<a href="/s?q=café">c</a>'.encode("latin-1")
    page = HtmlResponse(url="https://news.test/", body=body, encoding="latin-1")
    assert page_links(page) == extractor_urls(page) == ["https://news.test/s?q=caf%E9"]


@pytest.mark.parametrize(
    "path", sorted(SAMPLE_SITE.rglob("*.html")), ids=lambda p: str(p.relative_to(SAMPLE_SITE))
)
def test_sample_site_pages(path: Path) -> None:
    url = f"http://127.0.0.1:8080/{path.relative_to(SAMPLE_SITE).parent}/"
    page = response(path.read_bytes(), url)
    assert page_links(page) == extractor_urls(page)


def test_spider_follows_links_without_link_extractor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spider's links come from page_links: LinkExtractor's CPU per link is not spent."""
    from scrapy.linkextractors.lxmlhtml import LxmlLinkExtractor

    from crawler.spiders.technews import DEPTH
    from tests.test_spider import LISTING, html, make_spider, urls

    def refuse(*args: object) -> None:
        raise AssertionError("LinkExtractor used")

    monkeypatch.setattr(LxmlLinkExtractor, "extract_links", refuse)
    spider = make_spider(tmp_path)
    results = list(spider.parse_page(html("https://news.test/", LISTING, **{DEPTH: 0})))
    assert urls(results)[:2] == ["https://news.test/2025/one/", "https://news.test/2025/two/"]


# the same hrefs on pages of other schemes, hosts, paths and bases, in one run: an href's URL
# remembered from one page must be the URL LinkExtractor finds on the next
SHARED_HREFS = (
    '<a href="/a">1</a><a href="/a/../b?">2</a><a href="http://news.test/x?">3</a>'
    '<a href="https://news.test/x?#f">4</a><a href="http://">5</a><a href="http:///p">6</a>'
    '<a href="http://\n/q">7</a><a href="/\tt">8</a><a href="//cdn.test/c">9</a>'
    '<a href=" /s ">10</a><a href="/s">11</a><a href="/café">12</a><a href="/z.jpg">13</a>'
    '<a href="https://news.test/caf\u00e9?q=\u00e9">14</a><a href="/ ?#">15</a>'
)
PAGES = (
    ("http://news.test/one/", "", "utf-8"),
    ("https://news.test/one/", "", "utf-8"),
    ("https://other.test/deep/path/page?x=1", "", "utf-8"),
    ("http://news.test/two/", '<base href="https://base.test/dir/">', "utf-8"),
    ("https://news.test/three/", '<base href="http://base.test/">', "latin-1"),
    ("http://news.test:8080/four/", '<base href="/rel/">', "cp1252"),
    ("https://news.test/five/", '<base href="mailto:x@y">', "utf-8"),
    ("http://news.test/one/", "", "latin-1"),
    ("http://other.test:8080/six/", "", "utf-8"),
    ("http://news.test/seven/", '<base href="http://base.test/">', "utf-8"),
)


def test_urls_remembered_across_pages_are_the_link_extractor_ones() -> None:
    for round_ in range(2):  # the second time every remembered URL is used
        for url, base, encoding in PAGES:
            html = f"<html><head>{base}</head><body>{SHARED_HREFS}</body></html>"
            body = html.encode(encoding, errors="replace")
            page = HtmlResponse(url=url, body=body, encoding=encoding)
            assert page_links(page) == extractor_urls(page), (round_, url, base, encoding)


def on_news_test(url: str) -> bool:
    """What the spider follows, for these tests: news.test and its subdomains, http(s)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    on_domain = host == "news.test" or host.endswith(".news.test")
    return parts.scheme in ("http", "https") and on_domain


OFF_SITE_HREFS = (
    '<a href="https://other.test/x">1</a><a href="http://News.Test/caps">2</a>'
    '<a href="https://www.news.test:8443/p">3</a><a href="https://u@other.test/">4</a>'
    '<a href="https://user@news.test/">5</a><a href="http://bücher.test/">6</a>'
    '<a href="https://xn--bcher-kva.test/">7</a><a href="https://news.test.other.test/">8</a>'
    '<a href="https://evilnews.test/">9</a><a href="https://news.test./">10</a>'
    '<a href="http://news.test%2eother.test/">11</a><a href="https://[::1]/">12</a>'
    '<a href="https://other.test\\@news.test/">13</a><a href="/root">14</a><a href="rel">15</a>'
    '<a href="//other.test/proto">16</a><a href="HTTPS://OTHER.TEST/">17</a>'
    '<a href="https:news.test/x">18</a><a href="a:b/c">19</a><a href="a/b:c">20</a>'
    '<a href="\\\\news.test/bs">21</a><a href="?q">22</a><a href="#f">23</a><a href="">24</a>'
    '<a href="\x01//news.test/c0">25</a><a href="/\t/news.test/tab">26</a>'
    '<a href="\x7f//news.test/del">27</a><a href=" //news.test/nbsp">28</a>'
)


@pytest.mark.parametrize(
    "body", [*TRICKY.values(), SHARED_HREFS, OFF_SITE_HREFS], ids=[*TRICKY, "shared", "off"]
)
def test_links_off_site_are_left_out_before_they_are_resolved(body: str) -> None:
    page = response(f"<html><body>{body}</body></html>")

    def off_site(host: str) -> bool:
        return not on_news_test(f"http://{host}/")

    # what the spider follows is the same: LinkExtractor's URLs on the site
    expected = [url for url in extractor_urls(page) if on_news_test(url)]
    assert [url for url in page_links(page, off_site) if on_news_test(url)] == expected
    # a base off the site: its relative links are too, and the page's links to the site kept
    elsewhere = page.replace(body=f'<head><base href="https://other.test/d/"></head>{body}')
    expected = [url for url in extractor_urls(elsewhere) if on_news_test(url)]
    assert [url for url in page_links(elsewhere, off_site) if on_news_test(url)] == expected
    if body == OFF_SITE_HREFS:  # a plain absolute link off the site is left out
        assert "https://other.test/x" in extractor_urls(page)
        assert "https://other.test/x" not in page_links(page, off_site)


def _left_out_by_rule(href: str, off_site: Callable[[str], bool]) -> bool:
    """What ``href_links`` leaves out on a page whose base is off the site, as it was written
    before one regex did it (stop 32): a plain host off the site, or a relative href."""
    stripped = href.strip(" \t\n\r\x0c")
    host = re.match(r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)", stripped)
    if host is not None and off_site(host[1].lower()):
        return True
    if not re.fullmatch(r"(?:/(?!/)|[?#]|[^:/?#\t\n\r\x00-\x20]|$)[^\t\n\r]*", stripped):
        return False
    colon = stripped.find(":")
    return colon < 0 or any(mark in stripped[:colon] for mark in "/?#")


def test_a_base_off_the_site_leaves_out_what_the_rules_say() -> None:
    # every href of up to 4 of these pieces: schemes, hosts on and off the site, ":" before
    # and after "/", "?", "#", whitespace and control characters around and inside
    pieces = ["http://", "https://", "news.test", "other.test", ":", "/", "?", "#", "a", " ",
              "\t", "\n", "\x00", ":8", "HTTP://", "//"]  # fmt: skip
    hrefs = ["".join(p) for k in range(1, 5) for p in itertools.product(pieces, repeat=k)]
    page = response('<head><base href="https://other.test/d/"></head>')

    def off_site(host: str) -> bool:
        return not on_news_test(f"http://{host}/")

    kept = [href for href in hrefs if not _left_out_by_rule(href, off_site)]
    # the URLs of the hrefs kept, as href_links makes them when it is asked for all of them
    expected = [url for url in href_links(page, kept) if url is not None]
    assert 1_000 < len(kept) < len(hrefs) - 10_000
    assert href_links(page, hrefs, off_site) == expected

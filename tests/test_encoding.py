"""Bytes to text: wrong, missing and conflicting charsets; binaries; drop reasons of errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse
from twisted.python.failure import Failure

from cleaning import CleaningOptions, clean_page
from cleaning.encoding import decode_html, looks_binary
from crawler.items import PageItem
from crawler.spiders.technews import SITE, TechNewsSpider
from tests.conftest import make_crawler
from tests.hostile_site import HOSTILE, Reply

ENCODING_CASES = sorted(path for path in HOSTILE if path.startswith("/enc/"))
# Scrapy alone (header first) gets these wrong: the reason decode_html exists
SCRAPY_MISREADS = {"/enc/sjis-wrong-header", "/enc/utf8-latin1-header", "/enc/cp1252-says-utf8"}


def reply(path: str) -> tuple[bytes, str]:
    built: Reply = HOSTILE[path].reply()
    assert isinstance(built.body, bytes)
    return built.body, dict(built.headers)["Content-Type"]


def response(url: str, body: bytes, content_type: str) -> HtmlResponse:
    request = Request(url, meta={SITE: "news"})
    return HtmlResponse(url=url, body=body, headers={"Content-Type": content_type}, request=request)


@pytest.mark.parametrize("path", ENCODING_CASES)
def test_decode_html_reads_every_charset_case(path: str) -> None:
    body, content_type = reply(path)
    decoded = decode_html(body, content_type)
    for word in HOSTILE[path].words:
        assert word in decoded.text
    assert "\ufffd" not in decoded.text


@pytest.mark.parametrize("path", sorted(SCRAPY_MISREADS))
def test_scrapy_alone_misreads_these(path: str) -> None:
    body, content_type = reply(path)
    text = response(f"https://news.test{path}", body, content_type).text
    assert not all(word in text for word in HOSTILE[path].words)


@pytest.mark.parametrize("path", ENCODING_CASES)
def test_spider_hands_on_decoded_text(tmp_path: Path, path: str) -> None:
    spider = make_crawler(tmp_path).spider
    assert isinstance(spider, TechNewsSpider)
    body, content_type = reply(path)
    results = list(spider.parse_page(response(f"https://news.test{path}", body, content_type)))
    (item,) = [r for r in results if isinstance(r, PageItem)]
    result = clean_page(item.html, item.url, CleaningOptions(min_words=10))
    assert result.kept, result.drop_reason
    for word in HOSTILE[path].words:
        assert word in result.text


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("naïve café".encode("utf-16"), None, "naïve café"),  # BOM wins over everything
        (b"\xef\xbb\xbfna\xc3\xafve", "text/html; charset=cp1251", "naïve"),
        (b"plain ascii", "text/html; charset=utf-16", "plain ascii"),
        ("Größe".encode("cp1252"), "text/html; charset=no-such-charset", "Größe"),
        (b"<p>\xff\xfe\xfa broken \xc3</p>", "text/html; charset=utf-8", " broken "),
    ],
    ids=["utf16-bom", "utf8-bom", "ascii", "unknown-charset", "garbage"],
)
def test_decode_html_edge_cases(body: bytes, content_type: str | None, expected: str) -> None:
    assert expected in decode_html(body, content_type).text


def test_looks_binary() -> None:
    assert looks_binary(random.Random(1).randbytes(4096))
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    assert not looks_binary("<p>naïve</p>".encode("utf-16"))  # text, with NUL bytes
    assert not looks_binary(b"<html><body>\x1b$B text\tand\r\nlines\x0c</body></html>")
    assert not looks_binary(b"")


def test_binary_served_as_html_is_dropped_as_binary(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    spider = crawler.spider
    assert isinstance(spider, TechNewsSpider)
    body, content_type = reply("/binary")
    assert list(spider.parse_page(response("https://news.test/b", body, content_type))) == []
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/binary") == 1


def test_clean_page_drops_control_characters_as_binary() -> None:
    html = "<html><body><p>" + "\x01\x02\x03 text " * 50 + "</p></body></html>"
    assert clean_page(html, "https://news.test/x", CleaningOptions()).drop_reason == "binary"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (DownloadTimeoutError("Getting x took longer than 3 seconds."), "download_timeout"),
        (DownloadCancelledError("expected size larger than download max size"), "too_large"),
        (IgnoreRequest("max redirections reached"), "too_many_redirects"),
        (IgnoreRequest("body exceeded DOWNLOAD_MAXSIZE (16 B) during decompression"), "too_large"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_txt"),
        (IgnoreRequest("something else"), "ignored"),
        (ConnectionRefusedError(), "download_error"),
    ],
)
def test_errors_map_to_drop_reasons(tmp_path: Path, error: Exception, reason: str) -> None:
    crawler = make_crawler(tmp_path)
    spider = crawler.spider
    assert isinstance(spider, TechNewsSpider)
    request = Request("https://news.test/a", callback=spider.parse_page, meta={SITE: "news"})
    failure = Failure(error)
    failure.request = request  # type: ignore[attr-defined]
    spider.on_error(failure)
    assert crawler.stats is not None
    assert crawler.stats.get_value(f"cleaning/dropped/{reason}") == 1

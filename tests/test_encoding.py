"""Bytes to text: wrong, missing and conflicting charsets; binaries; drop reasons of errors."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import HtmlResponse
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from cleaning import CleaningOptions, clean_page
from cleaning.encoding import decode_html, looks_binary, wide_encoding
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
    if path != "/enc/mostly-utf8":  # its invalid bytes are U+FFFD
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
    assert looks_binary(bytes(5000))  # nothing but NUL bytes
    assert not looks_binary("<p>naïve</p>".encode("utf-16"))  # text, with NUL bytes
    assert not looks_binary(b"<html><body>\x1b$B text\tand\r\nlines\x0c</body></html>")
    assert not looks_binary(b"")


HTML = (
    "<html><head>{meta}<title>Größe</title></head><body><p>Die Größe der Übertragung ändert"
    " sich täglich, heißt es aus München. 新しいスマートフォン</p></body></html>"
)


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_are_binary_whatever_the_header_says(seed: int) -> None:
    body = random.Random(seed).randbytes(20_000)
    for content_type in (None, "text/html; charset=utf-16", "text/html; charset=utf-8"):
        assert looks_binary(body, content_type)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (HTML.format(meta="").replace("<p>", "<p>\x00").encode(), None),  # one NUL byte
        (HTML.format(meta="").encode() * 20 + bytes(300), None),  # NUL padding at the end
        (HTML.format(meta="").encode("utf-16-le"), None),  # UTF-16 without BOM
        (HTML.format(meta="").encode("utf-16-be"), "text/html; charset=utf-16"),
        (HTML.format(meta='<meta charset="utf-16">').encode("utf-16-be"), None),
        (HTML.format(meta="").encode("utf-32-le"), None),
        (HTML.format(meta="").encode("utf-32-be"), "text/html; charset=utf-32"),
        ("<p>ISO-2022-KR: \x0e\x21\x21\x0f text</p>".encode("ascii") * 50, None),
    ],
    ids=[
        "nul",
        "nul-padding",
        "utf16le",
        "utf16be-header",
        "utf16be-meta",
        "utf32le",
        "utf32be",
        "shift-out-in",
    ],
)
def test_text_with_nul_or_control_bytes_is_not_binary(
    body: bytes, content_type: str | None
) -> None:
    assert not looks_binary(body, content_type)


@pytest.mark.parametrize(
    ("encoding", "content_type", "meta", "how"),
    [
        ("utf-16-le", None, "", "detected"),
        ("utf-16-be", None, "", "detected"),
        ("utf-16-le", "text/html; charset=utf-16", "", "declared"),
        ("utf-16-be", "text/html; charset=UTF-16LE", "", "declared"),  # the bytes tell the order
        ("utf-16-be", "text/html", '<meta charset="utf-16">', "declared"),
        (
            "utf-16-le",
            "text/html",
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-16">',
            "declared",
        ),
        ("utf-32-le", None, "", "detected"),
        ("utf-32-be", "text/html; charset=utf-32", "", "declared"),
    ],
)
def test_utf16_and_utf32_without_bom_are_decoded(
    encoding: str, content_type: str | None, meta: str, how: str
) -> None:
    html = HTML.format(meta=meta)
    body = html.encode(encoding)
    assert wide_encoding(body, content_type) == encoding
    decoded = decode_html(body, content_type)
    assert (decoded.text, decoded.encoding, decoded.how) == (html, encoding, how)


@pytest.mark.parametrize(
    "body",
    [
        HTML.format(meta="").encode("utf-8"),
        "<p>Größe</p>".encode("cp1252") * 10,
        "<p>中文</p>".encode("gbk") * 10,
        b"<p>a\x00b</p>" * 10,  # a few NUL bytes, not in a pattern
        random.Random(3).randbytes(3000),
    ],
)
def test_other_bodies_are_not_taken_for_utf16(body: bytes) -> None:
    assert wide_encoding(body) is None
    assert wide_encoding(body, "text/html; charset=utf-16") is None  # a stale header


def test_nul_bytes_are_removed_from_text() -> None:
    html = HTML.format(meta="")
    body = html.replace("<p>", "<p>\x00").encode() + bytes(10)
    decoded = decode_html(body, "text/html; charset=utf-8")
    assert decoded.text == html and decoded.how == "utf-8"
    # and in clean_page's own check: a NUL character is no reason to drop a page
    body, _ = reply("/nul-byte")
    html = body.decode("utf-8")
    assert "\x00" in html
    result = clean_page(html, "https://news.test/a", CleaningOptions(min_words=10))
    assert result.kept, result.drop_reason


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=utf-8", ""),
        ("text/html", '<meta charset="utf-8">'),
        ("text/html", ""),  # undeclared, but mostly valid UTF-8
        ("text/html; charset=windows-1252", ""),  # a stale header loses to the bytes
    ],
)
def test_mostly_utf8_is_read_as_utf8(content_type: str, meta: str) -> None:
    html = HTML.format(meta=meta)
    # a few bytes of windows-1252 in a UTF-8 page: "é" (E9) and "’" (92)
    body = html.encode("utf-8").replace(b"</body>", b"<p>caf\xe9 l\x92an</p></body>")
    decoded = decode_html(body, content_type)
    assert decoded.how == "mostly_utf-8"
    assert "Größe der Übertragung ändert sich täglich, heißt es aus München" in decoded.text
    assert "新しいスマートフォン" in decoded.text
    assert "caf\ufffd l\ufffdan" in decoded.text  # the bad bytes alone are lost
    assert "Ã" not in decoded.text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Größe der Übertragung, heißt es", "cp1252"),
        ("Новая версия программы вышла сегодня", "cp1251"),
        ("新しいスマートフォンが今日、東京で発表されました", "shift_jis"),
        ("新しいスマートフォンが今日、東京で発表されました", "euc-jp"),
        ("今天，一家公司在北京发布了新的智能手机", "gbk"),
        ("今天，一家公司在北京發佈了新的智能手機", "big5"),
        ("오늘 서울에서 새로운 스마트폰이 발표되었습니다", "euc-kr"),
    ],
)
def test_legacy_encodings_are_not_mostly_utf8(text: str, encoding: str) -> None:
    body = f"<html><body><p>{text * 20}</p></body></html>".encode(encoding)
    decoded = decode_html(body, "text/html; charset=utf-8")  # even when UTF-8 is claimed
    assert decoded.how != "mostly_utf-8"
    assert text in decoded.text


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
        (CannotResolveHostError("no results for hostname lookup: x.test"), "dns_error"),
        (DNSLookupError("x.test"), "dns_error"),
        (IgnoreRequest("Filtered offsite request to 'elsewhere.test'"), "offsite"),
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


# a page with a <base href> and links whose URLs depend on the encoding they are read in: the
# path's "ü" is percent-encoded as UTF-8 whatever the page's encoding, the query's "é" in it
LINKED_PAGE = (
    '<html><head><base href="/dir/"></head><body><p>Größe und Maß, café crème.</p>'
    '<a href="über?q=é">a</a> <a href="/plain">b</a></body></html>'
)


@pytest.mark.parametrize(
    ("encoding", "content_type", "query"),
    [
        ("utf-8", "text/html; charset=utf-8", "%C3%A9"),  # Scrapy and decode_html agree
        ("cp1252", "text/html; charset=windows-1252", "%E9"),
        ("cp1252", "text/html; charset=utf-8", "%E9"),  # Scrapy misreads the header's utf-8
        ("utf-8", "text/html; charset=iso-8859-1", "%C3%A9"),  # and the header's latin-1
    ],
)
def test_links_are_read_in_the_decoded_encoding(
    tmp_path: Path, encoding: str, content_type: str, query: str
) -> None:
    spider = make_crawler(tmp_path).spider
    assert isinstance(spider, TechNewsSpider)
    page = response("https://news.test/a/", LINKED_PAGE.encode(encoding), content_type)
    found = [r.url for r in spider.parse_page(page) if isinstance(r, Request)]
    assert found == [f"https://news.test/dir/%C3%BCber?q={query}", "https://news.test/plain"]


def test_a_page_read_alike_both_ways_is_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the copy would decode the body and look for its <base href> once more: a response's
    # text and base URL are cached, and Scrapy's MetaRefreshMiddleware has read both
    spider = make_crawler(tmp_path).spider
    assert isinstance(spider, TechNewsSpider)
    copies: list[str | None] = []
    replace = HtmlResponse.replace

    def counted(self: HtmlResponse, *args: Any, **kwargs: Any) -> Any:
        copies.append(kwargs.get("encoding"))
        return replace(self, *args, **kwargs)

    monkeypatch.setattr(HtmlResponse, "replace", counted)
    utf8 = response("https://news.test/a/", LINKED_PAGE.encode(), "text/html; charset=utf-8")
    assert len(list(spider.parse_page(utf8))) == 3
    assert copies == []
    misread = LINKED_PAGE.encode("cp1252")
    list(spider.parse_page(response("https://news.test/b/", misread, "text/html; charset=utf-8")))
    assert copies == ["cp1252"]


UTF8_TEXT_BODIES = {
    "utf-8": "<p>Größe, “quotes”, 日本</p>".encode(),
    "utf-8 with U+FFFD written": "<p>a \ufffd b é</p>".encode(),
    "invalid bytes": "<p>café ".encode() * 20 + b"\xff\xfe caf\xe9</p>",
    "NUL bytes": "<p>é\x00è</p>".encode(),
    "ascii": b"<p>plain</p>",
    "cp1252": "<p>café crème</p>".encode("cp1252"),
    "bom": "\ufeff<p>é</p>".encode(),
    "utf-16": "<html><p>é</p></html>".encode("utf-16-le"),
}


@pytest.mark.parametrize("body", UTF8_TEXT_BODIES.values(), ids=UTF8_TEXT_BODIES.keys())
def test_a_caller_s_utf8_text_decodes_alike(body: bytes) -> None:
    given = body.decode("utf-8", "replace")  # as Scrapy reads a page it takes for UTF-8
    for content_type in (None, "text/html; charset=utf-8", "text/html; charset=windows-1252"):
        assert decode_html(body, content_type, utf8_text=given) == decode_html(body, content_type)


def test_a_caller_s_utf8_text_is_used_as_it_is(tmp_path: Path) -> None:
    body = UTF8_TEXT_BODIES["utf-8"]
    given = body.decode("utf-8", "replace")
    assert decode_html(body, utf8_text=given).text is given  # not decoded a second time
    # the spider hands Scrapy's text of a page it reads as UTF-8 on as the page's html
    spider = make_crawler(tmp_path).spider
    assert isinstance(spider, TechNewsSpider)
    page = response("https://news.test/a/", LINKED_PAGE.encode(), "text/html; charset=utf-8")
    item = next(o for o in spider.parse_page(page) if isinstance(o, PageItem))
    assert item.html is page.text

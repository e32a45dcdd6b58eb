"""HostGuard: a page cannot steer the crawler at non-http(s) URLs or internal services."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from scrapy import Request
from twisted.python.failure import Failure

from crawler.middlewares import HostGuard, RefusedRequest, is_public
from crawler.sample_server import SAMPLE_SITE, SiteServer
from tests.conftest import make_crawler, run_scrapy_crawl

DNS = {
    "news.example": ["93.184.216.34"],
    "intranet.example": ["10.1.2.3"],
    "mixed.example": ["93.184.216.34", "192.168.0.7"],
    "metadata.example": ["169.254.169.254"],
    "v6local.example": ["fe80::1%eth0"],
}


def guard(allow_private: bool = False) -> tuple[HostGuard, list[str]]:
    looked_up: list[str] = []

    async def resolve(host: str) -> Sequence[str]:
        looked_up.append(host)
        if host not in DNS:
            raise OSError("no such host")
        return DNS[host]

    return HostGuard(allow_private=allow_private, resolve=resolve), looked_up


def verdict(middleware: HostGuard, url: str) -> str | None:
    try:
        asyncio.run(middleware.process_request(Request(url)))
    except RefusedRequest as refused:
        return refused.reason
    return None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://news.example/a", None),
        ("http://93.184.216.34/", None),
        ("http://unknown.example/", None),  # left to the downloader: download_error
        ("http://127.0.0.1:8080/admin", "private_host"),
        ("http://localhost.localdomain./", None),  # unknown to this resolver
        ("http://10.0.0.5/", "private_host"),
        ("http://[::1]/", "private_host"),
        ("http://[::ffff:127.0.0.1]/", "private_host"),
        ("http://intranet.example/", "private_host"),
        ("http://mixed.example/", "private_host"),
        ("http://metadata.example/latest/", "private_host"),
        ("http://v6local.example/", "private_host"),
        ("http://100.64.0.1/", "private_host"),  # carrier-grade NAT
        ("file:///etc/passwd", "bad_scheme"),
        ("ftp://news.example/x", "bad_scheme"),
        ("data:text/html,hi", "bad_scheme"),
    ],
)
def test_verdicts(url: str, reason: str | None) -> None:
    middleware, _ = guard()
    assert verdict(middleware, url) == reason


def test_allow_setting_lets_private_hosts_through_but_not_other_schemes() -> None:
    middleware, looked_up = guard(allow_private=True)
    assert verdict(middleware, "http://127.0.0.1/") is None
    assert verdict(middleware, "http://intranet.example/") is None
    assert verdict(middleware, "file:///etc/passwd") == "bad_scheme"
    assert looked_up == []


def test_one_lookup_per_host() -> None:
    middleware, looked_up = guard()
    for path in ("a", "b", "c"):
        assert verdict(middleware, f"http://intranet.example/{path}") == "private_host"
        assert verdict(middleware, f"https://news.example/{path}") is None
    assert looked_up == ["intranet.example", "news.example"]


def test_is_public() -> None:
    assert is_public("8.8.8.8") and is_public("2606:4700::1111")
    assert not any(map(is_public, ["0.0.0.0", "224.0.0.1", "fc00::1", "172.16.0.1"]))


def test_spider_counts_refused_requests_by_reason(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    spider = crawler.spider
    request = Request("http://10.0.0.1/", callback=spider.parse_page)  # type: ignore[union-attr]
    failure = Failure(RefusedRequest("private_host", "10.0.0.1 is not a public host"))
    failure.request = request  # type: ignore[attr-defined]
    spider.on_error(failure)  # type: ignore[union-attr]
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/private_host") == 1


@pytest.mark.parametrize(
    ("host", "logged"),
    [
        ("127.0.0.1", "127.0.0.1 is not a public address"),
        # a name: resolved in the reactor's thread pool during the crawl
        ("localhost", "localhost resolves to 127.0.0.1, which is not a public address"),
    ],
)
def test_crawl_of_a_private_host_is_refused_by_default(
    tmp_path: Path, host: str, logged: str
) -> None:
    with SiteServer(SAMPLE_SITE) as server:
        url = server.url.replace("127.0.0.1", host)
        run = run_scrapy_crawl(
            tmp_path, "-a", f"url={url}/", settings={"CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "False"}
        )
    assert run.returncode == 3, run.log[-3000:]  # nothing fetched (crawler.outcome.ExitCode)
    assert server.requests == []  # not even robots.txt
    assert run.stats["cleaning/dropped/private_host"] == 1  # the start URL
    assert run.stats["technews/xml/failed/private_host"] == 1  # its robots.txt
    assert logged in run.log
    assert "Traceback" not in run.log

"""HostGuard and GuardedResolver: a page cannot steer the crawler at non-http(s) URLs or
internal services, not even through DNS rebinding; redirects off the site are counted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.task import Clock
from twisted.python.failure import Failure

from crawler.dupefilter import PAGE_META_KEY
from crawler.middlewares import CountingOffsiteMiddleware, HostGuard, RefusedRequest
from crawler.resolver import GuardedResolver, is_public
from crawler.sample_server import SAMPLE_SITE, SiteServer
from tests.conftest import make_crawler, run_scrapy_crawl
from tests.fake_dns import ScriptedLookup

PUBLIC = "93.184.216.34"
DNS: dict[str, list[list[str] | None]] = {
    "news.example": [[PUBLIC]],
    "intranet.example": [["10.1.2.3"]],
    "mixed.example": [[PUBLIC, "192.168.0.7"]],
    "metadata.example": [["169.254.169.254"]],
    "v6local.example": [["fe80::1%eth0"]],
    "v6.example": [["2606:4700::1111", PUBLIC]],
    # DNS rebinding: a public address to the first lookup, a private one to the next
    "rebind.example": [[PUBLIC], ["127.0.0.1"]],
}


class FakeReactor(Clock):
    """Just enough reactor for the resolver: a clock, and a thread pool that runs at once."""

    def __init__(self) -> None:
        super().__init__()
        self.name_resolver: Any = None

    def callFromThread(self, f: Any, *args: Any, **kwargs: Any) -> None:
        f(*args, **kwargs)

    def getThreadPool(self) -> FakeReactor:
        return self

    def callInThreadWithCallback(self, on_result: Any, f: Any, *args: Any) -> None:
        try:
            result = f(*args)
        except Exception:
            on_result(False, Failure())
        else:
            on_result(True, result)

    def installNameResolver(self, resolver: Any) -> None:
        self.name_resolver = resolver


class Receiver:
    """An IResolutionReceiver recording what a connection would get."""

    def __init__(self) -> None:
        self.addresses: list[Any] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.complete = True


def resolver(allow_private: bool = False, cache_size: int = 100) -> GuardedResolver:
    return GuardedResolver(
        FakeReactor(),
        allow_private=allow_private,
        cache_size=cache_size,
        lookup=ScriptedLookup(DNS),
    )


def connect(guarded: GuardedResolver, host: str, port: int = 80) -> list[str]:
    """The addresses a connection to ``host`` is offered."""
    receiver = Receiver()
    guarded.resolveHostName(receiver, host, port)
    assert receiver.complete
    assert all(a.port == port for a in receiver.addresses)
    return [a.host for a in receiver.addresses]


@pytest.mark.parametrize(
    ("host", "addresses"),
    [
        ("news.example", [PUBLIC]),
        ("NEWS.example.", [PUBLIC]),  # one name, however written
        ("v6.example", ["2606:4700::1111", PUBLIC]),
        (PUBLIC, [PUBLIC]),  # a literal address is checked, not looked up
        ("127.0.0.1", []),
        ("::1", []),
        ("unknown.example", []),
        ("intranet.example", []),
        ("mixed.example", []),  # one private address refuses the whole name
        ("metadata.example", []),
        ("v6local.example", []),
    ],
)
def test_connections_get_checked_addresses_only(host: str, addresses: list[str]) -> None:
    assert connect(resolver(), host) == addresses


def test_ipv6_and_ipv4_addresses_keep_their_type() -> None:
    receiver = Receiver()
    resolver().resolveHostName(receiver, "v6.example", 443)
    assert [type(a) for a in receiver.addresses] == [IPv6Address, IPv4Address]
    receiver = Receiver()
    # IPv4Address implements IAddress (a zope interface, which mypy does not see)
    v4: Any = [IPv4Address]
    resolver().resolveHostName(receiver, "v6.example", 443, addressTypes=v4)
    assert [a.host for a in receiver.addresses] == [PUBLIC]


def test_refused_hosts_are_remembered_with_their_address() -> None:
    guarded = resolver()
    for host in ("intranet.example", "mixed.example", "unknown.example", "news.example"):
        connect(guarded, host)
    assert guarded.private_address("intranet.example") == "10.1.2.3"
    assert guarded.private_address("Mixed.Example.") == "192.168.0.7"
    assert guarded.private_address("unknown.example") is None  # does not resolve: dns_error
    assert guarded.private_address("news.example") is None


def test_rebinding_cannot_reach_the_private_address() -> None:
    guarded = resolver()
    lookup = guarded.lookup
    assert isinstance(lookup, ScriptedLookup)
    # every connection gets the address that was checked: one lookup per name
    assert [connect(guarded, "rebind.example") for _ in range(3)] == [[PUBLIC]] * 3
    assert lookup.calls == {"rebind.example": 1}


def test_rebinding_cannot_pass_without_a_cache_either() -> None:
    guarded = resolver(cache_size=0)
    assert connect(guarded, "rebind.example") == [PUBLIC]
    assert connect(guarded, "rebind.example") == []  # looked up again: private, refused
    assert guarded.private_address("rebind.example") == "127.0.0.1"


def test_concurrent_connections_share_one_lookup() -> None:
    guarded = resolver()
    pending: list[Any] = []
    reactor = guarded.reactor
    # hold the thread pool's answer back, as a slow DNS server would
    reactor.callInThreadWithCallback = lambda on_result, f, *a: pending.append((on_result, f, a))
    receivers = [Receiver() for _ in range(5)]
    for receiver in receivers:
        guarded.resolveHostName(receiver, "rebind.example", 80)
    assert len(pending) == 1 and not any(r.complete for r in receivers)
    on_result, f, args = pending[0]
    on_result(True, f(*args))
    assert [[a.host for a in r.addresses] for r in receivers] == [[PUBLIC]] * 5


def test_a_lookup_that_hangs_fails_after_the_timeout() -> None:
    guarded = GuardedResolver(FakeReactor(), allow_private=False, timeout=5.0)
    reactor = guarded.reactor
    assert isinstance(reactor, FakeReactor)
    # never answers
    reactor.callInThreadWithCallback = lambda *_: None  # type: ignore[method-assign]
    receiver = Receiver()
    guarded.resolveHostName(receiver, "slow.example", 80)
    assert not receiver.complete
    reactor.advance(5.0)
    assert receiver.complete and receiver.addresses == []


def test_allow_private_hands_on_every_address() -> None:
    guarded = resolver(allow_private=True)
    assert connect(guarded, "mixed.example") == [PUBLIC, "192.168.0.7"]
    assert connect(guarded, "127.0.0.1") == ["127.0.0.1"]


def test_install_on_reactor_sets_the_name_resolver() -> None:
    guarded = resolver()
    guarded.install_on_reactor()
    assert guarded.reactor.name_resolver is guarded


def guard(allow_private: bool = False) -> tuple[HostGuard, GuardedResolver]:
    guarded = resolver(allow_private)
    return HostGuard(allow_private=allow_private, resolver=guarded), guarded


def verdict(middleware: HostGuard, url: str) -> str | None:
    try:
        asyncio.run(middleware.process_request(Request(url)))
    except RefusedRequest as refused:
        return refused.reason
    except CannotResolveHostError:
        return "retried, then dns_error"
    return None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://news.example/a", None),
        ("http://93.184.216.34/", None),
        ("http://unknown.example/", "retried, then dns_error"),
        ("http://intranet.example/", "private_host"),  # resolved here, before robots.txt
        ("http://mixed.example/", "private_host"),
        ("http://rebind.example/", None),  # the first answer, which connections will get
        ("http://127.0.0.1:8080/admin", "private_host"),
        ("http://10.0.0.5/", "private_host"),
        ("http://[::1]/", "private_host"),
        ("http://[::ffff:127.0.0.1]/", "private_host"),
        ("http://100.64.0.1/", "private_host"),  # carrier-grade NAT
        ("file:///etc/passwd", "bad_scheme"),
        ("ftp://news.example/x", "bad_scheme"),
        ("data:text/html,hi", "bad_scheme"),
    ],
)
def test_verdicts(url: str, reason: str | None) -> None:
    middleware, _ = guard()
    assert verdict(middleware, url) == reason


def test_a_host_the_resolver_refused_is_refused_before_sending(
    caplog: pytest.LogCaptureFixture,
) -> None:
    middleware, guarded = guard()
    connect(guarded, "intranet.example")  # a first connection was refused
    assert verdict(middleware, "http://intranet.example/b") == "private_host"
    assert "intranet.example resolves to 10.1.2.3, which is not a public address" in caplog.text


def test_failed_lookups_are_private_host_or_dns_error() -> None:
    middleware, guarded = guard()
    connect(guarded, "intranet.example")
    connect(guarded, "unknown.example")
    error = CannotResolveHostError("no results for hostname lookup: intranet.example")
    with pytest.raises(RefusedRequest) as refused:
        middleware.process_exception(Request("http://intranet.example/"), error)
    assert refused.value.reason == "private_host"
    with pytest.raises(RefusedRequest) as refused:
        middleware.process_exception(Request("http://unknown.example/"), error)
    assert refused.value.reason == "dns_error"
    # not a refused host: left to Scrapy (no exception, no response)
    middleware.process_exception(Request("http://news.example/"), OSError())


def test_allow_setting_lets_private_hosts_through_but_not_other_schemes() -> None:
    middleware = HostGuard(allow_private=True)
    assert verdict(middleware, "http://127.0.0.1/") is None
    assert verdict(middleware, "http://intranet.example/") is None
    assert verdict(middleware, "file:///etc/passwd") == "bad_scheme"


@pytest.mark.parametrize(
    ("status", "location", "reason"),
    [
        (302, "file:///etc/passwd", "bad_scheme"),
        (301, "data:text/html,<p>hi</p>", "bad_scheme"),
        (307, "FTP://files.example/x", "bad_scheme"),
        (302, "javascript:alert(1)", "bad_scheme"),
        (302, "/relative/page", None),
        (302, "https://other.example/", None),
        (200, "file:///etc/passwd", None),  # not a redirect
    ],
)
def test_redirects_to_other_schemes_are_refused(
    status: int, location: str, reason: str | None
) -> None:
    middleware, _ = guard()
    request = Request("https://news.example/a")
    response = Response(request.url, status=status, headers={"Location": location})
    try:
        assert middleware.process_response(request, response) is response
    except RefusedRequest as refused:
        assert refused.reason == reason
    else:
        assert reason is None


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


def test_offsite_redirects_of_pages_are_counted(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)  # allowed_domains: news.test
    middleware = CountingOffsiteMiddleware.from_crawler(crawler)
    spider = crawler.spider
    assert spider is not None
    middleware.spider_opened(spider)
    page = Request("https://elsewhere.test/a", meta={PAGE_META_KEY: 0, "redirect_times": 1})
    sitemap = Request("https://elsewhere.test/sitemap.xml")
    for request in (page, sitemap):
        with pytest.raises(IgnoreRequest):
            middleware.request_scheduled(request, spider)
    middleware.request_scheduled(Request("https://news.test/b", meta={PAGE_META_KEY: 0}), spider)
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/offsite") == 1  # the page only
    assert crawler.stats.get_value("offsite/filtered") == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    ("host", "logged"),
    [
        ("127.0.0.1", "127.0.0.1 is not a public address"),
        # a name: resolved where the connection is made, by crawler.resolver.GuardedResolver
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

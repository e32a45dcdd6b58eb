"""robots.txt (RFC 9309) obeyed by every request, and sitemap discovery within its limits.

One ``scrapy crawl`` over many local origins (one server each, on 127.0.0.1): every origin
is one case, so one crawl checks them all, concurrently, as a real crawl meets them.
"""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.internet.error import ConnectionRefusedError, DNSLookupError

from crawler.middlewares import HostGuard
from crawler.robots import (
    MAX_ROBOTS_BYTES,
    RobotsPolicy,
    RobotsTxt,
    policy_from_error,
    policy_from_response,
)
from tests.conftest import CrawlRun, make_crawler, run_scrapy_crawl
from tests.robots_site import Reply, RouteServer, page

AGENT = "cleancrawl/0.1.0 (+https://github.com/cleancrawl/cleancrawl)"
DISALLOW_BLOCKED = b"User-agent: *\nDisallow: /blocked\n"
ORDERS = 4  # sites whose entry URLs arrive in different orders
RETRY_TIMES = 1


def text(body: bytes, status: int = 200) -> Reply:
    return Reply(status=status, body=body, content_type="text/plain")


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, location=location)


def urlset(*urls: str) -> Reply:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    return Reply(body=body.encode(), content_type="application/xml")


def sitemap_index(*urls: str) -> Reply:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    return Reply(body=body.encode(), content_type="application/xml")


def rss(*urls: str) -> Reply:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in urls)
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    return Reply(body=body.encode(), content_type="application/rss+xml")


# --- the origins, one case each ----------------------------------------------------------


def ordered_site() -> Any:
    """robots.txt disallows /blocked; start, sitemap, robots-sitemap and feed URLs do both."""

    def route(path: str) -> Reply:
        if path == "/robots.txt":
            return text(DISALLOW_BLOCKED + b"Sitemap: /robots-sitemap.xml\n")
        if path in ("/sitemap.xml", "/blocked/sitemap.xml"):
            return urlset("/s1", "/blocked/s2")
        if path == "/robots-sitemap.xml":
            return urlset("/r1", "/blocked/r2")
        if path == "/feed.xml":
            return rss("/f1", "/blocked/f2")
        return page(path)

    return route


def status_robots(status: int) -> Callable[[str], Reply]:
    return lambda path: text(b"no", status) if path == "/robots.txt" else page(path)


def redirected_robots(redirects: int, other: RouteServer) -> Any:
    """/robots.txt reaches its rules after ``redirects`` redirects, one of them via ``other``."""

    def route(server: RouteServer, path: str) -> Reply:
        if path == "/robots.txt":
            return redirect("/hop/1", 301)
        if path.startswith("/hop/"):
            n = int(path.removeprefix("/hop/"))
            if n == redirects:
                return text(DISALLOW_BLOCKED)
            if n == 2:  # the third hop is on another origin, which sends the fourth back
                return redirect(f"{other.url}/hop/3?back={server.url}", 307)
            return redirect(f"/hop/{n + 1}")
        return page(path)

    return route


def bounce(path: str) -> Reply:
    back = path.split("?back=", 1)[1]
    return redirect(f"{back}/hop/4", 308)


OVERSIZED = (
    b"User-agent: *\nDisallow: /early\n"
    + b"# padding padding padding padding padding padding padding\n" * 12_000  # ~700 KB
    + b"Disallow: /late\n"
)


def crawl_delay_site(path: str) -> Reply:
    return text(b"User-agent: *\nCrawl-delay: 100\n") if path == "/robots.txt" else page(path)


def deep_index(path: str) -> Reply:
    """Every index names two new ones below it, without end."""
    if path.startswith("/index/"):
        name = path.removeprefix("/index/").removesuffix(".xml")
        return sitemap_index(f"/index/{name}a.xml", f"/index/{name}b.xml")
    return status_robots(404)(path)


def wide_index(path: str) -> Reply:
    """Every index names ten new ones below it, without end."""
    if path.startswith("/wide/"):
        name = path.removeprefix("/wide/").removesuffix(".xml")
        return sitemap_index(*(f"/wide/{name}-{i}.xml" for i in range(10)))
    return status_robots(404)(path)


def offsite_index(server: RouteServer, path: str) -> Reply:
    if path == "/index.xml":
        return sitemap_index("/child.xml", f"http://localhost:{server.port}/evil.xml")
    if path in ("/child.xml", "/evil.xml"):
        return urlset("/p1")
    return status_robots(404)(path)


def cdn_sitemaps(pages: RouteServer) -> Any:
    """Sitemaps on another host than the pages, named in the sites file."""

    def route(path: str) -> Reply:
        if path == "/cdn-index.xml":
            return sitemap_index("/cdn-child.xml")
        if path == "/cdn-child.xml":
            return urlset(f"{pages.url}/c1")
        return status_robots(404)(path)

    return route


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Origins:
    """Every server of the crawl, by case name."""

    def __init__(self, stack: ExitStack) -> None:
        def serve(route: Any) -> RouteServer:
            return stack.enter_context(RouteServer(route))

        def serve_self(route: Any) -> RouteServer:
            """A server whose route takes the server itself first (to name its own URL)."""
            server = serve(page)
            server.route = partial(route, server)
            return server

        self.ordered = [serve(ordered_site()) for _ in range(ORDERS)]
        self.robots_404 = serve(status_robots(404))
        self.robots_503 = serve(status_robots(503))
        self.bounce = serve(bounce)
        self.redirect_5 = serve_self(redirected_robots(5, self.bounce))
        self.redirect_6 = serve_self(redirected_robots(6, self.bounce))
        self.oversized = serve(lambda p: text(OVERSIZED) if p == "/robots.txt" else page(p))
        self.crawl_delay = serve(crawl_delay_site)
        self.deep = serve(deep_index)
        self.wide = serve(wide_index)
        self.offsite = serve_self(offsite_index)
        self.cdn_pages = serve(status_robots(404))
        self.cdn = serve(cdn_sitemaps(self.cdn_pages))
        self.unreachable = f"http://127.0.0.1:{free_port()}"


def sites_file(o: Origins) -> str:
    sites = []
    for i, server in enumerate(o.ordered):
        starts = [f"{server.url}/p{n}" for n in range(6)]
        starts += [f"{server.url}/blocked/p{n}" for n in range(6)]
        sitemaps = [f"{server.url}/sitemap.xml", f"{server.url}/blocked/sitemap.xml"]
        order = random.Random(i)
        order.shuffle(starts)
        order.shuffle(sitemaps)
        if i % 2:
            starts.reverse()
        sites.append(
            {
                "name": f"ordered{i}",
                "start_urls": starts,
                "sitemap_urls": sitemaps,
                "feed_urls": [f"{server.url}/feed.xml"],
                "max_depth": 0,
                # the first request of the origin is a page, not the spider's robots.txt
                "robots_sitemaps": i != ORDERS - 1,
            }
        )
    for name in ("robots_404", "robots_503", "redirect_5", "redirect_6"):
        url = getattr(o, name).url
        sites.append({"name": name, "start_urls": [f"{url}/p1", f"{url}/blocked/p1"]})
    url = o.oversized.url
    sites.append({"name": "oversized", "start_urls": [f"{url}/p1", f"{url}/early", f"{url}/late"]})
    sites.append(
        {"name": "unreachable", "start_urls": [f"{o.unreachable}/p1", f"{o.unreachable}/blocked"]}
    )
    url = f"http://localhost:{o.crawl_delay.port}"
    sites.append({"name": "crawl_delay", "start_urls": [f"{url}/p{n}" for n in range(3)]})
    sites.append(
        {"name": "deep", "sitemap_urls": [f"{o.deep.url}/index/r.xml"], "robots_sitemaps": False}
    )
    sites.append(
        {
            "name": "wide",
            "sitemap_urls": [f"{o.wide.url}/wide/r.xml"],
            "robots_sitemaps": False,
            "max_sitemaps": 20,
            "max_sitemap_depth": 100,
        }
    )
    sites.append(
        {
            "name": "offsite",
            "sitemap_urls": [f"{o.offsite.url}/index.xml"],
            "robots_sitemaps": False,
        }
    )
    sites.append(
        {
            "name": "cdn",
            "start_urls": [f"{o.cdn_pages.url}/"],
            "sitemap_urls": [f"http://localhost:{o.cdn.port}/cdn-index.xml"],
            "allowed_domains": ["127.0.0.1"],
            "robots_sitemaps": False,
        }
    )
    return "\n".join(_toml(site) for site in sites)


def _toml(site: dict[str, Any]) -> str:
    return "[[site]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in site.items())


@pytest.fixture(scope="module")
def origins() -> Iterator[Origins]:
    with ExitStack() as stack:
        yield Origins(stack)


@pytest.fixture(scope="module")
def crawl(origins: Origins, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    tmp = tmp_path_factory.mktemp("robots")
    sites = tmp / "sites.toml"
    sites.write_text(sites_file(origins), encoding="utf-8")
    extensions = {"crawler.extensions.StatsFile": 500, "tests.robots_site.SlotDelays": 900}
    return run_scrapy_crawl(
        tmp,
        "-a",
        f"sites={sites}",
        settings={
            "RETRY_TIMES": str(RETRY_TIMES),
            "DOWNLOAD_TIMEOUT": "10",
            "CLEANCRAWL_WORKERS": "0",
            "CONCURRENT_REQUESTS": "64",
            # on, so the test shows that AutoThrottle does not undercut a Crawl-delay
            "AUTOTHROTTLE_ENABLED": "True",
            "AUTOTHROTTLE_START_DELAY": "0",
            "CLEANCRAWL_MAX_CRAWL_DELAY": "0.5",
            "EXTENSIONS": json.dumps(extensions),
        },
    )


def test_the_crawl_finishes(crawl: CrawlRun) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"
    assert "Traceback" not in crawl.log


@pytest.mark.parametrize("index", range(ORDERS))
def test_no_disallowed_url_is_fetched_whatever_the_order(
    crawl: CrawlRun, origins: Origins, index: int
) -> None:
    paths = origins.ordered[index].paths()
    assert [p for p in paths if p.startswith("/blocked")] == []
    assert paths.count("/robots.txt") == 1  # the spider's Sitemap: request is no second fetch
    expected = {f"/p{n}" for n in range(6)} | {"/sitemap.xml", "/s1", "/feed.xml", "/f1"}
    if index != ORDERS - 1:  # robots_sitemaps: the Sitemap: line of the one robots.txt
        expected |= {"/robots-sitemap.xml", "/r1"}
    assert set(paths) - {"/robots.txt"} == expected


def test_disallowed_pages_are_counted_as_robots_txt(crawl: CrawlRun) -> None:
    # 6 start URLs and 2 sitemap/feed entries per ordered site, 3 from robots-sitemaps;
    # both pages of the 503 and of the unreachable site; /blocked/p1 after 5 redirects; /early
    assert crawl.stats["cleaning/dropped/robots_txt"] == ORDERS * 8 + 3 + 2 + 2 + 1 + 1
    # the disallowed sitemap of each ordered site is counted with the sitemaps
    assert crawl.stats["technews/xml/failed/robots_txt"] == ORDERS


def test_4xx_allows_everything(crawl: CrawlRun, origins: Origins) -> None:
    assert sorted(origins.robots_404.paths()) == ["/blocked/p1", "/p1", "/robots.txt"]
    assert crawl.stats["robotstxt/allow_all/http_404"] >= 1


def test_5xx_disallows_everything(crawl: CrawlRun, origins: Origins) -> None:
    assert origins.robots_503.paths() == ["/robots.txt"] * (1 + RETRY_TIMES)
    assert crawl.stats["robotstxt/disallow_all/http_503"] == 1


def test_unreachable_disallows_everything(crawl: CrawlRun) -> None:
    assert crawl.stats["robotstxt/disallow_all/unreachable"] == 1
    assert "cleaning/dropped/download_error" not in crawl.stats


def test_five_redirects_are_followed(crawl: CrawlRun, origins: Origins) -> None:
    paths = origins.redirect_5.paths()
    assert "/p1" in paths
    assert "/blocked/p1" not in paths
    assert paths.count("/robots.txt") == 1


def test_six_redirects_make_robots_txt_unavailable(crawl: CrawlRun, origins: Origins) -> None:
    assert "/blocked/p1" in origins.redirect_6.paths()
    assert crawl.stats["robotstxt/allow_all/too_many_redirects"] == 1


def test_only_the_first_500_kib_are_parsed(crawl: CrawlRun, origins: Origins) -> None:
    paths = origins.oversized.paths()
    assert "/early" not in paths
    assert {"/p1", "/late"} <= set(paths)


def test_crawl_delay_is_the_least_slot_delay_capped(crawl: CrawlRun) -> None:
    delays = {k: v for k, v in crawl.stats.items() if k.startswith("test/slot_delay/localhost")}
    assert delays == {"test/slot_delay/localhost": 0.5}, delays  # Crawl-delay 100, cut to 0.5
    assert crawl.stats["robotstxt/crawl_delay_max"] == 0.5


def test_nested_sitemap_indexes_stop_at_the_depth_limit(crawl: CrawlRun, origins: Origins) -> None:
    fetched = [p for p in origins.deep.paths() if p.startswith("/index/")]
    assert len(fetched) == 1 + 2 + 4 + 8  # the root and three levels below it
    assert crawl.stats["technews/limits/max_sitemap_depth"] == 16


def test_sitemaps_per_site_are_limited(crawl: CrawlRun, origins: Origins) -> None:
    fetched = [p for p in origins.wide.paths() if p.startswith("/wide/")]
    assert len(fetched) == 20
    # each of the 20 names 10; 19 of those 200 were fetched
    assert crawl.stats["technews/limits/max_sitemaps"] == 200 - 19


def test_an_offsite_child_sitemap_is_not_fetched(crawl: CrawlRun, origins: Origins) -> None:
    assert origins.offsite.paths(host="localhost") == []
    assert "/child.xml" in origins.offsite.paths(host="127.0.0.1")
    assert crawl.stats["technews/limits/offsite_sitemap"] == 1


def test_sitemaps_on_a_host_the_sites_file_names(crawl: CrawlRun, origins: Origins) -> None:
    assert {"/cdn-index.xml", "/cdn-child.xml"} <= set(origins.cdn.paths(host="localhost"))
    assert "/c1" in origins.cdn_pages.paths()


def test_our_middleware_replaces_scrapys(tmp_path: Path) -> None:
    settings = make_crawler(tmp_path).settings
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")  # set by the add-on, as classes
    assert middlewares[RobotsTxtMiddleware] is None
    assert middlewares[HostGuard] < middlewares[RobotsTxt]
    assert settings.getfloat("CLEANCRAWL_MAX_CRAWL_DELAY") == 10.0


# --- RFC 9309 verdicts, without a crawl ------------------------------------------------------


def response(status: int, body: bytes = b"") -> Response:
    return TextResponse("https://news.test/robots.txt", status=status, body=body)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "rules"),
        (203, "rules"),
        (400, "allow_all"),
        (401, "allow_all"),
        (403, "allow_all"),
        (404, "allow_all"),
        (410, "allow_all"),
        (429, "allow_all"),
        (500, "disallow_all"),
        (503, "disallow_all"),
        (301, "disallow_all"),  # a redirect without a Location: no rules reached
    ],
)
def test_policy_from_status(status: int, verdict: str) -> None:
    policy = policy_from_response(response(status, DISALLOW_BLOCKED))
    assert (policy.verdict, policy.why) == (verdict, f"http_{status}")
    assert policy.allows("https://news.test/a", AGENT) is (verdict != "disallow_all")
    assert policy.allows("https://news.test/blocked", AGENT) is (verdict == "allow_all")


@pytest.mark.parametrize(
    ("error", "policy"),
    [
        (
            IgnoreRequest("max redirections reached"),
            RobotsPolicy("allow_all", "too_many_redirects"),
        ),
        (DNSLookupError("no such host"), RobotsPolicy("disallow_all", "unreachable")),
        (ConnectionRefusedError(), RobotsPolicy("disallow_all", "unreachable")),
        (TimeoutError(), RobotsPolicy("disallow_all", "unreachable")),
    ],
)
def test_policy_from_error(error: Exception, policy: RobotsPolicy) -> None:
    assert policy_from_error(error) == policy


def test_rules_past_500_kib_are_not_parsed() -> None:
    body = b"User-agent: *\n" + b"#" * MAX_ROBOTS_BYTES + b"\nDisallow: /late\n"
    assert policy_from_response(response(200, body)).allows("https://news.test/late", AGENT)


def test_crawl_delay_of_our_group() -> None:
    body = b"User-agent: *\nCrawl-delay: 3\n\nUser-agent: cleancrawl\nCrawl-delay: 7\n"
    assert policy_from_response(response(200, body)).crawl_delay(AGENT) == 7.0
    assert policy_from_response(response(200, b"User-agent: *\n")).crawl_delay(AGENT) is None

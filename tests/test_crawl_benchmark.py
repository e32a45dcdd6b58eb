"""benchmarks/crawl.py's floor: the bare spider, its command lines, and the profile's owners."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import http.client
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from benchmarks import crawl
from benchmarks.bare_spider import BareSpider
from benchmarks.crawl_profile import owner_shares, package_of


def test_floor_names_the_bare_spider_both_ways_and_the_real_one() -> None:
    assert crawl.variants("floor") == ["fetch", "bare", "bare-addon"]
    assert crawl.variants("pool,fetch") == ["fetch", "pool"]
    assert crawl.variants("floor,pool") == ["fetch", "pool", "bare", "bare-addon"]
    with pytest.raises(argparse.ArgumentTypeError, match="bogus"):
        crawl.variants("fetch,bogus")


@pytest.mark.parametrize(
    "argv",
    [
        ["--pages", "0"],
        ["--rounds", "0"],
        ["--workers", "-2"],
        ["--variants", "fetch,bogus"],
        ["--profile", "/dev/null/profiles"],
    ],
)
def test_a_bad_argument_exits_2_before_any_site_is_served(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_run(args: argparse.Namespace) -> None:
        raise AssertionError("the benchmark ran with a bad argument")

    monkeypatch.setattr(crawl, "throughput", no_run)
    monkeypatch.setattr(crawl, "memory", no_run)
    with pytest.raises(SystemExit) as exited:
        crawl.main(["--site", "links", *argv])
    assert exited.value.code == 2


def server(url: str = "http://127.0.0.1:8123") -> crawl.Server:
    process = multiprocessing.get_context("spawn").Process()
    return crawl.Server(process, url, "links", multiprocessing.get_context("spawn").Value("i", 0))


def test_the_bare_spider_is_given_what_the_links_crawl_fetches() -> None:
    urls = crawl.site_urls(server(), 3)
    assert urls[:5] == [
        "http://127.0.0.1:8123/",
        "http://127.0.0.1:8123/sitemap.xml",
        "http://127.0.0.1:8123/a/0.html",
        "http://127.0.0.1:8123/a/1.html",
        "http://127.0.0.1:8123/a/2.html",
    ]
    assert len(urls) == 2 + 3 + 3 * crawl.MISSING_PER_ARTICLE + crawl.TOPICS
    assert len(set(urls)) == len(urls)


def settings_of(command: list[str]) -> dict[str, str]:
    pairs = [command[k + 1] for k, part in enumerate(command) if part == "-s"]
    return dict(pair.split("=", 1) for pair in pairs)


def test_bare_runs_out_of_the_project_and_bare_addon_in_it(tmp_path: Path) -> None:
    command, cwd, stats = crawl.crawl_command("bare", server(), 3, tmp_path / "bare")
    assert command[1:4] == ["-m", "scrapy", "runspider"]
    assert not any((folder / "scrapy.cfg").exists() for folder in [cwd, *cwd.parents])
    assert (tmp_path / "bare" / "urls.txt").read_text().split() == crawl.site_urls(server(), 3)
    assert f"stats={stats}" in command
    command, cwd, _ = crawl.crawl_command("bare-addon", server(), 3, tmp_path / "addon")
    assert cwd == crawl.ROOT
    assert settings_of(command)["ITEM_PIPELINES"] == crawl.NO_PIPELINES


def test_a_variant_runs_on_the_loop_after_its_plus(tmp_path: Path) -> None:
    assert crawl.variants("pool+asyncio,fetch,pool,bare+uvloop,bare") == [
        "fetch",
        "pool",
        "pool+asyncio",
        "bare",
        "bare+uvloop",
    ]
    with pytest.raises(argparse.ArgumentTypeError, match=r"pool\+trio"):
        crawl.variants("pool+trio")
    command, _, _ = crawl.crawl_command("pool+asyncio", server(), 3, tmp_path / "a", workers=3)
    assert settings_of(command)["ASYNCIO_EVENT_LOOP"] == "asyncio.SelectorEventLoop"
    assert settings_of(command)["CLEANCRAWL_WORKERS"] == "3"
    command, _, _ = crawl.crawl_command("bare+uvloop", server(), 3, tmp_path / "u")
    assert settings_of(command)["ASYNCIO_EVENT_LOOP"] == "uvloop.Loop"
    assert command[1:4] == ["-m", "scrapy", "runspider"]
    # the real crawl on the project's loop, and Scrapy's floor with it, out of the project
    command, _, _ = crawl.crawl_command("pool", server(), 3, tmp_path / "p")
    assert "ASYNCIO_EVENT_LOOP" not in settings_of(command)
    command, _, _ = crawl.crawl_command("bare", server(), 3, tmp_path / "b")
    assert settings_of(command).get("ASYNCIO_EVENT_LOOP") == crawl.project_loop()


def test_the_pool_crawl_gets_the_workers_and_a_profile_its_extension(tmp_path: Path) -> None:
    command, _, _ = crawl.crawl_command("pool", server(), 3, tmp_path, workers=3)
    assert settings_of(command)["CLEANCRAWL_WORKERS"] == "3"
    command, _, _ = crawl.crawl_command("fetch", server(), 3, tmp_path, profile=tmp_path / "p")
    settings = settings_of(command)
    assert "CLEANCRAWL_WORKERS" not in settings
    assert json.loads(settings["EXTENSIONS"]) == {"benchmarks.crawl_profile.ProfileCrawl": 0}
    assert settings["BENCHMARK_PROFILE_FILE"] == str(tmp_path / "p")


def test_the_bare_spider_requests_its_urls_in_order_and_writes_its_stats(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\n")
    stats = tmp_path / "stats.json"
    crawler = get_crawler(BareSpider)
    spider = BareSpider.from_crawler(crawler, urls=str(urls), stats=str(stats))

    async def requests() -> list[Any]:
        return [request async for request in spider.start()]

    made = asyncio.run(requests())
    assert [r.url for r in made] == ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"]
    assert all(r.errback == spider.on_error for r in made)  # a 404 is not logged
    assert spider.custom_settings == {"CONCURRENT_ITEMS": 1}  # as the technews spider's
    assert crawler.stats is not None
    crawler.stats.open_spider()
    crawler.stats.set_value("response_received_count", 2)
    from datetime import UTC, datetime

    crawler.stats.set_value("start_time", datetime.now(UTC))
    spider.closed("finished")
    written = json.loads(stats.read_text())
    assert written["response_received_count"] == 2
    assert written["elapsed_time_seconds"] >= 0


def spend_in_stdlib() -> None:
    for k in range(20_000):
        json.dumps({"k": [k, str(k), {"x": k}]})


def test_the_stdlibs_time_is_charged_to_its_caller(tmp_path: Path) -> None:
    assert package_of("~") == "built-ins"
    assert package_of("/x/.venv/lib/python3.11/site-packages/scrapy/core/engine.py") == "scrapy"
    assert package_of(str(crawl.ROOT / "crawler" / "links.py")) == "crawler"
    assert package_of("/usr/lib/python3.11/json/encoder.py") == "stdlib"
    profile = cProfile.Profile()
    profile.runcall(spend_in_stdlib)
    path = tmp_path / "p.prof"
    profile.dump_stats(path)
    _, shares = owner_shares(path)
    owners = dict(shares)
    # json's own time (stdlib and its C encoder) is this test module's, which called it
    assert owners["tests"] > 0.9
    assert owners.get("stdlib", 0) + owners.get("built-ins", 0) < 0.1


SOURCES = [
    ("<html><head><title>One</title></head><body><p>First.</p></body></html>", "https://x.test/1"),
    ("<html><body><p>Second, no head.</p></body></html>", "https://y.test/2"),
]


@pytest.mark.parametrize("site", crawl.SITES)
def test_the_site_is_served_on_one_kept_alive_connection(site: str) -> None:
    """Every path the crawls ask for, over one HTTP/1.1 connection as Scrapy keeps it: the
    articles as ``article_html`` makes them (the capacity cleans those), the rest of the site,
    404s for the rest, and only the articles counted."""
    served = multiprocessing.get_context("spawn").Value("i", 0)
    with crawl.serving_in_thread(
        [("127.0.0.1", lambda origin: crawl.SitePages(3, site, SOURCES, origin))], served
    ) as (origin,):
        check_site(site, origin, served)


def check_site(site: str, origin: str, served: Any) -> None:
    """The assertions of the test above, against the site served at ``origin``."""
    connection = http.client.HTTPConnection(origin.removeprefix("http://"), timeout=10)

    def get(path: str) -> tuple[int, str, bytes]:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()

    try:
        for i in range(3):
            status, kind, body = get(f"/a/{i}.html")
            assert (status, kind) == (200, "text/html; charset=utf-8")
            assert body.decode() == crawl.article_html(i, 3, site, SOURCES, origin)
        assert get("/a/3.html")[0] == 404  # past the site's articles
        assert get("/a/1.html?utm=x")[0] == 200
        if site == "links":
            status, kind, body = get("/sitemap.xml")
            assert (status, kind, body) == (200, "application/xml", crawl.sitemap_xml(3, origin))
            assert get("/topic/4/")[2] == crawl.topic_html(4, 3, origin)
            assert get(f"/topic/{crawl.TOPICS}/")[0] == 404
            assert get("/list/0.html")[0] == 404
        else:
            assert b'href="/a/2.html"' in get("/list/0.html")[2]
        assert b"<ul>" in get("/")[2]
        assert get("/missing/1.html") == (404, "text/html; charset=utf-8", b"not found")
        assert served.value == 4
    finally:
        connection.close()

"""End to end: one crawl over the hostile site; every page is written or dropped by name.

The crawl runs as in production, private hosts refused, with one difference: names are
resolved by tests/fake_dns.py, where hostile.test and its subdomains stand for public hosts
on 127.0.0.1, and rebind., intranet. and nxdomain. answer as an attacker's DNS would.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pytest

from tests.conftest import CrawlRun, norm, run_scrapy_crawl
from tests.hostile_site import (
    DOMAIN,
    FLOOD_URLS,
    HOSTILE,
    SITEMAPS,
    STALL_SECONDS,
    HostileServer,
)

DOWNLOAD_TIMEOUT = 3
RETRY_TIMES = 1
assert DOWNLOAD_TIMEOUT < STALL_SECONDS
MAPS_MAX_PAGES = 10  # pages the "maps" site may fetch from its sitemaps

LINKED = {path: case for path, case in HOSTILE.items() if case.outcome}
WRITTEN = sorted(path for path, case in LINKED.items() if case.outcome == "written")
PUBLIC = "127.0.0.1"  # the test server, public for the fake DNS
FAKE_DNS = {
    DOMAIN: [[PUBLIC]],
    f"maps.{DOMAIN}": [[PUBLIC]],
    f"bigrobots.{DOMAIN}": [[PUBLIC]],
    # DNS rebinding: public to the first lookup, private (nothing listens there) after
    f"rebind.{DOMAIN}": [[PUBLIC], ["127.0.0.2"]],
    f"intranet.{DOMAIN}": [["127.0.0.3"]],
    f"nxdomain.{DOMAIN}": [None],
}


def host(path: str) -> str:
    case = HOSTILE[path]
    return f"{case.host}.{DOMAIN}" if case.host else DOMAIN


@pytest.fixture(scope="module")
def server() -> Any:
    with HostileServer() as running:
        yield running


def run_crawl(tmp: Path, sites: str, **settings: str) -> CrawlRun:
    path = tmp / "sites.toml"
    path.write_text(sites, encoding="utf-8")
    return run_scrapy_crawl(
        tmp,
        "-a",
        f"sites={path}",
        settings={
            # private hosts refused, as by default; the fake DNS stands in for the network
            "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "False",
            "TWISTED_DNS_RESOLVER": "tests.fake_dns.FakeDnsResolver",
            "FAKE_DNS": json.dumps(FAKE_DNS),
            "FAKE_DNS_PUBLIC": json.dumps([PUBLIC]),
            **settings,
        },
    )


@pytest.fixture(scope="module")
def crawl(server: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    sites = f"""
[[site]]
name = "hostile"
start_urls = ["http://{DOMAIN}:{server.port}/"]
"""
    return run_crawl(
        tmp_path_factory.mktemp("hostile"),
        sites,
        DOWNLOAD_TIMEOUT=str(DOWNLOAD_TIMEOUT),
        RETRY_TIMES=str(RETRY_TIMES),
        # CJK text has few \w+ runs: the pages are short by that count, not empty
        CLEANCRAWL_MIN_WORDS="10",
        # the pages share a footer; template cutting is tested elsewhere
        CLEANCRAWL_TEMPLATES_ENABLED="False",
        # the same text in several encodings is the point here: write each copy
        CLEANCRAWL_DUPLICATES="mark",
    )


@pytest.fixture(scope="module")
def maps_crawl(server: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """The hostile sitemaps, in a crawl of their own: reading 100,000 entries holds the
    reactor for seconds, which would time out the 3-second downloads of the other crawl."""
    maps = [f"http://maps.{DOMAIN}:{server.port}{path}" for path in SITEMAPS]
    sites = f"""
[[site]]
name = "maps"
sitemap_urls = {json.dumps(maps)}
max_pages = {MAPS_MAX_PAGES}
max_depth = 0
robots_sitemaps = false
"""
    return run_crawl(tmp_path_factory.mktemp("maps"), sites)


@pytest.fixture(scope="module")
def rows(crawl: CrawlRun) -> dict[str, dict[str, Any]]:
    table = ds.dataset(crawl.output).to_table(columns=["url", "text", "http_status"])
    return {urlsplit(row["url"]).path: row for row in table.to_pylist()}


def dropped(crawl: CrawlRun) -> dict[str, int]:
    return {
        key.removeprefix("cleaning/dropped/"): value
        for key, value in crawl.stats.items()
        if key.startswith("cleaning/dropped/")
    }


def test_the_crawl_goes_on_to_the_end(crawl: CrawlRun) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"
    assert "Traceback" not in crawl.log
    assert "Deprecat" not in crawl.log


def test_exactly_the_expected_pages_are_written(rows: dict[str, Any]) -> None:
    assert sorted(rows) == WRITTEN


@pytest.mark.parametrize("path", WRITTEN)
def test_written_text_is_correct_unicode(rows: dict[str, Any], path: str) -> None:
    text = norm(rows[path]["text"])
    for word in HOSTILE[path].words:
        assert word in text
    assert "\ufffd" not in text and "\x00" not in text
    assert "Ã" not in text and "Ð" not in text  # no UTF-8 read as Latin-1 or cp1251


def test_every_other_page_is_counted_under_its_reason(crawl: CrawlRun) -> None:
    expected = Counter(case.outcome for case in LINKED.values() if case.outcome != "written")
    expected["page_type_listing"] += 1  # the index page
    assert dropped(crawl) == dict(expected)
    pages = crawl.stats["technews/pages_queued"]
    assert pages == len(LINKED) + 1
    assert crawl.stats["cleaning/kept"] + sum(dropped(crawl).values()) == pages  # nothing lost


def test_every_fetched_url_is_accounted_in_the_access_log(
    crawl: CrawlRun, server: HostileServer
) -> None:
    hops = {path for path, case in HOSTILE.items() if not case.outcome}  # redirect targets
    fetched = {
        (name, path)
        for name, path in server.hosts
        if path != "/robots.txt" and not path.startswith("/maps/") and path not in hops
    }
    sent = {(host(path), path) for path, case in LINKED.items() if case.fetched}
    assert fetched == {(DOMAIN, "/"), *sent}
    never_sent = [path for path, case in LINKED.items() if not case.fetched]
    # written + dropped = fetched, and the pages refused before any request was sent
    written_and_dropped = crawl.stats["cleaning/kept"] + sum(dropped(crawl).values())
    assert written_and_dropped == len(fetched) + len(never_sent)


def test_sitemaps_stop_within_their_limits(maps_crawl: CrawlRun, server: HostileServer) -> None:
    assert maps_crawl.returncode == 0, maps_crawl.log[-3000:]
    assert "Traceback" not in maps_crawl.log
    assert all(server.hosts[f"maps.{DOMAIN}", path] == 1 for path in SITEMAPS)
    assert maps_crawl.stats["technews/xml/sitemap"] == 3  # billion laughs, XXE, flood
    assert maps_crawl.stats["technews/xml/failed/too_large"] == 1  # the .xml.gz bomb
    assert "technews/xml/unreadable" not in maps_crawl.stats
    # 100,000 entries (and one of each entity sitemap): no more than max_pages fetched, the
    # others refused (or not read, where a limit on entries per sitemap stops earlier)
    refused = maps_crawl.stats["technews/max_pages_reached/maps"]
    assert 0 < refused <= FLOOD_URLS + 2 - MAPS_MAX_PAGES
    pages = [
        path for name, path in server.hosts if path.startswith("/maps/") and path not in SITEMAPS
    ]
    assert len(pages) == MAPS_MAX_PAGES
    # none is on the server: each is counted as http_404, and nothing else is left out
    assert dropped(maps_crawl) == {"http_404": MAPS_MAX_PAGES}
    assert maps_crawl.stats["technews/pages_queued"] == MAPS_MAX_PAGES


def test_xml_entities_are_not_expanded(maps_crawl: CrawlRun, server: HostileServer) -> None:
    assert maps_crawl.returncode == 0
    paths = [path for _, path in server.hosts]
    assert not any("lollol" in path or "root:" in path for path in paths)


def test_names_are_checked_where_the_connection_is_made(
    crawl: CrawlRun, server: HostileServer
) -> None:
    # the rebinding name was resolved once: the page came from the address that was checked
    assert server.hosts[f"rebind.{DOMAIN}", "/dns/rebind"] == 1
    assert not any(name.startswith(("intranet.", "nxdomain.")) for name, _ in server.hosts)
    assert "intranet.hostile.test resolves to 127.0.0.3, which is not a public address" in (
        crawl.log
    )
    assert server.requests["/redirect/private"] == 1 and "/admin" not in server.requests
    assert server.requests["/redirect/offsite"] == 1 and "/page" not in server.requests
    assert crawl.stats["offsite/filtered"] == 1


def test_a_huge_robots_txt_does_not_hold_the_crawl(crawl: CrawlRun, server: HostileServer) -> None:
    assert server.hosts[f"bigrobots.{DOMAIN}", "/robots.txt"] >= 1
    assert server.hosts[f"bigrobots.{DOMAIN}", "/robots/huge"] == 1


def test_server_errors_are_retried_then_counted(crawl: CrawlRun, server: HostileServer) -> None:
    assert server.requests["/unavailable"] == 1 + RETRY_TIMES
    assert server.requests["/error-500"] == 1 + RETRY_TIMES
    assert server.requests["/missing"] == 1  # a 404 is not retried
    assert crawl.stats["retry/reason_count/503 Service Unavailable"] == RETRY_TIMES


def test_limits_stop_downloads_early(crawl: CrawlRun, server: HostileServer) -> None:
    assert server.requests["/huge-declared"] == 1  # refused on its Content-Length
    assert server.requests["/stall"] == 1 + RETRY_TIMES  # time-outs are retried
    assert server.requests["/chain/20"] == 1 and "/chain/21" not in server.requests
    assert server.requests["/private/secret"] == 0  # robots.txt


def test_readme_table_lists_every_case(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    for path in LINKED:
        assert f"`{path}`" in readme, path
    for path in SITEMAPS:
        assert f"`{path}`" in readme, path

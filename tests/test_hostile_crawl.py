"""End to end: one crawl over the hostile site; every page is written or dropped by name."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pytest

from tests.conftest import CrawlRun, norm, run_scrapy_crawl
from tests.hostile_site import HOSTILE, STALL_SECONDS, HostileServer

DOWNLOAD_TIMEOUT = 3
RETRY_TIMES = 1
assert DOWNLOAD_TIMEOUT < STALL_SECONDS

LINKED = {path: case for path, case in HOSTILE.items() if case.outcome}
WRITTEN = sorted(path for path, case in LINKED.items() if case.outcome == "written")


@pytest.fixture(scope="module")
def server() -> Any:
    with HostileServer() as running:
        yield running


@pytest.fixture(scope="module")
def crawl(server: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    return run_scrapy_crawl(
        tmp_path_factory.mktemp("hostile"),
        "-a",
        f"url={server.url}/",
        settings={
            "DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT),
            "RETRY_TIMES": str(RETRY_TIMES),
            # CJK text has few \w+ runs: the pages are short by that count, not empty
            "CLEANCRAWL_MIN_WORDS": "10",
            # the pages share a footer; template cutting is tested elsewhere
            "CLEANCRAWL_TEMPLATES_ENABLED": "False",
            # the same text in several encodings is the point here: write each copy
            "CLEANCRAWL_DUPLICATES": "mark",
        },
    )


@pytest.fixture(scope="module")
def rows(crawl: CrawlRun) -> dict[str, dict[str, Any]]:
    table = ds.dataset(crawl.output).to_table(columns=["url", "text", "http_status"])
    return {urlsplit(row["url"]).path: row for row in table.to_pylist()}


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
    assert "\ufffd" not in text
    assert "Ã" not in text and "Ð" not in text  # no UTF-8 read as Latin-1 or cp1251


def test_every_other_page_is_counted_under_its_reason(crawl: CrawlRun) -> None:
    expected = Counter(case.outcome for case in LINKED.values() if case.outcome != "written")
    expected["not_article"] += 1  # the index page
    dropped = {
        key.removeprefix("cleaning/dropped/"): value
        for key, value in crawl.stats.items()
        if key.startswith("cleaning/dropped/")
    }
    assert dropped == dict(expected)
    pages = crawl.stats["technews/pages_queued"]
    assert pages == len(LINKED) + 1
    assert crawl.stats["cleaning/kept"] + sum(dropped.values()) == pages  # nothing lost


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

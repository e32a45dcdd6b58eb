"""The crawl state of a distributed crawl in Redis: what two workers share, atomically."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from datasketch import LeanMinHash
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from cleaning.neardup import NearDuplicateIndex, NearDuplicateOptions, text_signature
from cleaning.templates import SiteTemplates, distinct_line_keys, page_keys
from crawler.cluster import Cluster
from crawler.crawl_stats import (
    add_stats,
    crawls,
    merged_stats,
    note_started,
    save_snapshot,
)
from crawler.incremental import DuplicatePipeline
from crawler.items import ArticleItem
from crawler.pipelines import TemplatePipeline
from crawler.shared_state import RedisState
from crawler.state import PageEntry, StateStore
from tests.test_incremental import story
from tests.test_writer import row

NAMESPACE = "cleancrawl:technews:0123456789abcdef"


def worker(url: str, name: str, crawl_id: str = "c1") -> Cluster:
    """A worker of crawl ``crawl_id``, with a connection of its own."""
    import redis

    return Cluster(redis.Redis.from_url(url), NAMESPACE, crawl_id, name)


@pytest.fixture
def two(redis_url: str) -> Iterator[tuple[RedisState, RedisState]]:
    a, b = worker(redis_url, "w001"), worker(redis_url, "w002")
    yield RedisState(a), RedisState(b)
    a.client.close()
    b.client.close()


def test_a_text_is_claimed_by_one_url_whatever_the_worker(
    two: tuple[RedisState, RedisState],
) -> None:
    a, b = two
    assert a.claim_text("h1", "https://a.test/1") == "https://a.test/1"
    assert b.claim_text("h1", "https://a.test/copy") == "https://a.test/1"
    # the same URL again (fetched again after its worker died) is not a copy of itself
    assert b.claim_text("h1", "https://a.test/1") == "https://a.test/1"


def test_claims_racing_from_many_connections_have_one_winner(redis_url: str) -> None:
    states = [RedisState(worker(redis_url, f"w{n:03d}")) for n in range(8)]
    answers: list[str] = []
    start = threading.Barrier(len(states))

    def claim(state: RedisState, n: int) -> None:
        start.wait()
        answers.append(state.claim_text("same-text", f"https://a.test/{n}"))

    threads = [threading.Thread(target=claim, args=(s, n)) for n, s in enumerate(states)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1  # every worker agrees on the first URL
    assert answers[0] in {f"https://a.test/{n}" for n in range(8)}


def test_claims_are_per_crawl_history_is_kept(redis_url: str) -> None:
    first = RedisState(worker(redis_url, "w001", crawl_id="c1"))
    first.claim_text("h1", "https://a.test/1")
    rows = [("https://a.test/1", "h1", "2026-01-01T00:00:00+00:00", '"e1"', None, "2026-01-01")]
    first.save_pages(rows)
    later = RedisState(worker(redis_url, "w001", crawl_id="c2"))
    # a new crawl: no claims yet, but the history says who wrote the text
    assert later.claim_text("h1", "https://a.test/copy") == "https://a.test/copy"
    assert later.url_of_text("h1") == "https://a.test/1"
    assert later.page("https://a.test/1") == PageEntry(
        "h1", "2026-01-01T00:00:00+00:00", '"e1"', None, "2026-01-01"
    )
    assert later.page("https://a.test/2") is None


def test_history_round_trips_like_the_sqlite_store(
    two: tuple[RedisState, RedisState], tmp_path: Path
) -> None:
    a, b = two
    rows = [
        ("https://a.test/1", "h1", "2026-01-01T00:00:00+00:00", '"e1"', "Mon", "2026-01-01"),
        ("https://a.test/2", "h2", "2026-01-02T00:00:00+00:00", None, None, None),
    ]
    sqlite = StateStore(tmp_path / "state")
    for store in (a, sqlite):
        store.save_pages(rows)
    for url, digest, when, etag, modified, lastmod in rows:
        assert b.page(url) == sqlite.page(url) == PageEntry(digest, when, etag, modified, lastmod)
        assert b.url_of_text(digest) == sqlite.url_of_text(digest) == url


TOWNS = "Alford Barton Carlow Dunmore Enfield Fenton Garth Hexham Ilford Jarrow Kelso Leek"


def page_text(n: int, shared: str = "Subscribe to our newsletter.") -> str:
    town = TOWNS.split()[n]  # digits fold alike in line keys: names tell pages apart
    return f"The council of {town} met.\n{shared}\nMore on {town}."


def count(state: RedisState, url: str, text: str) -> bool:
    return state.count_template_page(
        "a.test", page_keys("a.test", url, text), distinct_line_keys(text)
    )


def test_template_counts_add_up_across_workers_a_page_once(
    two: tuple[RedisState, RedisState],
) -> None:
    a, b = two
    assert count(a, "https://a.test/1", page_text(1))
    assert count(b, "https://a.test/2", page_text(2))
    # the same page again (another worker, or fetched again): not counted twice
    assert not count(b, "https://a.test/1", page_text(1))
    # the same text under another URL: one page, not evidence of a template
    assert not count(a, "https://a.test/1-copy", page_text(1))
    templates = SiteTemplates()
    templates.load(a.template_rows())
    assert templates.pages("a.test") == 2
    assert not templates.is_template("a.test", "Subscribe to our newsletter.")  # 2 < 3 pages
    assert count(b, "https://a.test/3", page_text(3))
    warm = SiteTemplates()
    warm.load(b.template_rows())
    assert warm.pages("a.test") == 3
    assert warm.is_template("a.test", "Subscribe to our newsletter.")
    assert not warm.is_template("a.test", "More on Dunmore.")


def test_a_domain_template_is_decided_once_for_the_crawl(
    two: tuple[RedisState, RedisState],
) -> None:
    a, b = two
    assert b.template_decision("a.test", None) is None  # nobody decided yet
    assert a.template_decision("a.test", frozenset({1, 2})) == frozenset({1, 2})
    # a later proposal loses: every worker cuts the same lines
    assert b.template_decision("a.test", frozenset({3})) == frozenset({1, 2})
    assert b.template_decision("a.test", None) == frozenset({1, 2})


def test_template_counts_are_kept_within_their_limit(redis_url: str) -> None:
    state = RedisState(worker(redis_url, "w001"))
    for n in range(12):
        count(state, f"https://a.test/{n}", page_text(n))
    templates = SiteTemplates()
    templates.options = type(templates.options)(max_lines_per_domain=6)
    templates.load(state.template_rows())
    state.save_templates(templates, [])
    kept = dict(((key, pages) for _, key, pages in state.template_rows()))
    assert kept[0] == 12  # the page count stays
    assert len(kept) == 1 + 3  # half the limit, the most common lines first
    assert max(kept.values()) == 12


def signature(text: str) -> LeanMinHash:
    made = text_signature(text, NearDuplicateOptions())
    assert made is not None
    return made


def syndicated(town: str) -> str:
    """``town``'s story with one word changed and a credit line (as tests/test_incremental)."""
    paragraphs = story(town)
    paragraphs[1] = paragraphs[1].replace(" the ", " this ", 1)
    return "\n".join([*paragraphs, "Originally published by the Town Gazette."])


def test_a_near_duplicate_is_found_from_another_worker(
    two: tuple[RedisState, RedisState],
) -> None:
    options = NearDuplicateOptions()
    a, b = (state.near_duplicate_index(options, earlier_runs=True) for state in two)
    original, other = signature("\n".join(story("Alford"))), signature("\n".join(story("Barton")))
    copy = signature(syndicated("Alford"))
    a.add("https://a.test/alford", original)
    a.add("https://a.test/barton", other)
    assert len(b) == 2
    match = b.find(copy, exclude="https://b.test/copy")
    assert match is not None and match[0] == "https://a.test/alford"
    # the same answer as the in-memory index
    memory = NearDuplicateIndex(options)
    memory.add("https://a.test/alford", original)
    memory.add("https://a.test/barton", other)
    assert memory.find(copy) == match
    # a URL's own earlier version is not its near duplicate
    assert b.find(original, exclude="https://a.test/alford") is None
    # a changed text replaces its URL's: the old one is found no more
    b.add("https://a.test/alford", other)
    assert len(a) == 2
    assert a.find(copy) is None


def test_recrawl_all_looks_in_this_crawl_only_and_still_feeds_the_shared_index(
    two: tuple[RedisState, RedisState],
) -> None:
    options = NearDuplicateOptions()
    a, b = two
    text = signature("\n".join(story("Carlow")))
    a.near_duplicate_index(options, earlier_runs=True).add("https://a.test/earlier", text)
    fresh = b.near_duplicate_index(options, earlier_runs=False)
    assert fresh.find(text) is None  # an earlier crawl's text does not count
    fresh.add("https://a.test/now", text)
    assert fresh.find(text, exclude="https://x.test/") == ("https://a.test/now", 1.0)
    shared = a.near_duplicate_index(options, earlier_runs=True)
    assert len(shared) == 2


def test_stats_of_the_workers_merge_into_one(redis_url: str) -> None:
    started = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    one, two = worker(redis_url, "w001"), worker(redis_url, "w002")
    base: dict[str, Any] = {"item_scraped_count": 5, "cleaning/dropped/too_short": 1}
    for cluster in (one, two):
        note_started(cluster)
    add_stats(
        one,
        {
            **base,
            "start_time": started,
            "finish_time": started.replace(minute=5),
            "finish_reason": "finished",
            "elapsed_time_seconds": 300.0,
            "memusage/max": 100,
        },
    )
    merged = merged_stats(one.client, one.key())
    assert merged["cleancrawl/workers"] == 1
    assert merged["cleancrawl/workers_started"] == 2
    add_stats(
        two,
        {
            **base,
            "start_time": started.replace(minute=1),
            "finish_time": started.replace(minute=7),
            "finish_reason": "shutdown",
            "elapsed_time_seconds": 360.0,
            "memusage/max": 80,
        },
    )
    merged = merged_stats(two.client, two.key())
    assert merged["item_scraped_count"] == 10
    assert merged["cleaning/dropped/too_short"] == 2
    assert merged["memusage/max"] == 100
    assert merged["finish_reason"] == "shutdown"
    assert merged["start_time"] == started.isoformat()
    assert merged["elapsed_time_seconds"] == 420.0  # first start to last finish
    assert merged["cleancrawl/workers"] == 2
    assert crawls(one.client) == [one.key()]
    assert crawls(one.client, "other") == []


def templating(state: RedisState) -> TemplatePipeline:
    stats = get_crawler().stats
    assert stats is not None
    return TemplatePipeline(
        SiteTemplates(), stats, hold_pages=3, hold_seconds=30, min_words=None, store=state
    )


def test_every_worker_cuts_the_template_the_first_one_decided(
    two: tuple[RedisState, RedisState],
) -> None:
    first, second = templating(two[0]), templating(two[1])
    for n in range(3):  # three pages on the first worker: the shared line is template
        first.count("a.test", f"https://a.test/{n}", page_text(n))
    first._release("a.test")
    assert first.templates.template("a.test")
    # the second worker counted one page of its own: its counts alone decide nothing,
    # but it takes the crawl's decision, so the same page loses the same lines
    second.count("a.test", "https://a.test/3", page_text(3))
    cut = second.cut(article("https://a.test/3", page_text(3)))
    assert "Subscribe to our newsletter." not in cut.text
    assert cut.text == first.cut(article("https://a.test/3", page_text(3))).text


def article(url: str, text: str) -> ArticleItem:
    fields = {k: v for k, v in row(1).items() if k in ArticleItem.__dataclass_fields__}
    return ArticleItem(**{**fields, "url": url, "text": text, "domain": "a.test"})


def test_two_workers_write_one_text_once(two: tuple[RedisState, RedisState]) -> None:
    stats = get_crawler().stats
    assert stats is not None
    a, b = (DuplicatePipeline(stats, None, mark=False, claims=state) for state in two)
    text = "One story, syndicated."
    assert a.process_item(article("https://a.test/story", text)).url == "https://a.test/story"
    with pytest.raises(DropItem, match="duplicate_text"):
        b.process_item(article("https://b.test/copy", text))
    # the same URL on the other worker (fetched twice, or again after a worker died)
    assert b.process_item(article("https://a.test/story", text)).url == "https://a.test/story"


def test_a_run_that_never_ends_counts_by_its_latest_snapshot(redis_url: str) -> None:
    """A killed worker's share of the merged stats is its latest snapshot; a run that ends
    replaces its snapshot with its final stats, so nothing is counted twice."""
    import time

    one, two = worker(redis_url, "w001", "c2"), worker(redis_url, "w002", "c2")
    for cluster in (one, two):
        note_started(cluster)
    save_snapshot(one, "w001 a 1", {"item_scraped_count": 3, "cleaning/dropped/x": 1}, 60_000)
    save_snapshot(one, "w001 a 1", {"item_scraped_count": 4, "cleaning/dropped/x": 2}, 60_000)
    save_snapshot(two, "w002 b 2", {"item_scraped_count": 7, "memusage/max": 9}, 50)
    time.sleep(0.1)  # w002's snapshot is stale: a killed run
    merged = merged_stats(one.client, one.key())
    assert merged["item_scraped_count"] == 11  # the latest of each run, summed
    assert merged["cleaning/dropped/x"] == 2
    assert merged["memusage/max"] == 9
    assert merged["cleancrawl/runs_killed"] == 1
    assert merged["cleancrawl/workers_killed"] == 1
    assert merged["cleancrawl/workers"] == 0
    assert crawls(one.client, "c2") == [one.key()]  # listed with no worker ended
    final = {"item_scraped_count": 5, "cleaning/dropped/x": 2}
    add_stats(one, final, "w001 a 1")  # the final stats replace the snapshot
    save_snapshot(one, "w001 a 1", {"item_scraped_count": 4}, 60_000)  # too late: ignored
    merged = merged_stats(one.client, one.key())
    assert merged["item_scraped_count"] == 12
    assert merged["cleaning/dropped/x"] == 2
    assert merged["cleancrawl/workers"] == 1
    assert merged["cleancrawl/runs_killed"] == 1


def test_a_run_with_rates_of_none_does_not_break_the_next_runs_merge(redis_url: str) -> None:
    """A worker that ends within a second has Scrapy's ``items_per_minute`` of None, and a
    counter may be an integer in one run and a float in another: the next run's final stats
    still all count (the script used to fail half way, its rows never added)."""
    quick, busy = worker(redis_url, "w001", "c3"), worker(redis_url, "alpha", "c3")
    add_stats(
        quick,
        {"items_per_minute": None, "parquet/rows_written": 0, "some/seconds": 2},
        "w001 a 1",
    )
    add_stats(
        busy,
        {"items_per_minute": 48.0, "parquet/rows_written": 4, "some/seconds": 1.5},
        "alpha b 2",
    )
    merged = merged_stats(quick.client, quick.key())
    assert merged["parquet/rows_written"] == 4
    assert merged["items_per_minute"] == 48.0
    assert merged["some/seconds"] == 3.5
    assert merged["cleancrawl/workers"] == 2

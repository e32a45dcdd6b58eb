"""``cleancrawl clean`` hands its workers several pages a task: each page still gets its
own outcome, and the rows are those of a page a task."""

from __future__ import annotations

import gc
import multiprocessing
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow.dataset as ds
import pytest

from cleaning.options import CleaningOptions
from cleaning.worker import clean_pages, clean_payload_in_worker, start_worker
from crawler import reclean
from crawler.items import PageItem
from crawler.reclean import CleanJob, _Cleaner, _Page, clean_settings, run_clean
from tests.failing_pages import CRASH, HANG, SLOW, clean_or_fail, clean_pages_in_child
from tests.warc_site import common_crawl_warc

if TYPE_CHECKING:
    from pathlib import Path

    from cleaning import CleanResult

TIMEOUT = 1.5  # seconds: well above a small page's cleaning on a loaded machine


def _html(n: int) -> bytes:
    # letters, not digits: the site templates fold digits, and would cut every line
    own = "".join(chr(ord("a") + int(digit)) for digit in str(n))
    words = " ".join(f"{own} plain sentence {own} {m}." for m in range(60))
    return f"<html><body><article><h1>Page {n}</h1><p>{words}</p></article></body></html>".encode()


def _page(url: str, n: int) -> _Page:
    fetched = datetime(2026, 1, 1, tzinfo=UTC)
    item = PageItem(
        url=url, html="", http_status=200, site="a.test", fetched_at=fetched, source="warc"
    )
    return _Page(item, "clean", (_html(n), "text/html; charset=utf-8"))


class _FailingCleaner(_Cleaner):
    clean_payload = staticmethod(clean_or_fail)


@pytest.mark.slow
def test_a_page_that_hangs_outlasts_or_crashes_is_the_only_one_of_its_task_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # three tasks of four pages: one hangs and one outlasts the time-out (each ends its
    # worker by the alarm), one kills its worker; their other pages are cleaned as if each
    # had a task of its own
    monkeypatch.setattr(reclean, "PAGES_A_TASK", 4)
    paths = ["/0", HANG, "/2", "/3", "/4", CRASH, "/6", "/7", "/8", SLOW, "/10", "/11"]
    pages = [_page(f"https://a.test{path}", n) for n, path in enumerate(paths)]
    cleaner = _FailingCleaner(CleaningOptions(), {}, workers=2, timeout=TIMEOUT)
    try:
        pending = [cleaner.submit(page) for page in pages]
        results = [cleaner.result(p, page.item.url) for p, page in zip(pending, pages, strict=True)]
    finally:
        cleaner.close()
    outcomes = {
        page.item.url.removeprefix("https://a.test"): r.drop_reason
        for page, r in zip(pages, results, strict=True)
    }
    assert outcomes == {
        **{path: None for path in paths},
        HANG: "timeout",
        CRASH: "worker_crashed",
        SLOW: "timeout",
    }
    start_worker(CleaningOptions(), {})  # the same results as cleaned here, page by page
    for page, result in zip(pages, results, strict=True):
        if result.kept:
            assert result == _signed_here(page)
            assert result.url == page.item.url


def _signed_here(page: _Page) -> CleanResult:
    cleaner = _Cleaner(CleaningOptions(), {}, workers=0, timeout=None)
    return cleaner.task(page.payload, page.item.url, page.item.site)


def test_a_page_over_the_time_out_in_a_task_is_timed_out_and_the_others_kept() -> None:
    """The worker's side, in this process: each page timed on its own."""
    start_worker(CleaningOptions(), {})
    args = [((_html(n), "text/html"), f"https://a.test/{n}", "a.test") for n in range(2)]
    results = clean_pages(clean_payload_in_worker, 30.0, args)
    assert [r.drop_reason for r in results] == [None, None]
    assert results == [clean_payload_in_worker(*each) for each in args]
    assert [r.drop_reason for r in clean_pages(clean_payload_in_worker, 0.0, args)] == [
        "timeout",
        "timeout",
    ]


def test_a_worker_ends_itself_at_a_page_s_time_out_not_at_its_task_s() -> None:
    """A page that hangs in a worker ends the worker at the page's time-out (its task then
    fails at once and is handed over again a page a task), not at the task's own time-out
    (PAGES_A_TASK times as long): without the alarm the process below never ends."""
    context = multiprocessing.get_context("spawn")
    args = [
        ((_html(n), "text/html"), f"https://a.test{path}", "a.test")
        for n, path in ((0, "/0"), (1, HANG))
    ]
    process = context.Process(target=clean_pages_in_child, args=(0.5, args))
    process.start()
    process.join(60)
    if process.is_alive():
        process.kill()
        process.join()
        pytest.fail("the worker went on past its page's time-out")
    assert process.exitcode == 1


def _frozen_after_start(queue: multiprocessing.Queue[int]) -> None:
    start_worker(CleaningOptions(), {})
    queue.put(gc.get_freeze_count())


def test_a_worker_leaves_what_it_loaded_out_of_the_collectors_full_passes() -> None:
    # in a worker process only: the process that cleans for itself (here) is left as it is
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[int] = context.Queue()
    process = context.Process(target=_frozen_after_start, args=(queue,))
    process.start()
    frozen = queue.get(timeout=60)
    process.join(60)
    assert frozen > 10_000
    before = gc.get_freeze_count()
    start_worker(CleaningOptions(), {})
    assert gc.get_freeze_count() == before


def _warc(path: Path, first: int, count: int) -> Path:
    records: list[dict[str, object]] = []
    for n in range(first, first + count):
        body = _html(n)
        if n % 5 == 3:
            body = _html(n - 1)  # the same text as the page before: a duplicate
        if n % 7 == 4:
            body = b"<html><body><p>Too short.</p></body></html>"
        records.append(
            {
                "type": "response",
                "url": f"https://news.test/{n}",
                "headers": [("Content-Type", "text/html")],
                "body": body,
                "status": 404 if n % 9 == 8 else 200,
            }
        )
    common_crawl_warc(path, records)
    return path


@pytest.mark.parametrize("templates", ["true", "false"])
def test_rows_are_those_of_a_page_a_task_and_of_no_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, templates: str
) -> None:
    # two inputs of pages a task does not divide: the last task of each is cut short
    inputs = (_warc(tmp_path / "a.warc.gz", 0, 11), _warc(tmp_path / "b.warc.gz", 11, 6))
    rows = {}
    for name, workers, per_task in (("none", 0, 4), ("one", 2, 1), ("four", 2, 4), ("eight", 2, 8)):
        monkeypatch.setattr(reclean, "PAGES_A_TASK", per_task)
        output = tmp_path / name
        overrides = {"CLEANCRAWL_TEMPLATES_ENABLED": templates}
        settings = clean_settings(overrides, output)
        job = CleanJob(inputs=inputs, output=output, settings=settings, workers=workers)
        assert run_clean(job) == 0
        table = ds.dataset(output).to_table().drop_columns(["crawl_id"]).to_pylist()
        rows[name] = sorted(table, key=lambda row: row["id"])
    assert len(rows["four"]) >= 8
    assert rows["eight"] == rows["four"] == rows["one"] == rows["none"]

"""Cleaning in worker processes: same rows as in-process, and a page that hangs is dropped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pyarrow.dataset as ds
import pytest

from crawler.sample_server import SiteServer
from tests.conftest import run_scrapy_crawl
from tests.hanging_worker import HANG_PATH

if TYPE_CHECKING:
    from pathlib import Path

PARAGRAPH = (
    "Researchers in Besançon published a study of {topic} on Monday, and the makers of "
    "{topic} say the results will change how the next generation is built and sold."
)
ARTICLE = """<html><head><title>{title}</title>
<meta property="og:type" content="article"></head>
<body><article><h1>{title}</h1>{body}</article></body></html>"""
TOPICS = ["batteries", "chips", "phones", "routers"]


# the worker cleaning HANG_PATH never returns: the time-out is the only way out of it, on a
# fast machine or a loaded one alike
HANGING_CLEANER = json.dumps(
    {
        "crawler.pipelines.CleaningPipeline": None,
        "tests.hanging_worker.HangingCleaningPipeline": 300,
    }
)


def build_site(root: Path) -> None:
    """Four articles, and a fifth at HANG_PATH."""
    links = []
    for topic in [*TOPICS, HANG_PATH.strip("/")]:
        body = "".join(f"<p>{PARAGRAPH.format(topic=topic)} ({n})</p>" for n in range(6))
        folder = root / topic
        folder.mkdir(parents=True)
        html = ARTICLE.format(title=f"News about {topic}", body=body)
        (folder / "index.html").write_text(html, encoding="utf-8")
        links.append(f'<li><a href="/{topic}/">{topic}</a></li>')
    (root / "index.html").write_text(f"<html><body><ul>{''.join(links)}</ul></body></html>")


def rows(output: Path) -> dict[str, tuple[object, ...]]:
    table = ds.dataset(output).to_table().to_pylist()
    return {
        row["url"]: (row["id"], row["text"], row["language"], row["language_score"])
        for row in table
    }


@pytest.mark.slow
def test_workers_write_what_in_process_cleaning_writes_and_a_hung_page_times_out(
    tmp_path: Path,
) -> None:
    build_site(tmp_path / "site")
    with SiteServer(tmp_path / "site") as server:
        url = f"url={server.url}/"
        pooled = run_scrapy_crawl(
            tmp_path / "pool",
            "-a",
            url,
            settings={
                "CLEANCRAWL_CLEAN_TIMEOUT": "1",
                "CLEANCRAWL_WORKERS": "1",
                "ITEM_PIPELINES": HANGING_CLEANER,
            },
        )
        inline = run_scrapy_crawl(
            tmp_path / "inline", "-a", url, settings={"CLEANCRAWL_WORKERS": "0"}
        )
    assert pooled.returncode == 0, pooled.log[-2000:]
    assert pooled.stats["cleaning/workers"] == 1
    # the slow page is abandoned, its worker replaced, and the other pages still cleaned
    assert pooled.stats["cleaning/dropped/timeout"] == 1
    assert pooled.stats["cleaning/kept"] == len(TOPICS)
    # fewer pages than the template's hold: released once nothing else is coming, not
    # after CLEANCRAWL_TEMPLATE_HOLD_SECONDS (20)
    assert pooled.stats["cleaning/template_released_early"] == len(TOPICS)
    written = rows(pooled.output)
    assert sorted(u.rstrip("/").rsplit("/", 1)[1] for u in written) == sorted(TOPICS)
    # in-process cleaning, without the hang: every page written
    assert inline.stats["cleaning/workers"] == 0
    assert inline.stats["cleaning/kept"] == len(TOPICS) + 1
    same = {u: row for u, row in rows(inline.output).items() if u in written}
    assert same == written  # workers give the very same rows


@pytest.mark.slow
def test_a_crawl_with_workers_imports_no_extraction_stack(tmp_path: Path) -> None:
    """The crawl's process hands its pages to the workers and unpickles their results: it
    imports neither ``cleaning.page`` nor trafilatura or langdetect (0.18 CPU s of its start,
    on the cores the workers need), from its start to its last page."""
    build_site(tmp_path / "site")
    with SiteServer(tmp_path / "site") as server:
        run = run_scrapy_crawl(
            tmp_path / "crawl",
            "-a",
            f"url={server.url}/",
            settings={
                "CLEANCRAWL_WORKERS": "1",
                "EXTENSIONS": json.dumps({"tests.noted_modules.NotedModules": 0}),
            },
        )
    assert run.returncode == 0, run.log[-2000:]
    assert run.stats["cleaning/kept"] == len(TOPICS) + 1
    assert run.stats["test/cleaning_stack"] == []


def test_pool_use_counts_worker_seconds_without_a_page() -> None:
    from crawler.pool import PoolUse

    now = [10.0]
    use = PoolUse(workers=2, clock=lambda: now[0])
    for at, event in [
        (10.0, use.page_in),  # before the first page nothing counts
        (11.0, use.page_in),  # 1 s with one worker free
        (13.0, use.page_in),  # two pages for two workers, then one queued: none idle
        (14.0, use.page_out),
        (15.0, use.page_out),
        (16.0, use.page_out),  # 1 s with one worker free
    ]:
        now[0] = at
        event()
    now[0] = 30.0  # after the last result: the crawl's end, not the pool's time
    assert use.in_pool == 0
    assert use.seconds == 6.0
    assert use.idle_worker_seconds == 2.0


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_that_kills_hangs_or_deafens_its_worker_is_dropped_and_the_rest_kept(
    workers: int,
) -> None:
    """The pool under a reactor, as in a crawl: a page that kills its worker is
    ``worker_crashed``; one that hangs (its worker ended by the time-out's alarm) or hangs
    with the alarm held back (its worker killed by the crawl's deadline) is ``timeout``; one
    whose cleaning raises gives its error; every page queued behind them is cleaned by a
    new worker; no worker outlives ``close()``; no worker imports the crawl's main module
    (here ``tests.pool_run``, which imports Scrapy)."""
    paths = ["/a", "/crash", "/b", "/hang", "/c", "/error", "/deaf", "/d", "/slow", "/e"]
    paths.append("/modules")
    run = subprocess.run(
        [sys.executable, "-m", "tests.pool_run", str(workers), "1", *paths],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout) == {
        "outcomes": [
            "kept", "worker_crashed", "kept", "timeout", "kept",
            "error: ValueError: cannot clean https://a.test/error",
            "timeout", "kept", "timeout", "kept",
            "scrapy_False",  # the crawl's main module (Scrapy's script) is not imported
        ],
        "workers_left": 0,
        "exit_codes": [0] * workers,  # ended by close(), not killed after waiting for it
    }  # fmt: skip


@pytest.mark.slow
def test_a_worker_that_dies_as_it_sets_up_crashes_its_pages_and_does_not_time_them_out(
    tmp_path: Path,
) -> None:
    """A worker that never got ready (its junk file does not load) started no page: each
    page it held is ``worker_crashed``, not ``timeout``, however long it waited."""
    broken = tmp_path / "junk.toml"
    broken.write_text("[not toml", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "tests.pool_run", "1", "1", "/a", "/b"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "POOL_RUN_BROKEN_JUNK_FILE": str(broken)},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout) == {
        "outcomes": ["worker_crashed", "worker_crashed"],
        "workers_left": 0,
        "exit_codes": [],  # none running: each died as it set up
    }

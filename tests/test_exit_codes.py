"""Exit codes of `scrapy crawl technews` and `cleancrawl demo`, end to end on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crawler.crawl_stats import WORKERS, WORKERS_STARTED
from crawler.outcome import RESPONSES_OK, ExitCode, exit_code, worker_exit_code
from crawler.sample_server import SAMPLE_SITE, SiteServer
from tests.conftest import run_scrapy_crawl
from tests.tiny_site import ARTICLE, ROBOTS, TinySite

if TYPE_CHECKING:
    from collections.abc import Callable

SHORT = b"<html><body><main><p>Three words only.</p></main></body></html>"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once it is closed


def replace_with_a_file(path: Path) -> Callable[[], None]:
    """What a full disk or a removed mount does to a folder, mid-crawl (root or not)."""

    def act() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.write_text("no longer a folder", encoding="utf-8")

    return act


@pytest.mark.parametrize(
    ("stats", "code"),
    [
        ({RESPONSES_OK: 12}, ExitCode.OK),
        ({}, ExitCode.OK),  # CrawlOutcome turned off: nothing known, nothing claimed
        ({RESPONSES_OK: 0}, ExitCode.NOTHING_FETCHED),
        ({RESPONSES_OK: 3, "crawl/write_failed/stats_file": 1}, ExitCode.WRITE_FAILED),
        ({RESPONSES_OK: 0, "crawl/write_failed/parquet": 2}, ExitCode.WRITE_FAILED),
    ],
)
def test_exit_code_from_stats(stats: dict[str, Any], code: ExitCode) -> None:
    assert exit_code(stats) is code


@pytest.mark.parametrize(
    ("crawl", "code"),
    [
        # the others fetched the crawl's pages: this worker found nothing left to do
        ({RESPONSES_OK: 40, WORKERS: 3, WORKERS_STARTED: 3}, ExitCode.OK),
        # another worker is still running and will add what it fetched
        ({RESPONSES_OK: 0, WORKERS: 1, WORKERS_STARTED: 2}, ExitCode.OK),
        # every worker ended and none reached a site: the crawl failed
        ({RESPONSES_OK: 0, WORKERS: 2, WORKERS_STARTED: 2}, ExitCode.NOTHING_FETCHED),
        # Redis could not say (the merged stats are empty): as on one machine
        ({}, ExitCode.NOTHING_FETCHED),
    ],
)
def test_a_distributed_worker_that_fetched_nothing(crawl: dict[str, Any], code: ExitCode) -> None:
    assert worker_exit_code({RESPONSES_OK: 0}, crawl) is code
    # a write that failed is the worker's own failure, whatever the others did
    failed = {RESPONSES_OK: 0, "crawl/write_failed/parquet": 1}
    assert worker_exit_code(failed, crawl) is ExitCode.WRITE_FAILED


def test_exit_codes_are_distinct() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4]


def errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("cleancrawl: error:")]


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", ["connection_refused", "http_500", "no_dns", "private_host", "robots_only"]
)
def test_a_crawl_that_fetched_nothing_exits_3(tmp_path: Path, case: str) -> None:
    settings = {"RETRY_TIMES": "0"}
    with (
        TinySite({}, default=(500, b"<h1>Internal Server Error</h1>")) as failing,
        TinySite({"/robots.txt": (200, ROBOTS)}, default=(503, b"down")) as robots_only,
        SiteServer(SAMPLE_SITE) as sample,
    ):
        url = {
            "connection_refused": f"http://127.0.0.1:{closed_port()}/",
            "http_500": f"{failing.url}/",
            # .invalid never resolves (RFC 6761): no DNS, and no query leaves the machine
            "no_dns": "http://cleancrawl-test.invalid/",
            "private_host": f"{sample.url}/",
            "robots_only": f"{robots_only.url}/",  # robots.txt answers, no page does
        }[case]
        if case == "private_host":
            settings["CLEANCRAWL_ALLOW_PRIVATE_HOSTS"] = "False"
        run = run_scrapy_crawl(tmp_path, "-a", f"url={url}", settings=settings)
    assert run.returncode == ExitCode.NOTHING_FETCHED, run.log[-3000:]
    assert errors(run.log) == [
        "cleancrawl: error: nothing was fetched: every request failed or was refused (see the log)"
    ]
    assert run.stats[RESPONSES_OK] == 0
    assert run.stats["finish_reason"] == "finished"
    assert "Traceback" not in run.log


@pytest.mark.slow
@pytest.mark.parametrize("case", ["written", "all_dropped"])
def test_a_crawl_that_fetched_pages_exits_0(tmp_path: Path, case: str) -> None:
    page = ARTICLE if case == "written" else SHORT  # a named drop, not a failure
    with TinySite({"/robots.txt": (200, ROBOTS), "/a": (200, page)}) as site:
        run = run_scrapy_crawl(
            tmp_path, "-a", f"url={site.url}/a", settings={"CLEANCRAWL_WORKERS": "0"}
        )
    assert run.returncode == ExitCode.OK, run.log[-3000:]
    assert errors(run.log) == []
    assert run.stats[RESPONSES_OK] >= 1
    if case == "written":
        assert run.stats["parquet/rows_written"] == 1
    else:
        dropped = {k: v for k, v in run.stats.items() if k.startswith("cleaning/dropped/")}
        assert list(dropped.values()) == [1], dropped
        assert run.stats["parquet/rows_written"] == 0


@pytest.mark.slow
def test_an_unwritable_stats_file_exits_4(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    stats_file = logs / "stats.json"
    pages = {"/robots.txt": (200, ROBOTS), "/a": (200, ARTICLE)}
    with TinySite(pages, on_first_request=replace_with_a_file(logs)) as site:
        run = run_scrapy_crawl(
            tmp_path,
            "-a",
            f"url={site.url}/a",
            settings={"CLEANCRAWL_STATS_FILE": str(stats_file), "CLEANCRAWL_WORKERS": "0"},
        )
    assert run.returncode == ExitCode.WRITE_FAILED, run.log[-3000:]
    assert f"Could not write the stats file {stats_file}" in run.log
    assert errors(run.log) == [
        "cleancrawl: error: the Parquet output or the stats file could not be written (see the log)"
    ]
    assert "Traceback" not in run.log
    assert len(list(run.output.glob("*.parquet"))) == 1  # the output itself was written


@pytest.mark.slow
def test_an_unwritable_output_exits_4(tmp_path: Path) -> None:
    output = tmp_path / "parquet"  # where run_scrapy_crawl writes
    pages = {"/robots.txt": (200, ROBOTS), "/a": (200, ARTICLE)}
    with TinySite(pages, on_first_request=replace_with_a_file(output)) as site:
        run = run_scrapy_crawl(tmp_path, "-a", f"url={site.url}/a")
    assert run.returncode == ExitCode.WRITE_FAILED, run.log[-3000:]
    assert f"Could not write Parquet to {output}" in run.log
    assert run.stats["crawl/write_failed/parquet"] == 1
    assert "Traceback" not in run.log


@pytest.mark.slow
@pytest.mark.parametrize(
    "loop", ["no_such_module.Loop", "asyncio.NoSuchLoop", "uvloop", "os.getcwd"]
)
def test_an_event_loop_setting_that_names_no_loop_exits_2(tmp_path: Path, loop: str) -> None:
    # checked before Scrapy sets the loop up (which would end in a traceback and exit 1)
    run = run_scrapy_crawl(
        tmp_path, "-a", "url=http://127.0.0.1:9/", settings={"ASYNCIO_EVENT_LOOP": loop}
    )
    assert run.returncode == ExitCode.CONFIG_ERROR, run.log[-3000:]
    assert "error: setting ASYNCIO_EVENT_LOOP: " in run.log
    assert "Traceback" not in run.log


@pytest.mark.slow
def test_demo_with_an_unwritable_output_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo", "--output", str(tmp_path / "a-file" / "x")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == ExitCode.CONFIG_ERROR, done.stderr[-3000:]
    assert errors(done.stderr) == [
        f"cleancrawl: error: output directory {tmp_path}/a-file/x: cannot write there"
        " (Not a directory)"
    ]
    assert "Traceback" not in done.stderr

"""Quiet by default, clear at the end: progress lines, Ctrl-C with held pages, the summary."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

import pyarrow.dataset as ds
import pytest

from crawler.progress import progress_line
from crawler.sample_server import SAMPLE_SITE
from crawler.summary import summary
from tests.conftest import ROOT
from tests.tiny_site import TinySite

if TYPE_CHECKING:
    from pathlib import Path

ARTICLES = ["router-firmware-backdoor", "eu-rules-phone-updates", "hospital-ransomware-recovery"]
HELD = len(ARTICLES) + 1  # and the home page, an `other` page: all of the site's pages
# a guard against a test that would wait for ever, never an expectation on speed
GUARD_SECONDS = 240


class HangingSite(TinySite):
    """Three articles linked from ``/``, and ``/hang/``, which answers only once ``release``
    is set: the crawl cannot finish on its own while the test looks at it."""

    def __init__(self) -> None:
        self.release = threading.Event()
        pages = {
            f"/news/{name}/": (200, (SAMPLE_SITE / "news" / name / "index.html").read_bytes())
            for name in ARTICLES
        }
        links = "".join(f'<a href="{path}">{path}</a> ' for path in [*pages, "/hang/"])
        pages["/"] = (200, f"<html><body>{links}</body></html>".encode())

        def hang(path: str) -> None:
            if path == "/hang/":
                self.release.wait()

        super().__init__(pages, default=(404, b""), on_request=hang)

    def __exit__(self, *exc: object) -> None:
        self.release.set()  # the request held at /hang/ answers, so the server can stop
        super().__exit__(*exc)


def log_lines(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The lines of the crawl's log as they come (None at its end)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_for(lines: queue.Queue[str | None], text: str, seen: list[str]) -> str:
    """The first line holding ``text``; every line read is added to ``seen``."""
    while True:
        line = lines.get(timeout=GUARD_SECONDS)
        assert line is not None, f"the crawl ended before {text!r}:\n{''.join(seen[-40:])}"
        seen.append(line)
        if text in line:
            return line


@pytest.mark.slow
def test_ctrl_c_lets_held_pages_go_at_once_and_ends_with_the_summary(tmp_path: Path) -> None:
    output = tmp_path / "parquet"
    with HangingSite() as site:
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "technews",
            "-a",
            f"url={site.url}/",
            "-a",
            f"output={output}",
            *("-s", "CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True"),
            *("-s", "AUTOTHROTTLE_ENABLED=False"),
            *("-s", "CLEANCRAWL_WORKERS=0"),
            # the pages are held far longer than the test waits: only Ctrl-C lets them go
            *("-s", "CLEANCRAWL_TEMPLATE_HOLD_PAGES=50"),
            *("-s", "CLEANCRAWL_TEMPLATE_HOLD_SECONDS=3600"),
            *("-s", "DOWNLOAD_TIMEOUT=3600"),
            *("-s", "LOGSTATS_INTERVAL=0.2"),
        ]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONWARNINGS": "default"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            # as from a terminal: a shell running the tests in the background has SIGINT
            # ignored, and its children inherit that
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            lines, seen = log_lines(process), list[str]()
            progress = wait_for(lines, f"held for templates {HELD}", seen)
            assert "written 0" in progress
            process.send_signal(signal.SIGINT)
            # before /hang/ answers: the held pages do not wait for the end of the crawl
            wait_for(lines, f"finishing {HELD} page(s)", seen)
            site.release.set()
            process.wait(timeout=GUARD_SECONDS)
            seen += [line for line in iter(lines.get, None)]
        finally:
            if process.poll() is None:
                process.kill()
    log = "".join(seen)
    assert process.returncode == 0, log[-3000:]
    assert ds.dataset(output).count_rows() == HELD
    # the summary is the log's last word
    tail = log[log.index("[crawler.summary] INFO:") :]
    assert "cleancrawl finished in " in tail and "(shutdown)." in tail
    assert f"Wrote {HELD} pages ({len(ARTICLES)} article, 1 other;" in tail
    assert "Dumping Scrapy stats" not in tail


def test_the_progress_line_says_speed_written_dropped_and_queue() -> None:
    stats = {
        "response_received_count": 40,
        "item_scraped_count": 12,
        "cleaning/dropped/http_404": 2,
        "cleaning/dropped/duplicate": 1,
        "scheduler/enqueued": 50,
        "scheduler/dequeued": 41,
    }
    assert progress_line(stats, pages_per_second=1.5, held=3) == (
        "Progress: 40 responses (1.5/s), written 12, dropped 3 (duplicate 1, http_404 2),"
        " queue 9, held for templates 3"
    )
    assert progress_line({}, pages_per_second=0) == (
        "Progress: 0 responses (0.0/s), written 0, dropped 0, queue 0"
    )


def test_the_summary_counts_languages_types_and_drops(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "one.parquet"
    table = pa.table(
        {
            "language": ["fr", "en", "de", "en", "fr"],
            "word_count": [100, 200, 300, 400, 500],
            "page_type": ["article", "article", "other", "article", "article"],
        }
    )
    pq.write_table(table, path)
    stats = {
        "elapsed_time_seconds": 12.34,
        "finish_reason": "finished",
        "cleaning/dropped/too_short": 2,
        "cleaning/dropped/http_404": 1,
    }
    text = summary([path], stats, tmp_path)
    assert text.splitlines()[1:5] == [
        "cleancrawl finished in 12.3 s.",
        "Wrote 5 pages (4 article, 1 other; 1500 words) to 1 file(s):",
        f"  {path}",
        "Languages: en 2, fr 2, de 1",  # most first, ties by name: the same every run
    ]
    assert "Not written: 3 (http_404 1, too_short 2)" in text
    assert "to_pandas" not in text  # pandas is not a dependency
    assert summary([], {"finish_reason": "shutdown"}, None).splitlines()[1:] == [
        "cleancrawl finished (shutdown).",
        "No pages were written.",
    ]

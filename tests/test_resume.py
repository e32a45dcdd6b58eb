"""Kill and resume: closed files stay readable, nothing is lost, nothing is written twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pyarrow.parquet as pq
import pytest

from crawler.resume import WrittenLedger
from crawler.sample_server import SiteServer
from output import ARTICLE_SCHEMA, ParquetOptions, RollingParquetWriter
from tests.conftest import ROOT
from tests.test_writer import row

ARTICLES = 150
PER_LIST = 30
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
    "mike",
]


def build_site(root: Path) -> set[str]:
    """Listings of article pages, each article with its own text; returns the article paths."""
    paths = set()
    lists = []
    for k in range(ARTICLES // PER_LIST):
        links = []
        for n in range(k * PER_LIST, (k + 1) * PER_LIST):
            words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40))
            body = "".join(
                f"<p>Story {n} part {p}: the council met on day {n} and said {words}.</p>"
                for p in range(3)
            )
            (root / "a").mkdir(parents=True, exist_ok=True)
            (root / "a" / f"{n}.html").write_text(
                f'<html><head><title>Story {n}</title><meta property="og:type" '
                f'content="article"></head><body><article><h1>Story {n}</h1>{body}'
                "</article></body></html>"
            )
            links.append(f'<li><a href="/a/{n}.html">story {n}</a></li>')
            paths.add(f"/a/{n}.html")
        (root / f"list{k}.html").write_text(
            f'<html><head><meta property="og:type" content="website"></head>'
            f"<body><ul>{''.join(links)}</ul></body></html>"
        )
        lists.append(f'<li><a href="/list{k}.html">list {k}</a></li>')
    (root / "index.html").write_text(f"<html><body><ul>{''.join(lists)}</ul></body></html>")
    return paths


def start_crawl(tmp: Path, url: str, jobdir: Path, output: Path) -> subprocess.Popen[bytes]:
    settings = {
        "JOBDIR": str(jobdir),
        "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
        "AUTOTHROTTLE_ENABLED": "False",
        "CLEANCRAWL_WORKERS": "0",
        "CLEANCRAWL_PARQUET_MAX_ROWS": "10",
        "CLEANCRAWL_PARQUET_BATCH_SIZE": "5",
        "CLEANCRAWL_TEMPLATES_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "DOWNLOAD_DELAY": "0.02",  # slow enough for a kill to land mid-crawl
        "CLEANCRAWL_STATS_FILE": str(tmp / "stats.json"),
        "LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "technews", "-a", f"url={url}/"]
    command += ["-a", f"output={output}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    log = (tmp / "log.txt").open("wb")
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_for_files(output: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(list(output.glob("*.parquet"))) < count:
        assert process.poll() is None, "the crawl ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def urls_by_file(output: Path) -> dict[Path, list[str]]:
    return {f: pq.read_table(f).column("url").to_pylist() for f in sorted(output.glob("*.parquet"))}


def check_resumed(output: Path, first: dict[Path, tuple[int, int]], paths: set[str]) -> None:
    assert not list(output.glob(".*")), "an unfinished file is left"
    files = urls_by_file(output)  # every file readable
    urls = Counter(url for file_urls in files.values() for url in file_urls)
    assert not [u for u, n in urls.items() if n > 1], "a URL was written twice"
    assert {u.split("/", 3)[3] for u in urls} == {p.lstrip("/") for p in paths}, "a page is lost"
    for file, (size, mtime) in first.items():
        stat = file.stat()
        assert (stat.st_size, stat.st_mtime_ns) == (size, mtime), f"{file.name} was rewritten"


def snapshot(output: Path) -> dict[Path, tuple[int, int]]:
    return {f: (f.stat().st_size, f.stat().st_mtime_ns) for f in output.glob("*.parquet")}


@pytest.mark.slow
def test_killed_crawl_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    paths = build_site(tmp_path / "site")
    jobdir, output = tmp_path / "job", tmp_path / "out"
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
    with SiteServer(tmp_path / "site") as server:
        first = start_crawl(tmp_path / "one", server.url, jobdir, output)
        wait_for_files(output, 3, first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed = snapshot(output)
        rows_before = sum(len(u) for u in urls_by_file(output).values())
        assert 0 < rows_before < ARTICLES
        second = start_crawl(tmp_path / "two", server.url, jobdir, output)
        assert second.wait(timeout=120) == 0, (tmp_path / "two" / "log.txt").read_text()[-3000:]
    check_resumed(output, killed, paths)
    stats = json.loads((tmp_path / "two" / "stats.json").read_text())
    assert stats["cleaning/dropped/already_written"] == rows_before  # skipped, not fetched
    assert "was killed" in (tmp_path / "two" / "log.txt").read_text()


@pytest.mark.slow
def test_sigterm_closes_files_and_the_job_resumes(tmp_path: Path) -> None:
    paths = build_site(tmp_path / "site")
    jobdir, output = tmp_path / "job", tmp_path / "out"
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
    with SiteServer(tmp_path / "site") as server:
        first = start_crawl(tmp_path / "one", server.url, jobdir, output)
        wait_for_files(output, 2, first)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
        assert not list(output.glob(".*")), "SIGTERM left an unfinished file"
        stopped = snapshot(output)
        assert json.loads((tmp_path / "one" / "stats.json").read_text())["finish_reason"] == (
            "shutdown"
        )
        second = start_crawl(tmp_path / "two", server.url, jobdir, output)
        assert second.wait(timeout=120) == 0
    check_resumed(output, stopped, paths)
    assert "was killed" not in (tmp_path / "two" / "log.txt").read_text()


def test_files_close_on_time_and_the_ledger_is_written_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the writer's clock, moved by the test: "too young" whatever the machine's load
    now = [1000.0]
    monkeypatch.setattr("output.writer.time", SimpleNamespace(monotonic=lambda: now[0]))
    options = ParquetOptions(directory=tmp_path, basename="t", max_seconds_per_file=60)
    seen: list[tuple[bool, list[str]]] = []
    writer = RollingParquetWriter(
        options,
        ARTICLE_SCHEMA,
        {},
        key_column="url",
        before_rename=lambda path, keys: seen.append((path.exists(), list(keys))),
    )
    writer.write(row(1))
    writer.roll_if_due()
    now[0] += 59.9
    writer.roll_if_due()
    assert not list(tmp_path.glob("*.parquet"))  # too young
    now[0] += 0.1
    writer.roll_if_due()
    assert [f.name for f in tmp_path.glob("*.parquet")] == ["t-00000.parquet"]
    assert seen == [(False, [row(1)["url"]])]  # recorded before the file appeared


def test_ledger_drops_records_of_files_that_never_closed(tmp_path: Path) -> None:
    job, out = tmp_path / "job", tmp_path / "out"
    out.mkdir()
    ledger = WrittenLedger(job, out)
    ledger.note_basename("run1")
    (out / "run1-00000.parquet").write_bytes(b"closed")
    ledger.record(out / "run1-00000.parquet", ["u1", "u2"])
    ledger.record(out / "run1-00001.parquet", ["u3"])  # killed before the rename
    (out / ".run1-00001.parquet.tmp").write_bytes(b"half")
    (job / "requests.seen").write_text("fingerprints")
    ledger.db.close()  # killed: never closed cleanly...
    ledger.lock.file.close()  # ...and its lock released by the kernel
    again = WrittenLedger(job, out)
    assert again.resumed_after_kill
    assert again.urls == {"u1", "u2"}
    assert not (out / ".run1-00001.parquet.tmp").exists()
    assert not (job / "requests.seen").exists()
    again.close()
    assert not WrittenLedger(job, out).resumed_after_kill
    assert (out / "run1-00000.parquet").exists()

"""Two `scrapy crawl technews` processes of one crawl, sharing a Redis: their own files, one
history, one set of text claims, merged stats; and the next scheduled run is incremental."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from crawler.cli import main as cleancrawl
from crawler.config import ConfigError
from crawler.resume import WrittenLedger
from output import ARTICLE_SCHEMA, ParquetOptions, RollingParquetWriter
from tests.conftest import ROOT
from tests.test_incremental import V2, VersionedSite


@pytest.fixture
def site() -> Iterator[VersionedSite]:
    server = VersionedSite()
    yield server
    server.httpd.shutdown()


def start(
    tmp: Path, site: VersionedSite, redis_url: str, name: str, **settings: str
) -> subprocess.Popen[str]:
    """A worker: `scrapy crawl technews` over the versioned site, writing to ``tmp/out``."""
    sites = tmp / "sites.toml"
    sites.write_text(
        f'[[site]]\nname = "town"\nstart_urls = ["{site.url}/"]\n'
        f'sitemap_urls = ["{site.url}/sitemap.xml"]\nrobots_sitemaps = false\n'
        f'[[site]]\nname = "mirror"\nstart_urls = ["{site.mirror}/mirror/"]\n'
        "robots_sitemaps = false\n"
    )
    command = [sys.executable, "-m", "scrapy", "crawl", "technews"]
    command += ["-a", f"output={tmp / 'out'}", "-a", f"sites={sites}"]
    for key, value in {
        "REDIS_URL": redis_url,
        "CLEANCRAWL_STATS_FILE": str(tmp / "stats.json"),
        "AUTOTHROTTLE_ENABLED": "False",
        "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
        "CLEANCRAWL_TEMPLATES_ENABLED": "False",
        "CLEANCRAWL_WORKERS": "0",  # two crawls on a small machine: clean in-process
        **settings,
    }.items():
        command += ["-s", f"{key}={value}"]
    log = (tmp / f"{name}.log").open("w")
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )


def run_workers(
    tmp: Path, site: VersionedSite, redis_url: str, *, side_by_side: bool = False
) -> list[str]:
    """Two workers of one crawl at once (one named, one numbered by Redis); their logs.

    ``side_by_side``: the site answers nobody until both have joined the crawl, so both crawl
    it (without it, a worker starting after the other ended the crawl starts a crawl of its
    own, as it should).
    """
    tmp.mkdir(exist_ok=True)
    names = ("alpha", "numbered")
    if side_by_side:
        site.gate = threading.Event()
        logs = [tmp / f"{name}.log" for name in names]
        threading.Thread(target=open_when_both_came, args=(site, logs), daemon=True).start()
    workers = [
        start(tmp, site, redis_url, "alpha", CLEANCRAWL_WORKER_ID="alpha"),
        start(tmp, site, redis_url, "numbered"),
    ]
    for worker in workers:
        assert worker.wait(timeout=300) == 0, (tmp / "alpha.log").read_text()[-3000:]
    return [(tmp / f"{name}.log").read_text() for name in names]


def open_when_both_came(site: VersionedSite, logs: list[Path]) -> None:
    """Open the site's gate once both workers logged that they joined the crawl."""
    deadline = time.monotonic() + 120

    def joined(log: Path) -> bool:
        return log.exists() and " in crawl " in log.read_text()

    while not all(joined(log) for log in logs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert site.gate is not None
    site.gate.set()


def rows(tmp: Path) -> list[dict[str, str]]:
    files = sorted((tmp / "out").glob("*.parquet"))
    if not files:
        return []
    table = ds.dataset([str(f) for f in files]).to_table(columns=["url", "content_hash"])
    return list(table.to_pylist())


def end_crawl(redis_url: str) -> None:
    """What the frontier does once every queue is empty: the next start is a new crawl."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="cleancrawl:*:crawl_id"):
        client.delete(key)
    client.close()


@pytest.mark.slow
def test_two_workers_share_one_crawl_and_the_next_run_is_incremental(
    tmp_path: Path, site: VersionedSite, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = run_workers(tmp_path / "one", site, redis_url, side_by_side=True)
    out = tmp_path / "one" / "out"
    names = sorted(path.name for path in out.iterdir())
    named = re.fullmatch(r"technews-(.+)-(alpha|w001)-00000\.parquet", names[0])
    assert named is not None, names
    crawl_id = named[1]
    # every file named after the crawl and its worker, none left unfinished, none shared
    pattern = rf"technews-{re.escape(crawl_id)}-(alpha|w001)-\d{{5}}\.parquet"
    workers = [re.fullmatch(pattern, name) for name in names]
    assert all(workers), names
    # (mostly both; a worker that starts late finds its pages written already, unchanged)
    assert {match[1] for match in workers if match} <= {"alpha", "w001"}
    first = rows(tmp_path / "one")
    assert {r["url"].rsplit("/", 1)[1] for r in first} == {"a1", "a2", "a3", "a4"}
    for name in names:  # no worker writes a URL twice
        urls = pq.read_table(out / name, columns=["url"]).column("url").to_pylist()
        assert len(urls) == len(set(urls))
    # each worker's own stats, and the crawl's merged ones
    mine = [
        json.loads((tmp_path / "one" / f"stats.{w}.json").read_text()) for w in ("alpha", "w001")
    ]
    assert cleancrawl(["stats", redis_url, "--crawl-id", crawl_id]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["cleancrawl/workers"] == 2
    assert (
        merged["parquet/rows_written"] == len(first) == sum(s["parquet/rows_written"] for s in mine)
    )
    assert merged["output/rows"] == len(first)
    assert any("Whole crawl, 2 worker(s) contributed:" in log for log in logs), logs[0][-2000:]

    end_crawl(redis_url)
    site.pages, site.log, site.gate = V2, [], None
    # side by side: a worker starting after the other had ended the crawl would start a
    # crawl of its own, and ask for a3 once more
    run_workers(tmp_path / "two", site, redis_url, side_by_side=True)
    second = rows(tmp_path / "two")
    copies = {"alford-copy", "enfield-copy"}
    # only what is new or changed, whichever worker wrote it
    assert {r["url"].rsplit("/", 1)[1] for r in second} == {"a2", "a5", *copies}
    # one text, one URL: a6 (a1's text) is a duplicate of the first crawl's a1
    by_text: dict[str, set[str]] = {r["content_hash"]: set() for r in second}
    for r in second:
        by_text[r["content_hash"]].add(r["url"])
    assert all(len(urls) == 1 for urls in by_text.values())
    assert site.requested("/a1") == []  # same sitemap lastmod: not even asked for
    assert site.requested("/a3") and set(site.requested("/a3")) == {'"a3-1"'}  # 304s
    assert site.requested("/a4") and set(site.requested("/a4")) == {None}
    assert cleancrawl(["stats", redis_url]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2  # both crawls listed
    merged = json.loads((tmp_path / "two" / "stats.json").read_text())
    assert merged["cleaning/dropped/not_modified"] == len(site.requested("/a3"))
    assert merged["cleaning/dropped/duplicate_text"] >= 1  # a6, by one worker or both
    near = (
        ds.dataset(tmp_path / "two" / "out")
        .to_table(columns=["url", "near_duplicate_of"])
        .to_pylist()
    )
    assert {r["near_duplicate_of"] for r in near if r["url"].endswith("alford-copy")} == {
        f"{site.url}/a1"
    }


def writer(directory: Path, basename: str = "t") -> RollingParquetWriter:
    return RollingParquetWriter(
        ParquetOptions(directory=directory, basename=basename), ARTICLE_SCHEMA, {}
    )


def test_two_writers_with_one_basename_never_pick_the_same_file(tmp_path: Path) -> None:
    a, b = writer(tmp_path), writer(tmp_path)
    # both choose a name before either has opened its file
    assert a._next_free_path().name == "t-00000.parquet"
    assert b._next_free_path().name == "t-00001.parquet"
    assert Counter(p.name for p in tmp_path.iterdir()) == {
        ".t-00000.parquet.tmp": 1,
        ".t-00001.parquet.tmp": 1,
    }


def test_a_job_directory_takes_one_process_and_clears_only_its_own_files(
    tmp_path: Path,
) -> None:
    job, out = tmp_path / "job", tmp_path / "out"
    out.mkdir()
    ledger = WrittenLedger(job, out)
    with pytest.raises(ConfigError, match=r"job directory .*: in use by another crawl"):
        WrittenLedger(job, out)
    ledger.note_basename("technews-c1")
    theirs = out / ".technews-c1-w002-00000.parquet.tmp"  # another worker's, same crawl
    mine = out / ".technews-c1-00003.parquet.tmp"
    theirs.write_bytes(b"writing")
    mine.write_bytes(b"half")
    ledger.db.close()  # killed...
    ledger.lock.file.close()  # ...and its lock released with it
    again = WrittenLedger(job, out)
    assert again.resumed_after_kill
    assert not mine.exists()
    assert theirs.exists()
    again.close()

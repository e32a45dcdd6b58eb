"""End to end: `scrapy crawl technews` over the bundled sample site on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from crawler.sample_server import SAMPLE_SITE, SiteServer
from output import ARTICLE_SCHEMA, SCHEMA_VERSION
from tests.conftest import ROOT, CrawlRun, norm, run_scrapy_crawl

EXPECTED: dict[str, Any] = json.loads(
    (Path(__file__).with_name("sample_site_expected.json")).read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def server() -> Any:
    with SiteServer(SAMPLE_SITE) as running:
        yield running


@pytest.fixture(scope="module")
def crawl(server: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    return run_scrapy_crawl(tmp_path_factory.mktemp("crawl"), "-a", f"url={server.url}/")


@pytest.fixture(scope="module")
def rows(crawl: CrawlRun) -> dict[str, dict[str, Any]]:
    table = ds.dataset(crawl.output).to_table()
    return {urlsplit(row["url"]).path: row for row in table.to_pylist()}


def test_crawl_succeeds_cleanly(crawl: CrawlRun) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "Traceback" not in crawl.log
    assert "Deprecat" not in crawl.log  # Scrapy's current API only
    assert crawl.stats["finish_reason"] == "finished"


def test_a_normal_run_is_quiet_and_ends_with_the_summary(crawl: CrawlRun) -> None:
    # the project's default log level: a few lines a crawl, not several a page
    levels = re.findall(r"^\S+ \S+ \[[\w.]+\] (\w+): ", crawl.log, flags=re.MULTILINE)
    assert levels and set(levels) == {"INFO"}, [
        line for line in crawl.log.splitlines() if " INFO: " not in line and "] " in line
    ]
    assert "[crawler.progress] INFO: Progress: " in crawl.log
    assert "Remote control HTTP server" not in crawl.log  # off, as the telnet console
    tail = crawl.log[crawl.log.index("[crawler.summary] INFO:") :]
    assert "Spider closed" not in tail  # the last thing logged
    written = len(EXPECTED["articles"]) + len(EXPECTED["other_pages"])
    assert f"Wrote {written} pages (" in tail and "Languages: en " in tail
    assert "Not written: " in tail and "page_type_listing " in tail


def test_every_article_is_written_once_and_nothing_else(rows: dict[str, Any]) -> None:
    assert sorted(rows) == sorted([*EXPECTED["articles"], *EXPECTED["other_pages"]])
    assert {path for path, row in rows.items() if row["page_type"] == "article"} == set(
        EXPECTED["articles"]
    )


def test_files_schema_and_metadata(crawl: CrawlRun) -> None:
    files = sorted(crawl.output.iterdir())
    assert files and all(re.fullmatch(r"technews-.+-\d{5}\.parquet", f.name) for f in files)
    schema = pq.read_schema(files[0])
    assert schema.remove_metadata() == ARTICLE_SCHEMA.remove_metadata()
    assert schema.metadata[b"cleancrawl.schema_version"] == SCHEMA_VERSION.encode()
    assert schema.metadata[b"cleancrawl.extractor_version"].startswith(b"trafilatura ")


@pytest.mark.parametrize("path", sorted(EXPECTED["articles"]))
def test_article_row(rows: dict[str, Any], path: str) -> None:
    expected = EXPECTED["articles"][path]
    row = rows[path]
    assert row["language"] == expected["language"]
    assert row["language_score"] > 0.9
    assert row["language_share"] == 1.0  # each sample article is in one language
    assert row["stop_words"] >= 10  # a real article in a language with a stop-word list
    assert 3 < row["mean_word_length"] < 8
    assert row["duplicate_of"] is None
    assert row["title"] == expected["title"]
    assert row["date_published"] == date.fromisoformat(expected["date_published"])
    assert set(expected["authors"]) <= set(row["authors"])
    assert {t.casefold() for t in expected["tags"]} <= {t.casefold() for t in row["tags"]}
    assert row["sitename"] == EXPECTED["site_name"]
    assert row["domain"] == "127.0.0.1"
    assert row["site"] == "127.0.0.1"
    assert row["http_status"] == 200
    assert row["word_count"] > 200
    text = norm(row["text"])
    for sentence in expected["must_contain"]:
        assert norm(sentence) in text
    lines = {norm(line) for line in row["text"].splitlines()}
    survived = [junk for junk in expected["junk"] if norm(junk) in lines]
    assert survived == []


def test_stats_account_for_every_page(crawl: CrawlRun, rows: dict[str, Any]) -> None:
    stats = crawl.stats
    assert stats["cleaning/kept"] == len(rows) == stats["parquet/rows_written"]
    assert stats["cleaning/dropped/page_type_listing"] == len(EXPECTED["listings"])
    assert stats["cleaning/dropped/http_404"] == len(EXPECTED["missing"])
    assert stats["cleaning/dropped/robots_txt"] == len(EXPECTED["disallowed"])
    assert stats["technews/xml/sitemap_index"] == 1
    removed = sum(v for k, v in stats.items() if k.startswith("cleaning/lines_removed/"))
    assert removed >= len(rows)  # every sample article carries junk
    assert stats["technews/xml/feed"] >= 2


def test_robots_txt_is_obeyed(crawl: CrawlRun, server: SiteServer) -> None:
    for path in EXPECTED["disallowed"]:
        assert path not in server.requests


@pytest.mark.slow
def test_same_input_same_rows(
    crawl: CrawlRun, server: SiteServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = run_scrapy_crawl(tmp_path_factory.mktemp("again"), "-a", f"url={server.url}/")
    columns = ["url", "text", "id", "language", "language_score", "title", "content_hash"]

    def table(run: CrawlRun) -> list[dict[str, Any]]:
        rows = ds.dataset(run.output).to_table(columns=columns).to_pylist()
        return sorted(rows, key=lambda r: r["url"])

    assert table(again) == table(crawl)


def _demo(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo", "--output", str(tmp_path / "demo")],
        cwd=tmp_path,  # not the project folder: the command must not need scrapy.cfg
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_demo_command(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    ids = sorted(ds.dataset(tmp_path / "demo").to_table().column("id").to_pylist())
    done = _demo(tmp_path)  # again: the same rows, not a second set of files beside the first
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(ds.dataset(tmp_path / "demo").to_table().column("id").to_pylist()) == ids
    written = len(EXPECTED["articles"]) + len(EXPECTED["other_pages"])
    kinds = f"{len(EXPECTED['articles'])} article, {len(EXPECTED['other_pages'])} other"
    assert f"Wrote {written} pages ({kinds};" in done.stdout
    assert ds.dataset(tmp_path / "demo").count_rows() == written
    assert str(ROOT) != str(tmp_path)

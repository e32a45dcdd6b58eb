"""Scrapy's own tools with the project's settings: -o feeds, shell, parse, check."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow.dataset as ds
import pytest

from crawler.spiders.technews import TechNewsSpider
from output import ARTICLE_SCHEMA
from tests.conftest import ROOT, run_scrapy_crawl
from tests.tiny_site import ARTICLE, ROBOTS, TinySite

if TYPE_CHECKING:
    from pathlib import Path

PAGES = {"/robots.txt": (200, ROBOTS), "/news/a/": (200, ARTICLE)}
INTERNAL = {"lastmod", "etag", "last_modified", "minhash", "facts"}


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def site() -> Any:
    with TinySite(PAGES) as running:
        yield running


@pytest.mark.slow
def test_feed_exports_the_parquet_columns(site: TinySite, tmp_path: Path) -> None:
    jsonl, csv_file = tmp_path / "out.jsonl", tmp_path / "out.csv"
    run = run_scrapy_crawl(
        tmp_path, "-a", f"url={site.url}/news/a/", "-o", str(jsonl), "-o", str(csv_file)
    )
    assert run.returncode == 0, run.log[-3000:]
    assert "ERROR" not in run.log
    written = ds.dataset(run.output).to_table().to_pylist()
    assert len(written) == 1
    (row,) = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert list(row) == ARTICLE_SCHEMA.names  # the Parquet's names, in its order
    assert not INTERNAL & set(row)
    assert datetime.fromisoformat(row["date"]) == written[0]["date"]
    assert date.fromisoformat(row["date_published"]) == written[0]["date_published"]
    for name in ("id", "url", "text", "authors", "word_count", "removed_lines"):
        assert row[name] == written[0][name], name
    with csv_file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ARTICLE_SCHEMA.names
        (csv_row,) = list(reader)
    assert csv_row["date"] == row["date"]
    assert csv_row["id"] == row["id"]


@pytest.mark.slow
def test_shell_with_the_project_settings(site: TinySite) -> None:
    done = scrapy(
        "shell",
        f"{site.url}/news/a/",
        "-s",
        "CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True",
        "-c",
        "(response.status, response.css('h1::text').get())",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("(200, ")
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_parse_a_page_of_a_site_of_the_sites_file(site: TinySite, tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[[site]]\nname = "tiny"\nstart_urls = ["{site.url}/"]\n', encoding="utf-8")
    done = scrapy(
        "parse",
        "--spider",
        "technews",
        "-c",
        "parse_page",
        "-s",
        f"CLEANCRAWL_SITES_FILE={sites}",
        "-s",
        "CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True",
        f"{site.url}/news/a/",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    items = done.stdout.split("# Scraped Items")[1].split("# Requests")[0]
    assert "'site': 'tiny'" in items  # the request had no site: the URL's site is found
    assert f"'url': '{site.url}/news/a/'" in items


@pytest.mark.slow
def test_check_runs_a_contract_per_callback() -> None:
    callbacks = sorted(name for name in vars(TechNewsSpider) if name.startswith("parse"))
    listed = scrapy("check", "-l", "technews")
    assert listed.stdout.split() == ["technews", *[x for c in callbacks for x in ("*", c)]]
    done = scrapy("check", "technews", "-s", "CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Ran 7 contracts" in done.stderr
    assert done.stderr.rstrip().endswith("OK")


@pytest.mark.slow
def test_check_says_what_it_needs() -> None:
    done = scrapy("check", "technews")
    assert done.returncode == 1
    assert "run scrapy check with -s CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True" in done.stderr

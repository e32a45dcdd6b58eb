"""The add-on: any spider gets cleancrawl's components, checked settings, a crawl id and a UA."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_reactor_settings

from crawler.addon import CleanCrawl
from crawler.config import ConfigError
from crawler.dupefilter import CountingDupeFilter
from crawler.items import PageItem
from crawler.middlewares import HostGuard
from crawler.pipelines import CleaningPipeline, ParquetPipeline
from crawler.sample_server import SAMPLE_SITE, SiteServer

ADDONS = {"crawler.addon.CleanCrawl": 0}
CRAWL_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")

OTHER_SPIDER = """
from datetime import UTC, datetime

import scrapy

from crawler.items import PageItem


class OtherSpider(scrapy.Spider):
    name = "other"
    custom_settings = {"ADDONS": {"crawler.addon.CleanCrawl": 0}}

    def __init__(self, url, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [url]

    def parse(self, response):
        yield PageItem(
            url=response.url,
            html=response.text,
            http_status=response.status,
            site="other",
            fetched_at=datetime.now(UTC),
            source="start",
        )
"""


class OtherSpider(Spider):
    """A spider that is not cleancrawl's: it only yields pages."""

    name = "other"

    def parse(self, response: Any) -> Any:
        yield PageItem(
            url=response.url,
            html=response.text,
            http_status=response.status,
            site="other",
            fetched_at=datetime.now(UTC),
            source="start",
        )


def other_crawler(tmp_path: Path, settings: dict[str, Any]) -> Crawler:
    """A crawler of ``OtherSpider`` with only ``settings`` (no cleancrawl project), applied."""
    crawler = Crawler(
        OtherSpider,
        {
            "CLEANCRAWL_OUTPUT_DIR": str(tmp_path / "out"),
            "TELNETCONSOLE_ENABLED": False,
            **get_reactor_settings(),
            **settings,
        },
    )
    crawler.spider = crawler._create_spider()
    crawler._apply_settings()
    return crawler


def test_addon_sets_up_another_spider(tmp_path: Path) -> None:
    settings = other_crawler(tmp_path, {"ADDONS": ADDONS}).settings
    assert CRAWL_ID.fullmatch(settings.get("CLEANCRAWL_CRAWL_ID"))
    assert settings.get("USER_AGENT").startswith("cleancrawl/")
    assert settings.getint("CLEANCRAWL_MIN_WORDS") == 10  # the table's defaults
    assert settings.getdict("ITEM_PIPELINES")[CleaningPipeline] == 300
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[HostGuard] == 50
    assert middlewares[RobotsTxtMiddleware] is None  # ours obeys robots.txt instead
    assert load_object(settings.get("DUPEFILTER_CLASS")) is CountingDupeFilter


def test_a_project_s_own_choices_win(tmp_path: Path) -> None:
    settings = other_crawler(
        tmp_path,
        {
            "ADDONS": ADDONS,
            "ITEM_PIPELINES": {"crawler.pipelines.ParquetPipeline": None},
            "CLEANCRAWL_CRAWL_ID": "nightly-1",
            "USER_AGENT": "mybot/1 (+https://example.org)",
            "CLEANCRAWL_MIN_WORDS": "50",
        },
    ).settings
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert pipelines["crawler.pipelines.ParquetPipeline"] is None  # kept off
    assert ParquetPipeline not in pipelines
    assert pipelines[CleaningPipeline] == 300
    assert settings.get("CLEANCRAWL_CRAWL_ID") == "nightly-1"
    assert settings.get("USER_AGENT") == "mybot/1 (+https://example.org)"
    assert settings.getint("CLEANCRAWL_MIN_WORDS") == 50


def test_addon_checks_another_spider_s_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="did you mean CLEANCRAWL_MIN_WORDS"):
        other_crawler(tmp_path, {"ADDONS": ADDONS, "CLEANCRAWL_MIN_WORD": 50})


def test_pipelines_refuse_to_run_without_the_addon(tmp_path: Path) -> None:
    crawler = other_crawler(tmp_path, {})
    assert crawler.get_addon(CleanCrawl) is None
    for pipeline in (CleaningPipeline, ParquetPipeline):
        with pytest.raises(ConfigError, match="needs cleancrawl's add-on: ADDONS"):
            pipeline.from_crawler(crawler)


@pytest.mark.slow
def test_another_spider_writes_parquet_with_a_real_crawl_id(tmp_path: Path) -> None:
    """`scrapy runspider` outside the project: the add-on alone makes the pipelines work."""
    (tmp_path / "other.py").write_text(OTHER_SPIDER, encoding="utf-8")
    output = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with SiteServer(SAMPLE_SITE) as server:
        command = [
            *(sys.executable, "-m", "scrapy", "runspider", "other.py"),
            *("-a", f"url={server.url}/news/hospital-ransomware-recovery/"),
            *("-s", f"CLEANCRAWL_OUTPUT_DIR={output}"),
            *("-s", "CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True"),
            *("-s", "CLEANCRAWL_WORKERS=0"),
            *("-s", "CLEANCRAWL_TEMPLATES_ENABLED=False"),
            *("-s", "LOG_LEVEL=INFO"),
        ]
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = output.glob("*.parquet")
    match = re.fullmatch(r"other-(.+)-\d+\.parquet", path.name)
    assert match is not None and CRAWL_ID.fullmatch(match.group(1)), path.name
    table = pq.read_table(path)
    assert table.column("crawl_id").to_pylist() == [match.group(1)]
    assert table.column("spider").to_pylist() == ["other"]

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_reactor_settings

from crawler.demo import project_settings
from crawler.spiders.technews import TechNewsSpider
from tests.redis_server import redis_server, redis_url  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures")
GOLDEN = FIXTURES / "golden"


def norm(text: str) -> str:
    """Text with every run of white space (non-breaking spaces included) folded to one space.

    trafilatura turns non-breaking spaces into spaces: compare words, not space kinds.
    """
    return re.sub(r"\s+", " ", text).strip()


def golden_pages() -> list[str]:
    return sorted(p.stem for p in GOLDEN.glob("seed_*.html"))


def load_golden(name: str) -> tuple[str, dict[str, Any]]:
    html = (GOLDEN / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    return html, expected


@dataclass
class CrawlRun:
    """What one `scrapy crawl` subprocess left behind."""

    returncode: int
    log: str
    stats: dict[str, Any]
    output: Path


def run_scrapy_crawl(tmp: Path, *args: str, settings: dict[str, str] | None = None) -> CrawlRun:
    """Run `scrapy crawl technews` as a user would, from the project folder."""
    output = tmp / "parquet"
    stats_file = tmp / "stats.json"
    command = [sys.executable, "-m", "scrapy", "crawl", "technews", "-a", f"output={output}"]
    for key, value in {
        "CLEANCRAWL_STATS_FILE": str(stats_file),
        "AUTOTHROTTLE_ENABLED": "False",
        "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",  # the test servers are on 127.0.0.1
        **(settings or {}),
    }.items():
        command += ["-s", f"{key}={value}"]
    command += list(args)
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlRun(done.returncode, done.stdout + done.stderr, stats, output)


SITES = """
[[site]]
name = "news"
start_urls = ["https://news.test/"]
deny = ["/private/"]
max_pages = 5
max_depth = 1
"""


def make_crawler(
    tmp_path: Path, sites: str = SITES, settings: dict[str, Any] | None = None, **kwargs: Any
) -> Crawler:
    """A crawler with a technews spider over ``sites``, set up as ``scrapy crawl`` does."""
    path = tmp_path / "sites.toml"
    path.write_text(sites, encoding="utf-8")
    overrides = {
        "TELNETCONSOLE_ENABLED": False,
        "CLEANCRAWL_OUTPUT_DIR": str(tmp_path / "parquet"),  # the spider checks it is writable
        "CLEANCRAWL_WORKERS": 0,  # clean in-process: no worker pool per unit test
        **get_reactor_settings(),
        **(settings or {}),
    }
    crawler = Crawler(TechNewsSpider, project_settings(overrides))
    # as Crawler.crawl() does: the spider may still change settings before they freeze
    # -a url= replaces the sites file: both together are refused
    # (url=None: no -a url, so the sites file)
    kwargs = {name: value for name, value in kwargs.items() if value is not None}
    arguments = kwargs if "url" in kwargs else {"sites": str(path), **kwargs}
    crawler.spider = crawler._create_spider(**arguments)
    crawler._apply_settings()
    return crawler


# fixtures that run `scrapy crawl` as a subprocess: every test using one (directly or through
# another fixture) is slow, as is every test that starts a subprocess itself
SLOW_FIXTURES = frozenset({"crawl", "maps_crawl", "redis_server", "redis_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def subprocess_means_slow(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test not marked slow that starts a subprocess, so `-m "not slow"` stays fast."""
    if request.node.get_closest_marker("slow") is None:

        def refuse(*args: Any, **kwargs: Any) -> None:
            pytest.fail("this test starts a subprocess: mark it @pytest.mark.slow")

        monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT

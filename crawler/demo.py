"""The offline demo: serve the bundled sample site, crawl it, write and summarise Parquet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.outcome import ExitCode, run_crawl
from crawler.sample_server import SAMPLE_SITE, SiteServer
from crawler.summary import summary

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """cleancrawl's Scrapy settings, wherever the command is run from."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(dict(overrides or {}), priority="cmdline")
    return settings


def run_demo(output_dir: Path, *, log_level: str = "INFO") -> int:
    """Crawl the sample site over 127.0.0.1 with the technews spider; print a summary.

    Returns the exit code ``scrapy crawl`` would (``crawler.outcome.ExitCode``), and 1 when
    the crawl ran but wrote no article: the sample site always has some.
    """
    with SiteServer(SAMPLE_SITE) as server:
        settings = project_settings(
            {
                "CLEANCRAWL_OUTPUT_DIR": str(output_dir),
                # the sample site is local: no need to be gentle with it
                "AUTOTHROTTLE_ENABLED": False,
                "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": True,
                "LOG_LEVEL": log_level,
                # the summary is printed below, on stdout: not in the log as well
                "EXTENSIONS": {"crawler.summary.CrawlSummary": None},
            }
        )
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("technews")
        code = run_crawl(process, crawler, url=f"{server.url}/")
    if code in (ExitCode.CONFIG_ERROR, ExitCode.FAILED):
        return code  # said why on stderr
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    crawl_id = crawler.settings.get("CLEANCRAWL_CRAWL_ID")
    files = sorted(output_dir.glob(f"technews-{crawl_id}-*.parquet"))
    print(summary(files, stats, output_dir, title="cleancrawl demo finished"))
    return code or (ExitCode.OK if files else ExitCode.FAILED)

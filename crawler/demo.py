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


# The sample site is served on this port when it is free, so that every run of the demo
# writes the same URLs and row ids; on another free port when it is taken.
DEMO_PORT = 8731
# Marks a folder the demo wrote: its earlier files are replaced, not piled up, on the next run.
MARKER = ".cleancrawl-demo"


def run_demo(output_dir: Path, *, log_level: str = "INFO") -> int:
    """Crawl the sample site over 127.0.0.1 with the technews spider; print a summary.

    Returns the exit code ``scrapy crawl`` would (``crawler.outcome.ExitCode``), and 1 when
    the crawl ran but wrote no article: the sample site always has some.
    """
    _clear_earlier_run(output_dir)
    with _sample_server() as server:
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


def _sample_server() -> SiteServer:
    try:
        return SiteServer(SAMPLE_SITE, port=DEMO_PORT)
    except OSError:  # taken: the URLs (and so the ids) differ from other runs', nothing else
        return SiteServer(SAMPLE_SITE)


def _clear_earlier_run(output_dir: Path) -> None:
    """Remove the Parquet files of an earlier demo run (only in a folder the demo marked)."""
    try:
        if (output_dir / MARKER).exists():
            for old in output_dir.glob("technews-*.parquet"):
                old.unlink()
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / MARKER).touch()
    except OSError:
        pass  # not a folder we can write: the crawl's start-up check says so, in one line

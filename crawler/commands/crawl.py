"""``scrapy crawl`` with exit codes a scheduler can act on (``crawler.outcome.ExitCode``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.outcome import run_crawl

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``: a bad configuration is one line and exit code 2, a crawl that
    fetched nothing exits with 3, one that could not write its output or stats with 4."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self.crawler_process.create_crawler(args[0])
        self.exitcode = int(run_crawl(self.crawler_process, crawler, **opts.spargs))

"""``scrapy crawl`` with exit codes a scheduler can act on (``crawler.outcome.ExitCode``)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.misc import load_object

from crawler.outcome import run_crawl

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``: a bad configuration is one line and exit code 2, a crawl that
    fetched nothing exits with 3, one that could not write its output or stats with 4."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Scrapy sets the event loop up as it makes the crawler process, before any add-on
        # or setting check runs: a loop it cannot import is a bad setting (exit 2) here,
        # not a traceback there
        if loop := self.settings.get("ASYNCIO_EVENT_LOOP"):
            try:
                found = load_object(loop)
            except (ImportError, NameError, ValueError) as exc:
                raise UsageError(f"setting ASYNCIO_EVENT_LOOP: {exc}") from exc
            if not (isinstance(found, type) and issubclass(found, asyncio.AbstractEventLoop)):
                raise UsageError(f"setting ASYNCIO_EVENT_LOOP: {loop!r} is no event loop class")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self.crawler_process.create_crawler(args[0])
        self.exitcode = int(run_crawl(self.crawler_process, crawler, **opts.spargs))

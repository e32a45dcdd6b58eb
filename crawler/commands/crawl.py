"""``scrapy crawl`` that reports a bad configuration as one line and a non-zero exit code."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

from crawler.config import ConfigError

if TYPE_CHECKING:
    import argparse

    from twisted.python.failure import Failure

# what `scrapy` itself exits with on a usage error
CONFIG_ERROR_EXIT_CODE = 2


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``; a ``ConfigError`` raised while the crawl starts ends it cleanly.

    Scrapy hands an exception from a spider's or a component's ``from_crawler`` to asyncio,
    which prints it as "Task exception was never retrieved" with a traceback: right for a
    bug, noise for a typo in a sites file.
    """

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        self._config_error: ConfigError | None = None
        started = self.crawler_process.crawl(self._create_crawler(args[0]), **opts.spargs)
        if isinstance(started, Deferred):  # a Twisted reactor without asyncio
            started.addErrback(self._on_deferred_error)
        elif isinstance(started, asyncio.Future):
            started.add_done_callback(self._on_task_done)
        self.crawler_process.start()
        if self._config_error is not None:
            print(f"cleancrawl: error: {self._config_error}", file=sys.stderr)
            self.exitcode = CONFIG_ERROR_EXIT_CODE
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1

    def _on_task_done(self, task: asyncio.Future[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()  # retrieved: asyncio no longer prints it
        if isinstance(error, ConfigError):
            self._config_error = error
        elif error is not None:
            loop = asyncio.get_event_loop()
            loop.call_exception_handler(
                {"message": "The crawl failed to start", "exception": error, "task": task}
            )

    def _on_deferred_error(self, failure: Failure) -> Any:
        if isinstance(failure.value, ConfigError):
            self._config_error = failure.value
            return None
        return failure

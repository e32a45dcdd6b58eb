"""Run ``crawler.pool.CleaningPool`` under a reactor, as a crawl does, on pages named on
the command line (``tests.failing_pages``' paths fail as they say), and print each page's
outcome, whether any worker outlived ``close()`` and how the workers it had ended, as JSON::

    python -m tests.pool_run WORKERS TIMEOUT PATH...

``POOL_RUN_BROKEN_JUNK_FILE=FILE``: the workers' options name that junk file.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from scrapy.utils.defer import deferred_from_coro  # noqa: E402
from twisted.internet import reactor as installed  # noqa: E402

from cleaning.options import CleaningOptions  # noqa: E402
from crawler.pool import CleaningPool  # noqa: E402
from tests.failing_pages import clean_html_or_fail  # noqa: E402

reactor: Any = installed  # (typeshed's reactor methods take self first)
PAGE = "<html><body><article>{}</article></body></html>"
PARAGRAPH = "<p>Page {n}: the council met on Monday and voted to keep the library open.</p>"


async def outcome(pool: CleaningPool, n: int, path: str) -> str:
    try:
        html = PAGE.format(PARAGRAPH.format(n=n) * 8)
        result = await pool.clean(html, f"https://a.test{path}", "")
    except Exception as exc:
        return f"error: {type(exc).__name__}: {exc}"
    return result.drop_reason or "kept"


async def main(workers: int, timeout: float, paths: list[str]) -> None:
    options = CleaningOptions(min_words=0)
    if broken := os.environ.get("POOL_RUN_BROKEN_JUNK_FILE"):
        # a junk file that does not load: every worker dies as it sets up, before any page
        options = CleaningOptions(min_words=0, junk_file=Path(broken))
    pool = CleaningPool(
        options,
        {},
        workers=workers,
        timeout=timeout,
        max_in_flight=2 * workers,
        task=clean_html_or_fail,
    )
    outcomes = await asyncio.gather(*(outcome(pool, n, p) for n, p in enumerate(paths)))
    processes = [worker.process for worker in pool._running]
    pool.close()
    print(
        json.dumps(
            {
                "outcomes": outcomes,
                "workers_left": len(multiprocessing.active_children()),
                # 0: ended as the crawl closed their sockets; -9: killed after waiting
                "exit_codes": [process.exitcode for process in processes],
            }
        )
    )


def run() -> None:
    workers, timeout, *paths = sys.argv[1:]

    async def run_and_stop() -> None:
        try:
            await main(int(workers), float(timeout), paths)
        finally:
            reactor.stop()

    reactor.callWhenRunning(deferred_from_coro, run_and_stop())
    reactor.run()


if __name__ == "__main__":
    run()

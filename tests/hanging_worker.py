"""A cleaning step that hangs on one page, for the pool's time-out test.

``-s 'ITEM_PIPELINES={"crawler.pipelines.CleaningPipeline": null,
"tests.hanging_worker.HangingCleaningPipeline": 300}'`` puts it in a crawl's place.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from cleaning.worker import clean_in_worker
from crawler.pipelines import CleaningPipeline

if TYPE_CHECKING:
    from cleaning import CleanResult

HANG_PATH = "/slow/"


def clean_or_hang(html: str, url: str, site: str) -> CleanResult:
    """Clean the page, except ``HANG_PATH``: that one never ends (until the worker is
    killed), whatever the machine's speed or load."""
    if url.endswith(HANG_PATH):
        threading.Event().wait()
    return clean_in_worker(html, url, site)


class HangingCleaningPipeline(CleaningPipeline):
    worker_task = staticmethod(clean_or_hang)

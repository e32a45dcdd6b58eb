"""Pages that hang, outlast the time-out or kill their worker, for ``cleancrawl clean``'s
hand-over to its workers (the path of the URL says which)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

from cleaning import CleanResult
from cleaning.options import CleaningOptions
from cleaning.worker import clean_pages, clean_payload_in_worker, start_worker

HANG, SLOW, CRASH = "/hang", "/slow", "/crash"
SLOW_SECONDS = 2.5  # past the tests' time-out


def clean_or_fail(payload: tuple[bytes, str | None], url: str, site: str) -> CleanResult:
    """``clean_payload_in_worker``, except at ``HANG`` (never returns, until the worker is
    killed, whatever the machine's load), ``SLOW`` (returns, after the time-out) and
    ``CRASH`` (the worker killed, as the kernel's OOM killer does)."""
    if url.endswith(HANG):
        threading.Event().wait()
    if url.endswith(SLOW):
        time.sleep(SLOW_SECONDS)
    if url.endswith(CRASH):
        os.kill(os.getpid(), signal.SIGKILL)
    return clean_payload_in_worker(payload, url, site)


def clean_pages_in_child(timeout: float, pages: list[tuple[Any, str, str]]) -> None:
    """``clean_pages`` of ``pages`` with ``clean_or_fail``, in a child process set up as a
    worker: exit 0 once done, 3 on an error (so that 1 is the time-out's own exit)."""
    try:
        start_worker(CleaningOptions(), {})
        clean_pages(clean_or_fail, timeout, pages)
    except BaseException:
        os._exit(3)


DEAF, ERROR, MODULES = "/deaf", "/error", "/modules"


def clean_html_or_fail(html: str, url: str, site: str) -> CleanResult:
    """The crawl's task (``clean_in_worker``), failing as ``clean_or_fail`` does, and at
    ``DEAF`` hanging with the time-out's alarm held back (as a hang inside C code holds it:
    only the crawl's deadline ends that worker), at ``ERROR`` raising; at ``MODULES`` it
    says whether the worker has Scrapy imported."""
    if url.endswith(DEAF):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        threading.Event().wait()
    if url.endswith(ERROR):
        raise ValueError(f"cannot clean {url}")
    if url.endswith(MODULES):  # whether the worker imported Scrapy (with the main module)
        return CleanResult(url=url, drop_reason=f"scrapy_{'scrapy' in sys.modules}")
    return clean_or_fail((html.encode(), "text/html; charset=utf-8"), url, site)

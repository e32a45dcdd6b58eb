"""The cleaning step as a worker process runs it: options set once, then page after page."""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING, Any

from cleaning.encoding import decode_html
from cleaning.hrefs import PageHrefs, page_hrefs
from cleaning.junk import DEFAULT_JUNK_FILE, load_junk_rules
from cleaning.language import load_backend
from cleaning.page import CleanResult, clean_page
from cleaning.signed import with_hrefs

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cleaning.options import CleaningOptions

# Set once per process by start_worker: the default options and each site's own.
_options: dict[str | None, CleaningOptions] = {}


def start_worker(options: CleaningOptions, site_options: dict[str, CleaningOptions]) -> None:
    """Set a worker up: its options, and everything a page needs loaded before the first."""
    # Ctrl-C reaches every process of the terminal's group: the crawl stops gracefully and
    # still needs its workers to finish the pages in flight.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _options.clear()
    _options[None] = options
    _options.update(site_options)
    for each in _options.values():
        load_backend(each.language_backend)
        load_junk_rules(each.junk_file or DEFAULT_JUNK_FILE)


def clean_in_worker(html: str, url: str, site: str) -> CleanResult:
    """``clean_page`` with the options of ``site`` (or the default ones)."""
    return clean_page(html, url, _site_options(site))


def clean_payload_in_worker(payload: tuple[bytes, str | None], url: str, site: str) -> CleanResult:
    """``clean_in_worker`` of an HTTP body and its ``Content-Type`` (``payload``), decoded
    here with ``decode_html``: bytes cross to the worker as they are, where a decoded page
    is encoded to UTF-8 by pickle and decoded again by the worker (some 0.3 CPU ms a 190 kB
    page, besides the decoding itself, which moves from the sending process to the worker)."""
    body, content_type = payload
    return clean_in_worker(decode_html(body, content_type).text, url, site)


def clean_pages(
    clean: Callable[..., CleanResult], timeout: float | None, pages: Sequence[tuple[Any, str, str]]
) -> list[CleanResult]:
    """``clean(page, url, site)`` of each of ``pages`` in one pool task: the pool's cost is
    per message (two to the worker, two back, each waking a thread of the sending process),
    not per byte. A page that takes longer than ``timeout`` (wall seconds, as the pool
    times a task) gives ``timeout``, as if the pool had stopped it; one that never returns
    or kills its worker fails the whole task, and is for the caller to find among them."""
    results = []
    for page, url, site in pages:
        started = time.monotonic()
        result = clean(page, url, site)
        if timeout is not None and time.monotonic() - started > timeout:
            result = CleanResult(url=url, drop_reason="timeout")
        results.append(result)
    return results


def clean_in_worker_with_hrefs(html: str, url: str, site: str) -> CleanResult:
    """``clean_in_worker``, and the page's hrefs read from the tree it parsed
    (``cleaning.hrefs``), kept or dropped; None where it did not parse the page, or where
    the crawl's own parse may differ."""
    found: list[PageHrefs | None] = []
    result = clean_page(
        html, url, _site_options(site), on_tree=lambda tree: found.append(page_hrefs(tree, html))
    )
    return with_hrefs(result, found[0] if found else None)


def _site_options(site: str) -> CleaningOptions:
    """The options ``start_worker`` was given for ``site``, or the default ones."""
    return _options.get(site) or _options[None]

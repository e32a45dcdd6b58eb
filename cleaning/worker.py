"""The cleaning step as a worker process runs it: options set once, then page after page."""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import pickle
import signal
import struct
import time
from typing import TYPE_CHECKING, Any, cast

from cleaning.encoding import decode_html
from cleaning.hrefs import PageHrefs, page_hrefs
from cleaning.junk import DEFAULT_JUNK_FILE, load_junk_rules
from cleaning.result import CleanResult
from cleaning.signed import with_hrefs

if TYPE_CHECKING:
    import socket
    from collections.abc import Callable, Sequence

    from cleaning.options import CleaningOptions

# Set once per process by start_worker: the default options and each site's own.
_options: dict[str | None, CleaningOptions] = {}


def start_worker(options: CleaningOptions, site_options: dict[str, CleaningOptions]) -> None:
    """Set a worker up: its options, and everything a page needs loaded before the first."""
    # Ctrl-C reaches every process of the terminal's group: the crawl stops gracefully and
    # still needs its workers to finish the pages in flight.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The cleaning steps (trafilatura, langdetect) are imported here and in the tasks, not
    # with this module: the crawl's process imports it for the tasks' names and cleans no
    # page (its start: 0.18 CPU s less without them, benchmarks/README.md, stop 34).
    importlib.import_module("cleaning.page")
    from cleaning.language import load_backend

    _options.clear()
    _options[None] = options
    _options.update(site_options)
    for each in _options.values():
        load_backend(each.language_backend)
        load_junk_rules(each.junk_file or DEFAULT_JUNK_FILE)
    if multiprocessing.parent_process() is not None:
        # In a worker, what is loaded by now lives as long as the process: left out of the
        # collector's full passes, which read every object (some 170,000: the libraries,
        # langdetect's profiles) at about 75 CPU ms each, two every 300 pages (10 ms once
        # frozen). A process cleaning for itself keeps its collector as it is.
        gc.freeze()


def clean_in_worker(html: str, url: str, site: str) -> CleanResult:
    """``clean_page`` with the options of ``site`` (or the default ones)."""
    from cleaning.page import clean_page  # (start_worker imported it)

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
    times a task) gives ``timeout``, as if the pool had stopped it. In a worker process a
    page still running at ``timeout`` ends the worker (``SIGALRM``), as the pool would have:
    its task fails as a whole then, not once the task's own time-out (``timeout`` times its
    pages) has passed. A task that failed, a page having hung or killed its worker, is for
    the caller to hand over again a page a task, to find the page at fault."""
    alarm = _alarm_here(timeout)
    if alarm:
        signal.signal(signal.SIGALRM, _end_worker)
    results = []
    try:
        for page, url, site in pages:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, cast("float", timeout))
            started = time.monotonic()
            result = clean(page, url, site)
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if timeout is not None and time.monotonic() - started > timeout:
                result = CleanResult(url=url, drop_reason="timeout")
            results.append(result)
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return results


def _alarm_here(timeout: float | None) -> bool:
    """Whether ``clean_pages`` ends this process at a page's time-out: in a worker (a child
    process) where the platform has interval timers, never in a process cleaning for itself."""
    return (
        bool(timeout)
        and hasattr(signal, "setitimer")
        and multiprocessing.parent_process() is not None
    )


def _end_worker(signum: int, frame: object) -> None:
    # a page past its time-out, maybe inside a library: the pool would have ended the
    # worker at this point too (a page cut off half-way could leave its state half-made)
    os._exit(1)


# A message between the crawl and a worker: its length (4 bytes, big-endian, as Twisted's
# Int32StringReceiver reads it), then a pickle.
MESSAGE_LENGTH = struct.Struct("!I")


def page_message(task: Callable[..., Any], timeout: float | None, *page: Any) -> bytes:
    """A page for ``serve`` to clean (without its length): ``task`` of ``page`` (its
    ``page, url, site``) under ``timeout``."""
    return pickle.dumps((task, timeout, *page), pickle.HIGHEST_PROTOCOL)


def serve(
    connection: socket.socket,
    options: CleaningOptions,
    site_options: dict[str, CleaningOptions],
) -> None:
    """A crawl's worker process: ``start_worker``, then pages from ``connection`` until the
    crawl closes it. It says it is ready with an empty message; then each message is
    ``(task, timeout, page, url, site)``, each answer ``(True, result)`` or ``(False,
    error)``, in the order the pages came. A page still running at ``timeout`` ends the
    worker (``clean_pages``' alarm)."""
    start_worker(options, site_options)
    with connection:
        # ready: the first page's time-out counts from here, not from the worker's start
        connection.sendall(MESSAGE_LENGTH.pack(0))
        while (message := _receive(connection)) is not None:
            task, timeout, page, url, site = pickle.loads(message)
            try:
                (result,) = clean_pages(task, timeout, [(page, url, site)])
                answer = pickle.dumps((True, result), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # the page's error, for the crawl to count
                answer = _pickled_error(exc)
            try:
                connection.sendall(MESSAGE_LENGTH.pack(len(answer)) + answer)
            except OSError:  # the crawl is over: it closed the connection
                return


def _receive(connection: socket.socket) -> bytearray | None:
    """One message, or None once the crawl has closed the connection."""
    head = _read_exactly(connection, MESSAGE_LENGTH.size)
    return None if head is None else _read_exactly(connection, MESSAGE_LENGTH.unpack(head)[0])


def _read_exactly(connection: socket.socket, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view, done = memoryview(buffer), 0
    while done < size:
        got = connection.recv_into(view[done:])
        if not got:
            return None
        done += got
    return buffer


def _pickled_error(exc: Exception) -> bytes:
    try:
        return pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
    except Exception:  # an error that does not pickle (a lock in its arguments …)
        return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def clean_in_worker_with_hrefs(html: str, url: str, site: str) -> CleanResult:
    """``clean_in_worker``, and the page's hrefs read from the tree it parsed
    (``cleaning.hrefs``), kept or dropped; None where it did not parse the page, or where
    the crawl's own parse may differ."""
    from cleaning.page import clean_page  # (start_worker imported it)

    found: list[PageHrefs | None] = []
    result = clean_page(
        html, url, _site_options(site), on_tree=lambda tree: found.append(page_hrefs(tree, html))
    )
    return with_hrefs(result, found[0] if found else None)


def _site_options(site: str) -> CleaningOptions:
    """The options ``start_worker`` was given for ``site``, or the default ones."""
    return _options.get(site) or _options[None]

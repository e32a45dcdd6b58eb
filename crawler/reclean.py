"""``cleancrawl clean``: clean the pages of WARC files again, without fetching anything.

Reads cleancrawl's own archives (``CLEANCRAWL_WARC_DIR``) and anyone else's WARC files,
Common Crawl's included, and writes the Parquet rows a crawl would have written for the same
responses: the same schema, the same ids, the same cleaning settings and steps (cleaning in
worker processes, site templates, quality signals, duplicates and near duplicates), ``date``
from ``WARC-Date``. Every record ends with one named outcome, counted in the stats JSON.

Each input file gets its own Parquet files (``{input}-{hash}-{n}.parquet``); once they are
closed, the input is noted in a ledger next to them (``_clean_ledger.jsonl``), and a run
started again over the same output folder skips the inputs noted there and redoes the one
it was killed in: no row lost, none written twice.

Site templates are decided from every page of the inputs (a first pass cleans and counts,
keeping its results in ``OUT/_clean_spill/``; the second cuts and writes), where a crawl
decides a domain's template from its first ``CLEANCRAWL_TEMPLATE_HOLD_PAGES`` pages: on a
site with more pages than that, the two can cut different lines.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import io
import itertools
import json
import logging
import os
import pickle
import re
import resource
import sys
import time
import zlib
from collections import Counter, deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TextIO, cast
from urllib.parse import urlsplit

import pyarrow.parquet as pq
from isal import isal_zlib
from pebble import ProcessExpired, ProcessPool
from scrapy.exceptions import DropItem
from scrapy.http import Headers, HtmlResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings, Settings
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.utils import BUFF_SIZE

from cleaning import CleanResult, clean_page, load_backend
from cleaning.encoding import decode_html, looks_binary
from cleaning.neardup import (
    NearDuplicateIndex,
    signature_bytes,
    signature_from_bytes,
    text_signature,
)
from cleaning.quality import QualityThresholds
from cleaning.reasons import Described
from cleaning.signed import SignedResult, clean_and_sign, text_facts
from cleaning.templates import LineKeys, SiteTemplates, TemplateOptions
from cleaning.worker import clean_pages, clean_payload_in_worker, start_worker
from crawler.clean_index import Batched, DiskNearIndex, DiskSeen
from crawler.clean_start import hide_main, show_main
from crawler.config import ConfigError, check_settings
from crawler.incremental import DuplicatePipeline, History
from crawler.items import PageItem
from crawler.neardup import NearDuplicatePipeline, near_duplicate_options
from crawler.outcome import ExitCode
from crawler.pipelines import (
    CLEANCRAWL_VERSION,
    EXTRACTOR_VERSION,
    CleaningPipeline,
    PoolSettings,
    TemplatePipeline,
    cleaning_options,
)
from crawler.pool import pool_context
from crawler.quality import QualityPipeline
from crawler.settings_spec import SETTINGS
from crawler.sites import Site
from crawler.state import StateLock, StateStore
from crawler.templates_disk import DiskSiteTemplates
from output import ARTICLE_SCHEMA, SCHEMA_VERSION, ParquetOptions, RollingParquetWriter

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from scrapy.statscollectors import StatsCollector
    from warcio.recordloader import ArcWarcRecord

    from cleaning import CleaningOptions
    from cleaning.neardup import NearDuplicateOptions
    from crawler.items import ArticleItem

logger = logging.getLogger(__name__)

LEDGER = "_clean_ledger.jsonl"  # `_`: Parquet readers (pyarrow.dataset) skip it
STATS = "_clean_stats.json"
SPILL = "_clean_spill"  # pages cleaned by the first pass, while templates are counted
INDEX = "_clean_index.sqlite"  # the near-duplicate index of the run (crawler.clean_index)
TEMPLATES = "_clean_templates.sqlite"  # the template counts of the run (crawler.templates_disk)
SEEN = "_clean_seen.sqlite"  # the ids and texts written by the run (crawler.clean_index)
SPIDER = "clean"  # the `spider` column of rows from a WARC that does not name its spider
REDIRECTS = frozenset({301, 302, 303, 307, 308})
WARC_SUFFIXES = (".warc", ".warc.gz")


class RecordOutcome(Described):
    """What became of a record that is not a page to clean (a page is written, or dropped
    under a reason of ``cleaning.reasons``)."""

    NOT_RESPONSE = (
        "not_response",
        "a `warcinfo`, `request`, `metadata`, `resource` or other record that holds no "
        "HTTP response, or a response to another protocol (`dns:`)",
    )
    REVISIT = "revisit", "a `revisit` record: the payload is elsewhere (an earlier capture)"
    TRUNCATED = (
        "truncated",
        "`WARC-Truncated`: the archiving crawler cut the payload (size or time limit)",
    )
    REDIRECT = "redirect", "a 301, 302, 303, 307 or 308 response (its target is a record too)"
    OTHER_SITE = "other_site", "the URL is on none of the sites of `--sites` / `--domains`"
    BAD_PAYLOAD = (
        "bad_payload",
        "the payload cannot be read: a `Content-Encoding` that does not decode",
    )
    UNREADABLE = (
        "unreadable",
        "the rest of a file cannot be read as WARC (cut off mid-record, not WARC at all); "
        "counted once per file",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanJob:
    """Everything one ``cleancrawl clean`` run needs, checked before the first record.

    Attributes:
        inputs: WARC files, in the order they are read (sorted: the same every run).
        output: Parquet folder; the ledger and the stats JSON go there too.
        settings: The ``CLEANCRAWL_*`` settings (defaults, project, ``-s``).
        overrides: The ``-s`` settings as given, kept in the ledger: a resumed run must
            clean with the same settings.
        sites: Sites whose pages are kept (``--sites``); empty: every page.
        domains: Domains whose pages are kept (``--domains``); empty: every page.
        workers: Worker processes (0: clean in this process).
        stats_file: Where the stats JSON is written.
        state: A state directory (``--state``, a crawl's ``CLEANCRAWL_STATE_DIR``): the
            template counts and the written texts of earlier runs, crawls or ``clean``,
            which this run counts and deduplicates against, and adds its own to.
    """

    inputs: tuple[Path, ...]
    output: Path
    settings: BaseSettings
    overrides: dict[str, str] = field(default_factory=dict)
    sites: tuple[Site, ...] = ()
    domains: tuple[str, ...] = ()
    workers: int = 0
    stats_file: Path | None = None
    state: Path | None = None


class _Stats:
    """The part of Scrapy's ``StatsCollector`` the pipelines use, over a ``Counter``."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass(slots=True)
class _Page:
    """A response record that is to be cleaned."""

    item: PageItem  # its ``html`` empty: the payload is decoded where it is cleaned
    spider: str
    # the HTTP body (decompressed) and its Content-Type, until cleaned
    payload: tuple[bytes, str | None] = (b"", None)


@dataclass(slots=True)
class _Totals:
    """What the run did so far, for the progress line and the summary."""

    records: int = 0
    cleaned: int = 0
    written: int = 0
    dropped: int = 0
    started: float = field(default_factory=time.monotonic)


# ---------------------------------------------------------------------------- settings


def clean_settings(overrides: dict[str, str], output: Path) -> Settings:
    """The settings of a ``clean`` run: cleancrawl's defaults, then ``-s NAME=VALUE``."""
    settings = Settings()
    for spec in SETTINGS:
        default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        settings.set(spec.name, default, priority="default")
    # the crawl's own bound on a body, also a bound on a decompressed payload here
    settings.set("DOWNLOAD_MAXSIZE", 16 * 1024 * 1024, priority="default")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    settings.set("CLEANCRAWL_OUTPUT_DIR", str(output), priority="cmdline")
    check_settings(settings)
    return settings


def expand_inputs(patterns: Iterable[str]) -> tuple[Path, ...]:
    """Files, folders (their ``*.warc`` and ``*.warc.gz``) and globs, as one sorted list.

    A file named on its own is read whatever its name (a killed crawl's ``.open`` file);
    ``ConfigError`` if a pattern matches nothing.
    """
    found: set[Path] = set()
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = [p for p in path.iterdir() if p.name.endswith(WARC_SUFFIXES)]
        elif glob.has_magic(pattern):
            # glob.glob: Path.glob takes no absolute pattern
            matches = [Path(p) for p in glob.glob(pattern, recursive=True)]  # noqa: PTH207
            matches = [p for p in matches if p.is_file()]
        else:
            matches = [path] if path.is_file() else []
        if not matches:
            raise ConfigError(f"no WARC file at {pattern}")
        found.update(p.resolve() for p in matches)
    return tuple(sorted(found))


# ---------------------------------------------------------------------------- records


def read_records(
    path: Path, outcomes: Counter[str], max_body: int
) -> Iterator[tuple[ArcWarcRecord, bool]]:
    """The whole records of a WARC file, each with True if its payload is over ``max_body``.

    A record cut off (a killed writer, a partial download) and what follows it count once
    as ``unreadable``: warcio would hand over the part that is there as if it were all.
    """
    with path.open("rb") as handle:
        archive = ArchiveIterator(handle, ensure_http_headers=False)
        archive.reader = _IsalReader(archive.fh, block_size=BUFF_SIZE)  # before the first read
        records = iter(archive)
        while True:
            try:
                record = next(records)
                stream = record.raw_stream
                # no LimitReader: nothing left after the headers (warcio leaves the file's
                # own stream there, which must not be read)
                limited = isinstance(stream, LimitReader)
                payload, over = _payload(stream, max_body) if limited else (b"", False)
            except StopIteration:
                if archive.offset < path.stat().st_size:  # cut in the headers of a record
                    logger.warning("%s: the file ends in a record's headers", path)
                    outcomes[RecordOutcome.UNREADABLE] += 1
                return
            except (ArchiveLoadFailed, EOFError, OSError, ValueError, *_INFLATE) as exc:
                logger.warning("%s: the rest of the file cannot be read: %s", path, exc)
                outcomes[RecordOutcome.UNREADABLE] += 1
                return
            except AttributeError as exc:
                # warcio on a response or request record without WARC-Target-URI (invalid
                # WARC): its parser fails on the None, and cannot go on from there
                logger.warning("%s: a record without WARC-Target-URI: %s", path, exc)
                outcomes[RecordOutcome.UNREADABLE] += 1
                return
            if limited and stream.limit > 0:  # the file ends before the record does
                logger.warning("%s: the file is cut off in a record: the rest is skipped", path)
                outcomes[RecordOutcome.UNREADABLE] += 1
                return
            # read once, kept for content_stream(), which decodes Content-Encoding from it
            record.raw_stream = io.BytesIO(payload)
            yield record, over


def _isal_gzip() -> Any:
    return isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)


class _IsalReader(DecompressingBufferedReader):  # type: ignore[misc]
    """warcio's reader of a WARC file's gzip members, inflating with ISA-L (python-isal).

    zlib's inflate was half of reading a WARC (2,000 real pages: 0.44 CPU ms a page with
    zlib, 0.22 with ISA-L), the clean process's largest cost beside the workers on the
    cores. The same bytes out; a payload's own Content-Encoding stays zlib's (warcio's).
    """

    DECOMPRESSORS: ClassVar[dict[str, Any]] = {
        **DecompressingBufferedReader.DECOMPRESSORS,
        "gzip": _isal_gzip,
    }


# ISA-L's error is not a zlib.error (typed as an instance in isal's stubs)
_INFLATE = (zlib.error, cast("type[Exception]", isal_zlib.error))


def _payload(stream: Any, max_body: int) -> tuple[bytes, bool]:
    """The rest of a record's stream (up to ``max_body`` bytes), and True if it was longer."""
    chunks, size = [], 0
    while chunk := stream.read(1 << 16):
        size += len(chunk)
        if size <= max_body:
            chunks.append(chunk)
    return b"".join(chunks), size > max_body


def page_of(
    record: ArcWarcRecord, job: CleanJob, spider: str, max_body: int, *, over: bool = False
) -> tuple[_Page | None, str]:
    """The page a record holds, or the outcome of a record that holds none (``over``: its
    stored payload is over ``max_body``)."""
    if record.rec_type == "revisit":
        return None, RecordOutcome.REVISIT
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if (
        record.rec_type != "response"
        or record.http_headers is None
        or urlsplit(url).scheme not in ("http", "https")
    ):
        return None, RecordOutcome.NOT_RESPONSE
    if record.rec_headers.get_header("WARC-Truncated"):
        return None, RecordOutcome.TRUNCATED
    try:
        status = int(record.http_headers.get_statuscode())
    except ValueError:
        return None, RecordOutcome.NOT_RESPONSE
    if status in REDIRECTS and record.http_headers.get_header("Location"):
        return None, RecordOutcome.REDIRECT
    if not 200 <= status < 300:
        return None, f"http_{status}"
    site, outcome = _site_of(url, job)
    if site is None:
        return None, outcome
    if over:
        return None, "too_large"
    try:
        body = record.content_stream().read(max_body + 1)
    except (OSError, zlib.error, ValueError, EOFError):
        return None, RecordOutcome.BAD_PAYLOAD
    if len(body) > max_body:  # once decompressed
        return None, "too_large"
    headers = Headers(
        [(k, v) for k, v in record.http_headers.headers if k.lower() != "content-encoding"]
    )
    # as Scrapy decides what a response is: its Content-Type, else its URL and first bytes
    if not issubclass(responsetypes.from_args(headers=headers, url=url, body=body), HtmlResponse):
        return None, "not_html"
    if looks_binary(body):
        return None, "binary"
    item = PageItem(
        url=url,
        html="",  # decoded by the worker that cleans it (clean_payload_in_worker)
        http_status=status,
        site=site,
        fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
        source="warc",
        etag=record.http_headers.get_header("ETag"),
        last_modified=record.http_headers.get_header("Last-Modified"),
    )
    return _Page(item, spider, (body, record.http_headers.get_header("Content-Type"))), ""


def _site_of(url: str, job: CleanJob) -> tuple[str | None, str]:
    """The site a page belongs to (its host when no site is given), or why it has none."""
    host = (urlsplit(url).hostname or "").lower()
    if job.sites:
        for site in job.sites:
            if site.on_domain(url):
                return (site.name, "") if site.allows_url(url) else (None, "not_allowed")
        return None, RecordOutcome.OTHER_SITE
    if job.domains and not any(host == d or host.endswith("." + d) for d in job.domains):
        return None, RecordOutcome.OTHER_SITE
    return host, ""


def _warc_date(value: str | None) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _warcinfo_spider(record: ArcWarcRecord) -> str | None:
    """The spider a cleancrawl archive names in its ``warcinfo`` record."""
    text = record.content_stream().read().decode("utf-8", "replace")
    match = re.search(r"^cleancrawl-spider:\s*(\S+)", text, re.MULTILINE)
    return match.group(1) if match else None


# ---------------------------------------------------------------------------- cleaning


# pages a pool task cleans: pebble's hand-over costs the clean process per message, not
# per byte (benchmarks/README, issue 19, stop 32)
PAGES_A_TASK = 8

# a page's payload, URL and site: what a worker is given to clean
_Args = tuple[tuple[bytes, str | None], str, str]


@dataclass(slots=True)
class _Task:
    """Pages handed to the pool in one task, and what became of them."""

    pages: list[_Args] = field(default_factory=list)
    future: Future[list[CleanResult]] | None = None
    # each page's result, or its own task's future once the whole task failed
    results: list[CleanResult | Future[CleanResult]] | None = None


# a page being cleaned: its result (cleaned in this process), or its task and place in it
_Pending = CleanResult | tuple[_Task, int]


class _Cleaner:
    """Clean pages in order, in worker processes (the crawl's) or in this process.

    A kept page comes back signed (``cleaning.signed``): with ``near`` its text's MinHash
    signature, and with ``line_keys`` its lines hashed for the site templates, made where
    the page is cleaned so that this process, one among the workers on the cores, does
    not hash every text again (1.4 and 0.9 CPU ms a real page).

    Pages go to the workers ``PAGES_A_TASK`` at a time, each timed in the worker
    (``cleaning.worker.clean_pages``). A task that fails as a whole (a page still running
    at the time-out, which ends its worker by an alarm, or, where the alarm cannot reach
    it, at the task's own time-out, its pages' time-outs summed; a page that killed its
    worker) is handed over again a page a task, so that only the page at fault is
    dropped, as ``timeout`` or ``worker_crashed``.
    """

    # what a worker runs on a page's payload, URL and site (a module-level function, which
    # it imports by name; a test's own to make a page hang or kill its worker)
    clean_payload = staticmethod(clean_payload_in_worker)

    def __init__(
        self,
        options: CleaningOptions,
        site_options: dict[str, CleaningOptions],
        *,
        workers: int,
        timeout: float | None,
        near: NearDuplicateOptions | None = None,
        line_keys: bool = False,
    ) -> None:
        self.options, self.site_options, self.timeout = options, site_options, timeout
        self.near, self.line_keys = near, line_keys
        # pages handed over ahead of the one being waited for: every worker stays busy.
        # Results are taken in order, so a slow page (real pages: 0.4 s against a median
        # of 23 ms) stops the hand-over until it is done while the other workers run dry;
        # replaying 2,000 real pages' times with 2 workers, a window of 4 a worker finishes
        # at 0.992 of the ideal time, 8 a worker at 1.000 (16 pages: a few MB of bodies).
        # With several pages a task: as many pages, at least a task running and one
        # waiting a worker, and a task being filled besides.
        each = max(8, 2 * PAGES_A_TASK)
        self.window = each * max(workers, 1) + PAGES_A_TASK - 1
        self._main = hide_main() if workers > 0 else {}
        self.pool = (
            ProcessPool(
                max_workers=workers,
                initializer=start_worker,
                initargs=(options, site_options),
                context=pool_context(),
            )
            if workers > 0
            else None
        )
        # what a worker runs: module-level functions, which it imports by name
        self.task = functools.partial(
            clean_and_sign, self.clean_payload, near, line_keys=line_keys, quality=True
        )
        self.batch_task = functools.partial(clean_pages, self.task, timeout)
        self._filling = _Task()
        if self.pool is None:
            load_backend(options.language_backend)

    def submit(self, page: _Page) -> _Pending:
        item = page.item
        if self.pool is None:
            return clean_and_sign(
                self._clean_here,
                self.near,
                page.payload,
                item.url,
                item.site,
                line_keys=self.line_keys,
                quality=True,
            )
        task = self._filling
        task.pages.append((page.payload, item.url, item.site))
        if len(task.pages) >= PAGES_A_TASK:
            self._send(task)
        return task, len(task.pages) - 1

    def _send(self, task: _Task) -> None:
        if task.future is not None:
            return
        assert self.pool is not None  # pages are put in tasks only with a pool
        # the task's own time-out only stops a page that never returns: each page's own
        # is the worker's
        timeout = self.timeout * len(task.pages) if self.timeout is not None else None
        task.future = self.pool.submit(self.batch_task, timeout, task.pages)
        if task is self._filling:
            self._filling = _Task()

    def _clean_here(self, payload: tuple[bytes, str | None], url: str, site: str) -> CleanResult:
        html = decode_html(*payload).text
        return clean_page(html, url, self.site_options.get(site, self.options))

    def result(self, pending: _Pending, url: str) -> CleanResult:
        if isinstance(pending, CleanResult):
            return pending
        task, index = pending
        self._send(task)  # the last pages of an input, fewer than a task's
        if task.results is None:
            assert task.future is not None  # sent above
            try:
                task.results = list(task.future.result())
            except (FutureTimeout, ProcessExpired):
                # a page hung or killed its worker: each page again on its own
                assert self.pool is not None
                task.results = [
                    self.pool.submit(self.task, self.timeout, *args) for args in task.pages
                ]
            task.pages = []  # the bodies are not needed any more
        return _page_result(task.results[index], url)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()  # type: ignore[no-untyped-call]
            self.pool.join()
        show_main(self._main)


def _page_result(done: CleanResult | Future[CleanResult], url: str) -> CleanResult:
    """A page's result, or the outcome of a page whose own task failed."""
    if isinstance(done, CleanResult):
        return done
    try:
        return done.result()
    except FutureTimeout:
        return CleanResult(url=url, drop_reason="timeout")
    except ProcessExpired:
        return CleanResult(url=url, drop_reason="worker_crashed")


class _Steps:
    """The crawl's pipelines after cleaning, in the crawl's order, with their state."""

    def __init__(
        self,
        settings: BaseSettings,
        stats: _Stats,
        crawl_id: str,
        store: StateStore | None = None,
        scratch: Path | None = None,
    ) -> None:
        """``scratch``: a folder for the run's scratch files (``INDEX``, ``TEMPLATES``,
        ``SEEN``): the near-duplicate index, the template counts, the ids and texts
        written, which grow with the pages and sites of the inputs (in memory without
        one)."""
        self.stats = stats
        self.store = store
        scrapy_stats = cast("StatsCollector", stats)
        options = cleaning_options(settings)
        self.cleaning = CleaningPipeline(
            options,
            scrapy_stats,
            SPIDER,
            crawl_id,
            audit_removed_lines=settings.getbool("CLEANCRAWL_AUDIT_REMOVED_LINES"),
        )
        limits = None
        if settings.getbool("CLEANCRAWL_QUALITY_FILTER"):
            limits = QualityThresholds(**settings.getdict("CLEANCRAWL_QUALITY_THRESHOLDS"))
        self.quality = QualityPipeline(scrapy_stats, limits)
        # as in a crawl: with "all", what earlier runs wrote does not count (but is kept)
        earlier = store is not None and settings.get("CLEANCRAWL_RECRAWL") != "all"
        self.history = History(store, recrawl_after=None) if store is not None else None
        self.seen = DiskSeen(scratch / SEEN if scratch is not None else None)
        self.duplicates = DuplicatePipeline(
            scrapy_stats,
            self.history if earlier else None,
            mark=settings.get("CLEANCRAWL_DUPLICATES") == "mark",
            claims=self.seen,  # the first URL of each text: on disk, not in a dict
        )
        mode = settings.get("CLEANCRAWL_NEAR_DUPLICATES")
        self.near: NearDuplicatePipeline | None = None
        if mode != "off":
            near_options = near_duplicate_options(settings)
            index = (
                DiskNearIndex(near_options, scratch / INDEX)
                if scratch is not None
                else NearDuplicateIndex(near_options)
            )
            if store is not None and earlier:
                for url, data in store.minhashes(index.options.key):
                    index.add(url, signature_from_bytes(data, index.options))
            self.near = NearDuplicatePipeline(scrapy_stats, index, drop=mode == "drop")
        self.templates: TemplatePipeline | None = None
        if settings.getbool("CLEANCRAWL_TEMPLATES_ENABLED"):
            template_options = TemplateOptions(
                min_pages=settings.getint("CLEANCRAWL_TEMPLATE_MIN_PAGES"),
                min_share=settings.getfloat("CLEANCRAWL_TEMPLATE_MIN_SHARE"),
            )
            pipeline = _DiskTemplatePipeline if scratch is not None else TemplatePipeline
            self.templates = pipeline(
                DiskSiteTemplates(template_options, scratch / TEMPLATES)
                if scratch is not None
                else SiteTemplates(template_options),
                scrapy_stats,
                hold_pages=settings.getint("CLEANCRAWL_TEMPLATE_HOLD_PAGES"),
                hold_seconds=0.0,
                min_words=settings.getint("CLEANCRAWL_MIN_WORDS") or None,
                audit_removed_lines=settings.getbool("CLEANCRAWL_AUDIT_REMOVED_LINES"),
            )
            if store is not None:
                # added after the pipeline is made, not given to it: a crawl decides a
                # domain with enough stored pages from those alone, `clean` decides every
                # domain from the stored counts and all the pages of its inputs
                self.templates.templates.load(store.template_rows())
                self.templates.store = store  # pages counted before are not counted again
        self.ids = self.seen  # the ids of the rows written: the same row twice is one

    def count(self, page: _Page, result: CleanResult) -> None:
        """Count a cleaned page's lines towards its domain's template (the first pass)."""
        if self.templates is not None and result.drop_reason is None:
            domain = (urlsplit(page.item.url).hostname or "").lower()
            self.templates.count(domain, page.item.url, result.text, _line_keys(result))

    def remember(self, row: dict[str, Any]) -> None:
        """Take in a row written by an earlier run over the same output (resume); into the
        state directory too if that run was killed before it got there."""
        self.ids.add(row["id"])
        self.seen.claim_text(row["content_hash"], row["url"])
        signature = None
        if self.near is not None and row["duplicate_of"] is None:
            signature = text_signature(row["text"], self.near.index.options)
            if signature is not None:
                self.near.index.add(row["url"], signature)
        if self.history is not None and self.history.page(row["url"]) is None:
            minhash = signature_bytes(signature) if signature is not None else None
            self.save([_Saved(row["url"], row["content_hash"], None, None, minhash)])

    def save(self, rows: list[_Saved]) -> None:
        """Note written rows in the state directory: once their input is in the ledger, so
        that a kill before never leaves a row in the state that a redo would call unchanged."""
        if self.history is None or not rows:
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        pages = [(r.url, r.content_hash, now, r.etag, r.last_modified, None) for r in rows]
        self.history.store.save_pages(pages)
        if self.near is not None:
            key = self.near.index.options.key
            self.history.store.save_minhashes((r.url, key, r.minhash) for r in rows if r.minhash)

    def close(self) -> None:
        """Store the template counts (with a state directory), as a crawl does at its end."""
        if self.templates is not None:
            self.templates.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The scratch files' writes inside in one transaction each (``Batched``)."""
        with ExitStack() as stack:
            for scratch in (
                self.seen,
                self.near.index if self.near is not None else None,
                self.templates.templates if self.templates is not None else None,
            ):
                if isinstance(scratch, Batched):
                    stack.enter_context(scratch.batch())
            yield

    def discard(self) -> None:
        """Remove the scratch files."""
        if self.near is not None and isinstance(self.near.index, DiskNearIndex):
            self.near.index.close()
        if self.templates is not None and isinstance(self.templates.templates, DiskSiteTemplates):
            self.templates.templates.close()
        self.seen.close()

    def article(self, page: _Page, result: CleanResult) -> tuple[ArticleItem | None, str]:
        """The row of a cleaned page, or the reason it is not written."""
        for removed in result.removed_lines:
            self.stats.inc_value(f"cleaning/lines_removed/{removed.reason}")
        if result.drop_reason is not None:
            self.stats.inc_value(f"cleaning/dropped/{result.drop_reason}")
            return None, result.drop_reason
        self.stats.inc_value("cleaning/kept")
        item = self.cleaning.article(page.item, result)
        item.spider = page.spider
        if isinstance(result, SignedResult):  # made in the worker: of the text before a cut
            item.minhash = result.minhash  # (TemplatePipeline.cut sets both to None then)
            item.facts = text_facts(result)
        try:
            if self.templates is not None:
                item = self.templates.cut(item)
        except DropItem as exc:
            return None, re.split(r"[: ]", str(exc), maxsplit=1)[0]
        if item.id in self.ids:
            # the same URL with the same text, archived twice: one row
            self.stats.inc_value("cleaning/dropped/same_page")
            self.stats.inc_value("cleaning/kept", -1)
            return None, "same_page"
        try:
            item = self.quality.process_item(item)
            for step in (self.duplicates, self.near):
                if step is not None:
                    item = step.process_item(item)
        except DropItem as exc:
            # the pipelines' messages start with the reason: "duplicate_text: URL"
            return None, re.split(r"[: ]", str(exc), maxsplit=1)[0]
        self.ids.add(item.id)
        return item, ""


class _DiskTemplatePipeline(TemplatePipeline):
    """``TemplatePipeline`` over ``DiskSiteTemplates``: the pages already counted are
    noted in its file, not in a set (two keys a page), and the counts are stored in the
    state directory from the file."""

    templates: DiskSiteTemplates

    def _count_once(self, keys: tuple[int, int]) -> bool:
        return self.templates.count_once(keys)

    def close(self) -> None:
        """As ``TemplatePipeline.close`` (``clean`` holds no page: nothing to release)."""
        late = self.templates.all_late_lines()
        if late:
            self.stats.set_value("cleaning/template_late_lines", late)
        if self.store is not None:
            self.store.save_templates(self.templates, self.templates.counted_pages())


def _line_keys(result: CleanResult) -> LineKeys | None:
    return result.line_keys if isinstance(result, SignedResult) else None


@dataclass(frozen=True, slots=True)
class _Saved:
    """What the state directory keeps of a written row."""

    url: str
    content_hash: str
    etag: str | None
    last_modified: str | None
    minhash: bytes | None


# ---------------------------------------------------------------------------- the run


class _Ledger:
    """The inputs whose Parquet files are all closed, one JSON line each, after a header."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path.exists():
            lines = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
            if lines and lines[0].get("settings") != header["settings"]:
                raise ConfigError(
                    f"{path.parent} was written by a run with other settings "
                    f"({lines[0].get('settings')}): use another output folder"
                )
            self.header = lines[0] if lines else header
            for entry in lines[1:]:
                self.entries[entry["input"]] = entry
        else:
            self.header = header
            self._append(header)

    def add(self, entry: dict[str, Any]) -> None:
        self._append(entry)
        self.entries[entry["input"]] = entry

    def _append(self, entry: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


class Progress:
    """One line on stderr: records read, pages cleaned per second, written, dropped."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.every = 1.0 if self.live else 30.0
        self.last = time.monotonic()

    def show(self, totals: _Totals, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < self.every:
            return
        self.last = now
        rate = totals.cleaned / max(now - totals.started, 1e-9)
        line = (
            f"records {totals.records:,} · pages/s {rate:,.1f} · "
            f"written {totals.written:,} · dropped {totals.dropped:,}"
        )
        if self.live:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def run_clean(job: CleanJob, *, progress: Progress | None = None) -> ExitCode:
    """Clean every input into ``job.output``; resume from its ledger; write the stats JSON.

    With site templates on (``CLEANCRAWL_TEMPLATES_ENABLED``, as in a crawl), every input is
    cleaned first and its results kept in ``OUT/_clean_spill/`` while each domain's lines are
    counted; the templates are then decided from all the pages of the input, and the rows
    written: the output does not depend on the order of the records.

    With a state directory (``job.state``), the templates are decided from its counts and
    this run's, duplicates are looked for among its texts too, and each input's rows go
    into it once the input is in the ledger; the template counts at the end.
    """
    settings = job.settings
    job.output.mkdir(parents=True, exist_ok=True)
    templates_on = settings.getbool("CLEANCRAWL_TEMPLATES_ENABLED")
    fingerprint: dict[str, Any] = {
        "overrides": dict(sorted(job.overrides.items())),
        "sites": [site.name for site in job.sites],
        "domains": list(job.domains),
    }
    if templates_on:
        # templates are decided over all the inputs: another list would decide others
        fingerprint["inputs"] = [str(path) for path in job.inputs]
    if job.state is not None:
        fingerprint["state"] = str(job.state.resolve())
    crawl_id = settings.get("CLEANCRAWL_CRAWL_ID") or (
        datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + os.urandom(3).hex()
    )
    ledger = _Ledger(job.output / LEDGER, {"crawl_id": crawl_id, "settings": fingerprint})
    crawl_id = ledger.header["crawl_id"]
    # locked for the whole run: a crawl or another `clean` would overwrite its counts
    lock = StateLock(job.state) if job.state is not None else None
    try:
        store = StateStore(job.state) if job.state is not None else None
        return _run(job, ledger, crawl_id, progress, store)
    finally:
        if lock is not None:
            lock.file.close()  # released (the kernel would at exit; a test runs on)


def _run(
    job: CleanJob,
    ledger: _Ledger,
    crawl_id: str,
    progress: Progress | None,
    store: StateStore | None,
) -> ExitCode:
    settings = job.settings
    templates_on = settings.getbool("CLEANCRAWL_TEMPLATES_ENABLED")
    stats = _Stats()
    steps = _Steps(settings, stats, crawl_id, store, job.output)
    site_options = {
        site.name: replace(steps.cleaning.options, prune_xpaths=site.prune_xpaths)
        for site in job.sites
        if site.prune_xpaths
    }
    pool = PoolSettings.from_settings(settings)
    cleaner = _Cleaner(
        steps.cleaning.options,
        site_options,
        workers=job.workers,
        timeout=pool.timeout,
        near=steps.near.index.options if steps.near is not None else None,
        line_keys=templates_on,
    )
    reader = _Reader(job, cleaner, _Totals(), progress, settings.getint("DOWNLOAD_MAXSIZE"))
    spill = job.output / SPILL
    to_do = [path for path in job.inputs if str(path) not in ledger.entries]
    outcomes: Counter[str] = Counter()
    all_stats: Counter[str] = Counter()
    files: list[str] = []
    try:
        if templates_on and to_do:
            spill.mkdir(exist_ok=True)
            for path in job.inputs:  # first pass: clean, keep, count
                entries = reader.spilled(path, spill / f"{_basename(path)}.pickle")
                for page, _, result in _in_batches(entries, steps):
                    if page is not None and result is not None:
                        steps.count(page, result)
            all_stats.update(stats.values)  # pages counted by an earlier run (state)
        for path in job.inputs:
            done = ledger.entries.get(str(path))
            if done is not None:
                for name in done["files"]:
                    columns = ["id", "url", "content_hash", "text", "duplicate_of"]
                    for row in pq.read_table(job.output / name, columns=columns).to_pylist():
                        steps.remember(row)
            else:
                stats.values = Counter()
                entries = (
                    reader.spilled(path, spill / f"{_basename(path)}.pickle")
                    if templates_on
                    else reader.cleaned(path)
                )
                done, saved = _write_file(path, entries, job, crawl_id, steps, reader.totals)
                ledger.add(done)
                steps.save(saved)
            outcomes.update(done["outcomes"])
            all_stats.update(done["stats"])
            files += done["files"]
        stats.values = Counter()
        steps.close()
        all_stats.update(stats.values)
    finally:
        cleaner.close()
        steps.discard()
    for leftover in sorted(spill.glob("*")) if spill.exists() else []:
        leftover.unlink()  # every input is in the ledger: the spill is no longer needed
    if spill.exists():
        spill.rmdir()
    if progress is not None:
        progress.show(reader.totals, final=True)
    resumed = len(job.inputs) - len(to_do)
    final = _final_stats(job, crawl_id, outcomes, all_stats, files, resumed)
    stats_file = job.stats_file or job.output / STATS
    stats_file.write_text(json.dumps(final, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(summary(final, job.output, stats_file))
    return ExitCode.OK if final["clean/records"] else ExitCode.NOTHING_FETCHED


# (page, "", result) for a page, (None, outcome, None) for any other record, in record order
_Entry = tuple[_Page | None, str, CleanResult | None]


class _Reader:
    """The records of an input turned into entries: read, classified and cleaned."""

    def __init__(
        self,
        job: CleanJob,
        cleaner: _Cleaner,
        totals: _Totals,
        progress: Progress | None,
        max_body: int,
    ) -> None:
        self.job, self.cleaner, self.totals, self.progress = job, cleaner, totals, progress
        self.max_body = max_body or 16 * 1024 * 1024

    def cleaned(self, path: Path) -> Iterator[_Entry]:
        """The entries of ``path``, its pages cleaned (in the pool, in record order)."""
        unreadable: Counter[str] = Counter()
        pending: deque[tuple[_Page, _Pending]] = deque()
        spider = SPIDER
        for record, over in read_records(path, unreadable, self.max_body):
            self.totals.records += 1
            if record.rec_type == "warcinfo":
                spider = _warcinfo_spider(record) or spider
            page, outcome = page_of(record, self.job, spider, self.max_body, over=over)
            if page is None:
                yield None, outcome, None
            else:
                pending.append((page, self.cleaner.submit(page)))
                if len(pending) >= self.cleaner.window:
                    yield self._done(pending)
            if self.progress is not None:
                self.progress.show(self.totals)
        while pending:
            yield self._done(pending)
        for outcome, count in unreadable.items():
            for _ in range(count):
                yield None, outcome, None

    def _done(self, pending: deque[tuple[_Page, _Pending]]) -> _Entry:
        page, future = pending.popleft()
        self.totals.cleaned += 1
        page.payload = (b"", None)  # cleaned: the body is not needed any more (nor spilled)
        return page, "", self.cleaner.result(future, page.item.url)

    def spilled(self, path: Path, spill: Path) -> Iterator[_Entry]:
        """The entries of ``path``, kept in ``spill`` by the first pass (made if missing)."""
        if not spill.exists():
            temporary = spill.with_name(spill.name + ".tmp")
            with temporary.open("wb") as handle:
                for entry in self.cleaned(path):
                    pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
                    yield entry
                handle.flush()
                os.fsync(handle.fileno())
            temporary.rename(spill)
            return
        with spill.open("rb") as handle:
            while True:
                try:
                    yield pickle.load(handle)  # our own file, written by the first pass
                except EOFError:
                    return


BATCH = 64  # entries whose scratch writes share one transaction (Batched)


def _in_batches(entries: Iterable[_Entry], steps: _Steps) -> Iterator[_Entry]:
    """``entries``, the steps' scratch writes for each ``BATCH`` of them in one transaction
    (a page's template counts, ids and signature: a transaction each cost some 0.1 CPU ms
    a page)."""
    iterator = iter(entries)
    while chunk := list(itertools.islice(iterator, BATCH)):
        with steps.batch():
            yield from chunk


def _write_file(
    path: Path,
    entries: Iterable[_Entry],
    job: CleanJob,
    crawl_id: str,
    steps: _Steps,
    totals: _Totals,
) -> tuple[dict[str, Any], list[_Saved]]:
    """Write the rows of one input to its own Parquet files: the ledger entry once closed,
    and what the state directory is to keep of the rows."""
    basename = _basename(path)
    for stale in (*job.output.glob(f"{basename}-*.parquet"), *job.output.glob(f".{basename}-*")):
        stale.unlink()  # left by a run killed in this input: redone from the start
    settings = job.settings
    writer = RollingParquetWriter(
        ParquetOptions(
            directory=job.output,
            basename=basename,
            max_rows_per_file=settings.getint("CLEANCRAWL_PARQUET_MAX_ROWS"),
            batch_size=settings.getint("CLEANCRAWL_PARQUET_BATCH_SIZE"),
            compression=settings.get("CLEANCRAWL_PARQUET_COMPRESSION"),
        ),
        ARTICLE_SCHEMA,
        {
            "cleancrawl.schema_version": SCHEMA_VERSION,
            "cleancrawl.version": CLEANCRAWL_VERSION,
            "cleancrawl.extractor_version": EXTRACTOR_VERSION,
            "cleancrawl.crawl_id": crawl_id,
            "cleancrawl.input": path.name,
        },
    )
    outcomes: Counter[str] = Counter()
    saved: list[_Saved] = []
    for page, outcome, result in _in_batches(entries, steps):
        if page is None or result is None:
            outcomes[outcome] += 1
            if is_page_outcome(outcome):
                steps.stats.inc_value(f"cleaning/dropped/{outcome}")
                totals.dropped += 1
            continue
        article, reason = steps.article(page, result)
        if article is None:
            outcomes[reason] += 1
            totals.dropped += 1
            continue
        # the fields as they are: ItemAdapter.asdict copies them all, nested lists too
        writer.write({name: getattr(article, name) for name in ARTICLE_SCHEMA.names})
        if steps.history is not None:
            saved.append(
                _Saved(
                    article.url,
                    article.content_hash,
                    article.etag,
                    article.last_modified,
                    article.minhash,
                )
            )
        outcomes["written"] += 1
        totals.written += 1
    writer.close()
    entry = {
        "input": str(path),
        "files": [f.name for f in writer.files],
        "rows": writer.rows_written,
        "outcomes": dict(sorted(outcomes.items())),
        "stats": dict(sorted(steps.stats.values.items())),
    }
    return entry, saved


def is_page_outcome(outcome: str) -> bool:
    """True for a drop reason of a page (``not_html``, ``http_404``), False for a record
    that is no page (``not_response``, ``revisit``...)."""
    return outcome not in set(RecordOutcome)


def _basename(path: Path) -> str:
    """The start of the Parquet file names of one input: its name and a hash of its path."""
    name = path.name
    for suffix in (".open", ".gz", ".warc"):
        name = name.removesuffix(suffix)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip("._") or "warc"
    return f"{name}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


def _final_stats(
    job: CleanJob,
    crawl_id: str,
    outcomes: Counter[str],
    stats: Counter[str],
    files: list[str],
    resumed: int,
) -> dict[str, Any]:
    result: dict[str, Any] = dict(stats)
    result.update({f"clean/outcome/{name}": count for name, count in outcomes.items()})
    result.update(
        {
            "clean/crawl_id": crawl_id,
            "clean/inputs": len(job.inputs),
            "clean/inputs_resumed": resumed,
            "clean/records": sum(outcomes.values()),
            "parquet/rows_written": outcomes.get("written", 0),
            # this process (reading, the steps after cleaning, writing), workers aside
            "clean/peak_rss_mb": peak_rss_mb(),
            "parquet/files_written": len(files),
        }
    )
    return result


def peak_rss_mb() -> int:
    """The most memory this process has held (MB), its own: not its parent's.

    Linux's ``ru_maxrss`` carries the parent's peak over into a child started with
    fork and exec (the kernel keeps the larger of the two through the exec): a ``clean``
    started by a process holding 1.5 GB said 1.5 GB however little it held itself (the
    benchmark's, after timing ``clean_page`` on 2,000 real pages). ``VmHWM`` is the peak
    of this program's own memory, since the exec.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:  # no /proc (macOS): the best there is
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    match = re.search(r"^VmHWM:\s*(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024) if match else 0


def summary(stats: dict[str, Any], output: Path, stats_file: Path) -> str:
    """A few lines on what the run wrote and why the rest was not, for a person."""
    prefix = "clean/outcome/"
    outcomes = {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}
    dropped = {k: v for k, v in outcomes.items() if k != "written" and is_page_outcome(k)}
    other = {k: v for k, v in outcomes.items() if k != "written" and not is_page_outcome(k)}
    lines = [
        "",
        f"cleancrawl clean finished: {stats['clean/inputs']} input file(s)"
        f" ({stats['clean/inputs_resumed']} done by an earlier run), "
        f"{stats['clean/records']} records.",
        f"Wrote {stats['parquet/rows_written']} pages to {stats['parquet/files_written']} "
        f"file(s) in {output}",
    ]
    if dropped:
        lines.append("Not written: " + ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())))
    if other:
        lines.append("Not pages: " + ", ".join(f"{k} {v}" for k, v in sorted(other.items())))
    lines.append(f"Stats: {stats_file}")
    return "\n".join(lines)

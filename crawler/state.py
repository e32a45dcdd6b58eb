"""The crawl state: what one run leaves for the next.

Two stores keep it, behind one interface (``CrawlState``), chosen in one place
(``state_for``): on one machine, the SQLite file of the state directory
(``CLEANCRAWL_STATE_DIR``, ``StateStore``); in a distributed crawl (``REDIS_URL``), Redis,
shared by every worker (``crawler.shared_state.RedisState``).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol
from weakref import WeakKeyDictionary

from cleaning.neardup import NearDuplicateIndex, signature_from_bytes
from crawler.cluster import cluster_for
from crawler.config import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.crawler import Crawler

    from cleaning.neardup import NearDuplicateOptions, Signature
    from cleaning.templates import SiteTemplates

SCHEMA = """
create table if not exists template_lines (
    domain text not null,
    line_key integer not null,  -- cleaning.templates.line_key; 0 holds the page count
    pages integer not null,
    primary key (domain, line_key)
) without rowid;
create table if not exists template_pages (
    page_key integer primary key  -- cleaning.templates.page_keys: pages already counted
) without rowid;
create table if not exists pages (
    url text primary key,
    content_hash text not null,
    written_at text not null,     -- ISO time the row was in a closed Parquet file
    etag text,                    -- response headers, for conditional re-fetches
    last_modified text,
    lastmod text                  -- what the sitemap or feed said when it was fetched
) without rowid;
create index if not exists pages_by_hash on pages (content_hash);
create table if not exists minhashes (
    url text primary key,
    options text not null,        -- cleaning.neardup.NearDuplicateOptions.key
    signature blob not null
) without rowid;
"""


class PageEntry(NamedTuple):
    """What the history keeps of a written URL."""

    content_hash: str
    written_at: str  # ISO time the row was in a closed Parquet file
    etag: str | None
    last_modified: str | None
    lastmod: str | None  # what the sitemap or feed said when it was fetched


# (url, content_hash, written_at, etag, last_modified, lastmod)
PageRow = tuple[str, str, str, str | None, str | None, str | None]


class NearDuplicates(Protocol):
    """An index of near-duplicate signatures (``cleaning.neardup.NearDuplicateIndex``)."""

    options: NearDuplicateOptions

    def __len__(self) -> int: ...
    def add(self, key: str, signature: Signature) -> None: ...
    def find(self, signature: Signature, *, exclude: str = "") -> tuple[str, float] | None: ...


class CrawlState(Protocol):
    """What the incremental, duplicate, near-duplicate and template steps read and leave."""

    def page(self, url: str) -> PageEntry | None:
        """What was kept of ``url`` when its row was written, or None."""
        ...

    def url_of_text(self, content_hash: str) -> str | None:
        """A written URL with this text, or None."""
        ...

    def save_pages(self, rows: Iterable[PageRow]) -> None:
        """Record rows whose file is about to be renamed into place."""
        ...

    def save_minhashes(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Record (url, options key, signature) of rows whose file is about to be renamed."""
        ...

    def near_duplicate_index(
        self, options: NearDuplicateOptions, *, earlier_runs: bool
    ) -> NearDuplicates:
        """The index to look texts up in and add them to (with the texts of earlier runs,
        unless not ``earlier_runs``)."""
        ...

    def template_rows(self) -> list[tuple[str, int, int]]:
        """(domain, line key, pages) counts stored so far (``SiteTemplates.load``)."""
        ...

    def count_template_page(self, domain: str, keys: tuple[int, int], lines: Iterable[int]) -> bool:
        """Whether a page (``cleaning.templates.page_keys``) is counted now: False if it
        was counted before."""
        ...

    def save_templates(self, templates: SiteTemplates, pages: Iterable[int]) -> None:
        """Keep the counts at the end of the run (``pages``: the keys of its pages)."""
        ...

    def template_decision(
        self, domain: str, proposal: frozenset[int] | None
    ) -> frozenset[int] | None:
        """The template of ``domain`` for this crawl: ``proposal``, or the one another
        process of the crawl decided first."""
        ...


class StateStore:
    """An SQLite file in the state directory, in WAL mode so readers never block the crawl.

    Implements ``CrawlState`` for one process: the written URLs are read once and kept in
    memory, template counts are stored at the end of the run.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "state.sqlite"
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)
        self._pages: dict[str, PageEntry] | None = None  # read on first use
        self._texts: dict[str, str] = {}

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("pragma journal_mode=wal")
        return db

    def template_rows(self) -> list[tuple[str, int, int]]:
        with closing(self._connect()) as db:
            return db.execute("select domain, line_key, pages from template_lines").fetchall()

    def save_template_rows(
        self, rows: Iterable[tuple[str, int, int]], pages: Iterable[int] = ()
    ) -> None:
        """Replace the stored template counts with ``rows`` and add the keys of the
        ``pages`` they count, in one transaction."""
        with closing(self._connect()) as db, db:
            db.execute("delete from template_lines")
            db.executemany("insert into template_lines values (?, ?, ?)", rows)
            db.executemany(
                "insert or ignore into template_pages values (?)", ((key,) for key in pages)
            )

    def template_pages_counted(self, keys: Iterable[int]) -> bool:
        """Whether any of ``keys`` (``cleaning.templates.page_keys``) is of a counted page."""
        keys = tuple(keys)
        marks = ", ".join("?" * len(keys))
        with closing(self._connect()) as db:
            query = f"select 1 from template_pages where page_key in ({marks}) limit 1"
            return db.execute(query, keys).fetchone() is not None

    def pages(self) -> dict[str, tuple[str, str, str | None, str | None, str | None]]:
        """Every written URL: (content_hash, written_at, etag, last_modified, lastmod)."""
        with closing(self._connect()) as db:
            rows = db.execute("select * from pages").fetchall()
        return {row[0]: tuple(row[1:]) for row in rows}

    def save_pages(
        self, rows: Iterable[tuple[str, str, str, str | None, str | None, str | None]]
    ) -> None:
        """Insert or replace (url, content_hash, written_at, etag, last_modified, lastmod)."""
        rows = list(rows)
        with closing(self._connect()) as db, db:
            db.executemany("insert or replace into pages values (?, ?, ?, ?, ?, ?)", rows)
        if self._pages is not None:
            for url, digest, when, etag, modified, lastmod in rows:
                self._pages[url] = PageEntry(digest, when, etag, modified, lastmod)
                self._texts.setdefault(digest, url)

    def page(self, url: str) -> PageEntry | None:
        return self._history().get(url)

    def url_of_text(self, content_hash: str) -> str | None:
        self._history()
        return self._texts.get(content_hash)

    def _history(self) -> dict[str, PageEntry]:
        if self._pages is None:
            self._pages = {url: PageEntry(*entry) for url, entry in self.pages().items()}
            self._texts = {entry.content_hash: url for url, entry in self._pages.items()}
        return self._pages

    def near_duplicate_index(
        self, options: NearDuplicateOptions, *, earlier_runs: bool
    ) -> NearDuplicateIndex:
        """An index in memory, holding the signatures of earlier runs if ``earlier_runs``."""
        index = NearDuplicateIndex(options)
        if earlier_runs:
            for url, data in self.minhashes(options.key):
                index.add(url, signature_from_bytes(data, options))
        return index

    def count_template_page(self, domain: str, keys: tuple[int, int], lines: Iterable[int]) -> bool:
        # counted in memory by the caller, stored at the end (save_templates)
        return not self.template_pages_counted(keys)

    def save_templates(self, templates: SiteTemplates, pages: Iterable[int]) -> None:
        self.save_template_rows(templates.rows(), pages)

    def template_decision(
        self, domain: str, proposal: frozenset[int] | None
    ) -> frozenset[int] | None:
        return proposal  # one process: its own decision

    def minhashes(self, options: str) -> list[tuple[str, bytes]]:
        """(url, signature) of every written text signed with ``options`` (a key)."""
        with closing(self._connect()) as db:
            query = "select url, signature from minhashes where options = ?"
            return db.execute(query, (options,)).fetchall()

    def save_minhashes(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Insert or replace (url, options, signature)."""
        with closing(self._connect()) as db, db:
            db.executemany("insert or replace into minhashes values (?, ?, ?)", rows)


class StateLock:
    """An exclusive lock on the state directory, held for the whole run.

    Two crawls sharing a state directory would each overwrite the other's template counts
    and crawl history, so the second one refuses to start. The lock is released by the
    kernel when the process ends, however it ends. (The job directory is locked the same
    way: ``crawler/resume.py``.)
    """

    def __init__(
        self,
        directory: Path,
        *,
        name: str = "state.lock",
        what: str = "state directory",
        remedy: str = "give this one its own CLEANCRAWL_STATE_DIR",
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.file = (directory / name).open("a+")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.seek(0)
            holder = self.file.read().strip() or "another process"
            self.file.close()
            raise ConfigError(
                f"{what} {directory}: in use by another crawl ({holder}); "
                f"wait for it to finish or {remedy}"
            ) from None
        self.file.truncate(0)
        self.file.write(f"pid {os.getpid()}")
        self.file.flush()


_stores: WeakKeyDictionary[Crawler, tuple[CrawlState, StateLock | None]] = WeakKeyDictionary()


def state_for(crawler: Crawler) -> CrawlState | None:
    """The crawl's state: in Redis with ``REDIS_URL`` (shared by the crawl's processes), in
    the SQLite file of ``CLEANCRAWL_STATE_DIR`` (locked for this run), else None."""
    if crawler in _stores:
        return _stores[crawler][0]
    cluster = cluster_for(crawler)
    directory = crawler.settings.get("CLEANCRAWL_STATE_DIR")
    if cluster is not None:
        if directory:
            raise ConfigError(
                "CLEANCRAWL_STATE_DIR and REDIS_URL: a distributed crawl keeps its state in "
                "Redis; leave CLEANCRAWL_STATE_DIR out"
            )
        from crawler.shared_state import RedisState

        _stores[crawler] = (RedisState(cluster), None)
    elif directory:
        lock = StateLock(Path(directory))
        _stores[crawler] = (StateStore(Path(directory)), lock)
    else:
        return None
    return _stores[crawler][0]

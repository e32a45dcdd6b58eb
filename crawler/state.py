"""The crawl state directory: what one run leaves for the next, in SQLite."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from crawler.config import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.crawler import Crawler

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


class StateStore:
    """An SQLite file in the state directory, in WAL mode so readers never block the crawl."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "state.sqlite"
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)

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
        with closing(self._connect()) as db, db:
            db.executemany("insert or replace into pages values (?, ?, ?, ?, ?, ?)", rows)

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
    kernel when the process ends, however it ends.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.file = (directory / "state.lock").open("a+")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.seek(0)
            holder = self.file.read().strip() or "another process"
            self.file.close()
            raise ConfigError(
                f"state directory {directory}: in use by another crawl ({holder}); "
                "wait for it to finish or give this one its own CLEANCRAWL_STATE_DIR"
            ) from None
        self.file.truncate(0)
        self.file.write(f"pid {os.getpid()}")
        self.file.flush()


_stores: WeakKeyDictionary[Crawler, tuple[StateStore, StateLock]] = WeakKeyDictionary()


def state_for(crawler: Crawler) -> StateStore | None:
    """The crawl's state store, locked for this run, or None without CLEANCRAWL_STATE_DIR."""
    directory = crawler.settings.get("CLEANCRAWL_STATE_DIR")
    if not directory:
        return None
    if crawler not in _stores:
        lock = StateLock(Path(directory))
        _stores[crawler] = (StateStore(Path(directory)), lock)
    return _stores[crawler][0]

"""Resuming a crawl killed mid-run: which URLs are in closed Parquet files, kept in JOBDIR.

Scrapy's job directory (``-s JOBDIR=...``) lets a crawl stopped with Ctrl-C or SIGTERM go on
where it stopped, but its request queue and seen-requests file are only saved on a clean stop:
after a SIGKILL, a power cut or the OOM killer, they hold a mix of requests done, in flight and
lost. So cleancrawl keeps its own record in the job directory, ``cleancrawl-written.sqlite``:
the URL of every row, with the Parquet file it is in, committed just before that file is
renamed into place. A file that exists on disk therefore has all its URLs recorded, and a
record whose file does not exist is a row that was lost with its unfinished file.

When a run starts and finds that the previous one never closed, it drops the records of lost
rows, removes the previous run's unfinished hidden files, and removes Scrapy's own queue and
seen-requests file, so that the crawl starts over from its start URLs, sitemaps and feeds. URLs
already in a closed file are skipped (before download, and again before writing), so nothing is
written twice; everything else, rows lost with the unfinished file included, is fetched again.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Self
from weakref import WeakKeyDictionary

from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

from crawler.middlewares import RefusedRequest
from crawler.state import StateLock

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

LEDGER_NAME = "cleancrawl-written.sqlite"
# Scrapy's JOBDIR state that is only consistent after a clean stop
SCRAPY_STATE = ("requests.queue", "requests.seen")

SCHEMA = """
create table if not exists written (url text primary key, file text not null) without rowid;
create table if not exists run (key text primary key, value text not null) without rowid;
"""


class WrittenLedger:
    """The URLs in closed Parquet files of this job, in SQLite (WAL) in the job directory."""

    def __init__(self, directory: Path, output: Path) -> None:
        # one live process per job directory: a second one would take the first's "open"
        # mark for a killed run and delete its unfinished files (each worker of a
        # distributed crawl has a JOBDIR of its own)
        self.lock = StateLock(
            directory,
            name="cleancrawl-job.lock",
            what="job directory",
            remedy="give each process its own JOBDIR",
        )
        self.directory = directory
        self.db = sqlite3.connect(directory / LEDGER_NAME, isolation_level=None)
        self.db.execute("pragma journal_mode=wal")
        self.db.executescript(SCHEMA)
        self.resumed_after_kill = self._get("open") == "1"
        if self.resumed_after_kill:
            self._recover(output)
        self.urls = {url for (url,) in self.db.execute("select url from written")}
        self._set("open", "1")

    def record(self, file: Path, urls: Iterable[str]) -> None:
        """Record the URLs of ``file`` before it is renamed into place (one transaction)."""
        urls = list(urls)
        with self.db:
            self.db.execute("begin")
            self.db.executemany(
                "insert or replace into written values (?, ?)", [(u, str(file)) for u in urls]
            )
        self.urls.update(urls)

    def note_basename(self, basename: str) -> None:
        """Remember the run's file names, to clear its hidden files if it is killed."""
        self._set("basename", basename)

    def close(self) -> None:
        """Mark the run as closed cleanly: Scrapy's own job state is good to resume from."""
        self._set("open", "0")
        self.db.close()
        self.lock.file.close()

    def _recover(self, output: Path) -> None:
        lost = [
            file
            for (file,) in self.db.execute("select distinct file from written")
            if not Path(file).exists()
        ]
        with self.db:
            self.db.execute("begin")
            self.db.executemany("delete from written where file = ?", [(f,) for f in lost])
        basename = self._get("basename")
        # this job's own files only: another crawl's or worker's have another basename
        pattern = f".{basename}-{'[0-9]' * 5}.parquet.tmp"
        unfinished = sorted(output.glob(pattern)) if basename else []
        for path in unfinished:
            path.unlink()
        for name in SCRAPY_STATE:
            path = self.directory / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        logger.warning(
            "The previous run of job %s was killed: starting again from the start URLs, "
            "sitemaps and feeds, skipping %d URLs already in closed files (%d unfinished files "
            "removed)",
            self.directory,
            self.db.execute("select count(*) from written").fetchone()[0],
            len(unfinished),
        )

    def _get(self, key: str) -> str | None:
        row = self.db.execute("select value from run where key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str) -> None:
        self.db.execute("insert or replace into run values (?, ?)", (key, value))


_ledgers: WeakKeyDictionary[Crawler, WrittenLedger] = WeakKeyDictionary()


def ledger_for(crawler: Crawler) -> WrittenLedger | None:
    """The crawl's ledger when it runs with a JOBDIR (one per crawler), else None.

    Called from components' ``from_crawler``, which Scrapy runs before its scheduler loads
    the job's queue, so a queue left by a killed run is cleared before anyone reads it.
    """
    directory = job_dir(crawler.settings)
    if not directory:
        return None
    if crawler not in _ledgers:
        output = Path(crawler.settings.get("CLEANCRAWL_OUTPUT_DIR"))
        _ledgers[crawler] = WrittenLedger(Path(directory), output)
    return _ledgers[crawler]


class SkipWrittenMiddleware:
    """Downloader middleware: a URL already in a closed file of this job is not fetched."""

    def __init__(self, ledger: WrittenLedger) -> None:
        self.ledger = ledger

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ledger = ledger_for(crawler)
        if ledger is None:
            # off unless the crawl has a JOBDIR: the usual case, so no message (Scrapy logs
            # a message as a warning on every run)
            raise NotConfigured
        return cls(ledger)

    def process_request(self, request: Request) -> None:
        if request.url in self.ledger.urls:
            # counted by the spider's errback, as every refused page request
            raise RefusedRequest(
                "already_written", f"already written by an earlier run of this job: {request.url}"
            )

"""The near-duplicate index of ``cleancrawl clean`` in a scratch SQLite file, not in memory.

A crawl keeps its LSH index in memory (``cleaning.neardup.NearDuplicateIndex``): some 3 kB a
row, which a crawl of a few sites can afford. ``clean`` runs over WARC files of any size, a
Common Crawl segment holds millions of pages, so its index lives on disk and its memory stays
flat. The answers are the same: the same bands of the same signatures give the same
candidates, checked against the threshold the same way.

The file is the run's scratch (``OUT/_clean_index.sqlite``): made anew by each run (a
resumed run rebuilds it from the rows already written), removed at the end, and written
without a journal or syncs, since nothing reads it after a crash.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from cleaning.neardup import (
    NearDuplicateIndex,
    NearDuplicateOptions,
    Signature,
    lsh_bands,
    signature_bytes,
    signature_from_bytes,
)

_STORED = np.dtype("<u4")  # as cleaning.neardup stores affine32 signatures

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def scratch_db(path: Path | None, schema: str, cache_kb: int = 4000) -> sqlite3.Connection:
    """A run's scratch SQLite file made anew (in memory if ``path`` is None), with no
    journal and no syncs: nothing reads it after a crash."""
    if path is not None:
        path.unlink(missing_ok=True)
    db = sqlite3.connect(":memory:" if path is None else path, isolation_level=None)
    db.executescript(
        f"pragma journal_mode=off; pragma synchronous=off; pragma cache_size=-{cache_kb};"
    )
    db.executescript(schema)
    return db


class Batched:
    """A scratch file whose writes can share one transaction (``batch``).

    Each write is a transaction of its own otherwise, which costs as much again as its
    statements (with no journal and no syncs: the file is thrown away on a crash, so
    nothing is lost by committing later). ``cleancrawl clean`` writes its pages' counts,
    ids and signatures a chunk of pages at a time.
    """

    _db: sqlite3.Connection
    _batched = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run the writes inside as one transaction (nested: the outer one)."""
        if self._batched:
            yield
            return
        self._db.execute("begin")
        self._batched = True
        try:
            yield
        finally:
            self._batched = False
            self._db.execute("commit")

    def _begin(self) -> None:
        if not self._batched:
            self._db.execute("begin")

    def _commit(self) -> None:
        if not self._batched:
            self._db.execute("commit")


SCHEMA = """
create table signatures (url text primary key, signature blob not null) without rowid;
create table bands (
    band integer not null,
    key integer not null,   -- 8 bytes of a hash of the band's values: a collision only adds
    url text not null,      -- a candidate, which the similarity check then turns down
    primary key (band, key, url)
) without rowid;
"""


class DiskNearIndex(Batched, NearDuplicateIndex):
    """``NearDuplicateIndex`` with its signatures and LSH bands in an SQLite file."""

    def __init__(self, options: NearDuplicateOptions, path: Path) -> None:
        # not NearDuplicateIndex's: its MinHashLSH (and datasketch's import, 0.3 CPU s) is
        # not needed, only the bands it would choose: the same candidates as in memory
        self.options = options
        bands, rows = lsh_bands(options)
        self._ranges = [(band * rows, (band + 1) * rows) for band in range(bands)]
        self.path = path
        self._db = scratch_db(path, SCHEMA)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _bands(self, signature: Signature) -> list[tuple[int, int]]:
        values = signature.hashvalues.astype(_STORED)  # as stored: fresh and stored alike
        return [
            (band, _key(values[start:end].tobytes()))
            for band, (start, end) in enumerate(self._ranges)
        ]

    def add(self, key: str, signature: Signature) -> None:
        """Index ``signature`` under ``key``, in place of an earlier one (a changed text)."""
        db = self._db
        row = db.execute("select signature from signatures where url = ?", (key,)).fetchone()
        self._begin()
        if row is None:
            self._count += 1
        else:
            old = signature_from_bytes(row[0], self.options)
            db.executemany(
                "delete from bands where band = ? and key = ? and url = ?",
                [(band, value, key) for band, value in self._bands(old)],
            )
        db.execute(
            "insert or replace into signatures values (?, ?)", (key, signature_bytes(signature))
        )
        db.executemany(
            "insert or ignore into bands values (?, ?, ?)",
            [(band, value, key) for band, value in self._bands(signature)],
        )
        self._commit()

    def find(self, signature: Signature, *, exclude: str = "") -> tuple[str, float] | None:
        """As ``NearDuplicateIndex.find``: the most similar indexed text at or over the
        threshold, and its estimated similarity; ties go to the smallest key."""
        bands = self._bands(signature)
        # one query for all the bands and the candidates' signatures, and one numpy
        # comparison for all of them: a page of a site whose pages look alike has hundreds
        # of candidates, and a query and a Signature each cost more than the comparison
        where = " or ".join(["(b.band = ? and b.key = ?)"] * len(bands))
        rows = self._db.execute(
            "select s.url, s.signature from signatures s where s.url in "
            f"(select b.url from bands b where {where}) and s.url != ?",
            [value for band in bands for value in band] + [exclude],
        ).fetchall()
        if not rows:
            return None
        values = signature.hashvalues.astype(_STORED)
        stored = np.frombuffer(b"".join(data for _, data in rows), dtype=_STORED)
        # as Signature.jaccard: the share of equal hash values
        same = np.count_nonzero(stored.reshape(len(rows), len(values)) == values, axis=1)
        best: tuple[float, str] | None = None
        for (key, _), count in zip(rows, same.tolist(), strict=True):
            similarity = float(count) / float(len(values))
            if similarity >= self.options.threshold and (
                best is None or (-similarity, key) < (-best[0], best[1])
            ):
                best = (similarity, key)
        return None if best is None else (best[1], round(best[0], 4))

    def close(self) -> None:
        """Close and remove the file."""
        self._db.close()
        self.path.unlink(missing_ok=True)


def _key(values: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(values, digest_size=8).digest(), "little", signed=True)


class DiskSeen(Batched):
    """The ids written so far and the first URL of each text (``DuplicatePipeline``'s
    claims), in an SQLite file: a set and a dict of them held some 0.3 kB a row.

    ``path`` None: in memory (a test's steps, with no output folder).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db = scratch_db(
            path,
            "create table ids (id text primary key) without rowid;"
            "create table texts (content_hash text primary key, url text not null) without rowid;",
        )

    def __contains__(self, row_id: str) -> bool:
        query = "select 1 from ids where id = ?"
        return self._db.execute(query, (row_id,)).fetchone() is not None

    def add(self, row_id: str) -> None:
        self._db.execute("insert or ignore into ids values (?)", (row_id,))

    def claim_text(self, content_hash: str, url: str) -> str:
        """The first URL given with ``content_hash`` (``url`` if it is the first), as
        ``dict.setdefault``: ``crawler.incremental.TextClaims``."""
        db = self._db
        db.execute("insert or ignore into texts values (?, ?)", (content_hash, url))
        row = db.execute("select url from texts where content_hash = ?", (content_hash,))
        return str(row.fetchone()[0])

    def close(self) -> None:
        """Close and remove the file."""
        self._db.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

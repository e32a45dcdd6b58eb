"""The crawl state directory: what one run leaves for the next, in SQLite."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

SCHEMA = """
create table if not exists template_lines (
    domain text not null,
    line_key integer not null,  -- cleaning.templates.line_key; 0 holds the page count
    pages integer not null,
    primary key (domain, line_key)
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

    def save_template_rows(self, rows: Iterable[tuple[str, int, int]]) -> None:
        """Replace the stored template counts with ``rows``, in one transaction."""
        with closing(self._connect()) as db, db:
            db.execute("delete from template_lines")
            db.executemany("insert into template_lines values (?, ?, ?)", rows)

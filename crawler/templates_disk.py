"""The site template counts of ``cleancrawl clean`` in a scratch SQLite file, not in memory.

A crawl counts its sites' lines in memory (``cleaning.templates.SiteTemplates``): a few
sites, each bounded by ``max_lines_per_domain``. ``clean`` reads WARC files of any number
of sites, and every distinct line of a site of one page is a count (some 3.5 kB a real
page): over a Common Crawl segment's millions of one-page sites the counts alone would
outgrow the memory. Here they live on disk, with the pages already counted and the
templates decided, so the clean process's memory does not grow with pages or sites.

The answers are those of ``SiteTemplates`` for the same calls in the same order: the same
counts, the same pruning of a domain's rarest lines beyond ``max_lines_per_domain`` (most
pages first, then by key), the same threshold, a decision made once and kept. The file is
the run's scratch (``OUT/_clean_templates.sqlite``), made anew by each run (a resumed run
counts again from the first pass's spill) and removed at the end, written without a
journal or syncs, since nothing reads it after a crash.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING

from cleaning.templates import SiteTemplates, distinct_line_keys
from crawler.clean_index import Batched, scratch_db

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from cleaning.templates import LineKeys, TemplateOptions

SCHEMA = """
create table domains (
    id integer primary key,
    name text not null unique,
    pages integer not null,     -- pages counted (SiteTemplates.pages)
    lines integer not null      -- distinct lines counted: pruned beyond max_lines_per_domain
);
create table lines (
    domain integer not null,
    key integer not null,       -- cleaning.templates.line_key
    pages integer not null,
    primary key (domain, key)
) without rowid;
create table decided (domain integer primary key);  -- a domain whose template is decided
create table template (
    domain integer not null,
    key integer not null,
    primary key (domain, key)
) without rowid;
create table counted (key integer primary key);  -- page keys counted (page_keys)
"""

CACHED = 64  # decided templates kept in memory: a site's pages come together in a WARC


class DiskSiteTemplates(Batched, SiteTemplates):
    """``SiteTemplates`` with its counts, counted pages and decisions in an SQLite file."""

    def __init__(self, options: TemplateOptions | None, path: Path) -> None:
        super().__init__(options)
        self.path = path
        # a small page cache: the file is read a domain at a time
        self._db = scratch_db(path, SCHEMA, cache_kb=8000)
        self._cache: OrderedDict[str, frozenset[int]] = OrderedDict()

    # ------------------------------------------------------------------ counts

    def _domain(self, domain: str, *, create: bool = False) -> tuple[int, int, int] | None:
        """(id, pages, lines) of ``domain``; made with no counts if ``create``."""
        row = self._db.execute(
            "select id, pages, lines from domains where name = ?", (domain,)
        ).fetchone()
        if row is None and create:
            cursor = self._db.execute(
                "insert into domains (name, pages, lines) values (?, 0, 0)", (domain,)
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid, 0, 0
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))

    def pages(self, domain: str) -> int:
        row = self._domain(domain)
        return row[1] if row is not None else 0

    def domains(self) -> list[str]:
        return [name for (name,) in self._db.execute("select name from domains order by name")]

    def add_page(self, domain: str, text: str, keys: LineKeys | None = None) -> None:
        distinct = keys.counted if keys is not None else distinct_line_keys(text)
        db = self._db
        self._begin()
        found = self._domain(domain, create=True)
        assert found is not None
        ident, pages, lines = found
        lines += self._add(ident, ((key, 1) for key in distinct), fresh=lines == 0)
        limit = self.options.max_lines_per_domain
        if lines > limit:
            # as SiteTemplates: most pages first, then by key (signed, as SQLite orders
            # integers): the same counts keep the same lines
            db.execute(
                "delete from lines where domain = ? and key not in (select key from lines "
                "where domain = ? order by pages desc, key limit ?)",
                (ident, ident, limit // 2),
            )
            lines = min(lines, limit // 2)
        db.execute(
            "update domains set pages = ?, lines = ? where id = ?", (pages + 1, lines, ident)
        )
        self._commit()

    def _add(self, ident: int, counts: Iterable[tuple[int, int]], *, fresh: bool = False) -> int:
        """Add ``counts`` (key, pages) to a domain's lines; how many keys were new
        (``fresh``: the domain has no lines yet, every key is new)."""
        counts = list(counts)
        db = self._db
        if fresh:  # most sites of a WARC have one page: one statement a line, not two
            db.executemany(
                "insert into lines values (?, ?, ?)", [(ident, key, n) for key, n in counts]
            )
            return len(counts)
        new = db.executemany(
            "insert or ignore into lines values (?, ?, 0)", [(ident, key) for key, _ in counts]
        ).rowcount
        db.executemany(
            "update lines set pages = pages + ? where domain = ? and key = ?",
            [(count, ident, key) for key, count in counts],
        )
        return new

    def _threshold(self, pages: int) -> int:
        """The fewest pages a line is on to be template: ``SiteTemplates._counts_as_template``
        (an integer count is >= a float exactly when it is >= the float's ceiling)."""
        return max(self.options.min_pages, math.ceil(self.options.min_share * pages))

    def _counts_as_template(self, domain: str, key: int) -> bool:
        found = self._domain(domain)
        if found is None:
            return False
        row = self._db.execute(
            "select pages from lines where domain = ? and key = ?", (found[0], key)
        ).fetchone()
        return row is not None and row[0] >= self._threshold(found[1])

    def load(self, rows: Iterable[tuple[str, int, int]]) -> None:
        """As ``SiteTemplates.load``: counts added, none pruned until the domain's next page."""
        db = self._db
        self._begin()
        for domain, key, count in rows:
            found = self._domain(domain, create=True)
            assert found is not None
            ident, pages, lines = found
            if key == 0:
                pages += count
            else:
                lines += self._add(ident, [(key, count)])
            db.execute(
                "update domains set pages = ?, lines = ? where id = ?", (pages, lines, ident)
            )
        self._commit()

    def rows(self) -> Iterator[tuple[str, int, int]]:
        """(domain, line key, pages) rows, read from the file as they are handed over."""
        db = self._db
        for ident, name, pages in db.execute("select id, name, pages from domains order by id"):
            yield name, 0, pages
            query = "select key, pages from lines where domain = ? order by key"
            for key, count in db.execute(query, (ident,)):
                yield name, key, count

    # --------------------------------------------------------------- decisions

    def decide(self, domain: str) -> None:
        if self.decided(domain):
            return
        db = self._db
        self._begin()
        found = self._domain(domain, create=True)
        assert found is not None
        ident, pages, _ = found
        db.execute("insert into decided values (?)", (ident,))
        db.execute(
            "insert into template select domain, key from lines where domain = ? and pages >= ?",
            (ident, self._threshold(pages)),
        )
        self._commit()

    def decided(self, domain: str) -> bool:
        if domain in self._cache:
            return True
        found = self._domain(domain)
        if found is None:
            return False
        query = "select 1 from decided where domain = ?"
        return self._db.execute(query, (found[0],)).fetchone() is not None

    def template(self, domain: str) -> frozenset[int]:
        cached = self._cache.get(domain)
        if cached is not None:
            self._cache.move_to_end(domain)
            return cached
        self.decide(domain)
        found = self._domain(domain)
        assert found is not None
        query = "select key from template where domain = ?"
        template = frozenset(key for (key,) in self._db.execute(query, (found[0],)))
        self._cache[domain] = template
        if len(self._cache) > CACHED:
            self._cache.popitem(last=False)
        return template

    def adopt(self, domain: str, template: Iterable[int]) -> None:
        db = self._db
        self._begin()
        found = self._domain(domain, create=True)
        assert found is not None
        ident = found[0]
        db.execute("insert or ignore into decided values (?)", (ident,))
        db.execute("delete from template where domain = ?", (ident,))
        db.executemany("insert into template values (?, ?)", [(ident, k) for k in set(template)])
        self._commit()
        self._cache.pop(domain, None)

    def late_lines(self, domain: str) -> int:
        found = self._domain(domain)
        if found is None or not self.decided(domain):
            return 0
        ident, pages, _ = found
        row = self._db.execute(
            "select count(*) from lines l where l.domain = ? and l.pages >= ? and not exists "
            "(select 1 from template t where t.domain = l.domain and t.key = l.key)",
            (ident, self._threshold(pages)),
        ).fetchone()
        return int(row[0])

    def all_late_lines(self) -> int:
        """``late_lines`` summed over every domain, without a list of the domains."""
        query = "select d.name from decided join domains d on d.id = decided.domain"
        return sum(self.late_lines(name) for (name,) in self._db.execute(query))

    # ------------------------------------------------------------ counted pages

    def count_once(self, keys: Iterable[int]) -> bool:
        """Note the keys of a page (``page_keys``); True if none was noted before."""
        distinct = set(keys)
        added = self._db.executemany(
            "insert or ignore into counted values (?)", [(key,) for key in distinct]
        ).rowcount
        return added == len(distinct)  # each one new

    def counted_pages(self) -> Iterator[int]:
        """The noted page keys, read from the file as they are handed over."""
        for (key,) in self._db.execute("select key from counted"):
            yield key

    def close(self) -> None:
        """Close and remove the file."""
        self._db.close()
        self.path.unlink(missing_ok=True)

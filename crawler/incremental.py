"""Incremental crawls: what earlier runs wrote decides what this run fetches and writes.

With ``CLEANCRAWL_STATE_DIR`` set, every written row's URL is kept with its content hash, the
response's ``ETag`` and ``Last-Modified`` and the sitemap or feed date, once the row is in a
closed Parquet file. A later run then

- does not fetch an article whose sitemap ``lastmod`` (or feed date) is not newer than the one
  seen when it was written (``unchanged``), unless it is older than
  ``CLEANCRAWL_RECRAWL_AFTER_DAYS``;
- re-fetches the other written articles with ``If-None-Match`` / ``If-Modified-Since``, and
  counts a ``304 Not Modified`` as ``not_modified``;
- does not write an article whose cleaned text has not changed (``unchanged``), nor a text
  already written under another URL, in this run or an earlier one (``duplicate_text``, or marked
  with ``duplicate_of`` when ``CLEANCRAWL_DUPLICATES = "mark"``).

Listing pages, sitemaps and feeds are never written, so they are always fetched: they are how
new articles are found. ``CLEANCRAWL_RECRAWL = "all"`` fetches and writes everything again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Self, runtime_checkable
from weakref import WeakKeyDictionary

from scrapy.exceptions import NotConfigured

from crawler.items import ArticleItem
from crawler.middlewares import RefusedRequest
from crawler.state import state_for
from crawler.stats import drop_cleaned

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

    from crawler.state import CrawlState, PageEntry, PageRow

LASTMOD = "cleancrawl_lastmod"  # request meta, set by the technews spider


@runtime_checkable
class TextClaims(Protocol):
    """Where the texts of a distributed crawl are claimed (``RedisState``)."""

    def claim_text(self, content_hash: str, url: str) -> str: ...


class _Pending(NamedTuple):
    digest: str
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    minhash: bytes | None


class History:
    """The URLs earlier runs wrote, and the rows of this run waiting for their file to close.

    Read from and recorded in the crawl state (``crawler.state.CrawlState``): the state
    directory's SQLite file, or Redis in a distributed crawl, where every worker sees what
    the others recorded.
    """

    def __init__(self, store: CrawlState, *, recrawl_after: timedelta | None) -> None:
        self.store = store
        self.recrawl_after = recrawl_after
        # what the near-duplicate signatures are made with; set by NearDuplicatePipeline
        self.signature_key: str | None = None
        # url -> what is kept of a row until its file is closed: small, not the whole item,
        # as a file may take tens of thousands of rows
        self._pending: dict[str, _Pending] = {}

    def page(self, url: str) -> PageEntry | None:
        """What was recorded of ``url`` when its row was written, or None."""
        return self.store.page(url)

    def url_of_text(self, content_hash: str) -> str | None:
        """A URL written with this text, or None."""
        return self.store.url_of_text(content_hash)

    def is_unchanged(self, url: str, lastmod: str | None, now: datetime) -> bool:
        """The source's date for ``url`` is not newer than when it was written."""
        entry = self.page(url)
        if entry is None or not lastmod or not entry.lastmod:
            return False
        if self.recrawl_after is not None and now - _parse(entry.written_at) > self.recrawl_after:
            return False
        try:
            return _parse(lastmod) <= _parse(entry.lastmod)
        except ValueError:
            return lastmod == entry.lastmod  # a date we cannot read: compare as given

    def add(self, item: ArticleItem) -> None:
        """Remember a row handed to the writer; it counts once its file is closed."""
        self._pending[item.url] = _Pending(
            item.content_hash, item.etag, item.last_modified, item.lastmod, item.minhash
        )

    def commit(self, file: Path, urls: list[str]) -> None:
        """Record the rows of ``file``; called just before it is renamed into place."""
        done = self._take(urls)
        self.store.save_pages(self._page_rows(done))
        if self.signature_key is not None:
            key = self.signature_key
            self.store.save_minhashes((url, key, p.minhash) for url, p in done if p.minhash)

    def take_rows(self, urls: list[str]) -> list[PageRow]:
        """The history rows of ``urls``, no longer pending, for the caller to record (a
        distributed crawl records them with the rows' lease end, after the rename)."""
        return self._page_rows(self._take(urls))

    def _take(self, urls: list[str]) -> list[tuple[str, _Pending]]:
        return [(url, self._pending.pop(url)) for url in urls if url in self._pending]

    @staticmethod
    def _page_rows(done: list[tuple[str, _Pending]]) -> list[PageRow]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return [(url, p.digest, now, p.etag, p.last_modified, p.lastmod) for url, p in done]


def _parse(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        parsed = parsedate_to_datetime(value)  # RSS dates: RFC 2822
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_histories: WeakKeyDictionary[Crawler, History | None] = WeakKeyDictionary()


def history_for(crawler: Crawler) -> History | None:
    """The crawl's history (one per crawler), or None without a state directory."""
    if crawler not in _histories:
        store = state_for(crawler)
        days = crawler.settings.getfloat("CLEANCRAWL_RECRAWL_AFTER_DAYS")
        _histories[crawler] = (
            History(store, recrawl_after=timedelta(days=days) if days > 0 else None)
            if store is not None
            else None
        )
    return _histories[crawler]


class IncrementalMiddleware:
    """Downloader middleware: skip unchanged articles, ask the server before re-sending one."""

    def __init__(self, history: History) -> None:
        self.history = history

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        history = history_for(crawler)
        # off without CLEANCRAWL_STATE_DIR or with CLEANCRAWL_RECRAWL = "all": settings
        # chosen, not mistakes, so no message (Scrapy logs one as a warning on every run)
        if history is None or crawler.settings.get("CLEANCRAWL_RECRAWL") == "all":
            raise NotConfigured
        return cls(history)

    def process_request(self, request: Request) -> None:
        entry = self.history.page(request.url)
        if entry is None:
            return
        if self.history.is_unchanged(request.url, request.meta.get(LASTMOD), datetime.now(UTC)):
            raise RefusedRequest("unchanged", f"unchanged since it was written: {request.url}")
        etag, modified = entry.etag, entry.last_modified
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1"))
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified.encode("latin-1"))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and (
            b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers
        ):
            raise RefusedRequest("not_modified", f"not modified: {request.url}")
        return response


class DuplicatePipeline:
    """Drop (or mark) a text already written, and an article whose text has not changed.

    A text is claimed by the first URL that comes with it in this run: in a distributed
    crawl the claim is in Redis (``RedisState.claim_text``, atomic), so two workers never
    both write one text under two URLs; else in ``seen``.
    """

    def __init__(
        self,
        stats: StatsCollector,
        history: History | None,
        *,
        mark: bool,
        claims: TextClaims | None = None,
    ) -> None:
        self.stats = stats
        self.history = history
        self.mark = mark
        self.claims = claims
        self.seen: dict[str, str] = {}  # content hash -> first URL, in this run (no claims)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        mark = crawler.settings.get("CLEANCRAWL_DUPLICATES") == "mark"
        recrawl_all = crawler.settings.get("CLEANCRAWL_RECRAWL") == "all"
        state = state_for(crawler)
        claims = state if isinstance(state, TextClaims) else None
        # with "all", earlier runs do not count: everything is written again
        history = None if recrawl_all else history_for(crawler)
        return cls(crawler.stats, history, mark=mark, claims=claims)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        earlier = self.history.page(item.url) if self.history is not None else None
        if earlier is not None and earlier.content_hash == item.content_hash:
            raise drop_cleaned(self.stats, "unchanged", item.url)
        first = self._claim(item.content_hash, item.url)
        if first == item.url and self.history is not None:
            first = self.history.url_of_text(item.content_hash) or item.url
        if first != item.url:
            if not self.mark:
                raise drop_cleaned(self.stats, "duplicate_text", item.url)
            item.duplicate_of = first
            self.stats.inc_value("cleaning/marked/duplicate_text")
        return item

    def _claim(self, digest: str, url: str) -> str:
        """The first URL of this text in this run (``url`` if it is the first)."""
        if self.claims is not None:
            return self.claims.claim_text(digest, url)
        return self.seen.setdefault(digest, url)

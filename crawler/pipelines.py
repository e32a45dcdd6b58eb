"""Item pipelines: thin Scrapy wrappers around ``cleaning`` and ``output``."""

from __future__ import annotations

import functools
import importlib
import logging
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.asyncio import call_later, create_looping_call
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from cleaning.ids import article_id
from cleaning.language_codes import check_installed
from cleaning.options import CleaningOptions
from cleaning.pagetype import PageType
from cleaning.result import content_hash
from cleaning.signed import SignedResult, TextFacts, clean_and_sign, text_facts
from cleaning.templates import (
    LineKeys,
    SiteTemplates,
    TemplateOptions,
    distinct_line_keys,
    page_keys,
    text_line_keys,
)
from cleaning.words import word_count
from cleaning.worker import clean_in_worker, clean_in_worker_with_hrefs
from crawler.activity import CrawlActivity
from crawler.addon import require_addon
from crawler.config import ConfigError, setting_list
from crawler.hold_budget import HoldBudget, counted_size
from crawler.incremental import history_for
from crawler.items import ArticleItem, PageItem
from crawler.leases import leases_for
from crawler.outcome import note_write_failure
from crawler.pool import CleaningPool, default_workers
from crawler.resume import ledger_for
from crawler.shared_state import RedisState
from crawler.state import state_for
from crawler.stats import count_drop
from output import ARTICLE_SCHEMA, SCHEMA_VERSION, ParquetOptions, RollingParquetWriter

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector
    from scrapy.utils.asyncio import AsyncioLoopingCall, CallLaterResult
    from twisted.internet.task import LoopingCall

    from cleaning.hrefs import PageHrefs
    from cleaning.neardup import NearDuplicateOptions
    from cleaning.result import CleanResult
    from crawler.incremental import History
    from crawler.resume import WrittenLedger
    from crawler.state import CrawlState, PageRow

logger = logging.getLogger(__name__)

# its installed version, not trafilatura.__version__: with workers, the crawl's process does
# not import trafilatura
EXTRACTOR_VERSION = f"trafilatura {version('trafilatura')}"
try:
    CLEANCRAWL_VERSION = version("cleancrawl")
except PackageNotFoundError:  # running from a source tree that was never installed
    CLEANCRAWL_VERSION = "0+unknown"


def cleaning_options(settings: BaseSettings) -> CleaningOptions:
    """Build the cleaning options from ``CLEANCRAWL_*`` settings (checked by the add-on)."""
    focus = settings.get("CLEANCRAWL_EXTRACTION_FOCUS")
    junk_file = settings.get("CLEANCRAWL_JUNK_FILE")
    try:
        return CleaningOptions(
            min_words=settings.getint("CLEANCRAWL_MIN_WORDS") or None,
            include_comments=settings.getbool("CLEANCRAWL_INCLUDE_COMMENTS"),
            include_tables=settings.getbool("CLEANCRAWL_INCLUDE_TABLES"),
            favor_precision=focus == "precision",
            favor_recall=focus == "recall",
            page_types=frozenset(map(PageType, setting_list(settings, "CLEANCRAWL_PAGE_TYPES"))),
            language_backend=settings.get("CLEANCRAWL_LANGUAGE_BACKEND") or "langdetect",
            languages=frozenset(setting_list(settings, "CLEANCRAWL_LANGUAGES")),
            remove_junk=settings.getbool("CLEANCRAWL_REMOVE_JUNK"),
            junk_file=Path(junk_file) if junk_file else None,
            skip_junk_kinds=frozenset(setting_list(settings, "CLEANCRAWL_KEEP_JUNK_KINDS")),
            prune_widgets=settings.getbool("CLEANCRAWL_PRUNE_WIDGETS"),
        )
    except ValueError as exc:
        raise ConfigError(f"cleaning settings: {exc}") from exc


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """How many worker processes clean pages, and their limits (0 workers: in-process)."""

    workers: int
    timeout: float | None
    max_in_flight: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PoolSettings:
        workers = settings.get("CLEANCRAWL_WORKERS")
        workers = default_workers() if workers in (None, "") else int(workers)
        timeout = settings.getfloat("CLEANCRAWL_CLEAN_TIMEOUT") or None
        # two pages per worker keep every worker busy while the next page is handed over
        in_flight = settings.getint("CLEANCRAWL_MAX_IN_FLIGHT") or 2 * max(workers, 1)
        return cls(workers=workers, timeout=timeout, max_in_flight=in_flight)


class CleaningPipeline:
    """Turn fetched pages into articles, or drop them under a named reason."""

    # what a worker process runs per page (``CleaningPool``'s ``task``)
    worker_task = staticmethod(clean_in_worker)

    def __init__(
        self,
        options: CleaningOptions,
        stats: StatsCollector,
        spider: str,
        crawl_id: str,
        *,
        site_prune_xpaths: dict[str, tuple[str, ...]] | None = None,
        audit_removed_lines: bool = False,
        pool: PoolSettings | None = None,
        page_hrefs: bool = False,
    ) -> None:
        self.options = options
        self.stats = stats
        self.spider = spider
        self.crawl_id = crawl_id
        self.audit_removed_lines = audit_removed_lines
        # pages in process_item now: TemplatePipeline lets held pages go early only when
        # no page is on its way to it
        self.in_flight = 0
        self.signing = False  # the workers sign kept texts (sign_texts)
        self.describing = False  # the workers make kept texts' TextFacts (describe_texts)
        # one options object per site that has its own prune selectors, built once
        self.site_options = {
            site: replace(options, prune_xpaths=xpaths)
            for site, xpaths in (site_prune_xpaths or {}).items()
            if xpaths
        }
        # page_hrefs: the workers read each page's hrefs for the spider (clean_for_links), as
        # the default task only (a subclass's own task is run as it is)
        task = self.worker_task
        if page_hrefs and task is clean_in_worker:
            task = clean_in_worker_with_hrefs
        self.pool = (
            CleaningPool(
                options,
                self.site_options,
                workers=pool.workers,
                timeout=pool.timeout,
                max_in_flight=pool.max_in_flight,
                task=task,
            )
            if pool is not None and pool.workers > 0
            else None
        )
        self.reads_hrefs = self.pool is not None and task is clean_in_worker_with_hrefs
        # pages cleaned by clean_for_links, by id, until process_item takes their result (the
        # item is kept with it: its id is not reused meanwhile)
        self._cleaned: dict[int, tuple[PageItem, CleanResult | Exception]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.spider is None:
            # `scrapy shell` builds the pipelines before it has a spider: nothing to clean
            raise NotConfigured("no spider to clean pages of (scrapy shell)")
        require_addon(crawler, "CleaningPipeline")
        assert crawler.stats is not None
        sites = getattr(crawler.spider, "sites", {})
        options = cleaning_options(crawler.settings)
        pool = PoolSettings.from_settings(crawler.settings)
        # before any page (and any thread): a backend that fails to load stops the crawl
        # here; with workers, it is theirs to load, and only its package is checked here
        try:
            if pool.workers > 0:
                check_installed(options.language_backend)
            else:
                # cleaning here: its steps imported now, not at the first page (with
                # workers, they are the workers' alone)
                from cleaning.language import load_backend

                importlib.import_module("cleaning.page")
                load_backend(options.language_backend)
        except ImportError as exc:
            raise ConfigError(f"setting CLEANCRAWL_LANGUAGE_BACKEND: {exc}") from exc
        pipeline = cls(
            options,
            crawler.stats,
            crawler.spider.name,
            crawler.settings.get("CLEANCRAWL_CRAWL_ID") or "",
            site_prune_xpaths={name: site.prune_xpaths for name, site in sites.items()},
            audit_removed_lines=crawler.settings.getbool("CLEANCRAWL_AUDIT_REMOVED_LINES"),
            pool=pool,
            # a spider that follows the hrefs the workers read (crawler.spiders.technews)
            page_hrefs=getattr(crawler.spider, "follows_worker_hrefs", False),
        )
        crawler.stats.set_value("cleaning/workers", pipeline.pool.workers if pipeline.pool else 0)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        self.in_flight += 1
        try:
            return await self._clean(item)
        finally:
            self.in_flight -= 1

    async def clean_for_links(self, item: PageItem) -> PageHrefs | None:
        """Clean ``item`` in the pool now, before the spider yields it, and return the hrefs
        its worker read from the page (``cleaning.hrefs``; None where it read none): the
        spider follows them without parsing the page. ``process_item`` then takes this
        result (or raises this failure) instead of cleaning the page again."""
        assert self.pool is not None
        self.in_flight += 1
        try:
            result = await self.pool.clean(item.html, item.url, item.site)
        except Exception as exc:  # the item's error, raised when it reaches process_item
            self._cleaned[id(item)] = (item, exc)
            return None
        finally:
            self.in_flight -= 1
        self._cleaned[id(item)] = (item, result)
        return result.hrefs if isinstance(result, SignedResult) else None

    async def _clean(self, item: PageItem) -> ArticleItem:
        cleaned = self._cleaned.pop(id(item), None)
        if cleaned is not None and cleaned[0] is item:  # by clean_for_links
            if isinstance(cleaned[1], Exception):
                raise cleaned[1]
            result = cleaned[1]
            item.html = ""  # cleaned: not kept while the article waits (TemplatePipeline)
        elif self.pool is not None:
            result = await self.pool.clean(item.html, item.url, item.site)
        else:
            from cleaning.page import clean_page  # (imported by from_crawler)

            result = clean_page(item.html, item.url, self.site_options.get(item.site, self.options))
        for removed in result.removed_lines:
            self.stats.inc_value(f"cleaning/lines_removed/{removed.reason}")
        if result.drop_reason is not None:
            count_drop(self.stats, result.drop_reason)
            # expected outcomes, counted in the stats: no warning per page
            raise DropItem(f"{result.drop_reason}: {item.url}", log_level="DEBUG")
        self.stats.inc_value("cleaning/kept")
        article = self.article(item, result)
        if isinstance(result, SignedResult):  # signed in the worker (sign_texts)
            article.minhash = result.minhash
            article.facts = text_facts(result)  # (describe_texts)
        elif self.describing:  # cleaned here: the line keys as a worker makes them
            article.facts = TextFacts(text_line_keys(result.text, result.removed_lines), None)
        return article

    def describe_texts(self) -> None:
        """Have the workers make each kept text's line keys and quality signals too
        (``ArticleItem.facts``), for ``TemplatePipeline`` and ``QualityPipeline`` to use: the
        crawl's own process then does not hash every line twice, nor read every word. A step
        that changes an article's text sets its ``facts`` to None. Without a pool, the line
        keys are made here (they count the lines the junk steps cut, which only this step
        sees)."""
        if self.pool is not None and not self.describing:
            self.pool.task = functools.partial(
                clean_and_sign, self.pool.task, None, line_keys=True, quality=True
            )
        self.describing = True

    def sign_texts(self, options: NearDuplicateOptions) -> None:
        """Have the workers make each kept text's MinHash signature with ``options`` too
        (``ArticleItem.minhash``), for ``NearDuplicatePipeline`` to look up: the crawl's own
        process then does not hash the texts (it shares the cores with the workers). A step
        that changes an article's text sets its ``minhash`` to None. No-op without a pool."""
        if self.pool is not None and not self.signing:
            self.pool.task = functools.partial(clean_and_sign, self.pool.task, options)
            self.signing = True

    def close(self) -> None:
        self._cleaned.clear()
        if self.pool is not None:
            self.pool.close()
            # did the workers wait for pages? (crawler.pool.PoolUse)
            self.stats.set_value("cleaning/pool_seconds", round(self.pool.use.seconds, 1))
            idle = round(self.pool.use.idle_worker_seconds, 1)
            self.stats.set_value("cleaning/pool_idle_worker_seconds", idle)

    def article(self, page: PageItem, result: CleanResult) -> ArticleItem:
        """The article row of a page that passed cleaning (also used by ``cleancrawl clean``)."""
        return ArticleItem(
            text=result.text,
            id=article_id(page.url, result.content_hash),
            url=page.url,
            date=page.fetched_at,
            language=result.language,
            language_score=result.language_score,
            language_share=result.language_share,
            page_type=str(result.page_type),
            title=result.title,
            authors=result.authors,
            date_published=result.date_published,
            domain=(urlsplit(page.url).hostname or "").lower(),
            site=page.site,
            sitename=result.sitename,
            description=result.description,
            tags=result.tags,
            word_count=result.word_count,
            content_hash=result.content_hash,
            http_status=page.http_status,
            spider=self.spider,
            crawl_id=self.crawl_id,
            extractor_version=EXTRACTOR_VERSION,
            cleancrawl_version=CLEANCRAWL_VERSION,
            removed_lines=[
                {"reason": removed.reason, "line": removed.line} for removed in result.removed_lines
            ]
            if self.audit_removed_lines
            else [],
            lastmod=page.lastmod,
            etag=page.etag,
            last_modified=page.last_modified,
            response_size=page.response_size,
        )


def ask_for_text_facts(crawler: Crawler) -> None:
    """Have the crawl's ``CleaningPipeline`` describe each kept text
    (``CleaningPipeline.describe_texts``), for the steps after it that use the facts; called
    when the spider opens, once every pipeline is built."""
    cleaning = crawler.get_item_pipeline(CleaningPipeline)
    if cleaning is not None:
        cleaning.describe_texts()


class TemplatePipeline:
    """Cut lines that repeat across a domain's pages (its template) from each article.

    A domain's template is decided once per run and then applies to all its pages alike,
    so the same page always comes out with the same text, whatever was crawled before it.
    A domain with no stored counts for ``hold_pages`` pages holds its first pages back
    and is decided from them when ``hold_pages`` have arrived, ``hold_seconds`` have
    passed, the crawl has nothing else coming, the held pages fill ``hold_bytes`` (the
    domain holding the most goes first: ``crawler.hold_budget``), or the crawl is stopped
    (Ctrl-C): held pages are the only memory this step takes beyond its counts. A domain with
    counts for ``hold_pages`` pages in the state directory is decided from those counts
    before its first page of the run.
    Counts go on growing through the run and are stored for the next one.

    In a distributed crawl the counts are in Redis, added to as pages come (a page counted
    once, whichever worker has it), and a domain's template is decided once for the crawl:
    the first worker to decide publishes it, every other takes it, so each page loses the
    same lines whichever worker cleans it.
    """

    def __init__(
        self,
        templates: SiteTemplates,
        stats: StatsCollector,
        *,
        hold_pages: int,
        hold_seconds: float,
        min_words: int | None,
        store: CrawlState | None = None,
        audit_removed_lines: bool = False,
        hold_bytes: int = 0,
    ) -> None:
        self.templates = templates
        self.stats = stats
        self.hold_pages = hold_pages
        self.hold_seconds = hold_seconds
        self.min_words = min_words
        self.store = store
        self.audit_removed_lines = audit_removed_lines
        # each held page's Deferred and the bytes of its response taken from the budget
        self._held: dict[str, list[tuple[Deferred[None], int]]] = {}
        self.budget = HoldBudget(hold_bytes)
        self._timers: dict[str, CallLaterResult] = {}
        self.crawler: Crawler | None = None
        self.activity = CrawlActivity()
        self._events_seen = -1  # activity.events at the last look: equal means a quiet spell
        self._watch: AsyncioLoopingCall | LoopingCall | None = None
        self._warned_memory = False  # told the log once that held pages filled the scraper
        # keys of this run's pages (two ints a page), stored with the counts at the end
        self._counted: set[int] = set()
        # counted before this run's first page: the stored counts decide these domains
        for domain in templates.domains():
            if templates.pages(domain) >= hold_pages:
                self._decide(domain)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("CLEANCRAWL_TEMPLATES_ENABLED"):
            raise NotConfigured("CLEANCRAWL_TEMPLATES_ENABLED is off")
        assert crawler.stats is not None
        templates = SiteTemplates(
            TemplateOptions(
                min_pages=settings.getint("CLEANCRAWL_TEMPLATE_MIN_PAGES"),
                min_share=settings.getfloat("CLEANCRAWL_TEMPLATE_MIN_SHARE"),
            )
        )
        store = state_for(crawler)
        if store is not None:
            templates.load(store.template_rows())
        pipeline = cls(
            templates,
            crawler.stats,
            hold_pages=settings.getint("CLEANCRAWL_TEMPLATE_HOLD_PAGES"),
            hold_seconds=settings.getfloat("CLEANCRAWL_TEMPLATE_HOLD_SECONDS"),
            hold_bytes=settings.getint("CLEANCRAWL_TEMPLATE_HOLD_BYTES"),
            min_words=settings.getint("CLEANCRAWL_MIN_WORDS") or None,
            store=store,
            audit_removed_lines=settings.getbool("CLEANCRAWL_AUDIT_REMOVED_LINES"),
        )
        pipeline.crawler = crawler
        pipeline.activity.connect(crawler.signals)
        crawler.signals.connect(pipeline.ask_for_line_keys, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    def ask_for_line_keys(self) -> None:
        """The text's line keys, made by the cleaning step: only it sees the lines its junk
        steps cut, which this step counts too."""
        assert self.crawler is not None
        ask_for_text_facts(self.crawler)

    @property
    def held_pages(self) -> int:
        """Pages waiting for their domain's template to be decided."""
        return sum(len(waiting) for waiting in self._held.values())

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        domain = item.domain
        self.count(domain, item.url, item.text, item.facts.line_keys if item.facts else None)
        # decided by another worker of the crawl already?
        if not self.templates.decided(domain) and self.store is not None:
            self._adopt_published(domain)
        if not self.templates.decided(domain):
            await self._hold(domain, counted_size(item.response_size))
        return self.cut(item)

    def cut(self, item: ArticleItem) -> ArticleItem:
        """Cut its domain's template lines from an article (``DropItem`` if too little is left),
        by the line keys its worker made (``item.facts``) where it made them.

        The domain's template is decided here if it was not yet (``cleancrawl clean`` counts
        every page first, then cuts).
        """
        self._decide(item.domain)
        keys = item.facts.line_keys if item.facts is not None else None
        text, removed = self.templates.strip(item.domain, item.text, keys)
        if not removed:
            return item
        item.facts = None  # of the text before the cut (describe_texts)
        self.stats.inc_value("cleaning/lines_removed/template", len(removed))
        if self.audit_removed_lines:
            item.removed_lines += [{"reason": r.reason, "line": r.line} for r in removed]
        item.text = text
        item.minhash = None  # the signature of the text before the cut (sign_texts)
        item.content_hash = content_hash(text)
        item.word_count = word_count(text)
        item.id = article_id(item.url, item.content_hash)
        if not text or (self.min_words is not None and item.word_count < self.min_words):
            reason = "too_short" if text else "no_text"
            count_drop(self.stats, reason)
            self.stats.inc_value("cleaning/kept", -1)  # it passed cleaning, but is not written
            raise DropItem(f"{reason} once its template is cut: {item.url}", log_level="DEBUG")
        return item

    def count(self, domain: str, url: str, text: str, lines: LineKeys | None = None) -> None:
        """Add a page to its domain's counts, unless its URL or text was counted before
        (``lines``: the text's line keys, made already)."""
        keys = page_keys(domain, url, text)
        if self._count_once(keys) and (
            self.store is None
            or self.store.count_template_page(
                domain, keys, lines.counted if lines else distinct_line_keys(text)
            )
        ):
            self.templates.add_page(domain, text, lines)
        else:
            self.stats.inc_value("cleaning/template_pages_counted_before")

    def _count_once(self, keys: tuple[int, int]) -> bool:
        """Note a page's keys; True if none was noted before."""
        new = self._counted.isdisjoint(keys)
        self._counted.update(keys)
        return new

    async def _hold(self, domain: str, size: int) -> None:
        """Wait until the template of ``domain`` is decided (this page may decide it);
        ``size``: the bytes Scrapy's scraper counts for the page's response."""
        if self.templates.pages(domain) >= self.hold_pages:
            self._release(domain)
            return
        taken = self.budget.take(self.crawler, size)
        while not taken and self.budget.active and self._held and size <= self.budget.limit:
            # full: the domain holding the most pages is decided from them, and lets them go
            self._release_for_memory("CLEANCRAWL_TEMPLATE_HOLD_BYTES", self.budget.limit)
            if self.templates.decided(domain):
                return
            taken = self.budget.take(self.crawler, size)
        waiting: Deferred[None] = Deferred()
        self._held.setdefault(domain, []).append((waiting, size if taken else 0))
        self.budget.wake(self.crawler)
        if domain not in self._timers:
            self._timers[domain] = call_later(self.hold_seconds, self._release, domain, True)
        if self._watch is None and self.crawler is not None:
            self._watch = create_looping_call(self._release_if_stalled)
            self._watch.start(0.5, now=False)
        self.stats.inc_value("cleaning/template_held")
        await maybe_deferred_to_future(waiting)

    def _adopt_published(self, domain: str) -> None:
        assert self.store is not None
        if (decided := self.store.template_decision(domain, None)) is not None:
            self.templates.adopt(domain, decided)

    def _decide(self, domain: str) -> None:
        """Decide the template of ``domain`` from its counts now, unless it was; in a
        distributed crawl, take the decision of the worker that decided first."""
        if self.templates.decided(domain):
            return
        proposal = self.templates.template(domain)
        if self.store is not None:
            decided = self.store.template_decision(domain, proposal)
            if decided is not None and decided != proposal:
                self.templates.adopt(domain, decided)

    def _release(self, domain: str, fired: bool = False) -> None:
        """Decide the template of ``domain`` from its counts now, and let its pages go."""
        self._decide(domain)
        timer = self._timers.pop(domain, None)
        if timer is not None and not fired:
            timer.cancel()
        held = self._held.pop(domain, [])
        for _, size in held:  # back in the scraper's count before the pages go on
            self.budget.give_back(size)
        for waiting, _ in held:
            if not waiting.called:
                waiting.callback(None)

    def _release_if_stalled(self) -> None:
        """Release held pages the crawl would otherwise wait for.

        On Ctrl-C Scrapy finishes every page in progress before it stops, held pages too:
        they go at once. A small site may have fewer pages than ``hold_pages``: without
        this its pages would wait the full ``hold_seconds`` at the end of the crawl. And
        held pages not kept out of Scrapy's scraper budget (``HoldBudget``) count against
        ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``: past it Scrapy downloads nothing more, so the
        domain holding the most pages is decided then; where they are kept out of it, they
        go at once when the engine closes the spider (``CLOSESPIDER_*``), which waits for
        them. Read from signals and public engine methods, but for ``HoldBudget``'s.
        """
        crawler = self.crawler
        if crawler is None or crawler.engine is None or not self._held:
            return
        held = self.held_pages
        if not crawler.crawling:  # crawler.stop(): Ctrl-C, SIGTERM
            logger.info("Stopping: finishing %d page(s) held for their site's template", held)
            self.stats.inc_value("cleaning/template_released_at_stop", held)
            for domain in list(self._held):
                self._release(domain)
            return
        quiet = self.activity.events == self._events_seen
        self._events_seen = self.activity.events
        if self.activity.downloading:
            return  # a page of a held domain may be on its way
        if self.budget.active:
            if self.budget.engine_closing():  # CLOSESPIDER_*: it waits for them
                logger.info("Closing: finishing %d page(s) held for their site's template", held)
                self.stats.inc_value("cleaning/template_released_at_stop", held)
                for domain in list(self._held):
                    self._release(domain)
                return
        elif crawler.engine.needs_backout() and not self._cleaning():
            # nothing downloading nor cleaned, and the engine sends no request: held pages
            # fill the scraper (its budget was not found, or CLEANCRAWL_TEMPLATE_HOLD_BYTES
            # is 0), or the spider is closing, which waits for them. (Pages on their way
            # through the workers fill it too, and go on by themselves: taken for held ones,
            # they had 223 of 448 held pages of a 30-site crawl let go.)
            self._release_for_memory(
                "SCRAPER_SLOT_MAX_ACTIVE_SIZE",
                crawler.settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE"),
            )
            return
        if quiet and self.activity.scheduler_drained and not self._cleaning():
            # nothing scheduled, downloaded, received or finished since the last look,
            # and no page on its way through the cleaning step: nothing else is coming
            self.stats.inc_value("cleaning/template_released_early", held)
            for domain in list(self._held):
                self._release(domain)

    def _release_for_memory(self, setting: str, limit: int) -> None:
        """Decide the domain holding the most pages and let them go: they fill ``setting``."""
        domain = max(sorted(self._held), key=lambda name: len(self._held[name]))
        self.stats.inc_value("cleaning/template_released_for_memory", len(self._held[domain]))
        if not self._warned_memory:
            # a crawl of many sites at once: each site's template is decided from a few
            # pages, and lines it repeats are kept (benchmarks/site_junk.py)
            self._warned_memory = True
            logger.warning(
                "The site template of %s is decided from %d page(s), not %d: the pages held "
                "for templates fill %s (%d bytes). Raise it (e.g. -s %s=%d) for the sites "
                "crawled at once to hold their pages; see "
                "cleaning/template_released_for_memory in the stats",
                domain,
                self.templates.pages(domain),
                self.hold_pages,
                setting,
                limit,
                setting,
                max(4 * limit, 200_000_000),
            )
        self._release(domain)

    def _cleaning(self) -> int:
        """Pages in CleaningPipeline now, on their way to this step."""
        assert self.crawler is not None
        cleaning = self.crawler.get_item_pipeline(CleaningPipeline)
        return cleaning.in_flight if cleaning is not None else 0

    def close(self) -> None:
        if self._watch is not None and self._watch.running:
            self._watch.stop()
        for domain in list(self._held):
            self._release(domain)
        if self.budget.peak:
            self.stats.set_value("cleaning/template_held_bytes_max", self.budget.peak)
        late = sum(self.templates.late_lines(domain) for domain in self.templates.domains())
        if late:
            # cut by the next run that loads these counts: the decision of this one stands
            self.stats.set_value("cleaning/template_late_lines", late)
        if self.store is not None:
            self.store.save_templates(self.templates, self._counted)


_COLUMNS = tuple(ARTICLE_SCHEMA.names)


class ParquetPipeline:
    """Write articles to a Parquet dataset, one rolling series of files per crawl."""

    def __init__(
        self,
        writer: RollingParquetWriter,
        stats: StatsCollector,
        ledger: WrittenLedger | None = None,
        history: History | None = None,
    ) -> None:
        self.writer = writer
        self.stats = stats
        self.ledger = ledger
        self.history = history
        self._timer: AsyncioLoopingCall | LoopingCall | None = None

    def open(self) -> None:
        limit = self.writer.options.max_seconds_per_file
        if limit is not None:
            # checked on a timer, not only on writes, so an idle crawl closes its file too
            self._timer = create_looping_call(self._write, self.writer.roll_if_due)
            self._timer.start(min(5.0, limit), now=False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        require_addon(crawler, "ParquetPipeline")
        settings = crawler.settings
        if not settings.getbool("CLEANCRAWL_PARQUET_ENABLED"):
            raise NotConfigured("CLEANCRAWL_PARQUET_ENABLED is off")
        if crawler.spider is None:
            raise NotConfigured("no spider to write pages of (scrapy shell)")
        assert crawler.stats is not None
        crawl_id = settings.get("CLEANCRAWL_CRAWL_ID")
        compression = settings.get("CLEANCRAWL_PARQUET_COMPRESSION")
        # a worker of a distributed crawl names its files after itself too: never the
        # same name as another worker's, on a shared disk or once gathered
        worker_id = settings.get("CLEANCRAWL_WORKER_ID") or ""
        options = ParquetOptions(
            directory=Path(settings.get("CLEANCRAWL_OUTPUT_DIR")),
            basename="-".join(filter(None, (crawler.spider.name, crawl_id, worker_id))),
            max_rows_per_file=settings.getint("CLEANCRAWL_PARQUET_MAX_ROWS"),
            max_seconds_per_file=settings.getfloat("CLEANCRAWL_PARQUET_MAX_SECONDS") or None,
            batch_size=settings.getint("CLEANCRAWL_PARQUET_BATCH_SIZE"),
            compression=compression,
        )
        metadata = {
            "cleancrawl.schema_version": SCHEMA_VERSION,
            "cleancrawl.version": CLEANCRAWL_VERSION,
            "cleancrawl.extractor_version": EXTRACTOR_VERSION,
            "cleancrawl.crawl_id": crawl_id,
            **({"cleancrawl.worker_id": worker_id} if worker_id else {}),
        }
        ledger = ledger_for(crawler)
        if ledger is not None:
            ledger.note_basename(options.basename)
        history = history_for(crawler)
        # on one machine both records must be complete for every file that exists: made
        # before its rename (a resumed run reads the ledger, the next run the history)
        records: list[Callable[[Path, list[Any]], None]] = [ledger.record] if ledger else []
        leases = leases_for(crawler)  # distributed mode: leases end with their rows' file
        after_rename = None
        if leases is not None:
            # the rows' history goes with their leases' end (and a stats snapshot), in one
            # transaction right after the rename: recorded before it, a worker killed in
            # between would leave pages that others, fetching them again, drop as unchanged
            # and nobody writes
            # per file: a file whose rename failed never has its rows recorded
            staged: dict[Path, list[PageRow]] = {}
            store = history.store if history is not None else None
            if history is not None:
                records.append(lambda path, urls: staged.update({path: history.take_rows(urls)}))
            records.append(leases.rows_committed)

            def after_rename(path: Path) -> None:
                rows = staged.pop(path, [])

                def record_history(pipeline: Any) -> None:
                    if store is not None:
                        assert isinstance(store, RedisState)
                        store.save_pages(rows, pipeline)

                leases.flush(also=record_history)

        elif history is not None:
            records.append(history.commit)

        def before_rename(path: Path, urls: list[Any]) -> None:
            for record in records:
                record(path, urls)

        writer = RollingParquetWriter(
            options,
            ARTICLE_SCHEMA,
            metadata,
            key_column="url",
            before_rename=before_rename if records else None,
            # the rows' leases end (with a stats snapshot) at once, not on a later turn of
            # the loop: a worker killed in between would have its written rows fetched again
            after_rename=after_rename,
        )
        pipeline = cls(writer, crawler.stats, ledger, history)
        if leases is not None:  # an idle worker closes its file: its last leases end
            leases.committing_with(lambda: pipeline._write(writer.close))
        crawler.signals.connect(pipeline.open, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if self.ledger is not None and item.url in self.ledger.urls:
            # fetched under another URL (a redirect) by an earlier run of this job
            count_drop(self.stats, "already_written")
            raise DropItem(f"already_written: {item.url}", log_level="DEBUG")
        if self.history is not None:
            self.history.add(item)  # recorded once the file holding the row is closed
        # the columns' values as they are: ItemAdapter.asdict() copied every field (the
        # text, lists, the worker's facts) for the few the schema takes, in the crawl's process
        self._write(self.writer.write, {name: getattr(item, name) for name in _COLUMNS})
        return item

    def _write(self, write: Callable[..., None], *args: Any) -> None:
        """Call a method of the writer; a failure (disk full, folder gone) is logged and
        counted, and the crawl goes on: the rows not yet in a closed file are lost, which the
        crawl's exit code (4) tells."""
        try:
            write(*args)
        except OSError as exc:
            note_write_failure(self.stats, "parquet")
            logger.error("Could not write Parquet to %s: %s", self.writer.options.directory, exc)

    def close(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self._write(self.writer.close)
        if self.ledger is not None:
            self.ledger.close()
        self.stats.set_value("parquet/rows_written", self.writer.rows_written)
        self.stats.set_value("parquet/files_written", len(self.writer.files))
        for path in self.writer.files:
            logger.info("Wrote %s", path)

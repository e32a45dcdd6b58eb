"""Item pipelines: thin Scrapy wrappers around ``cleaning`` and ``output``."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import trafilatura
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from cleaning import CleaningOptions, clean_page
from crawler.items import ArticleItem, PageItem
from crawler.stats import count_drop
from output import ARTICLE_SCHEMA, SCHEMA_VERSION, ParquetOptions, RollingParquetWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from cleaning import CleanResult

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = f"trafilatura {trafilatura.__version__}"
try:
    CLEANCRAWL_VERSION = version("cleancrawl")
except PackageNotFoundError:  # running from a source tree that was never installed
    CLEANCRAWL_VERSION = "0+unknown"


def cleaning_options(settings: BaseSettings) -> CleaningOptions:
    """Build the cleaning options from ``CLEANCRAWL_*`` settings."""
    focus = settings.get("CLEANCRAWL_EXTRACTION_FOCUS", "balanced")
    if focus not in ("balanced", "precision", "recall"):
        raise ValueError(
            f"CLEANCRAWL_EXTRACTION_FOCUS must be balanced, precision or recall, not {focus!r}"
        )
    min_words = settings.getint("CLEANCRAWL_MIN_WORDS")
    junk_file = settings.get("CLEANCRAWL_JUNK_FILE")
    return CleaningOptions(
        min_words=min_words or None,
        include_comments=settings.getbool("CLEANCRAWL_INCLUDE_COMMENTS"),
        include_tables=settings.getbool("CLEANCRAWL_INCLUDE_TABLES"),
        favor_precision=focus == "precision",
        favor_recall=focus == "recall",
        require_article=settings.getbool("CLEANCRAWL_REQUIRE_ARTICLE"),
        language_sample_chars=settings.getint("CLEANCRAWL_LANGUAGE_SAMPLE_CHARS"),
        language_seed=settings.getint("CLEANCRAWL_LANGUAGE_SEED"),
        remove_junk=settings.getbool("CLEANCRAWL_REMOVE_JUNK"),
        junk_file=Path(junk_file) if junk_file else None,
        skip_junk_kinds=frozenset(settings.getlist("CLEANCRAWL_KEEP_JUNK_KINDS")),
        prune_widgets=settings.getbool("CLEANCRAWL_PRUNE_WIDGETS"),
    )


class CleaningPipeline:
    """Turn fetched pages into articles, or drop them under a named reason."""

    def __init__(
        self,
        options: CleaningOptions,
        stats: StatsCollector,
        spider: str,
        crawl_id: str,
        *,
        site_prune_xpaths: dict[str, tuple[str, ...]] | None = None,
        audit_removed_lines: bool = False,
    ) -> None:
        self.options = options
        self.stats = stats
        self.spider = spider
        self.crawl_id = crawl_id
        self.audit_removed_lines = audit_removed_lines
        # one options object per site that has its own prune selectors, built once
        self.site_options = {
            site: replace(options, prune_xpaths=xpaths)
            for site, xpaths in (site_prune_xpaths or {}).items()
            if xpaths
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None and crawler.spider is not None
        sites = getattr(crawler.spider, "sites", {})
        return cls(
            cleaning_options(crawler.settings),
            crawler.stats,
            crawler.spider.name,
            crawler.settings.get("CLEANCRAWL_CRAWL_ID") or "",
            site_prune_xpaths={name: site.prune_xpaths for name, site in sites.items()},
            audit_removed_lines=crawler.settings.getbool("CLEANCRAWL_AUDIT_REMOVED_LINES"),
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        options = self.site_options.get(item.site, self.options)
        result = clean_page(item.html, item.url, options)
        for removed in result.removed_lines:
            self.stats.inc_value(f"cleaning/lines_removed/{removed.reason}")
        if result.drop_reason is not None:
            count_drop(self.stats, result.drop_reason)
            # expected outcomes, counted in the stats: no warning per page
            raise DropItem(f"{result.drop_reason}: {item.url}", log_level="DEBUG")
        self.stats.inc_value("cleaning/kept")
        return self._article(item, result)

    def _article(self, page: PageItem, result: CleanResult) -> ArticleItem:
        return ArticleItem(
            text=result.text,
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{page.url}#{result.content_hash}")),
            url=page.url,
            date=page.fetched_at,
            language=result.language,
            language_score=result.language_score,
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
        )


class ParquetPipeline:
    """Write articles to a Parquet dataset, one rolling series of files per crawl."""

    def __init__(self, writer: RollingParquetWriter, stats: StatsCollector) -> None:
        self.writer = writer
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("CLEANCRAWL_PARQUET_ENABLED"):
            raise NotConfigured("CLEANCRAWL_PARQUET_ENABLED is off")
        assert crawler.stats is not None and crawler.spider is not None
        crawl_id = settings.get("CLEANCRAWL_CRAWL_ID") or ""
        compression = settings.get("CLEANCRAWL_PARQUET_COMPRESSION", "zstd")
        options = ParquetOptions(
            directory=Path(settings.get("CLEANCRAWL_OUTPUT_DIR")),
            basename=f"{crawler.spider.name}-{crawl_id}",
            max_rows_per_file=settings.getint("CLEANCRAWL_PARQUET_MAX_ROWS"),
            batch_size=settings.getint("CLEANCRAWL_PARQUET_BATCH_SIZE"),
            compression=compression,
        )
        metadata = {
            "cleancrawl.schema_version": SCHEMA_VERSION,
            "cleancrawl.version": CLEANCRAWL_VERSION,
            "cleancrawl.extractor_version": EXTRACTOR_VERSION,
            "cleancrawl.crawl_id": crawl_id,
        }
        pipeline = cls(RollingParquetWriter(options, ARTICLE_SCHEMA, metadata), crawler.stats)
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.writer.write(ItemAdapter(item).asdict())
        return item

    def close(self) -> None:
        self.writer.close()
        self.stats.set_value("parquet/rows_written", self.writer.rows_written)
        self.stats.set_value("parquet/files_written", len(self.writer.files))
        for path in self.writer.files:
            logger.info("Wrote %s", path)

"""cleancrawl's cleaning as a datatrove pipeline step (the ``datatrove`` extra).

``WarcReader → CleancrawlStep → writer`` runs on any datatrove executor (local, Slurm,
Ray) over Common Crawl's WARC files or cleancrawl's own archives. Each document's text
(the HTML ``WarcReader`` decoded) is cleaned by ``clean_page``, the function a crawl and
``cleancrawl clean`` run; a kept page's text becomes the cleaned text, its id cleancrawl's
row id, and its metadata gets cleancrawl's columns. A dropped page goes through datatrove's
own accounting: the ``dropped`` stat, ``dropped_<reason>`` per cleancrawl drop reason, and
the step's ``exclusion_writer`` with ``filter_reason``.

Imports datatrove, so only this module needs the extra: ``cleaning`` itself never imports
it (nor Scrapy).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyarrow as pa
from datatrove.pipeline.filters.base_filter import BaseFilter

from cleaning.ids import article_id
from cleaning.options import CleaningOptions
from cleaning.page import clean_page
from cleaning.quality import QualityThresholds, quality_signals, quality_verdict
from output.schema import ARTICLE_SCHEMA

if TYPE_CHECKING:
    from datatrove.data import Document
    from datatrove.pipeline.writers.disk_base import DiskWriter

    from cleaning.page import CleanResult

# the columns of cleancrawl's rows this step fills, in the schema's order: the rest need a
# crawl (http_status, spider, crawl_id) or state across documents (duplicates, templates),
# which datatrove has its own steps for
COLUMNS = (
    "text",
    "id",
    "url",
    "date",
    "language",
    "language_score",
    "language_share",
    "page_type",
    "title",
    "authors",
    "date_published",
    "domain",
    "site",
    "sitename",
    "description",
    "tags",
    "word_count",
    "content_hash",
    "mean_word_length",
    "symbol_word_ratio",
    "alpha_word_share",
    "punctuation_line_share",
    "duplicate_line_share",
    "stop_words",
)


def parquet_schema() -> pa.Schema:
    """The schema of ``ParquetWriter(..., expand_metadata=True, schema=parquet_schema())``:
    cleancrawl's columns (their types and descriptions) this step fills, and the WARC record
    id. Without it datatrove infers a schema from the first document, which a later one with
    a title where the first had none does not fit."""
    fields = [ARTICLE_SCHEMA.field(name) for name in COLUMNS]
    record = pa.field(
        "warc_record_id",
        pa.string(),
        nullable=True,
        metadata={"description": "WARC-Record-ID of the response record the page was read from"},
    )
    return pa.schema([*fields, record])


class CleancrawlStep(BaseFilter):  # type: ignore[misc]  # datatrove ships no type hints
    """Clean each document's HTML as cleancrawl does; drop the pages cleancrawl drops.

    Args:
        options: The cleaning options (``CleaningOptions()``: a crawl's defaults).
        quality: Limits of the quality filter (``CLEANCRAWL_QUALITY_FILTER``); None: the
            signals are computed and kept in the metadata, nothing is dropped for them.
        exclusion_writer: A datatrove writer for the dropped documents (their HTML, with
            ``filter_reason`` in the metadata).
    """

    name = "🧹 cleancrawl"

    def __init__(
        self,
        options: CleaningOptions | None = None,
        *,
        quality: QualityThresholds | None = None,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer)
        self.options = options or CleaningOptions()
        self.quality = quality

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Clean ``doc`` in place: True to keep it, (False, drop reason) to drop it."""
        url = str(doc.metadata.get("url") or "")
        result = clean_page(doc.text, url, self.options)
        for removed in result.removed_lines:
            self.stat_update(f"lines_removed_{removed.reason}")
        if result.drop_reason is not None:
            return False, result.drop_reason
        signals = quality_signals(result.text, result.language)
        if self.quality is not None and (reason := quality_verdict(signals, self.quality)):
            return False, reason
        doc.metadata.setdefault("warc_record_id", doc.id)
        doc.metadata.update(columns(url, result))
        doc.metadata.update(asdict(signals))
        doc.metadata["date"] = _date(doc.metadata.get("date"))
        doc.text = result.text
        doc.id = article_id(url, result.content_hash)
        return True


def columns(url: str, result: CleanResult) -> dict[str, Any]:
    """cleancrawl's columns of a kept page, but text, id and the quality signals."""
    domain = (urlsplit(url).hostname or "").lower()
    return {
        "url": url,
        "language": result.language,
        "language_score": result.language_score,
        "language_share": result.language_share,
        "page_type": str(result.page_type),
        "title": result.title,
        "authors": result.authors,
        "date_published": result.date_published,
        "domain": domain,
        "site": domain,  # as `cleancrawl clean` without --sites: the host
        "sitename": result.sitename,
        "description": result.description,
        "tags": result.tags,
        "word_count": result.word_count,
        "content_hash": result.content_hash,
    }


def _date(value: Any) -> Any:
    """``WARC-Date`` (as ``WarcReader`` gives it) as a UTC time; anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return value

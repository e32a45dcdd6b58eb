"""Items passed between the spider and the pipelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cleaning.signed import TextFacts


@dataclass(slots=True)
class PageItem:
    """A fetched HTML page, before cleaning."""

    url: str
    html: str
    http_status: int
    site: str
    fetched_at: dt.datetime
    source: str  # how the URL was found: start, sitemap, feed or link
    lastmod: str | None = None  # sitemap <lastmod> or feed date, as given
    etag: str | None = None  # response headers, for conditional re-fetches in a later run
    last_modified: str | None = None
    # bytes of the response's body: what it weighs in Scrapy's scraper while it is held
    # (crawler.hold_budget)
    response_size: int = 0


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _hex(value: bytes | None) -> str | None:
    return value.hex() if value is not None else None


# Scrapy's feed exporters (-o, FEEDS) call a field's "serializer": JSON-safe values
_ISO = {"serializer": _iso}


@dataclass(slots=True, kw_only=True)
class ArticleItem:
    """A cleaned article: one Parquet row (see ``output.schema.ARTICLE_SCHEMA``)."""

    text: str
    id: str
    url: str
    date: dt.datetime = field(metadata=_ISO)
    language: str
    language_score: float
    language_share: float
    page_type: str
    title: str | None
    authors: list[str] = field(default_factory=list)
    date_published: dt.date | None = field(metadata=_ISO)
    domain: str
    site: str
    sitename: str | None
    description: str | None
    tags: list[str] = field(default_factory=list)
    word_count: int
    content_hash: str
    http_status: int
    spider: str
    crawl_id: str
    extractor_version: str
    cleancrawl_version: str
    removed_lines: list[dict[str, str]] = field(default_factory=list)
    duplicate_of: str | None = None
    # filled by NearDuplicatePipeline
    near_duplicate_of: str | None = None
    near_duplicate_similarity: float | None = None
    # quality signals (cleaning.quality), filled by QualityPipeline
    mean_word_length: float = 0.0
    symbol_word_ratio: float = 0.0
    alpha_word_share: float = 0.0
    punctuation_line_share: float = 0.0
    duplicate_line_share: float = 0.0
    stop_words: int | None = None
    # kept in the crawl state, not written to Parquet
    lastmod: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # MinHash signature of text (cleaning.neardup); hex if a feed is asked for every field
    minhash: bytes | None = field(default=None, metadata={"serializer": _hex})
    # line keys and quality signals of text, made by the cleaning worker (cleaning/signed.py);
    # None once text changes, and once QualityPipeline has used them: never written
    facts: TextFacts | None = None
    # PageItem.response_size, for TemplatePipeline's hold (crawler.hold_budget): never written
    response_size: int = 0

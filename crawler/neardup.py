"""Near duplicates: the same story under another URL or on another site, lightly edited."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cleaning.neardup import (
    NearDuplicateIndex,
    NearDuplicateOptions,
    signature_bytes,
    signature_from_bytes,
    text_signature,
)
from crawler.incremental import history_for
from crawler.items import ArticleItem
from crawler.pipelines import CleaningPipeline
from crawler.stats import drop_cleaned

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from crawler.state import NearDuplicates

logger = logging.getLogger(__name__)


def near_duplicate_options(settings: BaseSettings) -> NearDuplicateOptions:
    """Build the comparison options from the ``CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD`` setting.

    Shingle size and permutations are not settings: signatures stored by earlier runs are
    only comparable with signatures made the same way.
    """
    return NearDuplicateOptions(threshold=settings.getfloat("CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD"))


class NearDuplicatePipeline:
    """Mark (or drop) a text similar enough to one written before, in this run or earlier ones.

    Each text's MinHash signature is looked up in an LSH index of the texts passed on so
    far; with a state directory the index starts with the signatures of earlier runs, and
    a signature is kept there once its row is in a closed file. In a distributed crawl the
    index is in Redis, shared by every worker and kept from crawl to crawl. A URL's own
    earlier version is not its near duplicate: a changed article replaces it in the index.
    """

    def __init__(self, stats: StatsCollector, index: NearDuplicates, *, drop: bool) -> None:
        self.stats = stats
        self.index = index
        self.drop = drop
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        mode = settings.get("CLEANCRAWL_NEAR_DUPLICATES")
        if mode == "off":
            raise NotConfigured("CLEANCRAWL_NEAR_DUPLICATES is off")
        options = near_duplicate_options(settings)
        index: NearDuplicates = NearDuplicateIndex(options)
        history = history_for(crawler)
        if history is not None:
            history.signature_key = options.key
            # as for exact duplicates: with "all", what earlier runs wrote does not count;
            # in memory with a state directory, in Redis (shared) in a distributed crawl
            earlier = settings.get("CLEANCRAWL_RECRAWL") != "all"
            index = history.store.near_duplicate_index(options, earlier_runs=earlier)
            if earlier:
                logger.info("Near-duplicate index: %d texts of earlier runs", len(index))
        pipeline = cls(crawler.stats, index, drop=mode == "drop")
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.ask_for_signatures, signal=signals.spider_opened)
        return pipeline

    def ask_for_signatures(self) -> None:
        """Have the cleaning workers sign the texts (the pipelines are all built by now)."""
        assert self.crawler is not None
        cleaning = self.crawler.get_item_pipeline(CleaningPipeline)
        if cleaning is not None:
            cleaning.sign_texts(self.index.options)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if item.duplicate_of is not None:
            item.minhash = None  # an exact copy is already marked as such: not indexed, nor kept
            return item
        signature = (
            signature_from_bytes(item.minhash, self.index.options)  # the worker's, same options
            if item.minhash is not None
            else text_signature(item.text, self.index.options)
        )
        if signature is None:
            return item
        item.minhash = signature_bytes(signature)
        match = self.index.find(signature, exclude=item.url)
        if match is not None:
            if self.drop:
                raise drop_cleaned(self.stats, "near_duplicate", item.url, f" of {match[0]}")
            item.near_duplicate_of, item.near_duplicate_similarity = match
            self.stats.inc_value("cleaning/marked/near_duplicate")
        self.index.add(item.url, signature)
        return item

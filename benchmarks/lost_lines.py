"""Article lines the cleaner cuts: removed lines that are in a page's expected text.

Run from the repository root::

    python -m benchmarks.lost_lines             # counts by reason, both halves
    python -m benchmarks.lost_lines --show 40   # also 40 of the lost lines
    python -m benchmarks.lost_lines --reason learned --split test
    python -m benchmarks.lost_lines --snippets  # "with" snippets trafilatura finds, we miss

`clean_page` runs on every page of the extraction data sets with expected texts (wcxb-dev) or
``with`` snippets (trafilatura-eval); each removed line that is a whole line of the expected
text, or a longer line (``MIN_SUBSTRING_WORDS`` words) found inside it or inside a ``with``
snippet, or a line holding a ``with`` snippet, is article text the cleaner lost. ``title`` and
``date_line`` are cut by design and marked so. The line model learned from the pages of the
training half (`benchmarks.extraction.in_training_half`), so the test half is the fair count
of its false positives. These pages may be read while tuning: they are the development set of the
article side, as `benchmarks.dev_junk` is of the junk side.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.extraction import (
    CRAWL_OPTIONS,
    DEFAULT_DATA_ROOT,
    extract_trafilatura,
    found_snippets,
    in_split,
    load_docs,
)
from benchmarks.planted_junk import normalize_whitespace
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cleaning.junk import RemovedLine

# a removed line this long found inside a paragraph of the expected text is that text's
BY_DESIGN = frozenset({"title", "date_line"})
MIN_SUBSTRING_WORDS = 4
_OPTIONS = CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES)


@dataclass(frozen=True, slots=True)
class Lost:
    """One article line the cleaner removed."""

    dataset: str
    doc_id: str
    reason: str
    line: str


def _fold(text: str) -> str:
    return normalize_whitespace(text).casefold()


def lost_lines(dataset: Path, limit: int | None = None, split: str = "all") -> list[Lost]:
    """The removed lines of a data set's pages that are in their expected text."""
    lost = []
    for doc in load_docs(dataset, limit):
        if not in_split(doc.id, split):
            continue
        expected = [doc.text] if doc.text else []
        references = [*expected, *doc.with_]
        if not references:
            continue
        whole = {_fold(line) for text in expected for line in text.split("\n") if line.strip()}
        folded = [_fold(text) for text in references]
        snippets = [_fold(snippet) for snippet in doc.with_]
        result = clean_page(doc.read_html(), doc.url, _OPTIONS)
        for removed in result.removed_lines:
            line = _fold(removed.line)
            if not line:
                continue
            long_enough = len(line.split()) >= MIN_SUBSTRING_WORDS
            inside = long_enough and any(line in text for text in folded)
            if line in whole or inside or any(snippet in line for snippet in snippets):
                lost.append(Lost(dataset.name, doc.id, removed.reason, removed.line))
    return lost


@dataclass(frozen=True, slots=True)
class Missed:
    """A ``with`` snippet trafilatura finds and cleancrawl (as a crawl runs it) does not."""

    dataset: str
    doc_id: str
    reason: str
    snippet: str
    removed: str = ""


NOT_EXTRACTED = "not_extracted"
"""No removed line holds the snippet: extraction itself left it out (or changed its text)."""


def missed_snippets(dataset: Path, limit: int | None = None, split: str = "all") -> list[Missed]:
    """The ``with`` snippets of a data set's pages that trafilatura finds and cleancrawl misses.

    Each is given the reason it is missing: the page's drop reason if cleancrawl dropped the
    page, else the reason of a removed line (``removed_lines``: pruned widget, junk kind,
    ``title``, ``site_list``, template...) that holds the snippet or is part of it, else
    ``not_extracted``.
    """
    missed = []
    for doc in load_docs(dataset, limit):
        if not doc.with_ or not in_split(doc.id, split):
            continue
        html = doc.read_html()
        theirs = set(found_snippets(doc.with_, extract_trafilatura(html, doc.url)[0]))
        result = clean_page(html, doc.url, CRAWL_OPTIONS)
        ours = set(found_snippets(doc.with_, result.text if result.kept else ""))
        for snippet in doc.with_:
            if snippet not in theirs or snippet in ours:
                continue
            if result.drop_reason is not None:
                missed.append(Missed(dataset.name, doc.id, result.drop_reason, snippet))
                continue
            missed.append(_why_missing(dataset.name, doc.id, snippet, result.removed_lines))
    return missed


def _why_missing(dataset: str, doc_id: str, snippet: str, removed: Iterable[RemovedLine]) -> Missed:
    folded = _fold(snippet)
    for line in removed:
        text = _fold(line.line)
        if text and (folded in text or text in folded):
            return Missed(dataset, doc_id, line.reason, snippet, line.line)
    return Missed(dataset, doc_id, NOT_EXTRACTED, snippet)


def _print_missed(missed: list[Missed], show: int) -> None:
    counts = Counter((m.dataset, m.reason) for m in missed)
    print('| data set | reason | "with" snippets trafilatura finds, cleancrawl misses |')
    print("|---|---|--:|")
    for (dataset, reason), count in sorted(counts.items()):
        note = " (by design)" if reason in BY_DESIGN else ""
        print(f"| {dataset} | {reason}{note} | {count} |")
    for m in missed[:show]:
        removed = f" <- removed line: {m.removed[:160]!r}" if m.removed else ""
        print(f"{m.dataset} {m.doc_id} {m.reason}: {m.snippet!r}{removed}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--limit", type=int, help="only the first N pages per data set")
    parser.add_argument("--split", choices=("all", "train", "test"), default="all")
    parser.add_argument("--reason", help="only lines removed for this reason")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N lost lines")
    parser.add_argument(
        "--snippets",
        action="store_true",
        help='list the "with" snippets trafilatura finds and cleancrawl (page drops on) misses',
    )
    args = parser.parse_args(argv)
    if args.snippets:
        missed: list[Missed] = []
        for name in ("trafilatura-eval", "wcxb-dev"):
            folder = args.data_root / name
            if folder.is_dir():
                missed += missed_snippets(folder, args.limit, args.split)
        if args.reason:
            missed = [m for m in missed if m.reason == args.reason]
        _print_missed(missed, args.show or len(missed))
        return 0
    everything: list[Lost] = []
    for name in ("wcxb-dev", "trafilatura-eval"):
        folder = args.data_root / name
        if folder.is_dir():
            everything += lost_lines(folder, args.limit, args.split)
    if args.reason:
        everything = [lost for lost in everything if lost.reason == args.reason]
    counts = Counter((lost.dataset, lost.reason) for lost in everything)
    print("| data set | reason | lost lines |\n|---|---|--:|")
    for (dataset, reason), count in sorted(counts.items()):
        note = " (by design)" if reason in BY_DESIGN else ""
        print(f"| {dataset} | {reason}{note} | {count} |")
    for lost in everything[: args.show]:
        print(f"{lost.dataset} {lost.doc_id} {lost.reason}: {lost.line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

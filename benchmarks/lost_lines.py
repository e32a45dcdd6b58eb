"""Article lines the cleaner cuts: removed lines that are in a page's expected text.

Run from the repository root::

    python -m benchmarks.lost_lines             # counts by reason, both halves
    python -m benchmarks.lost_lines --show 40   # also 40 of the lost lines
    python -m benchmarks.lost_lines --reason learned --split test

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

from benchmarks.extraction import DEFAULT_DATA_ROOT, in_split, load_docs
from benchmarks.planted_junk import normalize_whitespace
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--limit", type=int, help="only the first N pages per data set")
    parser.add_argument("--split", choices=("all", "train", "test"), default="all")
    parser.add_argument("--reason", help="only lines removed for this reason")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N lost lines")
    args = parser.parse_args(argv)
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

"""Article lines the cleaner cuts: removed lines that are in a page's expected text.

Run from the repository root::

    python -m benchmarks.lost_lines             # counts by reason, both halves
    python -m benchmarks.lost_lines --show 40   # also 40 of the lost lines
    python -m benchmarks.lost_lines --reason learned --split test
    python -m benchmarks.lost_lines --snippets  # "with" snippets trafilatura finds, we miss
    python -m benchmarks.lost_lines --versus 20 # 20 wcxb-dev pages furthest under trafilatura
    python -m benchmarks.lost_lines --both-miss  # "with" snippets both miss, by cause

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
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.extraction import (
    CRAWL_OPTIONS,
    DEFAULT_DATA_ROOT,
    extract_trafilatura,
    f1_score,
    found_snippets,
    in_split,
    load_docs,
    shingle_scores,
)
from benchmarks.planted_junk import normalize_whitespace
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page
from cleaning.blocks import remove_junk_blocks
from cleaning.extraction import parse_html
from cleaning.junk import DEFAULT_JUNK_FILE, LEARNED, load_junk_rules
from cleaning.lead import LEAD_NAME
from cleaning.prune import SITE_PRUNE, WIDGET, prune_widgets

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

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
    step: str = ""


NOT_EXTRACTED = "not_extracted"
"""No removed line holds the snippet: extraction itself left it out (or changed its text)."""

# The step of clean_page that lost a line (templates run in the crawl, across a site's pages,
# not on one page: no line of these data sets is lost to them)
PAGE_DROP = "page drop"
PRUNING = "pruning"
JUNK_BLOCKS = "junk blocks"
JUNK_LINES = "junk lines"
LINE_MODEL = "line model"
BY_DESIGN_STEP = "title/date (by design)"
EXTRACTION_CHOICE = "extraction choice"


def block_lines(html: str, options: CleaningOptions = CRAWL_OPTIONS) -> frozenset[tuple[str, str]]:
    """The junk blocks clean_page removes from the page's HTML before extraction, as
    ``(reason, line)``: the same steps on the same tree, so the same blocks."""
    tree = parse_html(html)
    if tree is None or not options.remove_junk:
        return frozenset()
    if options.prune_widgets or options.prune_xpaths:
        prune_widgets(
            tree,
            options.prune_xpaths,
            keep_comments=options.include_comments,
            by_name=options.prune_widgets,
        )
    rules = load_junk_rules(options.junk_file or DEFAULT_JUNK_FILE)
    removed = remove_junk_blocks(tree, rules, options.skip_junk_kinds)
    return frozenset((line.reason, line.line) for line in removed)


def step_of(reason: str, line: str, blocks: frozenset[tuple[str, str]]) -> str:
    """Which step of clean_page removed a line of this reason (see ``block_lines``)."""
    if reason in (WIDGET, SITE_PRUNE):
        return PRUNING
    if (reason, line) in blocks:
        return JUNK_BLOCKS
    if reason == LEARNED:
        return LINE_MODEL
    if reason in BY_DESIGN:
        return BY_DESIGN_STEP
    return JUNK_LINES


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
        blocks: frozenset[tuple[str, str]] | None = None
        for snippet in doc.with_:
            if snippet not in theirs or snippet in ours:
                continue
            if result.drop_reason is not None:
                missed.append(
                    Missed(dataset.name, doc.id, result.drop_reason, snippet, step=PAGE_DROP)
                )
                continue
            found = _why_missing(dataset.name, doc.id, snippet, result.removed_lines)
            if found.reason == NOT_EXTRACTED:
                step = EXTRACTION_CHOICE
            else:
                blocks = block_lines(html) if blocks is None else blocks
                step = step_of(found.reason, found.removed, blocks)
            missed.append(replace(found, step=step))
    return missed


def _why_missing(dataset: str, doc_id: str, snippet: str, removed: Iterable[RemovedLine]) -> Missed:
    folded = _fold(snippet)
    for line in removed:
        text = _fold(line.line)
        if text and (folded in text or text in folded):
            return Missed(dataset, doc_id, line.reason, snippet, line.line)
    return Missed(dataset, doc_id, NOT_EXTRACTED, snippet)


@dataclass(frozen=True, slots=True)
class Versus:
    """One page's F1 against its expected text, cleancrawl (as a crawl runs it) and
    trafilatura, and why cleancrawl's text is shorter: its drop reason, or the reasons of the
    removed lines that trafilatura's text holds (``reason count``), or ``not_extracted``."""

    doc_id: str
    label: str
    ours: float
    theirs: float
    why: str

    @property
    def loss(self) -> float:
        return self.theirs - self.ours


def versus(dataset: Path, limit: int | None = None, split: str = "all") -> list[Versus]:
    """Every page of a data set with an expected text, cleancrawl's F1 beside trafilatura's,
    the pages losing most first."""
    pages = []
    for doc in load_docs(dataset, limit):
        if not doc.text or not in_split(doc.id, split):
            continue
        html = doc.read_html()
        theirs_text = extract_trafilatura(html, doc.url)[0]
        result = clean_page(html, doc.url, CRAWL_OPTIONS)
        ours_text = result.text if result.kept else ""
        ours = f1_score(*shingle_scores(ours_text, doc.text))
        theirs = f1_score(*shingle_scores(theirs_text, doc.text))
        if result.drop_reason is not None:
            why = f"{PAGE_DROP}: {result.drop_reason}"
        else:
            why = _cut_lines(result.removed_lines, theirs_text, html) or EXTRACTION_CHOICE
        label = str(doc.meta.get("page_type") or "unlabeled")
        pages.append(Versus(doc.id, label, ours, theirs, why))
    return sorted(pages, key=lambda page: (-page.loss, page.doc_id))


def _cut_lines(removed: Iterable[RemovedLine], theirs: str, html: str) -> str:
    """The steps and reasons of the removed lines that trafilatura's text holds, with their
    counts ("junk lines: read_more 7")."""
    folded = _fold(theirs)
    cut = [line for line in removed if (text := _fold(line.line)) in folded and text]
    if not cut:
        return ""
    blocks = block_lines(html)
    counts = Counter((step_of(line.reason, line.line, blocks), line.reason) for line in cut)
    return ", ".join(f"{step}: {reason} {n}" for (step, reason), n in counts.most_common())


@dataclass(frozen=True, slots=True)
class BothMissed:
    """A ``with`` snippet neither trafilatura nor cleancrawl (as a crawl runs it) finds: where
    it is in the page (the innermost element holding it, and its ancestors) and the cause."""

    doc_id: str
    snippet: str
    cause: str
    where: str


# The causes of ``--both-miss``, in the order they are tested
IN_RECALL = "in favor_recall's text"
IN_LEAD = "lead/teaser block (class or id)"
IN_SCRIPT = "only in a script or the <head> (JSON-LD, title)"
IN_CAPTION = "photo caption"
IN_COMMENTS = "reader comments (comments off)"
ACROSS = "not in one element's text (split by markup)"
ELSEWHERE = "elsewhere: outside the main node, or cut by another rule"
_COMMENTS = re.compile("comment", re.IGNORECASE)


def both_missed(dataset: Path, limit: int | None = None) -> list[BothMissed]:
    """The ``with`` snippets of a data set that trafilatura.extract and cleancrawl both miss."""
    import trafilatura
    from lxml.html import fromstring

    found: list[BothMissed] = []
    for doc in load_docs(dataset, limit):
        if not doc.with_:
            continue
        html = doc.read_html()
        theirs = set(found_snippets(doc.with_, extract_trafilatura(html, doc.url)[0]))
        result = clean_page(html, doc.url, CRAWL_OPTIONS)
        ours = set(found_snippets(doc.with_, result.text if result.kept else ""))
        missed = [s for s in doc.with_ if s not in theirs and s not in ours]
        if not missed:
            continue
        recall = trafilatura.extract(html, url=doc.url or None, favor_recall=True) or ""
        in_recall = set(found_snippets(missed, recall))
        tree = fromstring(html.encode("utf-8"))
        for snippet in missed:
            chain = _holding(tree, normalize_whitespace(snippet))
            found.append(
                BothMissed(
                    doc.id,
                    snippet,
                    _cause(snippet in in_recall, chain),
                    " < ".join(_name(element) for element in chain[:6]),
                )
            )
    return found


def _holding(tree: Any, snippet: str) -> list[Any]:
    """The innermost element whose text holds ``snippet``, then its ancestors."""
    element = tree
    if snippet not in normalize_whitespace(tree.text_content()):
        return []
    while True:
        inner = next(
            (
                child
                for child in element
                if isinstance(child.tag, str)
                and snippet in normalize_whitespace(child.text_content())
            ),
            None,
        )
        if inner is None:
            return [element, *element.iterancestors()]
        element = inner


def _name(element: Any) -> str:
    ident, classes = element.get("id"), (element.get("class") or "").split()
    return str(element.tag) + (f"#{ident}" if ident else "") + (f".{classes[0]}" if classes else "")


def _cause(in_recall: bool, chain: list[Any]) -> str:
    if in_recall:
        return IN_RECALL
    if not chain:
        return ACROSS
    names = [f"{e.get('class', '')} {e.get('id', '')}" for e in chain]
    tags = {element.tag for element in chain}
    if tags & {"script", "head", "title"}:
        return IN_SCRIPT
    if tags & {"figure", "figcaption"}:
        return IN_CAPTION
    if any(_COMMENTS.search(name) for name in names):
        return IN_COMMENTS
    if any(LEAD_NAME.search(name) for name in names[:4]):
        return IN_LEAD
    return ELSEWHERE


def _print_both(missed: list[BothMissed], show: int) -> None:
    print('| cause | "with" snippets trafilatura and cleancrawl both miss |')
    print("|---|--:|")
    for cause, count in Counter(m.cause for m in missed).most_common():
        print(f"| {cause} | {count} |")
    for m in sorted(missed, key=lambda m: (m.cause, m.doc_id))[:show]:
        print(f"{m.doc_id} [{m.cause}] {m.snippet[:70]!r} in {m.where}")


def _print_versus(pages: list[Versus], show: int) -> None:
    losses = [page for page in pages if page.loss > 0]
    total = len(pages) or 1
    print(
        f"{len(pages)} pages; mean F1 cleancrawl {sum(p.ours for p in pages) / total:.4f}, "
        f"trafilatura {sum(p.theirs for p in pages) / total:.4f}; "
        f"{len(losses)} pages lose {sum(p.loss for p in losses) / total:.4f} of mean F1"
    )
    print("| page | label | F1 cleancrawl | F1 trafilatura | share of mean F1 | why |")
    print("|---|---|--:|--:|--:|---|")
    for page in losses[:show]:
        print(
            f"| {page.doc_id} | {page.label} | {page.ours:.3f} | {page.theirs:.3f} "
            f"| {page.loss / total:.4f} | {page.why} |"
        )


def _print_missed(missed: list[Missed], show: int) -> None:
    counts = Counter((m.dataset, m.reason) for m in missed)
    steps = {(m.dataset, m.reason): m.step for m in missed}
    print('| data set | step | reason | "with" snippets trafilatura finds, cleancrawl misses |')
    print("|---|---|---|--:|")
    for (dataset, reason), count in sorted(counts.items()):
        note = " (by design)" if reason in BY_DESIGN else ""
        print(f"| {dataset} | {steps[dataset, reason]} | {reason}{note} | {count} |")
    for m in missed[:show]:
        removed = f" <- removed line: {m.removed[:160]!r}" if m.removed else ""
        print(f"{m.dataset} {m.doc_id} [{m.step}] {m.reason}: {m.snippet!r}{removed}")


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
    parser.add_argument(
        "--versus",
        type=int,
        metavar="N",
        help="the N wcxb-dev pages whose F1 is furthest under trafilatura's, and why",
    )
    parser.add_argument(
        "--dataset", default="wcxb-dev", help="the data set of --versus (default: wcxb-dev)"
    )
    parser.add_argument(
        "--both-miss",
        action="store_true",
        help='trafilatura-eval\'s "with" snippets trafilatura and cleancrawl both miss, by cause',
    )
    args = parser.parse_args(argv)
    if args.both_miss:
        both = both_missed(args.data_root / "trafilatura-eval", args.limit)
        _print_both(both, args.show or len(both))
        return 0
    if args.versus is not None:
        pages = versus(args.data_root / args.dataset, args.limit, args.split)
        _print_versus(pages, args.versus)
        return 0
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

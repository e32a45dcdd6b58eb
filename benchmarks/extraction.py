"""Text-quality and speed benchmark: cleancrawl's `clean_page` against trafilatura alone.

Run from the repository root::

    python -m benchmarks.extraction                 # every dataset, all three variants
    python -m benchmarks.extraction --limit 100     # a quick run
    python -m benchmarks.extraction --no-planted    # original pages only
    python -m benchmarks.extraction --json out.json # also every number as JSON
    python -m benchmarks.extraction --no-drops      # no page dropped for its type or length
    python -m benchmarks.extraction --look holdout7 # also a held-out set's variant (repeatable)
    python -m benchmarks.extraction --no-holdout    # planted junk only: no look at a holdout

cleancrawl runs as a crawl does, with its default options: a page it drops (a listing, a page
too short) counts as an empty text in every score. `--no-drops` scores the cleaning alone.

Each dataset folder holds `docs.jsonl` and gzipped HTML (see `shared/data/README.md`). Every
page is extracted as it is (`original`); article pages are also extracted in two variants with
3 to 5 junk blocks planted inside the article by `benchmarks.planted_junk`:

- `planted`: the wordings of `benchmarks.planted_junk`. The cleaner was tuned while looking at
  them, so this variant measures junk the cleaner knows;
- `holdout`: the held-out wordings and class names of `benchmarks/data/holdout_junk.jsonl`,
  written apart from the cleaner's rules and from the first set, planted at other positions
  (seeded with `"<id>:holdout"`). It measures how the cleaner does on junk it was not tuned on.
- the other held-out sets of `benchmarks.junk_data.HELD_OUT`, each only with `--look NAME` and
  seeded with `"<id>:NAME"`: a blind set is looked at once, at the end (`benchmarks/README.md`
  counts the looks); the sets whose status is "trained on" (`holdout2` to `holdout9` since stop
  30) have had their look and are training data of the line model, so their variants no longer
  measure junk the cleaner has not seen.

For every page variant both systems extract the text, timed back to back in alternating
order. Scores:

- text: mean shingle precision and recall against the expected text, and their F1;
- snippets: share of `with` snippets found and of `without` snippets that survive;
- junk: share of the planted junk blocks that survive (planted and holdout variants);
- speed: documents per second, and the ratio of cleancrawl's time to trafilatura's.

The report is Markdown on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trafilatura

from benchmarks import junk_data
from benchmarks.planted_junk import junk_language, normalize_whitespace, plant_junk
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page
from cleaning.pagetype import PageType

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from benchmarks.planted_junk import PlantedPage

DEFAULT_DATA_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction"
SHINGLE_SIZE = 4
SYSTEMS = ("trafilatura", "cleancrawl")
VARIANTS = ("original", "planted", "holdout")
"""The variants run by default."""
JUNK_VARIANTS = ("planted", "holdout")
"""The variants with planted junk, built for article pages unless `--no-planted`."""
LOOKS = tuple(row.name for row in junk_data.HELD_OUT if row.name not in VARIANTS)
"""The held-out sets run only when asked for (`--look NAME`), in the table's order."""
ALL_VARIANTS = (*VARIANTS, *LOOKS)
HOLDOUT_SEED = junk_data.held_out("holdout").seed
"""Seed of a page's holdout variant, so its junk goes elsewhere than the planted variant's."""
TIME_RATIO_TARGET = 1.15
PROGRESS_EVERY = 50

_TOKEN = re.compile(r"\w+")
CRAWL_OPTIONS = CleaningOptions()
"""cleancrawl as a crawl runs it: pages dropped for their type or length count as empty."""
NO_DROP_OPTIONS = CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES)
"""The cleaning alone: no page dropped for its type or length."""
TEXT_PAGE_WORDS = 100
"""Pages with at least this many words of expected text have real main text to keep."""

Extraction = tuple[str, str]
"""The text, and what became of the page: `written:<page type>` or the drop reason."""
Extractor = Callable[[str, str], Extraction]


# --- metrics -------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Split a text into `\\w+` tokens (Unicode, case kept).

    Args:
        text: Any text.

    Returns:
        The tokens in order.
    """
    return _TOKEN.findall(text)


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Count the token n-grams of a text.

    Args:
        text: Any text.
        size: Tokens per shingle.

    Returns:
        A multiset of shingles. A text with fewer than `size` tokens (but at least one) is one
        shingle of all its tokens; a text without tokens has none.
    """
    tokens = tokenize(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def shingle_scores(predicted: str, expected: str) -> tuple[float, float]:
    """Precision and recall of a predicted text's shingles against an expected text's.

    The overlap is the multiset intersection of the two texts' shingles. Edge cases: both
    without shingles score (1, 1); an empty prediction of a non-empty text scores (0, 0); a
    non-empty prediction where nothing was expected scores (0, 1).

    Args:
        predicted: The extracted text.
        expected: The reference text.

    Returns:
        Precision and recall, each from 0 to 1.
    """
    pred, gold = shingles(predicted), shingles(expected)
    if not gold:
        return (1.0, 1.0) if not pred else (0.0, 1.0)
    if not pred:
        return 0.0, 0.0
    overlap = (pred & gold).total()
    return overlap / pred.total(), overlap / gold.total()


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of a precision and a recall (0 when both are 0).

    Args:
        precision: From 0 to 1.
        recall: From 0 to 1.

    Returns:
        The F1 score.
    """
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def found_snippets(snippets: Iterable[str], text: str) -> tuple[str, ...]:
    """The snippets that occur in a text, white space normalized on both sides.

    Args:
        snippets: Strings to look for.
        text: The extracted text.

    Returns:
        The snippets, in their order, that are substrings of the text after white space
        normalization.
    """
    haystack = normalize_whitespace(text)
    return tuple(snippet for snippet in snippets if normalize_whitespace(snippet) in haystack)


def count_found(snippets: Iterable[str], text: str) -> int:
    """How many snippets occur in a text; see `found_snippets`."""
    return len(found_snippets(snippets, text))


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def share(found: int, total: int) -> float | None:
    """`found / total`, or None when there is nothing to count."""
    return found / total if total else None


# --- data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One page of an extraction dataset.

    Attributes:
        id: The page's id, unique in its dataset.
        url: The page's URL ("" if unknown).
        html_path: The gzipped HTML file.
        text: The expected main text, or None where only snippets exist.
        with_: Snippets the extracted text must contain.
        without: Snippets it must not contain.
        meta: Free-form metadata (`lang`, `page_type`, ...).
    """

    id: str
    url: str
    html_path: Path
    text: str | None
    with_: tuple[str, ...]
    without: tuple[str, ...]
    meta: dict[str, Any]

    @property
    def lang(self) -> str | None:
        """The page's language code, if known."""
        lang = self.meta.get("lang")
        return lang if isinstance(lang, str) else None

    @property
    def plantable(self) -> bool:
        """Whether the page is an article (or of unknown type) and so gets a planted variant."""
        return self.meta.get("page_type") in (None, "article")

    def read_html(self) -> str:
        """Read and decompress the page's HTML."""
        with gzip.open(self.html_path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")


def parse_doc(record: dict[str, Any], folder: Path) -> Doc:
    """Build a `Doc` from one line of `docs.jsonl`.

    Args:
        record: The decoded JSON object.
        folder: The dataset folder, which `record["html"]` is relative to.

    Returns:
        The document.
    """
    return Doc(
        id=str(record["id"]),
        url=record.get("url") or "",
        html_path=folder / record["html"],
        text=record.get("text"),
        with_=tuple(record.get("with") or ()),
        without=tuple(record.get("without") or ()),
        meta=dict(record.get("meta") or {}),
    )


def load_docs(folder: Path, limit: int | None = None) -> list[Doc]:
    """Read a dataset's `docs.jsonl`.

    Args:
        folder: The dataset folder.
        limit: Keep only the first `limit` documents.

    Returns:
        The documents in file order.
    """
    docs: list[Doc] = []
    with (folder / "docs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(docs) >= limit:
                break
            if line.strip():
                docs.append(parse_doc(json.loads(line), folder))
    return docs


SPLITS = ("all", "train", "test")


def in_training_half(doc_id: str) -> bool:
    """Whether a page is in the half the line model learns from (`benchmarks.train_line_model`).

    The halves are fixed by a hash of the page id, so `--split test` always scores the pages
    the model never saw.
    """
    return int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0


def in_split(doc_id: str, split: str) -> bool:
    return split == "all" or in_training_half(doc_id) == (split == "train")


def default_datasets(root: Path = DEFAULT_DATA_ROOT) -> list[Path]:
    """The dataset folders under a data root: every subfolder with a `docs.jsonl`."""
    return sorted(path.parent for path in root.glob("*/docs.jsonl"))


# --- systems -------------------------------------------------------------------------------


def extract_trafilatura(html: str, url: str) -> Extraction:
    """Main text by trafilatura alone, with its defaults and without comments."""
    text = trafilatura.extract(html, url=url or None, include_comments=False, with_metadata=False)
    return (text, "written") if text else ("", "no_text")


def extract_cleancrawl(html: str, url: str, options: CleaningOptions = CRAWL_OPTIONS) -> Extraction:
    """Main text by cleancrawl's `clean_page`; a dropped page's text is empty."""
    result = clean_page(html, url, options)
    if result.drop_reason is not None:
        return "", result.drop_reason
    return result.text, f"written:{result.page_type}"


def extract_cleancrawl_no_drops(html: str, url: str) -> Extraction:
    """`extract_cleancrawl` with no page dropped for its type or length."""
    return extract_cleancrawl(html, url, NO_DROP_OPTIONS)


EXTRACTORS: dict[str, Extractor] = {
    "trafilatura": extract_trafilatura,
    "cleancrawl": extract_cleancrawl,
}


# --- one run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One variant of one page, as the systems get it.

    Attributes:
        dataset: The dataset's name.
        variant: `original`, `planted` or a held-out set's name.
        doc: The page's record (expected text and snippets).
        html: The HTML to extract from.
        junk: The junk strings planted in `html` (none for the original).
        junk_kinds: The kind of each junk string, parallel to `junk`.
    """

    dataset: str
    variant: str
    doc: Doc
    html: str
    junk: tuple[str, ...] = ()
    junk_kinds: tuple[str, ...] = ()


@dataclass
class DocResult:
    """What one system did with one page variant.

    Attributes:
        dataset: The dataset's folder name.
        variant: `original`, `planted` or a held-out set's name.
        system: The system's name.
        doc_id: The page's id.
        seconds: Time the extraction took.
        chars: Characters of extracted text.
        precision: Shingle precision, None without an expected text.
        recall: Shingle recall, None without an expected text.
        with_found: `with` snippets found.
        with_total: `with` snippets of the page.
        without_found: `without` snippets found.
        without_total: `without` snippets of the page.
        junk_found: Planted junk strings found.
        junk_total: Junk strings planted (0 for original pages).
        junk_planted: The junk strings planted in the page, in document order.
        junk_kinds: The kind of each planted string, parallel to `junk_planted`.
        junk_survived: Those found in the extracted text.
        error: The exception raised, if any (its text then counts as empty).
        outcome: `written` (`written:<page type>` for cleancrawl) or why the page was not.
        label: The page type the dataset gives the page (`unlabeled` if none).
        expected_words: Words of the expected text (None without one).
    """

    dataset: str
    variant: str
    system: str
    doc_id: str
    seconds: float
    chars: int
    precision: float | None
    recall: float | None
    with_found: int
    with_total: int
    without_found: int
    without_total: int
    junk_found: int
    junk_total: int
    junk_planted: tuple[str, ...] = ()
    junk_kinds: tuple[str, ...] = ()
    junk_survived: tuple[str, ...] = ()
    error: str | None = None
    outcome: str = "written"
    label: str = "unlabeled"
    expected_words: int | None = None

    @property
    def written(self) -> bool:
        return self.outcome.startswith("written")

    @property
    def text_page(self) -> bool:
        """Whether the page has real main text to keep (or no expected text to tell)."""
        return self.expected_words is None or self.expected_words >= TEXT_PAGE_WORDS


@dataclass
class Summary:
    """Scores of one system on one variant of one dataset.

    Attributes:
        dataset: The dataset's folder name.
        variant: `original`, `planted` or a held-out set's name.
        system: The system's name.
        docs: Pages extracted.
        text_docs: Pages with an expected text (those P, R and F1 are over).
        precision: Mean shingle precision.
        recall: Mean shingle recall.
        f1: Harmonic mean of `precision` and `recall`.
        with_found: Share of `with` snippets found.
        without_survives: Share of `without` snippets found.
        junk_survival: Share of planted junk strings found.
        docs_per_second: Pages per second of extraction time.
        seconds: Total extraction time.
        counts: The raw counts behind the shares.
        errors: Pages where the system raised.
    """

    dataset: str
    variant: str
    system: str
    docs: int
    text_docs: int
    precision: float | None
    recall: float | None
    f1: float | None
    with_found: float | None
    without_survives: float | None
    junk_survival: float | None
    docs_per_second: float | None
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0


def timed(extractor: Extractor, html: str, url: str) -> tuple[Extraction, float, str | None]:
    """Run an extractor and time it with `time.perf_counter`.

    Args:
        extractor: The system.
        html: The page.
        url: The page's URL.

    Returns:
        The text ("" on error) and outcome, the seconds taken and the error, if any.
    """
    start = time.perf_counter()
    try:
        extraction, error = extractor(html, url), None
    except Exception as exc:  # a failing page must not stop the benchmark; it is counted
        extraction, error = ("", "error"), f"{type(exc).__name__}: {exc}"
    return extraction, time.perf_counter() - start, error


def score_text(
    page: Page,
    system: str,
    text: str,
    seconds: float,
    error: str | None = None,
    outcome: str = "written",
) -> DocResult:
    """Score one system's text of one page.

    Args:
        page: The page variant extracted.
        system: The system's name.
        text: The extracted text.
        seconds: Time the extraction took.
        error: The exception the system raised, if any.
        outcome: What became of the page (see `DocResult.outcome`).

    Returns:
        The result.
    """
    doc = page.doc
    precision, recall = (None, None) if doc.text is None else shingle_scores(text, doc.text)
    survived = found_snippets(page.junk, text)
    return DocResult(
        dataset=page.dataset,
        variant=page.variant,
        system=system,
        doc_id=doc.id,
        seconds=seconds,
        chars=len(text),
        precision=precision,
        recall=recall,
        with_found=count_found(doc.with_, text),
        with_total=len(doc.with_),
        without_found=count_found(doc.without, text),
        without_total=len(doc.without),
        junk_found=len(survived),
        junk_total=len(page.junk),
        junk_planted=page.junk,
        junk_kinds=page.junk_kinds,
        junk_survived=survived,
        error=error,
        outcome=outcome,
        label=str(doc.meta.get("page_type") or "unlabeled"),
        expected_words=None if doc.text is None else len(tokenize(doc.text)),
    )


def run_page(page: Page, systems: Sequence[str]) -> list[DocResult]:
    """Extract one page with each system, back to back, and score the texts.

    Args:
        page: The page variant.
        systems: System names, in the order to run them.

    Returns:
        One result per system, in the order run.
    """
    results = []
    for system in systems:
        (text, outcome), seconds, error = timed(EXTRACTORS[system], page.html, page.doc.url)
        results.append(score_text(page, system, text, seconds, error, outcome))
    return results


_COUNT_FIELDS = (
    "with_found",
    "with_total",
    "without_found",
    "without_total",
    "junk_found",
    "junk_total",
)


def summarize(results: Sequence[DocResult]) -> Summary:
    """Aggregate one system's results on one variant of one dataset.

    Args:
        results: Results sharing dataset, variant and system (at least one).

    Returns:
        The summary.
    """
    first = results[0]
    precisions = [r.precision for r in results if r.precision is not None]
    recalls = [r.recall for r in results if r.recall is not None]
    precision, recall = mean(precisions), mean(recalls)
    counts = {name: sum(getattr(r, name) for r in results) for name in _COUNT_FIELDS}
    seconds = sum(r.seconds for r in results)
    return Summary(
        dataset=first.dataset,
        variant=first.variant,
        system=first.system,
        docs=len(results),
        text_docs=len(precisions),
        precision=precision,
        recall=recall,
        f1=None if precision is None or recall is None else f1_score(precision, recall),
        with_found=share(counts["with_found"], counts["with_total"]),
        without_survives=share(counts["without_found"], counts["without_total"]),
        junk_survival=share(counts["junk_found"], counts["junk_total"]),
        docs_per_second=len(results) / seconds if seconds > 0 else None,
        seconds=seconds,
        counts=counts,
        errors=sum(r.error is not None for r in results),
    )


def summarize_all(results: Sequence[DocResult]) -> list[Summary]:
    """Summaries per dataset, variant and system, in first-seen dataset order."""
    groups: dict[tuple[str, str, str], list[DocResult]] = {}
    for result in results:
        groups.setdefault((result.dataset, result.variant, result.system), []).append(result)
    datasets = list(dict.fromkeys(r.dataset for r in results))
    keys = sorted(
        groups,
        key=lambda k: (datasets.index(k[0]), ALL_VARIANTS.index(k[1]), SYSTEMS.index(k[2])),
    )
    return [summarize(groups[key]) for key in keys]


def time_ratio(summaries: Iterable[Summary]) -> float | None:
    """cleancrawl's total extraction time over trafilatura's, on the same pages.

    Args:
        summaries: Summaries over the same pages (one dataset variant, or everything).

    Returns:
        The ratio, or None unless both systems ran.
    """
    seconds: dict[str, float] = {}
    for summary in summaries:
        seconds[summary.system] = seconds.get(summary.system, 0.0) + summary.seconds
    if not seconds.get("trafilatura") or "cleancrawl" not in seconds:
        return None
    return seconds["cleancrawl"] / seconds["trafilatura"]


def _warm_up(systems: Sequence[str], doc: Doc) -> None:
    """Run each system once, untimed, so lazy imports and caches do not count."""
    html = doc.read_html()
    for system in systems:
        timed(EXTRACTORS[system], html, doc.url)


def _progress(name: str, done: int, total: int, started: float) -> None:
    print(
        f"[{name}] {done}/{total} pages, {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )


def plant_variant(variant: str, html: str, doc: Doc) -> PlantedPage | None:
    """Build one variant of a page with planted junk.

    Args:
        variant: `planted`, which plants the wordings of `benchmarks.planted_junk` seeded with
            the page's id, or the name of a held-out set of `junk_data.HELD_OUT`, which plants
            its wordings and class names seeded with its `seed`.
        html: The page's HTML.
        doc: The page's record (id and language).

    Returns:
        The planted page, or None if the page has no paragraphs to plant junk among.

    Raises:
        ValueError: For a variant without planted junk.
    """
    if variant == "planted":
        return plant_junk(html, doc.id, doc.lang)
    try:
        row = junk_data.held_out(variant)
    except KeyError:
        raise ValueError(
            f"no planted junk for variant {variant!r}; choose from {ALL_VARIANTS[1:]}"
        ) from None
    wordings = row.wordings()
    if row.by_language:
        # its overlapping wordings were left out unread, so some kinds have none in some
        # languages: a page gets only the kinds written in its language
        lang = junk_language(doc.lang)
        wordings = {kind: texts for kind, texts in wordings.items() if lang in texts}
    return plant_junk(
        html, row.seed.format(id=doc.id), doc.lang, wordings=wordings, classes=row.classes()
    )


def junk_variants(holdout: bool = True, looks: Iterable[str] = ()) -> tuple[str, ...]:
    """The variants with planted junk to build, in `ALL_VARIANTS` order."""
    asked = {*looks, "planted", *(["holdout"] if holdout else [])}
    return tuple(name for name in ALL_VARIANTS if name in asked)


def page_variants(
    dataset: str,
    doc: Doc,
    planted: bool,
    holdout: bool = True,
    looks: Iterable[str] = (),
) -> Iterator[Page]:
    """Yield the variants of a page to extract: the original, then the planted and held-out ones.

    Args:
        dataset: The dataset's name.
        doc: The page.
        planted: Whether to build the variants with planted junk (only for article pages).
        holdout: Whether to build the holdout variant (with `planted`); without it, tuning can
            measure the planted junk without a look at the held-out set.
        looks: Names of further held-out sets (`LOOKS`) to build the variants of.

    Yields:
        The page variants, in `ALL_VARIANTS` order.
    """
    html = doc.read_html()
    yield Page(dataset, "original", doc, html)
    if not (planted and doc.plantable):
        return
    for name in junk_variants(holdout, looks):
        variant = plant_variant(name, html, doc)
        if variant is not None:
            yield Page(dataset, name, doc, variant.html, variant.junk, variant.kinds)


def run_dataset(
    folder: Path,
    systems: Sequence[str],
    limit: int | None,
    planted: bool,
    split: str = "all",
    holdout: bool = True,
    looks: Iterable[str] = (),
) -> list[DocResult]:
    """Benchmark every page of one dataset.

    The systems alternate which goes first from one page to the next (per variant), so that
    neither gains from caches warmed by the other.

    Args:
        folder: The dataset folder.
        systems: System names.
        limit: Only the first `limit` pages.
        planted: Also run the planted and holdout variants of article pages.
        split: `all` pages, or only the line model's `train` or `test` half.
        holdout: Run the held-out variants with the planted one (off: planted only).
        looks: Also run the variants of these held-out sets (`LOOKS`) of article pages.

    Returns:
        One result per page variant and system.
    """
    name = folder.name
    docs = [doc for doc in load_docs(folder) if in_split(doc.id, split)][:limit]
    if docs:
        _warm_up(systems, docs[0])
    runs = dict.fromkeys(ALL_VARIANTS, 0)
    results: list[DocResult] = []
    started = time.perf_counter()
    for index, doc in enumerate(docs, 1):
        for page in page_variants(name, doc, planted, holdout, looks):
            order = list(systems) if runs[page.variant] % 2 == 0 else list(reversed(systems))
            runs[page.variant] += 1
            results += run_page(page, order)
        if index % PROGRESS_EVERY == 0 or index == len(docs):
            _progress(name, index, len(docs), started)
    return results


# --- report --------------------------------------------------------------------------------


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


TABLE_HEADER = (
    "| variant | system | docs | P | R | F1 | with found | without survives | junk survival "
    "| docs/s |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
)


def table_row(summary: Summary) -> str:
    """One Markdown table row of a summary."""
    cells = [
        summary.variant,
        summary.system,
        str(summary.docs),
        _number(summary.precision),
        _number(summary.recall),
        _number(summary.f1),
        _percent(summary.with_found),
        _percent(summary.without_survives),
        _percent(summary.junk_survival),
        _number(summary.docs_per_second, 1),
    ]
    return "| " + " | ".join(cells) + " |"


def _ratio_line(summaries: Sequence[Summary]) -> str | None:
    parts = []
    for variant in ALL_VARIANTS:
        ratio = time_ratio(s for s in summaries if s.variant == variant)
        if ratio is not None:
            parts.append(f"{variant} {ratio:.2f}")
    if not parts:
        return None
    return f"Time ratio cleancrawl / trafilatura: {', '.join(parts)} (target ≤ {TIME_RATIO_TARGET})"


def _notes(summaries: Sequence[Summary]) -> list[str]:
    notes = []
    for s in summaries:
        if s.text_docs and s.text_docs != s.docs:
            notes.append(
                f"{s.variant}/{s.system}: P, R, F1 over {s.text_docs} pages with expected text."
            )
        if s.errors:
            notes.append(f"{s.variant}/{s.system}: {s.errors} pages raised (scored as empty).")
    return notes


def dataset_report(dataset: str, summaries: Sequence[Summary]) -> str:
    """The Markdown section of one dataset: its table, time ratio and notes."""
    lines = [f"## {dataset}", "", TABLE_HEADER, *(table_row(s) for s in summaries), ""]
    ratio = _ratio_line(summaries)
    if ratio:
        lines += [ratio, ""]
    lines += [f"- {note}" for note in _notes(summaries)]
    return "\n".join(lines).rstrip() + "\n"


# dataset labels of pages with main text to keep
KEEP_LABELS = ("article", "forum", "documentation", "service", "product", "unlabeled")
PAGE_TYPE_HEADER = (
    "| label | pages | text pages | trafilatura writes | cleancrawl writes | of text pages "
    "| as article | as other | dropped |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|---|"
)


def page_type_rows(results: Sequence[DocResult]) -> list[str]:
    """Per dataset label: what each system wrote of the original pages, and why not."""
    original = [r for r in results if r.variant == "original"]
    rows = []
    labels = sorted({r.label for r in original}, key=lambda x: (x not in KEEP_LABELS, x))
    for label in labels:
        ours = [r for r in original if r.label == label and r.system == "cleancrawl"]
        theirs = [r for r in original if r.label == label and r.system == "trafilatura"]
        if not ours:
            continue
        text_pages = [r for r in ours if r.text_page]
        reasons = Counter(r.outcome for r in ours if not r.written)
        cells = [
            label,
            str(len(ours)),
            str(len(text_pages)),
            _percent(share(sum(r.written for r in theirs), len(theirs))),
            _percent(share(sum(r.written for r in ours), len(ours))),
            _percent(share(sum(r.written for r in text_pages), len(text_pages))),
            _percent(share(sum(r.outcome == "written:article" for r in ours), len(ours))),
            _percent(share(sum(r.outcome == "written:other" for r in ours), len(ours))),
            ", ".join(f"{reason} {n}" for reason, n in reasons.most_common()) or "–",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def lost_pages(results: Sequence[DocResult]) -> list[str]:
    """Original pages with main text to keep that cleancrawl did not write, and why."""
    return [
        f"{r.dataset} {r.doc_id} ({r.label}, {r.expected_words or '?'} words): {r.outcome}"
        for r in results
        if r.variant == "original"
        and r.system == "cleancrawl"
        and r.label in KEEP_LABELS
        and r.text_page
        and not r.written
    ]


def page_type_report(results: Sequence[DocResult]) -> str:
    """The Markdown section on what was written and dropped, per dataset and label."""
    datasets = list(dict.fromkeys(r.dataset for r in results if r.system == "cleancrawl"))
    if not datasets:
        return ""
    lines = [
        "## Pages written and dropped (original pages)",
        "",
        f"Text pages: pages with at least {TEXT_PAGE_WORDS} words of expected text (all pages "
        "where there is no expected text). `as article` / `as other`: share of all the label's "
        "pages written with that page type.",
        "",
    ]
    for dataset in datasets:
        mine = [r for r in results if r.dataset == dataset]
        lines += [f"### {dataset}", "", PAGE_TYPE_HEADER, *page_type_rows(mine), ""]
    lost = lost_pages(results)
    lines += [f"Pages with main text not written: {len(lost)}", ""]
    lines += [f"- {line}" for line in lost]
    return "\n".join(lines).rstrip() + "\n"


_VARIANT_NOTES = {
    "planted": "`planted`: junk of `benchmarks.planted_junk` (the cleaner was tuned on it)",
    **{
        row.name: f"`{row.name}`: {row.description}, `benchmarks/data/{row.wordings_file.name}` "
        f"({row.status})"
        for row in junk_data.HELD_OUT
    },
}


def markdown_report(summaries: Sequence[Summary], results: Sequence[DocResult] = ()) -> str:
    """The whole Markdown report: one section per dataset, the pages written and dropped per
    page type (given the results), and the overall time ratio."""
    datasets = list(dict.fromkeys(s.dataset for s in summaries))
    sections = ["# Extraction benchmark\n"]
    variants = {s.variant for s in summaries}
    notes = [note for variant, note in _VARIANT_NOTES.items() if variant in variants]
    if notes:
        sections.append("Junk variants: " + "; ".join(notes) + ".\n")
    sections += [dataset_report(d, [s for s in summaries if s.dataset == d]) for d in datasets]
    if results:
        sections.append(page_type_report(results))
    overall = time_ratio(summaries)
    if overall is not None:
        sections.append(
            f"Overall time ratio cleancrawl / trafilatura: {overall:.2f} "
            f"(target ≤ {TIME_RATIO_TARGET})\n"
        )
    return "\n".join(sections)


def json_report(
    summaries: Sequence[Summary], results: Sequence[DocResult], config: dict[str, Any]
) -> dict[str, Any]:
    """Every number of a run, for `--json`."""
    return {
        "config": config,
        "environment": {
            "python": platform.python_version(),
            "trafilatura": trafilatura.__version__,
        },
        "time_ratio": time_ratio(summaries),
        "time_ratio_by_dataset": {
            f"{dataset}/{variant}": time_ratio(
                s for s in summaries if (s.dataset, s.variant) == (dataset, variant)
            )
            for dataset, variant in dict.fromkeys((s.dataset, s.variant) for s in summaries)
        },
        "summaries": [asdict(s) for s in summaries],
        "documents": [asdict(r) for r in results],
    }


# --- command line --------------------------------------------------------------------------


def parse_systems(value: str) -> list[str]:
    """Parse `--systems`: comma-separated names from `SYSTEMS`, kept in `SYSTEMS` order."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SYSTEMS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown systems {unknown or value!r}; choose from {','.join(SYSTEMS)}"
        )
    return [name for name in SYSTEMS if name in names]


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.extraction", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--data",
        action="append",
        type=Path,
        metavar="DIR",
        help=f"a dataset folder (repeatable; default: every dataset under {DEFAULT_DATA_ROOT})",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N pages per dataset")
    parser.add_argument(
        "--no-planted",
        action="store_true",
        help="skip the pages with planted junk (both the planted and the holdout variants)",
    )
    parser.add_argument(
        "--systems",
        type=parse_systems,
        default=list(SYSTEMS),
        metavar="LIST",
        help=f"systems to run, comma-separated (default: {','.join(SYSTEMS)})",
    )
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="all",
        help="all pages (default), or only the half the line model learned from or the other",
    )
    parser.add_argument(
        "--no-drops",
        action="store_true",
        help="score the cleaning alone: no page dropped for its type or length",
    )
    parser.add_argument(
        "--page-types",
        metavar="LIST",
        help="page types cleancrawl writes, comma-separated, as CLEANCRAWL_PAGE_TYPES sets them "
        "(default: the crawl's default, article,other); other pages count as empty",
    )
    parser.add_argument(
        "--look",
        action="append",
        default=[],
        choices=LOOKS,
        metavar="NAME",
        help="also the variant of this held-out set (repeatable; one of "
        f"{', '.join(LOOKS)}): a blind set is looked at once, at the end, and the look is "
        "counted in benchmarks/README.md",
    )
    parser.add_argument(
        "--no-holdout",
        action="store_true",
        help="plant only the tuning junk (`planted`), not the holdout: for runs while tuning, "
        "which must not look at the holdout (--look only of a set trained on)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every number here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the Markdown report.

    Args:
        argv: Command-line arguments (default: `sys.argv[1:]`).

    Returns:
        The exit status.
    """
    args = build_parser().parse_args(argv)
    folders = args.data or default_datasets()
    missing = [str(f) for f in folders if not (f / "docs.jsonl").is_file()]
    if missing or not folders:
        print(f"no docs.jsonl in: {', '.join(missing) or DEFAULT_DATA_ROOT}", file=sys.stderr)
        return 2
    if args.look and args.no_planted:
        print("--look plants junk: it cannot go with --no-planted", file=sys.stderr)
        return 2
    held = [name for name in args.look if not junk_data.held_out(name).trained_on]
    if held and args.no_holdout:
        # a set the line model trains on is tuning data now: it may run while tuning
        print(f"--look {held[0]} is held out: it cannot go with --no-holdout", file=sys.stderr)
        return 2
    if args.no_drops and args.page_types:
        print("--page-types cannot go with --no-drops (which writes every type)", file=sys.stderr)
        return 2
    if args.no_drops:
        EXTRACTORS["cleancrawl"] = extract_cleancrawl_no_drops
    if args.page_types:
        names = [name.strip() for name in args.page_types.split(",")]
        unknown = [name for name in names if name not in {t.value for t in PageType}]
        if unknown:
            known = ", ".join(t.value for t in PageType)
            print(f"--page-types: unknown {', '.join(unknown)} (known: {known})", file=sys.stderr)
            return 2
        types = frozenset(PageType(name) for name in names)
        EXTRACTORS["cleancrawl"] = functools.partial(
            extract_cleancrawl, options=CleaningOptions(page_types=types)
        )
    started = time.perf_counter()
    results: list[DocResult] = []
    for folder in folders:
        results += run_dataset(
            folder,
            args.systems,
            args.limit,
            not args.no_planted,
            args.split,
            holdout=not args.no_holdout,
            looks=args.look,
        )
    summaries = summarize_all(results)
    sys.stdout.write(markdown_report(summaries, results))
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.0f} s", file=sys.stderr)
    if args.json:
        config = {
            "data": [str(f) for f in folders],
            "limit": args.limit,
            "planted": not args.no_planted,
            "variants": [
                "original",
                *([] if args.no_planted else junk_variants(not args.no_holdout, args.look)),
            ],
            "systems": args.systems,
            "page_drops": not args.no_drops,
            "page_types": args.page_types or "default",
            "elapsed_seconds": elapsed,
        }
        report = json_report(summaries, results, config)
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

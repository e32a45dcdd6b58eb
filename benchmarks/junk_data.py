"""The junk wordings and class names of the benchmarks, read from `benchmarks/data/`.

Every set of wordings is a JSON Lines file, one template a row: `{"kind", "lang", "text"}`,
and in all but the planted file `set`, the batch of writing the row comes from (the loader
ignores it). Templates keep their file order within their kind and language: the line model
takes every fifth one of the training wordings for validation
(`benchmarks.train_line_model.validation_wording`) and the planting draws index into them, so
new rows go at the end of a file. Class names are a JSON object, kind to names.

- `planted_junk.jsonl`, `planted_classes.json`: the first planted set; the junk rules were
  tuned on it and the line model fits on it (`benchmarks.planted_junk`).
- `train_junk.jsonl`: junk wordings for training the line model only; `train_text.jsonl`: short
  article lines (headings, questions), labelled text. Their validation fifth is also the
  development set of `benchmarks.dev_junk`.
- `holdout_junk.jsonl`, `holdout_classes.json`: the held-out set of the `holdout` variant of
  `benchmarks.extraction`; never read for training or tuning.
- `holdout2_junk.jsonl`, `holdout2_classes.json`: a second held-out set, to be looked at once,
  at the end (`--holdout2`).
- `holdout3_junk.jsonl`, `holdout3_classes.json`: a third held-out set, written blind (by a
  session that read nothing of the project) after the second had its one look, for the next
  round of tuning; the rows that folded like a training, development, planted or earlier
  held-out wording were left out. Looked at once (2026-12-06, `--holdout3`).
- `holdout4_junk.jsonl`, `holdout4_classes.json`: a fourth held-out set, written blind (by a
  helper that read neither the rules, the training, development or planted wordings nor the
  earlier holdouts) after `holdout3` had its one look: 25 kinds, each in every language of
  `benchmarks.planted_junk.LANGUAGES`. The rows that folded like a seen or earlier held-out
  wording were rewritten by the same writer, told only their ids (`--holdout4`).
- `holdout5_junk.jsonl`, `holdout5_classes.json`: a fifth held-out set, written blind the same
  way after `holdout4`'s look: 25 kinds in every language, class names none of the earlier
  sets use (`--holdout5`).
- `holdout6_junk.jsonl`, `holdout6_classes.json`: a sixth held-out set, written blind the same
  way after `holdout5`'s look: 25 kinds in every language, as many templates of a kind in each,
  class names none of the earlier sets use (`--holdout6`).
- `holdout7_junk.jsonl`, `holdout7_classes.json`: a seventh held-out set, written blind the same
  way after `holdout6`'s look, with the short forms real pages show (labels with counts, tag
  lines and breadcrumbs with their separators, bylines with dates): 25 kinds in every language,
  as many templates of a kind in each, class names none of the earlier sets use (`--holdout7`).

`tests/test_junk_data.py` checks that no held-out wording is a training, development or planted
one once placeholders, case, punctuation, digits and white space are folded (`fold`,
`overlaps`), and that each later holdout repeats none of the earlier ones.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    Wordings = Mapping[str, Mapping[str, tuple[str, ...]]]
    """Junk kind to language to templates."""

    KindClasses = Mapping[str, tuple[str, ...]]
    """Junk kind to the class names its markup may carry."""

DATA_DIR = Path(__file__).with_name("data")
PLANTED_FILE = DATA_DIR / "planted_junk.jsonl"
PLANTED_CLASSES_FILE = DATA_DIR / "planted_classes.json"
TRAIN_JUNK_FILE = DATA_DIR / "train_junk.jsonl"
TRAIN_TEXT_FILE = DATA_DIR / "train_text.jsonl"
HOLDOUT_FILE = DATA_DIR / "holdout_junk.jsonl"
HOLDOUT_CLASSES_FILE = DATA_DIR / "holdout_classes.json"
HOLDOUT2_FILE = DATA_DIR / "holdout2_junk.jsonl"
HOLDOUT2_CLASSES_FILE = DATA_DIR / "holdout2_classes.json"
HOLDOUT3_FILE = DATA_DIR / "holdout3_junk.jsonl"
HOLDOUT3_CLASSES_FILE = DATA_DIR / "holdout3_classes.json"
HOLDOUT4_FILE = DATA_DIR / "holdout4_junk.jsonl"
HOLDOUT4_CLASSES_FILE = DATA_DIR / "holdout4_classes.json"
HOLDOUT5_FILE = DATA_DIR / "holdout5_junk.jsonl"
HOLDOUT5_CLASSES_FILE = DATA_DIR / "holdout5_classes.json"
HOLDOUT6_FILE = DATA_DIR / "holdout6_junk.jsonl"
HOLDOUT6_CLASSES_FILE = DATA_DIR / "holdout6_classes.json"
HOLDOUT7_FILE = DATA_DIR / "holdout7_junk.jsonl"
HOLDOUT7_CLASSES_FILE = DATA_DIR / "holdout7_classes.json"

_PLACEHOLDER = re.compile(r"\{\w+\}")
# stands for any placeholder once folded: a private-use character, neither a letter nor a digit
_SLOT = "\ue000"


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a JSON Lines file, in file order (blank lines skipped)."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_wordings(path: Path) -> Wordings:
    """Kind to language to templates, in the order of their first row and of the file."""
    wordings: dict[str, dict[str, tuple[str, ...]]] = {}
    for row in read_rows(path):
        by_language = wordings.setdefault(row["kind"], {})
        by_language[row["lang"]] = (*by_language.get(row["lang"], ()), row["text"])
    return wordings


def load_classes(path: Path) -> KindClasses:
    """Kind to class names, from a JSON object of lists."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(kind): tuple(names) for kind, names in data.items()}


@cache
def planted_wordings() -> Wordings:
    """The first planted set's wordings (`JUNK_WORDINGS` of `benchmarks.planted_junk`)."""
    return load_wordings(PLANTED_FILE)


@cache
def planted_classes() -> KindClasses:
    """The first planted set's class names per kind."""
    return load_classes(PLANTED_CLASSES_FILE)


@cache
def train_junk() -> Wordings:
    """The training-only junk wordings of the line model."""
    return load_wordings(TRAIN_JUNK_FILE)


@cache
def train_text() -> Mapping[str, tuple[str, ...]]:
    """Language (sorted) to the short article lines the line model learns as text."""
    lines: dict[str, tuple[str, ...]] = {}
    for row in read_rows(TRAIN_TEXT_FILE):
        lines[row["lang"]] = (*lines.get(row["lang"], ()), row["text"])
    return {lang: lines[lang] for lang in sorted(lines)}


@cache
def holdout_wordings() -> Wordings:
    """The held-out wordings of the `holdout` variant."""
    return load_wordings(HOLDOUT_FILE)


@cache
def holdout_classes() -> KindClasses:
    """The held-out class names of the `holdout` variant."""
    return load_classes(HOLDOUT_CLASSES_FILE)


@cache
def holdout2_wordings() -> Wordings:
    """The second held-out set's wordings (the `holdout2` variant, looked at once)."""
    return load_wordings(HOLDOUT2_FILE)


@cache
def holdout2_classes() -> KindClasses:
    """The second held-out set's class names."""
    return load_classes(HOLDOUT2_CLASSES_FILE)


@cache
def holdout3_wordings() -> Wordings:
    """The third held-out set's wordings (not run yet)."""
    return load_wordings(HOLDOUT3_FILE)


@cache
def holdout3_classes() -> KindClasses:
    """The third held-out set's class names."""
    return load_classes(HOLDOUT3_CLASSES_FILE)


@cache
def holdout4_wordings() -> Wordings:
    """The fourth held-out set's wordings (the `holdout4` variant, looked at once)."""
    return load_wordings(HOLDOUT4_FILE)


@cache
def holdout4_classes() -> KindClasses:
    """The fourth held-out set's class names."""
    return load_classes(HOLDOUT4_CLASSES_FILE)


@cache
def holdout5_wordings() -> Wordings:
    """The fifth held-out set's wordings (the `holdout5` variant, to be looked at once)."""
    return load_wordings(HOLDOUT5_FILE)


@cache
def holdout5_classes() -> KindClasses:
    """The fifth held-out set's class names."""
    return load_classes(HOLDOUT5_CLASSES_FILE)


@cache
def holdout6_wordings() -> Wordings:
    """The sixth held-out set's wordings (the `holdout6` variant, to be looked at once)."""
    return load_wordings(HOLDOUT6_FILE)


@cache
def holdout6_classes() -> KindClasses:
    """The sixth held-out set's class names."""
    return load_classes(HOLDOUT6_CLASSES_FILE)


@cache
def holdout7_wordings() -> Wordings:
    """The seventh held-out set's wordings (the `holdout7` variant, to be looked at once)."""
    return load_wordings(HOLDOUT7_FILE)


@cache
def holdout7_classes() -> KindClasses:
    """The seventh held-out set's class names."""
    return load_classes(HOLDOUT7_CLASSES_FILE)


def fold(template: str) -> str:
    """A template as the overlap guard compares it: every placeholder the same token, case
    folded, punctuation, symbols and digits dropped, white space collapsed.
    `"Aktualisiert vor {hours} Stunden"` and `"aktualisiert: vor {min} Stunden!"` fold alike."""
    text = unicodedata.normalize("NFKC", _PLACEHOLDER.sub(f" {_SLOT} ", template).casefold())
    kept = "".join(ch if ch == _SLOT or unicodedata.category(ch)[0] in "LM" else " " for ch in text)
    return " ".join(kept.split())


def templates(wordings: Wordings) -> Iterator[tuple[str, str]]:
    """Every template of a set with its id, `kind/lang/index` (the index within its kind and
    language), in file order."""
    for kind, by_language in wordings.items():
        for lang, texts in by_language.items():
            for index, text in enumerate(texts):
                yield f"{kind}/{lang}/{index}", text


def seen_wordings() -> set[str]:
    """The folded wordings a held-out set must not repeat: the planted set's, the training
    junk's (the development set is a fifth of it) and the training article lines."""
    texts = [text for _, text in templates(planted_wordings())]
    texts += [text for _, text in templates(train_junk())]
    texts += [line for lines in train_text().values() for line in lines]
    return {fold(text) for text in texts}


def overlaps(wordings: Wordings, seen: Iterable[str] | None = None) -> list[str]:
    """The ids of the templates of a held-out set that fold like a seen wording.

    Args:
        wordings: A held-out set.
        seen: Folded wordings; `seen_wordings()` if None.

    Returns:
        `kind/lang/index` ids, in file order: ids only, so a failing check does not print the
        held-out strings.
    """
    folded = seen_wordings() if seen is None else set(seen)
    return [id_ for id_, text in templates(wordings) if fold(text) in folded]

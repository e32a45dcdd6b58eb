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
- the held-out sets, one row each of `HELD_OUT` (name, files, seed, status): the `holdout`
  variant of `benchmarks.extraction` (the rewritten holdout, never read for training or
  tuning), and `holdout2` to `holdout7`, each written blind and looked at once
  (`--look NAME`), and since stop 29 training data of the line model
  (`benchmarks.train_line_model`): their variants still run, but they no longer measure junk the
  cleaner has not seen. `holdout8`, written blind after that (checked against every earlier set
  by a script printing ids only: 342 of 816 rows rewritten over three rounds), was looked at
  once at the end of stop 29 and then joined them as training data. A new held-out set is one
  row and its two files.

`tests/test_junk_data.py` checks that no held-out wording (of a set not trained on) is a
training, development or planted one once placeholders, case, punctuation, digits and white
space are folded (`fold`, `overlaps`), and that each later holdout repeats none of the earlier
ones.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
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


HELD_OUT_STATUS = "held out"
"""Never read for training or tuning; its figures are the measure (looks counted in
`benchmarks/README.md`)."""
BLIND_STATUS = "blind: to be looked at once, at the end"
TRAINED_STATUS = "looked at once; now trained on"
"""Used up by its one look and now training data of the line model: its variant still runs, but
its figures no longer tell how the cleaner does on junk it has not seen."""
LOOKED_STATUS = "looked at; kept out of training"
"""Looked at, but not learned: training on it cost the model more on the other sets than it
gained (holdout10, stop 30; holdout12 and holdout13, stop 31: article lines); its figures are a
measure of a style the model does not learn."""


@dataclass(frozen=True)
class HeldOutSet:
    """One held-out set of junk wordings: a row of `HELD_OUT`.

    Attributes:
        name: The set's name, which is also its variant's in `benchmarks.extraction`.
        stem: Its files in `DATA_DIR`: `<stem>_junk.jsonl` and `<stem>_classes.json`.
        description: What it is, for the benchmark's report.
        status: `HELD_OUT_STATUS`, `BLIND_STATUS`, `TRAINED_STATUS` or `LOOKED_STATUS`.
        by_language: Whether a page gets only the kinds written in its language (a set with
            kinds missing in some languages).
    """

    name: str
    stem: str
    description: str
    status: str
    by_language: bool = False

    @property
    def wordings_file(self) -> Path:
        return DATA_DIR / f"{self.stem}_junk.jsonl"

    @property
    def classes_file(self) -> Path:
        return DATA_DIR / f"{self.stem}_classes.json"

    @property
    def seed(self) -> str:
        """The planting seed of a page's variant, `{id}` its id: the junk goes elsewhere on the
        page than any other variant's."""
        return "{id}:" + self.name

    @property
    def trained_on(self) -> bool:
        """Whether the line model learns from its wordings."""
        return self.status == TRAINED_STATUS

    def wordings(self) -> Wordings:
        return _cached_wordings(self.wordings_file)

    def classes(self) -> KindClasses:
        return _cached_classes(self.classes_file)


HELD_OUT: tuple[HeldOutSet, ...] = (
    HeldOutSet(
        "holdout",
        "holdout",
        "held-out junk (rewritten in issue 18; the measure of its targets)",
        HELD_OUT_STATUS,
    ),
    HeldOutSet("holdout2", "holdout2", "the second held-out set (25 kinds)", TRAINED_STATUS),
    HeldOutSet(
        "holdout3",
        "holdout3",
        "the third held-out set, written blind (some kinds missing in some languages)",
        TRAINED_STATUS,
        by_language=True,
    ),
    HeldOutSet("holdout4", "holdout4", "the fourth held-out set, written blind", TRAINED_STATUS),
    HeldOutSet("holdout5", "holdout5", "the fifth held-out set, written blind", TRAINED_STATUS),
    HeldOutSet("holdout6", "holdout6", "the sixth held-out set, written blind", TRAINED_STATUS),
    HeldOutSet(
        "holdout7",
        "holdout7",
        "the seventh held-out set, written blind, short lines",
        TRAINED_STATUS,
    ),
    HeldOutSet(
        "holdout8",
        "holdout8",
        "the eighth held-out set, written blind after holdouts 2 to 7 became training data",
        TRAINED_STATUS,
    ),
    HeldOutSet(
        "holdout9",
        "holdout9",
        "the ninth held-out set, written blind (as regional and national dailies' CMSs write)",
        TRAINED_STATUS,
    ),
    HeldOutSet(
        "holdout10",
        "holdout10",
        "the tenth held-out set, written blind (as tech blogs, review sites and forums write)",
        LOOKED_STATUS,
    ),
    HeldOutSet(
        "holdout11",
        "holdout11",
        "the eleventh held-out set, written blind (as broadcasters, magazines and agencies write)",
        LOOKED_STATUS,
    ),
    HeldOutSet(
        "holdout12",
        "holdout12",
        "the twelfth held-out set, written blind (as gadget and app reviews, deal blogs,"
        " newsletters and creators' pages write: informal)",
        LOOKED_STATUS,
    ),
    HeldOutSet(
        "holdout13",
        "holdout13",
        "the thirteenth held-out set, written blind (as gaming, forum, hobby and modding sites"
        " write: informal)",
        LOOKED_STATUS,
    ),
)
"""Every held-out set, oldest first: the benchmark's variants run in this order."""


def held_out(name: str) -> HeldOutSet:
    """The held-out set of this name (KeyError naming the known ones if none)."""
    for row in HELD_OUT:
        if row.name == name:
            return row
    raise KeyError(f"no held-out set {name!r}; known: {', '.join(r.name for r in HELD_OUT)}")


def trained_holdouts(leave_out: Iterable[str] = ()) -> tuple[HeldOutSet, ...]:
    """The used held-out sets the line model learns from, but those named in `leave_out`."""
    skipped = set(leave_out)
    return tuple(row for row in HELD_OUT if row.trained_on and row.name not in skipped)


@cache
def _cached_wordings(path: Path) -> Wordings:
    return load_wordings(path)


@cache
def _cached_classes(path: Path) -> KindClasses:
    return load_classes(path)


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
    junk's (the development set is a fifth of it), the held-out sets trained on (since stop 29)
    and the training article lines."""
    texts = [text for _, text in templates(planted_wordings())]
    texts += [text for _, text in templates(train_junk())]
    texts += [text for row in trained_holdouts() for _, text in templates(row.wordings())]
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

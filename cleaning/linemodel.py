"""A learned judge of short lines, for junk whose wording no term list in the junk file has.

The junk rules know their terms; a newsletter prompt or a player label worded some other way
gets past them. This model scores a short line on the pieces of its words (character n-grams,
so that "abonnieren", "abonnez" and "abonne-toi" share most of theirs) and on its shape
(length, digits, the character it ends with). It is a logistic regression, stored as data
(``data/line_model.json``): feature name to weight. ``benchmarks/train_line_model.py`` builds
it again from the extraction data sets, the benchmark's planted and training-only junk wordings
and the junk file's terms; nothing in this module depends on how it was trained.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_MODEL_FILE = Path(__file__).with_name("data") / "line_model.json"

_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_DIGITS = re.compile(r"\d")
_NGRAM_SIZES = (3, 4, 5)
_WORD_BUCKETS = (1, 2, 3, 4, 6, 9, 12, 16)
# A line shaped as a sentence is judged against at least this probability, whatever the
# trained threshold: the threshold is chosen on validation data and moves with every retrain
# (0.9806, then 0.9843), and article sentences score from 0.985 up ("The implementation is
# discussed in the … section below." 0.9871, a letter's salutation 0.9868: both cut under
# 0.9843). Of the development set's sentence-shaped junk the model catches, 3 of 48 score
# under it.
SENTENCE_THRESHOLD_FLOOR = 0.988


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    return next((str(edge) for edge in edges if value <= edge), "more")


def _end_class(line: str) -> str:
    last = line.rstrip()[-1:]
    if not last:
        return "none"
    if last.isalpha():
        return "letter"
    if last.isdigit():
        return "digit"
    return last if last in '.!?:)…»"”' else "other"


def line_features(line: str) -> list[str]:
    """The features of one line: its words, their character n-grams and its shape."""
    words = _WORD.findall(line.casefold())
    letters = [w for w in words if not w.isdigit()]
    split = line.split()  # once: the length, its bucket and the capitals read it
    features = [
        f"len:{_bucket(len(split), _WORD_BUCKETS)}",
        f"end:{_end_class(line)}",
        f"start_upper:{line.lstrip()[:1].isupper()}",
    ]
    if _DIGITS.search(line):
        features.append("has_digit")
    for mark in ":|·•/()©@#»→%+":
        if mark in line:
            features.append(f"mark:{mark}")
    tokens = ["0" if w.isdigit() else w for w in words]
    if tokens:
        features += (f"first:{tokens[0]}", f"last:{tokens[-1]}")
    features += (f"w:{t}" for t in tokens)
    features += (f"b:{a}_{b}" for a, b in itertools.pairwise(tokens))
    for word in letters:
        padded = f"<{word}>"
        for n in _NGRAM_SIZES:
            features += (f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    if len(letters) >= 2:
        caps = sum(1 for w in split if w[:1].isupper())
        features.append(f"caps:{round(4 * caps / max(len(split), 1))}")
    return features


@dataclass(frozen=True, slots=True)
class LineModel:
    """Weights of a logistic regression over `line_features`, and when to trust it.

    Attributes:
        weights: Feature name to weight; a feature not listed weighs 0.
        bias: The intercept.
        threshold: A line scoring at least this probability is junk.
        max_words: Longer lines are never judged: the model learned short lines only.
        sentence_threshold: The stricter probability for a line shaped as a sentence, which
            is far more often article text; None: sentences are never judged.
    """

    weights: dict[str, float]
    bias: float
    threshold: float
    max_words: int
    sentence_threshold: float | None = None

    def probability(self, line: str) -> float:
        """How sure the model is that a line is junk, from 0 to 1."""
        # A feature counts once however often it occurs, as in training.
        # (in the set's order, as before: the sum is the same to the last bit)
        features = set(line_features(line))
        score = self.bias + sum(map(self.weights.get, features, itertools.repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))

    def is_junk(self, line: str, *, sentence: bool = False) -> bool:
        threshold = self.sentence_threshold if sentence else self.threshold
        if sentence and threshold is not None:
            threshold = max(threshold, SENTENCE_THRESHOLD_FLOOR)
        if threshold is None or len(line.split()) > self.max_words:
            return False
        return self.probability(line) >= threshold


@lru_cache(maxsize=4)
def load_line_model(path: Path = DEFAULT_MODEL_FILE) -> LineModel:
    """Read a model file once per process; a malformed one is an error naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sentence = data.get("sentence_threshold")
        return LineModel(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            max_words=int(data["max_words"]),
            sentence_threshold=None if sentence is None else float(sentence),
        )
    except (OSError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"line model {path}: {exc}") from exc

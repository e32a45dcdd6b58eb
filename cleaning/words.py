"""How many words a text has: one count for the ``word_count`` column, ``min_words`` and the
page-type features alike."""

from __future__ import annotations

import re

# Han, kana and CJK compatibility ideographs: written without spaces between words
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]")
# a run of word characters (letters, digits, underscore) that are not CJK
_WORD = re.compile(f"[^\\W{_CJK_CHARS}]+")


def word_count(text: str) -> int:
    """Runs of ``\\w`` characters, with CJK text counted as two characters a word.

    A Chinese or Japanese sentence is one run of characters without spaces: counted as one
    word, a whole article would be too short for ``min_words``. Two characters is about the
    length of a Chinese word, as word-segmentation corpora count them.
    """
    return len(_WORD.findall(text)) + (len(_CJK.findall(text)) + 1) // 2

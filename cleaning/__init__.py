"""Pure text and HTML cleaning: no Scrapy here, so the same code runs over WARC files too."""

from cleaning.language import (
    LanguageGuess,
    LanguageResult,
    detect_language,
    identify_language,
    load_backend,
)
from cleaning.options import CleaningOptions
from cleaning.page import CleanResult, clean_page, content_hash

__all__ = [
    "CleanResult",
    "CleaningOptions",
    "LanguageGuess",
    "LanguageResult",
    "clean_page",
    "content_hash",
    "detect_language",
    "identify_language",
    "load_backend",
]

"""Pure text and HTML cleaning: no Scrapy here, so the same code runs over WARC files too."""

from cleaning.language import (
    LanguageGuess,
    LanguageResult,
    detect_language,
    identify_language,
    load_backend,
)
from cleaning.options import ALL_PAGE_TYPES, CleaningOptions
from cleaning.page import CleanResult, clean_page, content_hash
from cleaning.pagetype import PageType

__all__ = [
    "ALL_PAGE_TYPES",
    "CleanResult",
    "CleaningOptions",
    "LanguageGuess",
    "LanguageResult",
    "PageType",
    "clean_page",
    "content_hash",
    "detect_language",
    "identify_language",
    "load_backend",
]

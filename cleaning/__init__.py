"""Pure text and HTML cleaning: no Scrapy here, so the same code runs over WARC files too.

The names below are imported when first asked for (PEP 562), not with the package: a process
that imports a leaf module (``cleaning.junk``, ``cleaning.hrefs``: the crawl's, which hands
its pages to workers) does not import ``cleaning.page`` and the extraction stack with it
(trafilatura, langdetect: 0.12 CPU s of the crawl's imports, 0.18 of its start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaning.language import (
        LanguageGuess,
        LanguageResult,
        detect_language,
        identify_language,
        load_backend,
    )
    from cleaning.options import ALL_PAGE_TYPES, CleaningOptions
    from cleaning.page import clean_page
    from cleaning.pagetype import PageType
    from cleaning.result import CleanResult, content_hash

# each name, and the module it is defined in
_MODULES = {
    "ALL_PAGE_TYPES": "cleaning.options",
    "CleanResult": "cleaning.result",
    "CleaningOptions": "cleaning.options",
    "LanguageGuess": "cleaning.language",
    "LanguageResult": "cleaning.language",
    "PageType": "cleaning.pagetype",
    "clean_page": "cleaning.page",
    "content_hash": "cleaning.result",
    "detect_language": "cleaning.language",
    "identify_language": "cleaning.language",
    "load_backend": "cleaning.language",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:  # (a submodule not imported yet: the import system imports it then)
        raise AttributeError(f"module 'cleaning' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found here from now on, without this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])

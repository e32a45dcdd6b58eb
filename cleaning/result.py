"""What cleaning makes of a page, apart from the cleaning itself.

A crawl's process gets ``CleanResult`` objects from its workers, pickled: unpickling one
imports the module that defines it, and ``cleaning.page`` would bring the whole extraction
stack (trafilatura, langdetect: 0.18 CPU s of a crawl's start) into a process that never
cleans.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from cleaning.junk import RemovedLine
from cleaning.language_codes import UNDETERMINED
from cleaning.pagetype import PageType

_SPACE = re.compile(r"\s+")


@dataclass(slots=True, kw_only=True)
class CleanResult:
    """What cleaning made of a page. ``drop_reason`` is None when the page is to be written."""

    url: str
    drop_reason: str | None = None
    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: date | None = None
    sitename: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str = UNDETERMINED
    language_score: float = 0.0
    language_share: float = 0.0
    page_type: PageType | None = None
    listing_score: float = 0.0
    # what the page-type model weighed (for audits and training, not written)
    page_signals: dict[str, float] = field(default_factory=dict)
    word_count: int = 0
    content_hash: str = ""
    removed_lines: tuple[RemovedLine, ...] = ()

    @property
    def kept(self) -> bool:
        return self.drop_reason is None


def content_hash(text: str) -> str:
    """Hash of the text with runs of white space folded, so re-wrapped copies match."""
    return hashlib.sha256(_SPACE.sub(" ", text).strip().encode("utf-8")).hexdigest()

"""Site templates: lines that repeat across many pages of one domain, whatever their language."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cleaning.junk import RemovedLine

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

_DIGITS = re.compile(r"\d(?:[\d.,\u00a0\u202f ]*\d)?")  # "1,204" and "87" fold alike
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateOptions:
    """When a line counts as template.

    Attributes:
        min_pages: A line must be on at least this many distinct pages of the domain.
        min_share: ... and on at least this share of the domain's pages seen so far.
        max_lines_per_domain: Counts kept per domain; the rarest go first beyond it.
    """

    min_pages: int = 3
    min_share: float = 0.1
    max_lines_per_domain: int = 20_000

    def __post_init__(self) -> None:
        if self.min_pages < 2:
            raise ValueError("min_pages must be >= 2: one page is no template")
        if not 0 <= self.min_share <= 1:
            raise ValueError("min_share must be between 0 and 1")


def line_key(line: str) -> int:
    """A signed 64-bit key (an SQLite integer) of a line with case, digits, punctuation and
    spacing folded away."""
    folded = _NON_WORD.sub(" ", _DIGITS.sub("0", line.casefold())).strip()
    digest = hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1  # 0 is the page-count row


class SiteTemplates:
    """Per-domain counts of the pages each (hashed) line was seen on.

    Only hashes and counts are kept, never text, so the counts are small and can be
    stored between runs (``rows`` / ``load``).
    """

    def __init__(self, options: TemplateOptions | None = None) -> None:
        self.options = options or TemplateOptions()
        self._pages: Counter[str] = Counter()
        self._lines: defaultdict[str, Counter[int]] = defaultdict(Counter)

    def pages(self, domain: str) -> int:
        return self._pages[domain]

    def add_page(self, domain: str, text: str) -> None:
        """Count the distinct lines of one page of ``domain``."""
        self._pages[domain] += 1
        counts = self._lines[domain]
        counts.update({line_key(line) for line in text.splitlines() if line.strip()})
        if len(counts) > self.options.max_lines_per_domain:
            keep = counts.most_common(self.options.max_lines_per_domain // 2)
            self._lines[domain] = Counter(dict(keep))

    def is_template(self, domain: str, line: str) -> bool:
        seen = self._lines[domain].get(line_key(line), 0)
        return (
            seen >= self.options.min_pages and seen >= self.options.min_share * self._pages[domain]
        )

    def strip(self, domain: str, text: str) -> tuple[str, tuple[RemovedLine, ...]]:
        """Cut the template lines of ``domain`` from ``text``."""
        kept: list[str] = []
        removed: list[RemovedLine] = []
        for line in text.split("\n"):
            if self.is_template(domain, line):
                removed.append(RemovedLine("template", line))
            else:
                kept.append(line)
        return "\n".join(kept), tuple(removed)

    def rows(self) -> Iterator[tuple[str, int, int]]:
        """(domain, line key, pages) rows, with key 0 holding the domain's page count."""
        for domain, pages in self._pages.items():
            yield domain, 0, pages
            for key, count in self._lines[domain].items():
                yield domain, key, count

    def load(self, rows: Iterable[tuple[str, int, int]]) -> None:
        """Add counts from ``rows`` (as written by ``rows``)."""
        for domain, key, count in rows:
            if key == 0:
                self._pages[domain] += count
            else:
                self._lines[domain][key] += count

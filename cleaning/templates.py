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
# the words of a line, its punctuation, spacing and "_" left out (runs of them were
# replaced with one space before: as many replacements as spaces, 0.3 of 0.6 CPU ms a page)
_WORDS = re.compile(r"[^\W_]+")
# line boundaries of str.splitlines() besides "\n" ("\r\n" included)
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateOptions:
    """When a line counts as template.

    Attributes:
        min_pages: A line must be on at least this many distinct pages of the domain.
        min_share: ... and on at least this share of the domain's pages counted when the
            domain's template is decided.
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
    return _folded_key(_DIGITS.sub("0", line.casefold()))


def _folded_key(folded: str) -> int:
    """``line_key`` of a line already case- and digit-folded."""
    return _key(" ".join(_WORDS.findall(folded)).encode("utf-8")) or 1  # 0: page-count row


@dataclass(frozen=True, slots=True)
class LineKeys:
    """The line keys of one text, made once (in the cleaning worker) for both uses.

    Attributes:
        lines: ``line_key`` of each line of ``text.split("\\n")``, blank lines included
            (what ``SiteTemplates.strip`` looks up).
        distinct: The keys of the distinct non-blank lines of ``text.splitlines()``: the
            same keys unless the text has other line breaks than ``\\n``.
        cut: The keys of the lines the junk steps cut from the page (``removed_keys``).
    """

    lines: tuple[int, ...]
    distinct: frozenset[int]
    cut: frozenset[int] = frozenset()

    @property
    def counted(self) -> frozenset[int]:
        """What ``SiteTemplates.add_page`` counts: the page's lines, kept or cut."""
        return self.distinct | self.cut if self.cut else self.distinct


def text_line_keys(text: str, removed: Iterable[RemovedLine] = ()) -> LineKeys:
    """The ``LineKeys`` of ``text``: each line hashed once, not once to count and again to cut
    (``removed``: the lines the junk steps cut from the page, ``CleanResult.removed_lines``)."""
    parts = text.split("\n")
    # case and digits folded in the whole text at once: both map character by character
    # (casefold has no context, a folded number never spans a "\n"), so line by line alike
    folded = _DIGITS.sub("0", text.casefold()).split("\n")
    lines = tuple(map(_folded_key, folded))
    if _OTHER_BREAKS.search(text) is None:  # the same non-blank lines either way
        distinct = frozenset(key for key, line in zip(lines, parts, strict=True) if line.strip())
    else:
        distinct = distinct_line_keys(text)
    return LineKeys(lines, distinct, removed_keys(removed))


def distinct_line_keys(text: str) -> frozenset[int]:
    """The keys of a text's distinct non-blank lines (``str.splitlines``): what a page adds
    to its domain's counts when no ``LineKeys`` were made for it."""
    return frozenset(line_key(line) for line in text.splitlines() if line.strip())


def removed_keys(removed: Iterable[RemovedLine]) -> frozenset[int]:
    """The keys of the lines the junk steps cut, each line of a cut block apart.

    A site's template counts them with the page's text: a line the rules cut on most of a
    site's pages and keep on a few (by its neighbours there) is then on every page to the
    template, and cut where the rules kept it. Counted from the kept text alone, such a line
    was on 2 of 20 pages and never reached ``min_pages`` (15 of the 23 lines of site junk that
    survived a second crawl of 30 sites, ``benchmarks/site_junk.py``).
    """
    return frozenset(
        line_key(line) for cut in removed for line in cut.line.splitlines() if line.strip()
    )


def page_keys(domain: str, url: str, text: str) -> tuple[int, int]:
    """Signed 64-bit keys of a page's URL and of its text on ``domain``.

    A page whose URL or text was counted before is not counted again: the same text at
    two URLs, or a page fetched again by a later run, is one page, not evidence that
    its own lines are the site's template.
    """
    folded = " ".join(text.split())
    return _key(f"url\0{url}".encode()), _key(f"text\0{domain}\0{folded}".encode())


def _key(data: bytes) -> int:
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SiteTemplates:
    """Per-domain counts of the pages each (hashed) line was seen on, and the template
    decided from them.

    A domain's template is decided once (``decide``, or the first ``strip``) from the
    counts at that moment, and never changes afterwards: pages counted later still count
    (for the next run, through ``rows``), but every page of the domain is stripped of
    the same lines, so the same text always comes out the same, whatever came before it.

    Only hashes and counts are kept, never text, so the counts are small and can be
    stored between runs (``rows`` / ``load``).
    """

    def __init__(self, options: TemplateOptions | None = None) -> None:
        self.options = options or TemplateOptions()
        self._pages: Counter[str] = Counter()
        self._lines: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self._decided: dict[str, frozenset[int]] = {}

    def pages(self, domain: str) -> int:
        return self._pages[domain]

    def domains(self) -> list[str]:
        """Every domain with counts, in sorted order."""
        return sorted(self._pages)

    def add_page(self, domain: str, text: str, keys: LineKeys | None = None) -> None:
        """Count the distinct lines of one page of ``domain`` (``keys``: the text's
        ``text_line_keys``, made already)."""
        self._pages[domain] += 1
        counts = self._lines[domain]
        counts.update(keys.counted if keys is not None else distinct_line_keys(text))
        if len(counts) > self.options.max_lines_per_domain:
            # most pages first, then by key: the same counts keep the same lines (by key,
            # then a stable sort by count: the order of a (-count, key) sort, without a
            # Python function called per line, half the CPU of a prune of 20,000 lines)
            ranked = sorted(counts)
            ranked.sort(key=counts.__getitem__, reverse=True)
            kept = ranked[: self.options.max_lines_per_domain // 2]
            self._lines[domain] = Counter({key: counts[key] for key in kept})

    def is_template(self, domain: str, line: str) -> bool:
        """Whether the counts so far make ``line`` template (``strip`` uses the decision)."""
        return self._counts_as_template(domain, line_key(line))

    def _counts_as_template(self, domain: str, key: int) -> bool:
        seen = self._lines[domain].get(key, 0)
        return (
            seen >= self.options.min_pages and seen >= self.options.min_share * self._pages[domain]
        )

    def decide(self, domain: str) -> None:
        """Fix the template of ``domain`` from its counts now; a later call changes nothing."""
        if domain not in self._decided:
            counts = self._lines.get(domain, Counter[int]())
            self._decided[domain] = frozenset(
                key for key in counts if self._counts_as_template(domain, key)
            )

    def decided(self, domain: str) -> bool:
        return domain in self._decided

    def template(self, domain: str) -> frozenset[int]:
        """The line keys decided as template of ``domain`` (deciding them if not yet)."""
        self.decide(domain)
        return self._decided[domain]

    def adopt(self, domain: str, template: Iterable[int]) -> None:
        """Take the template of ``domain`` as decided elsewhere (by another process of a
        distributed crawl, so that every process cuts the same lines)."""
        self._decided[domain] = frozenset(template)

    def late_lines(self, domain: str) -> int:
        """Lines the counts now make template that were not when ``domain`` was decided.

        They stay in every page of this object's domain; counts stored with ``rows`` and
        loaded by a later run have them decided as template from its first page.
        """
        decided = self._decided.get(domain)
        if decided is None:
            return 0
        counts = self._lines.get(domain, Counter[int]())
        return sum(
            1 for key in counts if key not in decided and self._counts_as_template(domain, key)
        )

    def strip(
        self, domain: str, text: str, keys: LineKeys | None = None
    ) -> tuple[str, tuple[RemovedLine, ...]]:
        """Cut the template lines of ``domain`` from ``text`` (deciding them first if
        that has not been done; ``keys``: the text's ``text_line_keys``, made already)."""
        template = self.template(domain)
        if not template:  # nothing to cut (split and joined again, the text is the same)
            return text, ()
        lines = text.split("\n")
        hashed = keys.lines if keys is not None else tuple(map(line_key, lines))
        if template.isdisjoint(hashed):
            return text, ()
        kept: list[str] = []
        removed: list[RemovedLine] = []
        for line, key in zip(lines, hashed, strict=True):
            if key in template:
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

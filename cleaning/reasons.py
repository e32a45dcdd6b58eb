"""Every reason a fetched page is not written, in one list.

The Scrapy stats count a page that is not written under ``cleaning/dropped/<reason>``; the
README's table of reasons is ``markdown_table()`` (a test checks it is the same), so a new
reason is added here, with its one-line description, or the tests fail (and print the table
to paste).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Self

from cleaning.pagetype import PageType


class Described(StrEnum):
    """A string enum whose members are written ``NAME = value, one-line description``."""

    description: str

    def __new__(cls, value: str, description: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class DropReason(Described):
    """Why a page is not written. The value is the stats key's last part."""

    # decided by cleaning.clean_page
    PAGE_TYPE = (
        "page_type_<type>",
        "a page of a type left out of `CLEANCRAWL_PAGE_TYPES`: by default `page_type_listing`,"
        " a link hub (home, section, category, tag, search or archive page)",
    )
    TOO_SHORT = "too_short", "fewer words of text than `CLEANCRAWL_MIN_WORDS`"
    NO_TEXT = "no_text", "trafilatura found no main text (balanced, then recall mode)"
    EMPTY = "empty", "the body is empty or white space"
    UNPARSEABLE = "unparseable", "no HTML tree could be built"
    LANGUAGE = "language", "not one of `CLEANCRAWL_LANGUAGES` (when that is set)"
    TIMEOUT = (
        "timeout",
        "cleaning took longer than `CLEANCRAWL_CLEAN_TIMEOUT` (in a worker process)",
    )
    WORKER_CRASHED = (
        "worker_crashed",
        "the worker process cleaning the page died (killed, out of memory); it is replaced",
    )
    # decided by the spider on the response
    NOT_HTML = "not_html", "the response is not HTML (PDF, image, binary)"
    BINARY = (
        "binary",
        "served as HTML, but the body is not text in any encoding (control bytes of an image"
        " or archive)",
    )
    HTTP_STATUS = (
        "http_<status>",
        "the server answered with an error status, e.g. `http_404` (500, 502, 503, 504, 522,"
        " 524, 408 and 429 after `RETRY_TIMES` retries)",
    )
    NOT_ALLOWED = (
        "not_allowed",
        "a start URL the site's `allow` or `deny` patterns leave out: fetched for its links only",
    )
    # the request is refused, or the download fails
    ROBOTS_TXT = "robots_txt", "robots.txt forbids the page"
    TOO_LARGE = (
        "too_large",
        "the body is over `DOWNLOAD_MAXSIZE`, declared, streamed or once decompressed",
    )
    DOWNLOAD_TIMEOUT = (
        "download_timeout",
        "no complete response within `DOWNLOAD_TIMEOUT` (after retries)",
    )
    REDIRECT_LOOP = "redirect_loop", "a redirect leads back into its own chain"
    TOO_MANY_REDIRECTS = "too_many_redirects", "more than `REDIRECT_MAX_TIMES` redirects"
    DUPLICATE = "duplicate", "a redirect leads to a page already fetched"
    OFFSITE = "offsite", "a redirect leads off the site's allowed domains"
    PRIVATE_HOST = (
        "private_host",
        "the host is, or resolves to, a private, loopback or link-local address",
    )
    BAD_SCHEME = "bad_scheme", "the URL, or the target of a redirect, is not http or https"
    DNS_ERROR = "dns_error", "the host name does not resolve (after retries)"
    DOWNLOAD_ERROR = (
        "download_error",
        "no response: connection refused or reset, or another network error",
    )
    IGNORED = "ignored", "refused by another Scrapy middleware"
    # decided after cleaning, by the later pipelines
    UNCHANGED = (
        "unchanged",
        "with a state directory: the article has not changed since an earlier run wrote it",
    )
    NOT_MODIFIED = (
        "not_modified",
        "with a state directory: the server answered a conditional request with 304",
    )
    DUPLICATE_TEXT = (
        "duplicate_text",
        "the same text was already written under another URL (this run or an earlier one)",
    )
    NEAR_DUPLICATE = (
        "near_duplicate",
        "with `CLEANCRAWL_NEAR_DUPLICATES=drop`: a text similar to one already written",
    )
    QUALITY_SIGNAL = (
        "quality_<signal>",
        "with `CLEANCRAWL_QUALITY_FILTER`: the row breaks that signal's threshold",
    )
    SAME_PAGE = (
        "same_page",
        "`cleancrawl clean`: the same URL with the same text (the same row id) was already "
        "written from an earlier record",
    )
    ALREADY_WRITTEN = (
        "already_written",
        "with a `JOBDIR`: the URL is in a closed file of an earlier run of the job",
    )


# the reasons clean_page gives (cleaning.page.DROP_REASONS)
CLEAN_PAGE_REASONS = frozenset(
    {
        DropReason.EMPTY,
        DropReason.BINARY,
        DropReason.UNPARSEABLE,
        *(f"page_type_{page_type}" for page_type in PageType),
        DropReason.NO_TEXT,
        DropReason.TOO_SHORT,
        DropReason.LANGUAGE,
    }
)

_NAMES = frozenset(reason.value for reason in DropReason)
# reasons that stand for a family: http_404, quality_min_words...
_FAMILIES = {
    DropReason.HTTP_STATUS: re.compile(r"http_\d{3}"),
    DropReason.QUALITY_SIGNAL: re.compile(r"quality_[a-z0-9_]+"),
    DropReason.PAGE_TYPE: re.compile(f"page_type_(?:{'|'.join(PageType)})"),
}


def is_drop_reason(name: str) -> bool:
    """True if ``name`` is one of the reasons, or a member of a family (``http_404``)."""
    if name in _FAMILIES:
        return False  # the placeholder itself is not a reason
    if name in _NAMES:
        return True
    return any(pattern.fullmatch(name) for pattern in _FAMILIES.values())


def markdown_table() -> str:
    """The README's table of reasons."""
    rows = ["| reason | meaning |", "|---|---|"]
    rows += [f"| `{reason}` | {reason.description} |" for reason in DropReason]
    return "\n".join(rows) + "\n"

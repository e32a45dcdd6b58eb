"""A page's links, as the spider follows them: Scrapy's ``LinkExtractor``, for less CPU.

The spider process shares the cores with the cleaning workers, and on a page of many links
``LinkExtractor`` was most of its CPU: it walks every element of the page in Python, and
per link reads the anchor's text and ``rel`` (which the spider does not use), builds a
``Link``, and tries 91 extensions one by one. ``page_links``
returns the same URLs in the same order (``tests/test_links.py`` compares the two), doing
only what decides them, once per distinct ``href`` of the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy.http import TextResponse

# LinkExtractor's defaults: <a href> and <area href>; links to files of these extensions
# (archives, images, media, documents, ...) are left out
TAGS = ("a", "area")
DENIED_EXTENSIONS = frozenset(f".{extension}" for extension in IGNORED_EXTENSIONS)
# LinkExtractor keeps only URLs of these schemes (not mailto:, javascript:, tel:, ...)
SCHEMES = frozenset({"http", "https", "file", "ftp"})


def page_links(response: TextResponse) -> list[str]:
    """The URLs of a page's links that ``LinkExtractor(unique=True)`` returns, in its order.

    Resolved against the page's ``<base href>`` and URL, made safe (percent-encoded in the
    page's encoding), each once, in the order of their first link on the page.
    """
    base_url = get_base_url(response)
    resolved: dict[str, str | None] = {}  # per distinct href: its URL, or None if left out
    for element in response.selector.root.iter(*TAGS):
        href = element.get("href")
        if href is not None and href not in resolved:
            resolved[href] = _link_url(href, base_url, response.url, response.encoding)
    return list(dict.fromkeys(url for url in resolved.values() if url is not None))


def _link_url(href: str, base_url: str, page_url: str, encoding: str) -> str | None:
    """The URL ``LinkExtractor`` makes of ``href``, or None where it leaves the link out."""
    try:
        url = urljoin(base_url, strip_html5_whitespace(href))
        url = safe_url_string(url, encoding=encoding)
    except ValueError:  # not a URL (an unclosed IPv6 host, a bad port)
        return None
    url = urljoin(page_url, url)  # as LinkExtractor does (for a base that is no URL)
    if url.split("://", 1)[0] not in SCHEMES:
        return None
    return None if _denied_extension(urlparse(url).path.lower()) else url


def _denied_extension(path: str) -> bool:
    """True if ``path`` ends with a denied extension (as ``str.endswith`` tries each one)."""
    # an extension starts at a dot: the path's suffixes from each of its dots, in a set
    dot = path.find(".")
    while dot >= 0:
        if path[dot:] in DENIED_EXTENSIONS:
            return True
        dot = path.find(".", dot + 1)
    return False

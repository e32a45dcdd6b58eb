"""A page's links, as the spider follows them: Scrapy's ``LinkExtractor``, for less CPU.

The spider process shares the cores with the cleaning workers, and on a page of many links
``LinkExtractor`` was most of its CPU: it walks every element of the page in Python, and
per link reads the anchor's text and ``rel`` (which the spider does not use), builds a
``Link``, and tries 91 extensions one by one. ``page_links``
returns the same URLs in the same order (``tests/test_links.py`` compares the two), doing
only what decides them, once per distinct ``href`` of the page, and remembers the URL of an
``href`` that does not depend on the page's own path (an absolute URL, or a path from the root
of the page's host) for the next pages: a site's menus and footers repeat on every page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse, urlsplit

from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.response import get_base_url
from w3lib.html import HTML5_WHITESPACE, strip_html5_whitespace
from w3lib.url import safe_url_string

from cleaning.hrefs import LINK_TAGS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from scrapy.http import TextResponse

# LinkExtractor's defaults: <a href> and <area href>; links to files of these extensions
# (archives, images, media, documents, ...) are left out
TAGS = LINK_TAGS
DENIED_EXTENSIONS = frozenset(f".{extension}" for extension in IGNORED_EXTENSIONS)
# LinkExtractor keeps only URLs of these schemes (not mailto:, javascript:, tel:, ...)
SCHEMES = frozenset({"http", "https", "file", "ftp"})

# hrefs whose URL depends on the page only through its schemes (and, for a path from the root,
# its base's host): an http(s) URL with a host, or a path from the root (not "//", which names
# a host); none with a tab or newline inside, which urlsplit removes before splitting (so
# "http://\n/x" has no host)
_ABSOLUTE = re.compile(r"https?://[^/?#\t\n\r][^\t\n\r]*")
_FROM_ROOT = re.compile(r"/(?!/)[^\t\n\r]*")
# the URLs of such hrefs, by href and what else decides them: pure, so remembered across pages;
# emptied when it reaches _REMEMBERED entries
_REMEMBERED = 100_000
_urls: dict[tuple[str, str, str, str, str], str | None] = {}
# the host of an absolute http(s) href, where it is the host of its URL as made (lowercased):
# ASCII letters, digits, dots and hyphens, no user, an optional port (urlsplit, then
# safe_url_string's IDNA encoding, leave such a host as it is)
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)")
# on a page whose base is off the site, what decides an href's fate, in one match: the host
# of an absolute http(s) href (_PLAIN_HOST's group); else an empty group where the href takes
# the base's scheme and host: a path from the root, or a path, a query or a fragment with no
# scheme (no ":" before its first "/", "?" or "#": the lookahead), or nothing; else no match.
# An http(s) href is never the second ("http" before its first ":"). One match an href where
# there were three calls: most hrefs of such a page are off the site (the links benchmark's
# articles: some 140 hrefs a page, 3 in 4 of them its own site's, relative or absolute)
_OFF_BASE = re.compile(
    _PLAIN_HOST.pattern
    + r"|(?=[^:]*(?:[/?#]|\Z))(?:/(?!/)|[?#]|[^:/?#\t\n\r\x00-\x20]|$)[^\t\n\r]*\Z"
)


def page_links(response: TextResponse, off_site: Callable[[str], bool] | None = None) -> list[str]:
    """The URLs of a page's links that ``LinkExtractor(unique=True)`` returns, in its order.

    Resolved against the page's ``<base href>`` and URL, made safe (percent-encoded in the
    page's encoding), each once, in the order of their first link on the page. With
    ``off_site`` (a host, lowercased: True if the crawl would not follow a link to it), the
    absolute links whose host it refuses are left out before they are resolved: on many
    pages most links go to other sites.
    """
    hrefs = (element.get("href") for element in response.selector.root.iter(*TAGS))
    return href_links(response, hrefs, off_site)


def href_links(
    response: TextResponse,
    hrefs: Iterable[str | None],
    off_site: Callable[[str], bool] | None = None,
) -> list[str]:
    """``page_links`` of a page whose ``<a>`` and ``<area>`` hrefs (in document order, None
    for an element without one) were read already: by the cleaning worker from its own parse
    of the page (``cleaning.hrefs``), so that this process does not parse it."""
    base_url = get_base_url(response)
    page_url, encoding = response.url, response.encoding
    base = urlsplit(base_url)
    # what an href's URL depends on besides the href (see _remembered_url): for an absolute
    # href, the base's and the page's schemes; for one from the root, the base's host too
    page_scheme = urlsplit(page_url).scheme
    web_base = base.scheme in ("http", "https") and bool(base.netloc)
    # a base off the site (a page's own links sent elsewhere): its relative links are too
    base_host = _PLAIN_HOST.match(base_url) if off_site is not None else None
    base_off_site = (
        base_host is not None and off_site is not None and off_site(base_host[1].lower())
    )
    resolved: dict[str, str | None] = {}  # per distinct href: its URL, or None if left out
    for href in hrefs:
        if href is None or href in resolved:
            continue
        stripped = href.strip(HTML5_WHITESPACE)  # strip_html5_whitespace, not called
        if base_off_site:
            assert off_site is not None  # (base_off_site is only True with it)
            match = _OFF_BASE.match(stripped)
            if match is not None and (match[1] is None or off_site(match[1].lower())):
                resolved[href] = None
                continue
        elif off_site is not None:
            host = _PLAIN_HOST.match(stripped)
            if host is not None and off_site(host[1].lower()):
                resolved[href] = None
                continue
        if web_base and _ABSOLUTE.fullmatch(stripped):
            key = (stripped, base.scheme, "", page_scheme, encoding)
        elif web_base and _FROM_ROOT.fullmatch(stripped):
            key = (stripped, base.scheme, base.netloc, page_scheme, encoding)
        else:
            resolved[href] = _link_url(href, base_url, page_url, encoding)
            continue
        if key in _urls:  # (a call less for most of a site's links)
            resolved[href] = _urls[key]
        else:
            resolved[href] = _remembered_url(key, href, base_url, page_url, encoding)
    return list(dict.fromkeys(url for url in resolved.values() if url is not None))


def _remembered_url(
    key: tuple[str, str, str, str, str], href: str, base_url: str, page_url: str, encoding: str
) -> str | None:
    """``_link_url`` of an href that ``key`` decides entirely, remembered.

    ``urljoin(base, href)`` returns an http(s) href with a host as it is when the schemes
    differ, and rebuilt from its own parts when they are the same: only the base's scheme
    counts. A path from the root takes the base's scheme and host, and none of its path or
    query. The second ``urljoin`` (with the page's URL) gets an absolute URL: only the page's
    scheme counts. ``safe_url_string`` and the checks depend on the URL and encoding alone.
    """
    if key in _urls:
        return _urls[key]
    if len(_urls) >= _REMEMBERED:
        _urls.clear()
    url = _urls[key] = _link_url(href, base_url, page_url, encoding)
    return url


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

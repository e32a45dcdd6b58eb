"""A page's link targets as written (its ``href`` values), read from the tree cleaning parsed.

The crawl's process follows every page's links, and parsing the page for them was the largest
single step of its CPU (lxml's parse alone a seventh of its main thread), while the cleaning
worker parses every article anyway. The worker reads the hrefs from its own tree, before any
step changes the tree, and hands them back with the result: the crawl's process resolves them
(``crawler.links``) without parsing the page.

They are the hrefs the spider's own parse (Scrapy's ``Selector``: ``lxml.html.HTMLParser`` on
the page's text) would find, in the same order, only where cleaning's parse cannot differ from
it: ``page_hrefs`` answers None for a page whose text trafilatura's parser setup repairs first
(characters XML does not allow, a self-closed ``<html/>``) or that is large enough for
libxml2's limits (which Scrapy lifts with ``huge_tree``) to matter; the crawl then parses the
page itself, as before. ``tests/test_hrefs.py`` compares the two parses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml.etree import ErrorTypes, XPath

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# the elements whose href Scrapy's LinkExtractor follows by default
LINK_TAGS = ("a", "area")
# a page's RSS and Atom feeds, as the spider looks for them (feed_hrefs finds the same without
# searching the whole document for a <head>: libxml2 makes every <head> a child of the root)
FEED_HREFS = XPath(
    "//head/link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
)
# characters trafilatura removes before parsing (cleaning.extraction._INVALID_XML_CHARS) and
# parsel does not (it removes NUL only); each looked for with str.__contains__, a quarter of
# the time of one regular expression over the page
_REPAIRED_CHARS = "".join(map(chr, [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))
_REPAIRED_CHARS += "\ufffe\uffff"
# a page this long may reach libxml2's limits without XML_PARSE_HUGE (a 10 MB text node),
# which parsel sets and trafilatura's parser does not; a page nested deeper than 256 elements
# does, and is told by the parse's error (unclosed inline tags nest that deep on real pages)
MAX_CHARS = 4_000_000


@dataclass(frozen=True, slots=True)
class PageHrefs:
    """A page's distinct ``<a>``/``<area>`` hrefs in document order, as written, and its
    ``<head>``'s RSS/Atom feed hrefs (``FEED_HREFS``), in order."""

    links: tuple[str, ...]
    feeds: tuple[str, ...]


def page_hrefs(tree: HtmlElement, html: str) -> PageHrefs | None:
    """The hrefs of ``tree`` (``html`` as ``cleaning.extraction.parse_html`` parsed it just
    now, not yet changed), or None where Scrapy's parse of ``html`` may differ from it."""
    if len(html) > MAX_CHARS or _repaired(html) or _cut_short():
        return None
    root = tree.getroottree().getroot()  # lxml.html.fromstring may hand back the <body>
    links = dict.fromkeys(
        href for element in root.iter(*LINK_TAGS) if (href := element.get("href")) is not None
    )
    return PageHrefs(tuple(links), feed_hrefs(root))


def feed_hrefs(root: HtmlElement) -> tuple[str, ...]:
    """``FEED_HREFS`` of a document's root: the hrefs of the ``<link>`` children of its
    ``<head>`` elements with ``rel="alternate"`` and a ``type`` containing rss or atom.

    lxml's HTML parser (libxml2) puts a ``<head>`` only right under the root, wherever the
    page has one, and ignores one that comes after the body has begun."""
    return tuple(
        link.get("href", "")
        for head in root.iterchildren("head")
        for link in head.iterchildren("link")
        if link.get("rel") == "alternate"
        and "href" in link.attrib
        and ("rss" in (kind := link.get("type", "")) or "atom" in kind)
    )


def _cut_short() -> bool:
    """True if the last parse stopped at one of libxml2's limits (the tree's depth)."""
    # the parser cleaning parses pages with (its error log tells a parse cut short by a
    # limit), imported here: the crawl's process imports this module and cleans no page
    from cleaning.extraction import _PARSER

    return any(error.type == ErrorTypes.ERR_RESOURCE_LIMIT for error in _PARSER.error_log)


def _repaired(html: str) -> bool:
    """True if trafilatura's parse setup changes ``html`` beyond its doctype line
    (``trafilatura.utils.repair_faulty_html``)."""
    if any(char in html for char in _REPAIRED_CHARS):
        return True
    return any("<html" in line and line.endswith("/>") for line in html[:4096].splitlines()[:4])

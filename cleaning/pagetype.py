"""Tell article pages from listings and other pages, from what the markup declares."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from lxml.html import HtmlElement


class PageKind(StrEnum):
    ARTICLE = "article"
    NOT_ARTICLE = "not_article"
    UNKNOWN = "unknown"


# schema.org types (lower case) of a page whose main content is one article
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "techarticle",
        "scholarlyarticle",
        "liveblogposting",
        "report",
        "review",
    }
)
# Types that name the page itself as something else. "WebSite" and "WebPage" are left out:
# SEO plugins put them in the JSON-LD graph of article pages too.
NOT_ARTICLE_TYPES = frozenset(
    {
        "collectionpage",
        "itemlist",
        "searchresultspage",
        "aboutpage",
        "contactpage",
        "profilepage",
        "faqpage",
        "checkoutpage",
        "product",
    }
)
# og:type values that name a page as something else than an article
NOT_ARTICLE_OG_TYPES = frozenset({"website", "profile", "product", "video.other", "music.song"})
# A page with this many teaser headlines (a heading holding a link) lists articles.
TEASER_HEADLINES = 5


def classify_page(tree: HtmlElement, url: str) -> PageKind:
    """Say whether a parsed page is an article, something else, or unknown.

    Article markers (og:type article, an article type in JSON-LD, article:published_time)
    win over everything else, since article pages often carry listing-like chrome.
    """
    og_type = _meta(tree, "og:type")
    jsonld_types = _jsonld_types(tree)
    if (
        og_type == "article"
        or jsonld_types & ARTICLE_TYPES
        or _meta(tree, "article:published_time") is not None
    ):
        return PageKind.ARTICLE
    if jsonld_types & NOT_ARTICLE_TYPES or og_type in NOT_ARTICLE_OG_TYPES:
        return PageKind.NOT_ARTICLE
    if urlsplit(url).path in ("", "/"):
        return PageKind.NOT_ARTICLE  # a site's home page is its front listing
    teasers = tree.xpath("count(//*[self::h1 or self::h2 or self::h3 or self::h4][.//a[@href]])")
    if teasers >= TEASER_HEADLINES or len(tree.xpath("//article")) >= 3:
        return PageKind.NOT_ARTICLE
    return PageKind.UNKNOWN


def _meta(tree: HtmlElement, prop: str) -> str | None:
    values = tree.xpath("//meta[@property=$p or @name=$p]/@content", p=prop)
    return str(values[0]).strip().lower() if values else None


def _jsonld_types(tree: HtmlElement) -> set[str]:
    types: set[str] = set()
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue  # broken JSON-LD is common; the other markers still count
        for node in data if isinstance(data, list) else [data]:
            # top-level objects and @graph members only: nested objects (author,
            # publisher, breadcrumb items) describe other things than the page
            if not isinstance(node, dict):
                continue
            graph = node.get("@graph")
            for item in [node, *(graph if isinstance(graph, list) else [])]:
                if isinstance(item, dict):
                    types.update(_type_names(item.get("@type")))
    return types


def _type_names(value: Any) -> set[str]:
    names = value if isinstance(value, list) else [value]
    return {name.lower() for name in names if isinstance(name, str)}

"""Tell articles, listings (link hubs) and other pages apart, from what a page is and declares.

Declared markers (``og:type``, JSON-LD types, ``article:published_time``) are evidence, not
verdicts: many CMSs declare ``og:type=website`` on every page, and SEO plugins put
``CollectionPage`` into article pages' JSON-LD. They are weighed together with what the page
looks like: the shape of its URL, how much of its text sits in headline links (a listing is
mostly teaser headlines), how many teaser headlines and ``<article>`` cards it has, and what the
extracted text looks like (sentence-shaped paragraphs or short lines). Two logistic
regressions stored as data (``data/page_type_model.json``, trained by
``benchmarks/train_page_type.py``) turn these signals into a listing score and an article
score; nothing here depends on how they were trained.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from lxml.etree import XPath

from cleaning.elements import text_of
from cleaning.words import word_count

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from lxml.html import HtmlElement

DEFAULT_MODEL_FILE = Path(__file__).with_name("data") / "page_type_model.json"


class PageType(StrEnum):
    """What a page is. ``listing``: a link hub (home, section, category, tag, search, archive
    page); ``article``: one article, post or story; ``other``: a page with main text of another
    kind (a forum thread, a documentation, product or service page)."""

    ARTICLE = "article"
    LISTING = "listing"
    OTHER = "other"


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
        "posting",
        "socialmediaposting",
    }
)
# types that name the page a list of other pages
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})
# types that name the page something else with main text of its own
OTHER_TYPES = frozenset(
    {
        "product",
        "faqpage",
        "qapage",
        "discussionforumposting",
        "aboutpage",
        "contactpage",
        "profilepage",
        "checkoutpage",
        "course",
        "recipe",
        "event",
        "softwareapplication",
    }
)
# path segments of section, category, tag, search and archive pages
_LISTING_SEGMENT = re.compile(
    r"^(?:categor(?:y|ies)|tags?|topics?|themen|archives?|archiv|search|suche|browse|"
    r"collections?|sections?|hub|authors?|autor|page|seite|news|blog|latest|recipes)$",
    re.IGNORECASE,
)
# query keys of a post (WordPress ?p=, ?page_id=, ?id=, ?article=...)
_POST_QUERY = re.compile(r"^(?:p|page_id|id|articleid|article|story|post|newsid|nid)$", re.I)
_SLUG_SPLIT = re.compile(r"[-_+.,~]+")
_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{4,}")
_SENTENCE_END = re.compile('[.!?\u3002\uff01\uff1f…:;"”»)]$')  # CJK full stops too
# the page chrome (navigation, header, footer, sidebars, scripts): its text is not the page's
_CHROME_TAGS = ("nav", "header", "footer", "aside", "script", "style", "noscript", "form")
_CHROME = " or ".join(f"ancestor::{tag}" for tag in _CHROME_TAGS)
_STRING = XPath("string()", smart_strings=False)  # an element's text, as itertext() joins it
_TEXTS = XPath(".//text()", smart_strings=False)
_HEADLINE_WORDS = 3  # link text of at least this many words reads as a headline
_PROSE_WORDS = 12  # a line of at least this many words, ending as a sentence, is prose
_MIN_TEASERS = 4  # sibling cards that make a list of teasers
# an element with a fourth element child: as count(*) >= 4, at about half its time (the
# count builds the set of every element's children)
_MANY_CHILDREN = XPath(f".//*[*[{_MIN_TEASERS}]]")
# least share of a link hub's text in its links and teaser cards: the keep pages the model
# took for listings had at most 0.11, the listings it found 0.23 and more (wcxb-dev)
MIN_LINKED_TEXT = 0.2
_CARD_CHARS_PER_LINK = 8
_SPAN_WORDS = 4  # words of text looked up at a time in the link and teaser texts


@dataclass(frozen=True, slots=True)
class Markup:
    """What the parsed page says about its type: signals, and its headline links' texts."""

    signals: dict[str, float]
    headlines: frozenset[str]  # folded text of links of at least _HEADLINE_WORDS words
    links: frozenset[str]  # folded text of every link
    teasers: tuple[str, ...]  # text of each teaser card, folded, without white space
    # text of each <article> or <li> card around a headline link, folded, without white space
    link_cards: tuple[str, ...] = ()


def read_markup(tree: HtmlElement, url: str) -> Markup:
    """Signals of the parsed page (after widget pruning, before extraction)."""
    # one pass over the tree for the elements read here, rather than one per kind
    found = _by_tag(tree, ("body", "article", "h2", "h3", "h4", "meta", "script"))
    og_type, published_time = _metas(found["meta"], ("og:type", "article:published_time"))
    types = _jsonld_types(found["script"])
    body = found["body"][0] if len(found["body"]) == 1 else None
    chrome = _outer_chrome(body) if body is not None else None
    if body is None or chrome is None:  # the general case, as XPath tells it
        body_chars, link_chars, headline_chars, links, link_cards = _link_text(tree)
        cards = _teaser_lists(tree.xpath(f"//body//*[*[{_MIN_TEASERS}]][not({_CHROME})]"))
    else:
        body_chars, link_chars, headline_chars, links, link_cards = _link_text_fast(body, chrome)
        cards = _teaser_lists(_teaser_parents(body))
    headlines = frozenset(t for t in links if word_count(t) >= _HEADLINE_WORDS)
    teaser_chars = sum(len(card) for card in cards)
    features = {
        "og_article": float(og_type == "article"),
        "og_website": float(og_type == "website"),
        "og_other": float(og_type not in (None, "article", "website")),
        "ld_article": float(bool(types & ARTICLE_TYPES)),
        "ld_listing": float(bool(types & LISTING_TYPES)),
        "ld_other": float(bool(types & OTHER_TYPES)),
        "published_time": float(published_time is not None),
        "article_cards": _log(len(found["article"])),
        "teaser_headings": _log(_teaser_headings(found["h2"] + found["h3"] + found["h4"])),
        "headline_links": _log(len(headlines)),
        "link_density": link_chars / body_chars if body_chars else 0.0,
        "headline_density": headline_chars / body_chars if body_chars else 0.0,
        "body_chars": _log(body_chars),
        "teaser_cards": _log(len(cards)),
        "teaser_share": min(teaser_chars, body_chars) / body_chars if body_chars else 0.0,
    }
    features.update(url_signals(url))
    return Markup(features, headlines, links, tuple(cards), link_cards)


def url_signals(url: str) -> dict[str, float]:
    """Signals of the URL: home page, listing-like segments, a slug or id of one item."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = _EXTENSION.sub("", segments[-1]) if segments else ""
    slug_words = len([w for w in _SLUG_SPLIT.split(last) if w])
    post_query = any(_POST_QUERY.match(key) and value for key, value in parse_qsl(parts.query))
    return {
        "url_home": float(not segments and not post_query),
        "url_post_query": float(post_query),
        "url_slug_words": min(slug_words, 6) / 6,
        "url_number": float(bool(_LONG_NUMBER.search(parts.path))),
        "url_listing_segment": float(any(_LISTING_SEGMENT.match(s) for s in segments[-2:])),
        "url_depth": min(len(segments), 6) / 6,
    }


def text_signals(
    text: str, markup: Markup, *, has_date: bool, has_author: bool
) -> dict[str, float]:
    """Signals of the extracted, cleaned text and of the date and byline found with it.

    ``headline_cover``: the share of the text in lines that are (or start with) the text of
    one of the page's headline links; ``teaser_cover``: the share in lines that are part of a
    teaser card. A link hub's main text is its teasers' headlines and summaries (trafilatura
    often drops the linked headlines and keeps the summaries). ``linked_text``: the share of
    the text found, ``_SPAN_WORDS`` words at a time, in a teaser card or a link; unlike the two
    above, it finds teasers that extraction ran together into one line.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    words = [word_count(line) for line in lines]
    folded = [_fold(line) for line in lines]  # once a line: four signals read it
    total = sum(words) or 1
    prose = sum(n for n, line in zip(words, lines, strict=True) if _is_prose(n, line))
    short = sum(1 for n in words if n < 8)
    headlines, teasers = markup.headlines, markup.teasers
    prefixes = {_prefix(h) for h in headlines}
    linked = sum(
        n
        for n, line in zip(words, folded, strict=True)
        if line in headlines or _prefix(line) in prefixes
    )
    link_lines = sum(1 for line in folded if line in markup.links)
    # one string to search rather than each card in turn (a squashed line holds no NUL)
    cards = "\x00".join(teasers)
    in_cards = sum(
        n
        for n, line in zip(words, folded, strict=True)
        if (squashed := "".join(line.split())) and squashed in cards
    )
    return {
        "headline_cover": linked / total,
        "link_lines": _log(link_lines),
        "teaser_cover": in_cards / total,
        "linked_text": _linked_text(folded, markup, "\x00".join((cards, *markup.link_cards))),
        "words": _log(sum(words)),
        "prose_share": prose / total,
        "short_line_share": short / len(lines) if lines else 1.0,
        "has_date": float(has_date),
        "has_author": float(has_author),
    }


def _linked_text(folded: list[str], markup: Markup, cards: str) -> float:
    """The share of the words of these lines (``_fold``-ed) that are in a teaser card or a
    link text.

    Each line is looked up in spans of ``_SPAN_WORDS`` words (the last span of a line ends
    at its end), squashed as the cards are (see ``_squash``); a line shorter than a span
    counts only if it is a link's whole text, since a word or two is found in any text.
    ``cards``: the page's teaser cards, joined by NUL.
    """
    links = "\x00".join("".join(text.split()) for text in markup.links)
    total = found = 0
    for line in folded:
        words = line.split()
        total += len(words)
        if len(words) < _SPAN_WORDS:
            found += len(words) if " ".join(words) in markup.links else 0
            continue
        for start in range(0, len(words), _SPAN_WORDS):
            span = words[start : start + _SPAN_WORDS]
            if len(span) < _SPAN_WORDS:  # the rest of the line: its last full span
                span = words[-_SPAN_WORDS:]
            squashed = "".join(span)
            if squashed in cards or squashed in links:
                found += min(_SPAN_WORDS, len(words) - start)
    return found / total if total else 0.0


@dataclass(frozen=True, slots=True)
class PageTypeModel:
    """Two logistic regressions over the same signals: listing or not, article or other."""

    names: list[str]
    listing_weights: list[float]
    listing_bias: float
    article_weights: list[float]
    article_bias: float
    listing_threshold: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageTypeModel:
        """The model as ``data/page_type_model.json`` stores it."""
        return cls(
            names=list(data["features"]),
            listing_weights=[float(w) for w in data["listing"]["weights"]],
            listing_bias=float(data["listing"]["bias"]),
            article_weights=[float(w) for w in data["article"]["weights"]],
            article_bias=float(data["article"]["bias"]),
            listing_threshold=float(data["listing"]["threshold"]),
        )

    def listing_score(self, features: dict[str, float]) -> float:
        return _sigmoid(self.listing_bias + _dot(self.listing_weights, features, self.names))

    def article_score(self, features: dict[str, float]) -> float:
        return _sigmoid(self.article_bias + _dot(self.article_weights, features, self.names))

    def classify(self, features: dict[str, float]) -> tuple[PageType, float]:
        """The page type and the listing score it was decided on.

        A page with fewer than ``_MIN_TEASERS`` headline links or lines that are links links to
        too little to be a link hub, whatever the model says of its short text (an about page,
        a short item); a page whose text is mostly not in its links and teaser cards is not
        one either, whatever its markup (see ``could_be_listing``).
        """
        listing = self.listing_score(features)
        if could_be_listing(features) and listing >= self.listing_threshold:
            return PageType.LISTING, listing
        if self.article_score(features) >= 0.5:
            return PageType.ARTICLE, listing
        return PageType.OTHER, listing


def could_be_listing(features: dict[str, float]) -> bool:
    """Whether the page has enough headline links, or lines of its text that are links, to be
    a link hub at all, and enough of its text in its links and teasers (``linked_text``).

    A link hub's text is its teasers; a page with a grid of cards beside a text of its own (a
    service's home page, a shop category with a buying guide, a recipe with related recipes)
    has, in its markup, all a link hub has, and its text is what a reader came for.
    """
    least = _log(_MIN_TEASERS)
    if features.get("linked_text", 0.0) < MIN_LINKED_TEXT:
        return False
    return features.get("headline_links", 0.0) >= least or features.get("link_lines", 0.0) >= least


@lru_cache(maxsize=4)
def load_model(path: Path = DEFAULT_MODEL_FILE) -> PageTypeModel:
    return PageTypeModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _dot(weights: list[float], features: dict[str, float], names: list[str]) -> float:
    return sum(w * features.get(name, 0.0) for w, name in zip(weights, names, strict=True))


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, value))))


def _log(count: float) -> float:
    # counts spread over orders of magnitude: 3 teasers and 300 matter less apart than 0 and 3
    return math.log1p(count) / 5


def _fold(text: str) -> str:
    # trafilatura writes list items as "- item"
    return " ".join(text.casefold().split()).lstrip("-•*· ")


def _squash(text: str) -> str:
    # without any white space: text_content() runs a card's heading and summary together
    return "".join(_fold(text).split())


def _prefix(folded: str) -> str:
    # the first words of a headline: a teaser line starts with its headline, then its summary
    return " ".join(folded.split(" ", _HEADLINE_WORDS + 2)[: _HEADLINE_WORDS + 2])


def _is_prose(words: int, line: str) -> bool:
    return words >= _PROSE_WORDS and bool(_SENTENCE_END.search(line.rstrip()))


def _by_tag(tree: HtmlElement, tags: tuple[str, ...]) -> dict[str, list[HtmlElement]]:
    """The elements of these tags in the whole document, in document order, as ``//tag``
    finds them (broken pages have more than one top-level element)."""
    found: dict[str, list[HtmlElement]] = {tag: [] for tag in tags}
    tops = [*reversed(list(tree.itersiblings(preceding=True))), tree, *tree.itersiblings()]
    for top in tops:
        for element in top.iter(*tags):
            found[element.tag].append(element)
    return found


def _outer_chrome(body: HtmlElement) -> list[HtmlElement] | None:
    """The chrome elements of ``body`` that are in no other, None if ``body`` itself is."""
    if next(body.iterancestors(*_CHROME_TAGS), None) is not None:
        return None
    return [
        element
        for element in body.iter(*_CHROME_TAGS)
        if next(element.iterancestors(*_CHROME_TAGS), None) is None
    ]


def _link_text(tree: HtmlElement) -> tuple[int, int, int, frozenset[str], tuple[str, ...]]:
    """Characters of text outside the chrome, of it in links and in headline links, and the
    folded texts of the links (any tree; ``_link_text_fast`` gives the same for one body)."""
    body = sum(len(t.strip()) for t in tree.xpath(f"//body//text()[not({_CHROME})]"))
    return (body, *_links(tree.xpath(f"//body//a[@href][not({_CHROME})]"), body))


def _link_text_fast(
    body: HtmlElement, chrome: list[HtmlElement]
) -> tuple[int, int, int, frozenset[str], tuple[str, ...]]:
    """``_link_text`` of a page with one ``body``, given its outermost chrome elements: the
    text of the whole body less that of the chrome, instead of an XPath ancestor test on
    every text node (most of this step's time)."""
    inside = sum(_stripped_chars(element) for element in chrome)
    chars = _stripped_chars(body) - inside
    in_chrome = {a for element in chrome for a in element.iter("a")}
    links = [a for a in body.iter("a") if a.get("href") is not None and a not in in_chrome]
    return (chars, *_links(links, chars))


def _stripped_chars(element: HtmlElement) -> int:
    # as //text() counts them: text nodes one by one, stripped
    return sum(map(len, map(str.strip, _TEXTS(element))))


def _links(
    links: Iterable[HtmlElement], body: int
) -> tuple[int, int, frozenset[str], tuple[str, ...]]:
    linked = headline = 0
    texts: set[str] = set()
    read: dict[HtmlElement, str] = {}  # the squashed text of each card element, read once
    cards: dict[HtmlElement, str] = {}
    for link in links:
        text = " ".join(text_of(link).split())
        linked += len(text)
        if word_count(text) >= _HEADLINE_WORDS:
            headline += len(text)
            _add_link_card(cards, read, link, text)
        if text:
            texts.add(text.casefold())
    return min(linked, body), min(headline, body), frozenset(texts), tuple(cards.values())


def _add_link_card(
    cards: dict[HtmlElement, str], read: dict[HtmlElement, str], link: HtmlElement, text: str
) -> None:
    """The text of the ``<article>`` or ``<li>`` around a headline link, squashed, if that is
    a card (a headline and its summary; at most ``_CARD_CHARS_PER_LINK`` times the link's
    text), not an article holding a link: teasers too few to make a teaser list."""
    card = next(link.iterancestors("article", "li"), None)
    if card is None or card in cards:
        return
    if card not in read:
        read[card] = _squash(_STRING(card))
    if len(read[card]) <= _CARD_CHARS_PER_LINK * len(text):
        cards[card] = read[card]


def _teaser_parents(body: HtmlElement) -> list[HtmlElement]:
    """The elements of ``body`` outside the chrome with at least ``_MIN_TEASERS`` children."""
    return [
        element
        for element in _MANY_CHILDREN(body)
        if next(element.iterancestors(*_CHROME_TAGS), None) is None
    ]


def _teaser_lists(parents: list[HtmlElement]) -> list[str]:
    """The texts of the page's teaser cards (see ``_squash``), under these ``parents``.

    A teaser list is a run of sibling elements of one tag and class, at least
    ``_MIN_TEASERS`` of them, most holding a headline link of their own (to distinct targets)
    that is a good part of their text: cards of a listing, not the posts of a forum thread
    (a user name link in a long post) nor a menu (one-word links).
    """
    cards: list[str] = []
    for parent in parents:
        groups: dict[tuple[str, str], list[HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                groups.setdefault((child.tag, _first_class(child)), []).append(child)
        for items in groups.values():
            if len(items) < _MIN_TEASERS:
                continue
            teasers = _teasers(items)
            if len(teasers) >= _MIN_TEASERS and len(teasers) >= 0.4 * len(items):
                cards.extend(teasers)
    return cards


def _first_class(element: HtmlElement) -> str:
    # cards share their first class; later ones often number them ("teaser post-1400")
    classes = element.get("class", "").split()
    return classes[0] if classes else ""


def _teasers(items: list[HtmlElement]) -> list[str]:
    """The texts of those of these siblings that are teasers (see ``_squash``)."""
    anchored = [(item, [a for a in item.iter("a") if a.get("href")]) for item in items]
    anchored = [(item, anchors) for item, anchors in anchored if anchors]
    if len(anchored) < max(_MIN_TEASERS, 0.4 * len(items)):
        return []  # too few could be teasers: skip reading their text
    targets: set[str] = set()
    cards: list[str] = []
    for item, anchors in anchored:
        text = " ".join(item.text_content().split())
        best = max((" ".join(text_of(a).split()) for a in anchors), key=len)
        href = anchors[0].get("href")
        if (
            word_count(best) >= _HEADLINE_WORDS
            and len(best) >= 0.1 * len(text)
            and href not in targets
        ):
            targets.add(href)
            cards.append(_squash(text))
    return cards


def _teaser_headings(headings: list[HtmlElement]) -> int:
    """How many of these headings hold a link."""
    return sum(
        1 for heading in headings if any(a.get("href") is not None for a in heading.iter("a"))
    )


def _metas(metas: list[HtmlElement], props: tuple[str, ...]) -> tuple[str | None, ...]:
    """The content of the first of these ``<meta>`` of each property (or name)."""
    found: dict[str, str] = {}
    for meta in metas:
        content = meta.get("content")
        if content is None:
            continue
        for key in (meta.get("property"), meta.get("name")):
            if key in props and key not in found:
                found[key] = content.strip().lower()
    return tuple(found.get(prop) for prop in props)


def _jsonld_scripts(scripts: list[HtmlElement]) -> Iterator[str]:
    for script in scripts:
        if script.get("type") == "application/ld+json":
            texts = [script.text, *(child.tail for child in script)]
            yield from (text for text in texts if text)


def _jsonld_types(scripts: list[HtmlElement]) -> set[str]:
    types: set[str] = set()
    for script in _jsonld_scripts(scripts):
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

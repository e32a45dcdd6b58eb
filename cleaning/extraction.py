"""trafilatura's extraction of one parsed page, without the metadata work that runs slowly.

``bare_extraction(with_metadata=True)`` cost about 1.5 times what ``trafilatura.extract``
costs on a page, and the metadata alone a third of that (``benchmarks/clean.py --steps``):
trafilatura's author, category and tag searches are XPath expressions that test the class and
id of every element, several with EXSLT regular expressions that lxml evaluates by calling back
into Python for each element. ``read_metadata`` runs trafilatura's metadata steps in its order,
with those searches done in one pass over the elements (``_scan``); the values are the same
(every field, on every page of the extraction data sets; ``tests/test_extraction.py``). The
licence is not searched for: it is not written.

The text is extracted by trafilatura's cascade with ``bare_extraction``'s defaults, the
comparison with readability and jusText included: its ``fast`` mode (no comparison) would save
about a third of the extraction's time, but on the extraction benchmark it lost 1.3 points of
the "with" snippets (94.0% to 92.7%) and 1.6 points of wcxb-dev's F1 (0.780 to 0.764): widget
pruning does not make the fallbacks pointless. Seven things are cheaper, with the same result
on every page: the page is parsed with element classes looked up in C (``parse_html``),
readability reads the page only where its text could be taken (``_readability_can_win``),
the cascade prunes the parsed tree itself instead of a copy (``_bare_extraction``),
trafilatura's basic cleaning finds its elements without EXSLT callbacks
(``_basic_clean_elements``), jusText makes its paragraphs with less work
(``cleaning.paragraphs``, ``_faster_justext``), the recall escalation measures the page's
text only where a bound cannot settle it (``cleaning.cascade``), and trafilatura's XPaths with
EXSLT regular expressions that select the sections to prune and the main content's container
run as Python functions (``cleaning.selectors``, ``_xpaths_in_python``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import re
import threading
from copy import copy, deepcopy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import trafilatura.core
from htmldate import find_date
from lxml.etree import (
    ElementDefaultClassLookup,
    ElementNamespaceClassLookup,
    XPath,
    strip_tags,
)
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlElementClassLookup,
    HtmlEntity,
    HtmlProcessingInstruction,
    fromstring,
)
from lxml.html import HTMLParser as _LxmlHtmlParser
from trafilatura.baseline import block_text
from trafilatura.external import compare_extraction
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.main_extractor import extract_content
from trafilatura.metadata import (
    META_URL,
    Document,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import _COOKIE_CONSENT_RE, Extractor
from trafilatura.utils import (
    DOCTYPE_TAG,
    FAULTY_HTML,
    is_dubious_html,
    line_processing,
    repair_faulty_html,
    trim,
)
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS as TRAFILATURA_DISCARD_XPATHS

from cleaning.cascade import trafilatura_sequence
from cleaning.paragraphs import FastParagraphMaker
from cleaning.selectors import translated

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from lxml.etree import _Element

    from cleaning.options import CleaningOptions

    _Attributes = Mapping[str, str]

_AUTHOR_MAX_CHARS = 120  # trafilatura's length limit of an author's text
# declared dates only: guessing from free text finds dates of other events
DATE_PARAMS: dict[str, Any] = {"extensive_search": False, "original_date": True}

# trafilatura's author, category and tag XPaths (trafilatura/xpaths.py) test the class and id
# of every element, several with EXSLT regular expressions (re:test), which lxml runs by
# calling back into Python for each element: about 15 ms a page of 1,000 elements, half of
# what trafilatura.extract spends on the page. ``_scan`` tests the same predicates in one pass
# over the elements, with trafilatura's own regular expressions; the comment above each test
# is the XPath it stands for.
_AUTHOR_0_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_AUTHOR_1_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_AUTHOR_0_CLASS = re.compile("author-?name|AuthorName|authorName")
_AUTHOR_1_ID = re.compile("author|zuozhe|bianji|xiaobian")
_AUTHOR_1_CLASS = re.compile(
    "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_AUTHOR_2_ID = re.compile("[Aa]uthor")
_AUTHOR_2_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    "article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
_CATEGORY_0_CLASS = re.compile(
    "^(?:post-?info|post-?meta|meta|entry-meta|entry-info|entry-utility)"
)
_TAG_2_CLASS = re.compile("^(?:tag|postmeta|meta)")
# every class and id any test above or below can accept contains one of these: an element
# whose class and id have none (most of a page) is passed over after two searches
_CLASS_HINT = re.compile(
    "[Aa]uthor|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name|"
    "screenname|writer|[Bb]yline|byl|BBL|username|[Cc]omment|sidebar|is-hidden|quote|"
    "embedly-instagram|article-|print|category|meta|title|date|post|entry|row|tag|topics|"
    "cat-links"
)
_ID_HINT = re.compile("[Aa]uthor|zuozhe|bianji|xiaobian|comment|ProductReviews|postpath|filedunder")
_SECTION_META = XPath(
    './/head//meta[@property="article:section" or contains(@name, "subject")][@content]'
)
# the rel='me' of trafilatura's first author XPath: a child element <rel> whose text is "me"
_REL_ME = XPath("//rel[. = 'me']/..")


@dataclass(slots=True)
class _Scan:
    """The elements of a page that trafilatura's author, category and tag XPaths select."""

    authors: tuple[list[HtmlElement], ...]  # per author XPath, in document order
    discarded: set[HtmlElement]  # AUTHOR_DISCARD_XPATHS: not searched for an author
    categories: tuple[list[HtmlElement], ...]  # per category XPath, the link containers
    tags: tuple[list[HtmlElement], ...]


def _scan(tree: HtmlElement) -> _Scan:
    categories: tuple[list[HtmlElement], ...] = ([], [], [], [], [], [])
    tags: tuple[list[HtmlElement], ...] = ([], [], [], [])
    scan = _Scan(authors=([], [], []), discarded=set(), categories=categories, tags=tags)
    rel_me = set(_REL_ME(tree))
    hinted: dict[str, bool] = {}  # pages repeat the same classes many times
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        attrib = element.attrib
        cls, ident = attrib.get("class", ""), attrib.get("id", "")
        if cls and (hint := hinted.get(cls)) is None:
            hint = hinted[cls] = _CLASS_HINT.search(cls) is not None
        if not (
            tag in ("author", "time", "figure")
            or (cls and hint)
            or (ident and _ID_HINT.search(ident))
            or "itemprop" in attrib
            or "data-component" in attrib
            or "data-testid" in attrib
            or "rel" in attrib
            or element in rel_me
        ):
            continue
        itemprop = attrib.get("itemprop", "")
        # //*[self::a or ... or self::strong][@rel='author' or @id='author' or @class='author'
        # or @itemprop='author name' or rel='me' or @data-testid='AuthorCard' or
        # @data-testid='AuthorURL' or re:test(@class, 'author-?name|AuthorName|authorName')]
        # |//author
        if tag == "author" or (
            tag in _AUTHOR_0_TAGS
            and (
                attrib.get("rel") == "author"
                or ident == "author"
                or cls == "author"
                or itemprop == "author name"
                or element in rel_me
                or attrib.get("data-testid") in ("AuthorCard", "AuthorURL")
                or _AUTHOR_0_CLASS.search(cls)
            )
        ):
            scan.authors[0].append(element)
        # //*[self::a or self::div or self::h3 or self::h4 or self::p or self::span][
        # @class='byline' or @class='username' or @class='byl' or @class='BBL' or
        # contains(@itemprop, 'author') or re:test(@id, ...) or re:test(@class, ...)]
        if tag in _AUTHOR_1_TAGS and (
            cls in ("byline", "username", "byl", "BBL")
            or "author" in itemprop
            or _AUTHOR_1_ID.search(ident)
            or _AUTHOR_1_CLASS.search(cls)
        ):
            scan.authors[1].append(element)
        # //*[contains(@data-component, 'Byline') or contains(@itemprop, 'author') or
        # re:test(@id, '[Aa]uthor') or re:test(@class, '[Aa]uthor|screenname|...')]
        if (
            "Byline" in attrib.get("data-component", "")
            or "author" in itemprop
            or _AUTHOR_2_ID.search(ident)
            or _AUTHOR_2_CLASS.search(cls)
        ):
            scan.authors[2].append(element)
        # .//*[self::a or self::div or self::section or self::span][@id='comments' or
        # @class='comments' or @class='title' or @class='date' or re:test(@id, ...) or
        # re:test(@class, ...) or contains(@data-component, 'Figure')], and //time|//figure
        if tag in ("time", "figure") or (
            tag in ("a", "div", "section", "span")
            and (
                cls in ("comments", "title", "date")
                or _DISCARD_ID.search(ident)  # also @id='comments'
                or _DISCARD_CLASS.search(cls)
                or "Figure" in attrib.get("data-component", "")
            )
        ):
            scan.discarded.add(element)
        _scan_catstags(element, tag, cls, ident, categories, tags)
    return scan


def _scan_catstags(
    element: HtmlElement,
    tag: str,
    cls: str,
    ident: str,
    categories: tuple[list[HtmlElement], ...],
    tags: tuple[list[HtmlElement], ...],
) -> None:
    """The category and tag containers (XPaths of trafilatura.xpaths) ``element`` is."""
    # CATEGORIES_XPATHS
    # //div[re:test(@class, '^(?:post-?info|...)') or starts-with(@id, 'postpath')]
    if tag == "div" and (_CATEGORY_0_CLASS.search(cls) or ident.startswith("postpath")):
        categories[0].append(element)
    # //p[starts-with(@class, 'postmeta') or starts-with(@class, 'entry-categories') or
    # @class='postinfo' or @id='filedunder']
    if tag == "p" and (
        cls.startswith(("postmeta", "entry-categories"))
        or cls == "postinfo"
        or ident == "filedunder"
    ):
        categories[1].append(element)
    # //footer[starts-with(@class, 'entry-meta') or starts-with(@class, 'entry-footer')]
    if tag == "footer" and cls.startswith(("entry-meta", "entry-footer")):
        categories[2].append(element)
    # //*[self::li or self::span][@class='post-category' or @class='postcategory' or
    # @class='entry-category' or contains(@class, 'cat-links')]
    if tag in ("li", "span") and (
        cls in ("post-category", "postcategory", "entry-category") or "cat-links" in cls
    ):
        categories[3].append(element)
    # //header[@class='entry-header']
    if tag == "header" and cls == "entry-header":
        categories[4].append(element)
    # //div[@class='row' or @class='tags']
    if tag == "div" and cls in ("row", "tags"):
        categories[5].append(element)
    # TAGS_XPATHS
    # //div[@class='tags']
    if tag == "div" and cls == "tags":
        tags[0].append(element)
    # //p[starts-with(@class, 'entry-tags')]
    if tag == "p" and cls.startswith("entry-tags"):
        tags[1].append(element)
    # //div[@class='row' or @class='jp-relatedposts' or @class='entry-utility' or
    # re:test(@class, '^(?:tag|postmeta|meta)')]
    if tag == "div" and (
        cls in ("row", "jp-relatedposts", "entry-utility") or _TAG_2_CLASS.search(cls)
    ):
        tags[2].append(element)
    # //*[@class='entry-meta' or contains(@class, 'topics') or contains(@class, 'tags-links')]
    if cls == "entry-meta" or "topics" in cls or "tags-links" in cls:
        tags[3].append(element)


logging.getLogger("htmldate").setLevel(logging.WARNING)
# bare_extraction's messages, where _bare_extraction stands for it
_TRAFILATURA_LOGGER = logging.getLogger("trafilatura.core")


def _html_parser() -> _LxmlHtmlParser:
    """trafilatura's HTML parser (``trafilatura.utils.HTML_PARSER``), element classes looked
    up in C.

    lxml.html's parser picks the Python class of each element (``FormElement`` for a
    ``<form>``, ``HtmlElement`` for the rest) by calling back into Python
    (``HtmlElementClassLookup.lookup``) every time an element is handed to Python: every
    element of every ``iter()``, ``xpath()`` and ``text()`` result, about 8,000 calls a page
    between cleancrawl and trafilatura, 5% of ``clean_page``'s time. lxml's own lookup by tag
    name, run in C, gives every element the same class.
    """
    parser = _LxmlHtmlParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    by_tag = ElementNamespaceClassLookup(
        ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    # the same classes as HtmlElementClassLookup: the HTML parser lower-cases tag names
    tags = by_tag.get_namespace(None)
    for tag, element_class in HtmlElementClassLookup._default_element_classes.items():
        tags[tag] = element_class
    parser.set_element_class_lookup(by_tag)
    return parser


_PARSER = _html_parser()


def parse_html(html: str) -> HtmlElement | None:
    """The tree ``trafilatura.utils.load_html`` makes of a decoded page, parsed by
    ``_PARSER``: the same elements, of the same classes; None where it finds no HTML."""
    beginning = html[:50].lower()
    html = _repair_faulty_html(html, beginning)
    tree: HtmlElement | None = None
    as_bytes = False
    try:
        tree = fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, as_bytes = _parse_bytes(html), True
    except Exception as error:  # as trafilatura: lxml's errors are no page's end
        logging.getLogger(__name__).warning("lxml parsing failed: %s", error)
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _parse_bytes(html)
    # not HTML at all: no <html> in its first characters, and less than a head and a body
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


# the characters trafilatura's INVALID_XML_CHARS removes before parsing
_INVALID_XML_CHARS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))
_INVALID_XML_CHARS += "\ufffe\uffff"


def _repair_faulty_html(html: str, beginning: str) -> str:
    """``trafilatura.utils.repair_faulty_html``, the same string.

    Its first step removes the characters XML does not allow with a regular expression over
    the whole page: 0.6 ms a page of the extraction data sets, a fifth of the parse. Few
    pages have one, and looking for each with ``str.__contains__`` takes a third of that.
    """
    if any(char in html for char in _INVALID_XML_CHARS):
        return repair_faulty_html(html, beginning)
    # repair_faulty_html without INVALID_XML_CHARS.sub, which has nothing to remove
    if "doctype" in beginning:
        firstline, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", html, count=1)
    return html


def _parse_bytes(html: str) -> HtmlElement | None:
    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception as error:
        logging.getLogger(__name__).warning("lxml parsing failed: %s", error)
    return None


def extract(
    tree: HtmlElement,
    url: str,
    options: CleaningOptions,
    *,
    removed: int = 0,
    metadata: Document | None = None,
) -> Document | None:
    """The main text of the parsed page (``body``, ``text``, ``comments``) and its metadata.

    ``tree`` is used up: trafilatura prunes it (``_bare_extraction``). ``removed``: characters
    of text cleaning took out of the tree before (see ``cleaning.cascade``). ``metadata``: the
    page's, read already (an extraction of the same page), else read from ``tree``.
    """
    if metadata is None:
        metadata = read_metadata(tree, url)
    # Link text stays in the text (include_links only adds the targets): the holes an
    # earlier scraper left where inline links were must not happen here.
    extractor = Extractor(
        output_format="python",
        precision=options.favor_precision,
        recall=options.favor_recall,
        comments=options.include_comments,
        tables=options.include_tables,
        url=url or metadata.url,  # as with_metadata=True: the canonical URL when none
    )
    _CHOICE.stage_two, _CHOICE.fallback = None, False
    with (
        _readability_where_it_can_win(),
        _basic_cleaning_in_python(),
        _faster_justext(),
        _xpaths_in_python(),
    ):
        document = _bare_extraction(tree, extractor, removed)
    if document is None:
        return None
    for name in ("title", "author", "date", "sitename", "description", "categories", "tags"):
        setattr(document, name, getattr(metadata, name))
    return document


# Which of trafilatura's extractors gave the text of the page last extracted on this thread
# (``extract_choosing``): its own extraction, or a fallback (readability or jusText in the
# comparison, the baseline rescue, the recall escalation).
_CHOICE = threading.local()


def _note_stage_two(own: _Element, chosen: _Element) -> None:
    """Note the main pass's comparison (stages 1-2): the first of the extraction's.

    The recall escalation runs stages 1-2 again in recall mode, and its comparison chooses
    no text of the page's: only whether its candidate wins, which the extraction's body
    tells. Noting it instead took a page whose escalation kept trafilatura's own text for
    a fallback's (35 of the 144 pages extracted again as served on the two data sets).
    """
    # getattr: a thread running trafilatura.extract during the swap of _extract_and_compare
    # comes here without having run extract
    if getattr(_CHOICE, "stage_two", None) is None:
        _CHOICE.stage_two = chosen
        _CHOICE.fallback = chosen is not own


def extract_choosing(
    tree: HtmlElement, url: str, options: CleaningOptions, *, removed: int = 0
) -> tuple[Document | None, bool]:
    """``extract``, and whether the text came from one of trafilatura's fallbacks (readability,
    jusText, the baseline, the recall escalation) rather than its own extraction.

    The fallbacks are chosen by comparing the lengths of the candidates' texts, so widget
    pruning and junk-block removal, which shorten some candidates and not others, can change
    the choice (``cleaning.page._as_served``).
    """
    document = extract(tree, url, options, removed=removed)
    if document is None:
        return None, False
    fallback = bool(_CHOICE.fallback) or document.body is not _CHOICE.stage_two
    return document, fallback


def _bare_extraction(tree: HtmlElement, options: Extractor, removed: int = 0) -> Document | None:
    """``trafilatura.bare_extraction(tree, with_metadata=False)`` with ``options``, on ``tree``
    itself rather than a copy.

    bare_extraction copies a tree it is given (0.9 ms a page, 2.5% of trafilatura.extract's
    time), because its cascade prunes the page (``trafilatura_sequence``); the metadata
    having been read, nothing reads ``tree`` after the extraction. The rest is
    bare_extraction's, for the options ``extract`` sets (no language, no deduplication, no
    metadata, no pruning XPath, Python output).
    """
    try:
        body, text, comments_body, comments = trafilatura_sequence(
            tree, options, options.url, removed
        )
        if options.max_tree_size:
            if len(body) > options.max_tree_size:
                strip_tags(body, "hi")
            if len(body) > options.max_tree_size:
                raise ValueError
        if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
            raise ValueError
    except (TypeError, ValueError):  # as trafilatura: no text worth keeping
        _TRAFILATURA_LOGGER.warning("discarding data: %s", options.source)
        return None
    document = Document()
    document.text = xmltotxt(body, options.formatting)
    if options.comments:
        document.comments = xmltotxt(comments_body, options.formatting)
        document.commentsbody = comments_body
    document.raw_text = document.text
    document.body = body
    return document


# trafilatura's own stage 1-2 of its cascade, put back after each extraction
_TRAFILATURA_EXTRACT_AND_COMPARE = trafilatura.core._extract_and_compare
# the text readability could return: all of the page's but that of the scripts and styles it
# drops first (their tails stay; the parser puts nothing else in a <script> or <style>)
_READABLE_TEXT = XPath(".//text()[not(parent::script or parent::style)]", smart_strings=False)
# readability writes "VIDEO" into each video <iframe> it keeps (and a space may split a run)
_VIDEO_CHARS = len(" VIDEO")


@contextlib.contextmanager
def _readability_where_it_can_win() -> Iterator[None]:
    """Within the block, trafilatura's cascade runs readability only where its text could be
    taken (``_extract_and_compare``); outside, trafilatura is as shipped.

    The two give the same result on every page, so a thread running trafilatura meanwhile is
    right with either.
    """
    trafilatura.core._extract_and_compare = _extract_and_compare
    try:
        yield
    finally:
        trafilatura.core._extract_and_compare = _TRAFILATURA_EXTRACT_AND_COMPARE


def _extract_and_compare(
    cleaned_tree: HtmlElement,
    cleaned_tree_backup: HtmlElement,
    tree: HtmlElement,
    options: Extractor,
) -> tuple[_Element, str]:
    """``trafilatura.core._extract_and_compare``: its own extraction, then the comparison with
    readability and jusText (``compare_extraction``), but readability gets an empty page where
    its text could not be taken whatever it is (``_readability_can_win``).

    readability costs about a fifth of the extraction, and its text is taken on 7% of the
    pages; it cannot be on about half of them, where the page has less than twice the text
    trafilatura found. An empty page gives an empty text, which compare_extraction never
    takes, and the jusText part of the comparison does not depend on readability's text.
    """
    body, text = extract_content(cleaned_tree, options)
    own = body
    if not options.fast:
        raw_tree = copy(tree) if _readability_can_win(tree, body, text, options) else HtmlElement()
        body, text = compare_extraction(cleaned_tree_backup, raw_tree, body, text, options)
    _note_stage_two(own, body)
    return body, text


def _readability_can_win(tree: HtmlElement, body: _Element, text: str, options: Extractor) -> bool:
    """Whether ``trafilatura.external._prefer_readability`` could prefer readability's text of
    ``tree`` to trafilatura's ``text`` (of ``body``), whatever readability makes of it.

    readability's text is a part of the page's text (``_READABLE_TEXT``, spaces folded: never
    longer than it), plus "VIDEO" in video frames. It is taken when it is more than twice as
    long as ``text``, when ``text`` is empty, or when it is over twice the minimum extracted
    size and ``body`` has no paragraph text or more tables than paragraphs; in recall mode
    on further grounds (not judged here: it always runs).
    """
    if options.focus == "recall" or not text:
        return True
    most = len(trim("".join(_READABLE_TEXT(tree)) + (tree.tail or "")))
    most += _VIDEO_CHARS * sum(1 for _ in tree.iter("iframe"))
    if most > 2 * len(text):
        return True
    if most <= 2 * options.min_extracted_size:
        return False
    return not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(
        body.findall(".//p")
    )


# the module (``trafilatura.baseline`` is its function of that name)
_BASELINE: Any = importlib.import_module("trafilatura.baseline")
# trafilatura's XPath of the elements its page-text measure, baseline and jusText delete first
_TRAFILATURA_BASIC_CLEAN_XPATH = _BASELINE.BASIC_CLEAN_XPATH
_BASIC_CLEAN_TAGS = frozenset(
    {"aside", "fencedframe", "footer", "script", "style", "svg", "template"}
)
_COOKIE_CONSENT = re.compile(_COOKIE_CONSENT_RE, re.IGNORECASE)
# BASIC_CLEAN_XPATH's elements found by tag name, and the others its tests could select
_BASIC_CLEAN_CANDIDATES = XPath(
    ".//aside|.//fencedframe|.//footer|.//script|.//style|.//svg|.//template|.//*[@class or @id]"
)


def _basic_clean_elements(tree: _Element) -> list[_Element]:
    """The elements ``trafilatura.settings.BASIC_CLEAN_XPATH`` selects under ``tree``, in
    document order.

    That XPath tests the class and id of every element with EXSLT ``re:test``, which lxml
    runs by calling back into Python twice an element: 5 ms a page of the extraction data
    sets, run for the recall escalation's page measure (``html2txt``, two pages in five),
    and again for jusText and the baseline. Here the elements without either attribute are
    passed over in C (``_BASIC_CLEAN_CANDIDATES``), and each class and id string is tested
    once (pages repeat them).
    """
    found = []
    cookie: dict[str, bool] = {}
    for element in _BASIC_CLEAN_CANDIDATES(tree):
        tag = element.tag
        if tag in _BASIC_CLEAN_TAGS:
            found.append(element)
            continue
        attrib = element.attrib
        # .//div[contains(@class|@id, 'footer')]: the value of the first of the two
        # attributes on the element (XPath's string of a node set is its first node's)
        if tag == "div":
            first = next(value for name, value in attrib.items() if name in ("class", "id"))
            if "footer" in first:
                found.append(element)
                continue
        # .//*[re:test(@class, RE, 'i') or re:test(@id, RE, 'i')]
        for value in (attrib.get("class"), attrib.get("id")):
            if value:
                if (match := cookie.get(value)) is None:
                    match = cookie[value] = _COOKIE_CONSENT.search(value) is not None
                if match:
                    found.append(element)
                    break
    return found


@contextlib.contextmanager
def _basic_cleaning_in_python() -> Iterator[None]:
    """Within the block, trafilatura's ``basic_cleaning`` finds the elements to delete with
    ``_basic_clean_elements``; outside, with its XPath. The two find the same elements, so a
    thread running trafilatura meanwhile is right with either."""
    _BASELINE.BASIC_CLEAN_XPATH = _basic_clean_elements
    try:
        yield
    finally:
        _BASELINE.BASIC_CLEAN_XPATH = _TRAFILATURA_BASIC_CLEAN_XPATH


# the module, untyped: its globals are swapped within _faster_justext
_EXTERNAL: Any = importlib.import_module("trafilatura.external")
_TRAFILATURA_PARAGRAPH_MAKER = _EXTERNAL.ParagraphMaker


@functools.cache
def _justext_stoplist() -> frozenset[str]:
    """trafilatura's stop words of all of jusText's languages (``JT_STOPLIST``), as a set.

    jusText's ``classify_paragraphs`` looks its argument up in a cache
    (``define_stoplist``): trafilatura's tuple of some 20,000 words is hashed anew at every
    call, a frozenset once."""
    return frozenset(_EXTERNAL.JT_STOPLIST or _EXTERNAL.jt_stoplist_init())


@contextlib.contextmanager
def _faster_justext() -> Iterator[None]:
    """Within the block, trafilatura's jusText runs (``try_justext``) make their paragraphs
    with ``FastParagraphMaker`` and hand jusText its stop words as a frozenset; outside, as
    shipped. The paragraphs and their classes are the same, so a thread running trafilatura
    meanwhile is right with either."""
    stoplist = _EXTERNAL.JT_STOPLIST
    _EXTERNAL.ParagraphMaker = FastParagraphMaker
    _EXTERNAL.JT_STOPLIST = _justext_stoplist()
    try:
        yield
    finally:
        _EXTERNAL.ParagraphMaker = _TRAFILATURA_PARAGRAPH_MAKER
        _EXTERNAL.JT_STOPLIST = stoplist


# trafilatura's XPath lists that _xpaths_in_python swaps, by the modules that read them
_SWAPPED_XPATHS: tuple[tuple[Any, str], ...] = (
    (importlib.import_module("trafilatura.main_extractor"), "OVERALL_DISCARD_XPATH"),
    (_EXTERNAL, "OVERALL_DISCARD_XPATH"),
    (importlib.import_module("trafilatura.main_extractor"), "BODY_XPATH"),
)
_TRAFILATURA_XPATHS = tuple(getattr(module, name) for module, name in _SWAPPED_XPATHS)
_TRANSLATED_XPATHS = tuple(translated(name) for _, name in _SWAPPED_XPATHS)


@contextlib.contextmanager
def _xpaths_in_python() -> Iterator[None]:
    """Within the block, trafilatura's extractor finds the boilerplate sections it prunes
    (``OVERALL_DISCARD_XPATH``) and the main content's container (``BODY_XPATH``) with those
    lists' Python translations (``cleaning.selectors``: the same elements; the XPaths took
    about 7 ms a page, calling back into Python for each element's class and id); outside,
    with its XPaths. A thread running trafilatura meanwhile is right with either."""
    for (module, name), expressions in zip(_SWAPPED_XPATHS, _TRANSLATED_XPATHS, strict=True):
        setattr(module, name, expressions)
    try:
        yield
    finally:
        for (module, name), expressions in zip(_SWAPPED_XPATHS, _TRAFILATURA_XPATHS, strict=True):
            setattr(module, name, expressions)


def read_metadata(tree: HtmlElement, url: str | None) -> Document:
    """What ``trafilatura.metadata.extract_metadata`` finds, but the licence, on a parsed page.

    The same steps in the same order (meta tags, JSON-LD, title, author, URL, date, site
    name, categories, tags), the author, category and tag searches done in one pass over
    the elements (``_scan``). ``tree`` is not changed.
    """
    scan = _scan(tree)
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # as trafilatura: a bug of its JSON-LD reader loses no page
        logging.getLogger(__name__).warning("error in JSON metadata extraction: %s", url)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = _author(tree, scan)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    metadata.date = find_date(tree, url=metadata.url, **DATE_PARAMS)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")  # a Twitter handle
        name = metadata.sitename
        if name and "." not in name and not name[0].isupper():
            metadata.sitename = name.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    if not metadata.categories:
        metadata.categories = _catstags("category", tree, scan.categories)
    if not metadata.tags:
        metadata.tags = _catstags("tag", tree, scan.tags)
    metadata.clean_and_trim()
    return metadata


def _author(tree: HtmlElement, scan: _Scan) -> str | None:
    """trafilatura.metadata.extract_author: the first element of the first author XPath with
    2 to 119 characters of text, on the page without the discarded elements."""
    for candidates in scan.authors:
        for element in candidates:
            if element in scan.discarded or any(
                parent in scan.discarded for parent in element.iterancestors()
            ):
                continue
            if any(inner in scan.discarded for inner in element.iterdescendants()):
                # its text as trafilatura reads it: with the discarded elements deleted
                element = prune_unwanted_nodes(deepcopy(element), TRAFILATURA_DISCARD_XPATHS)
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < _AUTHOR_MAX_CHARS:
                return normalize_authors(None, content)
    return None


def _catstags(kind: str, tree: HtmlElement, containers: tuple[list[HtmlElement], ...]) -> list[str]:
    """trafilatura.metadata.extract_catstags on the containers ``_scan`` found."""
    results: list[str] = []
    href = re.compile("/" + kind.rstrip("y") + "(?:y|ies|s)?/")
    for found in containers:
        # //container//a[@href]: each link once, in document order
        links = dict.fromkeys(
            link
            for container in found
            for link in container.iterdescendants("a")
            if "href" in link.attrib
        )
        results.extend(block_text(link) for link in links if href.search(link.attrib["href"]))
        if results:
            break
    if kind == "category" and not results:
        results.extend(element.attrib["content"] for element in _SECTION_META(tree))
    return [r for r in dict.fromkeys(line_processing(x) for x in results if x) if r]

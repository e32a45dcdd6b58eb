"""``cleaning.extraction.read_metadata`` finds what trafilatura's ``extract_metadata`` finds."""

from __future__ import annotations

import hashlib
import importlib
import inspect
from copy import deepcopy
from pathlib import Path

import pytest
import trafilatura
import trafilatura.core
import trafilatura.external
from lxml.etree import tostring
from lxml.html import HtmlElement, HtmlElementClassLookup
from trafilatura.baseline import html2txt
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html, repair_faulty_html

import cleaning.cascade
import cleaning.extraction
from cleaning import CleaningOptions
from cleaning.cascade import (
    TRAFILATURA_SEQUENCE_SHA256,
    _covers_little_of_the_page,
    _page_text_bound,
)
from cleaning.extraction import (
    _TRAFILATURA_BASIC_CLEAN_XPATH,
    _TRAFILATURA_EXTRACT_AND_COMPARE,
    DATE_PARAMS,
    _basic_clean_elements,
    _basic_cleaning_in_python,
    _readability_where_it_can_win,
    _repair_faulty_html,
    extract,
    parse_html,
    read_metadata,
)

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
FIELDS = ("title", "author", "date", "sitename", "description", "categories", "tags")


def page(body: str, head: str = "<title>A story | Example News</title>") -> str:
    return f"<html><head>{head}</head><body>{body}<p>{'Some text here. ' * 20}</p></body></html>"


# one page per test of trafilatura's author, category and tag XPaths (trafilatura/xpaths.py),
# and pages where the first match must not be taken
PAGES = {
    "rel_author": page('<a rel="author" href="/u/jane">Jane Doe</a>'),
    "author_tag": page("<author>Jane Doe</author>"),
    "author_name_class": page('<span class="post-authorName">Jane Doe</span>'),
    "data_testid": page('<div data-testid="AuthorCard">Jane Doe</div>'),
    "itemprop_author_name": page('<span itemprop="author name">Jane Doe</span>'),
    "rel_me_child": page("<p>Jane Doe<rel>me</rel></p>"),
    "byline_class": page('<div class="byline">By Jane Doe</div>'),
    "byl_class": page('<p class="BBL">Jane Doe</p>'),
    "itemprop_contains": page('<h4 itemprop="creator author">Jane Doe</h4>'),
    "chinese_id": page('<div id="zuozhe-box">Li Wei</div>'),
    "posted_by": page('<span class="meta posted-by">Posted by Jane Doe</span>'),
    "generic_byline": page('<section class="StoryByline">Jane Doe</section>'),
    "generic_author_id": page('<em id="mainAuthor">Jane Doe</em>'),
    "data_component": page('<em data-component="Byline">Jane Doe</em>'),
    "writer_class": page('<td class="writer">Jane Doe</td>'),
    # discarded before the search: in comments, a sidebar, a figure, a time element
    "author_in_comments": page(
        '<div id="comments"><span class="author">Commenter Bob</span></div>'
        '<span class="author">Jane Doe</span>'
    ),
    "author_in_sidebar": page(
        '<div class="widget sidebar"><a rel="author">Sidebar Sam</a></div>'
        '<p class="byline">Jane</p>'
    ),
    "author_in_figure": page(
        '<figure><span class="author">Photo Pete</span></figure><div class="author">Jane Doe</div>'
    ),
    "time_inside_byline": page(
        '<div class="byline">By<time>May 2, 2024</time>Jane Doe, staff writer</div>'
    ),
    "too_long_first": page(
        f'<div class="author">{"word " * 40}</div><span class="author">Jane Doe</span>'
    ),
    "too_short_first": page('<a rel="author">J</a><span class="byline">Jane Doe</span>'),
    "discarded_is_itself": page(
        '<span class="author print">Print Me</span><p class="author">Jane Doe</p>'
    ),
    "comment_list_id": page(
        '<div id="commentlist-3"><span class="byline">Bob</span></div><p class="byline">Jane</p>'
    ),
    # categories and tags
    "entry_meta_categories": page(
        '<div class="entry-meta"><a href="/category/tech/">Tech</a>'
        '<a href="/tag/chips/">Chips</a></div>'
    ),
    "post_info_categories": page('<div class="post-info"><a href="/categories/ai/">AI</a></div>'),
    "postpath_id": page('<div id="postpath-x"><a href="/category/news/">News</a></div>'),
    "filed_under": page('<p id="filedunder"><a href="/category/deals/">Deals</a></p>'),
    "entry_footer": page(
        '<footer class="entry-footer"><a href="/category/reviews/">Reviews</a></footer>'
    ),
    "cat_links": page('<span class="cat-links x"><a href="/category/apple/">Apple</a></span>'),
    "entry_header": page('<header class="entry-header"><a href="/category/x/">X</a></header>'),
    "row_div": page('<div class="row"><a href="/category/a/">A</a><a href="/tags/b/">B</a></div>'),
    "tags_div": page(
        '<div class="tags"><a href="/tag/one/">One</a><a href="/tag/two/">Two</a></div>'
    ),
    "entry_tags": page('<p class="entry-tags"><a href="/tags/phones/">Phones</a></p>'),
    "tag_prefix": page('<div class="tagcloud"><a href="/tag/cloud/">Cloud</a></div>'),
    "related_posts": page('<div class="jp-relatedposts"><a href="/tag/rel/">Rel</a></div>'),
    "topics": page('<ul class="article-topics"><li><a href="/tag/t/">Topic</a></li></ul>'),
    "nested_containers": page(
        '<div class="meta"><div class="meta-inner"><a href="/category/in/">In</a></div>'
        '<a href="/category/out/">Out</a></div>'
    ),
    "section_meta": page(
        "<p>x</p>",
        head='<title>T</title><meta property="article:section" content="Science">',
    ),
    "keywords_meta": page(
        "<p>x</p>", head='<title>T</title><meta name="keywords" content="AI, Chips">'
    ),
    "declared": page(
        '<span class="byline">Not This</span>',
        head='<title>Declared | Site</title><meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2024-05-02">'
        '<meta name="description" content="What it is about.">',
    ),
}


def golden_pages() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(GOLDEN.glob("*.html"))}


@pytest.mark.parametrize(
    ("name", "html"), [*PAGES.items(), *golden_pages().items()], ids=lambda value: value[:30]
)
def test_same_metadata_as_trafilatura(name: str, html: str) -> None:
    tree = load_html(html)
    assert tree is not None
    url = f"https://example.com/2024/{name}/"
    expected = extract_metadata(deepcopy(tree), url, dict(DATE_PARAMS))
    before = deepcopy(tree)
    found = read_metadata(tree, url)
    assert {f: getattr(found, f) for f in FIELDS} == {f: getattr(expected, f) for f in FIELDS}
    # the page is left as it was: the text is extracted from it afterwards
    assert len(list(tree.iter())) == len(list(before.iter()))


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("author_in_comments", "author", "Jane Doe"),
        # read with the <time> deleted, its tail joined on as trafilatura joins it
        ("time_inside_byline", "author", "ByJane Doe; Staff Writer"),
        ("rel_me_child", "author", "Jane Doe me"),
        ("entry_meta_categories", "categories", ["Tech"]),
        ("nested_containers", "categories", ["In", "Out"]),
        ("tags_div", "tags", ["One", "Two"]),
    ],
)
def test_pages_find_what_they_are_about(name: str, field: str, value: object) -> None:
    # the equality above is no proof by itself if both find nothing
    assert getattr(read_metadata(load_html(PAGES[name]), None), field) == value


ODD_PAGES = {
    "no_html": "just some words, no markup at all",
    "fragment": "<p>one paragraph</p>",
    "encoding_declaration": '<?xml version="1.0" encoding="utf-8"?>'
    "<html><body><p>x</p></body></html>",
    "doctype": "<!DOCTYPE html>\n<html><head><title>T</title></head>"
    "<body><form><input></form></body></html>",
    "self_closing_html": "<html/>\n<body><p>text</p></body>",
    # characters XML does not allow, which trafilatura removes before parsing
    "invalid_xml_chars": "<html><body><p>a\x01b\x0bc\x1fd\ufffee\uffff</p></body></html>",
    "nul": "<html><body><p>a\x00b</p></body></html>",
    "doctype_one_line": "<!DOCTYPE html/><html><body><p>text</p></body></html>",
    "doctype_invalid_char": "<!doctype html>\x08\n<html><body><p>text</p></body></html>",
}


@pytest.mark.parametrize(
    "html", [*ODD_PAGES.values(), *PAGES.values(), *golden_pages().values()], ids=lambda v: v[:30]
)
def test_parse_html_makes_trafilaturas_tree(html: str) -> None:
    expected, tree = load_html(html), parse_html(html)
    if expected is None:
        assert tree is None
        return
    assert tree is not None
    assert tostring(tree) == tostring(expected)
    # the same classes: FormElement for a <form>, InputElement for an <input>…
    assert [type(e) for e in tree.iter()] == [type(e) for e in expected.iter()]


def test_parse_html_looks_element_classes_up_in_c(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    python_lookup = HtmlElementClassLookup.lookup

    def counted(self: HtmlElementClassLookup, *args: object) -> object:
        calls.append(args)
        return python_lookup(self, *args)

    monkeypatch.setattr(HtmlElementClassLookup, "lookup", counted)
    html = golden_pages()["seed_000"]
    expected = load_html(html)
    assert expected is not None
    elements = list(expected.iter())
    assert len(calls) >= len(elements)  # trafilatura's parser calls back for every element
    calls.clear()
    tree = parse_html(html)
    assert tree is not None
    assert len(list(tree.iter())) == len(elements)
    assert not calls


@pytest.mark.parametrize("html", ODD_PAGES.values(), ids=list(ODD_PAGES))
def test_html_is_repaired_as_trafilatura_repairs_it(html: str) -> None:
    beginning = html[:50].lower()
    assert _repair_faulty_html(html, beginning) == repair_faulty_html(html, beginning)


def article(paragraphs: int, chrome_links: int) -> str:
    """An article of ``paragraphs`` paragraphs, beside a menu of ``chrome_links`` links."""
    menu = "".join(
        f'<li><a href="/s/{n}">Section number {n} of the site</a></li>' for n in range(chrome_links)
    )
    text = "".join(
        f"<p>Paragraph {n} says what happened, with enough words to be read as prose here.</p>"
        for n in range(paragraphs)
    )
    return (
        "<html><head><title>A story</title></head><body>"
        f'<div class="menu"><ul>{menu}</ul></div><div class="story"><h1>A story</h1>{text}</div>'
        "</body></html>"
    )


EXTRACT_OPTIONS = {
    "defaults": CleaningOptions(),
    "comments_precision": CleaningOptions(include_comments=True, favor_precision=True),
    "recall_no_tables": CleaningOptions(favor_recall=True, include_tables=False),
}

CASCADE_PAGES = {
    "mostly_article": article(30, 5),  # readability cannot find twice the text
    "mostly_menu": article(3, 120),  # it could
    "short": article(1, 0),  # the whole page under twice the minimum extracted size
    "empty_body": "<html><head><title>T</title></head><body></body></html>",
    "video": article(6, 0).replace(
        "</div></body>", '<iframe src="https://www.youtube.com/embed/x"></iframe></div></body>'
    ),
    "table_only": "<html><body><table>"
    + "<tr><td>cell text of a table row with several words</td></tr>" * 40
    + "</table></body></html>",
}


@pytest.mark.parametrize("focus", ["balanced", "precision", "recall"])
@pytest.mark.parametrize(
    "html", [*CASCADE_PAGES.values(), *golden_pages().values()], ids=lambda value: value[:30]
)
def test_readability_left_out_changes_nothing(html: str, focus: str) -> None:
    def run() -> object:
        document = trafilatura.bare_extraction(
            load_html(html),
            url="https://example.com/a",
            favor_precision=focus == "precision",
            favor_recall=focus == "recall",
            include_comments=False,
        )
        if document is None:
            return None
        assert not isinstance(document, dict)
        return document.text, tostring(document.body)

    expected = run()
    with _readability_where_it_can_win():
        found = run()
    assert found == expected
    # and trafilatura is as shipped again afterwards
    assert trafilatura.core._extract_and_compare is _TRAFILATURA_EXTRACT_AND_COMPARE


@pytest.mark.parametrize(
    ("name", "reads_the_page"),
    [("mostly_article", False), ("mostly_menu", True), ("short", False), ("empty_body", True)],
)
def test_readability_reads_the_page_only_where_it_can_win(
    name: str, reads_the_page: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    readability = trafilatura.external.try_readability

    def counted(tree: HtmlElement) -> HtmlElement:
        sizes.append(len(list(tree.iter())))
        return readability(tree)

    monkeypatch.setattr(trafilatura.external, "try_readability", counted)
    tree = parse_html(CASCADE_PAGES[name])
    assert tree is not None
    extract(tree, "https://example.com/a", CleaningOptions())
    assert sizes
    assert (sizes[0] > 1) is reads_the_page


@pytest.mark.parametrize("options", EXTRACT_OPTIONS.values(), ids=list(EXTRACT_OPTIONS))
@pytest.mark.parametrize(
    "html", [*CASCADE_PAGES.values(), *golden_pages().values()], ids=lambda value: value[:30]
)
def test_extract_finds_what_bare_extraction_finds(html: str, options: CleaningOptions) -> None:
    expected_tree, tree = load_html(html), parse_html(html)
    assert expected_tree is not None
    assert tree is not None
    expected = trafilatura.bare_extraction(
        expected_tree,
        url="https://example.com/a",
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        favor_precision=options.favor_precision,
        favor_recall=options.favor_recall,
    )
    found = extract(tree, "https://example.com/a", options)
    if expected is None:
        assert found is None
        return
    assert not isinstance(expected, dict)
    assert found is not None
    assert (found.text, found.comments, found.raw_text) == (
        expected.text,
        expected.comments,
        expected.raw_text,
    )
    assert tostring(found.body) == tostring(expected.body)
    if options.include_comments:
        assert tostring(found.commentsbody) == tostring(expected.commentsbody)


def test_extract_makes_no_copy_of_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    # bare_extraction copies a tree it is given, as the cascade prunes it; extract's tree is
    # not read afterwards: one copy fewer, the copies of the cascade being the same
    copies: list[object] = []

    def counted(element: object) -> object:
        copies.append(element)
        return deepcopy(element)

    monkeypatch.setattr(trafilatura.core, "copy", counted)
    monkeypatch.setattr(cleaning.extraction, "copy", counted)
    monkeypatch.setattr(cleaning.cascade, "copy", counted)
    html = golden_pages()["seed_000"]
    with _readability_where_it_can_win():
        trafilatura.bare_extraction(
            load_html(html), url="https://example.com/a", include_comments=False
        )
    by_trafilatura = len(copies)
    copies.clear()
    tree = parse_html(html)
    assert tree is not None
    assert extract(tree, "https://example.com/a", CleaningOptions()) is not None
    assert len(copies) == by_trafilatura - 1


def test_the_replaced_trafilatura_step_is_the_one_copied() -> None:
    # cleaning.extraction._extract_and_compare copies this function of trafilatura: another
    # trafilatura release may change it, and then the copy must be checked against it again
    source = inspect.getsource(_TRAFILATURA_EXTRACT_AND_COMPARE)
    body = [line.strip() for line in source.splitlines()[4:] if line.strip()]
    assert body == [
        "postbody, temp_text = extract_content(cleaned_tree, options)",
        "if not options.fast:",
        "postbody, temp_text = compare_extraction(cleaned_tree_backup, copy(tree), postbody, "
        "temp_text, options)",
        "return postbody, temp_text",
    ]


BASIC_CLEAN_PAGES = {
    "tags": "<aside>a</aside><footer>f</footer><script>s</script><style>x</style>"
    "<svg><g/></svg><template>t</template><fencedframe></fencedframe><p>kept</p>",
    # contains(@class|@id, 'footer'): the first of the two attributes on the div
    "class_first": '<div class="site-footer" id="main">a</div>'
    '<div class="main" id="footer">b</div>',
    "id_first": '<div id="site-footer" class="main">a</div><div id="main" class="footer">b</div>',
    "footer_not_div": '<section class="footer">a</section><div class="Footer">b</div><aside/>',
    # the cookie banners' regular expression, either attribute, any case (and Unicode's
    # case folding: the Kelvin sign is a K)
    "cookies": '<div class="CookieBanner">a</div><span id="onetrust-x">b</span>'
    '<p class="cookie-consent x">c</p><div id="a" class="notice__cookie">d</div>'
    '<div class="cooKie-notice">e</div><div class="cookies-not-set">kept</div>'
    '<div class="\u212aookie-bar">f</div>',
    "nested": '<div class="cookiebot"><footer><script>x</script></footer></div>',
}


@pytest.mark.parametrize("body", BASIC_CLEAN_PAGES.values(), ids=list(BASIC_CLEAN_PAGES))
def test_basic_cleaning_finds_what_trafilaturas_xpath_finds(body: str) -> None:
    tree = parse_html(f"<html><head><title>T</title></head><body>{body}</body></html>")
    assert tree is not None
    expected = _TRAFILATURA_BASIC_CLEAN_XPATH(tree)
    assert expected  # every page has something to delete
    assert _basic_clean_elements(tree) == expected
    body_element = tree.find(".//body")
    assert _basic_clean_elements(body_element) == _TRAFILATURA_BASIC_CLEAN_XPATH(body_element)


def test_basic_cleaning_is_trafilaturas_outside_extract() -> None:
    baseline_module = importlib.import_module("trafilatura.baseline")
    with _basic_cleaning_in_python():
        assert baseline_module.BASIC_CLEAN_XPATH is _basic_clean_elements
    assert baseline_module.BASIC_CLEAN_XPATH is _TRAFILATURA_BASIC_CLEAN_XPATH


def test_the_copied_cascade_is_trafilaturas() -> None:
    # cleaning.cascade.trafilatura_sequence copies trafilatura's, but for the escalation's
    # page measure: another trafilatura release may change it, and then the copy must be
    # checked against it again
    source = inspect.getsource(trafilatura.core.trafilatura_sequence)
    assert hashlib.sha256(source.encode()).hexdigest() == TRAFILATURA_SEQUENCE_SHA256


@pytest.mark.parametrize(
    "html", [*CASCADE_PAGES.values(), *golden_pages().values()], ids=lambda value: value[:30]
)
def test_the_page_text_bound_is_a_bound(html: str) -> None:
    tree = parse_html(html)
    assert tree is not None
    assert _page_text_bound(tree) >= len(html2txt(tree))


@pytest.mark.parametrize(
    "html", [*CASCADE_PAGES.values(), *golden_pages().values()], ids=lambda value: value[:30]
)
def test_the_escalation_measures_the_page_only_where_the_bound_does_not_settle_it(
    html: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = parse_html(html)
    assert tree is not None
    page = len(html2txt(tree))
    measured: list[object] = []

    def counted(element: HtmlElement) -> str:
        measured.append(element)
        return str(html2txt(element))

    monkeypatch.setattr(cleaning.cascade._BASELINE, "html2txt", counted)
    bound = _page_text_bound(tree)
    for length in (0, page // 10, page // 5, page // 5 + 1, page, bound // 5, bound // 5 + 1):
        measured.clear()
        assert _covers_little_of_the_page(tree, length) == (length < 0.2 * page)
        assert bool(measured) == (length < 0.2 * bound)

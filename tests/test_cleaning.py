from __future__ import annotations

import pickle
import re

import pytest

from cleaning import (
    ALL_PAGE_TYPES,
    CleaningOptions,
    CleanResult,
    PageType,
    clean_page,
    content_hash,
)
from cleaning.junk import RemovedLine
from tests.conftest import golden_pages, load_golden, norm

OPTIONS = CleaningOptions()


@pytest.mark.parametrize("name", golden_pages())
def test_golden_page_keeps_every_article_line(name: str) -> None:
    html, expected = load_golden(name)
    result = clean_page(html, expected["url"], OPTIONS)
    assert result.drop_reason is None
    assert result.title == expected["title"]
    text_lines = {norm(line) for line in result.text.splitlines()}
    missing = [line for line in expected["article_lines"] if norm(line) not in text_lines]
    assert missing == []
    assert result.language == expected["language"]
    assert result.language_score > 0.9


@pytest.mark.parametrize("name", [n for n in golden_pages() if load_golden(n)[1]["filled_links"]])
def test_link_text_stays_in_the_sentence(name: str) -> None:
    # the seeds were saved by a scraper that dropped inline link text ("que sont , et !")
    html, expected = load_golden(name)
    text = norm(clean_page(html, expected["url"], OPTIONS).text)
    for sentence in expected["filled_links"]:
        assert norm(sentence) in text


def test_clean_control_comes_out_exactly() -> None:
    html, expected = load_golden("seed_001")
    result = clean_page(html, expected["url"], OPTIONS)
    assert result.text.splitlines() == expected["article_lines"]


# signed "Admin" only: a role, not an author's name (cleaning/metadata.py)
UNSIGNED_GOLDEN_PAGES = frozenset({"seed_000", "seed_004"})


@pytest.mark.parametrize("name", golden_pages())
def test_metadata_of_golden_pages(name: str) -> None:
    html, expected = load_golden(name)
    result = clean_page(html, expected["url"], OPTIONS)
    assert result.date_published is not None
    assert bool(result.authors) is (name not in UNSIGNED_GOLDEN_PAGES)
    assert result.sitename
    assert result.word_count == len(re.findall(r"\w+", result.text))
    assert result.content_hash == content_hash(result.text)


def test_same_input_same_result() -> None:
    html, expected = load_golden("seed_002")
    first = clean_page(html, expected["url"], OPTIONS)
    assert all(clean_page(html, expected["url"], OPTIONS) == first for _ in range(3))


ARTICLE_HEAD = '<meta property="og:type" content="article">'
PARAGRAPHS = "".join(
    f"<p>Paragraph {i} explains how the new chip design reduces power use in laptops "
    f"while keeping the same performance for everyday work and games.</p>"
    for i in range(6)
)


LISTING = (
    '<html><head><meta property="og:type" content="website"></head><body><main><h1>Chips</h1>'
    + "".join(
        f'<div class="card"><h2><a href="/2025/chip-story-{i}/">Chip story number {i} is here'
        f"</a></h2><p>Paragraph {i} explains how the new chip design reduces power use in "
        "laptops.</p></div>"
        for i in range(12)
    )
    + "</main></body></html>"
)


@pytest.mark.parametrize(
    ("html", "url", "reason"),
    [
        ("", "https://a.test/x", "empty"),
        ("   \n ", "https://a.test/x", "empty"),
        (
            f"<html><head>{ARTICLE_HEAD}</head><body><article><p>Too short.</p></article>"
            "</body></html>",
            "https://a.test/short",
            "too_short",
        ),
        (LISTING, "https://a.test/category/chips/", "page_type_listing"),
        (
            "<html><body><div><img src='x.png'></div><script>var a = 1;</script></body></html>",
            "https://a.test/page",
            "no_text",
        ),
    ],
)
def test_drop_reasons(html: str, url: str, reason: str) -> None:
    assert clean_page(html, url, OPTIONS).drop_reason == reason


def test_article_without_markers_is_kept() -> None:
    html = f"<html><body><article><h1>Chips</h1>{PARAGRAPHS}</article></body></html>"
    result = clean_page(html, "https://a.test/2025/chips", OPTIONS)
    assert result.drop_reason is None
    assert result.language == "en"


def test_options_turn_checks_off() -> None:
    html = f"<html><head>{ARTICLE_HEAD}</head><body><article><p>Too short.</p></article></body>"
    assert clean_page(html, "https://a.test/s", CleaningOptions(min_words=None)).kept
    listing = clean_page(LISTING, "https://a.test/l/", CleaningOptions(page_types=ALL_PAGE_TYPES))
    assert listing.kept
    assert listing.page_type == "listing"


def test_declared_website_alone_does_not_drop_an_article() -> None:
    # many CMSs put og:type=website on every page, articles included
    html = (
        '<html><head><meta property="og:type" content="website"></head><body>'
        f"<main>{PARAGRAPHS}</main></body></html>"
    )
    result = clean_page(html, "https://a.test/2025/06/new-chip-design-cuts-power/", OPTIONS)
    assert result.kept
    assert result.page_type in ("article", "other")


def test_options_validate_themselves() -> None:
    with pytest.raises(ValueError, match="min_words"):
        CleaningOptions(min_words=-1)


def test_content_hash_folds_white_space() -> None:
    assert content_hash("a  b\nc") == content_hash("a b c")
    assert content_hash("a b c") != content_hash("a b d")


COMMENTED = (
    f"<html><head>{ARTICLE_HEAD}</head><body><article><h1>Chips</h1>{PARAGRAPHS}</article>"
    "<div id='comments' class='comments'><div class='comment'><p>I bought the older model "
    "last year and the battery still lasts a whole working day without trouble.</p></div>"
    "</div></body></html>"
)
COMMENT = "I bought the older model last year and the battery still lasts a whole working day"


def test_comments_are_kept_only_when_asked() -> None:
    # bare_extraction puts comments in Document.comments, not in Document.text
    url = "https://a.test/2025/chips"
    assert COMMENT not in clean_page(COMMENTED, url, OPTIONS).text
    with_comments = clean_page(COMMENTED, url, CleaningOptions(include_comments=True))
    assert with_comments.kept
    assert COMMENT in with_comments.text
    assert with_comments.text.index(COMMENT) > with_comments.text.index("Paragraph 5")


def test_text_and_title_are_nfc() -> None:
    decomposed = "Gru\u0308ne Chips fu\u0308r scho\u0308ne Laptops"  # NFD umlauts
    html = (
        f"<html><head>{ARTICLE_HEAD}<title>{decomposed}</title></head><body><article>"
        f"<p>Neue {decomposed} kommen im Herbst.</p>{PARAGRAPHS}</article></body></html>"
    )
    result = clean_page(html, "https://a.test/2025/gruene-chips", OPTIONS)
    assert "Neue Grüne Chips für schöne Laptops kommen im Herbst." in result.text
    assert result.title == "Grüne Chips für schöne Laptops"
    assert "\u0308" not in result.text


def test_a_result_pickled_before_it_moved_to_cleaning_result_still_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pickles made before stop 34 (a killed ``cleancrawl clean``'s spill files) name
    ``cleaning.page.CleanResult``: they load as they did."""
    result = CleanResult(
        url="https://a.test/news/1",
        text="The council met on Monday.",
        language="en",
        page_type=PageType.ARTICLE,
        removed_lines=(RemovedLine("share", "Share this"),),
    )
    monkeypatch.setattr(CleanResult, "__module__", "cleaning.page")
    old = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
    monkeypatch.undo()
    assert b"cleaning.result" not in old
    assert pickle.loads(old) == result
    assert b"cleaning.result" in pickle.dumps(result)  # new ones name the light module


# A newsletter popup left unclosed: the parser puts the whole page inside the <aside>, and
# trafilatura deletes every aside before it looks for the article (wcxb-dev 4111)
UNCLOSED_POPUP = (
    f"<html><head>{ARTICLE_HEAD}<title>Chips</title></head><body>"
    "<aside class='Popup-Overlay Popup-Newsletter'><div>We moved our newsletter.</div>"
    f"<main><article><h1>Chips</h1>{PARAGRAPHS}</article></main></body></html>"
)


def test_an_article_inside_an_unclosed_popup_is_extracted_in_recall_mode() -> None:
    result = clean_page(UNCLOSED_POPUP, "https://a.test/2025/chips", OPTIONS)
    assert result.drop_reason is None
    assert "Paragraph 5 explains how the new chip design" in result.text


@pytest.mark.parametrize(
    ("options", "kept"),
    [(CleaningOptions(favor_precision=True), False), (CleaningOptions(favor_recall=True), True)],
    ids=["precision", "recall"],
)
def test_a_chosen_focus_is_not_retried(options: CleaningOptions, kept: bool) -> None:
    # recall finds it on the first pass; precision was asked for, so no second pass
    assert clean_page(UNCLOSED_POPUP, "https://a.test/2025/chips", options).kept is kept

"""One word count for the column, min_words and the page-type features."""

from __future__ import annotations

import pytest

from cleaning import CleaningOptions, clean_page
from cleaning.words import _short_count, word_count
from tests.hostile_site import CHINESE, JAPANESE, article


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Hello, world: e-mail at 10:30 — done.", 8),  # runs of \w, as before
        ("Größe Übertragung", 2),
        ("这是文章里的一个完整的句子。", 7),  # 13 Han characters: about 7 words, not 1
        ("新しいスマートフォン", 5),
        ("iPhone发布", 2),
    ],
)
def test_word_count(text: str, words: int) -> None:
    assert word_count(text) == words


@pytest.mark.parametrize(("paragraphs", "lang"), [(CHINESE, "zh"), (JAPANESE, "ja")])
def test_a_cjk_article_is_not_too_short(paragraphs: list[str], lang: str) -> None:
    # three paragraphs of about 40 characters: one "word" per clause before, so under
    # min_words; about 20 words each now
    html = article("新闻", paragraphs * 2, lang=lang)
    result = clean_page(html, "https://news.test/a/", CleaningOptions(min_words=50))
    assert result.drop_reason is None
    assert result.word_count == word_count(result.text) >= 50


def test_every_count_is_the_same_function() -> None:
    import cleaning.page
    import cleaning.pagetype
    import crawler.pipelines

    for module in (cleaning.page, cleaning.pagetype, crawler.pipelines):
        assert vars(module)["word_count"] is word_count, module.__name__


def test_a_line_is_counted_once_a_long_text_each_time() -> None:
    # cleaning counts the same lines again and again (junk removal, page-type signals)
    line = "A line of a page, counted by junk removal and the page-type signals alike."
    before = _short_count.cache_info()
    assert word_count(line) == word_count(line) == 15
    after = _short_count.cache_info()
    assert after.hits >= before.hits + 1
    text = (line + "\n") * 40  # 3,000 characters: not kept
    assert word_count(text) == 15 * 40
    assert _short_count.cache_info().currsize == after.currsize

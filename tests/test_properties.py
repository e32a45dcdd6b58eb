"""Property tests: whatever a page holds, cleaning gives a page or a named drop, never raises."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning import CleaningOptions, clean_page
from cleaning.encoding import decode_html
from cleaning.page import DROP_REASONS

OPTIONS = CleaningOptions(min_words=5)
# modest by default so the suite stays fast; HYPOTHESIS_PROFILE=stress runs 1,000 examples each
settings.register_profile(
    "cleancrawl", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("stress", settings.get_profile("cleancrawl"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cleancrawl"))

TAGS = ["p", "div", "article", "h1", "span", "table", "td", "script", "title", "meta", "a", "!--"]
CHARSETS = [None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]
CHARSETS += ["text/html; charset=shift_jis", "text/html; charset=bogus", "text/html; charset="]

# markup-like text: tags (opened, closed, broken) between runs of any text
fragments = st.one_of(
    st.text(max_size=80),
    st.sampled_from(TAGS).map(lambda tag: f"<{tag}>"),
    st.sampled_from(TAGS).map(lambda tag: f"</{tag}>"),
    st.sampled_from(['<meta charset="', '<p class="', "<", ">", "&", "&#x0;", "<![CDATA["]),
)
markup = st.lists(fragments, max_size=40).map("".join)


def check(result_url: str, html: str) -> None:
    result = clean_page(html, result_url, OPTIONS)
    if result.drop_reason is None:
        assert result.text.strip()
        assert result.word_count >= OPTIONS.min_words  # type: ignore[operator]
        assert result.content_hash
    else:
        assert result.drop_reason in DROP_REASONS


@given(st.text(max_size=2000))
def test_any_text(html: str) -> None:
    check("https://news.test/a", html)


@given(markup)
def test_any_markup(html: str) -> None:
    check("https://news.test/a", html)


@given(st.binary(max_size=3000), st.sampled_from(CHARSETS))
def test_any_bytes_decoded(body: bytes, content_type: str | None) -> None:
    decoded = decode_html(body, content_type)
    assert isinstance(decoded.text, str) and decoded.encoding
    check("https://news.test/a", decoded.text)


@given(st.text(max_size=500).filter(lambda s: not s.startswith("\ufeff") and "\x00" not in s))
def test_utf8_text_round_trips_whatever_the_header_says(text: str) -> None:
    # valid UTF-8 wins over a stale header: no text is lost or garbled (NUL bytes, no text's,
    # are removed, or tell UTF-16: see test_encoding.py)
    assert decode_html(text.encode("utf-8"), "text/html; charset=iso-8859-1").text == text


LOWER = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
# words as text has them: lower case, sometimes capitalised (case flipping inside a word is
# what mojibake looks like, and the mess ratio rightly scores it as garbled)
word = st.tuples(st.text(alphabet=LOWER, min_size=1, max_size=12), st.booleans()).map(
    lambda w: w[0].capitalize() if w[1] else w[0]
)
russianish = st.lists(word, min_size=3, max_size=60).map(" ".join)


@given(russianish, st.booleans())
def test_declared_cp1251_is_trusted_when_it_reads_cleanly(text: str, meta: bool) -> None:
    # the bytes are also valid windows-1252 (the fallback guess): the declaration must win
    html = ('<meta charset="windows-1251">' if meta else "") + f"<p>{text}</p>"
    header = "text/html" if meta else "text/html; charset=windows-1251"
    assert decode_html(html.encode("cp1251"), header).text == html

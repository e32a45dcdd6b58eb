"""``cleancrawl clean``'s own process: what the workers hand it, and what it holds."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from cleaning import CleanResult, content_hash
from cleaning.encoding import decode_html
from cleaning.neardup import signature_bytes, text_signature
from cleaning.options import CleaningOptions
from cleaning.quality import QualitySignals, quality_signals
from cleaning.signed import SignedResult, clean_and_sign
from cleaning.templates import LineKeys, SiteTemplates, TemplateOptions, line_key, text_line_keys
from cleaning.worker import clean_in_worker, clean_payload_in_worker, start_worker
from crawler.items import PageItem
from crawler.neardup import near_duplicate_options
from crawler.reclean import (
    CleanJob,
    _Cleaner,
    _Page,
    _Stats,
    _Steps,
    clean_settings,
    page_of,
    read_records,
)
from crawler.templates_disk import DiskSiteTemplates
from tests.conftest import ROOT
from tests.warc_site import common_crawl_warc

if TYPE_CHECKING:
    from pathlib import Path

TEXTS = [
    "Plain first line\n\nSecond line, with 12 digits\n  \nShare this article",
    "a\r\nb\rc\u2028d\n\x0ce\n",  # line breaks that splitlines() cuts and split("\n") does not
    "",
    "\n\n",
    "only — punctuation\n—\n\n—",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_line_keys_are_the_keys_counting_and_cutting_make(text: str) -> None:
    keys = text_line_keys(text)
    assert keys.lines == tuple(line_key(line) for line in text.split("\n"))
    assert keys.distinct == {line_key(line) for line in text.splitlines() if line.strip()}


@pytest.mark.parametrize("text", TEXTS)
def test_templates_with_line_keys_count_and_cut_as_without(text: str) -> None:
    page = "Share this article\n—\nSomething of its own"
    hashed, keyed = SiteTemplates(TemplateOptions()), SiteTemplates(TemplateOptions())
    for n in range(4):
        hashed.add_page("a.test", f"{page} {n}")
        keyed.add_page("a.test", f"{page} {n}", text_line_keys(f"{page} {n}"))
    hashed.add_page("a.test", text)
    keyed.add_page("a.test", text, text_line_keys(text))
    assert sorted(hashed.rows()) == sorted(keyed.rows())
    assert keyed.strip("a.test", text, text_line_keys(text)) == hashed.strip("a.test", text)
    assert hashed.strip("b.test", text) == (text, ())  # no template: the text as it is


def test_clean_and_sign_hashes_the_lines_when_asked() -> None:
    options = near_duplicate_options(clean_settings({}, ROOT))

    def clean(html: str, url: str, site: str) -> CleanResult:
        return CleanResult(url=url, text=html)

    text = "one two three four five six\nseven eight nine ten eleven"
    result = clean_and_sign(clean, options, text, "https://a.test/1", "a", line_keys=True)
    assert isinstance(result, SignedResult)
    assert result.line_keys == text_line_keys(text)
    signature = text_signature(text, options)
    assert signature is not None
    assert result.minhash == signature_bytes(signature)
    unsigned = clean_and_sign(clean, None, text, "https://a.test/1", "a")
    assert isinstance(unsigned, SignedResult)
    assert (unsigned.minhash, unsigned.line_keys) == (None, None)


def _page(n: int, site: str = "a.test") -> _Page:
    item = PageItem(
        url=f"https://{site}/{n}",
        html="",
        http_status=200,
        site=site,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        source="warc",
    )
    return _Page(item, "clean")


def _kept(n: int, text: str, keys: LineKeys | None, minhash: bytes | None = None) -> SignedResult:
    return SignedResult(
        url=f"https://a.test/{n}",
        text=text,
        word_count=len(text.split()),
        content_hash=f"hash{n}",
        language="en",
        line_keys=keys,
        minhash=minhash,
    )


def test_clean_counts_and_cuts_templates_from_the_workers_line_keys(tmp_path: Path) -> None:
    # the clean process hashes no line itself: keys that say only the first line repeats
    # (the real keys would make every line template, and the page empty)
    settings = clean_settings({"CLEANCRAWL_MIN_WORDS": "1"}, tmp_path)
    steps = _Steps(settings, _Stats(), "crawl")
    texts = [f"Repeated words here\nAnother line {n}" for n in range(4)]
    pages = [
        (_page(n), _kept(n, texts[n], LineKeys((7, 100 + n), frozenset({7, 100 + n}))))
        for n in range(4)
    ]
    for page, result in pages:
        steps.count(page, result)
    article, reason = steps.article(*pages[0])
    assert reason == ""
    assert article is not None
    assert article.text == "Another line 0"


def test_clean_takes_the_signature_made_in_the_worker(tmp_path: Path) -> None:
    steps = _Steps(clean_settings({}, tmp_path), _Stats(), "crawl")
    options = near_duplicate_options(clean_settings({}, tmp_path))
    other = text_signature("a text that is not the page's text at all, five words more", options)
    assert other is not None
    text = "The page's own text, long enough to be signed by the near-duplicate step."
    result = _kept(1, text, text_line_keys(text), signature_bytes(other))
    article, _ = steps.article(_page(1), result)
    assert article is not None
    assert article.minhash == signature_bytes(other)  # not signed again here


def test_clean_takes_the_workers_quality_signals_for_a_text_left_as_it_is(
    tmp_path: Path,
) -> None:
    settings = clean_settings({"CLEANCRAWL_MIN_WORDS": "1"}, tmp_path)
    steps = _Steps(settings, _Stats(), "crawl")
    made = QualitySignals(
        mean_word_length=99.0,
        symbol_word_ratio=0.0,
        alpha_word_share=1.0,
        punctuation_line_share=1.0,
        duplicate_line_share=0.0,
        stop_words=None,
    )
    text = "A text of its own, which no template of its site cuts."
    result = _kept(1, text, text_line_keys(text))
    result.quality = made
    article, _ = steps.article(_page(1), result)
    assert article is not None
    assert article.mean_word_length == 99.0  # not made again here
    # a text its template cuts: its signals are made again, from the text written
    own = ["alpha", "bravo", "charlie", "delta"]  # not digits: they fold alike
    texts = [f"Repeated words here\nAnother line {word}" for word in own]
    pages = [(_page(n, "b.test"), _kept(n, texts[n], text_line_keys(texts[n]))) for n in range(4)]
    for page, kept in pages:
        kept.url = page.item.url
        kept.quality = made
        steps.count(page, kept)
    cut, reason = steps.article(*pages[0])
    assert cut is not None, reason
    assert cut.text == "Another line alpha"
    assert cut.mean_word_length == quality_signals(cut.text, "en").mean_word_length


def test_cleaner_in_this_process_signs_and_hashes_lines(tmp_path: Path) -> None:
    settings = clean_settings({}, tmp_path)
    steps = _Steps(settings, _Stats(), "crawl")
    assert steps.near is not None
    cleaner = _Cleaner(
        steps.cleaning.options,
        {},
        workers=0,
        timeout=None,
        near=steps.near.index.options,
        line_keys=True,
    )
    page = _page(1)
    words = " ".join(f"word{n} plain sentence" for n in range(80))
    html = f"<html><body><article><h1>T</h1><p>{words}.</p></article></body></html>"
    page.payload = (html.encode(), "text/html; charset=utf-8")  # decoded where it is cleaned
    result = cleaner.result(cleaner.submit(page), page.item.url)
    cleaner.close()
    assert isinstance(result, SignedResult)
    assert result.kept
    assert result.line_keys == text_line_keys(result.text, result.removed_lines)
    assert result.line_keys.cut  # the repeated title, cut: counted by the templates too
    assert result.minhash is not None
    assert result.quality == quality_signals(result.text, result.language)


def test_a_page_crosses_to_its_worker_as_its_body_and_is_decoded_there(tmp_path: Path) -> None:
    """The worker gets the payload's bytes and Content-Type (no decoded text to pickle as
    UTF-8 and decode again) and cleans what ``decode_html`` makes of them, as before."""
    words = " ".join(f"Déjà vu, naïve café number {n}." for n in range(60))
    body = f"<html><body><article><h1>Café</h1><p>{words}</p></article></body></html>"
    raw, content_type = body.encode("cp1252"), "text/html; charset=windows-1252"
    path = tmp_path / "a.warc.gz"
    record = {"type": "response", "url": "https://a.test/1", "body": raw}
    common_crawl_warc(path, [{**record, "headers": [("Content-Type", content_type)]}])
    settings = clean_settings({}, tmp_path / "out")
    job = CleanJob(inputs=(path,), output=tmp_path / "out", settings=settings)
    # read before the next record: warcio reads the rest of a record when it moves on
    warc_record, over = next(read_records(path, Counter(), 1 << 24))
    page, outcome = page_of(warc_record, job, "clean", 1 << 24, over=over)
    assert page is not None, outcome
    assert page.item.html == ""
    assert page.payload == (raw, content_type)
    start_worker(CleaningOptions(), {})
    result = clean_payload_in_worker(page.payload, page.item.url, page.item.site)
    assert result.kept
    assert "Déjà vu, naïve café number 7." in result.text
    html = decode_html(raw, content_type).text
    assert result == clean_in_worker(html, page.item.url, page.item.site)


CHILD = """
import os, sys
held = bytearray(400 * 1024 * 1024)
for n in range(0, len(held), 4096):
    held[n] = 1
os.execv(sys.executable, [sys.executable, "-c",
    "from crawler.reclean import peak_rss_mb; print(peak_rss_mb())"])
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux's")
def test_peak_rss_is_the_clean_process_own_not_its_parents() -> None:
    # ru_maxrss would say 400 MB or more: the parent's peak, kept through the exec
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert int(done.stdout) < 300


def test_steps_with_scratch_files_write_what_steps_in_memory_write(tmp_path: Path) -> None:
    # template counts, written ids and texts in scratch SQLite files (a run's output
    # folder): the same rows and drop reasons as in memory, nothing of them held
    own = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    shared = "Share this article\nSign up for our newsletter\nRead more stories"
    pages: list[tuple[_Page, SignedResult]] = []
    for n, word in enumerate(own):
        text = f"{shared}\nThe story of {word}, told in words of its own"
        pages.append((_page(n, "a.test"), _signed(_page(n, "a.test"), text)))
    lone = "A page alone on its site\nSign up for our newsletter"
    pages.append((_page(9, "b.test"), _signed(_page(9, "b.test"), lone)))
    copy = "The story of alpha, told in words of its own"  # a.test/0 once its template is cut
    pages.append((_page(10, "c.test"), _signed(_page(10, "c.test"), copy)))
    pages.append((_page(3, "a.test"), _signed(_page(3, "a.test"), pages[3][1].text)))
    settings = clean_settings({"CLEANCRAWL_MIN_WORDS": "3"}, tmp_path)
    written: list[list[tuple[str, str]]] = []
    for scratch in (None, tmp_path / "scratch"):
        if scratch is not None:
            scratch.mkdir()
        stats = _Stats()
        steps = _Steps(settings, stats, "crawl", scratch=scratch)
        for page, result in pages:
            steps.count(page, result)
        rows = []
        for page, result in pages:
            article, reason = steps.article(page, result)
            rows.append((article.text, article.id) if article is not None else (reason, ""))
        written.append(rows)
        steps.close()
        if scratch is not None:
            assert steps.templates is not None
            assert isinstance(steps.templates.templates, DiskSiteTemplates)
            assert not steps.templates.templates._lines  # the counts are in the file
            assert steps.templates._counted == set()
            steps.discard()
            assert list(scratch.iterdir()) == []  # the scratch files are removed
        assert stats.values["cleaning/lines_removed/template"] == 27  # 9 pages of a.test
    memory, disk = written
    assert disk == memory
    assert memory[0][0].startswith("The story of alpha")  # its template cut
    assert [row[0] for row in memory[-2:]] == ["duplicate_text", "same_page"]


def _signed(page: _Page, text: str) -> SignedResult:
    return SignedResult(
        url=page.item.url,
        text=text,
        word_count=len(text.split()),
        content_hash=content_hash(text),
        language="en",
        line_keys=text_line_keys(text),
    )

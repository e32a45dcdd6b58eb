"""A kept text's line keys and quality signals, made in the cleaning worker (cleaning/signed.py)
and used by the template and quality steps of the crawl's process instead of computing them."""

from __future__ import annotations

import asyncio
import pickle
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cleaning.junk import RemovedLine
from cleaning.neardup import NearDuplicateOptions
from cleaning.page import CleanResult, clean_page
from cleaning.quality import quality_signals
from cleaning.signed import SignedResult, TextFacts, clean_and_sign, text_facts
from cleaning.templates import SiteTemplates, line_key, text_line_keys
from crawler.items import PageItem
from crawler.pipelines import CleaningPipeline, TemplatePipeline
from crawler.quality import QualityPipeline
from tests.article_site import article_text
from tests.conftest import make_crawler
from tests.test_neardup import InlinePool, article, kept_page, text

if TYPE_CHECKING:
    from pathlib import Path

TEXTS = [
    "",
    "\n\n",
    "One line",
    "Home | World\n\nA paragraph of 12 words.\n  \nHome | World\n",
    "windows\r\nlines\r\n",
    "a line\u2028separator\nand a form\x0cfeed\x85next line",
    "trailing\n",
]


def test_line_keys_are_those_the_templates_count_and_cut() -> None:
    for sample in TEXTS:
        keys = text_line_keys(sample)
        assert keys.lines == tuple(line_key(line) for line in sample.split("\n")), sample
        assert keys.distinct == {line_key(line) for line in sample.splitlines() if line.strip()}
        # the same counts and the same cut with the keys as without them
        with_keys, without = SiteTemplates(), SiteTemplates()
        for _ in range(4):
            with_keys.add_page("a.test", sample, keys)
            without.add_page("a.test", sample)
            assert list(with_keys.rows()) == list(without.rows())
        assert with_keys.strip("a.test", sample, keys) == without.strip("a.test", sample)


def describe(html: str, url: str, site: str) -> CleanResult:
    return clean_and_sign(kept_page, None, html, url, site, line_keys=True, quality=True)


def facts_of(body: str, language: str) -> TextFacts:
    return TextFacts(text_line_keys(body), quality_signals(body, language))


def test_workers_describe_kept_texts_and_compose_with_signing() -> None:
    options = NearDuplicateOptions()
    body = text(1)
    described = describe(body, "https://a.test/1", "news")
    assert isinstance(described, SignedResult) and described.minhash is None
    assert text_facts(described) == facts_of(body, "und")
    assert pickle.loads(pickle.dumps(described)) == described  # crosses to the crawl's process
    # either way round, the result carries both
    signed = clean_and_sign(kept_page, options, body, "https://a.test/1", "news")
    assert isinstance(signed, SignedResult)
    for both in (
        clean_and_sign(describe, options, body, "u", "news"),
        clean_and_sign(
            lambda *page: clean_and_sign(kept_page, options, *page),
            None,
            body,
            "u",
            "n",
            line_keys=True,
            quality=True,
        ),
    ):
        assert isinstance(both, SignedResult)
        assert text_facts(both) == text_facts(described) and both.minhash == signed.minhash
    dropped = describe("drop", "https://a.test/2", "news")
    assert type(dropped) is CleanResult and dropped.drop_reason == "too_short"


def page(url: str, html: str) -> PageItem:
    return PageItem(
        url=url,
        html=html,
        http_status=200,
        site="news",
        fetched_at=datetime(2026, 12, 6, tzinfo=UTC),
        source="sitemap",
    )


def test_the_crawl_uses_the_workers_facts_until_the_text_changes(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, settings={"CLEANCRAWL_TEMPLATE_MIN_PAGES": 2})
    cleaning = CleaningPipeline.from_crawler(crawler)
    cleaning.pool = InlinePool()  # type: ignore[assignment]
    quality = QualityPipeline.from_crawler(crawler)
    quality.crawler = crawler
    crawler.get_item_pipeline = lambda cls: cleaning  # type: ignore[method-assign,assignment,return-value]
    quality.ask_for_facts()  # as it does when the spider opens
    item = asyncio.run(cleaning.process_item(page("https://a.test/1", text(1))))
    assert item.facts == facts_of(text(1), item.language)

    # the quality step takes the worker's signals (these are not the text's) and lets go
    worker_signals = replace(item.facts.quality, mean_word_length=99.0)
    item.facts = replace(item.facts, quality=worker_signals)
    assert quality.process_item(item).mean_word_length == 99.0
    assert item.facts is None
    plain = article("https://a.test/2", text(1))
    expected = quality_signals(text(1), "en").mean_word_length
    assert quality.process_item(plain).mean_word_length == expected

    # the template step counts and cuts by the worker's line keys
    templates = TemplatePipeline.from_crawler(crawler)
    menu = "Home | World | Sport | Tech"
    for n in range(3):
        body = f"{menu}\n{text(n)}"
        templates.count("a.test", f"https://a.test/{n}", body, text_line_keys(body))
    assert templates.templates.is_template("a.test", menu)
    body = f"{menu}\n{text(0)}"
    kept = article("https://a.test/0", body)
    kept.domain, kept.facts = "a.test", facts_of(body, "en")
    cut = templates.cut(kept)
    assert cut.text == text(0) and cut.facts is None  # the facts were of the text before the cut


SHARE = "Click to share on X (Opens in new window)"


def share_page(n: int) -> str:
    paragraphs = article_text(n, seed="facts-")
    body = [paragraphs[0], SHARE, *paragraphs[1:]]
    return (
        f"<!doctype html><html lang='en'><head><title>Story {n}</title></head><body><article>"
        f"<h1>Story {n}</h1>"
        + "".join(f"<p>{line}</p>" for line in body)
        + "</article></body></html>"
    )


def test_the_lines_cut_by_the_junk_steps_are_counted_alike_with_and_without_workers(
    tmp_path: Path,
) -> None:
    crawler = make_crawler(tmp_path)
    here = CleaningPipeline.from_crawler(crawler)  # CLEANCRAWL_WORKERS=0: cleaned in-process
    in_worker = CleaningPipeline.from_crawler(crawler)
    pool = InlinePool()
    pool.task = lambda html, url, site: clean_page(html, url, in_worker.options)
    in_worker.pool = pool  # type: ignore[assignment]
    for cleaning in (here, in_worker):
        cleaning.describe_texts()  # as the template and quality steps ask when the spider opens
    items = [
        asyncio.run(cleaning.process_item(page("https://a.test/1", share_page(1))))
        for cleaning in (here, in_worker)
    ]
    assert all(SHARE not in item.text for item in items)
    keys = [item.facts.line_keys for item in items]
    assert keys[0] == keys[1]
    assert keys[0] is not None and line_key(SHARE) in keys[0].cut
    assert line_key(SHARE) not in keys[0].distinct  # not in the text: counted, never cut


def test_a_line_cut_by_the_rules_on_most_pages_is_template_where_they_kept_it() -> None:
    kept = f"{text(4)}\nFollow the Gazette on every channel we have"
    keys = text_line_keys(kept)
    for counting_cut_lines in (True, False):
        templates = SiteTemplates()
        for n in range(4):  # cut by the rules on four pages (a block of two lines on one)
            block = "Follow the Gazette on every channel we have" + ("\nShare" if n == 0 else "")
            cut = [RemovedLine("subscribe", block)] if counting_cut_lines else []
            templates.add_page("a.test", text(n), text_line_keys(text(n), cut))
        templates.add_page("a.test", kept, keys)
        stripped, removed = templates.strip("a.test", kept, keys)
        if counting_cut_lines:
            assert stripped == text(4)
            assert [r.reason for r in removed] == ["template"]
            assert templates.is_template("a.test", "Share") is False  # on one page only
        else:  # on one page of five, as the kept text alone shows it
            assert stripped == kept and not removed

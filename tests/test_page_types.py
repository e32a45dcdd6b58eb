"""Page types: articles are written whatever their markers claim; link hubs are dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pytest

from cleaning import ALL_PAGE_TYPES, CleaningOptions, PageType, clean_page
from cleaning.pagetype import load_model, url_signals
from tests.conftest import CrawlRun, run_scrapy_crawl
from tests.page_type_site import ARTICLES, LISTINGS, page, site_pages
from tests.tiny_site import TinySite

if TYPE_CHECKING:
    from pathlib import Path

ALL = CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("path", sorted(ARTICLES))
def test_misleading_markers_do_not_make_an_article_a_listing(path: str) -> None:
    html = page(path)
    assert html is not None
    result = clean_page(html, f"https://voltline.test{path}", CleaningOptions())
    assert result.drop_reason is None, (result.page_type, result.listing_score)
    assert result.page_type is not PageType.LISTING


@pytest.mark.parametrize("path", LISTINGS)
def test_link_hubs_are_listings(path: str) -> None:
    html = page(path)
    assert html is not None
    result = clean_page(html, f"https://voltline.test{path}", ALL)
    assert result.page_type is PageType.LISTING, result.listing_score
    dropped = clean_page(html, f"https://voltline.test{path}", CleaningOptions())
    assert dropped.drop_reason == "page_type_listing"


def test_articles_only_drops_other_pages() -> None:
    forum = "/forum/t/which-laptop-for-linux-123/"
    html = page(forum)
    assert html is not None
    result = clean_page(html, f"https://voltline.test{forum}", ALL)
    only = CleaningOptions(page_types=frozenset({PageType.ARTICLE}))
    expected = None if result.page_type is PageType.ARTICLE else f"page_type_{result.page_type}"
    assert clean_page(html, f"https://voltline.test{forum}", only).drop_reason == expected


def test_wordpress_post_query_is_not_a_home_page() -> None:
    assert url_signals("https://a.test/?p=1234")["url_home"] == 0.0
    assert url_signals("https://a.test/?p=1234")["url_post_query"] == 1.0
    assert url_signals("https://a.test/?utm_source=x")["url_home"] == 1.0
    assert url_signals("https://a.test/")["url_home"] == 1.0


def test_model_file_names_every_signal() -> None:
    html = page("/")
    assert html is not None
    signals = clean_page(html, "https://voltline.test/", ALL).page_signals
    assert sorted(load_model().names) == sorted(signals)


def test_page_types_option_is_checked() -> None:
    with pytest.raises(ValueError, match="page_types"):
        CleaningOptions(page_types=frozenset({"articles"}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page_types"):
        CleaningOptions(page_types=frozenset())


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, list[str]]:
    with TinySite(site_pages()) as site:
        run = run_scrapy_crawl(
            tmp_path_factory.mktemp("pagetypes"),
            "-a",
            f"url={site.url}/",
            settings={"CLEANCRAWL_WORKERS": "0"},
        )
        return run, list(site.requests)


def _rows(output: Path) -> dict[str, dict[str, Any]]:
    return {_path(row["url"]): row for row in ds.dataset(output).to_table().to_pylist()}


def test_crawl_writes_every_article_and_drops_the_listings(
    crawl: tuple[CrawlRun, list[str]],
) -> None:
    run, requests = crawl
    assert run.returncode == 0, run.log[-3000:]
    assert set(ARTICLES) | set(LISTINGS) <= set(requests)  # everything was fetched
    rows = _rows(run.output)
    assert sorted(rows) == sorted(ARTICLES)
    assert run.stats["cleaning/dropped/page_type_listing"] == len(LISTINGS)
    assert {row["page_type"] for row in rows.values()} <= {"article", "other"}
    short = rows["/2025/06/short-item/"]
    assert 40 <= short["word_count"] < 50  # kept where min_words=50 used to drop it

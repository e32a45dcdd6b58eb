"""benchmarks/site_junk.py end to end: sites on their own loopback hosts, crawled twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import junk_data, site_junk
from benchmarks.site_junk import RunResult, Site, SitePage
from tests.article_site import article_text

SITES = 3
PAGES = 5
# sentences, not junk-shaped lines: the junk rules and the line model keep them, so only a
# template can cut them
SITE_LINE = "The {name} desk prints every edition on recycled paper from mills near Leith."
# a line of one page: templates fold digits, so pages differ by a word, not a number
PAGE_LINE = "Ferry timetables for {place} were revised by the island council this spring."
PLACES = (
    "Arran", "Barra", "Coll", "Colonsay", "Eigg", "Gigha", "Iona", "Islay", "Jura", "Lismore",
    "Mull", "Raasay", "Rum", "Tiree", "Ulva",
)  # fmt: skip
SHARED_LINE = "Readers in the valley can collect printed copies at the old railway station."
SHARED_PAGES = 3  # the first pages of the first site carry SHARED_LINE: one template cuts


def page_html(site: int, page: int, lines: list[str]) -> str:
    paragraphs = article_text(page, seed=f"site{site}-")
    body = [paragraphs[0], *lines, *paragraphs[1:]]
    return (
        f"<!doctype html><html lang='en'><head><title>Story {site}-{page}</title></head><body>"
        f"<article><h1>Story {page} of site {site}</h1>"
        + "".join(f"<p>{line}</p>" for line in body)
        + "</article></body></html>"
    )


def fixture_sites() -> list[Site]:
    sites = []
    for s in range(SITES):
        name = f"site{s:02d}"
        site_line = SITE_LINE.format(name=f"Gazette {'ABC'[s]}")
        pages = []
        for p in range(PAGES):
            own = [PAGE_LINE.format(place=PLACES[s * PAGES + p])]
            if s == 0 and p < SHARED_PAGES:
                own.append(SHARED_LINE)
            html = page_html(s, p, [site_line, *own])
            with_ = (article_text(p, seed=f"site{s}-")[2],)
            kinds = ("notice",) * len(own)
            path = f"/news/story-{p}.html"
            pages.append(SitePage(path, html, (site_line,), tuple(own), kinds, with_=with_))
        host = f"127.0.0.{site_junk.FIRST_HOST + s}"
        sites.append(Site(name, host, "en", tuple(pages), site_kinds=("disclaimer",)))
    return sites


# Scrapy's scraper budget for two of the pages (about 1.8 KB each), one download at a time:
# the third response is not asked for until pages held for templates leave the scraper
SMALL_SCRAPER = {"SCRAPER_SLOT_MAX_ACTIVE_SIZE": "3000", "CONCURRENT_REQUESTS": "1"}
RUNS = {
    **site_junk.RUNS,
    "small scraper budget": SMALL_SCRAPER,
    "small scraper budget, no hold budget": {
        **SMALL_SCRAPER,
        "CLEANCRAWL_TEMPLATE_HOLD_BYTES": "0",
    },
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunResult]:
    runs = site_junk.measure(fixture_sites(), tmp_path_factory.mktemp("site_junk"), RUNS)
    return {run.name: run for run in runs}


@pytest.mark.slow
def test_every_page_is_written_both_ways(results: dict[str, RunResult]) -> None:
    for run in results.values():
        assert run.returncode == 0
        assert (run.pages, run.written) == (SITES * PAGES, SITES * PAGES)
        assert run.rows_by_site == {f"site{s:02d}": PAGES for s in range(SITES)}
        assert run.with_.found == run.with_.total == SITES * PAGES


@pytest.mark.slow
def test_templates_cut_the_repeated_site_line_and_only_with_them_on(
    results: dict[str, RunResult],
) -> None:
    on, off = results["templates on"], results["templates off"]
    assert (on.site_junk.total, on.site_junk.found) == (SITES * PAGES, 0)
    assert (off.site_junk.total, off.site_junk.found) == (SITES * PAGES, SITES * PAGES)
    # the line on 3 pages of one site is a template too; the lines of one page are not
    page_lines = SITES * PAGES + SHARED_PAGES
    assert (on.page_junk.total, on.page_junk.found) == (page_lines, SITES * PAGES)
    assert (on.page_junk_repeated.total, on.page_junk_repeated.found) == (SHARED_PAGES, 0)
    assert (off.page_junk.total, off.page_junk.found) == (page_lines, page_lines)
    assert off.page_junk_repeated.found == SHARED_PAGES
    assert on.template_lines_cut == SITES * PAGES + SHARED_PAGES
    assert off.template_lines_cut == 0


@pytest.mark.slow
def test_held_pages_are_kept_out_of_scrapy_s_scraper_budget(
    results: dict[str, RunResult],
) -> None:
    kept, counted = results["small scraper budget"], results["small scraper budget, no hold budget"]
    # counted against Scrapy's budget, the held pages stop the downloads at two pages: each
    # site is decided from two pages at most, too few for its line (on 3 pages) to be cut
    assert counted.template_stats["template_released_for_memory"] > 0
    assert (counted.site_junk.total, counted.site_junk.found) == (SITES * PAGES, SITES * PAGES)
    assert "template_held_bytes_max" not in counted.template_stats
    # kept out of it, every site holds its five pages and is decided from them
    assert "template_released_for_memory" not in kept.template_stats
    assert (kept.site_junk.total, kept.site_junk.found) == (SITES * PAGES, 0)
    assert kept.template_stats["template_held_bytes_max"] > 3000
    assert kept.written == counted.written == SITES * PAGES
    # each held page wakes the engine: waiting for its 5-second heartbeat instead, one request
    # at a time, this crawl took 22 s from the spider's opening to its close (2.9 s woken)
    assert kept.seconds < 15


def test_the_sites_file_names_each_site_by_its_own_sitemap_and_follows_no_links() -> None:
    sites = fixture_sites()[:2]
    origins = {"site00": "http://127.0.0.2:8001", "site01": "http://127.0.0.3:8002"}
    text = site_junk.sites_file(sites, origins)
    assert text.count("[[site]]") == 2
    assert 'sitemap_urls = ["http://127.0.0.3:8002/sitemap.xml"]' in text
    assert text.count("max_depth = 0") == 2


def test_only_the_crawl_s_loopback_setting_and_the_stats_file_are_set(tmp_path: Path) -> None:
    command = site_junk.crawl_command(
        tmp_path / "sites.toml", tmp_path / "out", tmp_path / "stats.json", {}
    )
    settings = [command[k + 1].split("=")[0] for k, part in enumerate(command) if part == "-s"]
    assert settings == ["CLEANCRAWL_ALLOW_PRIVATE_HOSTS", "CLEANCRAWL_STATS_FILE"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--sites", "0"],
        ["--pages", "x"],
        ["--sites", "251"],
        ["--wordings", "holdout2"],  # the line model learns it: no measure of unseen junk
    ],
)
def test_a_bad_argument_exits_2_before_any_site_is_made(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        site_junk.main([*argv, "--data", "/nonexistent"])
    assert exited.value.code == 2


def test_every_held_out_set_the_model_does_not_learn_may_be_planted() -> None:
    unlearned = [row for row in junk_data.HELD_OUT if not row.trained_on]
    assert [name for name in site_junk.WORDINGS if name not in {"planted", "dev"}] == [
        row.name for row in unlearned
    ]
    assert {"holdout", "holdout11"} <= set(site_junk.WORDINGS)
    for row in unlearned:
        assert site_junk.wording_set(row.name) == (row.wordings(), row.classes())

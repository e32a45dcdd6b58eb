from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from cleaning.templates import SiteTemplates, TemplateOptions, line_key, page_keys
from crawler.pipelines import TemplatePipeline
from crawler.sample_server import SiteServer
from crawler.state import StateStore
from tests.conftest import CrawlRun, run_scrapy_crawl

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

# on every page of the site, and nothing the junk rules or the line model know: a site's own
# blurb, which only the template step can tell from the article
BLURB = "The ByteWire desk has covered chips, phones and the people behind them since 2009."


WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
]


def page(n: int, extra: str = BLURB) -> str:
    word = WORDS[n]
    return f"The {word} story opens with its own first sentence.\n{extra}\nThe end of {word}."


def test_line_seen_on_enough_pages_is_template() -> None:
    templates = SiteTemplates(TemplateOptions(min_pages=3, min_share=0.5))
    for n in range(2):
        templates.add_page("a.test", page(n))
    assert not templates.is_template("a.test", BLURB)  # two pages are not enough
    templates.add_page("a.test", page(2))
    assert templates.is_template("a.test", BLURB)
    assert not templates.is_template("b.test", BLURB)  # per domain
    text, removed = templates.strip("a.test", page(7))
    assert text == page(7).replace(BLURB + "\n", "")
    assert [(r.reason, r.line) for r in removed] == [("template", BLURB)]


def test_share_of_pages_matters_on_big_sites() -> None:
    templates = SiteTemplates(TemplateOptions(min_pages=3, min_share=0.5))
    for n in range(10):
        templates.add_page("a.test", page(n, BLURB if n < 4 else "Nothing shared."))
    assert not templates.is_template("a.test", BLURB)  # 4 of 10 pages


def test_keys_fold_case_digits_and_punctuation() -> None:
    assert line_key("1,204 views - Share!") == line_key("87 Views – share")
    assert line_key("Subscribe now") != line_key("Subscribe later")


def test_counts_survive_a_round_trip_through_the_state_store(tmp_path: Path) -> None:
    templates = SiteTemplates()
    for n in range(5):
        templates.add_page("a.test", page(n))
    store = StateStore(tmp_path / "state")
    store.save_template_rows(templates.rows())
    warm = SiteTemplates()
    warm.load(StateStore(tmp_path / "state").template_rows())
    assert warm.pages("a.test") == 5
    assert warm.is_template("a.test", BLURB)


def test_a_decision_once_taken_applies_to_every_page() -> None:
    templates = SiteTemplates(TemplateOptions(min_pages=3, min_share=0.1))
    first = page(0)
    templates.add_page("a.test", first)
    before = templates.strip("a.test", first)
    assert before == (first, ())  # one page: no template yet
    for n in range(1, 6):
        templates.add_page("a.test", page(n))
    assert templates.is_template("a.test", BLURB)  # the counts say so by now...
    assert templates.strip("a.test", first) == before  # ...but the same page stays the same
    assert templates.strip("a.test", page(7))[0] == page(7)  # and so does every other
    assert templates.late_lines("a.test") == 1


def test_a_domain_decided_from_stored_counts_cuts_from_its_first_page() -> None:
    earlier = SiteTemplates()
    for n in range(5):
        earlier.add_page("a.test", page(n))
    templates = SiteTemplates()
    templates.load(earlier.rows())
    templates.decide("a.test")
    templates.add_page("a.test", page(5, "A line of this run only."))
    text, removed = templates.strip("a.test", page(6))
    assert BLURB not in text
    assert [r.reason for r in removed] == ["template"]
    templates.decide("a.test")  # a second call changes nothing
    assert templates.strip("a.test", page(6))[1] == removed


def test_decisions_depend_on_the_pages_counted_not_their_order() -> None:
    pages = [page(n, BLURB if n % 3 else "Once only.") for n in range(9)]
    decisions = set()
    for order in (pages, pages[::-1], pages[1::2] + pages[::2]):
        templates = SiteTemplates(TemplateOptions(min_pages=3, min_share=0.5))
        for text in order:
            templates.add_page("a.test", text)
        decisions.add(tuple(templates.strip("a.test", text)[0] for text in pages))
    assert len(decisions) == 1


def test_pruned_counts_keep_the_same_lines_whatever_order_they_came_in() -> None:
    rows = [("a.test", 0, 9)] + [("a.test", key, 1 + key % 2) for key in range(1, 10)]
    kept = set()
    for order in (rows, rows[::-1]):
        templates = SiteTemplates(TemplateOptions(max_lines_per_domain=8))
        templates.load(order)
        templates.add_page("a.test", "A new line.")  # 10 lines: pruned to the 4 most seen
        kept.add(frozenset(key for _, key, _ in templates.rows() if key))
    assert len(kept) == 1


def test_page_keys_tell_urls_and_texts_apart_per_domain() -> None:
    url, text = page_keys("a.test", "https://a.test/1", "Some text\nhere")
    assert page_keys("a.test", "https://a.test/2", "Some  text here")[1] == text
    assert page_keys("b.test", "https://a.test/1", "Some text here")[0] == url
    assert page_keys("b.test", "https://a.test/1", "Some text here")[1] != text


def test_options_validate_themselves() -> None:
    with pytest.raises(ValueError, match="min_pages"):
        TemplateOptions(min_pages=1)


ARTICLE = """<!doctype html><html lang="en"><head><title>{title}</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-03-0{n}T10:00:00+00:00"></head>
<body><article><h1>{title}</h1>
<p>{body}</p>
<p>{disclaimer}</p>
<p>{body2}</p>
</article></body></html>"""

TOPICS = ["batteries", "chips", "phones", "routers", "satellites", "browsers"]


def build_site(root: Path) -> None:
    links = []
    for n, topic in enumerate(TOPICS, 1):
        body = (
            f"The {topic} market changed quickly this year, and analysts who follow {topic} "
            f"say prices for {topic} fell by {n * 7} percent while demand kept growing in "
            f"Europe, Asia and North America, according to figures published on Monday."
        )
        body2 = (
            f"Makers of {topic} now plan {n + 2} new factories, and the first of them should "
            f"open before the end of next year if the permits arrive on time."
        )
        folder = root / "news" / topic
        folder.mkdir(parents=True)
        html = ARTICLE.format(
            title=f"What next for {topic}", n=n, body=body, body2=body2, disclaimer=BLURB
        )
        (folder / "index.html").write_text(html, encoding="utf-8")
        links.append(f'<li><a href="/news/{topic}/">{topic}</a></li>')
    (root / "index.html").write_text(
        f"<html><body><ul>{''.join(links)}</ul></body></html>", encoding="utf-8"
    )


@pytest.mark.slow
def test_first_crawl_is_cleaned_of_the_template_and_the_next_starts_warm(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    build_site(site)
    state = tmp_path / "state"
    settings = {
        "CLEANCRAWL_STATE_DIR": str(state),
        "CLEANCRAWL_TEMPLATE_HOLD_PAGES": "5",
        "CLEANCRAWL_TEMPLATE_HOLD_SECONDS": "10",
        "CLEANCRAWL_RECRAWL": "all",  # later runs write the same pages again
    }
    with SiteServer(site) as server:
        runs = [
            run_scrapy_crawl(tmp_path / name, "-a", f"url={server.url}/", settings=settings)
            for name in ("one", "two", "three")
        ]
    for run in runs:
        assert run.returncode == 0, run.log[-2000:]
        texts = ds.dataset(run.output).to_table().column("text").to_pylist()
        # a page fetched again is not counted again: three runs do not make each page's
        # own lines "on three pages", and its text template
        assert len(texts) == len(TOPICS)
        assert not [t for t in texts if BLURB in t]
        assert run.stats["cleaning/lines_removed/template"] == len(TOPICS)
    first, second, third = runs
    assert first.stats["cleaning/template_held"] == 4  # pages 1-4 waited for page 5
    assert "cleaning/template_held" not in second.stats  # counts came from the state dir
    assert third.stats["cleaning/template_pages_counted_before"] == len(TOPICS)
    assert (state / "state.sqlite").exists()
    assert json.dumps(second.stats)  # stats file is valid JSON


# --- the same pages, crawled in two orders, give the same rows -----------------------------

# on a run of pages in the middle of the site only: in either crawl order it reaches
# min_pages well after the hold, so the old rule cut it from some pages and not others
SERIES = "This report belongs to the Supply Lines series on where the parts of a device come from."
PLACES = [
    "Lisbon",
    "Osaka",
    "Tampere",
    "Austin",
    "Hsinchu",
    "Dresden",
    "Penang",
    "Eindhoven",
    "Bangalore",
    "Grenoble",
    "Monterrey",
    "Cork",
]
SERIES_PAGES = range(4, 8)  # Hsinchu..Eindhoven, and the copy of Hsinchu
COPY_OF = 4  # /copy/ serves the same HTML as /news/hsinchu/


def ordered_site(root: Path) -> list[str]:
    """A site of articles sharing BLURB, with SERIES on a few, and one page at two URLs.

    Returns the article paths in "sitemap" order; the copy comes last.
    """
    paths = []
    for n, place in enumerate(PLACES):
        body = (
            f"Engineers in {place} spent the spring testing a new packaging line, and the "
            f"plant manager said output rose by {n + 11} percent once the second shift was "
            f"trained on the machines that arrived from the supplier in March this year."
        )
        body2 = (
            f"The {place} site now plans to hire {n * 3 + 20} more technicians, most of them "
            f"from the local college, before the next line opens in the autumn."
        )
        html = ARTICLE.format(
            title=f"Inside the {place} plant",
            n=n % 9 + 1,
            body=body,
            body2=body2,
            disclaimer=f"{BLURB}</p>\n<p>{SERIES}" if n in SERIES_PAGES else BLURB,
        )
        folder = root / "news" / place.lower()
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(html, encoding="utf-8")
        paths.append(f"/news/{place.lower()}/")
    (root / "copy").mkdir()
    original = root / paths[COPY_OF].strip("/") / "index.html"
    (root / "copy" / "index.html").write_bytes(original.read_bytes())
    return [*paths, "/copy/"]


def crawl_in_order(tmp: Path, base: str, paths: list[str], state: Path) -> CrawlRun:
    tmp.mkdir()
    sites = tmp / "sites.toml"
    urls = ", ".join(f'"{base}{path}"' for path in paths)
    sites.write_text(
        f'[[site]]\nname = "plants"\nstart_urls = [{urls}]\nmax_depth = 0\n'
        "robots_sitemaps = false\n",
        encoding="utf-8",
    )
    return run_scrapy_crawl(
        tmp,
        "-a",
        f"sites={sites}",
        settings={
            "CLEANCRAWL_STATE_DIR": str(state),
            "CLEANCRAWL_RECRAWL": "all",
            "CLEANCRAWL_DUPLICATES": "mark",  # both copies are written, to compare them
            "CLEANCRAWL_AUDIT_REMOVED_LINES": "True",
            "CLEANCRAWL_TEMPLATE_HOLD_PAGES": "5",  # fewer than the site's pages
            "CLEANCRAWL_TEMPLATE_HOLD_SECONDS": "30",
            # pages reach the template step in the listed order: one at a time, first in
            # first out, cleaned in the crawl's process
            "CONCURRENT_REQUESTS": "1",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "CLEANCRAWL_WORKERS": "0",
        },
    )


def rows_by_path(run: CrawlRun) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """path -> (text, removed lines) of every written row."""
    table = ds.dataset(run.output).to_table(columns=["url", "text", "removed_lines"])
    return {
        urlsplit(row["url"]).path: (
            row["text"],
            sorted((r["reason"], r["line"]) for r in row["removed_lines"]),
        )
        for row in table.to_pylist()
    }


@pytest.mark.slow
def test_the_same_pages_in_two_orders_give_the_same_rows(tmp_path: Path) -> None:
    site = tmp_path / "site"
    paths = ordered_site(site)
    forward, backward = tmp_path / "state-forward", tmp_path / "state-backward"
    with SiteServer(site) as server:
        runs = {
            "forward": crawl_in_order(tmp_path / "forward", server.url, paths, forward),
            "backward": crawl_in_order(tmp_path / "backward", server.url, paths[::-1], backward),
        }
        # a later run of each, in the other order, starts from the counts its first run kept
        runs["forward, warm"] = crawl_in_order(
            tmp_path / "forward-warm", server.url, paths[::-1], forward
        )
        runs["backward, warm"] = crawl_in_order(
            tmp_path / "backward-warm", server.url, paths, backward
        )
    rows = {}
    for name, run in runs.items():
        assert run.returncode == 0, (name, run.log[-2000:])
        rows[name] = rows_by_path(run)
        assert sorted(rows[name]) == sorted(paths), name
        # the same HTML at two URLs: the same text, whatever was crawled before it
        assert rows[name]["/copy/"] == rows[name][paths[COPY_OF]], name
        assert not [path for path, (text, _) in rows[name].items() if BLURB in text], name
    assert rows["forward"] == rows["backward"]
    assert rows["forward, warm"] == rows["backward, warm"]
    # a first crawl decides from the pages it held (SERIES was on at most one of them);
    # a later one from everything counted before it (SERIES is on 4 of 12 distinct pages)
    series_kept = {path for path, (text, _) in rows["forward"].items() if SERIES in text}
    assert series_kept == {paths[n] for n in SERIES_PAGES} | {"/copy/"}
    assert not [path for path, (text, _) in rows["forward, warm"].items() if SERIES in text]
    for name in ("forward", "forward, warm"):
        removed = [line for _, lines in rows[name].values() for line in lines]
        templates = [line for reason, line in removed if reason == "template"]
        assert runs[name].stats["cleaning/lines_removed/template"] == len(templates), name


class PublicCrawler:
    """A stand-in crawler with only the public names TemplatePipeline may read."""

    def __init__(self, *, crawling: bool = True, backout: bool = False) -> None:
        self.crawling = crawling
        self.engine = SimpleNamespace(needs_backout=lambda: backout)
        self.settings = Settings()  # Scrapy's defaults
        self.cleaning: object | None = None

    def get_item_pipeline(self, cls: type) -> object | None:
        return self.cleaning


def holding(crawler: PublicCrawler) -> tuple[TemplatePipeline, dict[str, list[Deferred[None]]]]:
    """A pipeline holding 3 pages of a.test and 1 of b.test, and the Deferreds they wait on."""
    templates = SiteTemplates()
    stats = get_crawler().stats
    assert stats is not None
    pipeline = TemplatePipeline(templates, stats, hold_pages=20, hold_seconds=30, min_words=None)
    waiting: dict[str, list[Deferred[None]]] = {"a.test": [], "b.test": []}
    for domain, pages in (("a.test", 3), ("b.test", 1)):
        for n in range(pages):
            templates.add_page(domain, page(n))
            waiting[domain].append(Deferred())
    pipeline._held = {domain: [(d, 0) for d in held] for domain, held in waiting.items()}
    pipeline.crawler = cast("Crawler", crawler)
    return pipeline, waiting


def test_held_pages_that_stop_the_downloads_are_decided_and_let_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    crawler = PublicCrawler(backout=True)
    pipeline, waiting = holding(crawler)
    crawler.cleaning = SimpleNamespace(in_flight=1)
    pipeline._release_if_stalled()  # a page being cleaned fills the scraper too: it goes on
    assert not any(d.called for held in waiting.values() for d in held)
    crawler.cleaning = None
    with caplog.at_level("WARNING"):
        pipeline._release_if_stalled()
    # the domain holding the most pages goes first, decided from the pages it held
    assert all(d.called for d in waiting["a.test"]) and pipeline.templates.decided("a.test")
    assert not any(d.called for d in waiting["b.test"])
    assert not pipeline.templates.decided("b.test")
    assert pipeline.stats.get_value("cleaning/template_released_for_memory") == 3
    # said once, with the setting to raise: a crawl of many sites decides from few pages
    assert "a.test is decided from 3 page(s), not 20" in caplog.text
    assert "SCRAPER_SLOT_MAX_ACTIVE_SIZE (5000000 bytes)" in caplog.text
    pipeline._release_if_stalled()
    assert pipeline.templates.decided("b.test")
    assert caplog.text.count("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 2  # the message names it twice


def test_held_pages_go_at_once_when_the_crawl_is_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # crawler.stop() (Ctrl-C) waits for the pages in progress: held ones must not wait
    # CLEANCRAWL_TEMPLATE_HOLD_SECONDS
    pipeline, waiting = holding(PublicCrawler(crawling=False))
    pipeline.activity.reached_downloader()  # even with a download in flight
    with caplog.at_level("INFO"):
        pipeline._release_if_stalled()
    assert all(d.called for held in waiting.values() for d in held)
    assert "finishing 4 page(s)" in caplog.text
    assert pipeline.stats.get_value("cleaning/template_released_at_stop") == 4


def test_held_pages_go_once_nothing_else_is_coming() -> None:
    crawler = PublicCrawler()
    pipeline, waiting = holding(crawler)
    held = [d for ds in waiting.values() for d in ds]
    activity = pipeline.activity
    activity.scheduled()
    activity.reached_downloader()
    pipeline._release_if_stalled()  # downloading: a page of a held site may come
    activity.left_downloader()
    activity.drained()
    pipeline._release_if_stalled()  # something happened since the last look
    crawler.cleaning = SimpleNamespace(in_flight=1)
    pipeline._release_if_stalled()  # quiet, but a page is being cleaned
    assert not any(d.called for d in held)
    crawler.cleaning = SimpleNamespace(in_flight=0)
    activity.scheduled()
    pipeline._release_if_stalled()  # a request waits in the scheduler
    activity.drained()
    pipeline._release_if_stalled()
    assert not any(d.called for d in held)
    pipeline._release_if_stalled()  # a quiet spell with nothing anywhere
    assert all(d.called for d in held)
    assert pipeline.stats.get_value("cleaning/template_released_early") == 4


class ScraperCrawler(PublicCrawler):
    """A stand-in crawler with the scraper budget and engine wake-up ``HoldBudget`` reads."""

    def __init__(self, max_active_size: int) -> None:
        super().__init__()
        self.wakes = 0
        self.slot = SimpleNamespace(max_active_size=max_active_size)
        self.engine = SimpleNamespace(
            needs_backout=lambda: False,
            scraper=SimpleNamespace(slot=self.slot),
            _slot=SimpleNamespace(nextcall=SimpleNamespace(schedule=self.wake)),
        )

    def wake(self) -> None:
        self.wakes += 1


@pytest.fixture
def no_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hold's timers made without a reactor (never fired: the tests let pages go), and
    its Deferreds awaited as they are."""
    timer = SimpleNamespace(cancel=lambda: None, start=lambda *_, **__: None, running=False)
    monkeypatch.setattr("crawler.pipelines.call_later", lambda *_: timer)
    monkeypatch.setattr("crawler.pipelines.create_looping_call", lambda *_: timer)
    monkeypatch.setattr("crawler.pipelines.maybe_deferred_to_future", lambda d: d)


def budgeted(hold_bytes: int) -> tuple[ScraperCrawler, TemplatePipeline, StatsCollector]:
    """A pipeline with ``hold_bytes`` of its own, in a crawler whose scraper has 5,000."""
    crawler = ScraperCrawler(5000)
    stats = get_crawler().stats
    assert stats is not None
    pipeline = TemplatePipeline(
        SiteTemplates(),
        stats,
        hold_pages=20,
        hold_seconds=30,
        min_words=None,
        hold_bytes=hold_bytes,
    )
    pipeline.crawler = cast("Crawler", crawler)
    return crawler, pipeline, stats


def hold(pipeline: TemplatePipeline, domain: str, size: int) -> bool:
    """Start holding a page of ``domain`` (counted first, as process_item does); True if it
    waits."""
    pipeline.templates.add_page(domain, page(pipeline.templates.pages(domain)))
    try:
        pipeline._hold(domain, size).send(None)
    except StopIteration:
        return False
    return True


@pytest.mark.usefixtures("no_timers")
def test_held_pages_are_kept_out_of_the_scraper_budget_up_to_their_own(
    caplog: pytest.LogCaptureFixture,
) -> None:
    crawler, pipeline, stats = budgeted(10_000)
    try:
        assert hold(pipeline, "a.test", 3000) and hold(pipeline, "a.test", 3000)
        assert hold(pipeline, "b.test", 3000)
        # Scrapy's budget grows by the bytes held: it still has 5000 for pages on their way
        assert crawler.slot.max_active_size == 5000 + 9000
        assert crawler.wakes == 3  # the engine looks for requests to send at once
        assert not caplog.text
        # 12,000 would not fit in 10,000: a.test, holding the most, is decided and goes on
        with caplog.at_level("WARNING"):
            assert hold(pipeline, "b.test", 3000)
        assert pipeline.templates.decided("a.test") and not pipeline.templates.decided("b.test")
        assert "a.test" not in pipeline._held and len(pipeline._held["b.test"]) == 2
        assert crawler.slot.max_active_size == 5000 + 6000
        assert stats.get_value("cleaning/template_released_for_memory") == 2
        assert "a.test is decided from 2 page(s), not 20" in caplog.text
        assert "CLEANCRAWL_TEMPLATE_HOLD_BYTES (10000 bytes)" in caplog.text
        # a page bigger than the whole budget counts against Scrapy's, as without one
        assert hold(pipeline, "c.test", 20_000)
        assert not pipeline.templates.decided("b.test")  # not let go: no room would do
        assert crawler.slot.max_active_size == 5000 + 6000
    finally:
        pipeline.close()
    assert crawler.slot.max_active_size == 5000  # every byte given back
    assert stats.get_value("cleaning/template_held_bytes_max") == 9000


@pytest.mark.usefixtures("no_timers")
def test_no_hold_budget_leaves_scrapy_s_as_it_is() -> None:
    crawler, pipeline, stats = budgeted(0)
    assert hold(pipeline, "a.test", 3000)
    assert crawler.slot.max_active_size == 5000
    assert crawler.wakes == 1  # a held page wakes the engine all the same
    pipeline.close()
    assert stats.get_value("cleaning/template_held_bytes_max") is None


@pytest.mark.usefixtures("no_timers")
def test_pages_kept_out_of_the_scraper_budget_go_at_once_when_the_spider_closes() -> None:
    crawler, pipeline, stats = budgeted(10_000)
    assert hold(pipeline, "a.test", 3000) and hold(pipeline, "b.test", 3000)
    crawler.engine.needs_backout = lambda: True  # nothing downloads: not for held pages
    pipeline._release_if_stalled()
    assert pipeline.held_pages == 2
    crawler.engine._slot.closing = Deferred()  # CLOSESPIDER_*: the engine waits for them
    pipeline._release_if_stalled()
    assert pipeline.held_pages == 0 and crawler.slot.max_active_size == 5000
    assert stats.get_value("cleaning/template_released_at_stop") == 2
    assert stats.get_value("cleaning/template_released_for_memory") is None

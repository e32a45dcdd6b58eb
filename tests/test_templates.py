from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from cleaning.templates import SiteTemplates, TemplateOptions, line_key
from crawler.sample_server import SiteServer
from crawler.state import StateStore
from tests.conftest import run_scrapy_crawl

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


def test_first_crawl_is_cleaned_of_the_template_and_the_next_starts_warm(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    build_site(site)
    state = tmp_path / "state"
    settings = {
        "CLEANCRAWL_STATE_DIR": str(state),
        "CLEANCRAWL_TEMPLATE_HOLD_SECONDS": "10",
        "CLEANCRAWL_RECRAWL": "all",  # the second run writes the same pages again
    }
    with SiteServer(site) as server:
        first = run_scrapy_crawl(tmp_path / "one", "-a", f"url={server.url}/", settings=settings)
        second = run_scrapy_crawl(tmp_path / "two", "-a", f"url={server.url}/", settings=settings)
    for run in (first, second):
        assert run.returncode == 0, run.log[-2000:]
        texts = ds.dataset(run.output).to_table().column("text").to_pylist()
        assert len(texts) == len(TOPICS)
        assert not [t for t in texts if BLURB in t]
        assert run.stats["cleaning/lines_removed/template"] == len(TOPICS)
    assert first.stats["cleaning/template_held"] == 4  # pages 1-4 waited for page 5
    assert "cleaning/template_held" not in second.stats  # counts came from the state dir
    assert (state / "state.sqlite").exists()
    assert json.dumps(second.stats)  # stats file is valid JSON

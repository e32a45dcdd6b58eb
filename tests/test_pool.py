"""Cleaning in worker processes: same rows as in-process, and a page that hangs is dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow.dataset as ds

from crawler.sample_server import SiteServer
from tests.conftest import run_scrapy_crawl

if TYPE_CHECKING:
    from pathlib import Path

PARAGRAPH = (
    "Researchers in Besançon published a study of {topic} on Monday, and the makers of "
    "{topic} say the results will change how the next generation is built and sold."
)
ARTICLE = """<html><head><title>{title}</title>
<meta property="og:type" content="article"></head>
<body><article><h1>{title}</h1>{body}{extra}</article></body></html>"""
TOPICS = ["batteries", "chips", "phones", "routers"]


def build_site(root: Path) -> None:
    """Four articles and one that keeps the extractor busy for several seconds."""
    links = []
    for topic in [*TOPICS, "slow"]:
        body = "".join(f"<p>{PARAGRAPH.format(topic=topic)} ({n})</p>" for n in range(6))
        # 20,000 tiny elements: about 4 s of extraction on a 2025 laptop core
        extra = (
            "".join(f'<div class="c{k % 97}"><span>w{k}</span></div>' for k in range(20_000))
            if topic == "slow"
            else ""
        )
        folder = root / topic
        folder.mkdir(parents=True)
        html = ARTICLE.format(title=f"News about {topic}", body=body, extra=extra)
        (folder / "index.html").write_text(html, encoding="utf-8")
        links.append(f'<li><a href="/{topic}/">{topic}</a></li>')
    (root / "index.html").write_text(f"<html><body><ul>{''.join(links)}</ul></body></html>")


def rows(output: Path) -> dict[str, tuple[object, ...]]:
    table = ds.dataset(output).to_table().to_pylist()
    return {
        row["url"]: (row["id"], row["text"], row["language"], row["language_score"])
        for row in table
    }


def test_workers_write_what_in_process_cleaning_writes_and_a_hung_page_times_out(
    tmp_path: Path,
) -> None:
    build_site(tmp_path / "site")
    settings = {"CLEANCRAWL_CLEAN_TIMEOUT": "1"}
    with SiteServer(tmp_path / "site") as server:
        url = f"url={server.url}/"
        pooled = run_scrapy_crawl(
            tmp_path / "pool",
            "-a",
            url,
            settings={**settings, "CLEANCRAWL_WORKERS": "1"},
        )
        inline = run_scrapy_crawl(
            tmp_path / "inline",
            "-a",
            url,
            settings={**settings, "CLEANCRAWL_WORKERS": "0"},
        )
    assert pooled.returncode == 0, pooled.log[-2000:]
    assert pooled.stats["cleaning/workers"] == 1
    # the slow page is abandoned, its worker replaced, and the other pages still cleaned
    assert pooled.stats["cleaning/dropped/timeout"] == 1
    assert pooled.stats["cleaning/kept"] == len(TOPICS)
    # fewer pages than the template's hold: released once nothing else is coming, not
    # after CLEANCRAWL_TEMPLATE_HOLD_SECONDS (20)
    assert pooled.stats["cleaning/template_released_early"] == len(TOPICS)
    assert pooled.stats["elapsed_time_seconds"] < 15
    written = rows(pooled.output)
    assert sorted(u.rstrip("/").rsplit("/", 1)[1] for u in written) == sorted(TOPICS)
    # in-process cleaning cannot be interrupted: the slow page is written, late
    assert inline.stats["cleaning/workers"] == 0
    assert "cleaning/dropped/timeout" not in inline.stats
    same = {u: row for u, row in rows(inline.output).items() if u in written}
    assert same == written  # workers give the very same rows

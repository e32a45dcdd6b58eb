"""Scheduled crawls: the second run fetches and writes only what is new or changed."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from crawler.state import StateLock
from tests.conftest import CrawlRun, run_scrapy_crawl

WORDS = [
    "the",
    "council",
    "said",
    "new",
    "plan",
    "road",
    "school",
    "water",
    "power",
    "city",
    "market",
    "rail",
    "bus",
    "station",
    "library",
    "park",
    "bridge",
    "budget",
    "tax",
    "price",
    "energy",
    "network",
    "data",
    "service",
    "report",
    "public",
    "local",
    "board",
    "worker",
    "family",
    "company",
    "project",
    "system",
    "street",
    "house",
    "river",
    "hospital",
    "would",
    "could",
    "will",
    "after",
    "before",
    "during",
    "since",
    "while",
    "because",
    "about",
    "against",
    "between",
    "under",
    "over",
    "into",
    "through",
    "with",
    "from",
    "for",
    "and",
    "but",
    "then",
    "also",
    "still",
    "again",
    "only",
]


def story(town: str) -> list[str]:
    """Four paragraphs of words drawn for ``town``: no two towns share a run of words."""
    rng = random.Random(town)
    return [
        " ".join(f"{town} {' '.join(rng.choices(WORDS, k=rng.randint(12, 18)))}." for _ in range(3))
        for _ in range(4)
    ]


def article(town: str, extra: str = "", paragraphs: list[str] | None = None) -> str:
    body = "".join(f"<p>{p}</p>" for p in [*(paragraphs or story(town)), extra] if p)
    return (
        f'<html><head><title>News from {town}</title><meta property="og:type" '
        f'content="article"></head><body><article><h1>News from {town}</h1>{body}'
        "</article></body></html>"
    )


def edited_copy(town: str) -> str:
    """``town``'s story syndicated: one word changed and a credit line added."""
    paragraphs = story(town)
    paragraphs[1] = paragraphs[1].replace(" the ", " this ", 1)
    return article(town, "Originally published by the Town Gazette.", paragraphs)


def sitemap(entries: dict[str, str]) -> str:
    urls = "".join(
        f"<url><loc>{{base}}{p}</loc><lastmod>{d}</lastmod></url>" for p, d in entries.items()
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def index(paths: list[str]) -> str:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    head = '<head><meta property="og:type" content="website"></head>'
    return f"<html>{head}<body><ul>{links}</ul></body></html>"


# path -> (body, ETag or None); in v2: a1 unchanged (same lastmod: never fetched), a2 changed
# (newer lastmod), a3 unchanged (fetched with If-None-Match: 304), a4 unchanged and served
# without validators (fetched, same text: not written), a5 new, a6 a1's text under a new URL;
# on the mirror site (another domain: localhost), edited copies of a1 (of the first run) and
# of a5 (of the same run).
V1 = {
    "/mirror/": (index([]), None),
    "/sitemap.xml": (sitemap({"/a1": "2026-01-01", "/a2": "2026-01-01"}), None),
    "/": (index(["/a3", "/a4"]), None),
    "/a1": (article("Alford"), '"a1-1"'),
    "/a2": (article("Barton"), '"a2-1"'),
    "/a3": (article("Carlow"), '"a3-1"'),
    "/a4": (article("Dunmore"), None),
}
V2 = {
    **V1,
    "/sitemap.xml": (sitemap({"/a1": "2026-01-01", "/a2": "2026-02-01"}), None),
    "/": (index(["/a3", "/a4", "/a5", "/a6"]), None),
    "/a2": (article("Barton", "Updated: the plan now includes a new swimming pool."), '"a2-2"'),
    "/a5": (article("Enfield"), '"a5-1"'),
    "/a6": (article("Alford"), '"a6-1"'),
    "/mirror/": (index(["/mirror/alford-copy", "/mirror/enfield-copy"]), None),
    "/mirror/alford-copy": (edited_copy("Alford"), None),
    "/mirror/enfield-copy": (edited_copy("Enfield"), None),
}


class VersionedSite:
    """A site on 127.0.0.1 whose pages can be swapped, answering If-None-Match with 304."""

    def __init__(self) -> None:
        self.pages = V1
        self.log: list[tuple[str, str | None]] = []  # (path, If-None-Match)
        # when set: every answer waits for it (crawls started together run side by side)
        self.gate: threading.Event | None = None
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.log.append((self.path, self.headers.get("If-None-Match")))
                if site.gate is not None:
                    site.gate.wait(timeout=60)
                page = site.pages.get(self.path)
                if page is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body, etag = page
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(HTTPStatus.NOT_MODIFIED)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                data = body.replace("{base}", site.url).encode()
                self.send_response(HTTPStatus.OK)
                kind = "application/xml" if self.path.endswith(".xml") else "text/html"
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.mirror = f"http://localhost:{self.httpd.server_address[1]}"  # another domain
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def requested(self, path: str) -> list[str | None]:
        return [etag for p, etag in self.log if p == path]


@pytest.fixture
def site() -> Iterator[VersionedSite]:
    server = VersionedSite()
    yield server
    server.httpd.shutdown()


def crawl(tmp: Path, site: VersionedSite, state: Path, **settings: str) -> CrawlRun:
    sites = tmp / "sites.toml"
    tmp.mkdir()
    sites.write_text(
        f'[[site]]\nname = "town"\nstart_urls = ["{site.url}/"]\n'
        f'sitemap_urls = ["{site.url}/sitemap.xml"]\nrobots_sitemaps = false\n'
        f'[[site]]\nname = "mirror"\nstart_urls = ["{site.mirror}/mirror/"]\n'
        "robots_sitemaps = false\n"
    )
    return run_scrapy_crawl(
        tmp,
        "-a",
        f"sites={sites}",
        settings={
            "CLEANCRAWL_STATE_DIR": str(state),
            "CLEANCRAWL_TEMPLATES_ENABLED": "False",
            **settings,
        },
    )


def written(run: CrawlRun) -> set[str]:
    if not run.output.exists() or not list(run.output.glob("*.parquet")):
        return set()
    urls = ds.dataset(run.output).to_table(columns=["url"]).column("url").to_pylist()
    return {url.rsplit("/", 1)[1] for url in urls}


@pytest.mark.slow
def test_second_run_writes_only_new_and_changed_articles(
    tmp_path: Path, site: VersionedSite
) -> None:
    state = tmp_path / "state"
    first = crawl(tmp_path / "one", site, state)
    assert first.returncode == 0, first.log[-2000:]
    assert written(first) == {"a1", "a2", "a3", "a4"}
    site.pages, site.log = V2, []
    second = crawl(tmp_path / "two", site, state)
    assert second.returncode == 0, second.log[-2000:]
    copies = {"alford-copy", "enfield-copy"}
    assert written(second) == {"a2", "a5", *copies}
    assert site.requested("/a1") == []  # same sitemap lastmod: not even asked for
    assert site.requested("/a3") == ['"a3-1"']  # asked with its ETag, answered 304
    assert site.requested("/a4") == [None]  # no validators: fetched, its text unchanged
    stats = second.stats
    assert stats["cleaning/dropped/unchanged"] == 2  # a1 (lastmod) and a4 (same text)
    assert stats["cleaning/dropped/not_modified"] == 1  # a3
    assert stats["cleaning/dropped/duplicate_text"] == 1  # a6: a1's text under a new URL
    # the edited copies are written and flagged: one against the first run's a1, the other
    # against a5 of this run (or a5 against it, whichever came first); a2's own earlier
    # version is no near duplicate of it
    near = near_duplicates(second)
    assert stats["cleaning/marked/near_duplicate"] == 2 == len(near)
    assert near["alford-copy"][0] == f"{site.url}/a1"
    assert 0.8 <= near["alford-copy"][1] < 1.0
    pair = {name: of for name, (of, _) in near.items() if name in ("a5", "enfield-copy")}
    assert pair in (
        {"enfield-copy": f"{site.url}/a5"},
        {"a5": f"{site.mirror}/mirror/enfield-copy"},
    )

    again = crawl(tmp_path / "three", site, state, CLEANCRAWL_RECRAWL="all")
    # everything again, but a1 and a6 are one text: whichever comes first is written
    assert written(again) - {"a1", "a6"} == {"a2", "a3", "a4", "a5", *copies}
    assert len(written(again) & {"a1", "a6"}) == 1
    marked = crawl(
        tmp_path / "four", site, state, CLEANCRAWL_RECRAWL="all", CLEANCRAWL_DUPLICATES="mark"
    )
    rows = ds.dataset(marked.output).to_table(columns=["url", "duplicate_of"]).to_pylist()
    marked_copies = {
        r["url"].rsplit("/", 1)[1]: r["duplicate_of"] for r in rows if r["duplicate_of"]
    }
    assert marked_copies in ({"a6": f"{site.url}/a1"}, {"a1": f"{site.url}/a6"})


def near_duplicates(run: CrawlRun) -> dict[str, tuple[str, float]]:
    table = ds.dataset(run.output).to_table(
        columns=["url", "near_duplicate_of", "near_duplicate_similarity"]
    )
    return {
        r["url"].rsplit("/", 1)[1]: (r["near_duplicate_of"], r["near_duplicate_similarity"])
        for r in table.to_pylist()
        if r["near_duplicate_of"]
    }


@pytest.mark.slow
def test_a_second_crawl_on_the_same_state_directory_refuses(
    tmp_path: Path, site: VersionedSite
) -> None:
    state = tmp_path / "state"
    held = StateLock(state)  # a crawl already running
    run = crawl(tmp_path / "one", site, state)
    held.file.close()
    assert run.returncode == 2
    assert f"cleancrawl: error: state directory {state}: in use by another crawl" in run.log
    assert "Traceback" not in run.log
    assert site.log == []

"""Junk survival through a real crawl, where site templates apply (issue 18).

`benchmarks.extraction` cleans each page alone, so the only signal a junk line gives is its
wording. A user crawls sites: a site's share prompt, subscribe box or "Comments" label stands
on every one of its pages, and cleancrawl's site templates (on by default) cut lines repeated
across a domain's pages whatever their wording. This benchmark measures junk survival that way::

    python -m benchmarks.site_junk --sites 30 --pages 20 --wordings planted
    python -m benchmarks.site_junk --pages 40 --json out.json
    python -m benchmarks.site_junk --wordings dev --second-crawl   # and a scheduled crawl's

Sites are made from the data sets' article pages (`Doc.plantable`), a page on one site only,
the pages of a site in one language; every choice is seeded. Each site draws its **site junk**
once: 2 to 4 blocks of distinct kinds of the chosen wordings, numbers and names filled once, in
one markup, after the first or the last paragraph of every page's main container, as a site's
template puts them. Each page then gets its own **page junk**, planted as `plant_junk` plants
a page of `benchmarks.extraction` (3 to 5 blocks, drawn per page).

Every site is served on its own loopback host (127.0.0.2, 127.0.0.3, ...: templates are per
domain) with a sitemap of its pages and a robots.txt allowing all, and `scrapy crawl
technews` crawls them twice with its default settings, a sites file of one `[[site]]` each (its
sitemap, `max_depth = 0`: the pages' own links lead to pages these sites do not have):
templates on (the default), then `CLEANCRAWL_TEMPLATES_ENABLED=False`. The only settings
given are `CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True` (loopback hosts) and `CLEANCRAWL_STATS_FILE`
(`-s NAME=VALUE` adds more, for diagnostics). `--second-crawl` also measures what a scheduled
crawl gets: the sites crawled once with a state directory, then again
(`CLEANCRAWL_RECRAWL=all`), each domain's template decided from the stored counts of all its
pages rather than from the pages its first crawl held.

Of the pages written, a planted line survives if it is in its page's text (`found_snippets`).
`--wordings dev` plants the development set of `benchmarks.dev_junk` (read while tuning), and
`--wordings holdout` the rewritten holdout: a look at the issue's measure, to be counted in
`benchmarks/README.md`; the report gives counts only, never a wording. Any other held-out set
the line model does not learn may be planted the same way (`--wordings holdout10`, a look too).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.html
import pyarrow.dataset as pads

from benchmarks import junk_data
from benchmarks.crawl import FixedPages, Sample, serving_in_thread
from benchmarks.extraction import (
    DEFAULT_DATA_ROOT,
    SPLITS,
    default_datasets,
    found_snippets,
    in_split,
    load_docs,
)
from benchmarks.planted_junk import (
    _parse,
    choose_junk,
    find_container,
    junk_element,
    junk_language,
    normalize_whitespace,
    plant_junk,
)
from cleaning.templates import TemplateOptions, line_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from benchmarks.extraction import Doc
    from benchmarks.planted_junk import KindClasses, Wordings

ROOT = Path(__file__).resolve().parents[1]
WORDINGS = ("planted", "dev", *(row.name for row in junk_data.HELD_OUT if not row.trained_on))
"""The wording sets a run may plant: the tuned-on set, the development set of
`benchmarks.dev_junk` (read while tuning; neutral class names), and each held-out set the line
model does not learn (the rewritten holdout, the sets looked at and kept out of training, a
blind set): every run of one is a look, counted in `benchmarks/README.md`. A blind set's one
look is this run and `benchmarks.extraction --look NAME` together, at the end."""
SITE_BLOCKS = (2, 4)
FIRST_HOST = 2  # 127.0.0.1 is left to other servers
MAX_SITES = 250
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
HTML = b"text/html; charset=utf-8"
# what a crawl of loopback hosts needs, nothing else of the defaults changed
LOCAL_SETTINGS = {"CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True"}
RUNS: dict[str, dict[str, str]] = {
    "templates on": {},
    "templates off": {"CLEANCRAWL_TEMPLATES_ENABLED": "False"},
}
SECOND_CRAWL = "templates on, second crawl"
DEFAULT_SEED = "site-junk"
# a page keeps its source's URL path where the server can match it byte for byte
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/_.~-]*")
_RESERVED_PATHS = frozenset({"/", "/robots.txt", "/sitemap.xml"})
# a page-junk line on this many pages of its site is one templates may cut too
REPEATED_PAGES = TemplateOptions().min_pages


@dataclass(frozen=True)
class SitePage:
    """One page of a site and what was planted in it.

    Attributes:
        path: Its URL path on the site.
        html: Its HTML, junk planted.
        site_junk: The site's junk lines, as planted on this page (every page of the site alike).
        page_junk: This page's own junk lines.
        page_kinds: The kind of each page-junk line, parallel to `page_junk`.
        with_: Snippets of the article the text should keep.
        without: Snippets the text should not hold.
        source: `dataset/id` of the page it was made from.
    """

    path: str
    html: str
    site_junk: tuple[str, ...]
    page_junk: tuple[str, ...]
    page_kinds: tuple[str, ...] = ()
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Site:
    """A site of the benchmark: its name (the sites file's), loopback host and pages."""

    name: str
    host: str
    lang: str
    pages: tuple[SitePage, ...]
    site_kinds: tuple[str, ...] = ()


# --- sites ---------------------------------------------------------------------------------


def wording_set(name: str) -> tuple[Wordings | None, KindClasses | None]:
    """The wordings and class names of a set of `WORDINGS` (None, None: the planted set's)."""
    if name == "planted":
        return None, None
    if name == "dev":
        from benchmarks.dev_junk import DEV_CLASSES, DEV_WORDINGS  # scikit-learn's, [train]

        return DEV_WORDINGS, DEV_CLASSES
    row = junk_data.held_out(name)
    return row.wordings(), row.classes()


def group_sources(
    docs: Sequence[tuple[str, Doc]], sites: int, pages: int, seed: str
) -> list[list[tuple[str, Doc]]]:
    """Deal pages out to sites: each site of one language (a site writes in one), no page on two.

    Args:
        docs: (data set, page) pairs, in a fixed order.
        sites: Sites to make.
        pages: Pages a site.
        seed: Seeds the shuffles.

    Returns:
        `sites` groups of `pages` pages.

    Raises:
        ValueError: If the pages do not make that many full sites of one language.
    """
    rng = random.Random(seed)
    by_language: dict[str, list[tuple[str, Doc]]] = {}
    for dataset, doc in docs:
        by_language.setdefault(junk_language(doc.lang), []).append((dataset, doc))
    groups: list[list[tuple[str, Doc]]] = []
    for lang in sorted(by_language):
        members = by_language[lang]
        rng.shuffle(members)
        groups += [members[k : k + pages] for k in range(0, len(members) - pages + 1, pages)]
    if len(groups) < sites:
        raise ValueError(f"the pages make {len(groups)} sites of {pages} pages, not {sites}")
    rng.shuffle(groups)
    return groups[:sites]


def page_path(url: str, taken: set[str], index: int) -> str:
    """The page's source URL path where it is plain and free, else `/a/<index>.html`: an
    article's own path is what the page-type model knows it by."""
    path = urlsplit(url).path
    if _PLAIN_PATH.fullmatch(path) and path not in _RESERVED_PATHS and path not in taken:
        return path
    return f"/a/{index}.html"


def plant_site_junk(
    root: lxml.html.HtmlElement, markup: Sequence[tuple[lxml.html.HtmlElement, str]]
) -> bool:
    """Insert copies of a site's junk blocks after the first or last paragraph of the page's
    main container (False if it has none)."""
    found = find_container(root)
    if found is None:
        return False
    _, paragraphs = found
    anchors = {"first": paragraphs[0], "last": paragraphs[-1]}
    for element, where in markup:
        block = copy.deepcopy(element)
        anchors[where].addnext(block)
        anchors[where] = block
    return True


def build_site(
    index: int, sources: Sequence[tuple[str, Doc]], wordings_name: str, seed: str
) -> Site:
    """Make site `index` of its source pages: the site's junk drawn once, each page's own.

    A page without a main container to plant in is left out (the site has fewer pages).
    """
    name = f"site{index:02d}"
    lang = junk_language(sources[0][1].lang)
    wordings, classes = wording_set(wordings_name)
    if wordings is not None:  # the kinds written in the site's language only
        wordings = {kind: texts for kind, texts in wordings.items() if texts.get(lang)}
    rng = random.Random(f"{seed}:{wordings_name}:{name}")
    htmls = [doc.read_html() for _, doc in sources]
    roots = [_parse(html) for html in htmls]
    site_text = " ".join(normalize_whitespace(r.text_content()) for r in roots if r is not None)
    count = rng.randint(*SITE_BLOCKS)
    blocks = choose_junk(lang, rng, site_text, count, wordings=wordings)
    markup = [
        (junk_element(kind, text, rng, classes=classes), rng.choice(("first", "last")))
        for kind, text in blocks
    ]
    site_junk = tuple(text for _, text in blocks)
    pages: list[SitePage] = []
    taken: set[str] = set()
    for k, ((dataset, doc), root) in enumerate(zip(sources, roots, strict=True)):
        if root is None or not plant_site_junk(root, markup):
            continue
        html = lxml.html.tostring(root.getroottree(), encoding="unicode", method="html")
        planted = plant_junk(
            html, f"{doc.id}:{seed}:{wordings_name}", lang, wordings=wordings, classes=classes
        )
        if planted is None:
            continue
        path = page_path(doc.url, taken, k)
        taken.add(path)
        pages.append(
            SitePage(
                path=path,
                html=planted.html,
                site_junk=site_junk,
                page_junk=planted.junk,
                page_kinds=planted.kinds,
                with_=doc.with_,
                without=doc.without,
                source=f"{dataset}/{doc.id}",
            )
        )
    return Site(
        name=name,
        host=f"127.0.0.{FIRST_HOST + index}",
        lang=lang,
        pages=tuple(pages),
        site_kinds=tuple(kind for kind, _ in blocks),
    )


def build_sites(
    folders: Sequence[Path],
    sites: int,
    pages: int,
    wordings_name: str,
    seed: str = DEFAULT_SEED,
    split: str = "all",
) -> list[Site]:
    """The benchmark's sites, made from the plantable pages of the data set folders."""
    docs = [
        (folder.name, doc)
        for folder in folders
        for doc in load_docs(folder)
        if doc.plantable and in_split(doc.id, split)
    ]
    groups = group_sources(docs, sites, pages, seed)
    return [build_site(k, group, wordings_name, seed) for k, group in enumerate(groups)]


# --- serving -------------------------------------------------------------------------------


def sitemap_xml(urls: Sequence[str]) -> bytes:
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def site_responses(site: Site, origin: str) -> dict[str, tuple[bytes, bytes]]:
    """Path to content type and body: the site's pages, its sitemap and robots.txt."""
    responses = {page.path: (HTML, page.html.encode("utf-8")) for page in site.pages}
    responses["/sitemap.xml"] = (
        b"application/xml",
        sitemap_xml([origin + page.path for page in site.pages]),
    )
    responses["/robots.txt"] = (b"text/plain", ROBOTS_TXT)
    return responses


@contextlib.contextmanager
def serving(sites: Sequence[Site]) -> Iterator[dict[str, str]]:
    """Serve every site on its own host, from a thread of this process (the crawl runs in
    another); yields site name to origin (`http://127.0.0.N:PORT`)."""

    def pages_for(site: Site) -> Callable[[str], FixedPages]:
        return lambda origin: FixedPages(site_responses(site, origin))

    with serving_in_thread([(site.host, pages_for(site)) for site in sites]) as origins:
        yield {site.name: origin for site, origin in zip(sites, origins, strict=True)}


# --- crawling ------------------------------------------------------------------------------


def sites_file(sites: Sequence[Site], origins: Mapping[str, str]) -> str:
    """The sites file of a crawl: one `[[site]]` a site, its sitemap its only entry."""
    return "".join(
        f'[[site]]\nname = "{site.name}"\n'
        f'sitemap_urls = ["{origins[site.name]}/sitemap.xml"]\nmax_depth = 0\n\n'
        for site in sites
    )


@dataclass
class Crawl:
    """What one `scrapy crawl technews` left: its exit code, stats, rows, CPU and memory."""

    returncode: int
    stats: dict[str, Any]
    rows: list[dict[str, Any]]
    seconds: float
    cpu_seconds: float
    log_tail: str
    peak_rss: int = 0  # bytes, the process tree's (the workers' too)


def crawl_command(
    sites_path: Path, output: Path, stats_file: Path, settings: Mapping[str, str]
) -> list[str]:
    """The command line of a crawl of the sites file with the default settings but these."""
    command = [sys.executable, "-m", "scrapy", "crawl", "technews"]
    command += ["-a", f"sites={sites_path}", "-a", f"output={output}"]
    every = {**LOCAL_SETTINGS, "CLEANCRAWL_STATS_FILE": str(stats_file), **settings}
    for key, value in every.items():
        command += ["-s", f"{key}={value}"]
    return command


def crawl(
    sites: Sequence[Site], origins: Mapping[str, str], workdir: Path, settings: Mapping[str, str]
) -> Crawl:
    """Crawl the served sites once, from the project's folder as a user would."""
    workdir.mkdir(parents=True, exist_ok=True)
    sites_path = workdir / "sites.toml"
    sites_path.write_text(sites_file(sites, origins), encoding="utf-8")
    output, stats_file = workdir / "parquet", workdir / "stats.json"
    command = crawl_command(sites_path, output, stats_file, settings)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True
        )
        # the crawl's whole process tree (its cleaning workers too), as benchmarks.crawl does
        sample = Sample()
        while process.poll() is None:
            sample.take(process.pid, 0)
            time.sleep(0.25)
        log.seek(0)
        log_tail = log.read()[-3000:]
    seconds = time.perf_counter() - started
    if not stats_file.is_file():
        raise RuntimeError(f"the crawl wrote no stats (exit {process.returncode}):\n{log_tail}")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    if output.is_dir() and any(output.glob("*.parquet")):
        table = pads.dataset(output, format="parquet").to_table(columns=["url", "site", "text"])
        rows = table.to_pylist()
    cpu = sum(sample.cpu.values())
    return Crawl(process.returncode, stats, rows, seconds, cpu, log_tail, sample.peak_rss)


# --- counting ------------------------------------------------------------------------------


@dataclass
class Count:
    """Planted (or expected) lines and how many of them were found in the text."""

    total: int = 0
    found: int = 0

    def add(self, total: int, found: int) -> None:
        self.total += total
        self.found += found

    @property
    def share(self) -> float | None:
        return self.found / self.total if self.total else None


@dataclass
class RunResult:
    """The figures of one crawl: pages, drops, and lines found in the written pages' text.

    `page_junk_repeated` is the page junk whose line (folded as templates fold it) stands on
    `REPEATED_PAGES` or more pages of its site: a short label drawn again and again, which
    templates may cut like site junk.
    """

    name: str
    pages: int
    written: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    site_junk: Count = field(default_factory=Count)
    page_junk: Count = field(default_factory=Count)
    page_junk_repeated: Count = field(default_factory=Count)
    with_: Count = field(default_factory=Count)
    without: Count = field(default_factory=Count)
    rows_by_site: dict[str, int] = field(default_factory=dict)
    site_junk_by_kind: dict[str, list[int]] = field(default_factory=dict)
    page_junk_by_kind: dict[str, list[int]] = field(default_factory=dict)
    template_lines_cut: int = 0
    template_stats: dict[str, int] = field(default_factory=dict)
    returncode: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0


def repeated_page_junk(site: Site) -> set[str]:
    """The page-junk lines of a site that stand, folded, on `REPEATED_PAGES` or more pages."""
    pages_of: Counter[int] = Counter()
    for page in site.pages:
        pages_of.update({line_key(line) for line in page.page_junk})
    return {
        line
        for page in site.pages
        for line in page.page_junk
        if pages_of[line_key(line)] >= REPEATED_PAGES
    }


def _tally(
    by_kind: dict[str, list[int]], kinds: Sequence[str], lines: Sequence[str], found: set[str]
) -> None:
    for kind, line in zip(kinds, lines, strict=True):
        counts = by_kind.setdefault(kind, [0, 0])
        counts[0] += 1
        counts[1] += line in found


def count_run(name: str, sites: Sequence[Site], result: Crawl) -> RunResult:
    """Count what of the planted junk and the articles' snippets a crawl's rows hold."""
    pages = {(site.host, page.path): (site, page) for site in sites for page in site.pages}
    repeated = {site.name: repeated_page_junk(site) for site in sites}
    run = RunResult(name, pages=len(pages), returncode=result.returncode)
    run.rows_by_site = {site.name: 0 for site in sites}
    for row in result.rows:
        url = urlsplit(row["url"])
        found_page = pages.get((url.hostname or "", url.path))
        if found_page is None:
            continue  # no page of the benchmark's (none is expected)
        site, page = found_page
        text = row["text"] or ""
        run.written += 1
        run.rows_by_site[site.name] += 1
        site_found = set(found_snippets(page.site_junk, text))
        page_found = set(found_snippets(page.page_junk, text))
        run.site_junk.add(len(page.site_junk), len(site_found))
        run.page_junk.add(len(page.page_junk), len(page_found))
        again = [line for line in page.page_junk if line in repeated[site.name]]
        run.page_junk_repeated.add(len(again), sum(line in page_found for line in again))
        run.with_.add(len(page.with_), len(found_snippets(page.with_, text)))
        run.without.add(len(page.without), len(found_snippets(page.without, text)))
        _tally(run.site_junk_by_kind, site.site_kinds, page.site_junk, site_found)
        _tally(run.page_junk_by_kind, page.page_kinds, page.page_junk, page_found)
    stats = result.stats
    prefix = "cleaning/dropped/"
    run.dropped = {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}
    run.template_lines_cut = int(stats.get("cleaning/lines_removed/template", 0))
    run.template_stats = {
        k.removeprefix("cleaning/"): int(v)
        for k, v in sorted(stats.items())
        if k.startswith("cleaning/template_")
    }
    run.seconds, run.cpu_seconds = result.seconds, result.cpu_seconds
    run.peak_rss_mb = round(result.peak_rss / 2**20, 1)  # as benchmarks.crawl reports it
    return run


def measure(
    sites: Sequence[Site],
    workdir: Path,
    runs: Mapping[str, Mapping[str, str]] = RUNS,
    *,
    extra: Mapping[str, str] | None = None,
    second_crawl: bool = False,
) -> list[RunResult]:
    """Serve the sites and crawl them once per run (its settings over the defaults).

    Args:
        sites: The sites.
        workdir: Where each crawl's sites file, output and stats go.
        runs: Run name to the settings it changes.
        extra: Settings of every crawl (diagnostics, not a user's defaults).
        second_crawl: Also the run a scheduled crawl gets: the sites crawled a first time
            with a state directory, then again with ``CLEANCRAWL_RECRAWL=all``, templates
            decided from the first crawl's counts of every page (README, "Site templates").
    """
    results: list[RunResult] = []
    every = dict(extra or {})
    with serving(sites) as origins:
        for k, (name, settings) in enumerate(runs.items()):
            result = crawl(sites, origins, workdir / f"run{k}", {**every, **settings})
            results.append(count_run(name, sites, result))
        if second_crawl:
            state = {**every, "CLEANCRAWL_STATE_DIR": str(workdir / "state")}
            crawl(sites, origins, workdir / "first", state)
            result = crawl(
                sites, origins, workdir / "second", {**state, "CLEANCRAWL_RECRAWL": "all"}
            )
            results.append(count_run(SECOND_CRAWL, sites, result))
    return results


# --- report --------------------------------------------------------------------------------


def _percent(count: Count) -> str:
    share = count.share
    return "–" if share is None else f"{share:.1%} ({count.found} of {count.total})"


def _dropped(dropped: Mapping[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in dropped.items()) or "none"


def _spread(values: Sequence[int]) -> str:
    if not values:
        return "–"
    return f"{min(values)} / {statistics.median(values):g} / {max(values)}"


TABLE_HEADER = (
    "| run | pages | written | dropped | site junk survives | page junk survives "
    f'| of it, on ≥{REPEATED_PAGES} pages of its site | "with" found | "without" survive '
    "| rows a site (min / median / max) | template lines cut | crawl CPU s |\n"
    "|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|"
)


def table_row(run: RunResult) -> str:
    return (
        f"| {run.name} | {run.pages} | {run.written} | {_dropped(run.dropped)} "
        f"| {_percent(run.site_junk)} | {_percent(run.page_junk)} "
        f"| {_percent(run.page_junk_repeated)} | {_percent(run.with_)} "
        f"| {_percent(run.without)} | {_spread(list(run.rows_by_site.values()))} "
        f"| {run.template_lines_cut} | {run.cpu_seconds:.1f} |"
    )


def markdown_report(config: Mapping[str, Any], results: Sequence[RunResult]) -> str:
    lines = [
        f"{config['sites']} sites of {config['pages']} pages ({config['languages']}), "
        f"wordings `{config['wordings']}`, seed `{config['seed']}`, split `{config['split']}`, "
        f"settings beside the defaults {config['settings'] or 'none'}, load {config['load']}",
        "",
        TABLE_HEADER,
        *(table_row(run) for run in results),
        "",
    ]
    for run in results:
        held = ", ".join(f"{k} {v}" for k, v in run.template_stats.items()) or "none"
        lines.append(
            f"- {run.name}: exit {run.returncode}, {run.seconds:.0f} s, peak RSS "
            f"{run.peak_rss_mb:.0f} MB; {held}"
        )
    return "\n".join(lines) + "\n"


def json_report(config: Mapping[str, Any], results: Sequence[RunResult]) -> dict[str, Any]:
    return {"config": dict(config), "runs": [asdict(run) for run in results]}


# --- command line --------------------------------------------------------------------------


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {number}")
    return number


def setting(value: str) -> tuple[str, str]:
    name, equals, text = value.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"not NAME=VALUE: {value!r}")
    return name.strip(), text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.site_junk", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sites", type=positive, default=30, help="sites (default 30)")
    parser.add_argument("--pages", type=positive, default=20, help="pages a site (default 20)")
    parser.add_argument(
        "--wordings",
        choices=WORDINGS,
        default="planted",
        help="the junk planted: the tuned-on set (default), the development set, or a held-out "
        "set the line model does not learn (a look, counted in benchmarks/README.md)",
    )
    parser.add_argument("--seed", default=DEFAULT_SEED, help="seeds every choice")
    parser.add_argument("--split", choices=SPLITS, default="all", help="pages of this half only")
    parser.add_argument(
        "--data",
        action="append",
        type=Path,
        metavar="DIR",
        help=f"a data set folder (repeatable; default: every one under {DEFAULT_DATA_ROOT})",
    )
    parser.add_argument(
        "--second-crawl",
        action="store_true",
        help="also crawl a first time with a state directory and report a second crawl "
        "(CLEANCRAWL_RECRAWL=all): templates from stored counts, as a scheduled crawl gets them",
    )
    parser.add_argument(
        "-s",
        "--setting",
        action="append",
        default=[],
        type=setting,
        metavar="NAME=VALUE",
        help="a setting of every crawl, beside the defaults (repeatable; diagnostics)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the crawls' files here")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every number here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.sites > MAX_SITES:
        parser.error(f"--sites: at most {MAX_SITES} (one loopback host a site)")
    folders = args.data or default_datasets()
    if not folders or any(not (f / "docs.jsonl").is_file() for f in folders):
        parser.error(
            f"--data: no docs.jsonl in {', '.join(map(str, folders)) or DEFAULT_DATA_ROOT}"
        )
    try:
        sites = build_sites(folders, args.sites, args.pages, args.wordings, args.seed, args.split)
    except ValueError as error:
        parser.error(str(error))
    languages = Counter(site.lang for site in sites)
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        results = measure(sites, workdir, extra=dict(args.setting), second_crawl=args.second_crawl)
    config = {
        "sites": len(sites),
        "pages": args.pages,
        "pages_served": sum(len(site.pages) for site in sites),
        "languages": ", ".join(f"{lang} {n}" for lang, n in languages.most_common()),
        "wordings": args.wordings,
        "seed": args.seed,
        "split": args.split,
        "settings": dict(args.setting),
        "load": " ".join(f"{v:.2f}" for v in load_before)
        + " before, "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
        + " after",
    }
    print(markdown_report(config, results))
    if args.json:
        args.json.write_text(json.dumps(json_report(config, results), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark WARC: ``cleancrawl clean`` throughput and memory, and what archiving costs a crawl.

- Throughput: a WARC of ``--pages`` article pages (the sample site's articles, each with a
  paragraph of its own) cleaned by ``cleancrawl clean --workers N``, against ``clean_page``
  alone in this process. Both are given as pages per CPU second (all the processes of the
  run: other load on the machine does not count) and pages per wall second.
- Memory: the peak RSS of the ``clean`` process (workers aside) for each size of ``--memory``.
- Archiving: CPU time of a crawl of a local site with and without ``CLEANCRAWL_WARC_DIR``
  (cleaning in the crawl's process, so that all the work is counted).

::

    python -m benchmarks.warc                       # 2,000 pages; memory 2,000 and 20,000
    python -m benchmarks.warc --pages 500 --memory 500,2000 --crawl-pages 100
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cleaning import CleaningOptions, clean_page, load_backend
from crawler.pool import default_workers
from crawler.sample_server import SAMPLE_SITE
from tests.warc_site import ArchiveSite, common_crawl_warc

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted((SAMPLE_SITE / "news").glob("*/index.html"))
PER_FILE = 1_000  # pages per WARC file, as a crawl rolls its files


PROSE = re.compile(r"<p>([^<]{200,})</p>")  # the articles' long paragraphs, no markup inside


def page(number: int, *, similar: bool = False) -> bytes:
    """An article of the sample site, its long paragraphs' words shuffled: every page a text
    of its own, of the same language, length and markup as the article.

    ``similar``: the article as it is with a sentence of its own instead, so that the pages
    of one article are near duplicates of one another (the near-duplicate index's worst
    case: 1 in 16 pages is a candidate for each page)."""
    html = ARTICLES[number % len(ARTICLES)].read_text(encoding="utf-8")
    if similar:
        end = html.index("</p>", html.index("<article")) + len("</p>")  # its first paragraph
        sentence = f"<p>Page {number} of the region was discussed at length.</p>"
        return (html[:end] + sentence + html[end:]).encode()
    rng = random.Random(number)

    def shuffled(match: re.Match[str]) -> str:
        words = match.group(1).split()
        rng.shuffle(words)
        return f"<p>{' '.join(words)}</p>"

    return PROSE.sub(shuffled, html).encode()


def build_inputs(folder: Path, pages: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, pages, PER_FILE):
        specs: list[dict[str, object]] = [
            {
                "type": "response",
                "url": f"http://news.test/{n}",
                "headers": [("Content-Type", "text/html; charset=utf-8")],
                "body": page(n),
            }
            for n in range(start, min(start + PER_FILE, pages))
        ]
        common_crawl_warc(folder / f"part-{start // PER_FILE:05d}.warc.gz", specs)


def single_process_rate(sample: int) -> float:
    """Pages per CPU second of ``clean_page`` in this process."""
    options = CleaningOptions()
    load_backend(options.language_backend)
    htmls = [page(n).decode() for n in range(sample)]
    clean_page(htmls[0], "http://news.test/0", options)  # warm up
    started = time.process_time()
    for n, html in enumerate(htmls):
        clean_page(html, f"http://news.test/{n}", options)
    return sample / (time.process_time() - started)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_clean(inputs: Path, output: Path, workers: int, *settings: str) -> dict[str, float]:
    """Run ``cleancrawl clean``; its wall and CPU seconds (the whole process tree) and stats."""
    command = [sys.executable, "-m", "crawler.cli", "clean", str(inputs), "-o", str(output)]
    command += ["--workers", str(workers)]
    for setting in settings:
        command += ["-s", setting]
    cpu, wall = children_cpu(), time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    wall, cpu = time.monotonic() - wall, children_cpu() - cpu
    stats = json.loads((output / "_clean_stats.json").read_text())
    return {
        "wall": wall,
        "cpu": cpu,
        "written": stats["clean/outcome/written"],
        "rss_mb": stats["clean/peak_rss_mb"],
    }


def crawl_cpu(pages: int, warc: Path | None, output: Path) -> float:
    """CPU seconds of a crawl of a local site of ``pages`` articles (cleaning in-process)."""
    with ArchiveSite(many=pages) as site:
        command = [sys.executable, "-m", "scrapy", "crawl", "technews", "-a", f"url={site.url}/"]
        settings = {
            "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
            "AUTOTHROTTLE_ENABLED": "False",
            "CLEANCRAWL_WORKERS": "0",
            "CLEANCRAWL_OUTPUT_DIR": str(output),
            "LOG_LEVEL": "WARNING",
            **({"CLEANCRAWL_WARC_DIR": str(warc)} if warc else {}),
        }
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        cpu = children_cpu()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        return children_cpu() - cpu


def clean_benchmarks(tmp: Path, args: argparse.Namespace) -> None:
    """Throughput and memory of ``cleancrawl clean``."""
    single = single_process_rate(args.sample)
    print(f"clean_page alone: {single:.1f} pages per CPU second")
    build_inputs(tmp / "in", args.pages)
    alone = run_clean(tmp / "in", tmp / "out-0", 0, "CLEANCRAWL_TEMPLATES_ENABLED=False")
    whole = args.pages / alone["cpu"]
    print(
        f"clean --workers 0 (in its own process): {whole:.1f} pages per CPU second "
        f"= {whole / single:.0%} of clean_page alone (reading, decoding, writing included)"
    )
    for templates in ("False", "True"):
        run = run_clean(
            tmp / "in",
            tmp / f"out-{templates}",
            args.workers,
            f"CLEANCRAWL_TEMPLATES_ENABLED={templates}",
        )
        # the workers' CPU time is not counted here (their parent is multiprocessing's
        # forkserver): this is the main process's, which shares the cores with the workers
        main_cpu = run["cpu"] / args.pages
        share = 1 / (1 + single * main_cpu)  # of cores x clean_page alone, on idle cores
        print(
            f"clean --workers {args.workers}, templates {templates}: {run['written']} rows, "
            f"{args.pages / run['wall']:.1f} pages/s wall; main process "
            f"{1000 * main_cpu:.2f} CPU ms a page (start-up included), so on "
            f"{args.workers} idle cores {share * args.workers * single:.1f} pages/s = "
            f"{share:.0%} of cores x clean_page alone; peak RSS {run['rss_mb']} MB"
        )
    for size in (int(n) for n in args.memory.split(",")):
        folder = tmp / f"mem-{size}"
        build_inputs(folder, size)
        run = run_clean(folder, tmp / f"mem-out-{size}", args.workers)
        print(f"memory, {size} pages: peak RSS of clean {run['rss_mb']} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2_000, help="pages for the throughput")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--memory", default="2000,20000", help="page counts for the memory")
    parser.add_argument("--crawl-pages", type=int, default=300, help="articles of the crawl")
    parser.add_argument("--sample", type=int, default=200, help="pages for clean_page alone")
    parser.add_argument("--rounds", type=int, default=3, help="crawls with and without WARC")
    parser.add_argument("--crawl-only", action="store_true", help="only the archiving cost")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f}, {args.workers} workers")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        if not args.crawl_only:
            clean_benchmarks(tmp, args)
        runs: dict[bool, list[float]] = {False: [], True: []}
        for round_ in range(args.rounds):  # alternated, so that drifting load hits both
            for warc in (False, True):
                where = tmp / f"crawl-{warc}-{round_}"
                runs[warc].append(
                    crawl_cpu(args.crawl_pages, where / "warc" if warc else None, where)
                )
        without, with_warc = (statistics.median(runs[warc]) for warc in (False, True))
        print(
            f"crawl of {args.crawl_pages} articles, median of {args.rounds}: {without:.2f} CPU s "
            f"without WARC, {with_warc:.2f} with: {with_warc / without - 1:+.1%} "
            f"(runs: {runs[False]}, {runs[True]})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

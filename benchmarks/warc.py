"""Benchmark WARC: ``cleancrawl clean`` throughput and memory, and what archiving costs a crawl.

Every figure is printed with its target (issue 19), in one run:

- Throughput: a WARC of ``--pages`` article pages (the sample site's articles, each page's
  long paragraphs' words shuffled: a text of its own) cleaned by ``cleancrawl clean
  --workers N`` with the default settings, against ``clean_page`` alone in a fresh
  process (as a worker runs it; not this one, which holds every page of the run).
  Given twice: as CPU seconds of the whole process tree (the ``clean`` process, its
  forkserver and workers, reaped by this process as their subreaper), which other load on
  the machine does not change, and as pages per wall second, which it does (the target's
  own measure: run it on a quiet machine).
- The same on real pages (``--parts real``): the extraction data sets' 1,590 pages
  (``../shared/data/extraction``), cycled to ``--pages`` (a page past the 1,590th is
  cleaned again under another URL, then dropped as a duplicate text): some five times as
  costly to clean as the sample articles, which changes the share the rest takes.
  ``clean_page`` alone is timed there on every page of the run (``--real-sample``: fewer),
  under their own URLs, before and after the runs (the mean of the two is the reference).
- The machine's own ceiling (``--parts parallel``): ``clean_page`` on the same real pages
  in one process, then in ``--workers`` independent processes at once (no pool, no
  ``clean``), alternated ``--clean-rounds`` times: what this machine's cores give when they
  run ``clean_page`` side by side. On a guest whose vCPUs share a physical core (or its
  caches) the pages cost more CPU each side by side, and no pool can reach ``cores x
  clean_page alone``; the throughput above is then also given against this ceiling.
- Memory: the peak RSS of the ``clean`` process (workers aside) for each size of
  ``--memory``, with real cleaning; the ratio of the largest to the smallest.
- Proxy (``--parts proxy``): the memory part's inputs with ``clean_page`` a lookup of results
  made once beforehand, ``--workers 0``, for the checkouts of ``--clean-roots``: the clean
  process's peak in seconds, not an hour (its every other step real).
- Template counts alone (``--parts templates``): what counting ``--memory`` pages adds to a
  process's peak, in memory against on disk (``crawler.templates_disk``).
- Archiving: CPU time of a crawl of a local site with and without ``CLEANCRAWL_WARC_DIR``
  (cleaning in the crawl's process, so that all the work is counted), alternated rounds;
  and the CPU cost of archiving one exchange in this process.

::

    python -m benchmarks.warc            # 2,000 pages; memory 2,000 and 20,000 (an hour, loaded)
    python -m benchmarks.warc --quick    # a smoke run: 300 pages, memory 300 and 1,000
    python -m benchmarks.warc --parts real,archiving   # some of throughput,real,memory,archiving
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from benchmarks.extraction import DEFAULT_DATA_ROOT, Doc, default_datasets, load_docs
from cleaning import CleaningOptions, clean_page, load_backend
from crawler.pool import default_workers
from crawler.sample_server import SAMPLE_SITE
from output.warc import Exchange, RollingWarcWriter, WarcOptions
from tests.warc_site import ArchiveSite, common_crawl_warc

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted((SAMPLE_SITE / "news").glob("*/index.html"))
PER_FILE = 1_000  # pages per WARC file, as a crawl rolls its files
PARTS = ("throughput", "real", "parallel", "memory", "proxy", "templates", "archiving")


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
    write_pages(folder, [(f"http://news.test/{n}", page(n)) for n in range(pages)])


def single_process_rate(pages: list[tuple[str, str]]) -> tuple[float, float]:
    """Pages per CPU second and per wall second of ``clean_page`` in this process, on
    ``pages`` (URL, HTML): their own URLs, as ``clean`` gives them (the page type and the
    metadata read the URL)."""
    options = CleaningOptions()
    load_backend(options.language_backend)
    clean_page(pages[0][1], pages[0][0], options)  # warm up
    cpu, wall = time.process_time(), time.monotonic()
    for url, html in pages:
        clean_page(html, url, options)
    return len(pages) / (time.process_time() - cpu), len(pages) / (time.monotonic() - wall)


def fresh_process_rate(pages: list[tuple[str, bytes]], scratch: Path) -> tuple[float, float]:
    """``single_process_rate`` of ``pages`` (URL, body) in a fresh process, as a worker
    cleans them: not in this one, which holds every page of the run and has cleaned them
    before (the target's baseline is one process running ``clean_page``; where it runs
    must not favour either side)."""
    path = scratch / "timed.pickle"
    path.write_bytes(pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL))
    # a plain child: a multiprocessing one starts a resource tracker too (see reap)
    code = "import sys; from benchmarks.warc import _rate_of_file; _rate_of_file(sys.argv[1])"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        path.unlink()
    cpu, wall = json.loads(done.stdout.splitlines()[-1])
    return cpu, wall


def _rate_of_file(path: str) -> None:
    pages = pickle.loads(Path(path).read_bytes())
    print(json.dumps(single_process_rate([(url, body.decode()) for url, body in pages])))


def real_docs() -> list[Doc]:
    """The extraction data sets' pages, taken in turn from each set."""
    sets = [load_docs(folder) for folder in default_datasets()]
    return [
        docs[index]
        for index in range(max(map(len, sets), default=0))
        for docs in sets
        if index < len(docs)
    ]


def real_pages(count: int) -> list[tuple[str, bytes]]:
    """``count`` pages of the extraction data sets (URL, HTML), taken in turn from each set;
    past their 1,590 pages, again under another URL (cleaned again, then dropped as
    duplicate texts)."""
    return list(iter_real_pages(real_docs(), count))


def iter_real_pages(
    docs: list[Doc], count: int, *, other_sites: bool = False
) -> Iterator[tuple[str, bytes]]:
    """``real_pages``, one at a time (20,000 real pages are 3.7 GB of HTML: never all held).

    ``other_sites``: a page past the 1,590th comes again on another site (``copy_url``:
    every 4th on one of a few sites of many pages, the rest each on a site of its own),
    not under a ``#again-N`` URL of its own site: the per-site state (template counts)
    then grows with the rounds as with more sites crawled."""
    for n in range(count if docs else 0):
        doc = docs[n % len(docs)]
        url = doc.url or ""
        if urlsplit(url).scheme not in ("http", "https"):
            # some have none, some a name ("hard::site.html"): `clean` would count such a
            # record as no page (not_response) and never clean it, while clean_page alone
            # was timed on it (41 of 2,000 pages before)
            url = f"http://real.test/{n % len(docs)}"
        round_ = n // len(docs)
        if round_ and other_sites:
            url = copy_url(url, n, round_)
        elif round_:
            url = f"{url}#again-{round_}"
        yield url, doc.read_html().encode()


BIG_SITES = 8  # sites of many pages among the copies (each copy round's every 4th page)


def copy_url(url: str, n: int, round_: int) -> str:
    """Where the ``n``-th page (a copy of round ``round_`` >= 1) goes: every 4th on one of
    ``BIG_SITES`` sites of many pages (``bigK.test``, its path under ``/rN/``: some 575
    pages a site at 20,000, their line counts past ``max_lines_per_domain``), the rest on
    a site of their own (``copyN.`` before the page's host: one page a site)."""
    parts = urlsplit(url)
    if n % 4 == 0:
        big = f"big{(n // 4) % BIG_SITES}.test"
        return parts._replace(netloc=big, path=f"/r{round_}{parts.path or '/'}").geturl()
    return parts._replace(netloc=f"copy{round_}.{parts.netloc}").geturl()


def write_pages(folder: Path, pages: Iterable[tuple[str, bytes]]) -> None:
    """``pages`` as WARC files of ``PER_FILE`` pages each, one file's pages held at a time."""
    folder.mkdir(parents=True, exist_ok=True)
    batch: list[dict[str, object]] = []
    number = 0
    for url, body in pages:
        batch.append(
            {
                "type": "response",
                "url": url,
                "headers": [("Content-Type", "text/html; charset=utf-8")],
                "body": body,
            }
        )
        if len(batch) == PER_FILE:
            common_crawl_warc(folder / f"part-{number:05d}.warc.gz", batch)
            batch, number = [], number + 1
    if batch:
        common_crawl_warc(folder / f"part-{number:05d}.warc.gz", batch)


def become_subreaper() -> bool:
    """Adopt the processes our children leave behind (Linux), so that their CPU time is
    counted too: the workers of ``clean`` are children of multiprocessing's forkserver,
    which outlives the ``clean`` process by a moment and is no child of ours otherwise."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    pr_set_child_subreaper = 36
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) == 0)


def reap() -> None:
    """Wait for every process left over (orphans adopted as subreaper): their CPU time then
    counts in RUSAGE_CHILDREN. Not for multiprocessing's resource tracker, a child of this
    process for as long as it lives once a pool of its own has run (``--parts parallel``):
    waiting for it hung the parts after."""
    while True:
        left = [pid for pid in _children() if not _is_resource_tracker(pid)]
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ChildProcessError):  # reaped meanwhile
                os.waitpid(pid, 0)


def _children() -> list[int]:
    """This process's children (zombies included), from /proc."""
    tasks = Path("/proc/self/task")
    found = (
        (task / "children").read_text().split() if (task / "children").exists() else []
        for task in tasks.iterdir()
    )
    return sorted({int(pid) for pids in found for pid in pids})


def _is_resource_tracker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"multiprocessing.resource_tracker" in command


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_clean(inputs: Path, output: Path, workers: int, *settings: str) -> dict[str, float]:
    """Run ``cleancrawl clean``; its wall and CPU seconds (the whole process tree), stats,
    and the memory of its process tree, sampled (``TreeMemory``)."""
    command = [sys.executable, "-m", "crawler.cli", "clean", str(inputs), "-o", str(output)]
    command += ["--workers", str(workers)]
    for setting in settings:
        command += ["-s", setting]
    cpu, wall = children_cpu(), time.monotonic()
    with (
        subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as process,
        TreeMemory(process.pid),
    ):
        _, stderr = process.communicate()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)}: exit {process.returncode}\n{stderr}")
    wall = time.monotonic() - wall
    reap()
    cpu = children_cpu() - cpu
    main = cpu - TreeMemory.last_below_cpu
    stats = json.loads((output / "_clean_stats.json").read_text())
    return {
        "wall": wall,
        "cpu": cpu,
        "main_cpu": main,
        "written": stats["clean/outcome/written"],
        "rss_mb": stats["clean/peak_rss_mb"],
        "tree_mb": TreeMemory.last_peak_mb,
        "workers_mb": TreeMemory.last_workers_mb,
    }


class TreeMemory:
    """Samples, every half second, the memory of a process and its descendants (the
    ``clean`` process, its forkserver and workers): the peak of their summed PSS (shared
    pages split among the processes sharing them, so the forkserver's modules, shared
    with every worker, count once), in ``TreeMemory.last_peak_mb`` once left. Linux only
    (0 elsewhere)."""

    last_peak_mb = 0
    last_workers_mb = 0  # the largest VmHWM of the processes under it (forkserver, workers)
    # the CPU seconds of the processes under it, last seen: since stop 31 the clean process
    # reaps its forkserver itself, so that its children's CPU is no longer theirs alone
    last_below_cpu = 0.0

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.below_kb = 0
        self.below_cpu = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> TreeMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        TreeMemory.last_peak_mb = round(self.peak_kb / 1024)
        TreeMemory.last_workers_mb = round(self.below_kb / 1024)
        TreeMemory.last_below_cpu = self.below_cpu

    def _watch(self) -> None:
        while not self.done.wait(0.5):
            tree = _tree(self.pid)
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in tree))
            # a worker's own peak (VmHWM) since its start: read while it lives
            self.below_kb = max([self.below_kb, *(_hwm_kb(pid) for pid in tree[1:])])
            # a live worker's own CPU, a finished one's in the forkserver's children's: each
            # counted once; the workers are idle at the end (the second pass), when the
            # forkserver goes between two samples
            if tree[1:]:
                self.below_cpu = max(self.below_cpu, sum(map(_cpu_with_children, tree[1:])))


def _cpu_with_children(pid: int) -> float:
    """CPU seconds of a process and of its children it has reaped; 0 for one gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (by /proc's parent ids)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _hwm_kb(pid: int) -> int:
    return _proc_kb(pid, "status", "VmHWM")


def _pss_kb(pid: int) -> int:
    return _proc_kb(pid, "smaps_rollup", "Pss")


def _proc_kb(pid: int, name: str, field: str) -> int:
    """``field`` (in kB) of ``/proc/PID/NAME``; 0 for a process gone meanwhile."""
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


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
        reap()
        return children_cpu() - cpu


def archive_cost(tmp: Path, count: int) -> tuple[float, float]:
    """CPU ms and compressed bytes of archiving one exchange (a page of the benchmark)."""
    bodies = [page(n) for n in range(count)]
    writer = RollingWarcWriter(WarcOptions(directory=tmp, basename="cost"), {"software": "x"})
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Server", "nginx")]
    request = [("User-Agent", "cleancrawl"), ("Accept", "text/html"), ("Host", "news.test")]
    started = time.process_time()
    for n, body in enumerate(bodies):
        writer.write(
            Exchange(
                url=f"http://news.test/{n}",
                method="GET",
                request_target=f"/{n}",
                request_headers=request,
                request_body=b"",
                protocol="HTTP/1.1",
                status=200,
                reason="OK",
                response_headers=[*headers, ("Content-Length", str(len(body)))],
                body=body,
                ip_address="127.0.0.1",
            )
        )
    cpu = time.process_time() - started
    size = writer.bytes_written
    writer.close()
    return 1000 * cpu / count, size / count


def spread(pages: list[tuple[str, bytes]], sample: int) -> list[tuple[str, bytes]]:
    """``sample`` of ``pages`` (all for 0 or more than there are), drawn at random with a
    fixed seed, in their order.

    Not every n-th page: the real pages alternate between two data sets (one page of each
    in turn), so every 10th page was always of the same one (trafilatura-eval, 27% cheaper
    to clean than the mix), and ``clean_page`` alone looked that much faster than it is.
    """
    if sample <= 0 or sample >= len(pages):
        return pages
    return [pages[n] for n in sorted(random.Random(0).sample(range(len(pages)), sample))]


def efficiency(pages: int, tree_cpu: float, single_cpu: float) -> float:
    """CPU seconds ``clean_page`` alone takes for ``pages``, over those of the whole run:
    the share of ``cores x clean_page alone`` the run reaches on idle cores."""
    return pages / single_cpu / tree_cpu


def throughput(
    tmp: Path,
    name: str,
    pages: list[tuple[str, bytes]],
    sample: int,
    workers: int,
    rounds: int = 1,
) -> None:
    """``clean`` of ``pages`` against ``clean_page`` alone on ``sample`` of them (0: all);
    ``rounds`` runs each with templates on and off (their means)."""
    timed = spread(pages, sample)
    before_cpu, before_wall = fresh_process_rate(timed, tmp)
    print(
        f"clean_page alone, {name}, {len(timed)} pages: {before_cpu:.1f} pages per "
        f"CPU second ({1000 / before_cpu:.2f} ms a page), {before_wall:.1f} per wall second"
    )
    write_pages(tmp / name, pages)
    alone = run_clean(tmp / name, tmp / f"{name}-0", 0, "CLEANCRAWL_TEMPLATES_ENABLED=False")
    # on, off, then (more rounds) off, on...: a drifting load or a first run's warm-up
    # falls on both alike (templates on always ran first before)
    order = [("True", "False") if n % 2 == 0 else ("False", "True") for n in range(rounds)]
    done: dict[str, list[dict[str, float]]] = {"True": [], "False": []}
    for n, templates in enumerate(each for pair in order for each in pair):
        output = tmp / f"{name}-{templates}-{n}"
        setting = f"CLEANCRAWL_TEMPLATES_ENABLED={templates}"
        done[templates].append(run_clean(tmp / name, output, workers, setting))
        shutil.rmtree(output)
    runs = {
        templates: {key: statistics.mean(run[key] for run in each) for key in each[0]}
        for templates, each in done.items()
    }
    # timed again after the runs, and the two averaged: on a loaded machine a CPU second
    # does less work when other processes share the caches (real pages, load 6 then 12:
    # 48.5 then 57.9 ms a page), and the runs came in between
    after_cpu, after_wall = fresh_process_rate(timed, tmp)
    single_cpu, single_wall = (before_cpu + after_cpu) / 2, (before_wall + after_wall) / 2
    print(
        f"clean_page alone again, after the runs: {after_cpu:.1f} pages per CPU second "
        f"({1000 / after_cpu:.2f} ms a page), {after_wall:.1f} per wall second; the two "
        f"averaged below: {1000 / single_cpu:.2f} ms a page"
    )
    print(
        f"clean --workers 0, {name}, templates off: {len(pages) / alone['cpu']:.1f} pages per "
        f"CPU second = {efficiency(len(pages), alone['cpu'], single_cpu):.1%} of clean_page "
        "alone (start-up, reading, decoding, the steps after cleaning and Parquet included)"
    )
    for templates, run in runs.items():
        share = efficiency(len(pages), run["cpu"], single_cpu)
        wall_share = len(pages) / run["wall"] / (workers * single_wall)
        print(
            f"THROUGHPUT clean --workers {workers}, {name}, {len(pages)} pages, templates "
            f"{'(mean of ' + str(rounds) + ' runs) ' if rounds > 1 else ''}"
            f"{'on (default)' if templates == 'True' else 'off'}: {run['written']:.0f} rows; "
            f"CPU of all its processes {1000 * run['cpu'] / len(pages):.2f} ms a page "
            f"(clean_page alone {1000 / single_cpu:.2f}; the clean process "
            f"{1000 * run['main_cpu'] / len(pages):.2f}, its forkserver and workers "
            f"{1000 * (run['cpu'] - run['main_cpu']) / len(pages):.2f}, start-ups included): "
            f"on {workers} idle cores "
            f"{share * workers * single_cpu:.1f} pages/s = {share:.1%} of cores x clean_page "
            f"alone [target >= 90%]; wall {len(pages) / run['wall']:.1f} pages/s = "
            f"{wall_share:.1%} of {workers} x clean_page alone's wall rate [target >= 90%, "
            f"on a quiet machine]; peak RSS {run['rss_mb']} MB (its tree's PSS {run['tree_mb']} MB)"
        )


def _rate_alone(pages: list[tuple[str, str]]) -> tuple[float, float]:
    return single_process_rate(pages)


def parallel_ceiling(pages: list[tuple[str, str]], workers: int, rounds: int) -> None:
    """``clean_page`` in one process, then in ``workers`` processes at once, ``rounds``
    times in turn (a drifting load falls on both alike)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    alone: list[float] = []
    side: list[float] = []
    walls: list[float] = []
    with context.Pool(workers) as pool:
        pool.map(_rate_alone, [pages[:2]] * workers)  # imports and warm-up, untimed
        for _ in range(max(1, rounds)):
            # alone in one of the pool's processes too: this process holds every page of
            # the run, and its collections make clean_page slower here (68.6 against 55.1
            # ms a page on the same 400 pages)
            alone.append(pool.apply(_rate_alone, (pages,))[0])
            start = time.monotonic()
            rates = pool.map(_rate_alone, [pages] * workers, chunksize=1)
            walls.append(workers * len(pages) / (time.monotonic() - start))
            side.append(statistics.mean(cpu for cpu, _ in rates))
    one, many = statistics.mean(alone), statistics.mean(side)
    print(
        f"PARALLEL clean_page on {len(pages)} real pages: alone {1000 / one:.2f} ms CPU a page "
        f"({', '.join(f'{1000 / r:.2f}' for r in alone)}); {workers} processes side by side "
        f"{1000 / many:.2f} ms a page each ({', '.join(f'{1000 / r:.2f}' for r in side)}): "
        f"{workers} independent copies reach {many / one:.1%} of cores x clean_page alone "
        f"by CPU, {statistics.mean(walls):.1f} pages per wall second = "
        f"{statistics.mean(walls) / (workers * one):.1%} (the machine's own ceiling)"
    )


def counted(pages: Iterable[tuple[str, bytes]], hosts: Counter[str]) -> Iterator[tuple[str, bytes]]:
    """``pages`` as they are, their hosts counted in ``hosts``."""
    for url, body in pages:
        hosts[urlsplit(url).hostname or ""] += 1
        yield url, body


def memory(tmp: Path, args: argparse.Namespace) -> None:
    """Peak memory of ``clean`` (default settings) for each size of ``--memory``: the
    clean process's own peak (VmHWM, its stats) and its process tree's sampled PSS.

    ``--memory-input real``: the extraction data sets' pages, each round past their 1,590
    on other sites (``copy_url``: distinct URLs, a few sites of many pages and many of one
    page, per-site state growing with them; the texts are the same, dropped as duplicates
    after cleaning); ``articles``: the sample site's articles, every page a text of its
    own. ``--memory-keep DIR``: each run's Parquet rows kept in ``DIR/SIZE`` (to compare
    two versions' rows)."""
    workers = args.workers
    docs = real_docs() if args.memory_input == "real" else []
    if args.memory_input == "real" and not docs:
        print(f"memory: no real pages under {DEFAULT_DATA_ROOT}")
        return
    sizes = [int(n) for n in args.memory.split(",")]
    peaks, trees = [], []
    for size in sizes:
        folder = tmp / f"mem-{size}"
        if docs:
            hosts: Counter[str] = Counter()
            write_pages(folder, counted(iter_real_pages(docs, size, other_sites=True), hosts))
            sizes_of = Counter(hosts.values())
            print(
                f"memory input, {size} records: {len(hosts):,} sites, "
                f"{sizes_of[1]:,} of one page, the largest {max(hosts.values()):,} pages"
            )
        else:
            build_inputs(folder, size)
        run = run_clean(folder, tmp / f"mem-out-{size}", workers)
        peaks.append(run["rss_mb"])
        trees.append(run["tree_mb"])
        print(
            f"memory, {size} {args.memory_input} pages (templates on): {run['written']:.0f} rows; "
            f"peak RSS of the clean process {run['rss_mb']} MB, of its tree (PSS: the clean "
            f"process, forkserver, workers) {run['tree_mb']} MB, the largest peak (VmHWM) of "
            f"a worker or the forkserver {run['workers_mb']} MB; "
            f"CPU {1000 * run['cpu'] / size:.2f} ms a page in all (the clean process "
            f"{1000 * run['main_cpu'] / size:.2f}), {size / run['wall']:.1f} pages/s wall"
        )
        if args.memory_keep:
            keep = Path(args.memory_keep) / str(size)
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(tmp / f"mem-out-{size}", keep)
        for done in (folder, tmp / f"mem-out-{size}"):
            shutil.rmtree(done)
    print(
        f"MEMORY {args.memory_input} pages, {sizes[0]:,} -> {sizes[-1]:,}: peak RSS of clean "
        f"{peaks[0]} -> {peaks[-1]} MB = x{peaks[-1] / peaks[0]:.2f}, of its process tree "
        f"{trees[0]} -> {trees[-1]} MB [target: flat, read as <= x1.10]"
    )


# `cleancrawl clean` with clean_page replaced by a lookup of results made beforehand (the
# proxy part): the clean process's every other step is real; a page missing from the
# table (none, in the benchmark's input) is dropped as no_text
LOOKUP_CLEAN = """
import dataclasses, hashlib, pickle, sys
import crawler.reclean
from cleaning import CleanResult
from crawler.cli import main
with open(sys.argv[1], "rb") as handle:
    table = pickle.load(handle)
def lookup(html, url, options):
    found = table.get(hashlib.sha1(html.encode()).digest())
    if found is None:
        return CleanResult(url=url, drop_reason="no_text")
    return dataclasses.replace(found, url=url)
crawler.reclean.clean_page = lookup
sys.exit(main(sys.argv[2:]))
"""


def lookup_table(docs: list[Doc], path: Path) -> None:
    """``clean_page`` of each real page once (its own URL), pickled by its HTML's hash, for
    ``LOOKUP_CLEAN``: a copy on another site gets its original's result (the page type and
    metadata, which read the URL, as for the original's)."""
    import hashlib
    import pickle

    options = CleaningOptions()
    load_backend(options.language_backend)
    table = {}
    for url, body in iter_real_pages(docs, len(docs)):
        html = body.decode()
        table[hashlib.sha1(html.encode()).digest()] = clean_page(html, url, options)
    with path.open("wb") as handle:
        pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)


def proxy(tmp: Path, args: argparse.Namespace) -> None:
    """The memory part's inputs and clean process, ``clean_page`` a lookup (``LOOKUP_CLEAN``),
    ``--workers 0``: the clean process's peak (VmHWM) for each size of ``--memory`` in some
    seconds a thousand pages, not 55 CPU s; for each tree of ``--clean-roots`` (default
    this one: another checkout compares versions on the same inputs)."""
    docs = real_docs()
    if not docs:
        print(f"proxy: no real pages under {DEFAULT_DATA_ROOT}")
        return
    table = Path(args.proxy_table) if args.proxy_table else tmp / "lookup.pickle"
    if not table.exists():
        started = time.process_time()
        lookup_table(docs, table)
        spent = time.process_time() - started
        print(f"proxy: clean_page of the {len(docs):,} real pages once, {spent:.0f} CPU s")
    roots = [Path(root) for root in args.clean_roots.split(",")] if args.clean_roots else [ROOT]
    sizes = [int(n) for n in args.memory.split(",")]
    for size in sizes:
        folder = tmp / f"proxy-{size}"
        write_pages(folder, iter_real_pages(docs, size, other_sites=True))
        for root in roots:
            output = tmp / f"proxy-out-{size}"
            command = [sys.executable, "-c", LOOKUP_CLEAN, str(table), "clean", str(folder)]
            command += ["-o", str(output), "--workers", "0"]
            cpu = children_cpu()
            subprocess.run(command, cwd=root, check=True, capture_output=True)
            cpu = children_cpu() - cpu
            stats = json.loads((output / "_clean_stats.json").read_text())
            print(
                f"PROXY memory, {size:,} real pages, clean_page a lookup, --workers 0, "
                f"{root}: {stats['clean/outcome/written']} rows; peak RSS of the clean "
                f"process {stats['clean/peak_rss_mb']} MB; {cpu:.1f} CPU s"
            )
            if args.memory_keep:
                keep = Path(args.memory_keep) / f"proxy-{root.name}-{size}"
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(output, keep)
            shutil.rmtree(output)
        shutil.rmtree(folder)


def template_probe(kind: str, size: int) -> dict[str, float]:
    """Count ``size`` pages' lines as ``clean``'s first pass does, in this process (run it in
    a fresh one): in memory (``SiteTemplates`` and a set of page keys, as before) or on disk
    (``DiskSiteTemplates``); the growth of this process's peak (VmHWM) and the CPU a page.

    The pages: word salad of 40 lines of 8 words (a 5,000-word vocabulary, seeded), every
    4th page on one of ``BIG_SITES`` sites that add 10 lines of their own to each page,
    the rest each on a site of its own, as in ``copy_url``.
    """
    from cleaning.templates import SiteTemplates, page_keys, text_line_keys
    from crawler.templates_disk import DiskSiteTemplates

    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(7)) for _ in range(5000)]
    with tempfile.TemporaryDirectory() as scratch:
        disk = DiskSiteTemplates(None, Path(scratch) / "t.sqlite") if kind == "disk" else None
        memory, counted = SiteTemplates(), set[int]()
        start, spent = _own_hwm_kb(), 0.0
        for n in range(size):
            domain = f"big{(n // 4) % BIG_SITES}.test" if n % 4 == 0 else f"one{n}.test"
            lines = [" ".join(rng.choices(words, k=8)) for _ in range(40)]
            if n % 4 == 0:
                lines += [f"{domain[:4]} menu {word}" for word in words[:10]]
            text = "\n".join(lines)
            keys = text_line_keys(text)  # made by a worker: not timed below
            started = time.process_time()
            page = page_keys(domain, f"http://{domain}/{n}", text)
            if disk is not None:
                if disk.count_once(page):
                    disk.add_page(domain, text, keys)
            elif counted.isdisjoint(page):
                memory.add_page(domain, text, keys)
                counted.update(page)
            spent += time.process_time() - started
        grown = _own_hwm_kb() - start
        if disk is not None:
            disk.close()
    return {"kb_a_page": grown / size, "mb": grown / 1024, "cpu_ms": 1000 * spent / size}


def _own_hwm_kb() -> int:
    return _hwm_kb(os.getpid())


def template_benchmarks(args: argparse.Namespace) -> None:
    """``template_probe`` for each size of ``--memory``, in memory and on disk, each in a
    fresh process: a cheap proxy (seconds, no cleaning) for what the template counts add to
    the clean process's peak."""
    for size in (int(n) for n in args.memory.split(",")):
        for kind in ("memory", "disk"):
            code = (
                "import json, sys; from benchmarks.warc import template_probe; "
                f"print(json.dumps(template_probe({kind!r}, {size})))"
            )
            out = subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
            probe = json.loads(out)
            print(
                f"TEMPLATES {size:,} pages counted {kind}: the process's peak grew "
                f"{probe['mb']:.1f} MB ({probe['kb_a_page']:.2f} kB a page); counting "
                f"{probe['cpu_ms']:.3f} CPU ms a page"
            )


def archive_benchmarks(tmp: Path, args: argparse.Namespace) -> None:
    """What archiving costs: one exchange in this process, and a whole crawl."""
    ms, size = archive_cost(tmp / "cost", args.sample)
    print(
        f"one exchange archived (a {len(page(0)) / 1000:.0f} kB page and its request): "
        f"{ms:.3f} CPU ms, {size / 1000:.1f} kB of WARC"
    )
    runs: dict[bool, list[float]] = {False: [], True: []}
    for round_ in range(args.rounds):  # alternated, so that drifting load hits both
        for warc in (False, True):
            where = tmp / f"crawl-{warc}-{round_}"
            runs[warc].append(crawl_cpu(args.crawl_pages, where / "warc" if warc else None, where))
    without, with_warc = (statistics.median(runs[warc]) for warc in (False, True))
    print(
        f"ARCHIVING crawl of {args.crawl_pages} articles, median of {args.rounds}: "
        f"{without:.2f} CPU s without WARC, {with_warc:.2f} with: {with_warc / without - 1:+.1%} "
        f"[target <= +5%] (runs without: {', '.join(f'{r:.2f}' for r in runs[False])}; "
        f"with: {', '.join(f'{r:.2f}' for r in runs[True])})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2_000, help="pages for the throughput")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--memory", default="2000,20000", help="page counts for the memory")
    parser.add_argument(
        "--clean-rounds",
        type=int,
        default=1,
        help="clean runs each with templates on and off, in the order on, off, off, on... "
        "(their means; default 1)",
    )
    parser.add_argument(
        "--memory-keep",
        default="",
        help="a folder to keep the memory runs' Parquet output in (DIR/SIZE)",
    )
    parser.add_argument(
        "--clean-roots",
        default="",
        help="checkouts whose `cleancrawl clean` the proxy part runs, comma-separated "
        "(default: this one)",
    )
    parser.add_argument(
        "--proxy-table",
        default="",
        help="the proxy part's lookup table, made there if missing, kept (default: made anew)",
    )
    parser.add_argument(
        "--memory-input",
        choices=("real", "articles"),
        default="real",
        help="pages for the memory part: the extraction data sets' (default) or the sample "
        "site's articles",
    )
    parser.add_argument("--crawl-pages", type=int, default=300, help="articles of the crawl")
    parser.add_argument("--sample", type=int, default=200, help="pages for clean_page alone")
    parser.add_argument(
        "--real-sample",
        type=int,
        default=0,
        help="real pages for clean_page alone (default 0: every page of the run; a page "
        "costs from 1 to 500 ms, so that 200 of them give the mean only within about 7%%)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="crawls with and without WARC")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"what to measure, of {','.join(PARTS)} (all by default)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 300 pages, memory 300 and 1,000, a crawl of 60 articles, 1 round",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.memory, args.crawl_pages, args.rounds, args.sample = (
            300,
            "300,1000",
            60,
            1,
            50,
        )
    parts = args.parts.split(",")
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        parser.error(f"--parts: unknown {','.join(unknown)} (known: {','.join(PARTS)})")
    counted = become_subreaper()
    print(
        f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}, "
        f"{args.workers} workers, {os.cpu_count()} cores"
        + ("" if counted else " (not Linux: the workers' CPU time is not counted)")
    )
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        if "throughput" in parts:
            articles = [(f"http://news.test/{n}", page(n)) for n in range(args.pages)]
            throughput(
                tmp, "sample-articles", articles, args.sample, args.workers, args.clean_rounds
            )
        if "real" in parts:
            real = real_pages(args.pages)
            if real:
                throughput(
                    tmp, "real-pages", real, args.real_sample, args.workers, args.clean_rounds
                )
            else:
                print(f"real pages: none found under {DEFAULT_DATA_ROOT}")
        if "parallel" in parts:
            sample = [
                (url, body.decode())
                for url, body in spread(real_pages(args.pages), args.real_sample or 400)
            ]
            parallel_ceiling(sample, args.workers, args.clean_rounds)
        if "memory" in parts:
            memory(tmp, args)
        if "proxy" in parts:
            proxy(tmp, args)
        if "templates" in parts:
            template_benchmarks(args)
        if "archiving" in parts:
            archive_benchmarks(tmp, args)
    print(f"load average at the end {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

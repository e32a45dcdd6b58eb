"""Where a page's CPU goes in ``cleancrawl clean``'s workers, cause by cause (issue 19).

The same real pages, in the same order (the WARC's), run by:

- ``big``: ``clean_page`` in this process, which holds every page of the run as bytes and
  as text (as ``benchmarks.warc`` timed it until stop 29);
- ``fresh``: ``clean_page`` in a fresh process that holds only the timed pages;
- ``task``: in a fresh process too, the worker's whole task (``clean_and_sign`` of
  ``clean_payload_in_worker``: decoding, ``clean_page``, signature, line keys, quality);
- ``pebble1``: the same task in a pebble worker forked from ``clean``'s forkserver (its
  preloads), one page handed over at a time;
- ``pebble2``: the pool as ``clean`` runs it: ``--workers`` workers, ``4 x workers`` pages
  in flight, results taken in order;
- ``fresh2``, ``task2``: ``fresh`` and ``task`` in ``--workers`` fresh processes at once
  (each cleans every page; figures a page of one process): what running side by side on
  the cores costs without a pool;
- ``steps``: in a fresh process too, the task's steps one by one, each timed on its own
  (decoding, ``clean_page``, then for a kept page the signature, line keys, quality
  signals, the ``SignedResult`` pickled and read back as pebble hands it over): where the
  task's CPU beyond ``clean_page`` goes.

Rounds go in the order of ``--variants``, then the reverse, and so on (a drifting load
falls on each alike). For each: CPU ms a
page of ``clean_page`` (timed inside the worker), of the task, and of the whole process
(the worker's own /proc counters: start-up excluded, the pebble loop and pickling
included), minor page faults and context switches a page.

::

    python -m benchmarks.pool_cost --pages 300 --rounds 4   # some 6 minutes on a quiet machine
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections import deque
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.warc import real_pages, spread
from cleaning import CleaningOptions, clean_page, load_backend
from cleaning.encoding import decode_html
from cleaning.neardup import text_signature_bytes
from cleaning.quality import quality_signals
from cleaning.signed import SignedResult, clean_and_sign
from cleaning.templates import text_line_keys
from cleaning.worker import _site_options, clean_payload_in_worker, start_worker
from crawler.neardup import near_duplicate_options
from crawler.pipelines import cleaning_options
from crawler.pool import pool_context
from crawler.reclean import clean_settings

if TYPE_CHECKING:
    from cleaning.page import CleanResult

VARIANTS = ("big", "fresh", "task", "pebble1", "pebble2", "fresh2", "task2", "steps")
STEPS = ("decode", "clean_page", "signature", "line_keys", "quality", "result")
CONTENT_TYPE = "text/html; charset=utf-8"
# set in each process that runs the task: CPU seconds spent in clean_page and in the task
_spent = {"clean": 0.0, "task": 0.0}


@functools.cache
def worker_task() -> functools.partial[CleanResult]:
    """The task ``cleancrawl clean`` hands its workers, with its default settings (made once
    a process: the settings check behind it costs 0.34 ms, more than a tenth of the steps
    the task is timed for)."""
    settings = clean_settings({}, Path(tempfile.gettempdir()))
    return functools.partial(
        clean_and_sign,
        _timed_clean,
        near_duplicate_options(settings),
        line_keys=True,
        quality=True,
    )


def worker_options() -> CleaningOptions:
    return cleaning_options(clean_settings({}, Path(tempfile.gettempdir())))


def _timed_clean(payload: tuple[bytes, str | None], url: str, site: str) -> CleanResult:
    start = time.process_time()
    try:
        return clean_payload_in_worker(payload, url, site)
    finally:
        _spent["clean"] += time.process_time() - start


def timed_task(payload: tuple[bytes, str | None], url: str, site: str) -> CleanResult:
    """The worker's task, its CPU counted in ``_spent``."""
    start = time.process_time()
    try:
        return worker_task()(payload, url, site)
    finally:
        _spent["task"] += time.process_time() - start


def spent() -> tuple[int, float, float]:
    """This process's pid and CPU seconds in clean_page and in tasks (a pause after, so
    that every worker of the pool gets one of the questions)."""
    time.sleep(0.05)
    return os.getpid(), _spent["clean"], _spent["task"]


def proc_counters(pid: int) -> dict[str, int]:
    """CPU ticks (user + system), minor and major faults, context switches of ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    counters = {
        "ticks": int(fields[11]) + int(fields[12]),
        "minflt": int(fields[7]),
        "majflt": int(fields[9]),
    }
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
            counters[name.split("_")[0]] = int(value)
    return counters


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before.get(key, 0) for key in after}


def run_alone(pages: list[tuple[str, bytes]], whole_task: bool) -> dict[str, float]:
    """``clean_page`` (or the whole task) over ``pages`` in this process, the first page
    once before as a warm-up."""
    options = worker_options()
    start_worker(options, {})
    load_backend(options.language_backend)
    texts = [(url, body.decode()) for url, body in pages]
    if whole_task:
        timed_task((pages[0][1], CONTENT_TYPE), pages[0][0], "")
    else:
        clean_page(texts[0][1], texts[0][0], options)
    before, counters = dict(_spent), proc_counters(os.getpid())
    cpu = time.process_time()
    for (url, text), (_, body) in zip(texts, pages, strict=True):
        if whole_task:
            timed_task((body, CONTENT_TYPE), url, urlhost(url))
        else:
            clean_page(text, url, options)
    cpu = time.process_time() - cpu
    counters = _delta(proc_counters(os.getpid()), counters)
    return {
        "process": cpu,
        "task": (_spent["task"] - before["task"]) if whole_task else cpu,
        "clean": (_spent["clean"] - before["clean"]) if whole_task else cpu,
        **counters,
    }


def urlhost(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower()


def _fresh(path: str, mode: str, queue: multiprocessing.Queue[dict[str, float]]) -> None:
    pages = pickle.loads(Path(path).read_bytes())
    queue.put(run_steps(pages) if mode == "steps" else run_alone(pages, mode == "task"))


def run_fresh(path: Path, mode: str, processes: int = 1) -> dict[str, float]:
    """``run_alone`` (``mode`` "clean" or "task") or ``run_steps`` ("steps") in
    ``processes`` fresh processes at once (their sums)."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, float]] = context.Queue()
    started = [
        context.Process(target=_fresh, args=(str(path), mode, queue)) for _ in range(processes)
    ]
    for process in started:
        process.start()
    runs = [queue.get() for _ in started]
    for process in started:
        process.join()
    return {key: sum(run[key] for run in runs) for key in runs[0]}


def run_steps(pages: list[tuple[str, bytes]]) -> dict[str, float]:
    """The worker's task over ``pages`` step by step, each step's CPU seconds summed on its
    own (``STEPS``), the first page once before as a warm-up."""
    options = worker_options()
    start_worker(options, {})
    load_backend(options.language_backend)
    near = near_duplicate_options(clean_settings({}, Path(tempfile.gettempdir())))
    spent = dict.fromkeys(STEPS, 0.0)
    for warm_up, (url, body) in enumerate([pages[0], *pages]):
        clock = time.process_time()
        lap = {}
        html = decode_html(body, CONTENT_TYPE).text
        lap["decode"], clock = time.process_time() - clock, time.process_time()
        result = clean_page(html, url, _site_options(urlhost(url)))
        lap["clean_page"], clock = time.process_time() - clock, time.process_time()
        if result.kept:
            minhash = text_signature_bytes(result.text, near)
            lap["signature"], clock = time.process_time() - clock, time.process_time()
            line_keys = text_line_keys(result.text)
            lap["line_keys"], clock = time.process_time() - clock, time.process_time()
            quality = quality_signals(result.text, result.language)
            lap["quality"], clock = time.process_time() - clock, time.process_time()
            values = {each.name: getattr(result, each.name) for each in fields(result)}
            signed = SignedResult(**values, minhash=minhash, line_keys=line_keys, quality=quality)
            pickle.loads(pickle.dumps(signed, pickle.HIGHEST_PROTOCOL))
            lap["result"] = time.process_time() - clock
        if warm_up:
            for step, seconds in lap.items():
                spent[step] += seconds
    return {**spent, "clean": spent["clean_page"], "task": sum(spent.values()), "process": 0.0}


def run_pebble(pages: list[tuple[str, bytes]], workers: int, window: int) -> dict[str, float]:
    """The task in a pebble pool of ``workers`` forked from ``clean``'s forkserver, with
    ``window`` pages in flight, results taken in order; the workers' counters from the
    first page on (their start-up and a warm-up page excluded)."""
    from pebble import ProcessPool

    pool = ProcessPool(
        max_workers=workers,
        initializer=start_worker,
        initargs=(worker_options(), {}),
        context=pool_context(),
    )
    try:
        # a warm-up page per worker, then each worker's counters
        warm = [
            pool.submit(timed_task, None, (pages[0][1], CONTENT_TYPE), pages[0][0], "")
            for _ in range(workers * 2)
        ]
        for future in warm:
            future.result()
        before = _worker_state(pool, workers)
        pending: deque[object] = deque()
        for url, body in pages:
            pending.append(pool.submit(timed_task, None, (body, CONTENT_TYPE), url, urlhost(url)))
            if len(pending) >= window:
                pending.popleft().result()  # type: ignore[attr-defined]
        while pending:
            pending.popleft().result()  # type: ignore[attr-defined]
        after = _worker_state(pool, workers)
    finally:
        pool.stop()  # type: ignore[no-untyped-call]
        pool.join()
    total: dict[str, float] = {}
    for pid, (clean, task, counters) in after.items():
        clean0, task0, counters0 = before.get(pid, (0.0, 0.0, {}))
        parts = {"clean": clean - clean0, "task": task - task0, **_delta(counters, counters0)}
        for key, value in parts.items():
            total[key] = total.get(key, 0) + value
    total["process"] = total.pop("ticks") / os.sysconf("SC_CLK_TCK")
    return total


def _worker_state(pool: object, workers: int) -> dict[int, tuple[float, float, dict[str, int]]]:
    """Each worker's CPU in clean_page and tasks (asked of it) and its /proc counters (read
    here, so that asking does not count)."""
    pids = [pid for pid in _workers(pool)]
    state = {}
    for pid in pids:
        state[pid] = proc_counters(pid)
    asked = [pool.submit(spent, None) for _ in range(8 * workers)]  # type: ignore[attr-defined]
    answers = {}
    for future in asked:
        pid, clean, task = future.result()
        answers[pid] = (clean, task)
    if set(answers) != set(state):
        raise RuntimeError(f"workers {sorted(state)} but answers from {sorted(answers)}")
    return {pid: (*answers[pid], counters) for pid, counters in state.items()}


def _workers(pool: object) -> list[int]:
    manager = pool._pool_manager.worker_manager  # type: ignore[attr-defined]
    return sorted(manager.workers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=240, help="real pages, of the 2,000")
    parser.add_argument("--of", type=int, default=2_000, help="the run the pages are drawn from")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    # checked before the 2,000 pages are read: a bad count would run for minutes first
    if unknown := sorted(set(variants) - set(VARIANTS)):
        parser.error(f"--variants: unknown {','.join(unknown)} (known: {','.join(VARIANTS)})")
    for name in ("pages", "of", "rounds", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}: at least 1")
    if args.pages > args.of:
        parser.error("--pages: at most --of")
    print(f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}", flush=True)
    every = real_pages(args.of)
    if not every:  # a fresh process would fail on its first page, and the run wait for it
        parser.error("no real pages: the extraction data sets are not in ../shared/data")
    held = [(url, body.decode()) for url, body in every]  # as benchmarks.warc holds them
    pages = spread(every, args.pages)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "pages.pickle"
        path.write_bytes(pickle.dumps(pages))
        for round_ in range(args.rounds):
            order = variants if round_ % 2 == 0 else variants[::-1]
            for name in order:
                if name == "big":
                    run = run_alone(pages, whole_task=False)
                elif name in ("fresh", "task", "steps"):
                    run = run_fresh(path, "clean" if name == "fresh" else name)
                elif name in ("fresh2", "task2"):
                    run = run_fresh(path, name[:-1], processes=args.workers)
                elif name == "pebble1":
                    run = run_pebble(pages, 1, 1)
                else:
                    run = run_pebble(pages, args.workers, 4 * args.workers)
                if name in ("fresh2", "task2"):  # each process cleaned every page
                    run = {key: value / args.workers for key, value in run.items()}
                results[name].append(run)
                print(f"round {round_} {name}: {_line(run, len(pages))}", flush=True)
    del held
    for name, runs in results.items():
        mean = {key: statistics.mean(run[key] for run in runs) for key in runs[0]}
        print(f"MEAN {name}: {_line(mean, len(pages))}")
    print(f"load average at the end {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    return 0


def _line(run: dict[str, float], pages: int) -> str:
    ms = {key: 1000 * run[key] / pages for key in ("clean", "task", "process")}
    if "signature" in run:  # steps: each step's CPU ms a page (of all pages, kept or not)
        return ", ".join(f"{step} {1000 * run[step] / pages:.3f}" for step in STEPS) + (
            f"; beyond clean_page {ms['task'] - ms['clean']:.3f} ms a page"
        )
    return (
        f"clean_page {ms['clean']:.2f} ms a page, task {ms['task']:.2f}, process "
        f"{ms['process']:.2f}; a page: minflt {run.get('minflt', 0) / pages:.0f}, "
        f"majflt {run.get('majflt', 0) / pages:.2f}, voluntary switches "
        f"{run.get('voluntary', 0) / pages:.1f}, "
        f"involuntary {run.get('nonvoluntary', 0) / pages:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())

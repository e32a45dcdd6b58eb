"""The ``cleancrawl`` command."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from pathlib import Path

from crawler.clean_start import start_forkserver, stop_forkserver, wants_workers


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    # before the imports below (0.6 s): the workers' forkserver preloads on the other core
    # meanwhile, where it came after them (crawler.clean_start)
    server = None
    if arguments[:1] == ["clean"] and wants_workers(arguments):
        server = start_forkserver()
    try:
        code = _main(arguments)
    finally:
        stop_forkserver(server)  # a bad argument's exit 2 leaves no process behind
    if argv is None and arguments[:1] == ["clean"]:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the ``clean`` command's process without the interpreter's teardown.

    Its files are closed and synced, the workers and the forkserver stopped: what is
    left is freeing every module and object one by one, 0.12 to 0.14 s (200 real pages)
    with both cores idle, the last of a run's wall. Only as the program (``argv`` not
    given): a caller of ``main()`` in its own process goes on as before.
    """
    # what the interpreter's teardown would have flushed: the logging handlers (a handler
    # a user or a library added may buffer) and the standard streams
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
            stream.flush()
    os._exit(code)


def _main(argv: list[str]) -> int:
    import scrapy

    from crawler.demo import run_demo
    from crawler.pipelines import CLEANCRAWL_VERSION, EXTRACTOR_VERSION
    from crawler.reclean_cli import add_clean_command, clean_command
    from crawler.sample_server import SAMPLE_SITE, SiteServer

    parser = argparse.ArgumentParser(prog="cleancrawl", description=__doc__)
    # the versions that decide what a crawl writes: also in each Parquet file's metadata
    versions = f"{EXTRACTOR_VERSION}, Scrapy {scrapy.__version__}"
    parser.add_argument(
        "--version", action="version", version=f"cleancrawl {CLEANCRAWL_VERSION} ({versions})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="crawl the bundled sample site over 127.0.0.1 and write Parquet"
    )
    demo.add_argument("--output", type=Path, default=Path("data/demo"), help="Parquet folder")
    demo.add_argument("--log-level", default="INFO", help="Scrapy log level (default INFO)")
    serve = commands.add_parser(
        "serve-sample", help="serve the bundled sample site on 127.0.0.1 until interrupted"
    )
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    add_clean_command(commands)
    stats = commands.add_parser(
        "stats", help="print the merged stats of a distributed crawl, from its Redis"
    )
    stats.add_argument("redis_url", help="the crawl's REDIS_URL (redis://host:port/db)")
    stats.add_argument(
        "--crawl-id", default="", help="the crawl (default: list the crawls with stats)"
    )
    stats.add_argument("--output", type=Path, help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)

    if args.command == "demo":
        return run_demo(args.output, log_level=args.log_level)
    if args.command == "clean":
        return clean_command(args)
    if args.command == "stats":
        return stats_command(args.redis_url, args.crawl_id, args.output)
    with SiteServer(SAMPLE_SITE, port=args.port) as server:
        print(f"Serving the sample site at {server.url}/ (Ctrl-C to stop)")
        print(
            f"Crawl it: scrapy crawl technews -a url={server.url}/"
            " -s CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def stats_command(url: str, crawl_id: str, output: Path | None) -> int:
    """Print (or write) the merged stats of crawl ``crawl_id``; without it, list the crawls."""
    from crawler.cluster import connect
    from crawler.config import ConfigError
    from crawler.crawl_stats import crawls, merged_stats, stats_json

    try:
        client = connect(url)
    except ConfigError as exc:
        print(f"cleancrawl: error: {exc}", file=sys.stderr)
        return 2
    found = crawls(client, crawl_id or "*")
    if not crawl_id:
        for key in found:
            stats = merged_stats(client, key)
            namespace, _, ident = key.rpartition(":crawl:")
            done, started = stats["cleancrawl/workers"], stats["cleancrawl/workers_started"]
            killed = stats["cleancrawl/runs_killed"]
            more = f", {killed} run(s) killed" if killed else ""
            print(f"{ident}\t{namespace}\t{done} of {started} worker(s) ended{more}")
        return 0
    if len(found) != 1:
        what = "no crawl" if not found else f"{len(found)} crawls"
        print(f"cleancrawl: error: {what} with id {crawl_id} in {url}", file=sys.stderr)
        return 2
    text = stats_json(merged_stats(client, found[0]))
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

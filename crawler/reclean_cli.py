"""The ``cleancrawl clean`` subcommand: its arguments, checked, then ``run_clean``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.config import ConfigError
from crawler.outcome import ExitCode
from crawler.pool import default_workers
from crawler.sites import SitesFileError, load_sites

if TYPE_CHECKING:
    import argparse
    from argparse import _SubParsersAction


def add_clean_command(commands: _SubParsersAction[argparse.ArgumentParser]) -> None:
    clean = commands.add_parser(
        "clean",
        help="clean the pages of WARC files (cleancrawl's own, Common Crawl's) into Parquet",
        description="Clean the HTML responses of WARC files into the Parquet rows a crawl "
        "writes, without fetching anything. Run again over the same output folder after a "
        "kill: the input files done are skipped, the others redone.",
    )
    clean.add_argument("inputs", nargs="+", help=".warc / .warc.gz files, folders or globs")
    clean.add_argument("-o", "--output", type=Path, required=True, help="Parquet folder")
    which = clean.add_mutually_exclusive_group()
    which.add_argument("--sites", type=Path, help="keep only the pages of this sites file's sites")
    which.add_argument("--domains", help="keep only the pages of these domains: a,b,c")
    clean.add_argument(
        "--workers",
        type=int,
        help="worker processes (default: CLEANCRAWL_WORKERS, else one per core; 0: none)",
    )
    clean.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a CLEANCRAWL_* cleaning setting, as for scrapy crawl (repeatable)",
    )
    clean.add_argument("--stats", type=Path, help="stats JSON (default: OUTPUT/_clean_stats.json)")
    clean.add_argument(
        "--state",
        type=Path,
        help="state directory (a crawl's CLEANCRAWL_STATE_DIR): site templates and duplicates "
        "counted with earlier runs, and this run's added for the next",
    )


def clean_command(args: argparse.Namespace) -> int:
    # imported here: `cleancrawl demo` does not need warcio and the cleaning steps loaded
    from crawler.reclean import CleanJob, Progress, clean_settings, expand_inputs, run_clean

    logging.basicConfig(level=logging.WARNING, format="cleancrawl: %(levelname)s: %(message)s")
    try:
        overrides = dict(_setting(value) for value in args.settings)
        settings = clean_settings(overrides, args.output)
        sites = tuple(load_sites(args.sites)) if args.sites else ()
        domains = tuple(d.strip().lower() for d in (args.domains or "").split(",") if d.strip())
        workers = args.workers
        if workers is None:
            workers = (
                settings.getint("CLEANCRAWL_WORKERS")
                if settings.get("CLEANCRAWL_WORKERS") not in (None, "")
                else default_workers()
            )
        if workers < 0:
            raise ConfigError(f"--workers {workers}: must be >= 0")
        state = settings.get("CLEANCRAWL_STATE_DIR")  # -s, as for a crawl; --state wins
        job = CleanJob(
            inputs=expand_inputs(args.inputs),
            output=args.output,
            settings=settings,
            overrides=overrides,
            sites=sites,
            domains=domains,
            workers=workers,
            stats_file=args.stats,
            state=args.state or (Path(state) if state else None),
        )
        return run_clean(job, progress=Progress())
    except (ConfigError, SitesFileError) as exc:
        print(f"cleancrawl: error: {exc}", file=sys.stderr)
        return ExitCode.CONFIG_ERROR


def _setting(value: str) -> tuple[str, str]:
    name, equals, setting = value.partition("=")
    if not equals or not name:
        raise ConfigError(f"-s {value}: give NAME=VALUE")
    return name.strip(), setting

"""``cleancrawl clean``'s forkserver, started before the command's own imports.

The forkserver imports the workers' modules and loads the default language backend and
junk rules (``crawler.clean_preload``, some 0.7 CPU s) before it forks a worker. Started
by the pool, that came after this process's own imports and settings check (some 0.6 s):
on 2 cores, a core-second idle at the start of every run. Started here, first thing, the
two run side by side. Light on purpose: nothing here imports Scrapy or the cleaning steps.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

# cleaning.page too: cleaning.worker, light for the crawl's process, imports it when a
# worker starts
PRELOAD = ["cleaning.worker", "cleaning.page", "crawler.clean_preload"]


def wants_workers(argv: list[str]) -> bool:
    """False if the arguments say at a glance that no worker will run (``--workers 0``,
    ``--help``); the full check comes later, and stops the server if it is not needed."""
    for n, arg in enumerate(argv):
        if arg in ("-h", "--help"):
            return False
        value = None
        if arg == "--workers" and n + 1 < len(argv):
            value = argv[n + 1]
        elif arg.startswith("--workers="):
            value = arg.partition("=")[2]
        if value is not None and value.strip() in ("0", "-0"):
            return False
    return True


def start_forkserver() -> int | None:
    """Start this process's forkserver with the workers' preloads; its pid if started here
    (None: not Linux, or one runs already and keeps its own preloads)."""
    if sys.platform != "linux":
        return None
    # its pid and _stop() are private (in typeshed too), as in CPython 3.11 to 3.14
    server: Any = multiprocessing.forkserver._forkserver
    if server._forkserver_pid is not None:
        return None
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    # the forkserver imports the main module named here first: the `cleancrawl` script
    # (the CLI, Scrapy and all) is not what the workers need
    with main_hidden():
        multiprocessing.forkserver.ensure_running()
    pid: int | None = server._forkserver_pid
    return pid


def stop_forkserver(pid: int | None) -> None:
    """Stop the forkserver ``start_forkserver`` started (pid ``pid``), if it still runs.

    Killed, not asked: asked (its pipe closed), it would first finish its preloads, some
    0.7 s after a bad argument's exit 2, holding the caller's stdout and stderr open.
    """
    server: Any = multiprocessing.forkserver._forkserver
    if pid is None or server._forkserver_pid != pid:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    server._stop()


def hide_main() -> dict[str, Any]:
    """Keep the workers from importing this process's main module; its hidden names, to
    put back once the workers are stopped.

    multiprocessing starts each worker by importing the parent's ``__main__`` (the
    ``cleancrawl`` script: the CLI, Scrapy and all), so that functions defined there can
    be sent to it: 1.1 CPU s a worker, more than the worker's own start. The workers
    run ``cleaning.worker``'s functions only, which the forkserver has imported already.
    """
    main = vars(sys.modules["__main__"])
    hidden: dict[str, Any] = {name: main[name] for name in ("__spec__", "__file__") if name in main}
    main["__spec__"] = None  # multiprocessing.spawn.get_preparation_data reads these two
    main.pop("__file__", None)
    return hidden


def show_main(hidden: dict[str, Any]) -> None:
    """Put back what ``hide_main`` hid."""
    vars(sys.modules["__main__"]).update(hidden)


@contextlib.contextmanager
def main_hidden() -> Iterator[None]:
    """``hide_main`` for the time of the block (the workers or forkserver it starts)."""
    hidden = hide_main()
    try:
        yield
    finally:
        show_main(hidden)

"""The crawl's asyncio event loop: uvloop's where it is installed, asyncio's default elsewhere."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from scrapy.utils.project import get_project_settings

from crawler import settings

if TYPE_CHECKING:
    from pathlib import Path

# what `scrapy crawl` does before any crawler: the process, and with it the reactor on the
# loop ASYNCIO_EVENT_LOOP names; prints the loop's class. With "no-uvloop", as where uvloop
# is not installed: the import system does not find it
LOOP_OF_A_CRAWL = """
import importlib.util, sys
if "no-uvloop" in sys.argv:
    found = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: None if name == "uvloop" else found(name, *a)
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.project import get_project_settings

AsyncCrawlerProcess(get_project_settings())
from twisted.internet import reactor
loop = reactor._asyncioEventloop
print(f"{type(loop).__module__}.{type(loop).__name__}")
"""


def test_uvloop_where_it_is_installed() -> None:
    pytest.importorskip("uvloop")
    assert settings.event_loop() == "uvloop.Loop"
    assert get_project_settings()["ASYNCIO_EVENT_LOOP"] == "uvloop.Loop"


def test_asyncio_default_loop_where_uvloop_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvloop" else found(name, *a)
    )
    # None: Scrapy's default, asyncio's own loop
    assert settings.event_loop() is None


def loop_of_a_crawl(root: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LOOP_OF_A_CRAWL, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.slow
def test_a_crawl_runs_on_uvloop(root: Path) -> None:
    pytest.importorskip("uvloop")
    assert loop_of_a_crawl(root) == "uvloop.Loop"


@pytest.mark.slow
def test_a_crawl_without_uvloop_runs_on_asyncio_default_loop(root: Path) -> None:
    assert loop_of_a_crawl(root, "no-uvloop") == "asyncio.unix_events._UnixSelectorEventLoop"

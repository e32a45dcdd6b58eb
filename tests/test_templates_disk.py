"""`cleancrawl clean`'s template counts on disk answer as the in-memory ones do."""

from __future__ import annotations

import contextlib
import random
from typing import TYPE_CHECKING

import pytest

from cleaning.templates import SiteTemplates, TemplateOptions, text_line_keys
from crawler.templates_disk import DiskSiteTemplates

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def _pages(seed: int, count: int) -> list[tuple[str, str]]:
    """(domain, text) pages of a few sites of many pages and many of one: each site's
    shared lines (its template) and lines of the page's own, some of which repeat."""
    rng = random.Random(seed)
    # letters only: digits fold alike in line keys
    words = ["".join(rng.choice("abcdefghij") for _ in range(5)) for _ in range(60)]
    pages = []
    for n in range(count):
        domain = f"big{rng.randrange(3)}.test" if n % 3 else f"one{n}.test"
        shared = [f"{domain[:4]} menu {words[k]}" for k in range(6) if rng.random() < 0.9]
        own = [" ".join(rng.sample(words, 2)) for _ in range(12)]
        lines = shared + own + ["", "  "]
        rng.shuffle(lines)
        pages.append((domain, "\n".join(lines)))
    return pages


def _chunks(
    disk: DiskSiteTemplates, items: list[tuple[str, str]], size: int
) -> Iterator[tuple[int, tuple[str, str]]]:
    """``enumerate(items)``, every ``size`` of them in one ``batch`` of ``disk`` (0: none)."""
    for start in range(0, len(items), size or len(items)):
        with disk.batch() if size else contextlib.nullcontext():
            assert disk._db.in_transaction == bool(size)  # one transaction, or none between
            yield from enumerate(items[start : start + size] if size else items, start)


@pytest.mark.parametrize("batch", [0, 16])
@pytest.mark.parametrize("max_lines", [20_000, 40, 7])
def test_disk_counts_decide_and_cut_as_memory(tmp_path: Path, max_lines: int, batch: int) -> None:
    """The same answers, whether each call is a transaction or ``batch`` makes many one
    (``cleancrawl clean`` batches a chunk of pages)."""
    # a low max_lines_per_domain prunes the big sites' counts many times on the way
    options = TemplateOptions(min_pages=3, min_share=0.1, max_lines_per_domain=max_lines)
    memory, disk = SiteTemplates(options), DiskSiteTemplates(options, tmp_path / "t.sqlite")
    earlier = SiteTemplates(options)
    for domain, text in _pages(1, 60):
        earlier.add_page(domain, text)
    stored = list(earlier.rows())
    memory.load(stored)
    disk.load(stored)
    pages = _pages(2, 300)
    for n, (domain, text) in _chunks(disk, pages, batch):
        keys = text_line_keys(text) if n % 2 else None  # made by a worker, or not
        memory.add_page(domain, text, keys)
        disk.add_page(domain, text, keys)
    assert disk.domains() == memory.domains()
    assert sorted(disk.rows()) == sorted(memory.rows())
    for domain in memory.domains():
        assert disk.pages(domain) == memory.pages(domain)
        assert disk.template(domain) == memory.template(domain)
    if max_lines > 7:  # at 7 the counts are pruned to 3 lines at every page: none is left
        assert any(memory.template(domain) for domain in memory.domains())
    more = _pages(3, 60)
    for domain, text in more:  # counted after the decisions: late lines, same cuts
        memory.add_page(domain, text)
        disk.add_page(domain, text)
    for _, (domain, text) in _chunks(disk, pages + more, batch):
        assert disk.strip(domain, text) == memory.strip(domain, text)
        line = text.split("\n")[0]
        assert disk.is_template(domain, line) == memory.is_template(domain, line)
    late = sum(memory.late_lines(domain) for domain in memory.domains())
    assert disk.all_late_lines() == late
    assert sorted(disk.rows()) == sorted(memory.rows())
    disk.close()
    assert not (tmp_path / "t.sqlite").exists()


def test_disk_adopt_and_counted_pages(tmp_path: Path) -> None:
    disk = DiskSiteTemplates(TemplateOptions(), tmp_path / "t.sqlite")
    disk.adopt("a.test", [5, 6])
    assert disk.decided("a.test")
    assert disk.template("a.test") == frozenset({5, 6})
    disk.adopt("a.test", [7])  # a later decision replaces it, the cache too
    assert disk.template("a.test") == frozenset({7})
    assert disk.count_once((1, 2))
    assert not disk.count_once((2, 3))  # one key counted before: the page was
    assert sorted(disk.counted_pages()) == [1, 2, 3]

"""`cleancrawl clean --state DIR`: a second run over new WARC files counts templates and finds
duplicates with the first, through the state directory a crawl keeps too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from crawler.cli import main
from crawler.config import ConfigError
from crawler.reclean import CleanJob, _Steps, clean_settings, run_clean
from crawler.state import StateLock, StateStore
from tests.hostile_site import GERMAN, article
from tests.test_warc import _letters
from tests.warc_site import TEMPLATE_LINE, common_crawl_warc

TEMPLATE_TEXT = "ByteWire is an independent publication edited in Lyon"


def _lines(number: int) -> list[str]:
    # distinct in their letters: template lines are found with digits folded away
    return [f"Bericht {_letters(number)}: {line}" for line in GERMAN]


def _page(url: str, lines: list[str], title: str = "", template: bool = True) -> dict[str, object]:
    body = article(title or url.rsplit("/", 1)[-1], lines, lang="de").encode()
    if template:  # the site's template: a line on its articles
        body = body.replace(b"</article>", TEMPLATE_LINE + b"</article>")
    return {
        "type": "response",
        "url": url,
        "headers": [("Content-Type", "text/html; charset=utf-8")],
        "body": body,
    }


def _first(path: Path) -> None:
    """January: five articles; the template line is on all of them."""
    common_crawl_warc(path, [_page(f"http://news.test/jan/{n}", _lines(n)) for n in range(5)])


def _second(path: Path) -> None:
    """February: two new articles with the template line, fewer than a template needs (3
    pages), and three pages that are duplicates of January's only (without the line: as
    January's text once the line is cut)."""
    near = _lines(0)
    near[1] = near[1].replace("höhere Gebühren", "deutlich höhere Gebühren")  # an edit
    common_crawl_warc(
        path,
        [
            _page("http://news.test/feb/10", _lines(10)),
            _page("http://news.test/feb/11", _lines(11)),
            # January's text under another URL, January's page again, and lightly edited
            _page("http://news.test/feb/copy", _lines(1), "1", template=False),
            _page("http://news.test/jan/2", _lines(2), template=False),
            _page("http://news.test/feb/near", near, "0", template=False),
        ],
    )


def _rows(output: Path) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in ds.dataset(output).to_table().to_pylist()}


def _outcomes(output: Path) -> dict[str, int]:
    stats = json.loads((output / "_clean_stats.json").read_text())
    prefix = "clean/outcome/"
    return {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}


def _clean(warc: Path, output: Path, state: Path | None) -> None:
    job = CleanJob(inputs=(warc,), output=output, settings=clean_settings({}, output), state=state)
    assert run_clean(job) == 0


def test_second_clean_with_the_state_dedups_and_cuts_templates_with_the_first(
    tmp_path: Path,
) -> None:
    january, february = tmp_path / "jan.warc.gz", tmp_path / "feb.warc.gz"
    _first(january)
    _second(february)
    state = tmp_path / "state"
    _clean(january, tmp_path / "out1", state)
    first = _rows(tmp_path / "out1")
    assert len(first) == 5
    assert not any(TEMPLATE_TEXT in row["text"] for row in first.values())
    # the second run through the command line, as a user runs it
    second_out = tmp_path / "out2"
    command = ["clean", str(february), "-o", str(second_out), "--state", str(state)]
    assert main([*command, "--workers", "0"]) == 0
    second = _rows(second_out)
    outcomes = _outcomes(second_out)
    assert outcomes["duplicate_text"] == 1  # feb/copy
    assert outcomes["unchanged"] == 1  # jan/2: same URL, same text as written in January
    assert sorted(second) == [
        "http://news.test/feb/10",
        "http://news.test/feb/11",
        "http://news.test/feb/near",
    ]
    # two pages of February carry the line: a template only counted with January's five
    assert not any(TEMPLATE_TEXT in row["text"] for row in second.values())
    assert second["http://news.test/feb/near"]["near_duplicate_of"] == "http://news.test/jan/0"
    # and the state holds both runs' rows for the next one (a crawl's too)
    pages = StateStore(state).pages()
    assert set(first) | set(second) <= set(pages)

    # without the state, February alone: nothing to compare with
    alone = tmp_path / "alone"
    _clean(february, alone, None)
    rows = _rows(alone)
    assert len(rows) == 5
    assert TEMPLATE_TEXT in rows["http://news.test/feb/10"]["text"]
    assert rows["http://news.test/feb/near"]["near_duplicate_of"] is None


def test_rows_reach_the_state_after_a_kill_between_ledger_and_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after an input is in the ledger and before its rows are in the state: the run
    started again puts them there (else the next run would not find them)."""
    january, february = tmp_path / "jan.warc.gz", tmp_path / "feb.warc.gz"
    _first(january)
    _second(february)
    state, output = tmp_path / "state", tmp_path / "out1"

    def killed(self: _Steps, rows: list[Any]) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(_Steps, "save", killed)
        with pytest.raises(KeyboardInterrupt):
            _clean(january, output, state)
    assert StateStore(state).pages() == {}
    _clean(january, output, state)  # resumed: the input is in the ledger, not cleaned again
    assert set(StateStore(state).pages()) == set(_rows(output))
    _clean(february, tmp_path / "out2", state)
    assert _outcomes(tmp_path / "out2")["duplicate_text"] == 1


def test_a_state_directory_in_use_is_refused(tmp_path: Path) -> None:
    warc = tmp_path / "jan.warc.gz"
    _first(warc)
    crawl = StateLock(tmp_path / "state")  # held by a crawl
    with pytest.raises(ConfigError, match="in use"):
        _clean(warc, tmp_path / "out", tmp_path / "state")
    crawl.file.close()
    _clean(warc, tmp_path / "out", tmp_path / "state")  # and released at the end of a run
    _clean(warc, tmp_path / "out2", tmp_path / "state")

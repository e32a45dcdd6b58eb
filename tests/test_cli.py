"""The ``cleancrawl`` command's own options."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from crawler.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"cleancrawl {version('cleancrawl')} (trafilatura ")
    assert "Scrapy 2." in out

"""The datatrove step: WarcReader → CleancrawlStep → ParquetWriter on datatrove's local
executor gives the rows `cleancrawl clean` gives for the same WARC file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

# skipped, not failed, where the extra is not installed (CI installs it with `dev`)
pytest.importorskip("datatrove", reason="the `datatrove` extra is not installed")
pytest.importorskip("cchardet", reason="WarcReader needs faust-cchardet (the `datatrove` extra)")
pytest.importorskip("magic", reason="WarcReader needs python-magic (the `datatrove` extra)")

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import ParquetWriter

from cleaning import CleaningOptions
from cleaning.datatrove_step import COLUMNS, CleancrawlStep, parquet_schema
from crawler.reclean import CleanJob, clean_settings, run_clean
from tests.hostile_site import FRENCH, GERMAN, article
from tests.warc_site import common_crawl_warc

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "crawler/sample_site/news"
COMPARED = ["url", "id", "text", "language", "title", "date_published", "date"]


def _page(url: str, body: bytes) -> dict[str, object]:
    return {
        "type": "response",
        "url": url,
        "headers": [("Content-Type", "text/html; charset=utf-8")],
        "body": body,
    }


def _news(name: str) -> bytes:
    return (NEWS / name / "index.html").read_bytes()


def _warc(path: Path) -> None:
    pages = [
        _page("http://news.test/a", _news("router-firmware-backdoor")),
        _page("http://news.test/en", _news("hospital-ransomware-recovery")),
        _page("http://news.test/fr", article("La fibre", FRENCH, lang="fr").encode()),
        _page("http://blog.test/de", article("Netze", GERMAN, lang="de").encode()),
        # dropped by cleaning: a listing page, and a page with two words
        _page("http://news.test/", (ROOT / "crawler/sample_site/index.html").read_bytes()),
        _page("http://news.test/short", b"<html><body><p>Two words.</p></body></html>"),
    ]
    common_crawl_warc(path, [{"type": "warcinfo"}, *pages])


def _datatrove(warc_dir: Path, output: Path, logs: Path) -> dict[str, Any]:
    """Run the pipeline; the cleancrawl step's stats."""
    pipeline = [
        WarcReader(str(warc_dir), glob_pattern="*.warc.gz"),
        CleancrawlStep(CleaningOptions()),
        ParquetWriter(str(output), expand_metadata=True, schema=parquet_schema()),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=str(logs)).run()
    steps = json.loads((logs / "stats.json").read_text())
    step = next(s for s in steps if "cleancrawl" in s["name"])
    return {
        name: value["total"] if isinstance(value, dict) else value
        for name, value in step["stats"].items()
    }


def test_datatrove_pipeline_gives_the_rows_of_cleancrawl_clean(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    warc_dir.mkdir()
    _warc(warc_dir / "CC-MAIN-00000.warc.gz")
    stats = _datatrove(warc_dir, tmp_path / "datatrove", tmp_path / "logs")

    output = tmp_path / "clean"
    # templates off: the datatrove step cleans each document on its own (see the README)
    settings = clean_settings({"CLEANCRAWL_TEMPLATES_ENABLED": "False"}, output)
    job = CleanJob(inputs=tuple(warc_dir.iterdir()), output=output, settings=settings)
    assert run_clean(job) == 0
    clean_stats = json.loads((output / "_clean_stats.json").read_text())

    table = ds.dataset(tmp_path / "datatrove").to_table()
    assert table.schema == parquet_schema()
    ours = sorted(table.select(COMPARED).to_pylist(), key=lambda row: row["url"])
    theirs = ds.dataset(output).to_table(columns=COMPARED).to_pylist()
    theirs.sort(key=lambda row: row["url"])
    assert len(ours) == 4
    assert ours == theirs
    # the other columns a crawl computes from the page alone are the same too
    alone = [c for c in COLUMNS if c not in ("site",)]
    full = {r["url"]: r for r in ds.dataset(output).to_table(columns=alone).to_pylist()}
    for row in table.select(alone).to_pylist():
        assert row == full[row["url"]]
    assert {r["language"] for r in ours} == {"en", "fr", "de"}
    assert all(r["warc_record_id"].startswith("<urn:uuid:") for r in table.to_pylist())
    # drops: datatrove's own stats, a named cleancrawl reason each, as `clean` counted them
    assert stats["dropped"] == 2
    assert stats["forwarded"] == 4
    assert stats["dropped_page_type_listing"] == clean_stats["clean/outcome/page_type_listing"]
    short = {k: v for k, v in stats.items() if k in ("dropped_too_short", "dropped_no_text")}
    assert sum(short.values()) == 1


def test_dropped_pages_go_to_the_exclusion_writer_with_their_reason(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    warc_dir.mkdir()
    _warc(warc_dir / "part.warc.gz")
    excluded = tmp_path / "excluded"
    pipeline = [
        WarcReader(str(warc_dir)),
        CleancrawlStep(
            CleaningOptions(languages=frozenset({"fr"})),
            exclusion_writer=ParquetWriter(str(excluded)),
        ),
        ParquetWriter(str(tmp_path / "kept"), expand_metadata=True, schema=parquet_schema()),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=str(tmp_path / "logs")).run()
    kept = ds.dataset(tmp_path / "kept").to_table().to_pylist()
    assert [row["url"] for row in kept] == ["http://news.test/fr"]
    dropped = ds.dataset(excluded).to_table().to_pylist()
    reasons = {row["metadata"]["url"]: row["metadata"]["filter_reason"] for row in dropped}
    assert reasons["http://news.test/en"] == "language"
    assert reasons["http://news.test/"] == "page_type_listing"
    assert len(reasons) == 5  # every page but the one kept, each under its reason


@pytest.mark.slow  # a Python process of its own, for a clean sys.modules
def test_cleaning_needs_neither_scrapy_nor_datatrove() -> None:
    """`cleaning` loads without datatrove (a core install), the step without Scrapy."""
    code = (
        "import sys, cleaning, cleaning.page, cleaning.worker; "
        "assert 'datatrove' not in sys.modules and 'scrapy' not in sys.modules; "
        "import cleaning.datatrove_step; "
        "assert 'scrapy' not in sys.modules, 'scrapy'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

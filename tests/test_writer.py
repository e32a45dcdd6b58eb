from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from output import ARTICLE_SCHEMA, ParquetOptions, RollingParquetWriter


def row(n: int) -> dict[str, Any]:
    return {
        "text": f"text {n}",
        "id": f"id-{n}",
        "url": f"https://a.test/{n}",
        "date": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "language": "en",
        "language_score": 0.99,
        "language_share": 1.0,
        "page_type": "article",
        "title": None,
        "authors": ["A B"],
        "date_published": date(2025, 1, 1),
        "domain": "a.test",
        "site": "a",
        "sitename": None,
        "description": None,
        "tags": [],
        "word_count": 2,
        "content_hash": "h",
        "http_status": 200,
        "spider": "technews",
        "crawl_id": "c1",
        "extractor_version": "trafilatura x",
        "cleancrawl_version": "0",
        "mean_word_length": 4.0,
        "symbol_word_ratio": 0.0,
        "alpha_word_share": 0.5,
        "punctuation_line_share": 0.0,
        "duplicate_line_share": 0.0,
        "stop_words": 0,
    }


def writer(directory: Path, **kwargs: Any) -> RollingParquetWriter:
    options = ParquetOptions(directory=directory, basename="technews-c1", **kwargs)
    return RollingParquetWriter(options, ARTICLE_SCHEMA, {"cleancrawl.crawl_id": "c1"})


def test_rolls_files_at_the_row_limit(tmp_path: Path) -> None:
    w = writer(tmp_path, max_rows_per_file=4, batch_size=3)
    for n in range(10):
        w.write(row(n))
    w.close()
    assert [p.name for p in w.files] == [f"technews-c1-0000{i}.parquet" for i in range(3)]
    assert [pq.ParquetFile(p).metadata.num_rows for p in w.files] == [4, 4, 2]
    table = ds.dataset(tmp_path).to_table()
    assert sorted(table.column("text").to_pylist()) == sorted(f"text {n}" for n in range(10))
    assert table.schema.remove_metadata() == ARTICLE_SCHEMA.remove_metadata()


def test_open_file_is_hidden_until_closed(tmp_path: Path) -> None:
    w = writer(tmp_path, batch_size=1)
    w.write(row(1))
    assert [p.name for p in tmp_path.iterdir()] == [".technews-c1-00000.parquet.tmp"]
    # a reader of the folder sees no file, and no broken one
    assert ds.dataset(tmp_path, format="parquet").to_table().num_rows == 0
    w.close()
    assert [p.name for p in tmp_path.iterdir()] == ["technews-c1-00000.parquet"]


def test_metadata_and_schema_travel_in_the_file(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.write(row(1))
    w.close()
    schema = pq.read_schema(w.files[0])
    assert schema.metadata[b"cleancrawl.crawl_id"] == b"c1"
    assert schema.field("date").type == ARTICLE_SCHEMA.field("date").type
    assert schema.field("text").metadata[b"description"]


def test_never_overwrites_an_earlier_file(tmp_path: Path) -> None:
    for _ in range(2):
        w = writer(tmp_path)
        w.write(row(1))
        w.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "technews-c1-00000.parquet",
        "technews-c1-00001.parquet",
    ]


def test_no_rows_no_file(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.close()
    assert list(tmp_path.iterdir()) == []


def test_rejects_a_row_that_does_not_fit_the_schema(tmp_path: Path) -> None:
    w = writer(tmp_path, batch_size=1)
    with pytest.raises((TypeError, ValueError)):  # pyarrow's conversion errors
        w.write({**row(1), "word_count": "many"})


@pytest.mark.parametrize(
    "kwargs", [{"max_rows_per_file": 0}, {"batch_size": 0}, {"basename": ".hidden"}]
)
def test_options_validate_themselves(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ParquetOptions(**{"directory": tmp_path, "basename": "x", **kwargs})

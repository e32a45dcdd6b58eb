"""WARC: archived while crawling (CLEANCRAWL_WARC_DIR), cleaned again by `cleancrawl clean`."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.reasons import is_drop_reason
from crawler.reclean import LEDGER, CleanJob, RecordOutcome, clean_settings, read_records, run_clean
from output.warc import RENAMED_HEADERS, Exchange, RollingWarcWriter, WarcOptions
from tests.conftest import ROOT, CrawlRun, norm, run_scrapy_crawl
from tests.hostile_site import GERMAN, RUSSIAN, article
from tests.warc_site import ArchiveSite, common_crawl_warc, html_pages_warc

WARCIO = [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())"]
COMPARED = ["url", "id", "text", "language", "title", "date_published"]
# templates off: the first pass of `clean` (counting templates) is left out of some tests
SETTINGS = {"CLEANCRAWL_TEMPLATES_ENABLED": "False"}
SAMPLE_ARTICLE = (
    ROOT / "crawler/sample_site/news/router-firmware-backdoor/index.html"
).read_bytes()


def records_of(path: Path) -> list[Any]:
    """Every record of a WARC file, its payload read (raises if a record is damaged)."""
    with path.open("rb") as handle:
        return [
            (r.rec_type, r.rec_headers, r.http_headers, r.raw_stream.read())
            for r in ArchiveIterator(handle)
        ]


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WARCIO, "check", *map(str, paths)], capture_output=True, text=True, check=False
    )


def exchange(n: int, size: int = 2000) -> Exchange:
    return Exchange(
        url=f"http://news.test/{n}",
        method="GET",
        request_target=f"/{n}",
        request_headers=[("Host", "news.test"), ("Accept-Encoding", "gzip")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        body=os.urandom(size),
        ip_address="127.0.0.1",
    )


# ---------------------------------------------------------------------------- the writer


@pytest.mark.slow
def test_writer_rolls_files_at_the_size_limit_and_renames_them_when_closed(tmp_path: Path) -> None:
    writer = RollingWarcWriter(
        WarcOptions(directory=tmp_path, basename="technews-run1", max_bytes=5000),
        {"isPartOf": "run1"},
    )
    for n in range(5):
        writer.write(exchange(n))
        # the file being written is never under a name a `*.warc.gz` reader picks up
        assert all(p.name.endswith(".warc.gz") for p in tmp_path.glob("*.warc.gz"))
    assert writer.open_path is not None and writer.open_path.name.endswith(".warc.gz.open")
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == [f"technews-run1-{n:05d}.warc.gz" for n in range(3)]
    assert warcio_check(*files).returncode == 0
    for path in files:
        records = records_of(path)
        assert records[0][0] == "warcinfo"
        assert b"isPartOf: run1" in records[0][3]
        assert records[0][1].get_header("WARC-Filename") == path.name
        assert records[0][1].protocol == "WARC/1.1"
        pairs = records[1:]
        assert [kind for kind, *_ in pairs] == ["response", "request"] * (len(pairs) // 2)
        for (_, response, http, _), (_, request, request_http, _) in zip(
            pairs[::2], pairs[1::2], strict=True
        ):
            assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
            assert response.get_header("WARC-Payload-Digest").startswith("sha1:")
            assert response.get_header("WARC-IP-Address") == "127.0.0.1"
            # the payload is stored de-chunked: no reader may de-chunk it again
            assert http.get_header("Transfer-Encoding") is None
            assert http.get_header("X-Crawler-Transfer-Encoding") == "chunked"
            assert request_http.protocol == "GET"  # warcio: a request line's method
            assert request_http.statusline.endswith(" HTTP/1.1")


def test_a_file_cut_in_a_record_is_read_up_to_its_last_whole_record(tmp_path: Path) -> None:
    writer = RollingWarcWriter(WarcOptions(directory=tmp_path, basename="cut"), {})
    for n in range(4):
        writer.write(exchange(n, size=3000))
    assert writer.open_path is not None
    data = writer.open_path.read_bytes()
    for cut in (len(data) - 1500, len(data) - 3100, len(data) - 3600):
        path = tmp_path / "cut.warc.gz.open"
        path.write_bytes(data[:cut])
        outcomes: Counter[str] = Counter()
        urls = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r, _ in read_records(path, outcomes, 10**6)
        ]
        assert urls[0] is None  # warcinfo
        assert urls[1:] == [f"http://news.test/{n // 2}" for n in range(len(urls) - 1)]
        assert len(urls) >= 1 + 2 * 3 - 1
        assert outcomes == {"unreadable": 1}


def test_writer_records_are_those_warcio_builds(tmp_path: Path) -> None:
    """The writer builds its records itself (cheaper): the same headers in the same order,
    the same blocks, as warcio's own builder makes of the same exchange."""
    unusual = Exchange(
        url="http://news.test/caf\u00e9?q=1",
        method="POST",
        request_target="/caf%C3%A9?q=1",
        request_headers=[("Host", "news.test"), ("Content-Type", "text/plain")],
        request_body=b"a=1",
        protocol="HTTP/1.0",
        status=404,
        reason="",
        response_headers=[("X-Name", "caf\xe9"), ("Transfer-Encoding", "chunked")],
        body=b"",
        ip_address=None,
        truncated="length",
        extra={"WARC-Protocol": "http/1.0"},
    )
    writer = RollingWarcWriter(WarcOptions(directory=tmp_path, basename="same"), {"a": "b"})
    items = (exchange(1), unusual)  # exchange(): a random body
    for item in items:
        writer.write(item)
    writer.close()
    builder = WARCWriter(None, gzip=False, warc_version="WARC/1.1")
    expected = []
    for item in items:
        headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in item.response_headers]
        warc = {"WARC-IP-Address": item.ip_address or "", **item.extra}
        if item.truncated:
            warc["WARC-Truncated"] = item.truncated
        response = builder.create_warc_record(
            item.url,
            "response",
            payload=io.BytesIO(item.body),
            http_headers=StatusAndHeaders(
                f"{item.status} {item.reason}".strip(), headers, protocol=item.protocol
            ),
            warc_headers_dict={k: v for k, v in warc.items() if v},
        )
        request = builder.create_warc_record(
            item.url,
            "request",
            payload=io.BytesIO(item.request_body),
            http_headers=StatusAndHeaders(
                f"{item.method} {item.request_target} HTTP/1.1",
                item.request_headers,
                is_http_request=True,
            ),
        )
        request.rec_headers.add_header("WARC-Concurrent-To", "ID")
        for record in (response, request):
            buffer = io.BytesIO()
            builder.out = buffer
            builder.write_record(record)
            expected.append(buffer.getvalue())
    whole = gzip.decompress(writer.files[0].read_bytes())
    got = whole[whole.index(b"WARC/1.1", 10) :]  # after the warcinfo record

    def same(data: bytes) -> bytes:  # record ids and dates differ from run to run
        data = re.sub(rb"<urn:uuid:[0-9a-f-]+>", b"ID", data)
        return re.sub(rb"WARC-Date: \S+", b"DATE", data)

    assert same(got) == same(b"".join(expected))  # digests included


def test_a_record_without_target_uri_ends_its_file_as_unreadable(tmp_path: Path) -> None:
    # invalid WARC (a response names its URI), which warcio's parser fails on
    specs: list[dict[str, object]] = [
        {"type": "response", "url": "http://news.test/1", "body": SAMPLE_ARTICLE},
        {"type": "response", "url": "http://news.test/2", "body": SAMPLE_ARTICLE},
    ]
    common_crawl_warc(tmp_path / "uri.warc.gz", specs)
    path = tmp_path / "no-uri.warc"  # uncompressed: the header line taken out
    whole = gzip.decompress((tmp_path / "uri.warc.gz").read_bytes())
    path.write_bytes(whole.replace(b"WARC-Target-URI: http://news.test/2\r\n", b""))
    outcomes: Counter[str] = Counter()
    records = list(read_records(path, outcomes, 10**7))
    assert [r.rec_headers.get_header("WARC-Target-URI") for r, _ in records] == [
        "http://news.test/1"
    ]
    assert outcomes == {"unreadable": 1}


def test_records_are_inflated_by_isal_with_zlibs_bytes_and_outcomes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs: list[dict[str, object]] = [{"type": "warcinfo", "url": ""}]
    for n in range(1, 4):
        specs.append(
            {"type": "response", "url": f"http://news.test/{n}", "body": SAMPLE_ARTICLE * n}
        )
    path = tmp_path / "cc.warc.gz"
    common_crawl_warc(path, specs)
    cut = tmp_path / "cut.warc.gz"  # the last member cut off mid-way
    cut.write_bytes(path.read_bytes()[: path.stat().st_size - 2000])
    made: list[object] = []
    real = isal_zlib.decompressobj

    def counted(wbits: int) -> object:
        made.append(wbits)
        return real(wbits)

    monkeypatch.setattr(isal_zlib, "decompressobj", counted)
    for warc in (path, cut):
        outcomes: Counter[str] = Counter()
        got = [(r.rec_type, r.raw_stream.read()) for r, _ in read_records(warc, outcomes, 10**7)]
        expected = []
        with warc.open("rb") as handle:  # warcio alone, with zlib
            for record in ArchiveIterator(handle):
                expected.append((record.rec_type, record.raw_stream.read()))
        whole = len(expected) if warc == path else len(expected) - 1  # warcio takes the part
        assert got == expected[:whole]
        assert outcomes == ({} if warc == path else {"unreadable": 1})
    # a gzip member a record in both files (the cut one may end before its last), ISA-L each
    assert len(made) >= 2 * len(specs) - 1


# ---------------------------------------------------------------------------- a crawl


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, Path]:
    tmp = tmp_path_factory.mktemp("warc_crawl")
    warc_dir = tmp / "warc"
    with ArchiveSite() as site:
        run = run_scrapy_crawl(
            tmp,
            "-a",
            f"url={site.url}/",
            settings={  # the crawl's defaults, site templates on
                "CLEANCRAWL_WARC_DIR": str(warc_dir),
                "CLEANCRAWL_WARC_MAX_BYTES": "40000",  # a few files
                "CLEANCRAWL_WORKERS": "1",
            },
        )
    assert run.returncode == 0, run.log[-3000:]
    return run, warc_dir


def test_crawl_archives_every_response_in_valid_files(crawl: tuple[CrawlRun, Path]) -> None:
    run, warc_dir = crawl
    files = sorted(warc_dir.iterdir())
    assert len(files) >= 2, "rolled at CLEANCRAWL_WARC_MAX_BYTES"
    assert all(re.fullmatch(r"technews-.+-\d{5}\.warc\.gz", f.name) for f in files), files
    check = warcio_check(*files)
    assert check.returncode == 0, check.stdout + check.stderr
    responses = [
        (headers.get_header("WARC-Target-URI"), http, payload)
        for path in files
        for kind, headers, http, payload in records_of(path)
        if kind == "response"
    ]
    assert len(responses) == run.stats["warc/responses"]
    # the robots.txt the spider asks for is answered from the robots middleware's own fetch
    assert run.stats["warc/not_downloaded"] == 1
    assert len(responses) + 1 == run.stats["downloader/response_count"]
    urls = Counter(urlsplit_path(url) for url, _, _ in responses)
    # robots.txt once (fetched once; the spider's own request is answered from it), the
    # sitemaps, the feed, the pages, the 404 and the redirect
    assert urls["/robots.txt"] == 1
    assert urls["/sitemap_index.xml"] == 1
    assert urls["/enc/cp1251/"] == 1
    assert any(http.get_statuscode() == "404" for _, http, _ in responses)
    assert any(http.get_statuscode() == "301" for _, http, _ in responses)


def urlsplit_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_payload_is_archived_as_received_before_decompression(crawl: tuple[CrawlRun, Path]) -> None:
    _, warc_dir = crawl
    found = False
    for path in sorted(warc_dir.iterdir()):
        records = records_of(path)
        by_id = {
            headers.get_header("WARC-Record-ID"): (http, payload)
            for _, headers, http, payload in records
        }
        for kind, headers, http, _ in records:
            if kind != "request" or not headers.get_header("WARC-Target-URI").endswith(
                "/enc/cp1251/"
            ):
                continue
            assert "gzip" in http.get_header("Accept-Encoding")  # the request as sent
            response_http, body = by_id[headers.get_header("WARC-Concurrent-To")]
            assert response_http.get_header("Content-Encoding") == "gzip"
            assert body.startswith(b"\x1f\x8b")  # the compressed bytes the server sent
            assert "Новости связи".encode("cp1251") in gzip.decompress(body)
            found = True
    assert found


def test_clean_of_the_crawls_warc_gives_the_crawls_rows(
    crawl: tuple[CrawlRun, Path], tmp_path: Path
) -> None:
    run, warc_dir = crawl
    output = tmp_path / "clean"
    command = [
        sys.executable,
        "-m",
        "crawler.cli",
        "clean",
        str(warc_dir),
        "-o",
        str(output),
        "--workers",
        "2",
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cleancrawl clean finished" in done.stdout
    assert "written" in done.stderr  # the progress line
    crawled = {r["url"]: r for r in ds.dataset(run.output).to_table(columns=COMPARED).to_pylist()}
    cleaned = {r["url"]: r for r in ds.dataset(output).to_table(columns=COMPARED).to_pylist()}
    assert len(crawled) >= 20
    assert sorted(cleaned) == sorted(crawled)
    differences = [url for url in crawled if crawled[url] != cleaned[url]]
    assert differences == []
    russian = next(row for url, row in cleaned.items() if url.endswith("/enc/cp1251/"))
    assert norm(RUSSIAN[0]) in norm(russian["text"])
    stats = json.loads((output / "_clean_stats.json").read_text())
    # every record has an outcome; the pages the crawl dropped are dropped for the same reason
    assert stats["clean/records"] == sum(
        v for k, v in stats.items() if k.startswith("clean/outcome/")
    )
    assert stats["clean/outcome/written"] == run.stats["cleaning/kept"]
    # the site's template was cut on both sides, the same lines
    assert run.stats["cleaning/lines_removed/template"] > 0
    assert stats["cleaning/lines_removed/template"] == run.stats["cleaning/lines_removed/template"]
    assert not (output / "_clean_spill").exists()
    for reason in ("page_type_listing", "http_404"):
        assert stats[f"clean/outcome/{reason}"] == run.stats[f"cleaning/dropped/{reason}"]
    table = pq.read_table(next(output.glob("*.parquet")))
    assert table.schema.metadata[b"cleancrawl.schema_version"]


def test_clean_output_does_not_depend_on_record_order(
    crawl: tuple[CrawlRun, Path], tmp_path: Path
) -> None:
    _, warc_dir = crawl
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    forward.mkdir()
    backward.mkdir()
    members: list[bytes] = []  # one gzip member per record: copied as they are
    for path in sorted(warc_dir.iterdir()):
        data = path.read_bytes()
        (forward / path.name).write_bytes(data)
        with path.open("rb") as handle:
            archive = ArchiveIterator(handle)
            for _ in archive:
                start, length = archive.get_record_offset(), archive.get_record_length()
                members.append(data[start : start + length])
    (backward / "reversed.warc.gz").write_bytes(b"".join(reversed(members)))
    rows = {}
    for folder in (forward, backward):
        output = tmp_path / f"{folder.name}-out"
        job = CleanJob(
            inputs=tuple(sorted(folder.iterdir())),
            output=output,
            settings=clean_settings({}, output),
            workers=0,
        )
        assert run_clean(job) == 0
        table = ds.dataset(output).to_table(columns=COMPARED).to_pylist()
        rows[folder.name] = sorted(table, key=lambda row: row["url"])
    assert len(rows["forward"]) >= 20
    assert rows["forward"] == rows["backward"]


@pytest.mark.slow
def test_a_killed_crawl_leaves_valid_closed_files_and_a_readable_open_one(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    command = [sys.executable, "-m", "scrapy", "crawl", "technews"]
    with ArchiveSite(delay=0.2, many=60) as site:
        settings = {
            "CLEANCRAWL_ALLOW_PRIVATE_HOSTS": "True",
            "AUTOTHROTTLE_ENABLED": "False",
            "CLEANCRAWL_WARC_DIR": str(warc_dir),
            "CLEANCRAWL_WARC_MAX_BYTES": "20000",
            "CLEANCRAWL_OUTPUT_DIR": str(tmp_path / "parquet"),
            "CLEANCRAWL_WORKERS": "0",
        }
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        process = subprocess.Popen(
            [*command, "-a", f"url={site.url}/"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            # two files closed, a third being written
            if len(list(warc_dir.glob("*.warc.gz"))) >= 2 and any(warc_dir.glob("*.open")):
                break
            time.sleep(0.02)
        assert process.poll() is None, "the crawl ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    closed = sorted(warc_dir.glob("*.warc.gz"))
    check = warcio_check(*closed)
    assert check.returncode == 0, check.stdout + check.stderr
    # the kill may land between closing a file and opening the next: then no .open file
    open_files = list(warc_dir.glob("*.warc.gz.open"))
    assert len(open_files) <= 1
    for open_file in open_files:
        outcomes: Counter[str] = Counter()
        records = [record.rec_type for record, _ in read_records(open_file, outcomes, 10**8)]
        # empty when the kill landed between creating the file and writing its warcinfo
        assert not records or records[0] == "warcinfo"
        # whole exchanges only, unless the kill cut the last one (then counted as unreadable);
        # an empty file (above) has no exchange to cut
        assert not records or len(records) % 2 == 1 or outcomes == {"unreadable": 1}
        assert set(outcomes) <= {"unreadable"}


# ---------------------------------------------------------------------------- Common Crawl


def _html(title: str, paragraphs: list[str], lang: str) -> bytes:
    return article(title, paragraphs, lang=lang).encode()


CC_RECORDS: list[tuple[dict[str, object], str | None]] = [
    ({"type": "warcinfo"}, "not_response"),
    ({"type": "request", "url": "http://news.test/a"}, "not_response"),
    (
        {
            "type": "response",
            "url": "http://news.test/a",
            "headers": [("Content-Type", "text/html; charset=utf-8")],
            "body": SAMPLE_ARTICLE,
        },
        "written",
    ),
    # Common Crawl stores payloads decompressed, the header renamed
    (
        {
            "type": "response",
            "url": "http://news.test/ru",
            "headers": [
                ("Content-Type", "text/html; charset=windows-1251"),
                ("X-Crawler-Content-Encoding", "gzip"),
            ],
            "body": article("Новости связи", RUSSIAN, lang="ru").encode("cp1251"),
        },
        "written",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/de.gz",
            "headers": [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            "body": gzip.compress(_html("Netze", GERMAN, "de")),
        },
        "written",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/report.pdf",
            "headers": [("Content-Type", "application/pdf")],
            "body": b"%PDF-1.4 binary",
        },
        "not_html",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/logo.jpg",
            "headers": [("Content-Type", "image/jpeg")],
            "body": b"\xff\xd8\xff\xe0" + os.urandom(500),
        },
        "not_html",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/big",
            "headers": [("Content-Type", "text/html")],
            "body": SAMPLE_ARTICLE[:3000],
            "warc": {"WARC-Truncated": "length"},
        },
        "truncated",
    ),
    (
        {
            "type": "revisit",
            "url": "http://news.test/a",
            "headers": [("Content-Type", "text/html")],
            "warc": {
                "WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
                "WARC-Refers-To-Target-URI": "http://news.test/a",
            },
        },
        "revisit",
    ),
    (
        {"type": "metadata", "url": "http://news.test/a", "body": b"fetchTimeMs: 120\r\n"},
        "not_response",
    ),
    (
        {"type": "response", "url": "dns:news.test", "body": b"news.test. 300 IN A 10.0.0.1"},
        "not_response",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/gone",
            "status": 404,
            "headers": [("Content-Type", "text/html")],
            "body": b"<h1>Not found</h1>",
        },
        "http_404",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/old",
            "status": 301,
            "headers": [("Location", "/a")],
            "body": b"",
        },
        "redirect",
    ),
    (
        {
            "type": "response",
            "url": "http://elsewhere.test/a",
            "headers": [("Content-Type", "text/html")],
            "body": SAMPLE_ARTICLE,
        },
        "other_site",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/bin",
            "headers": [("Content-Type", "text/html")],
            "body": bytes(range(256)) * 40,
        },
        "binary",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/",
            "headers": [("Content-Type", "text/html")],
            "body": (ROOT / "crawler/sample_site/index.html").read_bytes(),
        },
        "page_type_listing",
    ),
    (
        {
            "type": "response",
            "url": "http://news.test/short",
            "headers": [("Content-Type", "text/html")],
            "body": b"<html><body><p>Two words.</p></body></html>",
        },
        None,
    ),
    # the same page archived twice: one row
    (
        {
            "type": "response",
            "url": "http://news.test/a",
            "headers": [("Content-Type", "text/html")],
            "body": SAMPLE_ARTICLE,
        },
        "same_page",
    ),
]


def test_common_crawl_shaped_warc_gives_every_record_a_named_outcome(tmp_path: Path) -> None:
    path = tmp_path / "CC-MAIN-20250101000000-20250101010000-00000.warc.gz"
    common_crawl_warc(path, [spec for spec, _ in CC_RECORDS])
    data = path.read_bytes()
    # and a record cut off at the end of the file, as in a partial download
    common_crawl_warc(tmp_path / "tail.warc.gz", [CC_RECORDS[2][0]])
    path.write_bytes(data + (tmp_path / "tail.warc.gz").read_bytes()[:-400])
    (tmp_path / "tail.warc.gz").unlink()
    with path.open("rb") as handle:
        assert next(iter(ArchiveIterator(handle))).rec_headers.protocol == "WARC/1.0"
    output = tmp_path / "out"
    job = CleanJob(
        inputs=(path,),
        output=output,
        settings=clean_settings(SETTINGS, output),
        domains=("news.test",),
        workers=0,
    )
    assert run_clean(job) == 0
    stats = json.loads((output / "_clean_stats.json").read_text())
    outcomes = {
        k.removeprefix("clean/outcome/"): v
        for k, v in stats.items()
        if k.startswith("clean/outcome/")
    }
    expected = Counter(outcome for _, outcome in CC_RECORDS if outcome)
    expected["unreadable"] += 1
    short = outcomes.pop("too_short", 0) + outcomes.pop("no_text", 0)
    assert short == 1  # two words: no text or too short, as trafilatura sees it
    assert outcomes == dict(expected)
    assert stats["clean/records"] == len(CC_RECORDS) + 1
    names = set(RecordOutcome) | {"written"}
    assert all(name in names or is_drop_reason(name) for name in outcomes)
    rows = {r["url"]: r for r in ds.dataset(output).to_table().to_pylist()}
    assert sorted(rows) == ["http://news.test/a", "http://news.test/de.gz", "http://news.test/ru"]
    assert rows["http://news.test/ru"]["language"] == "ru"
    assert norm(RUSSIAN[0]) in norm(rows["http://news.test/ru"]["text"])
    assert rows["http://news.test/de.gz"]["language"] == "de"
    assert rows["http://news.test/a"]["date"].year >= 2025  # WARC-Date
    assert {row["spider"] for row in rows.values()} == {"clean"}


# ---------------------------------------------------------------------------- kill and resume


def _letters(number: int) -> str:
    """``number`` in base 26, each digit a doubled letter: text that differs in its words."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] * 2 + word
        if not number:
            return word


def _inputs(folder: Path, files: int, pages: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for f in range(files):
        specs: list[dict[str, object]] = []
        for p in range(pages):
            # distinct in their letters: template lines are found with digits folded away
            lines = [f"Bericht {_letters(f * 100 + p)}: {line}" for line in GERMAN]
            specs.append(
                {
                    "type": "response",
                    "url": f"http://news.test/{f}/{p}",
                    "headers": [("Content-Type", "text/html")],
                    "body": _html(f"Bericht {f}-{p}", lines, "de"),
                }
            )
        # a page in two files: the duplicate state must survive a resume
        specs.append(
            {
                "type": "response",
                "url": f"http://news.test/copy/{f}",
                "headers": [("Content-Type", "text/html")],
                "body": SAMPLE_ARTICLE,
            }
        )
        path = folder / f"part-{f:02d}.warc.gz"
        common_crawl_warc(path, specs)
        paths.append(path)
    return paths


def _clean(inputs: Path, output: Path, templates: bool) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "crawler.cli",
        "clean",
        f"{inputs}/*.warc.gz",
        "-o",
        str(output),
        "--workers",
        "2",
    ]
    # small files, written in small batches: a kill finds some closed in the middle of an input
    small = {"CLEANCRAWL_PARQUET_MAX_ROWS": "5", "CLEANCRAWL_PARQUET_BATCH_SIZE": "2"}
    for name, value in {**small, "CLEANCRAWL_TEMPLATES_ENABLED": str(templates)}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err
    return out


def _killable(output: Path, templates: bool) -> bool:
    """True once an input is done and the next one has a closed file: a kill then lands in
    the middle of an input. With templates, once the first pass has kept two inputs: the
    second pass, from what the first kept, is too quick to be caught."""
    if templates:
        return len(list((output / "_clean_spill").glob("*.pickle"))) >= 2
    ledger = output / LEDGER
    lines = ledger.read_text().splitlines() if ledger.exists() else []
    if len(lines) < 2 or not lines[-1].endswith("}"):
        return False
    noted = {name for line in lines[1:] for name in json.loads(line)["files"]}
    return any(path.name not in noted for path in output.glob("*.parquet"))


@pytest.mark.slow
@pytest.mark.parametrize("templates", [False, True], ids=["one_pass", "templates"])
def test_clean_killed_and_run_again_loses_and_repeats_nothing(
    tmp_path: Path, templates: bool
) -> None:
    inputs = tmp_path / "warc"
    _inputs(inputs, files=6, pages=12)
    reference = tmp_path / "reference"
    _finish(_clean(inputs, reference, templates))

    output = tmp_path / "killed"
    process = _clean(inputs, output, templates)
    ledger = output / LEDGER
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if _killable(output, templates):
            break
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # its worker processes, if any are left
    done_before = len(ledger.read_text().splitlines()) - 1 if ledger.exists() else 0
    assert done_before < 6
    out = _finish(_clean(inputs, output, templates))
    assert f"({done_before} done by an earlier run)" in out

    def rows(folder: Path) -> list[dict[str, Any]]:
        files = sorted(folder.glob("*.parquet"))
        return [row for f in files for row in pq.read_table(f).to_pylist()]  # each file readable

    assert not list(output.glob(".*")), "no temporary file is left"
    assert not (output / "_clean_spill").exists()
    got, want = rows(output), rows(reference)
    ids = [row["id"] for row in got]
    assert len(ids) == len(set(ids)), "no row written twice"
    assert sorted(ids) == sorted(row["id"] for row in want), "no row lost"
    assert len(ids) == 6 * 12 + 1  # the copies are one row, the others dropped as duplicates
    stats, reference_stats = (
        json.loads((f / "_clean_stats.json").read_text()) for f in (output, reference)
    )
    outcomes = {k: v for k, v in stats.items() if k.startswith("clean/outcome/")}
    assert outcomes == {k: v for k, v in reference_stats.items() if k.startswith("clean/outcome/")}
    assert outcomes["clean/outcome/duplicate_text"] == 5


# a main module that notes each process importing it: multiprocessing has each worker
# import the parent's main module unless told not to
NOTING_MAIN = """
import os, sys
with open(os.environ["MAIN_IMPORTS"], "a") as log:
    log.write(f"{os.getpid()}\\n")
if __name__ == "__main__":
    from crawler.cli import main
    sys.exit(main())
"""


@pytest.mark.slow
def test_clean_workers_do_not_import_the_main_module(tmp_path: Path) -> None:
    # the cleancrawl script (the CLI, Scrapy...) cost each worker 1.1 CPU s to import
    script, log = tmp_path / "cleancrawl_main.py", tmp_path / "imports.log"
    script.write_text(NOTING_MAIN)
    html_pages_warc(tmp_path / "in.warc.gz", SAMPLE_ARTICLE, 6)
    command = [sys.executable, str(script), "clean", str(tmp_path / "in.warc.gz")]
    command += ["-o", str(tmp_path / "out"), "--workers", "2"]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "MAIN_IMPORTS": str(log)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "6 records" in done.stdout
    assert len(log.read_text().split()) == 1  # the clean process only, not its 2 workers


def test_readme_lists_every_record_outcome(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    for outcome in RecordOutcome:
        assert f"| `{outcome}` | {outcome.description} |" in readme

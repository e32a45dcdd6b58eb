"""Rolling WARC/1.1 files of request and response records, independent of Scrapy.

A file is written under a name no reader picks up (``….warc.gz.open``) and renamed when it
is closed; every record is a gzip member of its own, handed to the operating system whole,
so a killed process leaves every closed file valid and the open one readable up to its last
whole record.
"""

from __future__ import annotations

import io
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from collections.abc import Mapping

    from warcio.recordloader import ArcWarcRecord

WARC_VERSION = "WARC/1.1"
GZIP_LEVEL = 6
OPEN_SUFFIX = ".open"  # a file being written: `*.warc.gz` globs do not match it
# Headers that describe the transfer, not the payload: the payload is stored de-chunked, so a
# reader must not de-chunk it again (Common Crawl renames them the same way).
RENAMED_HEADERS = {"transfer-encoding": "X-Crawler-Transfer-Encoding"}


@dataclass(frozen=True, slots=True, kw_only=True)
class WarcOptions:
    """Where and how WARC files are written.

    Attributes:
        directory: Folder of the WARC files; created if missing.
        basename: Start of every file name; files are ``{basename}-{n:05d}.warc.gz``.
        max_bytes: Start a new file once a file has reached this size (compressed).
    """

    directory: Path
    basename: str
    max_bytes: int = 1_000_000_000

    def __post_init__(self) -> None:
        if self.max_bytes < 1:
            raise ValueError("max_bytes must be >= 1")
        if not self.basename or "/" in self.basename or self.basename.startswith((".", "_")):
            raise ValueError(f"basename {self.basename!r} must be a plain file name start")


@dataclass(slots=True, kw_only=True)
class Exchange:
    """One HTTP request and the response to it, as they went over the wire.

    Header names and values are ``str`` (latin-1 for bytes); ``body`` is the response's
    payload as received: still compressed if its ``Content-Encoding`` says so.
    """

    url: str
    method: str
    request_target: str  # path and query of the request line
    request_headers: list[tuple[str, str]]
    request_body: bytes
    protocol: str  # "HTTP/1.1"
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated: "length", "time", "disconnect"...
    extra: dict[str, str] = field(default_factory=dict)  # more WARC headers of the response


class RollingWarcWriter:
    """Write exchanges as WARC/1.1 ``request`` and ``response`` records to rolling files.

    Each file starts with a ``warcinfo`` record holding ``info``; each response record
    carries its block and payload digests (warcio computes them), and its request record a
    ``WARC-Concurrent-To`` link to it.
    """

    def __init__(self, options: WarcOptions, info: Mapping[str, str]) -> None:
        self.options = options
        self.info = dict(info)
        self.files: list[Path] = []  # closed files, in order
        self.records_written = 0
        self.bytes_written = 0
        self._handle: io.BufferedWriter | None = None
        self._final_path: Path | None = None
        self._sequence = 0
        # only builds records into memory buffers (uncompressed: _serialize compresses each
        # as a gzip member of its own); the file gets each one whole
        self._builder = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)
        options.directory.mkdir(parents=True, exist_ok=True)

    @property
    def open_path(self) -> Path | None:
        """The file being written, under its temporary name (None: no file open)."""
        return _open_name(self._final_path) if self._final_path else None

    def write(self, exchange: Exchange) -> None:
        """Append the request and response records of ``exchange``; roll at the size limit."""
        response = self._response_record(exchange)
        request = self._request_record(exchange)
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request.rec_headers.add_header("WARC-Concurrent-To", response_id)
        request.rec_headers.replace_header(
            "WARC-Date", response.rec_headers.get_header("WARC-Date")
        )
        self._append(self._serialize(response) + self._serialize(request), records=2)
        if self._handle is not None and self._handle.tell() >= self.options.max_bytes:
            self.close()

    def close(self) -> None:
        """Close the current file: flushed, synced, then renamed to its final name."""
        if self._handle is None:
            return
        assert self._final_path is not None
        self._handle.flush()
        os.fsync(self._handle.fileno())  # the rename must not land before the data does
        self._handle.close()
        _open_name(self._final_path).rename(self._final_path)
        self.files.append(self._final_path)
        self._handle = self._final_path = None

    def _append(self, data: bytes, *, records: int) -> None:
        handle = self._handle or self._open()
        handle.write(data)
        # one write per exchange reaches the OS at once: a kill cuts at most the last one
        handle.flush()
        self.records_written += records
        self.bytes_written += len(data)

    def _open(self) -> io.BufferedWriter:
        final = self._next_free_path()
        handle = _open_name(final).open("xb")
        self._handle, self._final_path = handle, final
        info = self._builder.create_warcinfo_record(final.name, self.info)
        self._append(self._serialize(info), records=1)
        return handle

    def _next_free_path(self) -> Path:
        # never overwrite: a restarted crawl with the same basename continues the numbering
        while True:
            name = f"{self.options.basename}-{self._sequence:05d}.warc.gz"
            self._sequence += 1
            path = self.options.directory / name
            if not path.exists() and not _open_name(path).exists():
                return path

    def _serialize(self, record: ArcWarcRecord) -> bytes:
        buffer = io.BytesIO()
        self._builder.out = buffer
        self._builder.write_record(record)
        # level 6, where warcio uses 9: about twice as fast, a few per cent larger
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        return compressor.compress(buffer.getvalue()) + compressor.flush()

    def _response_record(self, exchange: Exchange) -> ArcWarcRecord:
        headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in exchange.response_headers]
        http_headers = StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(), headers, protocol=exchange.protocol
        )
        warc_headers = {"WARC-IP-Address": exchange.ip_address or "", **exchange.extra}
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = exchange.truncated
        return self._builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            http_headers=http_headers,
            warc_headers_dict={k: v for k, v in warc_headers.items() if v},
        )

    def _request_record(self, exchange: Exchange) -> ArcWarcRecord:
        # is_http_request: warcio splits the method off the whole request line itself
        http_headers = StatusAndHeaders(
            f"{exchange.method} {exchange.request_target} HTTP/1.1",
            exchange.request_headers,
            is_http_request=True,
        )
        return self._builder.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            http_headers=http_headers,
        )


def _open_name(path: Path) -> Path:
    return path.with_name(path.name + OPEN_SUFFIX)

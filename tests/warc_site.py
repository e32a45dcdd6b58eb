"""Fixtures for the WARC tests: a site that compresses and speaks several charsets, and
WARC files shaped as Common Crawl writes them, built with warcio."""

from __future__ import annotations

import gzip
import io
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.sample_server import CONTENT_TYPES, PLACEHOLDER, SAMPLE_SITE, LocalServer
from tests.hostile_site import FRENCH, GERMAN, RUSSIAN, article

if TYPE_CHECKING:
    from pathlib import Path

# pages on top of the sample site: path -> (Content-Type, body); linked from the home page
EXTRA: dict[str, tuple[str, bytes]] = {
    "/enc/cp1251/": (
        "text/html; charset=windows-1251",
        article("Новости связи", RUSSIAN, lang="ru").encode("cp1251"),
    ),
    "/enc/latin1-undeclared/": (
        "text/html",
        article("La fibre à la campagne", FRENCH, lang="fr").encode("cp1252"),
    ),
    "/enc/utf8-german/": (
        "text/html; charset=utf-8",
        article("Größere Netze", GERMAN, lang="de").encode("utf-8"),
    ),
}


TEMPLATE_LINE = (
    b"<p>ByteWire is an independent publication edited in Lyon and funded by its readers.</p>"
)


class ArchiveSite(LocalServer):
    """The sample site on 127.0.0.1, gzip-compressed when asked, plus ``EXTRA``; every page
    waits ``delay`` seconds first (a slow site, for kill tests). ``/many/<n>/`` serves
    ``many`` more articles, linked from the home page too."""

    def __init__(self, *, delay: float = 0.0, many: int = 0) -> None:
        site = self
        self.delay, self.many = delay, many

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                content_type, body, status = site.page(self.path)
                if site.delay and content_type.startswith("text/html"):
                    time.sleep(site.delay)
                headers = {"Content-Type": content_type}
                if status == 301:
                    headers["Location"] = self.path + "/"
                if "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 200:
                    body = gzip.compress(body, mtime=0)
                    headers["Content-Encoding"] = "gzip"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)

    def page(self, path: str) -> tuple[str, bytes, int]:
        if path in EXTRA:
            content_type, body = EXTRA[path]
            return content_type, body.replace(b"</article>", TEMPLATE_LINE + b"</article>"), 200
        if path.startswith("/many/") and self.many:
            number = path.strip("/").rsplit("/", 1)[-1]
            paragraphs = [f"Bericht Nummer {number}: {line}" for line in GERMAN]
            return (
                "text/html; charset=utf-8",
                article(f"Bericht {number}", paragraphs, lang="de").encode(),
                200,
            )
        target = SAMPLE_SITE / path.split("?")[0].lstrip("/")
        if target.is_dir():
            if not path.endswith("/"):
                return "text/html", b"", 301
            target = target / "index.html"
        if not target.is_file():
            return "text/html", b"<h1>Not found</h1>", 404
        body = target.read_bytes().replace(PLACEHOLDER, self.url.encode())
        if target.suffix == ".html":
            # a line on every article of the site: its template, cut by crawl and clean alike
            body = body.replace(b"</article>", TEMPLATE_LINE + b"</article>")
        if path == "/":
            # and a link without its final slash: a redirect
            links = [*EXTRA, "/about", *(f"/many/{n}/" for n in range(self.many))]
            extra = "".join(f'<a href="{link}">{link}</a>' for link in links).encode()
            body = body.replace(b"</body>", extra + b"</body>")
        return CONTENT_TYPES.get(target.suffix, "application/octet-stream"), body, 200


def html_pages_warc(path: Path, body: bytes, count: int) -> Path:
    """A Common Crawl-shaped WARC of ``count`` HTML responses of ``body``, one URL each."""
    specs: list[dict[str, object]] = [
        {
            "type": "response",
            "url": f"http://news.test/{n}",
            "headers": [("Content-Type", "text/html")],
            "body": body,
        }
        for n in range(count)
    ]
    common_crawl_warc(path, specs)
    return path


def common_crawl_warc(path: Path, records: list[dict[str, object]]) -> None:
    """Write ``records`` as Common Crawl does: WARC/1.0, a gzip member per record, payloads
    stored decompressed with ``Content-Encoding`` renamed ``X-Crawler-Content-Encoding``.

    Each record is a dict: ``type`` (response, request, revisit, metadata, warcinfo),
    ``url``, ``status``, ``headers`` (HTTP), ``body`` (bytes), ``warc`` (more WARC headers).
    """
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="1.0")
        for spec in records:
            kind = str(spec["type"])
            if kind == "warcinfo":
                writer.write_record(
                    writer.create_warcinfo_record(path.name, {"software": "Apache Nutch 1.19"})
                )
                continue
            http_headers = None
            if kind in ("response", "revisit"):
                status = int(spec.get("status", 200))  # type: ignore[call-overload]
                http_headers = StatusAndHeaders(
                    f"{status} X",
                    list(spec.get("headers", [])),  # type: ignore[call-overload]
                    protocol="HTTP/1.1",
                )
            elif kind == "request":
                http_headers = StatusAndHeaders(
                    "GET / HTTP/1.1", [("Host", "x")], is_http_request=True
                )
            body = spec.get("body", b"")
            assert isinstance(body, bytes)
            record = writer.create_warc_record(
                str(spec["url"]),
                kind,
                payload=io.BytesIO(body),
                http_headers=http_headers,
                warc_headers_dict=dict(spec.get("warc", {})),  # type: ignore[call-overload]
                warc_content_type="application/warc-fields" if kind == "metadata" else "",
            )
            writer.write_record(record)

"""A small static HTTP server for the bundled sample site and the tests' fixture sites."""

from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlsplit

SAMPLE_SITE = Path(__file__).with_name("sample_site")
PLACEHOLDER = b"{{BASE_URL}}"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/gzip",
}


class LocalServer:
    """An HTTP server on 127.0.0.1 at a free port, run in a thread while used as a context
    manager; the sample site's server and the tests' fixture sites are all one of these."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


class SiteServer(LocalServer):
    """Serve a folder on 127.0.0.1 at a free port, as a web server would serve a site.

    ``/a/b/`` serves ``a/b/index.html``; ``/a/b`` redirects there if it is a folder;
    a missing file is a 404. ``{{BASE_URL}}`` in text files becomes the server's own
    address, so sitemaps and feeds can hold absolute URLs. Every request path is
    recorded in ``requests`` for tests to look at.
    """

    def __init__(self, root: Path = SAMPLE_SITE, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve()
        self.requests: list[str] = []
        super().__init__(type("Handler", (_Handler,), {"site": self}), host, port)


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, *, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.site.requests.append(path)
        target = (self.site.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.site.root):
            return self._send(HTTPStatus.NOT_FOUND, b"not found", ".txt", with_body)
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if not target.is_file():
            return self._send(HTTPStatus.NOT_FOUND, b"<h1>Not found</h1>", ".html", with_body)
        body = target.read_bytes()
        if target.suffix in (".html", ".xml", ".atom", ".rss", ".txt"):
            body = body.replace(PLACEHOLDER, self.site.url.encode())
        return self._send(HTTPStatus.OK, body, target.suffix, with_body)

    def _send(self, status: HTTPStatus, body: bytes, suffix: str, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPES.get(suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the crawler logs what it fetches; the server stays quiet

"""A tiny HTTP server on 127.0.0.1 answering set paths with set statuses, for crawl tests."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from crawler.sample_server import PLACEHOLDER, SAMPLE_SITE, LocalServer

if TYPE_CHECKING:
    from collections.abc import Callable

ARTICLE = (SAMPLE_SITE / "news" / "router-firmware-backdoor" / "index.html").read_bytes()
ROBOTS = b"User-agent: *\nAllow: /\n"


class TinySite(LocalServer):
    """A server on 127.0.0.1 answering each path from ``pages`` (path -> status, body),
    ``default`` to the rest; ``on_first_request`` runs before the first answer,
    ``on_request(path)`` before every answer (it may hold one back)."""

    def __init__(
        self,
        pages: dict[str, tuple[int, bytes]],
        default: tuple[int, bytes] = (404, b"not found"),
        on_first_request: Callable[[], None] | None = None,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        site = self
        self.pages, self.default, self.hook = pages, default, on_first_request
        self.requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not site.requests and site.hook is not None:
                    site.hook()
                if on_request is not None:
                    on_request(self.path)
                site.requests.append(self.path)
                status, body = site.pages.get(self.path, site.default)
                body = body.replace(PLACEHOLDER, site.url.encode())  # as the sample site
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)

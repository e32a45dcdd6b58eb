"""Local HTTP servers for the robots.txt and sitemap tests, and a probe of download slot delays.

Each ``RouteServer`` listens on 127.0.0.1 at a free port (one origin) and answers from a
function of the path; it records the Host header and path of every request, so a test can
count what the crawler fetched.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import signals

from crawler.sample_server import LocalServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None


Route = Callable[[str], Reply]  # path (and query) -> reply


def page(path: str) -> Reply:
    """A small HTML page; not an article, which does not matter here."""
    return Reply(body=f"<html><body><h1>{path}</h1><p>Page {path}.</p></body></html>".encode())


class RouteServer(LocalServer):
    """An HTTP server on 127.0.0.1 answering with ``route(path)``; ``log`` has (host, path)."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        super().__init__(type("Handler", (_Handler,), {"server_": self}))

    def paths(self, host: str | None = None) -> list[str]:
        """Paths requested, in order (only those sent with Host ``host``, if given)."""
        with self._lock:
            return [p for h, p in self.log if host is None or h.split(":")[0] == host]


class _Handler(BaseHTTPRequestHandler):
    server_: RouteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with self.server_._lock:
            self.server_.log.append((self.headers.get("Host", ""), self.path))
        reply = self.server_.route(self.path)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.location:
            self.send_header("Location", reply.location)
        self.end_headers()
        with contextlib.suppress(OSError):  # the crawler stopped reading (robots.txt)
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class SlotDelays:
    """Extension for test crawls: the least delay each download slot had when a response
    other than robots.txt arrived, as stats ``test/slot_delay/<slot>``."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def response_received(self, response: Any, request: Any, **kwargs: Any) -> None:
        if urlsplit(request.url).path == "/robots.txt":
            return
        key = request.meta.get("download_slot")
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            self.crawler.stats.min_value(f"test/slot_delay/{key}", slot.delay)

"""A generated news site on 127.0.0.1: many distinct articles, a sitemap, a fixed latency.

For the distributed-mode tests and ``benchmarks/distributed.py``: every article has its own
sentences (seeded, so the same on every run), so no two are near-duplicates and every one is
written; each answer waits ``latency`` seconds first, so a crawl is bound by waiting, as
crawls of real sites are. The server counts the requests per path and the most requests it
was answering at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler

from crawler.sample_server import LocalServer

ADJECTIVES = [
    "new",
    "quiet",
    "fast",
    "small",
    "early",
    "local",
    "open",
    "remote",
    "secure",
    "public",
    "private",
    "careful",
    "large",
    "simple",
    "modern",
    "stable",
    "broken",
    "patched",
    "careful",
    "strange",
    "costly",
    "cheap",
    "bright",
    "busy",
    "weekly",
]
NOUNS = [
    "router",
    "server",
    "kernel",
    "browser",
    "update",
    "network",
    "camera",
    "laptop",
    "phone",
    "driver",
    "database",
    "vendor",
    "engineer",
    "team",
    "library",
    "compiler",
    "chip",
    "battery",
    "screen",
    "cable",
    "sensor",
    "model",
    "patch",
    "release",
    "firmware",
    "cluster",
    "backup",
    "archive",
    "report",
]
VERBS = [
    "fixes",
    "breaks",
    "ships",
    "tests",
    "replaces",
    "blocks",
    "slows",
    "reaches",
    "changes",
    "opens",
    "scans",
    "builds",
    "moves",
    "finds",
    "sends",
    "protects",
    "measures",
    "improves",
    "delays",
    "loads",
]
PLACES = [
    "in the lab",
    "at the office",
    "across the region",
    "after the outage",
    "before the release",
    "during the test",
    "on most devices",
    "for every customer",
    "in the new version",
    "over the weekend",
]


def article_text(number: int, sentences: int = 14, seed: str = "") -> list[str]:
    """The paragraphs of article ``number``: seeded, so the same on every run."""
    rng = random.Random(f"{seed}{number}")
    paragraphs = []
    for _ in range(sentences // 2):
        parts = []
        for _ in range(2):
            parts.append(
                f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(VERBS)} the "
                f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(PLACES)}, and the "
                f"{rng.choice(NOUNS)} {rng.choice(VERBS)} a {rng.choice(ADJECTIVES)} "
                f"{rng.choice(NOUNS)}."
            )
        paragraphs.append(" ".join(parts))
    return paragraphs


def article_html(number: int, pages: int, seed: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in article_text(number, seed=seed))
    others = "".join(
        f'<li><a href="/news/{k}/">Story {k}</a></li>'
        for k in ((number + 1) % pages, (number + 7) % pages)
    )
    return (
        f"<!doctype html><html lang='en'><head><title>Story {number}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Story number {number}</h1>{body}"
        f"</article><aside><ul>{others}</ul></aside></body></html>"
    ).encode()


class ArticleSite(LocalServer):
    """``pages`` articles (``/news/<n>/``) in ``/sitemap.xml``, each linking to two others."""

    def __init__(self, pages: int, latency: float = 0.0, host: str = "127.0.0.1") -> None:
        site = self
        self.pages = pages
        self.latency = latency
        self.requests: Counter[str] = Counter()
        self.active = 0
        self.most_active = 0
        self.serving = threading.Event()  # cleared: every answer waits until it is set
        self.serving.set()
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site._lock:
                    site.requests[self.path] += 1
                    site.active += 1
                    site.most_active = max(site.most_active, site.active)
                try:
                    site.serving.wait()
                    if site.latency:
                        time.sleep(site.latency)
                    status, kind, body = site.answer(self.path)
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with site._lock:
                        site.active -= 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.host = host
        super().__init__(Handler, host)

    def article_urls(self) -> set[str]:
        return {f"{self.url}/news/{n}/" for n in range(self.pages)}

    def answer(self, path: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            robots = f"User-agent: *\nAllow: /\nSitemap: {self.url}/sitemap.xml\n"
            return 200, "text/plain", robots.encode()
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{u}</loc></url>" for u in sorted(self.article_urls()))
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            )
            return 200, "application/xml", xml.encode()
        if path == "/":
            links = "".join(f'<a href="/news/{n}/">{n}</a> ' for n in range(0, self.pages, 5))
            return 200, "text/html; charset=utf-8", f"<html><body>{links}</body></html>".encode()
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "news" and parts[1].isdigit():
            number = int(parts[1])
            if number < self.pages:
                html = article_html(number, self.pages, self.host)
                return 200, "text/html; charset=utf-8", html
        return 404, "text/html", b"not found"

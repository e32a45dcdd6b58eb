"""Keep every response of a crawl as WARC, so it can be cleaned again without fetching.

``-s CLEANCRAWL_WARC_DIR=DIR`` turns it on; ``cleancrawl clean DIR/*.warc.gz`` reads it back.
"""

from __future__ import annotations

import logging
import platform
from http.client import responses as reason_phrases
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.addon import require_addon
from crawler.outcome import note_write_failure
from crawler.pipelines import CLEANCRAWL_VERSION, EXTRACTOR_VERSION
from output.warc import Exchange, RollingWarcWriter, WarcOptions

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# The add-on registers it at 950 among the downloader middlewares: above every built-in one
# (the HTTP cache is 900), so that its process_response, called from the highest number
# down, sees each response first, as the download handler gave it: before
# HttpCompressionMiddleware (590) decompresses the body and before RedirectMiddleware (600)
# and RetryMiddleware (550) replace a 3xx or 5xx by another request. Its process_request
# comes last, so the request it records is the one sent (User-Agent, Accept-Encoding...).


class WarcArchiveMiddleware:
    """Write each response the crawler receives, and its request, to rolling WARC files.

    Pages, sitemaps, feeds, robots.txt, redirects and error statuses alike: whatever came
    back from a server. A response no server sent in this crawl is not archived again: a hit
    of Scrapy's HTTP cache, the robots.txt the robots middleware hands the spider from its
    own fetch (archived once, when it was fetched). Requests that got no response (DNS
    failures, time-outs) leave nothing to archive.
    """

    def __init__(self, writer: RollingWarcWriter, stats: StatsCollector) -> None:
        self.writer = writer
        self.stats = stats
        self.failed = False
        # responses the downloader got from the network and our process_response has not
        # seen yet (the response_downloaded signal comes just before it)
        self._downloaded: set[Response] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        directory = settings.get("CLEANCRAWL_WARC_DIR")
        if not directory:
            raise NotConfigured  # off by default: no "Disabled" warning on every crawl
        require_addon(crawler, "WarcArchiveMiddleware")
        assert crawler.stats is not None
        crawl_id = settings.get("CLEANCRAWL_CRAWL_ID")
        spider = crawler.spider.name if crawler.spider is not None else "crawl"
        options = WarcOptions(
            directory=Path(directory),
            basename=f"{spider}-{crawl_id}",
            max_bytes=settings.getint("CLEANCRAWL_WARC_MAX_BYTES"),
        )
        writer = RollingWarcWriter(options, warcinfo(crawl_id, spider, settings.get("USER_AGENT")))
        middleware = cls(writer, crawler.stats)
        crawler.signals.connect(middleware.downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def downloaded(self, response: Response) -> None:
        self._downloaded.add(response)

    def process_response(self, request: Request, response: Response) -> Response:
        if response not in self._downloaded:
            self.stats.inc_value("warc/not_downloaded")  # cached, or answered by a middleware
        elif not self.failed:
            try:
                self.writer.write(exchange(request, response))
            except OSError as exc:
                # disk full, folder gone: said once, counted (exit code 4), the crawl goes on
                self.failed = True
                note_write_failure(self.stats, "warc")
                logger.error("Could not write WARC to %s: %s", self.writer.options.directory, exc)
            else:
                self.stats.inc_value("warc/responses")
        self._downloaded.discard(response)
        return response

    def close(self) -> None:
        try:
            self.writer.close()
        except OSError as exc:
            note_write_failure(self.stats, "warc")
            logger.error("Could not close WARC file %s: %s", self.writer.open_path, exc)
        self.stats.set_value("warc/files_written", len(self.writer.files))
        self.stats.set_value("warc/bytes_written", self.writer.bytes_written)
        for path in self.writer.files:
            logger.info("Wrote %s", path)


def warcinfo(crawl_id: str, spider: str, user_agent: str | None) -> dict[str, str]:
    """The fields of each file's ``warcinfo`` record: what made it, in which crawl."""
    return {
        "software": f"cleancrawl/{CLEANCRAWL_VERSION} (Scrapy {scrapy.__version__}; "
        f"warcio {version('warcio')}; {EXTRACTOR_VERSION}; Python {platform.python_version()})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
        "warc-format/warc-1.1/",
        "isPartOf": crawl_id,
        "cleancrawl-crawl-id": crawl_id,
        "cleancrawl-spider": spider,
        **({"http-header-user-agent": user_agent} if user_agent else {}),
    }


def exchange(request: Request, response: Response) -> Exchange:
    """The request and response as they went over the wire (as far as Scrapy keeps them)."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = _headers(request.headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        # added by the download handler, after the middlewares
        request_headers.insert(0, ("Host", parts.netloc))
    protocol = response.protocol if (response.protocol or "").startswith("HTTP/") else "HTTP/1.1"
    return Exchange(
        url=response.url,
        method=request.method,
        request_target=target,
        request_headers=request_headers,
        request_body=request.body,
        protocol=protocol or "HTTP/1.1",
        status=response.status,
        reason=reason_phrases.get(response.status, ""),
        response_headers=_headers(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        # Scrapy's "dataloss": the connection closed before the declared length arrived
        truncated="disconnect" if "dataloss" in response.flags else None,
    )


def _headers(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]

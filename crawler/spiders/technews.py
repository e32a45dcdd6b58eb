"""The technews spider: sitemaps, feeds and links of the sites in a sites file."""

from __future__ import annotations

import codecs
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self
from urllib.parse import urldefrag, urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from cleaning.encoding import DecodedHtml, decode_html, looks_binary
from cleaning.hrefs import FEED_HREFS
from crawler.config import ConfigError, check_spider_arguments
from crawler.dupefilter import PAGE_META_KEY
from crawler.items import PageItem
from crawler.leases import AGAIN, START
from crawler.links import href_links, page_links
from crawler.middlewares import RefusedRequest
from crawler.sites import DEFAULT_SITES_FILE, Site, load_sites, site_for_url
from crawler.stats import count_drop

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from cleaning.hrefs import PageHrefs
    from crawler.leases import PageClaims
    from crawler.pipelines import CleaningPipeline

# Scrapy raises IgnoreRequest for every reason; only the message tells them apart
_IGNORED = {
    "robots.txt": "robots_txt",
    "DOWNLOAD_MAXSIZE": "too_large",  # a compressed body over the limit once decompressed
    "max redirections": "too_many_redirects",
    "Filtered offsite request": "offsite",  # filtered on download, not when it was scheduled
}

SITE = "cleancrawl_site"  # request meta: name of the site the request belongs to
DEPTH = PAGE_META_KEY  # request meta: link hops from a start URL, sitemap or feed entry
SOURCE = "cleancrawl_source"  # request meta: start, sitemap, feed or link
LASTMOD = "cleancrawl_lastmod"  # request meta: date the sitemap or feed gives for the page
WRITE = "cleancrawl_write"  # request meta: False for a start URL the site's allow/deny leave out
SITEMAP_DEPTH = "cleancrawl_sitemap_depth"  # request meta: sitemap indexes above a sitemap

# Request priorities (higher first; Scrapy's default order is last in, first out, so a page's
# links would be fetched before the sitemap's remaining articles and the cleaning workers
# would wait on 404s and link hubs). Sitemaps and feeds first, as they name the articles;
# then pages by their link hops from a start URL, sitemap or feed entry: every sitemap and
# feed article (0 hops) before any link of a page (1 hop), links of links after those.
XML_PRIORITY = 1


def page_priority(depth: int) -> int:
    """The request priority of a page ``depth`` link hops from a start URL or an entry."""
    return -depth


FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
# how decode_html chose an encoding (DecodedHtml.how) where its text is Scrapy's response.text
# (NUL bytes apart, which Scrapy's parse removes too): the page a worker parses is the one
# Scrapy would, so its hrefs are too (for other encodings the spider parses the page itself)
SAME_TEXT = frozenset({"ascii", "utf-8"})


class TechNewsSpider(Spider):
    """Crawl news sites: articles are written, listings are followed.

    Arguments (``-a name=value``): ``sites`` a sites file (TOML), ``url`` one site to
    crawl from one URL instead, ``output`` the folder to write Parquet to, ``max_pages``
    the most pages fetched per site (over the sites file's ``max_pages``).
    """

    name = "technews"
    allowed_domains: list[str]
    # the cleaning workers read each page's hrefs from their own parse of it, and the spider
    # follows those instead of parsing the page again (crawler.pipelines.CleaningPipeline)
    follows_worker_hrefs = True
    # Scrapy hands a response's output (its links, then its one page) to CONCURRENT_ITEMS
    # asyncio tasks, all of them made for every response: the default 100 cost the crawl's
    # process more CPU than its pipelines. A response of this spider has one item, its last
    # output, so more than one task gains nothing. (-s CONCURRENT_ITEMS=... still wins.)
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012

    def __init__(
        self,
        sites: str | None = None,
        url: str | None = None,
        output: str | None = None,
        max_pages: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sites_arg = sites
        self.url_arg = url
        self.output_arg = output
        self.max_pages_arg = max_pages
        self.sites: dict[str, Site] = {}
        self._queued: dict[str, set[str]] = {}
        self._xml_queued: dict[str, set[str]] = {}  # sitemaps and feeds requested, per site
        self._entries_read: dict[str, int] = {}  # sitemap and feed entries read, per site
        self._limits_logged: set[tuple[str, str]] = set()
        # per site, hosts found in links: True if off its domains (page_links leaves them out)
        self._hosts_off_site: dict[str, dict[str, bool]] = {}
        # distributed mode: max_pages, max_sitemaps and max_sitemap_urls counted for the
        # whole crawl in Redis (set when started)
        self._claims: PageClaims | None = None
        # the CleaningPipeline whose workers read the pages' hrefs; False if there is none
        self._cleaner: CleaningPipeline | Literal[False] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        check_spider_arguments(cls, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.url_arg and spider.sites_arg:
            raise ConfigError("-a url= and -a sites= cannot be used together: give one of them")
        if spider.output_arg:
            # -a output=DIR wins over settings files, as -s does
            crawler.settings.set("CLEANCRAWL_OUTPUT_DIR", spider.output_arg, priority="cmdline")
        # the settings are checked, and the crawl id and User-Agent made, by the add-on
        # (crawler/addon.py), once the spider is built
        if spider.url_arg:
            try:
                sites = [site_for_url(spider.url_arg)]
            except ValueError as exc:
                raise ConfigError(f"-a url={spider.url_arg}: {exc}") from exc
        else:
            path = spider.sites_arg or crawler.settings.get("CLEANCRAWL_SITES_FILE")
            sites = load_sites(Path(path) if path else DEFAULT_SITES_FILE)
        if spider.max_pages_arg is not None:
            max_pages = _max_pages(spider.max_pages_arg)
            sites = [replace(site, max_pages=max_pages) for site in sites]
        spider.allowed_domains = sorted({d for s in sites for d in s.allowed_domains})
        for site in sites:
            spider._add_site(site)
        return spider

    def _add_site(self, site: Site) -> None:
        self.sites[site.name] = site
        self._queued[site.name] = set()
        self._xml_queued[site.name] = set()
        self._entries_read[site.name] = 0

    async def start(self) -> AsyncIterator[Any]:
        if self.settings.get("REDIS_URL"):
            from crawler.leases import page_claims

            self._claims = page_claims(self.crawler)
        if self._claims is not None and self._claims.late:
            return  # its crawl ended while it started (crawler.frontier): claim nothing
        if self._claims is not None:
            # until its start requests are all queued, this worker keeps the crawl open: it
            # may hold claims of start URLs it has not queued yet
            self._claims.starting()
        for site in self.sites.values():
            requests = 0
            if site.robots_sitemaps:
                # Not a second download: the robots.txt middleware answers it with the
                # robots.txt it fetched (once per origin) to obey.
                origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in site.entry_urls}
                for origin in sorted(origins):
                    requests += 1
                    yield self._request(
                        f"{origin}/robots.txt", site, self.parse_robots, priority=XML_PRIORITY
                    )
            for url in (*site.sitemap_urls, *site.feed_urls):
                if request := self._xml_request(url, site, parent=START):
                    requests += 1
                    yield request
            for url in site.start_urls:
                if request := self._page_request(url, site, "start", 0, parent=START):
                    requests += 1
                    yield request
            # (in distributed mode, URLs another worker queued are not nothing)
            claimed = self._claims is not None and self._claims.knows(site.name)
            if not (requests or claimed or self._queued[site.name] or self._xml_queued[site.name]):
                self.logger.warning(
                    "Site %s: nothing to fetch (its start URLs are outside its allowed_domains"
                    " and it has no sitemap or feed that may be fetched)",
                    site.name,
                )
        if self._claims is not None:
            self._claims.started()  # (the engine queued each request before asking the next)

    def parse_robots(self, response: Response) -> Iterator[Request]:
        """A robots.txt: its ``Sitemap:`` lines.

        @sample_url /robots.txt
        @returns requests 1 1
        @returns items 0 0
        """
        site = self._site(response)
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if request := self._xml_request(url, site, parent=response.url):
                yield request

    def parse_xml(self, response: Response) -> Iterator[Any]:
        """Sitemaps, sitemap indexes and RSS/Atom feeds, told apart by their root element.

        @sample_url /sitemap-posts.xml
        @returns requests 5
        @returns items 0 0
        """
        site = self._site(response)
        try:
            body = self._xml_body(response)
        except XmlTooLarge:
            self.crawler.stats.inc_value("technews/xml/failed/too_large")
            self.logger.warning("Over DOWNLOAD_MAXSIZE once decompressed: %s", response.url)
            return
        if body is None:
            self.logger.warning("Not a sitemap or feed: %s", response.url)
            self.crawler.stats.inc_value("technews/xml/unreadable")
            return
        sitemap = Sitemap(body)
        if sitemap.type == "sitemapindex":
            self.crawler.stats.inc_value("technews/xml/sitemap_index")
            depth = response.meta.get(SITEMAP_DEPTH, 0) + 1
            for entry in sitemap:
                url = response.urljoin(entry["loc"])
                if request := self._xml_request(url, site, depth, parent=response.url):
                    yield request
        elif sitemap.type == "urlset":
            self.crawler.stats.inc_value("technews/xml/sitemap")
            entries = list(sitemap)
            for entry in entries[: self._entries_to_read(site, response.url, len(entries))]:
                url = response.urljoin(entry["loc"])
                lastmod = entry.get("lastmod")
                if request := self._page_request(
                    url, site, "sitemap", 0, lastmod, parent=response.url
                ):
                    yield request
        elif sitemap.type.lower() in FEED_ROOTS:
            self.crawler.stats.inc_value("technews/xml/feed")
            yield from self._feed_requests(response, body, site)
        else:
            self.logger.warning("Unknown XML root <%s>: %s", sitemap.type, response.url)
            self.crawler.stats.inc_value("technews/xml/unknown_root")

    # an iterator, or an async one where the page is cleaned first (_parse_cleaned): typed Any,
    # as the callers that call it directly (tests, tools) get the iterator
    def parse_page(self, response: Response) -> Any:
        """An HTML page: follow its links and feeds, and hand it to the pipelines.

        @sample_url /news/router-firmware-backdoor/
        @returns items 1 1
        @returns requests 1
        @scrapes url html http_status site fetched_at source
        """
        site = self._site(response)
        if not isinstance(response, HtmlResponse):
            if isinstance(response, XmlResponse) or response.body.lstrip()[:5] == b"<?xml":
                return self.parse_xml(response)  # a feed or sitemap given as a start URL
            count_drop(self.crawler.stats, "not_html")
            return iter(())
        if looks_binary(response.body):  # an image or archive served as text/html
            count_drop(self.crawler.stats, "binary")
            return iter(())
        # Scrapy trusts the HTTP header over the bytes; decode_html trusts what decodes cleanly
        content_type = response.headers.get(b"Content-Type")
        decoded = decode_html(response.body, content_type, utf8_text=_utf8_text(response))
        self.crawler.stats.inc_value(f"technews/decoded/{decoded.how}")
        served = response  # Scrapy's, kept until the page's article is written
        if not _reads_as(response, decoded):
            response = response.replace(encoding=decoded.encoding)  # links read the same way
        depth = response.meta.get(DEPTH, 0)
        item = None
        if response.meta.get(WRITE, True):  # else fetched for its links only
            item = PageItem(
                url=response.url,
                html=decoded.text,
                http_status=response.status,
                site=site.name,
                fetched_at=datetime.now(UTC),
                source=response.meta.get(SOURCE, "start"),
                lastmod=response.meta.get(LASTMOD),
                etag=_header(response, b"ETag"),
                last_modified=_header(response, b"Last-Modified"),
                response_size=len(response.body),
            )
        # cleaned first wherever its hrefs can come from the worker's parse: at max_depth too,
        # where the page's feeds are still looked for (parsing a page here for them alone cost
        # the crawl's process 1.7 CPU ms a response on the benchmark's listings site)
        if (
            item is not None
            and decoded.how in SAME_TEXT
            and (cleaner := self._cleaner_reading_hrefs(response)) is not None
        ):
            return self._parse_cleaned(response, site, depth, item, cleaner, served)
        return self._parse_here(response, site, depth, item)

    def _parse_here(
        self, response: HtmlResponse, site: Site, depth: int, item: PageItem | None
    ) -> Iterator[Any]:
        """``parse_page``'s output, the page parsed here for its links."""
        yield from self._follow(response, site, depth, None)
        if item is None:
            count_drop(self.crawler.stats, "not_allowed")
            return
        yield item

    async def _parse_cleaned(
        self,
        response: HtmlResponse,
        site: Site,
        depth: int,
        item: PageItem,
        cleaner: CleaningPipeline,
        served: HtmlResponse,
    ) -> AsyncIterator[Any]:
        """``parse_page``'s output, the page cleaned first: its links from the hrefs the
        cleaning worker read from its own parse of the page, which this process then does not
        parse (or, where the worker read none, from parsing it here as ``_parse_here`` does).
        The same requests and item, in the same order; the requests once the page is cleaned.
        ``served``: the response as Scrapy gave it (``response`` may be a copy decoded as
        ``decode_html`` decoded it)."""
        hrefs = await cleaner.clean_for_links(item)
        for request in self._follow(response, site, depth, hrefs):
            yield request
        # cleaned, and its links read: Scrapy keeps its response until the page's article is
        # written (held for its site's template), and its text need not stay with it (decoded
        # again if asked). Held pages took 4.5 times their bytes in memory, 1 without it.
        served._cached_ubody = None
        yield item

    def _follow(
        self, response: HtmlResponse, site: Site, depth: int, hrefs: PageHrefs | None
    ) -> Iterator[Request]:
        """Requests for a page's links (``depth`` hops from a start URL or entry) and feeds:
        from ``hrefs`` (read by a cleaning worker), else from parsing the page."""
        if depth < site.max_depth:
            # every link's URL, as LinkExtractor() finds it, for less CPU (crawler/links.py);
            # domains are checked by Site.allows_url (LinkExtractor's allow_domains compares
            # them with host:port, and so refuses every link of a site on another port)
            off_site = self._off_site(site)
            urls = (
                page_links(response, off_site)
                if hrefs is None
                else href_links(response, hrefs.links, off_site)
            )
            parent = response.url
            for url in urls:
                if request := self._page_request(url, site, "link", depth + 1, parent=parent):
                    yield request
        feeds = response.xpath(FEED_HREFS.path).getall() if hrefs is None else hrefs.feeds
        for href in feeds:
            url = response.urljoin(href)
            if site.allows_url(url) and (
                request := self._xml_request(url, site, parent=response.url)
            ):
                yield request

    def _cleaner_reading_hrefs(self, response: Response) -> CleaningPipeline | None:
        """The crawl's ``CleaningPipeline`` if its workers read pages' hrefs and Scrapy called
        ``parse_page`` as the request's own callback (not a contract's or ``scrapy parse``'s
        wrapper, which expect its output at once)."""
        request = getattr(response, "request", None)
        if request is None or request.callback != self.parse_page:
            return None
        if self._cleaner is None:
            from crawler.pipelines import CleaningPipeline  # (imports the cleaning modules)

            try:
                pipeline = self.crawler.get_item_pipeline(CleaningPipeline)
            except (AttributeError, RuntimeError):  # no crawler, or no engine yet
                return None
            self._cleaner = pipeline if pipeline is not None and pipeline.reads_hrefs else False
        return self._cleaner or None

    def on_error(self, failure: Failure) -> None:
        """Count a request that produced no response under a named reason."""
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        if isinstance(error, RefusedRequest):
            reason = error.reason
        elif isinstance(error, HttpError):
            reason = f"http_{error.response.status}"
        elif isinstance(error, DownloadTimeoutError | TimeoutError | TCPTimedOutError):
            reason = "download_timeout"
        elif isinstance(error, CannotResolveHostError | DNSLookupError):
            reason = "dns_error"
        elif isinstance(error, DownloadCancelledError):
            reason = "too_large"  # Scrapy cancels a download only over DOWNLOAD_MAXSIZE
        elif isinstance(error, IgnoreRequest):
            reason = _ignored_reason(str(error))
        else:
            reason = "download_error"
        if request.callback == self.parse_page:
            count_drop(self.crawler.stats, reason)
        else:
            self.crawler.stats.inc_value(f"technews/xml/failed/{reason}")
            self.logger.warning("Could not fetch %s (%s)", request.url, reason)

    def _feed_requests(self, response: Response, body: bytes, site: Site) -> Iterator[Request]:
        feed = XmlResponse(url=response.url, body=body)
        feed.selector.remove_namespaces()
        entries = feed.xpath("//item | //entry")
        for entry in entries[: self._entries_to_read(site, response.url, len(entries))]:
            href = (
                entry.xpath("link[@rel='alternate' or not(@rel)]/@href").get()
                or entry.xpath("link/text()").get()
                or entry.xpath("guid[not(@isPermaLink='false')]/text()").get()
            )
            if not href:
                continue
            date = entry.xpath("(pubDate | updated | published | date)/text()").get()
            url = response.urljoin(href.strip())
            if request := self._page_request(url, site, "feed", 0, date, parent=response.url):
                yield request

    def _page_request(
        self,
        url: str,
        site: Site,
        source: str,
        depth: int,
        lastmod: str | None = None,
        *,
        parent: str,
    ) -> Request | None:
        """A request for a page of ``site`` found in ``parent`` (the URL of a page, sitemap
        or feed, or ``START``), or None if it was queued already or max_pages refuses it."""
        if "#" in url:  # (urldefrag returns any other URL as it is: a call less a link)
            url = urldefrag(url)[0]
        queued = self._queued[site.name]
        if url in queued:  # most links of a site's pages: checked before the URL is parsed
            return None
        # a start URL is fetched even if allow/deny leave it out: they decide which pages
        # are written and which links are followed, and it is where the links are
        allowed = site.allows_url(url)
        if not (allowed or (source == "start" and site.on_domain(url))):
            return None
        if self._claims is not None:
            # max_pages for the whole crawl, by claimer (crawler.leases.PageClaims): 0 another
            # parent's, 2 this parent's already (processed again: queued again, not counted)
            verdict = self._claims.claim(site.name, url, site.max_pages, parent)
            if verdict == 0:
                return None
        else:
            verdict = 1 if len(queued) < site.max_pages else -1
        if verdict < 0:
            self.crawler.stats.inc_value(f"technews/max_pages_reached/{site.name}")
            return None
        queued.add(url)
        meta = {
            DEPTH: depth,
            SOURCE: source,
            LASTMOD: lastmod.strip() if lastmod else None,
            WRITE: allowed,
        }
        if verdict == 2:
            meta[AGAIN] = True
        else:
            self.crawler.stats.inc_value("technews/pages_queued")
        return self._request(url, site, self.parse_page, meta=meta, priority=page_priority(depth))

    def _xml_request(self, url: str, site: Site, depth: int = 0, *, parent: str) -> Request | None:
        """A request for a sitemap or feed of ``site`` found in ``parent`` (the URL of a
        robots.txt, sitemap index or page, or ``START``), ``depth`` sitemap indexes down, or
        None if it was requested already or a limit of the site refuses it (counted).
        """
        url = urldefrag(url)[0]
        queued = self._xml_queued[site.name]
        if url in queued:
            return None
        if not site.allows_sitemap(url):
            limit = "offsite_sitemap"
        elif depth > site.max_sitemap_depth:
            limit = "max_sitemap_depth"
        elif self._claims is None and len(queued) >= site.max_sitemaps:
            limit = "max_sitemaps"
        elif self._claims is None and self._entries_read[site.name] >= site.max_sitemap_urls:
            limit = "max_sitemap_urls"
        else:
            limit = ""
        verdict = 1
        if not limit and self._claims is not None:
            # max_sitemaps and max_sitemap_urls for the whole crawl, by claimer, as pages
            verdict = self._claims.claim_sitemap(site, url, parent)
            if verdict == 0:
                return None
            limit = {-1: "max_sitemaps", -2: "max_sitemap_urls"}.get(verdict, "")
        if limit:
            self._limit(site, limit, url)
            return None
        queued.add(url)
        meta: dict[str, Any] = {SITEMAP_DEPTH: depth}
        if verdict == 2:
            meta[AGAIN] = True
        if not site.on_domain(url):
            # on a host the sites file names for sitemaps (a CDN, a feed service): past
            # Scrapy's offsite filter; the pages it lists are still held to the site's domains
            meta["allow_offsite"] = True
        return self._request(url, site, self.parse_xml, meta=meta, priority=XML_PRIORITY)

    def _entries_to_read(self, site: Site, sitemap: str, count: int) -> int:
        """How many of the ``count`` entries of the ``sitemap`` (or feed) of ``site`` to read
        (counted as read): all of them, or as many as max_sitemap_urls leaves (for the whole
        crawl in distributed mode, where a sitemap read again reads what it read first)."""
        if self._claims is not None:
            allowed = self._claims.read_entries(site, sitemap, count)
        else:
            allowed = max(0, min(count, site.max_sitemap_urls - self._entries_read[site.name]))
        self._entries_read[site.name] += allowed
        if allowed < count:
            self._limit(site, "max_sitemap_urls", "the rest of a sitemap or feed")
        return allowed

    def _limit(self, site: Site, limit: str, what: str) -> None:
        """Count a sitemap or feed not fetched (or not read on) under technews/limits/<limit>."""
        self.crawler.stats.inc_value(f"technews/limits/{limit}")
        if (site.name, limit) not in self._limits_logged:  # once per site and limit
            self._limits_logged.add((site.name, limit))
            self.logger.warning("Site %s: %s left out (limit %s)", site.name, what, limit)

    def _request(
        self,
        url: str,
        site: Site,
        callback: Any,
        meta: dict[str, Any] | None = None,
        priority: int = 0,
    ) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={SITE: site.name, **(meta or {})},
            priority=priority,
        )

    def _off_site(self, site: Site) -> Callable[[str], bool]:
        """Whether a host is off the domains of ``site`` (its links are not followed)."""
        known = self._hosts_off_site.setdefault(site.name, {})

        def off_site(host: str) -> bool:
            if (off := known.get(host)) is None:
                if len(known) >= 10_000:
                    known.clear()
                off = known[host] = not site.on_domain(f"http://{host}/")
            return off

        return off_site

    def _site(self, response: Response) -> Site:
        """The site of a response; for a request made outside the spider (``scrapy parse``,
        a contract), the first site whose domains hold the URL, or a site for that URL."""
        if name := response.meta.get(SITE):
            return self.sites[name]
        url = response.meta.get("redirect_urls", [response.url])[0]
        site = next((s for s in self.sites.values() if s.on_domain(url)), None)
        if site is None:
            site = site_for_url(url)
            if site.name not in self.sites:
                self._add_site(site)
        return self.sites[site.name]

    def _xml_body(self, response: Response) -> bytes | None:
        """The XML of a sitemap or feed, gunzipped if needed, or None if it is not XML."""
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except ValueError as exc:  # gunzip raises it only over the size limit
                raise XmlTooLarge(response.url) from exc
            except (OSError, EOFError):  # corrupt
                return None
        return body if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" else None


class XmlTooLarge(ValueError):
    """A gzipped sitemap or feed over ``DOWNLOAD_MAXSIZE`` once decompressed."""


def _max_pages(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ConfigError(f"-a max_pages={value}: must be a whole number >= 1")
    return number


def _ignored_reason(message: str) -> str:
    return next((reason for key, reason in _IGNORED.items() if key in message), "ignored")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _utf8_text(response: HtmlResponse) -> str | None:
    """Scrapy's text of ``response`` where Scrapy reads it as UTF-8 (its body decoded with
    U+FFFD for invalid bytes, a byte-order mark apart), else None: ``decode_html`` then need
    not decode a UTF-8 page again. Scrapy has it already (its MetaRefreshMiddleware reads it
    for every response), and ``_reads_as`` compares it with ``decode_html``'s anyway."""
    try:
        utf8 = codecs.lookup(response.encoding).name == "utf-8"
    except LookupError:
        return None
    return response.text if utf8 else None


def _reads_as(response: HtmlResponse, decoded: DecodedHtml) -> bool:
    """True if ``response`` reads as ``decoded`` already (the same codec, the same text): its
    links then resolve as a copy's with ``decoded``'s encoding would. Scrapy caches a
    response's text and base URL (its MetaRefreshMiddleware reads both); a copy would decode
    the body and look for its ``<base href>`` once more."""
    try:
        codec = codecs.lookup(response.encoding).name
    except LookupError:
        return False
    return codec == codecs.lookup(decoded.encoding).name and response.text == decoded.text

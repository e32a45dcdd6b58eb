"""Downloader middlewares of cleancrawl."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet.error import DNSLookupError

from crawler.dupefilter import PAGE_META_KEY
from crawler.resolver import GuardedResolver, is_public
from crawler.stats import count_drop

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["CountingOffsiteMiddleware", "HostGuard", "RefusedRequest", "is_public"]

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RefusedRequest(IgnoreRequest):
    """A request cleancrawl refuses to send, or gave up on; ``reason`` is its drop reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class HostGuard:
    """Refuse requests a page should not be able to steer the crawler into.

    Every request passes here, start URLs, links and redirects alike: a scheme other than
    http(s), and a redirect to one, is refused as ``bad_scheme``; a host that is a private,
    loopback, link-local or otherwise non-public address is refused as ``private_host``
    unless ``CLEANCRAWL_ALLOW_PRIVATE_HOSTS`` is on. Host names are checked where the
    connection gets its address, by ``crawler.resolver.GuardedResolver``: a connection to a
    name it refused fails. Requests wait here for the resolver's answer (one lookup per name,
    shared with the connection): a refused name is ``private_host``, a name that does not
    resolve is retried, then ``dns_error``, before robots.txt is fetched for the host.
    """

    def __init__(self, *, allow_private: bool, resolver: GuardedResolver | None = None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        allow_private = crawler.settings.getbool("CLEANCRAWL_ALLOW_PRIVATE_HOSTS")
        return cls(
            allow_private=allow_private,
            resolver=None if allow_private else checking_resolver(crawler),
        )

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            logger.warning("Refused %s: only http and https URLs are fetched", request.url)
            raise RefusedRequest("bad_scheme", f"scheme {parts.scheme!r} refused")
        if (refusal := self._private(request)) is not None:
            raise refusal
        host = urlparse_cached(request).hostname or ""
        if self.resolver is None or not host or _is_address(host):
            return
        # The resolver's answer now, the one the connection will get (cached, or checked
        # again if not): a refused or unknown host ends here, before robots.txt is fetched
        # for it, and with its own reason.
        found = await maybe_deferred_to_future(self.resolver.resolve(host))
        if found.private is not None:
            raise self._private(request) or RefusedRequest("private_host", host)
        if found.error is not None:  # retried by Scrapy's retry middleware, then dns_error
            raise CannotResolveHostError(f"{host}: {found.error}")

    def process_response(self, request: Request, response: Response) -> Response:
        # Scrapy's redirect middleware hands a redirect to file:, data: or ftp: on as the
        # 3xx response itself, which would be counted as http_302
        location = response.headers.get(b"Location")
        if response.status in REDIRECT_STATUSES and location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            if (scheme := urlsplit(target).scheme.lower()) not in ("http", "https"):
                logger.warning("Refused %s: it redirects to a %s: URL", request.url, scheme)
                raise RefusedRequest("bad_scheme", f"redirect to scheme {scheme!r} refused")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        # called after the retry middleware gave up, or when retries are off
        if isinstance(exception, CannotResolveHostError | DNSLookupError):
            # the resolver refused the host, or the name does not resolve; as an
            # IgnoreRequest, Scrapy's robots.txt middleware logs no traceback for it either
            raise self._private(request) or RefusedRequest("dns_error", str(exception))

    def _private(self, request: Request) -> RefusedRequest | None:
        host = (urlparse_cached(request).hostname or "").lower()
        if self.allow_private or not host:
            return None
        try:
            address: str | None = host if not is_public(str(ipaddress.ip_address(host))) else None
        except ValueError:  # a name: what the resolver refused it for, if it did
            address = self.resolver.private_address(host) if self.resolver else None
        if address is None:
            return None
        logger.warning(
            "Refused %s: %s is not a public address (CLEANCRAWL_ALLOW_PRIVATE_HOSTS is off)",
            request.url,
            address if host == address else f"{host} resolves to {address}, which",
        )
        return RefusedRequest("private_host", f"{host} is not a public host")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def checking_resolver(crawler: Crawler) -> GuardedResolver | None:
    """The reactor's ``GuardedResolver``, installed now if another resolver is in place.

    ``scrapy crawl`` installs it from ``TWISTED_DNS_RESOLVER``; a crawl started another way
    (``CrawlerRunner``, another resolver setting) gets it here, so no connection resolves a
    name past the check.
    """
    if not is_reactor_installed():
        logger.warning("No Twisted reactor: host names are not checked for private addresses")
        return None
    from twisted.internet import reactor  # the installed one

    installed = getattr(reactor, "nameResolver", None)
    if isinstance(installed, GuardedResolver) and not installed.allow_private:
        return installed
    resolver = GuardedResolver.from_crawler(crawler, reactor)
    resolver.allow_private = False
    resolver.install_on_reactor()
    logger.info("Installed crawler.resolver.GuardedResolver: host names are checked")
    return resolver


class CountingOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, counting a page it filters as ``offsite``.

    The spider queues only pages of a site's domains, so the filter drops a page request
    only when a redirect leads off the site; Scrapy then drops it silently (in the
    ``request_scheduled`` signal, without an errback), with ``offsite/filtered`` alone.
    """

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        try:
            super().request_scheduled(request, spider)
        except IgnoreRequest:
            if PAGE_META_KEY in request.meta:
                count_drop(self.stats, "offsite")
            raise

"""Downloader middlewares of cleancrawl."""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RefusedRequest(IgnoreRequest):
    """A request cleancrawl refuses to send; ``reason`` is its drop reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (blocking: see ``resolve_in_thread``)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


async def resolve_in_thread(host: str) -> list[str]:
    """``resolve_host`` in the reactor's thread pool, so the crawl does not wait on DNS."""
    addresses: list[str] = await maybe_deferred_to_future(deferToThread(resolve_host, host))
    return addresses


def is_public(address: str) -> bool:
    """True if ``address`` is a global unicast address (not private, loopback, link-local...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class HostGuard:
    """Refuse requests a page should not be able to steer the crawler into.

    Every request passes here, start URLs, links and redirects alike: a scheme other than
    http(s) is refused as ``bad_scheme``; a host that is, or resolves to, a private,
    loopback, link-local or otherwise non-public address is refused as ``private_host``
    unless ``CLEANCRAWL_ALLOW_PRIVATE_HOSTS`` is on. Host names are resolved in a thread,
    once per host and crawl; a name that does not resolve is left to the downloader.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        resolve: Callable[[str], Awaitable[Sequence[str]]] = resolve_in_thread,
    ) -> None:
        self.allow_private = allow_private
        self.resolve = resolve
        self._private: dict[str, str | None] = {}  # host -> a private address it has, or None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(allow_private=crawler.settings.getbool("CLEANCRAWL_ALLOW_PRIVATE_HOSTS"))

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            logger.warning("Refused %s: only http and https URLs are fetched", request.url)
            raise RefusedRequest("bad_scheme", f"scheme {parts.scheme!r} refused")
        host = (parts.hostname or "").lower()
        if self.allow_private or not host:
            return
        if host not in self._private:
            self._private[host] = await self._private_address(host)
        if (address := self._private[host]) is not None:
            logger.warning(
                "Refused %s: %s is not a public address (CLEANCRAWL_ALLOW_PRIVATE_HOSTS is off)",
                request.url,
                address if host == address else f"{host} resolves to {address}, which",
            )
            raise RefusedRequest("private_host", f"{host} is not a public host")

    async def _private_address(self, host: str) -> str | None:
        try:
            addresses: Sequence[str] = [str(ipaddress.ip_address(host))]
        except ValueError:  # a name, not a literal address
            try:
                addresses = await self.resolve(host)
            except OSError:
                return None  # does not resolve: the downloader reports it as download_error
        return next((a for a in addresses if not is_public(a)), None)

"""The DNS resolver of cleancrawl: host names are checked where connections get their address.

A check that resolves a name on its own and lets the download resolve it again can be passed
by DNS rebinding: the name answers a public address to the check and a private one to the
connection. ``GuardedResolver`` is the resolver the reactor's connections use (Scrapy's
``TWISTED_DNS_RESOLVER``): it looks a name up once, and hands connections only the addresses
it checked. A name with a non-public address is refused whole, so connections to it fail and
``HostGuard`` counts the request as ``private_host``.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from scrapy.utils.datatypes import LocalCache
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IAddress
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

# Hosts refused remembered for HostGuard (it asks before sending a request there again).
REFUSED_HOSTS = 10_000


def is_public(address: str) -> bool:
    """True if ``address`` is a global unicast address (not private, loopback, link-local...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def lookup_addresses(host: str) -> list[str]:
    """Every address ``host`` resolves to (blocking: the resolver runs it in a thread)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def host_key(host: str) -> str:
    """``host`` as URLs and connections both name it: lower case, IDNA, no final dot."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or over-long label: not a name any lookup finds
        return host


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a host name resolved to: the addresses connections may use, or why there are none."""

    addresses: tuple[str, ...] = ()
    private: str | None = None  # a non-public address of the name: the host is refused
    error: str | None = None  # the name did not resolve


@implementer(IHostResolution)
class _HostResolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass  # the lookup runs in a thread and cannot be stopped; its result is cached


@implementer(IHostnameResolver)
class GuardedResolver:
    """Resolve host names for every connection, refusing names with non-public addresses.

    A name is looked up once at a time (requests arriving meanwhile wait for that lookup),
    and its answer is cached like Scrapy's (``DNSCACHE_ENABLED``, ``DNSCACHE_SIZE``); each
    answer is checked before any connection gets it, so a cache miss cannot let a rebound
    address through either. ``CLEANCRAWL_ALLOW_PRIVATE_HOSTS`` turns the check off.
    """

    def __init__(
        self,
        reactor: Any,
        *,
        allow_private: bool,
        cache_size: int = 10_000,
        timeout: float = 60.0,
        lookup: Callable[[str], Sequence[str]] = lookup_addresses,
        public: Callable[[str], bool] = is_public,
    ) -> None:
        self.reactor = reactor
        self.allow_private = allow_private
        self.timeout = timeout
        self.lookup = lookup
        self.public = public
        self._cache: LocalCache[str, Resolution] | None = (
            LocalCache(cache_size) if cache_size > 0 else None  # LocalCache(0) has no limit
        )
        self._refused: LocalCache[str, str] = LocalCache(REFUSED_HOSTS)
        self._waiting: dict[str, list[Deferred[Resolution]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        settings = crawler.settings
        cache = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor,
            allow_private=settings.getbool("CLEANCRAWL_ALLOW_PRIVATE_HOSTS"),
            cache_size=cache,
            timeout=settings.getfloat("DNS_TIMEOUT"),
        )

    def install_on_reactor(self) -> None:
        # also becomes reactor.resolver (through Twisted's ComplexResolverSimplifier), which
        # connectTCP uses: no connection of the reactor resolves past the check
        self.reactor.installNameResolver(self)

    def private_address(self, host: str) -> str | None:
        """The non-public address ``host`` was refused for, or None."""
        return self._refused.get(host_key(host))

    def resolve(self, host: str) -> Deferred[Resolution]:
        """The checked resolution of ``host``; never fails."""
        key = host_key(host)
        if self._cache is not None and key in self._cache:
            return succeed(self._cache[key])
        waiter: Deferred[Resolution] = Deferred()
        waiting = self._waiting.setdefault(key, [])
        waiting.append(waiter)
        if len(waiting) == 1:
            self._look_up(key).addCallback(self._resolved, key)
        return waiter

    def resolveHostName(
        self,
        resolutionReceiver: Any,  # IResolutionReceiver (a zope interface: mypy misreads it)
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        """Twisted's name resolution: the receiver gets checked addresses only."""
        resolution = _HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def deliver(found: Resolution) -> None:
            for address in found.addresses:
                kind = IPv6Address if ":" in address else IPv4Address
                if addressTypes is None or kind in addressTypes:
                    resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
            # no address: the connection fails with DNSLookupError, which Scrapy raises as
            # CannotResolveHostError; HostGuard tells a refused host from an unknown one
            resolutionReceiver.resolutionComplete()

        self.resolve(hostName).addCallback(deliver)
        return resolution

    def _look_up(self, key: str) -> Deferred[Resolution]:
        try:
            return succeed(self._check([str(ipaddress.ip_address(key))]))
        except ValueError:  # a name, not a literal address
            pass
        found: Deferred[Sequence[str]] = deferToThreadPool(
            self.reactor, self.reactor.getThreadPool(), self.lookup, key
        )
        if self.timeout > 0:
            found.addTimeout(self.timeout, self.reactor)
        return found.addCallbacks(self._check, _lookup_failed)

    def _check(self, addresses: Sequence[str]) -> Resolution:
        unique = tuple(dict.fromkeys(addresses))
        if not unique:
            return Resolution(error="no address")
        if not self.allow_private:
            private = next((a for a in unique if not self.public(a)), None)
            if private is not None:
                return Resolution(private=private)
        return Resolution(addresses=unique)

    def _resolved(self, resolution: Resolution, key: str) -> None:
        if resolution.private is not None:
            self._refused[key] = resolution.private
        if resolution.error is None and self._cache is not None:
            self._cache[key] = resolution  # failures are looked up again, as Scrapy does
        for waiter in self._waiting.pop(key):
            waiter.callback(resolution)


def _lookup_failed(failure: Failure) -> Resolution:
    return Resolution(error=failure.getErrorMessage() or repr(failure.value))

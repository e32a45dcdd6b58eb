"""robots.txt: fetched once per origin, obeyed by every request of it (RFC 9309).

Replaces Scrapy's ``RobotsTxtMiddleware``. Scrapy 2.19 keeps one shared ``Deferred`` per host
while robots.txt downloads, and every waiter after the first gets ``None`` from it and is let
through: the first requests of a host that arrive together were not checked. Here each waiter
gets its own ``Deferred``, fired with the same verdict.

The spider's own request for ``/robots.txt`` (for the ``Sitemap:`` lines) is answered with the
response this middleware fetched, so robots.txt is downloaded once per origin and crawl, and
the sitemaps the spider follows are those of the rules the crawl obeys.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from protego import Protego
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.middlewares import RefusedRequest

if TYPE_CHECKING:
    from urllib.parse import ParseResult

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least the first 500 KiB
MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five redirects
FETCH = "cleancrawl_robots_fetch"  # request meta: this middleware's own robots.txt request


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """What an origin's robots.txt lets the crawler fetch.

    Attributes:
        verdict: ``rules`` (the parsed file decides), ``allow_all`` or ``disallow_all``.
        why: What the fetch gave: ``http_200``, ``http_404``, ``http_503``,
            ``too_many_redirects``, ``unreachable``...
        rules: The parsed file, for ``rules``.
    """

    verdict: str
    why: str
    rules: Protego | None = None

    def allows(self, url: str, agent: str) -> bool:
        if self.rules is not None:
            return bool(self.rules.can_fetch(url, agent))
        return self.verdict == "allow_all"

    def crawl_delay(self, agent: str) -> float | None:
        delay = self.rules.crawl_delay(agent) if self.rules is not None else None
        return float(delay) if delay is not None else None


def policy_from_response(response: Response) -> RobotsPolicy:
    """RFC 9309 2.3.1: a 2xx is parsed (its first 500 KiB), a 4xx allows all, the rest
    (5xx, and a 3xx left after the redirects were followed) disallows all."""
    status = response.status
    why = f"http_{status}"
    if 200 <= status < 300:
        text = response.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="ignore")
        return RobotsPolicy("rules", why, Protego.parse(text))
    if 400 <= status < 500:
        return RobotsPolicy("allow_all", why)  # "unavailable": no rules
    return RobotsPolicy("disallow_all", why)  # "unreachable": server error


def policy_from_error(error: BaseException) -> RobotsPolicy:
    """No response: more than five redirects makes robots.txt unavailable (allow all, RFC
    9309 2.3.1.2); any other failure (network error, time-out, a redirect to a refused URL,
    over DOWNLOAD_MAXSIZE) makes it unreachable (disallow all, RFC 9309 2.3.1.4)."""
    if isinstance(error, IgnoreRequest) and "max redirections" in str(error):
        return RobotsPolicy("allow_all", "too_many_redirects")
    return RobotsPolicy("disallow_all", "unreachable")


@dataclass(slots=True)
class _Origin:
    """The robots.txt of one origin: being fetched (``policy`` None), or fetched."""

    policy: RobotsPolicy | None = None
    response: Response | None = None  # what the fetch gave, to answer a /robots.txt request
    error: BaseException | None = None  # ...or how it failed
    waiters: list[Deferred[None]] = field(default_factory=list)


class RobotsTxt:
    """Obey robots.txt (``ROBOTSTXT_OBEY``) for every request, whatever arrives first.

    Per origin (scheme, host and port) robots.txt is fetched once, past the scheduler, and
    every request of the origin waits for it. Redirects are followed up to 5 hops; only the
    first 500 KiB are read. A 2xx is obeyed; a 4xx or more than 5 redirects allow everything;
    a 5xx or no response at all (network error, time-out, refused redirect, over
    ``DOWNLOAD_MAXSIZE``), after the retries of ``RETRY_TIMES``, disallows everything for
    the rest of the run. A disallowed request is refused as ``robots_txt``. A
    ``Crawl-delay`` for our user agent becomes the least delay of the host's download slot,
    capped at ``CLEANCRAWL_MAX_CRAWL_DELAY`` seconds (0: Crawl-delay ignored).
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.agent: str = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )
        self.max_delay = crawler.settings.getfloat("CLEANCRAWL_MAX_CRAWL_DELAY")
        self._origins: dict[str, _Origin] = {}
        self._delays: dict[str, float] = {}  # host -> least slot delay, from Crawl-delay
        # bytes of robots.txt received, per request (not in meta: a redirect copies meta)
        self._received: weakref.WeakKeyDictionary[Request, int] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware._stop_at_limit, signal=signals.bytes_received)
        # a new slot gets the default delay, AutoThrottle lowers it after each response:
        # both are raised back to the Crawl-delay before the slot's next request is sent
        crawler.signals.connect(middleware._keep_delay, signal=signals.request_reached_downloader)
        crawler.signals.connect(middleware._keep_delay, signal=signals.response_downloaded)
        return middleware

    async def process_request(self, request: Request) -> Response | None:
        parts = urlparse_cached(request)
        if request.meta.get(FETCH) or parts.scheme not in ("http", "https"):
            return None
        is_robots = parts.path == "/robots.txt" and not parts.query
        if request.meta.get("dont_obey_robotstxt") and not is_robots:
            return None
        origin = _origin(parts)
        entry = await self._fetched(origin)
        if is_robots:
            return self._robots_answer(entry, request)
        assert entry.policy is not None
        if not entry.policy.allows(request.url, self.agent):
            logger.debug("Forbidden by robots.txt: %s", request.url)
            self.stats.inc_value("robotstxt/forbidden")
            raise RefusedRequest("robots_txt", "Forbidden by robots.txt")
        return None

    async def _fetched(self, origin: str) -> _Origin:
        entry = self._origins.get(origin)
        if entry is None:
            entry = self._origins[origin] = _Origin()
            try:
                await self._fetch(origin, entry)
            finally:
                if entry.policy is None:  # cancelled, or a bug: refuse rather than let through
                    entry.policy = RobotsPolicy("disallow_all", "error")
                waiting, entry.waiters = entry.waiters, []
                for each in waiting:
                    each.callback(None)
        elif entry.policy is None:
            # one Deferred per waiter: a shared one would hand its result to the first only
            waiter: Deferred[None] = Deferred()
            entry.waiters.append(waiter)
            await maybe_deferred_to_future(waiter)
        return entry

    async def _fetch(self, origin: str, entry: _Origin) -> None:
        robots = Request(
            f"{origin}/robots.txt",
            callback=NO_CALLBACK,
            priority=1000,
            meta={
                FETCH: True,
                "dont_obey_robotstxt": True,
                "redirect_ttl": MAX_REDIRECTS,
                "allow_offsite": True,  # a redirect to another host is followed (RFC 9309)
            },
        )
        self.stats.inc_value("robotstxt/request_count")
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:
            entry.error = exc
            entry.policy = policy_from_error(exc)
            self.stats.inc_value(f"robotstxt/exception_count/{type(exc).__name__}")
        else:
            self.stats.inc_value("robotstxt/response_count")
            self.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            # keep only what is parsed; the spider reads its Sitemap: lines from the same bytes
            entry.response = response.replace(body=response.body[:MAX_ROBOTS_BYTES])
            entry.policy = policy_from_response(response)
        policy = entry.policy
        self.stats.inc_value(f"robotstxt/{policy.verdict}/{policy.why}")
        if policy.verdict == "disallow_all":
            logger.warning(
                "robots.txt of %s could not be read (%s): nothing is fetched from %s in this "
                "run (RFC 9309)",
                origin,
                policy.why,
                origin,
            )
        self._set_delay(urlparse_cached(robots).hostname or "", policy)

    def _robots_answer(self, entry: _Origin, request: Request) -> Response:
        """The fetched robots.txt, for a request of the same URL (the spider's, for sitemaps)."""
        request.meta["dont_retry"] = True  # its retries were made already
        if entry.response is not None:  # flagged "cached" in the log: no second download
            return entry.response.replace(request=request, flags=[*entry.response.flags, "cached"])
        raise entry.error or IgnoreRequest("robots.txt could not be fetched")

    def _set_delay(self, host: str, policy: RobotsPolicy) -> None:
        delay = policy.crawl_delay(self.agent)
        if not delay or self.max_delay <= 0:
            return
        capped = min(delay, self.max_delay)
        if capped < delay:
            logger.info(
                "Crawl-delay of %s is %s s; %s s are kept (CLEANCRAWL_MAX_CRAWL_DELAY)",
                host,
                delay,
                capped,
            )
        self._delays[host] = max(capped, self._delays.get(host, 0.0))
        self.stats.max_value("robotstxt/crawl_delay_max", capped)

    def _keep_delay(self, request: Request, **kwargs: Any) -> None:
        delay = self._delays.get(urlparse_cached(request).hostname or "")
        engine = self.crawler.engine
        if delay is None or engine is None:
            return
        slot = engine.downloader.slots.get(request.meta.get("download_slot", ""))
        if slot is not None and slot.delay < delay:
            slot.delay = delay

    def _stop_at_limit(self, data: bytes, request: Request, **kwargs: Any) -> None:
        """Stop downloading robots.txt once past what is parsed of it."""
        if request.meta.get(FETCH):
            received = self._received[request] = self._received.get(request, 0) + len(data)
            if received >= MAX_ROBOTS_BYTES:
                raise StopDownload(fail=False)


def _origin(parts: ParseResult) -> str:
    """``scheme://host[:port]``, the port only if not the scheme's default (RFC 9309 2.3)."""
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = 443 if parts.scheme == "https" else 80
    return (
        f"{parts.scheme}://{host}" if port in (None, default) else f"{parts.scheme}://{host}:{port}"
    )

"""Spider contracts (``scrapy check``) that run offline, against the bundled sample site."""

from __future__ import annotations

import atexit
from typing import TYPE_CHECKING, Any

from scrapy.contracts import Contract

from crawler.sample_server import SAMPLE_SITE, SiteServer

if TYPE_CHECKING:
    from collections.abc import Callable

_servers: list[SiteServer] = []


def sample_site_url() -> str:
    """Address of the sample site, served on 127.0.0.1 from the first call to the exit."""
    if not _servers:
        server = SiteServer(SAMPLE_SITE).__enter__()
        atexit.register(server.__exit__)
        _servers.append(server)
    return _servers[0].url


class SampleUrlContract(Contract):
    """``@sample_url /path``: check the callback on that page of the bundled sample site.

    Scrapy's ``@url`` needs a fixed address; the sample site is served on a free port of
    127.0.0.1 for the run of ``scrapy check``, so the contracts need no network.
    """

    name = "sample_url"

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__  # type: ignore[attr-defined]

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.spider.settings.getbool("CLEANCRAWL_ALLOW_PRIVATE_HOSTS"):
            raise ValueError(
                "the contracts fetch the bundled sample site on 127.0.0.1: run "
                "scrapy check with -s CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True"
            )
        args["url"] = sample_site_url() + self.args[0]
        # the sample site is on none of the sites' domains: past Scrapy's offsite filter
        args["meta"] = {**(args.get("meta") or {}), "allow_offsite": True}
        return args

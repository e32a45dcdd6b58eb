"""A scripted DNS for crawls in the tests: no name is looked up on the network.

``FakeDnsResolver`` is cleancrawl's ``GuardedResolver`` with its lookup replaced: setting
``FAKE_DNS`` maps a name to its answers in turn (a list of addresses, or null for "does not
resolve"; the last answer repeats), and the addresses in ``FAKE_DNS_PUBLIC`` count as public,
so a local test server can stand for a public host while every other address (127.0.0.2...)
stays private. Unknown names do not resolve.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import TYPE_CHECKING, Any, Self

from crawler.resolver import GuardedResolver, is_public

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.crawler import Crawler


class ScriptedLookup:
    """Answers ``script[name]`` in turn; ``calls`` counts lookups per name."""

    def __init__(self, script: dict[str, list[list[str] | None]]) -> None:
        self.script = script
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()  # lookups run in the reactor's thread pool

    def __call__(self, name: str) -> Sequence[str]:
        with self._lock:
            n = self.calls[name] = self.calls.get(name, 0) + 1
        answers = self.script.get(name) or [None]
        answer = answers[min(n, len(answers)) - 1]
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answer


class FakeDnsResolver(GuardedResolver):
    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        resolver.lookup = ScriptedLookup(json.loads(crawler.settings.get("FAKE_DNS", "{}")))
        public = frozenset(json.loads(crawler.settings.get("FAKE_DNS_PUBLIC", "[]")))
        resolver.public = lambda address: address in public or is_public(address)
        return resolver

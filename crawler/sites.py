"""The sites file: which sites the technews spider crawls, and how."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import HTMLTranslator, SelectorError

from crawler.config import ConfigError

DEFAULT_SITES_FILE = Path(__file__).with_name("sites.toml")

_KEYS = {
    "name",
    "start_urls",
    "sitemap_urls",
    "feed_urls",
    "allowed_domains",
    "allow",
    "deny",
    "max_pages",
    "max_depth",
    "max_sitemap_depth",
    "max_sitemaps",
    "max_sitemap_urls",
    "robots_sitemaps",
    "prune",
}


class SitesFileError(ConfigError):
    """A sites file that cannot be used, with the file and site it is about."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """One site to crawl.

    Attributes:
        name: Short name, written to the ``site`` column.
        start_urls: Pages to start following links from.
        sitemap_urls: Sitemaps or sitemap indexes (news sitemaps included).
        feed_urls: RSS or Atom feeds.
        allowed_domains: Hosts (and their subdomains) whose pages may be fetched;
            default: the hosts of all the URLs above.
        allow: Regular expressions; if given, a page URL must match one.
        deny: Regular expressions; a page URL matching one is skipped.
        max_pages: Most article and listing pages fetched from the site per run.
        max_depth: Most link hops from a start URL, sitemap or feed entry.
        max_sitemap_depth: Most levels of sitemap indexes below a sitemap named in the sites
            file or robots.txt: a sitemap deeper than that is not fetched.
        max_sitemaps: Most sitemaps and feeds fetched for the site per run (those named in
            the sites file and robots.txt included).
        max_sitemap_urls: Most entries (page URLs) read from the site's sitemaps and feeds
            per run, taken or not; the rest are not read.
        robots_sitemaps: Also read the ``Sitemap:`` lines of the sites' robots.txt.
        prune_xpaths: Elements removed from the site's pages before extraction, as XPath
            (the sites file gives them as CSS selectors, key ``prune``).
    """

    name: str
    start_urls: tuple[str, ...] = ()
    sitemap_urls: tuple[str, ...] = ()
    feed_urls: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    max_pages: int = 1000
    max_depth: int = 3
    max_sitemap_depth: int = 3
    max_sitemaps: int = 50
    max_sitemap_urls: int = 50_000
    robots_sitemaps: bool = True
    prune_xpaths: tuple[str, ...] = ()
    _domains: frozenset[str] = field(default=frozenset(), repr=False)
    _sitemap_hosts: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        if not (self.start_urls or self.sitemap_urls or self.feed_urls):
            raise ValueError("needs at least one of start_urls, sitemap_urls, feed_urls")
        for url in (*self.start_urls, *self.sitemap_urls, *self.feed_urls):
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"{url!r} is not an http(s) URL")
        if self.max_pages < 1 or self.max_depth < 0:
            raise ValueError("max_pages must be >= 1 and max_depth >= 0")
        if self.max_sitemaps < 1 or self.max_sitemap_urls < 1 or self.max_sitemap_depth < 0:
            raise ValueError(
                "max_sitemaps and max_sitemap_urls must be >= 1 and max_sitemap_depth >= 0"
            )
        domains = self.allowed_domains or tuple(
            sorted({urlsplit(u).hostname or "" for u in self.entry_urls})
        )
        object.__setattr__(self, "allowed_domains", domains)
        object.__setattr__(self, "_domains", frozenset(d.lower() for d in domains))
        hosts = {urlsplit(u).hostname or "" for u in (*self.sitemap_urls, *self.feed_urls)}
        object.__setattr__(self, "_sitemap_hosts", frozenset(hosts))

    @property
    def entry_urls(self) -> tuple[str, ...]:
        return (*self.start_urls, *self.sitemap_urls, *self.feed_urls)

    def on_domain(self, url: str) -> bool:
        """True if ``url`` is http(s) on one of the allowed domains (or their subdomains)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.scheme in ("http", "https") and any(
            host == d or host.endswith("." + d) for d in self._domains
        )

    def allows_sitemap(self, url: str) -> bool:
        """True if ``url`` may be fetched as a sitemap or feed of the site: on an allowed
        domain, or on a host the sites file names a sitemap or feed on (a CDN, a feed
        service)."""
        parts = urlsplit(url)
        return self.on_domain(url) or (
            parts.scheme in ("http", "https") and (parts.hostname or "") in self._sitemap_hosts
        )

    def allows_url(self, url: str) -> bool:
        """True if ``url`` is on an allowed domain and passes the allow and deny patterns."""
        if not self.on_domain(url):
            return False
        if self.allow and not any(p.search(url) for p in self.allow):
            return False
        return not any(p.search(url) for p in self.deny)


def site_for_url(url: str) -> Site:
    """A one-off site from one URL: its host, its robots.txt sitemaps and its links."""
    host = urlsplit(url).hostname or ""
    return Site(name=host, start_urls=(url,))


def load_sites(path: Path) -> list[Site]:
    """Read and check a sites file; raise ``SitesFileError`` saying what is wrong, and where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SitesFileError(f"cannot read sites file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"sites file {path} is not valid TOML: {exc}") from exc
    entries = data.get("site")
    if not isinstance(entries, list) or not entries:
        raise SitesFileError(f"sites file {path} has no [[site]] tables")
    sites = [_site(entry, path, index) for index, entry in enumerate(entries, 1)]
    names = [site.name for site in sites]
    if len(set(names)) != len(names):
        raise SitesFileError(f"sites file {path}: site names must be unique, got {names}")
    return sites


def _site(entry: dict[str, Any], path: Path, index: int) -> Site:
    where = f"sites file {path}, site #{index} ({entry.get('name', 'unnamed')})"
    unknown = set(entry) - _KEYS
    if unknown:
        raise SitesFileError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(entry.get("name"), str) or not entry["name"]:
        raise SitesFileError(f"{where}: 'name' (a string) is required")
    try:
        return Site(
            name=entry["name"],
            start_urls=_strings(entry, "start_urls"),
            sitemap_urls=_strings(entry, "sitemap_urls"),
            feed_urls=_strings(entry, "feed_urls"),
            allowed_domains=_strings(entry, "allowed_domains"),
            allow=_patterns(entry, "allow"),
            deny=_patterns(entry, "deny"),
            max_pages=int(entry.get("max_pages", 1000)),
            max_depth=int(entry.get("max_depth", 3)),
            max_sitemap_depth=int(entry.get("max_sitemap_depth", 3)),
            max_sitemaps=int(entry.get("max_sitemaps", 50)),
            max_sitemap_urls=int(entry.get("max_sitemap_urls", 50_000)),
            robots_sitemaps=bool(entry.get("robots_sitemaps", True)),
            prune_xpaths=tuple(_xpath(s) for s in _strings(entry, "prune")),
        )
    except (ValueError, TypeError, SelectorError) as exc:
        raise SitesFileError(f"{where}: {exc}") from exc


def _xpath(selector: str) -> str:
    try:
        return str(HTMLTranslator().css_to_xpath(selector))
    except SelectorError as exc:
        raise ValueError(f"prune selector {selector!r} is not valid CSS: {exc}") from exc


def _patterns(entry: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for pattern in _strings(entry, key):
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:  # its message alone does not say which pattern
            raise ValueError(
                f"'{key}' pattern {pattern!r} is not a regular expression: {exc}"
            ) from None
    return tuple(patterns)


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"'{key}' must be a list of strings")
    return tuple(value)

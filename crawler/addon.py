"""cleancrawl as a Scrapy add-on: its components, its settings checked, a crawl id, a User-Agent.

Any Scrapy project gets cleancrawl's pipelines with one setting::

    ADDONS = {"crawler.addon.CleanCrawl": 0}

and its spiders only crawl: they yield ``PageItem``s, the add-on does the rest. cleancrawl's
own ``crawler/settings.py`` enables it the same way.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Self

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.misc import load_object

from crawler import cluster
from crawler.config import ConfigError, check_settings, default_user_agent
from crawler.settings_spec import SETTINGS
from output.schema import ARTICLE_SCHEMA

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

# component priority dictionaries: component -> order (None: disabled)
COMPONENTS: dict[str, dict[str, int | None]] = {
    "DOWNLOADER_MIDDLEWARES": {
        # Refuse non-http(s) URLs and, unless CLEANCRAWL_ALLOW_PRIVATE_HOSTS, private hosts;
        # before the robots.txt middleware so not even robots.txt is fetched from such a host.
        "crawler.middlewares.HostGuard": 50,
        # robots.txt fetched once per origin and obeyed by every request (Scrapy's own lets
        # the first requests of a host through while robots.txt downloads), RFC 9309
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawler.robots.RobotsTxt": 100,
        # Scrapy's offsite filter, counting a redirect off the site as a drop ("offsite")
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        "crawler.middlewares.CountingOffsiteMiddleware": 55,
        # with a JOBDIR: URLs already in closed files of the job are not fetched again
        "crawler.resume.SkipWrittenMiddleware": 60,
        # with a state directory: skip unchanged articles, re-fetch the others conditionally
        "crawler.incremental.IncrementalMiddleware": 70,
        # with CLEANCRAWL_WARC_DIR: every response as received (before decompression),
        # archived as WARC; the highest number, see crawler/archive.py
        "crawler.archive.WarcArchiveMiddleware": 950,
    },
    "EXTENSIONS": {
        # counts what the exit code needs (crawler/outcome.py): responses that reached a site
        "crawler.outcome.CrawlOutcome": 100,
        # with REDIS_URL: this worker's final stats added to the crawl's, before they are read
        "crawler.extensions.SharedStats": 450,
        "crawler.extensions.StatsFile": 500,
        # Scrapy's LogStats, saying also what was written and dropped, and why
        "scrapy.extensions.logstats.LogStats": None,
        "crawler.progress.Progress": 0,
        # what was written (per language and page type) and dropped (per reason), at the end
        "crawler.summary.CrawlSummary": 600,
    },
    "ITEM_PIPELINES": {
        "crawler.pipelines.CleaningPipeline": 300,
        "crawler.pipelines.TemplatePipeline": 400,
        "crawler.quality.QualityPipeline": 450,
        "crawler.incremental.DuplicatePipeline": 500,
        "crawler.neardup.NearDuplicatePipeline": 550,
        "crawler.pipelines.ParquetPipeline": 800,
    },
}
CLASSES = {
    # Scrapy's duplicate filter, counting a page it filters (a redirect loop) as a drop
    "DUPEFILTER_CLASS": "crawler.dupefilter.CountingDupeFilter",
    # log scraped and dropped items by URL, not with the whole article text
    "LOG_FORMATTER": "crawler.logformatter.QuietLogFormatter",
    # host names resolved once and checked where connections get their address, so a name
    # answering a public address to a check and a private one to the connection (DNS
    # rebinding) cannot pass; see crawler/resolver.py and CLEANCRAWL_ALLOW_PRIVATE_HOSTS
    "TWISTED_DNS_RESOLVER": "crawler.resolver.GuardedResolver",
}
# with REDIS_URL (distributed mode, crawler/cluster.py) only: the shared, leasing frontier
# (crawler/frontier.py) and the per-site gate of the whole crawl (crawler/politeness.py)
DISTRIBUTED_COMPONENTS: dict[str, dict[str, int | None]] = {
    "DOWNLOADER_MIDDLEWARES": {
        # the last asked about a failure: a request failed for good ends its lease
        "crawler.frontier.LeaseFailures": 1,
        # after the middlewares that refuse requests, before the cache and the WARC archive
        "crawler.politeness.SharedPoliteness": 800,
    },
    # the first to see a request's output leaves: its lease waits for all of it
    "SPIDER_MIDDLEWARES": {"crawler.frontier.LeaseOutput": 1},
}
DISTRIBUTED_CLASSES = {
    "SCHEDULER": "crawler.frontier.LeasedScheduler",
    "DUPEFILTER_CLASS": "crawler.frontier.SharedDupeFilter",
}
# `-o out.jsonl`, `-o out.csv` and FEEDS export the Parquet columns, in the Parquet's order;
# the fields kept for the crawl state (lastmod, etag, last_modified, minhash) are left out
FEED_EXPORT_FIELDS = list(ARTICLE_SCHEMA.names)
ADDON_PRIORITY = SETTINGS_PRIORITIES["addon"]


class CleanCrawl:
    """The Scrapy add-on of cleancrawl (``ADDONS``, Scrapy >= 2.10).

    ``update_settings`` runs once per crawl, after the spider is built and before any other
    component: it applies the defaults of ``crawler.settings_spec`` (a project's value wins),
    registers the components (a project's own entry for one, or ``None``, wins), checks
    every setting (``ConfigError``: one line, exit code 2) and makes the crawl id and the
    User-Agent.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # the crawler's spider is built before add-ons: distributed mode names the crawl
        # after the spider's sites (crawler/cluster.py)
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        for spec in SETTINGS:
            # a default must not be shared between crawls: lists and dicts are copied
            default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
            settings.set(spec.name, copy.deepcopy(default), priority="addon")
        for name, components in COMPONENTS.items():
            for path, order in components.items():
                settings.setdefault_in_component_priority_dict(name, load_object(path), order)
        for name, path in CLASSES.items():
            settings.set(name, path, priority="addon")
        settings.set("FEED_EXPORT_FIELDS", FEED_EXPORT_FIELDS, priority="addon")
        check_settings(settings)
        # one id for the whole run, shared by every component through the settings; with
        # REDIS_URL, the id every process of the distributed crawl agreed on
        joined = None
        if self.crawler is not None:
            joined = cluster.join(settings, self.crawler.spider)
        crawl_id = joined.crawl_id if joined else settings.get("CLEANCRAWL_CRAWL_ID")
        crawl_id = crawl_id or cluster.new_crawl_id()
        priority = max(settings.getpriority("CLEANCRAWL_CRAWL_ID") or 0, ADDON_PRIORITY)
        settings.set("CLEANCRAWL_CRAWL_ID", crawl_id, priority=priority)
        if joined is not None and self.crawler is not None:
            priority = max(settings.getpriority("CLEANCRAWL_WORKER_ID") or 0, ADDON_PRIORITY)
            settings.set("CLEANCRAWL_WORKER_ID", joined.worker_id, priority=priority)
            cluster.remember(self.crawler, joined)
            for name, components in DISTRIBUTED_COMPONENTS.items():
                for path, order in components.items():
                    settings.setdefault_in_component_priority_dict(name, load_object(path), order)
            for name, path in DISTRIBUTED_CLASSES.items():
                settings.set(name, path, priority="addon")
        if agent := default_user_agent(settings):
            settings.set("USER_AGENT", agent, priority="addon")


def require_addon(crawler: Crawler, component: str) -> None:
    """Raise ``ConfigError`` unless the crawl runs with the add-on (settings checked, ids set)."""
    if crawler.get_addon(CleanCrawl) is None:
        raise ConfigError(
            f"{component} needs cleancrawl's add-on: "
            "ADDONS = {'crawler.addon.CleanCrawl': 0} in the project's settings"
        )

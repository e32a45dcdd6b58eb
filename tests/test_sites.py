from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import DEFAULT_SITES_FILE, SitesFileError, load_sites, site_for_url


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_sites_file_loads() -> None:
    sites = load_sites(DEFAULT_SITES_FILE)
    assert len(sites) >= 3
    assert all(site.feed_urls or site.sitemap_urls or site.start_urls for site in sites)


def test_site_fields_and_url_rules(tmp_path: Path) -> None:
    (site,) = load_sites(
        write(
            tmp_path,
            """
[[site]]
name = "news"
start_urls = ["https://www.news.test/"]
sitemap_urls = ["https://www.news.test/sitemap.xml"]
allowed_domains = ["news.test"]
allow = ["/20\\\\d\\\\d/"]
deny = ["/2020/"]
max_pages = 10
max_depth = 2
""",
        )
    )
    assert (site.name, site.max_pages, site.max_depth) == ("news", 10, 2)
    assert site.allows_url("https://news.test/2024/a")
    assert site.allows_url("https://cdn.news.test/2024/a")
    assert not site.allows_url("https://news.test/about/")  # not allowed by pattern
    assert not site.allows_url("https://news.test/2020/a")  # denied
    assert not site.allows_url("https://othernews.test/2024/a")  # other domain
    assert not site.allows_url("ftp://news.test/2024/a")


def test_one_off_site_from_a_url() -> None:
    site = site_for_url("http://127.0.0.1:8000/")
    assert site.allowed_domains == ("127.0.0.1",)
    assert site.robots_sitemaps
    assert site.allows_url("http://127.0.0.1:8000/news/a/")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[site]\nname=", "not valid TOML"),
        ("x = 1", "no \\[\\[site\\]\\] tables"),
        ('[[site]]\nname = "a"', "at least one of"),
        ('[[site]]\nname = "a"\nstart_urls = ["news.test"]', "not an http"),
        ('[[site]]\nname = "a"\nstart_urls = "https://a.test/"\nmaxpages = 3', "unknown keys"),
        ('[[site]]\nname = "a"\nstart_urls = ["https://a.test/"]\ndeny = ["("]', "site #1"),
        ('[[site]]\nstart_urls = ["https://a.test/"]', "'name'"),
        (
            '[[site]]\nname = "a"\nstart_urls = ["https://a.test/"]\n'
            '[[site]]\nname = "a"\nstart_urls = ["https://b.test/"]',
            "unique",
        ),
    ],
)
def test_bad_sites_files_say_what_and_where(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SitesFileError, match=message) as error:
        load_sites(path)
    assert str(path) in str(error.value)


def test_missing_sites_file(tmp_path: Path) -> None:
    with pytest.raises(SitesFileError, match="cannot read"):
        load_sites(tmp_path / "nope.toml")


def test_prune_selectors_become_xpath(tmp_path: Path) -> None:
    (site,) = load_sites(
        write(
            tmp_path,
            '[[site]]\nname = "a"\nstart_urls = ["https://a.test/"]\n'
            'prune = ["div.promo", "#newsletter"]\n',
        )
    )
    assert len(site.prune_xpaths) == 2
    assert "promo" in site.prune_xpaths[0] and "newsletter" in site.prune_xpaths[1]


def test_bad_prune_selector(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[[site]]\nname = "a"\nstart_urls = ["https://a.test/"]\nprune = ["div[["]\n'
    )
    with pytest.raises(SitesFileError, match="not valid CSS"):
        load_sites(path)

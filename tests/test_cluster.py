"""Distributed mode's crawl id: processes of the same sites and Redis agree on one crawl."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import cluster
from crawler.cluster import cluster_for
from crawler.config import ConfigError
from crawler.leases import AGAIN, Frontier
from crawler.spiders.technews import TechNewsSpider
from tests.conftest import SITES, make_crawler

OTHER_SITES = SITES.replace("news.test", "other.test")


def mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def worker(path: Path, sites: str, redis_url: str) -> TechNewsSpider:
    """The technews spider of a process joining the crawl in ``redis_url``."""
    spider = make_crawler(mkdir(path), sites, settings={"REDIS_URL": redis_url}).spider
    assert isinstance(spider, TechNewsSpider)
    return spider


def test_processes_of_the_same_sites_share_one_crawl_id(tmp_path: Path, redis_url: str) -> None:
    first = make_crawler(mkdir(tmp_path / "a"), settings={"REDIS_URL": redis_url})
    second = make_crawler(mkdir(tmp_path / "b"), settings={"REDIS_URL": redis_url})
    other = make_crawler(mkdir(tmp_path / "c"), OTHER_SITES, settings={"REDIS_URL": redis_url})
    a, b, c = (cluster_for(crawler) for crawler in (first, second, other))
    assert a is not None and b is not None and c is not None
    assert a.crawl_id == b.crawl_id == first.settings["CLEANCRAWL_CRAWL_ID"]
    assert second.settings["CLEANCRAWL_CRAWL_ID"] == a.crawl_id
    assert a.worker_id != b.worker_id
    assert first.settings["CLEANCRAWL_WORKER_ID"] == a.worker_id
    # other sites, another crawl
    assert c.namespace != a.namespace


def test_a_given_crawl_id_is_overridden_by_the_running_crawls(
    tmp_path: Path, redis_url: str
) -> None:
    first = make_crawler(mkdir(tmp_path / "a"), settings={"REDIS_URL": redis_url})
    late = make_crawler(
        mkdir(tmp_path / "b"), settings={"REDIS_URL": redis_url, "CLEANCRAWL_CRAWL_ID": "mine"}
    )
    assert late.settings["CLEANCRAWL_CRAWL_ID"] == first.settings["CLEANCRAWL_CRAWL_ID"]


def joins(redis_url: str) -> Frontier:
    """A worker joining the crawl (of no spider), as the add-on joins it."""
    joined = cluster.join(Settings({"REDIS_URL": redis_url}), None)
    assert joined is not None
    return Frontier(joined, timeout=30)


def test_a_worker_joining_as_the_last_one_ends_the_crawl_keeps_it_open(redis_url: str) -> None:
    last = joins(redis_url)
    last.started()  # its start requests queued long ago; nothing left to fetch
    late = joins(redis_url)  # joins just as the last worker finds the crawl over
    assert late.cluster.crawl_id == last.cluster.crawl_id
    # the late worker counts from the moment it joined: the crawl is not over under it (it
    # would fetch every page again under an id no other worker uses)
    assert not last.end_crawl()
    late.started()
    assert late.end_crawl()
    assert joins(redis_url).cluster.crawl_id != last.cluster.crawl_id  # the next run: a new one


def test_a_worker_whose_crawl_ended_while_it_opened_does_nothing(redis_url: str) -> None:
    last = joins(redis_url)
    late = joins(redis_url)
    assert late.open()  # opened in time: its first heartbeat
    late.started()
    slow = joins(redis_url)
    # its opening outlasted the heartbeat it joined with: the crawl ends without it
    slow.client.delete(slow._heartbeat_prefix + slow.worker)
    last.started()
    assert last.end_crawl()
    assert not slow.open() and slow.late  # not run under the ended id
    assert not slow.client.exists(slow.starting_key, slow.workers_key)


def test_without_redis_url_there_is_no_cluster(tmp_path: Path) -> None:
    assert cluster_for(make_crawler(tmp_path)) is None


@pytest.mark.slow
def test_an_unreachable_redis_is_a_configuration_error(tmp_path: Path) -> None:
    from tests.redis_server import free_port

    with pytest.raises(ConfigError, match="cannot reach Redis"):
        make_crawler(tmp_path, settings={"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})


def test_sitemap_limits_count_for_the_whole_crawl(tmp_path: Path, redis_url: str) -> None:
    from crawler.leases import page_claims
    from tests.test_sitemap_limits import index, limits, requests, sites, urlset

    text = sites(max_sitemaps=4, max_sitemap_urls=5, max_pages=100)
    a, b = (worker(tmp_path / name, text, redis_url) for name in ("a", "b"))  # one crawl
    for spider in (a, b):
        spider._claims = page_claims(spider.crawler)  # as start() sets it
    # each reads an index of its own: 4 sitemaps for the crawl, whoever asks
    got_a = requests(a.parse_xml(index("https://news.test/i.xml", "/a1.xml", "/a2.xml", "/s.xml")))
    got_b = requests(b.parse_xml(index("https://news.test/j.xml", "/s.xml", "/b1.xml", "/b2.xml")))
    assert [r.url for r in got_a] == [f"https://news.test/{n}.xml" for n in ("a1", "a2", "s")]
    assert [r.url for r in got_b] == ["https://news.test/b1.xml"]  # s.xml is a's already
    assert limits(b) == {"max_sitemaps": 1}
    # 5 entries for the crawl: 3 read by a, 2 by b, then none
    assert len(requests(a.parse_xml(urlset("https://news.test/a1.xml", 3)))) == 3
    assert len(requests(b.parse_xml(urlset("https://news.test/b1.xml", 3)))) == 2
    assert requests(a.parse_xml(urlset("https://news.test/a2.xml", 3))) == []
    assert limits(a) == {"max_sitemap_urls": 1}


def test_a_worker_joining_a_crawl_queues_the_named_sitemaps_again(
    tmp_path: Path, redis_url: str
) -> None:
    from tests.test_start_urls import start_requests

    text = SITES + 'sitemap_urls = ["https://news.test/sitemap.xml"]\nrobots_sitemaps = false\n'
    first, second = (worker(tmp_path / name, text, redis_url) for name in ("a", "b"))
    expected = ["https://news.test/sitemap.xml", "https://news.test/"]
    assert [r.url for r in start_requests(first)] == expected
    # both again (the crawl's fingerprints filter them): the first worker may have claimed
    # them and died before it queued them (the queue is empty: nothing is queued here);
    # queued again by their claimer ("start"), so not counted twice
    again = start_requests(second)
    assert [r.url for r in again] == expected
    assert all(r.meta.get(AGAIN) for r in again)
    assert first.crawler.stats.get_value("technews/pages_queued") == 1
    assert second.crawler.stats.get_value("technews/pages_queued") is None


def test_a_site_another_worker_started_is_no_site_with_nothing_to_fetch(
    tmp_path: Path, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.test_start_urls import start_requests

    text = SITES + "robots_sitemaps = false\n"  # start URLs only
    first, second = (worker(tmp_path / name, text, redis_url) for name in ("a", "b"))
    assert [r.url for r in start_requests(first)] == ["https://news.test/"]
    with caplog.at_level(logging.WARNING):
        # queued again (the first worker's claim of it could be all there is of it)
        assert [r.url for r in start_requests(second)] == ["https://news.test/"]
    assert "nothing to fetch" not in caplog.text


def test_a_restarted_worker_removes_only_its_own_unfinished_files(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from crawler.frontier import remove_stale_files

    names = [
        ".technews-C1-w001-00003.parquet.tmp",  # its own, left by its killed process
        ".technews-C1-w0010-00000.parquet.tmp",  # worker w0010's
        ".technews-C2-w001-00000.parquet.tmp",  # another crawl's
        "technews-C1-w001-00002.parquet",  # a finished file
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    crawler = SimpleNamespace(settings={"CLEANCRAWL_OUTPUT_DIR": str(tmp_path)})
    frontier = SimpleNamespace(cluster=SimpleNamespace(crawl_id="C1"), worker="w001")
    remove_stale_files(crawler, frontier)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])

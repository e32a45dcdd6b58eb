from __future__ import annotations

import asyncio
import pickle
import random
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from scrapy.exceptions import DropItem, NotConfigured

from cleaning.neardup import (
    _BANDS,
    LSH_WEIGHTS,
    NearDuplicateIndex,
    NearDuplicateOptions,
    _permutations,
    best_match,
    lsh_bands,
    shingles,
    signature_bytes,
    signature_from_bytes,
    text_signature,
    text_signature_bytes,
)
from cleaning.page import CleanResult
from cleaning.signed import SignedResult, clean_and_sign
from crawler.config import ConfigError
from crawler.items import ArticleItem, PageItem
from crawler.neardup import NearDuplicatePipeline
from crawler.pipelines import CleaningPipeline, TemplatePipeline
from tests.conftest import ROOT, make_crawler
from tests.test_resume import WORDS
from tests.test_writer import row

OPTIONS = NearDuplicateOptions()


def text(seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + rng.choice(WORDS) for _ in range(words))


def edited(base: str, changes: int) -> str:
    """``base`` with ``changes`` words, spread over the text, replaced."""
    tokens = base.split()
    step = len(tokens) // (changes + 1)
    for n in range(1, changes + 1):
        tokens[n * step] = f"edit{'x' * n}"
    return " ".join(tokens)


def test_shingles_fold_case_and_digits() -> None:
    assert shingles("One two Three four five six", 5) == {
        b"one two three four five",
        b"two three four five six",
    }
    assert shingles("Updated 2026-03-04, 10:30", 5) == shingles("updated 2025-01-02, 9:15", 5)
    assert shingles("Too short", 5) == {b"too short"}
    assert shingles(" ... ", 5) == set()
    assert text_signature("", OPTIONS) is None


@pytest.mark.parametrize(
    ("changes", "near"),
    # true Jaccard 1.0, 0.95, 0.90, 0.86; 0.60, 0.33, 0.05
    [(0, True), (2, True), (4, True), (6, True), (20, False), (40, False), (120, False)],
)
def test_similarity_follows_the_edits(changes: int, near: bool) -> None:
    base = text(1)
    index = NearDuplicateIndex(OPTIONS)
    for url, body in (("https://a.test/1", base), ("https://a.test/other", text(2))):
        made = text_signature(body, OPTIONS)
        assert made is not None
        index.add(url, made)
    signature = text_signature(edited(base, changes), OPTIONS)
    assert signature is not None
    match = index.find(signature)
    # true Jaccard of the shingle sets, which MinHash estimates
    a, b = shingles(base, 5), shingles(edited(base, changes), 5)
    jaccard = len(a & b) / len(a | b)
    assert (jaccard >= 0.8) == near
    if near:
        assert match is not None and match[0] == "https://a.test/1"
        assert abs(match[1] - jaccard) < 0.1
    else:
        assert match is None


def test_own_url_is_excluded_and_replaced() -> None:
    index = NearDuplicateIndex(OPTIONS)
    old = text_signature(text(1), OPTIONS)
    assert old is not None
    index.add("u", old)
    assert index.find(old, exclude="u") is None
    new = text_signature(text(3), OPTIONS)
    assert new is not None
    index.add("u", new)  # the changed version replaces the old one
    assert len(index) == 1
    assert index.find(old) is None


@pytest.mark.parametrize(
    ("seed", "options"),
    [
        (0, OPTIONS),
        (1, OPTIONS),
        (2, OPTIONS),
        (3, NearDuplicateOptions(shingle_words=3, num_perm=64, seed=7)),
        (-1, OPTIONS),  # fewer words than a shingle: one shingle of them all
    ],
)
def test_signature_is_datasketchs_own(seed: int, options: NearDuplicateOptions) -> None:
    """Shingles sliced from the words joined once and values made from the hashes in one
    numpy array give the signature of datasketch's own ``MinHash`` of the shingles folded
    word by word: signatures kept in a state directory or a Redis index stay comparable."""
    tail = " Ünïcode 2026 ещё a1b22c ٣٤ 10:30 x² İstanbul ﬁne"
    body = "Ünïcode 2026" if seed < 0 else text(seed, words=50 * (seed + 1)) + tail
    tokens = [re.sub(r"\d+", "0", word) for word in re.findall(r"\w+", body.casefold())]
    size = options.shingle_words
    grams = {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}
    assert shingles(body, size) == (grams or {" ".join(tokens).encode()})
    theirs = MinHash(num_perm=options.num_perm, seed=options.seed, scheme="affine32")
    theirs.update_batch(shingles(body, size))
    ours = text_signature(body, options)
    assert ours is not None
    assert ours.hashvalues.tolist() == theirs.hashvalues.tolist()


@pytest.mark.parametrize(
    "body",
    [
        text(4, words=260),  # 256 shingles: one block of the product
        text(5, words=261),  # 257: a second block of one
        " ".join([text(6, words=300)] * 3),  # 888 shingles, each but the seams three times
        "a b c d e " * 100,  # 5 shingles, each a hundred times
    ],
)
def test_signature_of_blocks_and_repeats_is_datasketchs(body: str) -> None:
    """The signature is made a block of shingles at a time and hashes a repeated shingle
    each time it comes: the values are still those of datasketch's ``MinHash`` of the set."""
    theirs = MinHash(num_perm=OPTIONS.num_perm, seed=OPTIONS.seed, scheme="affine32")
    theirs.update_batch(shingles(body, OPTIONS.shingle_words))
    ours = text_signature(body, OPTIONS)
    assert ours is not None
    assert ours.hashvalues.tolist() == theirs.hashvalues.tolist()


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (16, 0)])
def test_permutations_are_datasketchs(num_perm: int, seed: int) -> None:
    """The permutations drawn without datasketch are those its ``MinHash`` draws."""
    theirs = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = _permutations(num_perm, seed)
    assert ours.dtype == theirs.dtype
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize(("threshold", "num_perm"), [*_BANDS, (0.82, 128), (0.8, 64)])
def test_lsh_bands_are_datasketchs(threshold: float, num_perm: int) -> None:
    """The bands of the table (and of options outside it) are those ``MinHashLSH`` chooses:
    an index on disk or in Redis finds the candidates the in-memory one finds."""
    options = NearDuplicateOptions(threshold=threshold, num_perm=num_perm)
    theirs = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    assert lsh_bands(options) == (theirs.b, theirs.r)


def test_the_index_finds_the_candidates_datasketchs_lsh_finds() -> None:
    """``NearDuplicateIndex``'s bands (no datasketch to import) give the candidates
    ``MinHashLSH`` gives, through texts indexed, replaced under their key and looked up."""
    generator = random.Random(5)
    bases = [text(seed) for seed in range(12)]
    ours, theirs = (
        NearDuplicateIndex(OPTIONS),
        MinHashLSH(threshold=OPTIONS.threshold, num_perm=OPTIONS.num_perm, weights=LSH_WEIGHTS),
    )
    signatures: dict[str, Any] = {}
    for step in range(120):
        key = f"https://a.test/{generator.randrange(40)}"
        signature = text_signature(
            edited(generator.choice(bases), generator.randrange(60)), OPTIONS
        )
        assert signature is not None
        found = set(theirs.query(signature))
        assert ours.candidates(signature) == found, step
        found.discard(key)
        expected = best_match(signature, ((k, signatures[k]) for k in found), OPTIONS.threshold)
        assert ours.find(signature, exclude=key) == expected, step
        if key in signatures:
            theirs.remove(key)
        theirs.insert(key, signature)
        ours.add(key, signature)
        signatures[key] = signature
    assert len(ours) == len(signatures)
    assert sum(ours.find(s) is not None for s in signatures.values()) == len(signatures)


def test_a_signature_compares_as_datasketchs_lean_minhash() -> None:
    """``Signature`` (no datasketch to import) estimates as ``LeanMinHash`` does, and
    refuses what it refuses: another seed, another length."""
    one, two = text_signature(text(1), OPTIONS), text_signature(edited(text(1), 6), OPTIONS)
    assert one is not None and two is not None
    lean = [LeanMinHash(seed=1, hashvalues=s.hashvalues, scheme="affine32") for s in (one, two)]
    assert 0.8 < one.jaccard(two) < 1.0
    assert one.jaccard(two) == lean[0].jaccard(lean[1]) == lean[0].jaccard(two)
    other_seed = text_signature(text(1), NearDuplicateOptions(seed=2))
    shorter = text_signature(text(1), NearDuplicateOptions(num_perm=64))
    assert other_seed is not None and shorter is not None
    for other in (other_seed, shorter):
        with pytest.raises(ValueError, match="not comparable"):
            one.jaccard(other)
    assert signature_bytes(signature_from_bytes(signature_bytes(one), OPTIONS)) == (
        signature_bytes(one)
    )


# a worker's imports (``cleaning.worker``, the forkserver's preloads) and signing, and the
# crawl's in-memory index (``NearDuplicatePipeline``'s)
_WITHOUT_DATASKETCH = {
    "worker": (
        "import cleaning.worker, crawler.clean_preload\n"
        "from cleaning.neardup import NearDuplicateOptions, text_signature_bytes\n"
        "assert text_signature_bytes('one two three four five six', NearDuplicateOptions())\n"
    ),
    "crawl index": (
        "from cleaning.neardup import NearDuplicateIndex, NearDuplicateOptions, text_signature\n"
        "index = NearDuplicateIndex(NearDuplicateOptions())\n"
        "index.add('a', text_signature('one two three four five six', NearDuplicateOptions()))\n"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("code", _WITHOUT_DATASKETCH.values(), ids=list(_WITHOUT_DATASKETCH))
def test_signing_and_the_crawls_index_import_neither_datasketch_nor_scipy(code: str) -> None:
    """A worker signs with numpy alone, and a crawl indexes the signatures without
    datasketch: its import takes scipy's, 0.3 to 0.5 CPU s a process."""
    code += "import sys\n"
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy')))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert done.stdout.strip() == "[]"


def test_signature_bytes_without_datasketch_are_the_signatures() -> None:
    signature = text_signature(text(4), OPTIONS)
    assert signature is not None
    assert text_signature_bytes(text(4), OPTIONS) == signature_bytes(signature)
    assert text_signature_bytes(" ... ", OPTIONS) is None


def test_signatures_round_trip_through_bytes() -> None:
    signature = text_signature(text(1), OPTIONS)
    assert signature is not None
    data = signature_bytes(signature)
    assert len(data) == 4 * OPTIONS.num_perm
    assert signature_from_bytes(data, OPTIONS).jaccard(signature) == 1.0
    with pytest.raises(ValueError, match="64 values"):
        signature_from_bytes(data[:256], OPTIONS)
    # the same text always gets the same signature: rows are repeatable
    again = text_signature(text(1), OPTIONS)
    assert again is not None and signature_bytes(again) == data


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateOptions(threshold=0)
    with pytest.raises(ValueError, match="shingle_words"):
        NearDuplicateOptions(shingle_words=0)
    assert NearDuplicateOptions().key == "affine32/seed1/perm128/words5"


def article(url: str, body: str) -> ArticleItem:
    fields = {k: v for k, v in row(1).items() if k in ArticleItem.__dataclass_fields__}
    return ArticleItem(**{**fields, "url": url, "text": body})


def test_pipeline_marks_or_drops_and_counts(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    marks = NearDuplicatePipeline.from_crawler(crawler)
    first = marks.process_item(article("https://a.test/1", text(1)))
    assert first.near_duplicate_of is None and first.minhash
    copy = marks.process_item(article("https://b.test/copy", edited(text(1), 2)))
    assert copy.near_duplicate_of == "https://a.test/1"
    assert 0.8 <= copy.near_duplicate_similarity < 1.0
    other = marks.process_item(article("https://a.test/2", text(2)))
    assert other.near_duplicate_of is None
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/marked/near_duplicate") == 1

    crawler = make_crawler(tmp_path, settings={"CLEANCRAWL_NEAR_DUPLICATES": "drop"})
    drops = NearDuplicatePipeline.from_crawler(crawler)
    drops.process_item(article("https://a.test/1", text(1)))
    with pytest.raises(DropItem, match=r"near_duplicate of https://a\.test/1"):
        drops.process_item(article("https://b.test/copy", edited(text(1), 2)))
    assert crawler.stats is not None
    assert crawler.stats.get_value("cleaning/dropped/near_duplicate") == 1


def test_pipeline_settings(tmp_path: Path) -> None:
    off = make_crawler(tmp_path, settings={"CLEANCRAWL_NEAR_DUPLICATES": "off"})
    with pytest.raises(NotConfigured):
        NearDuplicatePipeline.from_crawler(off)
    # checked when the spider starts, before anything is fetched
    with pytest.raises(ConfigError, match="CLEANCRAWL_NEAR_DUPLICATES: must be one of mark"):
        make_crawler(tmp_path, settings={"CLEANCRAWL_NEAR_DUPLICATES": "maybe"})
    with pytest.raises(ConfigError, match="CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD: must be between"):
        make_crawler(tmp_path, settings={"CLEANCRAWL_NEAR_DUPLICATE_THRESHOLD": 1.5})


def kept_page(html: str, url: str, site: str) -> CleanResult:
    """A cleaning step for clean_and_sign: the HTML is the text; "drop" drops it."""
    if html == "drop":
        return CleanResult(url=url, drop_reason="too_short")
    return CleanResult(url=url, text=html, title=site, word_count=len(html.split()))


def test_workers_sign_kept_texts_with_the_pipelines_options() -> None:
    options = NearDuplicateOptions()
    signed = clean_and_sign(kept_page, options, text(1), "https://a.test/1", "news")
    assert isinstance(signed, SignedResult)
    assert (signed.text, signed.title, signed.url) == (text(1), "news", "https://a.test/1")
    expected = text_signature(text(1), options)
    assert expected is not None and signed.minhash == signature_bytes(expected)
    # it crosses from the worker process to the crawl's as it is
    assert pickle.loads(pickle.dumps(signed)) == signed
    dropped = clean_and_sign(kept_page, options, "drop", "https://a.test/2", "news")
    assert type(dropped) is CleanResult and dropped.drop_reason == "too_short"


class InlinePool:
    """A CleaningPool stand-in that runs its task here (what a worker would)."""

    def __init__(self) -> None:
        self.task: Any = kept_page

    async def clean(self, html: str, url: str, site: str) -> CleanResult:
        result: CleanResult = self.task(html, url, site)
        return result


def test_signature_made_in_the_worker_is_the_one_looked_up(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    cleaning = CleaningPipeline.from_crawler(crawler)
    cleaning.pool = InlinePool()  # type: ignore[assignment]
    near = NearDuplicatePipeline.from_crawler(crawler)
    cleaning.sign_texts(near.index.options)  # as NearDuplicatePipeline asks when the spider opens
    page = PageItem(
        url="https://a.test/1",
        html=text(1),
        http_status=200,
        site="news",
        fetched_at=datetime(2026, 12, 6, tzinfo=UTC),
        source="sitemap",
    )
    item = asyncio.run(cleaning.process_item(page))
    signature = text_signature(text(1), near.index.options)
    assert signature is not None and item.minhash == signature_bytes(signature)
    # the pipeline takes the item's signature, not its text's: a signature of text 1 on the
    # text of another finds text 1
    near.process_item(item)
    other = article("https://b.test/2", text(2))
    other.minhash = signature_bytes(signature)
    assert near.process_item(other).near_duplicate_of == "https://a.test/1"
    # an exact copy keeps no signature, as before the workers made them
    copy = article("https://c.test/3", text(1))
    copy.minhash, copy.duplicate_of = signature_bytes(signature), "https://a.test/1"
    assert near.process_item(copy).minhash is None


def test_a_template_cut_drops_the_signature_of_the_text_before_it(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, settings={"CLEANCRAWL_TEMPLATE_MIN_PAGES": 2})
    templates = TemplatePipeline.from_crawler(crawler)
    menu = "Home | World | Sport | Tech"
    for n in range(3):
        templates.count("a.test", f"https://a.test/{n}", f"{menu}\n{text(n)}")
    item = article("https://a.test/0", f"{menu}\n{text(0)}")
    item.domain, item.minhash = "a.test", b"signature of the text with its menu"
    cut = templates.cut(item)
    assert cut.text == text(0) and cut.minhash is None

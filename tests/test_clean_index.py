"""`cleancrawl clean`'s near-duplicate index on disk answers as the in-memory one does."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
from pathlib import Path

import pytest

from cleaning.neardup import NearDuplicateIndex, NearDuplicateOptions, text_signature
from crawler.clean_index import DiskNearIndex, DiskSeen
from tests.conftest import ROOT


@pytest.mark.parametrize("batched", [False, True])
def test_disk_index_finds_what_the_memory_index_finds(tmp_path: Path, batched: bool) -> None:
    options = NearDuplicateOptions()
    rng = random.Random(7)
    # letters only: digits are folded away in shingles
    words = ["".join(rng.choice("abcdefghijklmnop") for _ in range(6)) for _ in range(400)]
    originals = [[rng.choice(words) for _ in range(120)] for _ in range(40)]
    texts: list[tuple[str, str]] = []
    for n, text in enumerate(originals):
        texts.append((f"http://a.test/{n}", " ".join(text)))
        edited = list(text)
        for _ in range(rng.choice((1, 3, 12, 40))):  # near, or not, depending on the edits
            edited[rng.randrange(len(edited))] = rng.choice(words)
        texts.append((f"http://b.test/{n}", " ".join(edited)))
    texts.append(("http://a.test/3", " ".join(originals[5])))  # a URL's text changed
    memory, disk = NearDuplicateIndex(options), DiskNearIndex(options, tmp_path / "index")
    found = []
    # batched: every write in one transaction (Batched), as `clean` writes a chunk of pages
    with disk.batch() if batched else contextlib.nullcontext():
        found = _find_and_add(memory, disk, texts, options)
    assert not disk._db.in_transaction
    assert len(disk) == len(memory) == 80
    assert sum(answer is not None for answer in found) >= 10  # the test compares matches
    assert found[-1] is not None and found[-1][0] == "http://a.test/5"
    disk.close()
    assert not (tmp_path / "index").exists()


def _find_and_add(
    memory: NearDuplicateIndex,
    disk: DiskNearIndex,
    texts: list[tuple[str, str]],
    options: NearDuplicateOptions,
) -> list[tuple[str, float] | None]:
    found = []
    for url, body in texts:
        signature = text_signature(body, options)
        assert signature is not None
        answer = memory.find(signature, exclude=url)
        assert disk.find(signature, exclude=url) == answer, url
        found.append(answer)
        memory.add(url, signature)
        disk.add(url, signature)
    return found


@pytest.mark.slow
def test_the_disk_index_works_without_importing_datasketch(tmp_path: Path) -> None:
    """``cleancrawl clean``'s process signs, stores and compares texts without datasketch
    (its import, with scipy's, cost 0.3 CPU s a run): the bands come from a table."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import crawler.reclean\n"
        "from cleaning.neardup import *\n"
        "from crawler.clean_index import DiskNearIndex\n"
        "options = NearDuplicateOptions()\n"
        f"index = DiskNearIndex(options, Path({str(tmp_path / 'index')!r}))\n"
        "text = ' '.join(f'word{chr(97 + n % 26)}{n // 26}' for n in range(60))\n"
        "index.add('u1', signature_from_bytes(text_signature_bytes(text, options), options))\n"
        "print(index.find(text_signature(text, options)))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert done.stdout.split("\n")[:2] == ["('u1', 1.0)", "[]"]


@pytest.mark.parametrize("batched", [False, True])
def test_disk_seen_claims_texts_and_holds_ids_as_a_dict_and_a_set(
    tmp_path: Path, batched: bool
) -> None:
    seen, claims, ids = DiskSeen(tmp_path / "seen"), dict[str, str](), set[str]()
    with seen.batch() if batched else contextlib.nullcontext():
        _claim_and_add(seen, claims, ids)
        assert seen._db.in_transaction == batched
    assert "c" not in seen
    seen.close()
    assert not (tmp_path / "seen").exists()


def _claim_and_add(seen: DiskSeen, claims: dict[str, str], ids: set[str]) -> None:
    for digest, url in [("h1", "u1"), ("h2", "u2"), ("h1", "u3"), ("h2", "u2"), ("h3", "u1")]:
        assert seen.claim_text(digest, url) == claims.setdefault(digest, url)
    for row_id in ["a", "b", "a"]:
        assert (row_id in seen) == (row_id in ids)
        seen.add(row_id)
        ids.add(row_id)

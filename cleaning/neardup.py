"""Near-duplicate texts: MinHash signatures of word shingles and an LSH index over them.

The same story syndicated to another site, or re-published under a new URL with a changed
line, is not an exact duplicate, but its word 5-grams mostly are. As in web-corpus pipelines
(FineWeb, datatrove), a text is reduced to a MinHash signature of its shingles, and an LSH
index (datasketch) finds the earlier texts whose estimated Jaccard similarity reaches a
threshold, without comparing every pair.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable

# datasketch is imported where an in-memory index is made (or bands outside ``_BANDS`` are
# chosen), not here: its package imports scipy (for the LSH bands), 0.3 to 0.5 CPU s, and a
# cleaning worker only signs texts, ``cleancrawl clean``'s process only compares them
# (``Signature``, ``crawler.clean_index.DiskNearIndex``)

# datasketch 2 refuses signatures of unknown scheme: name it, and store it with them
SCHEME = "affine32"
_STORED = np.dtype("<u4")  # affine32 hash values are 32-bit

# LSH band weights (false positives, false negatives): see NearDuplicateIndex
LSH_WEIGHTS = (0.1, 0.9)
# (bands, rows per band) datasketch's MinHashLSH chooses with LSH_WEIGHTS, by (threshold,
# permutations): choosing them imports scipy and integrates (a test compares the table)
_BANDS = {
    (0.5, 128): (32, 4),
    (0.6, 128): (25, 5),
    (0.7, 128): (20, 6),
    (0.75, 128): (16, 8),
    (0.8, 128): (14, 9),
    (0.85, 128): (11, 11),
    (0.9, 128): (8, 16),
    (0.95, 128): (5, 25),
}

_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
_SPACE = ord(" ")
# MurmurHash3's 32-bit finalizer (shifts and multipliers), as datasketch 2 pre-mixes hashes
_FMIX32 = tuple(np.uint32(n) for n in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))
_sha1 = hashlib.sha1
_SHA1_WORDS = 5  # 32-bit words of a SHA-1 digest
_BLOCK = 256  # shingles a block of the permutations' product


@dataclass(frozen=True, slots=True, kw_only=True)
class NearDuplicateOptions:
    """How texts are compared.

    Attributes:
        threshold: Estimated Jaccard similarity of the shingle sets from which a text is a
            near duplicate of an earlier one (FineWeb and datatrove use about 0.8).
        shingle_words: Words per shingle (5, as in Gopher and datatrove).
        num_perm: MinHash permutations; more estimate closer and cost more.
        seed: Seed of the permutations: signatures are comparable only with the same seed.
    """

    threshold: float = 0.8
    shingle_words: int = 5
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {self.threshold}")
        if self.shingle_words < 1:
            raise ValueError(f"shingle_words must be >= 1, not {self.shingle_words}")
        if self.num_perm < 16:
            raise ValueError(f"num_perm must be >= 16, not {self.num_perm}")

    @property
    def key(self) -> str:
        """What a stored signature must have been made with to be compared with ours."""
        return f"{SCHEME}/seed{self.seed}/perm{self.num_perm}/words{self.shingle_words}"


def shingles(text: str, words: int) -> set[bytes]:
    """The word ``words``-grams of ``text``, case and digits folded (a date or count edit
    does not make a copy new); a shorter text is one shingle, an empty one none."""
    joined, bounds = _shingle_bounds(text, words)
    return {joined[a:b] for a, b in bounds}


def _shingle_bounds(text: str, words: int) -> tuple[bytes, Iterable[tuple[int, int]]]:
    """The words of ``text`` folded as ``shingles`` folds them, joined by spaces as UTF-8,
    and where in it each shingle starts and ends, in the text's order (a repeated one as
    often as it comes)."""
    # digits folded in the whole text, not word by word: the same words (a run of digits
    # is inside a word, and stays one), in one pass
    tokens = _WORD.findall(_DIGITS.sub("0", text.casefold()))
    joined = " ".join(tokens).encode()
    if len(tokens) < words:
        return joined, [(0, len(joined))] if tokens else []
    # each shingle a slice of the words' UTF-8 joined once, not its words joined and
    # encoded anew (each word five times: 0.4 of 1.5 CPU ms a signature of a real page's
    # text); the words hold no space (\w runs) and UTF-8 puts byte 0x20 in no other
    # character: the spaces are the words' bounds
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == _SPACE)
    starts = [0, *(spaces + 1).tolist()]
    ends = [*spaces.tolist(), len(joined)]
    last = len(tokens) - words + 1
    return joined, zip(starts[:last], ends[words - 1 :], strict=True)


class Signature:
    """A text's MinHash signature: what datasketch's ``LeanMinHash`` holds and does for the
    indexes (``MinHashLSH`` reads its ``hashvalues``, ``scheme`` and length; ``jaccard`` as
    ``LeanMinHash``'s), without importing datasketch in a process that only compares them."""

    __slots__ = ("hashvalues", "seed")
    scheme = SCHEME

    def __init__(self, hashvalues: np.ndarray, seed: int) -> None:
        self.hashvalues: np.ndarray = np.asarray(hashvalues, dtype=np.uint32)
        self.seed = seed

    def __len__(self) -> int:
        return len(self.hashvalues)

    def __repr__(self) -> str:
        return f"Signature(seed={self.seed}, {len(self)} values)"

    def jaccard(self, other: Signature) -> float:
        """The estimated Jaccard similarity: the share of equal hash values."""
        if getattr(other, "scheme", None) != self.scheme or other.seed != self.seed:
            raise ValueError("signatures of different schemes or seeds are not comparable")
        if len(other) != len(self):
            raise ValueError("signatures of different lengths are not comparable")
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / float(len(self))


def text_signature(text: str, options: NearDuplicateOptions) -> Signature | None:
    """The MinHash signature of ``text``, or None for a text without words."""
    values = signature_values(text, options)
    return None if values is None else Signature(values, options.seed)


def text_signature_bytes(text: str, options: NearDuplicateOptions) -> bytes | None:
    """``signature_bytes(text_signature(text, options))``, without datasketch (a worker's)."""
    values = signature_values(text, options)
    return None if values is None else bytes(values.astype(_STORED).tobytes())


def signature_values(text: str, options: NearDuplicateOptions) -> np.ndarray | None:
    """The hash values of ``text``'s MinHash signature, or None for a text without words.

    They are datasketch's (``MinHash(scheme="affine32").update_batch`` of the shingles,
    its default ``sha1_hash32``), made from the hashes as one numpy array: the ``MinHash``
    round trip turned them into Python ints and back (0.3 CPU ms a text)."""
    # the shingles as they come, repeats too: a minimum does not change for a value seen
    # twice, and the set (and a list of the slices) cost more than hashing the few repeats
    joined, bounds = _shingle_bounds(text, options.shingle_words)
    # whole digests joined and every fifth 32-bit word taken (their first 4 bytes): a slice
    # of each digest in Python cost more
    digests = b"".join([_sha1(joined[a:b], usedforsecurity=False).digest() for a, b in bounds])
    if not digests:
        return None
    hashes = np.frombuffer(digests, dtype="<u4")[::_SHA1_WORDS].astype(np.uint32)
    a, b = _permutations(options.num_perm, options.seed)
    mixed = _fmix32(hashes)
    # a block of shingles at a time: a text's whole product (shingles x permutations) is
    # some 0.5 MB, past the core's cache; blocks of 256 rows (128 kB) took 0.05 of its 0.11
    # CPU ms a real text
    values: np.ndarray = (mixed[:_BLOCK, np.newaxis] * a + b).min(axis=0)  # uint32: wraps
    for start in range(_BLOCK, len(mixed), _BLOCK):
        block = (mixed[start : start + _BLOCK, np.newaxis] * a + b).min(axis=0)
        np.minimum(values, block, out=values)
    return values


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    """datasketch's pre-mix of 32-bit hashes (MurmurHash3's finalizer, ``_fmix``), which
    ``update_batch`` applies before the permutations."""
    s1, m1, s2, m2, s3 = _FMIX32
    hashes = hashes ^ (hashes >> s1)
    hashes = hashes * m1
    hashes = hashes ^ (hashes >> s2)
    hashes = hashes * m2
    mixed: np.ndarray = hashes ^ (hashes >> s3)
    return mixed


@functools.cache
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """The permutations of a seed, drawn once (``MinHash`` draws them anew for every text),
    as datasketch 2 draws them for ``affine32`` (``MinHash._init_permutations``: odd
    multipliers, any offsets, from ``RandomState(seed)``; a test compares them)."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def signature_bytes(signature: Signature) -> bytes:
    """The signature as bytes, to keep it in the crawl state."""
    return bytes(signature.hashvalues.astype(_STORED).tobytes())


def signature_from_bytes(data: bytes, options: NearDuplicateOptions) -> Signature:
    """A signature kept by ``signature_bytes`` with the same options."""
    values = np.frombuffer(data, dtype=_STORED)
    if len(values) != options.num_perm:
        raise ValueError(f"signature of {len(values)} values, not {options.num_perm}")
    return Signature(values, options.seed)


class NearDuplicateIndex:
    """Signatures of the texts seen so far, by key (a URL), and the LSH index over them.

    The index is datasketch's ``MinHashLSH`` kept in memory (the bands it chooses, each a
    table from a band's hash values to the keys that have them), written out here: importing
    datasketch imports scipy, 0.3 CPU s at the start of every crawl, for nothing but
    choosing the bands, which ``lsh_bands`` knows. Same bands, same candidates (a test
    compares them with ``MinHashLSH``'s), as ``crawler.clean_index``'s and
    ``crawler.shared_state``'s indexes give.
    """

    def __init__(self, options: NearDuplicateOptions) -> None:
        self.options = options
        # Bands chosen to miss few pairs over the threshold (at 0.8 with 128 permutations,
        # 14 bands of 9: found with probability 0.87 at a true Jaccard of 0.8, 0.975 at
        # 0.85, against 0.40 and 0.69 with datasketch's even weights); the extra candidates
        # below it cost one signature comparison each and are filtered out in find().
        bands, rows = lsh_bands(options)
        self._ranges = [(band * rows, (band + 1) * rows) for band in range(bands)]
        self._tables: list[dict[bytes, set[str]]] = [{} for _ in self._ranges]
        self._signatures: dict[str, Signature] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, key: str, signature: Signature) -> None:
        """Index ``signature`` under ``key``, in place of an earlier one (a changed text)."""
        bands = self._band_keys(signature)
        if (old := self._signatures.get(key)) is not None:
            for table, band in zip(self._tables, self._band_keys(old), strict=True):
                keys = table[band]
                keys.discard(key)
                if not keys:
                    del table[band]
        for table, band in zip(self._tables, bands, strict=True):
            table.setdefault(band, set()).add(key)
        self._signatures[key] = signature

    def find(self, signature: Signature, *, exclude: str = "") -> tuple[str, float] | None:
        """The most similar indexed text at or over the threshold, and its estimated
        similarity; ``exclude`` (the text's own URL, an earlier version of it) never counts.
        """
        found = self.candidates(signature)
        found.discard(exclude)
        return best_match(
            signature, ((key, self._signatures[key]) for key in found), self.options.threshold
        )

    def candidates(self, signature: Signature) -> set[str]:
        """The keys that share a band with ``signature`` (``MinHashLSH.query``'s)."""
        found: set[str] = set()
        for table, band in zip(self._tables, self._band_keys(signature), strict=True):
            found.update(table.get(band, ()))
        return found

    def _band_keys(self, signature: Signature) -> list[bytes]:
        if len(signature) != self.options.num_perm:
            raise ValueError(f"a signature of {len(signature)} values, not {self.options.num_perm}")
        values = signature.hashvalues
        return [values[start:end].tobytes() for start, end in self._ranges]


def lsh_bands(options: NearDuplicateOptions) -> tuple[int, int]:
    """(bands, rows per band) of the LSH index for ``options``, as datasketch chooses them."""
    if (bands := _BANDS.get((options.threshold, options.num_perm))) is not None:
        return bands
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=options.threshold, num_perm=options.num_perm, weights=LSH_WEIGHTS)
    return lsh.b, lsh.r


def best_match(
    signature: Signature, candidates: Iterable[tuple[str, Signature]], threshold: float
) -> tuple[str, float] | None:
    """The most similar candidate at or over ``threshold`` and its estimated similarity.

    LSH candidates are checked against the threshold, since banding lets some below it
    through; ties go to the smallest key, so the answer does not depend on set order.
    """
    best: tuple[float, str] | None = None
    for key, other in candidates:
        similarity = float(signature.jaccard(other))
        if similarity >= threshold and (best is None or (-similarity, key) < (-best[0], best[1])):
            best = (similarity, key)
    return None if best is None else (best[1], round(best[0], 4))

"""Bytes of a page to text: the encoding that decodes cleanly, whatever the page claims."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# How much of a body encoding detection reads: enough for any language, fast on huge pages.
DETECT_BYTES = 64 * 1024
# How much text (markup left out) the mess ratio of a candidate encoding is measured on.
MESS_CHARS = 8000
# A declared encoding is kept while its text reads no more than this much messier than the
# cleanest candidate's (charset-normalizer mess ratio: garbled pages score 0.3 and more).
MESS_MARGIN = 0.1
# A declared encoding whose text has a mess ratio below this is trusted outright: on short
# texts a guess can read "cleaner" by chance (Cyrillic as Urdu, say).
GARBLED = 0.3
# How much of a body the binary check reads, and the share of control bytes that makes it so.
BINARY_SAMPLE = 8 * 1024
BINARY_SHARE = 0.1
# C0 control bytes that do not occur in text (tab, line feed, form feed, carriage return and
# escape do; escape in old ISO-2022 pages).
_TAG = re.compile(r"<[^>]*>|&\w+;")
_SPACE = re.compile(r"\s+")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\f\r\x1b")


@dataclass(frozen=True, slots=True)
class DecodedHtml:
    """A decoded page. ``how`` says which evidence chose ``encoding``."""

    text: str
    encoding: str
    how: str  # bom, ascii, utf-8, declared, detected or fallback


def looks_binary(body: bytes) -> bool:
    """True if the start of ``body`` holds NUL or other control bytes no text has."""
    if read_bom(body)[0]:  # UTF-16 and UTF-32 text is full of NUL bytes
        return False
    sample = body[:BINARY_SAMPLE]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return b"\x00" in sample or controls / len(sample) > BINARY_SHARE


def decode_html(body: bytes, content_type: str | bytes | None = None) -> DecodedHtml:
    """Decode an HTML body; never raises, never silently drops text.

    Order of evidence: a byte-order mark; bytes that are valid UTF-8 (a legacy page is
    practically never valid UTF-8 once it has non-ASCII text, while a UTF-8 page served
    with a stale ``charset=iso-8859-1`` header is common). Otherwise the candidates, in
    order of preference, are the encodings the HTTP header and the ``<meta>`` declare,
    windows-1252 (the web's default) and charset-normalizer's guess, each kept only if the
    bytes are valid in it; the first one whose text reads about as cleanly as the best
    one (charset-normalizer's mess ratio, within ``MESS_MARGIN``) wins, and a declared one
    also wins while its text is not garbled (mess below ``GARBLED``). So a declaration
    is trusted unless it produces clearly garbled text. Bytes invalid in the chosen
    encoding (only possible with the guess or the last resort) become U+FFFD.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return DecodedHtml(body[len(bom) :].decode(bom_encoding, "replace"), bom_encoding, "bom")
    if body.isascii():
        return DecodedHtml(body.decode("ascii"), "ascii", "ascii")
    try:
        return DecodedHtml(body.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared(body, content_type)
    candidates = [e for e in (*declared, "cp1252") if _decodes(body, e)]
    detected = _detect(body)
    if detected and detected not in candidates:
        candidates.append(detected)
    if not candidates:
        fallback = declared[0] if declared else "utf-8"
        return DecodedHtml(body.decode(fallback, "replace"), fallback, "fallback")
    mess = {encoding: _mess(body, encoding) for encoding in candidates}
    least = min(mess.values())
    encoding = next(
        e
        for e in candidates
        if mess[e] <= least + MESS_MARGIN or (e in declared and mess[e] < GARBLED)
    )
    how = "declared" if encoding in declared else "detected"
    return DecodedHtml(body.decode(encoding, "replace"), encoding, how)


def _declared(body: bytes, content_type: str | bytes | None) -> list[str]:
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    found = [http_content_type_encoding(content_type), html_body_declared_encoding(body)]
    encodings: list[str] = []
    for name in found:
        encoding = resolve_encoding(name) if name else None
        if encoding and _known(encoding) and encoding not in encodings:
            encodings.append(encoding)
    return encodings


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _detect(body: bytes) -> str | None:
    best = from_bytes(body[:DETECT_BYTES]).best()
    if best is None:
        return None
    encoding = resolve_encoding(best.encoding) or best.encoding
    return encoding if _known(encoding) else None


def _mess(body: bytes, encoding: str) -> float:
    """How garbled the page's text reads in ``encoding`` (0: clean), markup left out."""
    text = body[:DETECT_BYTES].decode(encoding, "ignore")
    text = _SPACE.sub(" ", _TAG.sub(" ", text))[:MESS_CHARS]
    return float(mess_ratio(text, maximum_threshold=1.0))

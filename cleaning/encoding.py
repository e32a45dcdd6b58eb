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
# How much of a body the binary check reads. Text has (almost) no C0 control bytes; the bytes
# of an image or archive are about 10% control bytes, spread evenly.
BINARY_SAMPLE = 8 * 1024
BINARY_SHARE = 0.03
# A body this much NUL is not text with stray NUL bytes (a tar, a sparse file), unless it is
# UTF-16 or UTF-32.
NUL_SHARE = 0.25
# UTF-16 and UTF-32 without a byte-order mark are told by their NUL bytes: HTML markup is
# ASCII, so one byte of each 2 (or 2 of each 4) is NUL. The share of code units with that NUL
# needed, read from this many bytes; less when the header or <meta> declares the encoding.
WIDE_SAMPLE = 4096
WIDE_DETECTED = 0.2
WIDE_DECLARED = 0.02
# Invalid UTF-8 that is mostly valid is UTF-8 (a few stray bytes become U+FFFD) when it has at
# least this many valid multi-byte characters per invalid byte. Legacy encodings read as UTF-8
# have at most about 0.45 (EUC-KR; GBK, Big5, Shift_JIS, EUC-JP about 0.3; the one-byte
# encodings 0), so a few bad bytes do not turn a UTF-8 page into windows-1252 mojibake.
MOSTLY_UTF8 = 4.0
# C0 control bytes that do not occur in text (tab, line feed, form feed, carriage return,
# shift out/in and escape do: the last three in old ISO-2022 pages). NUL is counted apart.
_TAG = re.compile(r"<[^>]*>|&\w+;")
_SPACE = re.compile(r"\s+")
_CONTROL_BYTES = bytes(b for b in range(1, 32) if b not in b"\t\n\f\r\x0e\x0f\x1b")
_CONTROL_CHARS = re.compile("[\x01-\x08\x0b\x10-\x1a\x1c-\x1f\ufffd]")
_ASCII_BYTES = bytes(range(128))
_WIDE = ("utf-16", "utf-32")


@dataclass(frozen=True, slots=True)
class DecodedHtml:
    """A decoded page. ``how`` says which evidence chose ``encoding``."""

    text: str
    encoding: str
    how: str  # bom, ascii, utf-8, mostly_utf-8, declared, detected or fallback


def looks_binary(body: bytes, content_type: str | bytes | None = None) -> bool:
    """True if ``body`` is not text: the bytes of an image, archive or other binary file.

    UTF-16 and UTF-32 (by byte-order mark, declaration or NUL pattern) are judged on their
    characters; other bodies on their bytes, NUL bytes apart: a few stray NUL bytes do not
    make a page binary, a body more than ``NUL_SHARE`` NUL does.
    """
    sample = body[:BINARY_SAMPLE]
    if not sample:
        return False
    if wide := _bom_or_wide(body, content_type):
        text = sample.decode(wide, "replace").replace("\x00", "")
        return not text or len(_CONTROL_CHARS.findall(text)) > BINARY_SHARE * len(text)
    nul = sample.count(0)
    if nul > NUL_SHARE * len(sample):
        return True
    rest = sample.replace(b"\x00", b"")
    controls = len(rest) - len(rest.translate(None, _CONTROL_BYTES))
    return controls > BINARY_SHARE * len(rest)


def wide_encoding(body: bytes, content_type: str | bytes | None = None) -> str | None:
    """``utf-16-le``, ``utf-16-be``, ``utf-32-le`` or ``utf-32-be`` for a body without
    byte-order mark in that encoding, or None.

    Told by where the NUL bytes are (HTML markup is ASCII: ``<`` is ``3C 00`` in UTF-16LE):
    in UTF-32 the top byte of every code point is NUL; in UTF-16 at least ``WIDE_DETECTED``
    of the code units have the NUL byte of an ASCII character and few NUL bytes are
    elsewhere, or ``WIDE_DECLARED`` when the HTTP header or the ``<meta>`` (read with the
    NUL bytes left out) declares UTF-16 or UTF-32. The byte order is the one the bytes
    show, whatever the declaration says; the sample must decode in it.
    """
    sample = body[: WIDE_SAMPLE - WIDE_SAMPLE % 4]
    sample = sample[: len(sample) - len(sample) % 4]
    if len(sample) < 8 or not sample.count(0):
        return None
    declared = _declared_wide(sample, content_type)
    least = WIDE_DECLARED if declared else WIDE_DETECTED
    # share of NUL bytes at each position of 4
    nul = [sample[i::4].count(0) / (len(sample) // 4) for i in range(4)]
    # UTF-32: the top byte of every code point is NUL, the next one nearly always
    if nul[3] == 1 and nul[2] > 0.9 and nul[0] < 0.5:
        return _checked(sample, "utf-32-le")
    if nul[0] == 1 and nul[1] > 0.9 and nul[3] < 0.5:
        return _checked(sample, "utf-32-be")
    odd, even = (nul[1] + nul[3]) / 2, (nul[0] + nul[2]) / 2
    if odd >= least and even < odd / 4:
        return _checked(sample, "utf-16-le")
    if even >= least and odd < even / 4:
        return _checked(sample, "utf-16-be")
    return None


def decode_html(
    body: bytes, content_type: str | bytes | None = None, *, utf8_text: str | None = None
) -> DecodedHtml:
    """Decode an HTML body; never raises, never silently drops text.

    Order of evidence: a byte-order mark; the NUL pattern of UTF-16 or UTF-32 (see
    ``wide_encoding``). Other bodies lose their NUL bytes (no text has them). Then bytes
    that are valid UTF-8 are UTF-8 (a legacy page is practically never valid UTF-8 once it
    has non-ASCII text, while a UTF-8 page served with a stale ``charset=iso-8859-1``
    header is common), and so are bytes that are mostly valid UTF-8 (``MOSTLY_UTF8``: a few
    stray bytes become U+FFFD, instead of every other non-ASCII character going wrong as
    windows-1252). Otherwise the candidates, in order of preference, are the encodings the
    HTTP header and the ``<meta>`` declare, windows-1252 (the web's default) and
    charset-normalizer's guess, each kept only if the bytes are valid in it; the first one
    whose text reads about as cleanly as the best one (charset-normalizer's mess ratio,
    within ``MESS_MARGIN``) wins, and a declared one also wins while its text is not
    garbled (mess below ``GARBLED``). So a declaration is trusted unless it produces
    clearly garbled text. Bytes invalid in the chosen encoding (only possible with the
    guess or the last resort) become U+FFFD.

    ``utf8_text``, where the caller has it, is ``body`` decoded as UTF-8 with U+FFFD for
    invalid bytes (a crawler's text of a page it read as UTF-8): where it has no U+FFFD and
    the body no NUL byte, it is the body's strict UTF-8 decoding, and is used as it is
    instead of decoding the body a second time (some 0.05 ms a page of 150 kB).
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        text = body[len(bom) :].decode(bom_encoding, "replace")
        return DecodedHtml(text.replace("\x00", ""), bom_encoding, "bom")
    if wide := wide_encoding(body, content_type):
        text = body.decode(wide, "replace").replace("\x00", "")
        how = "declared" if _declared_wide(body, content_type) else "detected"
        return DecodedHtml(text, wide, how)
    with_nul = len(body)
    body = body.replace(b"\x00", b"")
    if body.isascii():
        return DecodedHtml(body.decode("ascii"), "ascii", "ascii")
    if utf8_text is not None and len(body) == with_nul and "\ufffd" not in utf8_text:
        return DecodedHtml(utf8_text, "utf-8", "utf-8")
    try:
        return DecodedHtml(body.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(body):
        return DecodedHtml(body.decode("utf-8", "replace"), "utf-8", "mostly_utf-8")
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


def _bom_or_wide(body: bytes, content_type: str | bytes | None) -> str | None:
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return str(bom_encoding)
    return wide_encoding(body, content_type)


def _declared_wide(body: bytes, content_type: str | bytes | None) -> str | None:
    """``utf-16`` or ``utf-32`` if the header or the ``<meta>`` declares it, else None."""
    for encoding in _declared(body[:WIDE_SAMPLE].replace(b"\x00", b""), content_type):
        if encoding.startswith(_WIDE):
            return encoding[:6]
    return None


def _checked(sample: bytes, encoding: str) -> str | None:
    """``encoding`` if the sample decodes in it (a cut surrogate pair at its end aside) to
    something with markup: NUL bytes at regular places in ASCII text decode to none."""
    text = sample.decode(encoding, "replace")
    return encoding if "\ufffd" not in text[:-1] and "<" in text else None


def _mostly_utf8(body: bytes) -> bool:
    text = body.decode("utf-8", "replace")
    invalid = text.count("\ufffd")  # one per invalid byte or cut sequence
    ascii_bytes = len(body) - len(body.translate(None, _ASCII_BYTES))
    valid = len(text) - ascii_bytes - invalid  # characters of two to four bytes
    return valid >= MOSTLY_UTF8 * invalid


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

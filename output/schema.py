"""The Parquet schema of cleancrawl's article rows: defined here and nowhere else."""

from __future__ import annotations

import pyarrow as pa

# Bump when a column is added, removed or changes type; readers find it in the file metadata.
SCHEMA_VERSION = "5"


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = False) -> pa.Field:
    # The description travels in the file, so a user inspecting the schema reads it too.
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


# Names follow FineWeb where it has one (text, id, url, date, language, language_score).
ARTICLE_SCHEMA = pa.schema(
    [
        _field("text", pa.string(), "cleaned article text; a paragraph, heading or item a line"),
        _field("id", pa.string(), "stable row id: UUID5 of url and content_hash"),
        _field("url", pa.string(), "URL the page was fetched from (after redirects)"),
        _field("date", pa.timestamp("us", tz="UTC"), "time the page was fetched, UTC"),
        _field("language", pa.string(), "ISO 639-1 code of the text's language, 'und' if unknown"),
        _field("language_score", pa.float64(), "detector's probability for language, 0 to 1"),
        _field(
            "language_share",
            pa.float64(),
            "share of the text (by characters of its parts) in language, 0 to 1",
        ),
        _field(
            "page_type",
            pa.string(),
            "article, other (main text of another kind: forum, docs, product...) or listing",
        ),
        _field("title", pa.string(), "article title", nullable=True),
        _field("authors", pa.list_(pa.string()), "author names, in page order"),
        _field("date_published", pa.date32(), "publication date the page declares", nullable=True),
        _field("domain", pa.string(), "host name of url, lower case"),
        _field("site", pa.string(), "name of the site in the sites file"),
        _field("sitename", pa.string(), "publisher name the page declares", nullable=True),
        _field("description", pa.string(), "summary the page declares", nullable=True),
        _field("tags", pa.list_(pa.string()), "tags and categories the page declares"),
        _field("word_count", pa.int32(), "number of words (\\w+ runs) in text"),
        _field("content_hash", pa.string(), "SHA-256 of text with white space folded, hex"),
        _field("http_status", pa.int16(), "HTTP status of the response"),
        _field("spider", pa.string(), "name of the Scrapy spider"),
        _field("crawl_id", pa.string(), "id of the crawl run that wrote the row"),
        _field("extractor_version", pa.string(), "extraction library and version"),
        _field("cleancrawl_version", pa.string(), "cleancrawl version"),
        _field(
            "removed_lines",
            pa.list_(pa.struct([("reason", pa.string()), ("line", pa.string())])),
            "lines cut from text and why; filled when CLEANCRAWL_AUDIT_REMOVED_LINES is on",
        ),
        _field("mean_word_length", pa.float64(), "mean length of the words of text, characters"),
        _field("symbol_word_ratio", pa.float64(), "'#' and ellipses per word (Gopher)"),
        _field("alpha_word_share", pa.float64(), "share of words with a letter (Gopher)"),
        _field(
            "punctuation_line_share",
            pa.float64(),
            "share of lines ending in terminal punctuation (C4)",
        ),
        _field(
            "duplicate_line_share", pa.float64(), "share of lines repeating an earlier one (Gopher)"
        ),
        _field(
            "stop_words",
            pa.int32(),
            "stop words of the language in text; null for a language without a list",
            nullable=True,
        ),
        _field(
            "duplicate_of",
            pa.string(),
            "URL first written with the same text; set when CLEANCRAWL_DUPLICATES is mark",
            nullable=True,
        ),
        _field(
            "near_duplicate_of",
            pa.string(),
            "URL of the most similar text written before, when similar enough (MinHash LSH)",
            nullable=True,
        ),
        _field(
            "near_duplicate_similarity",
            pa.float64(),
            "estimated Jaccard similarity of the word shingles of text and near_duplicate_of",
            nullable=True,
        ),
    ]
)

"""The extraction benchmark's metrics, report and junk planting, on tiny inline pages."""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from benchmarks import junk_data
from benchmarks.extraction import (
    ALL_VARIANTS,
    HOLDOUT_SEED,
    JUNK_VARIANTS,
    LOOKS,
    VARIANTS,
    Doc,
    DocResult,
    Page,
    build_parser,
    count_found,
    f1_score,
    found_snippets,
    load_docs,
    main,
    page_variants,
    parse_systems,
    plant_variant,
    score_text,
    shingle_scores,
    shingles,
    summarize,
    table_row,
    time_ratio,
    tokenize,
)
from benchmarks.planted_junk import (
    _KIND_CLASSES,
    _NEUTRAL_CLASSES,
    JUNK_WORDINGS,
    LANGUAGES,
    PlantedPage,
    choose_junk,
    find_container,
    insertion_points,
    junk_language,
    normalize_whitespace,
    placeholder_values,
    plant_junk,
)

HOLDOUT_WORDINGS = junk_data.held_out("holdout").wordings()
HOLDOUT_CLASSES = junk_data.held_out("holdout").classes()

ARTICLE = """<!DOCTYPE html>
<html lang="de"><head><title>Testseite</title></head>
<body>
<nav><p>Startseite</p><p>Politik</p><p>Wirtschaft</p><p>Sport</p><p>Kultur</p></nav>
<main><article>
<h1>Ein neuer Prozessor</h1>
<p>Der neue Prozessor ist schneller als sein Vorgänger und braucht weniger Strom.</p>
<p>Der Hersteller nennt keinen Preis, will ihn aber im Herbst ausliefern.</p>
<p>Erste Tests zeigen einen Vorsprung von zwanzig Prozent bei gleicher Taktrate.</p>
<p>Ob das für Spiele reicht, bleibt abzuwarten, schreiben die Tester.</p>
</article></main>
<footer><p>Impressum</p><p>Datenschutz</p></footer>
</body></html>"""

ARTICLE_PARAGRAPHS = [
    "Der neue Prozessor ist schneller als sein Vorgänger und braucht weniger Strom.",
    "Der Hersteller nennt keinen Preis, will ihn aber im Herbst ausliefern.",
    "Erste Tests zeigen einen Vorsprung von zwanzig Prozent bei gleicher Taktrate.",
    "Ob das für Spiele reicht, bleibt abzuwarten, schreiben die Tester.",
]


def make_doc(
    text: str | None = "one two three four five",
    with_: tuple[str, ...] = (),
    without: tuple[str, ...] = (),
) -> Doc:
    return Doc("d1", "https://example.org/a", Path("unused.html.gz"), text, with_, without, {})


def make_result(system: str, precision: float, recall: float, seconds: float) -> DocResult:
    return DocResult(
        dataset="ds",
        variant="original",
        system=system,
        doc_id="d",
        seconds=seconds,
        chars=10,
        precision=precision,
        recall=recall,
        with_found=1,
        with_total=2,
        without_found=0,
        without_total=1,
        junk_found=0,
        junk_total=0,
    )


# --- tokens and shingles -------------------------------------------------------------------


def test_tokens_are_unicode_word_runs_with_case_kept() -> None:
    assert tokenize("Grüße, naïve Café-Tür: 42!") == ["Grüße", "naïve", "Café", "Tür", "42"]
    assert tokenize(" -- ... ") == []


def test_shingles_are_overlapping_four_grams_counted_as_a_multiset() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert shingles("Hello, world") == {("Hello", "world"): 1}
    assert shingles("  ") == {}
    assert shingles("?!") == {}


# --- precision and recall ------------------------------------------------------------------


def test_identical_texts_score_one() -> None:
    assert shingle_scores("The cat sat on the mat.", "The cat  sat on\nthe mat") == (1.0, 1.0)


def test_extra_and_missing_text() -> None:
    precision, recall = shingle_scores("a b c d e f", "a b c d e")
    assert (precision, recall) == pytest.approx((2 / 3, 1.0))
    precision, recall = shingle_scores("a b c d", "a b c d e")
    assert (precision, recall) == pytest.approx((1.0, 1 / 2))


def test_overlap_is_a_multiset_intersection() -> None:
    # five predicted shingles, two of them "a b c d"; expected has it once
    precision, recall = shingle_scores("a b c d a b c d", "a b c d")
    assert (precision, recall) == pytest.approx((1 / 5, 1.0))


def test_comparison_is_case_sensitive() -> None:
    assert shingle_scores("Hello world", "hello world") == (0.0, 0.0)


@pytest.mark.parametrize(
    ("predicted", "expected", "scores"),
    [
        ("", "", (1.0, 1.0)),
        ("...", " ", (1.0, 1.0)),  # no tokens on either side counts as both empty
        ("", "some expected text here", (0.0, 0.0)),
        ("some predicted text here", "", (0.0, 1.0)),
        ("short", "short", (1.0, 1.0)),
        ("short one", "short", (0.0, 0.0)),
    ],
)
def test_edge_cases(predicted: str, expected: str, scores: tuple[float, float]) -> None:
    assert shingle_scores(predicted, expected) == scores


def test_f1_is_the_harmonic_mean() -> None:
    assert f1_score(1.0, 0.5) == pytest.approx(2 / 3)
    assert f1_score(0.0, 0.0) == 0.0


# --- snippets ------------------------------------------------------------------------------


def test_whitespace_normalization() -> None:
    assert normalize_whitespace("  a\n\t b\u00a0 c \r\n") == "a b c"
    assert normalize_whitespace("") == ""


def test_snippets_match_after_whitespace_normalization_on_both_sides() -> None:
    text = "The quick brown\n\nfox jumps   over the lazy dog."
    snippets = ["quick  brown fox", "over\tthe lazy", "Quick brown", "brown dog", "fox jumps"]
    assert found_snippets(snippets, text) == ("quick  brown fox", "over\tthe lazy", "fox jumps")
    assert count_found(snippets, text) == 3
    assert count_found([], text) == 0


# --- scoring and summaries -----------------------------------------------------------------


def test_score_text_counts_snippets_and_junk() -> None:
    doc = make_doc("one two three four five", with_=("two three", "six"), without=("five",))
    page = Page("ds", "planted", doc, "<html></html>", junk=("1,204 views", "Advertisement"))
    result = score_text(page, "cleancrawl", "one two three four\n1,204  views", 0.5)
    # predicted: 4 shingles, 1 of them expected; expected: 2 shingles
    assert (result.precision, result.recall) == pytest.approx((1 / 4, 1 / 2))
    assert (result.with_found, result.with_total) == (1, 2)
    assert (result.without_found, result.without_total) == (0, 1)
    assert (result.junk_found, result.junk_total) == (1, 2)
    assert result.junk_survived == ("1,204 views",)


def test_score_text_without_expected_text_has_no_precision() -> None:
    page = Page("ds", "original", make_doc(text=None, with_=("a b",)), "<html></html>")
    result = score_text(page, "trafilatura", "a b c", 0.1)
    assert (result.precision, result.recall, result.with_found) == (None, None, 1)


def test_summary_f1_is_over_the_mean_precision_and_recall() -> None:
    results = [make_result("cleancrawl", 1.0, 0.0, 1.0), make_result("cleancrawl", 0.5, 1.0, 3.0)]
    summary = summarize(results)
    assert (summary.precision, summary.recall) == pytest.approx((0.75, 0.5))
    assert summary.f1 == pytest.approx(0.6)  # not the mean of per-page F1s (1/3)
    assert summary.with_found == pytest.approx(0.5)
    assert summary.without_survives == 0.0
    assert summary.junk_survival is None
    assert summary.docs_per_second == pytest.approx(0.5)
    row = table_row(summary)
    assert row == "| original | cleancrawl | 2 | 0.750 | 0.500 | 0.600 | 50.0% | 0.0% | – | 0.5 |"


def test_time_ratio_is_cleancrawl_over_trafilatura() -> None:
    summaries = [
        summarize([make_result("trafilatura", 1, 1, 2.0)]),
        summarize([make_result("cleancrawl", 1, 1, 2.5)]),
    ]
    assert time_ratio(summaries) == pytest.approx(1.25)
    assert time_ratio(summaries[:1]) is None


def test_systems_option() -> None:
    assert parse_systems("cleancrawl, trafilatura") == ["trafilatura", "cleancrawl"]
    assert parse_systems("cleancrawl") == ["cleancrawl"]
    with pytest.raises(argparse.ArgumentTypeError, match="unknown systems"):
        parse_systems("readability")


# --- planted junk --------------------------------------------------------------------------


def test_junk_vocabulary_covers_every_language() -> None:
    assert len(JUNK_WORDINGS) >= 12
    rng = random.Random(0)
    for kind, wordings in JUNK_WORDINGS.items():
        assert set(wordings) == set(LANGUAGES), kind
        for lang, templates in wordings.items():
            assert len(set(templates)) >= 3, (kind, lang)
            for template in templates:
                assert template.format(**placeholder_values(lang, rng)).strip()


@pytest.mark.parametrize(
    ("code", "lang"),
    [("de", "de"), ("pt-BR", "pt"), ("NL", "nl"), ("zh-cn", "en"), ("ja", "en"), (None, "en")],
)
def test_junk_language(code: str | None, lang: str) -> None:
    assert junk_language(code) == lang


def test_insertion_points_cover_first_middle_and_last_paragraph() -> None:
    assert insertion_points(7, 3, random.Random(0)) == [0, 3, 6]
    points = insertion_points(7, 5, random.Random(0))
    assert len(points) == 5
    assert {0, 3, 6} <= set(points)
    assert points == sorted(points)
    assert insertion_points(1, 4, random.Random(0)) == [0, 0, 0, 0]


def test_junk_already_in_the_page_is_not_chosen() -> None:
    page_text = " ".join(JUNK_WORDINGS["advert"]["en"])
    chosen = choose_junk("en", random.Random(1), page_text, count=len(JUNK_WORDINGS))
    kinds = [kind for kind, _ in chosen]
    assert "advert" not in kinds
    assert len(kinds) == len(set(kinds)) == len(JUNK_WORDINGS) - 1


def test_container_is_the_article_not_the_navigation() -> None:
    root = lxml.html.document_fromstring(ARTICLE)
    found = find_container(root)
    assert found is not None
    container, paragraphs = found
    assert container.tag == "article"
    assert [normalize_whitespace(p.text_content()) for p in paragraphs] == ARTICLE_PARAGRAPHS


def test_planting_inserts_recorded_junk_between_the_paragraphs() -> None:
    planted = plant_junk(ARTICLE, "page-1", "de")
    assert planted is not None
    assert 3 <= len(planted.junk) <= 5
    assert len(planted.kinds) == len(set(planted.kinds)) == len(planted.junk)
    article = lxml.html.document_fromstring(planted.html).find(".//article")
    blocks = [normalize_whitespace(child.text_content()) for child in article if child.tag != "h1"]
    # the original paragraphs keep their order; the junk sits among them, in recorded order
    assert [b for b in blocks if b in ARTICLE_PARAGRAPHS] == ARTICLE_PARAGRAPHS
    junk = [normalize_whitespace(text) for text in planted.junk]
    assert [b for b in blocks if b not in ARTICLE_PARAGRAPHS] == junk
    assert blocks[0] == ARTICLE_PARAGRAPHS[0]
    assert blocks[1] in junk  # right after the first paragraph
    assert blocks[-1] in junk  # after the last one
    nav_and_footer = ["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur", "Impressum"]
    assert all(junk not in nav_and_footer for junk in planted.junk)


def test_planting_is_deterministic_per_page_id() -> None:
    first = plant_junk(ARTICLE, "page-1", "de")
    assert first == plant_junk(ARTICLE, "page-1", "de")
    others = {plant_junk(ARTICLE, f"page-{i}", "de") for i in range(2, 8)}
    assert first not in others
    assert len({page.junk for page in others if page}) > 1


def template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching any filling of a junk template."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+?".join(re.escape(part) for part in parts))


@pytest.mark.parametrize(("code", "lang"), [("de", "de"), ("pt-BR", "pt"), ("xx", "en")])
def test_planting_uses_the_page_language(code: str, lang: str) -> None:
    for page_id in ("page-1", "page-2", "page-3"):
        planted = plant_junk(ARTICLE, page_id, code)
        assert planted is not None
        for kind, junk in zip(planted.kinds, planted.junk, strict=True):
            templates = JUNK_WORDINGS[kind][lang]
            assert any(template_pattern(t).fullmatch(junk) for t in templates), (kind, junk)


def test_page_without_paragraphs_gets_no_variant() -> None:
    assert plant_junk("<html><body><div>Only a div</div></body></html>", "x", "en") is None
    assert plant_junk("", "x", "en") is None
    assert plant_junk("<html><body><nav><p>Menu</p></nav></body></html>", "x", "en") is None


# --- held-out junk -------------------------------------------------------------------------

PAGE_IDS = [f"page-{i}" for i in range(1, 13)]
PAGE_LANGS = ["de", "en", "fr", "pl", "pt-BR", "xx"]


def plant_holdout(page_id: str, code: str | None) -> PlantedPage | None:
    return plant_junk(ARTICLE, page_id, code, wordings=HOLDOUT_WORDINGS, classes=HOLDOUT_CLASSES)


def junk_blocks(planted: PlantedPage) -> list[lxml.html.HtmlElement]:
    """The planted blocks of a planted ARTICLE: the article's children that are not its own."""
    article = lxml.html.document_fromstring(planted.html).find(".//article")
    return [
        child
        for child in article
        if child.tag != "h1"
        and normalize_whitespace(child.text_content()) not in ARTICLE_PARAGRAPHS
    ]


def block_classes(block: lxml.html.HtmlElement) -> set[str]:
    return {c for element in block.iter() for c in (element.get("class") or "").split()}


def test_holdout_vocabulary_covers_every_kind_and_language() -> None:
    assert set(HOLDOUT_WORDINGS) == set(JUNK_WORDINGS) == set(HOLDOUT_CLASSES)
    rng = random.Random(0)
    for kind, wordings in HOLDOUT_WORDINGS.items():
        assert set(wordings) == set(LANGUAGES), kind
        for lang, templates in wordings.items():
            assert len(set(templates)) == len(templates) >= 4, (kind, lang)
            for template in templates:
                assert template.format(**placeholder_values(lang, rng)).strip(), template
        assert len(set(HOLDOUT_CLASSES[kind])) == 3, kind


def test_holdout_vocabulary_is_not_the_first_planted_set() -> None:
    first = {t for wordings in JUNK_WORDINGS.values() for ts in wordings.values() for t in ts}
    held_out = {t for wordings in HOLDOUT_WORDINGS.values() for ts in wordings.values() for t in ts}
    assert not first & held_out
    first_classes = {c for names in _KIND_CLASSES.values() for c in names}
    held_out_classes = {c for names in HOLDOUT_CLASSES.values() for c in names}
    assert not (first_classes | set(_NEUTRAL_CLASSES)) & held_out_classes


@pytest.mark.parametrize(
    ("code", "lang"), [("de", "de"), ("pt-BR", "pt"), ("pl", "pl"), ("xx", "en")]
)
def test_holdout_plants_only_holdout_wordings_and_classes(code: str, lang: str) -> None:
    first_classes = {c for names in _KIND_CLASSES.values() for c in names} - set(_NEUTRAL_CLASSES)
    for page_id in PAGE_IDS:
        planted = plant_holdout(page_id, code)
        assert planted is not None
        assert 3 <= len(planted.junk) <= 5
        assert len(planted.kinds) == len(set(planted.kinds)) == len(planted.junk)
        for kind, junk in zip(planted.kinds, planted.junk, strict=True):
            templates = HOLDOUT_WORDINGS[kind][lang]
            assert any(template_pattern(t).fullmatch(junk) for t in templates), (kind, junk)
        blocks = junk_blocks(planted)
        assert [normalize_whitespace(b.text_content()) for b in blocks] == [
            normalize_whitespace(text) for text in planted.junk
        ]
        for block, kind in zip(blocks, planted.kinds, strict=True):
            classes = block_classes(block)
            assert classes <= set(HOLDOUT_CLASSES[kind]) | set(_NEUTRAL_CLASSES), classes
            assert not classes & first_classes, classes


def test_holdout_is_deterministic_and_differs_from_planted() -> None:
    for page_id in PAGE_IDS[:4]:
        assert plant_holdout(page_id, "fr") == plant_holdout(page_id, "fr")
    doc = Doc("page-1", "", Path("unused.html.gz"), None, (), (), {"lang": "de"})
    holdout = plant_variant("holdout", ARTICLE, doc)
    assert holdout == plant_holdout(HOLDOUT_SEED.format(id="page-1"), "de")
    assert holdout == plant_holdout("page-1:holdout", "de")
    assert holdout == plant_variant("holdout", ARTICLE, doc)
    planted = plant_variant("planted", ARTICLE, doc)
    assert planted == plant_junk(ARTICLE, "page-1", "de")
    assert holdout is not None and planted is not None
    assert not set(holdout.junk) & set(planted.junk)
    with pytest.raises(ValueError, match="no planted junk"):
        plant_variant("original", ARTICLE, doc)


def test_planted_variant_defaults_are_the_first_set() -> None:
    for page_id in PAGE_IDS:
        for code in PAGE_LANGS:
            explicit = plant_junk(
                ARTICLE, page_id, code, wordings=JUNK_WORDINGS, classes=_KIND_CLASSES
            )
            assert plant_junk(ARTICLE, page_id, code) == explicit
    rng_default, rng_explicit = random.Random(3), random.Random(3)
    page_text = normalize_whitespace(lxml.html.document_fromstring(ARTICLE).text_content())
    assert choose_junk("it", rng_default, page_text, 5) == choose_junk(
        "it", rng_explicit, page_text, 5, wordings=JUNK_WORDINGS
    )


# Digest of what the planted variant puts into ARTICLE for PAGE_IDS x PAGE_LANGS: texts, kinds
# and markup. Taken before `plant_junk` got its `wordings` and `classes` arguments, so the
# planted variant stays the one earlier runs measured. Change it only on purpose, together
# with `JUNK_WORDINGS`, `_KIND_CLASSES` or the planting draws.
PLANTED_DIGEST = "1c433774fbc5ca1d4237a2a0e467ef40315a0bad883c9864670faee33322d83a"


def test_planted_variant_is_unchanged() -> None:
    parts = []
    for page_id in PAGE_IDS:
        for code in PAGE_LANGS:
            planted = plant_junk(ARTICLE, page_id, code)
            assert planted is not None
            article = lxml.html.document_fromstring(planted.html).find(".//article")
            layout = [
                (child.tag, child.get("class"), [(g.tag, g.get("class")) for g in child])
                for child in article
            ]
            parts.append(repr((planted.junk, planted.kinds, layout)))
    assert hashlib.sha256("\n".join(parts).encode()).hexdigest() == PLANTED_DIGEST


def test_page_variants_build_planted_and_holdout_for_articles_only(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    article, listing = load_docs(tmp_path)
    pages = list(page_variants("ds", article, planted=True))
    assert [page.variant for page in pages] == list(VARIANTS)
    assert [page.variant for page in pages[1:]] == list(JUNK_VARIANTS)
    by_variant = {page.variant: page for page in pages}
    assert by_variant["original"].junk == ()
    for name in JUNK_VARIANTS:
        variant = plant_variant(name, ARTICLE, article)
        assert variant is not None
        assert (by_variant[name].html, by_variant[name].junk) == (variant.html, variant.junk)
        assert by_variant[name].junk_kinds == variant.kinds
    assert [p.variant for p in page_variants("ds", article, planted=False)] == ["original"]
    assert [p.variant for p in page_variants("ds", listing, planted=True)] == ["original"]


def test_every_held_out_set_is_a_row_of_the_table_and_a_variant() -> None:
    names = [row.name for row in junk_data.HELD_OUT]
    assert names[0] == "holdout"
    assert ("original", "planted", *names) == ALL_VARIANTS
    assert tuple(names[1:]) == LOOKS
    for row in junk_data.HELD_OUT:
        assert row.seed == "{id}:" + row.name
        assert row.wordings_file.is_file() and row.classes_file.is_file()
    # the seeds the looks of holdouts 2 to 7 were measured with
    assert HOLDOUT_SEED == "{id}:holdout"
    assert junk_data.held_out("holdout7").seed.format(id="a") == "a:holdout7"
    with pytest.raises(KeyError, match="holdout2"):
        junk_data.held_out("holdout99")


def test_a_held_out_set_is_built_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_dataset(tmp_path)
    article, _ = load_docs(tmp_path)
    assert [page.variant for page in page_variants("ds", article, True)] == list(VARIANTS)
    pages = list(page_variants("ds", article, True, looks=reversed(LOOKS)))
    assert [page.variant for page in pages] == list(ALL_VARIANTS)
    for name in LOOKS:
        row = junk_data.held_out(name)
        pages = list(page_variants("ds", article, planted=True, looks=[name]))
        assert [page.variant for page in pages] == [*VARIANTS, name]
        wordings = row.wordings()
        if row.by_language:  # holdout3: only the kinds written in the page's language
            wordings = {k: v for k, v in wordings.items() if "en" in v}
        expected = plant_junk(
            ARTICLE, f"a:{name}", article.lang, wordings=wordings, classes=row.classes()
        )
        assert expected is not None
        assert set(expected.kinds) <= set(row.wordings())
        page = pages[-1]
        assert (page.html, page.junk, page.junk_kinds) == (
            expected.html,
            expected.junk,
            expected.kinds,
        )
        assert expected == plant_variant(name, ARTICLE, article)
    assert build_parser().parse_args([]).look == []
    assert build_parser().parse_args(["--look", "holdout7", "--look", "holdout2"]).look == [
        "holdout7",
        "holdout2",
    ]
    assert main(["--data", str(tmp_path), "--look", "holdout2", "--no-planted"]) == 2
    # a set the line model trains on may run without the holdout, a blind one may not
    assert [p.variant for p in page_variants("ds", article, True, False, ["holdout3"])] == [
        "original",
        "planted",
        "holdout3",
    ]
    blind = dataclasses.replace(junk_data.held_out("holdout7"), status=junk_data.BLIND_STATUS)
    monkeypatch.setattr(junk_data, "held_out", lambda name: blind)
    assert main(["--data", str(tmp_path), "--look", "holdout7", "--no-holdout"]) == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--look", "holdout99"])


def test_the_second_holdout_covers_every_language_with_its_own_classes() -> None:
    wordings, classes = (
        junk_data.held_out("holdout2").wordings(),
        junk_data.held_out("holdout2").classes(),
    )
    assert set(wordings) == set(classes)
    assert set(JUNK_WORDINGS) < set(wordings)  # the first holdout's kinds, and new ones
    rng = random.Random(0)
    for kind, by_language in wordings.items():
        assert set(by_language) == set(LANGUAGES), kind
        for lang, templates in by_language.items():
            assert len(set(templates)) == len(templates) >= 1, (kind, lang)
            for template in templates:
                assert template.format(**placeholder_values(lang, rng)).strip(), (kind, lang)
        assert len(set(classes[kind])) == 3, kind
    first_classes = {c for names in _KIND_CLASSES.values() for c in names}
    assert not (first_classes | set(_NEUTRAL_CLASSES)) & {c for v in classes.values() for c in v}


# --- loading and the command line ----------------------------------------------------------


def write_dataset(folder: Path) -> None:
    (folder / "html").mkdir(parents=True)
    records: list[dict[str, Any]] = [
        {"id": "a", "url": "https://example.org/a", "text": " ".join(ARTICLE_PARAGRAPHS)},
        {"id": "b", "url": None, "text": None, "meta": {"lang": "de", "page_type": "listing"}},
    ]
    with (folder / "docs.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            path = f"html/{record['id']}.html.gz"
            with gzip.open(folder / path, "wt", encoding="utf-8") as html:
                html.write(ARTICLE)
            line = {"with": ["Der neue Prozessor"], "without": ["Impressum"], "meta": {}, **record}
            handle.write(json.dumps({**line, "html": path}) + "\n")


def test_load_docs(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    docs = load_docs(tmp_path)
    assert [d.id for d in docs] == ["a", "b"]
    assert docs[1].url == ""
    assert (docs[0].plantable, docs[1].plantable) == (True, False)
    assert docs[1].lang == "de"
    assert docs[0].read_html() == ARTICLE
    assert len(load_docs(tmp_path, limit=1)) == 1


def test_main_prints_markdown_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tiny"
    write_dataset(folder)
    out = tmp_path / "bench.json"
    assert main(["--data", str(folder), "--json", str(out)]) == 0
    report = capsys.readouterr().out
    assert "## tiny" in report
    assert "| original | trafilatura | 2 |" in report
    assert "| planted | cleancrawl | 1 |" in report
    assert "| holdout | trafilatura | 1 |" in report
    assert "| holdout | cleancrawl | 1 |" in report
    assert "Time ratio cleancrawl / trafilatura" in report
    ratio_line = next(line for line in report.splitlines() if line.startswith("Time ratio"))
    assert "original " in ratio_line and "planted " in ratio_line and "holdout " in ratio_line
    assert "`holdout`: held-out junk" in report
    numbers = json.loads(out.read_text(encoding="utf-8"))
    assert {s["variant"] for s in numbers["summaries"]} == {"original", "planted", "holdout"}
    assert set(numbers["time_ratio_by_dataset"]) == {
        "tiny/original",
        "tiny/planted",
        "tiny/holdout",
    }
    assert numbers["config"]["variants"] == ["original", "planted", "holdout"]
    for variant in JUNK_VARIANTS:
        planted = [d for d in numbers["documents"] if d["variant"] == variant]
        assert len(planted) == 2  # the one article page, once per system
        assert all(3 <= len(d["junk_planted"]) <= 5 for d in planted)
    holdout = next(d for d in numbers["documents"] if d["variant"] == "holdout")
    expected = plant_holdout(HOLDOUT_SEED.format(id="a"), None)
    assert expected is not None
    assert tuple(holdout["junk_planted"]) == expected.junk


def test_main_with_one_system_and_no_planted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dataset(tmp_path / "tiny")
    args = ["--data", str(tmp_path / "tiny"), "--systems", "trafilatura", "--no-planted"]
    assert main(args) == 0
    report = capsys.readouterr().out
    assert "cleancrawl" not in report.split("## tiny")[1]
    assert "planted" not in report
    assert "holdout" not in report


def test_dev_junk_tells_why_a_line_survived() -> None:
    from benchmarks.dev_junk import DEV_WORDINGS, cause

    # the dev set is the validation fifth of the training wordings, nothing the model fits on
    assert DEV_WORDINGS["views"]["en"] == junk_data.train_junk()["views"]["en"][2::5]
    para = "A paragraph of article text that runs well past sixteen words, as a story does."
    assert cause("Share on X", f"{para}\nRead it. Share on X today\n{para}") == "merged"
    assert (
        cause("What do you think? Tell us.", f"{para}\nWhat do you think? Tell us.") == "sentence"
    )
    items = "\n".join(["Menu one", "Menu two", "Zorp three", "Menu four"])
    assert cause("Zorp three", f"{para}\n{items}\n{para}") == "long_run"
    assert cause("Battery life", f"{para}\nBattery life\n{para}") == "low_score"
    assert cause("Gone", para) == "split"


def test_no_holdout_plants_only_the_tuning_junk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dataset(tmp_path / "tiny")
    article, _ = load_docs(tmp_path / "tiny")
    pages = page_variants("ds", article, planted=True, holdout=False)
    assert [page.variant for page in pages] == ["original", "planted"]
    assert main(["--data", str(tmp_path / "tiny"), "--no-holdout"]) == 0
    report = capsys.readouterr().out
    assert "| planted | cleancrawl | 1 |" in report
    assert "holdout" not in report
    assert main(["--data", str(tmp_path / "tiny"), "--no-holdout", "--look", "holdout2"]) == 0
    report = capsys.readouterr().out
    assert "| holdout2 | cleancrawl | 1 |" in report
    assert "| holdout | " not in report


def test_missed_snippets_name_the_removed_line_or_the_drop(tmp_path: Path) -> None:
    from benchmarks.lost_lines import NOT_EXTRACTED, _why_missing, missed_snippets
    from cleaning.junk import RemovedLine

    removed = [RemovedLine("share", "Share on X"), RemovedLine("title", "Chips in Europe")]
    assert _why_missing("ds", "a", "Chips in", removed).reason == "title"
    assert _why_missing("ds", "a", "Share on X and more", removed).removed == "Share on X"
    assert _why_missing("ds", "a", "nowhere", removed).reason == NOT_EXTRACTED
    write_dataset(tmp_path / "tiny")
    records = [json.loads(line) for line in (tmp_path / "tiny" / "docs.jsonl").open()]
    records[0]["with"] = [ARTICLE_PARAGRAPHS[0], "no such text in the page at all"]
    (tmp_path / "tiny" / "docs.jsonl").write_text(
        "".join(json.dumps(record) + "\n" for record in records), encoding="utf-8"
    )
    # both systems find the first, neither the second: no snippet only cleancrawl misses
    assert missed_snippets(tmp_path / "tiny") == []


def test_page_types_set_what_cleancrawl_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import extraction

    # main swaps the cleancrawl extractor; the next test must get the crawl's again
    monkeypatch.setitem(extraction.EXTRACTORS, "cleancrawl", extraction.EXTRACTORS["cleancrawl"])
    write_dataset(tmp_path / "tiny")
    out = tmp_path / "bench.json"
    args = ["--data", str(tmp_path / "tiny"), "--no-planted", "--systems", "cleancrawl"]
    assert main([*args, "--json", str(out)]) == 0
    outcomes = {d["outcome"] for d in json.loads(out.read_text())["documents"]}
    assert outcomes == {"written:other"}
    assert main([*args, "--page-types", "article,listing", "--json", str(out)]) == 0
    numbers = json.loads(out.read_text())
    assert {d["outcome"] for d in numbers["documents"]} == {"page_type_other"}
    assert numbers["config"]["page_types"] == "article,listing"
    assert main([*args, "--page-types", "listing", "--no-drops"]) == 2
    assert main([*args, "--page-types", "article,hub"]) == 2


def test_warc_benchmark_refuses_an_unknown_part(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import warc

    with pytest.raises(SystemExit) as exit_:
        warc.main(["--parts", "real,reel"])
    assert exit_.value.code == 2
    assert "unknown reel" in capsys.readouterr().err


# a subreaper with a resource tracker (a multiprocessing lock starts one) and a child left
# running: reap() waits for the child and returns, the tracker still alive
_REAP = """
import multiprocessing, subprocess, sys
from benchmarks.warc import become_subreaper, reap, _children
assert become_subreaper()
lock = multiprocessing.get_context("spawn").Lock()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
reap()
assert child.pid not in _children()
print("reaped")
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="Linux: /proc and subreapers")
def test_warc_benchmark_reap_does_not_wait_for_the_resource_tracker() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _REAP], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "reaped"


@pytest.mark.parametrize(
    "argv",
    [
        ["--variants", "fresh,nope"],
        ["--pages", "0"],
        ["--rounds", "-1"],
        ["--workers", "0"],
        ["--pages", "300", "--of", "200"],
    ],
)
def test_pool_cost_refuses_a_bad_argument_before_reading_any_page(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import pool_cost

    def no_pages(count: int) -> list[tuple[str, bytes]]:
        raise AssertionError("pages read before the arguments were checked")

    monkeypatch.setattr(pool_cost, "real_pages", no_pages)
    with pytest.raises(SystemExit) as exited:
        pool_cost.main(argv)
    assert exited.value.code == 2


def test_pool_cost_steps_time_each_step_of_the_task() -> None:
    """``--variants steps`` sums each step's CPU on its own; a kept page is signed, its
    lines keyed, its quality measured and its result pickled; a dropped one only cleaned."""
    from benchmarks import pool_cost

    article = " ".join(
        f"Sentence {n} of the article says something about word{n}." for n in range(60)
    )
    kept = f"<html><body><article><h1>Title</h1><p>{article}</p></article></body></html>"
    pages = [("http://a.test/1", kept.encode()), ("http://a.test/2", kept.encode())]
    run = pool_cost.run_steps(pages)
    assert set(pool_cost.STEPS) <= set(run)
    assert all(run[step] > 0 for step in ("clean_page", "signature", "quality", "result"))
    assert run["task"] == pytest.approx(sum(run[step] for step in pool_cost.STEPS))
    assert "beyond clean_page" in pool_cost._line(run, len(pages))


def test_pool_cost_without_the_data_sets_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real pages (the data sets elsewhere): exit 2, not a fresh process that fails on
    its first page while the run waits for it for ever."""
    from benchmarks import pool_cost

    monkeypatch.setattr(pool_cost, "real_pages", lambda count: [])
    with pytest.raises(SystemExit) as exited:
        pool_cost.main(["--pages", "5", "--variants", "task"])
    assert exited.value.code == 2

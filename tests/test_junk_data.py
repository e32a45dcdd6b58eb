"""The benchmarks' junk wordings as data files: the loader, and the guard that keeps the held-out
sets apart from everything the cleaner and the line model were built on.

The guard prints ids (`kind/lang/index`) and counts, never the held-out strings.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from benchmarks import junk_data
from benchmarks.junk_data import fold, load_classes, load_wordings, overlaps, seen_wordings
from benchmarks.planted_junk import LANGUAGES, placeholder_values

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Aktualisiert vor {hours} Stunden", "aktualisiert: vor {min} Stunden!"),
        ("By {name} · {k} articles", "by {agency} - {n} ARTICLES"),
        ("Photo: {name} / {agency}", "PHOTO — {agency}, {name}"),
        ("Page 3 of {j}", "page of {j}"),
        ("Édité le {date}", "ÉDITÉ LE: {numdate}"),
        ("  Read   more ", "read more"),
    ],
)
def test_fold_ignores_placeholders_case_punctuation_digits_and_spaces(
    first: str, second: str
) -> None:
    assert fold(first) == fold(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("{n} views", "views"),
        ("{date}, {time}", "{date}"),
        ("Read more", "Read less"),
        ("Share on X", "Share X on"),
    ],
)
def test_fold_keeps_words_and_their_order_and_a_placeholder(first: str, second: str) -> None:
    assert fold(first) != fold(second)


def test_wordings_keep_the_order_of_the_file_and_rows_appended_keep_their_index(
    tmp_path: Path,
) -> None:
    rows = [
        {"kind": "views", "lang": "en", "text": "{n} views"},
        {"kind": "share", "lang": "de", "text": "Teilen"},
        {"kind": "views", "lang": "de", "text": "{n} Aufrufe"},
        {"kind": "views", "lang": "en", "text": "Seen {n} times"},
    ]
    path = tmp_path / "w.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n", encoding="utf-8")
    wordings = load_wordings(path)
    assert list(wordings) == ["views", "share"]
    assert wordings["views"] == {"en": ("{n} views", "Seen {n} times"), "de": ("{n} Aufrufe",)}
    classes = tmp_path / "c.json"
    classes.write_text('{"views": ["a", "b"]}', encoding="utf-8")
    assert load_classes(classes) == {"views": ("a", "b")}


def test_the_loaders_read_every_set() -> None:
    # the training set also has the six kinds of issue 18 that the planted set has not
    new_kinds = {
        "downloader_spam",
        "share_a11y",
        "read_more",
        "subscribe",
        "lone_label",
        "shortcode",
    }
    # set k: three kinds no earlier training set had (holdout4's weak kinds)
    new_kinds |= {"tags", "author_bio", "breadcrumb"}
    assert set(junk_data.train_junk()) == set(junk_data.planted_wordings()) | new_kinds
    assert set(junk_data.holdout_wordings()) == set(junk_data.holdout_classes())
    assert set(junk_data.holdout2_wordings()) == set(junk_data.holdout2_classes())
    assert set(junk_data.holdout3_wordings()) <= set(junk_data.holdout3_classes())
    assert set(junk_data.holdout4_wordings()) == set(junk_data.holdout4_classes())
    assert set(junk_data.holdout5_wordings()) == set(junk_data.holdout5_classes())
    assert set(junk_data.holdout6_wordings()) == set(junk_data.holdout6_classes())
    assert set(junk_data.holdout7_wordings()) == set(junk_data.holdout7_classes())
    assert list(junk_data.train_text()) == sorted(junk_data.train_text())
    # set i: 128 rows, set j: 160, set k: 320, set m: 291
    assert sum(1 for _ in junk_data.templates(junk_data.train_junk())) == 7970


def test_overlaps_name_the_held_out_templates_that_fold_like_a_seen_one() -> None:
    held_out = {"views": {"en": ("{n} VIEWS!", "Seen by {k} people"), "de": ("{n} Aufrufe",)}}
    seen = {fold("{n} views"), fold("Aufrufe: {n}")}
    assert overlaps(held_out, seen) == ["views/en/0"]


@pytest.mark.parametrize(
    "held_out",
    [
        junk_data.holdout_wordings,
        junk_data.holdout2_wordings,
        junk_data.holdout3_wordings,
        junk_data.holdout4_wordings,
        junk_data.holdout5_wordings,
        junk_data.holdout6_wordings,
        junk_data.holdout7_wordings,
    ],
    ids=lambda f: f.__name__,
)
def test_no_held_out_wording_is_a_training_development_or_planted_one(held_out: object) -> None:
    assert callable(held_out)
    found = overlaps(held_out())
    assert not found, (
        f"{len(found)} held-out wordings fold like a training, development or planted one "
        f"(ids only, kind/lang/index): {found}"
    )


def test_the_second_holdout_shares_no_wording_with_the_first() -> None:
    # it is there to tell whether the first was worn out by looks: a shared wording would be
    # worn out with it
    first = {fold(text) for _, text in junk_data.templates(junk_data.holdout_wordings())}
    found = overlaps(junk_data.holdout2_wordings(), first)
    assert not found, (
        f"{len(found)} wordings of the second holdout fold like one of the first: {found}"
    )


HOLDOUTS_IN_ORDER = (
    ("first", junk_data.holdout_wordings),
    ("second", junk_data.holdout2_wordings),
    ("third", junk_data.holdout3_wordings),
    ("fourth", junk_data.holdout4_wordings),
    ("fifth", junk_data.holdout5_wordings),
    ("sixth", junk_data.holdout6_wordings),
    ("seventh", junk_data.holdout7_wordings),
)


@pytest.mark.parametrize("index", range(2, len(HOLDOUTS_IN_ORDER)))
def test_each_later_holdout_shares_no_wording_with_the_earlier_ones(index: int) -> None:
    name, wordings_of = HOLDOUTS_IN_ORDER[index]
    earlier = {
        fold(text)
        for _, earlier_wordings in HOLDOUTS_IN_ORDER[:index]
        for _, text in junk_data.templates(earlier_wordings())
    }
    found = overlaps(wordings_of(), earlier)
    assert not found, (
        f"{len(found)} wordings of the {name} holdout fold like an earlier one: {found}"
    )


CLASSES_IN_ORDER = (
    junk_data.planted_classes,
    junk_data.holdout_classes,
    junk_data.holdout2_classes,
    junk_data.holdout3_classes,
    junk_data.holdout4_classes,
    junk_data.holdout5_classes,
    junk_data.holdout6_classes,
    junk_data.holdout7_classes,
)


@pytest.mark.parametrize("index", [5, 6, 7], ids=["fifth", "sixth", "seventh"])
def test_a_later_holdout_uses_no_class_name_of_the_earlier_sets(index: int) -> None:
    # a class name the cleaner was tuned on (planted) or looked at (earlier holdouts) would let
    # the markup give the junk away
    earlier = {
        name
        for classes_of in CLASSES_IN_ORDER[:index]
        for names in classes_of().values()
        for name in names
    }
    shared = sorted(
        kind for kind, names in CLASSES_IN_ORDER[index]().items() if set(names) & earlier
    )
    assert not shared, f"kinds of the holdout with an earlier class name: {shared}"


@pytest.mark.parametrize(
    ("wordings_of", "classes_of"),
    [
        (junk_data.holdout4_wordings, junk_data.holdout4_classes),
        (junk_data.holdout5_wordings, junk_data.holdout5_classes),
        (junk_data.holdout6_wordings, junk_data.holdout6_classes),
        (junk_data.holdout7_wordings, junk_data.holdout7_classes),
    ],
    ids=["holdout4", "holdout5", "holdout6", "holdout7"],
)
def test_a_later_holdout_plants_every_kind_in_every_language_and_no_template_twice(
    wordings_of: object, classes_of: object
) -> None:
    # every kind in every language, so the benchmark plants it unfiltered, like `holdout2`; two
    # templates that fold alike would weigh one wording twice
    assert callable(wordings_of)
    assert callable(classes_of)
    wordings, classes = wordings_of(), classes_of()
    rng = random.Random(0)
    for kind, by_language in wordings.items():
        assert set(by_language) == set(LANGUAGES), kind
        assert classes[kind], kind
        for lang, texts in by_language.items():
            for text in texts:
                # every placeholder is one the planting fills
                assert text.format(**placeholder_values(lang, rng)).strip(), (kind, lang)
    folded = Counter(fold(text) for _, text in junk_data.templates(wordings))
    twice = [id_ for id_, text in junk_data.templates(wordings) if folded[fold(text)] > 1]
    assert not twice, f"templates of the holdout that fold alike: {twice}"


@pytest.mark.parametrize(
    "wordings_of",
    [junk_data.holdout5_wordings, junk_data.holdout6_wordings, junk_data.holdout7_wordings],
    ids=lambda f: f.__name__,
)
def test_a_later_holdout_has_as_many_templates_of_a_kind_in_every_language(
    wordings_of: object,
) -> None:
    # so no language weighs a kind more than another (holdout4 has one more `read_more` in some)
    assert callable(wordings_of)
    uneven = sorted(
        kind
        for kind, by_language in wordings_of().items()
        if len({len(texts) for texts in by_language.values()}) > 1
    )
    assert not uneven, f"kinds with more templates in some languages: {uneven}"


def test_the_seen_wordings_hold_the_planted_training_and_development_sets() -> None:
    seen = seen_wordings()
    for _, text in junk_data.templates(junk_data.planted_wordings()):
        assert fold(text) in seen
    from benchmarks.dev_junk import DEV_WORDINGS

    assert all(fold(text) in seen for _, text in junk_data.templates(DEV_WORDINGS))
    assert fold("Price and availability") in seen  # an article line of train_text.jsonl

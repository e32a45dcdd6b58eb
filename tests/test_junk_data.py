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
from benchmarks.junk_data import (
    HELD_OUT,
    HeldOutSet,
    fold,
    held_out,
    load_classes,
    load_wordings,
    overlaps,
    seen_wordings,
    trained_holdouts,
)
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
    for row in HELD_OUT:
        kinds, classes = set(row.wordings()), set(row.classes())
        # a set with kinds missing in some languages may name classes of kinds it has not
        assert kinds <= classes if row.by_language else kinds == classes, row.name
    assert list(junk_data.train_text()) == sorted(junk_data.train_text())
    # set i: 128 rows, set j: 160, set k: 320, set m: 291
    assert sum(1 for _ in junk_data.templates(junk_data.train_junk())) == 7970


def test_overlaps_name_the_held_out_templates_that_fold_like_a_seen_one() -> None:
    held_out = {"views": {"en": ("{n} VIEWS!", "Seen by {k} people"), "de": ("{n} Aufrufe",)}}
    seen = {fold("{n} views"), fold("Aufrufe: {n}")}
    assert overlaps(held_out, seen) == ["views/en/0"]


NOT_TRAINED_ON = [row for row in HELD_OUT if not row.trained_on]


def test_the_used_holdouts_are_training_data_and_the_rewritten_holdout_is_not() -> None:
    # holdouts 2 to 7 had their one look before stop 29, holdout8 at its end, holdout9 in
    # stop 30; the rewritten holdout is the measure of issue 18's targets and stays held out;
    # holdout10 (stop 30), holdout12 and holdout13 (stop 31), the informal sets, were looked
    # at and not learned (it cost the others, or article lines), and so was holdout11, blind
    # until its one look at the end of issue 18 (stop 36)
    assert [row.name for row in trained_holdouts()] == [f"holdout{n}" for n in range(2, 10)]
    assert not any(held_out(f"holdout{n}").trained_on for n in (10, 12, 13))
    assert not held_out("holdout11").trained_on
    assert "holdout7" not in [row.name for row in trained_holdouts(["holdout7"])]
    assert not held_out("holdout").trained_on


@pytest.mark.parametrize("row", NOT_TRAINED_ON, ids=lambda row: row.name)
def test_no_held_out_wording_is_a_training_development_or_planted_one(row: HeldOutSet) -> None:
    # the seen wordings hold those of the held-out sets trained on
    found = overlaps(row.wordings())
    assert not found, (
        f"{len(found)} wordings of {row.name} fold like a training, development or planted one "
        f"(ids only, kind/lang/index): {found}"
    )


@pytest.mark.parametrize("index", range(1, len(HELD_OUT)), ids=lambda i: HELD_OUT[i].name)
def test_each_later_holdout_shares_no_wording_with_the_earlier_ones(index: int) -> None:
    # the second was there to tell whether the first was worn out by looks, and a blind set
    # must not repeat one that has been looked at: a shared wording would be worn out with it
    earlier = {
        fold(text) for row in HELD_OUT[:index] for _, text in junk_data.templates(row.wordings())
    }
    found = overlaps(HELD_OUT[index].wordings(), earlier)
    assert not found, (
        f"{len(found)} wordings of {HELD_OUT[index].name} fold like an earlier held-out one: "
        f"{found}"
    )


def _from(name: str) -> list[int]:
    """The indexes in `HELD_OUT` of this set and the later ones."""
    first = [row.name for row in HELD_OUT].index(name)
    return list(range(first, len(HELD_OUT)))


@pytest.mark.parametrize("index", _from("holdout5"), ids=lambda i: HELD_OUT[i].name)
def test_a_later_holdout_uses_no_class_name_of_the_earlier_sets(index: int) -> None:
    # a class name the cleaner was tuned on (planted) or looked at (earlier holdouts) would let
    # the markup give the junk away
    classes = [junk_data.planted_classes(), *(row.classes() for row in HELD_OUT)]
    earlier = {name for kinds in classes[: index + 1] for names in kinds.values() for name in names}
    shared = sorted(kind for kind, names in classes[index + 1].items() if set(names) & earlier)
    assert not shared, f"kinds of {HELD_OUT[index].name} with an earlier class name: {shared}"


@pytest.mark.parametrize("index", _from("holdout4"), ids=lambda i: HELD_OUT[i].name)
def test_a_later_holdout_plants_every_kind_in_every_language_and_no_template_twice(
    index: int,
) -> None:
    # every kind in every language, so the benchmark plants it unfiltered, like `holdout2`; two
    # templates that fold alike would weigh one wording twice
    row = HELD_OUT[index]
    assert not row.by_language
    wordings, classes = row.wordings(), row.classes()
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
    assert not twice, f"templates of {row.name} that fold alike: {twice}"


@pytest.mark.parametrize("index", _from("holdout5"), ids=lambda i: HELD_OUT[i].name)
def test_a_later_holdout_has_as_many_templates_of_a_kind_in_every_language(index: int) -> None:
    # so no language weighs a kind more than another (holdout4 has one more `read_more` in some)
    uneven = sorted(
        kind
        for kind, by_language in HELD_OUT[index].wordings().items()
        if len({len(texts) for texts in by_language.values()}) > 1
    )
    assert not uneven, f"kinds with more templates in some languages: {uneven}"


def test_the_seen_wordings_hold_the_planted_training_and_development_sets() -> None:
    seen = seen_wordings()
    for _, text in junk_data.templates(junk_data.planted_wordings()):
        assert fold(text) in seen
    for row in trained_holdouts():
        assert all(fold(text) in seen for _, text in junk_data.templates(row.wordings()))
    assert not any(
        fold(text) in seen for _, text in junk_data.templates(held_out("holdout").wordings())
    )
    from benchmarks.dev_junk import DEV_WORDINGS

    assert all(fold(text) in seen for _, text in junk_data.templates(DEV_WORDINGS))
    assert fold("Price and availability") in seen  # an article line of train_text.jsonl

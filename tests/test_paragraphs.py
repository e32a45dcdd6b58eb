"""``cleaning.paragraphs`` makes the paragraphs jusText makes, and trafilatura's jusText runs
give the same text with them."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from justext.core import (  # type: ignore[import-untyped]
    ParagraphMaker,
    classify_paragraphs,
    revise_paragraph_classification,
)
from justext.utils import (  # type: ignore[import-untyped]
    normalize_whitespace as justext_normalize_whitespace,
)
from lxml.etree import Comment, ProcessingInstruction, SubElement, fromstring, tostring
from trafilatura.baseline import basic_cleaning

from cleaning.extraction import _faster_justext, _justext_stoplist, parse_html
from cleaning.paragraphs import FastParagraphMaker, normalize_whitespace

# the module, untyped (its globals are swapped by _faster_justext)
EXTERNAL: Any = importlib.import_module("trafilatura.external")
GOLDEN = Path(__file__).parent / "fixtures" / "golden"


@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000ab.", max_size=40))
def test_white_space_is_folded_as_justext_folds_it(text: str) -> None:
    assert normalize_whitespace(text) == justext_normalize_whitespace(text)


def _paragraphs(maker: type[ParagraphMaker], tree: object) -> list[tuple[object, ...]]:
    paragraphs = maker.make_paragraphs(tree)
    classify_paragraphs(paragraphs, _justext_stoplist(), 50, 150, 0.1, 0.2, 0.25, True)
    revise_paragraph_classification(paragraphs, 150)
    return [
        (
            p.text,
            p.text_nodes,
            p.dom_path,
            p.xpath,
            p.chars_count_in_links,
            p.tags_count,
            p.words_count,
            p.cf_class,
            p.class_type,
            p.heading,
        )
        for p in paragraphs
    ]


def _odd_tree() -> object:
    # comments and processing instructions (their tails are text), a namespaced tag, <br>s,
    # links, headings, a select, and nesting deeper than Python's recursion limit
    tree = fromstring(
        "<html><body><h2>A heading</h2><div>one<!-- c -->two<?pi x?>three"
        "<a href='/x'>a link</a> tail<br/><br/>after breaks</div>"
        "<p xmlns:fb='urn:fb'>in <fb:like>a namespaced</fb:like> tag</p>"
        "<select><option>choice</option></select><p>\u00a9 2024</p></body></html>"
    )
    body = tree.find("body")
    assert body is not None
    deep = body
    for depth in range(1500):
        deep = SubElement(deep, "div" if depth % 2 else "span")
    deep.text = "deep text " * 20
    deep.tail = "  \n tail "
    comment = Comment("x")
    comment.tail = "after a comment"
    body.append(comment)
    pi = ProcessingInstruction("target", "data")
    pi.tail = "after a processing instruction"
    body.append(pi)
    return tree


def _golden_trees() -> list[object]:
    trees = [_odd_tree()]
    for path in sorted(GOLDEN.glob("*.html")):
        tree = parse_html(path.read_text(encoding="utf-8"))
        assert tree is not None
        trees.append(basic_cleaning(tree))
    return trees


@pytest.mark.parametrize("tree", _golden_trees(), ids=lambda tree: str(id(tree))[-6:])
def test_the_same_paragraphs_as_justext(tree: object) -> None:
    expected = _paragraphs(ParagraphMaker, tree)
    assert expected
    assert _paragraphs(FastParagraphMaker, tree) == expected


def test_justext_runs_of_trafilatura_give_the_same_text() -> None:
    for tree in _golden_trees():
        expected = tostring(EXTERNAL.try_justext(tree, None, None))
        with _faster_justext():
            assert EXTERNAL.ParagraphMaker is FastParagraphMaker
            found = tostring(EXTERNAL.try_justext(tree, None, None))
        assert found == expected
    # and trafilatura is as shipped again afterwards
    assert EXTERNAL.ParagraphMaker is ParagraphMaker
    assert not isinstance(EXTERNAL.JT_STOPLIST, frozenset)

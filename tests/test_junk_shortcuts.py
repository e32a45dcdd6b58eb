"""The junk rules' shortcuts give the verdicts of the tests they save."""

from __future__ import annotations

import random
import string
from re import _constants, _parser  # type: ignore[attr-defined]

import pytest

from cleaning.junk import (
    _CODE,
    _CODE_MARK,
    _WORD,
    load_junk_rules,
    looks_like_code,
    possible_kinds,
)
from tests.test_junk import ARTICLE, JUNK

RULES = load_junk_rules()


def _kinds_that_may_match(tokens: frozenset[str]) -> int:
    # what JunkKind.matches reads before a rule: its patterns, then its triggers
    return sum(
        1 << place
        for place, kind in enumerate(RULES.kinds)
        if kind.patterns or kind.any_trigger is None or not kind.any_trigger.isdisjoint(tokens)
    )


def test_the_possible_kinds_are_those_whose_triggers_or_patterns_a_line_may_meet() -> None:
    triggers = sorted({w for kind in RULES.kinds for w in kind.any_trigger or ()})
    assert len(triggers) > 1000
    draw = random.Random(17)
    for size in (0, 1, 2, 3, 5, 8, 20):
        for _ in range(200):
            tokens = frozenset([*draw.sample(triggers, size), "plain", "words"])
            assert possible_kinds(tokens, RULES) == _kinds_that_may_match(tokens)


@pytest.mark.parametrize("line", [line for line, _ in JUNK] + ARTICLE)
def test_a_line_of_a_kind_has_that_kind_possible(line: str) -> None:
    tokens = frozenset(_WORD.findall(line.casefold()))
    possible = possible_kinds(tokens, RULES)
    for place, kind in enumerate(RULES.kinds):
        if kind.matches(line, 1, False, tokens):
            assert possible & (1 << place), kind.name


def test_every_branch_of_the_code_pattern_needs_a_mark() -> None:
    # each alternative of _CODE, as Python's own parser reads it, has at its top level (not
    # optional, not in a group) a character of _CODE_MARK, or a class of nothing else
    marks = {ord(c) for c in "(={}[:;/$"}
    assert _CODE_MARK.search("".join(map(chr, marks))) and all(
        _CODE_MARK.fullmatch(chr(c)) for c in marks
    )
    ((op, (_, branches)),) = _parser.parse(_CODE.pattern).data
    assert op == _constants.BRANCH and len(branches) == 9
    for branch in branches:
        assert any(
            (op == _constants.LITERAL and arg in marks)
            or (
                op == _constants.IN
                and all(kind == _constants.LITERAL and c in marks for kind, c in arg)
            )
            for op, arg in branch
        ), branch


def test_looks_like_code_is_the_code_pattern() -> None:
    draw = random.Random(3)
    alphabet = string.ascii_letters[:6] + "AB 019_()[]{}=:;/*$#@.-'\"\n"
    lines = ["".join(draw.choices(alphabet, k=draw.randint(0, 12))) for _ in range(20000)]
    lines += ["print(x)", "flex: 1 100px;", "SELECT 2+2;", "/* x */", "// Logs: 1", "$ open a"]
    lines += ["A sentence; with a semicolon.", "Plain words", "x :: y", "a[0]"]
    assert sum(looks_like_code(line) for line in lines) > 1000
    for line in lines:
        assert looks_like_code(line) == (_CODE.search(line) is not None), line

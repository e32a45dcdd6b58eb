"""The junk rules' shortcuts give the verdicts of the tests they save."""

from __future__ import annotations

import random
import re
import string
from re import _constants, _parser  # type: ignore[attr-defined]

import pytest

from cleaning import junk
from cleaning.junk import (
    _CODE,
    _CODE_MARK,
    _WORD,
    is_breadcrumb,
    is_site_list,
    load_junk_rules,
    looks_like_code,
    parse_date_line,
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


# pieces of dates, crumbs and lists, drawn at random into lines
_PIECES = [
    "2024", "1999", "2031", "12", "3", "04", "15:30", "1,204", "3rd", "March", "März", "mars",
    "Dec.", "Monday", "Updated", "Stand:", "am", "on", "de", "by", "Home", "News", "Sport",
    ",", ";", "|", "·", "•", "›", "»", ">", "→", "::", "-", "/", ":", ".", "(", ")",
    "YouTube", "vk.com", "Facebook", "4 March 2024", "12.03.2024", "2024-03-04",
]  # fmt: skip


def _random_lines(seed: int, pieces: list[str] = _PIECES, most: int = 5) -> list[str]:
    draw = random.Random(seed)
    return [" ".join(draw.choices(pieces, k=draw.randint(1, most))) for _ in range(6000)]


def test_a_line_without_a_year_is_no_date_line(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [*_random_lines(5), "4 March 2024", "Updated: 12.03.2024, 15:30", "Dec. 3, 1999"]
    fast = [parse_date_line(line, RULES) for line in lines]
    monkeypatch.setattr(junk, "_YEAR", re.compile(""))  # every line read by the pattern
    assert [parse_date_line(line, RULES) for line in lines] == fast
    assert sum(date is not None for date in fast) > 20


def test_a_line_without_a_crumb_separator_is_no_breadcrumb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crumbs = ["Home", "News", "Sport", "Big Story", ">", "»", "::", "|", ".", "›"]
    lines = [*_random_lines(7, crumbs, 9), "Home > News > World", "Start » Wirtschaft » Börse"]
    fast = [is_breadcrumb(line) for line in lines]
    monkeypatch.setattr(junk, "_CRUMB_MARK", re.compile(""))
    assert [is_breadcrumb(line) for line in lines] == fast
    assert sum(fast) > 20


def test_a_line_with_few_separators_is_no_site_list(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["YouTube,", "VK,", "Vimeo", "vk.com", "Home |", "News ·", "Big Story,", "•", ";", "2"]
    lines = [
        *_random_lines(9, names, 20),
        "YouTube, VK, Vimeo, Facebook, Instagram, TikTok, Twitter, Dailymotion",
        "Home | News | Sport | Money | Travel | Style | Culture | Weather",
    ]
    fast = [is_site_list(line, RULES.site_names) for line in lines]
    monkeypatch.setattr(junk, "_too_few_items", lambda line: False)
    assert [is_site_list(line, RULES.site_names) for line in lines] == fast
    assert sum(fast) >= 2

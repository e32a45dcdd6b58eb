"""One list of drop reasons: the README's table and every reason the code counts are in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaning.page import DROP_REASONS
from cleaning.reasons import DropReason, is_drop_reason, markdown_table

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- drop reasons: cleaning/reasons.py, checked by tests/test_reasons.py -->"
END = "<!-- end of drop reasons -->"
# the ways the code names a reason: count_drop(stats, "x"), drop_cleaned(stats, "x", ...),
# RefusedRequest("x", ...), drop_reason="x", CleanResult(..., drop_reason="x"), "x" in _IGNORED
NAMED = re.compile(
    r"""(?:count_drop\([^,]+,\s*|drop_cleaned\([^,]+,\s*|RefusedRequest\(\s*|drop_reason\s*=\s*)"""
    r"""["']([a-z0-9_]+)["']"""
)


def test_readme_table_is_the_list() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme
    table = readme.split(START, 1)[1].split(END, 1)[0].strip() + "\n"
    assert table == markdown_table(), "paste this into README.md:\n" + markdown_table()


def test_every_reason_the_code_names_is_in_the_list() -> None:
    named = {
        (path.relative_to(ROOT).as_posix(), match)
        for folder in ("cleaning", "crawler", "output")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for match in NAMED.findall(path.read_text(encoding="utf-8"))
    }
    assert len(named) >= 15  # the pattern still finds them
    assert [(path, name) for path, name in sorted(named) if not is_drop_reason(name)] == []


def test_spider_error_mapping_names_reasons_in_the_list() -> None:
    from crawler.spiders.technews import _IGNORED

    assert all(is_drop_reason(reason) for reason in _IGNORED.values())


def test_clean_page_reasons_are_in_the_list() -> None:
    assert all(is_drop_reason(reason) for reason in DROP_REASONS)
    assert "language" in DROP_REASONS
    assert "page_type_listing" in DROP_REASONS


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("too_short", True),
        ("dns_error", True),
        ("offsite", True),
        ("http_404", True),
        ("page_type_listing", True),
        ("page_type_news", False),
        ("quality_min_stop_words", True),
        ("http_<status>", False),  # the placeholder is not a reason
        ("http_4040", False),
        ("nonsense", False),
    ],
)
def test_is_drop_reason(name: str, known: bool) -> None:
    assert is_drop_reason(name) is known


def test_every_reason_has_a_one_line_description() -> None:
    for reason in DropReason:
        assert reason.description and "\n" not in reason.description
        assert re.fullmatch(r"[a-z0-9_]+|[a-z_]+_<[a-z]+>", reason.value)

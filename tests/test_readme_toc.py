"""The README's table of contents lists its sections, in order (run this file to rewrite it)."""

from __future__ import annotations

import re
import sys

from tests.conftest import ROOT

README = ROOT / "README.md"
START, END = "<!-- contents -->\n", "<!-- end of contents -->\n"


def _anchor(title: str) -> str:
    # GitHub's rule: lower case, punctuation dropped, spaces to hyphens
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def contents(text: str) -> str:
    """The table of contents of ``text``'s ## and ### headings (outside code blocks)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"(##+) (.+)", line)) and len(match[1]) <= 3:
            if match[2] == "Contents":
                continue
            indent = "  " * (len(match[1]) - 2)
            lines.append(f"{indent}- [{match[2]}](#{_anchor(match[2])})")
    return "\n".join(lines) + "\n"


def _current(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0]


def test_contents_list_every_section() -> None:
    text = README.read_text(encoding="utf-8")
    assert _current(text) == contents(text), "run: python -m tests.test_readme_toc"


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    README.write_text(head + START + contents(text) + END + rest.split(END, 1)[1], "utf-8")
    sys.exit(0)

"""`benchmarks.lost_lines` names the step of clean_page that lost a line."""

from __future__ import annotations

from benchmarks.lost_lines import (
    BY_DESIGN_STEP,
    JUNK_BLOCKS,
    JUNK_LINES,
    LINE_MODEL,
    PRUNING,
    block_lines,
    step_of,
)

PAGE = """<html><body><article><h1>Chips</h1>
<p>Europe wants to make more of the chips it uses, and it is spending billions to get there,
with new plants in Germany, France and Italy planned over the next few years.</p>
<div>Updated 4 hours ago</div>
<p>Whether the money is enough is another matter, say the engineers who build the machines
and the economists who count what each plant will cost the governments paying for it.</p>
<div class="share-buttons">Share on X</div>
</article></body></html>"""


def test_each_removed_line_is_given_its_step() -> None:
    blocks = block_lines(PAGE)
    assert ("updated_label", "Updated 4 hours ago") in blocks
    assert step_of("updated_label", "Updated 4 hours ago", blocks) == JUNK_BLOCKS
    assert step_of("updated_label", "Updated yesterday", blocks) == JUNK_LINES
    assert step_of("widget", "Share on X", blocks) == PRUNING
    assert step_of("learned", "Sign in", blocks) == LINE_MODEL
    assert step_of("title", "Chips", blocks) == BY_DESIGN_STEP
